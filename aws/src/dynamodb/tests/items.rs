//! Items: every type round-trips, projections, keys checked against the schema, values validated, the 400 KB limit.

use super::*;

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
