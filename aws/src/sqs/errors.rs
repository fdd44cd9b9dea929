//! SQS's errors: the JSON protocol's code, the query protocol's code in `x-amzn-query-error`
//! (which botocore gives as the error code) and SQS's messages.

use crate::json_protocol::{Input, ServiceError};

/// An error with SQS's JSON `code` and query-protocol code `legacy` (a caller's fault).
pub(super) fn sqs_error(code: &str, legacy: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::new(code, message).with_query_error(format!("{legacy};Sender"))
}

/// `QueueDoesNotExist`: no queue of the name or URL given.
pub(super) fn queue_does_not_exist() -> ServiceError {
    sqs_error(
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
    )
}

/// `MissingParameter`: a required member is absent.
pub(super) fn missing_parameter(name: &str) -> ServiceError {
    sqs_error(
        "MissingParameter",
        "MissingParameter",
        format!("The request must contain the parameter {name}."),
    )
}

/// `InvalidParameterValue` with SQS's message.
pub(super) fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    sqs_error("InvalidParameterValue", "InvalidParameterValue", message)
}

/// `InvalidParameterValue` for `value` of `parameter`, with a reason.
pub(super) fn invalid_value(
    parameter: &str,
    value: impl std::fmt::Display,
    reason: &str,
) -> ServiceError {
    invalid_parameter(format!(
        "Value {value} for parameter {parameter} is invalid. Reason: {reason}"
    ))
}

/// `InvalidAttributeName`: a queue attribute SQS does not have (or that cannot be set).
pub(super) fn invalid_attribute_name(name: &str) -> ServiceError {
    sqs_error(
        "InvalidAttributeName",
        "InvalidAttributeName",
        format!("Unknown Attribute {name}."),
    )
}

/// `InvalidAttributeValue`: a queue attribute's value out of its range.
pub(super) fn invalid_attribute_value(name: &str) -> ServiceError {
    sqs_error(
        "InvalidAttributeValue",
        "InvalidAttributeValue",
        format!("Invalid value for the parameter {name}."),
    )
}

/// `ReceiptHandleIsInvalid`: a receipt handle no receive handed out.
pub(super) fn receipt_handle_is_invalid(handle: &str) -> ServiceError {
    sqs_error(
        "ReceiptHandleIsInvalid",
        "ReceiptHandleIsInvalid",
        format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
    )
}

/// `UnsupportedOperation`: what SQS has and lambda-sim does not simulate.
pub(super) fn unsupported(message: impl Into<String>) -> ServiceError {
    sqs_error(
        "UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation",
        message,
    )
}

/// A required string member: `MissingParameter` when absent (or empty).
pub(super) fn required<'a>(input: &Input<'a>, name: &str) -> Result<&'a str, ServiceError> {
    match input.opt_string(name)? {
        Some(value) if !value.is_empty() => Ok(value),
        _ => Err(missing_parameter(name)),
    }
}
