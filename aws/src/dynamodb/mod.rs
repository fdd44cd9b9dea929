//! DynamoDB (`DynamoDB_20120810.*`): tables of typed items in memory.
//!
//! - Tables: `CreateTable`, `DescribeTable`, `ListTables`, `DeleteTable` ([`tables`]).
//! - Items: `PutItem`, `GetItem`, `UpdateItem`, `DeleteItem` ([`items`]), `BatchWriteItem`,
//!   `BatchGetItem` ([`batch`]), `Query` and `Scan` ([`read`]).
//! - Expressions (condition, filter, key-condition, update, projection) with
//!   `ExpressionAttributeNames` and `ExpressionAttributeValues` ([`placeholders`], [`parser`],
//!   [`evaluate`], [`update`]).
//!
//! Errors carry DynamoDB's codes and messages. Tables are `ACTIVE` as soon as they are made;
//! secondary indexes, streams, transactions, TTL and PartiQL are not simulated.

mod ast;
mod batch;
mod error;
mod evaluate;
mod items;
mod lexer;
mod number;
mod parser;
mod placeholders;
mod read;
mod request;
mod reserved;
mod table;
mod tables;
#[cfg(test)]
mod tests;
mod update;
mod value;

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::State;
use crate::json_protocol::{Input, Outcome};
use table::Table;

/// The tables, by name.
#[derive(Default)]
pub(crate) struct Tables {
    tables: Mutex<BTreeMap<String, Table>>,
}

impl Tables {
    /// The tables, locked for one operation (which sees and changes them atomically).
    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Table>> {
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs one DynamoDB operation.
pub(crate) fn call(state: &State, operation: &str, input: &Input<'_>) -> Outcome {
    match operation {
        "CreateTable" => tables::create(state, input),
        "DescribeTable" => tables::describe(state, input),
        "ListTables" => tables::list(state, input),
        "DeleteTable" => tables::delete(state, input),
        "PutItem" => items::put(state, input),
        "GetItem" => items::get(state, input),
        "UpdateItem" => items::update(state, input),
        "DeleteItem" => items::delete(state, input),
        "Query" => read::query(state, input),
        "Scan" => read::scan(state, input),
        "BatchWriteItem" => batch::write(state, input),
        "BatchGetItem" => batch::get(state, input),
        _ => Err(crate::unknown_operation(input.service(), operation)),
    }
}
