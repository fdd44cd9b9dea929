//! A template's values and CloudFormation's intrinsic functions: `!Ref` of a parameter (its
//! `Default`) or a pseudo parameter, and `!Sub` of those, are evaluated; any other intrinsic is
//! named, for a warning.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

use super::syntax::Parameter;

/// The stack's name, as `AWS::StackName`.
const STACK_NAME: &str = "lambda-sim";

/// A value in the template: plain YAML, or an intrinsic function in its short (`!Ref x`) or
/// long (`Ref: x`, `Fn::Sub: ...`) form.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Leaf {
    Intrinsic(Intrinsic),
    Plain(Value),
}

/// An intrinsic function; the simulator evaluates `Ref` and `Sub`, and reads `GetAtt` and
/// `Ref` where a property names a resource.
#[derive(Clone, Debug, Deserialize)]
pub(super) enum Intrinsic {
    Ref(String),
    #[serde(alias = "Fn::Sub")]
    Sub(Value),
    #[serde(alias = "Fn::GetAtt")]
    GetAtt(Value),
    #[serde(alias = "Fn::Join")]
    Join(IgnoredAny),
    #[serde(alias = "Fn::Select")]
    Select(IgnoredAny),
    #[serde(alias = "Fn::Split")]
    Split(IgnoredAny),
    #[serde(alias = "Fn::If")]
    If(IgnoredAny),
    #[serde(alias = "Fn::FindInMap")]
    FindInMap(IgnoredAny),
    #[serde(alias = "Fn::ImportValue")]
    ImportValue(IgnoredAny),
    #[serde(alias = "Fn::Base64")]
    Base64(IgnoredAny),
    #[serde(alias = "Fn::GetAZs")]
    GetAZs(IgnoredAny),
}

impl Intrinsic {
    fn name(&self) -> &'static str {
        match self {
            Intrinsic::Ref(_) => "!Ref",
            Intrinsic::Sub(_) => "!Sub",
            Intrinsic::GetAtt(_) => "!GetAtt",
            Intrinsic::Join(_) => "!Join",
            Intrinsic::Select(_) => "!Select",
            Intrinsic::Split(_) => "!Split",
            Intrinsic::If(_) => "!If",
            Intrinsic::FindInMap(_) => "!FindInMap",
            Intrinsic::ImportValue(_) => "!ImportValue",
            Intrinsic::Base64(_) => "!Base64",
            Intrinsic::GetAZs(_) => "!GetAZs",
        }
    }
}

/// Resolves leaves against the template's parameters; what it cannot evaluate is an `Err`
/// naming the intrinsic, for a warning.
pub(super) struct Resolver {
    parameters: BTreeMap<String, String>,
    region: String,
    account_id: String,
}

impl Resolver {
    /// A resolver of the parameters' plain `Default`s, in `region` and `account_id`.
    pub fn new(
        parameters: &BTreeMap<String, Parameter>,
        region: String,
        account_id: String,
    ) -> Self {
        let mut defaults = BTreeMap::new();
        for (name, parameter) in parameters {
            let value = match parameter.default.as_ref().map(|d| &d.value) {
                Some(Leaf::Plain(Value::String(text))) => text.clone(),
                Some(Leaf::Plain(Value::Number(number))) => number.to_string(),
                Some(Leaf::Plain(Value::Bool(flag))) => flag.to_string(),
                _ => continue,
            };
            defaults.insert(name.clone(), value);
        }
        Resolver {
            parameters: defaults,
            region,
            account_id,
        }
    }

    fn pseudo(&self, name: &str) -> Option<String> {
        match name {
            "AWS::Region" => Some(self.region.clone()),
            "AWS::AccountId" => Some(self.account_id.clone()),
            "AWS::StackName" => Some(STACK_NAME.to_owned()),
            "AWS::Partition" => Some("aws".to_owned()),
            "AWS::URLSuffix" => Some("amazonaws.com".to_owned()),
            _ => self.parameters.get(name).cloned(),
        }
    }

    /// The leaf's plain value, with `!Ref` and `!Sub` of parameters evaluated.
    pub fn resolve(&self, leaf: &Leaf) -> Result<Value, String> {
        match leaf {
            Leaf::Plain(value) => Ok(value.clone()),
            Leaf::Intrinsic(Intrinsic::Ref(name)) => match self.pseudo(name) {
                Some(value) => Ok(Value::String(value)),
                None => Err(format!("!Ref {name} (not a parameter with a Default)")),
            },
            Leaf::Intrinsic(Intrinsic::Sub(Value::String(text))) => {
                self.substitute(text).map(Value::String)
            }
            Leaf::Intrinsic(other) => Err(other.name().to_owned()),
        }
    }

    fn substitute(&self, text: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                // `${!Literal}` is the literal `${Literal}`.
                out.push_str("${");
                rest = literal;
                continue;
            }
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = &after[..end];
            match self.pseudo(name) {
                Some(value) => out.push_str(&value),
                None => {
                    return Err(format!(
                        "!Sub of ${{{name}}} (not a parameter with a Default)"
                    ));
                }
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}
