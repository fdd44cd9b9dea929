//! An invocation's payload, checked once as the Invoke API checks it: JSON, at most 6 MB.

use std::sync::Arc;

use crate::config::MAX_SYNC_PAYLOAD;
use crate::{Error, Result};

/// A request payload that Lambda would accept for a synchronous invocation.
///
/// Checking costs a JSON parse; a payload sent many times (a load run, a benchmark) is checked
/// once and cloned cheaply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payload(Arc<[u8]>);

impl Payload {
    /// Checks `bytes` as the Invoke API does: an empty body is `{}`, a body over 6,291,456
    /// bytes is `RequestEntityTooLargeException`, a body that is not JSON is
    /// `InvalidRequestContentException`.
    pub fn json(bytes: impl AsRef<[u8]>) -> Result<Self> {
        let bytes = bytes.as_ref();
        if bytes.is_empty() {
            return Ok(Payload(Arc::from(&b"{}"[..])));
        }
        if bytes.len() > MAX_SYNC_PAYLOAD {
            return Err(too_large());
        }
        if let Err(err) = serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            return Err(Error::InvalidRequest {
                error_type: "InvalidRequestContentException",
                message: format!("Could not parse request body into json: {err}"),
            });
        }
        Ok(Payload(Arc::from(bytes)))
    }

    /// A payload the simulator made itself as JSON (an API Gateway event): only its size is
    /// checked, the parse is skipped. Not for bytes a client sent.
    pub fn made_json(bytes: Vec<u8>) -> Result<Self> {
        if bytes.len() > MAX_SYNC_PAYLOAD {
            return Err(too_large());
        }
        Ok(Payload(Arc::from(bytes)))
    }

    /// A payload from a JSON value (always valid JSON).
    pub fn from_value(value: &serde_json::Value) -> Self {
        Payload(Arc::from(value.to_string().into_bytes()))
    }

    /// The payload's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The Invoke API's refusal of a payload over 6 MB.
fn too_large() -> Error {
    Error::InvalidRequest {
        error_type: "RequestEntityTooLargeException",
        message: format!(
            "Request must be smaller than {MAX_SYNC_PAYLOAD} bytes for the InvokeFunction operation"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_checked_like_the_invoke_api() {
        assert_eq!(
            Payload::json("").map(|p| p.as_bytes().to_vec()).ok(),
            Some(b"{}".to_vec())
        );
        assert!(Payload::json(r#"{"k": [1, 2]}"#).is_ok());
        let not_json = Payload::json("not json").err();
        assert_eq!(
            not_json
                .as_ref()
                .map(|e| (e.error_type().to_owned(), e.to_string())),
            Some((
                "InvalidRequestContentException".to_owned(),
                "Could not parse request body into json: expected ident at line 1 column 2"
                    .to_owned()
            ))
        );
        let big = vec![b' '; MAX_SYNC_PAYLOAD + 1];
        assert_eq!(
            Payload::json(big)
                .err()
                .map(|e| e.error_type().to_owned())
                .as_deref(),
            Some("RequestEntityTooLargeException")
        );
    }
}
