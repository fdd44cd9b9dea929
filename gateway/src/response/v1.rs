//! Reading a payload format 1.0 proxy response, as a REST API does.
//!
//! Rules: <https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html>
//! ("Output format of a Lambda function for proxy integration": anything else is a 502), and
//! aws-sam-cli's `samcli/local/apigw/local_apigw_service.py`
//! (`_parse_v1_payload_format_lambda_output`): only known keys, `statusCode` converted with
//! `int()` so `"200"` passes, `isBase64Encoded` also as `"true"`/`"false"`, and REST's
//! undocumented `base64Encoded` taking precedence. A `null` header value omits the header
//! (<https://github.com/aws/aws-sam-cli/issues/1218>: that is how a function avoids the
//! default `Content-Type: application/json`).

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Response};
use serde_json::Value;

use super::json::{
    append, base64_flag, body_text, decode_base64, kind, object, scalar_text, single_headers,
    status,
};
use super::{BadResponse, ResponseOptions};
use crate::media::{first_accept, matches_media_type};

/// The keys a REST proxy response may hold (`cookies` is tolerated and ignored, as SAM does).
const ALLOWED: [&str; 7] = [
    "statusCode",
    "headers",
    "multiValueHeaders",
    "body",
    "isBase64Encoded",
    "base64Encoded",
    "cookies",
];

pub(super) fn response(
    value: &Value,
    options: ResponseOptions<'_>,
) -> Result<Response<Bytes>, BadResponse> {
    let Value::Object(map) = value else {
        return Err(BadResponse::NotAnObject { found: kind(value) });
    };
    if let Some(key) = map.keys().find(|k| !ALLOWED.contains(&k.as_str())) {
        return Err(BadResponse::UnknownKey { key: key.clone() });
    }
    let status = status(
        map.get("statusCode")
            .ok_or(BadResponse::MissingStatusCode)?,
    )?;
    let headers = headers(map.get("headers"), map.get("multiValueHeaders"))?;
    let encoded = match map.get("base64Encoded").filter(|v| !v.is_null()) {
        Some(flag) => base64_flag(Some(flag), "base64Encoded")?,
        None => base64_flag(map.get("isBase64Encoded"), "isBase64Encoded")?,
    };
    let text = body_text(map.get("body"), false)?;
    let accept = first_accept(options.accept.unwrap_or_default());
    let decode =
        encoded && !accept.is_empty() && matches_media_type(options.binary_media_types, accept);
    let body = if decode {
        decode_base64(&text)?
    } else {
        text.into_bytes()
    };

    let mut response = Response::new(Bytes::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    if !response.headers().contains_key(http::header::CONTENT_TYPE)
        && !has_null_content_type(map.get("headers"))
    {
        let json = HeaderValue::from_static("application/json");
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, json);
    }
    Ok(response)
}

/// `multiValueHeaders` first, then each `headers` pair unless the same pair is already there
/// ("If the same key-value pair is specified in both, only the values from `multiValueHeaders`
/// will appear").
fn headers(single: Option<&Value>, multi: Option<&Value>) -> Result<HeaderMap, BadResponse> {
    let mut headers = HeaderMap::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    if let Some(map) = object(multi, "multiValueHeaders")? {
        for (name, values) in map {
            let field = format!("multiValueHeaders.{name}");
            let values = match values {
                Value::Null => continue,
                Value::Array(values) => values,
                other => return Err(super::json::wrong_type(&field, other, "an array")),
            };
            for value in values {
                if let Some(text) = scalar_text(&field, value)? {
                    append(&mut headers, name, &text)?;
                    seen.push((name.to_ascii_lowercase(), text));
                }
            }
        }
    }
    for (name, text) in single_headers(single, "headers")? {
        if !seen.contains(&(name.to_ascii_lowercase(), text.clone())) {
            append(&mut headers, &name, &text)?;
        }
    }
    Ok(headers)
}

fn has_null_content_type(headers: Option<&Value>) -> bool {
    let Some(Value::Object(map)) = headers else {
        return false;
    };
    map.iter()
        .any(|(name, value)| name.eq_ignore_ascii_case("content-type") && value.is_null())
}
