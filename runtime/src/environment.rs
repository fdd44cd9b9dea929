//! An execution environment: one sandbox (a wasmtime `Store` and component instance) with its
//! own `/tmp`, created cold, reused warm one invocation at a time, and destroyed on demand.

use std::time::{Duration, Instant};

use tempfile::TempDir;
use wasmtime::{Store, Trap, UpdateDeadline};
use wasmtime_wasi::{FsPerms, WasiCtxBuilder};

use crate::bindings::lambda_sim::handler::types;
use crate::engine::EPOCH_TICK;
use crate::function::FunctionInner;
use crate::host::{Host, MemoryLimiter};
use crate::invocation::FunctionError;
use crate::logs::{CapturedLog, LogSink};
use crate::{Error, Result, bindings};

/// How a phase (init or invoke) of an environment ended.
pub(crate) struct PhaseOutcome {
    pub(crate) result: Result<Vec<u8>, FunctionError>,
    pub(crate) duration: Duration,
    pub(crate) kind: Ending,
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
    tmp: Option<TempDir>,
    pub(crate) log_stream: String,
}

impl Environment {
    /// Creates the sandbox and instantiates the component (the first part of a cold start).
    pub(crate) async fn create(function: &FunctionInner) -> Result<Self> {
        let runtime = &function.runtime;
        let tmp = runtime.tmp.take()?;
        let log_stream = log_stream_name();
        let logs = LogSink::new(runtime.config.max_log_bytes);

        let mut wasi = WasiCtxBuilder::new();
        // Before `preopened_dir`, which records it: file I/O on /tmp runs on this thread
        // instead of a blocking-pool hop per call.
        wasi.allow_blocking_current_thread(true)
            .stdout(logs.clone())
            .stderr(logs.clone());
        for (key, value) in &function.env {
            wasi.env(key, value);
        }
        wasi.env("AWS_LAMBDA_LOG_STREAM_NAME", &log_stream);
        wasi.preopened_dir(tmp.path(), "/tmp", FsPerms::ReadWrite)
            .map_err(|err| {
                Error::Environment(format!("failed to open the /tmp directory: {err:#}"))
            })?;

        let host = Host {
            wasi: wasi.build(),
            table: wasmtime::component::ResourceTable::new(),
            memory: MemoryLimiter::new(function.memory_limit),
            logs,
            fatal: None,
            deadline: Instant::now(),
        };
        let mut store = Store::new(&runtime.engine, host);
        store.limiter(|host| &mut host.memory);
        // The epoch ticker can lag the wall clock by a tick or more on a loaded machine: when
        // the deadline in ticks passes, the callback checks the real deadline and extends the
        // run by what is left, so a timeout never fires early.
        store.epoch_deadline_callback(|store| {
            let now = Instant::now();
            let deadline = store.data().deadline;
            if now >= deadline {
                Ok(UpdateDeadline::Interrupt)
            } else {
                Ok(UpdateDeadline::Continue(ticks(deadline - now)))
            }
        });
        store.data_mut().deadline = Instant::now() + crate::config::INIT_LIMIT;
        store.set_epoch_deadline(ticks(crate::config::INIT_LIMIT));
        let instance = match function.pre.instantiate_async(&mut store).await {
            Ok(instance) => instance,
            Err(err) if err.is::<wasmtime::PoolConcurrencyLimitError>() => {
                runtime.tmp.dispose(tmp);
                return Err(Error::PoolExhausted(runtime.config.max_environments));
            }
            Err(err) => {
                runtime.tmp.dispose(tmp);
                return Err(Error::Environment(format!(
                    "failed to instantiate the component: {err:#}"
                )));
            }
        };
        Ok(Environment {
            store,
            instance,
            tmp: Some(tmp),
            log_stream,
        })
    }

    /// Runs the guest's `init` export under Lambda's 10 s Init limit.
    pub(crate) async fn init(&mut self, request_id: &str) -> PhaseOutcome {
        let start = Instant::now();
        self.store.data_mut().deadline = start + crate::config::INIT_LIMIT;
        self.store
            .set_epoch_deadline(ticks(crate::config::INIT_LIMIT));
        let result = self.instance.call_init(&mut self.store).await;
        let duration = start.elapsed();
        let result = result.map(|init| init.map(|()| Vec::new()));
        self.classify(result, duration, request_id, crate::config::INIT_LIMIT)
    }

    /// Runs the guest's `handle` export under the function's timeout.
    pub(crate) async fn invoke(
        &mut self,
        event: &[u8],
        context: &types::Context,
        timeout: Duration,
    ) -> PhaseOutcome {
        let start = Instant::now();
        self.store.data_mut().deadline = start + timeout;
        self.store.set_epoch_deadline(ticks(timeout));
        let result = self
            .instance
            .call_handle(&mut self.store, event, context)
            .await;
        let duration = start.elapsed();
        self.classify(result, duration, &context.request_id, timeout)
    }

    /// Takes what the guest printed since the last call.
    pub(crate) fn take_log(&mut self) -> CapturedLog {
        self.store.data().logs.take()
    }

    /// The peak of the guest's linear memory, in bytes.
    pub(crate) fn peak_memory(&self) -> usize {
        self.store.data().memory.peak()
    }

    /// Destroys the sandbox, then gives its `/tmp` back for recycling in the background.
    pub(crate) fn destroy(mut self, function: &FunctionInner) {
        let tmp = self.tmp.take();
        drop(self);
        if let Some(tmp) = tmp {
            function.runtime.tmp.dispose(tmp);
        }
    }

    fn classify(
        &mut self,
        result: wasmtime::Result<Result<Vec<u8>, types::HandlerError>>,
        duration: Duration,
        request_id: &str,
        limit: Duration,
    ) -> PhaseOutcome {
        let (result, kind) = match result {
            Ok(Ok(bytes)) => (Ok(bytes), Ending::Returned),
            Ok(Err(err)) => (Err(from_wit(err)), Ending::Returned),
            Err(err) => {
                let host = self.store.data_mut();
                let out_of_memory = host.memory.take_out_of_memory();
                let fatal = host.fatal.take();
                if out_of_memory {
                    (
                        Err(FunctionError::new(
                            "Runtime.OutOfMemory",
                            format!(
                                "RequestId: {request_id} Error: Runtime exited with error: signal: killed"
                            ),
                        )),
                        Ending::Failed,
                    )
                } else if err.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
                    (
                        Err(FunctionError::new(
                            "Sandbox.Timedout",
                            format!(
                                "RequestId: {request_id} Error: Task timed out after {:.2} seconds",
                                limit.as_secs_f64()
                            ),
                        )),
                        Ending::TimedOut,
                    )
                } else if let Some(fatal) = fatal {
                    (Err(from_wit(fatal)), Ending::Failed)
                } else {
                    let cause = match err.downcast_ref::<Trap>() {
                        Some(trap) => trap.to_string(),
                        None => err.to_string(),
                    };
                    (
                        Err(FunctionError::new(
                            "Runtime.ExitError",
                            format!(
                                "RequestId: {request_id} Error: Runtime exited with error: {cause}"
                            ),
                        )),
                        Ending::Failed,
                    )
                }
            }
        };
        PhaseOutcome {
            result,
            duration,
            kind,
        }
    }
}

impl Drop for Environment {
    fn drop(&mut self) {
        // An environment dropped without `destroy` (its function was dropped) removes its
        // /tmp inline as the `TempDir` drops.
        let _ = self.tmp.take();
    }
}

fn from_wit(err: types::HandlerError) -> FunctionError {
    FunctionError {
        error_type: err.error_type,
        error_message: err.error_message,
        stack_trace: err.stack_trace,
    }
}

/// Epoch ticks for a duration, rounded up, never zero.
fn ticks(duration: Duration) -> u64 {
    let tick = EPOCH_TICK.as_nanos();
    u64::try_from(duration.as_nanos().div_ceil(tick))
        .unwrap_or(u64::MAX)
        .max(1)
}

/// A CloudWatch log stream name: `YYYY/MM/DD/[$LATEST]<32 hex digits>`.
fn log_stream_name() -> String {
    let now = humantime::format_rfc3339(std::time::SystemTime::now()).to_string();
    let date = now.get(..10).unwrap_or("1970-01-01").replace('-', "/");
    format!("{date}/[$LATEST]{:032x}", rand::random::<u128>())
}
