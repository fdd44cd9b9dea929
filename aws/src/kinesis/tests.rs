//! Kinesis through the API as a client calls it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::AwsApis;
use crate::testing::apis;

async fn call(apis: &AwsApis, operation: &str, body: Value) -> (u16, Value) {
    let target = format!("Kinesis_20131202.{operation}");
    crate::testing::json_call(apis, &target, "application/x-amz-json-1.1", &body).await
}

#[tokio::test]
async fn records_put_are_read_back_in_order_from_each_shard() {
    let apis = apis();
    let (status, _) = call(
        &apis,
        "CreateStream",
        json!({"StreamName": "s", "ShardCount": 2}),
    )
    .await;
    assert_eq!(status, 200);
    let records: Vec<Value> = (0..20)
        .map(|i| json!({"Data": STANDARD.encode(format!("r{i}")), "PartitionKey": format!("k{i}")}))
        .collect();
    let (status, put) = call(
        &apis,
        "PutRecords",
        json!({"StreamName": "s", "Records": records}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(put["FailedRecordCount"], 0);
    assert_eq!(put["Records"].as_array().expect("records").len(), 20);
    let mut read = Vec::new();
    for shard in ["shardId-000000000000", "shardId-000000000001"] {
        let (_, it) = call(
            &apis,
            "GetShardIterator",
            json!({"StreamName": "s", "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}),
        )
        .await;
        let mut iterator = it["ShardIterator"].clone();
        loop {
            let (status, got) = call(
                &apis,
                "GetRecords",
                json!({"ShardIterator": iterator, "Limit": 3}),
            )
            .await;
            assert_eq!(status, 200, "{got}");
            let records = got["Records"].as_array().expect("records");
            if records.is_empty() {
                break;
            }
            for r in records {
                read.push(
                    String::from_utf8(
                        STANDARD
                            .decode(r["Data"].as_str().expect("data"))
                            .expect("base64"),
                    )
                    .expect("utf-8"),
                );
            }
            iterator = got["NextShardIterator"].clone();
        }
    }
    read.sort();
    let mut expected: Vec<String> = (0..20).map(|i| format!("r{i}")).collect();
    expected.sort();
    assert_eq!(read, expected);
    let (_, described) = call(&apis, "DescribeStreamSummary", json!({"StreamName": "s"})).await;
    assert_eq!(described["StreamDescriptionSummary"]["OpenShardCount"], 2);
    assert_eq!(
        described["StreamDescriptionSummary"]["StreamARN"],
        "arn:aws:kinesis:us-east-1:123456789012:stream/s"
    );
}

#[tokio::test]
async fn errors_carry_kinesis_codes() {
    let apis = apis();
    let (status, err) = call(
        &apis,
        "PutRecord",
        json!({"StreamName": "nope", "Data": "eA==", "PartitionKey": "k"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        err,
        json!({"__type": "ResourceNotFoundException", "message": "Stream nope under account 123456789012 not found."})
    );
    call(
        &apis,
        "CreateStream",
        json!({"StreamName": "s", "ShardCount": 1}),
    )
    .await;
    let (_, err) = call(
        &apis,
        "CreateStream",
        json!({"StreamName": "s", "ShardCount": 1}),
    )
    .await;
    assert_eq!(err["__type"], "ResourceInUseException");
    let big = STANDARD.encode(vec![0u8; 1 << 20]);
    let (_, err) = call(
        &apis,
        "PutRecord",
        json!({"StreamName": "s", "Data": big, "PartitionKey": "k"}),
    )
    .await;
    assert_eq!(err["__type"], "ValidationException");
    let (_, err) = call(
        &apis,
        "PutRecord",
        json!({"StreamName": "s", "PartitionKey": "k"}),
    )
    .await;
    assert_eq!(
        err["message"],
        "1 validation error detected: Value null at 'data' failed to satisfy constraint: Member must not be null"
    );
    let (_, err) = call(&apis, "GetRecords", json!({"ShardIterator": "garbage"})).await;
    assert_eq!(err["__type"], "InvalidArgumentException");
    let (_, err) = call(&apis, "Frobnicate", json!({})).await;
    assert_eq!(err["__type"], "UnknownOperationException");
    let request = http::Request::post("/")
        .header("x-amz-target", "Kinesis_20131202.PutRecord")
        .body(Bytes::from_static(b"{not json"))
        .expect("request");
    let answer = apis.handle(request).await;
    let err: Value = serde_json::from_slice(answer.body()).expect("json");
    assert_eq!(err["__type"], "SerializationException");
}

#[tokio::test]
async fn a_shard_takes_a_thousand_records_a_second() {
    // Every call in the same second, whatever the machine's speed.
    let apis = crate::testing::apis_on(std::sync::Arc::new(crate::testing::StoppedClock));
    call(
        &apis,
        "CreateStream",
        json!({"StreamName": "s", "ShardCount": 1}),
    )
    .await;
    let records: Vec<Value> = (0..500)
        .map(|_| json!({"Data": "eA==", "PartitionKey": "k"}))
        .collect();
    let mut failed = 0;
    let mut code = Value::Null;
    for _ in 0..3 {
        let (_, put) = call(
            &apis,
            "PutRecords",
            json!({"StreamName": "s", "Records": records}),
        )
        .await;
        failed += put["FailedRecordCount"].as_u64().expect("count");
        if let Some(r) = put["Records"]
            .as_array()
            .expect("records")
            .iter()
            .find(|r| r.get("ErrorCode").is_some())
        {
            code = r["ErrorCode"].clone();
        }
    }
    // 1,500 puts in one second: the shard takes 1,000, the last 500 are refused.
    assert_eq!(failed, 500);
    assert_eq!(code, "ProvisionedThroughputExceededException");
}

#[tokio::test]
async fn a_timestamp_out_of_range_is_refused_not_panicked_on() {
    let apis = apis();
    call(
        &apis,
        "CreateStream",
        json!({"StreamName": "s", "ShardCount": 1}),
    )
    .await;
    for timestamp in [json!(1e300), json!(-5), json!(0.5)] {
        let (status, answer) = call(
            &apis,
            "GetShardIterator",
            json!({"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": timestamp}),
        )
        .await;
        if timestamp == json!(1e300) {
            assert_eq!(
                (status, &answer["__type"]),
                (400, &json!("InvalidArgumentException")),
                "{answer}"
            );
        } else {
            assert_eq!(status, 200, "{answer}");
        }
    }
}
