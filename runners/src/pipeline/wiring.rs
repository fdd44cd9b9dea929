//! What the consumers read through: the stream, the queues that get a copy of every event,
//! and one mapping and one [`LambdaTarget`] per consumer, built in the consumers' order.

use std::collections::BTreeMap;
use std::time::Duration;

use lambda_sim_pipeline::{KinesisMapping, Queue, Source as _, SqsMapping, Stream, StreamConfig};

use super::consumer::{Consumer, ConsumerSource, queue_of};
use super::options::PipelineOptions;
use super::target::LambdaTarget;
use crate::Result;

/// A mapping of either kind, as the driver steps it.
pub(crate) enum AnyMapping {
    Kinesis(KinesisMapping),
    Sqs(SqsMapping),
}

impl AnyMapping {
    pub(crate) fn next_at(&self) -> Option<Duration> {
        match self {
            AnyMapping::Kinesis(m) => m.next_at(),
            AnyMapping::Sqs(m) => m.next_at(),
        }
    }

    pub(crate) async fn step(&mut self, now: Duration, target: &mut LambdaTarget) {
        match self {
            AnyMapping::Kinesis(m) => m.step(now, target).await,
            AnyMapping::Sqs(m) => m.step(now, target).await,
        }
    }

    /// The Kinesis mapping, if this is one.
    pub(super) fn kinesis(&self) -> Option<&KinesisMapping> {
        match self {
            AnyMapping::Kinesis(m) => Some(m),
            AnyMapping::Sqs(_) => None,
        }
    }
}

/// The stream, the queues by name, and each consumer's mapping and target (same index).
pub(super) struct Wiring {
    pub(super) stream: Stream,
    pub(super) queues: BTreeMap<String, Queue>,
    pub(super) mappings: Vec<AnyMapping>,
    pub(super) targets: Vec<LambdaTarget>,
}

impl Wiring {
    /// Creates the stream and, for each consumer, its mapping (and its queue, once per name)
    /// and a target with the run's chaos, each drawing from its own seed.
    pub(super) fn new(consumers: &[Consumer], options: &PipelineOptions) -> Result<Self> {
        let stream = Stream::new(StreamConfig {
            name: options.stream.clone(),
            shard_count: options.shards,
            ..StreamConfig::default()
        })?;
        let mut wiring = Wiring {
            stream,
            queues: BTreeMap::new(),
            mappings: Vec::with_capacity(consumers.len()),
            targets: Vec::with_capacity(consumers.len()),
        };
        for (i, consumer) in consumers.iter().enumerate() {
            let mapping = wiring.mapping(consumer)?;
            wiring.mappings.push(mapping);
            wiring.targets.push(LambdaTarget::with_chaos(
                &consumer.function,
                options.kill_rate,
                options.error_rate,
                options.seed ^ ((i as u64 + 1) << 32),
            ));
        }
        Ok(wiring)
    }

    /// The consumer's mapping, on the stream or on its queue (created the first time its
    /// name is seen, with its dead-letter queue).
    fn mapping(&mut self, consumer: &Consumer) -> Result<AnyMapping> {
        let name = consumer.function.config().name.clone();
        match &consumer.source {
            ConsumerSource::Kinesis(mapping) => {
                let mut config = mapping.clone();
                config.function_name = name;
                Ok(AnyMapping::Kinesis(KinesisMapping::new(
                    self.stream.clone(),
                    config,
                )?))
            }
            ConsumerSource::Sqs {
                queue,
                dead_letter,
                mapping,
            } => {
                let handle = match self.queues.get(&queue.name) {
                    Some(handle) => handle.clone(),
                    None => {
                        let dlq = dead_letter
                            .as_ref()
                            .map(|d| queue_of(d, None))
                            .transpose()?;
                        let handle = queue_of(queue, dlq)?;
                        self.queues.insert(queue.name.clone(), handle.clone());
                        handle
                    }
                };
                let mut config = mapping.clone();
                config.function_name = name;
                Ok(AnyMapping::Sqs(SqsMapping::new(handle, config)?))
            }
        }
    }

    /// The mapping due first, and when (the first of them on a tie).
    pub(super) fn next_mapping(&self) -> Option<(Duration, usize)> {
        self.mappings
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.next_at().map(|at| (at, i)))
            .min()
    }

    /// Steps mapping `i` at `now`, invoking its consumer's target.
    pub(super) async fn step(&mut self, i: usize, now: Duration) {
        self.mappings[i].step(now, &mut self.targets[i]).await;
    }
}
