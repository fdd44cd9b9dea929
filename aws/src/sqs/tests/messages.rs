//! Messages: sent and received with their attributes and digests; bad messages refused.

use super::*;

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
