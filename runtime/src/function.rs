//! A loaded function: its configuration, the recipe of its environments, and its pool; the
//! chaos API on its environments. Invoking it is in `invoke.rs`.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::config::INIT_LIMIT;
use crate::environment::{Ending, Environment};
use crate::faults::Faults;
use crate::pool::Pool;
use crate::shared::Shared;
use crate::spec::EnvironmentSpec;
use crate::{Error, FunctionConfig, Result};

/// A function loaded into a [`Runtime`](crate::Runtime); cheap to clone.
///
/// Each invocation runs on a warm environment if one is free, else on a new one (a cold
/// start); one environment serves one invocation at a time.
#[derive(Clone)]
pub struct Function {
    pub(crate) inner: Arc<FunctionInner>,
}

pub(crate) struct FunctionInner {
    pub(crate) shared: Arc<Shared>,
    pub(crate) spec: EnvironmentSpec,
    pub(crate) pool: Arc<Pool>,
    pub(crate) config: FunctionConfig,
    pub(crate) arn: String,
    /// The function's own seeded random source (request ids, log streams, cold-start delays,
    /// faults, X-Ray ids, guests' seeds), split from the runtime's when it was loaded.
    pub(crate) draws: crate::draws::Draws,
    /// When the function was loaded (deployed), in simulation time.
    pub(crate) loaded_at: Duration,
    /// The faults injected into its invocations (an AWS FIS experiment on the function).
    faults: Mutex<Faults>,
    /// Its SnapStart snapshot once published, or why the guest failed its publication.
    pub(crate) snapshot:
        tokio::sync::OnceCell<std::result::Result<crate::spec::Snapshot, (&'static str, String)>>,
}

impl Function {
    pub(crate) fn new(
        shared: Arc<Shared>,
        spec: EnvironmentSpec,
        pool: Arc<Pool>,
        config: FunctionConfig,
        loaded_at: Duration,
    ) -> Self {
        let draws = shared.draws.split();
        Function {
            inner: Arc::new(FunctionInner {
                shared,
                draws,
                spec,
                pool,
                arn: config.arn(),
                config,
                loaded_at,
                faults: Mutex::new(Faults::default()),
                snapshot: tokio::sync::OnceCell::new(),
            }),
        }
    }

    /// The function's configuration.
    pub fn config(&self) -> &FunctionConfig {
        &self.inner.config
    }

    /// The Lambda runtime the component declares (`nodejs22.x` for a Node.js handler packaged
    /// by `lambda-sim build --node`), if any.
    pub fn declared_runtime(&self) -> Option<&str> {
        self.inner.spec.declared_runtime.as_deref()
    }

    /// The clock of the runtime the function runs in.
    pub fn clock(&self) -> &crate::Clock {
        &self.inner.shared.clock
    }

    /// How many environments exist and serve no invocation (on a virtual clock, including
    /// those still busy in simulated time).
    pub fn warm_environments(&self) -> usize {
        self.inner.pool.idle()
    }

    /// The files the function's idle environments left in their `/tmp`, each as
    /// `/tmp/<path>`, sorted and without repeats: what an environment keeps between
    /// invocations besides its memory.
    pub fn tmp_files(&self) -> Vec<String> {
        let mut files: Vec<String> = self
            .inner
            .pool
            .tmp_files()
            .into_iter()
            .map(|file| format!("/tmp/{file}"))
            .collect();
        files.sort();
        files.dedup();
        files
    }

    /// The stores of the function's runtime (key-value, objects, Firehose).
    pub fn services(&self) -> &lambda_sim_services::Services {
        &self.inner.shared.services
    }

    /// A new request id from the run's seeded random source.
    pub fn new_request_id(&self) -> String {
        self.inner.draws.request_id()
    }

    /// Destroys every environment that serves no invocation: the next invocation is a cold
    /// start. Returns how many were destroyed. (The chaos API: an environment that is serving
    /// is not touched.)
    pub fn evict_all(&self) -> usize {
        self.inner.pool.evict_all()
    }

    /// Destroys one idle environment, the `pick`-th modulo their number (the chaos API's kill
    /// between invocations). Returns whether there was one.
    pub fn evict_one(&self, pick: u64) -> bool {
        self.inner.pool.evict_one(pick)
    }

    /// How many invocations are running on the host right now.
    pub fn running_invocations(&self) -> usize {
        self.inner.pool.running()
    }

    /// Kills every environment serving an invocation right now (the chaos API): each of those
    /// invocations fails with `Runtime.ExitError` (`signal: killed`) within about 10 ms of
    /// guest time, and its environment is reset. Returns how many were killed. (To kill the
    /// environment of one invocation, pass [`InvokeOptions::kill`](crate::InvokeOptions).)
    pub fn kill_running(&self) -> usize {
        self.inner.pool.kill_running()
    }

    /// Sets the faults injected into the function's invocations from now on (an AWS FIS
    /// experiment on the function; replaces any set before); the draws come from the run's
    /// seeded random source. A caller that wants faults for one invocation only passes
    /// [`InvokeOptions::faults`](crate::InvokeOptions) instead.
    pub fn inject_faults(&self, faults: Faults) {
        *self.inner.faults() = faults;
    }

    /// The function's own faults (see [`Function::inject_faults`]).
    pub fn faults(&self) -> Faults {
        self.inner.faults().clone()
    }

    /// Pre-instantiates the function once and drops the instance unused, so that its first
    /// cold start does not pay the one-time costs of instantiation: the first touch of the
    /// host's cold path and of the component's code, and the mapping of its memory image into
    /// a pooled slot. (The pages the guest's own `init` and handler touch first are still
    /// touched in the first cold start: nothing of the guest runs here.) The instance
    /// runs neither `init` nor the handler, logs nothing, is not an environment (the pool and
    /// [`Function::warm_environments`] never see it) and draws nothing from the run's seeded
    /// random source, so a seeded run answers as it would without it. A SnapStart function
    /// is left alone: publishing it instantiates it already.
    pub async fn prepare(&self) -> Result<()> {
        let inner = &*self.inner;
        if inner.spec.snap_start.is_some() {
            return Ok(());
        }
        let env = Environment::create(
            &inner.spec,
            &inner.spec.image,
            String::new(),
            inner.shared.clock.now(),
            None,
        )
        .await?;
        env.destroy(&inner.spec.tmp);
        Ok(())
    }

    /// Makes the provisioned environments now (otherwise the first invocation does), so that
    /// up to `provisioned_concurrency` concurrent invocations find an initialised environment.
    pub async fn provision(&self) -> Result<()> {
        let inner = &*self.inner;
        if !inner.pool.start_provisioning() {
            return Ok(());
        }
        let at = inner.shared.clock.now();
        for _ in 0..inner.config.provisioned_concurrency {
            let log_stream = inner.new_log_stream();
            let mut env = Environment::create(
                &inner.spec,
                &inner.spec.image,
                log_stream,
                at,
                inner.guest_seeds(),
            )
            .await?;
            let request_id = inner.draws.request_id();
            let outcome = env
                .init(&inner.spec.meter, &request_id, at, INIT_LIMIT)
                .await;
            if outcome.kind != Ending::Returned || outcome.result.is_err() {
                inner.pool.destroy(env);
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
            inner.pool.add_provisioned(env);
        }
        Ok(())
    }
}

impl FunctionInner {
    /// The function's own faults (an invocation reads them under this short lock).
    pub(crate) fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A new environment's log stream name (a reset environment keeps its own).
    pub(crate) fn new_log_stream(&self) -> String {
        self.draws.log_stream_name(&self.shared.clock)
    }

    /// Seeds of a new environment's random sources, when the run is seeded (drawn after its
    /// log stream name). Environments are created where these are drawn, without an async
    /// layer of their own: the cold path moves its futures as few times as it can.
    pub(crate) fn guest_seeds(&self) -> Option<(u64, u64)> {
        self.spec.seeded.then(|| self.draws.guest_seeds())
    }
}
