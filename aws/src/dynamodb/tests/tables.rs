//! Tables: created, described, listed, deleted, and what CreateTable refuses.

use super::*;

#[tokio::test]
async fn tables_are_created_described_listed_and_deleted() {
    let apis = apis();
    let (status, created) = call(
        &apis,
        "CreateTable",
        json!({
            "TableName": "users",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    )
    .await;
    assert_eq!(status, 200);
    let description = &created["TableDescription"];
    assert_eq!(description["TableName"], "users");
    assert_eq!(description["TableStatus"], "ACTIVE");
    assert_eq!(
        description["TableArn"],
        "arn:aws:dynamodb:us-east-1:123456789012:table/users"
    );
    assert_eq!(description["ItemCount"], 0);
    assert_eq!(
        description["KeySchema"],
        json!([{"AttributeName": "id", "KeyType": "HASH"}])
    );
    assert_eq!(
        description["BillingModeSummary"]["BillingMode"],
        "PAY_PER_REQUEST"
    );
    assert!(description["CreationDateTime"].as_f64().expect("a number") > 1.6e9);

    put(&apis, "users", json!({"id": {"S": "a"}})).await;
    let described = ok(&apis, "DescribeTable", json!({"TableName": "users"})).await;
    assert_eq!(described["Table"]["ItemCount"], 1);
    assert_eq!(described["Table"]["TableId"], description["TableId"]);

    events(&apis).await;
    let listed = ok(&apis, "ListTables", json!({})).await;
    assert_eq!(listed, json!({"TableNames": ["events", "users"]}));
    let first = ok(&apis, "ListTables", json!({"Limit": 1})).await;
    assert_eq!(
        first,
        json!({"TableNames": ["events"], "LastEvaluatedTableName": "events"})
    );
    let rest = ok(
        &apis,
        "ListTables",
        json!({"Limit": 1, "ExclusiveStartTableName": "events"}),
    )
    .await;
    assert_eq!(rest, json!({"TableNames": ["users"]}));

    let deleted = ok(&apis, "DeleteTable", json!({"TableName": "users"})).await;
    assert_eq!(deleted["TableDescription"]["TableStatus"], "DELETING");
    assert_eq!(
        call(&apis, "DescribeTable", json!({"TableName": "users"})).await,
        error(
            "ResourceNotFoundException",
            "Requested resource not found: Table: users not found"
        )
    );
    assert_eq!(
        call(&apis, "DeleteTable", json!({"TableName": "users"})).await,
        error(
            "ResourceNotFoundException",
            "Requested resource not found: Table: users not found"
        )
    );
}

#[tokio::test]
async fn create_table_refuses_what_dynamodb_refuses() {
    let apis = apis();
    users(&apis).await;
    let base = json!({
        "TableName": "users",
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    });
    assert_eq!(
        call(&apis, "CreateTable", base.clone()).await,
        error("ResourceInUseException", "Table already exists: users")
    );
    let cases = [
        (
            json!({"TableName": "ab"}),
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
        ),
        (
            json!({"TableName": "t2", "KeySchema": [{"AttributeName": "id", "KeyType": "RANGE"}]}),
            "1 validation error detected: Value 't2' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3",
        ),
        (
            json!({"TableName": "other", "KeySchema": [{"AttributeName": "id", "KeyType": "RANGE"}]}),
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ),
        (
            json!({"TableName": "other", "AttributeDefinitions": [{"AttributeName": "x", "AttributeType": "S"}]}),
            "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [x]",
        ),
        (
            json!({"TableName": "other", "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "X"}]}),
            "1 validation error detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]",
        ),
        (
            json!({"TableName": "other", "AttributeDefinitions": [
                {"AttributeName": "id", "AttributeType": "S"},
                {"AttributeName": "x", "AttributeType": "S"},
            ]}),
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ),
        (
            json!({"TableName": "other", "BillingMode": null}),
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
        ),
        (
            json!({"TableName": "other", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}),
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        ),
    ];
    for (change, message) in cases {
        let mut body = base.clone();
        for (k, v) in change.as_object().expect("an object") {
            body[k] = v.clone();
        }
        assert_eq!(
            call(&apis, "CreateTable", body).await,
            validation(message),
            "{change}"
        );
    }
}
