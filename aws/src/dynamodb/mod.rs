//! DynamoDB (`DynamoDB_20120810.*`): tables of typed items in memory.

use crate::State;
use crate::json_protocol::{Input, Outcome};

/// The tables, by name.
#[derive(Default)]
pub(crate) struct Tables {}

/// Runs one DynamoDB operation.
pub(crate) fn call(_state: &State, operation: &str, input: &Input<'_>) -> Outcome {
    Err(crate::unknown_operation(input.service(), operation))
}
