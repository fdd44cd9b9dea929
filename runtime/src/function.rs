//! A loaded function: its compiled component, its configuration, and its environments.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::billing::Cost;
use crate::bindings::lambda_sim::handler::types;
use crate::coldstart::{ColdStart, VpcModel};
use crate::cpu::CpuMode;
use crate::environment::{Ending, Environment};
use crate::invocation::{FunctionError, InitPhase, Invocation};
use crate::report::{Report, Status, billed_ms};
use crate::runtime::RuntimeInner;
use crate::{Error, FunctionConfig, Payload, Result, bindings};

/// A function loaded into a [`Runtime`](crate::Runtime); cheap to clone.
///
/// Each invocation runs on a warm environment if one is free, else on a new one (a cold
/// start); one environment serves one invocation at a time.
#[derive(Clone)]
pub struct Function {
    pub(crate) inner: Arc<FunctionInner>,
}

pub(crate) struct FunctionInner {
    pub(crate) runtime: Arc<RuntimeInner>,
    pub(crate) pre: bindings::FunctionPre<crate::host::Host>,
    pub(crate) config: FunctionConfig,
    pub(crate) arn: String,
    /// Lambda's standard variables and the function's own, in the order the guest sees them.
    pub(crate) env: Vec<(String, String)>,
    pub(crate) memory_limit: usize,
    /// When the function was loaded (deployed), in simulation time.
    pub(crate) loaded_at: Duration,
    pub(crate) state: Mutex<State>,
}

/// The function's environments that no invocation holds, and how many are held.
#[derive(Default)]
pub(crate) struct State {
    /// Environments not serving an invocation on the host; on a virtual clock some are still
    /// busy in simulated time (`free_at` after now).
    pub(crate) envs: Vec<Environment>,
    /// Environments serving an invocation on the host right now.
    pub(crate) checked_out: u32,
    /// The kill switches of the environments serving an invocation.
    pub(crate) running: Vec<Arc<std::sync::atomic::AtomicBool>>,
    /// Whether the provisioned environments were made.
    provisioned: bool,
    /// Kill the environment of the next invocation once its handler starts (chaos).
    kill_next: bool,
    /// Faults injected into invocations (chaos).
    faults: crate::faults::Faults,
    /// New environments the function may still add now (its scaling rate's token bucket).
    pub(crate) scale_tokens: f64,
    /// When the bucket was last filled, in simulation time.
    pub(crate) scale_at: Duration,
}

impl State {
    /// Environments busy at simulation time `t`.
    pub(crate) fn busy_at(&self, t: Duration) -> u32 {
        let pending = self.envs.iter().filter(|env| env.free_at > t).count();
        self.checked_out + u32::try_from(pending).unwrap_or(u32::MAX)
    }
}

impl Function {
    pub(crate) fn new(
        runtime: Arc<RuntimeInner>,
        pre: bindings::FunctionPre<crate::host::Host>,
        config: FunctionConfig,
    ) -> Self {
        let arn = config.arn();
        let env = standard_env(&config);
        let memory_limit =
            usize::try_from(u64::from(config.memory_size_mb) << 20).unwrap_or(usize::MAX);
        let loaded_at = runtime.clock.now();
        let burst = f64::from(runtime.config.scaling.burst);
        Function {
            inner: Arc::new(FunctionInner {
                runtime,
                pre,
                config,
                arn,
                env,
                memory_limit,
                loaded_at,
                state: Mutex::new(State {
                    scale_tokens: burst,
                    scale_at: loaded_at,
                    ..State::default()
                }),
            }),
        }
    }

    /// The function's configuration.
    pub fn config(&self) -> &FunctionConfig {
        &self.inner.config
    }

    /// The clock of the runtime the function runs in.
    pub fn clock(&self) -> &crate::Clock {
        &self.inner.runtime.clock
    }

    /// How many environments exist and serve no invocation (on a virtual clock, including
    /// those still busy in simulated time).
    pub fn warm_environments(&self) -> usize {
        self.inner.state().envs.len()
    }

    /// The files the function's idle environments left in their `/tmp`, each as
    /// `/tmp/<path>`, sorted and without repeats: what an environment keeps between
    /// invocations besides its memory.
    pub fn tmp_files(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .inner
            .state()
            .envs
            .iter()
            .flat_map(|env| env.tmp_files())
            .map(|file| format!("/tmp/{file}"))
            .collect();
        files.sort();
        files.dedup();
        files
    }

    /// The stores of the function's runtime (key-value, objects, Firehose).
    pub fn services(&self) -> &lambda_sim_services::Services {
        &self.inner.runtime.services
    }

    /// Destroys every environment that serves no invocation: the next invocation is a cold
    /// start. Returns how many were destroyed. (The chaos API: an environment that is serving
    /// is not touched.)
    pub fn evict_all(&self) -> usize {
        let evicted: Vec<Environment> = std::mem::take(&mut self.inner.state().envs);
        let count = evicted.len();
        for env in evicted {
            env.destroy(&self.inner);
        }
        count
    }

    /// Kills the environment that serves the next invocation, once its handler has started
    /// (the chaos API's kill during an invocation, independent of timing): that invocation
    /// fails with `Runtime.ExitError` and the environment is reset.
    pub fn kill_next(&self) {
        self.inner.state().kill_next = true;
    }

    /// Injects faults into the following invocations (replacing any injected before); the
    /// draws come from the run's seeded random source.
    pub fn inject_faults(&self, faults: crate::faults::Faults) {
        self.inner.state().faults = faults;
    }

    /// The faults injected now (see [`Function::inject_faults`]).
    pub fn faults(&self) -> crate::faults::Faults {
        self.inner.state().faults.clone()
    }

    /// Takes back a [`Function::kill_next`] that no invocation used yet.
    pub fn cancel_kill_next(&self) {
        self.inner.state().kill_next = false;
    }

    /// Destroys one idle environment, the `pick`-th modulo their number (the chaos API's kill
    /// between invocations). Returns whether there was one.
    pub fn evict_one(&self, pick: u64) -> bool {
        let env = {
            let mut state = self.inner.state();
            if state.envs.is_empty() {
                return false;
            }
            let index = usize::try_from(pick % state.envs.len() as u64).unwrap_or(0);
            state.envs.swap_remove(index)
        };
        env.destroy(&self.inner);
        true
    }

    /// Invokes at simulation time `at` under a given request id: one attempt of an
    /// asynchronous event, whose retries keep the event's request id.
    pub async fn invoke_attempt_at(
        &self,
        at: Duration,
        payload: &Payload,
        request_id: &str,
    ) -> Result<Invocation> {
        self.invoke_with_id(at, payload, Some(request_id.to_owned()))
            .await
    }

    /// A new request id from the run's seeded random source.
    pub fn new_request_id(&self) -> String {
        self.inner.runtime.request_id()
    }

    /// How many invocations are running on the host right now.
    pub fn running_invocations(&self) -> usize {
        self.inner.state().running.len()
    }

    /// Kills every environment serving an invocation right now (the chaos API): each of those
    /// invocations fails with `Runtime.ExitError` (`signal: killed`) within about 10 ms of
    /// guest time, and its environment is reset. Returns how many were killed.
    pub fn kill_running(&self) -> usize {
        let state = self.inner.state();
        for switch in &state.running {
            switch.store(true, std::sync::atomic::Ordering::Release);
        }
        state.running.len()
    }

    /// Makes the provisioned environments now (otherwise the first invocation does), so that
    /// up to `provisioned_concurrency` concurrent invocations find an initialised environment.
    pub async fn provision(&self) -> Result<()> {
        let inner = &*self.inner;
        let wanted = {
            let mut state = inner.state();
            if state.provisioned {
                return Ok(());
            }
            state.provisioned = true;
            inner.config.provisioned_concurrency
        };
        let at = inner.runtime.clock.now();
        for _ in 0..wanted {
            let log_stream = inner.runtime.log_stream_name();
            let mut env = Environment::create(inner, log_stream, at).await?;
            let request_id = inner.runtime.request_id();
            let outcome = env
                .init(inner, &request_id, at, crate::config::INIT_LIMIT)
                .await;
            if outcome.kind != Ending::Returned || outcome.result.is_err() {
                env.destroy(inner);
                let reason = outcome
                    .result
                    .err()
                    .map(|e| e.error_message)
                    .unwrap_or_default();
                return Err(Error::Environment(format!(
                    "failed to initialise a provisioned environment: {reason}"
                )));
            }
            let _ = env.take_log();
            env.provisioned = true;
            inner.state().envs.push(env);
        }
        Ok(())
    }

    /// Invokes the function now (the clock's current time) with a checked payload.
    ///
    /// `Err` when Lambda would refuse the request: a throttle (`TooManyRequestsException`),
    /// a `Pending` function, or no sandbox left. Everything the function does, including
    /// failing, is in the [`Invocation`].
    pub async fn invoke(&self, payload: &Payload) -> Result<Invocation> {
        let at = self.inner.runtime.clock.now();
        self.invoke_at(at, payload).await
    }

    /// Invokes the function at simulation time `at` (moving a virtual clock there first).
    ///
    /// On a virtual clock, invocations are served in the order they are made, and an
    /// environment is busy until its invocation ends in simulated time: invocations made at
    /// the same `at` are concurrent, each on its own environment, as on Lambda.
    pub async fn invoke_at(&self, at: Duration, payload: &Payload) -> Result<Invocation> {
        self.invoke_with_id(at, payload, None).await
    }

    /// [`Function::invoke_at`] with a given request id (an async event's retries keep theirs).
    pub(crate) async fn invoke_with_id(
        &self,
        at: Duration,
        payload: &Payload,
        request_id: Option<String>,
    ) -> Result<Invocation> {
        let inner = &*self.inner;
        let runtime = &inner.runtime;
        let clock = &runtime.clock;
        if clock.is_virtual() {
            clock.advance_to(at);
        } else if at > clock.now() {
            tokio::time::sleep(at - clock.now()).await;
        }
        let at = clock.now().max(at);
        if !inner.state().provisioned && inner.config.provisioned_concurrency > 0 {
            self.provision().await?;
        }
        if inner.config.vpc && at < inner.loaded_at + runtime.config.vpc.pending() {
            return Err(Error::Pending);
        }

        let warm = runtime.admit(inner, at)?;
        let request_id = request_id.unwrap_or_else(|| runtime.request_id());
        let result = self.serve(warm, at, payload, request_id).await;
        if result.is_err() {
            // No environment came back: give the admission back.
            runtime.abandon(inner);
        }
        result
    }

    async fn serve(
        &self,
        warm: Option<Environment>,
        at: Duration,
        payload: &Payload,
        request_id: String,
    ) -> Result<Invocation> {
        let inner = &*self.inner;
        let runtime = &inner.runtime;
        let clock = &runtime.clock;
        let (ready, init) = match warm {
            Some(env) => (Ready::Warm(env), None),
            None => {
                let mut cold = ColdStart::default();
                {
                    let mut rng = runtime.rng();
                    if inner.config.vpc && runtime.config.vpc != VpcModel::None {
                        cold.eni = runtime.config.vpc.eni_delay(&mut *rng);
                    }
                    cold.placement = runtime.config.cold_start.placement.sample(&mut *rng);
                    cold.runtime_init = runtime.config.cold_start.runtime_init.sample(&mut *rng);
                }
                let modelled = cold.eni + cold.placement + cold.runtime_init;
                if !clock.is_virtual() && !modelled.is_zero() {
                    tokio::time::sleep(modelled).await;
                }
                let init_at = at + cold.eni + cold.placement;
                let started_at = wall_at(runtime, init_at);
                let log_stream = runtime.log_stream_name();
                let wall = Instant::now();
                let mut env = Environment::create(inner, log_stream, init_at).await?;
                inner.state().running.push(env.kill_switch().clone());
                let outcome = env
                    .init(
                        inner,
                        &request_id,
                        init_at + cold.runtime_init,
                        crate::config::INIT_LIMIT,
                    )
                    .await;
                cold.function_init = match (runtime.config.cpu, clock.is_virtual()) {
                    (CpuMode::Measured, false) => wall.elapsed(),
                    _ => outcome.duration,
                };
                let failed = outcome.result.is_err() || outcome.kind != Ending::Returned;
                let init = InitPhase {
                    duration: cold.init_duration(),
                    log: env.take_log(),
                    error: outcome.result.err(),
                    timed_out: outcome.kind == Ending::TimedOut,
                    started_at,
                    cold_start: cold,
                };
                if failed {
                    // Lambda resets the environment and runs Init again in the Invoke phase.
                    let log_stream = env.log_stream.clone();
                    self.discard(env);
                    (Ready::Reinit { log_stream }, Some(init))
                } else {
                    (Ready::Warm(env), Some(init))
                }
            }
        };

        // One look at the chaos settings: faults to inject, and a kill meant for this invocation.
        let (faults, kill) = {
            let mut state = inner.state();
            (state.faults.clone(), std::mem::take(&mut state.kill_next))
        };
        let (delay, fail) = if faults.is_active() {
            use rand::RngExt as _;
            let mut rng = runtime.rng();
            let delayed = rng.random_bool((faults.delay_percentage / 100.0).clamp(0.0, 1.0));
            let failed = rng.random_bool((faults.error_percentage / 100.0).clamp(0.0, 1.0));
            (
                if delayed {
                    faults.startup_delay
                } else {
                    Duration::ZERO
                },
                failed,
            )
        } else {
            (Duration::ZERO, false)
        };
        if !delay.is_zero() && !clock.is_virtual() {
            tokio::time::sleep(delay).await;
        }
        let invoke_at = at
            + delay
            + init
                .as_ref()
                .map_or(Duration::ZERO, |init| init.cold_start.total());
        let started_at = wall_at(runtime, invoke_at);
        let timeout = inner.config.timeout;
        let deadline = started_at + timeout;
        let xray = inner.config.tracing.then(|| {
            let (high, low, segment) = {
                use rand::Rng as _;
                let mut rng = runtime.rng();
                (rng.next_u64(), rng.next_u32(), rng.next_u64())
            };
            let epoch = started_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            // `1-<8 hex: epoch seconds>-<24 hex: 96 random bits>`.
            crate::report::Xray {
                trace_id: format!("1-{:08x}-{high:016x}{low:08x}", epoch as u32),
                segment_id: format!("{segment:016x}"),
            }
        });
        let context = types::Context {
            request_id,
            deadline_ms: deadline
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            invoked_function_arn: inner.arn.clone(),
            xray_trace_id: xray.as_ref().map(crate::report::Xray::header),
            client_context: None,
            identity: None,
        };

        let (mut env, init_retry) = match ready {
            Ready::Warm(env) => (env, None),
            Ready::Reinit { log_stream } => {
                let wall = Instant::now();
                let mut env = Environment::create(inner, log_stream, invoke_at).await?;
                inner.state().running.push(env.kill_switch().clone());
                if kill {
                    env.kill_switch()
                        .store(true, std::sync::atomic::Ordering::Release);
                }
                let outcome = env
                    .init(inner, &context.request_id, invoke_at, timeout)
                    .await;
                let retry = InitPhase {
                    duration: match (runtime.config.cpu, clock.is_virtual()) {
                        (CpuMode::Measured, false) => wall.elapsed(),
                        _ => outcome.duration,
                    },
                    log: env.take_log(),
                    timed_out: outcome.kind == Ending::TimedOut,
                    error: None,
                    started_at,
                    cold_start: ColdStart::default(),
                };
                if let Err(error) = outcome.result {
                    let retry = InitPhase {
                        error: Some(error),
                        ..retry
                    };
                    return Ok(self.failed_reinit(env, init, retry, context, invoke_at, xray));
                }
                (env, Some(retry))
            }
        };
        let reinit = init_retry
            .as_ref()
            .map_or(Duration::ZERO, |retry| retry.duration);
        let handler_at = invoke_at + reinit;
        if kill {
            env.kill_switch()
                .store(true, std::sync::atomic::Ordering::Release);
        }
        let injected = || {
            FunctionError::new(
                crate::faults::FAULT_ERROR_TYPE,
                "lambda-sim injected this error (like AWS FIS aws:lambda:invocation-error)",
            )
        };
        let outcome = if fail && faults.prevent_execution {
            crate::environment::PhaseOutcome {
                result: Err(injected()),
                duration: Duration::ZERO,
                kind: Ending::Returned,
                calls: Vec::new(),
            }
        } else {
            env.invoke(
                inner,
                payload.as_bytes(),
                &context,
                handler_at,
                timeout.saturating_sub(reinit),
            )
            .await
        };
        let mut log = env.take_log();
        let mut result = outcome.result;
        if fail && outcome.kind == Ending::Returned {
            result = Err(injected());
        }
        if let Ok(bytes) = &result
            && bytes.len() > crate::config::MAX_SYNC_PAYLOAD
        {
            result = Err(FunctionError::new(
                "Function.ResponseSizeTooLarge",
                format!(
                    "Response payload size exceeded maximum allowed payload size ({} bytes).",
                    crate::config::MAX_SYNC_PAYLOAD
                ),
            ));
        }
        let status = match (outcome.kind, &result) {
            (Ending::Returned, Ok(_)) => Status::Success,
            (Ending::Returned, Err(_)) => Status::Error,
            (Ending::Failed, _) if is_panic(&result) => Status::Error,
            (Ending::Failed, _) => Status::Failure,
            (Ending::TimedOut, _) => Status::Timeout,
        };
        let duration = reinit + outcome.duration;
        if status == Status::Timeout {
            log.bytes.extend_from_slice(
                timed_out_line(started_at + duration, &context, timeout).as_bytes(),
            );
        }
        let billed = billed_ms(
            duration,
            init.as_ref().map(|init| init.duration),
            runtime.config.bill_init,
        );
        let report = Report {
            request_id: context.request_id.clone(),
            duration,
            billed_duration_ms: billed,
            memory_size_mb: inner.config.memory_size_mb,
            max_memory_used_mb: mb_used(env.peak_memory()),
            // A suppressed init's REPORT has no Init Duration: its time is in Duration.
            init_duration: init
                .as_ref()
                .filter(|_| init_retry.is_none())
                .map(|init| init.duration),
            status,
            error_type: match status {
                Status::Failure => result.as_ref().err().map(|e| e.error_type.clone()),
                _ => None,
            },
            xray,
        };
        let log_stream = env.log_stream.clone();
        env.free_at = if clock.is_virtual() {
            invoke_at + duration
        } else {
            clock.now()
        };
        let ends_at = env.free_at;
        let keep = outcome.kind == Ending::Returned;
        runtime.release(inner, env, keep);
        Ok(Invocation {
            request_id: context.request_id,
            result,
            report,
            init,
            init_retry,
            log,
            host_calls: outcome.calls,
            queued: delay,
            log_stream,
            region: inner.config.region.clone(),
            started_at,
            cost: Cost::of_invocation(
                billed,
                inner.config.memory_size_mb,
                inner.config.architecture,
            ),
            ends_at,
        })
    }

    /// Destroys an environment whose Init failed, while its invocation goes on.
    fn discard(&self, env: Environment) {
        let inner = &*self.inner;
        {
            let switch = env.kill_switch();
            inner.state().running.retain(|s| !Arc::ptr_eq(s, switch));
        }
        env.destroy(inner);
    }

    /// The invocation whose Init failed twice, in the Init phase and again at the start of
    /// the Invoke phase: it fails with the second error, and the environment is not kept.
    fn failed_reinit(
        &self,
        env: Environment,
        init: Option<InitPhase>,
        retry: InitPhase,
        context: types::Context,
        invoke_at: Duration,
        xray: Option<crate::report::Xray>,
    ) -> Invocation {
        let inner = &*self.inner;
        let runtime = &inner.runtime;
        let timeout = inner.config.timeout;
        let error = retry
            .error
            .clone()
            .unwrap_or_else(|| FunctionError::new("Runtime.InitError", "init failed"));
        let duration = if retry.timed_out {
            timeout
        } else {
            retry.duration
        };
        let mut log = crate::logs::CapturedLog::default();
        if retry.timed_out {
            log.bytes.extend_from_slice(
                timed_out_line(retry.started_at + duration, &context, timeout).as_bytes(),
            );
        }
        let billed = billed_ms(
            duration,
            init.as_ref().map(|init| init.duration),
            runtime.config.bill_init,
        );
        let status = if retry.timed_out {
            Status::Timeout
        } else {
            Status::Failure
        };
        let report = Report {
            request_id: context.request_id.clone(),
            duration,
            billed_duration_ms: billed,
            memory_size_mb: inner.config.memory_size_mb,
            max_memory_used_mb: mb_used(env.peak_memory()),
            init_duration: None,
            status,
            error_type: (status == Status::Failure).then(|| error.error_type.clone()),
            xray,
        };
        let log_stream = env.log_stream.clone();
        let ends_at = invoke_at + duration;
        let started_at = retry.started_at;
        runtime.release(inner, env, false);
        Invocation {
            request_id: context.request_id,
            result: Err(error),
            report,
            init,
            init_retry: Some(retry),
            log,
            host_calls: Vec::new(),
            queued: Duration::ZERO,
            log_stream,
            region: inner.config.region.clone(),
            started_at,
            cost: Cost::of_invocation(
                billed,
                inner.config.memory_size_mb,
                inner.config.architecture,
            ),
            ends_at,
        }
    }
}

/// Whether the invocation has its environment, or must first run Init again.
enum Ready {
    Warm(Environment),
    /// The cold start's Init failed: Lambda runs it again, in a reset environment with the
    /// same log stream, once the Invoke phase has started.
    Reinit {
        log_stream: String,
    },
}

/// The line Lambda's runtime prints when an invocation runs past its timeout.
fn timed_out_line(at: SystemTime, context: &types::Context, timeout: Duration) -> String {
    format!(
        "{} {} Task timed out after {:.2} seconds\n",
        crate::report::timestamp(at),
        context.request_id,
        timeout.as_secs_f64()
    )
}

impl Drop for FunctionInner {
    fn drop(&mut self) {
        if let Some(reserved) = self.config.reserved_concurrency {
            self.runtime.release_reservation(reserved);
        }
    }
}

impl FunctionInner {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The wall-clock time of simulation time `t`.
fn wall_at(runtime: &RuntimeInner, t: Duration) -> SystemTime {
    if runtime.clock.is_virtual() {
        UNIX_EPOCH + crate::clock::VIRTUAL_EPOCH + t
    } else {
        SystemTime::now()
    }
}

/// A panic reported by the guest is a function error to the caller (as `lambda_runtime`
/// reports it), even though the sandbox is reset.
fn is_panic(result: &Result<Vec<u8>, FunctionError>) -> bool {
    matches!(result, Err(err) if err.error_message.starts_with("Lambda panicked"))
}

/// Bytes to MB (MiB, as Lambda counts), rounded up.
fn mb_used(bytes: usize) -> u64 {
    (bytes as u64).div_ceil(1 << 20)
}

/// Lambda's standard environment variables, then the function's own.
fn standard_env(config: &FunctionConfig) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("AWS_LAMBDA_FUNCTION_NAME", config.name.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            config.memory_size_mb.to_string(),
        ),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", config.name),
        ),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
        ("AWS_REGION", config.region.clone()),
        ("AWS_DEFAULT_REGION", config.region.clone()),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_lambda-sim".to_owned()),
        ("LAMBDA_TASK_ROOT", "/var/task".to_owned()),
        ("TZ", ":UTC".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    env.extend(
        config
            .environment
            .iter()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    env
}
