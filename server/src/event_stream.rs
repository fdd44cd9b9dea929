//! The `application/vnd.amazon.eventstream` framing of `InvokeWithResponseStream`'s answer, as
//! the AWS SDKs decode it: each message is its total length and headers length (big-endian
//! u32s), the CRC32 of those eight bytes, the headers, the payload, and the CRC32 of everything
//! before it. A header is its name's length (u8), the name, type 7 (string), the value's length
//! (u16) and the value.

use bytes::{BufMut as _, Bytes, BytesMut};

/// The content type of an event-stream answer.
pub(crate) const CONTENT_TYPE: &str = "application/vnd.amazon.eventstream";

/// A header value's type tag for strings.
const STRING: u8 = 7;

/// One message: the event `event_type` with `content_type` and `payload`.
pub(crate) fn message(event_type: &str, content_type: &str, payload: &[u8]) -> Bytes {
    let mut headers = BytesMut::new();
    for (name, value) in [
        (":event-type", event_type),
        (":content-type", content_type),
        (":message-type", "event"),
    ] {
        headers.put_u8(name.len() as u8);
        headers.put_slice(name.as_bytes());
        headers.put_u8(STRING);
        headers.put_u16(value.len() as u16);
        headers.put_slice(value.as_bytes());
    }
    let total = 12 + headers.len() + payload.len() + 4;
    let mut message = BytesMut::with_capacity(total);
    message.put_u32(total as u32);
    message.put_u32(headers.len() as u32);
    let prelude_crc = crc32fast::hash(&message);
    message.put_u32(prelude_crc);
    message.put_slice(&headers);
    message.put_slice(payload);
    let crc = crc32fast::hash(&message);
    message.put_u32(crc);
    message.freeze()
}

/// A `PayloadChunk` event carrying `bytes`.
pub(crate) fn payload_chunk(bytes: &[u8]) -> Bytes {
    message("PayloadChunk", "application/octet-stream", bytes)
}

/// The most of an error's type or message an `InvokeComplete` carries (a guest chooses them).
const MAX_ERROR_TEXT: usize = 256 * 1024;

/// The `InvokeComplete` event: the function's error (type and message) if it failed, and
/// the base64 log tail when asked for.
pub(crate) fn invoke_complete(error: Option<(&str, &str)>, log_result: Option<&str>) -> Bytes {
    let mut body = serde_json::Map::new();
    if let Some((code, details)) = error {
        let (code, details) = (cut(code), cut(details));
        body.insert("ErrorCode".to_owned(), code.into());
        body.insert("ErrorDetails".to_owned(), details.into());
    }
    if let Some(log) = log_result {
        body.insert("LogResult".to_owned(), log.into());
    }
    let payload = serde_json::Value::Object(body).to_string();
    message("InvokeComplete", "application/json", payload.as_bytes())
}

/// `text`, at most [`MAX_ERROR_TEXT`] bytes (on a character boundary).
fn cut(text: &str) -> &str {
    let mut end = text.len().min(MAX_ERROR_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes one message as a client does, checking both CRCs.
    fn decode(message: &[u8]) -> (Vec<(String, String)>, Vec<u8>) {
        let total = u32::from_be_bytes(message[0..4].try_into().expect("well formed")) as usize;
        let headers_len =
            u32::from_be_bytes(message[4..8].try_into().expect("well formed")) as usize;
        assert_eq!(total, message.len());
        let prelude_crc = u32::from_be_bytes(message[8..12].try_into().expect("well formed"));
        assert_eq!(prelude_crc, crc32fast::hash(&message[..8]));
        let crc = u32::from_be_bytes(message[total - 4..].try_into().expect("well formed"));
        assert_eq!(crc, crc32fast::hash(&message[..total - 4]));
        let mut headers = Vec::new();
        let mut at = 12;
        while at < 12 + headers_len {
            let name_len = message[at] as usize;
            let name = String::from_utf8(message[at + 1..at + 1 + name_len].to_vec())
                .expect("well formed");
            at += 1 + name_len;
            assert_eq!(message[at], STRING);
            let value_len = u16::from_be_bytes([message[at + 1], message[at + 2]]) as usize;
            let value = String::from_utf8(message[at + 3..at + 3 + value_len].to_vec())
                .expect("well formed");
            at += 3 + value_len;
            headers.push((name, value));
        }
        (headers, message[12 + headers_len..total - 4].to_vec())
    }

    #[test]
    fn a_payload_chunk_decodes_with_its_headers_and_bytes() {
        let (headers, payload) = decode(&payload_chunk(b"hello"));
        assert_eq!(
            headers,
            [
                (":event-type".to_owned(), "PayloadChunk".to_owned()),
                (
                    ":content-type".to_owned(),
                    "application/octet-stream".to_owned()
                ),
                (":message-type".to_owned(), "event".to_owned()),
            ]
        );
        assert_eq!(payload, b"hello");
    }

    #[test]
    fn invoke_complete_carries_the_error_and_the_log() {
        let (_, payload) = decode(&invoke_complete(Some(("Boom", "it broke")), Some("bG9n")));
        let body: serde_json::Value = serde_json::from_slice(&payload).expect("well formed");
        assert_eq!(
            body,
            serde_json::json!({"ErrorCode": "Boom", "ErrorDetails": "it broke", "LogResult": "bG9n"})
        );
        let (_, payload) = decode(&invoke_complete(None, None));
        assert_eq!(payload, b"{}");
    }
}
