//! Long polling, visibility timeouts, redrive to a dead-letter queue, visibility changes.

use super::*;

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
