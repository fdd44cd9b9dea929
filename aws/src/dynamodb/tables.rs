//! The table operations: `CreateTable`, `DescribeTable`, `ListTables`, `DeleteTable`.

use std::collections::BTreeMap;
use std::time::UNIX_EPOCH;

use serde_json::{Map, Value, json};

use super::error::{serialization, validation};
use super::request::{check_table_name, table_name};
use super::table::{Billing, KeyAttribute, Table};
use crate::State;
use crate::json_protocol::{Input, Outcome, ServiceError};

/// `CreateTable`: a table, `ACTIVE` at once.
pub(crate) fn create(state: &State, input: &Input<'_>) -> Outcome {
    let name = input.string("TableName")?;
    check_table_name(name, "tableName")?;
    let (mut hash, mut range) = key_schema(input)?;
    let definitions = attribute_definitions(input)?;
    let key_names: Vec<String> = std::iter::once(&hash.name)
        .chain(range.as_ref().map(|r| &r.name))
        .cloned()
        .collect();
    for key in std::iter::once(&mut hash).chain(range.as_mut()) {
        let Some(definition) = definitions.iter().find(|d| d.name == key.name) else {
            let defined: Vec<&str> = definitions.iter().map(|d| d.name.as_str()).collect();
            return Err(validation(format!(
                "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], AttributeDefinitions: [{}]",
                key_names.join(", "),
                defined.join(", "),
            )));
        };
        key.kind.clone_from(&definition.kind);
    }
    if definitions.len() != key_names.len() {
        return Err(validation(
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ));
    }
    for index in ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] {
        if input.get(index).is_some() {
            return Err(validation(format!(
                "lambda-sim does not simulate secondary indexes ({index})"
            )));
        }
    }
    let billing = billing(input)?;
    let deletion_protection = input
        .opt_bool("DeletionProtectionEnabled")?
        .unwrap_or(false);
    let mut tables = state.dynamodb.lock();
    if tables.contains_key(name) {
        return Err(ServiceError::new(
            "ResourceInUseException",
            format!("Table already exists: {name}"),
        ));
    }
    let created = state
        .clock
        .wall()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| (d.as_millis() as f64) / 1000.0);
    let table = Table {
        name: name.to_owned(),
        hash,
        range,
        definitions,
        billing,
        deletion_protection,
        created,
        id: crate::uuid_shaped(&format!("dynamodb-table:{name}:{}", state.request_id())),
        items: BTreeMap::new(),
    };
    let description = table.description("ACTIVE");
    tables.insert(name.to_owned(), table);
    Ok(json!({ "TableDescription": description }))
}

/// `DescribeTable`.
pub(crate) fn describe(state: &State, input: &Input<'_>) -> Outcome {
    let name = table_name(input)?;
    let tables = state.dynamodb.lock();
    let table = tables.get(name).ok_or_else(|| not_found(name))?;
    Ok(json!({ "Table": table.description("ACTIVE") }))
}

/// `ListTables`: names in order, `Limit` (1 to 100) at a time.
pub(crate) fn list(state: &State, input: &Input<'_>) -> Outcome {
    let limit = match input.opt_i64("Limit")? {
        None => 100,
        Some(limit) if (1..=100).contains(&limit) => limit as usize,
        Some(limit) => {
            let constraint = if limit < 1 {
                "greater than or equal to 1"
            } else {
                "less than or equal to 100"
            };
            return Err(validation(format!(
                "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value {constraint}"
            )));
        }
    };
    let start = input.opt_string("ExclusiveStartTableName")?;
    let tables = state.dynamodb.lock();
    let mut names = tables
        .keys()
        .filter(|name| start.is_none_or(|start| name.as_str() > start));
    let page: Vec<&String> = names.by_ref().take(limit).collect();
    let mut out = Map::new();
    out.insert("TableNames".to_owned(), json!(page));
    if let (Some(last), Some(_)) = (page.last(), names.next()) {
        out.insert("LastEvaluatedTableName".to_owned(), json!(last));
    }
    Ok(Value::Object(out))
}

/// `DeleteTable`: the table and its items go at once.
pub(crate) fn delete(state: &State, input: &Input<'_>) -> Outcome {
    let name = table_name(input)?;
    let mut tables = state.dynamodb.lock();
    let table = tables.get(name).ok_or_else(|| not_found(name))?;
    if table.deletion_protection {
        return Err(validation(
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
        ));
    }
    let description = table.description("DELETING");
    tables.remove(name);
    Ok(json!({ "TableDescription": description }))
}

/// The `ResourceNotFoundException` of a table operation, which names the table.
fn not_found(name: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Requested resource not found: Table: {name} not found"),
    )
}

/// `KeySchema`: a `HASH` key and maybe a `RANGE` key (their types come from the definitions).
fn key_schema(input: &Input<'_>) -> Result<(KeyAttribute, Option<KeyAttribute>), ServiceError> {
    let elements = input.list("KeySchema")?;
    if elements.is_empty() || elements.len() > 2 {
        let constraint = if elements.is_empty() {
            "greater than or equal to 1"
        } else {
            "less than or equal to 2"
        };
        return Err(validation(format!(
            "1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must have length {constraint}"
        )));
    }
    let mut parsed = Vec::new();
    for element in elements {
        let element = element
            .as_object()
            .ok_or_else(|| serialization("a KeySchemaElement must be a structure"))?;
        let element = input.nested(element);
        let name = element.string("AttributeName")?;
        let kind = element.string("KeyType")?;
        if !matches!(kind, "HASH" | "RANGE") {
            return Err(validation(format!(
                "1 validation error detected: Value '{kind}' at 'keySchema.{}.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]",
                parsed.len() + 1
            )));
        }
        parsed.push((name, kind));
    }
    if parsed[0].1 != "HASH" {
        return Err(validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    let key = |name: &str| KeyAttribute {
        name: name.to_owned(),
        kind: String::new(),
    };
    let range = match parsed.get(1) {
        None => None,
        Some((_, kind)) if *kind != "RANGE" => {
            return Err(validation(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
            ));
        }
        Some((name, _)) if *name == parsed[0].0 => {
            return Err(validation(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name",
            ));
        }
        Some((name, _)) => Some(key(name)),
    };
    Ok((key(parsed[0].0), range))
}

/// `AttributeDefinitions`: names typed `S`, `N` or `B`.
fn attribute_definitions(input: &Input<'_>) -> Result<Vec<KeyAttribute>, ServiceError> {
    let mut out: Vec<KeyAttribute> = Vec::new();
    for (i, definition) in input.list("AttributeDefinitions")?.iter().enumerate() {
        let definition = definition
            .as_object()
            .ok_or_else(|| serialization("an AttributeDefinition must be a structure"))?;
        let definition = input.nested(definition);
        let name = definition.string("AttributeName")?;
        let kind = definition.string("AttributeType")?;
        if !matches!(kind, "S" | "N" | "B") {
            return Err(validation(format!(
                "1 validation error detected: Value '{kind}' at 'attributeDefinitions.{}.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]",
                i + 1
            )));
        }
        if out.iter().any(|d| d.name == name) {
            return Err(validation(format!(
                "Cannot have two attributes with the same name. Attribute name: {name}"
            )));
        }
        out.push(KeyAttribute {
            name: name.to_owned(),
            kind: kind.to_owned(),
        });
    }
    Ok(out)
}

/// `BillingMode` and `ProvisionedThroughput`, which must agree.
fn billing(input: &Input<'_>) -> Result<Billing, ServiceError> {
    let throughput = input.opt_object("ProvisionedThroughput")?;
    match input.opt_string("BillingMode")? {
        None | Some("PROVISIONED") => {
            let units = throughput.map(|t| {
                let t = input.nested(t);
                (
                    t.opt_i64("ReadCapacityUnits"),
                    t.opt_i64("WriteCapacityUnits"),
                )
            });
            let (read, write) = match units {
                Some((Ok(Some(read)), Ok(Some(write)))) => (read, write),
                _ => {
                    return Err(validation(
                        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
                    ));
                }
            };
            if read < 1 || write < 1 {
                return Err(validation(
                    "One or more parameter values were invalid: Provisioned throughput for ReadCapacityUnits and WriteCapacityUnits must be at least 1",
                ));
            }
            Ok(Billing::Provisioned { read, write })
        }
        Some("PAY_PER_REQUEST") if throughput.is_some() => Err(validation(
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        )),
        Some("PAY_PER_REQUEST") => Ok(Billing::PayPerRequest),
        Some(other) => Err(validation(format!(
            "1 validation error detected: Value '{other}' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
        ))),
    }
}
