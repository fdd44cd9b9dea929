//! The runtime: one engine, one linker, the `/tmp` directories and the compile cache, shared
//! by every function loaded into it.

use std::path::Path;
use std::sync::Arc;

use wasmtime::Engine;
use wasmtime::component::{Component, HasSelf, Linker};

use crate::engine::EpochTicker;
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
        bindings::Function::add_to_linker::<Host, HasSelf<Host>>(&mut linker, |host| host)
            .map_err(|err| {
                Error::Engine(format!(
                    "failed to add the runtime API to the linker: {err:#}"
                ))
            })?;
        let tmp = TmpDirs::new(config.ready_tmp_dirs)?;
        let ticker = EpochTicker::start(&engine)?;
        Ok(Runtime {
            inner: Arc::new(RuntimeInner {
                engine,
                linker,
                config,
                tmp,
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
        Ok(Function::new(self.inner.clone(), pre, config))
    }
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
