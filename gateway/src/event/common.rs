//! Pieces both payload formats share: query parsing, request time, body encoding.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::HeaderMap;
use percent_encoding::percent_decode_str;

/// The query string's pairs in order, percent-decoded (invalid UTF-8 becomes U+FFFD). A key
/// without `=` has the value `""`; empty keys are dropped. `+` stays `+`.
pub(super) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    query
        .unwrap_or_default()
        .split('&')
        .filter_map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            (!key.is_empty()).then(|| (decode(key), decode(value)))
        })
        .collect()
}

/// Query pairs grouped by key, values in request order.
pub(super) fn query_multi(query: Option<&str>) -> BTreeMap<String, Vec<String>> {
    let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in query_pairs(query) {
        grouped.entry(key).or_default().push(value);
    }
    grouped
}

/// A header value as text; bytes that are not UTF-8 become U+FFFD.
pub(super) fn header_text(value: &http::HeaderValue) -> String {
    String::from_utf8_lossy(value.as_bytes()).into_owned()
}

/// The first value of a header, as text.
pub(super) fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).map(header_text)
}

/// The request time as API Gateway writes it: `09/Apr/2015:12:34:56 +0000`.
pub(super) fn request_time(time: SystemTime) -> String {
    // httpdate gives "Thu, 09 Apr 2015 12:34:56 GMT" and panics outside 1970..9999.
    let latest = UNIX_EPOCH + Duration::from_secs(253_402_300_799);
    let clamped = time.clamp(UNIX_EPOCH, latest);
    let date = httpdate::fmt_http_date(clamped);
    let part = |range: std::ops::Range<usize>| date.get(range).unwrap_or_default();
    format!(
        "{}/{}/{}:{} +0000",
        part(5..7),
        part(8..11),
        part(12..16),
        part(17..25)
    )
}

/// Milliseconds since the Unix epoch (0 before it).
pub(super) fn epoch_millis(time: SystemTime) -> u64 {
    let millis = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    u64::try_from(millis).unwrap_or(u64::MAX)
}

/// The body as the event carries it: `None` when empty, text when `as_text` says so and it is
/// UTF-8, base64 otherwise. The flag says whether it is base64.
pub(super) fn body(bytes: &[u8], as_text: bool) -> (Option<String>, bool) {
    if bytes.is_empty() {
        return (None, false);
    }
    if as_text && let Ok(text) = std::str::from_utf8(bytes) {
        return (Some(text.to_owned()), false);
    }
    (Some(STANDARD.encode(bytes)), true)
}

/// The first label of the domain, without a port: `abc.execute-api...` gives `abc`.
pub(super) fn domain_prefix(domain: &str) -> &str {
    let host = domain.split(':').next().unwrap_or_default();
    host.split('.').next().unwrap_or_default()
}

/// The protocol as API Gateway writes it: `HTTP/1.1`.
pub(super) fn protocol(version: http::Version) -> String {
    format!("{version:?}")
}
