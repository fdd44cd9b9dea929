//! An `AWS::Serverless::Function` resource, with `Globals.Function` merged as SAM merges it:
//! the function's own property wins, environment variables (and `FunctionUrlConfig`'s keys)
//! merge key by key.

use std::path::{Path, PathBuf};

use lambda_sim_runtime::{
    Architecture, FunctionConfig, MAX_EPHEMERAL_STORAGE_MB, MAX_MEMORY_MB,
    MIN_EPHEMERAL_STORAGE_MB, MIN_MEMORY_MB,
};
use serde_json::Value;
use serde_saphyr::Spanned;

use super::context::Context;
use super::intrinsics::Leaf;
use super::routes::Route;
use super::syntax::{Environment, Properties, Reader};
use crate::{Error, FunctionSpec, Project, Result};

/// A function's properties over `Globals.Function`'s.
#[derive(Clone, Copy)]
pub(super) struct Merged<'a> {
    pub own: &'a Properties,
    pub globals: &'a Properties,
}

impl<'a> Merged<'a> {
    /// The function's own leaf, else the globals'.
    fn pick(
        self,
        property: impl Fn(&Properties) -> &Option<Spanned<Leaf>>,
    ) -> Option<&'a Spanned<Leaf>> {
        property(self.own)
            .as_ref()
            .or(property(self.globals).as_ref())
    }

    /// The function's own value, else the globals'.
    fn pick_with<T>(self, property: impl Fn(&'a Properties) -> Option<&'a T>) -> Option<&'a T> {
        property(self.own).or_else(|| property(self.globals))
    }
}

impl Context<'_> {
    /// Reads the function; its `Kinesis` and `SQS` events are added to the project's
    /// mappings, its URL to its function URLs, its `Api` and `HttpApi` events to `routes`.
    pub(super) fn function(
        &self,
        properties: Merged<'_>,
        base: &Path,
        project: &mut Project,
        routes: &mut Vec<Route>,
    ) -> Result<FunctionSpec> {
        let warnings = &mut project.warnings;
        for key in properties.own.unread(Reader::Function) {
            let why = match key {
                "Policies" | "Role" | "PermissionsBoundary" => "IAM is not simulated",
                "Layers" => "layers are not simulated",
                _ => "not simulated",
            };
            warnings.push(self.warning(None, format!("property `{key}` ignored: {why}")));
        }
        let mut name = self.logical_id.to_owned();
        if let Some(leaf) = &properties.own.function_name
            && let Some(given) = self.string("FunctionName", leaf, warnings)?
        {
            name = given;
        }
        let mut config = FunctionConfig::named(name);
        let code = self.code(properties, base, warnings)?;
        self.limits(properties, &mut config, warnings)?;
        self.environment(properties, &mut config, warnings)?;
        self.concurrency(properties, &mut config, warnings)?;
        self.tracing(properties, &mut config, warnings)?;
        self.snap_start(properties, &mut config, warnings)?;
        self.storage(properties, &mut config, warnings)?;
        self.architecture(properties, &mut config, warnings)?;
        let mut aliases = Vec::new();
        if let Some(leaf) = properties.pick(|p| &p.auto_publish_alias)
            && let Some(alias) = self.string("AutoPublishAlias", leaf, warnings)?
        {
            aliases.push(alias);
        }
        self.events(properties.own, &config.name, project, routes)?;
        let warnings = &mut project.warnings;
        let own_url = properties.own.function_url_config.as_ref();
        let global_url = properties.globals.function_url_config.as_ref();
        if let Some(url) = self.function_url(own_url, global_url, &config.name, warnings)? {
            project.function_urls.push(url);
        }
        // Shown in FunctionConfiguration; for a directory, `Runtime` chooses the builder
        // (nodejs*, python*, else a Rust crate) and `Handler` is the Node.js or Python handler.
        let handler = properties.pick(|p| &p.handler);
        let handler = self.optional_string("Handler", handler, warnings)?;
        let runtime = properties.pick(|p| &p.runtime);
        let runtime = self.optional_string("Runtime", runtime, warnings)?;
        let description = properties.pick(|p| &p.description);
        let description = self.optional_string("Description", description, warnings)?;

        config
            .validate()
            .map_err(|err| self.refuse(Error::from(err).message()))?;
        let mut spec = FunctionSpec::new(code, config);
        spec.aliases = aliases;
        spec.handler = handler;
        spec.runtime = runtime;
        spec.description = description;
        Ok(spec)
    }

    /// The function's `Events`: `Kinesis` and `SQS` as event-source mappings, `Api` and
    /// `HttpApi` as routes; any other type is warned about.
    fn events(
        &self,
        own: &Properties,
        function: &str,
        project: &mut Project,
        routes: &mut Vec<Route>,
    ) -> Result<()> {
        let warnings = &mut project.warnings;
        for (key, event) in own.events.iter().flatten() {
            match event.r#type.as_str() {
                "Kinesis" | "SQS" => {
                    project
                        .mappings
                        .push(self.mapping(key, event, function, warnings)?);
                }
                "Api" | "HttpApi" => routes.push(self.route(key, event, function, warnings)?),
                other => warnings.push(self.warning(
                    None,
                    format!(
                        "event source `{key}` of type `{other}` is not simulated by `serve` (invoke the function directly)"
                    ),
                )),
            }
        }
        Ok(())
    }

    /// `CodeUri`: a local directory (a crate, a Node.js or Python handler) or `.wasm`, resolved
    /// against `base`.
    fn code(
        &self,
        properties: Merged<'_>,
        base: &Path,
        warnings: &mut Vec<String>,
    ) -> Result<PathBuf> {
        let Some(leaf) = properties.pick(|p| &p.code_uri) else {
            return Err(self.refuse(
                "`CodeUri` is missing (a handler crate's directory or a .wasm component)",
            ));
        };
        match self.value("CodeUri", leaf, warnings) {
            Some(Value::String(uri)) if uri.starts_with("s3://") => Err(self.error(
                leaf,
                format!("`CodeUri` `{uri}` is in S3: give a local crate directory or .wasm"),
            )),
            Some(Value::String(uri)) => Ok(base.join(uri)),
            Some(Value::Object(_)) => Err(self.error(
                leaf,
                "`CodeUri` is an S3 location: give a local crate directory or .wasm",
            )),
            Some(other) => {
                Err(self.error(leaf, format!("`CodeUri` must be a path, not `{other}`")))
            }
            None => Err(self.error(leaf, "`CodeUri` must be a plain local path")),
        }
    }

    /// `MemorySize` and `Timeout`, in Lambda's ranges.
    fn limits(
        &self,
        properties: Merged<'_>,
        config: &mut FunctionConfig,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        if let Some(leaf) = properties.pick(|p| &p.memory_size)
            && let Some(mb) = self.count("MemorySize", leaf, warnings)?
        {
            if !(MIN_MEMORY_MB..=MAX_MEMORY_MB).contains(&mb) {
                return Err(self.error(
                    leaf,
                    format!(
                        "memory size {mb} MB is outside Lambda's range of {MIN_MEMORY_MB} to {MAX_MEMORY_MB} MB"
                    ),
                ));
            }
            config.memory_size_mb = mb;
        }
        if let Some(leaf) = properties.pick(|p| &p.timeout)
            && let Some(seconds) = self.integer("Timeout", leaf, warnings)?
        {
            if !(1..=900).contains(&seconds) {
                return Err(self.error(
                    leaf,
                    format!("timeout {seconds} s is outside Lambda's range of 1 to 900 seconds"),
                ));
            }
            config.timeout = std::time::Duration::from_secs(seconds.unsigned_abs());
        }
        Ok(())
    }

    /// `Environment.Variables`: the globals', then the function's own over them.
    fn environment(
        &self,
        properties: Merged<'_>,
        config: &mut FunctionConfig,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        let empty = Environment::default();
        let global = properties.globals.environment.as_ref().unwrap_or(&empty);
        let own = properties.own.environment.as_ref().unwrap_or(&empty);
        for (key, leaf) in global.variables.iter().chain(&own.variables) {
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
        Ok(())
    }

    /// `VpcConfig` (attached or not), `ReservedConcurrentExecutions` and
    /// `ProvisionedConcurrencyConfig`.
    fn concurrency(
        &self,
        properties: Merged<'_>,
        config: &mut FunctionConfig,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        config.vpc = properties.own.vpc_config.is_some() || properties.globals.vpc_config.is_some();
        if let Some(leaf) = properties.pick(|p| &p.reserved_concurrent_executions)
            && let Some(n) = self.integer("ReservedConcurrentExecutions", leaf, warnings)?
        {
            config.reserved_concurrency = Some(u32::try_from(n).map_err(|_| {
                self.error(
                    leaf,
                    format!("`ReservedConcurrentExecutions` must be 0 or more, not {n}"),
                )
            })?);
        }
        if let Some(provisioned) =
            properties.pick_with(|p| p.provisioned_concurrency_config.as_ref())
            && let Some(n) = self.count(
                "ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions",
                &provisioned.provisioned_concurrent_executions,
                warnings,
            )?
        {
            config.provisioned_concurrency = n;
        }
        Ok(())
    }

    /// `Tracing`: `Active`, or `PassThrough` (`Disabled`).
    fn tracing(
        &self,
        properties: Merged<'_>,
        config: &mut FunctionConfig,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        if let Some(leaf) = properties.pick(|p| &p.tracing)
            && let Some(mode) = self.string("Tracing", leaf, warnings)?
        {
            config.tracing = match mode.as_str() {
                "Active" => true,
                "PassThrough" | "Disabled" => false,
                other => {
                    return Err(self.error(
                        leaf,
                        format!("`Tracing` must be Active or PassThrough, not `{other}`"),
                    ));
                }
            };
        }
        Ok(())
    }

    /// `SnapStart.ApplyOn`: `PublishedVersions` (the function is published once, at its first
    /// cold start) or `None`.
    fn snap_start(
        &self,
        properties: Merged<'_>,
        config: &mut FunctionConfig,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        if let Some(snap_start) = properties.pick_with(|p| p.snap_start.as_ref())
            && let Some(apply_on) =
                self.string("SnapStart.ApplyOn", &snap_start.apply_on, warnings)?
        {
            config.snap_start = match apply_on.as_str() {
                "PublishedVersions" => true,
                "None" => false,
                other => {
                    return Err(self.error(
                        &snap_start.apply_on,
                        format!(
                            "`SnapStart.ApplyOn` must be PublishedVersions or None, not `{other}`"
                        ),
                    ));
                }
            };
        }
        Ok(())
    }

    /// `EphemeralStorage.Size`, in Lambda's range.
    fn storage(
        &self,
        properties: Merged<'_>,
        config: &mut FunctionConfig,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        if let Some(storage) = properties.pick_with(|p| p.ephemeral_storage.as_ref())
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
        Ok(())
    }

    /// `Architectures`: exactly one of `x86_64` and `arm64`.
    fn architecture(
        &self,
        properties: Merged<'_>,
        config: &mut FunctionConfig,
        warnings: &mut Vec<String>,
    ) -> Result<()> {
        let Some(list) = properties.pick_with(|p| p.architectures.as_ref()) else {
            return Ok(());
        };
        let [leaf] = list.as_slice() else {
            let message = "`Architectures` must hold exactly one of x86_64, arm64";
            return Err(match list.first() {
                Some(at) => self.error(at, message),
                None => self.refuse(message),
            });
        };
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
        Ok(())
    }
}
