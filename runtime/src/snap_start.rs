//! SnapStart: a function's Init run once, when the function is published (its first cold
//! start here), the environment's memory, globals and `/tmp` snapshotted with wasmtime-wizer,
//! and every cold start restored from that snapshot, running the guest's after-restore hooks
//! instead of `init`.

use std::time::{Duration, Instant};

use wasmtime::Store;
use wasmtime::component::{Instance, Lift, WasmList};
use wasmtime_wizer::{ComponentInstanceState, Wizer};

use crate::coldstart::ColdStart;
use crate::environment::{Ending, Environment};
use crate::function::FunctionInner;
use crate::host::Host;
use crate::invocation::{FunctionError, InitPhase, Publication};
use crate::invoke::Ready;
use crate::spec::{Image, SnapSource, Snapshot};
use crate::{Error, Result};

/// The longest the after-restore hooks may run (Lambda's limit), else the invocation fails
/// with `SnapStartTimeoutException`.
pub const AFTER_RESTORE_LIMIT: Duration = Duration::from_secs(10);

/// The error of a failed publication: what Lambda reports when a version's snapshot could
/// not be made.
fn publish_failed(phase: &str, error: &FunctionError) -> Error {
    Error::SnapStart {
        error_type: "SnapStartException",
        message: format!(
            "the function's {phase} failed, so no snapshot was taken: {}: {}",
            error.error_type, error.error_message
        ),
    }
}

impl FunctionInner {
    /// Publishes the function: runs its Init and before-snapshot hooks in an environment of
    /// the instrumented component, snapshots it, and compiles the snapshot.
    pub(crate) async fn publish(&self, source: &SnapSource) -> Result<Snapshot> {
        let engine = self.spec.image.pre.engine().clone();
        let wizer = Wizer::new();
        let (context, instrumented) = wizer
            .instrument_component(&source.bytes)
            .map_err(|err| snapshot_error(&err))?;
        let component = crate::cache::load(&engine, &instrumented, source.cache_dir.as_deref())?;
        let pre = source
            .linker
            .instantiate_pre(&component)
            .map_err(|err| Error::WrongWorld(format!("{err:#}")))?;
        let image = Image::new(pre)?;

        let at = self.shared.clock.now();
        let started_at = self.wall_at(at);
        let log_stream = self.new_log_stream();
        let mut env =
            Environment::create(&self.spec, &image, log_stream, at, self.guest_seeds()).await?;
        // Lambda gives a SnapStart Init up to 15 minutes: at least 130 s, or the timeout.
        let limit = self.config.timeout.max(Duration::from_secs(130));
        let request_id = self.draws.request_id();
        let init = env.init(&self.spec.meter, &request_id, at, limit).await;
        if let Err(error) = &init.result {
            env.destroy(&self.spec.tmp);
            return Err(publish_failed("init", error));
        }
        let mut duration = init.duration;
        if let Some(hooks) = image.hooks {
            let hook = env
                .run_hook(
                    &self.spec.meter,
                    hooks.before_snapshot,
                    &request_id,
                    at + duration,
                    limit.saturating_sub(duration),
                )
                .await;
            duration += hook.duration;
            if let Err(error) = hook.result {
                env.destroy(&self.spec.tmp);
                return Err(publish_failed("before-snapshot hook", &error));
            }
        }
        let log = env.take_log();

        let wall = Instant::now();
        let snapshot = env.snapshot(&self.spec.meter, &wizer, &context).await;
        let tmp = env.copy_tmp();
        env.destroy(&self.spec.tmp);
        let snapshot = snapshot?;
        let tmp = tmp.map_err(|source| Error::Io {
            action: "copy /tmp into the snapshot",
            source,
        })?;
        // Not through the disk cache: a snapshot holds what init drew, so its bytes are new at
        // every publication, and an entry would never be read again.
        let component = crate::cache::load(&engine, &snapshot, None)?;
        let pre = source
            .linker
            .instantiate_pre(&component)
            .map_err(|err| Error::WrongWorld(format!("{err:#}")))?;
        let mut restored = Image::new(pre)?;
        restored.tmp = Some(tmp);
        Ok(Snapshot {
            image: restored,
            publication: Publication {
                init_duration: duration,
                log,
                started_at,
                snapshot_bytes: snapshot.len(),
                snapshot_time: wall.elapsed(),
            },
        })
    }
}

fn snapshot_error(err: &wasmtime::Error) -> Error {
    Error::SnapStart {
        error_type: "SnapStartException",
        message: format!("failed to snapshot the function: {err:#}"),
    }
}

impl Environment {
    /// Snapshots the environment's memories and globals into a component (wizer's rewrite
    /// of the instrumented component it runs).
    pub(crate) async fn snapshot(
        &mut self,
        meter: &crate::meter::Meter,
        wizer: &Wizer,
        context: &wasmtime_wizer::ComponentContext<'_>,
    ) -> Result<Vec<u8>> {
        // wizer's accessors are exports of the instrumented component: they run under the
        // store's deadline like any guest code.
        let (store, instance) = self.store_and_instance();
        meter.arm(store, Duration::from_secs(900));
        let mut access = Access {
            store,
            instance,
            failed: None,
        };
        let snapshot = wizer
            .snapshot_component(context, &mut access)
            .await
            .map_err(|err| snapshot_error(&err))?;
        match access.failed {
            Some(err) => Err(snapshot_error(&err)),
            None => Ok(snapshot),
        }
    }
}

/// wizer's view of the instance it snapshots: calls to the accessor functions its
/// instrumentation exported. A failed call is kept (the trait cannot return it) and fails
/// the snapshot.
struct Access<'a> {
    store: &'a mut Store<Host>,
    instance: Instance,
    failed: Option<wasmtime::Error>,
}

impl Access<'_> {
    async fn call<R: Lift + Send + Sync + 'static, T: Default>(
        &mut self,
        interface: &str,
        func: &str,
        use_result: impl FnOnce(&mut Store<Host>, R) -> T,
    ) -> T {
        if self.failed.is_some() {
            return T::default();
        }
        let result = async {
            let (_, exported) = self
                .instance
                .get_export(&mut *self.store, None, interface)
                .ok_or_else(|| wasmtime::format_err!("no export `{interface}`"))?;
            let (_, index) = self
                .instance
                .get_export(&mut *self.store, Some(&exported), func)
                .ok_or_else(|| wasmtime::format_err!("no export `{interface}#{func}`"))?;
            let typed = self
                .instance
                .get_typed_func::<(), (R,)>(&mut *self.store, index)?;
            let (value,) = typed.call_async(&mut *self.store, ()).await?;
            Ok::<R, wasmtime::Error>(value)
        }
        .await;
        match result {
            Ok(value) => use_result(self.store, value),
            Err(err) => {
                self.failed = Some(err);
                T::default()
            }
        }
    }
}

impl ComponentInstanceState for Access<'_> {
    async fn call_func_ret_list_u8(
        &mut self,
        instance: &str,
        func: &str,
        contents: impl FnOnce(&[u8]) + Send,
    ) {
        let mut contents = Some(contents);
        let called = self
            .call(instance, func, |store, list: WasmList<u8>| {
                if let Some(contents) = contents.take() {
                    contents(list.as_le_slice(&*store));
                }
            })
            .await;
        let () = called;
        if let Some(contents) = contents {
            // The call failed: wizer still expects the bytes (the snapshot is refused after).
            contents(&[]);
        }
    }

    async fn call_func_ret_s32(&mut self, instance: &str, func: &str) -> i32 {
        self.call(instance, func, |_, value: i32| value).await
    }

    async fn call_func_ret_s64(&mut self, instance: &str, func: &str) -> i64 {
        self.call(instance, func, |_, value: i64| value).await
    }

    async fn call_func_ret_f32(&mut self, instance: &str, func: &str) -> u32 {
        self.call(instance, func, |_, value: f32| value.to_bits())
            .await
    }

    async fn call_func_ret_f64(&mut self, instance: &str, func: &str) -> u64 {
        self.call(instance, func, |_, value: f64| value.to_bits())
            .await
    }
}

impl FunctionInner {
    /// The function's snapshot, published on the first call (`None` without SnapStart). A
    /// publication that failed is tried again by the next cold start.
    pub(crate) async fn published(&self) -> Result<Option<&Snapshot>> {
        let Some(source) = &self.spec.snap_start else {
            return Ok(None);
        };
        // A guest's failure (its init or before-snapshot hook) is kept, as Lambda marks the
        // version failed: later cold starts are refused at once instead of running Init again.
        // Another failure (no sandbox free) is tried again.
        let published = self
            .snapshot
            .get_or_try_init(|| async {
                match self.publish(source).await {
                    Err(Error::SnapStart {
                        error_type,
                        message,
                    }) => Ok(Err((error_type, message))),
                    other => other.map(Ok),
                }
            })
            .await?;
        match published {
            Ok(snapshot) => Ok(Some(snapshot)),
            Err((error_type, message)) => Err(Error::SnapStart {
                error_type,
                message: message.clone(),
            }),
        }
    }

    /// A cold start restored from the snapshot: a new environment of the snapshot (memory,
    /// globals, `/tmp` as init left them), then the guest's after-restore hooks, at most 10 s.
    pub(crate) async fn restore(
        &self,
        snapshot: &Snapshot,
        mut cold: ColdStart,
        (log_stream, seeds): (String, Option<(u64, u64)>),
        at: Duration,
        request_id: &str,
    ) -> Result<(Ready, Option<InitPhase>)> {
        let started_at = self.wall_at(at);
        let wall = Instant::now();
        let mut env =
            Environment::create(&self.spec, &snapshot.image, log_stream, at, seeds).await?;
        self.pool.track(&env);
        let restored = wall.elapsed();
        let hooks = match snapshot.image.hooks {
            Some(hooks) => {
                let outcome = env
                    .run_hook(
                        &self.spec.meter,
                        hooks.after_restore,
                        request_id,
                        at,
                        AFTER_RESTORE_LIMIT,
                    )
                    .await;
                let failure = match (outcome.kind, &outcome.result) {
                    (Ending::TimedOut, _) => Some(Error::SnapStart {
                        error_type: "SnapStartTimeoutException",
                        message: format!(
                            "Lambda couldn't restore the snapshot within the timeout limit \
                             (the after-restore hooks ran past {} s)",
                            AFTER_RESTORE_LIMIT.as_secs()
                        ),
                    }),
                    (_, Err(error)) => Some(Error::SnapStart {
                        error_type: "SnapStartException",
                        message: format!(
                            "Lambda couldn't restore the snapshot: an after-restore hook \
                             failed: {}: {}",
                            error.error_type, error.error_message
                        ),
                    }),
                    _ => None,
                };
                if let Some(failure) = failure {
                    self.pool.discard(env);
                    return Err(failure);
                }
                outcome.duration
            }
            None => Duration::ZERO,
        };
        // As for Init: wall time when durations are measured, the guest's metered time (no
        // instantiation) when they are counted.
        cold.function_init = if self.spec.meter.is_wall_time() {
            restored + hooks
        } else {
            hooks
        };
        let init = InitPhase {
            duration: cold.init_duration(),
            log: env.take_log(),
            error: None,
            timed_out: false,
            started_at,
            cold_start: cold,
            restore_hooks: Some(hooks),
        };
        Ok((Ready::Warm(env), Some(init)))
    }
}

impl crate::Function {
    /// Publishes a SnapStart function now (its Init, then the snapshot) rather than at its
    /// first cold start, and returns what the publication did; `None` without SnapStart.
    pub async fn publish(&self) -> Result<Option<Publication>> {
        Ok(self
            .inner
            .published()
            .await?
            .map(|snapshot| snapshot.publication.clone()))
    }
}
