//! Lambda response streaming: the [`ResponseStream`] a streaming handler writes its response to,
//! and [`HttpPrelude`], the head of a function URL's streamed HTTP response.
//!
//! A streaming handler takes the stream as its second argument and is exported with
//! `handler!(handler, stream)`:
//!
//! ```no_run
//! use std::io::Write as _;
//!
//! use lambda_sim_guest::stream::ResponseStream;
//! use lambda_sim_guest::{Error, LambdaEvent};
//! use serde_json::Value;
//!
//! fn handler(_event: LambdaEvent<Value>, mut stream: ResponseStream) -> Result<(), Error> {
//!     stream.set_content_type("text/plain")?;
//!     for i in 0..3 {
//!         writeln!(stream, "line {i}")?;
//!         std::thread::sleep(std::time::Duration::from_millis(100));
//!     }
//!     Ok(())
//! }
//!
//! lambda_sim_guest::handler!(handler, stream);
//! ```
//!
//! Under `InvokeWithResponseStream` (or a function URL in `RESPONSE_STREAM` mode) each write
//! reaches the caller when it is made; a plain `Invoke` answers with everything written, once
//! the handler has returned. An `Err` from the handler is the invocation's error, whatever it
//! wrote before.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::bindings::lambda_sim::handler::response_stream as host;

/// The content type that makes a function URL read a JSON prelude before the body.
pub const HTTP_INTEGRATION_RESPONSE: &str = "application/vnd.awslambda.http-integration-response";

/// What separates a function URL's JSON prelude from the body: eight null bytes.
const PRELUDE_DELIMITER: [u8; 8] = [0; 8];

/// Why a [`ResponseStream`] refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamError {
    /// The host refused a write, with its reason: the response passed its size limit (the
    /// invocation then fails with `Function.ResponseSizeTooLarge`) or the caller has gone.
    /// Every later write fails the same way: stop writing.
    Closed(String),
    /// The content type (or an HTTP prelude) came after the first write: it must come first.
    TooLate,
    /// An HTTP prelude did not serialise to JSON.
    Prelude(String),
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Closed(reason) => {
                write!(f, "failed to write to the response stream: {reason}")
            }
            StreamError::TooLate => {
                f.write_str("cannot set the response stream's content type after the first write")
            }
            StreamError::Prelude(reason) => {
                write!(f, "failed to serialize the http prelude: {reason}")
            }
        }
    }
}

impl std::error::Error for StreamError {}

/// The response of a streaming invocation, written as the handler goes.
///
/// Each [`write`](ResponseStream::write) (or `std::io::Write::write`) is one chunk sent to the
/// caller; there is no buffering in the guest, so `flush` does nothing. The stream ends when
/// the handler returns.
#[derive(Debug)]
pub struct ResponseStream {
    written: u64,
    closed: Option<String>,
}

impl ResponseStream {
    /// The stream of the invocation being handled (one per invocation).
    pub(crate) fn new() -> Self {
        ResponseStream {
            written: 0,
            closed: None,
        }
    }

    /// Sets the response's content type (`application/octet-stream` when never set). Fails
    /// with [`StreamError::TooLate`] after the first write, as Lambda's runtimes do.
    pub fn set_content_type(&mut self, content_type: &str) -> Result<(), StreamError> {
        if self.written > 0 || self.closed.is_some() {
            return Err(StreamError::TooLate);
        }
        host::set_content_type(content_type);
        Ok(())
    }

    /// Sends `chunk` to the caller, waiting while the stream is over Lambda's bandwidth. Once
    /// the host has refused one write (the size limit, a caller gone), every later one fails
    /// with the same [`StreamError::Closed`] without reaching the host.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), StreamError> {
        if let Some(reason) = &self.closed {
            return Err(StreamError::Closed(reason.clone()));
        }
        if chunk.is_empty() {
            return Ok(());
        }
        match host::write(chunk) {
            Ok(()) => {
                self.written += chunk.len() as u64;
                Ok(())
            }
            Err(reason) => {
                self.closed = Some(reason.clone());
                Err(StreamError::Closed(reason))
            }
        }
    }

    /// Starts a function URL's HTTP response: sets the content type
    /// [`HTTP_INTEGRATION_RESPONSE`] and writes `prelude` as JSON (an [`HttpPrelude`], or any
    /// value that serialises to `{"statusCode", "headers", "cookies"}`) and eight null bytes;
    /// what is written next is the body. Must come before any other write.
    pub fn start_http(&mut self, prelude: &impl Serialize) -> Result<(), StreamError> {
        let mut head =
            serde_json::to_vec(prelude).map_err(|err| StreamError::Prelude(err.to_string()))?;
        head.extend_from_slice(&PRELUDE_DELIMITER);
        self.set_content_type(HTTP_INTEGRATION_RESPONSE)?;
        self.write(&head)
    }

    /// The bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.written
    }
}

impl std::io::Write for ResponseStream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        ResponseStream::write(self, buf).map_err(std::io::Error::other)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The head of a function URL's streamed HTTP response: status, headers and cookies, sent as
/// `{"statusCode": ..., "headers": {...}, "cookies": [...]}` by
/// [`ResponseStream::start_http`].
///
/// ```
/// use lambda_sim_guest::stream::HttpPrelude;
///
/// let prelude = HttpPrelude::default()
///     .status_code(201)
///     .header("content-type", "text/plain")
///     .cookie("session=1");
/// assert_eq!(
///     serde_json::to_string(&prelude)?,
///     r#"{"statusCode":201,"headers":{"content-type":"text/plain"},"cookies":["session=1"]}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpPrelude {
    /// The HTTP status code. Default 200.
    pub status_code: u16,
    /// The response headers, by name. Default none.
    pub headers: BTreeMap<String, String>,
    /// The `Set-Cookie` values. Default none.
    pub cookies: Vec<String>,
}

impl Default for HttpPrelude {
    fn default() -> Self {
        HttpPrelude {
            status_code: 200,
            headers: BTreeMap::new(),
            cookies: Vec::new(),
        }
    }
}

impl HttpPrelude {
    /// Sets the status code.
    pub fn status_code(mut self, status_code: u16) -> Self {
        self.status_code = status_code;
        self
    }

    /// Adds (or replaces) a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }

    /// Adds a cookie (a `Set-Cookie` value).
    pub fn cookie(mut self, cookie: impl Into<String>) -> Self {
        self.cookies.push(cookie.into());
        self
    }
}
