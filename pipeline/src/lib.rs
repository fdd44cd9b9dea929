//! Event sources for lambda-sim, in simulated time: a Kinesis stream (shards, partition-key
//! hashing, sequence numbers, retention) and an SQS queue (visibility timeout, receive counts,
//! a dead-letter queue), each read by an event-source mapping with Lambda's semantics (batch
//! size and window, per-shard order, retries, record age, bisection, partial batch failures,
//! on-failure destinations).
//!
//! Nothing here runs a guest: a mapping invokes a [`Target`], which lambda-sim implements over a
//! loaded function, and tests implement over a closure. Time is a `Duration` since the start of
//! the simulation; a driver asks each mapping when it next has work ([`Source::next_at`]) and
//! lets the earliest do it ([`Source::step`]), so a run is a deterministic function of its
//! inputs.
//!
//! ```
//! use std::time::Duration;
//! use lambda_sim_pipeline::{
//!     KinesisMapping, KinesisMappingConfig, Outcome, Source, Stream, StreamConfig, Target,
//! };
//!
//! /// A function that succeeds in 10 ms.
//! struct Echo;
//! impl Target for Echo {
//!     async fn invoke(&mut self, at: Duration, _event: Vec<u8>) -> Outcome {
//!         Outcome { result: Ok(b"null".to_vec()), throttled: false, ends_at: at + Duration::from_millis(10) }
//!     }
//! }
//!
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     let mut f = std::pin::pin!(f);
//! #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
//! # }
//! let stream = Stream::new(StreamConfig { shard_count: 2, ..StreamConfig::default() })?;
//! for i in 0..10 {
//!     stream.put_record(&format!("key-{i}"), vec![i], Duration::from_millis(100 * u64::from(i)));
//! }
//! let mut mapping = KinesisMapping::new(stream.clone(), KinesisMappingConfig::default())?;
//! // The driver's loop: the mapping's next time, then its work at that time.
//! while let Some(at) = mapping.next_at() {
//!     block_on(mapping.step(at, &mut Echo));
//! }
//! assert!(mapping.is_done());
//! assert_eq!(mapping.stats().records_acknowledged, 10);
//! # Ok::<(), lambda_sim_pipeline::ConfigError>(())
//! ```
//!
//! # Core concepts
//! - [`Stream`] and [`KinesisMapping`]: see the mapping's documentation for the model of
//!   polling, lanes, batching, retries, bisection and expiry.
//! - [`Queue`] and [`SqsMapping`]: visibility timeouts, receive counts and redrive to a
//!   dead-letter queue, read by pollers that delete what the function acknowledged.
//! - Streams and queues are shared handles (`Arc<Mutex<..>>`): the driver keeps a clone to
//!   put records or send messages while the mappings read them, and `serve`'s AWS APIs put
//!   and send from other threads.
//! - Wall-clock values in events count from [`SIMULATION_EPOCH`] (2026-01-01T00:00:00Z).

mod clock;
mod error;
mod ids;
pub mod kinesis;
mod outcome;
mod response;
pub mod sqs;
mod target;
#[cfg(test)]
mod testing;

pub use clock::SIMULATION_EPOCH;
pub use error::ConfigError;
pub use kinesis::{
    FunctionResponseType, KinesisMapping, KinesisMappingConfig, Stream, StreamConfig,
};
pub use outcome::BatchEnd;
pub use response::ItemFailures;
pub use sqs::{Queue, QueueConfig, SqsMapping, SqsMappingConfig};
pub use target::{Outcome, Source, Target};
