//! What the services' tests share: the APIs over temporary stores, and a JSON-protocol call as
//! a client sends it.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

use crate::{AwsApis, RealClock};

/// The APIs over temporary stores, on the real clock, seed 1.
pub(crate) fn apis() -> AwsApis {
    apis_on(Arc::new(RealClock::start()))
}

/// The APIs over temporary stores, on `clock`, seed 1.
pub(crate) fn apis_on(clock: Arc<dyn crate::SimClock>) -> AwsApis {
    let services = lambda_sim_services::Services::temporary(1).expect("temporary services");
    AwsApis::new(services, clock, 1)
}

/// A clock that does not move: a test's calls all fall in one second.
pub(crate) struct StoppedClock;

impl crate::SimClock for StoppedClock {
    fn now(&self) -> std::time::Duration {
        std::time::Duration::from_millis(1_500)
    }

    fn wall(&self) -> std::time::SystemTime {
        std::time::UNIX_EPOCH + lambda_sim_services::SIMULATION_EPOCH
    }
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
