//! The serde types of a SAM template, read once for functions, event sources and APIs alike:
//! every value the simulator reads is a [`Leaf`] with its place in the file; what it does not
//! read is kept by name, to be warned about.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;

use serde_json::Value;

use super::intrinsics::{Intrinsic, Leaf};
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
/// `AWS::Serverless::Api` (a REST API).
pub(super) const REST_API: &str = "AWS::Serverless::Api";
/// `AWS::Serverless::HttpApi`.
pub(super) const HTTP_API: &str = "AWS::Serverless::HttpApi";

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

/// `Globals`: `Globals.Function`, `Globals.Api` and `Globals.HttpApi` are read.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Globals {
    pub function: Option<Properties>,
    pub api: Option<Properties>,
    pub http_api: Option<Properties>,
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
    pub snap_start: Option<SnapStart>,
    pub architectures: Option<Vec<Spanned<Leaf>>>,
    pub auto_publish_alias: Option<Spanned<Leaf>>,
    pub events: Option<BTreeMap<String, Event>>,
    pub function_url_config: Option<Spanned<FunctionUrlConfig>>,
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
    // `AWS::Serverless::Api` and `AWS::Serverless::HttpApi` (or `Globals.Api`, `Globals.HttpApi`).
    pub stage_name: Option<Spanned<Leaf>>,
    pub binary_media_types: Option<Vec<Spanned<Leaf>>>,
    pub cors: Option<Spanned<ScalarOr<RestCors>>>,
    pub cors_configuration: Option<Spanned<ScalarOr<CorsConfiguration>>>,
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
    /// A REST API (or `Globals.Api`).
    RestApi,
    /// An HTTP API (or `Globals.HttpApi`).
    HttpApi,
}

impl Properties {
    /// The properties set that `reader` does not read, by name, sorted.
    pub fn unread(&self, reader: Reader) -> BTreeSet<&str> {
        use Reader::{EventSource as S, Function as F, HttpApi as H, RestApi as R};
        let known: [(&str, bool, &[Reader]); 32] = [
            ("FunctionName", self.function_name.is_some(), &[F]),
            ("CodeUri", self.code_uri.is_some(), &[F]),
            ("Handler", self.handler.is_some(), &[F]),
            ("Runtime", self.runtime.is_some(), &[F]),
            ("Description", self.description.is_some(), &[F]),
            ("MemorySize", self.memory_size.is_some(), &[F]),
            ("Timeout", self.timeout.is_some(), &[F]),
            ("Environment", self.environment.is_some(), &[F]),
            ("VpcConfig", self.vpc_config.is_some(), &[F]),
            (
                "ReservedConcurrentExecutions",
                self.reserved_concurrent_executions.is_some(),
                &[F],
            ),
            (
                "ProvisionedConcurrencyConfig",
                self.provisioned_concurrency_config.is_some(),
                &[F],
            ),
            ("EphemeralStorage", self.ephemeral_storage.is_some(), &[F]),
            ("Tracing", self.tracing.is_some(), &[F]),
            ("SnapStart", self.snap_start.is_some(), &[F]),
            ("Architectures", self.architectures.is_some(), &[F]),
            ("AutoPublishAlias", self.auto_publish_alias.is_some(), &[F]),
            ("Events", self.events.is_some(), &[F]),
            (
                "FunctionUrlConfig",
                self.function_url_config.is_some(),
                &[F],
            ),
            ("Name", self.name.is_some(), &[S]),
            ("ShardCount", self.shard_count.is_some(), &[S]),
            (
                "RetentionPeriodHours",
                self.retention_period_hours.is_some(),
                &[S],
            ),
            ("QueueName", self.queue_name.is_some(), &[S]),
            ("VisibilityTimeout", self.visibility_timeout.is_some(), &[S]),
            ("RedrivePolicy", self.redrive_policy.is_some(), &[S]),
            (
                "DeliveryStreamName",
                self.delivery_stream_name.is_some(),
                &[S],
            ),
            (
                "ExtendedS3DestinationConfiguration",
                self.extended_s3_destination_configuration.is_some(),
                &[S],
            ),
            (
                "S3DestinationConfiguration",
                self.s3_destination_configuration.is_some(),
                &[S],
            ),
            ("BucketName", self.bucket_name.is_some(), &[S]),
            ("StageName", self.stage_name.is_some(), &[R, H]),
            ("BinaryMediaTypes", self.binary_media_types.is_some(), &[R]),
            ("Cors", self.cors.is_some(), &[R]),
            ("CorsConfiguration", self.cors_configuration.is_some(), &[H]),
        ];
        let set = known
            .iter()
            .filter(|(_, set, readers)| *set && !readers.contains(&reader))
            .map(|(name, _, _)| *name);
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

/// A function's `SnapStart`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct SnapStart {
    pub apply_on: Spanned<Leaf>,
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

/// An event's `Properties` (types `Kinesis` and `SQS`, `Api` and `HttpApi`).
#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct EventProperties {
    // `Kinesis` and `SQS`.
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
    // `Api` and `HttpApi`.
    pub path: Option<Spanned<Leaf>>,
    pub method: Option<Spanned<Leaf>>,
    pub rest_api_id: Option<Spanned<Leaf>>,
    pub api_id: Option<Spanned<Leaf>>,
    pub timeout_in_millis: Option<Spanned<Leaf>>,
    pub payload_format_version: Option<Spanned<Leaf>>,
    #[serde(flatten)]
    pub other: BTreeMap<String, IgnoredAny>,
}

impl EventProperties {
    /// The properties set that an event read by `reader` (`EventSource` for `Kinesis` and
    /// `SQS`, `RestApi` for `Api`, `HttpApi` for `HttpApi`) does not read, by name, sorted.
    pub fn unread(&self, reader: Reader) -> BTreeSet<&str> {
        use Reader::{EventSource as S, HttpApi as H, RestApi as R};
        let known: [(&str, bool, &[Reader]); 17] = [
            ("Stream", self.stream.is_some(), &[S]),
            ("Queue", self.queue.is_some(), &[S]),
            ("StartingPosition", self.starting_position.is_some(), &[S]),
            ("BatchSize", self.batch_size.is_some(), &[S]),
            (
                "MaximumBatchingWindowInSeconds",
                self.maximum_batching_window_in_seconds.is_some(),
                &[S],
            ),
            (
                "BisectBatchOnFunctionError",
                self.bisect_batch_on_function_error.is_some(),
                &[S],
            ),
            (
                "MaximumRetryAttempts",
                self.maximum_retry_attempts.is_some(),
                &[S],
            ),
            (
                "MaximumRecordAgeInSeconds",
                self.maximum_record_age_in_seconds.is_some(),
                &[S],
            ),
            (
                "ParallelizationFactor",
                self.parallelization_factor.is_some(),
                &[S],
            ),
            (
                "FunctionResponseTypes",
                self.function_response_types.is_some(),
                &[S],
            ),
            ("DestinationConfig", self.destination_config.is_some(), &[S]),
            ("Path", self.path.is_some(), &[R, H]),
            ("Method", self.method.is_some(), &[R, H]),
            ("RestApiId", self.rest_api_id.is_some(), &[R]),
            ("ApiId", self.api_id.is_some(), &[H]),
            ("TimeoutInMillis", self.timeout_in_millis.is_some(), &[R, H]),
            (
                "PayloadFormatVersion",
                self.payload_format_version.is_some(),
                &[H],
            ),
        ];
        let set = known
            .iter()
            .filter(|(_, set, readers)| *set && !readers.contains(&reader))
            .map(|(name, _, _)| *name);
        self.other.keys().map(String::as_str).chain(set).collect()
    }
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

/// A value written either as a scalar or as a map: a REST API's `Cors` (`"'*'"` or a map), an
/// HTTP API's `CorsConfiguration` (`true` or a map). An intrinsic is tried first, so that
/// `!Ref X` is not read as a map with the key `Ref`.
///
/// Serde buffers an untagged enum: the leaves inside `Map` lose their place in the file
/// (their line is 0), and are reported at the whole value's.
#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum ScalarOr<T> {
    Intrinsic(Intrinsic),
    Map(T),
    Plain(Value),
}

/// A REST API's `Cors` map: each value but `AllowCredentials` a string in single quotes
/// (`"'GET,POST'"`), as API Gateway's header mappings write them.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RestCors {
    pub allow_methods: Option<Spanned<Leaf>>,
    pub allow_headers: Option<Spanned<Leaf>>,
    pub allow_origin: Option<Spanned<Leaf>>,
    pub max_age: Option<Spanned<Leaf>>,
    pub allow_credentials: Option<Spanned<Leaf>>,
    #[serde(flatten)]
    pub other: BTreeMap<String, IgnoredAny>,
}

/// An HTTP API's `CorsConfiguration` map, or a function URL's `Cors`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CorsConfiguration {
    pub allow_origins: Option<Vec<Spanned<Leaf>>>,
    pub allow_methods: Option<Vec<Spanned<Leaf>>>,
    pub allow_headers: Option<Vec<Spanned<Leaf>>>,
    pub expose_headers: Option<Vec<Spanned<Leaf>>>,
    pub max_age: Option<Spanned<Leaf>>,
    pub allow_credentials: Option<Spanned<Leaf>>,
    #[serde(flatten)]
    pub other: BTreeMap<String, IgnoredAny>,
}

/// A function's `FunctionUrlConfig`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct FunctionUrlConfig {
    pub auth_type: Option<Spanned<Leaf>>,
    pub invoke_mode: Option<Spanned<Leaf>>,
    pub cors: Option<Spanned<CorsConfiguration>>,
    #[serde(flatten)]
    pub other: BTreeMap<String, IgnoredAny>,
}
