//! S3's REST API, path-style (`/bucket/key`) and virtual-host style (`Host:
//! bucket.localhost`), over the object store: buckets are directories, objects are files.
//!
//! Operations: `ListBuckets`, `CreateBucket`, `HeadBucket`, `DeleteBucket`,
//! `GetBucketLocation`, `PutObject` (plain or `aws-chunked` bodies), `GetObject` (with
//! `Range`), `HeadObject`, `DeleteObject`, `DeleteObjects`, `CopyObject`, `ListObjectsV2`
//! and `ListObjects`. Other sub-resources (`?acl`, `?tagging`, multipart uploads, ...)
//! answer `NotImplemented`; other methods `MethodNotAllowed`.
//!
//! Answers are what S3 writes: XML results in S3's namespace, `<Error>` documents with
//! S3's codes and messages, and `x-amz-request-id` on every answer.

mod buckets;
mod chunked;
mod delete_objects;
mod errors;
mod list;
mod objects;
mod range;
mod request;
mod response;
#[cfg(test)]
mod tests;
mod time;
mod xml;

use bytes::Bytes;
use http::{Method, Request, Response};

use crate::State;
use errors::S3Error;
use request::S3Request;
use response::Answer;

/// Query parameters that name S3 features lambda-sim does not simulate: a request carrying
/// one is answered `NotImplemented` rather than taken for a plain read or write.
const UNSUPPORTED_SUBRESOURCES: &[&str] = &[
    "accelerate",
    "acl",
    "analytics",
    "attributes",
    "cors",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "lifecycle",
    "logging",
    "metadataConfiguration",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "partNumber",
    "policy",
    "policyStatus",
    "publicAccessBlock",
    "replication",
    "requestPayment",
    "restore",
    "retention",
    "select",
    "session",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versioning",
    "versions",
    "website",
];

/// Answers one S3 request; never fails (errors are XML answers).
pub(crate) async fn handle(
    state: &State,
    request: Request<Bytes>,
    request_id: &str,
) -> Response<Bytes> {
    let head = request.method() == Method::HEAD;
    let answer = S3Request::parse(request).and_then(|request| route(state, &request));
    match answer {
        Ok(answer) => answer,
        Err(err) => err.answer(request_id, head),
    }
    .finish(request_id)
}

/// Runs the operation a request names.
fn route(state: &State, request: &S3Request) -> Result<Answer, S3Error> {
    check_subresources(request)?;
    let method = &request.method;
    let Some(bucket) = request.bucket.as_deref() else {
        return match *method {
            Method::GET => buckets::list(state),
            _ => Err(S3Error::method_not_allowed(method, "SERVICE")),
        };
    };
    let Some(key) = request.key.as_deref() else {
        return match *method {
            Method::GET if request.param("location").is_some() => buckets::location(state, bucket),
            Method::GET => match request.param("list-type") {
                Some("2") => list::list_v2(state, bucket, request),
                None => list::list_v1(state, bucket, request),
                Some(other) => Err(S3Error::invalid_argument(
                    "Invalid list type specified in request",
                    "list-type",
                    other,
                )),
            },
            Method::HEAD => buckets::head(state, bucket),
            Method::PUT => buckets::create(state, bucket),
            Method::DELETE => buckets::delete(state, bucket),
            Method::POST if request.param("delete").is_some() => {
                delete_objects::delete_objects(state, bucket, request)
            }
            _ => Err(S3Error::method_not_allowed(method, "BUCKET")),
        };
    };
    match *method {
        Method::GET | Method::HEAD => objects::get(state, bucket, key, request),
        Method::PUT => match request.header("x-amz-copy-source") {
            Some(source) => objects::copy(state, bucket, key, source),
            None => objects::put(state, bucket, key, request),
        },
        Method::DELETE => objects::delete(state, bucket, key),
        _ => Err(S3Error::method_not_allowed(method, "OBJECT")),
    }
}

/// Refuses a request for a sub-resource lambda-sim does not simulate, or for a version of
/// an object other than `null` (buckets are not versioned).
fn check_subresources(request: &S3Request) -> Result<(), S3Error> {
    if let Some(name) = request
        .param_names()
        .find(|name| UNSUPPORTED_SUBRESOURCES.contains(name))
    {
        return Err(S3Error::not_implemented(&format!(
            "the `{name}` sub-resource"
        )));
    }
    match request.param("versionId") {
        Some(version) if version != "null" => Err(S3Error::not_implemented(
            "object versions (`versionId`): buckets are not versioned",
        )),
        _ => Ok(()),
    }
}
