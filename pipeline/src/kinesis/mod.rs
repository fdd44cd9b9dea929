//! Kinesis: a stream of shards and the event-source mapping that reads it.

mod batch_event;
mod config;
mod lane;
mod mapping;
mod stats;
mod stream;
#[cfg(test)]
mod tests;

pub use batch_event::DiscardCondition;
pub use config::{
    DestinationConfig, FunctionResponseType, KinesisMappingConfig, OnFailure, StartingPosition,
};
pub use mapping::{KinesisMapping, POLL_INTERVAL};
pub use stats::{KinesisInvocation, KinesisStats};
pub use stream::{StoredRecord, Stream, StreamConfig};
