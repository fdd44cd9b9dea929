//! The runtime: one engine, one linker, the `/tmp` directories and the compile cache, shared
//! by every function loaded into it.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use wasmtime::Engine;
use wasmtime::component::{Component, HasSelf, Linker};

use crate::clock::Clock;
use crate::engine::EpochTicker;
use crate::environment::Environment;
use crate::function::{FunctionInner, State};
use crate::host::Host;
use crate::tmp::TmpDirs;
use crate::{Error, Function, FunctionConfig, Result, RuntimeConfig, bindings};

/// The simulator's runtime; cheap to clone, shared by every function it loads.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

pub(crate) struct RuntimeInner {
    pub(crate) engine: Engine,
    linker: Linker<Host>,
    pub(crate) config: RuntimeConfig,
    pub(crate) tmp: TmpDirs,
    pub(crate) clock: Clock,
    /// The stores guests reach (key-value, objects, Firehose).
    pub(crate) services: lambda_sim_services::Services,
    rng: Mutex<ChaCha8Rng>,
    /// Every function loaded, for the account's concurrency limit.
    functions: Mutex<Vec<Weak<FunctionInner>>>,
    /// Held while an invocation is admitted, so that limits are checked and taken at once.
    admission: Mutex<()>,
    /// Invocations of functions without reserved concurrency being served on the host.
    unreserved_busy: AtomicU32,
    /// The sum of the loaded functions' reserved concurrency.
    reserved_total: AtomicU32,
    _ticker: EpochTicker,
}

impl Runtime {
    /// Creates a runtime: builds the engine and starts its epoch ticker and `/tmp` thread.
    pub fn new(config: RuntimeConfig) -> Result<Self> {
        config.validate()?;
        let engine = crate::engine::build(&config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(|err| Error::Engine(format!("failed to add WASI to the linker: {err:#}")))?;
        crate::ephemeral::add_to_linker(&mut linker).map_err(|err| {
            Error::Engine(format!(
                "failed to limit /tmp to the ephemeral storage: {err:#}"
            ))
        })?;
        bindings::Function::add_to_linker::<Host, HasSelf<Host>>(&mut linker, |host| host)
            .map_err(|err| {
                Error::Engine(format!(
                    "failed to add the runtime API to the linker: {err:#}"
                ))
            })?;
        let tmp = TmpDirs::new(config.ready_tmp_dirs)?;
        let ticker = EpochTicker::start(&engine)?;
        let seed = config.seed.unwrap_or_else(rand::random);
        let clock = Clock::new(config.clock);
        let services = match &config.objects_dir {
            Some(dir) => lambda_sim_services::Services::new(dir, seed),
            None => lambda_sim_services::Services::temporary(seed),
        }
        .map_err(|err| Error::Engine(format!("failed to open the object store: {err}")))?;
        Ok(Runtime {
            inner: Arc::new(RuntimeInner {
                engine,
                linker,
                config,
                tmp,
                clock,
                services,
                rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
                functions: Mutex::new(Vec::new()),
                admission: Mutex::new(()),
                unreserved_busy: AtomicU32::new(0),
                reserved_total: AtomicU32::new(0),
                _ticker: ticker,
            }),
        })
    }

    /// The wasmtime engine (for benchmarks that compare against bare wasmtime).
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The runtime's settings.
    pub fn config(&self) -> &RuntimeConfig {
        &self.inner.config
    }

    /// The simulation's clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The stores guests reach: the key-value store, the object store, Firehose's delivery
    /// streams (create them here before invoking handlers that write to them).
    pub fn services(&self) -> &lambda_sim_services::Services {
        &self.inner.services
    }

    /// A new request id (a UUID) from the run's seeded random source.
    pub fn new_request_id(&self) -> String {
        self.inner.request_id()
    }

    /// Loads a function from a `.wasm` component file.
    pub fn load_file(&self, path: impl AsRef<Path>, config: FunctionConfig) -> Result<Function> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        self.load(&bytes, config)
    }

    /// Loads a function from a component's bytes: checks the configuration, compiles the
    /// component (or loads it from the compile cache) and checks that it implements the
    /// handler world.
    pub fn load(&self, bytes: &[u8], config: FunctionConfig) -> Result<Function> {
        config.validate()?;
        let component = crate::cache::load(
            &self.inner.engine,
            bytes,
            self.inner.config.cache_dir.as_deref(),
        )?;
        check_exports(&self.inner.engine, &component)?;
        let pre = self
            .inner
            .linker
            .instantiate_pre(&component)
            .map_err(|err| Error::WrongWorld(format!("{err:#}")))?;
        let pre =
            bindings::FunctionPre::new(pre).map_err(|err| Error::WrongWorld(format!("{err:#}")))?;
        let mut functions = lock(&self.inner.functions);
        functions.retain(|f| f.strong_count() > 0);
        if let Some(reserved) = config.reserved_concurrency {
            let others: u32 = functions
                .iter()
                .filter_map(Weak::upgrade)
                .filter_map(|f| f.config.reserved_concurrency)
                .sum();
            if others + reserved > self.inner.config.account_concurrency {
                return Err(Error::InvalidConfig(format!(
                    "reserved concurrency {reserved} is more than the account's limit of {} \
                     leaves ({others} already reserved)",
                    self.inner.config.account_concurrency
                )));
            }
        }
        if let Some(reserved) = config.reserved_concurrency {
            self.inner
                .reserved_total
                .fetch_add(reserved, Ordering::AcqRel);
        }
        let function = Function::new(self.inner.clone(), pre, config);
        functions.push(Arc::downgrade(&function.inner));
        Ok(function)
    }
}

impl RuntimeInner {
    /// Gives back a dropped function's reserved concurrency to the unreserved pool.
    pub(crate) fn release_reservation(&self, reserved: u32) {
        self.reserved_total.fetch_sub(reserved, Ordering::AcqRel);
    }

    /// The run's random source (seeded by `RuntimeConfig::seed`).
    pub(crate) fn rng(&self) -> MutexGuard<'_, ChaCha8Rng> {
        lock(&self.rng)
    }

    /// A request id: a version-4 UUID from the run's random source.
    pub(crate) fn request_id(&self) -> String {
        let mut bytes = [0u8; 16];
        self.rng().fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// A CloudWatch log stream name: `YYYY/MM/DD/[$LATEST]<32 hex digits>`.
    pub(crate) fn log_stream_name(&self) -> String {
        let now = humantime::format_rfc3339(self.clock.wall()).to_string();
        let date = now.get(..10).unwrap_or("1970-01-01").replace('-', "/");
        let (a, b) = {
            let mut rng = self.rng();
            (rng.next_u64(), rng.next_u64())
        };
        format!("{date}/[$LATEST]{a:016x}{b:016x}")
    }

    /// Admits an invocation of `function` at simulation time `at`: reclaims idle environments,
    /// checks the reserved and account concurrency limits, and hands out a free environment
    /// (or `None` for a cold start). The caller then holds one unit of the function's
    /// concurrency until [`RuntimeInner::release`].
    pub(crate) fn admit(
        &self,
        function: &FunctionInner,
        at: Duration,
    ) -> Result<Option<Environment>> {
        let _admission = lock(&self.admission);
        let virtual_clock = self.clock.is_virtual();
        let busy = |state: &State| {
            if virtual_clock {
                state.busy_at(at)
            } else {
                state.checked_out
            }
        };
        let reclaimed = {
            let mut state = function.state();
            let reclaimed = self.reclaim(&mut state, at);
            if let Some(reserved) = function.config.reserved_concurrency
                && busy(&state) >= reserved
            {
                drop(state);
                destroy_all(function, reclaimed);
                return Err(Error::Throttled {
                    reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
                });
            }
            reclaimed
        };
        destroy_all(function, reclaimed);
        if function.config.reserved_concurrency.is_none() && !virtual_clock {
            // On a real clock the count of busy unreserved environments is kept as they come
            // and go; `reserved_total` changes only as functions load.
            let pool = self
                .config
                .account_concurrency
                .saturating_sub(self.reserved_total.load(Ordering::Acquire));
            if self.unreserved_busy.load(Ordering::Acquire) >= pool {
                return Err(Error::Throttled {
                    reason: "ConcurrentInvocationLimitExceeded",
                });
            }
        } else if function.config.reserved_concurrency.is_none() {
            let mut reserved = 0;
            let mut unreserved_busy = 0;
            let functions: Vec<Arc<FunctionInner>> = lock(&self.functions)
                .iter()
                .filter_map(Weak::upgrade)
                .collect();
            for other in functions {
                match other.config.reserved_concurrency {
                    Some(r) => reserved += r,
                    None => unreserved_busy += busy(&other.state()),
                }
            }
            if unreserved_busy >= self.config.account_concurrency.saturating_sub(reserved) {
                return Err(Error::Throttled {
                    reason: "ConcurrentInvocationLimitExceeded",
                });
            }
        }
        let mut state = function.state();
        let free = state
            .envs
            .iter()
            .enumerate()
            .filter(|(_, env)| env.free_at <= at)
            .max_by_key(|(_, env)| env.free_at)
            .map(|(i, _)| i);
        let env = free.map(|i| state.envs.swap_remove(i));
        if env.is_none() {
            // A new environment: the function's scaling rate (a token bucket in simulated time).
            let scaling = &self.config.scaling;
            let elapsed = at.saturating_sub(state.scale_at).as_secs_f64();
            state.scale_tokens =
                (state.scale_tokens + elapsed * scaling.per_second).min(f64::from(scaling.burst));
            state.scale_at = state.scale_at.max(at);
            if state.scale_tokens < 1.0 {
                return Err(Error::Throttled {
                    reason: if function.config.reserved_concurrency.is_some() {
                        "ReservedFunctionInvocationRateLimitExceeded"
                    } else {
                        "FunctionInvocationRateLimitExceeded"
                    },
                });
            }
            state.scale_tokens -= 1.0;
        }
        if let Some(env) = &env {
            state.running.push(env.kill_switch().clone());
        }
        state.checked_out += 1;
        if function.config.reserved_concurrency.is_none() {
            self.unreserved_busy.fetch_add(1, Ordering::AcqRel);
        }
        Ok(env)
    }

    /// Gives back an admission whose invocation never got an environment.
    pub(crate) fn abandon(&self, function: &FunctionInner) {
        let mut state = function.state();
        state.checked_out = state.checked_out.saturating_sub(1);
        if function.config.reserved_concurrency.is_none() {
            self.unreserved_busy.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Gives an environment back after an invocation: kept warm, or destroyed; then applies
    /// the cap on warm environments (least recently used first).
    pub(crate) fn release(&self, function: &FunctionInner, env: Environment, keep: bool) {
        let mut doomed = Vec::new();
        {
            let mut state = function.state();
            state.checked_out = state.checked_out.saturating_sub(1);
            if function.config.reserved_concurrency.is_none() {
                self.unreserved_busy.fetch_sub(1, Ordering::AcqRel);
            }
            let switch = env.kill_switch();
            state.running.retain(|s| !Arc::ptr_eq(s, switch));
            if keep {
                // A kill that came as the invocation ended does not carry over to the next.
                switch.store(false, Ordering::Release);
                state.envs.push(env);
            } else {
                doomed.push(env);
            }
            if let Some(max) = self.config.eviction.max_warm {
                loop {
                    let idle: Vec<usize> = (0..state.envs.len())
                        .filter(|&i| !state.envs[i].provisioned)
                        .collect();
                    if idle.len() <= max {
                        break;
                    }
                    match idle.into_iter().min_by_key(|&i| state.envs[i].free_at) {
                        Some(i) => doomed.push(state.envs.swap_remove(i)),
                        None => break,
                    }
                }
            }
        }
        destroy_all(function, doomed);
    }

    /// Takes out the environments idle past the idle timeout or older than the maximum
    /// lifetime at `at` (provisioned ones stay).
    fn reclaim(&self, state: &mut State, at: Duration) -> Vec<Environment> {
        let policy = &self.config.eviction;
        let expired = |env: &Environment| {
            !env.provisioned
                && env.free_at <= at
                && (at - env.free_at >= policy.idle_timeout
                    || policy
                        .max_lifetime
                        .is_some_and(|max| at - env.created_at >= max))
        };
        if !state.envs.iter().any(expired) {
            return Vec::new();
        }
        let (gone, kept): (Vec<Environment>, Vec<Environment>) = std::mem::take(&mut state.envs)
            .into_iter()
            .partition(expired);
        state.envs = kept;
        gone
    }
}

fn destroy_all(function: &FunctionInner, envs: Vec<Environment>) {
    for env in envs {
        env.destroy(function);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Names the handler world's exports that the component lacks.
fn check_exports(engine: &Engine, component: &Component) -> Result<()> {
    let ty = component.component_type();
    let exported: Vec<String> = ty
        .exports(engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    let missing: Vec<&str> = ["init", "handle"]
        .into_iter()
        .filter(|name| !exported.iter().any(|e| e == name))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let missing = missing
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let found = if exported.is_empty() {
        "nothing".to_owned()
    } else {
        exported
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(Error::WrongWorld(format!(
        "it does not export {missing} (it exports {found})"
    )))
}
