//! An S3 answer being built: status, headers and body, finished into an HTTP response with
//! the request id every S3 answer carries.

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{HeaderName, HeaderValue, Response, StatusCode};

/// An answer of S3 before the request id is added.
#[derive(Debug)]
pub(super) struct Answer {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
    /// The `Content-Length` to announce when it is not the body's (a `HEAD` answer).
    length: Option<u64>,
}

impl Answer {
    /// An answer with no headers and an empty body.
    pub(super) fn new(status: StatusCode) -> Self {
        Answer {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
            length: None,
        }
    }

    /// The answer with another status.
    pub(super) fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// The answer with one more header; a value that cannot be a header (a control
    /// character in a stored name) is left out rather than fail the answer.
    pub(super) fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.push((name, value));
        }
        self
    }

    /// The answer with an XML body.
    pub(super) fn xml(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self.header("content-type", "application/xml")
    }

    /// The answer with a body of bytes (its type set by the caller).
    pub(super) fn body(mut self, body: Bytes) -> Self {
        self.body = body;
        self
    }

    /// The answer announcing `length` bytes without carrying them (`HEAD`).
    pub(super) fn announce_length(mut self, length: u64) -> Self {
        self.length = Some(length);
        self
    }

    /// The HTTP response, with `x-amz-request-id` and `Content-Length` (the body's, or the
    /// announced one).
    pub(super) fn finish(self, request_id: &str) -> Response<Bytes> {
        let length = self.length.unwrap_or(self.body.len() as u64);
        let mut response = Response::new(self.body);
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        for (name, value) in self.headers {
            headers.append(name, value);
        }
        // A 204 has no `Content-Length` (RFC 9110, 8.6).
        if self.status != StatusCode::NO_CONTENT {
            headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
        }
        if let Ok(id) = HeaderValue::from_str(request_id) {
            headers.insert("x-amz-request-id", id);
        }
        response
    }
}
