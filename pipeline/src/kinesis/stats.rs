//! What a Kinesis mapping counts and traces for a report.

use std::time::Duration;

use crate::outcome::BatchEnd;

/// A Kinesis mapping's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct KinesisStats {
    /// Invocations of the target, throttled ones included.
    pub invocations: u64,
    /// Invocations after which every record of the batch was acknowledged.
    pub successful_batches: u64,
    /// Records the function acknowledged (whole batches, and the prefixes before a reported
    /// failure).
    pub records_acknowledged: u64,
    /// Failed invocations (a function error, an invalid or a partial batch response) whose
    /// records were kept for another attempt that uses a retry; bisections are not counted.
    pub retried_batches: u64,
    /// Failed batches split in two by `BisectBatchOnFunctionError`.
    pub bisections: u64,
    /// Throttled invocations.
    pub throttles: u64,
    /// Records discarded because they were older than `MaximumRecordAgeInSeconds`.
    pub records_expired_by_age: u64,
    /// Records lost to the stream's retention before the function acknowledged them (trimmed
    /// before the mapping read them, or while they waited or were retried).
    pub records_expired_by_retention: u64,
    /// Records discarded after `MaximumRetryAttempts` was used up.
    pub records_retries_exhausted: u64,
    /// Records described by on-failure destination records.
    pub records_to_destination: u64,
}

/// One invocation of a Kinesis mapping, for a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KinesisInvocation {
    /// The shard the batch came from.
    pub shard_id: String,
    /// The parallelization lane of the shard (0 with `ParallelizationFactor` 1).
    pub lane: u32,
    /// The first record's sequence number.
    pub first_sequence_number: String,
    /// The last record's sequence number.
    pub last_sequence_number: String,
    /// The number of records sent.
    pub batch_size: usize,
    /// The arrival of the batch's first (oldest) record.
    pub earliest_arrival: Duration,
    /// When the mapping invoked the function.
    pub invoked_at: Duration,
    /// When the invocation ended (as the target reported it).
    pub ends_at: Duration,
    /// How it ended.
    pub end: BatchEnd,
}
