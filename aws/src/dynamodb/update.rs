//! Update expressions applied to an item: `SET` (with `+`, `-`, `if_not_exists` and
//! `list_append`), `REMOVE`, `ADD` (numbers and sets) and `DELETE` (sets). Every right-hand
//! side reads the item as it was before the update, as DynamoDB does.

use super::ast::{Path, SetValue, Step, Update, UpdateOperand};
use super::error::validation;
use super::evaluate::resolve;
use super::placeholders::Kind;
use super::value::{AttributeValue, Item};
use crate::json_protocol::ServiceError;

/// The deepest an item may nest once updated (DynamoDB's limit).
const MAX_DEPTH: usize = 32;

/// Refuses updates DynamoDB refuses before reading the item: paths that overlap, key
/// attributes changed, operands of the wrong type.
pub(crate) fn check(update: &Update, keys: &[&str]) -> Result<(), ServiceError> {
    let paths = update.paths();
    for (i, a) in paths.iter().enumerate() {
        if let Some(b) = paths[i + 1..].iter().find(|b| a.overlaps(b)) {
            return Err(Kind::Update.invalid(format!(
                "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {}, path two: {}",
                a.described(),
                b.described()
            )));
        }
    }
    for (operator, value) in update
        .add
        .iter()
        .map(|(_, v)| ("ADD", v))
        .chain(update.delete.iter().map(|(_, v)| ("DELETE", v)))
    {
        let fits = match value {
            AttributeValue::N(_) => operator == "ADD",
            AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => true,
            _ => false,
        };
        if !fits {
            return Err(Kind::Update.invalid(format!(
                "Incorrect operand type for operator or function; operator: {operator}, operand type: {}",
                value.long_type_name()
            )));
        }
    }
    for (_, value) in &update.set {
        check_set_value(value)?;
    }
    if let Some(path) = paths.iter().find(|p| keys.contains(&p.attribute())) {
        return Err(validation(format!(
            "One or more parameter values were invalid: Cannot update attribute {}. This attribute is part of the key",
            path.attribute()
        )));
    }
    Ok(())
}

fn check_set_value(value: &SetValue) -> Result<(), ServiceError> {
    let operands = match value {
        SetValue::Operand(operand) => return check_operand(operand),
        SetValue::Plus(a, b) => ("+", a, b),
        SetValue::Minus(a, b) => ("-", a, b),
    };
    let (operator, a, b) = operands;
    for operand in [a, b] {
        check_operand(operand)?;
        if let UpdateOperand::Value(v) = operand
            && !matches!(v, AttributeValue::N(_))
        {
            return Err(wrong_operand(operator, v));
        }
    }
    Ok(())
}

fn check_operand(operand: &UpdateOperand) -> Result<(), ServiceError> {
    match operand {
        UpdateOperand::Path(_) | UpdateOperand::Value(_) => Ok(()),
        UpdateOperand::IfNotExists(_, default) => check_operand(default),
        UpdateOperand::ListAppend(a, b) => {
            for operand in [a, b] {
                check_operand(operand)?;
                if let UpdateOperand::Value(v) = &**operand
                    && !matches!(v, AttributeValue::L(_))
                {
                    return Err(wrong_operand("list_append", v));
                }
            }
            Ok(())
        }
    }
}

fn wrong_operand(operator: &str, value: &AttributeValue) -> ServiceError {
    Kind::Update.invalid(format!(
        "Incorrect operand type for operator or function; operator or function: {operator}, operand type: {}",
        value.type_name()
    ))
}

/// The item once `update` is applied to `old`.
pub(crate) fn apply(update: &Update, old: &Item) -> Result<Item, ServiceError> {
    let values = update
        .set
        .iter()
        .map(|(path, value)| Ok((path, set_value(old, value)?)))
        .collect::<Result<Vec<_>, ServiceError>>()?;
    let mut item = old.clone();
    for (path, value) in values {
        set_path(&mut item, path, value)?;
    }
    // Backwards, so that removing `l[1]` does not move `l[3]` before it is removed.
    let mut removed: Vec<&Path> = update.remove.iter().collect();
    removed.sort_by(|a, b| b.cmp(a));
    for path in removed {
        remove_path(&mut item, path);
    }
    for (path, value) in &update.add {
        let sum = match (resolve(&item, path), value) {
            (None, value) => value.clone(),
            (Some(AttributeValue::N(a)), AttributeValue::N(b)) => {
                AttributeValue::N(a.add(b).map_err(|err| validation(err.message()))?)
            }
            (Some(AttributeValue::Ss(a)), AttributeValue::Ss(b)) => {
                AttributeValue::Ss(a.union(b).cloned().collect())
            }
            (Some(AttributeValue::Ns(a)), AttributeValue::Ns(b)) => {
                AttributeValue::Ns(a.union(b).cloned().collect())
            }
            (Some(AttributeValue::Bs(a)), AttributeValue::Bs(b)) => {
                AttributeValue::Bs(a.union(b).cloned().collect())
            }
            _ => return Err(wrong_type()),
        };
        set_path(&mut item, path, sum)?;
    }
    for (path, value) in &update.delete {
        let rest = match (resolve(&item, path), value) {
            (None, _) => continue,
            (Some(AttributeValue::Ss(a)), AttributeValue::Ss(b)) => {
                Some(AttributeValue::Ss(a.difference(b).cloned().collect()))
                    .filter(|_| !a.is_subset(b))
            }
            (Some(AttributeValue::Ns(a)), AttributeValue::Ns(b)) => {
                Some(AttributeValue::Ns(a.difference(b).cloned().collect()))
                    .filter(|_| !a.is_subset(b))
            }
            (Some(AttributeValue::Bs(a)), AttributeValue::Bs(b)) => {
                Some(AttributeValue::Bs(a.difference(b).cloned().collect()))
                    .filter(|_| !a.is_subset(b))
            }
            _ => return Err(wrong_type()),
        };
        match rest {
            Some(rest) => set_path(&mut item, path, rest)?,
            // A set is never empty: taking its last element away removes the attribute.
            None => remove_path(&mut item, path),
        }
    }
    if item.values().any(|v| depth(v) > MAX_DEPTH) {
        return Err(validation("Nesting Levels have exceeded supported limits"));
    }
    Ok(item)
}

fn wrong_type() -> ServiceError {
    validation("An operand in the update expression has an incorrect data type")
}

fn missing() -> ServiceError {
    validation("The provided expression refers to an attribute that does not exist in the item")
}

fn invalid_path() -> ServiceError {
    validation("The document path provided in the update expression is invalid for update")
}

fn set_value(old: &Item, value: &SetValue) -> Result<AttributeValue, ServiceError> {
    let (a, b, negate) = match value {
        SetValue::Operand(operand) => return operand_value(old, operand),
        SetValue::Plus(a, b) => (a, b, false),
        SetValue::Minus(a, b) => (a, b, true),
    };
    match (operand_value(old, a)?, operand_value(old, b)?) {
        (AttributeValue::N(a), AttributeValue::N(b)) => {
            let b = if negate { b.negated() } else { b };
            Ok(AttributeValue::N(
                a.add(&b).map_err(|err| validation(err.message()))?,
            ))
        }
        _ => Err(wrong_type()),
    }
}

fn operand_value(old: &Item, operand: &UpdateOperand) -> Result<AttributeValue, ServiceError> {
    match operand {
        UpdateOperand::Path(path) => resolve(old, path).cloned().ok_or_else(missing),
        UpdateOperand::Value(value) => Ok(value.clone()),
        UpdateOperand::IfNotExists(path, default) => match resolve(old, path) {
            Some(value) => Ok(value.clone()),
            None => operand_value(old, default),
        },
        UpdateOperand::ListAppend(a, b) => match (operand_value(old, a)?, operand_value(old, b)?) {
            (AttributeValue::L(mut a), AttributeValue::L(b)) => {
                a.extend(b);
                Ok(AttributeValue::L(a))
            }
            _ => Err(wrong_type()),
        },
    }
}

/// Sets the value at `path`; its parent must exist (a list index past the end appends).
fn set_path(item: &mut Item, path: &Path, value: AttributeValue) -> Result<(), ServiceError> {
    let Some((Step::Name(first), rest)) = path.0.split_first() else {
        return Err(invalid_path());
    };
    if rest.is_empty() {
        item.insert(first.clone(), value);
        return Ok(());
    }
    let mut slot = item.get_mut(first).ok_or_else(invalid_path)?;
    let Some((last, between)) = rest.split_last() else {
        return Err(invalid_path());
    };
    for step in between {
        slot = match (slot, step) {
            (AttributeValue::M(map), Step::Name(name)) => {
                map.get_mut(name).ok_or_else(invalid_path)?
            }
            (AttributeValue::L(list), Step::Index(i)) => {
                list.get_mut(*i).ok_or_else(invalid_path)?
            }
            _ => return Err(invalid_path()),
        };
    }
    match (slot, last) {
        (AttributeValue::M(map), Step::Name(name)) => {
            map.insert(name.clone(), value);
        }
        (AttributeValue::L(list), Step::Index(i)) => match list.get_mut(*i) {
            Some(element) => *element = value,
            None => list.push(value),
        },
        _ => return Err(invalid_path()),
    }
    Ok(())
}

/// Removes the value at `path`, if there is one.
fn remove_path(item: &mut Item, path: &Path) {
    let Some((Step::Name(first), rest)) = path.0.split_first() else {
        return;
    };
    let Some((last, between)) = rest.split_last() else {
        item.remove(first);
        return;
    };
    let Some(mut slot) = item.get_mut(first) else {
        return;
    };
    for step in between {
        let next = match (slot, step) {
            (AttributeValue::M(map), Step::Name(name)) => map.get_mut(name),
            (AttributeValue::L(list), Step::Index(i)) => list.get_mut(*i),
            _ => None,
        };
        let Some(next) = next else { return };
        slot = next;
    }
    match (slot, last) {
        (AttributeValue::M(map), Step::Name(name)) => {
            map.remove(name);
        }
        (AttributeValue::L(list), Step::Index(i)) if *i < list.len() => {
            list.remove(*i);
        }
        _ => {}
    }
}

/// How deep a value nests (a scalar is 0 deep).
fn depth(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::M(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        AttributeValue::L(list) => 1 + list.iter().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}
