//! The options of one invocation: when it arrives, its request id, and what chaos does to it.
//! They are drawn and passed per call; nothing is left on the function for the next one.

use std::time::Duration;

use crate::faults::Faults;

/// How to make one invocation (see [`Function::invoke`](crate::Function::invoke)).
///
/// ```
/// use std::time::Duration;
/// use lambda_sim_runtime::InvokeOptions;
///
/// let options = InvokeOptions::at(Duration::from_secs(60)).kill(true);
/// assert_eq!(options.at, Some(Duration::from_secs(60)));
/// assert!(options.kill && !options.inject_error);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InvokeOptions {
    /// When the invocation arrives, in simulation time (a virtual clock moves there first, a
    /// real one waits). Default: the clock's now.
    pub at: Option<Duration>,
    /// The request id. Default: a new one from the run's seeded random source (the retries
    /// of an asynchronous invocation keep the first attempt's).
    pub request_id: Option<String>,
    /// Kill the environment once the handler starts (the chaos API's kill during an
    /// invocation): it fails with `Runtime.ExitError` and the environment is reset. A call
    /// refused before running kills nothing. Default false.
    pub kill: bool,
    /// Fail the invocation with an injected `FaultInjectionError` after its handler ran (AWS
    /// FIS's `invocation-error` without `preventExecution`). Default false.
    pub inject_error: bool,
    /// Faults drawn for this invocation instead of the function's own
    /// ([`Function::inject_faults`](crate::Function::inject_faults)). Default: the function's.
    pub faults: Option<Faults>,
    /// Where the response goes as the handler writes it (Lambda response streaming:
    /// `InvokeWithResponseStream`, a streaming function URL). Default: none, and what a
    /// handler writes to its response stream is buffered into the response.
    pub stream: Option<crate::ResponseSink>,
    /// The event's own time and random numbers, whatever environment answers it (the
    /// statelessness check). Default: none, the environment's.
    pub pinned: Option<Pinned>,
}

/// What a pinned invocation's guest sees in each phase it runs (a cold start's Init and the
/// handler), instead of the environment's: the wall and monotonic clocks read `at` (on a
/// virtual clock; a real one reads the host's), the context's deadline counts from it, and
/// the WASI random streams start again from seeds derived from `seed`, and the environment's
/// log stream and the X-Ray ids follow them. A handler whose answer
/// depends only on its event, the time and random numbers then answers a pinned event alike
/// in any environment, so that only state an environment keeps can make two answers differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pinned {
    /// The simulation time the guest reads (the wall clock shows [`VIRTUAL_EPOCH`] plus it).
    ///
    /// [`VIRTUAL_EPOCH`]: crate::VIRTUAL_EPOCH
    pub at: Duration,
    /// The seed of the random streams.
    pub seed: u64,
    /// Another Init for the same pin: `0` is the pin's own; others draw Init's random numbers
    /// from other seeds and read its clock that many seconds earlier, while the handler's phase
    /// stays pinned (what `check --snapstart` compares fresh inits with).
    pub init_variant: u64,
}

impl Pinned {
    /// The seeds (secure, insecure) of the random streams in a phase: `0` for Init, `1` for
    /// the handler.
    pub(crate) fn seeds(self, phase: u64) -> (u64, u64) {
        let variant = match (phase, self.init_variant) {
            (0, variant) if variant != 0 => mix(variant),
            _ => 0,
        };
        let base = mix(self.seed ^ phase.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ variant);
        (mix(base), mix(base ^ 1))
    }
}

impl Pinned {
    /// The time Init reads: the pinned time, moved earlier by the init variant (so that the
    /// handler's monotonic clock, which never goes back, still reads the pinned time).
    pub(crate) fn init_at(self) -> Duration {
        self.at
            .saturating_sub(Duration::from_secs(self.init_variant))
    }

    /// The log stream of an environment a pinned call starts: Lambda's form, its date the
    /// pinned time's, its id from the seed.
    pub(crate) fn log_stream(self) -> String {
        let wall = std::time::UNIX_EPOCH + crate::clock::VIRTUAL_EPOCH + self.at;
        let now = humantime::format_rfc3339(wall).to_string();
        let date = now.get(..10).unwrap_or("1970-01-01").replace('-', "/");
        let (a, b) = self.seeds(2);
        format!("{date}/[$LATEST]{a:016x}{b:016x}")
    }

    /// The X-Ray ids of a pinned call (under active tracing), from the pinned time and seed.
    pub(crate) fn xray(self) -> crate::report::Xray {
        let (high, segment) = self.seeds(3);
        let epoch = (crate::clock::VIRTUAL_EPOCH + self.at).as_secs();
        crate::report::Xray {
            trace_id: format!("1-{:08x}-{high:016x}{:08x}", epoch as u32, segment as u32),
            segment_id: format!("{segment:016x}"),
        }
    }
}

/// SplitMix64's finaliser: nearby seeds give unrelated streams.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl InvokeOptions {
    /// Arrives at simulation time `at`.
    pub fn at(at: Duration) -> Self {
        InvokeOptions {
            at: Some(at),
            ..InvokeOptions::default()
        }
    }

    /// Uses this request id.
    pub fn request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    /// Kills the environment once the handler starts (when `kill` is true).
    pub fn kill(mut self, kill: bool) -> Self {
        self.kill = kill;
        self
    }

    /// Fails the invocation with an injected error after its handler ran (when `inject` is true).
    pub fn inject_error(mut self, inject: bool) -> Self {
        self.inject_error = inject;
        self
    }

    /// Draws these faults instead of the function's own.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = Some(faults);
        self
    }

    /// Pins the guest's time and random numbers for this invocation.
    pub fn pinned(mut self, pinned: Pinned) -> Self {
        self.pinned = Some(pinned);
        self
    }

    /// Streams the response to `sink` as the handler writes it.
    pub fn stream(mut self, sink: crate::ResponseSink) -> Self {
        self.stream = Some(sink);
        self
    }

    /// The faults this invocation draws from, given the function's own.
    pub(crate) fn effective_faults(&self, own: &Faults) -> Faults {
        let mut faults = self.faults.clone().unwrap_or_else(|| own.clone());
        if self.inject_error {
            faults.error_percentage = 100.0;
            faults.prevent_execution = false;
        }
        faults
    }
}
