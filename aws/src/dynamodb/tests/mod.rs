//! DynamoDB as a client sees it: requests through [`crate::AwsApis::handle`], answers
//! compared whole (status, `__type`, message, items).

use serde_json::{Value, json};

use crate::AwsApis;
use crate::testing::apis;

/// The status and JSON body of one operation.
async fn call(apis: &AwsApis, operation: &str, body: Value) -> (u16, Value) {
    let target = format!("DynamoDB_20120810.{operation}");
    crate::testing::json_call(apis, &target, "application/x-amz-json-1.0", &body).await
}

/// The answer of an operation that must succeed.
async fn ok(apis: &AwsApis, operation: &str, body: Value) -> Value {
    let (status, answer) = call(apis, operation, body).await;
    assert_eq!(status, 200, "{operation}: {answer}");
    answer
}

/// An error answer's body.
fn error(code: &str, message: &str) -> (u16, Value) {
    (
        400,
        json!({
            "__type": format!("com.amazonaws.dynamodb.v20120810#{code}"),
            "message": message,
        }),
    )
}

fn validation(message: &str) -> (u16, Value) {
    error("ValidationException", message)
}

/// The placeholders of `values` that `expression` names.
fn used(expression: &str, values: &Value) -> Value {
    let words: Vec<&str> = expression
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .collect();
    let kept = values
        .as_object()
        .expect("values")
        .iter()
        .filter(|(k, _)| words.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

/// A table `users` keyed by the string `id`.
async fn users(apis: &AwsApis) {
    ok(
        apis,
        "CreateTable",
        json!({
            "TableName": "users",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    )
    .await;
}

/// A table `events` keyed by the string `pk` and the number `sk`.
async fn events(apis: &AwsApis) {
    ok(
        apis,
        "CreateTable",
        json!({
            "TableName": "events",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        }),
    )
    .await;
}

async fn put(apis: &AwsApis, table: &str, item: Value) {
    ok(apis, "PutItem", json!({"TableName": table, "Item": item})).await;
}

async fn get(apis: &AwsApis, table: &str, key: Value) -> Value {
    ok(apis, "GetItem", json!({"TableName": table, "Key": key})).await
}

mod expressions;
mod items;
mod reads;
mod tables;
