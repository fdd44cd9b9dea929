//! CPU in proportion to memory size: a function at M MB gets min(M / 1,769, 1) of one vCPU for
//! its single-threaded work, measured (really throttled) or deterministic (counted in fuel).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The memory size that buys one full vCPU.
pub const FULL_VCPU_MB: u32 = 1_769;

/// Wasm fuel (about one unit per WebAssembly instruction) that one vCPU burns per second in
/// deterministic mode. Calibrated on the project's 2-core machine: `cpu-burn` runs close to
/// this rate under wasmtime's Cranelift at full speed.
pub const DEFAULT_FUEL_PER_SECOND: u64 = 1_000_000_000;

/// How a handler's CPU time becomes its duration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CpuMode {
    /// The handler runs on the host and is throttled to its share with epoch yields (on a
    /// real clock), so timeouts and wall time behave as on Lambda; durations depend on the
    /// host's speed and load.
    #[default]
    Measured,
    /// CPU time is counted from wasm fuel at a fixed rate and divided by the share: the same
    /// handler and event give the same duration on any machine, loaded or not.
    Deterministic,
}

/// The share of one vCPU a function gets at `memory_mb`: min(M / 1,769, 1).
///
/// Lambda gives up to 6 vCPUs at 10,240 MB (one per 1,769 MB), but a WebAssembly guest runs on
/// one thread (`wasm32-wasip2` has no threads), so like any single-threaded code it gains
/// nothing above 1,769 MB.
pub fn cpu_share(memory_mb: u32) -> f64 {
    (f64::from(memory_mb) / f64::from(FULL_VCPU_MB)).min(1.0)
}

/// Lambda's vCPU count at `memory_mb` (for reports): one per 1,769 MB, 2 at the least as the
/// OS sees them, up to 6.
pub fn vcpus(memory_mb: u32) -> u32 {
    memory_mb.div_ceil(FULL_VCPU_MB).clamp(1, 6)
}

/// The duration of `fuel` units of work at `memory_mb` in deterministic mode.
pub fn deterministic_duration(fuel: u64, memory_mb: u32, fuel_per_second: u64) -> Duration {
    let seconds = fuel as f64 / fuel_per_second.max(1) as f64 / cpu_share(memory_mb);
    Duration::from_secs_f64(seconds.min(1e9))
}

/// The fuel that fills `limit` at `memory_mb` in deterministic mode (a timeout in fuel).
pub fn fuel_for(limit: Duration, memory_mb: u32, fuel_per_second: u64) -> u64 {
    let fuel = limit.as_secs_f64() * fuel_per_second as f64 * cpu_share(memory_mb);
    if fuel >= u64::MAX as f64 {
        u64::MAX
    } else {
        fuel.ceil() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_follows_memory_up_to_one_vcpu() {
        assert!((cpu_share(128) - 128.0 / 1769.0).abs() < 1e-12);
        assert_eq!(cpu_share(1_769), 1.0);
        assert_eq!(cpu_share(3_008), 1.0);
        let at =
            |mb| deterministic_duration(1_000_000_000, mb, DEFAULT_FUEL_PER_SECOND).as_secs_f64();
        assert!((at(128) / at(1_769) - 1769.0 / 128.0).abs() < 1e-6);
        assert_eq!(at(3_008), at(1_769));
        assert_eq!(vcpus(128), 1);
        assert_eq!(vcpus(10_240), 6);
    }

    #[test]
    fn a_timeout_in_fuel_lasts_the_timeout() {
        let fuel = fuel_for(Duration::from_secs(3), 512, DEFAULT_FUEL_PER_SECOND);
        let back = deterministic_duration(fuel, 512, DEFAULT_FUEL_PER_SECOND);
        assert!((back.as_secs_f64() - 3.0).abs() < 1e-6);
    }
}
