//! `[simulation]`: the settings of the simulator itself, onto Lambda's defaults.

use lambda_sim_runtime::{
    ClockMode, ColdStartModel, CpuMode, EvictionPolicy, RuntimeConfig, ScalingRate, VpcModel,
};
use serde::Deserialize;

use crate::{Error, Result};

/// The `[simulation]` table: each setting given replaces [`RuntimeConfig`]'s default.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Simulation {
    seed: Option<u64>,
    clock: Option<ClockMode>,
    cpu: Option<CpuMode>,
    fuel_per_second: Option<u64>,
    cold_start: Option<Named<ColdStartModel>>,
    vpc: Option<Named<VpcModel>>,
    eviction: Option<EvictionPolicy>,
    account_concurrency: Option<u32>,
    scaling: Option<ScalingRate>,
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

impl Simulation {
    /// The runtime's settings, checked.
    pub(super) fn into_config(self) -> Result<RuntimeConfig> {
        let mut runtime = RuntimeConfig::default();
        runtime.seed = self.seed;
        if let Some(clock) = self.clock {
            runtime.clock = clock;
        }
        if let Some(cpu) = self.cpu {
            runtime.cpu = cpu;
        }
        if let Some(fuel) = self.fuel_per_second {
            runtime.fuel_per_second = fuel;
        }
        if let Some(cold_start) = self.cold_start {
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
        if let Some(vpc) = self.vpc {
            runtime.vpc = match vpc {
                Named::Name(name) => VpcModel::named(&name).ok_or_else(|| {
                    Error::InvalidConfig(format!(
                        "unknown VPC mode `{name}` (one of: none, legacy-2017, hyperplane)"
                    ))
                })?,
                Named::Full(model) => model,
            };
        }
        if let Some(eviction) = self.eviction {
            runtime.eviction = eviction;
        }
        if let Some(limit) = self.account_concurrency {
            runtime.account_concurrency = limit;
        }
        if let Some(scaling) = self.scaling {
            runtime.scaling = scaling;
        }
        if let Some(max) = self.max_environments {
            runtime.max_environments = max;
        }
        if let Some(bill_init) = self.bill_init {
            runtime.bill_init = bill_init;
        }
        runtime.validate()?;
        Ok(runtime)
    }
}
