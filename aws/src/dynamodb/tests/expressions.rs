//! Condition and update expressions: what they do to items, and the malformed ones refused.

use super::*;

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
