//! Queue URLs (`http://<host>/<account>/<name>`) and queue names: the queue a request names.

use lambda_sim_pipeline::Queue;

use super::Entry;
use super::errors::{queue_does_not_exist, required, sqs_error};
use crate::State;
use crate::json_protocol::{Input, ServiceError};

/// The URL of `queue` as a client that reached the APIs at `host` uses it.
pub(super) fn queue_url(host: &str, queue: &Queue) -> String {
    format!("http://{host}/{}/{}", queue.account(), queue.name())
}

/// The queue name in a queue URL of any host: its last path segment.
pub(super) fn name_of_url(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path)
}

/// The queue (and its entry) that the request's `QueueUrl` names.
pub(super) fn named_entry(state: &State, input: &Input<'_>) -> Result<Entry, ServiceError> {
    let url = required(input, "QueueUrl")?;
    state
        .sqs
        .entry(name_of_url(url))
        .ok_or_else(queue_does_not_exist)
}

/// The queue that the request's `QueueUrl` names.
pub(super) fn named_queue(state: &State, input: &Input<'_>) -> Result<Queue, ServiceError> {
    named_entry(state, input).map(|e| e.queue)
}

/// Checks a new queue's name: 1-80 letters, digits, `-`, `_`; a `.fifo` name is refused as
/// FIFO queues are not simulated.
pub(super) fn check_queue_name(name: &str) -> Result<(), ServiceError> {
    if name.ends_with(".fifo") {
        return Err(super::errors::unsupported(
            "lambda-sim simulates standard queues only: FIFO queues (`.fifo` names, `FifoQueue`) are not supported",
        ));
    }
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if name.is_empty() || name.len() > 80 || !name.chars().all(ok) {
        return Err(sqs_error(
            "InvalidParameterValue",
            "InvalidParameterValue",
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_url_of_any_host_names_its_last_segment() {
        for url in [
            "http://127.0.0.1:9001/123456789012/orders",
            "https://sqs.us-east-1.amazonaws.com/123456789012/orders/",
            "http://localhost/000000000000/orders?x=1",
            "orders",
        ] {
            assert_eq!(name_of_url(url), "orders", "{url}");
        }
    }
}
