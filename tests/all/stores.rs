//! The stores outside the environment: a handler keeps its state in the run's key-value store
//! (`wasi:keyvalue`), writes S3 objects as real files and sends records to Firehose.

use lambda_sim_harness::{CheckOptions, NamedEvent, check_stateless};
use lambda_sim_runtime::services::DeliveryStreamConfig;
use lambda_sim_runtime::{FunctionConfig, Payload, Runtime};
use serde_json::json;

use crate::{invoke, json, simulation};

fn load(runtime: &Runtime, fixture: &str) -> lambda_sim_runtime::Function {
    let path = lambda_sim_fixtures::path(fixture).expect("fixture");
    runtime
        .load_file(
            path,
            FunctionConfig::named(fixture).env("DELIVERY_STREAM", "events"),
        )
        .expect("loads")
}

#[tokio::test]
async fn a_counter_in_the_key_value_store_outlives_its_environment() {
    let runtime = Runtime::new(simulation(5)).expect("runtime");
    let counter = load(&runtime, "kv-counter");
    let ada = r#"{"user": "ada"}"#;
    assert_eq!(json(&invoke(&counter, ada).await)["count"], 1);
    counter.evict_all();
    let second = invoke(&counter, ada).await;
    assert!(second.is_cold());
    assert_eq!(
        json(&second)["count"],
        2,
        "a new environment sees the store"
    );
    assert_eq!(
        runtime.services().keyvalue.get("", "count/ada"),
        Some(b"2".to_vec())
    );

    let saved = invoke(&counter, r#"{"user": "bob", "save": "counters"}"#).await;
    assert_eq!(json(&saved), json!({ "user": "bob", "count": 1 }));
    let file = runtime
        .services()
        .objects
        .root()
        .join("counters/counts/bob.json");
    assert_eq!(
        std::fs::read(&file).expect("a real file under the object store"),
        br#"{"count":1,"user":"bob"}"#
    );
    let refused = invoke(&counter, r#"{"user": "eve", "save": "../escape"}"#).await;
    assert_eq!(
        refused.error().map(|e| e.error_message.as_str()),
        Some(
            "InvalidObjectName: bucket name `../escape` must be 3 to 63 lowercase letters, digits, hyphens or dots"
        )
    );
}

#[tokio::test]
async fn the_statelessness_check_passes_a_counter_kept_in_the_store() {
    let runtime = Runtime::new(simulation(6)).expect("runtime");
    let counter = load(&runtime, "kv-counter");
    let events: Vec<NamedEvent> = ["ada", "ada", "bob", "ada"]
        .iter()
        .enumerate()
        .map(|(i, user)| NamedEvent {
            name: format!("{i}-{user}.json"),
            payload: Payload::json(format!(r#"{{"user": "{user}"}}"#)).expect("json"),
        })
        .collect();
    let verdict = check_stateless(&counter, &events, &CheckOptions::default())
        .await
        .expect("the check runs");
    assert!(verdict.difference.is_none(), "{verdict}");
    assert_eq!(
        runtime.services().keyvalue.get("", "count/ada"),
        Some(b"3".to_vec()),
        "the store is left as the events in order leave it"
    );
}

#[tokio::test]
async fn the_forwarder_sends_a_kinesis_batch_to_firehose_and_s3() {
    let runtime = Runtime::new(simulation(7)).expect("runtime");
    let firehose = &runtime.services().firehose;
    let mut stream = DeliveryStreamConfig::new("events", "analytics");
    stream.prefix = "raw/".to_owned();
    firehose.create(stream).expect("create");
    let forwarder = load(&runtime, "kinesis-forwarder");
    let record = |seq: &str, data: &str| {
        use base64::Engine as _;
        json!({
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": "user-1",
                "sequenceNumber": seq,
                "data": base64::engine::general_purpose::STANDARD.encode(data),
                "approximateArrivalTimestamp": 1767225600.0
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": format!("shardId-000000000000:{seq}"),
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-sim",
            "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/analytics"
        })
    };
    let event = json!({ "Records": [
        record("1", r#"{"id": 1, "type": "click"}"#),
        record("2", r#"{"id": 2, "type": "view"}"#),
        record("3", "not json"),
        record("4", r#"{"id": 4, "type": "click"}"#),
    ]});
    let answer = invoke(&forwarder, &event.to_string()).await;
    assert_eq!(
        json(&answer),
        json!({ "batchItemFailures": [{ "itemIdentifier": "3" }] }),
        "the bad record is reported, the others are sent"
    );
    assert_eq!(firehose.stats("events").map(|s| s.records_in), Some(3));
    let written = firehose
        .flush_all(runtime.clock().wall())
        .expect("the objects are written");
    assert_eq!(written.len(), 1);
    assert!(
        written[0]
            .key
            .starts_with("raw/2026/01/01/00/events-1-2026-01-01-00-00-")
    );
    let object = runtime
        .services()
        .objects
        .get("analytics", &written[0].key)
        .expect("read")
        .expect("written");
    assert_eq!(
        String::from_utf8_lossy(&object),
        "{\"id\":1,\"sequenceNumber\":\"1\",\"type\":\"click\"}\n{\"id\":2,\"sequenceNumber\":\"2\",\"type\":\"view\"}\n{\"id\":4,\"sequenceNumber\":\"4\",\"type\":\"click\"}\n"
    );

    // A stream that does not exist is the handler's error, worded as Firehose words it.
    let missing = runtime
        .load_file(
            lambda_sim_fixtures::path("kinesis-forwarder").expect("fixture"),
            FunctionConfig::named("lost").env("DELIVERY_STREAM", "nope"),
        )
        .expect("loads");
    let failed = invoke(
        &missing,
        &json!({ "Records": [record("9", r#"{"id": 9}"#)] }).to_string(),
    )
    .await;
    assert_eq!(
        failed.error().map(|e| e.error_message.as_str()),
        Some("ResourceNotFoundException: Firehose nope under account 123456789012 not found.")
    );
}
