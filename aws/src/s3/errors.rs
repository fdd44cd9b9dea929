//! S3's errors: a status, a code SDKs map to exception classes, S3's message, and the
//! elements that name what the error is about, written as S3's `<Error>` document.

use bytes::Bytes;
use http::StatusCode;
use lambda_sim_services::Error as StoreError;

use super::response::Answer;
use super::xml::Xml;

/// The longest key S3 takes, in bytes of UTF-8.
pub(super) const MAX_KEY_BYTES: usize = 1024;

/// An error answer of S3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct S3Error {
    pub(super) status: StatusCode,
    pub(super) code: &'static str,
    pub(super) message: String,
    /// Elements after `<Message>` (`<Key>`, `<BucketName>`, ...), in order.
    pub(super) details: Vec<(&'static str, String)>,
    /// Headers S3 adds to this error (`Content-Range` of `InvalidRange`).
    pub(super) headers: Vec<(&'static str, String)>,
}

impl S3Error {
    /// An error without details.
    pub(super) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        S3Error {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// The error with one more detail element.
    pub(super) fn with(mut self, element: &'static str, value: impl Into<String>) -> Self {
        self.details.push((element, value.into()));
        self
    }

    /// 404 `NoSuchBucket`.
    pub(super) fn no_such_bucket(bucket: &str) -> Self {
        S3Error::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist",
        )
        .with("BucketName", bucket)
    }

    /// 404 `NoSuchKey`.
    pub(super) fn no_such_key(key: &str) -> Self {
        S3Error::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        )
        .with("Key", key)
    }

    /// 400 `InvalidBucketName`.
    pub(super) fn invalid_bucket_name(bucket: &str) -> Self {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "InvalidBucketName",
            "The specified bucket is not valid.",
        )
        .with("BucketName", bucket)
    }

    /// 400 `InvalidArgument` naming the argument.
    pub(super) fn invalid_argument(message: impl Into<String>, name: &str, value: &str) -> Self {
        S3Error::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
            .with("ArgumentName", name)
            .with("ArgumentValue", value)
    }

    /// 400 `InvalidRequest`.
    pub(super) fn invalid_request(message: impl Into<String>) -> Self {
        S3Error::new(StatusCode::BAD_REQUEST, "InvalidRequest", message)
    }

    /// 400 `IncompleteBody`.
    pub(super) fn incomplete_body() -> Self {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header",
        )
    }

    /// 400 `MalformedXML`.
    pub(super) fn malformed_xml() -> Self {
        S3Error::new(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
        )
    }

    /// 405 `MethodNotAllowed` for `method` on a `resource_type` (`SERVICE`, `BUCKET`,
    /// `OBJECT`).
    pub(super) fn method_not_allowed(method: &http::Method, resource_type: &str) -> Self {
        S3Error::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        )
        .with("Method", method.as_str())
        .with("ResourceType", resource_type)
    }

    /// 501 `NotImplemented`: what lambda-sim does not simulate.
    pub(super) fn not_implemented(what: &str) -> Self {
        S3Error::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!("lambda-sim does not implement {what}"),
        )
    }

    /// 500 `InternalError`, with the cause in the message.
    pub(super) fn internal(cause: &StoreError) -> Self {
        S3Error::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            format!("We encountered an internal error: {cause}"),
        )
    }

    /// The answer to a store error about `bucket` (a bucket the caller checked exists, so an
    /// invalid name here is the key's) and `key`.
    pub(super) fn from_store(err: &StoreError, key: &str) -> Self {
        match err {
            StoreError::InvalidName(_) if key.len() > MAX_KEY_BYTES => S3Error::new(
                StatusCode::BAD_REQUEST,
                "KeyTooLongError",
                "Your key is too long",
            )
            .with("MaxSizeAllowed", MAX_KEY_BYTES.to_string())
            .with("Size", key.len().to_string()),
            StoreError::InvalidName(message) => S3Error::invalid_argument(
                format!("lambda-sim keeps objects as files: {message}"),
                "key",
                key,
            ),
            StoreError::Io { source, .. }
                if matches!(
                    source.kind(),
                    std::io::ErrorKind::NotADirectory
                        | std::io::ErrorKind::IsADirectory
                        | std::io::ErrorKind::AlreadyExists
                        | std::io::ErrorKind::DirectoryNotEmpty
                ) =>
            {
                S3Error::invalid_argument(
                    format!(
                        "lambda-sim keeps objects as files: the key `{key}` cannot name both an object and a folder of other objects"
                    ),
                    "key",
                    key,
                )
            }
            StoreError::Io { source, .. }
                if source.kind() == std::io::ErrorKind::InvalidFilename =>
            {
                S3Error::invalid_argument(
                    format!(
                        "lambda-sim keeps objects as files: a `/`-separated part of the key `{key}` is longer than the file system takes (often 255 bytes)"
                    ),
                    "key",
                    key,
                )
            }
            other => S3Error::internal(other),
        }
    }

    /// The error as S3 answers it; a `HEAD` request's answer has no body.
    pub(super) fn answer(&self, request_id: &str, head: bool) -> Answer {
        let mut answer = Answer::new(self.status);
        for (name, value) in &self.headers {
            answer = answer.header(name, value);
        }
        if head {
            return answer;
        }
        let mut xml = Xml::bare();
        xml.open("Error")
            .element("Code", self.code)
            .element("Message", &self.message);
        for (name, value) in &self.details {
            xml.element(name, value);
        }
        xml.element("RequestId", request_id).close("Error");
        answer.xml(Bytes::from(xml.finish()))
    }
}
