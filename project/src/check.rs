//! The checks of a project's event sources (and, in `check/http.rs`, of its HTTP front door),
//! in one place for both kinds of file: every setting against AWS's ranges, every name defined
//! once, every reference to something the file defines. The error names the first mistake.

use std::collections::BTreeSet;

use crate::{Error, MappingSpec, Project, Result};

mod http;

pub(crate) use http::{kind_name, timeout_range_ms};

fn invalid(message: String) -> Result<()> {
    Err(Error::InvalidConfig(message))
}

impl Project {
    /// Checks the streams, queues, delivery streams and mappings (the functions are checked as
    /// they are read).
    pub(crate) fn check_event_sources(&self) -> Result<()> {
        let mut names = BTreeSet::new();
        self.check_streams(&mut names)?;
        self.check_queues(&mut names)?;
        for delivery in &self.delivery_streams {
            if !names.insert(("delivery stream", delivery.name.as_str())) {
                return invalid(format!(
                    "delivery stream `{}` is defined twice",
                    delivery.name
                ));
            }
            delivery.validate().map_err(|err| {
                Error::InvalidConfig(format!("delivery stream `{}`: {err}", delivery.name))
            })?;
        }
        for mapping in &self.mappings {
            self.check_mapping(mapping, &names)?;
        }
        Ok(())
    }

    fn check_streams<'a>(&'a self, names: &mut BTreeSet<(&str, &'a str)>) -> Result<()> {
        for stream in &self.streams {
            if !names.insert(("stream", stream.name.as_str())) {
                return invalid(format!("stream `{}` is defined twice", stream.name));
            }
            if !(1..=500).contains(&stream.shards) {
                return invalid(format!(
                    "stream `{}`: {} shards is outside Kinesis's range of 1 to 500",
                    stream.name, stream.shards
                ));
            }
            if !(24..=8_760).contains(&stream.retention_hours) {
                return invalid(format!(
                    "stream `{}`: a retention of {} hours is outside Kinesis's range of 24 to 8760",
                    stream.name, stream.retention_hours
                ));
            }
        }
        Ok(())
    }

    fn check_queues<'a>(&'a self, names: &mut BTreeSet<(&str, &'a str)>) -> Result<()> {
        for queue in &self.queues {
            if !names.insert(("queue", queue.name.as_str())) {
                return invalid(format!("queue `{}` is defined twice", queue.name));
            }
            if queue.visibility_timeout > 43_200 {
                return invalid(format!(
                    "queue `{}`: a visibility timeout of {} s is outside SQS's range of 0 to 43200 seconds",
                    queue.name, queue.visibility_timeout
                ));
            }
            if !(1..=1_000).contains(&queue.max_receive_count) {
                return invalid(format!(
                    "queue `{}`: a maxReceiveCount of {} is outside SQS's range of 1 to 1000",
                    queue.name, queue.max_receive_count
                ));
            }
        }
        for queue in &self.queues {
            if let Some(dlq) = &queue.dead_letter_queue
                && (dlq == &queue.name || !self.queues.iter().any(|q| &q.name == dlq))
            {
                return invalid(format!(
                    "queue `{}`: its dead-letter queue `{dlq}` is not another queue of the file",
                    queue.name
                ));
            }
        }
        Ok(())
    }

    fn check_mapping(&self, mapping: &MappingSpec, names: &BTreeSet<(&str, &str)>) -> Result<()> {
        let function = mapping.function();
        if self.function(function).is_none() {
            return invalid(format!(
                "an event source mapping invokes `{function}`, which is not a function of the file"
            ));
        }
        let checked = match mapping {
            MappingSpec::Kinesis { stream, config } => {
                if !names.contains(&("stream", stream.as_str())) {
                    return invalid(format!(
                        "the event source mapping of `{function}` reads stream `{stream}`, which is not a stream of the file"
                    ));
                }
                config.validate()
            }
            MappingSpec::Sqs { queue, config } => {
                if !names.contains(&("queue", queue.as_str())) {
                    return invalid(format!(
                        "the event source mapping of `{function}` reads queue `{queue}`, which is not a queue of the file"
                    ));
                }
                config.validate()
            }
        };
        checked.map_err(|err| {
            Error::InvalidConfig(format!("event source mapping of `{function}`: {err}"))
        })
    }
}
