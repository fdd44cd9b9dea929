//! The HTTP front door a file declares: API Gateway routes (SAM `Events` of type `Api` for REST
//! APIs, `HttpApi` for HTTP APIs; `[[route]]` in `lambda-sim.toml`), the APIs' own settings
//! (binary media types, CORS, stage), and function URLs (`FunctionUrlConfig`;
//! `[[function_url]]`).
//!
//! ```toml
//! [[route]]
//! function = "hello"
//! api = "http"                 # "http" (payload 2.0, the default) or "rest" (payload 1.0)
//! method = "GET"               # or "ANY" (the default)
//! path = "/hello/{name}"       # or "$default" (HTTP APIs)
//! timeout_ms = 30000           # the integration timeout (REST: 29,000; HTTP: 30,000)
//!
//! [api.rest]
//! binary_media_types = ["image/png"]
//! cors = { allow_origins = ["*"] }
//!
//! [[function_url]]
//! function = "hello"
//! invoke_mode = "RESPONSE_STREAM"   # or "BUFFERED" (the default)
//! cors = { allow_origins = ["https://example.com"], allow_methods = ["GET"] }
//! ```

use serde::Deserialize;

/// The kind of API a route belongs to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKind {
    /// An API Gateway REST API with Lambda proxy integration (payload format 1.0).
    Rest,
    /// An API Gateway HTTP API (payload format 2.0).
    #[default]
    Http,
}

/// One route to a function: SAM's `Api` or `HttpApi` event.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RouteSpec {
    /// The function the route invokes.
    pub function: String,
    /// REST or HTTP API.
    #[serde(default)]
    pub api: ApiKind,
    /// The method (`GET`, upper case); `None` for `ANY`.
    #[serde(default, deserialize_with = "method")]
    pub method: Option<String>,
    /// The path (`/hello/{name}`, `/files/{proxy+}`), or `$default` (HTTP APIs only).
    pub path: String,
    /// The integration timeout in milliseconds (`TimeoutInMillis`); `None` for the API's
    /// default (29 s REST, 30 s HTTP).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// The payload format of an HTTP API route (`PayloadFormatVersion`, "1.0" or "2.0");
    /// `None` for the API's own (1.0 for REST, 2.0 for HTTP).
    #[serde(default)]
    pub payload_format: Option<String>,
}

impl RouteSpec {
    /// A route of `api` to `function` for `method` (`None`: ANY) and `path`, with the API's
    /// defaults.
    pub fn new(function: &str, api: ApiKind, method: Option<&str>, path: &str) -> Self {
        RouteSpec {
            function: function.to_owned(),
            api,
            method: method.map(str::to_ascii_uppercase),
            path: path.to_owned(),
            timeout_ms: None,
            payload_format: None,
        }
    }
}

/// Cross-origin resource sharing, as an API or a function URL answers it (normalised from
/// SAM's `Cors` of a REST API, `CorsConfiguration` of an HTTP API and a function URL's `Cors`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CorsSpec {
    /// Allowed origins (`*` for any).
    #[serde(default)]
    pub allow_origins: Vec<String>,
    /// Allowed methods (`*` for any).
    #[serde(default)]
    pub allow_methods: Vec<String>,
    /// Allowed request headers (`*` for any).
    #[serde(default)]
    pub allow_headers: Vec<String>,
    /// Response headers exposed to the page.
    #[serde(default)]
    pub expose_headers: Vec<String>,
    /// How long a preflight answer may be cached, in seconds.
    #[serde(default)]
    pub max_age: Option<u32>,
    /// Whether credentials (cookies) may be sent.
    #[serde(default)]
    pub allow_credentials: bool,
}

/// An API's own settings: SAM's `AWS::Serverless::Api` / `AWS::Serverless::HttpApi` (or
/// `Globals.Api` / `Globals.HttpApi`); `[api.rest]` / `[api.http]` in `lambda-sim.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ApiSettings {
    /// Content types whose request bodies a REST API passes base64-encoded
    /// (`BinaryMediaTypes`, with wildcards such as `image/*`).
    #[serde(default)]
    pub binary_media_types: Vec<String>,
    /// CORS, answered for preflight requests and added to responses.
    #[serde(default)]
    pub cors: Option<CorsSpec>,
    /// The stage name (`StageName`; REST `Prod` by default as SAM names it, HTTP `$default`).
    #[serde(default)]
    pub stage: Option<String>,
}

/// The two APIs' settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Apis {
    /// The REST API's.
    #[serde(default)]
    pub rest: ApiSettings,
    /// The HTTP API's.
    #[serde(default)]
    pub http: ApiSettings,
}

/// How a function URL answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvokeMode {
    /// The whole response at once (at most 6 MB).
    #[default]
    Buffered,
    /// The response as the function writes it (at most 200 MB).
    ResponseStream,
}

/// A function URL (`FunctionUrlConfig` with `AuthType: NONE`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FunctionUrlSpec {
    /// The function.
    pub function: String,
    /// Buffered or streamed.
    #[serde(default)]
    pub invoke_mode: InvokeMode,
    /// CORS.
    #[serde(default)]
    pub cors: Option<CorsSpec>,
}

impl FunctionUrlSpec {
    /// A buffered URL without CORS for `function`.
    pub fn new(function: &str) -> Self {
        FunctionUrlSpec {
            function: function.to_owned(),
            invoke_mode: InvokeMode::Buffered,
            cors: None,
        }
    }
}

/// Reads a method, upper case; `ANY` (any case) is `None`.
fn method<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let method = Option::<String>::deserialize(deserializer)?;
    Ok(method
        .map(|m| m.to_ascii_uppercase())
        .filter(|m| m != "ANY"))
}
