//! The serverless analytics pipeline behind the project, in simulated time: analytics events
//! go into a Kinesis stream; a forwarder function reads them in batches and sends them to a
//! Firehose delivery stream, which buffers them into S3; an aggregating function reads the same
//! stream and keeps counts in the key-value store. Environments are killed and handler errors
//! forced at random, from the seed. The report says what reached S3 (delivered, duplicated,
//! lost), whether each shard kept its order, what cold starts cost, where time went and what a
//! month would cost at the simulated rate.
//!
//! Everything runs on one task, in the order of simulated time: the same seed, functions and
//! settings give the same objects and the same report (with deterministic CPU).
//!
//! The parts: [`PipelineOptions`] and the [`Consumer`]s say what runs; `wiring.rs` builds the
//! stream, queues and mappings they read; `producer.rs` sends the events; `driver.rs` steps
//! every source in simulated-time order, each batch invoking a [`LambdaTarget`]; then
//! `delivery.rs` reads S3 back and `latency.rs` times the events, into a [`PipelineReport`]
//! (`report.rs`, its text in `display.rs`).

mod consumer;
mod delivery;
mod display;
mod driver;
mod latency;
mod live;
mod options;
mod producer;
mod report;
mod target;
mod wiring;

pub use consumer::{Consumer, ConsumerSource, queue_of};
pub use driver::{pipeline_run, pipeline_run_with_progress};
pub use live::{LiveReport, LiveSources};
pub use options::PipelineOptions;
pub use report::{
    ConsumerReport, FunctionFigures, MappingStats, PipelineReport, PipelineTiming, ShardOrder,
    TimelineSpan,
};
pub use target::LambdaTarget;
