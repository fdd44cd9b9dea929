//! Load runs: open-loop arrivals at a rate, or closed-loop clients, with latencies recorded
//! in HDR histograms per phase (cold start total, init, invoke, warm invoke).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hdrhistogram::Histogram;
use lambda_sim_runtime::{Error, Function, Invocation, InvokeOptions, Payload};
use serde::Serialize;

/// How a load run sends its invocations.
#[derive(Clone, Debug)]
pub enum Arrivals {
    /// Open loop: invocations arrive at this rate per second (evenly spaced), whether or not
    /// earlier ones have finished; each runs concurrently on its own task.
    Rate(f64),
    /// Closed loop: this many clients, each sending its next invocation when the last returns.
    Clients(usize),
}

/// Settings of a load run.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// How invocations arrive.
    pub arrivals: Arrivals,
    /// How long the run sends invocations (in the function's clock: simulated on a virtual one).
    pub duration: Duration,
}

/// Percentiles of one phase's latencies, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PhaseStats {
    /// How many samples.
    pub count: u64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// The largest.
    pub max_ms: f64,
}

impl PhaseStats {
    /// The percentiles of a histogram of microseconds.
    pub(crate) fn of(h: &Histogram<u64>) -> Self {
        let ms = |us: u64| us as f64 / 1000.0;
        if h.is_empty() {
            return PhaseStats::default();
        }
        PhaseStats {
            count: h.len(),
            p50_ms: ms(h.value_at_quantile(0.5)),
            p90_ms: ms(h.value_at_quantile(0.9)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            p999_ms: ms(h.value_at_quantile(0.999)),
            max_ms: ms(h.max()),
        }
    }
}

/// A histogram of latencies in microseconds, 1 us to 1 hour at 3 significant digits (longer
/// ones saturate).
pub(crate) fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3)
        .expect("1 us to 1 hour at 3 significant digits are valid histogram bounds")
}

/// Records `d` in a latency histogram, in microseconds.
pub(crate) fn record(h: &mut Histogram<u64>, d: Duration) {
    let us = u64::try_from(d.as_micros())
        .unwrap_or(u64::MAX)
        .clamp(1, h.high());
    let _ = h.record(us);
}

/// What a load run measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LoadReport {
    /// Invocations that ran.
    pub invocations: u64,
    /// Of them, cold starts.
    pub cold_starts: u64,
    /// Of them, function errors.
    pub errors: u64,
    /// Invocations refused (throttles and other refusals).
    pub refused: u64,
    /// Cold starts, from arrival to the handler's end: ENI, placement, Init Duration, Duration.
    pub cold_total: PhaseStats,
    /// Init Duration of the cold starts.
    pub init: PhaseStats,
    /// Duration of every invocation.
    pub invoke: PhaseStats,
    /// Duration of the warm invocations.
    pub warm: PhaseStats,
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} invocations, {} cold starts, {} errors, {} refused",
            self.invocations, self.cold_starts, self.errors, self.refused
        )?;
        writeln!(
            f,
            "{:<11} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}",
            "phase", "count", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"
        )?;
        for (name, s) in [
            ("cold total", &self.cold_total),
            ("init", &self.init),
            ("invoke", &self.invoke),
            ("warm", &self.warm),
        ] {
            writeln!(
                f,
                "{name:<11} {:>8} {:>10.3} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
                s.count, s.p50_ms, s.p90_ms, s.p99_ms, s.p999_ms, s.max_ms
            )?;
        }
        Ok(())
    }
}

/// The histograms a run fills (microseconds, 3 significant digits).
struct Recorder {
    cold_total: Histogram<u64>,
    init: Histogram<u64>,
    invoke: Histogram<u64>,
    warm: Histogram<u64>,
    report: LoadReport,
}

impl Recorder {
    fn new() -> Self {
        Recorder {
            cold_total: latency_histogram(),
            init: latency_histogram(),
            invoke: latency_histogram(),
            warm: latency_histogram(),
            report: LoadReport::default(),
        }
    }

    fn record(&mut self, outcome: Result<Invocation, Error>) {
        match outcome {
            Ok(invocation) => {
                self.report.invocations += 1;
                self.report.errors += u64::from(invocation.result.is_err());
                let duration = invocation.report.duration;
                record(&mut self.invoke, duration);
                match &invocation.init {
                    Some(init) => {
                        self.report.cold_starts += 1;
                        record(&mut self.init, init.duration);
                        record(&mut self.cold_total, init.cold_start.total() + duration);
                    }
                    None => {
                        record(&mut self.warm, duration);
                    }
                }
            }
            Err(_) => self.report.refused += 1,
        }
    }

    fn finish(mut self) -> LoadReport {
        self.report.cold_total = PhaseStats::of(&self.cold_total);
        self.report.init = PhaseStats::of(&self.init);
        self.report.invoke = PhaseStats::of(&self.invoke);
        self.report.warm = PhaseStats::of(&self.warm);
        self.report
    }
}

/// Runs a load against `function`; `progress` is told each invocation's completion with the
/// run's progress as a fraction (for a progress bar). On a virtual clock arrivals are
/// simulated (an open loop's concurrent arrivals overlap in simulated time); on a real one
/// they are real tasks.
pub async fn load_run(
    function: &Function,
    payload: &Payload,
    options: &LoadOptions,
    progress: impl Fn(f64) + Send + Sync + 'static,
) -> LoadReport {
    let recorder = Arc::new(Mutex::new(Recorder::new()));
    let clock = function.clock().clone();
    let start = clock.now();
    let end = start + options.duration;
    let total = options.duration.as_secs_f64().max(1e-9);
    let fraction = move |now: Duration| (now.saturating_sub(start).as_secs_f64() / total).min(1.0);
    let progress = Arc::new(progress);
    match options.arrivals {
        Arrivals::Rate(rate) => {
            let gap = Duration::from_secs_f64(1.0 / rate.max(1e-6));
            let mut at = start;
            let mut tasks = Vec::new();
            while at < end {
                if clock.is_virtual() {
                    let outcome = function.invoke_at(at, payload).await;
                    lock(&recorder).record(outcome);
                    progress(fraction(at));
                } else {
                    let now = clock.now();
                    if at > now {
                        tokio::time::sleep(at - now).await;
                    }
                    let (function, payload, recorder, progress, fraction) = (
                        function.clone(),
                        payload.clone(),
                        recorder.clone(),
                        progress.clone(),
                        fraction,
                    );
                    let clock = clock.clone();
                    tasks.push(tokio::spawn(async move {
                        let outcome = function.invoke(&payload, InvokeOptions::default()).await;
                        lock(&recorder).record(outcome);
                        progress(fraction(clock.now()));
                    }));
                }
                at += gap;
            }
            for task in tasks {
                let _ = task.await;
            }
        }
        Arrivals::Clients(clients) if clock.is_virtual() => {
            // Simulated clients, served in time order: each sends again when its last ends.
            let mut queue: std::collections::BinaryHeap<std::cmp::Reverse<(Duration, usize)>> = (0
                ..clients.max(1))
                .map(|client| std::cmp::Reverse((start, client)))
                .collect();
            while let Some(std::cmp::Reverse((at, client))) = queue.pop() {
                if at >= end {
                    continue;
                }
                let outcome = function.invoke_at(at, payload).await;
                let next = match &outcome {
                    Ok(invocation) => invocation.ends_at,
                    Err(_) => at + Duration::from_millis(1),
                }
                .max(at + Duration::from_nanos(1));
                lock(&recorder).record(outcome);
                progress(fraction(next));
                queue.push(std::cmp::Reverse((next, client)));
            }
        }
        Arrivals::Clients(clients) => {
            let mut tasks = Vec::new();
            for _ in 0..clients.max(1) {
                let (function, payload, recorder, progress, fraction) = (
                    function.clone(),
                    payload.clone(),
                    recorder.clone(),
                    progress.clone(),
                    fraction,
                );
                let clock = clock.clone();
                tasks.push(tokio::spawn(async move {
                    while clock.now() < end {
                        let outcome = function.invoke(&payload, InvokeOptions::default()).await;
                        lock(&recorder).record(outcome);
                        progress(fraction(clock.now()));
                    }
                }));
            }
            for task in tasks {
                let _ = task.await;
            }
        }
    }
    // Every task has been awaited: the recorder holds all the samples.
    let recorder = std::mem::replace(&mut *lock(&recorder), Recorder::new());
    recorder.finish()
}

fn lock(recorder: &Mutex<Recorder>) -> std::sync::MutexGuard<'_, Recorder> {
    recorder
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
