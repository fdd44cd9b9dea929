//! The HTTP response API Gateway or a function URL makes of a function's answer.
//!
//! Call [`response`] only for an answer the function returned successfully: a function error
//! (an `errorMessage`/`errorType` payload flagged by Lambda as an error) is
//! [`Failure::FunctionError`](crate::Failure::FunctionError), which payload format 2.0 would
//! otherwise happily serve as a 200 JSON body.

mod bad;
pub(crate) mod json;
mod v1;
mod v2;

pub use bad::BadResponse;

use bytes::Bytes;

use crate::{Api, Route};

/// What a REST API needs from the request to decide whether to decode a base64 body.
///
/// HTTP APIs and function URLs ignore it: they decode whenever `isBase64Encoded` is true.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResponseOptions<'a> {
    /// The request's `Accept` header; only its first media type counts.
    pub accept: Option<&'a str>,
    /// The API's binary media types.
    pub binary_media_types: &'a [String],
}

impl<'a> ResponseOptions<'a> {
    /// The options for answering `request` through `route`.
    pub fn new(request: &'a http::Request<Bytes>, route: &'a Route) -> Self {
        let accept = request
            .headers()
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok());
        Self {
            accept,
            binary_media_types: &route.binary_media_types,
        }
    }
}

/// Maps a function's successful answer to the HTTP response the client receives, or says
/// why API Gateway would reject it (the caller then answers
/// [`Failure::BadResponse`](crate::Failure::BadResponse) and logs the reason).
///
/// - REST (1.0): a JSON object with `statusCode` (a number or a numeric string) and optionally
///   `headers`, `multiValueHeaders` (merged: a pair present in both appears once), `body` (a
///   string) and `isBase64Encoded`; any other key is refused. Without a `Content-Type`, API
///   Gateway answers `application/json`. A base64 body is decoded only when the first `Accept`
///   type matches the API's binary media types, else it is sent as the base64 text.
/// - HTTP API and function URL (2.0): an object with `statusCode` is read like the above plus
///   `cookies` (each a `Set-Cookie`), other keys ignored; any other valid JSON is a 200
///   `application/json` response whose body is that JSON (a bare JSON string: its contents for
///   an HTTP API, the quoted JSON text for a function URL, as each guide shows).
pub fn response(
    api: Api,
    payload: &[u8],
    options: ResponseOptions<'_>,
) -> Result<http::Response<Bytes>, BadResponse> {
    let value: serde_json::Value =
        serde_json::from_slice(payload).map_err(|e| BadResponse::NotJson {
            reason: e.to_string(),
        })?;
    match api {
        Api::Rest => v1::response(&value, options),
        Api::Http | Api::FunctionUrl => v2::response(api, &value, payload),
    }
}
