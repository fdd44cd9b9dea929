//! Why a function's answer is not a response API Gateway can send.

/// A function answer API Gateway rejects. It displays a one-line reason to put in the log,
/// where API Gateway itself writes "Execution failed due to configuration error: Malformed
/// Lambda proxy response"; the client only sees the failure response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadResponse {
    /// The payload is not JSON at all.
    #[error("the response is not valid JSON: {reason}")]
    NotJson {
        /// The parser's message.
        reason: String,
    },
    /// A REST API needs a JSON object.
    #[error("the response is {found}, not a JSON object with `statusCode`")]
    NotAnObject {
        /// What was returned instead (`an array`, `a string`, ...).
        found: &'static str,
    },
    /// A REST API needs `statusCode`.
    #[error("the response has no `statusCode`")]
    MissingStatusCode,
    /// `statusCode` is not an integer.
    #[error("statusCode {value} is not an integer")]
    StatusNotInteger {
        /// The value as JSON text (`"oops"`).
        value: String,
    },
    /// `statusCode` is an integer no HTTP response can carry.
    #[error("statusCode {value} is not between 200 and 599")]
    StatusOutOfRange {
        /// The value.
        value: String,
    },
    /// A REST API refuses keys it does not know.
    #[error(
        "unexpected key `{key}`; a proxy response may only hold statusCode, headers, multiValueHeaders, body and isBase64Encoded"
    )]
    UnknownKey {
        /// The key.
        key: String,
    },
    /// A field has the wrong JSON type.
    #[error("`{field}` is {found}; it must be {expected}")]
    WrongType {
        /// The field (`headers`, `body`, `multiValueHeaders.x-a`).
        field: String,
        /// What it is (`an object`, `a number`).
        found: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// A header name or value HTTP cannot carry.
    #[error("header `{name}` cannot be sent: {reason}")]
    Header {
        /// The header name as returned.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// `isBase64Encoded` is true but the body is not base64.
    #[error("`isBase64Encoded` is true but `body` is not valid base64: {reason}")]
    Base64 {
        /// The decoder's message.
        reason: String,
    },
}
