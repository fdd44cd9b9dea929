//! [`Context`]: one resource being read. It names the resource in errors and warnings, and
//! reads its leaves as strings, numbers, flags and references to other resources.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_saphyr::Spanned;

use super::intrinsics::{Intrinsic, Leaf, Resolver};
use crate::{ApiKind, Error};

/// One resource being read.
pub(super) struct Context<'a> {
    pub file: &'a str,
    /// What the resource is, in messages: `function`, `stream`, ...
    pub kind: &'a str,
    pub logical_id: &'a str,
    pub resolver: &'a Resolver,
    /// The names of the template's streams, queues, delivery streams and buckets, by logical
    /// id.
    pub sources: &'a BTreeMap<String, String>,
    /// The template's `AWS::Serverless::Api` and `AWS::Serverless::HttpApi` resources, by
    /// logical id.
    pub apis: &'a BTreeMap<String, ApiKind>,
}

type Result<T> = crate::Result<T>;

impl Context<'_> {
    /// An error at `at`'s line.
    pub fn error<T>(&self, at: &Spanned<T>, message: impl std::fmt::Display) -> Error {
        Error::InvalidConfig(format!(
            "{}:{}: {} `{}`: {message}",
            self.file,
            at.referenced.line(),
            self.kind,
            self.logical_id
        ))
    }

    /// An error of the resource, with no line.
    pub fn refuse(&self, message: impl std::fmt::Display) -> Error {
        Error::InvalidConfig(format!(
            "{}: {} `{}`: {message}",
            self.file, self.kind, self.logical_id
        ))
    }

    /// A warning, at `at`'s line if given.
    pub fn warning(&self, at: Option<&Spanned<Leaf>>, message: impl std::fmt::Display) -> String {
        match at {
            Some(at) => format!(
                "{}:{}: {} `{}`: {message}",
                self.file,
                at.referenced.line(),
                self.kind,
                self.logical_id
            ),
            None => format!(
                "{}: {} `{}`: {message}",
                self.file, self.kind, self.logical_id
            ),
        }
    }

    /// A leaf's plain value; `None` (with a warning) when it is an intrinsic that cannot be
    /// evaluated here.
    pub fn value(
        &self,
        property: &str,
        leaf: &Spanned<Leaf>,
        warnings: &mut Vec<String>,
    ) -> Option<Value> {
        match self.resolver.resolve(&leaf.value) {
            Ok(value) => Some(value),
            Err(what) => {
                warnings.push(self.warning(
                    Some(leaf),
                    format!(
                        "`{property}` uses {what}, which the simulator cannot evaluate (ignored)"
                    ),
                ));
                None
            }
        }
    }

    /// A leaf as text (a number or a flag as written).
    pub fn string(
        &self,
        property: &str,
        leaf: &Spanned<Leaf>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<String>> {
        match self.value(property, leaf, warnings) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(other) => Err(self.error(
                leaf,
                format!("`{property}` must be a string, not `{other}`"),
            )),
        }
    }

    /// An optional leaf as text.
    pub fn optional_string(
        &self,
        property: &str,
        leaf: Option<&Spanned<Leaf>>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<String>> {
        match leaf {
            Some(leaf) => self.string(property, leaf, warnings),
            None => Ok(None),
        }
    }

    /// A leaf as a whole number (or text that is one).
    pub fn integer(
        &self,
        property: &str,
        leaf: &Spanned<Leaf>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<i64>> {
        let value = self.value(property, leaf, warnings);
        let number = match &value {
            None => return Ok(None),
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(text)) => text.trim().parse().ok(),
            Some(_) => None,
        };
        match (number, value) {
            (Some(n), _) => Ok(Some(n)),
            (None, Some(value)) => Err(self.error(
                leaf,
                format!("`{property}` must be a whole number, not `{value}`"),
            )),
            (None, None) => Ok(None),
        }
    }

    /// A leaf as a count, 0 to `u32::MAX`.
    pub fn count(
        &self,
        property: &str,
        leaf: &Spanned<Leaf>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<u32>> {
        match self.integer(property, leaf, warnings)? {
            None => Ok(None),
            Some(n) => u32::try_from(n).map(Some).map_err(|_| {
                self.error(
                    leaf,
                    format!("`{property}` must be between 0 and {}, not {n}", u32::MAX),
                )
            }),
        }
    }

    /// A leaf as `true` or `false` (or text that is one).
    pub fn flag(
        &self,
        property: &str,
        leaf: &Spanned<Leaf>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<bool>> {
        match self.value(property, leaf, warnings) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(flag)),
            Some(Value::String(text)) if text == "true" || text == "false" => {
                Ok(Some(text == "true"))
            }
            Some(other) => Err(self.error(
                leaf,
                format!("`{property}` must be true or false, not `{other}`"),
            )),
        }
    }

    /// The name of the stream, queue or bucket a property refers to: `!GetAtt X.Arn`,
    /// `!Ref X`, or an ARN (`arn:aws:kinesis:...:stream/name`, `arn:aws:sqs:...:name`,
    /// `arn:aws:s3:::name`).
    pub fn reference(
        &self,
        property: &str,
        leaf: &Spanned<Leaf>,
        warnings: &mut Vec<String>,
    ) -> Result<String> {
        let logical = match &leaf.value {
            Leaf::Intrinsic(Intrinsic::GetAtt(Value::String(text))) => {
                Some(text.split('.').next().unwrap_or_default().to_owned())
            }
            Leaf::Intrinsic(Intrinsic::GetAtt(Value::Array(parts))) => {
                parts.first().and_then(Value::as_str).map(str::to_owned)
            }
            Leaf::Intrinsic(Intrinsic::Ref(id)) if self.sources.contains_key(id) => {
                Some(id.clone())
            }
            _ => None,
        };
        if let Some(id) = logical {
            return self.sources.get(&id).cloned().ok_or_else(|| {
                self.error(
                    leaf,
                    format!(
                        "`{property}` refers to `{id}`, which is not a stream, queue or bucket of the template"
                    ),
                )
            });
        }
        match self.string(property, leaf, warnings)? {
            Some(arn) if arn.starts_with("arn:") => {
                Ok(arn.rsplit(['/', ':']).next().unwrap_or_default().to_owned())
            }
            Some(other) => Err(self.error(
                leaf,
                format!("`{property}` must be an ARN or `!GetAtt <resource>.Arn`, not `{other}`"),
            )),
            None => Err(self.error(
                leaf,
                format!("`{property}` must name a resource of the template"),
            )),
        }
    }

    /// A property that must be given is missing.
    pub fn missing(&self, property: &str) -> Error {
        self.refuse(format!("`{property}` is missing"))
    }
}
