//! How a phase's CPU is limited and its duration counted, by CPU mode and clock: the store's
//! fuel or deadline before a phase, the duration Lambda would report after it.

use std::time::{Duration, Instant};

use wasmtime::Store;

use crate::cpu::{self, CpuMode};
use crate::engine::EPOCH_TICK;
use crate::host::{Host, Throttle};

/// The longest a guest runs between two looks at its kill switch, in epoch ticks.
pub(crate) const KILL_CHECK_TICKS: u64 = 10;

/// A function's CPU model, computed once when it is loaded.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Meter {
    cpu: CpuMode,
    virtual_clock: bool,
    share: f64,
    memory_mb: u32,
    fuel_per_second: u64,
}

impl Meter {
    pub(crate) fn new(
        cpu: CpuMode,
        virtual_clock: bool,
        memory_mb: u32,
        fuel_per_second: u64,
    ) -> Self {
        Meter {
            cpu,
            virtual_clock,
            share: cpu::cpu_share(memory_mb),
            memory_mb,
            fuel_per_second,
        }
    }

    /// Whether a phase's duration is the host's wall time (measured CPU on a real clock),
    /// rather than fuel or the host's time over the share.
    pub(crate) fn is_wall_time(&self) -> bool {
        self.cpu == CpuMode::Measured && !self.virtual_clock
    }

    /// Sets the store's limits for a phase of at most `limit`.
    pub(crate) fn arm(&self, store: &mut Store<Host>, limit: Duration) {
        self.arm_at(store, limit, Instant::now());
    }

    /// [`Meter::arm`] for a phase starting at `now` (one clock read serves the whole start).
    pub(crate) fn arm_at(&self, store: &mut Store<Host>, limit: Duration, now: Instant) {
        let host = store.data_mut();
        match self.cpu {
            CpuMode::Deterministic => {
                // The fuel runs out at the limit; the wall clock only guards against a host
                // that stalls (a blocking host call), generously.
                host.deadline = now + limit.saturating_mul(1000).min(Duration::from_secs(86_400));
                host.throttle = None;
                let _ = store.set_fuel(cpu::fuel_for(limit, self.memory_mb, self.fuel_per_second));
            }
            CpuMode::Measured if self.virtual_clock => {
                // Simulated duration is the host's CPU time divided by the share.
                host.deadline = now + limit.mul_f64(self.share);
                host.throttle = None;
            }
            CpuMode::Measured => {
                host.deadline = now + limit;
                host.throttle = (self.share < 1.0).then(|| Throttle::new(self.share, now));
            }
        }
        let deadline = store.data().deadline;
        let check = if store.data().throttle.is_some() {
            1
        } else {
            KILL_CHECK_TICKS
        };
        store.set_epoch_deadline(ticks(deadline - now).min(check));
    }

    /// The phase's duration as reported: wall time, wall time over the share, or fuel.
    pub(crate) fn duration(
        &self,
        store: &mut Store<Host>,
        wall: Duration,
        limit: Duration,
    ) -> Duration {
        match self.cpu {
            CpuMode::Deterministic => {
                let budget = cpu::fuel_for(limit, self.memory_mb, self.fuel_per_second);
                let left = store.get_fuel().unwrap_or(0);
                let used = budget.saturating_sub(left);
                cpu::deterministic_duration(used, self.memory_mb, self.fuel_per_second)
            }
            CpuMode::Measured if self.virtual_clock => wall.div_f64(self.share),
            CpuMode::Measured => wall,
        }
    }
}

/// Epoch ticks for a duration, rounded up, never zero.
pub(crate) fn ticks(duration: Duration) -> u64 {
    let tick = EPOCH_TICK.as_nanos();
    u64::try_from(duration.as_nanos().div_ceil(tick))
        .unwrap_or(u64::MAX)
        .max(1)
}
