//! An execution environment: one sandbox (a wasmtime `Store` and component instance) with its
//! own `/tmp`, created cold, reused warm one invocation at a time, and destroyed on demand.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tempfile::TempDir;
use wasmtime::{Store, Trap, UpdateDeadline};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

use crate::bindings::lambda_sim::handler::types;
use crate::clock::{Clock, GuestMonotonicClock, GuestWallClock};
use crate::guest_random::GuestRandom;
use crate::host::{Host, Killed, MemoryLimiter};
use crate::invocation::FunctionError;
use crate::logs::{CapturedLog, LogSink};
use crate::meter::{KILL_CHECK_TICKS, Meter, ticks};
use crate::quota::Quota;
use crate::spec::{EnvironmentSpec, Image};
use crate::tmp::TmpDirs;
use crate::{Error, Result, bindings};

/// How a phase (init or invoke) of an environment ended.
pub(crate) struct PhaseOutcome {
    pub(crate) result: Result<Vec<u8>, FunctionError>,
    /// The phase's duration as Lambda would report it (see [`CpuMode`]).
    pub(crate) duration: Duration,
    pub(crate) kind: Ending,
    /// The guest's calls to the stores, on the phase's reported timeline.
    pub(crate) calls: Vec<crate::invocation::HostCall>,
    /// The bytes sent to a response stream (`None` when the invocation was not streamed).
    pub(crate) streamed: Option<u64>,
}

/// Whether the environment survives the phase, and what REPORT says of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The guest returned (a response or its own error): the environment stays warm.
    Returned,
    /// The guest trapped, ran out of memory or aborted: the environment is reset.
    Failed,
    /// The guest ran past its deadline: the environment is reset.
    TimedOut,
}

pub(crate) struct Environment {
    store: Store<Host>,
    instance: bindings::Function,
    /// The same instance, for the exports the world does not name (SnapStart's hooks).
    raw: wasmtime::component::Instance,
    tmp: Option<TempDir>,
    pub(crate) log_stream: String,
    /// The simulated time the guest's clocks read (virtual clock only), in nanoseconds.
    guest_time: Arc<AtomicU64>,
    /// The guest's monotonic clock: the latest phase start so far, so that it never goes
    /// back when a pinned invocation's time is earlier than the last one's.
    guest_monotonic: Arc<AtomicU64>,
    /// The guest's random streams, reseeded by a pinned invocation.
    random: GuestRandom,
    /// When the environment was created, in simulation time.
    pub(crate) created_at: Duration,
    /// When its current or last invocation ends, in simulation time.
    pub(crate) free_at: Duration,
    /// Created for provisioned concurrency: never reclaimed for idleness.
    pub(crate) provisioned: bool,
    /// The component declares a Node.js runtime (its errors' stack is `trace`).
    nodejs: bool,
}

impl Environment {
    /// Creates the sandbox and instantiates the component (the first part of a cold start),
    /// with the guest's random sources seeded from `seeds` when the run is seeded.
    pub(crate) async fn create(
        spec: &EnvironmentSpec,
        image: &Image,
        log_stream: String,
        at: Duration,
        seeds: Option<(u64, u64)>,
    ) -> Result<Self> {
        let tmp = spec.tmp.take()?;
        if let Some(template) = &image.tmp
            && let Err(err) = crate::tmp::copy_dir(template.path(), tmp.path())
        {
            spec.tmp.dispose(tmp);
            return Err(Error::Environment(format!(
                "failed to restore the snapshot's /tmp: {err}"
            )));
        }
        let logs = LogSink::new(spec.max_log_bytes);
        let guest_time = Arc::new(AtomicU64::new(nanos(at)));
        let guest_monotonic = Arc::new(AtomicU64::new(nanos(at)));

        let mut wasi = WasiCtxBuilder::new();
        // Before `preopened_dir`, which records it: file I/O on /tmp runs on this thread
        // instead of a blocking-pool hop per call.
        wasi.allow_blocking_current_thread(true)
            .stdout(logs.clone())
            .stderr(logs.clone());
        for (key, value) in &spec.variables {
            wasi.env(key, value);
        }
        if spec.snap_start.is_none() {
            // Lambda does not set it in a SnapStart environment (it would be cloned).
            wasi.env("AWS_LAMBDA_LOG_STREAM_NAME", &log_stream);
        }
        if spec.clock.is_virtual() {
            // The guest reads the simulated start of the phase it runs in.
            wasi.wall_clock(GuestWallClock(Clock::fixed(guest_time.clone())))
                .monotonic_clock(GuestMonotonicClock(Clock::fixed(guest_monotonic.clone())));
        } else if spec.snap_start.is_some() {
            // One monotonic clock for the publishing environment and every restored one: what
            // init read stays in the past (WASI's own counts from each environment's start).
            wasi.monotonic_clock(GuestMonotonicClock(spec.clock.clone()));
        }
        // The guest's random numbers come from the run's seed too: same seed, same values.
        let random = GuestRandom::install(&mut wasi, seeds);
        wasi.preopened_dir(tmp.path(), "/tmp", FsPerms::ReadWrite)
            .map_err(|err| {
                Error::Environment(format!("failed to open the /tmp directory: {err:#}"))
            })?;

        let quota = Quota::new(tmp.path(), spec.ephemeral_storage_mb, logs.clone());
        let outgoing = crate::outgoing::Outgoing {
            endpoints: spec.endpoints.clone(),
            logs: logs.clone(),
            calls: Arc::default(),
        };
        let host = Host {
            wasi: wasi.build(),
            table: wasmtime::component::ResourceTable::new(),
            memory: MemoryLimiter::new(spec.memory_limit),
            logs,
            fatal: None,
            deadline: Instant::now(),
            throttle: None,
            kill: Arc::new(AtomicBool::new(false)),
            quota,
            services: spec.services.clone(),
            clock: if spec.clock.is_virtual() {
                Clock::fixed(guest_time.clone())
            } else {
                spec.clock.clone()
            },
            phase_started: Instant::now(),
            calls: Vec::new(),
            http: wasmtime_wasi_http::WasiHttpCtx::new(),
            outgoing,
            stream: crate::stream::StreamState::default(),
        };
        let mut store = Store::new(image.pre.engine(), host);
        store.limiter(|host| &mut host.memory);
        watch_deadline(&mut store);
        spec.meter.arm(&mut store, crate::config::INIT_LIMIT);
        let instantiated = match image.pre.instantiate_async(&mut store).await {
            Ok(raw) => image
                .indices
                .load(&mut store, &raw)
                .map(|instance| (raw, instance)),
            Err(err) => Err(err),
        };
        let (raw, instance) = match instantiated {
            Ok(instance) => instance,
            Err(err) if err.is::<wasmtime::PoolConcurrencyLimitError>() => {
                spec.tmp.dispose(tmp);
                return Err(Error::PoolExhausted(spec.max_environments));
            }
            Err(err) => {
                spec.tmp.dispose(tmp);
                return Err(Error::Environment(format!(
                    "failed to instantiate the component: {err:#}"
                )));
            }
        };
        Ok(Environment {
            store,
            instance,
            raw,
            tmp: Some(tmp),
            log_stream,
            guest_time,
            guest_monotonic,
            random,
            created_at: at,
            free_at: at,
            provisioned: false,
            nodejs: crate::guest_runtime::is_nodejs(spec.declared_runtime.as_deref()),
        })
    }

    /// The time the guest reads in the phase starting at `at`: the wall clock reads `at`, the
    /// monotonic clock the latest phase start so far.
    fn set_guest_time(&self, at: Duration) {
        self.guest_time.store(nanos(at), Ordering::Release);
        self.guest_monotonic.fetch_max(nanos(at), Ordering::AcqRel);
    }

    /// Starts the guest's random streams again from `seeds` (a pinned invocation's phase).
    pub(crate) fn reseed(&self, seeds: (u64, u64)) {
        self.random.reseed(seeds);
    }

    /// Runs the guest's `init` export at simulation time `at`, for at most `limit`: Lambda's
    /// 10 s Init limit, or the function's timeout when a failed init is run again in the
    /// Invoke phase.
    pub(crate) async fn init(
        &mut self,
        meter: &Meter,
        request_id: &str,
        at: Duration,
        limit: Duration,
    ) -> PhaseOutcome {
        self.run_setup(meter, None, request_id, at, limit).await
    }

    /// Runs one of the guest's SnapStart hooks at simulation time `at`, for at most `limit`.
    pub(crate) async fn run_hook(
        &mut self,
        meter: &Meter,
        hook: wasmtime::component::ComponentExportIndex,
        request_id: &str,
        at: Duration,
        limit: Duration,
    ) -> PhaseOutcome {
        self.run_setup(meter, Some(hook), request_id, at, limit)
            .await
    }

    /// Runs `init` (`hook` none) or a SnapStart hook: a phase without an event whose guest
    /// returns nothing or its error.
    async fn run_setup(
        &mut self,
        meter: &Meter,
        hook: Option<wasmtime::component::ComponentExportIndex>,
        request_id: &str,
        at: Duration,
        limit: Duration,
    ) -> PhaseOutcome {
        self.set_guest_time(at);
        meter.arm(&mut self.store, limit);
        let start = self.start_phase();
        let result = match hook {
            None => self.instance.call_init(&mut self.store).await,
            Some(hook) => match self
                .raw
                .get_typed_func::<(), (Result<(), types::HandlerError>,)>(&mut self.store, hook)
            {
                Ok(func) => func
                    .call_async(&mut self.store, ())
                    .await
                    .map(|(result,)| result),
                Err(err) => Err(err),
            },
        };
        let wall = start.elapsed();
        let duration = meter.duration(&mut self.store, wall, limit);
        let result = result.map(|setup| setup.map(|()| Vec::new()));
        let mut outcome = self.classify(result, duration, request_id, limit, limit);
        outcome.calls = self.take_calls(wall, outcome.duration);
        outcome
    }

    /// The store and the instance, for snapshotting.
    pub(crate) fn store_and_instance(
        &mut self,
    ) -> (&mut Store<Host>, wasmtime::component::Instance) {
        (&mut self.store, self.raw)
    }

    /// A copy of the environment's `/tmp` in a directory of its own.
    pub(crate) fn copy_tmp(&self) -> std::io::Result<TempDir> {
        match &self.tmp {
            Some(tmp) => crate::tmp::copy_to_temp(tmp.path()),
            None => tempfile::tempdir(),
        }
    }

    /// Runs the guest's `handle` export at simulation time `at`, for at most `budget` (the
    /// function's `timeout`, less what an init run in the same Invoke phase took), its
    /// response streamed to `sink` if there is one.
    pub(crate) async fn invoke(
        &mut self,
        meter: &Meter,
        call: (&[u8], &types::Context, Option<crate::ResponseSink>),
        at: Duration,
        budget: Duration,
        timeout: Duration,
    ) -> PhaseOutcome {
        let (event, context, sink) = call;
        self.set_guest_time(at);
        // One clock read for the phase's start: its limits, the stream's deadline, its origin.
        let now = Instant::now();
        meter.arm_at(&mut self.store, budget, now);
        let paced = !self.store.data().clock.is_virtual();
        let streamed = sink.is_some();
        // A write waits for a slow caller at most until the invocation's timeout (wall time).
        let stream_deadline = now + budget;
        self.store.data_mut().stream =
            crate::stream::StreamState::new(sink, paced, stream_deadline);
        if self.store.data().kill.load(Ordering::Acquire) {
            // Killed as it starts: the guest stops at its first epoch check (a function entry).
            self.store.set_epoch_deadline(0);
        }
        let start = self.start_phase_at(now);
        let result = self
            .instance
            .call_handle(&mut self.store, event, context)
            .await;
        let wall = start.elapsed();
        let duration = meter.duration(&mut self.store, wall, budget);
        let mut outcome = self.classify(result, duration, &context.request_id, budget, timeout);
        outcome.calls = self.take_calls(wall, outcome.duration);
        let mut stream = std::mem::take(&mut self.store.data_mut().stream);
        if outcome.kind == Ending::Returned {
            outcome.result = stream.finish(outcome.result).await;
        }
        outcome.streamed = streamed.then(|| stream.written());
        outcome
    }

    /// Marks the start of a phase on the host: the origin of its host calls' offsets.
    fn start_phase(&mut self) -> Instant {
        self.start_phase_at(Instant::now())
    }

    /// [`Environment::start_phase`] at `now`.
    fn start_phase_at(&mut self, now: Instant) -> Instant {
        let host = self.store.data_mut();
        host.calls.clear();
        host.outgoing.take_calls();
        host.phase_started = now;
        now
    }

    /// The phase's host calls, moved from the host's clock to the phase's reported one (on a
    /// virtual clock or with deterministic CPU, the reported duration is not the wall time).
    fn take_calls(
        &mut self,
        wall: Duration,
        reported: Duration,
    ) -> Vec<crate::invocation::HostCall> {
        let host = self.store.data_mut();
        let mut calls = std::mem::take(&mut host.calls);
        let phase_started = host.phase_started;
        calls.extend(
            host.outgoing
                .take_calls()
                .into_iter()
                .map(|(name, started, duration)| crate::invocation::HostCall {
                    name,
                    offset: started.saturating_duration_since(phase_started),
                    duration,
                }),
        );
        calls.sort_by_key(|call| call.offset);
        let scale = if wall.is_zero() {
            1.0
        } else {
            reported.as_secs_f64() / wall.as_secs_f64()
        };
        calls
            .into_iter()
            .map(|call| crate::invocation::HostCall {
                offset: call.offset.mul_f64(scale).min(reported),
                duration: call.duration.mul_f64(scale),
                name: call.name,
            })
            .collect()
    }

    /// The files this environment's guest left in its `/tmp` (paths relative to `/tmp`).
    pub(crate) fn tmp_files(&self) -> Vec<String> {
        let mut files = Vec::new();
        if let Some(tmp) = &self.tmp {
            walk(tmp.path(), tmp.path(), &mut files);
        }
        files.sort();
        files
    }

    /// The switch that kills this environment's running guest.
    pub(crate) fn kill_switch(&self) -> &Arc<AtomicBool> {
        &self.store.data().kill
    }

    /// Takes what the guest printed since the last call.
    pub(crate) fn take_log(&mut self) -> CapturedLog {
        self.store.data().logs.take()
    }

    /// The peak of the guest's linear memory, in bytes.
    pub(crate) fn peak_memory(&self) -> usize {
        self.store.data().memory.peak()
    }

    /// Destroys the sandbox, then gives its `/tmp` back to `tmp` for recycling in the
    /// background.
    pub(crate) fn destroy(mut self, tmp: &TmpDirs) {
        let dir = self.tmp.take();
        drop(self);
        if let Some(dir) = dir {
            tmp.dispose(dir);
        }
    }

    fn classify(
        &mut self,
        result: wasmtime::Result<Result<Vec<u8>, types::HandlerError>>,
        duration: Duration,
        request_id: &str,
        limit: Duration,
        named_limit: Duration,
    ) -> PhaseOutcome {
        let (result, kind) = match result {
            Ok(Ok(bytes)) => (Ok(bytes), Ending::Returned),
            Ok(Err(err)) => (Err(from_wit(err, self.nodejs)), Ending::Returned),
            Err(err) => {
                let host = self.store.data_mut();
                let out_of_memory = host.memory.take_out_of_memory();
                let fatal = host.fatal.take();
                let trap = err.downcast_ref::<Trap>().copied();
                if err.is::<Killed>() {
                    (
                        Err(FunctionError::new(
                            "Runtime.ExitError",
                            format!(
                                "RequestId: {request_id} Error: Runtime exited with error: signal: killed"
                            ),
                        )),
                        Ending::Failed,
                    )
                } else if out_of_memory {
                    (
                        Err(FunctionError::new(
                            "Runtime.OutOfMemory",
                            format!(
                                "RequestId: {request_id} Error: Runtime exited with error: signal: killed"
                            ),
                        )),
                        Ending::Failed,
                    )
                } else if matches!(trap, Some(Trap::Interrupt | Trap::OutOfFuel)) {
                    (
                        Err(FunctionError::new(
                            "Sandbox.Timedout",
                            format!(
                                "RequestId: {request_id} Error: Task timed out after {:.2} seconds",
                                named_limit.as_secs_f64()
                            ),
                        )),
                        Ending::TimedOut,
                    )
                } else if let Some(fatal) = fatal {
                    // A fatal error is the runtime's own (`Runtime.ExitError`), never a trace.
                    (Err(from_wit(fatal, false)), Ending::Failed)
                } else {
                    // A process's exit, as Lambda words it (`std::process::exit`, or a
                    // `lambda_runtime` function whose `main` returned before `run`).
                    let cause = match (trap, err.downcast_ref::<wasmtime_wasi::I32Exit>()) {
                        (_, Some(wasmtime_wasi::I32Exit(0))) => {
                            "Runtime exited without providing a reason".to_owned()
                        }
                        (_, Some(wasmtime_wasi::I32Exit(code))) => {
                            format!("Runtime exited with error: exit status {code}")
                        }
                        (Some(trap), None) => format!("Runtime exited with error: {trap}"),
                        (None, None) => format!("Runtime exited with error: {err}"),
                    };
                    (
                        Err(FunctionError::new(
                            "Runtime.ExitError",
                            format!("RequestId: {request_id} Error: {cause}"),
                        )),
                        Ending::Failed,
                    )
                }
            }
        };
        let duration = if kind == Ending::TimedOut {
            duration.max(limit)
        } else {
            duration
        };
        PhaseOutcome {
            result,
            duration,
            kind,
            calls: Vec::new(),
            streamed: None,
        }
    }
}

/// Stops the guest at its deadline or when killed, checked at each epoch tick.
///
/// The epoch ticker can lag the wall clock by a tick or more on a loaded machine: when
/// the deadline in ticks passes, the callback checks the real deadline and extends the
/// run by what is left, so a timeout never fires early. A throttled handler (measured
/// CPU below one vCPU) sleeps here for the rest of each CPU period.
fn watch_deadline(store: &mut Store<Host>) {
    store.epoch_deadline_callback(|mut store| {
        let now = Instant::now();
        let host = store.data_mut();
        if host.kill.load(Ordering::Acquire) {
            return Err(wasmtime::Error::new(Killed));
        }
        if now >= host.deadline {
            return Ok(UpdateDeadline::Interrupt);
        }
        let deadline = host.deadline;
        let remaining = deadline - now;
        match &mut host.throttle {
            Some(throttle) => match throttle.tick(now, deadline) {
                Some(pause) => Ok(UpdateDeadline::YieldCustom(1, pause)),
                None => Ok(UpdateDeadline::Continue(1)),
            },
            // Yield to the executor at each check: a long handler must not hold a tokio
            // worker (a server's accept loop, other invocations) for its whole run.
            None => Ok(UpdateDeadline::Yield(
                ticks(remaining).min(KILL_CHECK_TICKS),
            )),
        }
    });
}

fn walk(root: &std::path::Path, dir: &std::path::Path, files: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(root, &path, files);
        } else if let Ok(relative) = path.strip_prefix(root) {
            files.push(relative.to_string_lossy().into_owned());
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// A guest's error as its runtime words the payload (Node.js names the stack `trace`).
fn from_wit(err: types::HandlerError, nodejs: bool) -> FunctionError {
    let (stack_trace, trace) = if nodejs {
        (Vec::new(), Some(err.stack_trace))
    } else {
        (err.stack_trace, None)
    };
    FunctionError {
        error_type: err.error_type,
        error_message: err.error_message,
        stack_trace,
        trace,
    }
}
