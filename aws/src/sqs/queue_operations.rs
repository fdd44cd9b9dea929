//! The operations on queues themselves: `CreateQueue`, `GetQueueUrl`, `ListQueues`,
//! `DeleteQueue`, `PurgeQueue`, `GetQueueAttributes` and `SetQueueAttributes`.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use lambda_sim_pipeline::{Queue, QueueConfig};
use serde_json::{Map, Value, json};

use super::Entry;
use super::attributes::{Settings, queue_attributes};
use super::errors::{
    invalid_parameter, invalid_value, missing_parameter, queue_does_not_exist, required, sqs_error,
};
use super::url::{check_queue_name, name_of_url, named_entry, queue_url};
use crate::json_protocol::{Input, Outcome, ServiceError};
use crate::{ACCOUNT, REGION, State};

/// The most queue URLs a `ListQueues` answers.
const MAX_LIST: usize = 1000;
/// How long after a purge the queue refuses another.
const PURGE_INTERVAL: Duration = Duration::from_secs(60);

/// `CreateQueue`: a new standard queue, or the URL of an existing one whose attributes are
/// the ones given.
pub(super) fn create_queue(state: &State, host: &str, input: &Input<'_>) -> Outcome {
    let name = required(input, "QueueName")?;
    check_queue_name(name)?;
    let no_attributes = Map::new();
    let given = input.opt_object("Attributes")?.unwrap_or(&no_attributes);
    if let Some(entry) = state.sqs.entry(name) {
        return existing_queue(state, host, &entry, given);
    }
    let mut settings = Settings {
        config: QueueConfig {
            name: name.to_owned(),
            region: REGION.to_owned(),
            account: ACCOUNT.to_owned(),
            ..QueueConfig::default()
        },
        opaque: Default::default(),
    };
    settings.apply(state, given)?;
    let queue = Queue::new(settings.config).map_err(|e| invalid_parameter(e.to_string()))?;
    let url = queue_url(host, &queue);
    let mut entry = Entry::new(queue, state.clock.wall());
    entry.opaque = settings.opaque;
    match state.sqs.insert(entry) {
        Ok(()) => Ok(json!({ "QueueUrl": url })),
        // Created meanwhile by another request.
        Err(entry) => existing_queue(state, host, &entry, given),
    }
}

/// The answer to a `CreateQueue` of a queue that exists: its URL if every attribute given
/// has its value, `QueueNameExists` otherwise.
fn existing_queue(state: &State, host: &str, entry: &Entry, given: &Map<String, Value>) -> Outcome {
    let current = Settings {
        config: entry.queue.config(),
        opaque: entry.opaque.clone(),
    };
    let mut wanted = current.clone();
    wanted.apply(state, given)?;
    if let Some(name) = given
        .keys()
        .find(|n| current.setting(n) != wanted.setting(n))
    {
        return Err(sqs_error(
            "QueueNameExists",
            "QueueAlreadyExists",
            format!(
                "A queue already exists with the same name and a different value for attribute {name}"
            ),
        ));
    }
    Ok(json!({ "QueueUrl": queue_url(host, &entry.queue) }))
}

/// `GetQueueUrl`.
pub(super) fn get_queue_url(state: &State, host: &str, input: &Input<'_>) -> Outcome {
    let name = required(input, "QueueName")?;
    let queue = state.sqs.get(name).ok_or_else(queue_does_not_exist)?;
    Ok(json!({ "QueueUrl": queue_url(host, &queue) }))
}

/// `ListQueues`: the queues whose names start with `QueueNamePrefix`, in order of name, by
/// pages of `MaxResults` when it is given.
pub(super) fn list_queues(state: &State, host: &str, input: &Input<'_>) -> Outcome {
    let prefix = input.opt_string("QueueNamePrefix")?.unwrap_or("");
    let page_size = match input.opt_i64("MaxResults")? {
        None => None,
        Some(n @ 1..=1000) => usize::try_from(n).ok(),
        Some(n) => {
            return Err(invalid_value(
                "MaxResults",
                n,
                "MaxResults must be an integer between 1 and 1000.",
            ));
        }
    };
    let after = match input.opt_string("NextToken")? {
        None => None,
        Some(token) => Some(
            URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| invalid_parameter("Invalid NextToken value."))?,
        ),
    };
    let names: Vec<String> = state
        .sqs
        .names()
        .into_iter()
        .filter(|n| n.starts_with(prefix) && after.as_ref().is_none_or(|a| n > a))
        .collect();
    let limit = page_size.unwrap_or(MAX_LIST);
    let page = &names[..names.len().min(limit)];
    let urls: Vec<Value> = page
        .iter()
        .filter_map(|n| state.sqs.get(n))
        .map(|q| Value::from(queue_url(host, &q)))
        .collect();
    let mut out = Map::new();
    if !urls.is_empty() {
        out.insert("QueueUrls".into(), Value::from(urls));
    }
    if page_size.is_some()
        && names.len() > limit
        && let Some(last) = page.last()
    {
        out.insert(
            "NextToken".into(),
            Value::from(URL_SAFE_NO_PAD.encode(last)),
        );
    }
    Ok(Value::Object(out))
}

/// `DeleteQueue`: the queue goes with its messages (a queue that redrives to it keeps
/// redriving to the deleted queue, as in SQS messages are then lost).
pub(super) fn delete_queue(state: &State, input: &Input<'_>) -> Outcome {
    let url = required(input, "QueueUrl")?;
    if state.sqs.remove(name_of_url(url)) {
        Ok(json!({}))
    } else {
        Err(queue_does_not_exist())
    }
}

/// `PurgeQueue`: deletes every message; one purge a minute.
pub(super) fn purge_queue(state: &State, input: &Input<'_>) -> Outcome {
    let url = required(input, "QueueUrl")?;
    let name = name_of_url(url);
    let now = state.clock.now();
    let queue = state
        .sqs
        .update(name, |entry| match entry.purged_at {
            Some(at) if now < at + PURGE_INTERVAL => Err(sqs_error(
                "PurgeQueueInProgress",
                "AWS.SimpleQueueService.PurgeQueueInProgress",
                format!("Only one PurgeQueue operation on {name} is allowed every 60 seconds."),
            )),
            _ => {
                entry.purged_at = Some(now);
                Ok(entry.queue.clone())
            }
        })
        .ok_or_else(queue_does_not_exist)??;
    queue.purge();
    Ok(json!({}))
}

/// `GetQueueAttributes`.
pub(super) fn get_queue_attributes(state: &State, input: &Input<'_>) -> Outcome {
    let entry = named_entry(state, input)?;
    let names: Vec<&str> = match input.get("AttributeNames") {
        None => Vec::new(),
        Some(_) => input
            .list("AttributeNames")?
            .iter()
            .map(|v| {
                v.as_str().ok_or_else(|| {
                    ServiceError::new(
                        "SerializationException",
                        "each member of 'AttributeNames' must be a string",
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let attributes = queue_attributes(state, &entry, &names)?;
    if attributes.is_empty() {
        return Ok(json!({}));
    }
    Ok(json!({ "Attributes": attributes }))
}

/// `SetQueueAttributes`.
pub(super) fn set_queue_attributes(state: &State, input: &Input<'_>) -> Outcome {
    let entry = named_entry(state, input)?;
    let Some(given) = input.opt_object("Attributes")? else {
        return Err(missing_parameter("Attributes"));
    };
    let mut settings = Settings {
        config: entry.queue.config(),
        opaque: entry.opaque.clone(),
    };
    settings.apply(state, given)?;
    entry
        .queue
        .reconfigure(settings.config)
        .map_err(|e| invalid_parameter(e.to_string()))?;
    let wall = state.clock.wall();
    state.sqs.update(&entry.queue.name(), |e| {
        e.opaque = settings.opaque;
        e.modified = wall;
    });
    Ok(json!({}))
}
