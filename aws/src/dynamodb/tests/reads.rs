//! Queries, scans and batches: order, pagination, key conditions, filters; unknown operations.

use super::*;

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
