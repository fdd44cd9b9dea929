//! What an event-source mapping needs from a function, and what a driver needs from a mapping.

use std::time::Duration;

/// How one invocation of the mapped function ended, as the mapping sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The function's response bytes, or its error as `(errorType, errorMessage)`.
    pub result: Result<Vec<u8>, (String, String)>,
    /// Lambda refused the invocation (`TooManyRequestsException`): no environment ran it.
    pub throttled: bool,
    /// When the invocation ended, in simulation time.
    pub ends_at: Duration,
}

/// The function an event-source mapping invokes.
#[expect(
    async_fn_in_trait,
    reason = "driven on one task; no Send bound is needed"
)]
pub trait Target {
    /// Invokes the function synchronously with `event` (a JSON document) at simulation time
    /// `at`.
    async fn invoke(&mut self, at: Duration, event: Vec<u8>) -> Outcome;
}

/// An event-source mapping, as a driver of simulated time sees it.
#[expect(
    async_fn_in_trait,
    reason = "driven on one task; no Send bound is needed"
)]
pub trait Source {
    /// The earliest simulation time at which the mapping has work to do (a batch to send, a
    /// retry or a poll due), or `None` when it has nothing left until new records arrive.
    fn next_at(&self) -> Option<Duration>;

    /// Does the work due at `now`, invoking `target` for each batch (one after the other, in
    /// a fixed order).
    async fn step(&mut self, now: Duration, target: &mut impl Target);
}
