//! The prelude of a function URL's streamed response.
//!
//! A streaming handler that sets its status and headers
//! (`awslambda.HttpResponseStream.from(stream, {statusCode, headers})`) answers with content
//! type [`HTTP_INTEGRATION_RESPONSE`]: a JSON prelude
//! `{"statusCode":..,"headers":{..},"cookies":[..]}`, then eight null bytes, then the body.
//! JSON text cannot hold a raw null byte, so the first eight nulls end the prelude.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::BadResponse;
use crate::response::json::{object, status, v2_headers};

/// The content type of a streamed response that starts with a prelude.
pub const HTTP_INTEGRATION_RESPONSE: &str = "application/vnd.awslambda.http-integration-response";

/// The longest prelude accepted: 64 KiB.
pub const MAX_PRELUDE: usize = 64 * 1024;

const DELIMITER: [u8; 8] = [0; 8];

/// Why a prelude cannot be used; the caller answers 502.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreludeError {
    /// No delimiter within [`MAX_PRELUDE`] bytes.
    #[error("the response prelude is longer than {MAX_PRELUDE} bytes")]
    TooLarge,
    /// The prelude is not the expected JSON.
    #[error("the response prelude is invalid: {0}")]
    Invalid(#[from] BadResponse),
    /// The prelude was already complete: later chunks are body.
    #[error("the response prelude was already read")]
    Complete,
}

/// A function URL's streamed status line and headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpPrelude {
    /// `statusCode`, 200 when absent.
    pub status: StatusCode,
    /// `headers`, plus one `set-cookie` per entry of `cookies`.
    pub headers: HeaderMap,
}

/// Reads a prelude from the chunks of a stream, as they come; [`Default`] has seen nothing.
#[derive(Debug, Default)]
pub struct PreludeParser {
    buffer: Vec<u8>,
    complete: bool,
}

impl PreludeParser {
    /// Feeds the next chunk. Returns `Ok(None)` until the delimiter arrives, then once the
    /// prelude and the bytes of the body that came with it; later chunks are body, which the
    /// caller forwards without feeding them here.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Option<(HttpPrelude, Bytes)>, PreludeError> {
        if self.complete {
            return Err(PreludeError::Complete);
        }
        let searched = self.buffer.len().saturating_sub(DELIMITER.len() - 1);
        self.buffer.extend_from_slice(chunk);
        let found = self
            .buffer
            .get(searched..)
            .and_then(|tail| tail.windows(DELIMITER.len()).position(|w| w == DELIMITER))
            .map(|at| searched + at);
        let Some(at) = found else {
            if self.buffer.len() > MAX_PRELUDE + DELIMITER.len() - 1 {
                return Err(PreludeError::TooLarge);
            }
            return Ok(None);
        };
        if at > MAX_PRELUDE {
            return Err(PreludeError::TooLarge);
        }
        self.complete = true;
        let buffer = std::mem::take(&mut self.buffer);
        let (json, rest) = buffer.split_at(at);
        let prelude = parse(json)?;
        let body = Bytes::copy_from_slice(rest.get(DELIMITER.len()..).unwrap_or_default());
        Ok(Some((prelude, body)))
    }
}

fn parse(json: &[u8]) -> Result<HttpPrelude, BadResponse> {
    let value: Value = serde_json::from_slice(json).map_err(|e| BadResponse::NotJson {
        reason: e.to_string(),
    })?;
    let Some(map) = object(Some(&value), "prelude")? else {
        return Err(BadResponse::NotAnObject { found: "null" });
    };
    let status = match map.get("statusCode") {
        None | Some(Value::Null) => StatusCode::OK,
        Some(code) => status(code)?,
    };
    let headers = v2_headers(map)?;
    Ok(HttpPrelude { status, headers })
}
