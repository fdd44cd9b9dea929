//! `aws-chunked` request bodies: what the SDKs send when they sign a payload in chunks or
//! add a trailing checksum (boto3 >= 1.36 and AWS CLI v2 do on every `PutObject`).
//!
//! The framing is `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n`, repeated, then a
//! chunk of size 0, then trailer lines (`x-amz-checksum-crc32:...`) and an empty line.
//! Signatures and checksums are not checked, as SigV4 signatures are not.

use http::HeaderMap;

use super::errors::S3Error;

/// Whether the body of a request with these headers is `aws-chunked`: its
/// `Content-Encoding` says so, or its `x-amz-content-sha256` is a `STREAMING-*` one.
pub(super) fn is_chunked(headers: &HeaderMap) -> bool {
    let encoded = headers
        .get_all(http::header::CONTENT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| coding.trim().eq_ignore_ascii_case("aws-chunked"));
    let streaming = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("STREAMING-"));
    encoded || streaming
}

/// The payload of an `aws-chunked` body; `IncompleteBody` when the body ends early,
/// `InvalidRequest` when its framing is not `aws-chunked`.
pub(super) fn decode(body: &[u8]) -> Result<Vec<u8>, S3Error> {
    let mut payload = Vec::with_capacity(body.len());
    let mut rest = body;
    loop {
        let (line, after) = split_line(rest).ok_or_else(S3Error::incomplete_body)?;
        let size = chunk_size(line)?;
        if size == 0 {
            return trailers(after).map(|()| payload);
        }
        if after.len() < size {
            return Err(S3Error::incomplete_body());
        }
        let (data, after) = after.split_at(size);
        payload.extend_from_slice(data);
        rest = after
            .strip_prefix(b"\r\n")
            .ok_or_else(|| malformed("a chunk's data is not followed by CRLF"))?;
    }
}

/// The size of a chunk from its header line (`400;chunk-signature=...`).
fn chunk_size(line: &[u8]) -> Result<usize, S3Error> {
    let hex = line.split(|&b| b == b';').next().unwrap_or_default();
    let hex = std::str::from_utf8(hex)
        .ok()
        .map(str::trim)
        .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| malformed("a chunk does not start with its size in hexadecimal"))?;
    usize::from_str_radix(hex, 16).map_err(|_| malformed("a chunk's size is too large"))
}

/// Checks the trailer lines after the last chunk (`name:value`, up to an empty line or
/// the end of the body).
fn trailers(mut rest: &[u8]) -> Result<(), S3Error> {
    while !rest.is_empty() {
        let (line, after) = split_line(rest).unwrap_or((rest, &[]));
        if line.is_empty() {
            return Ok(());
        }
        if !line.contains(&b':') {
            return Err(malformed("a trailer line is not `name:value`"));
        }
        rest = after;
    }
    Ok(())
}

/// The line before the first CRLF, and what follows it.
fn split_line(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = bytes.windows(2).position(|w| w == b"\r\n")?;
    Some((&bytes[..end], &bytes[end + 2..]))
}

fn malformed(what: &str) -> S3Error {
    S3Error::invalid_request(format!("the aws-chunked body is malformed: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_joined_with_or_without_signatures_and_trailers() {
        assert_eq!(decode(b"5\r\nhello\r\n0\r\n\r\n").expect("plain"), b"hello");
        let signed = b"3;chunk-signature=abc\r\nhel\r\n2;chunk-signature=def\r\nlo\r\n0;chunk-signature=0f\r\n\r\n";
        assert_eq!(decode(signed).expect("signed"), b"hello");
        let trailer = b"a\r\n0123456789\r\n0\r\nx-amz-checksum-crc32:wnf4Wg==\r\n\r\n";
        assert_eq!(decode(trailer).expect("trailer"), b"0123456789");
        assert_eq!(decode(b"0\r\n").expect("empty"), b"");
    }

    #[test]
    fn broken_framing_is_refused() {
        let code = |body: &[u8]| decode(body).map_err(|e| e.code);
        assert_eq!(code(b"5\r\nhel"), Err("IncompleteBody"));
        assert_eq!(code(b"5\r\nhello"), Err("InvalidRequest"));
        assert_eq!(code(b"5\r\nhello\r\n"), Err("IncompleteBody"));
        assert_eq!(code(b"zz\r\nhello\r\n0\r\n\r\n"), Err("InvalidRequest"));
        assert_eq!(code(b"ffffffffffffffffffff\r\n"), Err("InvalidRequest"));
        assert_eq!(code(b"hello world"), Err("IncompleteBody"));
        assert_eq!(code(b"0\r\nnot a trailer\r\n\r\n"), Err("InvalidRequest"));
    }
}
