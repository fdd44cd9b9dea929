//! SQS: a queue with visibility timeouts and a dead-letter queue, and the event-source
//! mapping that reads it.

mod batch_event;
mod config;
mod mapping;
mod queue;
mod stats;
#[cfg(test)]
mod tests;

pub use config::{ScalingConfig, SqsMappingConfig};
pub use mapping::{DEFAULT_POLLERS, SqsMapping};
pub use queue::{Queue, QueueConfig, QueueMessage, ReceivedMessage, RedrivePolicy};
pub use stats::{SqsInvocation, SqsStats};
