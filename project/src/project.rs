//! [`Project`]: what a `lambda-sim.toml` or a SAM `template.yaml` describes, in one model.

use std::path::Path;

use lambda_sim_runtime::RuntimeConfig;
use lambda_sim_services::DeliveryStreamConfig;

use crate::{
    Apis, Error, FunctionSpec, FunctionUrlSpec, MappingSpec, QueueSpec, Result, RouteSpec,
    StreamSpec,
};

/// A project: its functions, the simulation's settings, the event sources and delivery
/// streams, and what the file asked for that is not simulated.
///
/// Read from either kind of file ([`Project::read`]); both give the same model, checked in the
/// same places: every function's configuration against Lambda's limits, every event source's
/// settings against AWS's ranges, every route against API Gateway's rules, and every
/// reference (a mapping's, route's or function URL's function, a mapping's stream or queue, a
/// queue's dead-letter queue) against what the file defines.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Project {
    /// The simulation's settings (Lambda's defaults for a SAM template).
    pub runtime: RuntimeConfig,
    /// The functions, in the file's order (a template's by logical id).
    pub functions: Vec<FunctionSpec>,
    /// Kinesis streams.
    pub streams: Vec<StreamSpec>,
    /// SQS queues.
    pub queues: Vec<QueueSpec>,
    /// Firehose delivery streams.
    pub delivery_streams: Vec<DeliveryStreamConfig>,
    /// S3 buckets a template declares (`AWS::S3::Bucket`), by name.
    pub buckets: Vec<String>,
    /// Event-source mappings: which function reads which stream or queue.
    pub mappings: Vec<MappingSpec>,
    /// API Gateway routes to functions (REST and HTTP APIs).
    pub routes: Vec<RouteSpec>,
    /// The APIs' own settings (binary media types, CORS, stage).
    pub apis: Apis,
    /// Function URLs.
    pub function_urls: Vec<FunctionUrlSpec>,
    /// What the file asks for that the simulator does not honour: unknown or unsupported
    /// properties, intrinsic functions it cannot evaluate, resources it does not simulate.
    pub warnings: Vec<String>,
}

impl Project {
    /// Reads and checks a file: a SAM template when its name ends in `.yaml` or `.yml`, else
    /// a `lambda-sim.toml`. Relative paths are resolved against the file's directory; errors
    /// name the file (and the line when known).
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let file = path.display().to_string();
        if Self::is_template(path) {
            crate::template::parse(&text, base, &file)
        } else {
            crate::simfile::parse(&text, base).map_err(|err| err.in_file(&file))
        }
    }

    /// Whether [`Project::read`] reads `path` as a SAM template (its name ends in `.yaml` or
    /// `.yml`).
    pub fn is_template(path: &Path) -> bool {
        path.extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml")
    }

    /// Parses a `lambda-sim.toml`'s text; relative paths are resolved against `base`.
    pub fn parse_toml(text: &str, base: &Path) -> Result<Self> {
        crate::simfile::parse(text, base)
    }

    /// Parses a SAM template's text; relative `CodeUri`s are resolved against `base`. Errors
    /// call the file `template.yaml`.
    pub fn parse_template(text: &str, base: &Path) -> Result<Self> {
        crate::template::parse(text, base, "template.yaml")
    }

    /// The function called `name`, if the project has one.
    pub fn function(&self, name: &str) -> Option<&FunctionSpec> {
        self.functions.iter().find(|f| f.config.name == name)
    }
}
