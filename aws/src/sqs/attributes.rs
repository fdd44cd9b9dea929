//! Queue attributes: the settings `CreateQueue` and `SetQueueAttributes` give, checked
//! against SQS's ranges, and the strings `GetQueueAttributes` answers.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lambda_sim_pipeline::QueueConfig;
use lambda_sim_pipeline::sqs::RedrivePolicy;
use serde_json::{Map, Value, json};

use super::Entry;
use super::errors::{invalid_attribute_name, invalid_attribute_value, invalid_value, unsupported};
use crate::State;
use crate::json_protocol::ServiceError;

/// Attributes kept as given and answered back, with no effect on the simulation.
const OPAQUE: [&str; 5] = [
    "Policy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "RedriveAllowPolicy",
];

/// Every attribute `GetQueueAttributes` answers for `All`, besides the opaque ones.
const READABLE: [&str; 12] = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "DelaySeconds",
    "LastModifiedTimestamp",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "QueueArn",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "VisibilityTimeout",
];

/// FIFO queues' attributes: a standard queue has none of them.
const FIFO_ONLY: [&str; 4] = [
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
];

/// A queue's settings and the attributes kept as given.
#[derive(Clone)]
pub(super) struct Settings {
    /// The queue's settings.
    pub(super) config: QueueConfig,
    /// The attributes kept as given (`Policy`, ...).
    pub(super) opaque: BTreeMap<String, String>,
}

impl Settings {
    /// Applies `attributes` (a `CreateQueue`'s or a `SetQueueAttributes`') over these.
    pub(super) fn apply(
        &mut self,
        state: &State,
        attributes: &Map<String, Value>,
    ) -> Result<(), ServiceError> {
        for (name, value) in attributes {
            let text = attribute_text(name, value)?;
            let config = &mut self.config;
            match name.as_str() {
                "VisibilityTimeout" => config.visibility_timeout = seconds(name, &text, 43_200)?,
                "DelaySeconds" => config.delay = seconds(name, &text, 900)?,
                "ReceiveMessageWaitTimeSeconds" => {
                    config.receive_wait_time = seconds(name, &text, 20)?
                }
                "MessageRetentionPeriod" => {
                    config.message_retention = seconds(name, &text, 1_209_600)?;
                    if config.message_retention < Duration::from_secs(60) {
                        return Err(invalid_attribute_value(name));
                    }
                }
                "MaximumMessageSize" => {
                    let max = QueueConfig::default().maximum_message_size;
                    config.maximum_message_size = match text.parse::<usize>() {
                        Ok(size) if (1024..=max).contains(&size) => size,
                        _ => return Err(invalid_attribute_value(name)),
                    };
                }
                "RedrivePolicy" => config.redrive_policy = redrive_policy(state, &text)?,
                "FifoQueue" if text == "true" => {
                    return Err(unsupported(
                        "lambda-sim simulates standard queues only: FIFO queues (`.fifo` names, `FifoQueue`) are not supported",
                    ));
                }
                "FifoQueue" if text == "false" => {}
                _ if OPAQUE.contains(&name.as_str()) => {
                    self.opaque.insert(name.clone(), text);
                }
                _ => return Err(invalid_attribute_name(name)),
            }
        }
        Ok(())
    }

    /// The value of an attribute a caller can set, if set.
    pub(super) fn setting(&self, name: &str) -> Option<String> {
        let config = &self.config;
        let value = match name {
            "VisibilityTimeout" => config.visibility_timeout.as_secs().to_string(),
            "DelaySeconds" => config.delay.as_secs().to_string(),
            "ReceiveMessageWaitTimeSeconds" => config.receive_wait_time.as_secs().to_string(),
            "MessageRetentionPeriod" => config.message_retention.as_secs().to_string(),
            "MaximumMessageSize" => config.maximum_message_size.to_string(),
            "RedrivePolicy" => {
                let redrive = config.redrive_policy.as_ref()?;
                json!({
                    "deadLetterTargetArn": redrive.dead_letter_queue.arn(),
                    "maxReceiveCount": redrive.max_receive_count,
                })
                .to_string()
            }
            _ => return self.opaque.get(name).cloned(),
        };
        Some(value)
    }
}

/// An attribute's value as a string (SDKs send strings; numbers and booleans are taken too).
fn attribute_text(name: &str, value: &Value) -> Result<String, ServiceError> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(invalid_attribute_value(name)),
    }
}

/// A whole number of seconds from 0 to `max`.
fn seconds(name: &str, text: &str, max: u64) -> Result<Duration, ServiceError> {
    match text.parse::<u64>() {
        Ok(secs) if secs <= max => Ok(Duration::from_secs(secs)),
        _ => Err(invalid_attribute_value(name)),
    }
}

/// A `RedrivePolicy` (`{"deadLetterTargetArn": ..., "maxReceiveCount": ...}`); an empty
/// string removes it.
fn redrive_policy(state: &State, text: &str) -> Result<Option<RedrivePolicy>, ServiceError> {
    if text.is_empty() {
        return Ok(None);
    }
    let invalid = |reason: &str| invalid_value("RedrivePolicy", text, reason);
    let Ok(Value::Object(policy)) = serde_json::from_str::<Value>(text) else {
        return Err(invalid("Redrive policy is not a valid JSON map."));
    };
    let arn = policy
        .get("deadLetterTargetArn")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
        })?;
    let count = match policy.get("maxReceiveCount") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.parse::<i64>().ok(),
        _ => {
            return Err(invalid(
                "Redrive policy does not contain mandatory attribute: maxReceiveCount.",
            ));
        }
    };
    let max_receive_count = match count.and_then(|c| u32::try_from(c).ok()) {
        Some(c) if (1..=1000).contains(&c) => c,
        _ => {
            return Err(invalid(&format!(
                "Invalid value for maxReceiveCount: {}, valid values are from 1 to 1000 both inclusive.",
                policy
                    .get("maxReceiveCount")
                    .map(ToString::to_string)
                    .unwrap_or_default()
            )));
        }
    };
    let name = arn.rsplit(':').next().unwrap_or(arn);
    let dead_letter_queue = state
        .sqs
        .get(name)
        .filter(|q| q.arn() == arn)
        .ok_or_else(|| invalid("Dead letter target does not exist."))?;
    Ok(Some(RedrivePolicy {
        dead_letter_queue,
        max_receive_count,
    }))
}

/// `GetQueueAttributes`' answer for `names` (`All` for every one); unset attributes are left
/// out.
pub(super) fn queue_attributes(
    state: &State,
    entry: &Entry,
    names: &[&str],
) -> Result<Map<String, Value>, ServiceError> {
    let settings = Settings {
        config: entry.queue.config(),
        opaque: entry.opaque.clone(),
    };
    let mut wanted: Vec<&str> = Vec::new();
    for &name in names {
        if name == "All" {
            wanted.extend(READABLE);
            wanted.extend(OPAQUE);
        } else if READABLE.contains(&name) || OPAQUE.contains(&name) {
            wanted.push(name);
        } else if !FIFO_ONLY.contains(&name) {
            return Err(invalid_attribute_name(name));
        }
    }
    let now = state.clock.now();
    let queue = &entry.queue;
    let mut out = Map::new();
    for name in wanted {
        let value = match name {
            "ApproximateNumberOfMessages" => Some(queue.visible_len(now).to_string()),
            "ApproximateNumberOfMessagesNotVisible" => Some(queue.in_flight_len(now).to_string()),
            "ApproximateNumberOfMessagesDelayed" => Some(queue.delayed_len(now).to_string()),
            "CreatedTimestamp" => Some(epoch_seconds(entry.created)),
            "LastModifiedTimestamp" => Some(epoch_seconds(entry.modified)),
            "QueueArn" => Some(queue.arn()),
            _ => settings.setting(name),
        };
        if let Some(value) = value {
            out.insert(name.to_owned(), Value::String(value));
        }
    }
    Ok(out)
}

/// Whole seconds since the Unix epoch, as SQS writes timestamps in attributes.
fn epoch_seconds(at: SystemTime) -> String {
    at.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
        .to_string()
}
