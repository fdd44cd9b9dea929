//! Tests of the S3 API through `AwsApis::handle`, sending what the AWS CLI and boto3 send
//! and checking what they read: statuses, headers and the exact XML.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{Request, Response};

use crate::AwsApis;

mod buckets;
mod errors;
mod list;
mod objects;

/// 2026-01-01T00:00:00Z, the time test objects are stamped with.
const NEW_YEAR: Duration = Duration::from_secs(1_767_225_600);
/// The MD5 of `hello`.
const HELLO_ETAG: &str = "\"5d41402abc4b2a76b9719d911017c592\"";
const NS: &str = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

pub(super) use crate::testing::apis;

/// Sends a request with headers and a body.
async fn send(
    apis: &AwsApis,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Response<Bytes> {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    apis.handle(request.body(body.into()).expect("request"))
        .await
}

async fn get(apis: &AwsApis, uri: &str) -> Response<Bytes> {
    send(apis, "GET", uri, &[], "").await
}

async fn put(apis: &AwsApis, uri: &str, body: &str) -> Response<Bytes> {
    send(apis, "PUT", uri, &[], body.to_owned()).await
}

fn header<'a>(response: &'a Response<Bytes>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no `{name}` in {response:?}"))
}

fn body(response: &Response<Bytes>) -> &str {
    std::str::from_utf8(response.body()).expect("utf-8 body")
}

/// An XML document as S3 writes it.
fn doc(xml: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{xml}")
}

/// The `<Error>` document S3 writes, with the response's request id.
fn error_doc(response: &Response<Bytes>, inner: &str) -> String {
    let id = header(response, "x-amz-request-id");
    doc(&format!(
        "<Error>{inner}<RequestId>{id}</RequestId></Error>"
    ))
}

/// Asserts an error answer: status, `application/xml` and the exact document.
fn assert_error(response: &Response<Bytes>, status: u16, inner: &str) {
    assert_eq!(response.status(), status, "{}", body(response));
    assert_eq!(header(response, "content-type"), "application/xml");
    assert_eq!(body(response), error_doc(response, inner));
}

/// Sets an object's modification time to 2026-01-01T00:00:00Z, so that listings are exact.
fn stamp(apis: &AwsApis, bucket: &str, key: &str) {
    let path = apis.services().objects.root().join(bucket).join(key);
    std::fs::File::options()
        .write(true)
        .open(path)
        .expect("object file")
        .set_modified(UNIX_EPOCH + NEW_YEAR)
        .expect("set modified");
}

/// Writes objects straight into the store, stamped.
fn objects(apis: &AwsApis, bucket: &str, keys: &[&str]) {
    for key in keys {
        apis.services()
            .objects
            .put(bucket, key, b"hello")
            .expect("put");
        stamp(apis, bucket, key);
    }
}

/// The `<Contents>` of a `hello` object stamped at new year.
fn contents(key: &str) -> String {
    format!(
        "<Contents><Key>{key}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>"
    )
}

/// The values of every `<name>` in `xml`.
fn values(xml: &str, name: &str) -> Vec<String> {
    super::xml::elements(xml, name)
        .expect("closed elements")
        .into_iter()
        .map(|raw| super::xml::unescape(raw).expect("entities"))
        .collect()
}
