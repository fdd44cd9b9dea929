//! Queues: created, found, listed, deleted; names and attributes refused.

use super::*;

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
