//! Shared test helpers: requests, request info, and reading events back as JSON.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde_json::Value;

use crate::{Api, Matched, RequestInfo, request_event};

/// 2015-04-09 12:34:56.789 UTC, the instant every test request arrives.
pub(super) fn info(stage: &str) -> RequestInfo {
    RequestInfo {
        request_id: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef".to_owned(),
        time: SystemTime::UNIX_EPOCH + Duration::from_millis(1_428_582_896_789),
        source_ip: IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)),
        api_id: "abc123".to_owned(),
        stage: stage.to_owned(),
        domain_name: "abc123.execute-api.us-east-1.amazonaws.com".to_owned(),
        account_id: "123456789012".to_owned(),
    }
}

/// A request with the given method, URI, headers (in order, repeats allowed) and body.
pub(super) fn request(
    method: &str,
    uri: &str,
    headers: &[(&str, &[u8])],
    body: &[u8],
) -> http::Request<Bytes> {
    let mut builder = http::Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        let value = http::HeaderValue::from_bytes(value).expect("test header value");
        builder = builder.header(*name, value);
    }
    builder
        .body(Bytes::copy_from_slice(body))
        .expect("test request")
}

/// The event for `request`, parsed back.
pub(super) fn event(
    api: Api,
    matched: Option<&Matched<'_>>,
    request: &http::Request<Bytes>,
    stage: &str,
) -> Value {
    let bytes = request_event(api, matched, request, &info(stage));
    serde_json::from_slice(&bytes).expect("the event is JSON")
}

/// The body of a response as text.
pub(super) fn text(response: &http::Response<Bytes>) -> &str {
    std::str::from_utf8(response.body()).expect("a UTF-8 body")
}

/// A header of a response as text.
pub(super) fn header<'r>(response: &'r http::Response<Bytes>, name: &str) -> Option<&'r str> {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().expect("a text header"))
}

/// A minimal PNG: the signature and the start of an IHDR chunk (not UTF-8).
pub(super) const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe";

/// [`PNG`] in base64.
pub(super) const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUv/+";
