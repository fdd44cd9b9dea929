//! `SendMessage` and `SendMessageBatch`: a body of valid characters, message attributes,
//! a delay, and the digests SDKs check.

use std::time::Duration;

use lambda_sim_pipeline::Queue;
use serde_json::{Map, Value};

use super::batch::{self, BatchEntry};
use super::errors::{invalid_parameter, invalid_value, missing_parameter, sqs_error};
use super::message_attributes;
use super::url::named_queue;
use crate::State;
use crate::json_protocol::{Input, Outcome, ServiceError};

/// The most bytes a batch's messages hold together, bodies and attributes: 1 MiB, as a
/// message since August 2025.
const MAX_BATCH_BYTES: usize = 1 << 20;
/// The longest delay a message can ask for.
const MAX_DELAY_SECONDS: i64 = 900;

/// A message checked and ready to send.
struct Outgoing {
    body: String,
    attributes: message_attributes::Checked,
    system_md5: Option<String>,
    delay: Option<Duration>,
}

impl Outgoing {
    /// The bytes it counts toward the message and batch limits.
    fn size(&self) -> usize {
        self.body.len() + self.attributes.size
    }

    /// Sends it at the clock's now; returns the result's members.
    fn send(self, state: &State, queue: &Queue) -> Map<String, Value> {
        let md5_body = md5_hex(self.body.as_bytes());
        let id = queue.send_message_with(
            &self.body,
            self.attributes.attributes,
            state.clock.now(),
            self.delay,
        );
        let mut out = Map::new();
        out.insert("MessageId".into(), Value::from(id));
        out.insert("MD5OfMessageBody".into(), Value::from(md5_body));
        if let Some(md5) = self.attributes.md5 {
            out.insert("MD5OfMessageAttributes".into(), Value::from(md5));
        }
        if let Some(md5) = self.system_md5 {
            out.insert("MD5OfMessageSystemAttributes".into(), Value::from(md5));
        }
        out
    }
}

/// `SendMessage`.
pub(super) fn send_message(state: &State, input: &Input<'_>) -> Outcome {
    let queue = named_queue(state, input)?;
    let outgoing = outgoing(input, &queue)?;
    Ok(Value::Object(outgoing.send(state, &queue)))
}

/// `SendMessageBatch`: each entry is checked and sent on its own, but the batch is refused
/// whole if its messages hold more than 1 MiB.
pub(super) fn send_message_batch(state: &State, input: &Input<'_>) -> Outcome {
    let queue = named_queue(state, input)?;
    let entries = batch::entries(input, "SendMessageBatchRequestEntry")?;
    let checked: Vec<(&str, Result<Outgoing, ServiceError>)> = entries
        .iter()
        .map(|BatchEntry { id, input }| (*id, outgoing(input, &queue)))
        .collect();
    let total: usize = checked
        .iter()
        .filter_map(|(_, o)| o.as_ref().ok().map(Outgoing::size))
        .sum();
    if total > MAX_BATCH_BYTES {
        return Err(sqs_error(
            "BatchRequestTooLong",
            "AWS.SimpleQueueService.BatchRequestTooLong",
            format!(
                "Batch requested message too long: {total} bytes, a batch can be at most {MAX_BATCH_BYTES} bytes."
            ),
        ));
    }
    let results = checked
        .into_iter()
        .map(|(id, o)| (id, o.map(|o| o.send(state, &queue))))
        .collect();
    batch::answer(results)
}

/// The message a `SendMessage` or a batch entry describes, checked against `queue`.
fn outgoing(input: &Input<'_>, queue: &Queue) -> Result<Outgoing, ServiceError> {
    let body = match input.opt_string("MessageBody")? {
        Some(body) if !body.is_empty() => body,
        _ => return Err(missing_parameter("MessageBody")),
    };
    if let Some(c) = body.chars().find(|&c| !valid_char(c)) {
        return Err(sqs_error(
            "InvalidMessageContents",
            "InvalidMessageContents",
            format!(
                "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF; found #x{:X}",
                u32::from(c)
            ),
        ));
    }
    let delay = match input.opt_i64("DelaySeconds")? {
        None => None,
        Some(d @ 0..=MAX_DELAY_SECONDS) => Some(Duration::from_secs(d.unsigned_abs())),
        Some(d) => {
            return Err(invalid_value(
                "DelaySeconds",
                d,
                "DelaySeconds must be >= 0 and <= 900.",
            ));
        }
    };
    if let Some(dedup) = input.opt_string("MessageDeduplicationId")? {
        return Err(invalid_value(
            "MessageDeduplicationId",
            dedup,
            "The request includes a parameter that is not valid for this queue type.",
        ));
    }
    let attributes = message_attributes::check(input.opt_object("MessageAttributes")?, false)?;
    let system = message_attributes::check(input.opt_object("MessageSystemAttributes")?, true)?;
    let outgoing = Outgoing {
        body: body.to_owned(),
        attributes,
        system_md5: system.md5,
        delay,
    };
    let max = queue.config().maximum_message_size;
    if outgoing.size() > max {
        return Err(invalid_parameter(format!(
            "One or more parameters are invalid. Reason: Message must be shorter than {max} bytes."
        )));
    }
    Ok(outgoing)
}

/// Whether SQS takes `c` in a body: #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD,
/// #x10000-#x10FFFF (a Rust `char` is never a surrogate).
fn valid_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The MD5 digest of `bytes` as 32 lowercase hex digits.
pub(super) fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest as _, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
