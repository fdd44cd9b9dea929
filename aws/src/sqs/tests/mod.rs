//! SQS through the public entry point, as an SDK calls it: status, `x-amzn-query-error` and
//! the exact JSON answered.

use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{Value, json};

use crate::AwsApis;

const HOST: &str = "127.0.0.1:9001";
const URL: &str = "http://127.0.0.1:9001/123456789012/orders";

use crate::testing::apis;

/// What a call answered: status, `x-amzn-query-error`, body.
#[derive(Debug)]
struct Answer {
    status: u16,
    query_error: Option<String>,
    body: Value,
}

impl Answer {
    /// Asserts a 200 and gives the body.
    fn ok(self) -> Value {
        assert_eq!(self.status, 200, "{:?}", self.body);
        self.body
    }

    /// Asserts an error with `code` and query-protocol code `legacy`; gives the message.
    fn error(self, code: &str, legacy: &str) -> String {
        assert_eq!(self.status, 400, "{:?}", self.body);
        assert_eq!(
            self.body["__type"],
            format!("com.amazonaws.sqs#{code}"),
            "{:?}",
            self.body
        );
        assert_eq!(
            self.query_error.as_deref(),
            Some(format!("{legacy};Sender").as_str())
        );
        self.body["message"].as_str().expect("message").to_owned()
    }
}

async fn call(apis: &AwsApis, operation: &str, input: Value) -> Answer {
    call_raw(apis, operation, input.to_string()).await
}

async fn call_raw(apis: &AwsApis, operation: &str, body: String) -> Answer {
    let request = http::Request::post("/")
        .header("x-amz-target", format!("AmazonSQS.{operation}"))
        .header("content-type", "application/x-amz-json-1.0")
        .header("host", HOST)
        .body(Bytes::from(body))
        .expect("request");
    let response = apis.handle(request).await;
    assert_eq!(
        response.headers()["content-type"],
        "application/x-amz-json-1.0"
    );
    assert!(response.headers().contains_key("x-amzn-requestid"));
    Answer {
        status: response.status().as_u16(),
        query_error: response
            .headers()
            .get("x-amzn-query-error")
            .map(|v| v.to_str().expect("ascii").to_owned()),
        body: serde_json::from_slice(response.body()).expect("json answer"),
    }
}

async fn create(apis: &AwsApis, name: &str, attributes: Value) -> String {
    let answer = call(
        apis,
        "CreateQueue",
        json!({"QueueName": name, "Attributes": attributes}),
    );
    answer.await.ok()["QueueUrl"]
        .as_str()
        .expect("url")
        .to_owned()
}

async fn send(apis: &AwsApis, url: &str, body: &str) -> String {
    let answer = call(
        apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": body}),
    );
    answer.await.ok()["MessageId"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Receives with the given extra members; gives the messages (none for `{}`).
async fn receive(apis: &AwsApis, url: &str, extra: Value) -> Vec<Value> {
    let mut input = json!({"QueueUrl": url, "MaxNumberOfMessages": 10});
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    let body = call(apis, "ReceiveMessage", input).await.ok();
    match body.get("Messages") {
        None => {
            assert_eq!(body, json!({}), "an empty receive answers {{}}");
            Vec::new()
        }
        Some(messages) => messages.as_array().expect("list").clone(),
    }
}

async fn attributes(apis: &AwsApis, url: &str, names: &[&str]) -> Value {
    let input = json!({"QueueUrl": url, "AttributeNames": names});
    call(apis, "GetQueueAttributes", input).await.ok()["Attributes"].clone()
}

fn md5_hex(text: &str) -> String {
    super::send::md5_hex(text.as_bytes())
}

mod batches;
mod messages;
mod queues;
mod visibility;
