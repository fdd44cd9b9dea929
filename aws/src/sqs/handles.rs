//! What a receipt handle does: `DeleteMessage`, `ChangeMessageVisibility` and their batches.
//!
//! As in SQS, deleting with a handle that is no longer the message's latest (the message was
//! deleted or received again) succeeds without deleting; only a handle no receive could have
//! handed out is `ReceiptHandleIsInvalid`.

use std::time::Duration;

use lambda_sim_pipeline::Queue;
use serde_json::{Map, json};

use super::batch::{self, BatchEntry};
use super::errors::{
    invalid_value, missing_parameter, receipt_handle_is_invalid, required, sqs_error,
};
use super::url::named_queue;
use crate::State;
use crate::json_protocol::{Input, Outcome, ServiceError};

/// The longest visibility timeout.
const MAX_VISIBILITY_SECONDS: i64 = 43_200;

/// `DeleteMessage`.
pub(super) fn delete_message(state: &State, input: &Input<'_>) -> Outcome {
    let queue = named_queue(state, input)?;
    delete(&queue, input)?;
    Ok(json!({}))
}

/// `DeleteMessageBatch`.
pub(super) fn delete_message_batch(state: &State, input: &Input<'_>) -> Outcome {
    let queue = named_queue(state, input)?;
    let entries = batch::entries(input, "DeleteMessageBatchRequestEntry")?;
    let results = entries
        .iter()
        .map(|BatchEntry { id, input }| (*id, delete(&queue, input).map(|()| Map::new())))
        .collect();
    batch::answer(results)
}

/// `ChangeMessageVisibility`.
pub(super) fn change_message_visibility(state: &State, input: &Input<'_>) -> Outcome {
    let queue = named_queue(state, input)?;
    change_visibility(state, &queue, input)?;
    Ok(json!({}))
}

/// `ChangeMessageVisibilityBatch`.
pub(super) fn change_message_visibility_batch(state: &State, input: &Input<'_>) -> Outcome {
    let queue = named_queue(state, input)?;
    let entries = batch::entries(input, "ChangeMessageVisibilityBatchRequestEntry")?;
    let results = entries
        .iter()
        .map(|BatchEntry { id, input }| {
            let result = change_visibility(state, &queue, input).map(|()| Map::new());
            (*id, result)
        })
        .collect();
    batch::answer(results)
}

/// The request's `ReceiptHandle`, if it has the shape of one.
fn receipt_handle<'a>(input: &Input<'a>) -> Result<&'a str, ServiceError> {
    let handle = required(input, "ReceiptHandle")?;
    if Queue::is_receipt_handle(handle) {
        Ok(handle)
    } else {
        Err(receipt_handle_is_invalid(handle))
    }
}

/// Deletes the message the request's handle names, if it is still the latest.
fn delete(queue: &Queue, input: &Input<'_>) -> Result<(), ServiceError> {
    let handle = receipt_handle(input)?;
    queue.delete_message(handle);
    Ok(())
}

/// Changes the visibility of the in-flight message the request's handle names.
fn change_visibility(state: &State, queue: &Queue, input: &Input<'_>) -> Result<(), ServiceError> {
    let handle = receipt_handle(input)?;
    let timeout = match input.opt_i64("VisibilityTimeout")? {
        None => return Err(missing_parameter("VisibilityTimeout")),
        Some(t @ 0..=MAX_VISIBILITY_SECONDS) => Duration::from_secs(t.unsigned_abs()),
        Some(t) => {
            return Err(invalid_value(
                "VisibilityTimeout",
                t,
                "Must be between 0 and 43200.",
            ));
        }
    };
    let now = state.clock.now();
    let gone = || {
        invalid_value(
            "ReceiptHandle",
            handle,
            "Message does not exist or is not available for visibility timeout change.",
        )
    };
    match queue.in_flight_until(handle) {
        None => Err(gone()),
        Some(until) if until <= now => Err(sqs_error(
            "MessageNotInflight",
            "AWS.SimpleQueueService.MessageNotInflight",
            "The message is not in flight: its visibility timeout has ended.",
        )),
        Some(_) if queue.change_visibility(handle, timeout, now) => Ok(()),
        Some(_) => Err(gone()),
    }
}
