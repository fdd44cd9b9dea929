//! Message attributes: checked as SQS checks them, and their MD5 digest as SQS computes it
//! (the SDKs compute it too, and fail a send or a receive whose digest differs).
//!
//! The digest is the MD5 of, for each attribute in order of name: the name's length (4
//! bytes, big-endian) and the name, the data type's length and the data type, one byte for
//! the transport type (1 for `String` and `Number`, 2 for `Binary`), then the value's length
//! and the value (UTF-8 for strings, the bytes for binaries).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest as _, Md5};
use serde_json::{Map, Value, json};

use super::errors::invalid_parameter;
use crate::json_protocol::ServiceError;

/// The most message attributes a message carries.
const MAX_ATTRIBUTES: usize = 10;
/// The longest attribute name and data type.
const MAX_NAME: usize = 256;

/// Message attributes as checked: the JSON kept with the message, the bytes they count
/// toward the message's size, and their digest.
#[derive(Debug, Default)]
pub(super) struct Checked {
    /// Name to `{"DataType", "StringValue" | "BinaryValue"}`.
    pub(super) attributes: Map<String, Value>,
    /// Names, data types and values, in bytes.
    pub(super) size: usize,
    /// `MD5OfMessageAttributes`, when there are attributes.
    pub(super) md5: Option<String>,
}

/// An attribute's value.
enum AttributeValue {
    String(String),
    Binary(Vec<u8>),
}

/// Checks a `MessageAttributes` (or, with `system`, a `MessageSystemAttributes`) map.
pub(super) fn check(
    given: Option<&Map<String, Value>>,
    system: bool,
) -> Result<Checked, ServiceError> {
    let Some(given) = given.filter(|m| !m.is_empty()) else {
        return Ok(Checked::default());
    };
    if given.len() > MAX_ATTRIBUTES {
        return Err(invalid_parameter(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [{MAX_ATTRIBUTES}].",
            given.len()
        )));
    }
    let mut checked = Checked::default();
    let mut parsed = Vec::new();
    for (name, value) in given {
        if system {
            if name != "AWSTraceHeader" {
                return Err(invalid_parameter(format!(
                    "Message system attribute name '{name}' is invalid."
                )));
            }
        } else {
            check_name(name)?;
        }
        let (data_type, value) = check_value(name, value)?;
        checked.size += name.len() + data_type.len();
        let stored = match &value {
            AttributeValue::String(s) => {
                checked.size += s.len();
                json!({ "DataType": data_type, "StringValue": s })
            }
            AttributeValue::Binary(b) => {
                checked.size += b.len();
                json!({ "DataType": data_type, "BinaryValue": STANDARD.encode(b) })
            }
        };
        checked.attributes.insert(name.clone(), stored);
        parsed.push((name.as_str(), data_type, value));
    }
    checked.md5 = Some(digest(&mut parsed));
    Ok(checked)
}

/// The MD5 digest of attributes kept by [`check`] (`None` when there are none).
pub(super) fn md5_of(attributes: &Map<String, Value>) -> Option<String> {
    if attributes.is_empty() {
        return None;
    }
    let mut parsed: Vec<(&str, &str, AttributeValue)> = attributes
        .iter()
        .filter_map(|(name, value)| {
            let data_type = value.get("DataType")?.as_str()?;
            let value = match value.get("BinaryValue").and_then(Value::as_str) {
                Some(b64) => AttributeValue::Binary(STANDARD.decode(b64).ok()?),
                None => AttributeValue::String(value.get("StringValue")?.as_str()?.to_owned()),
            };
            Some((name.as_str(), data_type, value))
        })
        .collect();
    Some(digest(&mut parsed))
}

/// The digest of attributes, sorted here by name.
fn digest(attributes: &mut [(&str, &str, AttributeValue)]) -> String {
    attributes.sort_by(|a, b| a.0.cmp(b.0));
    let mut bytes = Vec::new();
    let field = |bytes: &mut Vec<u8>, field: &[u8]| {
        bytes.extend(u32::try_from(field.len()).unwrap_or(u32::MAX).to_be_bytes());
        bytes.extend(field);
    };
    for (name, data_type, value) in attributes.iter() {
        field(&mut bytes, name.as_bytes());
        field(&mut bytes, data_type.as_bytes());
        match value {
            AttributeValue::String(s) => {
                bytes.push(1);
                field(&mut bytes, s.as_bytes());
            }
            AttributeValue::Binary(b) => {
                bytes.push(2);
                field(&mut bytes, b);
            }
        }
    }
    Md5::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks an attribute name: letters, digits, `_`, `-`, `.`, no `..`, no `.` at either end,
/// not `AWS.` or `Amazon.` at the start, 256 characters at most.
fn check_name(name: &str) -> Result<(), ServiceError> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let lower = name.to_ascii_lowercase();
    if name.is_empty()
        || name.len() > MAX_NAME
        || !name.chars().all(ok)
        || name.contains("..")
        || name.starts_with('.')
        || name.ends_with('.')
        || lower.starts_with("aws.")
        || lower.starts_with("amazon.")
    {
        return Err(invalid_parameter(format!(
            "The message attribute name '{name}' is invalid. Names can contain letters, digits, '_', '-' and '.', at most {MAX_NAME} characters, without '..', a '.' at either end, or a leading 'AWS.' or 'Amazon.'."
        )));
    }
    Ok(())
}

/// Checks an attribute's `{"DataType", "StringValue" | "BinaryValue"}`.
fn check_value<'a>(
    name: &str,
    value: &'a Value,
) -> Result<(&'a str, AttributeValue), ServiceError> {
    let invalid = |what: &str| invalid_parameter(format!("The message attribute '{name}' {what}"));
    let Some(value) = value.as_object() else {
        return Err(invalid("must be a structure with a DataType and a value."));
    };
    let data_type = match value.get("DataType").and_then(Value::as_str) {
        Some(t) if !t.is_empty() => t,
        _ => return Err(invalid("must contain non-empty message attribute type.")),
    };
    let base = data_type.split('.').next().unwrap_or(data_type);
    if data_type.len() > MAX_NAME || !matches!(base, "String" | "Number" | "Binary") {
        return Err(invalid(
            "has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
        ));
    }
    let listed = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty())
    };
    if listed("StringListValues") || listed("BinaryListValues") {
        return Err(invalid_parameter(
            "Message attribute list values in SendMessage operation are not supported.",
        ));
    }
    let string = value.get("StringValue").and_then(Value::as_str);
    let binary = value.get("BinaryValue").and_then(Value::as_str);
    let empty = || {
        invalid(&format!(
            "must contain a non-empty message attribute value for message attribute type '{base}'."
        ))
    };
    match (base, string, binary) {
        ("Binary", None, Some(b64)) => match STANDARD.decode(b64) {
            Ok(bytes) if !bytes.is_empty() => Ok((data_type, AttributeValue::Binary(bytes))),
            Ok(_) => Err(empty()),
            Err(_) => Err(invalid("has a BinaryValue that is not valid base64.")),
        },
        ("Number", Some(s), None) => {
            if s.parse::<f64>().is_ok_and(f64::is_finite) {
                Ok((data_type, AttributeValue::String(s.to_owned())))
            } else {
                Err(invalid(&format!(
                    "has the value '{s}', which is not a number."
                )))
            }
        }
        ("String", Some(s), None) if !s.is_empty() => {
            Ok((data_type, AttributeValue::String(s.to_owned())))
        }
        (_, None, None) | ("String", Some(_), None) => Err(empty()),
        _ => Err(invalid(&format!(
            "of type '{base}' must have exactly one value, a {}.",
            if base == "Binary" {
                "BinaryValue"
            } else {
                "StringValue"
            }
        ))),
    }
}

/// The attributes of `attributes` that `names` asks for: `All` or `.*` for every one,
/// `prefix.*` for those named so, or the names themselves.
pub(super) fn select(attributes: &Map<String, Value>, names: &[&str]) -> Map<String, Value> {
    attributes
        .iter()
        .filter(|(name, _)| {
            names.iter().any(|&wanted| match wanted {
                "All" | ".*" => true,
                _ => match wanted.strip_suffix(".*") {
                    Some(prefix) => name.starts_with(&format!("{prefix}.")),
                    None => wanted == name.as_str(),
                },
            })
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}
