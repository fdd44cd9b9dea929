//! Power tuning, as AWS Lambda Power Tuning does it on AWS: the same function and event at
//! several memory sizes, each size's duration and cost per invocation, and the size a strategy
//! recommends (the cheapest, the fastest, or a weighted balance), with the reason. Locally,
//! reproducibly (deterministic CPU by default, so the figures do not depend on the host's load)
//! and in seconds.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use lambda_sim_runtime::{
    Architecture, ClockMode, Cost, CpuMode, FunctionConfig, Payload, Runtime, RuntimeConfig,
};
use serde::Serialize;

use crate::{Error, Result};

/// Lambda Power Tuning's default memory sizes, with 1,769 MB (one full vCPU) added.
pub const DEFAULT_MEMORY_SIZES: [u32; 8] = [128, 256, 512, 1024, 1536, 1769, 3008, 10240];

/// What to optimise.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Strategy {
    /// The lowest cost per invocation (ties: the faster).
    Cost,
    /// The lowest average duration (ties within 1%: the cheaper).
    Speed,
    /// The lowest `weight * cost / max cost + (1 - weight) * duration / max duration`.
    Balanced {
        /// The weight of cost, 0 to 1 (Power Tuning's default 0.5).
        weight: f64,
    },
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Cost => f.write_str("cost"),
            Strategy::Speed => f.write_str("speed"),
            Strategy::Balanced { weight } => write!(f, "balanced (cost weight {weight})"),
        }
    }
}

/// Settings of a tuning run.
#[derive(Clone, Debug)]
pub struct TuneOptions {
    /// The memory sizes to try, in MB. Default [`DEFAULT_MEMORY_SIZES`].
    pub memory_sizes: Vec<u32>,
    /// Invocations per size: the first is a cold start, the others warm. Default 10.
    pub runs: usize,
    /// What to optimise. Default [`Strategy::Cost`].
    pub strategy: Strategy,
    /// Every invocation a cold start (evicting before each). Default false.
    pub cold_only: bool,
    /// Deterministic CPU (fuel, the same figures on any machine) or measured. Default
    /// deterministic.
    pub cpu: CpuMode,
    /// The instruction set, for the price. Default x86_64.
    pub architecture: Architecture,
    /// The seed of request ids and cold-start draws. Default 0.
    pub seed: u64,
}

impl Default for TuneOptions {
    fn default() -> Self {
        TuneOptions {
            memory_sizes: DEFAULT_MEMORY_SIZES.to_vec(),
            runs: 10,
            strategy: Strategy::Cost,
            cold_only: false,
            cpu: CpuMode::Deterministic,
            architecture: Architecture::X86_64,
            seed: 0,
        }
    }
}

/// The figures of one memory size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SizeResult {
    /// The memory size, MB.
    pub memory_mb: u32,
    /// Invocations measured (warm ones, or every one with `cold_only`).
    pub invocations: usize,
    /// Of them, function errors.
    pub errors: usize,
    /// Their average Duration, ms.
    pub average_ms: f64,
    /// Their 99th percentile Duration, ms (the highest of fewer than 100).
    pub p99_ms: f64,
    /// Their average Billed Duration, ms.
    pub average_billed_ms: f64,
    /// The average cost of one invocation (compute and request), USD.
    pub cost_per_invocation: f64,
    /// The same for a million invocations, USD.
    pub cost_per_million: f64,
    /// The cold start's Init Duration, ms.
    pub init_ms: f64,
    /// What the cold start adds to one invocation's cost (its billed init), USD.
    pub cold_start_cost: f64,
    /// Every measured Duration, ms (for a histogram).
    pub durations_ms: Vec<f64>,
    /// The cold invocations' Durations plus Init Durations, ms.
    pub cold_ms: Vec<f64>,
    /// Every invocation on the size's simulated timeline, for the report's timeline.
    pub runs: Vec<Run>,
}

/// One invocation of a tuning run on its size's timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Run {
    /// When its Init (cold) or Invoke phase started, ms after the size's first invocation.
    pub start_ms: f64,
    /// Its Init Duration, ms (0 when warm).
    pub init_ms: f64,
    /// Its Duration, ms.
    pub duration_ms: f64,
    /// Whether it failed.
    pub failed: bool,
}

/// What a tuning run found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TuneReport {
    /// The function's name.
    pub function: String,
    /// The strategy.
    pub strategy: Strategy,
    /// One entry per memory size, in the order tried.
    pub results: Vec<SizeResult>,
    /// The recommended memory size, MB.
    pub recommended_mb: u32,
    /// Why.
    pub reason: String,
}

/// Runs `wasm` with `event` at each memory size and recommends one.
pub async fn tune(
    wasm: &Path,
    name: &str,
    event: &Payload,
    options: &TuneOptions,
    mut progress: impl FnMut(u32),
) -> Result<TuneReport> {
    if options.memory_sizes.is_empty() {
        return Err(Error::InvalidSetting(
            "give at least one memory size".to_owned(),
        ));
    }
    if options.runs < 2 && !options.cold_only {
        return Err(Error::InvalidSetting(
            "give at least 2 runs per size (the first is a cold start), or --cold-only".to_owned(),
        ));
    }
    if let Strategy::Balanced { weight } = options.strategy
        && !(0.0..=1.0).contains(&weight)
    {
        return Err(Error::InvalidSetting(format!(
            "the balanced weight {weight} is outside 0 to 1"
        )));
    }
    let runtime = Runtime::new(
        RuntimeConfig::default()
            .clock(ClockMode::Virtual)
            .cpu(options.cpu)
            .seed(options.seed),
    )?;
    let mut results = Vec::with_capacity(options.memory_sizes.len());
    for &memory in &options.memory_sizes {
        progress(memory);
        let function = runtime.load_file(
            wasm,
            FunctionConfig::named(format!("{name}-{memory}"))
                .memory_size_mb(memory)
                .timeout(lambda_sim_runtime::MAX_TIMEOUT)
                .architecture(options.architecture),
        )?;
        let mut at = runtime.clock().now();
        let mut measured = Vec::new();
        let mut cold = Vec::new();
        let mut runs = Vec::new();
        let mut first_start = None;
        for run in 0..options.runs {
            if options.cold_only {
                function.evict_all();
            }
            let invocation = function.invoke_at(at, event).await?;
            at = invocation.ends_at;
            let init = invocation.report.init_duration.unwrap_or_default();
            let begin = invocation.started_at - init;
            let origin = *first_start.get_or_insert(begin);
            runs.push(Run {
                start_ms: begin.duration_since(origin).map(ms).unwrap_or_default(),
                init_ms: ms(init),
                duration_ms: ms(invocation.report.duration),
                failed: invocation.error().is_some(),
            });
            if invocation.is_cold() {
                cold.push(invocation.clone());
            }
            if options.cold_only || run > 0 {
                measured.push(invocation);
            }
        }
        let mut result = size_result(memory, options.architecture, &measured, &cold);
        result.runs = runs;
        results.push(result);
    }
    let (recommended_mb, reason) = recommend(&results, options.strategy);
    Ok(TuneReport {
        function: name.to_owned(),
        strategy: options.strategy,
        results,
        recommended_mb,
        reason,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn size_result(
    memory_mb: u32,
    arch: Architecture,
    measured: &[lambda_sim_runtime::Invocation],
    cold: &[lambda_sim_runtime::Invocation],
) -> SizeResult {
    let n = measured.len().max(1) as f64;
    let mut durations: Vec<f64> = measured.iter().map(|i| ms(i.report.duration)).collect();
    let average_ms = durations.iter().sum::<f64>() / n;
    // What Lambda bills (with `cold_only`, the init too, as since August 2025).
    let billed: Vec<u64> = measured
        .iter()
        .map(|i| i.report.billed_duration_ms)
        .collect();
    let average_billed_ms = billed.iter().sum::<u64>() as f64 / n;
    let mut cost = Cost::default();
    for &ms in &billed {
        cost.add(&Cost::of_invocation(ms, memory_mb, arch));
    }
    let cost_per_invocation = cost.total_usd() / n;
    durations.sort_by(f64::total_cmp);
    let p99_ms = durations
        .get(((durations.len() as f64 * 0.99).ceil() as usize).saturating_sub(1))
        .copied()
        .unwrap_or_default();
    let init_ms = cold
        .first()
        .and_then(|i| i.report.init_duration)
        .map(ms)
        .unwrap_or_default();
    let cold_start_cost = cold.first().map_or(0.0, |i| {
        let init = i.report.init_duration.unwrap_or_default();
        Cost::of_invocation(billed_init_ms(i, init), memory_mb, arch).compute_usd
    });
    SizeResult {
        memory_mb,
        invocations: measured.len(),
        errors: measured.iter().filter(|i| i.error().is_some()).count(),
        average_ms,
        p99_ms,
        average_billed_ms,
        cost_per_invocation,
        cost_per_million: cost_per_invocation * 1e6,
        init_ms,
        cold_start_cost,
        durations_ms: durations,
        cold_ms: cold
            .iter()
            .map(|i| ms(i.report.duration + i.report.init_duration.unwrap_or_default()))
            .collect(),
        runs: Vec::new(),
    }
}

/// The part of an invocation's Billed Duration that is its init (the 2025 rule bills both
/// together, rounded up once).
fn billed_init_ms(invocation: &lambda_sim_runtime::Invocation, init: Duration) -> u64 {
    if init.is_zero() {
        return 0;
    }
    let alone = invocation
        .report
        .duration
        .as_nanos()
        .div_ceil(1_000_000)
        .max(1) as u64;
    invocation.report.billed_duration_ms.saturating_sub(alone)
}

fn recommend(results: &[SizeResult], strategy: Strategy) -> (u32, String) {
    let ok: Vec<&SizeResult> = results.iter().filter(|r| r.errors == 0).collect();
    let pool = if ok.is_empty() {
        results.iter().collect()
    } else {
        ok
    };
    let cheapest = |a: &&SizeResult, b: &&SizeResult| {
        a.cost_per_invocation
            .total_cmp(&b.cost_per_invocation)
            .then(a.average_ms.total_cmp(&b.average_ms))
    };
    let Some(&first) = pool.first() else {
        return (0, "nothing was measured".to_owned());
    };
    let best = match strategy {
        Strategy::Cost => pool.iter().copied().min_by(cheapest).unwrap_or(first),
        Strategy::Speed => {
            let fastest = pool
                .iter()
                .map(|r| r.average_ms)
                .fold(f64::INFINITY, f64::min);
            pool.iter()
                .copied()
                .filter(|r| r.average_ms <= fastest * 1.01)
                .min_by(cheapest)
                .unwrap_or(first)
        }
        Strategy::Balanced { weight } => {
            let max_cost = pool
                .iter()
                .map(|r| r.cost_per_invocation)
                .fold(0.0, f64::max)
                .max(f64::MIN_POSITIVE);
            let max_ms = pool
                .iter()
                .map(|r| r.average_ms)
                .fold(0.0, f64::max)
                .max(f64::MIN_POSITIVE);
            let score = |r: &SizeResult| {
                weight * r.cost_per_invocation / max_cost + (1.0 - weight) * r.average_ms / max_ms
            };
            pool.iter()
                .copied()
                .min_by(|a, b| score(a).total_cmp(&score(b)).then(cheapest(a, b)))
                .unwrap_or(first)
        }
    };
    let reason = match strategy {
        Strategy::Cost => format!(
            "the lowest cost per invocation: ${:.9} at {} MB ({:.2} ms on average)",
            best.cost_per_invocation, best.memory_mb, best.average_ms
        ),
        Strategy::Speed => format!(
            "the fastest: {:.2} ms on average at {} MB; larger sizes are no faster (within 1%) and cost more",
            best.average_ms, best.memory_mb
        ),
        Strategy::Balanced { weight } => format!(
            "the best balance (cost weight {weight}): {:.2} ms and ${:.9} per invocation at {} MB",
            best.average_ms, best.cost_per_invocation, best.memory_mb
        ),
    };
    (best.memory_mb, reason)
}

/// The columns of a tune report's table, in its text and HTML forms.
pub(crate) const COLUMNS: [&str; 8] = [
    "memory",
    "avg ms",
    "p99 ms",
    "billed ms",
    "$ / invocation",
    "$ / million",
    "init ms",
    "cold start $",
];

impl fmt::Display for TuneReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [
            memory,
            avg,
            p99,
            billed,
            per_invocation,
            per_million,
            init,
            cold,
        ] = COLUMNS;
        writeln!(
            f,
            "{memory:>8}  {avg:>10}  {p99:>10}  {billed:>10}  {per_invocation:>16}  \
             {per_million:>12}  {init:>10}  {cold:>14}"
        )?;
        for r in &self.results {
            let mark = if r.memory_mb == self.recommended_mb {
                " <-"
            } else {
                ""
            };
            writeln!(
                f,
                "{:>5} MB  {:>10.2}  {:>10.2}  {:>10.1}  {:>16.10}  {:>12.4}  {:>10.2}  {:>14.10}{mark}",
                r.memory_mb,
                r.average_ms,
                r.p99_ms,
                r.average_billed_ms,
                r.cost_per_invocation,
                r.cost_per_million,
                r.init_ms,
                r.cold_start_cost
            )?;
        }
        write!(
            f,
            "recommended for {}: {} MB: {}",
            self.strategy, self.recommended_mb, self.reason
        )
    }
}
