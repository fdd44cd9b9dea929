//! What a pipeline run saw, as plain data: the events' fate, each shard's order, each
//! consumer's figures and its mapping's, the latencies and the S3 objects; and the host's
//! timing, apart.

use std::collections::BTreeMap;
use std::time::Duration;

use lambda_sim_pipeline::kinesis::KinesisStats;
use lambda_sim_pipeline::sqs::SqsStats;
use lambda_sim_runtime::services::WrittenObject;
use lambda_sim_runtime::{ColdStart, Cost};
use serde_json::Value;

use crate::load::PhaseStats;

/// What one function did in the run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionFigures {
    /// Invocations made.
    pub invocations: u64,
    /// Of them, those that failed (function errors, kills, injected errors).
    pub errors: u64,
    /// Environments killed during an invocation.
    pub kills: u64,
    /// Injected errors.
    pub injected_errors: u64,
    /// Cold starts.
    pub cold_starts: u64,
    /// The cold starts' components, summed.
    pub cold: ColdStart,
    /// Init Duration per cold start.
    pub init: PhaseStats,
    /// Duration per invocation.
    pub duration: PhaseStats,
    /// The bill.
    pub cost: Cost,
    /// Every warm invocation's Duration, ms (for a histogram).
    pub warm_ms: Vec<f64>,
    /// Every cold invocation's Init Duration plus Duration, ms.
    pub cold_ms: Vec<f64>,
}

/// One invocation of the first Kinesis consumer on the run's timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct TimelineSpan {
    /// The shard (and lane) it read.
    pub lane: String,
    /// When it was sent, ms after the first event.
    pub start_ms: f64,
    /// When it ended, ms after the first event.
    pub end_ms: f64,
    /// Whether its batch succeeded.
    pub ok: bool,
}

/// One shard's ordering verdict: for every partition key of the shard, the first delivery of
/// each event must come in the order the events were sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardOrder {
    /// The shard.
    pub shard_id: String,
    /// Events sent to it.
    pub records: usize,
    /// Events delivered before an earlier event of the same partition key.
    pub out_of_order: usize,
}

/// What one consumer did.
#[derive(Clone, Debug, PartialEq)]
pub struct ConsumerReport {
    /// The function's name.
    pub name: String,
    /// The function's figures.
    pub figures: FunctionFigures,
    /// Its mapping's.
    pub mapping: MappingStats,
}

/// A mapping's figures.
#[derive(Clone, Debug, PartialEq)]
pub enum MappingStats {
    /// A Kinesis mapping's.
    Kinesis(KinesisStats),
    /// An SQS mapping's, and the queue it read.
    Sqs {
        /// The queue.
        queue: String,
        /// The mapping's figures.
        stats: SqsStats,
    },
}

/// What a pipeline run saw; its `Display` is the run's report (deterministic).
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineReport {
    /// Events sent into the stream.
    pub records: usize,
    /// Of them, poison events (not JSON).
    pub poison: usize,
    /// Distinct events found in S3.
    pub delivered: usize,
    /// Extra copies of events in S3 (an event delivered three times counts two).
    pub duplicates: usize,
    /// Events that exhausted their retries, found in the on-failure destination's records.
    pub to_destination: usize,
    /// Events neither in S3 nor in the on-failure destination: must be 0.
    pub lost: usize,
    /// Ordering per shard.
    pub shards: Vec<ShardOrder>,
    /// Each consumer: its function's figures and its mapping's.
    pub consumers: Vec<ConsumerReport>,
    /// The on-failure destinations' records, consumer after consumer.
    pub destination_records: Vec<Value>,
    /// Time from an event's arrival in the stream to the invocation of the first consumer
    /// that first carried it (its iterator age).
    pub iterator_age: PhaseStats,
    /// Time from an event's arrival in the stream to the S3 object that first held it.
    pub end_to_end: PhaseStats,
    /// Objects the delivery stream wrote.
    pub objects: Vec<WrittenObject>,
    /// The aggregator's counts per event type, from the key-value store.
    pub counts: BTreeMap<String, u64>,
    /// The first Kinesis consumer's first invocations (at most 400), for a timeline.
    pub timeline: Vec<TimelineSpan>,
    /// Simulated time from the first event to the last object.
    pub simulated: Duration,
    /// Events per second of simulated time.
    pub rate: f64,
}

/// Host figures of a run, which vary from run to run (not part of the report).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PipelineTiming {
    /// Wall time of the whole run.
    pub wall: Duration,
    /// Wall time spent in Lambda invocations (sandboxes, host calls, handlers).
    pub in_invocations: Duration,
}

impl PipelineTiming {
    /// Events per second of wall time.
    pub fn throughput(&self, records: usize) -> f64 {
        records as f64 / self.wall.as_secs_f64().max(1e-9)
    }
}

impl PipelineReport {
    /// Whether every event reached S3 or the on-failure destination, and every shard kept
    /// its order.
    pub fn holds(&self) -> bool {
        self.lost == 0 && self.shards.iter().all(|s| s.out_of_order == 0)
    }

    /// The Lambda cost of a 30-day month at the simulated event rate: the run's bill per
    /// event, times the events of a month.
    pub fn monthly_cost(&self) -> f64 {
        let mut total = Cost::default();
        for consumer in &self.consumers {
            total.add(&consumer.figures.cost);
        }
        total.total_usd() / self.records.max(1) as f64 * self.rate * 30.0 * 86_400.0
    }
}
