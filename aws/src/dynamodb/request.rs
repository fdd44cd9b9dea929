//! Members that several operations read the same way: the table name, `ReturnValues`,
//! `Limit`, the projection, `ReturnConsumedCapacity`, and the legacy parameters lambda-sim
//! does not take.

use serde_json::{Map, Value, json};

use super::ast::{Path, Step};
use super::error::{condition_failed, validation};
use super::evaluate::holds;
use super::placeholders::Placeholders;
use super::value::{Item, item_size};
use crate::json_protocol::{Input, ServiceError};

/// The largest item, in bytes (400 KB).
pub(crate) const MAX_ITEM_SIZE: usize = 400 * 1024;

/// `TableName`: a name (3 to 255 of `[a-zA-Z0-9_.-]`) or a table's ARN.
pub(crate) fn table_name<'a>(input: &Input<'a>) -> Result<&'a str, ServiceError> {
    let given = input.string("TableName")?;
    let name = given
        .strip_prefix("arn:aws:dynamodb:")
        .and_then(|rest| rest.split_once(":table/"))
        .map_or(given, |(_, name)| name);
    check_table_name(name, "tableName")?;
    Ok(name)
}

/// Refuses a table name DynamoDB refuses; `member` names it in the message.
pub(crate) fn check_table_name(name: &str, member: &str) -> Result<(), ServiceError> {
    let constraint = if name.len() < 3 {
        "Member must have length greater than or equal to 3"
    } else if name.len() > 255 {
        "Member must have length less than or equal to 255"
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    } else {
        return Ok(());
    };
    Err(validation(format!(
        "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: {constraint}"
    )))
}

/// `ReturnValues`, one of `allowed` (`NONE` when absent).
pub(crate) fn return_values<'a>(
    input: &Input<'a>,
    allowed: &[&str],
) -> Result<&'a str, ServiceError> {
    const ALL: [&str; 5] = ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"];
    let value = input.opt_string("ReturnValues")?.unwrap_or("NONE");
    if !ALL.contains(&value) {
        return Err(validation(format!(
            "1 validation error detected: Value '{value}' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
        )));
    }
    if !allowed.contains(&value) {
        return Err(validation("Return values set to invalid value"));
    }
    Ok(value)
}

/// `Limit`, at least 1, if given.
pub(crate) fn limit(input: &Input<'_>) -> Result<Option<usize>, ServiceError> {
    match input.opt_i64("Limit")? {
        None => Ok(None),
        Some(limit) if limit >= 1 => Ok(Some(usize::try_from(limit).unwrap_or(usize::MAX))),
        Some(limit) => Err(validation(format!(
            "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        ))),
    }
}

/// Refuses the legacy (pre-expression) parameters lambda-sim does not simulate.
pub(crate) fn refuse_legacy(input: &Input<'_>, members: &[&str]) -> Result<(), ServiceError> {
    match members.iter().find(|m| input.get(m).is_some()) {
        Some(member) => Err(validation(format!(
            "lambda-sim does not simulate the legacy parameter {member}; use the expression parameters"
        ))),
        None => Ok(()),
    }
}

/// The paths to return: `ProjectionExpression`, or the legacy `AttributesToGet`.
pub(crate) fn projection(
    input: &Input<'_>,
    placeholders: &mut Placeholders,
) -> Result<Option<Vec<Path>>, ServiceError> {
    let expression = input.opt_string("ProjectionExpression")?;
    let Some(names) = input.get("AttributesToGet") else {
        return placeholders.projection(expression);
    };
    if expression.is_some() {
        return Err(validation(
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
        ));
    }
    let names = names.as_array().ok_or_else(|| {
        super::error::serialization("the member 'AttributesToGet' must be a list")
    })?;
    names
        .iter()
        .map(|name| {
            name.as_str()
                .map(|n| Path(vec![Step::Name(n.to_owned())]))
                .ok_or_else(|| super::error::serialization("AttributesToGet holds strings"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Refuses the write if `condition` does not hold for the item as it is (absent: empty).
pub(crate) fn check_condition(
    condition: Option<&super::ast::Condition>,
    item: Option<&Item>,
) -> Result<(), ServiceError> {
    let empty = Item::new();
    match condition {
        Some(condition) if !holds(condition, item.unwrap_or(&empty)) => Err(condition_failed()),
        _ => Ok(()),
    }
}

/// Adds `ConsumedCapacity` to `out` if the request asked for it: one unit per KB written,
/// half a unit per 4 KB read (eventually consistent), at least one (half) unit.
pub(crate) fn consumed_capacity(
    input: &Input<'_>,
    out: &mut Map<String, Value>,
    table: &str,
    bytes: usize,
    write: bool,
) -> Result<(), ServiceError> {
    match input.opt_string("ReturnConsumedCapacity")? {
        Some("TOTAL" | "INDEXES") => {
            let units = if write {
                bytes.div_ceil(1024).max(1) as f64
            } else {
                bytes.div_ceil(4096).max(1) as f64 / 2.0
            };
            out.insert(
                "ConsumedCapacity".to_owned(),
                json!({ "TableName": table, "CapacityUnits": units }),
            );
            Ok(())
        }
        None | Some("NONE") => Ok(()),
        Some(other) => Err(validation(format!(
            "1 validation error detected: Value '{other}' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
        ))),
    }
}

/// Refuses an item over 400 KB (`message` differs between writes and updates).
pub(crate) fn check_size(item: &Item, message: &str) -> Result<(), ServiceError> {
    if item_size(item) > MAX_ITEM_SIZE {
        return Err(validation(message));
    }
    Ok(())
}
