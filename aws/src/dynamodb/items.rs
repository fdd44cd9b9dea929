//! The single-item operations: `PutItem`, `GetItem`, `UpdateItem`, `DeleteItem`.

use serde_json::{Map, Value};

use super::ast::Condition;
use super::error::table_not_found;
use super::evaluate::project;
use super::placeholders::{Kind, Placeholders};
use super::request::{
    check_condition, check_size, consumed_capacity, projection, refuse_legacy, return_values,
    table_name,
};
use super::update;
use super::value::{Item, item_from_json, item_size, item_to_json};
use crate::State;
use crate::json_protocol::{Input, Outcome, ServiceError};

/// What `PutItem` and `DeleteItem` read besides the item or key: `ReturnValues` (`NONE` or
/// `ALL_OLD`) and the `ConditionExpression`, its placeholders all used.
fn conditional_write<'a>(input: &Input<'a>) -> Result<(&'a str, Option<Condition>), ServiceError> {
    let return_values = return_values(input, &["NONE", "ALL_OLD"])?;
    refuse_legacy(input, &["Expected", "ConditionalOperator"])?;
    let mut placeholders = Placeholders::from_input(input)?;
    let condition =
        placeholders.condition(input.opt_string("ConditionExpression")?, Kind::Condition)?;
    placeholders.finish()?;
    Ok((return_values, condition))
}

/// `PutItem`: writes a whole item, if `ConditionExpression` holds for the one it replaces.
pub(crate) fn put(state: &State, input: &Input<'_>) -> Outcome {
    let name = table_name(input)?;
    let item = item_from_json(input.required("Item")?, "Item")?;
    let (return_values, condition) = conditional_write(input)?;
    let mut tables = state.dynamodb.lock();
    let table = tables.get_mut(name).ok_or_else(table_not_found)?;
    let key = table.key_of_item(&item)?;
    check_size(&item, "Item size has exceeded the maximum allowed size")?;
    check_condition(condition.as_ref(), table.items.get(&key))?;
    let size = item_size(&item);
    let old = table.items.insert(key, item);
    let mut out = Map::new();
    if let (Some(old), "ALL_OLD") = (old, return_values) {
        out.insert("Attributes".to_owned(), item_to_json(&old));
    }
    consumed_capacity(input, &mut out, name, size, true)?;
    Ok(Value::Object(out))
}

/// `GetItem`: the item (projected), or no `Item` member.
pub(crate) fn get(state: &State, input: &Input<'_>) -> Outcome {
    let name = table_name(input)?;
    let key = item_from_json(input.required("Key")?, "Key")?;
    let mut placeholders = Placeholders::from_input(input)?;
    let projection = projection(input, &mut placeholders)?;
    placeholders.finish()?;
    let tables = state.dynamodb.lock();
    let table = tables.get(name).ok_or_else(table_not_found)?;
    let key = table.key_from(&key)?;
    let mut out = Map::new();
    let item = table.items.get(&key);
    if let Some(item) = item {
        let shown = match &projection {
            Some(paths) => project(item, paths),
            None => item.clone(),
        };
        out.insert("Item".to_owned(), item_to_json(&shown));
    }
    consumed_capacity(input, &mut out, name, item.map_or(0, item_size), false)?;
    Ok(Value::Object(out))
}

/// `UpdateItem`: applies `UpdateExpression` to the item (made from its key if missing), if
/// `ConditionExpression` holds.
pub(crate) fn update(state: &State, input: &Input<'_>) -> Outcome {
    let name = table_name(input)?;
    let key_item = item_from_json(input.required("Key")?, "Key")?;
    let return_values = return_values(
        input,
        &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"],
    )?;
    refuse_legacy(
        input,
        &["AttributeUpdates", "Expected", "ConditionalOperator"],
    )?;
    let mut placeholders = Placeholders::from_input(input)?;
    let update = placeholders.update(input.opt_string("UpdateExpression")?)?;
    let condition =
        placeholders.condition(input.opt_string("ConditionExpression")?, Kind::Condition)?;
    placeholders.finish()?;
    let mut tables = state.dynamodb.lock();
    let table = tables.get_mut(name).ok_or_else(table_not_found)?;
    let key = table.key_from(&key_item)?;
    if let Some(update) = &update {
        update::check(update, &table.key_names())?;
    }
    let old = table.items.get(&key);
    check_condition(condition.as_ref(), old)?;
    let base = old.cloned().unwrap_or(key_item);
    let new = match &update {
        Some(update) => update::apply(update, &base)?,
        None => base,
    };
    check_size(
        &new,
        "Item size to update has exceeded the maximum allowed size",
    )?;
    let size = item_size(&new);
    let old = table.items.insert(key, new.clone());
    let changed: Vec<_> = update
        .as_ref()
        .map(|u| u.paths().into_iter().cloned().collect())
        .unwrap_or_default();
    let attributes: Option<Item> = match return_values {
        "ALL_OLD" => old,
        "ALL_NEW" => Some(new),
        "UPDATED_OLD" => old.map(|old| project(&old, &changed)),
        "UPDATED_NEW" => Some(project(&new, &changed)),
        _ => None,
    };
    let mut out = Map::new();
    if let Some(attributes) = attributes.filter(|a| !a.is_empty()) {
        out.insert("Attributes".to_owned(), item_to_json(&attributes));
    }
    consumed_capacity(input, &mut out, name, size, true)?;
    Ok(Value::Object(out))
}

/// `DeleteItem`: removes the item (if any), if `ConditionExpression` holds.
pub(crate) fn delete(state: &State, input: &Input<'_>) -> Outcome {
    let name = table_name(input)?;
    let key = item_from_json(input.required("Key")?, "Key")?;
    let (return_values, condition) = conditional_write(input)?;
    let mut tables = state.dynamodb.lock();
    let table = tables.get_mut(name).ok_or_else(table_not_found)?;
    let key = table.key_from(&key)?;
    check_condition(condition.as_ref(), table.items.get(&key))?;
    let old = table.items.remove(&key);
    let mut out = Map::new();
    let size = old.as_ref().map_or(0, item_size);
    if let (Some(old), "ALL_OLD") = (old, return_values) {
        out.insert("Attributes".to_owned(), item_to_json(&old));
    }
    consumed_capacity(input, &mut out, name, size, true)?;
    Ok(Value::Object(out))
}
