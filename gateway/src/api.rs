//! The three HTTP front doors of a Lambda function, and what differs between them.

use std::time::Duration;

/// Which AWS front door an HTTP request came through.
///
/// The kind decides the event's payload format (1.0 for [`Api::Rest`], 2.0 otherwise), how the
/// function's answer is read, and what the client sees when something fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// An API Gateway REST API with Lambda proxy integration (payload format 1.0).
    Rest,
    /// An API Gateway HTTP API with payload format 2.0.
    Http,
    /// A Lambda function URL: the 2.0 shape, no routes, `routeKey` and `stage` are `$default`.
    FunctionUrl,
}

impl Api {
    /// The payload format version of the events this front door sends: `"1.0"` or `"2.0"`.
    pub fn payload_version(self) -> &'static str {
        match self {
            Api::Rest => "1.0",
            Api::Http | Api::FunctionUrl => "2.0",
        }
    }

    /// The integration timeout API Gateway applies unless a route sets its own: 29 s for a
    /// REST API, 30 s (also the maximum) for an HTTP API. A function URL has none: the
    /// function's own timeout is the limit.
    ///
    /// Sources: <https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html>
    /// (REST: "50 milliseconds - 29 seconds", raisable for Regional APIs since June 2024;
    /// HTTP: "Maximum integration timeout 30 seconds").
    pub fn default_timeout(self) -> Option<Duration> {
        match self {
            Api::Rest => Some(Duration::from_secs(29)),
            Api::Http => Some(Duration::from_secs(30)),
            Api::FunctionUrl => None,
        }
    }

    /// The header that carries the request id on every answer: `x-amzn-RequestId` for REST
    /// APIs and function URLs, `apigw-requestid` for HTTP APIs.
    pub fn request_id_header(self) -> &'static str {
        match self {
            Api::Rest | Api::FunctionUrl => "x-amzn-RequestId",
            Api::Http => "apigw-requestid",
        }
    }
}
