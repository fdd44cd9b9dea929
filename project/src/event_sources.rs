//! The event sources a project describes: Kinesis streams, SQS queues, and the event-source
//! mappings that connect them to functions. `lambda-sim.toml` writes them as `[[stream]]`,
//! `[[queue]]` and `[[event_source_mapping]]`; a SAM template as `AWS::Kinesis::Stream` and
//! `AWS::SQS::Queue` resources and functions' `Events` of type `Kinesis` and `SQS`.

use std::time::Duration;

use lambda_sim_pipeline::{KinesisMappingConfig, SqsMappingConfig};
use serde::Deserialize;

/// A Kinesis data stream.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamSpec {
    /// Its name.
    pub name: String,
    /// Its shards, 1 to 500. Default 1.
    #[serde(default = "one")]
    pub shards: usize,
    /// How long records are kept, 24 to 8,760 hours. Default 24.
    #[serde(default = "day")]
    pub retention_hours: u64,
}

/// An SQS queue.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    /// Its name.
    pub name: String,
    /// The visibility timeout in seconds, 0 to 43,200. Default 30.
    #[serde(default = "thirty")]
    pub visibility_timeout: u64,
    /// The queue that receives messages received more than `max_receive_count` times.
    #[serde(default)]
    pub dead_letter_queue: Option<String>,
    /// The redrive policy's `maxReceiveCount`, 1 to 1,000. Default 10.
    #[serde(default = "ten")]
    pub max_receive_count: u32,
}

/// An event-source mapping: what it reads, and its settings.
#[derive(Clone, Debug, PartialEq)]
pub enum MappingSpec {
    /// A Kinesis stream, by name.
    Kinesis {
        /// The stream.
        stream: String,
        /// The mapping's settings (`function_name` is the function's).
        config: KinesisMappingConfig,
    },
    /// An SQS queue, by name.
    Sqs {
        /// The queue.
        queue: String,
        /// The mapping's settings (`function_name` is the function's).
        config: SqsMappingConfig,
    },
}

impl MappingSpec {
    /// The function the mapping invokes.
    pub fn function(&self) -> &str {
        match self {
            MappingSpec::Kinesis { config, .. } => &config.function_name,
            MappingSpec::Sqs { config, .. } => &config.function_name,
        }
    }
}

impl StreamSpec {
    /// A stream with Kinesis's defaults: one shard, records kept 24 hours.
    pub fn named(name: impl Into<String>) -> Self {
        StreamSpec {
            name: name.into(),
            shards: one(),
            retention_hours: day(),
        }
    }

    /// How long records are kept.
    pub fn retention(&self) -> Duration {
        Duration::from_secs(self.retention_hours * 3_600)
    }
}

impl QueueSpec {
    /// A queue with SQS's defaults: a 30 s visibility timeout, no dead-letter queue.
    pub fn named(name: impl Into<String>) -> Self {
        QueueSpec {
            name: name.into(),
            visibility_timeout: thirty(),
            dead_letter_queue: None,
            max_receive_count: ten(),
        }
    }
}

fn one() -> usize {
    1
}

fn day() -> u64 {
    24
}

fn thirty() -> u64 {
    30
}

fn ten() -> u32 {
    10
}
