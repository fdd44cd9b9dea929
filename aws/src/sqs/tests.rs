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

#[tokio::test]
async fn queues_are_created_found_listed_and_deleted() {
    let apis = apis();
    assert_eq!(
        create(&apis, "orders", json!({"VisibilityTimeout": "60"})).await,
        URL
    );
    assert_eq!(
        create(&apis, "orders", json!({"VisibilityTimeout": "60"})).await,
        URL,
        "the same attributes: the same queue"
    );
    assert_eq!(create(&apis, "orders", json!({})).await, URL);
    let message = call(
        &apis,
        "CreateQueue",
        json!({"QueueName": "orders", "Attributes": {"VisibilityTimeout": "30"}}),
    )
    .await
    .error("QueueNameExists", "QueueAlreadyExists");
    assert_eq!(
        message,
        "A queue already exists with the same name and a different value for attribute VisibilityTimeout"
    );
    create(&apis, "order-events", json!({})).await;
    create(&apis, "payments", json!({})).await;

    let url = call(&apis, "GetQueueUrl", json!({"QueueName": "orders"}))
        .await
        .ok();
    assert_eq!(url, json!({"QueueUrl": URL}));
    let all = call(&apis, "ListQueues", json!({})).await.ok();
    assert_eq!(
        all,
        json!({"QueueUrls": [
            "http://127.0.0.1:9001/123456789012/order-events",
            URL,
            "http://127.0.0.1:9001/123456789012/payments",
        ]})
    );
    let some = call(&apis, "ListQueues", json!({"QueueNamePrefix": "order"}))
        .await
        .ok();
    assert_eq!(some["QueueUrls"].as_array().map(Vec::len), Some(2));
    let none = call(&apis, "ListQueues", json!({"QueueNamePrefix": "x"}))
        .await
        .ok();
    assert_eq!(none, json!({}));

    let first = call(&apis, "ListQueues", json!({"MaxResults": 2}))
        .await
        .ok();
    assert_eq!(first["QueueUrls"].as_array().map(Vec::len), Some(2));
    let token = first["NextToken"].clone();
    let rest = call(
        &apis,
        "ListQueues",
        json!({"MaxResults": 2, "NextToken": token}),
    )
    .await
    .ok();
    assert_eq!(
        rest,
        json!({"QueueUrls": ["http://127.0.0.1:9001/123456789012/payments"]})
    );
    call(&apis, "ListQueues", json!({"MaxResults": 1001}))
        .await
        .error("InvalidParameterValue", "InvalidParameterValue");
    call(&apis, "ListQueues", json!({"NextToken": "???"}))
        .await
        .error("InvalidParameterValue", "InvalidParameterValue");

    // Any host's URL names the queue by its last segment.
    let other = "https://sqs.us-east-1.amazonaws.com/123456789012/payments";
    assert_eq!(
        call(&apis, "DeleteQueue", json!({"QueueUrl": other}))
            .await
            .ok(),
        json!({})
    );
    let message = call(&apis, "GetQueueUrl", json!({"QueueName": "payments"}))
        .await
        .error(
            "QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue",
        );
    assert_eq!(message, "The specified queue does not exist.");
    call(&apis, "DeleteQueue", json!({"QueueUrl": other}))
        .await
        .error(
            "QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue",
        );
}

#[tokio::test]
async fn bad_queue_names_and_attributes_are_refused() {
    let apis = apis();
    for name in ["", "a/b", &"x".repeat(81)] {
        let answer = call(&apis, "CreateQueue", json!({"QueueName": name})).await;
        if name.is_empty() {
            answer.error("MissingParameter", "MissingParameter");
        } else {
            answer.error("InvalidParameterValue", "InvalidParameterValue");
        }
    }
    let message = call(&apis, "CreateQueue", json!({"QueueName": "jobs.fifo"}))
        .await
        .error(
            "UnsupportedOperation",
            "AWS.SimpleQueueService.UnsupportedOperation",
        );
    assert!(message.contains("standard queues only"), "{message}");
    call(
        &apis,
        "CreateQueue",
        json!({"QueueName": "jobs", "Attributes": {"FifoQueue": "true"}}),
    )
    .await
    .error(
        "UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation",
    );
    let message = call(
        &apis,
        "CreateQueue",
        json!({"QueueName": "jobs", "Attributes": {"Colour": "red"}}),
    )
    .await
    .error("InvalidAttributeName", "InvalidAttributeName");
    assert_eq!(message, "Unknown Attribute Colour.");
    call(
        &apis,
        "CreateQueue",
        json!({"QueueName": "jobs", "Attributes": {"QueueArn": "x"}}),
    )
    .await
    .error("InvalidAttributeName", "InvalidAttributeName");
    for (name, value) in [
        ("VisibilityTimeout", "43201"),
        ("VisibilityTimeout", "soon"),
        ("DelaySeconds", "901"),
        ("MessageRetentionPeriod", "59"),
        ("MessageRetentionPeriod", "1209601"),
        ("MaximumMessageSize", "1023"),
        ("MaximumMessageSize", "1048577"),
        ("ReceiveMessageWaitTimeSeconds", "21"),
    ] {
        let message = call(
            &apis,
            "CreateQueue",
            json!({"QueueName": "jobs", "Attributes": {name: value}}),
        )
        .await
        .error("InvalidAttributeValue", "InvalidAttributeValue");
        assert_eq!(message, format!("Invalid value for the parameter {name}."));
    }
    let policy = r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:nowhere","maxReceiveCount":"3"}"#;
    let message = call(
        &apis,
        "CreateQueue",
        json!({"QueueName": "jobs", "Attributes": {"RedrivePolicy": policy}}),
    )
    .await
    .error("InvalidParameterValue", "InvalidParameterValue");
    assert_eq!(
        message,
        format!(
            "Value {policy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist."
        )
    );
    create(&apis, "dlq", json!({})).await;
    let policy =
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":0}"#;
    call(
        &apis,
        "CreateQueue",
        json!({"QueueName": "jobs", "Attributes": {"RedrivePolicy": policy}}),
    )
    .await
    .error("InvalidParameterValue", "InvalidParameterValue");
    call(
        &apis,
        "CreateQueue",
        json!({"QueueName": "jobs", "Attributes": {"RedrivePolicy": "{"}}),
    )
    .await
    .error("InvalidParameterValue", "InvalidParameterValue");
    let listed = call(&apis, "ListQueues", json!({})).await.ok();
    assert_eq!(
        listed,
        json!({"QueueUrls": ["http://127.0.0.1:9001/123456789012/dlq"]}),
        "no queue half-made"
    );
}

#[tokio::test]
async fn a_message_is_sent_and_received_with_its_attributes_and_digests() {
    let apis = apis();
    let url = create(&apis, "orders", json!({})).await;
    let sent = call(
        &apis,
        "SendMessage",
        json!({
            "QueueUrl": url,
            "MessageBody": "hello",
            "MessageAttributes": {
                "ordinal": {"DataType": "Number", "StringValue": "1"},
                "category": {"DataType": "String", "StringValue": "test"},
            },
        }),
    )
    .await
    .ok();
    let id = sent["MessageId"].as_str().expect("id").to_owned();
    assert_eq!(
        sent,
        json!({
            "MessageId": id,
            "MD5OfMessageBody": "5d41402abc4b2a76b9719d911017c592",
            // The digest other implementations and the SDKs compute for these attributes.
            "MD5OfMessageAttributes": "d21ae90c49061e927f57df5f5d72be1f",
        })
    );
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis();
    let messages = receive(
        &apis,
        &url,
        json!({"MessageSystemAttributeNames": ["All"], "MessageAttributeNames": ["All"]}),
    )
    .await;
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    let sent_at: u128 = message["Attributes"]["SentTimestamp"]
        .as_str()
        .expect("ms")
        .parse()
        .expect("number");
    assert!(
        sent_at <= before && before - sent_at < 5_000,
        "epoch ms: {sent_at}"
    );
    let first: u128 = message["Attributes"]["ApproximateFirstReceiveTimestamp"]
        .as_str()
        .expect("ms")
        .parse()
        .expect("number");
    assert!(first >= sent_at);
    let handle = message["ReceiptHandle"].as_str().expect("handle");
    assert_eq!(
        message,
        &json!({
            "MessageId": id,
            "ReceiptHandle": handle,
            "MD5OfBody": "5d41402abc4b2a76b9719d911017c592",
            "Body": "hello",
            "Attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": sent_at.to_string(),
                "ApproximateFirstReceiveTimestamp": first.to_string(),
                "SenderId": "123456789012",
            },
            "MessageAttributes": {
                "ordinal": {"DataType": "Number", "StringValue": "1"},
                "category": {"DataType": "String", "StringValue": "test"},
            },
            "MD5OfMessageAttributes": "d21ae90c49061e927f57df5f5d72be1f",
        })
    );
    let deleted = call(
        &apis,
        "DeleteMessage",
        json!({"QueueUrl": url, "ReceiptHandle": handle}),
    );
    assert_eq!(deleted.await.ok(), json!({}));
    assert_eq!(receive(&apis, &url, json!({})).await, Vec::<Value>::new());
}

#[tokio::test]
async fn binary_attributes_and_a_selection_of_attributes_have_their_own_digest() {
    let apis = apis();
    let url = create(&apis, "orders", json!({})).await;
    let sent = call(
        &apis,
        "SendMessage",
        json!({
            "QueueUrl": url,
            "MessageBody": "x",
            "MessageAttributes": {
                "blob": {"DataType": "Binary", "BinaryValue": "AAH/"},
                "city": {"DataType": "String.custom", "StringValue": "Zürich"},
                "category": {"DataType": "String", "StringValue": "test"},
            },
            "MessageSystemAttributes": {
                "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"},
            },
        }),
    )
    .await
    .ok();
    assert!(sent["MD5OfMessageSystemAttributes"].is_string());
    let two = json!({
        "blob": {"DataType": "Binary", "BinaryValue": "AAH/"},
        "city": {"DataType": "String.custom", "StringValue": "Zürich"},
    });
    // Computed with Python's hashlib over SQS's documented encoding.
    let messages = receive(
        &apis,
        &url,
        json!({"MessageAttributeNames": ["blob", "city"], "VisibilityTimeout": 0}),
    )
    .await;
    assert_eq!(messages[0]["MessageAttributes"], two);
    assert_eq!(
        messages[0]["MD5OfMessageAttributes"],
        "609c0aee7afe7a367289b120b8109b41"
    );
    assert!(
        messages[0].get("Attributes").is_none(),
        "no system attribute asked for"
    );
    let messages = receive(
        &apis,
        &url,
        json!({"MessageAttributeNames": ["cat.*", "category"], "VisibilityTimeout": 0}),
    )
    .await;
    assert_eq!(
        messages[0]["MessageAttributes"],
        json!({"category": {"DataType": "String", "StringValue": "test"}})
    );
    assert_eq!(
        messages[0]["MD5OfMessageAttributes"],
        "dc88e3450800507c0b6096ed53c36a9f"
    );
    let messages = receive(
        &apis,
        &url,
        json!({"AttributeNames": ["ApproximateReceiveCount"]}),
    )
    .await;
    assert_eq!(
        messages[0]["Attributes"],
        json!({"ApproximateReceiveCount": "3"})
    );
    assert!(
        messages[0].get("MessageAttributes").is_none(),
        "no message attribute asked for"
    );
    assert!(messages[0].get("MD5OfMessageAttributes").is_none());
}

#[tokio::test]
async fn bad_messages_are_refused() {
    let apis = apis();
    let url = create(&apis, "orders", json!({})).await;
    let missing = call(&apis, "SendMessage", json!({"MessageBody": "x"})).await;
    assert_eq!(
        missing.error("MissingParameter", "MissingParameter"),
        "The request must contain the parameter QueueUrl."
    );
    let missing = call(&apis, "SendMessage", json!({"QueueUrl": url})).await;
    assert_eq!(
        missing.error("MissingParameter", "MissingParameter"),
        "The request must contain the parameter MessageBody."
    );
    call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": ""}),
    )
    .await
    .error("MissingParameter", "MissingParameter");
    call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": "http://h/1/nope", "MessageBody": "x"}),
    )
    .await
    .error(
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
    );

    // 1 MiB, the limit since August 2025, is taken; a byte more is not.
    let mib = "a".repeat(1 << 20);
    send(&apis, &url, &mib).await;
    let message = call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": format!("{mib}a")}),
    )
    .await
    .error("InvalidParameterValue", "InvalidParameterValue");
    assert_eq!(
        message,
        "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
    );
    let with_attribute = json!({
        "QueueUrl": url,
        "MessageBody": mib,
        "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}},
    });
    call(&apis, "SendMessage", with_attribute)
        .await
        .error("InvalidParameterValue", "InvalidParameterValue");

    let message = call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "bell \u{7}"}),
    )
    .await
    .error("InvalidMessageContents", "InvalidMessageContents");
    assert!(
        message.starts_with("Invalid characters found."),
        "{message}"
    );
    let message = call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "x", "DelaySeconds": 901}),
    )
    .await
    .error("InvalidParameterValue", "InvalidParameterValue");
    assert_eq!(
        message,
        "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
    );

    let eleven: serde_json::Map<String, Value> = (0..11)
        .map(|i| {
            (
                format!("a{i}"),
                json!({"DataType": "String", "StringValue": "v"}),
            )
        })
        .collect();
    let message = call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "x", "MessageAttributes": eleven}),
    )
    .await
    .error("InvalidParameterValue", "InvalidParameterValue");
    assert_eq!(
        message,
        "Number of message attributes [11] exceeds the allowed maximum [10]."
    );
    for attribute in [
        json!({"AWS.x": {"DataType": "String", "StringValue": "v"}}),
        json!({"a..b": {"DataType": "String", "StringValue": "v"}}),
        json!({"n": {"DataType": "Number", "StringValue": "one"}}),
        json!({"n": {"DataType": "Text", "StringValue": "v"}}),
        json!({"n": {"StringValue": "v"}}),
        json!({"n": {"DataType": "String"}}),
        json!({"n": {"DataType": "Binary", "BinaryValue": "!!"}}),
        json!({"n": {"DataType": "String", "StringListValues": ["a"]}}),
        json!({"n": "v"}),
    ] {
        call(
            &apis,
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": "x", "MessageAttributes": attribute}),
        )
        .await
        .error("InvalidParameterValue", "InvalidParameterValue");
    }
    call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "x", "MessageSystemAttributes": {"Other": {"DataType": "String", "StringValue": "v"}}}),
    )
    .await
    .error("InvalidParameterValue", "InvalidParameterValue");
    call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "x", "MessageDeduplicationId": "d"}),
    )
    .await
    .error("InvalidParameterValue", "InvalidParameterValue");

    for (name, value, reason) in [
        (
            "MaxNumberOfMessages",
            11,
            "Must be between 1 and 10, if provided.",
        ),
        (
            "MaxNumberOfMessages",
            0,
            "Must be between 1 and 10, if provided.",
        ),
        (
            "WaitTimeSeconds",
            21,
            "Must be >= 0 and <= 20, if provided.",
        ),
        (
            "VisibilityTimeout",
            -1,
            "Must be between 0 and 43200, if provided.",
        ),
    ] {
        let message = call(
            &apis,
            "ReceiveMessage",
            json!({"QueueUrl": url, name: value}),
        )
        .await
        .error("InvalidParameterValue", "InvalidParameterValue");
        assert_eq!(
            message,
            format!("Value {value} for parameter {name} is invalid. Reason: {reason}")
        );
    }
    call(
        &apis,
        "ReceiveMessage",
        json!({"QueueUrl": url, "MessageSystemAttributeNames": ["Colour"]}),
    )
    .await
    .error("InvalidAttributeName", "InvalidAttributeName");
    assert_eq!(
        apis.queue("orders").expect("queue").len(),
        1,
        "only the first message was sent"
    );
}

#[tokio::test]
async fn a_long_poll_returns_as_soon_as_a_message_arrives() {
    let apis = apis();
    let url = create(&apis, "orders", json!({})).await;
    let sender = apis.clone();
    let sender_url = url.clone();
    let started = Instant::now();
    let task = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        send(&sender, &sender_url, "late").await
    });
    let messages = receive(&apis, &url, json!({"WaitTimeSeconds": 10})).await;
    let waited = started.elapsed();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["Body"], "late");
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    task.await.expect("sender");

    let started = Instant::now();
    assert!(
        receive(&apis, &url, json!({"WaitTimeSeconds": 1}))
            .await
            .is_empty()
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(1) && waited < Duration::from_secs(3),
        "{waited:?}"
    );

    // The queue's ReceiveMessageWaitTimeSeconds is the default wait.
    let set = json!({"QueueUrl": url, "Attributes": {"ReceiveMessageWaitTimeSeconds": "1"}});
    call(&apis, "SetQueueAttributes", set).await.ok();
    let started = Instant::now();
    assert!(receive(&apis, &url, json!({})).await.is_empty());
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_message_not_deleted_reappears_when_its_visibility_timeout_ends() {
    let apis = apis();
    let url = create(&apis, "orders", json!({})).await;
    let id = send(&apis, &url, "retry me").await;
    let first = receive(
        &apis,
        &url,
        json!({"VisibilityTimeout": 1, "AttributeNames": ["ApproximateReceiveCount"]}),
    )
    .await;
    assert_eq!(first[0]["MessageId"], id.as_str());
    assert!(
        receive(&apis, &url, json!({})).await.is_empty(),
        "in flight"
    );
    let counts = attributes(
        &apis,
        &url,
        &[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
        ],
    )
    .await;
    assert_eq!(
        counts,
        json!({"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "1"})
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let second = receive(
        &apis,
        &url,
        json!({"AttributeNames": ["ApproximateReceiveCount"]}),
    )
    .await;
    assert_eq!(second[0]["MessageId"], id.as_str());
    assert_eq!(second[0]["Attributes"]["ApproximateReceiveCount"], "2");
    assert_ne!(first[0]["ReceiptHandle"], second[0]["ReceiptHandle"]);

    // A stale handle deletes nothing, and is no error (as in SQS).
    let stale = json!({"QueueUrl": url, "ReceiptHandle": first[0]["ReceiptHandle"]});
    call(&apis, "DeleteMessage", stale).await.ok();
    assert_eq!(apis.queue("orders").expect("queue").len(), 1);
    let latest = json!({"QueueUrl": url, "ReceiptHandle": second[0]["ReceiptHandle"]});
    call(&apis, "DeleteMessage", latest).await.ok();
    assert!(apis.queue("orders").expect("queue").is_empty());

    let message = call(
        &apis,
        "DeleteMessage",
        json!({"QueueUrl": url, "ReceiptHandle": "not-a-handle"}),
    )
    .await
    .error("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid");
    assert_eq!(
        message,
        "The input receipt handle \"not-a-handle\" is not a valid receipt handle."
    );
    call(&apis, "DeleteMessage", json!({"QueueUrl": url}))
        .await
        .error("MissingParameter", "MissingParameter");
}

#[tokio::test]
async fn a_message_received_more_than_max_receive_count_moves_to_the_dead_letter_queue() {
    let apis = apis();
    let dlq = create(&apis, "orders-dlq", json!({})).await;
    let arn = attributes(&apis, &dlq, &["QueueArn"]).await["QueueArn"].clone();
    assert_eq!(arn, "arn:aws:sqs:us-east-1:123456789012:orders-dlq");
    let policy = format!(
        r#"{{"deadLetterTargetArn":"{}","maxReceiveCount":"2"}}"#,
        arn.as_str().expect("arn")
    );
    let url = create(&apis, "orders", json!({"RedrivePolicy": policy})).await;
    assert_eq!(
        attributes(&apis, &url, &["RedrivePolicy"]).await,
        json!({"RedrivePolicy": r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:orders-dlq","maxReceiveCount":2}"#})
    );
    let sent = call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "poison", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}}),
    )
    .await
    .ok();
    for _ in 0..2 {
        assert_eq!(
            receive(&apis, &url, json!({"VisibilityTimeout": 0}))
                .await
                .len(),
            1
        );
    }
    assert!(
        receive(&apis, &url, json!({})).await.is_empty(),
        "the third receive moves it"
    );
    let moved = receive(
        &apis,
        &dlq,
        json!({"MessageAttributeNames": ["All"], "AttributeNames": ["All"]}),
    )
    .await;
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0]["MessageId"], sent["MessageId"]);
    assert_eq!(moved[0]["Body"], "poison");
    assert_eq!(
        moved[0]["MD5OfMessageAttributes"],
        sent["MD5OfMessageAttributes"]
    );
    assert_eq!(moved[0]["Attributes"]["ApproximateReceiveCount"], "1");

    // An empty policy removes it.
    let set = json!({"QueueUrl": url, "Attributes": {"RedrivePolicy": ""}});
    call(&apis, "SetQueueAttributes", set).await.ok();
    assert_eq!(
        attributes(&apis, &url, &["RedrivePolicy"]).await,
        Value::Null
    );
}

#[tokio::test]
async fn visibility_is_changed_for_messages_in_flight_only() {
    let apis = apis();
    let url = create(&apis, "orders", json!({})).await;
    send(&apis, &url, "a").await;
    let got = receive(&apis, &url, json!({})).await;
    let handle = got[0]["ReceiptHandle"].clone();
    let change = |timeout: Value| json!({"QueueUrl": url, "ReceiptHandle": handle, "VisibilityTimeout": timeout});
    let message = call(&apis, "ChangeMessageVisibility", change(json!(43_201)))
        .await
        .error("InvalidParameterValue", "InvalidParameterValue");
    assert_eq!(
        message,
        "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200."
    );
    call(
        &apis,
        "ChangeMessageVisibility",
        json!({"QueueUrl": url, "ReceiptHandle": handle}),
    )
    .await
    .error("MissingParameter", "MissingParameter");
    call(&apis, "ChangeMessageVisibility", change(json!(0)))
        .await
        .ok();
    call(&apis, "ChangeMessageVisibility", change(json!(10)))
        .await
        .error(
            "MessageNotInflight",
            "AWS.SimpleQueueService.MessageNotInflight",
        );
    let again = receive(&apis, &url, json!({})).await;
    assert_eq!(again.len(), 1, "visible again at once");
    let handle = again[0]["ReceiptHandle"].clone();
    let batch = json!({"QueueUrl": url, "Entries": [
        {"Id": "ok", "ReceiptHandle": handle, "VisibilityTimeout": 0},
        {"Id": "bad", "ReceiptHandle": "nope", "VisibilityTimeout": 0},
    ]});
    let answer = call(&apis, "ChangeMessageVisibilityBatch", batch)
        .await
        .ok();
    assert_eq!(
        answer,
        json!({
            "Successful": [{"Id": "ok"}],
            "Failed": [{
                "Id": "bad",
                "SenderFault": true,
                "Code": "ReceiptHandleIsInvalid",
                "Message": "The input receipt handle \"nope\" is not a valid receipt handle.",
            }],
        })
    );
    call(
        &apis,
        "ChangeMessageVisibility",
        json!({"QueueUrl": url, "ReceiptHandle": handle, "VisibilityTimeout": 5}),
    )
    .await
    .error(
        "MessageNotInflight",
        "AWS.SimpleQueueService.MessageNotInflight",
    );
    let deleted = call(
        &apis,
        "DeleteMessage",
        json!({"QueueUrl": url, "ReceiptHandle": handle}),
    );
    deleted.await.ok();
    call(
        &apis,
        "ChangeMessageVisibility",
        json!({"QueueUrl": url, "ReceiptHandle": handle, "VisibilityTimeout": 5}),
    )
    .await
    .error("InvalidParameterValue", "InvalidParameterValue");
}

#[tokio::test]
async fn batches_send_and_delete_entry_by_entry() {
    let apis = apis();
    let url = create(&apis, "orders", json!({})).await;
    let batch = json!({"QueueUrl": url, "Entries": [
        {"Id": "a", "MessageBody": "hello"},
        {"Id": "b", "MessageBody": "late", "DelaySeconds": 901},
        {"Id": "c", "MessageBody": "x", "MessageAttributes": {"category": {"DataType": "String", "StringValue": "test"}}},
    ]});
    let answer = call(&apis, "SendMessageBatch", batch).await.ok();
    let ids: Vec<Value> = answer["Successful"]
        .as_array()
        .expect("list")
        .iter()
        .map(|e| e["MessageId"].clone())
        .collect();
    assert_eq!(
        answer,
        json!({
            "Successful": [
                {"Id": "a", "MessageId": ids[0], "MD5OfMessageBody": md5_hex("hello")},
                {"Id": "c", "MessageId": ids[1], "MD5OfMessageBody": md5_hex("x"),
                 "MD5OfMessageAttributes": "dc88e3450800507c0b6096ed53c36a9f"},
            ],
            "Failed": [{
                "Id": "b",
                "SenderFault": true,
                "Code": "InvalidParameterValue",
                "Message": "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
            }],
        })
    );
    let got = receive(&apis, &url, json!({})).await;
    assert_eq!(got.len(), 2);
    let batch = json!({"QueueUrl": url, "Entries": [
        {"Id": "first", "ReceiptHandle": got[0]["ReceiptHandle"]},
        {"Id": "second", "ReceiptHandle": got[1]["ReceiptHandle"]},
        {"Id": "junk", "ReceiptHandle": "junk"},
    ]});
    let answer = call(&apis, "DeleteMessageBatch", batch).await.ok();
    assert_eq!(
        answer["Successful"],
        json!([{"Id": "first"}, {"Id": "second"}])
    );
    assert_eq!(answer["Failed"][0]["Code"], "ReceiptHandleIsInvalid");
    assert!(apis.queue("orders").expect("queue").is_empty());

    let entries = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| json!({"Id": format!("m{i}"), "MessageBody": "x"}))
            .collect()
    };
    let message = call(
        &apis,
        "SendMessageBatch",
        json!({"QueueUrl": url, "Entries": entries(11)}),
    )
    .await
    .error(
        "TooManyEntriesInBatchRequest",
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
    );
    assert_eq!(
        message,
        "Maximum number of entries per request are 10. You have sent 11."
    );
    call(
        &apis,
        "SendMessageBatch",
        json!({"QueueUrl": url, "Entries": entries(0)}),
    )
    .await
    .error(
        "EmptyBatchRequest",
        "AWS.SimpleQueueService.EmptyBatchRequest",
    );
    call(&apis, "SendMessageBatch", json!({"QueueUrl": url}))
        .await
        .error("MissingParameter", "MissingParameter");
    let twice = json!([{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}]);
    let message = call(
        &apis,
        "SendMessageBatch",
        json!({"QueueUrl": url, "Entries": twice}),
    )
    .await
    .error(
        "BatchEntryIdsNotDistinct",
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
    );
    assert_eq!(message, "Id a repeated.");
    call(
        &apis,
        "DeleteMessageBatch",
        json!({"QueueUrl": url, "Entries": [{"Id": "a b", "ReceiptHandle": "x"}]}),
    )
    .await
    .error(
        "InvalidBatchEntryId",
        "AWS.SimpleQueueService.InvalidBatchEntryId",
    );
    let big = "a".repeat(600 * 1024);
    let too_long = json!([{"Id": "a", "MessageBody": big}, {"Id": "b", "MessageBody": big}]);
    call(
        &apis,
        "SendMessageBatch",
        json!({"QueueUrl": url, "Entries": too_long}),
    )
    .await
    .error(
        "BatchRequestTooLong",
        "AWS.SimpleQueueService.BatchRequestTooLong",
    );
    assert!(
        apis.queue("orders").expect("queue").is_empty(),
        "a refused batch sends nothing"
    );
}

#[tokio::test]
async fn queue_attributes_count_messages_and_answer_settings() {
    let apis = apis();
    let url = create(
        &apis,
        "orders",
        json!({"VisibilityTimeout": "45", "Policy": "{}", "SqsManagedSseEnabled": "true"}),
    )
    .await;
    send(&apis, &url, "one").await;
    send(&apis, &url, "two").await;
    call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "later", "DelaySeconds": 60}),
    )
    .await
    .ok();
    assert_eq!(
        receive(&apis, &url, json!({"MaxNumberOfMessages": 1}))
            .await
            .len(),
        1
    );
    let all = attributes(&apis, &url, &["All"]).await;
    let created = all["CreatedTimestamp"]
        .as_str()
        .expect("seconds")
        .to_owned();
    assert!(
        created.parse::<u64>().is_ok_and(|s| s > 1_700_000_000),
        "{created}"
    );
    assert_eq!(
        all,
        json!({
            "ApproximateNumberOfMessages": "1",
            "ApproximateNumberOfMessagesNotVisible": "1",
            "ApproximateNumberOfMessagesDelayed": "1",
            "CreatedTimestamp": created,
            "DelaySeconds": "0",
            "LastModifiedTimestamp": created,
            "MaximumMessageSize": "1048576",
            "MessageRetentionPeriod": "345600",
            "Policy": "{}",
            "QueueArn": "arn:aws:sqs:us-east-1:123456789012:orders",
            "ReceiveMessageWaitTimeSeconds": "0",
            "SqsManagedSseEnabled": "true",
            "VisibilityTimeout": "45",
        })
    );
    let set = json!({"QueueUrl": url, "Attributes": {
        "VisibilityTimeout": "5", "DelaySeconds": "10", "MaximumMessageSize": "2048", "MessageRetentionPeriod": "600",
    }});
    assert_eq!(call(&apis, "SetQueueAttributes", set).await.ok(), json!({}));
    let some = attributes(
        &apis,
        &url,
        &[
            "VisibilityTimeout",
            "DelaySeconds",
            "MaximumMessageSize",
            "MessageRetentionPeriod",
        ],
    )
    .await;
    assert_eq!(
        some,
        json!({"VisibilityTimeout": "5", "DelaySeconds": "10", "MaximumMessageSize": "2048", "MessageRetentionPeriod": "600"})
    );
    call(
        &apis,
        "SendMessage",
        json!({"QueueUrl": url, "MessageBody": "a".repeat(2049)}),
    )
    .await
    .error("InvalidParameterValue", "InvalidParameterValue");
    send(&apis, &url, "delayed by the queue").await;
    assert_eq!(
        attributes(&apis, &url, &["ApproximateNumberOfMessagesDelayed"]).await["ApproximateNumberOfMessagesDelayed"],
        "2"
    );

    let none = call(&apis, "GetQueueAttributes", json!({"QueueUrl": url}))
        .await
        .ok();
    assert_eq!(none, json!({}));
    let message = call(
        &apis,
        "GetQueueAttributes",
        json!({"QueueUrl": url, "AttributeNames": ["Colour"]}),
    )
    .await
    .error("InvalidAttributeName", "InvalidAttributeName");
    assert_eq!(message, "Unknown Attribute Colour.");
    call(
        &apis,
        "SetQueueAttributes",
        json!({"QueueUrl": url, "Attributes": {"VisibilityTimeout": "-1"}}),
    )
    .await
    .error("InvalidAttributeValue", "InvalidAttributeValue");
    call(&apis, "SetQueueAttributes", json!({"QueueUrl": url}))
        .await
        .error("MissingParameter", "MissingParameter");
    call(
        &apis,
        "GetQueueAttributes",
        json!({"QueueUrl": "http://x/1/gone", "AttributeNames": ["All"]}),
    )
    .await
    .error(
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
    );
}

#[tokio::test]
async fn a_purge_deletes_every_message_once_a_minute() {
    let apis = apis();
    let url = create(&apis, "orders", json!({})).await;
    send(&apis, &url, "a").await;
    send(&apis, &url, "b").await;
    assert_eq!(
        call(&apis, "PurgeQueue", json!({"QueueUrl": url}))
            .await
            .ok(),
        json!({})
    );
    assert!(receive(&apis, &url, json!({})).await.is_empty());
    let message = call(&apis, "PurgeQueue", json!({"QueueUrl": url}))
        .await
        .error(
            "PurgeQueueInProgress",
            "AWS.SimpleQueueService.PurgeQueueInProgress",
        );
    assert_eq!(
        message,
        "Only one PurgeQueue operation on orders is allowed every 60 seconds."
    );
    call(&apis, "PurgeQueue", json!({"QueueUrl": "http://x/1/gone"}))
        .await
        .error(
            "QueueDoesNotExist",
            "AWS.SimpleQueueService.NonExistentQueue",
        );
}

#[tokio::test]
async fn a_template_queue_is_the_one_the_api_sends_to() {
    let apis = apis();
    let config = lambda_sim_pipeline::QueueConfig {
        name: "from-template".into(),
        ..lambda_sim_pipeline::QueueConfig::default()
    };
    let queue = lambda_sim_pipeline::Queue::new(config).expect("valid queue");
    apis.add_queue(queue.clone()).expect("new name");
    let url = call(&apis, "GetQueueUrl", json!({"QueueName": "from-template"}))
        .await
        .ok();
    let url = url["QueueUrl"].as_str().expect("url").to_owned();
    send(&apis, &url, "for the mapping").await;
    let received = queue.receive_messages(Duration::from_secs(3600), 10, usize::MAX);
    assert_eq!(received[0].message.body, "for the mapping");
}

#[tokio::test]
async fn any_input_gets_an_answer() {
    let apis = apis();
    let url = create(&apis, "orders", json!({})).await;
    let answer = call(&apis, "TagQueue", json!({"QueueUrl": url})).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.body["__type"],
        "com.amazonaws.sqs#UnknownOperationException"
    );
    let operations = [
        "CreateQueue",
        "GetQueueUrl",
        "ListQueues",
        "DeleteQueue",
        "PurgeQueue",
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
        "GetQueueAttributes",
        "SetQueueAttributes",
    ];
    let inputs = [
        json!({"QueueUrl": 7, "QueueName": [], "Entries": {}, "Attributes": "x"}),
        json!({"QueueUrl": url, "Entries": [1, "x", null], "AttributeNames": [1], "MessageAttributeNames": "All"}),
        json!({"QueueUrl": url, "Entries": [{"Id": 5}], "MaxNumberOfMessages": 1.5, "MessageBody": {}}),
        json!({"QueueUrl": url, "Attributes": {"RedrivePolicy": "[]", "DelaySeconds": null}}),
        json!({"QueueUrl": url, "MessageBody": "x", "MessageAttributes": {"a": {"DataType": "Binary", "BinaryValue": 3}}}),
        json!({"QueueUrl": "", "QueueName": "/"}),
    ];
    for operation in operations {
        for input in &inputs {
            let answer = call(&apis, operation, input.clone()).await;
            assert!(
                answer.status == 200 || answer.status == 400,
                "{operation} {input}: {answer:?}"
            );
        }
        let answer = call_raw(&apis, operation, "[1,".into()).await;
        assert_eq!(answer.status, 400);
    }
}
