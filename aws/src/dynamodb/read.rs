//! `Query` (one partition, in sort-key order) and `Scan` (the whole table, in key order),
//! a page at a time: `Limit` items or 1 MB evaluated, then `LastEvaluatedKey`.

use std::ops::Bound;

use serde_json::{Map, Value, json};

use super::ast::{Comparator, Condition, Operand, Path, Step};
use super::error::{table_not_found, validation};
use super::evaluate::{holds, project};
use super::placeholders::{Kind, Placeholders};
use super::request::{consumed_capacity, limit, projection, refuse_legacy, table_name};
use super::table::{Key, Table};
use super::value::{AttributeValue, Item, KeyValue, item_from_json, item_size, item_to_json};
use crate::State;
use crate::json_protocol::{Input, Outcome, ServiceError};

/// The most item bytes one page evaluates.
const MAX_PAGE: usize = 1024 * 1024;

/// What a `Query` or `Scan` reads besides the items: which, how many, in what form.
struct Reading {
    filter: Option<Condition>,
    projection: Option<Vec<Path>>,
    limit: Option<usize>,
    count_only: bool,
    start: Option<Item>,
}

impl Reading {
    /// The common members; `placeholders` has the operation's own expressions parsed.
    fn from_input(
        input: &Input<'_>,
        placeholders: &mut Placeholders,
    ) -> Result<Self, ServiceError> {
        let filter = placeholders.condition(input.opt_string("FilterExpression")?, Kind::Filter)?;
        let projection = projection(input, placeholders)?;
        placeholders.finish()?;
        if input.get("IndexName").is_some() {
            let index = input.opt_string("IndexName")?.unwrap_or_default();
            return Err(validation(format!(
                "The table does not have the specified index: {index}"
            )));
        }
        let count_only = match input.opt_string("Select")? {
            None | Some("ALL_ATTRIBUTES") => false,
            Some("SPECIFIC_ATTRIBUTES") if projection.is_some() => false,
            Some("SPECIFIC_ATTRIBUTES") => {
                return Err(validation(
                    "1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy constraint: ProjectionExpression or AttributesToGet must be given",
                ));
            }
            Some("COUNT") => true,
            Some("ALL_PROJECTED_ATTRIBUTES") => {
                return Err(validation(
                    "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
                ));
            }
            Some(other) => {
                return Err(validation(format!(
                    "1 validation error detected: Value '{other}' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
                )));
            }
        };
        let start = match input.get("ExclusiveStartKey") {
            Some(start) => Some(item_from_json(start, "ExclusiveStartKey")?),
            None => None,
        };
        Ok(Reading {
            filter,
            projection,
            limit: limit(input)?,
            count_only,
            start,
        })
    }

    /// The start key checked against the table's schema.
    fn start_key(&self, table: &Table) -> Result<Option<Key>, ServiceError> {
        match &self.start {
            None => Ok(None),
            Some(start) => table.key_from(start).map(Some).map_err(|err| {
                validation(format!(
                    "The provided starting key is invalid: {}",
                    err.message
                ))
            }),
        }
    }

    /// One page of `entries` (already in order and past the start key).
    fn page<'a>(
        &self,
        input: &Input<'_>,
        table: &Table,
        entries: impl Iterator<Item = (&'a Key, &'a Item)>,
    ) -> Outcome {
        let mut items = Vec::new();
        let (mut count, mut scanned, mut bytes) = (0usize, 0usize, 0usize);
        let mut last = None;
        for (key, item) in entries {
            scanned += 1;
            bytes += item_size(item);
            if self.filter.as_ref().is_none_or(|f| holds(f, item)) {
                count += 1;
                if !self.count_only {
                    let shown = match &self.projection {
                        Some(paths) => project(item, paths),
                        None => item.clone(),
                    };
                    items.push(item_to_json(&shown));
                }
            }
            if self.limit == Some(scanned) || bytes >= MAX_PAGE {
                last = Some(key);
                break;
            }
        }
        let mut out = Map::new();
        if !self.count_only {
            out.insert("Items".to_owned(), Value::Array(items));
        }
        out.insert("Count".to_owned(), json!(count));
        out.insert("ScannedCount".to_owned(), json!(scanned));
        if let Some(key) = last {
            out.insert(
                "LastEvaluatedKey".to_owned(),
                item_to_json(&table.key_item(key)),
            );
        }
        consumed_capacity(input, &mut out, &table.name, bytes, false)?;
        Ok(Value::Object(out))
    }
}

/// `Query`: the items of one partition key whose sort key meets the key condition.
pub(crate) fn query(state: &State, input: &Input<'_>) -> Outcome {
    let name = table_name(input)?;
    refuse_legacy(
        input,
        &["KeyConditions", "QueryFilter", "ConditionalOperator"],
    )?;
    let mut placeholders = Placeholders::from_input(input)?;
    let text = input.opt_string("KeyConditionExpression")?.ok_or_else(|| {
        validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        )
    })?;
    let key_condition = placeholders
        .condition(Some(text), Kind::KeyCondition)?
        .ok_or_else(|| Kind::KeyCondition.invalid("The expression can not be empty;"))?;
    let reading = Reading::from_input(input, &mut placeholders)?;
    let forward = input.opt_bool("ScanIndexForward")?.unwrap_or(true);
    let tables = state.dynamodb.lock();
    let table = tables.get(name).ok_or_else(table_not_found)?;
    let (hash, range) = key_conditions(table, &key_condition)?;
    if let Some(filter) = &reading.filter {
        let keys = table.key_names();
        if let Some(path) = condition_paths(filter)
            .into_iter()
            .find(|p| keys.contains(&p.attribute()))
        {
            return Err(validation(format!(
                "Filter Expression can only contain non-primary key attributes: Primary key attribute: {}",
                path.attribute()
            )));
        }
    }
    let start = reading.start_key(table)?;
    let partition = table
        .items
        .range((Bound::Included((hash.clone(), None)), Bound::Unbounded))
        .take_while(|(key, _)| key.0 == hash)
        .filter(|(_, item)| range.as_ref().is_none_or(|r| holds(r, item)));
    let entries: Vec<(&Key, &Item)> = if forward {
        partition
            .filter(|(key, _)| start.as_ref().is_none_or(|s| *key > s))
            .collect()
    } else {
        let mut all: Vec<_> = partition
            .filter(|(key, _)| start.as_ref().is_none_or(|s| *key < s))
            .collect();
        all.reverse();
        all
    };
    reading.page(input, table, entries.into_iter())
}

/// `Scan`: every item, in key order (or one segment of them, by partition key).
pub(crate) fn scan(state: &State, input: &Input<'_>) -> Outcome {
    let name = table_name(input)?;
    refuse_legacy(input, &["ScanFilter", "ConditionalOperator"])?;
    let mut placeholders = Placeholders::from_input(input)?;
    let reading = Reading::from_input(input, &mut placeholders)?;
    let segment = segment(input)?;
    let tables = state.dynamodb.lock();
    let table = tables.get(name).ok_or_else(table_not_found)?;
    let start = reading.start_key(table)?;
    let lower = match &start {
        Some(start) => Bound::Excluded(start.clone()),
        None => Bound::Unbounded,
    };
    let entries = table
        .items
        .range((lower, Bound::Unbounded))
        .filter(|(key, _)| segment.is_none_or(|(s, total)| segment_of(&key.0, total) == s));
    reading.page(input, table, entries)
}

/// `Segment` and `TotalSegments` of a parallel scan, if given.
fn segment(input: &Input<'_>) -> Result<Option<(u64, u64)>, ServiceError> {
    match (input.opt_i64("Segment")?, input.opt_i64("TotalSegments")?) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(validation(
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
        )),
        (None, Some(_)) => Err(validation(
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
        )),
        (Some(segment), Some(total)) => {
            if !(1..=1_000_000).contains(&total) {
                return Err(validation(format!(
                    "1 validation error detected: Value '{total}' at 'totalSegments' failed to satisfy constraint: Member must have value between 1 and 1000000"
                )));
            }
            if segment < 0 || segment >= total {
                return Err(validation(format!(
                    "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
                )));
            }
            Ok(Some((segment as u64, total as u64)))
        }
    }
}

/// The segment of a partition key: an FNV-1a hash of it, modulo the number of segments.
fn segment_of(hash: &KeyValue, total: u64) -> u64 {
    let bytes = hash.to_attribute().to_json().to_string();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h % total
}

/// The partition key a key condition names, and the condition on the sort key, if any.
fn key_conditions(
    table: &Table,
    condition: &Condition,
) -> Result<(KeyValue, Option<Condition>), ServiceError> {
    let mut parts = Vec::new();
    flatten(condition, &mut parts)?;
    if parts.len() > 2 {
        return Err(validation("Conditions can be of length 1 or 2 only"));
    }
    let mut hash = None;
    let mut range = None;
    for part in parts {
        let (attribute, values) = key_part(part)?;
        let kind = if attribute == table.hash.name {
            &table.hash.kind
        } else if let Some(r) = table.range.as_ref().filter(|r| r.name == attribute) {
            &r.kind
        } else {
            return Err(validation("Query key condition not supported"));
        };
        if values.iter().any(|v| v.type_name() != kind) {
            return Err(validation(
                "One or more parameter values were invalid: Condition parameter type does not match schema type",
            ));
        }
        let slot = if attribute == table.hash.name {
            &mut hash
        } else {
            &mut range
        };
        if slot.is_some() {
            return Err(validation(
                "KeyConditionExpressions must only contain one condition per key",
            ));
        }
        *slot = Some((part, values));
    }
    let Some((hash_part, hash_values)) = hash else {
        return Err(validation(format!(
            "Query condition missed key schema element: {}",
            table.hash.name
        )));
    };
    let hash_value = match (hash_part, hash_values.first().and_then(|v| v.to_key())) {
        (Condition::Compare(_, Comparator::Eq, _), Some(value)) => value,
        _ => return Err(validation("Query key condition not supported")),
    };
    Ok((hash_value, range.map(|(part, _)| part.clone())))
}

/// The conditions joined by `AND`; any other operator is refused.
fn flatten<'a>(condition: &'a Condition, out: &mut Vec<&'a Condition>) -> Result<(), ServiceError> {
    let operator = match condition {
        Condition::And(a, b) => {
            flatten(a, out)?;
            return flatten(b, out);
        }
        Condition::Compare(_, Comparator::Ne, _) => "<>",
        Condition::Compare(..) | Condition::Between(..) | Condition::BeginsWith(..) => {
            out.push(condition);
            return Ok(());
        }
        Condition::Or(..) => "OR",
        Condition::Not(..) => "NOT",
        Condition::In(..) => "IN",
        Condition::Exists(..) => "attribute_exists",
        Condition::NotExists(..) => "attribute_not_exists",
        Condition::Type(..) => "attribute_type",
        Condition::Contains(..) => "contains",
    };
    Err(Kind::KeyCondition.invalid(format!(
        "Invalid operator used in KeyConditionExpression: {operator}"
    )))
}

/// The key attribute a key-condition part is about, and the values it compares with.
fn key_part(part: &Condition) -> Result<(&str, Vec<&AttributeValue>), ServiceError> {
    let (attribute, values) = match part {
        Condition::Compare(a, _, b) => match (a, b) {
            (Operand::Path(Path(steps)), Operand::Value(v))
            | (Operand::Value(v), Operand::Path(Path(steps))) => (steps, vec![v]),
            _ => return Err(unsupported()),
        },
        Condition::Between(
            Operand::Path(Path(steps)),
            Operand::Value(low),
            Operand::Value(high),
        ) => (steps, vec![low, high]),
        Condition::BeginsWith(Operand::Path(Path(steps)), Operand::Value(prefix)) => {
            (steps, vec![prefix])
        }
        _ => return Err(unsupported()),
    };
    match attribute.as_slice() {
        [Step::Name(name)] => Ok((name.as_str(), values)),
        _ => Err(unsupported()),
    }
}

fn unsupported() -> ServiceError {
    validation("Query key condition not supported")
}

/// Every path a condition reads.
fn condition_paths(condition: &Condition) -> Vec<&Path> {
    let operand = operand_path;
    match condition {
        Condition::Compare(a, _, b) | Condition::BeginsWith(a, b) | Condition::Contains(a, b) => {
            [a, b].into_iter().filter_map(operand).collect()
        }
        Condition::Between(a, b, c) => [a, b, c].into_iter().filter_map(operand).collect(),
        Condition::In(a, list) => std::iter::once(a).chain(list).filter_map(operand).collect(),
        Condition::Exists(p) | Condition::NotExists(p) => vec![p],
        Condition::Type(p, o) => std::iter::once(p).chain(operand(o)).collect(),
        Condition::And(a, b) | Condition::Or(a, b) => {
            let mut out = condition_paths(a);
            out.extend(condition_paths(b));
            out
        }
        Condition::Not(a) => condition_paths(a),
    }
}

fn operand_path(operand: &Operand) -> Option<&Path> {
    match operand {
        Operand::Path(p) | Operand::Size(p) => Some(p),
        Operand::Value(_) => None,
    }
}
