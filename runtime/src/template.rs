//! AWS SAM `template.yaml`: the `AWS::Serverless::Function` resources of a template, with
//! `Globals.Function` merged as SAM merges it, read into the same [`SimulationFile`] as
//! `lambda-sim.toml`.
//!
//! What the simulator cannot honour is named in [`SimulationFile::warnings`], never dropped
//! silently: unknown properties, IAM policies, event sources, intrinsic functions it cannot
//! resolve. `!Ref` to a template parameter takes the parameter's `Default`; `!Sub` replaces
//! parameters and the pseudo parameters `AWS::Region`, `AWS::AccountId`, `AWS::StackName`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use serde_saphyr::Spanned;

use crate::billing::Architecture;
use crate::config::{
    MAX_EPHEMERAL_STORAGE_MB, MAX_MEMORY_MB, MIN_EPHEMERAL_STORAGE_MB, MIN_MEMORY_MB,
};
use crate::simfile::{FunctionSpec, SimulationFile};
use crate::{Error, FunctionConfig, Result, RuntimeConfig};

mod sources;

const FUNCTION: &str = "AWS::Serverless::Function";
const STACK_NAME: &str = "lambda-sim";

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Template {
    #[serde(default)]
    parameters: BTreeMap<String, Parameter>,
    #[serde(default)]
    globals: Option<Globals>,
    #[serde(default)]
    resources: BTreeMap<String, Spanned<Resource>>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Parameter {
    default: Option<Spanned<Leaf>>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Globals {
    function: Option<Properties>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    r#type: String,
    properties: Option<Properties>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// A function's properties (or `Globals.Function`'s), each leaf with its place in the file.
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Properties {
    function_name: Option<Spanned<Leaf>>,
    code_uri: Option<Spanned<Leaf>>,
    handler: Option<Spanned<Leaf>>,
    runtime: Option<Spanned<Leaf>>,
    description: Option<Spanned<Leaf>>,
    memory_size: Option<Spanned<Leaf>>,
    timeout: Option<Spanned<Leaf>>,
    environment: Option<Environment>,
    vpc_config: Option<Spanned<IgnoredAny>>,
    reserved_concurrent_executions: Option<Spanned<Leaf>>,
    provisioned_concurrency_config: Option<ProvisionedConcurrency>,
    ephemeral_storage: Option<EphemeralStorage>,
    tracing: Option<Spanned<Leaf>>,
    architectures: Option<Vec<Spanned<Leaf>>>,
    auto_publish_alias: Option<Spanned<Leaf>>,
    events: Option<BTreeMap<String, Event>>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Environment {
    #[serde(default)]
    variables: BTreeMap<String, Spanned<Leaf>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProvisionedConcurrency {
    provisioned_concurrent_executions: Spanned<Leaf>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EphemeralStorage {
    size: Spanned<Leaf>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event {
    r#type: String,
    #[serde(default)]
    properties: Option<sources::EventProperties>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// A value in the template: plain YAML, or an intrinsic function in its short (`!Ref x`) or
/// long (`Ref: x`, `Fn::Sub: ...`) form.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum Leaf {
    Intrinsic(Intrinsic),
    Plain(Value),
}

#[derive(Clone, Debug, Deserialize)]
enum Intrinsic {
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
struct Resolver {
    parameters: BTreeMap<String, String>,
    region: String,
    account_id: String,
}

impl Resolver {
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
    fn resolve(&self, leaf: &Leaf) -> Result<Value, String> {
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

/// Reads a template's text; relative `CodeUri`s are resolved against `base`. `file` names
/// the template in messages.
pub(crate) fn parse(text: &str, base: &Path, file: &str) -> Result<SimulationFile> {
    let template: Template = serde_saphyr::from_str(text).map_err(|err| {
        let message = err.to_string();
        let first = message.lines().next().unwrap_or_default();
        let first = first.strip_prefix("error: ").unwrap_or(first);
        Error::InvalidConfig(format!("{file}: {first}"))
    })?;
    let mut warnings = Vec::new();
    let defaults = FunctionConfig::default();
    let mut parameters = BTreeMap::new();
    for (name, parameter) in &template.parameters {
        if let Some(default) = &parameter.default {
            match &default.value {
                Leaf::Plain(Value::String(text)) => {
                    parameters.insert(name.clone(), text.clone());
                }
                Leaf::Plain(Value::Number(number)) => {
                    parameters.insert(name.clone(), number.to_string());
                }
                Leaf::Plain(Value::Bool(flag)) => {
                    parameters.insert(name.clone(), flag.to_string());
                }
                _ => {}
            }
        }
    }
    let resolver = Resolver {
        parameters,
        region: defaults.region.clone(),
        account_id: defaults.account_id.clone(),
    };

    let mut globals = Properties::default();
    if let Some(g) = template.globals {
        for key in g.other.keys() {
            warnings.push(format!(
                "{file}: `Globals.{key}` is not simulated (only `Globals.Function` is read)"
            ));
        }
        if let Some(function) = g.function {
            globals = function;
        }
    }
    for key in globals.other.keys() {
        warnings.push(format!(
            "{file}: `Globals.Function.{key}` is not simulated (ignored)"
        ));
    }

    let (mut pipeline, names) = sources::read(text, file, &resolver, &mut warnings)?;
    let mut functions = Vec::new();
    for (logical_id, resource) in template.resources {
        let line = resource.referenced.line();
        let resource = resource.value;
        if resource.r#type != FUNCTION {
            if !sources::TYPES.contains(&resource.r#type.as_str()) {
                warnings.push(format!(
                    "{file}:{line}: resource `{logical_id}` of type `{}` is not simulated (ignored)",
                    resource.r#type
                ));
            }
            continue;
        }
        let properties = resource.properties.unwrap_or_default();
        let context = Context {
            file,
            kind: "function",
            logical_id: &logical_id,
            resolver: &resolver,
            sources: &names,
        };
        functions.push(context.function(
            properties,
            &globals,
            base,
            &mut pipeline.mappings,
            &mut warnings,
        )?);
    }
    let function_names: Vec<&str> = functions.iter().map(|f| f.config.name.as_str()).collect();
    pipeline
        .check(&function_names)
        .map_err(|err| Error::InvalidConfig(format!("{file}: {}", strip_invalid(&err))))?;
    if functions.is_empty() {
        return Err(Error::InvalidConfig(format!(
            "{file}: the template has no `{FUNCTION}` resource"
        )));
    }
    Ok(SimulationFile {
        runtime: RuntimeConfig::default(),
        functions,
        pipeline,
        warnings,
    })
}

fn strip_invalid(err: &Error) -> String {
    let text = err.to_string();
    text.strip_prefix("invalid configuration: ")
        .unwrap_or(&text)
        .to_owned()
}

/// One resource being read: names it in messages.
struct Context<'a> {
    file: &'a str,
    /// What the resource is, in messages: `function`, `stream`, ...
    kind: &'a str,
    logical_id: &'a str,
    resolver: &'a Resolver,
    /// The names of the template's streams, queues and buckets, by logical id.
    sources: &'a BTreeMap<String, String>,
}

impl Context<'_> {
    fn error(&self, at: &Spanned<Leaf>, message: impl std::fmt::Display) -> Error {
        Error::InvalidConfig(format!(
            "{}:{}: {} `{}`: {message}",
            self.file,
            at.referenced.line(),
            self.kind,
            self.logical_id
        ))
    }

    fn warning(&self, at: Option<&Spanned<Leaf>>, message: impl std::fmt::Display) -> String {
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
    fn value(
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

    fn string(
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

    fn integer(
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

    fn count(
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

    fn function(
        &self,
        own: Properties,
        globals: &Properties,
        base: &Path,
        mappings: &mut Vec<crate::event_sources::MappingSpec>,
        warnings: &mut Vec<String>,
    ) -> Result<FunctionSpec> {
        for key in own.other.keys() {
            let why = match key.as_str() {
                "Policies" | "Role" | "PermissionsBoundary" => "IAM is not simulated",
                "Layers" => "layers are not simulated",
                _ => "not simulated",
            };
            warnings.push(self.warning(None, format!("property `{key}` ignored: {why}")));
        }
        let pick = |own: &Option<Spanned<Leaf>>, global: &Option<Spanned<Leaf>>| {
            own.clone().or_else(|| global.clone())
        };

        let mut name = self.logical_id.to_owned();
        if let Some(leaf) = &own.function_name
            && let Some(given) = self.string("FunctionName", leaf, warnings)?
        {
            name = given;
        }
        let mut config = FunctionConfig::named(name);

        let code_uri = pick(&own.code_uri, &globals.code_uri);
        let code = match &code_uri {
            None => {
                return Err(Error::InvalidConfig(format!(
                    "{}: function `{}`: `CodeUri` is missing (a handler crate's directory or a .wasm component)",
                    self.file, self.logical_id
                )));
            }
            Some(leaf) => match self.value("CodeUri", leaf, warnings) {
                Some(Value::String(uri)) if uri.starts_with("s3://") => {
                    return Err(self.error(
                        leaf,
                        format!(
                            "`CodeUri` `{uri}` is in S3: give a local crate directory or .wasm"
                        ),
                    ));
                }
                Some(Value::String(uri)) => base.join(uri),
                Some(Value::Object(_)) => {
                    return Err(self.error(
                        leaf,
                        "`CodeUri` is an S3 location: give a local crate directory or .wasm",
                    ));
                }
                Some(other) => {
                    return Err(
                        self.error(leaf, format!("`CodeUri` must be a path, not `{other}`"))
                    );
                }
                None => {
                    return Err(self.error(leaf, "`CodeUri` must be a plain local path"));
                }
            },
        };

        if let Some(leaf) = pick(&own.memory_size, &globals.memory_size)
            && let Some(mb) = self.count("MemorySize", &leaf, warnings)?
        {
            if !(MIN_MEMORY_MB..=MAX_MEMORY_MB).contains(&mb) {
                return Err(self.error(
                    &leaf,
                    format!(
                        "memory size {mb} MB is outside Lambda's range of {MIN_MEMORY_MB} to {MAX_MEMORY_MB} MB"
                    ),
                ));
            }
            config.memory_size_mb = mb;
        }
        if let Some(leaf) = pick(&own.timeout, &globals.timeout) {
            let seconds = self.integer("Timeout", &leaf, warnings)?;
            if let Some(seconds) = seconds {
                if !(1..=900).contains(&seconds) {
                    return Err(self.error(
                        &leaf,
                        format!(
                            "timeout {seconds} s is outside Lambda's range of 1 to 900 seconds"
                        ),
                    ));
                }
                config.timeout = std::time::Duration::from_secs(seconds.unsigned_abs());
            }
        }
        // Environment variables: the globals', then the function's own over them.
        let empty = Environment::default();
        let global_env = globals.environment.as_ref().unwrap_or(&empty);
        let own_env = own.environment.as_ref().unwrap_or(&empty);
        for (key, leaf) in global_env.variables.iter().chain(&own_env.variables) {
            let property = format!("Environment.Variables.{key}");
            match self.string(&property, leaf, warnings)? {
                Some(value) => {
                    config.environment.insert(key.clone(), value);
                }
                None => {
                    config.environment.remove(key);
                }
            }
        }
        config.vpc = own.vpc_config.is_some() || globals.vpc_config.is_some();
        if let Some(leaf) = pick(
            &own.reserved_concurrent_executions,
            &globals.reserved_concurrent_executions,
        ) && let Some(n) = self.integer("ReservedConcurrentExecutions", &leaf, warnings)?
        {
            config.reserved_concurrency = Some(u32::try_from(n).map_err(|_| {
                self.error(
                    &leaf,
                    format!("`ReservedConcurrentExecutions` must be 0 or more, not {n}"),
                )
            })?);
        }
        let provisioned = own
            .provisioned_concurrency_config
            .as_ref()
            .or(globals.provisioned_concurrency_config.as_ref());
        if let Some(provisioned) = provisioned {
            let leaf = &provisioned.provisioned_concurrent_executions;
            if let Some(n) = self.count(
                "ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions",
                leaf,
                warnings,
            )? {
                config.provisioned_concurrency = n;
            }
        }
        if let Some(leaf) = pick(&own.tracing, &globals.tracing)
            && let Some(mode) = self.string("Tracing", &leaf, warnings)?
        {
            config.tracing = match mode.as_str() {
                "Active" => true,
                "PassThrough" | "Disabled" => false,
                other => {
                    return Err(self.error(
                        &leaf,
                        format!("`Tracing` must be Active or PassThrough, not `{other}`"),
                    ));
                }
            };
        }
        let storage = own
            .ephemeral_storage
            .as_ref()
            .or(globals.ephemeral_storage.as_ref());
        if let Some(storage) = storage
            && let Some(mb) = self.count("EphemeralStorage.Size", &storage.size, warnings)?
        {
            if !(MIN_EPHEMERAL_STORAGE_MB..=MAX_EPHEMERAL_STORAGE_MB).contains(&mb) {
                return Err(self.error(
                    &storage.size,
                    format!(
                        "ephemeral storage {mb} MB is outside Lambda's range of {MIN_EPHEMERAL_STORAGE_MB} to {MAX_EPHEMERAL_STORAGE_MB} MB"
                    ),
                ));
            }
            config.ephemeral_storage_mb = mb;
        }
        let architectures = own
            .architectures
            .as_ref()
            .or(globals.architectures.as_ref());
        if let Some(list) = architectures {
            if list.len() != 1 {
                let at = list.first();
                let message = "`Architectures` must hold exactly one of x86_64, arm64";
                return Err(match at {
                    Some(at) => self.error(at, message),
                    None => Error::InvalidConfig(format!(
                        "{}: function `{}`: {message}",
                        self.file, self.logical_id
                    )),
                });
            }
            let leaf = &list[0];
            if let Some(arch) = self.string("Architectures", leaf, warnings)? {
                config.architecture = match arch.as_str() {
                    "x86_64" => Architecture::X86_64,
                    "arm64" => Architecture::Arm64,
                    other => {
                        return Err(self.error(
                            leaf,
                            format!("unknown architecture `{other}` (one of: x86_64, arm64)"),
                        ));
                    }
                };
            }
        }
        let mut aliases = Vec::new();
        if let Some(leaf) = pick(&own.auto_publish_alias, &globals.auto_publish_alias)
            && let Some(alias) = self.string("AutoPublishAlias", &leaf, warnings)?
        {
            aliases.push(alias);
        }
        for (key, event) in own.events.iter().flatten() {
            match event.r#type.as_str() {
                "Kinesis" | "SQS" => mappings.push(self.mapping(
                    key,
                    event,
                    &config.name,
                    warnings,
                )?),
                other => warnings.push(self.warning(
                    None,
                    format!(
                        "event source `{key}` of type `{other}` is not simulated by `serve` (invoke the function directly)"
                    ),
                )),
            }
        }
        // Shown in FunctionConfiguration; no effect on a WebAssembly handler.
        let mut text = |property: &str, leaf: Option<Spanned<Leaf>>| -> Result<Option<String>> {
            match leaf {
                Some(leaf) => self.string(property, &leaf, warnings),
                None => Ok(None),
            }
        };
        let handler = text("Handler", pick(&own.handler, &globals.handler))?;
        let runtime = text("Runtime", pick(&own.runtime, &globals.runtime))?;
        let description = text("Description", pick(&own.description, &globals.description))?;

        config.validate().map_err(|err| {
            let text = err.to_string();
            let text = text
                .strip_prefix("invalid configuration: ")
                .unwrap_or(&text);
            Error::InvalidConfig(format!(
                "{}: function `{}`: {text}",
                self.file, self.logical_id
            ))
        })?;
        Ok(FunctionSpec {
            code,
            config,
            aliases,
            handler,
            runtime,
            description,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const TEMPLATE: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
Globals:
  Function:
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        STAGE: !Ref Stage
        SHARED: from-globals
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: hello
      CodeUri: fixtures/guests/hello
      Handler: bootstrap
      Runtime: provided.al2023
      MemorySize: 512
      AutoPublishAlias: live
      Environment:
        Variables:
          SHARED: own
          TABLE: !Sub '${AWS::StackName}-table-${Stage}'
          QUEUE: !GetAtt Queue.Arn
      VpcConfig:
        SubnetIds: [subnet-1]
        SecurityGroupIds: [sg-1]
      ReservedConcurrentExecutions: 5
      ProvisionedConcurrencyConfig:
        ProvisionedConcurrentExecutions: 2
      Architectures: [arm64]
      Policies: AWSLambdaBasicExecutionRole
      Events:
        Stream:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
  Counter:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: counter.wasm
  Queue:
    Type: AWS::SQS::Queue
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 2
  Topic:
    Type: AWS::SNS::Topic
"#;

    fn parse_ok(text: &str) -> SimulationFile {
        match parse(text, Path::new("/app"), "template.yaml") {
            Ok(file) => file,
            Err(err) => panic!("the template should read: {err}"),
        }
    }

    fn parse_err(text: &str) -> String {
        match parse(text, Path::new("/app"), "template.yaml") {
            Ok(_) => panic!("the template should be refused:\n{text}"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn functions_read_with_globals_merged_as_sam_merges_them() {
        let file = parse_ok(TEMPLATE);
        assert_eq!(file.functions.len(), 2);
        let counter = &file.functions[0];
        assert_eq!(counter.config.name, "Counter");
        assert_eq!(counter.code, Path::new("/app/counter.wasm"));
        assert_eq!(counter.config.memory_size_mb, 256, "from Globals");
        assert_eq!(counter.config.timeout, Duration::from_secs(10));
        assert_eq!(counter.config.environment.len(), 2);

        let hello = &file.functions[1];
        let config = &hello.config;
        assert_eq!(config.name, "hello");
        assert_eq!(hello.code, Path::new("/app/fixtures/guests/hello"));
        assert_eq!(config.memory_size_mb, 512, "the function's own wins");
        assert_eq!(config.timeout, Duration::from_secs(10));
        let env: Vec<(&str, &str)> = config
            .environment
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            env,
            [
                ("SHARED", "own"),
                ("STAGE", "dev"),
                ("TABLE", "lambda-sim-table-dev")
            ]
        );
        assert!(config.vpc);
        assert_eq!(config.reserved_concurrency, Some(5));
        assert_eq!(config.provisioned_concurrency, 2);
        assert_eq!(config.architecture, Architecture::Arm64);
        assert_eq!(hello.aliases, ["live"]);
        assert_eq!(hello.handler.as_deref(), Some("bootstrap"));
        assert_eq!(hello.runtime.as_deref(), Some("provided.al2023"));

        assert_eq!(
            file.warnings,
            [
                "template.yaml: function `HelloFunction`: property `Policies` ignored: IAM is not simulated",
                "template.yaml:29: function `HelloFunction`: `Environment.Variables.QUEUE` uses !GetAtt, which the simulator cannot evaluate (ignored)",
                "template.yaml:54: resource `Topic` of type `AWS::SNS::Topic` is not simulated (ignored)",
            ]
        );
        // The Kinesis event is an event-source mapping of the stream, named by its logical id.
        assert_eq!(file.pipeline.streams[0].name, "Stream");
        assert_eq!(file.pipeline.streams[0].shards, 2);
        assert_eq!(file.pipeline.queues[0].name, "Queue");
        assert_eq!(file.pipeline.mappings.len(), 1);
        assert_eq!(file.pipeline.mappings[0].function(), "hello");
    }

    #[test]
    fn mistakes_are_named_with_their_line() {
        let function = |props: &str| {
            format!(
                "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f.wasm\n{props}"
            )
        };
        assert_eq!(
            parse_err(&function("      MemorySize: 127\n")),
            "invalid configuration: template.yaml:6: function `Fn`: memory size 127 MB is outside Lambda's range of 128 to 10240 MB"
        );
        assert_eq!(
            parse_err(&function("      MemorySize: lots\n")),
            "invalid configuration: template.yaml:6: function `Fn`: `MemorySize` must be a whole number, not `\"lots\"`"
        );
        assert_eq!(
            parse_err(&function("      Timeout: 901\n")),
            "invalid configuration: template.yaml:6: function `Fn`: timeout 901 s is outside Lambda's range of 1 to 900 seconds"
        );
        assert_eq!(
            parse_err(&function("      ReservedConcurrentExecutions: -1\n")),
            "invalid configuration: template.yaml:6: function `Fn`: `ReservedConcurrentExecutions` must be 0 or more, not -1"
        );
        assert_eq!(
            parse_err(&function("      Architectures: [sparc]\n")),
            "invalid configuration: template.yaml:6: function `Fn`: unknown architecture `sparc` (one of: x86_64, arm64)"
        );
        let syntax = parse_err("Resources:\n  Fn:\n    Type: [\n");
        assert!(
            syntax.starts_with("invalid configuration: template.yaml: line 3 column"),
            "{syntax}"
        );
        assert_eq!(
            parse_err(
                "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: s3://bucket/code.zip\n"
            ),
            "invalid configuration: template.yaml:5: function `Fn`: `CodeUri` `s3://bucket/code.zip` is in S3: give a local crate directory or .wasm"
        );
        assert_eq!(
            parse_err("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"),
            "invalid configuration: template.yaml: the template has no `AWS::Serverless::Function` resource"
        );
    }
}
