//! The object operations: `PutObject`, `GetObject`, `HeadObject`, `DeleteObject` and
//! `CopyObject`.
//!
//! Objects are bytes only: the store keeps no content type or user metadata, so every object
//! is answered as `binary/octet-stream` (S3's type for an object stored without one) unless
//! the request asks for another with `response-content-type`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{Method, StatusCode};
use md5::{Digest as _, Md5};
use percent_encoding::percent_decode_str;

use super::buckets::require;
use super::errors::S3Error;
use super::range;
use super::request::S3Request;
use super::response::Answer;
use super::time::{http_date, iso8601};
use super::xml::Xml;
use crate::State;

/// The type of an object stored without one.
const DEFAULT_CONTENT_TYPE: &str = "binary/octet-stream";

/// The `response-*` query parameters of `GetObject` and the headers they set.
const RESPONSE_OVERRIDES: [(&str, &str); 6] = [
    ("response-content-type", "content-type"),
    ("response-content-language", "content-language"),
    ("response-expires", "expires"),
    ("response-cache-control", "cache-control"),
    ("response-content-disposition", "content-disposition"),
    ("response-content-encoding", "content-encoding"),
];

/// S3's ETag of a single-part object: its MD5 in hex, quoted.
pub(super) fn etag(body: &[u8]) -> String {
    let digest = Md5::digest(body);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// `PUT /bucket/key`: writes the object; checks `Content-MD5` when given.
pub(super) fn put(
    state: &State,
    bucket: &str,
    key: &str,
    request: &S3Request,
) -> Result<Answer, S3Error> {
    require(state, bucket)?;
    if let Some(declared) = request.header("content-md5") {
        check_content_md5(declared, &request.body)?;
    }
    state
        .services
        .objects
        .put(bucket, key, &request.body)
        .map_err(|err| S3Error::from_store(&err, key))?;
    Ok(Answer::new(StatusCode::OK).header("etag", &etag(&request.body)))
}

/// `GET` or `HEAD /bucket/key`: the object, whole or the bytes a `Range` asks for.
pub(super) fn get(
    state: &State,
    bucket: &str,
    key: &str,
    request: &S3Request,
) -> Result<Answer, S3Error> {
    require(state, bucket)?;
    let objects = &state.services.objects;
    let missing = || S3Error::no_such_key(key);
    let metadata = objects
        .metadata(bucket, key)
        .map_err(|err| S3Error::from_store(&err, key))?
        .ok_or_else(missing)?;
    let body = objects
        .get(bucket, key)
        .map_err(|err| S3Error::from_store(&err, key))?
        .ok_or_else(missing)?;
    let size = body.len() as u64;
    let mut answer = Answer::new(StatusCode::OK)
        .header("etag", &etag(&body))
        .header("last-modified", &http_date(metadata.modified))
        .header("accept-ranges", "bytes");
    let content_type = request
        .param("response-content-type")
        .unwrap_or(DEFAULT_CONTENT_TYPE);
    answer = answer.header("content-type", content_type);
    for (param, header) in RESPONSE_OVERRIDES.iter().skip(1) {
        if let Some(value) = request.param(param) {
            answer = answer.header(header, value);
        }
    }
    let range = match request.header("range") {
        Some(header) => range::resolve(header, size)?,
        None => None,
    };
    let body = Bytes::from(body);
    let body = match range {
        Some((first, last)) => {
            answer = answer
                .status(StatusCode::PARTIAL_CONTENT)
                .header("content-range", &format!("bytes {first}-{last}/{size}"));
            // Both ends are within the body: `range` clamps them to `size - 1`.
            let first = usize::try_from(first).unwrap_or(usize::MAX);
            let last = usize::try_from(last).unwrap_or(usize::MAX);
            body.slice(first.min(body.len())..last.saturating_add(1).min(body.len()))
        }
        None => body,
    };
    if request.method == Method::HEAD {
        return Ok(answer.announce_length(body.len() as u64));
    }
    Ok(answer.body(body))
}

/// `DELETE /bucket/key`: 204 whether or not there was such a key, as S3 answers.
pub(super) fn delete(state: &State, bucket: &str, key: &str) -> Result<Answer, S3Error> {
    require(state, bucket)?;
    state
        .services
        .objects
        .delete(bucket, key)
        .map_err(|err| S3Error::from_store(&err, key))?;
    Ok(Answer::new(StatusCode::NO_CONTENT))
}

/// `PUT /bucket/key` with `x-amz-copy-source: /source-bucket/source-key`.
pub(super) fn copy(
    state: &State,
    bucket: &str,
    key: &str,
    source: &str,
) -> Result<Answer, S3Error> {
    let (source_bucket, source_key) = copy_source(source)?;
    require(state, &source_bucket)?;
    require(state, bucket)?;
    let objects = &state.services.objects;
    let body = objects
        .get(&source_bucket, &source_key)
        .map_err(|err| S3Error::from_store(&err, &source_key))?
        .ok_or_else(|| S3Error::no_such_key(&source_key))?;
    objects
        .put(bucket, key, &body)
        .map_err(|err| S3Error::from_store(&err, key))?;
    let modified = objects
        .metadata(bucket, key)
        .map_err(|err| S3Error::from_store(&err, key))?
        .map_or_else(|| state.clock.wall(), |m| m.modified);
    let mut xml = Xml::result("CopyObjectResult");
    xml.element("LastModified", &iso8601(modified))
        .element("ETag", &etag(&body))
        .close("CopyObjectResult");
    Ok(Answer::new(StatusCode::OK).xml(xml.finish()))
}

/// The bucket and key of an `x-amz-copy-source` (`bucket/key` or `/bucket/key`,
/// percent-encoded, perhaps with `?versionId=null`).
fn copy_source(source: &str) -> Result<(String, String), S3Error> {
    let invalid = || {
        S3Error::invalid_argument(
            "Invalid copy source object key",
            "x-amz-copy-source",
            source,
        )
    };
    let (path, version) = source.split_once('?').unwrap_or((source, ""));
    if !version.is_empty() && version != "versionId=null" {
        return Err(S3Error::not_implemented(
            "object versions (`versionId` in `x-amz-copy-source`)",
        ));
    }
    let decoded = percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| invalid())?;
    let decoded = decoded.strip_prefix('/').unwrap_or(&decoded);
    match decoded.split_once('/') {
        Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() => {
            Ok((bucket.to_owned(), key.to_owned()))
        }
        _ => Err(invalid()),
    }
}

/// Checks a `Content-MD5` header (base64 of the body's MD5).
fn check_content_md5(declared: &str, body: &[u8]) -> Result<(), S3Error> {
    let digest = STANDARD
        .decode(declared.trim())
        .ok()
        .filter(|d| d.len() == 16)
        .ok_or_else(|| {
            S3Error::new(
                StatusCode::BAD_REQUEST,
                "InvalidDigest",
                "The Content-MD5 you specified was not valid.",
            )
            .with("Content-MD5", declared)
        })?;
    if digest[..] == Md5::digest(body)[..] {
        Ok(())
    } else {
        Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "BadDigest",
            "The Content-MD5 you specified did not match what we received.",
        )
        .with("ExpectedDigest", declared))
    }
}
