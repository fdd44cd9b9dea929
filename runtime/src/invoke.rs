//! The path of one invocation, by phase: arrival and admission, the cold start (with Lambda's
//! suppressed init when it fails), the context, the handler's run, and one `finish` that
//! makes the [`Invocation`] on every path.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::billing::Cost;
use crate::bindings::lambda_sim::handler::types;
use crate::config::{INIT_LIMIT, MAX_SYNC_PAYLOAD};
use crate::draws::FaultDraw;
use crate::environment::{Ending, Environment, PhaseOutcome};
use crate::faults::FAULT_ERROR_TYPE;
use crate::function::{Function, FunctionInner};
use crate::invocation::HostCall;
use crate::invocation::{FunctionError, InitPhase, Invocation};
use crate::logs::CapturedLog;
use crate::options::{InvokeOptions, Pinned};
use crate::report::{Report, Status, Xray, billed_ms};
use crate::{Error, Payload, Result};

/// Whether the invocation has its environment, or must first run Init again.
pub(crate) enum Ready {
    Warm(Environment),
    /// The cold start's Init failed: Lambda runs it again, in a reset environment with the
    /// same log stream, once the Invoke phase has started.
    Reinit {
        log_stream: String,
    },
}

/// The invocation as its handler sees it: the context, and when it starts.
struct Call {
    context: types::Context,
    /// When the Invoke phase starts, in simulation time.
    invoke_at: Duration,
    /// The same instant on the wall clock (simulated on a virtual clock).
    started_at: SystemTime,
    xray: Option<Xray>,
    /// The event's own time and random numbers, when pinned.
    pinned: Option<Pinned>,
}

/// What chaos does to this invocation.
struct Chaos {
    kill: bool,
    draw: FaultDraw,
    prevent_execution: bool,
}

/// How the Invoke phase ended, before the REPORT is made.
struct End {
    env: Environment,
    result: Result<Vec<u8>, FunctionError>,
    status: Status,
    /// Duration as reported (with an init run again in the Invoke phase).
    duration: Duration,
    log: CapturedLog,
    calls: Vec<HostCall>,
    /// Whether the environment stays warm.
    keep: bool,
    /// The bytes sent to a response stream, when the invocation was streamed.
    streamed: Option<u64>,
}

impl Function {
    /// Invokes the function with a checked payload: the one way in (the other invoke methods
    /// are short forms of it).
    ///
    /// On a virtual clock, invocations are served in the order they are made, and an
    /// environment is busy until its invocation ends in simulated time: invocations made at
    /// the same `at` are concurrent, each on its own environment, as on Lambda.
    ///
    /// `Err` when Lambda would refuse the request: a throttle (`TooManyRequestsException`),
    /// a `Pending` function, or no sandbox left. Everything the function does, including
    /// failing, is in the [`Invocation`].
    pub async fn invoke(&self, payload: &Payload, options: InvokeOptions) -> Result<Invocation> {
        let inner = &*self.inner;
        let at = self.arrive(options.at).await?;
        let warm = inner.pool.admit(at)?;
        // Dropped with this future (its caller went away mid-run), the admission is given back.
        let mut admission = Admission {
            pool: &inner.pool,
            open: true,
        };
        let request_id = match &options.request_id {
            Some(id) => id.clone(),
            None => inner.draws.request_id(),
        };
        // Boxed: the invocation's future is kilobytes (the handler's call inside it), and each
        // layer an unboxed future is awaited through (a server's, a runner's) copies it whole.
        let result = Box::pin(self.serve(warm, at, payload, request_id, &options)).await;
        admission.open = false;
        if result.is_err() {
            // No environment came back: give the admission back.
            inner.pool.abandon();
        }
        result
    }

    /// Invokes the function at simulation time `at`: [`Function::invoke`] with
    /// [`InvokeOptions::at`].
    pub async fn invoke_at(&self, at: Duration, payload: &Payload) -> Result<Invocation> {
        self.invoke(payload, InvokeOptions::at(at)).await
    }

    /// Moves the clock to the arrival (a real clock waits), makes the provisioned
    /// environments on the first call, and refuses a VPC function still `Pending`.
    async fn arrive(&self, at: Option<Duration>) -> Result<Duration> {
        let inner = &*self.inner;
        let clock = &inner.shared.clock;
        // One clock read when the invocation is due now (the common case on a real clock).
        let now = clock.now();
        let at = match at {
            Some(at) if clock.is_virtual() => {
                clock.advance_to(at);
                clock.now().max(at)
            }
            Some(at) if at > now => {
                tokio::time::sleep(at - now).await;
                clock.now().max(at)
            }
            // Due now, or already past on a real clock.
            _ => now,
        };
        if inner.config.provisioned_concurrency > 0 && !inner.pool.is_provisioned() {
            // Boxed: once per function, and it keeps this future (made on every call) small.
            Box::pin(self.provision()).await?;
        }
        if inner.config.vpc && at < inner.loaded_at + inner.shared.config.vpc.pending() {
            return Err(Error::Pending);
        }
        Ok(at)
    }

    async fn serve(
        &self,
        warm: Option<Environment>,
        at: Duration,
        payload: &Payload,
        request_id: String,
        options: &InvokeOptions,
    ) -> Result<Invocation> {
        let inner = &*self.inner;
        let (ready, init) = match warm {
            Some(env) => (Ready::Warm(env), None),
            // Boxed: the cold path's future is large, and inline it would make every warm
            // invocation's future larger (and copied as it is made).
            None => Box::pin(inner.cold_start(at, &request_id, options.pinned)).await?,
        };
        let faults = options.effective_faults(&inner.faults());
        let chaos = Chaos {
            kill: options.kill,
            draw: inner.draws.faults(&faults),
            prevent_execution: faults.prevent_execution,
        };
        if !chaos.draw.delay.is_zero() && !inner.shared.clock.is_virtual() {
            tokio::time::sleep(chaos.draw.delay).await;
        }
        let cold = init
            .as_ref()
            .map_or(Duration::ZERO, |init| init.cold_start.total());
        let call = inner.call(request_id, at + chaos.draw.delay + cold, options.pinned);
        let (env, retry) = match ready {
            Ready::Warm(env) => (env, None),
            Ready::Reinit { log_stream } => {
                // Boxed: rare, and it keeps the common path's future small.
                let (env, retry) = Box::pin(inner.reinit(log_stream, &call, chaos.kill)).await?;
                if let Some(error) = retry.error.clone() {
                    let end = inner.failed_reinit(env, &retry, error);
                    return Ok(inner.finish(call, init, Some(retry), chaos.draw.delay, end));
                }
                (env, Some(retry))
            }
        };
        let reinit = retry
            .as_ref()
            .map_or(Duration::ZERO, |retry| retry.duration);
        let end = inner
            .run(
                env,
                (payload, options.stream.clone()),
                &call,
                reinit,
                &chaos,
            )
            .await;
        Ok(inner.finish(call, init, retry, chaos.draw.delay, end))
    }
}

impl FunctionInner {
    /// A cold start at `at`: the modelled delays, a new sandbox, and `init` under the 10 s
    /// Init limit. A failed Init destroys the sandbox; Lambda runs it again in the Invoke phase.
    async fn cold_start(
        &self,
        at: Duration,
        request_id: &str,
        pinned: Option<Pinned>,
    ) -> Result<(Ready, Option<InitPhase>)> {
        let shared = &*self.shared;
        let snapshot = self.published().await?;
        let mut cold = self.draws.cold_start(&shared.config, self.config.vpc);
        if snapshot.is_some() {
            // The language runtime is in the snapshot: nothing starts it again.
            cold.runtime_init = Duration::ZERO;
        }
        let modelled = cold.eni + cold.placement + cold.runtime_init;
        if !shared.clock.is_virtual() && !modelled.is_zero() {
            tokio::time::sleep(modelled).await;
        }
        let init_at = at + cold.eni + cold.placement;
        let started_at = self.wall_at(init_at);
        let wall = Instant::now();
        let log_stream = pinned.map_or_else(|| self.new_log_stream(), Pinned::log_stream);
        let seeds = pinned.map_or_else(|| self.guest_seeds(), |pinned| Some(pinned.seeds(0)));
        if let Some(snapshot) = snapshot {
            // Boxed: only SnapStart functions take this path.
            // Each restored environment draws its own random numbers, pinned or not: what an
            // after-restore hook draws is unique per environment, as on Lambda.
            let seeds = self.guest_seeds();
            return Box::pin(self.restore(
                snapshot,
                cold,
                (log_stream, seeds),
                init_at,
                request_id,
            ))
            .await;
        }
        let mut env =
            Environment::create(&self.spec, &self.spec.image, log_stream, init_at, seeds).await?;
        self.pool.track(&env);
        let guest_at = pinned.map_or(init_at + cold.runtime_init, Pinned::init_at);
        let outcome = env
            .init(&self.spec.meter, request_id, guest_at, INIT_LIMIT)
            .await;
        cold.function_init = if self.spec.meter.is_wall_time() {
            wall.elapsed()
        } else {
            outcome.duration
        };
        let failed = outcome.result.is_err() || outcome.kind != Ending::Returned;
        let init = InitPhase {
            duration: cold.init_duration(),
            log: env.take_log(),
            error: outcome.result.err(),
            timed_out: outcome.kind == Ending::TimedOut,
            started_at,
            cold_start: cold,
            restore_hooks: None,
        };
        if failed {
            let log_stream = env.log_stream.clone();
            self.pool.discard(env);
            Ok((Ready::Reinit { log_stream }, Some(init)))
        } else {
            Ok((Ready::Warm(env), Some(init)))
        }
    }

    /// The context the handler gets, with X-Ray ids under active tracing; its deadline counts
    /// from the pinned time when the invocation is pinned.
    fn call(&self, request_id: String, invoke_at: Duration, pinned: Option<Pinned>) -> Call {
        let started_at = self.wall_at(invoke_at);
        let deadline =
            pinned.map_or(started_at, |pinned| self.wall_at(pinned.at)) + self.config.timeout;
        let xray = self
            .config
            .tracing
            .then(|| pinned.map_or_else(|| self.draws.xray(started_at), Pinned::xray));
        let context = types::Context {
            request_id,
            deadline_ms: deadline
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            invoked_function_arn: self.arn.clone(),
            xray_trace_id: xray.as_ref().map(Xray::header),
            client_context: None,
            identity: None,
        };
        Call {
            context,
            invoke_at,
            started_at,
            xray,
            pinned,
        }
    }

    /// Lambda's suppressed init: Init again in a new sandbox at the start of the Invoke
    /// phase, under the function's timeout. The phase's `error` says whether it failed again.
    async fn reinit(
        &self,
        log_stream: String,
        call: &Call,
        kill: bool,
    ) -> Result<(Environment, InitPhase)> {
        let wall = Instant::now();
        let seeds = call
            .pinned
            .map_or_else(|| self.guest_seeds(), |pinned| Some(pinned.seeds(0)));
        let mut env = Environment::create(
            &self.spec,
            &self.spec.image,
            log_stream,
            call.invoke_at,
            seeds,
        )
        .await?;
        self.pool.track(&env);
        if kill {
            env.kill_switch().store(true, Ordering::Release);
        }
        let outcome = env
            .init(
                &self.spec.meter,
                &call.context.request_id,
                call.pinned.map_or(call.invoke_at, Pinned::init_at),
                self.config.timeout,
            )
            .await;
        let retry = InitPhase {
            duration: if self.spec.meter.is_wall_time() {
                wall.elapsed()
            } else {
                outcome.duration
            },
            log: env.take_log(),
            timed_out: outcome.kind == Ending::TimedOut,
            error: outcome.result.err(),
            started_at: call.started_at,
            cold_start: crate::ColdStart::default(),
            restore_hooks: None,
        };
        Ok((env, retry))
    }

    /// The end of an invocation whose Init failed twice, in the Init phase and again at the
    /// start of the Invoke phase: it fails with the second error; the sandbox is not kept.
    fn failed_reinit(&self, env: Environment, retry: &InitPhase, error: FunctionError) -> End {
        let (status, duration) = if retry.timed_out {
            (Status::Timeout, self.config.timeout)
        } else {
            (Status::Failure, retry.duration)
        };
        End {
            env,
            result: Err(error),
            status,
            duration,
            log: CapturedLog::default(),
            calls: Vec::new(),
            keep: false,
            streamed: None,
        }
    }

    /// Runs the handler (after a suppressed init took `reinit` of the timeout), its response
    /// streamed to the sink if there is one, then applies chaos's injected error and the
    /// response size limit, and classifies the end.
    async fn run(
        &self,
        mut env: Environment,
        (payload, sink): (&Payload, Option<crate::ResponseSink>),
        call: &Call,
        reinit: Duration,
        chaos: &Chaos,
    ) -> End {
        let timeout = self.config.timeout;
        if chaos.kill {
            env.kill_switch().store(true, Ordering::Release);
        }
        let fail = chaos.draw.fail;
        let outcome = if fail && chaos.prevent_execution {
            PhaseOutcome {
                result: Err(injected()),
                duration: Duration::ZERO,
                kind: Ending::Returned,
                calls: Vec::new(),
                streamed: None,
            }
        } else {
            if let Some(pinned) = call.pinned {
                env.reseed(pinned.seeds(1));
            }
            env.invoke(
                &self.spec.meter,
                (payload.as_bytes(), &call.context, sink),
                call.pinned
                    .map_or(call.invoke_at + reinit, |pinned| pinned.at),
                timeout.saturating_sub(reinit),
                timeout,
            )
            .await
        };
        let log = env.take_log();
        let mut result = outcome.result;
        if fail && outcome.kind == Ending::Returned {
            result = Err(injected());
        }
        if let Ok(bytes) = &result
            && bytes.len() > MAX_SYNC_PAYLOAD
            && outcome.streamed.is_none()
        {
            result = Err(crate::stream::too_large(MAX_SYNC_PAYLOAD as u64));
        }
        let status = match (outcome.kind, &result) {
            (Ending::Returned, Ok(_)) => Status::Success,
            (Ending::Returned, Err(_)) => Status::Error,
            (Ending::Failed, _) if is_panic(&result) => Status::Error,
            (Ending::Failed, _) => Status::Failure,
            (Ending::TimedOut, _) => Status::Timeout,
        };
        End {
            env,
            result,
            status,
            duration: reinit + outcome.duration,
            log,
            calls: outcome.calls,
            keep: outcome.kind == Ending::Returned,
            streamed: outcome.streamed,
        }
    }

    /// Makes the REPORT, the bill and the [`Invocation`], and gives the environment back.
    fn finish(
        &self,
        call: Call,
        init: Option<InitPhase>,
        init_retry: Option<InitPhase>,
        queued: Duration,
        end: End,
    ) -> Invocation {
        let End {
            mut env,
            result,
            status,
            duration,
            mut log,
            calls,
            keep,
            streamed,
        } = end;
        let timeout = self.config.timeout;
        let request_id = call.context.request_id;
        if status == Status::Timeout {
            log.bytes.extend_from_slice(
                timed_out_line(call.started_at + duration, &request_id, timeout).as_bytes(),
            );
        }
        let billed = billed_ms(
            duration,
            init.as_ref()
                .filter(|init| init.restore_hooks.is_none())
                .map(|init| init.duration),
            self.shared.config.bill_init,
        );
        let report = Report {
            request_id: request_id.clone(),
            duration,
            billed_duration_ms: billed,
            memory_size_mb: self.config.memory_size_mb,
            max_memory_used_mb: mb_used(env.peak_memory()),
            // A suppressed init's REPORT has no Init Duration: its time is in Duration.
            init_duration: init
                .as_ref()
                .filter(|init| init_retry.is_none() && init.restore_hooks.is_none())
                .map(|init| init.duration),
            restore: init.as_ref().and_then(|init| {
                let hooks = init.restore_hooks?;
                Some((init.duration, billed_restore_ms(hooks)))
            }),
            status,
            error_type: match status {
                Status::Failure => result.as_ref().err().map(|e| e.error_type.clone()),
                _ => None,
            },
            xray: call.xray,
        };
        let restore = report.restore;
        env.free_at = if self.shared.clock.is_virtual() {
            call.invoke_at + duration
        } else {
            self.shared.clock.now()
        };
        let ends_at = env.free_at;
        let log_stream = env.log_stream.clone();
        self.pool.release(env, keep);
        Invocation {
            request_id,
            result,
            report,
            init,
            init_retry,
            log,
            host_calls: calls,
            queued,
            log_stream,
            region: self.config.region.clone(),
            started_at: call.started_at,
            cost: self.cost(billed, restore, streamed),
            ends_at,
            streamed_bytes: streamed,
        }
    }

    /// What Lambda bills for an invocation: its duration, a streamed response's bytes, and a
    /// SnapStart restore.
    fn cost(&self, billed: u64, restore: Option<(Duration, u64)>, streamed: Option<u64>) -> Cost {
        let (memory, arch) = (self.config.memory_size_mb, self.config.architecture);
        let cost = Cost::of_invocation(billed, memory, arch).with_streamed(streamed.unwrap_or(0));
        match restore {
            Some((_, hooks_ms)) => cost.with_restore(hooks_ms, memory, arch),
            None => cost,
        }
    }

    /// The wall-clock time of simulation time `t`.
    pub(crate) fn wall_at(&self, t: Duration) -> SystemTime {
        if self.shared.clock.is_virtual() {
            UNIX_EPOCH + crate::clock::VIRTUAL_EPOCH + t
        } else {
            SystemTime::now()
        }
    }
}

/// An invocation's admission while it runs: an invocation future dropped before its end (a
/// server whose client disconnected) gives its place back instead of holding it for good.
struct Admission<'a> {
    pool: &'a crate::pool::Pool,
    open: bool,
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        if self.open {
            self.pool.cancelled();
        }
    }
}

/// The error of an invocation failed by chaos.
fn injected() -> FunctionError {
    FunctionError::new(
        FAULT_ERROR_TYPE,
        "lambda-sim injected this error (like AWS FIS aws:lambda:invocation-error)",
    )
}

/// The line Lambda's runtime prints when an invocation runs past its timeout.
fn timed_out_line(at: SystemTime, request_id: &str, timeout: Duration) -> String {
    format!(
        "{} {request_id} Task timed out after {:.2} seconds\n",
        crate::report::timestamp(at),
        timeout.as_secs_f64()
    )
}

/// A panic reported by the guest is a function error to the caller (as `lambda_runtime`
/// reports it), even though the sandbox is reset.
fn is_panic(result: &Result<Vec<u8>, FunctionError>) -> bool {
    matches!(result, Err(err) if err.error_message.starts_with("Lambda panicked"))
}

/// The after-restore hooks' time in whole milliseconds, rounded up (none run: 0).
fn billed_restore_ms(hooks: Duration) -> u64 {
    u64::try_from(hooks.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX)
}

/// Bytes to MB (MiB, as Lambda counts), rounded up.
fn mb_used(bytes: usize) -> u64 {
    (bytes as u64).div_ceil(1 << 20)
}
