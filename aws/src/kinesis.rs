//! Kinesis Data Streams (`Kinesis_20131202.*`) over the pipeline's streams.

use std::collections::BTreeMap;
use std::sync::RwLock;

use lambda_sim_pipeline::{Stream, StreamConfig};

use crate::json_protocol::{Input, Outcome};
use crate::{Error, State};

/// The streams, by name.
#[derive(Default)]
pub(crate) struct Streams {
    streams: RwLock<BTreeMap<String, Stream>>,
}

impl Streams {
    pub(crate) fn add(&self, config: StreamConfig) -> Result<Stream, Error> {
        let mut streams = self
            .streams
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if streams.contains_key(&config.name) {
            return Err(Error::Exists {
                kind: "stream",
                name: config.name,
            });
        }
        let stream = Stream::new(config)?;
        streams.insert(stream.name(), stream.clone());
        Ok(stream)
    }

    pub(crate) fn get(&self, name: &str) -> Option<Stream> {
        self.streams
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .cloned()
    }
}

/// Runs one Kinesis operation.
pub(crate) fn call(_state: &State, operation: &str, input: &Input<'_>) -> Outcome {
    Err(crate::unknown_operation(input.service(), operation))
}
