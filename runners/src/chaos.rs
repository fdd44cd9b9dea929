//! Chaos runs: a seeded stream of asynchronous events while environments are killed at random,
//! during invocations and between them; every event must end delivered or reported failed
//! after its retries, none lost, none delivered twice.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

use lambda_sim_runtime::{Faults, Function, InvokeOptions, Payload, RetryPolicy};
use rand::{Rng as _, RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use crate::Result;

/// Settings of a chaos run.
#[derive(Clone, Debug)]
pub struct ChaosOptions {
    /// How many asynchronous events to send. Default 10,000.
    pub events: usize,
    /// Arrivals per second (Poisson). Default 100.
    pub rate: f64,
    /// The chance that an attempt's environment is killed once its handler starts. Default 0.05.
    pub kill_during: f64,
    /// The chance that an idle environment is destroyed before an attempt. Default 0.01.
    pub kill_between: f64,
    /// Lambda's retries of an asynchronous invocation. Default 60 s and 120 s before two
    /// retries, refusals tried again for six hours.
    pub retry: RetryPolicy,
    /// The seed of arrivals and kills. Default 0.
    pub seed: u64,
    /// Faults injected into every attempt (start-up delays, forced errors), in place of the
    /// function's own for the run's invocations only. Default none.
    pub faults: Faults,
}

impl Default for ChaosOptions {
    fn default() -> Self {
        ChaosOptions {
            events: 10_000,
            rate: 100.0,
            kill_during: 0.05,
            kill_between: 0.01,
            retry: RetryPolicy::default(),
            seed: 0,
            faults: Faults::default(),
        }
    }
}

/// What a chaos run saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChaosReport {
    /// Events sent.
    pub events: usize,
    /// Invocations made (first attempts and retries).
    pub attempts: usize,
    /// Invocations that started a new environment.
    pub cold_starts: usize,
    /// Environments killed during an invocation.
    pub kills_during: usize,
    /// Idle environments destroyed between invocations.
    pub kills_between: usize,
    /// Retries made after a failed attempt.
    pub retries: usize,
    /// Attempts that failed (the error a synchronous caller would have seen).
    pub errors: usize,
    /// Attempts refused before running (throttles), retried without counting.
    pub refused: usize,
    /// Events delivered (an attempt succeeded).
    pub delivered: usize,
    /// Events reported failed after their retries.
    pub failed: usize,
    /// Events neither delivered nor reported failed: must be zero.
    pub lost: usize,
    /// Events delivered more than once: must be zero.
    pub duplicated: usize,
}

impl ChaosReport {
    /// Whether the invariants hold: nothing lost, nothing delivered twice, every event counted.
    pub fn holds(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.delivered + self.failed == self.events
    }
}

impl std::fmt::Display for ChaosReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "events:          {}", self.events)?;
        writeln!(f, "attempts:        {}", self.attempts)?;
        writeln!(f, "cold starts:     {}", self.cold_starts)?;
        writeln!(f, "kills during:    {}", self.kills_during)?;
        writeln!(f, "kills between:   {}", self.kills_between)?;
        writeln!(f, "retries:         {}", self.retries)?;
        writeln!(f, "errors:          {}", self.errors)?;
        writeln!(f, "refused:         {}", self.refused)?;
        writeln!(f, "delivered:       {}", self.delivered)?;
        writeln!(f, "failed:          {}", self.failed)?;
        writeln!(f, "lost:            {}", self.lost)?;
        write!(f, "duplicated:      {}", self.duplicated)
    }
}

/// Runs a chaos run on `function` with `payload` for every event. Deterministic for a function
/// on a virtual clock with deterministic CPU and a seed: the same options give the same report.
/// Kills and faults are passed with each invocation: the function is left as it was found.
pub async fn chaos_run(
    function: &Function,
    payload: &Payload,
    options: &ChaosOptions,
) -> Result<ChaosReport> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let mut report = ChaosReport {
        events: options.events,
        ..ChaosReport::default()
    };
    // Pending attempts in time order: (when, sequence, event, attempt number).
    let mut queue: BinaryHeap<Reverse<(Duration, u64, usize, usize)>> = BinaryHeap::new();
    let mut ids = Vec::with_capacity(options.events);
    let mut first_at = Vec::with_capacity(options.events);
    let mut at = Duration::ZERO;
    for event in 0..options.events {
        let gap = -(1.0 - rng.random::<f64>()).ln() / options.rate.max(1e-9);
        at += Duration::from_secs_f64(gap.min(3600.0));
        ids.push(function.new_request_id());
        first_at.push(at);
        queue.push(Reverse((at, event as u64, event, 0)));
    }
    let mut seq = options.events as u64;
    let mut successes = vec![0usize; options.events];
    let mut failed = vec![false; options.events];
    while let Some(Reverse((at, _, event, attempt))) = queue.pop() {
        if rng.random_bool(options.kill_between.clamp(0.0, 1.0))
            && function.evict_one(rng.next_u64())
        {
            report.kills_between += 1;
        }
        let kill = rng.random_bool(options.kill_during.clamp(0.0, 1.0));
        let attempt_options = InvokeOptions::at(at)
            .request_id(ids[event].clone())
            .kill(kill)
            .faults(options.faults.clone());
        match function.invoke(payload, attempt_options).await {
            Ok(invocation) => {
                report.attempts += 1;
                report.kills_during += usize::from(kill);
                report.cold_starts += usize::from(invocation.is_cold());
                if invocation.result.is_ok() {
                    successes[event] += 1;
                } else {
                    report.errors += 1;
                    match options.retry.after_failure(attempt + 1) {
                        Some(delay) => {
                            report.retries += 1;
                            seq += 1;
                            let retry_at = invocation.ends_at + delay;
                            queue.push(Reverse((retry_at, seq, event, attempt + 1)));
                        }
                        None => failed[event] = true,
                    }
                }
            }
            Err(_) => {
                // Refused before running (a throttle): nothing was killed; retry later.
                report.refused += 1;
                let waited = at.saturating_sub(first_at[event]);
                match options.retry.after_refusal(attempt, waited) {
                    Some(delay) => {
                        seq += 1;
                        queue.push(Reverse((at + delay, seq, event, attempt)));
                    }
                    None => failed[event] = true,
                }
            }
        }
    }
    report.delivered = successes.iter().filter(|&&n| n > 0).count();
    report.duplicated = successes.iter().filter(|&&n| n > 1).count();
    report.failed = failed
        .iter()
        .zip(&successes)
        .filter(|(f, n)| **f && **n == 0)
        .count();
    report.lost = options.events - report.delivered - report.failed;
    Ok(report)
}
