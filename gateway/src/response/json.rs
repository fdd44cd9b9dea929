//! Reading the fields of a proxy response: status code, headers, base64 flag and body.
//!
//! The streaming prelude of a function URL reuses the status and header rules.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::Value;

use super::BadResponse;

/// How a JSON value is named in messages: `an object`, `a string`.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `statusCode` as a number or a numeric string (API Gateway accepts `"200"`), 100 to 599.
pub(crate) fn status(value: &Value) -> Result<StatusCode, BadResponse> {
    let not_integer = || BadResponse::StatusNotInteger {
        value: value.to_string(),
    };
    let code = match value {
        Value::Number(n) => n.as_u64().ok_or_else(not_integer)?,
        Value::String(s) => s.trim().parse::<u64>().map_err(|_| not_integer())?,
        _ => return Err(not_integer()),
    };
    u16::try_from(code)
        .ok()
        .filter(|c| (200..=599).contains(c))
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or_else(|| BadResponse::StatusOutOfRange {
            value: value.to_string(),
        })
}

/// A header value from JSON: strings as they are, numbers and booleans as their text,
/// `None` for null (API Gateway then omits the header).
pub(crate) fn scalar_text(field: &str, value: &Value) -> Result<Option<String>, BadResponse> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(_) | Value::Bool(_) => Ok(Some(value.to_string())),
        Value::Array(_) | Value::Object(_) => {
            Err(wrong_type(field, value, "a string, a number or a boolean"))
        }
    }
}

/// Appends one header, refusing names and values HTTP cannot carry.
/// Headers that frame the HTTP message itself: API Gateway and function URLs set them, a
/// function's are dropped (passed on, they would desynchronise the connection).
const FRAMING: [&str; 8] = [
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-connection",
];

pub(crate) fn append(headers: &mut HeaderMap, name: &str, value: &str) -> Result<(), BadResponse> {
    if FRAMING
        .iter()
        .any(|framing| name.eq_ignore_ascii_case(framing))
    {
        return Ok(());
    }
    let header = |reason| BadResponse::Header {
        name: name.to_owned(),
        reason,
    };
    let name_ok =
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| header("not a valid header name"))?;
    let value_ok =
        HeaderValue::from_str(value).map_err(|_| header("its value holds a control character"))?;
    headers.append(name_ok, value_ok);
    Ok(())
}

/// The `headers` object: each value a scalar, nulls skipped.
pub(crate) fn single_headers(
    value: Option<&Value>,
    field: &str,
) -> Result<Vec<(String, String)>, BadResponse> {
    let Some(map) = object(value, field)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, value) in map {
        if let Some(text) = scalar_text(&format!("{field}.{name}"), value)? {
            out.push((name.clone(), text));
        }
    }
    Ok(out)
}

/// The headers of a 2.0 response or a streaming prelude: `headers` (scalars, nulls skipped)
/// and one `set-cookie` per string of `cookies` (skipped when `cookies` is not an array).
pub(crate) fn v2_headers(map: &serde_json::Map<String, Value>) -> Result<HeaderMap, BadResponse> {
    let mut headers = HeaderMap::new();
    for (name, text) in single_headers(map.get("headers"), "headers")? {
        append(&mut headers, &name, &text)?;
    }
    if let Some(Value::Array(cookies)) = map.get("cookies") {
        for cookie in cookies {
            if let Some(text) = scalar_text("cookies", cookie)? {
                append(&mut headers, "set-cookie", &text)?;
            }
        }
    }
    Ok(headers)
}

/// An optional object field: absent or null gives `None`.
pub(crate) fn object<'v>(
    value: Option<&'v Value>,
    field: &str,
) -> Result<Option<&'v serde_json::Map<String, Value>>, BadResponse> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(other) => Err(wrong_type(field, other, "an object")),
    }
}

/// `isBase64Encoded`: a boolean or `"true"`/`"false"`; absent or null is false.
pub(crate) fn base64_flag(value: Option<&Value>, field: &str) -> Result<bool, BadResponse> {
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(other) => Err(wrong_type(field, other, "a boolean")),
    }
}

/// `body` as text: a string as it is, a number or boolean as its text, absent or null empty.
/// An object or array is refused unless `objects_as_json`, when it becomes its JSON text.
pub(crate) fn body_text(
    value: Option<&Value>,
    objects_as_json: bool,
) -> Result<String, BadResponse> {
    match value {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => Ok(v.to_string()),
        Some(v) if objects_as_json => Ok(v.to_string()),
        Some(v) => Err(wrong_type(
            "body",
            v,
            "a string (serialize it with JSON.stringify or json.dumps)",
        )),
    }
}

/// Decodes a base64 body.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, BadResponse> {
    STANDARD
        .decode(text.trim())
        .map_err(|e| BadResponse::Base64 {
            reason: e.to_string(),
        })
}

pub(crate) fn wrong_type(field: &str, value: &Value, expected: &'static str) -> BadResponse {
    BadResponse::WrongType {
        field: field.to_owned(),
        found: kind(value),
        expected,
    }
}
