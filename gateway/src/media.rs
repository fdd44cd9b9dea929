//! Which bodies travel as text and which as base64.
//!
//! REST APIs decide with the API's `binaryMediaTypes` (exact types, `type/*`, `*/*`),
//! matched against the request's `Content-Type` and, for responses, the first media type of
//! the request's `Accept` header
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html>:
//! "API Gateway honors only the first `Accept` media type").
//!
//! HTTP APIs and function URLs decide by content type alone; AWS documents only "if the
//! content type of the request is binary, the body is base64-encoded". The split used here
//! was measured against a real HTTP API (<https://github.com/ministackorg/ministack/pull/766>):
//! text for `text/*`, `application/json`, `application/xml` and `application/javascript`;
//! base64 for everything else, including a missing `Content-Type` and
//! `application/x-www-form-urlencoded`.

/// The media type without parameters, trimmed and lower-cased: `Text/HTML; charset=x` gives
/// `text/html`.
pub(crate) fn essence(content_type: &str) -> String {
    let essence = content_type.split(';').next().unwrap_or_default();
    essence.trim().to_ascii_lowercase()
}

/// Whether an HTTP API or function URL passes a request body of this content type as text
/// (otherwise it is base64-encoded with `isBase64Encoded: true`).
pub fn is_text_content_type(content_type: &str) -> bool {
    let essence = essence(content_type);
    essence.starts_with("text/")
        || matches!(
            essence.as_str(),
            "application/json" | "application/xml" | "application/javascript"
        )
}

/// Whether `content_type` matches one of a REST API's binary media types: an exact type
/// (case-insensitive, parameters ignored), `type/*`, or `*/*` (which matches anything, even an
/// empty content type).
pub fn matches_media_type(patterns: &[String], content_type: &str) -> bool {
    let essence = essence(content_type);
    patterns.iter().any(|pattern| {
        let pattern = self::essence(pattern);
        if pattern == "*/*" {
            return true;
        }
        match pattern.strip_suffix("/*") {
            Some(kind) => essence.split_once('/').is_some_and(|(k, _)| k == kind),
            None => !essence.is_empty() && pattern == essence,
        }
    })
}

/// The first media type of an `Accept` header, the only one API Gateway looks at.
pub(crate) fn first_accept(accept: &str) -> &str {
    accept.split(',').next().unwrap_or_default().trim()
}
