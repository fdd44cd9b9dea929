//! Typed attribute values (`{"S": "x"}`, `{"N": "1"}`, ...): read from the wire with
//! DynamoDB's validation, written back, compared and measured.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::error::{serialization, validation};
use super::number::Number;
use crate::json_protocol::ServiceError;

/// An item: attribute names to values.
pub(crate) type Item = BTreeMap<String, AttributeValue>;

/// The deepest a map or list may nest (DynamoDB's limit is 32 levels).
const MAX_DEPTH: usize = 32;

/// One attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AttributeValue {
    /// A string.
    S(String),
    /// A number.
    N(Number),
    /// Binary data.
    B(Vec<u8>),
    /// A boolean.
    Bool(bool),
    /// Null.
    Null,
    /// A map of attribute values.
    M(Item),
    /// A list of attribute values.
    L(Vec<AttributeValue>),
    /// A string set (never empty).
    Ss(BTreeSet<String>),
    /// A number set (never empty).
    Ns(BTreeSet<Number>),
    /// A binary set (never empty).
    Bs(BTreeSet<Vec<u8>>),
}

/// A scalar that can be a key: a string, a number or binary data, ordered as DynamoDB orders
/// keys (strings and binary by bytes, numbers by value).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum KeyValue {
    /// A string key.
    S(String),
    /// A number key.
    N(Number),
    /// A binary key.
    B(Vec<u8>),
}

impl KeyValue {
    /// The attribute value of the key.
    pub(crate) fn to_attribute(&self) -> AttributeValue {
        match self {
            KeyValue::S(s) => AttributeValue::S(s.clone()),
            KeyValue::N(n) => AttributeValue::N(n.clone()),
            KeyValue::B(b) => AttributeValue::B(b.clone()),
        }
    }
}

impl AttributeValue {
    /// Reads a value from its wire form.
    pub(crate) fn from_json(value: &Value) -> Result<AttributeValue, ServiceError> {
        from_json(value, 0)
    }

    /// The wire form.
    pub(crate) fn to_json(&self) -> Value {
        let b64 = |b: &[u8]| Value::String(base64::engine::general_purpose::STANDARD.encode(b));
        match self {
            AttributeValue::S(s) => json!({ "S": s }),
            AttributeValue::N(n) => json!({ "N": n.to_string() }),
            AttributeValue::B(b) => json!({ "B": b64(b) }),
            AttributeValue::Bool(b) => json!({ "BOOL": b }),
            AttributeValue::Null => json!({ "NULL": true }),
            AttributeValue::M(m) => json!({ "M": item_to_json(m) }),
            AttributeValue::L(l) => json!({ "L": l.iter().map(Self::to_json).collect::<Vec<_>>() }),
            AttributeValue::Ss(s) => json!({ "SS": s }),
            AttributeValue::Ns(s) => {
                json!({ "NS": s.iter().map(Number::to_string).collect::<Vec<_>>() })
            }
            AttributeValue::Bs(s) => json!({ "BS": s.iter().map(|b| b64(b)).collect::<Vec<_>>() }),
        }
    }

    /// The type's short name: `S`, `N`, `B`, `BOOL`, `NULL`, `M`, `L`, `SS`, `NS`, `BS`.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "S",
            AttributeValue::N(_) => "N",
            AttributeValue::B(_) => "B",
            AttributeValue::Bool(_) => "BOOL",
            AttributeValue::Null => "NULL",
            AttributeValue::M(_) => "M",
            AttributeValue::L(_) => "L",
            AttributeValue::Ss(_) => "SS",
            AttributeValue::Ns(_) => "NS",
            AttributeValue::Bs(_) => "BS",
        }
    }

    /// The type's long name, as update-expression errors spell it: `STRING`, `NUMBER`, ...
    pub(crate) fn long_type_name(&self) -> &'static str {
        match self {
            AttributeValue::S(_) => "STRING",
            AttributeValue::N(_) => "NUMBER",
            AttributeValue::B(_) => "BINARY",
            AttributeValue::Bool(_) => "BOOLEAN",
            AttributeValue::Null => "NULL",
            AttributeValue::M(_) => "MAP",
            AttributeValue::L(_) => "LIST",
            AttributeValue::Ss(_) => "STRING_SET",
            AttributeValue::Ns(_) => "NUMBER_SET",
            AttributeValue::Bs(_) => "BINARY_SET",
        }
    }

    /// The value as a key, if it is a string, a number or binary data.
    pub(crate) fn to_key(&self) -> Option<KeyValue> {
        match self {
            AttributeValue::S(s) => Some(KeyValue::S(s.clone())),
            AttributeValue::N(n) => Some(KeyValue::N(n.clone())),
            AttributeValue::B(b) => Some(KeyValue::B(b.clone())),
            _ => None,
        }
    }

    /// The size DynamoDB counts for the value.
    ///
    /// An approximation of DynamoDB's documented rules: strings and binary by their bytes,
    /// numbers about one byte per two significant digits plus one, booleans and null one
    /// byte, maps and lists three bytes plus one per element plus their contents.
    pub(crate) fn size(&self) -> usize {
        match self {
            AttributeValue::S(s) => s.len(),
            AttributeValue::N(n) => n.significant_digits().div_ceil(2) + 1,
            AttributeValue::B(b) => b.len(),
            AttributeValue::Bool(_) | AttributeValue::Null => 1,
            AttributeValue::M(m) => {
                3 + m.iter().map(|(k, v)| 1 + k.len() + v.size()).sum::<usize>()
            }
            AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + v.size()).sum::<usize>(),
            AttributeValue::Ss(s) => s.iter().map(String::len).sum(),
            AttributeValue::Ns(s) => s
                .iter()
                .map(|n| n.significant_digits().div_ceil(2) + 1)
                .sum(),
            AttributeValue::Bs(s) => s.iter().map(Vec::len).sum(),
        }
    }
}

/// The order of `<`, `<=`, `>`, `>=` and `BETWEEN`: only between two strings, two numbers or
/// two binaries (anything else compares as false).
pub(crate) fn compare(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    match (a, b) {
        (AttributeValue::S(a), AttributeValue::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
        (AttributeValue::N(a), AttributeValue::N(b)) => Some(a.cmp(b)),
        (AttributeValue::B(a), AttributeValue::B(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// The size of an item: its attribute names and values.
pub(crate) fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value.size())
        .sum()
}

/// The wire form of an item.
pub(crate) fn item_to_json(item: &Item) -> Value {
    Value::Object(
        item.iter()
            .map(|(name, value)| (name.clone(), value.to_json()))
            .collect(),
    )
}

/// Reads an item (or a key) from its wire form: a map of attribute values.
pub(crate) fn item_from_json(value: &Value, member: &str) -> Result<Item, ServiceError> {
    let map = value
        .as_object()
        .ok_or_else(|| serialization(format!("the member '{member}' must be a map")))?;
    map_from_json(map, 0)
}

fn map_from_json(map: &Map<String, Value>, depth: usize) -> Result<Item, ServiceError> {
    map.iter()
        .map(|(name, value)| Ok((name.clone(), from_json(value, depth)?)))
        .collect()
}

fn from_json(value: &Value, depth: usize) -> Result<AttributeValue, ServiceError> {
    if depth > MAX_DEPTH {
        return Err(validation("Nesting Levels have exceeded supported limits"));
    }
    let map = value
        .as_object()
        .ok_or_else(|| serialization("an attribute value must be a structure"))?;
    let mut members = map.iter().filter(|(_, v)| !v.is_null());
    let (kind, inner) = members.next().ok_or_else(|| {
        validation(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        )
    })?;
    if members.next().is_some() {
        return Err(validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ));
    }
    let list = |v: &'_ Value| {
        v.as_array()
            .ok_or_else(|| serialization(format!("the member '{kind}' must be a list")))
            .cloned()
    };
    Ok(match kind.as_str() {
        "S" => AttributeValue::S(text(inner, kind)?.to_owned()),
        "N" => AttributeValue::N(number(text(inner, kind)?)?),
        "B" => AttributeValue::B(binary(text(inner, kind)?)?),
        "BOOL" => AttributeValue::Bool(
            inner
                .as_bool()
                .ok_or_else(|| serialization("the member 'BOOL' must be a boolean"))?,
        ),
        "NULL" => match inner.as_bool() {
            Some(true) => AttributeValue::Null,
            _ => {
                return Err(validation(
                    "One or more parameter values were invalid: Null attribute value types must have the value of true",
                ));
            }
        },
        "M" => AttributeValue::M(map_from_json(
            inner
                .as_object()
                .ok_or_else(|| serialization("the member 'M' must be a map"))?,
            depth + 1,
        )?),
        "L" => AttributeValue::L(
            list(inner)?
                .iter()
                .map(|v| from_json(v, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        "SS" => AttributeValue::Ss(set(&list(inner)?, "string", |v| {
            Ok(text(v, kind)?.to_owned())
        })?),
        "NS" => AttributeValue::Ns(set(&list(inner)?, "number", |v| number(text(v, kind)?))?),
        "BS" => AttributeValue::Bs(set(&list(inner)?, "binary", |v| binary(text(v, kind)?))?),
        other => {
            return Err(validation(format!(
                "Supplied AttributeValue has an unknown datatype: {other}, must contain exactly one of the supported datatypes"
            )));
        }
    })
}

fn text<'v>(value: &'v Value, kind: &str) -> Result<&'v str, ServiceError> {
    value
        .as_str()
        .ok_or_else(|| serialization(format!("the member '{kind}' must be a string")))
}

fn number(text: &str) -> Result<Number, ServiceError> {
    Number::parse(text).map_err(|err| validation(err.message()))
}

fn binary(text: &str) -> Result<Vec<u8>, ServiceError> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| serialization("a binary attribute value is not valid base64"))
}

/// A set's elements: never empty, never twice the same.
fn set<T: Ord>(
    elements: &[Value],
    kind: &str,
    read: impl Fn(&Value) -> Result<T, ServiceError>,
) -> Result<BTreeSet<T>, ServiceError> {
    if elements.is_empty() {
        return Err(validation(format!(
            "One or more parameter values were invalid: An {kind} set  may not be empty"
        )));
    }
    let mut out = BTreeSet::new();
    for element in elements {
        if !out.insert(read(element)?) {
            let shown: Vec<String> = elements
                .iter()
                .map(|e| e.as_str().unwrap_or_default().to_owned())
                .collect();
            return Err(validation(format!(
                "One or more parameter values were invalid: Input collection [{}] contains duplicates.",
                shown.join(", ")
            )));
        }
    }
    Ok(out)
}
