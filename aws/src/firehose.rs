//! Firehose (`Firehose_20150804.*`) over the services' delivery streams.

use crate::State;
use crate::json_protocol::{Input, Outcome};

/// Runs one Firehose operation.
pub(crate) fn call(_state: &State, operation: &str, input: &Input<'_>) -> Outcome {
    Err(crate::unknown_operation(input.service(), operation))
}
