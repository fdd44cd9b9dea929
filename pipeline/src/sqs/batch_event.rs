//! The batch event Lambda receives from an SQS event-source mapping, as JSON.

use serde::Serialize;

use super::queue::ReceivedMessage;
use crate::clock::epoch_millis;
use crate::ids::md5_hex;

/// What every record of a mapping's events shares.
#[derive(Debug, Clone)]
pub(crate) struct EventContext {
    pub queue_arn: String,
    pub region: String,
    pub sender_id: String,
}

#[derive(Serialize)]
struct Attributes {
    #[serde(rename = "ApproximateReceiveCount")]
    approximate_receive_count: String,
    #[serde(rename = "SentTimestamp")]
    sent_timestamp: String,
    #[serde(rename = "SenderId")]
    sender_id: String,
    #[serde(rename = "ApproximateFirstReceiveTimestamp")]
    approximate_first_receive_timestamp: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventRecord<'a> {
    message_id: &'a str,
    receipt_handle: &'a str,
    body: &'a str,
    attributes: Attributes,
    message_attributes: serde_json::Map<String, serde_json::Value>,
    md5_of_body: String,
    event_source: &'static str,
    #[serde(rename = "eventSourceARN")]
    event_source_arn: &'a str,
    aws_region: &'a str,
}

#[derive(Serialize)]
struct Event<'a> {
    #[serde(rename = "Records")]
    records: Vec<EventRecord<'a>>,
}

/// `{"Records":[..]}` for received messages.
pub(crate) fn envelope(ctx: &EventContext, messages: &[ReceivedMessage]) -> Vec<u8> {
    let records = messages
        .iter()
        .map(|m| EventRecord {
            message_id: &m.message.message_id,
            receipt_handle: &m.receipt_handle,
            body: &m.message.body,
            attributes: Attributes {
                approximate_receive_count: m.message.receive_count.to_string(),
                sent_timestamp: epoch_millis(m.message.sent_at).to_string(),
                sender_id: ctx.sender_id.clone(),
                approximate_first_receive_timestamp: epoch_millis(
                    m.message.first_received_at.unwrap_or(m.message.sent_at),
                )
                .to_string(),
            },
            message_attributes: serde_json::Map::new(),
            md5_of_body: md5_hex(m.message.body.as_bytes()),
            event_source: "aws:sqs",
            event_source_arn: &ctx.queue_arn,
            aws_region: &ctx.region,
        })
        .collect();
    // Strings and maps of strings always serialise.
    serde_json::to_vec(&Event { records }).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::{Value, json};

    use super::*;
    use crate::sqs::queue::QueueMessage;

    #[test]
    fn an_event_has_lambdas_sqs_shape() {
        let ctx = EventContext {
            queue_arn: "arn:aws:sqs:us-east-1:123456789012:q".into(),
            region: "us-east-1".into(),
            sender_id: "123456789012".into(),
        };
        let message = ReceivedMessage {
            message: QueueMessage {
                message_id: "m-1".into(),
                body: "Hello from SQS!".into(),
                sent_at: Duration::from_millis(5),
                receive_count: 1,
                first_received_at: Some(Duration::from_secs(1)),
                visible_at: Duration::from_secs(31),
            },
            receipt_handle: "rh".into(),
        };
        let event: Value = serde_json::from_slice(&envelope(&ctx, &[message])).expect("json");
        let expected = json!({"Records": [{
            "messageId": "m-1",
            "receiptHandle": "rh",
            "body": "Hello from SQS!",
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": "1767225600005",
                "SenderId": "123456789012",
                "ApproximateFirstReceiveTimestamp": "1767225601000",
            },
            "messageAttributes": {},
            "md5OfBody": "7b270e59b47ff90a553787216d55d91d",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
            "awsRegion": "us-east-1",
        }]});
        assert_eq!(event, expected);
    }
}
