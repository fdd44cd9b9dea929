//! The crate's one error: a description that cannot be read, or that asks for something out of
//! range or refers to nothing.

use std::path::PathBuf;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a project description was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The description is wrong: its syntax, a setting out of AWS's range, a reference to
    /// something it does not define. The message names the file (and the line when known).
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),

    /// The file could not be read.
    #[error("failed to read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl Error {
    /// The Lambda error type a client would see, as `CreateFunction` refuses a bad setting:
    /// `InvalidParameterValueException`.
    pub fn error_type(&self) -> &'static str {
        match self {
            Error::InvalidConfig(_) | Error::Read { .. } => "InvalidParameterValueException",
        }
    }

    /// The same error with `file: ` before its message.
    pub(crate) fn in_file(self, file: &str) -> Self {
        match self {
            Error::InvalidConfig(message) => Error::InvalidConfig(format!("{file}: {message}")),
            other => other,
        }
    }

    /// The message without `invalid configuration: `, to put a function's or a file's name
    /// before it.
    pub(crate) fn message(&self) -> String {
        match self {
            Error::InvalidConfig(message) => message.clone(),
            other => other.to_string(),
        }
    }
}

/// A setting the runtime refused (`FunctionConfig::validate`, `RuntimeConfig::validate`):
/// its message, without the `invalid configuration: ` both crates put before it.
impl From<lambda_sim_runtime::Error> for Error {
    fn from(err: lambda_sim_runtime::Error) -> Self {
        match err {
            lambda_sim_runtime::Error::InvalidConfig(message) => Error::InvalidConfig(message),
            other => Error::InvalidConfig(other.to_string()),
        }
    }
}
