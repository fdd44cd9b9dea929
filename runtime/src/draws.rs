//! The run's seeded random source and every draw made from it: request ids, log stream names,
//! cold-start delays, injected faults, X-Ray ids and the guests' own seeds. One file, so the
//! order of draws (which a seeded run's output depends on) reads in one place.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::{Rng as _, RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use crate::clock::Clock;
use crate::coldstart::{ColdStart, VpcModel};
use crate::config::RuntimeConfig;
use crate::faults::Faults;
use crate::report::Xray;

/// A seeded random source: the runtime's, and each function's own, split from it at load.
pub(crate) struct Draws {
    rng: Mutex<ChaCha8Rng>,
}

/// What an invocation's faults drew: a start-up delay and whether it fails.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FaultDraw {
    pub(crate) delay: Duration,
    pub(crate) fail: bool,
}

impl Draws {
    pub(crate) fn new(seed: u64) -> Self {
        Draws {
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed)),
        }
    }

    /// A stream of its own for a function being loaded, seeded from this one: what the
    /// function draws then depends on the seed and the order functions were loaded in, not on
    /// other functions' invocations, and two threads invoking different functions never wait
    /// on one lock.
    pub(crate) fn split(&self) -> Draws {
        Draws::new(self.rng().next_u64())
    }

    fn rng(&self) -> MutexGuard<'_, ChaCha8Rng> {
        self.rng
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A request id: a version-4 UUID.
    pub(crate) fn request_id(&self) -> String {
        let mut bytes = [0u8; 16];
        self.rng().fill_bytes(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }

    /// A CloudWatch log stream name: `YYYY/MM/DD/[$LATEST]<32 hex digits>`.
    pub(crate) fn log_stream_name(&self, clock: &Clock) -> String {
        let now = humantime::format_rfc3339(clock.wall()).to_string();
        let date = now.get(..10).unwrap_or("1970-01-01").replace('-', "/");
        let (a, b) = {
            let mut rng = self.rng();
            (rng.next_u64(), rng.next_u64())
        };
        format!("{date}/[$LATEST]{a:016x}{b:016x}")
    }

    /// The modelled delays of a cold start: the VPC's network interface (`vpc` functions),
    /// placement and the language runtime's start.
    pub(crate) fn cold_start(&self, config: &RuntimeConfig, vpc: bool) -> ColdStart {
        let mut cold = ColdStart::default();
        let mut rng = self.rng();
        if vpc && config.vpc != VpcModel::None {
            cold.eni = config.vpc.eni_delay(&mut *rng);
        }
        cold.placement = config.cold_start.placement.sample(&mut *rng);
        cold.runtime_init = config.cold_start.runtime_init.sample(&mut *rng);
        cold
    }

    /// Draws an invocation's faults (nothing is drawn when none is active).
    pub(crate) fn faults(&self, faults: &Faults) -> FaultDraw {
        if !faults.is_active() {
            return FaultDraw::default();
        }
        let mut rng = self.rng();
        let delayed = rng.random_bool((faults.delay_percentage / 100.0).clamp(0.0, 1.0));
        let fail = rng.random_bool((faults.error_percentage / 100.0).clamp(0.0, 1.0));
        FaultDraw {
            delay: if delayed {
                faults.startup_delay
            } else {
                Duration::ZERO
            },
            fail,
        }
    }

    /// X-Ray ids of an invocation started at `started_at`:
    /// `1-<8 hex: epoch seconds>-<24 hex: 96 random bits>` and a 16-hex segment id.
    pub(crate) fn xray(&self, started_at: SystemTime) -> Xray {
        let (high, low, segment) = {
            let mut rng = self.rng();
            (rng.next_u64(), rng.next_u32(), rng.next_u64())
        };
        let epoch = started_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Xray {
            trace_id: format!("1-{:08x}-{high:016x}{low:08x}", epoch as u32),
            segment_id: format!("{segment:016x}"),
        }
    }

    /// Seeds of a new environment's WASI random sources (secure, insecure).
    pub(crate) fn guest_seeds(&self) -> (u64, u64) {
        let mut rng = self.rng();
        (rng.next_u64(), rng.next_u64())
    }
}
