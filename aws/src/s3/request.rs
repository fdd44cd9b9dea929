//! An S3 request as the operations read it: the bucket and key (path-style or virtual-host
//! style), the decoded query, the headers and the payload (`aws-chunked` framing removed).

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use percent_encoding::percent_decode_str;

use super::chunked;
use super::errors::S3Error;

/// The host suffix of virtual-host style addressing: `<bucket>.localhost[:port]`.
const VIRTUAL_HOST_SUFFIX: &str = ".localhost";

/// A parsed S3 request.
#[derive(Debug)]
pub(super) struct S3Request {
    pub(super) method: Method,
    /// The bucket, unless the request is to the service (`GET /`).
    pub(super) bucket: Option<String>,
    /// The key, percent-decoded, when the request is to an object.
    pub(super) key: Option<String>,
    /// The query's parameters, percent-decoded, in order.
    query: Vec<(String, String)>,
    pub(super) headers: HeaderMap,
    /// The payload, with any `aws-chunked` framing removed.
    pub(super) body: Bytes,
}

impl S3Request {
    /// Reads a request; refuses a path or query that is not UTF-8 once decoded, and a
    /// malformed `aws-chunked` body.
    pub(super) fn parse(request: Request<Bytes>) -> Result<Self, S3Error> {
        let (parts, body) = request.into_parts();
        let path = decode(parts.uri.path(), false)?;
        let query = parts
            .uri
            .query()
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                Ok((decode(name, true)?, decode(value, true)?))
            })
            .collect::<Result<_, S3Error>>()?;
        let host = parts
            .headers
            .get(http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .or(parts.uri.host())
            .unwrap_or_default();
        let path = path.strip_prefix('/').unwrap_or(&path);
        let (bucket, key) = match virtual_host_bucket(host) {
            Some(bucket) => (Some(bucket), path),
            None => match path.split_once('/') {
                Some((bucket, key)) => (Some(bucket.to_owned()), key),
                None => ((!path.is_empty()).then(|| path.to_owned()), ""),
            },
        };
        let body = if chunked::is_chunked(&parts.headers) {
            let payload = chunked::decode(&body)?;
            check_decoded_length(&parts.headers, payload.len())?;
            Bytes::from(payload)
        } else {
            body
        };
        Ok(S3Request {
            method: parts.method,
            bucket,
            key: (!key.is_empty()).then(|| key.to_owned()),
            query,
            headers: parts.headers,
            body,
        })
    }

    /// The value of a query parameter.
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The names of the query's parameters.
    pub(super) fn param_names(&self) -> impl Iterator<Item = &str> {
        self.query.iter().map(|(n, _)| n.as_str())
    }

    /// The value of a header, if it is text.
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The bucket of a virtual-host style `Host` (`photos.localhost:4566` is `photos`).
fn virtual_host_bucket(host: &str) -> Option<String> {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let bucket = name
        .to_ascii_lowercase()
        .strip_suffix(VIRTUAL_HOST_SUFFIX)?
        .to_owned();
    (!bucket.is_empty()).then_some(bucket)
}

/// Percent-decodes a path or query part (`+` is a space in a query, as forms write it).
fn decode(text: &str, query: bool) -> Result<String, S3Error> {
    let text = if query {
        std::borrow::Cow::Owned(text.replace('+', " "))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    percent_decode_str(&text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| {
            S3Error::new(
                StatusCode::BAD_REQUEST,
                "InvalidURI",
                "Couldn't parse the specified URI.",
            )
            .with("URI", text.as_ref())
        })
}

/// Checks an `aws-chunked` payload against `x-amz-decoded-content-length`, when given.
fn check_decoded_length(headers: &HeaderMap, length: usize) -> Result<(), S3Error> {
    let Some(declared) = headers
        .get("x-amz-decoded-content-length")
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(());
    };
    match declared.trim().parse::<usize>() {
        Ok(declared) if declared == length => Ok(()),
        Ok(_) => Err(S3Error::incomplete_body()),
        Err(_) => Err(S3Error::invalid_argument(
            "x-amz-decoded-content-length is not a number of bytes",
            "x-amz-decoded-content-length",
            declared,
        )),
    }
}
