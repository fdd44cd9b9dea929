//! The event sources of a SAM template: `AWS::Kinesis::Stream`, `AWS::SQS::Queue`,
//! `AWS::KinesisFirehose::DeliveryStream` (to an `AWS::S3::Bucket`) resources, and functions'
//! `Events` of type `Kinesis` and `SQS`, whose `Stream` or `Queue` names a resource by
//! `!GetAtt X.Arn`, `!Ref X` or a literal ARN.

use std::collections::BTreeMap;

use lambda_sim_pipeline::kinesis::{DestinationConfig, OnFailure, StartingPosition};
use lambda_sim_pipeline::{KinesisMappingConfig, SqsMappingConfig};
use lambda_sim_services::DeliveryStreamConfig;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::{Context, Intrinsic, Leaf, Resolver};
use crate::event_sources::{MappingSpec, Pipeline, QueueSpec, StreamSpec};
use crate::{Error, Result};

const STREAM: &str = "AWS::Kinesis::Stream";
const QUEUE: &str = "AWS::SQS::Queue";
const DELIVERY_STREAM: &str = "AWS::KinesisFirehose::DeliveryStream";
const BUCKET: &str = "AWS::S3::Bucket";

/// The resource types read here (not warned about as "not simulated").
pub(super) const TYPES: [&str; 4] = [STREAM, QUEUE, DELIVERY_STREAM, BUCKET];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Template {
    #[serde(default)]
    resources: BTreeMap<String, Spanned<Resource>>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Resource {
    r#type: String,
    #[serde(default)]
    properties: Option<Properties>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Properties {
    name: Option<Spanned<Leaf>>,
    shard_count: Option<Spanned<Leaf>>,
    retention_period_hours: Option<Spanned<Leaf>>,
    queue_name: Option<Spanned<Leaf>>,
    visibility_timeout: Option<Spanned<Leaf>>,
    redrive_policy: Option<Redrive>,
    delivery_stream_name: Option<Spanned<Leaf>>,
    extended_s3_destination_configuration: Option<S3Destination>,
    s3_destination_configuration: Option<S3Destination>,
    bucket_name: Option<Spanned<Leaf>>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
struct Redrive {
    #[serde(rename = "deadLetterTargetArn")]
    dead_letter_target_arn: Spanned<Leaf>,
    #[serde(rename = "maxReceiveCount")]
    max_receive_count: Spanned<Leaf>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3Destination {
    #[serde(rename = "BucketARN")]
    bucket_arn: Spanned<Leaf>,
    prefix: Option<Spanned<Leaf>>,
    buffering_hints: Option<BufferingHints>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
struct BufferingHints {
    #[serde(rename = "SizeInMBs")]
    size_in_mbs: Option<Spanned<Leaf>>,
    #[serde(rename = "IntervalInSeconds")]
    interval_in_seconds: Option<Spanned<Leaf>>,
}

/// A function event's `Properties` (types `Kinesis` and `SQS`).
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct EventProperties {
    stream: Option<Spanned<Leaf>>,
    queue: Option<Spanned<Leaf>>,
    starting_position: Option<Spanned<Leaf>>,
    batch_size: Option<Spanned<Leaf>>,
    maximum_batching_window_in_seconds: Option<Spanned<Leaf>>,
    bisect_batch_on_function_error: Option<Spanned<Leaf>>,
    maximum_retry_attempts: Option<Spanned<Leaf>>,
    maximum_record_age_in_seconds: Option<Spanned<Leaf>>,
    parallelization_factor: Option<Spanned<Leaf>>,
    function_response_types: Option<Vec<Spanned<Leaf>>>,
    destination_config: Option<EventDestination>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EventDestination {
    on_failure: Option<EventOnFailure>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EventOnFailure {
    destination: Spanned<Leaf>,
}

fn parse(text: &str, file: &str) -> Result<Template> {
    serde_saphyr::from_str(text).map_err(|err| {
        let message = err.to_string();
        let first = message.lines().next().unwrap_or_default().to_owned();
        Error::InvalidConfig(format!("{file}: {first}"))
    })
}

fn plain_string(leaf: &Option<Spanned<Leaf>>) -> Option<String> {
    match leaf.as_ref().map(|l| &l.value) {
        Some(Leaf::Plain(Value::String(text))) => Some(text.clone()),
        _ => None,
    }
}

/// The names of the template's streams, queues, delivery streams and buckets by logical id:
/// their name property when it is a plain string, else the logical id (lowercased for a
/// bucket).
fn names(template: &Template) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let empty = Properties::default();
    for (id, resource) in &template.resources {
        let resource = &resource.value;
        let properties = resource.properties.as_ref().unwrap_or(&empty);
        let name = match resource.r#type.as_str() {
            STREAM => plain_string(&properties.name),
            QUEUE => plain_string(&properties.queue_name),
            DELIVERY_STREAM => plain_string(&properties.delivery_stream_name),
            BUCKET => Some(plain_string(&properties.bucket_name).unwrap_or(id.to_lowercase())),
            _ => continue,
        };
        names.insert(id.clone(), name.unwrap_or_else(|| id.clone()));
    }
    names
}

/// The template's streams, queues and delivery streams (mappings come with the functions),
/// and the names of its streams, queues, delivery streams and buckets by logical id.
pub(super) fn read(
    text: &str,
    file: &str,
    resolver: &Resolver,
    warnings: &mut Vec<String>,
) -> Result<(Pipeline, BTreeMap<String, String>)> {
    let template = parse(text, file)?;
    let names = names(&template);
    let mut pipeline = Pipeline::default();
    for (id, resource) in &template.resources {
        let resource = &resource.value;
        let kind = match resource.r#type.as_str() {
            STREAM => "stream",
            QUEUE => "queue",
            DELIVERY_STREAM => "delivery stream",
            _ => continue,
        };
        let context = Context {
            file,
            kind,
            logical_id: id,
            resolver,
            sources: &names,
        };
        let empty = Properties::default();
        let properties = resource.properties.as_ref().unwrap_or(&empty);
        let name = names.get(id).cloned().unwrap_or_else(|| id.clone());
        match resource.r#type.as_str() {
            STREAM => {
                let mut stream = StreamSpec {
                    name,
                    shards: 1,
                    retention_hours: 24,
                };
                if let Some(leaf) = &properties.shard_count
                    && let Some(n) = context.count("ShardCount", leaf, warnings)?
                {
                    stream.shards = n as usize;
                }
                if let Some(leaf) = &properties.retention_period_hours
                    && let Some(n) = context.count("RetentionPeriodHours", leaf, warnings)?
                {
                    stream.retention_hours = u64::from(n);
                }
                pipeline.streams.push(stream);
            }
            QUEUE => {
                let mut queue = QueueSpec {
                    name,
                    visibility_timeout: 30,
                    dead_letter_queue: None,
                    max_receive_count: 10,
                };
                if let Some(leaf) = &properties.visibility_timeout
                    && let Some(n) = context.count("VisibilityTimeout", leaf, warnings)?
                {
                    queue.visibility_timeout = u64::from(n);
                }
                if let Some(redrive) = &properties.redrive_policy {
                    queue.dead_letter_queue = Some(context.reference(
                        "RedrivePolicy.deadLetterTargetArn",
                        &redrive.dead_letter_target_arn,
                        warnings,
                    )?);
                    if let Some(n) = context.count(
                        "RedrivePolicy.maxReceiveCount",
                        &redrive.max_receive_count,
                        warnings,
                    )? {
                        queue.max_receive_count = n;
                    }
                }
                pipeline.queues.push(queue);
            }
            _ => {
                let destination = properties
                    .extended_s3_destination_configuration
                    .as_ref()
                    .or(properties.s3_destination_configuration.as_ref())
                    .ok_or_else(|| {
                        Error::InvalidConfig(format!(
                            "{file}: delivery stream `{id}`: only an S3 destination is simulated (`ExtendedS3DestinationConfiguration` or `S3DestinationConfiguration`)"
                        ))
                    })?;
                let bucket = context.reference("BucketARN", &destination.bucket_arn, warnings)?;
                let mut config = DeliveryStreamConfig::new(name, bucket);
                if let Some(leaf) = &destination.prefix
                    && let Some(prefix) = context.string("Prefix", leaf, warnings)?
                {
                    config.prefix = prefix;
                }
                if let Some(hints) = &destination.buffering_hints {
                    if let Some(leaf) = &hints.size_in_mbs
                        && let Some(n) =
                            context.count("BufferingHints.SizeInMBs", leaf, warnings)?
                    {
                        config.buffer_size_mb = n;
                    }
                    if let Some(leaf) = &hints.interval_in_seconds
                        && let Some(n) =
                            context.count("BufferingHints.IntervalInSeconds", leaf, warnings)?
                    {
                        config.buffer_interval_s = n;
                    }
                }
                pipeline.delivery_streams.push(config);
            }
        }
        for key in properties.other.keys() {
            warnings
                .push(context.warning(None, format!("property `{key}` ignored: not simulated")));
        }
    }
    Ok((pipeline, names))
}

impl Context<'_> {
    /// The name of the stream, queue or bucket a property refers to: `!GetAtt X.Arn`,
    /// `!Ref X`, or an ARN (`arn:aws:kinesis:...:stream/name`, `arn:aws:sqs:...:name`,
    /// `arn:aws:s3:::name`).
    fn reference(
        &self,
        property: &str,
        leaf: &Spanned<Leaf>,
        warnings: &mut Vec<String>,
    ) -> Result<String> {
        let logical = match &leaf.value {
            Leaf::Intrinsic(Intrinsic::GetAtt(Value::String(text))) => {
                Some(text.split('.').next().unwrap_or_default().to_owned())
            }
            Leaf::Intrinsic(Intrinsic::GetAtt(Value::Array(parts))) => {
                parts.first().and_then(Value::as_str).map(str::to_owned)
            }
            Leaf::Intrinsic(Intrinsic::Ref(id)) if self.sources.contains_key(id) => {
                Some(id.clone())
            }
            _ => None,
        };
        if let Some(id) = logical {
            return self.sources.get(&id).cloned().ok_or_else(|| {
                self.error(
                    leaf,
                    format!(
                        "`{property}` refers to `{id}`, which is not a stream, queue or bucket of the template"
                    ),
                )
            });
        }
        match self.string(property, leaf, warnings)? {
            Some(arn) if arn.starts_with("arn:") => {
                Ok(arn.rsplit(['/', ':']).next().unwrap_or_default().to_owned())
            }
            Some(other) => Err(self.error(
                leaf,
                format!("`{property}` must be an ARN or `!GetAtt <resource>.Arn`, not `{other}`"),
            )),
            None => Err(self.error(
                leaf,
                format!("`{property}` must name a resource of the template"),
            )),
        }
    }

    fn flag(
        &self,
        property: &str,
        leaf: &Spanned<Leaf>,
        warnings: &mut Vec<String>,
    ) -> Result<Option<bool>> {
        match self.value(property, leaf, warnings) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(flag)),
            Some(Value::String(text)) if text == "true" || text == "false" => {
                Ok(Some(text == "true"))
            }
            Some(other) => Err(self.error(
                leaf,
                format!("`{property}` must be true or false, not `{other}`"),
            )),
        }
    }

    /// A function's event of type `Kinesis` or `SQS` as an event-source mapping.
    pub(super) fn mapping(
        &self,
        key: &str,
        event: &super::Event,
        function: &str,
        warnings: &mut Vec<String>,
    ) -> Result<MappingSpec> {
        let empty = EventProperties::default();
        let p = event.properties.as_ref().unwrap_or(&empty);
        let at = |property: &str| format!("Events.{key}.Properties.{property}");
        for other in p.other.keys() {
            warnings.push(self.warning(None, format!("`{}` ignored: not simulated", at(other))));
        }
        let batch_size = match &p.batch_size {
            Some(leaf) => self.count(&at("BatchSize"), leaf, warnings)?,
            None => None,
        };
        let window = match &p.maximum_batching_window_in_seconds {
            Some(leaf) => self.count(&at("MaximumBatchingWindowInSeconds"), leaf, warnings)?,
            None => None,
        };
        let mut response_types = Vec::new();
        for leaf in p.function_response_types.iter().flatten() {
            match self
                .string(&at("FunctionResponseTypes"), leaf, warnings)?
                .as_deref()
            {
                Some("ReportBatchItemFailures") => response_types.push(
                    lambda_sim_pipeline::kinesis::FunctionResponseType::ReportBatchItemFailures,
                ),
                Some(other) => {
                    return Err(self.error(
                        leaf,
                        format!(
                            "`{}` `{other}` is not `ReportBatchItemFailures`",
                            at("FunctionResponseTypes")
                        ),
                    ));
                }
                None => {}
            }
        }
        if event.r#type == "SQS" {
            let leaf = p.queue.as_ref().ok_or_else(|| self.missing(&at("Queue")))?;
            let queue = self.reference(&at("Queue"), leaf, warnings)?;
            let mut config = SqsMappingConfig {
                function_name: function.to_owned(),
                function_response_types: response_types,
                ..SqsMappingConfig::default()
            };
            if let Some(n) = batch_size {
                config.batch_size = n;
            }
            if let Some(n) = window {
                config.maximum_batching_window_in_seconds = n;
            }
            return Ok(MappingSpec::Sqs { queue, config });
        }
        let leaf = p
            .stream
            .as_ref()
            .ok_or_else(|| self.missing(&at("Stream")))?;
        let stream = self.reference(&at("Stream"), leaf, warnings)?;
        let mut config = KinesisMappingConfig {
            function_name: function.to_owned(),
            function_response_types: response_types,
            ..KinesisMappingConfig::default()
        };
        if let Some(n) = batch_size {
            config.batch_size = n;
        }
        if let Some(n) = window {
            config.maximum_batching_window_in_seconds = n;
        }
        if let Some(leaf) = &p.parallelization_factor
            && let Some(n) = self.count(&at("ParallelizationFactor"), leaf, warnings)?
        {
            config.parallelization_factor = n;
        }
        if let Some(leaf) = &p.maximum_retry_attempts
            && let Some(n) = self.integer(&at("MaximumRetryAttempts"), leaf, warnings)?
        {
            config.maximum_retry_attempts = n;
        }
        if let Some(leaf) = &p.maximum_record_age_in_seconds
            && let Some(n) = self.integer(&at("MaximumRecordAgeInSeconds"), leaf, warnings)?
        {
            config.maximum_record_age_in_seconds = n;
        }
        if let Some(leaf) = &p.bisect_batch_on_function_error
            && let Some(flag) = self.flag(&at("BisectBatchOnFunctionError"), leaf, warnings)?
        {
            config.bisect_batch_on_function_error = flag;
        }
        if let Some(leaf) = &p.starting_position {
            config.starting_position = match self
                .string(&at("StartingPosition"), leaf, warnings)?
                .as_deref()
            {
                Some("LATEST") => StartingPosition::Latest,
                Some("TRIM_HORIZON") | None => StartingPosition::TrimHorizon,
                Some(other) => {
                    return Err(self.error(
                        leaf,
                        format!(
                            "`{}` `{other}` is not simulated (TRIM_HORIZON or LATEST)",
                            at("StartingPosition")
                        ),
                    ));
                }
            };
        }
        if let Some(on_failure) = p
            .destination_config
            .as_ref()
            .and_then(|d| d.on_failure.as_ref())
            && let Some(destination) = self.string(
                &at("DestinationConfig.OnFailure.Destination"),
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

    fn missing(&self, property: &str) -> Error {
        Error::InvalidConfig(format!(
            "{}: {} `{}`: `{property}` is missing",
            self.file, self.kind, self.logical_id
        ))
    }
}
