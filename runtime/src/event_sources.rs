//! The event sources and delivery streams a simulation file describes: Kinesis streams, SQS
//! queues, Firehose delivery streams, and the event-source mappings that connect streams and
//! queues to functions. Read from `lambda-sim.toml` (`[[stream]]`, `[[queue]]`,
//! `[[delivery_stream]]`, `[[event_source_mapping]]`) and from a SAM template
//! (`AWS::Kinesis::Stream`, `AWS::SQS::Queue`, `AWS::KinesisFirehose::DeliveryStream` and
//! functions' `Events` of type `Kinesis` and `SQS`). Checked in one place, [`Pipeline::check`].

use std::time::Duration;

use lambda_sim_pipeline::kinesis::{
    DestinationConfig, FunctionResponseType, OnFailure, StartingPosition,
};
use lambda_sim_pipeline::{KinesisMappingConfig, SqsMappingConfig};
use lambda_sim_services::DeliveryStreamConfig;
use serde::Deserialize;

use crate::{Error, Result};

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

/// What an event-source mapping reads.
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

/// The event sources, mappings and delivery streams of a simulation file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pipeline {
    /// Kinesis streams.
    pub streams: Vec<StreamSpec>,
    /// SQS queues.
    pub queues: Vec<QueueSpec>,
    /// Firehose delivery streams.
    pub delivery_streams: Vec<DeliveryStreamConfig>,
    /// Event-source mappings.
    pub mappings: Vec<MappingSpec>,
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

/// A `[[event_source_mapping]]` entry of `lambda-sim.toml`: CreateEventSourceMapping's
/// settings in snake case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MappingEntry {
    function: String,
    stream: Option<String>,
    queue: Option<String>,
    batch_size: Option<u32>,
    maximum_batching_window_in_seconds: Option<u32>,
    parallelization_factor: Option<u32>,
    maximum_retry_attempts: Option<i64>,
    maximum_record_age_in_seconds: Option<i64>,
    #[serde(default)]
    bisect_batch_on_function_error: bool,
    #[serde(default)]
    function_response_types: Vec<FunctionResponseType>,
    starting_position: Option<StartingPosition>,
    on_failure: Option<String>,
    maximum_concurrency: Option<u32>,
}

impl MappingEntry {
    pub(crate) fn into_spec(self) -> Result<MappingSpec> {
        let function = self.function;
        match (self.stream, self.queue) {
            (Some(stream), None) => {
                let mut config = KinesisMappingConfig {
                    function_name: function,
                    bisect_batch_on_function_error: self.bisect_batch_on_function_error,
                    function_response_types: self.function_response_types,
                    ..KinesisMappingConfig::default()
                };
                if let Some(n) = self.batch_size {
                    config.batch_size = n;
                }
                if let Some(n) = self.maximum_batching_window_in_seconds {
                    config.maximum_batching_window_in_seconds = n;
                }
                if let Some(n) = self.parallelization_factor {
                    config.parallelization_factor = n;
                }
                if let Some(n) = self.maximum_retry_attempts {
                    config.maximum_retry_attempts = n;
                }
                if let Some(n) = self.maximum_record_age_in_seconds {
                    config.maximum_record_age_in_seconds = n;
                }
                if let Some(position) = self.starting_position {
                    config.starting_position = position;
                }
                config.destination_config = self.on_failure.map(|destination| DestinationConfig {
                    on_failure: Some(OnFailure { destination }),
                });
                if self.maximum_concurrency.is_some() {
                    return Err(Error::InvalidConfig(format!(
                        "event source mapping of `{}`: `maximum_concurrency` is for SQS mappings",
                        config.function_name
                    )));
                }
                Ok(MappingSpec::Kinesis { stream, config })
            }
            (None, Some(queue)) => {
                let kinesis_only = [
                    (
                        "parallelization_factor",
                        self.parallelization_factor.is_some(),
                    ),
                    (
                        "maximum_retry_attempts",
                        self.maximum_retry_attempts.is_some(),
                    ),
                    (
                        "maximum_record_age_in_seconds",
                        self.maximum_record_age_in_seconds.is_some(),
                    ),
                    (
                        "bisect_batch_on_function_error",
                        self.bisect_batch_on_function_error,
                    ),
                    ("starting_position", self.starting_position.is_some()),
                    ("on_failure", self.on_failure.is_some()),
                ];
                if let Some((name, _)) = kinesis_only.iter().find(|(_, set)| *set) {
                    return Err(Error::InvalidConfig(format!(
                        "event source mapping of `{function}`: `{name}` is for Kinesis mappings (an SQS queue retries through its visibility timeout and dead-letter queue)"
                    )));
                }
                let mut config = SqsMappingConfig {
                    function_name: function,
                    function_response_types: self.function_response_types,
                    ..SqsMappingConfig::default()
                };
                if let Some(n) = self.batch_size {
                    config.batch_size = n;
                }
                if let Some(n) = self.maximum_batching_window_in_seconds {
                    config.maximum_batching_window_in_seconds = n;
                }
                if let Some(n) = self.maximum_concurrency {
                    config.scaling_config = Some(lambda_sim_pipeline::sqs::ScalingConfig {
                        maximum_concurrency: n,
                    });
                }
                Ok(MappingSpec::Sqs { queue, config })
            }
            _ => Err(Error::InvalidConfig(format!(
                "event source mapping of `{function}` must name exactly one of `stream` and `queue`"
            ))),
        }
    }
}

impl Pipeline {
    /// Whether the file describes no event source and no delivery stream.
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
            && self.queues.is_empty()
            && self.delivery_streams.is_empty()
            && self.mappings.is_empty()
    }

    /// Checks every setting against AWS's ranges and every reference (functions, streams,
    /// queues) against what the file defines; the error names the first mistake.
    pub fn check(&self, functions: &[&str]) -> Result<()> {
        let invalid = |message: String| Err(Error::InvalidConfig(message));
        let mut names = std::collections::BTreeSet::new();
        for stream in &self.streams {
            if !names.insert(("stream", stream.name.as_str())) {
                return invalid(format!("stream `{}` is defined twice", stream.name));
            }
            if !(1..=500).contains(&stream.shards) {
                return invalid(format!(
                    "stream `{}`: {} shards is outside Kinesis's range of 1 to 500",
                    stream.name, stream.shards
                ));
            }
            if !(24..=8_760).contains(&stream.retention_hours) {
                return invalid(format!(
                    "stream `{}`: a retention of {} hours is outside Kinesis's range of 24 to 8760",
                    stream.name, stream.retention_hours
                ));
            }
        }
        for queue in &self.queues {
            if !names.insert(("queue", queue.name.as_str())) {
                return invalid(format!("queue `{}` is defined twice", queue.name));
            }
            if queue.visibility_timeout > 43_200 {
                return invalid(format!(
                    "queue `{}`: a visibility timeout of {} s is outside SQS's range of 0 to 43200 seconds",
                    queue.name, queue.visibility_timeout
                ));
            }
            if !(1..=1_000).contains(&queue.max_receive_count) {
                return invalid(format!(
                    "queue `{}`: a maxReceiveCount of {} is outside SQS's range of 1 to 1000",
                    queue.name, queue.max_receive_count
                ));
            }
        }
        for queue in &self.queues {
            if let Some(dlq) = &queue.dead_letter_queue
                && (dlq == &queue.name || !self.queues.iter().any(|q| &q.name == dlq))
            {
                return invalid(format!(
                    "queue `{}`: its dead-letter queue `{dlq}` is not another queue of the file",
                    queue.name
                ));
            }
        }
        for delivery in &self.delivery_streams {
            if !names.insert(("delivery stream", delivery.name.as_str())) {
                return invalid(format!(
                    "delivery stream `{}` is defined twice",
                    delivery.name
                ));
            }
            delivery.validate().map_err(|err| {
                Error::InvalidConfig(format!("delivery stream `{}`: {err}", delivery.name))
            })?;
        }
        for mapping in &self.mappings {
            let function = mapping.function();
            if !functions.contains(&function) {
                return invalid(format!(
                    "an event source mapping invokes `{function}`, which is not a function of the file"
                ));
            }
            let checked = match mapping {
                MappingSpec::Kinesis { stream, config } => {
                    if !names.contains(&("stream", stream.as_str())) {
                        return invalid(format!(
                            "the event source mapping of `{function}` reads stream `{stream}`, which is not a stream of the file"
                        ));
                    }
                    config.validate()
                }
                MappingSpec::Sqs { queue, config } => {
                    if !names.contains(&("queue", queue.as_str())) {
                        return invalid(format!(
                            "the event source mapping of `{function}` reads queue `{queue}`, which is not a queue of the file"
                        ));
                    }
                    config.validate()
                }
            };
            checked.map_err(|err| {
                Error::InvalidConfig(format!("event source mapping of `{function}`: {err}"))
            })?;
        }
        Ok(())
    }
}

impl StreamSpec {
    /// How long records are kept.
    pub fn retention(&self) -> Duration {
        Duration::from_secs(self.retention_hours * 3_600)
    }
}
