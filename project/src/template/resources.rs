//! A template's event sources and delivery streams: `AWS::Kinesis::Stream`, `AWS::SQS::Queue`
//! and `AWS::KinesisFirehose::DeliveryStream` (to an `AWS::S3::Bucket`) resources. (Mappings
//! come with the functions' `Events`: `events.rs`.)

use std::collections::BTreeMap;

use lambda_sim_services::DeliveryStreamConfig;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::context::Context;
use super::intrinsics::Leaf;
use super::syntax::{BUCKET, DELIVERY_STREAM, Properties, QUEUE, Reader, Resource, STREAM};
use crate::{Project, QueueSpec, Result, StreamSpec};

/// The resource types read here (not warned about as "not simulated").
pub(super) const TYPES: [&str; 4] = [STREAM, QUEUE, DELIVERY_STREAM, BUCKET];

fn plain_string(leaf: Option<&Spanned<Leaf>>) -> Option<String> {
    match leaf.map(|l| &l.value) {
        Some(Leaf::Plain(Value::String(text))) => Some(text.clone()),
        _ => None,
    }
}

/// The names of the template's streams, queues, delivery streams and buckets by logical id:
/// their name property when it is a plain string, else the logical id (lowercased for a
/// bucket).
pub(super) fn names(resources: &BTreeMap<String, Spanned<Resource>>) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let empty = Properties::default();
    for (id, resource) in resources {
        let resource = &resource.value;
        let properties = resource.properties.as_ref().unwrap_or(&empty);
        let name = match resource.r#type.as_str() {
            STREAM => plain_string(properties.name.as_ref()),
            QUEUE => plain_string(properties.queue_name.as_ref()),
            DELIVERY_STREAM => plain_string(properties.delivery_stream_name.as_ref()),
            BUCKET => {
                Some(plain_string(properties.bucket_name.as_ref()).unwrap_or(id.to_lowercase()))
            }
            _ => continue,
        };
        names.insert(id.clone(), name.unwrap_or_else(|| id.clone()));
    }
    names
}

/// Adds the template's streams, queues, delivery streams and buckets to `project`, in
/// logical-id order.
pub(super) fn read(
    resources: &BTreeMap<String, Spanned<Resource>>,
    context: &Context<'_>,
    project: &mut Project,
) -> Result<()> {
    let empty = Properties::default();
    for (id, resource) in resources {
        let resource = &resource.value;
        if resource.r#type == BUCKET {
            if let Some(name) = context.sources.get(id) {
                project.buckets.push(name.clone());
            }
            continue;
        }
        let kind = match resource.r#type.as_str() {
            STREAM => "stream",
            QUEUE => "queue",
            DELIVERY_STREAM => "delivery stream",
            _ => continue,
        };
        let context = Context {
            kind,
            logical_id: id,
            ..*context
        };
        let properties = resource.properties.as_ref().unwrap_or(&empty);
        let name = context
            .sources
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.clone());
        let warnings = &mut project.warnings;
        match resource.r#type.as_str() {
            STREAM => {
                let stream = context.stream(name, properties, warnings)?;
                project.streams.push(stream);
            }
            QUEUE => {
                let queue = context.queue(name, properties, warnings)?;
                project.queues.push(queue);
            }
            _ => {
                let delivery = context.delivery_stream(name, properties, warnings)?;
                project.delivery_streams.push(delivery);
            }
        }
        for key in properties.unread(Reader::EventSource) {
            project
                .warnings
                .push(context.warning(None, format!("property `{key}` ignored: not simulated")));
        }
    }
    Ok(())
}

impl Context<'_> {
    fn stream(
        &self,
        name: String,
        properties: &Properties,
        warnings: &mut Vec<String>,
    ) -> Result<StreamSpec> {
        let mut stream = StreamSpec::named(name);
        if let Some(leaf) = &properties.shard_count
            && let Some(n) = self.count("ShardCount", leaf, warnings)?
        {
            stream.shards = n as usize;
        }
        if let Some(leaf) = &properties.retention_period_hours
            && let Some(n) = self.count("RetentionPeriodHours", leaf, warnings)?
        {
            stream.retention_hours = u64::from(n);
        }
        Ok(stream)
    }

    fn queue(
        &self,
        name: String,
        properties: &Properties,
        warnings: &mut Vec<String>,
    ) -> Result<QueueSpec> {
        let mut queue = QueueSpec::named(name);
        if let Some(leaf) = &properties.visibility_timeout
            && let Some(n) = self.count("VisibilityTimeout", leaf, warnings)?
        {
            queue.visibility_timeout = u64::from(n);
        }
        if let Some(redrive) = &properties.redrive_policy {
            queue.dead_letter_queue = Some(self.reference(
                "RedrivePolicy.deadLetterTargetArn",
                &redrive.dead_letter_target_arn,
                warnings,
            )?);
            if let Some(n) = self.count(
                "RedrivePolicy.maxReceiveCount",
                &redrive.max_receive_count,
                warnings,
            )? {
                queue.max_receive_count = n;
            }
        }
        Ok(queue)
    }

    fn delivery_stream(
        &self,
        name: String,
        properties: &Properties,
        warnings: &mut Vec<String>,
    ) -> Result<DeliveryStreamConfig> {
        let destination = properties
            .extended_s3_destination_configuration
            .as_ref()
            .or(properties.s3_destination_configuration.as_ref())
            .ok_or_else(|| {
                self.refuse(
                    "only an S3 destination is simulated (`ExtendedS3DestinationConfiguration` or `S3DestinationConfiguration`)",
                )
            })?;
        let bucket = self.reference("BucketARN", &destination.bucket_arn, warnings)?;
        let mut config = DeliveryStreamConfig::new(name, bucket);
        if let Some(leaf) = &destination.prefix
            && let Some(prefix) = self.string("Prefix", leaf, warnings)?
        {
            config.prefix = prefix;
        }
        if let Some(hints) = &destination.buffering_hints {
            if let Some(leaf) = &hints.size_in_mbs
                && let Some(n) = self.count("BufferingHints.SizeInMBs", leaf, warnings)?
            {
                config.buffer_size_mb = n;
            }
            if let Some(leaf) = &hints.interval_in_seconds
                && let Some(n) = self.count("BufferingHints.IntervalInSeconds", leaf, warnings)?
            {
                config.buffer_interval_s = n;
            }
        }
        Ok(config)
    }
}
