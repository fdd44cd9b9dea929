//! The runners' one error type: what stops a run (or reading its events) before it reports.
//!
//! What a run finds (a lost event, a stateful answer, a failed invocation) is not an
//! [`Error`]: it is in the run's report.

use std::path::PathBuf;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a run could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting of the run is out of range (a tuning run's sizes, runs or weight).
    #[error("{0}")]
    InvalidSetting(String),
    /// The runtime refused a function or an invocation.
    #[error(transparent)]
    Runtime(#[from] lambda_sim_runtime::Error),
    /// A stream, queue or mapping setting the service would refuse.
    #[error(transparent)]
    Mapping(#[from] lambda_sim_pipeline::ConfigError),
    /// A store failed (the delivery stream, the object store).
    #[error(transparent)]
    Services(#[from] lambda_sim_runtime::services::Error),
    /// An events file or directory could not be read.
    #[error("failed to read `{}`: {source}", path.display())]
    ReadEvents {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An events file or directory holds no event (no `.json` file, an empty array or file).
    #[error("`{}` holds no events (a JSON event, an array of them, JSON Lines, or a directory of .json files)", .0.display())]
    NoEvents(PathBuf),
    /// An event is not JSON.
    #[error("event `{name}` is not valid: {source}")]
    InvalidEvent {
        /// The event's name (its file, its index).
        name: String,
        /// Why.
        source: lambda_sim_runtime::Error,
    },
}
