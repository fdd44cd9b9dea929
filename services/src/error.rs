//! The errors of the stores, named as the AWS services name them.

/// An error of a store, as the handler (or the user) reads it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An object key or bucket name that cannot be a file under the store's directory.
    #[error("InvalidObjectName: {0}")]
    InvalidName(String),
    /// A Firehose delivery stream that does not exist.
    #[error("ResourceNotFoundException: Firehose {0} under account 123456789012 not found.")]
    NoSuchDeliveryStream(String),
    /// A request Firehose refuses (too many records, a record too large, ...).
    #[error("InvalidArgumentException: {0}")]
    InvalidArgument(String),
    /// A delivery stream created twice.
    #[error("ResourceInUseException: Firehose {0} under account 123456789012 already exists.")]
    DeliveryStreamExists(String),
    /// A key-value increment of a value that is not a decimal number.
    #[error("the value of `{0}` is not a decimal number")]
    NotANumber(String),
    /// A key-value increment past `u64::MAX`.
    #[error("incrementing `{0}` overflows")]
    Overflow(String),
    /// The object store's directory could not be read or written.
    #[error("failed to {action} `{path}`: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A result with the stores' [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
