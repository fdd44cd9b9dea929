//! The batch event Lambda receives from a Kinesis stream (`{"Records":[..]}`), and the
//! on-failure destination record of a batch it discarded, as JSON.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::{Value, json};

use super::stream::StoredRecord;
use crate::clock::{epoch_seconds, rfc3339};
use crate::ids::uuid_from;

/// What every record of a mapping's events shares.
#[derive(Debug, Clone)]
pub(crate) struct EventContext {
    pub shard_id: String,
    pub region: String,
    pub stream_arn: String,
    pub role_arn: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KinesisData<'a> {
    kinesis_schema_version: &'static str,
    partition_key: &'a str,
    sequence_number: &'a str,
    data: String,
    approximate_arrival_timestamp: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventRecord<'a> {
    kinesis: KinesisData<'a>,
    event_source: &'static str,
    event_version: &'static str,
    #[serde(rename = "eventID")]
    event_id: String,
    event_name: &'static str,
    invoke_identity_arn: &'a str,
    aws_region: &'a str,
    #[serde(rename = "eventSourceARN")]
    event_source_arn: &'a str,
}

/// One record's entry in `Records`, serialised.
pub(crate) fn record_json(ctx: &EventContext, record: &StoredRecord) -> Vec<u8> {
    let entry = EventRecord {
        kinesis: KinesisData {
            kinesis_schema_version: "1.0",
            partition_key: &record.partition_key,
            sequence_number: &record.sequence_number,
            data: STANDARD.encode(&record.data),
            approximate_arrival_timestamp: epoch_seconds(record.arrival),
        },
        event_source: "aws:kinesis",
        event_version: "1.0",
        event_id: format!("{}:{}", ctx.shard_id, record.sequence_number),
        event_name: "aws:kinesis:record",
        invoke_identity_arn: &ctx.role_arn,
        aws_region: &ctx.region,
        event_source_arn: &ctx.stream_arn,
    };
    // A struct of strings and a finite float always serialises.
    serde_json::to_vec(&entry).unwrap_or_default()
}

/// The bytes of `{"Records":[..]}` around serialised entries.
pub(crate) const ENVELOPE_LEN: usize = r#"{"Records":[]}"#.len();

/// `{"Records":[..]}` from serialised entries: the batch event.
pub(crate) fn envelope(entries: &[Vec<u8>]) -> Vec<u8> {
    let len = ENVELOPE_LEN + entries.iter().map(|e| e.len() + 1).sum::<usize>();
    let mut out = Vec::with_capacity(len);
    out.extend_from_slice(br#"{"Records":["#);
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(entry);
    }
    out.extend_from_slice(b"]}");
    out
}

/// Why a batch was discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscardCondition {
    /// `MaximumRetryAttempts` was used up.
    RetryAttemptsExhausted,
    /// The records were older than `MaximumRecordAgeInSeconds`.
    RecordAgeExceeded,
}

impl DiscardCondition {
    /// The `condition` string of the destination record.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RetryAttemptsExhausted => "RetryAttemptsExhausted",
            Self::RecordAgeExceeded => "RecordAgeExceeded",
        }
    }
}

/// What a destination record describes.
pub(crate) struct Discarded<'a> {
    pub condition: DiscardCondition,
    pub records: &'a [StoredRecord],
    pub invoke_count: u32,
    pub function_error: Option<&'a str>,
    pub at: Duration,
}

/// The on-failure destination record of a discarded batch (`records` is not empty).
pub(crate) fn destination_record(
    ctx: &EventContext,
    function_arn: &str,
    d: &Discarded<'_>,
) -> Value {
    let (Some(first), Some(last)) = (d.records.first(), d.records.last()) else {
        return Value::Null;
    };
    let request_id = uuid_from(&format!(
        "{}:{}:{}:{}:{}",
        ctx.stream_arn, ctx.shard_id, first.sequence_number, last.sequence_number, d.invoke_count
    ));
    let mut response_context = json!({"statusCode": 200, "executedVersion": "$LATEST"});
    if let (Some(error), Some(map)) = (d.function_error, response_context.as_object_mut()) {
        map.insert("functionError".into(), Value::String(error.to_owned()));
    }
    json!({
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": d.condition.as_str(),
            "approximateInvokeCount": d.invoke_count,
        },
        "responseContext": response_context,
        "version": "1.0",
        "timestamp": rfc3339(d.at),
        "KinesisBatchInfo": {
            "shardId": ctx.shard_id,
            "startSequenceNumber": first.sequence_number,
            "endSequenceNumber": last.sequence_number,
            "approximateArrivalOfFirstRecord": rfc3339(first.arrival),
            "approximateArrivalOfLastRecord": rfc3339(last.arrival),
            "batchSize": d.records.len(),
            "streamArn": ctx.stream_arn,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_has_lambdas_kinesis_shape() {
        let ctx = EventContext {
            shard_id: "shardId-000000000000".into(),
            region: "us-east-1".into(),
            stream_arn: "arn:aws:kinesis:us-east-1:123456789012:stream/s".into(),
            role_arn: "arn:aws:iam::123456789012:role/lambda-sim".into(),
        };
        let record = StoredRecord {
            offset: 0,
            sequence_number: format!("49{:054}", 7),
            partition_key: "pk".into(),
            data: b"Hello".to_vec(),
            arrival: Duration::from_millis(1_250),
        };
        let event: Value =
            serde_json::from_slice(&envelope(&[record_json(&ctx, &record)])).expect("json");
        let expected = json!({"Records": [{
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": "pk",
                "sequenceNumber": record.sequence_number,
                "data": "SGVsbG8=",
                "approximateArrivalTimestamp": 1_767_225_601.25,
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": format!("shardId-000000000000:{}", record.sequence_number),
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-sim",
            "awsRegion": "us-east-1",
            "eventSourceARN": "arn:aws:kinesis:us-east-1:123456789012:stream/s",
        }]});
        assert_eq!(event, expected);
    }
}
