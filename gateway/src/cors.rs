//! CORS as an HTTP API's `CorsConfiguration` and a function URL's `Cors` apply it.
//!
//! From <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>:
//! "API Gateway automatically sends a response to preflight OPTIONS requests, even if there
//! isn't an OPTIONS route configured", "For a CORS request, API Gateway adds the configured
//! CORS headers to the response from an integration", and "API Gateway ignores CORS headers
//! returned from your backend integration". Function URLs behave the same way
//! (<https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html>: "the configured
//! CORS headers on the function URL take precedence").
//!
//! A REST API has no such setting: SAM's `Cors` property adds an `OPTIONS` mock method, and
//! `sam local start-api` answers every `OPTIONS` with 200 and the configured values verbatim.

use bytes::Bytes;
use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};

/// A CORS configuration. [`Default`] allows nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cors {
    /// Origins allowed to call (`https://example.com`), or `*`.
    pub allow_origins: Vec<String>,
    /// Methods announced to preflights (`GET`, `*`).
    pub allow_methods: Vec<String>,
    /// Request headers announced to preflights (`authorization`, `*`).
    pub allow_headers: Vec<String>,
    /// Response headers the browser may read.
    pub expose_headers: Vec<String>,
    /// How many seconds a browser may cache a preflight answer (`Access-Control-Max-Age`).
    pub max_age: Option<u32>,
    /// Whether to send `Access-Control-Allow-Credentials: true`.
    pub allow_credentials: bool,
}

impl Cors {
    /// The answer to a preflight, or `None` when `request` is not one (an `OPTIONS` with
    /// `Origin` and `Access-Control-Request-Method`). A preflight is answered 204 with no
    /// body; the CORS headers are present only when the origin is allowed.
    pub fn preflight(&self, request: &http::Request<Bytes>) -> Option<Response<Bytes>> {
        let headers = request.headers();
        let is_preflight = request.method() == Method::OPTIONS
            && headers.contains_key(ORIGIN)
            && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD);
        if !is_preflight {
            return None;
        }
        let mut response = Response::new(Bytes::new());
        *response.status_mut() = StatusCode::NO_CONTENT;
        if self.set_origin(headers, response.headers_mut()) {
            let out = response.headers_mut();
            set_list(out, ACCESS_CONTROL_ALLOW_METHODS, &self.allow_methods);
            set_list(out, ACCESS_CONTROL_ALLOW_HEADERS, &self.allow_headers);
            if let Some(max_age) = self.max_age {
                out.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from(max_age));
            }
        }
        Some(response)
    }

    /// Puts the configured CORS headers on a function's response: any `Access-Control-*`
    /// header the function set is dropped, then, for a request from an allowed origin,
    /// `Access-Control-Allow-Origin` (the origin itself, or `*` when every origin is allowed
    /// and credentials are not), `Access-Control-Expose-Headers`,
    /// `Access-Control-Allow-Credentials`, and `Vary: Origin` unless the origin is `*`.
    pub fn apply(&self, request_headers: &HeaderMap, response: &mut Response<Bytes>) {
        let out = response.headers_mut();
        let backend: Vec<HeaderName> = out
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in backend {
            out.remove(name);
        }
        if self.set_origin(request_headers, out) {
            set_list(out, ACCESS_CONTROL_EXPOSE_HEADERS, &self.expose_headers);
        }
    }

    /// Sets `Access-Control-Allow-Origin` (and credentials, `Vary`) when the request's origin
    /// is allowed; says whether it was.
    fn set_origin(&self, request: &HeaderMap, out: &mut HeaderMap) -> bool {
        let Some(origin) = request.get(ORIGIN) else {
            return false;
        };
        let any = self.allow_origins.iter().any(|o| o == "*");
        let listed = origin
            .to_str()
            .is_ok_and(|o| self.allow_origins.iter().any(|allowed| allowed == o));
        if !any && !listed {
            return false;
        }
        if any && !self.allow_credentials {
            out.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        } else {
            out.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            out.append(VARY, HeaderValue::from_static("Origin"));
        }
        if self.allow_credentials {
            out.insert(
                ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        true
    }

    /// Why API Gateway would refuse this configuration, if it would.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        let lists = [
            &self.allow_origins,
            &self.allow_methods,
            &self.allow_headers,
            &self.expose_headers,
        ];
        if lists.iter().any(|list| {
            list.iter()
                .any(|v| HeaderValue::from_str(v).is_err() || v.contains(','))
        }) {
            return Some("a value holds a comma or a character HTTP headers cannot carry");
        }
        None
    }
}

/// Sets a comma-joined list header; an empty list sets nothing.
fn set_list(out: &mut HeaderMap, name: HeaderName, values: &[String]) {
    if values.is_empty() {
        return;
    }
    if let Ok(value) = HeaderValue::from_str(&values.join(",")) {
        out.insert(name, value);
    }
}
