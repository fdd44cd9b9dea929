//! Function errors as `lambda_runtime` reports them: `errorType` is the Rust type name of the
//! error the handler returned, `errorMessage` its `Display` (upstream's `diagnostic.rs`).

use std::any::type_name;

use serde::Serialize;

use crate::Error;
use crate::deserializer::DeserializeError;

/// A function error: `{"errorType": ..., "errorMessage": ...}`. Implement `From<YourError>`
/// for it to choose the `errorType` of your own errors, as upstream documents.
#[derive(Debug, PartialEq, Eq, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// The `errorType` field: by default the type name of the original error.
    pub error_type: String,
    /// The `errorMessage` field: by default the original error's `Display` output.
    pub error_message: String,
}

/// Upstream calls it with a reference, so its type names start with `&`
/// (`&alloc::string::String`): kept, since that is what Lambda shows for such errors.
fn type_name_of_val<T>(_: T) -> String {
    type_name::<T>().into()
}

impl From<DeserializeError> for Diagnostic {
    fn from(value: DeserializeError) -> Self {
        Diagnostic {
            // The path upstream's type has, so the errorType reads as on Lambda.
            error_type: "&lambda_runtime::deserializer::DeserializeError".into(),
            error_message: value.to_string(),
        }
    }
}

macro_rules! from_display {
    ($($ty:ty),* $(,)?) => {$(
        impl From<$ty> for Diagnostic {
            fn from(value: $ty) -> Self {
                Diagnostic {
                    error_type: type_name_of_val(&value),
                    error_message: value.to_string(),
                }
            }
        }
    )*};
}

from_display!(
    Error,
    Box<dyn std::error::Error>,
    std::convert::Infallible,
    String,
    &'static str,
    std::io::Error,
);

#[cfg(feature = "anyhow")]
from_display!(anyhow::Error);
#[cfg(feature = "eyre")]
from_display!(eyre::Report);
#[cfg(feature = "miette")]
from_display!(miette::Report);
