//! SQS in its JSON protocol (`AmazonSQS.*`) over the pipeline's queues.

use std::collections::BTreeMap;
use std::sync::RwLock;

use lambda_sim_pipeline::Queue;

use crate::json_protocol::{Input, Outcome};
use crate::{Error, State};

/// The queues, by name.
#[derive(Default)]
pub(crate) struct Queues {
    queues: RwLock<BTreeMap<String, Queue>>,
}

impl Queues {
    /// Adds a queue made elsewhere (a template's); refuses a name in use.
    pub(crate) fn add(&self, queue: Queue) -> Result<(), Error> {
        let mut queues = self
            .queues
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let name = queue.name();
        if queues.contains_key(&name) {
            return Err(Error::Exists {
                kind: "queue",
                name,
            });
        }
        queues.insert(name, queue);
        Ok(())
    }

    /// The queue of this name.
    pub(crate) fn get(&self, name: &str) -> Option<Queue> {
        self.queues
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .cloned()
    }
}

/// Runs one SQS operation; `host` is the request's `Host`, for queue URLs.
pub(crate) async fn call(
    _state: &State,
    _host: &str,
    operation: &str,
    input: &Input<'_>,
) -> Outcome {
    Err(crate::unknown_operation(input.service(), operation))
}
