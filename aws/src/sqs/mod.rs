//! SQS in its JSON protocol (`AmazonSQS.*`) over the pipeline's queues: the queues an
//! event-source mapping reads are the ones `SendMessage` writes.
//!
//! Standard queues only (a FIFO queue is refused with `UnsupportedOperation`). Limits are
//! SQS's: a message of 1 MiB at most, body and attributes together (the limit since August
//! 2025; 256 KiB before), 10 entries and 1 MiB a batch, 10 messages a receive, long polling up
//! to 20 s, visibility timeouts up to 12 h. Errors carry SQS's JSON codes and the
//! `x-amzn-query-error` header from which SDKs give the query protocol's codes
//! (`AWS.SimpleQueueService.NonExistentQueue` for `QueueDoesNotExist`).

mod attributes;
mod batch;
mod errors;
mod handles;
mod message_attributes;
mod queue_operations;
mod receive;
mod send;
#[cfg(test)]
mod tests;
mod url;

use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use lambda_sim_pipeline::Queue;

use crate::json_protocol::{Input, Outcome};
use crate::{Error, State};

/// The queues, by name.
#[derive(Default)]
pub(crate) struct Queues {
    queues: RwLock<BTreeMap<String, Entry>>,
}

/// A queue and what the API keeps about it besides its messages and settings.
#[derive(Clone)]
pub(crate) struct Entry {
    /// The queue.
    pub(crate) queue: Queue,
    /// When it was created (`CreatedTimestamp`).
    pub(crate) created: SystemTime,
    /// When its attributes were last set (`LastModifiedTimestamp`).
    pub(crate) modified: SystemTime,
    /// Attributes kept as given, not simulated (`Policy`, `KmsMasterKeyId`, ...).
    pub(crate) opaque: BTreeMap<String, String>,
    /// When it was last purged, in simulation time (one purge a minute).
    pub(crate) purged_at: Option<Duration>,
}

impl Entry {
    /// An entry for `queue`, created at `created`.
    pub(crate) fn new(queue: Queue, created: SystemTime) -> Self {
        Entry {
            queue,
            created,
            modified: created,
            opaque: BTreeMap::new(),
            purged_at: None,
        }
    }
}

impl Queues {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Entry>> {
        self.queues.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Entry>> {
        self.queues.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a queue made elsewhere (a template's); refuses a name in use.
    pub(crate) fn add(&self, queue: Queue) -> Result<(), Error> {
        let name = queue.name();
        match self.insert(Entry::new(queue, SystemTime::now())) {
            Ok(()) => Ok(()),
            Err(_) => Err(Error::Exists {
                kind: "queue",
                name,
            }),
        }
    }

    /// Adds an entry unless its name is in use; otherwise gives back the entry in place.
    pub(crate) fn insert(&self, entry: Entry) -> Result<(), Box<Entry>> {
        let mut queues = self.write();
        let name = entry.queue.name();
        if let Some(existing) = queues.get(&name) {
            return Err(Box::new(existing.clone()));
        }
        queues.insert(name, entry);
        Ok(())
    }

    /// The queue of this name.
    pub(crate) fn get(&self, name: &str) -> Option<Queue> {
        self.read().get(name).map(|e| e.queue.clone())
    }

    /// The entry of the queue of this name.
    pub(crate) fn entry(&self, name: &str) -> Option<Entry> {
        self.read().get(name).cloned()
    }

    /// Changes the entry of the queue of this name, if there is one.
    pub(crate) fn update<R>(&self, name: &str, change: impl FnOnce(&mut Entry) -> R) -> Option<R> {
        self.write().get_mut(name).map(change)
    }

    /// Removes the queue of this name; returns whether there was one.
    pub(crate) fn remove(&self, name: &str) -> bool {
        self.write().remove(name).is_some()
    }

    /// The names of the queues, in order.
    pub(crate) fn names(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }
}

/// Runs one SQS operation; `host` is the request's `Host`, for queue URLs.
pub(crate) async fn call(state: &State, host: &str, operation: &str, input: &Input<'_>) -> Outcome {
    match operation {
        "CreateQueue" => queue_operations::create_queue(state, host, input),
        "GetQueueUrl" => queue_operations::get_queue_url(state, host, input),
        "ListQueues" => queue_operations::list_queues(state, host, input),
        "DeleteQueue" => queue_operations::delete_queue(state, input),
        "PurgeQueue" => queue_operations::purge_queue(state, input),
        "GetQueueAttributes" => queue_operations::get_queue_attributes(state, input),
        "SetQueueAttributes" => queue_operations::set_queue_attributes(state, input),
        "SendMessage" => send::send_message(state, input),
        "SendMessageBatch" => send::send_message_batch(state, input),
        "ReceiveMessage" => receive::receive_message(state, input).await,
        "DeleteMessage" => handles::delete_message(state, input),
        "DeleteMessageBatch" => handles::delete_message_batch(state, input),
        "ChangeMessageVisibility" => handles::change_message_visibility(state, input),
        "ChangeMessageVisibilityBatch" => handles::change_message_visibility_batch(state, input),
        _ => Err(crate::unknown_operation(input.service(), operation)),
    }
}
