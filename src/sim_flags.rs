//! The simulation's settings as flags (`--clock`, `--cpu`, `--cold-start`): each declared once,
//! flattened into the commands that take it, and applied to a `RuntimeConfig` in one place.
//!
//! Not every command takes every flag (`serve` has no `--clock`, `load` no `--cold-start`,
//! `demo` only `--cold-start`, its clock and CPU being fixed), so each flag is a small
//! `clap::Args` of its own and [`SimFlags`] groups the three. A command whose default differs
//! from the file's or `RuntimeConfig`'s sets it on its own arguments with
//! `#[command(mut_arg(...))]`, so that `--help` shows it.

use anyhow::Context as _;
use lambda_sim_runtime::{ClockMode, ColdStartModel, CpuMode, RuntimeConfig};

/// The values of `--clock`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Clock {
    // Wall time: injected delays are slept.
    Real,
    // Simulated time: injected delays advance the clock at once.
    Virtual,
}

/// The values of `--cpu`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Cpu {
    // The handler's CPU time on the host, throttled to the memory's share.
    Measured,
    // CPU counted in wasm fuel: the same run, the same figures.
    Deterministic,
}

/// The values of `--cold-start`: the presets of [`ColdStartModel::preset`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColdStartPreset {
    // Only what the simulator measures.
    None,
    // Published Init Durations of minimal functions (Rust 11-17 ms, Python 70-110 ms, Java
    // 184-219 ms) and Firecracker's placement; `provided` (an OS-only runtime) is Rust's.
    #[value(alias = "provided")]
    Rust,
    Python,
    Java,
}

impl ColdStartPreset {
    /// The preset's name, as `ColdStartModel::preset` and a `lambda-sim.toml` spell it.
    fn name(self) -> &'static str {
        match self {
            ColdStartPreset::None => "none",
            ColdStartPreset::Rust => "rust",
            ColdStartPreset::Python => "python",
            ColdStartPreset::Java => "java",
        }
    }
}

/// `--clock`.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct ClockFlag {
    /// Real time, or virtual time where delays cost nothing (the run goes as fast as the host
    /// can).
    #[arg(long, value_enum)]
    pub clock: Option<Clock>,
}

/// `--cpu`.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct CpuFlag {
    /// CPU measured on the host (throttled to the memory's share) or counted in wasm fuel.
    #[arg(long, value_enum)]
    pub cpu: Option<Cpu>,
}

/// `--cold-start`.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct ColdStartFlag {
    /// Cold-start delays: a runtime preset.
    #[arg(long, value_enum)]
    pub cold_start: Option<ColdStartPreset>,
}

/// The simulation's settings given as flags; a flag not given leaves the setting as it is (the
/// file's, or `RuntimeConfig`'s default).
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct SimFlags {
    #[command(flatten)]
    pub clock: ClockFlag,
    #[command(flatten)]
    pub cpu: CpuFlag,
    #[command(flatten)]
    pub cold_start: ColdStartFlag,
}

impl SimFlags {
    /// Sets in `config` what the flags give.
    pub fn apply(&self, config: &mut RuntimeConfig) -> anyhow::Result<()> {
        if let Some(clock) = self.clock.clock {
            config.clock = match clock {
                Clock::Real => ClockMode::Real,
                Clock::Virtual => ClockMode::Virtual,
            };
        }
        if let Some(cpu) = self.cpu.cpu {
            config.cpu = match cpu {
                Cpu::Measured => CpuMode::Measured,
                Cpu::Deterministic => CpuMode::Deterministic,
            };
        }
        if let Some(preset) = self.cold_start.cold_start {
            let name = preset.name();
            config.cold_start = ColdStartModel::preset(name)
                .with_context(|| format!("failed to find the cold-start preset `{name}`"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum as _;

    use super::*;

    #[test]
    fn the_cold_start_values_are_the_runtime_presets() {
        let names: Vec<&str> = ColdStartPreset::value_variants()
            .iter()
            .map(|p| p.name())
            .collect();
        assert_eq!(names, ColdStartModel::PRESETS);
        for preset in ColdStartPreset::value_variants() {
            let value = preset.to_possible_value().map(|v| v.get_name().to_owned());
            assert_eq!(value.as_deref(), Some(preset.name()));
            assert!(
                ColdStartModel::preset(preset.name()).is_some(),
                "{preset:?}"
            );
        }
    }

    #[test]
    fn flags_given_override_the_config_and_the_rest_is_kept() {
        let mut config = RuntimeConfig::default().cpu(CpuMode::Deterministic);
        SimFlags {
            clock: ClockFlag {
                clock: Some(Clock::Virtual),
            },
            cold_start: ColdStartFlag {
                cold_start: Some(ColdStartPreset::Java),
            },
            ..SimFlags::default()
        }
        .apply(&mut config)
        .expect("known presets");
        assert_eq!(config.clock, ClockMode::Virtual);
        assert_eq!(config.cpu, CpuMode::Deterministic);
        assert_eq!(Some(config.cold_start), ColdStartModel::preset("java"));
    }
}
