//! `lambda-sim.toml`: a simulation's settings, its functions and its event sources, in one
//! file.
//!
//! ```toml
//! [simulation]
//! seed = 42
//! clock = "virtual"            # or "real"
//! cpu = "deterministic"        # or "measured"
//! cold_start = "rust"          # a preset, or { placement = {...}, runtime_init = {...} }
//! vpc = "legacy-2017"          # "none", "hyperplane", or { mode = "legacy-2017", eni = { kind = "fixed", ms = 8000 } }
//! account_concurrency = 1000
//!
//! [simulation.eviction]
//! idle_timeout = 2700          # seconds
//!
//! [[function]]
//! name = "hello"
//! path = "fixtures/guests/hello"   # a .wasm component or a handler crate, relative to this file
//! memory_size_mb = 512
//! ephemeral_storage_mb = 1024     # /tmp's size: 512 (default) to 10,240
//! timeout = 3
//! vpc = true
//! reserved_concurrency = 5
//! environment = { GREETING = "hi" }
//! ```
//!
//! `[[stream]]`, `[[queue]]`, `[[delivery_stream]]` and `[[event_source_mapping]]` describe
//! the event sources (see [`StreamSpec`], [`QueueSpec`], `DeliveryStreamConfig` and
//! `mapping.rs`); `[[route]]`, `[api.rest]`, `[api.http]` and `[[function_url]]` the HTTP
//! front door (see `http.rs`).

use std::path::Path;

use lambda_sim_services::DeliveryStreamConfig;
use serde::Deserialize;

use crate::{
    Apis, Error, FunctionSpec, FunctionUrlSpec, Project, QueueSpec, Result, RouteSpec, StreamSpec,
};

mod function;
#[cfg(test)]
mod http_tests;
mod mapping;
mod simulation;
#[cfg(test)]
mod tests;

/// The file, as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    simulation: simulation::Simulation,
    #[serde(default)]
    function: Vec<function::FunctionEntry>,
    #[serde(default)]
    stream: Vec<StreamSpec>,
    #[serde(default)]
    queue: Vec<QueueSpec>,
    #[serde(default)]
    delivery_stream: Vec<DeliveryStreamConfig>,
    #[serde(default)]
    event_source_mapping: Vec<mapping::MappingEntry>,
    #[serde(default)]
    route: Vec<RouteSpec>,
    #[serde(default)]
    api: Apis,
    #[serde(default)]
    function_url: Vec<FunctionUrlSpec>,
}

/// Parses a file's text; relative paths are resolved against `base`.
pub(crate) fn parse(text: &str, base: &Path) -> Result<Project> {
    let file: File = toml::from_str(text)
        .map_err(|err| Error::InvalidConfig(err.to_string().trim_end().to_owned()))?;
    let runtime = file.simulation.into_config()?;
    let mut functions: Vec<FunctionSpec> = Vec::new();
    for entry in file.function {
        let spec = entry.into_spec(base)?;
        if functions.iter().any(|f| f.config.name == spec.config.name) {
            return Err(Error::InvalidConfig(format!(
                "function `{}` is defined twice",
                spec.config.name
            )));
        }
        functions.push(spec);
    }
    let project = Project {
        runtime,
        functions,
        streams: file.stream,
        queues: file.queue,
        delivery_streams: file.delivery_stream,
        buckets: Vec::new(),
        mappings: file
            .event_source_mapping
            .into_iter()
            .map(mapping::MappingEntry::into_spec)
            .collect::<Result<_>>()?,
        routes: file.route,
        apis: file.api,
        function_urls: file.function_url,
        warnings: Vec::new(),
    };
    project.check_event_sources()?;
    project.check_http()?;
    Ok(project)
}
