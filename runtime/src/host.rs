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
    /// What is left of the environment's `/tmp` (its ephemeral storage).
    pub(crate) quota: crate::quota::SharedQuota,
    /// The run's stores (key-value, objects, Firehose), shared by every environment.
    pub(crate) services: lambda_sim_services::Services,
    /// The guest's clock, which dates what it writes to the stores.
    pub(crate) clock: crate::clock::Clock,
    /// When the running phase started on the host, for the host calls' offsets.
    pub(crate) phase_started: Instant,
    /// The running phase's calls to the stores, for its trace.
    pub(crate) calls: Vec<crate::invocation::HostCall>,
    /// `wasi:http`'s state and the hook that answers the guest's requests in process.
    pub(crate) http: wasmtime_wasi_http::WasiHttpCtx,
    pub(crate) outgoing: crate::outgoing::Outgoing,
    /// The running invocation's response stream (`response-stream`).
    pub(crate) stream: crate::stream::StreamState,
}

impl Host {
    /// A guest starts waiting (a timer, a slow caller): the CPU it used up to now counts.
    pub(crate) fn wait_starts(&mut self) {
        if let Some(throttle) = &mut self.throttle {
            throttle.count_until(Instant::now());
        }
    }

    /// The guest resumes: its CPU counts again from now.
    pub(crate) fn wait_ends(&mut self) {
        if let Some(throttle) = &mut self.throttle {
            throttle.resume_at(Instant::now());
        }
    }
}

/// The most host calls a phase's trace keeps (a guest in a loop must not grow it forever).
const MAX_TRACED_CALLS: usize = 10_000;

impl Host {
    /// Records a call to a store that started at `started` and ends now.
    pub(crate) fn record(&mut self, name: &'static str, started: Instant) {
        if self.calls.len() < MAX_TRACED_CALLS {
            self.calls.push(crate::invocation::HostCall {
                name: name.into(),
                offset: started.saturating_duration_since(self.phase_started),
                duration: started.elapsed(),
            });
        }
    }
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

/// The CPU period of the throttle: in each, a guest at share `s` runs for `s` x 20 ms, then
/// waits for the next period, as a CFS bandwidth quota does. A call shorter than its quota
/// never waits; a long one averages its share. (Lambda does not document its period.)
pub(crate) const CPU_PERIOD: std::time::Duration = std::time::Duration::from_millis(20);

/// Throttling to a share of one vCPU (measured CPU on a real clock).
#[derive(Clone, Debug)]
pub(crate) struct Throttle {
    pub(crate) share: f64,
    /// When the current period started.
    period_start: Instant,
    /// CPU used in the current period (with any overrun of the last one carried over).
    used: std::time::Duration,
    /// When the guest last started running, in nanoseconds after `base`: written by the
    /// pause itself when it ends, since a sleep can end later than asked.
    resumed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    base: Instant,
}

impl Throttle {
    pub(crate) fn new(share: f64, now: Instant) -> Self {
        Throttle {
            share,
            period_start: now,
            used: std::time::Duration::ZERO,
            resumed: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0)),
            base: now,
        }
    }

    /// Accounts for the CPU used up to `now`; returns the pause to take if the period's quota
    /// is spent (a future that sleeps and records when the guest resumes).
    pub(crate) fn tick(
        &mut self,
        now: Instant,
        deadline: Instant,
    ) -> Option<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>> {
        use std::sync::atomic::Ordering;
        let pause = self.account(now, deadline)?;
        let resumed = self.resumed.clone();
        let base = self.base;
        Some(Box::pin(async move {
            tokio::time::sleep(pause).await;
            let at = Instant::now().saturating_duration_since(base);
            resumed.store(
                u64::try_from(at.as_nanos()).unwrap_or(u64::MAX),
                Ordering::Release,
            );
        }))
    }

    /// The accounting of [`Throttle::tick`]: the pause owed at `now`, if any.
    fn account(&mut self, now: Instant, deadline: Instant) -> Option<std::time::Duration> {
        use std::sync::atomic::Ordering;
        let resumed_at =
            self.base + std::time::Duration::from_nanos(self.resumed.load(Ordering::Acquire));
        self.used += now.saturating_duration_since(resumed_at);
        self.mark_resumed(now);
        let quota = CPU_PERIOD.mul_f64(self.share);
        let period_end = self.period_start + CPU_PERIOD;
        if now >= period_end {
            // A whole period passed under quota (the guest was waiting on the host).
            self.used = self.used.saturating_sub(quota);
            self.period_start = now;
            return None;
        }
        if self.used < quota {
            return None;
        }
        // Quota spent: wait for the next period, or as many as the overrun fills (the guest
        // is only stopped at epoch ticks, a millisecond or two apart).
        let mut resume = period_end;
        self.used -= quota;
        while self.used >= quota {
            self.used -= quota;
            resume += CPU_PERIOD;
        }
        self.period_start = resume;
        Some(resume.min(deadline).saturating_duration_since(now))
    }

    /// Counts the CPU used up to `now`, when the guest starts waiting (it is not running
    /// until [`Throttle::resume_at`]); a quota spent is paid at the next epoch check.
    pub(crate) fn count_until(&mut self, now: Instant) {
        use std::sync::atomic::Ordering;
        let resumed_at =
            self.base + std::time::Duration::from_nanos(self.resumed.load(Ordering::Acquire));
        self.used += now.saturating_duration_since(resumed_at);
        self.mark_resumed(now);
    }

    /// The guest runs again at `now`, after a wait that used no CPU.
    pub(crate) fn resume_at(&mut self, now: Instant) {
        self.mark_resumed(now);
    }

    fn mark_resumed(&self, now: Instant) {
        let at = now.saturating_duration_since(self.base);
        self.resumed.store(
            u64::try_from(at.as_nanos()).unwrap_or(u64::MAX),
            std::sync::atomic::Ordering::Release,
        );
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

impl wasmtime_wasi_http::WasiHttpView for Host {
    fn http(&mut self) -> wasmtime_wasi_http::WasiHttpCtxView<'_> {
        wasmtime_wasi_http::WasiHttpCtxView {
            hooks: &mut self.outgoing,
            table: &mut self.table,
            ctx: &mut self.http,
        }
    }
}

impl types::Host for Host {}

impl crate::bindings::lambda_sim::handler::response_stream::Host for Host {
    fn set_content_type(&mut self, content_type: String) {
        self.stream.set_content_type(content_type);
    }

    async fn write(&mut self, chunk: Vec<u8>) -> Result<(), String> {
        // Waiting for the bandwidth or a slow caller is not CPU.
        self.wait_starts();
        let written = self.stream.write(chunk).await;
        self.wait_ends();
        written
    }
}

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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A guest that computes without pause for `cpu`, checked every millisecond as the epoch
    /// ticker does: the wall time the throttle lets it take.
    fn wall_time(share: f64, cpu: Duration) -> Duration {
        let start = Instant::now();
        let deadline = start + Duration::from_secs(3600);
        let mut throttle = Throttle::new(share, start);
        let (mut now, mut ran) = (start, Duration::ZERO);
        while ran < cpu {
            now += Duration::from_millis(1);
            ran += Duration::from_millis(1);
            if let Some(pause) = throttle.account(now, deadline) {
                now += pause;
                throttle.mark_resumed(now);
            }
        }
        now - start
    }

    #[test]
    fn a_throttled_guest_gets_its_share_of_a_core() {
        for (memory_mb, cpu_ms) in [(128u32, 300u64), (512, 300), (1024, 1000)] {
            let share = crate::cpu::cpu_share(memory_mb);
            let cpu = Duration::from_millis(cpu_ms);
            let ratio = wall_time(share, cpu).as_secs_f64() / cpu.as_secs_f64();
            let expected = 1.0 / share;
            assert!(
                (ratio - expected).abs() / expected < 0.05,
                "{memory_mb} MB: {ratio:.2}x the CPU time, expected {expected:.2}x"
            );
        }
    }

    #[test]
    fn a_wait_is_not_counted_as_cpu() {
        // At 128 MB (7.2% of a core: 1.45 ms of a 20 ms period), 1 ms of CPU, a 5 ms wait,
        // 0.4 ms of CPU: under the quota, no pause. Counted as CPU, the wait would spend it.
        let start = Instant::now();
        let deadline = start + Duration::from_secs(3);
        let share = crate::cpu::cpu_share(128);
        let ms = |n: f64| Duration::from_secs_f64(n / 1000.0);
        let mut waited = Throttle::new(share, start);
        waited.count_until(start + ms(1.0));
        waited.resume_at(start + ms(6.0));
        assert_eq!(waited.account(start + ms(6.4), deadline), None);
        let mut counted = Throttle::new(share, start);
        assert!(counted.account(start + ms(6.4), deadline).is_some());
    }

    #[test]
    fn a_pause_never_outlasts_the_deadline() {
        let start = Instant::now();
        let deadline = start + Duration::from_millis(5);
        let mut throttle = Throttle::new(0.05, start);
        let pause = throttle.account(start + Duration::from_millis(2), deadline);
        assert_eq!(pause, Some(Duration::from_millis(3)));
    }
}
