//! The runtime's errors: what stops a function from loading or an invocation from starting.
//!
//! A function that fails while it runs (an error result, a trap, a timeout, out of memory) is
//! not an [`Error`]: it is an [`Invocation`](crate::Invocation) whose result is a
//! [`FunctionError`](crate::FunctionError), as on Lambda.

use std::path::PathBuf;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong before a handler runs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A function or runtime setting is out of Lambda's range.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    /// A file could not be read.
    #[error("failed to read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },

    /// The bytes are not a WebAssembly component.
    #[error("failed to load the function: {0}")]
    NotAComponent(String),

    /// The component does not implement the handler world.
    #[error(
        "failed to load the function: the component does not implement the handler world \
         `lambda-sim:handler/function`: {0}"
    )]
    WrongWorld(String),

    /// wasmtime could not compile or prepare the component.
    #[error("failed to compile the component: {0}")]
    Compile(String),

    /// The engine could not be created with the requested settings.
    #[error("failed to create the wasmtime engine: {0}")]
    Engine(String),

    /// The invocation's payload is rejected before any environment sees it.
    #[error("{message}")]
    InvalidRequest {
        /// Lambda's exception name, for example `InvalidRequestContentException`.
        error_type: &'static str,
        /// Lambda's message, for example `Could not parse request body into json: ...`.
        message: String,
    },

    /// No execution environment could be created: the pool of sandboxes is full.
    #[error(
        "failed to create an execution environment: all {0} sandbox slots are in use \
         (raise `RuntimeConfig::max_environments`)"
    )]
    PoolExhausted(u32),

    /// A concurrency limit refused the invocation (HTTP 429).
    #[error("Rate Exceeded.")]
    Throttled {
        /// Lambda's `Reason`, for example `ReservedFunctionConcurrentInvocationLimitExceeded`.
        reason: &'static str,
    },

    /// A VPC function is still `Pending` after its creation (Hyperplane ENIs being made).
    #[error(
        "The operation cannot be performed at this time. The function is currently in the \
         following state: Pending"
    )]
    Pending,

    /// SnapStart could not publish the function or restore its snapshot (Lambda's
    /// `SnapStartException`, `SnapStartTimeoutException`).
    #[error("{message}")]
    SnapStart {
        /// Lambda's exception name.
        error_type: &'static str,
        /// What failed.
        message: String,
    },

    /// Creating the environment's sandbox failed for another reason.
    #[error("failed to create an execution environment: {0}")]
    Environment(String),

    /// The host's file system failed (the per-environment `/tmp`, the compile cache).
    #[error("failed to {action}: {source}")]
    Io {
        /// What was being done, for example `create the environment's /tmp directory`.
        action: &'static str,
        /// Why it failed.
        source: std::io::Error,
    },
}

impl Error {
    /// The Lambda error type a client would see for this error, for example
    /// `InvalidRequestContentException`, `RequestEntityTooLargeException`,
    /// `Runtime.InvalidEntrypoint`.
    pub fn error_type(&self) -> &str {
        match self {
            Error::InvalidConfig(_) => "InvalidParameterValueException",
            Error::Read { .. } | Error::NotAComponent(_) | Error::Compile(_) => {
                "InvalidParameterValueException"
            }
            Error::WrongWorld(_) => "Runtime.InvalidEntrypoint",
            Error::InvalidRequest { error_type, .. } => error_type,
            Error::PoolExhausted(_) | Error::Throttled { .. } => "TooManyRequestsException",
            Error::Pending => "ResourceConflictException",
            Error::SnapStart { error_type, .. } => error_type,
            Error::Engine(_) | Error::Environment(_) | Error::Io { .. } => "ServiceException",
        }
    }
}
