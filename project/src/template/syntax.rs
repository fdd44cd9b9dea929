//! The serde types of a SAM template, read once for functions and event sources alike: every
//! value the simulator reads is a [`Leaf`] with its place in the file; what it does not read is
//! kept by name, to be warned about.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

use super::intrinsics::Leaf;
use crate::{Error, Result};

/// `AWS::Serverless::Function`.
pub(super) const FUNCTION: &str = "AWS::Serverless::Function";
/// `AWS::Kinesis::Stream`.
pub(super) const STREAM: &str = "AWS::Kinesis::Stream";
/// `AWS::SQS::Queue`.
pub(super) const QUEUE: &str = "AWS::SQS::Queue";
/// `AWS::KinesisFirehose::DeliveryStream`.
pub(super) const DELIVERY_STREAM: &str = "AWS::KinesisFirehose::DeliveryStream";
/// `AWS::S3::Bucket` (a delivery stream's destination).
pub(super) const BUCKET: &str = "AWS::S3::Bucket";

/// A whole template.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Template {
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
    #[serde(default)]
    pub globals: Option<Globals>,
    #[serde(default)]
    pub resources: BTreeMap<String, Spanned<Resource>>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// Reads a template's text; `file` names it in the message of a syntax error.
pub(super) fn read(text: &str, file: &str) -> Result<Template> {
    serde_saphyr::from_str(text).map_err(|err| {
        let message = err.to_string();
        let first = message.lines().next().unwrap_or_default();
        let first = first.strip_prefix("error: ").unwrap_or(first);
        Error::InvalidConfig(format!("{file}: {first}"))
    })
}

/// A template parameter: only its `Default` is read.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Parameter {
    pub default: Option<Spanned<Leaf>>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// `Globals`: only `Globals.Function` is read.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Globals {
    pub function: Option<Properties>,
    #[serde(flatten)]
    pub other: BTreeMap<String, IgnoredAny>,
}

/// A resource.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Resource {
    pub r#type: String,
    #[serde(default)]
    pub properties: Option<Properties>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// A resource's properties (or `Globals.Function`'s): those of every resource type the
/// simulator reads, each leaf with its place in the file. A resource reads its type's and
/// warns about the others ([`Properties::unread`]).
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Properties {
    // `AWS::Serverless::Function`.
    pub function_name: Option<Spanned<Leaf>>,
    pub code_uri: Option<Spanned<Leaf>>,
    pub handler: Option<Spanned<Leaf>>,
    pub runtime: Option<Spanned<Leaf>>,
    pub description: Option<Spanned<Leaf>>,
    pub memory_size: Option<Spanned<Leaf>>,
    pub timeout: Option<Spanned<Leaf>>,
    pub environment: Option<Environment>,
    pub vpc_config: Option<Spanned<IgnoredAny>>,
    pub reserved_concurrent_executions: Option<Spanned<Leaf>>,
    pub provisioned_concurrency_config: Option<ProvisionedConcurrency>,
    pub ephemeral_storage: Option<EphemeralStorage>,
    pub tracing: Option<Spanned<Leaf>>,
    pub architectures: Option<Vec<Spanned<Leaf>>>,
    pub auto_publish_alias: Option<Spanned<Leaf>>,
    pub events: Option<BTreeMap<String, Event>>,
    // `AWS::Kinesis::Stream`.
    pub name: Option<Spanned<Leaf>>,
    pub shard_count: Option<Spanned<Leaf>>,
    pub retention_period_hours: Option<Spanned<Leaf>>,
    // `AWS::SQS::Queue`.
    pub queue_name: Option<Spanned<Leaf>>,
    pub visibility_timeout: Option<Spanned<Leaf>>,
    pub redrive_policy: Option<Redrive>,
    // `AWS::KinesisFirehose::DeliveryStream`.
    pub delivery_stream_name: Option<Spanned<Leaf>>,
    pub extended_s3_destination_configuration: Option<S3Destination>,
    pub s3_destination_configuration: Option<S3Destination>,
    // `AWS::S3::Bucket`.
    pub bucket_name: Option<Spanned<Leaf>>,
    /// Every other property, by name.
    #[serde(flatten)]
    pub other: BTreeMap<String, IgnoredAny>,
}

/// Who reads a resource's properties.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Reader {
    /// A function (or `Globals.Function`).
    Function,
    /// A stream, a queue or a delivery stream.
    EventSource,
}

impl Properties {
    /// The properties set that `reader` does not read, by name, sorted.
    pub fn unread(&self, reader: Reader) -> BTreeSet<&str> {
        let function = [
            ("FunctionName", self.function_name.is_some()),
            ("CodeUri", self.code_uri.is_some()),
            ("Handler", self.handler.is_some()),
            ("Runtime", self.runtime.is_some()),
            ("Description", self.description.is_some()),
            ("MemorySize", self.memory_size.is_some()),
            ("Timeout", self.timeout.is_some()),
            ("Environment", self.environment.is_some()),
            ("VpcConfig", self.vpc_config.is_some()),
            (
                "ReservedConcurrentExecutions",
                self.reserved_concurrent_executions.is_some(),
            ),
            (
                "ProvisionedConcurrencyConfig",
                self.provisioned_concurrency_config.is_some(),
            ),
            ("EphemeralStorage", self.ephemeral_storage.is_some()),
            ("Tracing", self.tracing.is_some()),
            ("Architectures", self.architectures.is_some()),
            ("AutoPublishAlias", self.auto_publish_alias.is_some()),
            ("Events", self.events.is_some()),
        ];
        let source = [
            ("Name", self.name.is_some()),
            ("ShardCount", self.shard_count.is_some()),
            (
                "RetentionPeriodHours",
                self.retention_period_hours.is_some(),
            ),
            ("QueueName", self.queue_name.is_some()),
            ("VisibilityTimeout", self.visibility_timeout.is_some()),
            ("RedrivePolicy", self.redrive_policy.is_some()),
            ("DeliveryStreamName", self.delivery_stream_name.is_some()),
            (
                "ExtendedS3DestinationConfiguration",
                self.extended_s3_destination_configuration.is_some(),
            ),
            (
                "S3DestinationConfiguration",
                self.s3_destination_configuration.is_some(),
            ),
            ("BucketName", self.bucket_name.is_some()),
        ];
        let others: &[(&str, bool)] = match reader {
            Reader::Function => &source,
            Reader::EventSource => &function,
        };
        let set = others.iter().filter(|(_, set)| *set).map(|(name, _)| *name);
        self.other.keys().map(String::as_str).chain(set).collect()
    }
}

/// A function's `Environment`.
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Environment {
    #[serde(default)]
    pub variables: BTreeMap<String, Spanned<Leaf>>,
}

/// A function's `ProvisionedConcurrencyConfig`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ProvisionedConcurrency {
    pub provisioned_concurrent_executions: Spanned<Leaf>,
}

/// A function's `EphemeralStorage`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct EphemeralStorage {
    pub size: Spanned<Leaf>,
}

/// One of a function's `Events`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Event {
    pub r#type: String,
    #[serde(default)]
    pub properties: Option<EventProperties>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// An event's `Properties` (types `Kinesis` and `SQS`).
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct EventProperties {
    pub stream: Option<Spanned<Leaf>>,
    pub queue: Option<Spanned<Leaf>>,
    pub starting_position: Option<Spanned<Leaf>>,
    pub batch_size: Option<Spanned<Leaf>>,
    pub maximum_batching_window_in_seconds: Option<Spanned<Leaf>>,
    pub bisect_batch_on_function_error: Option<Spanned<Leaf>>,
    pub maximum_retry_attempts: Option<Spanned<Leaf>>,
    pub maximum_record_age_in_seconds: Option<Spanned<Leaf>>,
    pub parallelization_factor: Option<Spanned<Leaf>>,
    pub function_response_types: Option<Vec<Spanned<Leaf>>>,
    pub destination_config: Option<EventDestination>,
    #[serde(flatten)]
    pub other: BTreeMap<String, IgnoredAny>,
}

/// An event's `DestinationConfig`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct EventDestination {
    pub on_failure: Option<EventOnFailure>,
}

/// An event's `DestinationConfig.OnFailure`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct EventOnFailure {
    pub destination: Spanned<Leaf>,
}

/// A queue's `RedrivePolicy`.
#[derive(Deserialize)]
pub(super) struct Redrive {
    #[serde(rename = "deadLetterTargetArn")]
    pub dead_letter_target_arn: Spanned<Leaf>,
    #[serde(rename = "maxReceiveCount")]
    pub max_receive_count: Spanned<Leaf>,
}

/// A delivery stream's `ExtendedS3DestinationConfiguration` or `S3DestinationConfiguration`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct S3Destination {
    #[serde(rename = "BucketARN")]
    pub bucket_arn: Spanned<Leaf>,
    pub prefix: Option<Spanned<Leaf>>,
    pub buffering_hints: Option<BufferingHints>,
    #[serde(flatten)]
    _rest: BTreeMap<String, IgnoredAny>,
}

/// A destination's `BufferingHints`.
#[derive(Deserialize)]
pub(super) struct BufferingHints {
    #[serde(rename = "SizeInMBs")]
    pub size_in_mbs: Option<Spanned<Leaf>>,
    #[serde(rename = "IntervalInSeconds")]
    pub interval_in_seconds: Option<Spanned<Leaf>>,
}
