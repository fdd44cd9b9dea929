//! What an SQS mapping counts and traces for a report.

use std::time::Duration;

use crate::outcome::BatchEnd;

/// An SQS mapping's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SqsStats {
    /// Invocations of the target, throttled ones included.
    pub invocations: u64,
    /// Invocations after which every message of the batch was deleted.
    pub successful_batches: u64,
    /// Messages deleted after the function acknowledged them.
    pub messages_deleted: u64,
    /// Messages of failed, partly failed or throttled batches, left to reappear after the
    /// visibility timeout.
    pub messages_returned: u64,
    /// Throttled invocations.
    pub throttles: u64,
    /// Messages the mapping's receives moved to the dead-letter queue.
    pub messages_to_dead_letter: u64,
}

/// One invocation of an SQS mapping, for a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsInvocation {
    /// The poller that made it (0-based).
    pub poller: u32,
    /// The ids of the messages sent, in the event's order.
    pub message_ids: Vec<String>,
    /// When the mapping invoked the function.
    pub invoked_at: Duration,
    /// When the invocation ended (as the target reported it).
    pub ends_at: Duration,
    /// How it ended.
    pub end: BatchEnd,
}
