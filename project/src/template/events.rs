//! A function's `Events` of type `Kinesis` and `SQS`, as event-source mappings: their `Stream`
//! or `Queue` names a resource by `!GetAtt X.Arn`, `!Ref X` or a literal ARN.

use lambda_sim_pipeline::kinesis::{
    DestinationConfig, FunctionResponseType, OnFailure, StartingPosition,
};
use lambda_sim_pipeline::{KinesisMappingConfig, SqsMappingConfig};

use super::context::Context;
use super::syntax::{Event, EventProperties, Reader};
use crate::{MappingSpec, Result};

/// What both kinds of mapping read.
struct Common {
    batch_size: Option<u32>,
    window: Option<u32>,
    response_types: Vec<FunctionResponseType>,
}

/// An event being read: `Events.<key>.Properties`.
struct EventContext<'a> {
    resource: &'a Context<'a>,
    key: &'a str,
    properties: &'a EventProperties,
}

impl EventContext<'_> {
    /// The full name of one of the event's properties, in messages.
    fn at(&self, property: &str) -> String {
        format!("Events.{}.Properties.{property}", self.key)
    }

    fn common(&self, warnings: &mut Vec<String>) -> Result<Common> {
        let (c, p) = (self.resource, self.properties);
        let batch_size = match &p.batch_size {
            Some(leaf) => c.count(&self.at("BatchSize"), leaf, warnings)?,
            None => None,
        };
        let window = match &p.maximum_batching_window_in_seconds {
            Some(leaf) => c.count(&self.at("MaximumBatchingWindowInSeconds"), leaf, warnings)?,
            None => None,
        };
        let property = self.at("FunctionResponseTypes");
        let mut response_types = Vec::new();
        for leaf in p.function_response_types.iter().flatten() {
            match c.string(&property, leaf, warnings)?.as_deref() {
                Some("ReportBatchItemFailures") => {
                    response_types.push(FunctionResponseType::ReportBatchItemFailures);
                }
                Some(other) => {
                    return Err(c.error(
                        leaf,
                        format!("`{property}` `{other}` is not `ReportBatchItemFailures`"),
                    ));
                }
                None => {}
            }
        }
        Ok(Common {
            batch_size,
            window,
            response_types,
        })
    }

    fn sqs(
        &self,
        function: &str,
        common: Common,
        warnings: &mut Vec<String>,
    ) -> Result<MappingSpec> {
        let c = self.resource;
        let property = self.at("Queue");
        let leaf = self
            .properties
            .queue
            .as_ref()
            .ok_or_else(|| c.missing(&property))?;
        let queue = c.reference(&property, leaf, warnings)?;
        let mut config = SqsMappingConfig {
            function_name: function.to_owned(),
            function_response_types: common.response_types,
            ..SqsMappingConfig::default()
        };
        if let Some(n) = common.batch_size {
            config.batch_size = n;
        }
        if let Some(n) = common.window {
            config.maximum_batching_window_in_seconds = n;
        }
        Ok(MappingSpec::Sqs { queue, config })
    }

    fn kinesis(
        &self,
        function: &str,
        common: Common,
        warnings: &mut Vec<String>,
    ) -> Result<MappingSpec> {
        let (c, p) = (self.resource, self.properties);
        let property = self.at("Stream");
        let leaf = p.stream.as_ref().ok_or_else(|| c.missing(&property))?;
        let stream = c.reference(&property, leaf, warnings)?;
        let mut config = KinesisMappingConfig {
            function_name: function.to_owned(),
            function_response_types: common.response_types,
            ..KinesisMappingConfig::default()
        };
        if let Some(n) = common.batch_size {
            config.batch_size = n;
        }
        if let Some(n) = common.window {
            config.maximum_batching_window_in_seconds = n;
        }
        if let Some(leaf) = &p.parallelization_factor
            && let Some(n) = c.count(&self.at("ParallelizationFactor"), leaf, warnings)?
        {
            config.parallelization_factor = n;
        }
        if let Some(leaf) = &p.maximum_retry_attempts
            && let Some(n) = c.integer(&self.at("MaximumRetryAttempts"), leaf, warnings)?
        {
            config.maximum_retry_attempts = n;
        }
        if let Some(leaf) = &p.maximum_record_age_in_seconds
            && let Some(n) = c.integer(&self.at("MaximumRecordAgeInSeconds"), leaf, warnings)?
        {
            config.maximum_record_age_in_seconds = n;
        }
        if let Some(leaf) = &p.bisect_batch_on_function_error
            && let Some(flag) = c.flag(&self.at("BisectBatchOnFunctionError"), leaf, warnings)?
        {
            config.bisect_batch_on_function_error = flag;
        }
        if let Some(position) = self.starting_position(warnings)? {
            config.starting_position = position;
        }
        if let Some(on_failure) = p
            .destination_config
            .as_ref()
            .and_then(|d| d.on_failure.as_ref())
            && let Some(destination) = c.string(
                &self.at("DestinationConfig.OnFailure.Destination"),
                &on_failure.destination,
                warnings,
            )?
        {
            config.destination_config = Some(DestinationConfig {
                on_failure: Some(OnFailure { destination }),
            });
        }
        Ok(MappingSpec::Kinesis { stream, config })
    }

    fn starting_position(&self, warnings: &mut Vec<String>) -> Result<Option<StartingPosition>> {
        let Some(leaf) = &self.properties.starting_position else {
            return Ok(None);
        };
        let property = self.at("StartingPosition");
        match self.resource.string(&property, leaf, warnings)?.as_deref() {
            Some("LATEST") => Ok(Some(StartingPosition::Latest)),
            Some("TRIM_HORIZON") | None => Ok(Some(StartingPosition::TrimHorizon)),
            Some(other) => Err(self.resource.error(
                leaf,
                format!("`{property}` `{other}` is not simulated (TRIM_HORIZON or LATEST)"),
            )),
        }
    }
}

impl Context<'_> {
    /// A function's event of type `Kinesis` or `SQS` as an event-source mapping.
    pub(super) fn mapping(
        &self,
        key: &str,
        event: &Event,
        function: &str,
        warnings: &mut Vec<String>,
    ) -> Result<MappingSpec> {
        let empty = EventProperties::default();
        let event_context = EventContext {
            resource: self,
            key,
            properties: event.properties.as_ref().unwrap_or(&empty),
        };
        for other in event_context.properties.unread(Reader::EventSource) {
            warnings.push(self.warning(
                None,
                format!("`{}` ignored: not simulated", event_context.at(other)),
            ));
        }
        let common = event_context.common(warnings)?;
        if event.r#type == "SQS" {
            event_context.sqs(function, common, warnings)
        } else {
            event_context.kinesis(function, common, warnings)
        }
    }
}
