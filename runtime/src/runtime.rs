//! The runtime: one engine, one linker, the `/tmp` directories and the compile cache, shared
//! by every function loaded into it.

use std::path::Path;
use std::sync::Arc;

use wasmtime::Engine;
use wasmtime::component::{Component, HasSelf, Linker};

use crate::clock::Clock;
use crate::draws::Draws;
use crate::engine::EpochTicker;
use crate::host::Host;
use crate::pool::Account;
use crate::shared::Shared;
use crate::spec::EnvironmentSpec;
use crate::tmp::TmpDirs;
use crate::{Error, Function, FunctionConfig, Result, RuntimeConfig, bindings};

/// The simulator's runtime; cheap to clone, shared by every function it loads.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

struct RuntimeInner {
    engine: Engine,
    linker: Linker<Host>,
    tmp: Arc<TmpDirs>,
    account: Arc<Account>,
    shared: Arc<Shared>,
}

impl Runtime {
    /// Creates a runtime: builds the engine and starts its epoch ticker and `/tmp` thread.
    pub fn new(config: RuntimeConfig) -> Result<Self> {
        config.validate()?;
        let engine = crate::engine::build(&config)?;
        let linker = linker(&engine)?;
        let tmp = Arc::new(TmpDirs::new(config.ready_tmp_dirs)?);
        let ticker = EpochTicker::start(&engine)?;
        let seed = config.seed.unwrap_or_else(rand::random);
        let clock = Clock::new(config.clock);
        let services = match &config.objects_dir {
            Some(dir) => lambda_sim_services::Services::new(dir, seed),
            None => lambda_sim_services::Services::temporary(seed),
        }
        .map_err(|err| Error::Engine(format!("failed to open the object store: {err}")))?;
        let account = Arc::new(Account::new(config.account_concurrency, clock.is_virtual()));
        Ok(Runtime {
            inner: Arc::new(RuntimeInner {
                engine,
                linker,
                tmp,
                account,
                shared: Arc::new(Shared {
                    config,
                    clock,
                    draws: Draws::new(seed),
                    services,
                    endpoints: Arc::default(),
                    _ticker: ticker,
                }),
            }),
        })
    }

    /// Answers the guests' requests to [`SANDBOX_ENDPOINT`](crate::SANDBOX_ENDPOINT) (their
    /// `AWS_ENDPOINT_URL`) with `endpoints`, in process; before this, such requests are
    /// refused. Set once: a second call is ignored and returns `false`.
    pub fn serve_endpoints(&self, endpoints: Arc<dyn crate::Endpoints>) -> bool {
        self.inner.shared.endpoints.set(endpoints).is_ok()
    }

    /// The wasmtime engine (for benchmarks that compare against bare wasmtime).
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The runtime's settings.
    pub fn config(&self) -> &RuntimeConfig {
        &self.inner.shared.config
    }

    /// The simulation's clock.
    pub fn clock(&self) -> &Clock {
        &self.inner.shared.clock
    }

    /// The stores guests reach: the key-value store, the object store, Firehose's delivery
    /// streams (create them here before invoking handlers that write to them).
    pub fn services(&self) -> &lambda_sim_services::Services {
        &self.inner.shared.services
    }

    /// A new request id (a UUID) from the run's seeded random source.
    pub fn new_request_id(&self) -> String {
        self.inner.shared.draws.request_id()
    }

    /// Sets up now, on the calling thread, what the thread's first cold start would otherwise
    /// set up: wasmtime's per-thread state (its signal stack) and the host's random generator
    /// an unseeded environment's random sources are seeded from. A server calls it as each of
    /// its worker threads starts (tokio's `on_thread_start`), so that no request pays it. It
    /// draws nothing from the run's seeded random source.
    pub fn prepare_thread() {
        Engine::tls_eager_initialize();
        let _: u64 = rand::random();
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
        let declared_runtime = crate::guest_runtime::declared_runtime(bytes);
        if config.snap_start
            && let Some(runtime) = declared_runtime
                .as_deref()
                .filter(|runtime| crate::guest_runtime::is_nodejs(Some(runtime)))
        {
            // Lambda offers SnapStart for Java, Python and .NET only.
            return Err(Error::InvalidConfig(format!(
                "{runtime} is not supported for SnapStart enabled functions"
            )));
        }
        let inner = &*self.inner;
        let shared = &inner.shared;
        let component =
            crate::cache::load(&inner.engine, bytes, shared.config.cache_dir.as_deref())?;
        check_exports(&inner.engine, &component)?;
        let pre = inner
            .linker
            .instantiate_pre(&component)
            .map_err(|err| Error::WrongWorld(format!("{err:#}")))?;
        let image = crate::spec::Image::new(pre)?;
        let loaded_at = shared.clock.now();
        let pool = inner.account.register(
            config.reserved_concurrency,
            shared.config.eviction.clone(),
            shared.config.scaling.clone(),
            inner.tmp.clone(),
            loaded_at,
        )?;
        let mut spec = EnvironmentSpec::new(
            image,
            &config,
            &shared.config,
            shared.clock.clone(),
            inner.tmp.clone(),
            shared.services.clone(),
            shared.endpoints.clone(),
        );
        spec.declared_runtime = declared_runtime;
        spec.snap_start = config.snap_start.then(|| crate::spec::SnapSource {
            bytes: bytes.into(),
            linker: inner.linker.clone(),
            cache_dir: shared.config.cache_dir.clone(),
        });
        Ok(Function::new(shared.clone(), spec, pool, config, loaded_at))
    }
}

/// The one linker: WASI, `/tmp`'s quota in front of WASI's file writes, and the handler
/// world's imports.
fn linker(engine: &Engine) -> Result<Linker<Host>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)
        .map_err(|err| Error::Engine(format!("failed to add WASI to the linker: {err:#}")))?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
        .map_err(|err| Error::Engine(format!("failed to add wasi:http to the linker: {err:#}")))?;
    crate::waits::add_to_linker(&mut linker).map_err(|err| {
        Error::Engine(format!(
            "failed to take waits out of the CPU throttle: {err:#}"
        ))
    })?;
    crate::ephemeral::add_to_linker(&mut linker).map_err(|err| {
        Error::Engine(format!(
            "failed to limit /tmp to the ephemeral storage: {err:#}"
        ))
    })?;
    bindings::Function::add_to_linker::<Host, HasSelf<Host>>(&mut linker, |host| host).map_err(
        |err| {
            Error::Engine(format!(
                "failed to add the runtime API to the linker: {err:#}"
            ))
        },
    )?;
    Ok(linker)
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
