//! Function errors as Lambda reports them: an `errorType` and an `errorMessage`.

use std::fmt::Display;

/// A function error: becomes `{"errorType": ..., "errorMessage": ..., "stackTrace": []}`.
///
/// Any error that implements `Display` converts into one, with its type name as the
/// `errorType` (as `lambda_runtime` does); build one by hand to choose the type.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostic {
    /// The `errorType` field, for example `InvalidInput`.
    pub error_type: String,
    /// The `errorMessage` field.
    pub error_message: String,
}

impl Diagnostic {
    /// A diagnostic with the given type and message.
    pub fn new(error_type: impl Into<String>, error_message: impl Into<String>) -> Self {
        Diagnostic {
            error_type: error_type.into(),
            error_message: error_message.into(),
        }
    }
}

impl<T: Display> From<T> for Diagnostic {
    fn from(value: T) -> Self {
        Diagnostic {
            error_type: std::any::type_name::<T>().to_owned(),
            error_message: value.to_string(),
        }
    }
}
