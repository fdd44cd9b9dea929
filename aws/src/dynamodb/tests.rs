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

#[tokio::test]
async fn items_round_trip_with_every_type() {
    let apis = apis();
    users(&apis).await;
    let item = json!({
        "id": {"S": "u1"},
        "age": {"N": "42"},
        "score": {"N": "1.50"},
        "blob": {"B": "aGVsbG8="},
        "ok": {"BOOL": true},
        "nothing": {"NULL": true},
        "tags": {"SS": ["b", "a"]},
        "lucky": {"NS": ["7", "3"]},
        "raw": {"BS": ["AQ=="]},
        "profile": {"M": {"city": {"S": "Oslo"}, "zip": {"N": "0150"}}},
        "history": {"L": [{"S": "x"}, {"N": "1"}]},
        "empty": {"S": ""},
    });
    let answer = ok(
        &apis,
        "PutItem",
        json!({"TableName": "users", "Item": item, "ReturnValues": "ALL_OLD"}),
    )
    .await;
    assert_eq!(answer, json!({}));
    let read = get(&apis, "users", json!({"id": {"S": "u1"}})).await;
    let mut expected = item.clone();
    // Numbers come back normalised, sets in their own order.
    expected["score"] = json!({"N": "1.5"});
    expected["tags"] = json!({"SS": ["a", "b"]});
    expected["lucky"] = json!({"NS": ["3", "7"]});
    expected["profile"]["M"]["zip"] = json!({"N": "150"});
    assert_eq!(read, json!({ "Item": expected }));

    let replaced = ok(
        &apis,
        "PutItem",
        json!({"TableName": "users", "Item": {"id": {"S": "u1"}}, "ReturnValues": "ALL_OLD"}),
    )
    .await;
    assert_eq!(replaced, json!({ "Attributes": expected }));

    assert_eq!(
        get(&apis, "users", json!({"id": {"S": "nobody"}})).await,
        json!({})
    );
    let deleted = ok(
        &apis,
        "DeleteItem",
        json!({"TableName": "users", "Key": {"id": {"S": "u1"}}, "ReturnValues": "ALL_OLD"}),
    )
    .await;
    assert_eq!(deleted, json!({"Attributes": {"id": {"S": "u1"}}}));
    assert_eq!(
        get(&apis, "users", json!({"id": {"S": "u1"}})).await,
        json!({})
    );
}

#[tokio::test]
async fn get_item_projects_paths() {
    let apis = apis();
    users(&apis).await;
    put(
        &apis,
        "users",
        json!({
            "id": {"S": "u1"},
            "a": {"N": "1"},
            "b": {"S": "x"},
            "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}},
            "l": {"L": [{"S": "p"}, {"S": "q"}, {"S": "r"}]},
        }),
    )
    .await;
    let answer = ok(
        &apis,
        "GetItem",
        json!({
            "TableName": "users",
            "Key": {"id": {"S": "u1"}},
            "ProjectionExpression": "a, m.#y, l[2], absent",
            "ExpressionAttributeNames": {"#y": "y"},
        }),
    )
    .await;
    assert_eq!(
        answer,
        json!({"Item": {
            "a": {"N": "1"},
            "m": {"M": {"y": {"N": "2"}}},
            "l": {"L": [{"S": "r"}]},
        }})
    );
}

#[tokio::test]
async fn item_operations_on_a_missing_table_fail() {
    let apis = apis();
    for (operation, body) in [
        (
            "PutItem",
            json!({"TableName": "nope", "Item": {"id": {"S": "a"}}}),
        ),
        (
            "GetItem",
            json!({"TableName": "nope", "Key": {"id": {"S": "a"}}}),
        ),
        (
            "DeleteItem",
            json!({"TableName": "nope", "Key": {"id": {"S": "a"}}}),
        ),
        (
            "UpdateItem",
            json!({"TableName": "nope", "Key": {"id": {"S": "a"}}}),
        ),
        (
            "Query",
            json!({"TableName": "nope", "KeyConditionExpression": "id = :v", "ExpressionAttributeValues": {":v": {"S": "a"}}}),
        ),
        ("Scan", json!({"TableName": "nope"})),
    ] {
        assert_eq!(
            call(&apis, operation, body).await,
            error("ResourceNotFoundException", "Requested resource not found"),
            "{operation}"
        );
    }
}

#[tokio::test]
async fn keys_must_match_the_schema() {
    let apis = apis();
    users(&apis).await;
    let cases = [
        (
            "PutItem",
            json!({"TableName": "users", "Item": {"name": {"S": "a"}}}),
            "One or more parameter values were invalid: Missing the key id in the item",
        ),
        (
            "PutItem",
            json!({"TableName": "users", "Item": {"id": {"N": "1"}}}),
            "One or more parameter values were invalid: Type mismatch for key id expected: S actual: N",
        ),
        (
            "PutItem",
            json!({"TableName": "users", "Item": {"id": {"S": ""}}}),
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id",
        ),
        (
            "GetItem",
            json!({"TableName": "users", "Key": {"id": {"N": "1"}}}),
            "The provided key element does not match the schema",
        ),
        (
            "GetItem",
            json!({"TableName": "users", "Key": {"id": {"S": "a"}, "x": {"S": "b"}}}),
            "The provided key element does not match the schema",
        ),
        (
            "DeleteItem",
            json!({"TableName": "users", "Key": {"other": {"S": "a"}}}),
            "The provided key element does not match the schema",
        ),
    ];
    for (operation, body, message) in cases {
        assert_eq!(
            call(&apis, operation, body).await,
            validation(message),
            "{operation}"
        );
    }
}

#[tokio::test]
async fn attribute_values_are_validated() {
    let apis = apis();
    users(&apis).await;
    let cases = [
        (
            json!({"X": "1"}),
            "Supplied AttributeValue has an unknown datatype: X, must contain exactly one of the supported datatypes",
        ),
        (
            json!({}),
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            json!({"S": "a", "N": "1"}),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ),
        (
            json!({"SS": []}),
            "One or more parameter values were invalid: An string set  may not be empty",
        ),
        (
            json!({"NS": ["1", "1.0"]}),
            "One or more parameter values were invalid: Input collection [1, 1.0] contains duplicates.",
        ),
        (
            json!({"NULL": false}),
            "One or more parameter values were invalid: Null attribute value types must have the value of true",
        ),
        (
            json!({"N": "abc"}),
            "A value provided cannot be converted into a number",
        ),
        (
            json!({"N": "1234567890123456789012345678901234567890"}),
            "Attempting to store more than 38 significant digits in a Number",
        ),
        (
            json!({"N": "1e200"}),
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
    ];
    for (value, message) in cases {
        let body = json!({"TableName": "users", "Item": {"id": {"S": "a"}, "v": value}});
        assert_eq!(
            call(&apis, "PutItem", body).await,
            validation(message),
            "{value}"
        );
    }
    let mut deep = json!({"S": "bottom"});
    for _ in 0..40 {
        deep = json!({"M": {"d": deep}});
    }
    assert_eq!(
        call(
            &apis,
            "PutItem",
            json!({"TableName": "users", "Item": {"id": {"S": "a"}, "deep": deep}})
        )
        .await,
        validation("Nesting Levels have exceeded supported limits")
    );
}

#[tokio::test]
async fn items_over_400_kb_are_refused() {
    let apis = apis();
    users(&apis).await;
    // Item size: attribute names plus values; "id" + "a" + "data" + 4 bytes of text.
    let fits = 400 * 1024 - ("id".len() + 1 + "data".len());
    put(
        &apis,
        "users",
        json!({"id": {"S": "a"}, "data": {"S": "x".repeat(fits)}}),
    )
    .await;
    assert_eq!(
        call(
            &apis,
            "PutItem",
            json!({"TableName": "users", "Item": {"id": {"S": "a"}, "data": {"S": "x".repeat(fits + 1)}}})
        )
        .await,
        validation("Item size has exceeded the maximum allowed size")
    );
    assert_eq!(
        call(
            &apis,
            "UpdateItem",
            json!({
                "TableName": "users",
                "Key": {"id": {"S": "a"}},
                "UpdateExpression": "SET extra = :v",
                "ExpressionAttributeValues": {":v": {"S": "y"}},
            })
        )
        .await,
        validation("Item size to update has exceeded the maximum allowed size")
    );
}

#[tokio::test]
async fn condition_expressions_guard_writes() {
    let apis = apis();
    users(&apis).await;
    let create = json!({
        "TableName": "users",
        "Item": {"id": {"S": "a"}, "n": {"N": "5"}, "name": {"S": "alice"}, "tags": {"SS": ["x"]}},
        "ConditionExpression": "attribute_not_exists(id)",
    });
    ok(&apis, "PutItem", create.clone()).await;
    let failed = error(
        "ConditionalCheckFailedException",
        "The conditional request failed",
    );
    assert_eq!(call(&apis, "PutItem", create).await, failed);

    let values = json!({
        ":yes": {"BOOL": true}, ":five": {"N": "5"}, ":ten": {"N": "10"},
        ":al": {"S": "al"}, ":x": {"S": "x"}, ":str": {"S": "S"},
    });
    let cases = [
        (
            "attribute_exists(id) AND n = :five AND :al <> :x AND :ten > :five AND begins_with(#n, :al) AND contains(tags, :x)",
            true,
        ),
        ("n < :five OR n >= :ten OR :x = :x", true),
        ("NOT (n BETWEEN :five AND :ten)", false),
        ("(n > :five OR #n = :al) AND n = :five", false),
        ("size(#n) = :five AND n IN (:ten, :five)", true),
        ("attribute_exists(absent)", false),
        ("absent <> :five", true),
        ("NOT contains(#n, :x) AND (n = :ten OR n = :five)", true),
        ("attribute_type(n, :str)", false),
    ];
    for (condition, expected) in cases {
        let mut body = json!({
            "TableName": "users",
            "Key": {"id": {"S": "a"}},
            "UpdateExpression": "SET checked = :yes",
            "ConditionExpression": condition,
            "ExpressionAttributeValues": used(&format!("{condition} :yes"), &values),
        });
        if condition.contains("#n") {
            body["ExpressionAttributeNames"] = json!({"#n": "name"});
        }
        let (status, answer) = call(&apis, "UpdateItem", body).await;
        if expected {
            assert_eq!((status, &answer), (200, &json!({})), "{condition}");
        } else {
            assert_eq!((status, answer), failed.clone(), "{condition}");
        }
    }

    let delete = json!({
        "TableName": "users",
        "Key": {"id": {"S": "a"}},
        "ConditionExpression": "n > :v",
        "ExpressionAttributeValues": {":v": {"N": "10"}},
    });
    assert_eq!(call(&apis, "DeleteItem", delete).await, failed);
    assert!(
        get(&apis, "users", json!({"id": {"S": "a"}})).await["Item"].is_object(),
        "the failed delete left the item"
    );
}

#[tokio::test]
async fn update_expressions_of_each_kind() {
    let apis = apis();
    users(&apis).await;
    put(
        &apis,
        "users",
        json!({
            "id": {"S": "a"},
            "count": {"N": "10"},
            "history": {"L": [{"N": "1"}]},
            "tags": {"SS": ["a", "b", "c"]},
            "colors": {"SS": ["red", "blue"]},
            "gone": {"S": "soon"},
            "stats": {"M": {"top": {"N": "1"}}},
        }),
    )
    .await;
    let update = |expression: &str, values: Value, return_values: &str| {
        let mut body = json!({
            "TableName": "users",
            "Key": {"id": {"S": "a"}},
            "UpdateExpression": expression,
            "ReturnValues": return_values,
        });
        if expression.contains("#c") {
            body["ExpressionAttributeNames"] = json!({"#c": "count"});
        }
        if !values.as_object().expect("values").is_empty() {
            body["ExpressionAttributeValues"] = values;
        }
        body
    };
    let answer = ok(
        &apis,
        "UpdateItem",
        update(
            "SET #c = #c + :one, history = list_append(history, :more), fresh = if_not_exists(fresh, :zero), stats.top = stats.top - :half",
            json!({":one": {"N": "1"}, ":more": {"L": [{"N": "2"}]}, ":zero": {"N": "0"}, ":half": {"N": "0.5"}}),
            "UPDATED_NEW",
        ),
    )
    .await;
    assert_eq!(
        answer,
        json!({"Attributes": {
            "count": {"N": "11"},
            "history": {"L": [{"N": "1"}, {"N": "2"}]},
            "fresh": {"N": "0"},
            "stats": {"M": {"top": {"N": "0.5"}}},
        }})
    );
    let answer = ok(
        &apis,
        "UpdateItem",
        update(
            "ADD #c :five, tags :more DELETE colors :less REMOVE gone, history[0]",
            json!({":five": {"N": "5"}, ":more": {"SS": ["d"]}, ":less": {"SS": ["red", "zzz"]}}),
            "UPDATED_OLD",
        ),
    )
    .await;
    assert_eq!(
        answer,
        json!({"Attributes": {
            "count": {"N": "11"},
            "tags": {"SS": ["a", "b", "c"]},
            "colors": {"SS": ["blue", "red"]},
            "gone": {"S": "soon"},
            "history": {"L": [{"N": "1"}]},
        }})
    );
    let answer = ok(
        &apis,
        "UpdateItem",
        update(
            "SET fresh = if_not_exists(fresh, :nine)",
            json!({":nine": {"N": "9"}}),
            "ALL_NEW",
        ),
    )
    .await;
    assert_eq!(
        answer,
        json!({"Attributes": {
            "id": {"S": "a"},
            "count": {"N": "16"},
            "history": {"L": [{"N": "2"}]},
            "tags": {"SS": ["a", "b", "c", "d"]},
            "colors": {"SS": ["blue"]},
            "fresh": {"N": "0"},
            "stats": {"M": {"top": {"N": "0.5"}}},
        }})
    );
    // Taking every element away removes the set.
    let answer = ok(
        &apis,
        "UpdateItem",
        update(
            "DELETE tags :all",
            json!({":all": {"SS": ["a", "b", "c", "d"]}}),
            "ALL_OLD",
        ),
    )
    .await;
    assert_eq!(
        answer["Attributes"]["tags"],
        json!({"SS": ["a", "b", "c", "d"]})
    );
    let item = get(&apis, "users", json!({"id": {"S": "a"}})).await;
    assert!(item["Item"].get("tags").is_none(), "{item}");
}

#[tokio::test]
async fn update_item_creates_missing_items_and_protects_keys() {
    let apis = apis();
    events(&apis).await;
    let answer = ok(
        &apis,
        "UpdateItem",
        json!({
            "TableName": "events",
            "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
            "UpdateExpression": "ADD visits :one SET seen = :t",
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":t": {"BOOL": true}},
            "ReturnValues": "ALL_NEW",
        }),
    )
    .await;
    assert_eq!(
        answer,
        json!({"Attributes": {
            "pk": {"S": "p"}, "sk": {"N": "1"}, "visits": {"N": "1"}, "seen": {"BOOL": true},
        }})
    );
    assert_eq!(
        call(
            &apis,
            "UpdateItem",
            json!({
                "TableName": "events",
                "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
                "UpdateExpression": "SET sk = :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            })
        )
        .await,
        validation(
            "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"
        )
    );
}

#[tokio::test]
async fn malformed_expressions_are_refused() {
    let apis = apis();
    users(&apis).await;
    put(
        &apis,
        "users",
        json!({"id": {"S": "a"}, "s": {"S": "text"}}),
    )
    .await;
    let update = |expression: &str, names: Option<Value>, values: Option<Value>| {
        let mut body = json!({
            "TableName": "users",
            "Key": {"id": {"S": "a"}},
            "UpdateExpression": expression,
        });
        if let Some(names) = names {
            body["ExpressionAttributeNames"] = names;
        }
        if let Some(values) = values {
            body["ExpressionAttributeValues"] = values;
        }
        body
    };
    let one = Some(json!({":v": {"N": "1"}}));
    let cases = [
        (
            update("SET a = ", None, None),
            "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"=\"",
        ),
        (
            update("SET a = :v", None, None),
            "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :v",
        ),
        (
            update("SET #a = :v", None, one.clone()),
            "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #a",
        ),
        (
            update("SET status = :v", None, one.clone()),
            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status",
        ),
        (
            update(
                "SET a = :v",
                None,
                Some(json!({":v": {"N": "1"}, ":w": {"N": "2"}})),
            ),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
        ),
        (
            update("SET a = :v", Some(json!({"#x": "x"})), one.clone()),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}",
        ),
        (
            update("SET a = :v SET b = :v", None, one.clone()),
            "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;",
        ),
        (
            update("SET a = :v REMOVE a", None, one.clone()),
            "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
        ),
        (
            update("ADD a :s", None, Some(json!({":s": {"S": "x"}}))),
            "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
        ),
        (
            update("SET a = s + :v", None, one.clone()),
            "An operand in the update expression has an incorrect data type",
        ),
        (
            update("SET a = absent + :v", None, one.clone()),
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        (
            update("SET a = nofunc(:v)", None, one.clone()),
            "Invalid UpdateExpression: Invalid function name; function: nofunc",
        ),
        (
            update("", None, None),
            "Invalid UpdateExpression: The expression can not be empty;",
        ),
    ];
    for (body, message) in cases {
        let expression = body["UpdateExpression"].clone();
        assert_eq!(
            call(&apis, "UpdateItem", body).await,
            validation(message),
            "{expression}"
        );
    }
    let condition = |expression: String| {
        json!({
            "TableName": "users",
            "Item": {"id": {"S": "b"}},
            "ConditionExpression": expression,
            "ExpressionAttributeValues": {":v": {"N": "1"}},
        })
    };
    assert_eq!(
        call(&apis, "PutItem", condition("a = = :v".to_owned())).await,
        validation("Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= =\"")
    );
    assert_eq!(
        call(&apis, "PutItem", condition("a == :v".to_owned())).await,
        validation("Invalid ConditionExpression: Syntax error; token: \"=\", near: \"==\"")
    );
    assert_eq!(
        call(&apis, "PutItem", condition("a ! :v".to_owned())).await,
        validation("Invalid ConditionExpression: Syntax error; token: \"!\", near: \"! :v\"")
    );
    // Deep nesting is refused, never a stack overflow.
    let deep = format!("{}a = :v{}", "(".repeat(1000), ")".repeat(1000));
    assert_eq!(
        call(&apis, "PutItem", condition(deep)).await,
        validation("Invalid ConditionExpression: The expression has more than 64 nested levels")
    );
    let nots = format!("{}a = :v", "NOT ".repeat(1000));
    assert_eq!(call(&apis, "PutItem", condition(nots)).await.0, 400);
}

/// Puts items with sort keys given out of order (numbers, some negative or fractional).
async fn timeline(apis: &AwsApis) {
    events(apis).await;
    for sk in ["10", "-1", "2.5", "100", "9", "0"] {
        put(
            apis,
            "events",
            json!({"pk": {"S": "p"}, "sk": {"N": sk}, "kind": {"S": format!("k{sk}")}}),
        )
        .await;
    }
    put(
        apis,
        "events",
        json!({"pk": {"S": "other"}, "sk": {"N": "5"}}),
    )
    .await;
}

fn sort_keys(answer: &Value) -> Vec<String> {
    answer["Items"]
        .as_array()
        .expect("Items")
        .iter()
        .map(|item| item["sk"]["N"].as_str().expect("sk").to_owned())
        .collect()
}

#[tokio::test]
async fn query_orders_by_sort_key_and_paginates() {
    let apis = apis();
    timeline(&apis).await;
    let query = |extra: Value| {
        let mut body = json!({
            "TableName": "events",
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "p"}},
        });
        for (k, v) in extra.as_object().expect("an object") {
            body[k] = v.clone();
        }
        body
    };
    let all = ok(&apis, "Query", query(json!({}))).await;
    assert_eq!(sort_keys(&all), ["-1", "0", "2.5", "9", "10", "100"]);
    assert_eq!(
        (all["Count"].clone(), all["ScannedCount"].clone()),
        (json!(6), json!(6))
    );
    assert!(all.get("LastEvaluatedKey").is_none());

    let backwards = ok(&apis, "Query", query(json!({"ScanIndexForward": false}))).await;
    assert_eq!(sort_keys(&backwards), ["100", "10", "9", "2.5", "0", "-1"]);

    let first = ok(&apis, "Query", query(json!({"Limit": 4}))).await;
    assert_eq!(sort_keys(&first), ["-1", "0", "2.5", "9"]);
    assert_eq!(
        first["LastEvaluatedKey"],
        json!({"pk": {"S": "p"}, "sk": {"N": "9"}})
    );
    let second = ok(
        &apis,
        "Query",
        query(json!({"Limit": 4, "ExclusiveStartKey": first["LastEvaluatedKey"]})),
    )
    .await;
    assert_eq!(sort_keys(&second), ["10", "100"]);
    assert!(second.get("LastEvaluatedKey").is_none());

    let back_page = ok(
        &apis,
        "Query",
        query(json!({"Limit": 2, "ScanIndexForward": false, "ExclusiveStartKey": {"pk": {"S": "p"}, "sk": {"N": "10"}}})),
    )
    .await;
    assert_eq!(sort_keys(&back_page), ["9", "2.5"]);

    let ranged = |condition: &str, values: Value| {
        let mut values = values;
        values[":p"] = json!({"S": "p"});
        json!({
            "TableName": "events",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
        })
    };
    for (condition, values, expected) in [
        (
            "pk = :p AND sk = :v",
            json!({":v": {"N": "9.0"}}),
            vec!["9"],
        ),
        (
            "pk = :p AND sk < :v",
            json!({":v": {"N": "2.5"}}),
            vec!["-1", "0"],
        ),
        (
            "pk = :p AND sk <= :v",
            json!({":v": {"N": "2.5"}}),
            vec!["-1", "0", "2.5"],
        ),
        (
            "pk = :p AND sk > :v",
            json!({":v": {"N": "9"}}),
            vec!["10", "100"],
        ),
        (
            "sk >= :v AND pk = :p",
            json!({":v": {"N": "10"}}),
            vec!["10", "100"],
        ),
        (
            "pk = :p AND sk BETWEEN :a AND :b",
            json!({":a": {"N": "0"}, ":b": {"N": "10"}}),
            vec!["0", "2.5", "9", "10"],
        ),
    ] {
        let answer = ok(&apis, "Query", ranged(condition, values)).await;
        assert_eq!(sort_keys(&answer), expected, "{condition}");
    }

    let filtered = ok(
        &apis,
        "Query",
        json!({
            "TableName": "events",
            "KeyConditionExpression": "pk = :p",
            "FilterExpression": "kind IN (:a, :b)",
            "ExpressionAttributeValues": {":p": {"S": "p"}, ":a": {"S": "k0"}, ":b": {"S": "k100"}},
            "Select": "COUNT",
        }),
    )
    .await;
    assert_eq!(filtered, json!({"Count": 2, "ScannedCount": 6}));
}

#[tokio::test]
async fn query_key_conditions_are_checked() {
    let apis = apis();
    timeline(&apis).await;
    let query = |condition: &str, values: Value| {
        json!({
            "TableName": "events",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
        })
    };
    let p = json!({":p": {"S": "p"}});
    for (body, message) in [
        (
            query("sk = :v", json!({":v": {"N": "1"}})),
            "Query condition missed key schema element: pk",
        ),
        (
            query("pk = :p OR pk = :p", p.clone()),
            "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR",
        ),
        (
            query("pk = :v", json!({":v": {"N": "1"}})),
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ),
        (
            query("pk = :p AND kind = :p", p.clone()),
            "Query key condition not supported",
        ),
        (
            query("pk < :p", p.clone()),
            "Query key condition not supported",
        ),
        (
            query(
                "pk = :p AND sk BETWEEN :b AND :a",
                json!({":p": {"S": "p"}, ":a": {"N": "1"}, ":b": {"N": "5"}}),
            ),
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}",
        ),
        (
            json!({"TableName": "events"}),
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        ),
    ] {
        assert_eq!(
            call(&apis, "Query", body.clone()).await,
            validation(message),
            "{body}"
        );
    }
}

#[tokio::test]
async fn query_begins_with_on_string_sort_keys() {
    let apis = apis();
    ok(
        &apis,
        "CreateTable",
        json!({
            "TableName": "files",
            "KeySchema": [
                {"AttributeName": "owner", "KeyType": "HASH"},
                {"AttributeName": "path", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "owner", "AttributeType": "S"},
                {"AttributeName": "path", "AttributeType": "S"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    )
    .await;
    for path in ["docs/b", "src/a", "docs/a", "Docs/c", "docs"] {
        put(
            &apis,
            "files",
            json!({"owner": {"S": "me"}, "path": {"S": path}}),
        )
        .await;
    }
    let answer = ok(
        &apis,
        "Query",
        json!({
            "TableName": "files",
            "KeyConditionExpression": "#o = :o AND begins_with(#p, :prefix)",
            "ExpressionAttributeNames": {"#o": "owner", "#p": "path"},
            "ExpressionAttributeValues": {":o": {"S": "me"}, ":prefix": {"S": "docs/"}},
            "ProjectionExpression": "#p",
        }),
    )
    .await;
    assert_eq!(
        answer,
        json!({
            "Items": [{"path": {"S": "docs/a"}}, {"path": {"S": "docs/b"}}],
            "Count": 2,
            "ScannedCount": 2,
        })
    );
}

#[tokio::test]
async fn scan_paginates_and_filters() {
    let apis = apis();
    timeline(&apis).await;
    let mut seen = Vec::new();
    let mut start = None;
    loop {
        let mut body = json!({"TableName": "events", "Limit": 3});
        if let Some(start) = start.take() {
            body["ExclusiveStartKey"] = start;
        }
        let page = ok(&apis, "Scan", body).await;
        seen.extend(sort_keys(&page));
        match page.get("LastEvaluatedKey") {
            Some(key) => start = Some(key.clone()),
            None => break,
        }
    }
    assert_eq!(seen, ["5", "-1", "0", "2.5", "9", "10", "100"]);
    let filtered = ok(
        &apis,
        "Scan",
        json!({
            "TableName": "events",
            "FilterExpression": "sk > :v AND attribute_exists(kind)",
            "ExpressionAttributeValues": {":v": {"N": "5"}},
        }),
    )
    .await;
    assert_eq!(sort_keys(&filtered), ["9", "10", "100"]);
    assert_eq!(filtered["ScannedCount"], 7);
    let mut segmented = Vec::new();
    for segment in 0..3 {
        let page = ok(
            &apis,
            "Scan",
            json!({"TableName": "events", "Segment": segment, "TotalSegments": 3}),
        )
        .await;
        segmented.extend(sort_keys(&page));
    }
    segmented.sort();
    assert_eq!(segmented.len(), 7);
}

#[tokio::test]
async fn batches_write_and_get() {
    let apis = apis();
    users(&apis).await;
    let puts: Vec<Value> = (0..25)
        .map(|i| json!({"PutRequest": {"Item": {"id": {"S": format!("u{i:02}")}, "n": {"N": i.to_string()}}}}))
        .collect();
    let answer = ok(
        &apis,
        "BatchWriteItem",
        json!({"RequestItems": {"users": puts}}),
    )
    .await;
    assert_eq!(answer, json!({"UnprocessedItems": {}}));
    let mixed = json!({"RequestItems": {"users": [
        {"DeleteRequest": {"Key": {"id": {"S": "u00"}}}},
        {"PutRequest": {"Item": {"id": {"S": "new"}}}},
    ]}});
    ok(&apis, "BatchWriteItem", mixed).await;
    let described = ok(&apis, "DescribeTable", json!({"TableName": "users"})).await;
    assert_eq!(described["Table"]["ItemCount"], 25);

    let too_many: Vec<Value> = (0..26)
        .map(|i| json!({"PutRequest": {"Item": {"id": {"S": format!("x{i}")}}}}))
        .collect();
    assert_eq!(
        call(
            &apis,
            "BatchWriteItem",
            json!({"RequestItems": {"users": too_many}})
        )
        .await,
        validation("Too many items requested for the BatchWriteItem call")
    );
    let duplicates = json!({"RequestItems": {"users": [
        {"PutRequest": {"Item": {"id": {"S": "d"}}}},
        {"DeleteRequest": {"Key": {"id": {"S": "d"}}}},
    ]}});
    assert_eq!(
        call(&apis, "BatchWriteItem", duplicates).await,
        validation("Provided list of item keys contains duplicates")
    );
    assert_eq!(
        call(
            &apis,
            "BatchWriteItem",
            json!({"RequestItems": {"nope": [{"DeleteRequest": {"Key": {"id": {"S": "d"}}}}]}})
        )
        .await,
        error("ResourceNotFoundException", "Requested resource not found")
    );

    let got = ok(
        &apis,
        "BatchGetItem",
        json!({"RequestItems": {"users": {
            "Keys": [{"id": {"S": "u01"}}, {"id": {"S": "u00"}}, {"id": {"S": "new"}}],
            "ProjectionExpression": "id, #n",
            "ExpressionAttributeNames": {"#n": "n"},
        }}}),
    )
    .await;
    assert_eq!(
        got,
        json!({
            "Responses": {"users": [{"id": {"S": "u01"}, "n": {"N": "1"}}, {"id": {"S": "new"}}]},
            "UnprocessedKeys": {},
        })
    );
}

#[tokio::test]
async fn unknown_operations_are_refused() {
    let apis = apis();
    let (status, body) = call(&apis, "ExecuteStatement", json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["__type"],
        "com.amazonaws.dynamodb.v20120810#UnknownOperationException"
    );
}

#[tokio::test]
async fn odd_inputs_are_refused_without_panicking() {
    let apis = apis();
    users(&apis).await;
    let v = json!({":v": {"N": "1"}});
    let cases = [
        ("PutItem", json!({"TableName": 5, "Item": {}})),
        ("PutItem", json!({"TableName": "users", "Item": []})),
        (
            "PutItem",
            json!({"TableName": "users", "Item": {"id": {"S": 1}}}),
        ),
        (
            "PutItem",
            json!({"TableName": "users", "Item": {"id": {"B": "not base64!"}}}),
        ),
        (
            "PutItem",
            json!({"TableName": "users", "Item": {"id": {"S": "a"}, "n": {"N": "9".repeat(10_000)}}}),
        ),
        (
            "PutItem",
            json!({"TableName": "users", "Item": {"id": {"S": "a"}}, "ConditionExpression": "é = :v", "ExpressionAttributeValues": v}),
        ),
        (
            "PutItem",
            json!({"TableName": "users", "Item": {"id": {"S": "a"}}, "ConditionExpression": "a".repeat(5000)}),
        ),
        ("GetItem", json!({"TableName": "users", "Key": [1]})),
        (
            "GetItem",
            json!({"TableName": "users", "Key": {"id": {"S": "a"}}, "ProjectionExpression": "a, a.b"}),
        ),
        (
            "UpdateItem",
            json!({"TableName": "users", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET a[99999999999999999999] = :v", "ExpressionAttributeValues": v}),
        ),
        (
            "UpdateItem",
            json!({"TableName": "users", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET a.b.c = :v", "ExpressionAttributeValues": v}),
        ),
        (
            "UpdateItem",
            json!({"TableName": "users", "Key": {"id": {"S": "a"}}, "UpdateExpression": format!("SET a = {}:v{}", "list_append(".repeat(200), ", :v)".repeat(200)), "ExpressionAttributeValues": v}),
        ),
        (
            "Query",
            json!({"TableName": "users", "KeyConditionExpression": "id = :v", "ExpressionAttributeValues": v, "Limit": 0}),
        ),
        (
            "Scan",
            json!({"TableName": "users", "ExclusiveStartKey": {"nope": {"S": "x"}}}),
        ),
        (
            "Scan",
            json!({"TableName": "users", "Segment": 3, "TotalSegments": 2}),
        ),
        (
            "BatchGetItem",
            json!({"RequestItems": {"users": {"Keys": (0..101).map(|i| json!({"id": {"S": i.to_string()}})).collect::<Vec<_>>()}}}),
        ),
        ("BatchWriteItem", json!({"RequestItems": {}})),
        ("BatchWriteItem", json!({"RequestItems": {"users": [{}]}})),
    ];
    for (operation, body) in cases {
        let (status, answer) = call(&apis, operation, body.clone()).await;
        assert_eq!(status, 400, "{operation} {body}: {answer}");
    }
    assert_eq!(
        call(&apis, "GetItem", json!({"TableName": "users", "Key": {"id": {"S": "a"}}, "ProjectionExpression": "a, a.b"})).await,
        validation("Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]")
    );
    assert_eq!(
        call(&apis, "UpdateItem", json!({"TableName": "users", "Key": {"id": {"S": "a"}}, "UpdateExpression": "SET a.b.c = :v", "ExpressionAttributeValues": v})).await,
        validation("The document path provided in the update expression is invalid for update")
    );
    assert_eq!(
        call(&apis, "BatchGetItem", json!({"RequestItems": {"users": {"Keys": (0..101).map(|i| json!({"id": {"S": i.to_string()}})).collect::<Vec<_>>()}}})).await,
        validation("Too many items requested for the BatchGetItem call")
    );
}

#[tokio::test]
async fn tables_are_named_by_arn_too_and_report_capacity() {
    let apis = apis();
    users(&apis).await;
    let arn = "arn:aws:dynamodb:us-east-1:123456789012:table/users";
    let answer = ok(
        &apis,
        "PutItem",
        json!({"TableName": arn, "Item": {"id": {"S": "a"}}, "ReturnConsumedCapacity": "TOTAL"}),
    )
    .await;
    assert_eq!(
        answer,
        json!({"ConsumedCapacity": {"TableName": "users", "CapacityUnits": 1.0}})
    );
    assert_eq!(
        get(&apis, arn, json!({"id": {"S": "a"}})).await,
        json!({"Item": {"id": {"S": "a"}}})
    );
}

#[tokio::test]
async fn binary_keys_sort_by_bytes() {
    let apis = apis();
    ok(
        &apis,
        "CreateTable",
        json!({
            "TableName": "blobs",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "b", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "N"},
                {"AttributeName": "b", "AttributeType": "B"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    )
    .await;
    // 0xff, 0x01 0x02, 0x01: byte order is 0x01 < 0x01 0x02 < 0xff.
    for b in ["/w==", "AQI=", "AQ=="] {
        put(&apis, "blobs", json!({"pk": {"N": "1.0"}, "b": {"B": b}})).await;
    }
    let answer = ok(
        &apis,
        "Query",
        json!({
            "TableName": "blobs",
            "KeyConditionExpression": "pk = :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }),
    )
    .await;
    let order: Vec<&str> = answer["Items"]
        .as_array()
        .expect("Items")
        .iter()
        .map(|item| item["b"]["B"].as_str().expect("B"))
        .collect();
    assert_eq!(order, ["AQ==", "AQI=", "/w=="]);
    assert_eq!(answer["Items"][0]["pk"], json!({"N": "1"}));
}
