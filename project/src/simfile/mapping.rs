//! `[[event_source_mapping]]`: CreateEventSourceMapping's settings in snake case, for a
//! `stream` or a `queue`; a setting that only the other kind of mapping has is refused.

use lambda_sim_pipeline::kinesis::{
    DestinationConfig, FunctionResponseType, OnFailure, StartingPosition,
};
use lambda_sim_pipeline::sqs::ScalingConfig;
use lambda_sim_pipeline::{KinesisMappingConfig, SqsMappingConfig};
use serde::Deserialize;

use crate::{Error, MappingSpec, Result};

/// A mapping as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MappingEntry {
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
    /// The mapping of the stream or the queue it names.
    pub(super) fn into_spec(self) -> Result<MappingSpec> {
        match (self.stream.clone(), self.queue.clone()) {
            (Some(stream), None) => self.kinesis(stream),
            (None, Some(queue)) => self.sqs(queue),
            _ => Err(Error::InvalidConfig(format!(
                "event source mapping of `{}` must name exactly one of `stream` and `queue`",
                self.function
            ))),
        }
    }

    fn kinesis(self, stream: String) -> Result<MappingSpec> {
        if self.maximum_concurrency.is_some() {
            return Err(Error::InvalidConfig(format!(
                "event source mapping of `{}`: `maximum_concurrency` is for SQS mappings",
                self.function
            )));
        }
        let mut config = KinesisMappingConfig {
            function_name: self.function,
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
        Ok(MappingSpec::Kinesis { stream, config })
    }

    fn sqs(self, queue: String) -> Result<MappingSpec> {
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
                "event source mapping of `{}`: `{name}` is for Kinesis mappings (an SQS queue retries through its visibility timeout and dead-letter queue)",
                self.function
            )));
        }
        let mut config = SqsMappingConfig {
            function_name: self.function,
            function_response_types: self.function_response_types,
            ..SqsMappingConfig::default()
        };
        if let Some(n) = self.batch_size {
            config.batch_size = n;
        }
        if let Some(n) = self.maximum_batching_window_in_seconds {
            config.maximum_batching_window_in_seconds = n;
        }
        config.scaling_config = self.maximum_concurrency.map(|n| ScalingConfig {
            maximum_concurrency: n,
        });
        Ok(MappingSpec::Sqs { queue, config })
    }
}
