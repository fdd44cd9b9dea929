//! The runs lambda-sim makes of functions, over the runtime's public API: chaos runs, load
//! runs, power tuning, the analytics pipeline and the statelessness check, with their reports
//! (as text, JSON and self-contained HTML), and sample events of the common sources.
//!
//! ```
//! use lambda_sim_runners::{SOURCES, SampleOptions, sample_event};
//!
//! let options = SampleOptions { records: 2, ..SampleOptions::default() };
//! let event = sample_event("sqs", &options).expect("a known source");
//! assert_eq!(event["Records"].as_array().map(Vec::len), Some(2));
//! assert!(SOURCES.iter().any(|(name, _)| *name == "kinesis"));
//! ```
//!
//! # Core concepts
//! - **Chaos run** ([`chaos_run`]): asynchronous events in simulated time while environments
//!   are killed; every event ends delivered or failed after Lambda's retries.
//! - **Load run** ([`load_run`]): open or closed loops, latency percentiles per phase.
//! - **Power tuning** ([`tune`]): the same event at several memory sizes, a recommendation.
//! - **Pipeline run** ([`pipeline_run`]): Kinesis -> Lambda -> Firehose -> S3 under seeded
//!   chaos, read back for what was delivered, duplicated and lost.
//! - **Statelessness check** ([`check_stateless`]): fresh, warm and shuffled runs compared.
//!
//! Every run is deterministic on a virtual clock with deterministic CPU and a seed. A run's
//! findings are in its report; [`Error`] is only for what stops it from running.

mod chaos;
mod error;
mod html;
mod load;
mod pipeline;
mod sample_events;
mod stateless;
mod tune;

pub use chaos::{ChaosOptions, ChaosReport, chaos_run};
pub use error::{Error, Result};
pub use lambda_sim_report::HtmlReport;
pub use load::{Arrivals, LoadOptions, LoadReport, PhaseStats, load_run};
pub use pipeline::{
    Consumer, ConsumerReport, ConsumerSource, FunctionFigures, LambdaTarget, LiveReport,
    LiveSources, MappingStats, PipelineOptions, PipelineReport, PipelineTiming, ShardOrder,
    TimelineSpan, pipeline_run, pipeline_run_with_progress, queue_of,
};
pub use sample_events::{SOURCES, SampleOptions, sample_event};
pub use stateless::{
    CheckOptions, ClonedField, Difference, NamedEvent, Run, SnapStartVerdict, Varying, Verdict,
    check_snap_start, check_stateless, read_events,
};
pub use tune::{
    DEFAULT_MEMORY_SIZES, Run as TuneRun, SizeResult, Strategy, TuneOptions, TuneReport, tune,
};
