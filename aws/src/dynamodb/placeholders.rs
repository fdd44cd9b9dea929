//! A request's `ExpressionAttributeNames` and `ExpressionAttributeValues`, and the parsing of
//! its expressions against them: undefined placeholders are errors, and so are unused ones
//! (once every expression of the request is parsed, [`Placeholders::finish`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::ast::{Condition, Path, Update};
use super::error::{serialization, validation};
use super::parser::{ParseResult, Parser};
use super::value::AttributeValue;
use crate::json_protocol::{Input, ServiceError};

/// The longest expression DynamoDB takes, in bytes.
const MAX_EXPRESSION: usize = 4096;

/// Which expression is parsed (it names the expression in errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `ConditionExpression`
    Condition,
    /// `FilterExpression`
    Filter,
    /// `KeyConditionExpression`
    KeyCondition,
    /// `UpdateExpression`
    Update,
    /// `ProjectionExpression`
    Projection,
}

impl Kind {
    /// The request member that holds the expression.
    pub(crate) fn member(self) -> &'static str {
        match self {
            Kind::Condition => "ConditionExpression",
            Kind::Filter => "FilterExpression",
            Kind::KeyCondition => "KeyConditionExpression",
            Kind::Update => "UpdateExpression",
            Kind::Projection => "ProjectionExpression",
        }
    }

    /// The error of a malformed expression of this kind.
    pub(crate) fn invalid(self, message: impl std::fmt::Display) -> ServiceError {
        validation(format!("Invalid {}: {message}", self.member()))
    }
}

/// The placeholders of one request and which of them its expressions use.
#[derive(Debug, Default)]
pub(crate) struct Placeholders {
    names: Option<BTreeMap<String, String>>,
    values: Option<BTreeMap<String, AttributeValue>>,
    used_names: BTreeSet<String>,
    used_values: BTreeSet<String>,
    expressions: usize,
    /// The bytes of values handed out so far: each use is a copy.
    substituted: usize,
}

/// The most bytes of values a request's expressions may substitute, all uses counted: a
/// guard against a large value used many times (DynamoDB caps the substitution variables
/// themselves at 2 MB; the expressions at 4 KB).
const MAX_SUBSTITUTED_BYTES: usize = 16 << 20;

impl Placeholders {
    /// The placeholders of a request.
    pub(crate) fn from_input(input: &Input<'_>) -> Result<Self, ServiceError> {
        Placeholders::new(
            input.get("ExpressionAttributeNames"),
            input.get("ExpressionAttributeValues"),
        )
    }

    /// Placeholders from the wire forms of the two maps.
    pub(crate) fn new(names: Option<&Value>, values: Option<&Value>) -> Result<Self, ServiceError> {
        let names = match names {
            None => None,
            Some(names) => {
                let names = names.as_object().ok_or_else(|| {
                    serialization("the member 'ExpressionAttributeNames' must be a map")
                })?;
                if names.is_empty() {
                    return Err(validation("ExpressionAttributeNames must not be empty"));
                }
                let mut out = BTreeMap::new();
                for (key, name) in names {
                    check_key(key, '#', "ExpressionAttributeNames")?;
                    let name = name.as_str().ok_or_else(|| {
                        serialization("the values of 'ExpressionAttributeNames' must be strings")
                    })?;
                    out.insert(key.clone(), name.to_owned());
                }
                Some(out)
            }
        };
        let values = match values {
            None => None,
            Some(values) => {
                let values = values.as_object().ok_or_else(|| {
                    serialization("the member 'ExpressionAttributeValues' must be a map")
                })?;
                if values.is_empty() {
                    return Err(validation("ExpressionAttributeValues must not be empty"));
                }
                let mut out = BTreeMap::new();
                for (key, value) in values {
                    check_key(key, ':', "ExpressionAttributeValues")?;
                    let value = AttributeValue::from_json(value).map_err(|err| {
                        validation(format!(
                            "ExpressionAttributeValues contains invalid value: {} for key {key}",
                            err.message
                        ))
                    })?;
                    out.insert(key.clone(), value);
                }
                Some(out)
            }
        };
        Ok(Placeholders {
            names,
            values,
            ..Placeholders::default()
        })
    }

    /// The attribute name `#placeholder` stands for.
    pub(crate) fn name(&mut self, placeholder: &str) -> ParseResult<String> {
        let name = self
            .names
            .as_ref()
            .and_then(|names| names.get(placeholder))
            .ok_or_else(|| {
                format!(
                    "An expression attribute name used in the document path is not defined; attribute name: {placeholder}"
                )
            })?;
        self.used_names.insert(placeholder.to_owned());
        Ok(name.clone())
    }

    /// The value `:placeholder` stands for.
    pub(crate) fn value(&mut self, placeholder: &str) -> ParseResult<AttributeValue> {
        let value = self
            .values
            .as_ref()
            .and_then(|values| values.get(placeholder))
            .ok_or_else(|| {
                format!(
                    "An expression attribute value used in expression is not defined; attribute value: {placeholder}"
                )
            })?;
        self.used_values.insert(placeholder.to_owned());
        self.substituted += value.size();
        if self.substituted > MAX_SUBSTITUTED_BYTES {
            return Err(format!(
                "the expressions substitute more than {MAX_SUBSTITUTED_BYTES} bytes of attribute values (lambda-sim's limit); attribute value: {placeholder}"
            ));
        }
        Ok(value.clone())
    }

    /// Parses a condition, filter or key-condition expression, if given.
    pub(crate) fn condition(
        &mut self,
        text: Option<&str>,
        kind: Kind,
    ) -> Result<Option<Condition>, ServiceError> {
        let Some(text) = self.text(text, kind)? else {
            return Ok(None);
        };
        let parsed = Parser::new(text, self).and_then(Parser::parse_condition);
        parsed.map(Some).map_err(|message| kind.invalid(message))
    }

    /// Parses an update expression, if given.
    pub(crate) fn update(&mut self, text: Option<&str>) -> Result<Option<Update>, ServiceError> {
        let Some(text) = self.text(text, Kind::Update)? else {
            return Ok(None);
        };
        let parsed = Parser::new(text, self).and_then(Parser::parse_update);
        parsed
            .map(Some)
            .map_err(|message| Kind::Update.invalid(message))
    }

    /// Parses a projection expression, if given.
    pub(crate) fn projection(
        &mut self,
        text: Option<&str>,
    ) -> Result<Option<Vec<Path>>, ServiceError> {
        let Some(text) = self.text(text, Kind::Projection)? else {
            return Ok(None);
        };
        let parsed = Parser::new(text, self).and_then(Parser::parse_projection);
        parsed
            .map(Some)
            .map_err(|message| Kind::Projection.invalid(message))
    }

    fn text<'t>(
        &mut self,
        text: Option<&'t str>,
        kind: Kind,
    ) -> Result<Option<&'t str>, ServiceError> {
        let Some(text) = text else {
            return Ok(None);
        };
        self.expressions += 1;
        if text.trim().is_empty() {
            return Err(kind.invalid("The expression can not be empty;"));
        }
        if text.len() > MAX_EXPRESSION {
            return Err(kind.invalid(format!(
                "Expression size has exceeded the maximum allowed size; expression size: {}",
                text.len()
            )));
        }
        Ok(Some(text))
    }

    /// Refuses placeholders given without expressions, or not used by any.
    pub(crate) fn finish(&self) -> Result<(), ServiceError> {
        for (member, given, used) in [
            (
                "ExpressionAttributeNames",
                self.names.as_ref().map(|m| m.keys().collect::<Vec<_>>()),
                &self.used_names,
            ),
            (
                "ExpressionAttributeValues",
                self.values.as_ref().map(|m| m.keys().collect::<Vec<_>>()),
                &self.used_values,
            ),
        ] {
            let Some(given) = given else { continue };
            if self.expressions == 0 {
                return Err(validation(format!(
                    "{member} can only be specified when using expressions"
                )));
            }
            let unused: Vec<&str> = given
                .into_iter()
                .filter(|k| !used.contains(*k))
                .map(String::as_str)
                .collect();
            if !unused.is_empty() {
                return Err(validation(format!(
                    "Value provided in {member} unused in expressions: keys: {{{}}}",
                    unused.join(", ")
                )));
            }
        }
        Ok(())
    }
}

/// A placeholder must be its sigil and a word: `#name`, `:value`.
fn check_key(key: &str, sigil: char, member: &str) -> Result<(), ServiceError> {
    let rest = key.strip_prefix(sigil).unwrap_or_default();
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(validation(format!(
            "{member} contains invalid key: Syntax error; key: \"{key}\""
        )));
    }
    Ok(())
}
