//! The state of one sandbox's `Store`: WASI, the memory limiter, the log sink and what the
//! guest reported through the runtime API. Nothing here outlives its environment.

use std::time::Instant;

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::bindings::lambda_sim::handler::{runtime_api, types};
use crate::logs::LogSink;

/// Per-environment host state.
pub(crate) struct Host {
    pub(crate) wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) memory: MemoryLimiter,
    pub(crate) logs: LogSink,
    /// The error a guest reported before aborting (a Rust panic).
    pub(crate) fatal: Option<types::HandlerError>,
    /// When the running phase (init or invoke) times out, on the host's clock.
    pub(crate) deadline: Instant,
    /// The CPU throttle of a guest below one vCPU (measured CPU on a real clock).
    pub(crate) throttle: Option<Throttle>,
    /// Set by [`Function::kill_running`](crate::Function::kill_running): the guest is stopped
    /// at its next epoch check, as a sandbox killed from outside.
    pub(crate) kill: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

/// The error a killed guest's call fails with.
#[derive(Debug)]
pub(crate) struct Killed;

impl std::fmt::Display for Killed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the execution environment was killed")
    }
}

impl std::error::Error for Killed {}

/// Throttling to a share of one vCPU: after running for a while, the guest pauses for as long
/// as its share says (run r, pause r x (1/share - 1)), as a CPU quota does.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Throttle {
    pub(crate) share: f64,
    /// When the guest last started running (the call's start, or the end of a pause).
    pub(crate) resumed_at: Instant,
}

impl Throttle {
    /// The pause owed for the CPU used since the last resume, at `now`.
    pub(crate) fn owed(&self, now: Instant) -> std::time::Duration {
        now.saturating_duration_since(self.resumed_at)
            .mul_f64(1.0 / self.share - 1.0)
    }
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl types::Host for Host {}

impl runtime_api::Host for Host {
    fn fatal_error(&mut self, error: types::HandlerError) {
        self.fatal = Some(error);
    }
}

/// Caps the guest's linear memory at the function's memory size and records the peak
/// (Max Memory Used) and whether a growth was refused (out of memory).
pub(crate) struct MemoryLimiter {
    limit: usize,
    total: usize,
    peak: usize,
    out_of_memory: bool,
}

impl MemoryLimiter {
    pub(crate) fn new(limit: usize) -> Self {
        MemoryLimiter {
            limit,
            total: 0,
            peak: 0,
            out_of_memory: false,
        }
    }

    /// The largest total linear memory the guest has had, in bytes.
    pub(crate) fn peak(&self) -> usize {
        self.peak
    }

    /// Whether a memory growth was refused since the last call (and forgets it).
    pub(crate) fn take_out_of_memory(&mut self) -> bool {
        std::mem::take(&mut self.out_of_memory)
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Creating a memory is a growth from 0, so `total` covers every memory of the guest.
        let total = self.total.saturating_sub(current).saturating_add(desired);
        if total > self.limit {
            self.out_of_memory = true;
            return Ok(false);
        }
        self.total = total;
        self.peak = self.peak.max(total);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(maximum.is_none_or(|max| desired <= max))
    }
}
