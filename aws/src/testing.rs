//! What the services' tests share: the APIs over temporary stores, and a JSON-protocol call as
//! a client sends it.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

use crate::{AwsApis, RealClock};

/// The APIs over temporary stores, on the real clock, seed 1.
pub(crate) fn apis() -> AwsApis {
    let services = lambda_sim_services::Services::temporary(1).expect("temporary services");
    AwsApis::new(services, Arc::new(RealClock::start()), 1)
}

/// The status and JSON body of `target` (`Kinesis_20131202.PutRecord`) called with `body`,
/// checking the answer's `Content-Type` is `content_type`.
pub(crate) async fn json_call(
    apis: &AwsApis,
    target: &str,
    content_type: &str,
    body: &Value,
) -> (u16, Value) {
    let request = http::Request::post("/")
        .header("x-amz-target", target)
        .header("content-type", content_type)
        .body(Bytes::from(body.to_string()))
        .expect("request");
    let answer = apis.handle(request).await;
    assert_eq!(answer.headers()["content-type"], content_type);
    let status = answer.status().as_u16();
    let body = serde_json::from_slice(answer.body()).expect("a JSON answer");
    (status, body)
}
