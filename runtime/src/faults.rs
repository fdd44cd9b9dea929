//! Fault injection in the manner of AWS FIS's Lambda actions: a start-up delay added to a share
//! of invocations (`aws:lambda:invocation-add-delay`), and a share of invocations marked failed
//! (`aws:lambda:invocation-error`), with or without running the handler.

use std::time::Duration;

/// The faults injected into a function's invocations, drawn from the run's seeded random source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// The percentage (0-100) of invocations that wait [`Faults::startup_delay`] before the
    /// handler starts.
    pub delay_percentage: f64,
    /// The added start-up delay.
    pub startup_delay: Duration,
    /// The percentage (0-100) of invocations that fail with `FaultInjectionError`.
    pub error_percentage: f64,
    /// Whether a failed invocation skips the handler (FIS's `preventExecution`).
    pub prevent_execution: bool,
}

impl Faults {
    /// Whether any fault is configured.
    pub fn is_active(&self) -> bool {
        self.delay_percentage > 0.0 || self.error_percentage > 0.0
    }
}

/// The error type of an injected failure.
pub const FAULT_ERROR_TYPE: &str = "FaultInjectionError";
