//! `ReceiveMessage`: up to 10 visible messages, long polling up to 20 s, a visibility timeout
//! of the caller's, and the system and message attributes asked for.

use std::time::{Duration, UNIX_EPOCH};

use lambda_sim_pipeline::Queue;
use serde_json::{Map, Value, json};

use super::errors::{invalid_attribute_name, invalid_value};
use super::message_attributes;
use super::send::md5_hex;
use super::url::named_queue;
use crate::State;
use crate::json_protocol::{Input, Outcome, ServiceError};

/// How often a long poll looks at the queue again, on the host's clock.
const POLL_STEP: Duration = Duration::from_millis(20);

/// The system attributes a receive can answer, for `All`.
const SYSTEM_ATTRIBUTES: [&str; 4] = [
    "ApproximateFirstReceiveTimestamp",
    "ApproximateReceiveCount",
    "SenderId",
    "SentTimestamp",
];

/// System attribute names SQS knows that a standard queue's messages never carry here.
const ABSENT_SYSTEM_ATTRIBUTES: [&str; 5] = [
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
];

/// `ReceiveMessage`.
pub(super) async fn receive_message(state: &State, input: &Input<'_>) -> Outcome {
    let queue = named_queue(state, input)?;
    let max = ranged(
        input,
        "MaxNumberOfMessages",
        1,
        10,
        "Must be between 1 and 10, if provided.",
    )?
    .unwrap_or(1);
    let visibility = ranged(
        input,
        "VisibilityTimeout",
        0,
        43_200,
        "Must be between 0 and 43200, if provided.",
    )?
    .map(Duration::from_secs);
    let wait = ranged(
        input,
        "WaitTimeSeconds",
        0,
        20,
        "Must be >= 0 and <= 20, if provided.",
    )?
    .map_or_else(|| queue.config().receive_wait_time, Duration::from_secs);
    let system_names = system_attribute_names(input)?;
    let attribute_names = names(input, "MessageAttributeNames")?;
    let max = usize::try_from(max).unwrap_or(1);
    let deadline = tokio::time::Instant::now() + wait;
    let received = loop {
        let got = queue.receive_messages_with(state.clock.now(), max, usize::MAX, visibility);
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if !got.is_empty() || left.is_zero() {
            break got;
        }
        tokio::time::sleep(POLL_STEP.min(left)).await;
    };
    if received.is_empty() {
        return Ok(json!({}));
    }
    let messages: Vec<Value> = received
        .into_iter()
        .map(|(received, attributes)| {
            let message = &received.message;
            let mut out = Map::new();
            out.insert("MessageId".into(), Value::from(message.message_id.clone()));
            out.insert(
                "ReceiptHandle".into(),
                Value::from(received.receipt_handle.clone()),
            );
            out.insert(
                "MD5OfBody".into(),
                Value::from(md5_hex(message.body.as_bytes())),
            );
            out.insert("Body".into(), Value::from(message.body.clone()));
            let system = system_attributes(state, &queue, message, &system_names);
            if !system.is_empty() {
                out.insert("Attributes".into(), Value::Object(system));
            }
            let selected = message_attributes::select(&attributes, &attribute_names);
            if let Some(md5) = message_attributes::md5_of(&selected) {
                out.insert("MD5OfMessageAttributes".into(), Value::from(md5));
                out.insert("MessageAttributes".into(), Value::Object(selected));
            }
            Value::Object(out)
        })
        .collect();
    Ok(json!({ "Messages": messages }))
}

/// An optional whole number within `min..=max`, refused with `reason` outside it.
fn ranged(
    input: &Input<'_>,
    name: &str,
    min: i64,
    max: i64,
    reason: &str,
) -> Result<Option<u64>, ServiceError> {
    match input.opt_i64(name)? {
        None => Ok(None),
        Some(v) if (min..=max).contains(&v) => Ok(Some(v.unsigned_abs())),
        Some(v) => Err(invalid_value(name, v, reason)),
    }
}

/// An optional list of strings.
fn names<'a>(input: &Input<'a>, member: &str) -> Result<Vec<&'a str>, ServiceError> {
    if input.get(member).is_none() {
        return Ok(Vec::new());
    }
    input
        .list(member)?
        .iter()
        .map(|v| {
            v.as_str().ok_or_else(|| {
                ServiceError::new(
                    "SerializationException",
                    format!("each member of '{member}' must be a string"),
                )
            })
        })
        .collect()
}

/// The system attributes asked for by `AttributeNames` (deprecated) and
/// `MessageSystemAttributeNames` together.
fn system_attribute_names<'a>(input: &Input<'a>) -> Result<Vec<&'a str>, ServiceError> {
    let mut wanted = names(input, "AttributeNames")?;
    wanted.extend(names(input, "MessageSystemAttributeNames")?);
    let mut out = Vec::new();
    for name in wanted {
        if name == "All" {
            out.extend(SYSTEM_ATTRIBUTES);
        } else if SYSTEM_ATTRIBUTES.contains(&name) {
            out.push(name);
        } else if !ABSENT_SYSTEM_ATTRIBUTES.contains(&name) {
            return Err(invalid_attribute_name(name));
        }
    }
    Ok(out)
}

/// A received message's system attributes among `names`.
fn system_attributes(
    state: &State,
    queue: &Queue,
    message: &lambda_sim_pipeline::sqs::QueueMessage,
    names: &[&str],
) -> Map<String, Value> {
    let mut out = Map::new();
    for &name in names {
        let value = match name {
            "ApproximateReceiveCount" => message.receive_count.to_string(),
            "SentTimestamp" => wall_millis(state, message.sent_at).to_string(),
            "ApproximateFirstReceiveTimestamp" => {
                wall_millis(state, message.first_received_at.unwrap_or(message.sent_at)).to_string()
            }
            "SenderId" => queue.account(),
            _ => continue,
        };
        out.insert(name.to_owned(), Value::String(value));
    }
    out
}

/// Milliseconds since the Unix epoch at simulation time `at`: the wall clock's now, back by
/// how long ago `at` was in simulation time.
fn wall_millis(state: &State, at: Duration) -> u128 {
    let back = state.clock.now().saturating_sub(at);
    let wall = state.clock.wall().checked_sub(back).unwrap_or(UNIX_EPOCH);
    wall.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}
