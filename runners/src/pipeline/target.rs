//! An event-source mapping's [`Target`] that invokes a loaded function, with kills and injected
//! errors drawn from a seed, keeping the function's figures for the report; the function may
//! be looked up again at each batch, as a mapping that names a function follows its deployments.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use lambda_sim_pipeline::{Outcome, Target};
use lambda_sim_runtime::{Error, Function, Invocation, InvokeOptions, Payload};
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use super::report::FunctionFigures;
use crate::load::{PhaseStats, latency_histogram, record};

/// A loaded function as an event-source mapping's [`Target`]: each batch is a synchronous
/// invocation at the mapping's simulated time; the function's figures (invocations, errors,
/// cold starts, durations, bill) are kept. In a pipeline run, environment kills and injected
/// errors are drawn from the run's seed.
///
/// A target invokes the function it was made with, or, once given a resolver
/// ([`LambdaTarget::follow`]), the function the resolver returns at each batch: a new
/// deployment takes over from the next batch, while a batch in flight finishes on the code
/// it started on.
pub struct LambdaTarget {
    function: Function,
    resolver: Option<Resolver>,
    kill_rate: f64,
    error_rate: f64,
    rng: ChaCha8Rng,
    figures: FunctionFigures,
    init: Histogram<u64>,
    duration: Histogram<u64>,
    wall: Duration,
    observer: Option<Observer>,
}

/// What a target calls after each invocation: the invocation, or why there was none.
type Observer = Box<dyn FnMut(Result<&Invocation, &Error>) + Send>;

/// What a target asks before each batch for the function to invoke (`None`: the last one).
type Resolver = Box<dyn Fn() -> Option<Function> + Send>;

impl LambdaTarget {
    /// A target that invokes `function` as it is (no kills, no injected errors).
    pub fn new(function: &Function) -> Self {
        LambdaTarget::with_chaos(function, 0.0, 0.0, 0)
    }

    /// A target whose invocations' environments are killed with chance `kill_rate` and fail
    /// with an injected error (after the handler ran) with chance `error_rate`, drawn from
    /// `seed`.
    pub fn with_chaos(function: &Function, kill_rate: f64, error_rate: f64, seed: u64) -> Self {
        LambdaTarget {
            function: function.clone(),
            resolver: None,
            kill_rate,
            error_rate,
            rng: ChaCha8Rng::seed_from_u64(seed),
            figures: FunctionFigures::default(),
            init: latency_histogram(),
            duration: latency_histogram(),
            wall: Duration::ZERO,
            observer: None,
        }
    }

    /// Calls `observer` after each invocation with the invocation (to write its log lines), or
    /// with the error that refused it.
    pub fn observe(
        mut self,
        observer: impl FnMut(Result<&Invocation, &Error>) + Send + 'static,
    ) -> Self {
        self.observer = Some(Box::new(observer));
        self
    }

    /// Looks the function up with `resolve` before each batch, as a Lambda mapping names its
    /// function rather than holding its code: what `resolve` returns (cheaply, a clone of a
    /// handle) is invoked from that batch on; when it returns `None` (the function is gone),
    /// the last function found is invoked. The figures go on across the functions.
    pub fn follow(mut self, resolve: impl Fn() -> Option<Function> + Send + 'static) -> Self {
        self.resolver = Some(Box::new(resolve));
        self
    }

    /// What the function did so far (percentiles are filled by [`LambdaTarget::finish`]).
    pub fn figures(&self) -> &FunctionFigures {
        &self.figures
    }

    /// The function's figures, and the wall time spent in its invocations.
    pub fn finish(mut self) -> (FunctionFigures, Duration) {
        self.figures.init = PhaseStats::of(&self.init);
        self.figures.duration = PhaseStats::of(&self.duration);
        (self.figures, self.wall)
    }
}

impl Target for LambdaTarget {
    async fn invoke(&mut self, at: Duration, event: Vec<u8>) -> Outcome {
        if let Some(function) = self.resolver.as_ref().and_then(|resolve| resolve()) {
            // The previous handle is dropped: swapped-out code is held until this batch at most.
            self.function = function;
        }
        let payload = match Payload::json(&event) {
            Ok(payload) => payload,
            Err(err) => {
                return Outcome {
                    result: Err(("InvalidRequestContentException".to_owned(), err.to_string())),
                    throttled: false,
                    ends_at: at,
                };
            }
        };
        let kill = self.rng.random_bool(self.kill_rate.clamp(0.0, 1.0));
        let inject = self.rng.random_bool(self.error_rate.clamp(0.0, 1.0));
        // Both for this one invocation: the function's own faults stay as they are.
        let options = InvokeOptions::at(at).kill(kill).inject_error(inject);
        let wall = Instant::now();
        let result = self.function.invoke(&payload, options).await;
        self.wall += wall.elapsed();
        if let Some(observer) = &mut self.observer {
            observer(result.as_ref());
        }
        match result {
            Ok(invocation) => {
                let figures = &mut self.figures;
                figures.invocations += 1;
                figures.cost.add(&invocation.cost);
                record(&mut self.duration, invocation.report.duration);
                let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                match &invocation.init {
                    Some(init) => figures
                        .cold_ms
                        .push(ms(init.duration + invocation.report.duration)),
                    None => figures.warm_ms.push(ms(invocation.report.duration)),
                }
                if let Some(init) = &invocation.init {
                    figures.cold_starts += 1;
                    figures.cold.eni += init.cold_start.eni;
                    figures.cold.placement += init.cold_start.placement;
                    figures.cold.runtime_init += init.cold_start.runtime_init;
                    figures.cold.function_init += init.cold_start.function_init;
                    record(&mut self.init, init.duration);
                }
                if let Err(err) = &invocation.result {
                    figures.errors += 1;
                    if err.error_type == lambda_sim_runtime::FAULT_ERROR_TYPE {
                        figures.injected_errors += 1;
                    } else if err.error_message.ends_with("signal: killed") {
                        figures.kills += 1;
                    }
                }
                Outcome {
                    result: invocation
                        .result
                        .map_err(|err| (err.error_type, err.error_message)),
                    throttled: false,
                    ends_at: invocation.ends_at,
                }
            }
            Err(err @ Error::Throttled { .. }) => Outcome {
                result: Err(("TooManyRequestsException".to_owned(), err.to_string())),
                throttled: true,
                ends_at: at,
            },
            Err(err) => Outcome {
                result: Err((err.error_type().to_owned(), err.to_string())),
                throttled: false,
                ends_at: at,
            },
        }
    }
}
