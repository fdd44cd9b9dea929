//! The functions that read the pipeline's events, each through an event-source mapping on the
//! stream or on a queue, and the demo's two.

use std::time::Duration;

use lambda_sim_pipeline::kinesis::{DestinationConfig, OnFailure};
use lambda_sim_pipeline::sqs::{QueueConfig, RedrivePolicy};
use lambda_sim_pipeline::{FunctionResponseType, KinesisMappingConfig, Queue, SqsMappingConfig};
use lambda_sim_project::QueueSpec;
use lambda_sim_runtime::Function;

use crate::Result;

/// A function reading the pipeline's events through an event-source mapping.
#[derive(Clone)]
pub struct Consumer {
    /// The function.
    pub function: Function,
    /// Its mapping (`function_name` is filled from the function).
    pub source: ConsumerSource,
}

/// Where a consumer reads the events.
#[derive(Clone, Debug)]
pub enum ConsumerSource {
    /// The Kinesis stream.
    Kinesis(KinesisMappingConfig),
    /// An SQS queue that gets a copy of every event (as SNS fan-out to a queue would).
    Sqs {
        /// The queue.
        queue: QueueSpec,
        /// Its dead-letter queue, when its redrive policy names one.
        dead_letter: Option<QueueSpec>,
        /// The mapping.
        mapping: SqsMappingConfig,
    },
}

impl Consumer {
    /// The bundled forwarder's mapping in the demo: batches of 100, ReportBatchItemFailures,
    /// bisection on error, 3 retries, an on-failure destination.
    pub fn forwarder(function: &Function) -> Self {
        let mapping = KinesisMappingConfig {
            batch_size: 100,
            maximum_retry_attempts: 3,
            bisect_batch_on_function_error: true,
            function_response_types: vec![FunctionResponseType::ReportBatchItemFailures],
            destination_config: Some(DestinationConfig {
                on_failure: Some(OnFailure {
                    destination: "arn:aws:sqs:us-east-1:123456789012:analytics-failures".to_owned(),
                }),
            }),
            ..KinesisMappingConfig::default()
        };
        Consumer {
            function: function.clone(),
            source: ConsumerSource::Kinesis(mapping),
        }
    }

    /// The Kinesis mapping's settings, for a consumer of the stream.
    pub fn kinesis_mut(&mut self) -> Option<&mut KinesisMappingConfig> {
        match &mut self.source {
            ConsumerSource::Kinesis(mapping) => Some(mapping),
            ConsumerSource::Sqs { .. } => None,
        }
    }

    /// The bundled aggregator's mapping in the demo: batches of 500, Lambda's defaults
    /// otherwise (retries until the records expire).
    pub fn aggregator(function: &Function) -> Self {
        let mapping = KinesisMappingConfig {
            batch_size: 500,
            ..KinesisMappingConfig::default()
        };
        Consumer {
            function: function.clone(),
            source: ConsumerSource::Kinesis(mapping),
        }
    }
}

/// The queue a [`QueueSpec`] describes, redriving to `dead_letter` when it has one.
pub fn queue_of(spec: &QueueSpec, dead_letter: Option<Queue>) -> Result<Queue> {
    let queue = Queue::new(QueueConfig {
        name: spec.name.clone(),
        visibility_timeout: Duration::from_secs(spec.visibility_timeout),
        redrive_policy: dead_letter.map(|queue| RedrivePolicy {
            dead_letter_queue: queue,
            max_receive_count: spec.max_receive_count,
        }),
        ..QueueConfig::default()
    })?;
    Ok(queue)
}
