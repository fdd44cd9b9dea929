//! The HTTP front door: API Gateway (REST and HTTP APIs) and function URLs in front of the
//! functions, as [`lambda_sim_gateway`] models them. The APIs' routes are served together on
//! one port (as `sam local start-api` serves them); each function URL on a port of its own.
//!
//! One request: its body read (10 MB for an API, 6 MB for a URL), a CORS preflight answered,
//! the route found, the event built, the function invoked under the integration timeout, and
//! its response mapped, or the failure API Gateway would answer (with the reason in the log).

mod api;
mod invoke;
mod url;

use std::time::Duration;

use http::Method;
use lambda_sim_gateway::{Api, Cors, Route, Routes};
use lambda_sim_project::{ApiKind, Apis, CorsSpec, FunctionUrlSpec, InvokeMode, RouteSpec};

pub(crate) use api::handle as handle_api;
pub(crate) use url::handle as handle_url;

/// Why a front door cannot be built from a file's routes.
#[derive(Debug, thiserror::Error)]
pub enum FrontDoorError {
    /// A route or a function URL is invalid (a duplicate route, a malformed path).
    #[error("{0}")]
    Route(#[from] lambda_sim_gateway::GatewayError),
    /// A route's method is not an HTTP method.
    #[error("the route `{method} {path}` of `{function}` has an invalid method")]
    Method {
        /// The method as written.
        method: String,
        /// The route's path.
        path: String,
        /// The function.
        function: String,
    },
}

/// The routes of the APIs and the function URLs, ready to answer.
#[derive(Debug, Default)]
pub struct FrontDoor {
    /// The HTTP API's routes.
    pub(crate) http: Option<Routes>,
    /// The REST API's routes.
    pub(crate) rest: Option<Routes>,
    /// The APIs' CORS, answered for preflight requests.
    pub(crate) http_cors: Option<Cors>,
    pub(crate) rest_cors: Option<Cors>,
    /// The stages, as the events name them.
    pub(crate) rest_stage: String,
    pub(crate) http_stage: String,
    /// The function URLs, by function.
    pub(crate) urls: Vec<FunctionUrl>,
}

/// One function URL.
#[derive(Clone, Debug)]
pub struct FunctionUrl {
    /// The function.
    pub function: String,
    /// Whether the response is streamed.
    pub streaming: bool,
    pub(crate) cors: Option<Cors>,
    /// The URL's id (the first label of `<id>.lambda-url.<region>.on.aws`).
    pub(crate) id: String,
}

impl FrontDoor {
    /// The front door of a file's routes, API settings and function URLs.
    pub fn new(
        routes: &[RouteSpec],
        apis: &Apis,
        urls: &[FunctionUrlSpec],
    ) -> Result<Self, FrontDoorError> {
        let mut rest = Vec::new();
        let mut http = Vec::new();
        for spec in routes {
            let method =
                match &spec.method {
                    None => None,
                    Some(m) => Some(Method::from_bytes(m.as_bytes()).map_err(|_| {
                        FrontDoorError::Method {
                            method: m.clone(),
                            path: spec.path.clone(),
                            function: spec.function.clone(),
                        }
                    })?),
                };
            let mut route = match spec.api {
                ApiKind::Rest => Route::rest(method, &spec.path, &spec.function)
                    .with_binary_media_types(apis.rest.binary_media_types.clone()),
                ApiKind::Http => Route::http(method, &spec.path, &spec.function),
            };
            if let Some(ms) = spec.timeout_ms {
                route = route.with_timeout(Duration::from_millis(ms));
            }
            match spec.api {
                ApiKind::Rest => rest.push(route),
                ApiKind::Http => http.push(route),
            }
        }
        let table = |routes: Vec<Route>| -> Result<Option<Routes>, FrontDoorError> {
            if routes.is_empty() {
                Ok(None)
            } else {
                Ok(Some(Routes::new(routes)?))
            }
        };
        Ok(FrontDoor {
            http: table(http)?,
            rest: table(rest)?,
            http_cors: apis.http.cors.as_ref().map(cors),
            rest_cors: apis.rest.cors.as_ref().map(cors),
            rest_stage: apis.rest.stage.clone().unwrap_or_else(|| "Prod".to_owned()),
            http_stage: apis
                .http
                .stage
                .clone()
                .unwrap_or_else(|| "$default".to_owned()),
            urls: urls
                .iter()
                .map(|spec| FunctionUrl {
                    function: spec.function.clone(),
                    streaming: spec.invoke_mode == InvokeMode::ResponseStream,
                    cors: spec.cors.as_ref().map(cors),
                    id: url_id(&spec.function),
                })
                .collect(),
        })
    }

    /// Whether any API route is declared (an API port is worth opening).
    pub fn has_routes(&self) -> bool {
        self.http.is_some() || self.rest.is_some()
    }

    /// The function URLs.
    pub fn urls(&self) -> &[FunctionUrl] {
        &self.urls
    }

    /// Every route, as `GET /hello/{name} -> hello (HTTP API)`, for the start-up message.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (routes, kind) in [(&self.http, "HTTP API"), (&self.rest, "REST API")] {
            for route in routes.iter().flat_map(Routes::iter) {
                lines.push(format!(
                    "{} -> {} ({kind})",
                    route.route_key(),
                    route.function
                ));
            }
        }
        lines
    }

    /// The API (and route table) that answers a request to no route: the HTTP API's when
    /// there is one.
    pub(crate) fn api_of_no_route(&self) -> Api {
        if self.http.is_some() {
            Api::Http
        } else {
            Api::Rest
        }
    }
}

/// A front-door request with its body read (at most `limit` bytes), or the answer to give
/// instead: API Gateway's 413 for `api` past the limit, the API's 408 for a body too slow.
pub(crate) async fn with_body(
    shared: &crate::Shared,
    request: hyper::Request<hyper::body::Incoming>,
    limit: usize,
    api: Api,
    request_id: &str,
) -> Result<hyper::Request<bytes::Bytes>, crate::service::Answer> {
    let (parts, body) = request.into_parts();
    let read = crate::service::read_body(
        hyper::Request::from_parts(parts.clone(), body),
        limit,
        shared.body_timeout,
    )
    .await;
    match read {
        Ok(body) => Ok(hyper::Request::from_parts(parts, body)),
        Err(err) if err.status == 413 => Err(lambda_sim_gateway::failure(
            api,
            lambda_sim_gateway::Failure::RequestTooLarge,
            request_id,
        )
        .map(crate::body::full)),
        Err(err) => Err(crate::service::error_answer(&err, request_id)),
    }
}

fn cors(spec: &CorsSpec) -> Cors {
    Cors {
        allow_origins: spec.allow_origins.clone(),
        allow_methods: spec.allow_methods.clone(),
        allow_headers: spec.allow_headers.clone(),
        expose_headers: spec.expose_headers.clone(),
        max_age: spec.max_age,
        allow_credentials: spec.allow_credentials,
    }
}

/// A function URL's id: 32 lower-case letters and digits derived from the function's name,
/// stable from run to run (`https://<id>.lambda-url.us-east-1.on.aws/`).
fn url_id(function: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(function.as_bytes());
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    digest
        .iter()
        .take(32)
        .map(|b| ALPHABET[usize::from(b & 31)] as char)
        .collect()
}
