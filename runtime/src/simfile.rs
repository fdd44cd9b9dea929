//! `lambda-sim.toml`: a simulation's settings and its functions, in one file.
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

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::billing::Architecture;
use crate::clock::ClockMode;
use crate::coldstart::{ColdStartModel, VpcModel};
use crate::config::EvictionPolicy;
use crate::cpu::CpuMode;
use crate::{Error, FunctionConfig, Result, RuntimeConfig};

/// A parsed `lambda-sim.toml` or SAM `template.yaml`.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulationFile {
    /// The simulation's settings (Lambda's defaults for a SAM template).
    pub runtime: RuntimeConfig,
    /// The functions.
    pub functions: Vec<FunctionSpec>,
    /// The event sources, their mappings to functions, and the delivery streams.
    pub pipeline: crate::event_sources::Pipeline,
    /// What the file asks for that the simulator does not honour: unknown or unsupported
    /// properties, intrinsic functions it cannot evaluate, resources it does not simulate.
    pub warnings: Vec<String>,
}

/// One function of a file: its code and configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionSpec {
    /// A `.wasm` component or a handler crate, resolved against the file's directory.
    pub code: PathBuf,
    /// The function's configuration.
    pub config: FunctionConfig,
    /// Aliases that point at the function (SAM's `AutoPublishAlias`), besides `$LATEST`.
    pub aliases: Vec<String>,
    /// SAM's `Handler`, shown in the function's configuration.
    pub handler: Option<String>,
    /// SAM's `Runtime`, shown in the function's configuration.
    pub runtime: Option<String>,
    /// SAM's `Description`.
    pub description: Option<String>,
}

impl SimulationFile {
    /// The function called `name`, if the file has one.
    pub fn function(&self, name: &str) -> Option<&FunctionSpec> {
        self.functions.iter().find(|f| f.config.name == name)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    simulation: Simulation,
    #[serde(default)]
    function: Vec<FunctionEntry>,
    #[serde(default)]
    stream: Vec<crate::event_sources::StreamSpec>,
    #[serde(default)]
    queue: Vec<crate::event_sources::QueueSpec>,
    #[serde(default)]
    delivery_stream: Vec<lambda_sim_services::DeliveryStreamConfig>,
    #[serde(default)]
    event_source_mapping: Vec<crate::event_sources::MappingEntry>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Simulation {
    seed: Option<u64>,
    clock: Option<ClockMode>,
    cpu: Option<CpuMode>,
    fuel_per_second: Option<u64>,
    cold_start: Option<Named<ColdStartModel>>,
    vpc: Option<Named<VpcModel>>,
    eviction: Option<EvictionPolicy>,
    account_concurrency: Option<u32>,
    scaling: Option<crate::config::ScalingRate>,
    max_environments: Option<u32>,
    bill_init: Option<bool>,
}

/// A setting given by name (a preset) or in full.
#[derive(Deserialize)]
#[serde(untagged)]
enum Named<T> {
    Name(String),
    Full(T),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionEntry {
    path: PathBuf,
    name: String,
    memory_size_mb: Option<u32>,
    ephemeral_storage_mb: Option<u32>,
    timeout: Option<f64>,
    #[serde(default)]
    environment: std::collections::BTreeMap<String, String>,
    region: Option<String>,
    account_id: Option<String>,
    architecture: Option<Architecture>,
    vpc: Option<bool>,
    reserved_concurrency: Option<u32>,
    provisioned_concurrency: Option<u32>,
    tracing: Option<bool>,
    #[serde(default)]
    aliases: Vec<String>,
}

impl SimulationFile {
    /// Reads and checks a file: a SAM template when its name ends in `.yaml` or `.yml`, else
    /// a `lambda-sim.toml`. Errors name the file and the line.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let yaml = path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml");
        if yaml {
            return crate::template::parse(&text, base, &path.display().to_string());
        }
        Self::parse(&text, base).map_err(|err| match err {
            Error::InvalidConfig(message) => {
                Error::InvalidConfig(format!("{}: {message}", path.display()))
            }
            other => other,
        })
    }

    /// Parses a file's text; relative paths are resolved against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<Self> {
        let file: File = toml::from_str(text)
            .map_err(|err| Error::InvalidConfig(err.to_string().trim_end().to_owned()))?;
        let mut runtime = RuntimeConfig::default();
        let sim = file.simulation;
        runtime.seed = sim.seed;
        if let Some(clock) = sim.clock {
            runtime.clock = clock;
        }
        if let Some(cpu) = sim.cpu {
            runtime.cpu = cpu;
        }
        if let Some(fuel) = sim.fuel_per_second {
            runtime.fuel_per_second = fuel;
        }
        if let Some(cold_start) = sim.cold_start {
            runtime.cold_start = match cold_start {
                Named::Name(name) => ColdStartModel::preset(&name).ok_or_else(|| {
                    Error::InvalidConfig(format!(
                        "unknown cold-start preset `{name}` (one of: {})",
                        ColdStartModel::PRESETS.join(", ")
                    ))
                })?,
                Named::Full(model) => model,
            };
        }
        if let Some(vpc) = sim.vpc {
            runtime.vpc = match vpc {
                Named::Name(name) => VpcModel::named(&name).ok_or_else(|| {
                    Error::InvalidConfig(format!(
                        "unknown VPC mode `{name}` (one of: none, legacy-2017, hyperplane)"
                    ))
                })?,
                Named::Full(model) => model,
            };
        }
        if let Some(eviction) = sim.eviction {
            runtime.eviction = eviction;
        }
        if let Some(limit) = sim.account_concurrency {
            runtime.account_concurrency = limit;
        }
        if let Some(scaling) = sim.scaling {
            runtime.scaling = scaling;
        }
        if let Some(max) = sim.max_environments {
            runtime.max_environments = max;
        }
        if let Some(bill_init) = sim.bill_init {
            runtime.bill_init = bill_init;
        }
        runtime.validate()?;

        let mut functions = Vec::new();
        for entry in file.function {
            let mut config = FunctionConfig::named(entry.name);
            if let Some(mb) = entry.memory_size_mb {
                config.memory_size_mb = mb;
            }
            if let Some(mb) = entry.ephemeral_storage_mb {
                config.ephemeral_storage_mb = mb;
            }
            if let Some(timeout) = entry.timeout {
                config.timeout = std::time::Duration::try_from_secs_f64(timeout).map_err(|_| {
                    Error::InvalidConfig(format!(
                        "function `{}`: timeout {timeout} s is outside Lambda's range of 1 to 900 seconds",
                        config.name
                    ))
                })?;
            }
            config.environment = entry.environment;
            if let Some(region) = entry.region {
                config.region = region;
            }
            if let Some(account) = entry.account_id {
                config.account_id = account;
            }
            if let Some(arch) = entry.architecture {
                config.architecture = arch;
            }
            config.vpc = entry.vpc.unwrap_or(false);
            config.reserved_concurrency = entry.reserved_concurrency;
            config.provisioned_concurrency = entry.provisioned_concurrency.unwrap_or(0);
            config.tracing = entry.tracing.unwrap_or(false);
            config.validate().map_err(|err| {
                Error::InvalidConfig(format!("function `{}`: {}", config.name, strip(&err)))
            })?;
            if functions
                .iter()
                .any(|f: &FunctionSpec| f.config.name == config.name)
            {
                return Err(Error::InvalidConfig(format!(
                    "function `{}` is defined twice",
                    config.name
                )));
            }
            functions.push(FunctionSpec {
                code: base.join(entry.path),
                config,
                aliases: entry.aliases,
                handler: None,
                runtime: None,
                description: None,
            });
        }
        let pipeline = crate::event_sources::Pipeline {
            streams: file.stream,
            queues: file.queue,
            delivery_streams: file.delivery_stream,
            mappings: file
                .event_source_mapping
                .into_iter()
                .map(crate::event_sources::MappingEntry::into_spec)
                .collect::<Result<_>>()?,
        };
        let names: Vec<&str> = functions.iter().map(|f| f.config.name.as_str()).collect();
        pipeline.check(&names)?;
        Ok(SimulationFile {
            runtime,
            functions,
            pipeline,
            warnings: Vec::new(),
        })
    }

    /// Parses a SAM template's text; relative `CodeUri`s are resolved against `base`.
    pub fn parse_template(text: &str, base: &Path) -> Result<Self> {
        crate::template::parse(text, base, "template.yaml")
    }
}

fn strip(err: &Error) -> String {
    let text = err.to_string();
    text.strip_prefix("invalid configuration: ")
        .unwrap_or(&text)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::coldstart::Delay;

    #[test]
    fn a_full_file_reads_into_settings() -> Result<()> {
        let file = SimulationFile::parse(
            r#"
            [simulation]
            seed = 42
            clock = "virtual"
            cpu = "deterministic"
            cold_start = "python"
            vpc = { mode = "legacy-2017", eni = { kind = "fixed", ms = 8000 } }
            account_concurrency = 50

            [simulation.eviction]
            idle_timeout = 300
            max_warm = 4

            [[function]]
            name = "hello"
            path = "hello.wasm"
            memory_size_mb = 512
            timeout = 10
            architecture = "arm64"
            vpc = true
            reserved_concurrency = 5
            environment = { GREETING = "hi" }
            "#,
            Path::new("/work"),
        )?;
        assert_eq!(file.runtime.seed, Some(42));
        assert_eq!(file.runtime.clock, ClockMode::Virtual);
        assert_eq!(file.runtime.cpu, CpuMode::Deterministic);
        assert_eq!(
            file.runtime.cold_start,
            ColdStartModel::preset("python").unwrap_or_default()
        );
        assert_eq!(
            file.runtime.vpc,
            VpcModel::Legacy2017 {
                eni: Delay::Fixed { ms: 8000.0 }
            }
        );
        assert_eq!(file.runtime.account_concurrency, 50);
        assert_eq!(file.runtime.eviction.idle_timeout, Duration::from_secs(300));
        assert_eq!(file.runtime.eviction.max_warm, Some(4));
        let FunctionSpec {
            code: path, config, ..
        } = &file.functions[0];
        assert_eq!(path, Path::new("/work/hello.wasm"));
        assert_eq!(config.memory_size_mb, 512);
        assert_eq!(config.timeout, Duration::from_secs(10));
        assert_eq!(config.architecture, Architecture::Arm64);
        assert!(config.vpc);
        assert_eq!(config.reserved_concurrency, Some(5));
        assert_eq!(
            config.environment.get("GREETING").map(String::as_str),
            Some("hi")
        );
        Ok(())
    }

    #[test]
    fn mistakes_are_named_with_their_line() {
        let error = |text: &str| match SimulationFile::parse(text, Path::new(".")) {
            Err(err) => err.to_string(),
            Ok(_) => panic!("{text} should be refused"),
        };
        let typo = error("[simulation]\nclokc = \"virtual\"\n");
        assert!(
            typo.contains("line 2") && typo.contains("unknown field `clokc`"),
            "{typo}"
        );
        let preset = error("[simulation]\ncold_start = \"cobol\"\n");
        assert_eq!(
            preset,
            "invalid configuration: unknown cold-start preset `cobol` (one of: none, rust, python, java)"
        );
        let memory = error("[[function]]\nname = \"f\"\npath = \"f.wasm\"\nmemory_size_mb = 127\n");
        assert_eq!(
            memory,
            "invalid configuration: function `f`: memory size 127 MB is outside Lambda's range of 128 to 10240 MB"
        );
        let negative =
            error("[[function]]\nname = \"f\"\npath = \"f.wasm\"\nreserved_concurrency = -1\n");
        assert!(negative.contains("line 4"), "{negative}");
    }
}
