//! The Invoke API's errors as clients read them: a status, the `x-amzn-ErrorType` header with
//! the exception's full name (botocore picks its named exception from it), and a JSON body.

use serde_json::{Value, json};

/// An error answer of the Lambda API.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// The exception's name, for example `ResourceNotFoundException`.
    pub error_type: String,
    /// The JSON body.
    pub body: Value,
}

impl ApiError {
    fn user(status: u16, error_type: &str, message_key: &str, message: String) -> Self {
        ApiError {
            status,
            error_type: error_type.to_owned(),
            body: json!({ "Type": "User", message_key: message }),
        }
    }

    /// 404: no such function (or no such alias of it). `arn` is the qualified ARN asked for.
    pub fn not_found(arn: &str) -> Self {
        Self::user(
            404,
            "ResourceNotFoundException",
            "Message",
            format!("Function not found: {arn}"),
        )
    }

    /// 429: a concurrency limit refused the invocation.
    pub fn throttled(reason: &str) -> Self {
        ApiError {
            status: 429,
            error_type: "TooManyRequestsException".to_owned(),
            body: json!({ "Reason": reason, "Type": "User", "message": "Rate Exceeded." }),
        }
    }

    /// 413: the request body is over the limit of its invocation type.
    pub fn too_large(limit: usize) -> Self {
        Self::user(
            413,
            "RequestEntityTooLargeException",
            "message",
            format!("Request must be smaller than {limit} bytes for the InvokeFunction operation"),
        )
    }

    /// 400 with a message, for a request Lambda would refuse.
    pub fn bad_request(error_type: &str, message: impl Into<String>) -> Self {
        Self::user(400, error_type, "message", message.into())
    }

    /// 400 `ValidationException`: a header or parameter outside its allowed values.
    pub fn validation(value: &str, field: &str, constraint: &str) -> Self {
        Self::user(
            400,
            "ValidationException",
            "message",
            format!(
                "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
            ),
        )
    }

    /// 409: the function is not ready (a VPC function still `Pending`).
    pub fn conflict(message: String) -> Self {
        Self::user(409, "ResourceConflictException", "message", message)
    }

    /// 500: the simulator itself failed.
    pub fn service(message: String) -> Self {
        ApiError {
            status: 500,
            error_type: "ServiceException".to_owned(),
            body: json!({ "Type": "Service", "message": message }),
        }
    }

    /// An operation the simulator does not serve.
    pub fn unknown_operation(method: &str, path: &str) -> Self {
        Self::user(
            404,
            "UnknownOperationException",
            "message",
            format!("lambda-sim does not serve {method} {path}"),
        )
    }

    /// The error a runtime refusal becomes on the wire.
    pub fn from_runtime(err: &lambda_sim_runtime::Error) -> Self {
        use lambda_sim_runtime::Error;
        match err {
            Error::Throttled { reason } => Self::throttled(reason),
            Error::PoolExhausted(_) => Self::throttled("ConcurrentInvocationLimitExceeded"),
            Error::InvalidRequest {
                error_type,
                message,
            } => {
                let status = if *error_type == "RequestEntityTooLargeException" {
                    413
                } else {
                    400
                };
                Self::user(status, error_type, "message", message.clone())
            }
            Error::Pending => Self::conflict(err.to_string()),
            // The Invoke API's statuses for SnapStart's errors (SnapStartTimeoutException
            // 408, SnapStartException 400).
            Error::SnapStart {
                error_type,
                message,
            } => {
                let status = if *error_type == "SnapStartTimeoutException" {
                    408
                } else {
                    400
                };
                Self::user(status, error_type, "message", message.clone())
            }
            other => Self::service(other.to_string()),
        }
    }
}
