//! The time the services read: the simulation's, given by whoever runs them.

use std::time::{Duration, Instant, SystemTime};

/// The simulation's clock as the services see it: time since the simulation started (what
/// streams and queues count in) and the wall-clock time (what S3 and Firehose write).
pub trait SimClock: Send + Sync + 'static {
    /// Time since the simulation started.
    fn now(&self) -> Duration;
    /// The wall-clock time.
    fn wall(&self) -> SystemTime;
}

/// The host's clock, started when it is made.
#[derive(Debug, Clone, Copy)]
pub struct RealClock {
    start: Instant,
}

impl RealClock {
    /// A clock whose `now` is zero at this instant.
    pub fn start() -> Self {
        RealClock {
            start: Instant::now(),
        }
    }
}

impl SimClock for RealClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}
