//! The one wasmtime `Engine` of a runtime: pooled sandboxes, copy-on-write memory images,
//! and the epoch ticker that enforces timeouts.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::{Error, Result, RuntimeConfig};

/// How often the epoch advances: the resolution of timeouts.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(1);

/// The largest linear memory a 32-bit WebAssembly guest can have.
pub(crate) const MAX_WASM32_MEMORY: usize = 4 << 30;

/// Builds the engine every function of a runtime shares.
pub(crate) fn build(config: &RuntimeConfig) -> Result<Engine> {
    let n = config.max_environments;
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(n)
        // A Rust `wasm32-wasip2` component holds 3-4 core instances, a Python one a dozen.
        .total_core_instances(n.saturating_mul(16))
        .total_memories(n.saturating_mul(4))
        .total_tables(n.saturating_mul(8))
        .total_stacks(n)
        .max_memories_per_module(4)
        .max_tables_per_module(8)
        .max_memory_size(MAX_WASM32_MEMORY)
        // Keep the first pages of a freed slot resident: the next cold start reuses them
        // without page faults (wasmtime's fast-instantiation recipe).
        .linear_memory_keep_resident(1 << 20)
        .table_keep_resident(1 << 16)
        .pagemap_scan(Enabled::Auto);

    let mut wasm = Config::new();
    wasm.allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
        .memory_init_cow(true)
        .epoch_interruption(true)
        // No store runs concurrent (component-model-async) calls: without the support, a
        // `Store` is created and dropped without the concurrent task state (whose drop made
        // an error, with a backtrace when RUST_BACKTRACE is set, at every environment's end).
        .concurrency_support(false)
        // Deterministic CPU counts the guest's work in fuel (compiled in, so off otherwise).
        .consume_fuel(config.cpu == crate::CpuMode::Deterministic);
    Engine::new(&wasm).map_err(|err| Error::Engine(format!("{err:#}")))
}

/// A thread that advances the engine's epoch every [`EPOCH_TICK`] until dropped.
pub(crate) struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    pub(crate) fn start(engine: &Engine) -> Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let engine = engine.clone();
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("lambda-sim-epoch".to_owned())
            .spawn(move || {
                // The epoch counts ticks since the start, whatever the sleeps' drift: a 1 s
                // timeout is 1,000 ticks of wall time, not 1,000 sleeps.
                let start = Instant::now();
                let mut ticks: u128 = 0;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    let due = start.elapsed().as_nanos() / EPOCH_TICK.as_nanos();
                    while ticks < due {
                        engine.increment_epoch();
                        ticks += 1;
                    }
                }
            })
            .map_err(|source| Error::Io {
                action: "start the epoch ticker thread",
                source,
            })?;
        Ok(EpochTicker {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
