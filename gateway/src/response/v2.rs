//! Reading a payload format 2.0 response, as an HTTP API or a function URL does.
//!
//! Rules: <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>
//! ("Lambda function response for format 2.0") and
//! <https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html> ("Response payload
//! format"): valid JSON without `statusCode` is a 200 `application/json` response of that JSON.
//! The HTTP API guide interprets the output `"Hello from Lambda!"` as the body
//! `Hello from Lambda!`; the function URL guide shows the client receiving `"Hello, world!"`
//! with its quotes (`content-length: 15`). Each is followed here. Unknown keys are ignored and
//! `cookies` that is not an array is skipped, as aws-sam-cli's
//! `_parse_v2_payload_format_lambda_output` does.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use serde_json::Value;

use super::BadResponse;
use super::json::{base64_flag, body_text, decode_base64, status, v2_headers};
use crate::Api;

pub(super) fn response(
    api: Api,
    value: &Value,
    payload: &[u8],
) -> Result<Response<Bytes>, BadResponse> {
    let map = match value {
        Value::Object(map) if map.contains_key("statusCode") => map,
        Value::String(text) if api == Api::Http => {
            return Ok(inferred(Bytes::from(text.clone().into_bytes())));
        }
        _ => return Ok(inferred(Bytes::copy_from_slice(trim(payload)))),
    };
    let status = match map.get("statusCode") {
        None | Some(Value::Null) => StatusCode::OK,
        Some(code) => status(code)?,
    };
    let headers = v2_headers(map)?;
    let text = body_text(map.get("body"), true)?;
    let body = if base64_flag(map.get("isBase64Encoded"), "isBase64Encoded")? {
        decode_base64(&text)?
    } else {
        text.into_bytes()
    };
    let mut response = Response::new(Bytes::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    if !response.headers().contains_key(http::header::CONTENT_TYPE) {
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, default_content_type(api));
    }
    Ok(response)
}

/// The content type when a response with `statusCode` names none. Function URLs answer
/// `application/json` (<https://github.com/block65/rest-client/releases/tag/v9.2.0>); HTTP APIs
/// answer `text/plain; charset=utf-8`
/// (<https://github.com/awslabs/aws-lambda-go-api-proxy/issues/116>). Neither is documented.
fn default_content_type(api: Api) -> HeaderValue {
    match api {
        Api::Http => HeaderValue::from_static("text/plain; charset=utf-8"),
        _ => HeaderValue::from_static("application/json"),
    }
}

/// A response without `statusCode`: 200, `application/json`, the given body.
fn inferred(body: Bytes) -> Response<Bytes> {
    let mut response = Response::new(body);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn trim(payload: &[u8]) -> &[u8] {
    let start = payload
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(payload.len());
    let end = payload
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    payload.get(start..end).unwrap_or_default()
}
