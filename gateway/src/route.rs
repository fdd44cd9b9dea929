//! One route of an API: a method and a resource path integrated with one function.

use std::time::Duration;

use http::Method;

use crate::{Api, Cors};

/// The path of the HTTP API catch-all route.
pub const DEFAULT_ROUTE: &str = "$default";

/// A method and a resource path integrated with a Lambda function (proxy integration).
///
/// Build one with [`Route::rest`] or [`Route::http`] and the `with_*` setters; [`Routes::new`]
/// validates a whole table at once.
///
/// [`Routes::new`]: crate::Routes::new
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The kind of API the route belongs to.
    pub api: Api,
    /// The method, or `None` for `ANY` (every method no other route of the path names).
    pub method: Option<Method>,
    /// The resource path: `/hello/{name}`, `/files/{proxy+}`, or [`DEFAULT_ROUTE`] (HTTP APIs).
    pub path: String,
    /// The name of the function the route invokes.
    pub function: String,
    /// How long API Gateway waits for the function before answering a timeout.
    pub timeout: Duration,
    /// Content types the API treats as binary (REST only; HTTP APIs decide by content type).
    /// Wildcards such as `image/*` and `*/*` are allowed.
    pub binary_media_types: Vec<String>,
    /// The CORS configuration that applies to the route, if any.
    pub cors: Option<Cors>,
}

impl Route {
    /// A REST API route with the default 29 s integration timeout, no binary media types and
    /// no CORS.
    pub fn rest(
        method: Option<Method>,
        path: impl Into<String>,
        function: impl Into<String>,
    ) -> Self {
        Self::new(Api::Rest, method, path, function)
    }

    /// An HTTP API route with the default (and maximum) 30 s integration timeout and no CORS.
    /// Use [`DEFAULT_ROUTE`] as the path for the catch-all route.
    pub fn http(
        method: Option<Method>,
        path: impl Into<String>,
        function: impl Into<String>,
    ) -> Self {
        Self::new(Api::Http, method, path, function)
    }

    fn new(
        api: Api,
        method: Option<Method>,
        path: impl Into<String>,
        function: impl Into<String>,
    ) -> Self {
        Self {
            api,
            method,
            path: path.into(),
            function: function.into(),
            timeout: api.default_timeout().unwrap_or(Duration::from_secs(30)),
            binary_media_types: Vec::new(),
            cors: None,
        }
    }

    /// Sets the integration timeout (default: 29 s REST, 30 s HTTP).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the API's binary media types (default: none). REST only.
    pub fn with_binary_media_types(
        mut self,
        types: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.binary_media_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the CORS configuration (default: none).
    pub fn with_cors(mut self, cors: Cors) -> Self {
        self.cors = Some(cors);
        self
    }

    /// Whether this is the HTTP API catch-all route.
    pub fn is_default(&self) -> bool {
        self.path == DEFAULT_ROUTE
    }

    /// The route key as API Gateway writes it: `GET /hello/{name}`, `ANY /files/{proxy+}`,
    /// or `$default`.
    pub fn route_key(&self) -> String {
        if self.is_default() {
            return DEFAULT_ROUTE.to_owned();
        }
        match &self.method {
            Some(method) => format!("{method} {}", self.path),
            None => format!("ANY {}", self.path),
        }
    }
}
