//! Event-source mappings on the real clock, for `lambda-sim serve`: records put through the
//! Kinesis API and messages sent through the SQS API reach their functions as they arrive,
//! and Firehose buffers are written to S3 when their interval ends.

use std::future::Future;
use std::time::Duration;

use lambda_sim_pipeline::{
    KinesisMapping, KinesisMappingConfig, Queue, SqsMapping, SqsMappingConfig, Stream,
};
use lambda_sim_runtime::services::Services;
use lambda_sim_runtime::{Clock, Runtime};

use super::target::LambdaTarget;
use super::wiring::AnyMapping;
use crate::Result;

/// The most flush errors a report keeps.
const MAX_ERRORS: usize = 100;

/// The longest the loop sleeps: how soon a record put between two polls is noticed, at most.
const TICK: Duration = Duration::from_millis(50);

/// Mappings stepped as time passes, with the delivery streams' flushes.
pub struct LiveSources {
    clock: Clock,
    services: Services,
    mappings: Vec<(AnyMapping, LambdaTarget)>,
}

/// What the mappings did by the time they stopped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LiveReport {
    /// Invocations of the mappings' functions.
    pub invocations: u64,
    /// Objects the delivery streams wrote when they were stopped (their buffers flushed).
    pub flushed_at_stop: usize,
    /// Flushes that failed (the object store refused the write), the last one's reason: the
    /// mappings go on, and the buffer is tried again at its next flush.
    pub flush_errors: Vec<String>,
}

impl LiveSources {
    /// No mapping yet, on `runtime`'s clock and stores.
    pub fn new(runtime: &Runtime) -> Self {
        LiveSources {
            clock: runtime.clock().clone(),
            services: runtime.services().clone(),
            mappings: Vec::new(),
        }
    }

    /// Reads `stream` into `target`'s function.
    pub fn kinesis(
        &mut self,
        stream: Stream,
        config: KinesisMappingConfig,
        target: LambdaTarget,
    ) -> Result<()> {
        let mapping = KinesisMapping::new(stream, config)?;
        self.mappings.push((AnyMapping::Kinesis(mapping), target));
        Ok(())
    }

    /// Reads `queue` into `target`'s function.
    pub fn sqs(
        &mut self,
        queue: Queue,
        config: SqsMappingConfig,
        target: LambdaTarget,
    ) -> Result<()> {
        let mapping = SqsMapping::new(queue, config)?;
        self.mappings.push((AnyMapping::Sqs(mapping), target));
        Ok(())
    }

    /// Steps every mapping when it is due and flushes the delivery streams when theirs are,
    /// until `stop` completes; then writes what the delivery streams still buffer.
    pub async fn run(mut self, stop: impl Future<Output = ()>) -> LiveReport {
        let mut stop = std::pin::pin!(stop);
        let mut flush_errors = Vec::new();
        loop {
            let now = self.clock.now();
            for (mapping, target) in &mut self.mappings {
                if mapping.next_at().is_some_and(|at| at <= now) {
                    mapping.step(now, target).await;
                }
            }
            if let Err(err) = self.services.firehose.flush_due(self.clock.wall()) {
                // A delivery stream whose destination refuses a write must not stop the
                // mappings: its records stay buffered, the error is reported.
                if flush_errors.len() < MAX_ERRORS {
                    flush_errors.push(err.to_string());
                }
            }
            let now = self.clock.now();
            let mapping_in = self
                .mappings
                .iter()
                .filter_map(|(m, _)| m.next_at())
                .map(|at| at.saturating_sub(now))
                .min();
            let flush_in = self
                .services
                .firehose
                .next_flush_at()
                .map(|at| at.duration_since(self.clock.wall()).unwrap_or_default());
            let wait = [mapping_in, flush_in, Some(TICK)]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(TICK)
                .max(Duration::from_millis(1));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut stop => break,
            }
        }
        let flushed = match self.services.firehose.flush_all(self.clock.wall()) {
            Ok(written) => written.len(),
            Err(err) => {
                flush_errors.push(err.to_string());
                0
            }
        };
        let invocations = self
            .mappings
            .into_iter()
            .map(|(_, target)| target.figures().invocations)
            .sum();
        LiveReport {
            invocations,
            flushed_at_stop: flushed,
            flush_errors,
        }
    }
}
