//! S3's REST API, path-style and virtual-host style, over the object store.

use bytes::Bytes;
use http::{Request, Response};

use crate::State;

/// Answers one S3 request; never fails (errors are XML answers).
pub(crate) async fn handle(
    _state: &State,
    _request: Request<Bytes>,
    _request_id: &str,
) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from_static(
        b"<Error><Code>NotImplemented</Code></Error>",
    ));
    *response.status_mut() = http::StatusCode::NOT_IMPLEMENTED;
    response
}
