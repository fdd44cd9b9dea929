//! The harness's one error type: why a function under test could not be set up or invoked,
//! or a log line is not what Lambda prints.

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a handler could not be set up or invoked, or a REPORT line not parsed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The handler crate did not build.
    #[error(transparent)]
    Build(#[from] lambda_sim_build::Error),
    /// The runtime refused the function or the invocation.
    #[error("{0} ({ty})", ty = .0.error_type())]
    Runtime(#[from] lambda_sim_runtime::Error),
    /// The event could not be serialised to JSON.
    #[error("failed to serialize the event: {0}")]
    Event(#[from] serde_json::Error),
    /// A line is not a well-formed REPORT line.
    #[error("malformed REPORT line ({reason}): {line:?}")]
    ReportLine {
        /// What is wrong.
        reason: String,
        /// The line.
        line: String,
    },
}
