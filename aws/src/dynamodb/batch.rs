//! `BatchWriteItem` (at most 25 puts and deletes) and `BatchGetItem` (at most 100 keys). Every
//! request is checked before any is applied, and nothing is ever left unprocessed.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::error::{serialization, table_not_found, validation};
use super::evaluate::project;
use super::placeholders::Placeholders;
use super::request::{check_size, check_table_name, projection};
use super::table::Key;
use super::value::{Item, item_from_json, item_to_json};
use crate::State;
use crate::json_protocol::{Input, Outcome, ServiceError};

/// The most requests one `BatchWriteItem` takes.
const MAX_WRITES: usize = 25;
/// The most keys one `BatchGetItem` takes.
const MAX_GETS: usize = 100;

/// One write of a batch.
enum Write {
    Put(Item),
    Delete(Item),
}

/// `RequestItems`: table names to their requests, at least one table.
fn request_items<'a>(input: &Input<'a>) -> Result<&'a Map<String, Value>, ServiceError> {
    let items = input
        .required("RequestItems")?
        .as_object()
        .ok_or_else(|| serialization("the member 'RequestItems' must be a map"))?;
    if items.is_empty() {
        return Err(validation(
            "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ));
    }
    for name in items.keys() {
        check_table_name(name, "requestItems.key")?;
    }
    Ok(items)
}

/// `BatchWriteItem`.
pub(crate) fn write(state: &State, input: &Input<'_>) -> Outcome {
    let requests = request_items(input)?;
    let mut batches: Vec<(&str, Vec<Write>)> = Vec::new();
    let mut total = 0;
    for (name, list) in requests {
        let list = list
            .as_array()
            .ok_or_else(|| serialization("the requests of a table must be a list"))?;
        if list.is_empty() {
            return Err(validation(
                "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
            ));
        }
        total += list.len();
        if total > MAX_WRITES {
            return Err(validation(
                "Too many items requested for the BatchWriteItem call",
            ));
        }
        let writes = list.iter().map(write_request).collect::<Result<_, _>>()?;
        batches.push((name, writes));
    }
    let mut tables = state.dynamodb.lock();
    let mut planned: Vec<(&str, Key, Option<Item>)> = Vec::new();
    for (name, writes) in batches {
        let table = tables.get(name).ok_or_else(table_not_found)?;
        let mut seen = BTreeSet::new();
        for write in writes {
            let (key, item) = match write {
                Write::Put(item) => {
                    let key = table.key_of_item(&item)?;
                    check_size(&item, "Item size has exceeded the maximum allowed size")?;
                    (key, Some(item))
                }
                Write::Delete(key) => (table.key_from(&key)?, None),
            };
            if !seen.insert(key.clone()) {
                return Err(validation("Provided list of item keys contains duplicates"));
            }
            planned.push((name, key, item));
        }
    }
    for (name, key, item) in planned {
        if let Some(table) = tables.get_mut(name) {
            match item {
                Some(item) => table.items.insert(key, item),
                None => table.items.remove(&key),
            };
        }
    }
    Ok(json!({ "UnprocessedItems": {} }))
}

/// One `WriteRequest`: exactly one of `PutRequest` and `DeleteRequest`.
fn write_request(request: &Value) -> Result<Write, ServiceError> {
    let put = request.get("PutRequest").filter(|v| !v.is_null());
    let delete = request.get("DeleteRequest").filter(|v| !v.is_null());
    match (put, delete) {
        (Some(put), None) => {
            let item = put.get("Item").ok_or_else(|| {
                validation("1 validation error detected: Value null at 'requestItems.member.putRequest.item' failed to satisfy constraint: Member must not be null")
            })?;
            Ok(Write::Put(item_from_json(item, "Item")?))
        }
        (None, Some(delete)) => {
            let key = delete.get("Key").ok_or_else(|| {
                validation("1 validation error detected: Value null at 'requestItems.member.deleteRequest.key' failed to satisfy constraint: Member must not be null")
            })?;
            Ok(Write::Delete(item_from_json(key, "Key")?))
        }
        (None, None) => Err(validation(
            "1 validation error detected: a WriteRequest must hold a PutRequest or a DeleteRequest",
        )),
        (Some(_), Some(_)) => Err(validation(
            "1 validation error detected: a WriteRequest must hold only one of PutRequest and DeleteRequest",
        )),
    }
}

/// `BatchGetItem`: each table's items (projected); keys with no item are left out.
pub(crate) fn get(state: &State, input: &Input<'_>) -> Outcome {
    let requests = request_items(input)?;
    let mut reads = Vec::new();
    let mut total = 0;
    for (name, request) in requests {
        let request = request
            .as_object()
            .ok_or_else(|| serialization("the request of a table must be a structure"))?;
        let request = input.nested(request);
        let keys = request.list("Keys")?;
        total += keys.len();
        if total > MAX_GETS {
            return Err(validation(
                "Too many items requested for the BatchGetItem call",
            ));
        }
        let keys = keys
            .iter()
            .map(|k| item_from_json(k, "Keys"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut placeholders = Placeholders::new(request.get("ExpressionAttributeNames"), None)?;
        let projection = projection(&request, &mut placeholders)?;
        placeholders.finish()?;
        reads.push((name, keys, projection));
    }
    let tables = state.dynamodb.lock();
    let mut responses = Map::new();
    for (name, keys, projection) in reads {
        let table = tables.get(name).ok_or_else(table_not_found)?;
        let mut seen = BTreeSet::new();
        let mut items = Vec::new();
        for key in keys {
            let key = table.key_from(&key)?;
            if !seen.insert(key.clone()) {
                return Err(validation("Provided list of item keys contains duplicates"));
            }
            if let Some(item) = table.items.get(&key) {
                let shown = match &projection {
                    Some(paths) => project(item, paths),
                    None => item.clone(),
                };
                items.push(item_to_json(&shown));
            }
        }
        responses.insert(name.clone(), Value::Array(items));
    }
    Ok(json!({ "Responses": responses, "UnprocessedKeys": {} }))
}
