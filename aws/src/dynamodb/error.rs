//! The errors DynamoDB answers with, by code, with its own wording.

use crate::json_protocol::ServiceError;

/// A `ValidationException`: the request is malformed or does not fit the table.
pub(crate) fn validation(message: impl Into<String>) -> ServiceError {
    ServiceError::new("ValidationException", message)
}

/// A `SerializationException`: a member of the wrong JSON type.
pub(crate) fn serialization(message: impl Into<String>) -> ServiceError {
    ServiceError::new("SerializationException", message)
}

/// A `ResourceNotFoundException` for an item operation on a missing table.
pub(crate) fn table_not_found() -> ServiceError {
    ServiceError::new("ResourceNotFoundException", "Requested resource not found")
}

/// The `ConditionalCheckFailedException` of a condition that does not hold.
pub(crate) fn condition_failed() -> ServiceError {
    ServiceError::new(
        "ConditionalCheckFailedException",
        "The conditional request failed",
    )
}
