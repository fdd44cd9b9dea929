//! The simulation's clock: real wall time, or virtual time that delays and throttling advance
//! without sleeping. Guests read it through WASI's wall and monotonic clocks.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

/// Which clock a simulation runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockMode {
    /// Wall time: injected delays are slept.
    #[default]
    Real,
    /// Simulated time: injected delays advance the clock at once, so a 10 s ENI delay costs
    /// nothing; guests see the simulated time.
    Virtual,
}

/// The instant a virtual clock starts at: 2026-01-01T00:00:00Z, the same in every run (the
/// services' [`SIMULATION_EPOCH`](lambda_sim_services::SIMULATION_EPOCH), which the pipeline's event
/// timestamps count from, under the name the runtime's users know).
pub use lambda_sim_services::SIMULATION_EPOCH as VIRTUAL_EPOCH;

/// A simulation's clock; clones share it.
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
enum Inner {
    Real { start: Instant },
    Virtual { nanos: Arc<AtomicU64> },
}

impl Clock {
    /// A clock of the given mode, starting now (real) or at [`VIRTUAL_EPOCH`] (virtual).
    pub fn new(mode: ClockMode) -> Self {
        let inner = match mode {
            ClockMode::Real => Inner::Real {
                start: Instant::now(),
            },
            ClockMode::Virtual => Inner::Virtual {
                nanos: Arc::new(AtomicU64::new(0)),
            },
        };
        Clock {
            inner: Arc::new(inner),
        }
    }

    /// A virtual clock that reads a counter someone else sets (a guest's view of the time of
    /// the phase it runs in).
    pub(crate) fn fixed(nanos: Arc<AtomicU64>) -> Self {
        Clock {
            inner: Arc::new(Inner::Virtual { nanos }),
        }
    }

    /// The clock's mode.
    pub fn mode(&self) -> ClockMode {
        match &*self.inner {
            Inner::Real { .. } => ClockMode::Real,
            Inner::Virtual { .. } => ClockMode::Virtual,
        }
    }

    /// Time since the simulation started.
    pub fn now(&self) -> Duration {
        match &*self.inner {
            Inner::Real { start } => start.elapsed(),
            Inner::Virtual { nanos } => Duration::from_nanos(nanos.load(Ordering::Acquire)),
        }
    }

    /// The wall-clock time: the host's for a real clock, [`VIRTUAL_EPOCH`] plus the simulated
    /// time for a virtual one.
    pub fn wall(&self) -> SystemTime {
        match &*self.inner {
            Inner::Real { .. } => SystemTime::now(),
            Inner::Virtual { .. } => UNIX_EPOCH + VIRTUAL_EPOCH + self.now(),
        }
    }

    /// Moves a virtual clock forward to `t` (never back); a real clock ignores it.
    pub fn advance_to(&self, t: Duration) {
        if let Inner::Virtual { nanos } = &*self.inner {
            let t = u64::try_from(t.as_nanos()).unwrap_or(u64::MAX);
            nanos.fetch_max(t, Ordering::AcqRel);
        }
    }

    /// Lets `d` pass: sleeps on a real clock, advances a virtual one.
    pub async fn sleep(&self, d: Duration) {
        match &*self.inner {
            Inner::Real { .. } => tokio::time::sleep(d).await,
            Inner::Virtual { nanos } => {
                let d = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
                nanos.fetch_add(d, Ordering::AcqRel);
            }
        }
    }

    /// Whether this is a virtual clock.
    pub fn is_virtual(&self) -> bool {
        self.mode() == ClockMode::Virtual
    }
}

/// A guest's view of a virtual clock as `wasi:clocks/wall-clock`.
pub(crate) struct GuestWallClock(pub(crate) Clock);

impl HostWallClock for GuestWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        self.0.wall().duration_since(UNIX_EPOCH).unwrap_or_default()
    }
}

/// A guest's view of a virtual clock as `wasi:clocks/monotonic-clock`.
pub(crate) struct GuestMonotonicClock(pub(crate) Clock);

impl HostMonotonicClock for GuestMonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        u64::try_from(self.0.now().as_nanos()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_virtual_clock_moves_only_when_told() {
        let clock = Clock::new(ClockMode::Virtual);
        assert_eq!(clock.now(), Duration::ZERO);
        assert_eq!(
            humantime::format_rfc3339(clock.wall()).to_string(),
            "2026-01-01T00:00:00Z"
        );
        let before = Instant::now();
        clock.sleep(Duration::from_secs(10)).await;
        assert!(before.elapsed() < Duration::from_secs(1), "no real sleep");
        assert_eq!(clock.now(), Duration::from_secs(10));
        clock.advance_to(Duration::from_secs(5));
        assert_eq!(clock.now(), Duration::from_secs(10), "never backwards");
        clock.advance_to(Duration::from_secs(12));
        assert_eq!(clock.now(), Duration::from_secs(12));
    }
}
