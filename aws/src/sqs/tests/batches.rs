//! Batches, queue attributes, purges, template queues, and any input answered.

use super::*;

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
