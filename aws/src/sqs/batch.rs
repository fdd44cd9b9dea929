//! What SQS's batch operations share: the checks of `Entries` (1-10 entries, distinct ids of
//! letters, digits, `-`, `_`) and the `Successful` / `Failed` answer.

use serde_json::{Map, Value, json};

use super::errors::{missing_parameter, sqs_error};
use crate::json_protocol::{Input, Outcome, ServiceError};

/// The most entries a batch holds.
const MAX_ENTRIES: usize = 10;
/// The longest entry id.
const MAX_ID: usize = 80;

/// One entry of a batch: its id and its members.
pub(super) struct BatchEntry<'a> {
    /// The entry's `Id`.
    pub(super) id: &'a str,
    /// Its members.
    pub(super) input: Input<'a>,
}

/// The request's `Entries` (`entry` names its kind in messages, `SendMessageBatchRequestEntry`).
pub(super) fn entries<'a>(
    input: &Input<'a>,
    entry: &str,
) -> Result<Vec<BatchEntry<'a>>, ServiceError> {
    if input.get("Entries").is_none() {
        return Err(missing_parameter("Entries"));
    }
    let list = input.list("Entries")?;
    if list.is_empty() {
        return Err(sqs_error(
            "EmptyBatchRequest",
            "AWS.SimpleQueueService.EmptyBatchRequest",
            format!("There should be at least one {entry} in the request."),
        ));
    }
    if list.len() > MAX_ENTRIES {
        return Err(sqs_error(
            "TooManyEntriesInBatchRequest",
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            format!(
                "Maximum number of entries per request are {MAX_ENTRIES}. You have sent {}.",
                list.len()
            ),
        ));
    }
    let mut out: Vec<BatchEntry<'a>> = Vec::with_capacity(list.len());
    for value in list {
        let Some(members) = value.as_object() else {
            return Err(ServiceError::new(
                "SerializationException",
                format!("each member of 'Entries' must be a {entry}"),
            ));
        };
        let entry_input = input.nested(members);
        let id = super::errors::required(&entry_input, "Id")?;
        let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if id.len() > MAX_ID || !id.chars().all(ok) {
            return Err(sqs_error(
                "InvalidBatchEntryId",
                "AWS.SimpleQueueService.InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
            ));
        }
        if out.iter().any(|e| e.id == id) {
            return Err(sqs_error(
                "BatchEntryIdsNotDistinct",
                "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                format!("Id {id} repeated."),
            ));
        }
        out.push(BatchEntry {
            id,
            input: entry_input,
        });
    }
    Ok(out)
}

/// One entry's outcome: its id, and its result's members or its error.
pub(super) type EntryResult<'a> = (&'a str, Result<Map<String, Value>, ServiceError>);

/// A batch's answer from each entry's outcome.
pub(super) fn answer(results: Vec<EntryResult<'_>>) -> Outcome {
    let mut successful = Vec::new();
    let mut failed = Vec::new();
    for (id, result) in results {
        match result {
            Ok(mut members) => {
                members.insert("Id".into(), Value::from(id));
                successful.push(Value::Object(members));
            }
            Err(err) => failed.push(json!({
                "Id": id,
                "SenderFault": err.status < 500,
                "Code": err.code,
                "Message": err.message,
            })),
        }
    }
    Ok(json!({ "Successful": successful, "Failed": failed }))
}
