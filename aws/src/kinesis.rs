//! Kinesis Data Streams (`Kinesis_20131202.*`) over the pipeline's streams: the streams an
//! event-source mapping reads are the ones `PutRecords` writes.
//!
//! Limits are Kinesis's: 1 MiB a record (data and partition key; a stream's default
//! `MaxRecordSizeInKiB`), 500 records and 10 MiB a `PutRecords` (botocore's model since
//! Kinesis took records of up to 10 MiB; 5 MiB before), and each shard takes 1,000 records or
//! 1 MiB of writes a second (past it a record gets `ProvisionedThroughputExceededException`).
//! Shard iterators expire after five minutes.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lambda_sim_pipeline::{Stream, StreamConfig};
use serde_json::{Value, json};

use crate::json_protocol::{Input, Outcome, ServiceError};
use crate::{ACCOUNT, Error, State};

/// The most bytes a record holds (data and partition key).
const MAX_RECORD_BYTES: usize = 1 << 20;
/// The most records a `PutRecords` holds.
const MAX_PUT_RECORDS: usize = 500;
/// The most bytes a `PutRecords` holds.
const MAX_PUT_BYTES: usize = 10 << 20;
/// Writes a shard takes a second: records and bytes.
const SHARD_RECORDS_PER_SECOND: u32 = 1_000;
const SHARD_BYTES_PER_SECOND: usize = 1 << 20;
/// How long a shard iterator stays valid.
const ITERATOR_LIFETIME: Duration = Duration::from_secs(300);
/// The most bytes of data a `GetRecords` returns.
const MAX_GET_BYTES: usize = 10 << 20;
/// The most records a `GetRecords` returns.
const MAX_GET_RECORDS: i64 = 10_000;

/// The streams, by name, and what each shard wrote in the current second.
#[derive(Default)]
pub(crate) struct Streams {
    streams: RwLock<BTreeMap<String, Entry>>,
    writes: Mutex<BTreeMap<(String, usize), Window>>,
}

struct Entry {
    stream: Stream,
    created: SystemTime,
}

/// A shard's writes in one second.
#[derive(Default)]
struct Window {
    second: u64,
    records: u32,
    bytes: usize,
}

impl Streams {
    /// Adds a stream; refuses a name in use.
    pub(crate) fn add(&self, config: StreamConfig) -> Result<Stream, Error> {
        self.add_at(config, SystemTime::now())
    }

    fn add_at(&self, config: StreamConfig, created: SystemTime) -> Result<Stream, Error> {
        let mut streams = self.streams.write().unwrap_or_else(PoisonError::into_inner);
        if streams.contains_key(&config.name) {
            return Err(Error::Exists {
                kind: "stream",
                name: config.name,
            });
        }
        let stream = Stream::new(config)?;
        let entry = Entry {
            stream: stream.clone(),
            created,
        };
        streams.insert(stream.name(), entry);
        Ok(stream)
    }

    /// The stream of this name.
    pub(crate) fn get(&self, name: &str) -> Option<Stream> {
        self.entry(name).map(|(stream, _)| stream)
    }

    fn entry(&self, name: &str) -> Option<(Stream, SystemTime)> {
        self.streams
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .map(|e| (e.stream.clone(), e.created))
    }

    /// Whether shard `shard` of `stream` takes `bytes` more in second `second`; counts them if
    /// so.
    fn admit(&self, stream: &str, shard: usize, second: u64, bytes: usize) -> bool {
        let mut writes = self.writes.lock().unwrap_or_else(PoisonError::into_inner);
        let window = writes.entry((stream.to_owned(), shard)).or_default();
        if window.second != second {
            *window = Window {
                second,
                ..Window::default()
            };
        }
        if window.records + 1 > SHARD_RECORDS_PER_SECOND
            || window.bytes + bytes > SHARD_BYTES_PER_SECOND
        {
            return false;
        }
        window.records += 1;
        window.bytes += bytes;
        true
    }
}

/// Runs one Kinesis operation.
pub(crate) fn call(state: &State, operation: &str, input: &Input<'_>) -> Outcome {
    match operation {
        "CreateStream" => create_stream(state, input),
        "DeleteStream" => delete_stream(state, input),
        "DescribeStream" => describe_stream(state, input),
        "DescribeStreamSummary" => describe_stream_summary(state, input),
        "ListStreams" => list_streams(state),
        "ListShards" => list_shards(state, input),
        "PutRecord" => put_record(state, input),
        "PutRecords" => put_records(state, input),
        "GetShardIterator" => get_shard_iterator(state, input),
        "GetRecords" => get_records(state, input),
        _ => Err(crate::unknown_operation(input.service(), operation)),
    }
}

fn not_found(name: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Stream {name} under account {ACCOUNT} not found."),
    )
}

fn invalid(message: impl Into<String>) -> ServiceError {
    ServiceError::new("InvalidArgumentException", message)
}

/// The stream a request names by `StreamName` or `StreamARN`.
fn named_stream(state: &State, input: &Input<'_>) -> Result<(Stream, SystemTime), ServiceError> {
    let name = match (
        input.opt_string("StreamName")?,
        input.opt_string("StreamARN")?,
    ) {
        (Some(name), _) => name.to_owned(),
        (None, Some(arn)) => arn
            .rsplit_once("stream/")
            .map(|(_, name)| name.to_owned())
            .ok_or_else(|| invalid(format!("`{arn}` is not a Kinesis stream ARN")))?,
        (None, None) => {
            return Err(invalid(
                "Either StreamName or StreamARN should be provided.",
            ));
        }
    };
    state.kinesis.entry(&name).ok_or_else(|| not_found(&name))
}

fn epoch_seconds(at: SystemTime) -> f64 {
    at.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
}

fn create_stream(state: &State, input: &Input<'_>) -> Outcome {
    let name = input.string("StreamName")?;
    let on_demand = input
        .opt_object("StreamModeDetails")?
        .and_then(|m| m.get("StreamMode"))
        .and_then(Value::as_str)
        == Some("ON_DEMAND");
    let shards = match input.opt_i64("ShardCount")? {
        Some(n) if n < 1 => {
            return Err(ServiceError::new(
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{n}' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"
                ),
            ));
        }
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        // An on-demand stream starts with four shards.
        None if on_demand => 4,
        None => {
            return Err(invalid(
                "ShardCount is required for a stream in PROVISIONED mode",
            ));
        }
    };
    let config = StreamConfig {
        name: name.to_owned(),
        shard_count: shards,
        ..StreamConfig::default()
    };
    match state.kinesis.add_at(config, state.clock.wall()) {
        Ok(_) => Ok(json!({})),
        Err(Error::Exists { name, .. }) => Err(ServiceError::new(
            "ResourceInUseException",
            format!("Stream {name} under account {ACCOUNT} already exists."),
        )),
        Err(err) => Err(invalid(err.to_string())),
    }
}

fn delete_stream(state: &State, input: &Input<'_>) -> Outcome {
    let (stream, _) = named_stream(state, input)?;
    let name = stream.name();
    state
        .kinesis
        .streams
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&name);
    Ok(json!({}))
}

fn shards(stream: &Stream) -> Vec<Value> {
    (0..stream.shard_count())
        .filter_map(|i| {
            let (start, end) = stream.hash_key_range(i)?;
            Some(json!({
                "ShardId": format!("shardId-{i:012}"),
                "HashKeyRange": { "StartingHashKey": start, "EndingHashKey": end },
                "SequenceNumberRange": { "StartingSequenceNumber": format!("49{:054}", 0) },
            }))
        })
        .collect()
}

fn describe_stream(state: &State, input: &Input<'_>) -> Outcome {
    let (stream, created) = named_stream(state, input)?;
    Ok(json!({
        "StreamDescription": {
            "StreamName": stream.name(),
            "StreamARN": stream.arn(),
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": { "StreamMode": "PROVISIONED" },
            "Shards": shards(&stream),
            "HasMoreShards": false,
            "RetentionPeriodHours": stream.retention().as_secs() / 3600,
            "StreamCreationTimestamp": epoch_seconds(created),
            "EnhancedMonitoring": [{ "ShardLevelMetrics": [] }],
            "EncryptionType": "NONE",
        }
    }))
}

fn describe_stream_summary(state: &State, input: &Input<'_>) -> Outcome {
    let (stream, created) = named_stream(state, input)?;
    Ok(json!({
        "StreamDescriptionSummary": {
            "StreamName": stream.name(),
            "StreamARN": stream.arn(),
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": { "StreamMode": "PROVISIONED" },
            "RetentionPeriodHours": stream.retention().as_secs() / 3600,
            "StreamCreationTimestamp": epoch_seconds(created),
            "EnhancedMonitoring": [{ "ShardLevelMetrics": [] }],
            "EncryptionType": "NONE",
            "OpenShardCount": stream.shard_count(),
            "ConsumerCount": 0,
        }
    }))
}

fn list_streams(state: &State) -> Outcome {
    let streams = state
        .kinesis
        .streams
        .read()
        .unwrap_or_else(PoisonError::into_inner);
    let summaries: Vec<Value> = streams
        .values()
        .map(|e| {
            json!({
                "StreamName": e.stream.name(),
                "StreamARN": e.stream.arn(),
                "StreamStatus": "ACTIVE",
                "StreamModeDetails": { "StreamMode": "PROVISIONED" },
                "StreamCreationTimestamp": epoch_seconds(e.created),
            })
        })
        .collect();
    Ok(json!({
        "StreamNames": streams.keys().collect::<Vec<_>>(),
        "HasMoreStreams": false,
        "StreamSummaries": summaries,
    }))
}

fn list_shards(state: &State, input: &Input<'_>) -> Outcome {
    let (stream, _) = named_stream(state, input)?;
    Ok(json!({ "Shards": shards(&stream) }))
}

/// A record to put, checked against Kinesis's limits.
struct NewRecord {
    partition_key: String,
    hash: Option<u128>,
    data: Vec<u8>,
}

/// The record `input` holds; `member` is its path in validation messages (`records.2.member.`
/// in a `PutRecords`, empty in a `PutRecord`).
fn new_record(input: &Input<'_>, member: &str) -> Result<NewRecord, ServiceError> {
    let data = input.blob("Data")?;
    let partition_key = input.string("PartitionKey")?.to_owned();
    let constraint = if partition_key.is_empty() {
        Some("greater than or equal to 1")
    } else if partition_key.chars().count() > 256 {
        Some("less than or equal to 256")
    } else {
        None
    };
    if let Some(constraint) = constraint {
        return Err(ServiceError::new(
            "ValidationException",
            format!(
                "1 validation error detected: Value '{partition_key}' at '{member}partitionKey' failed to satisfy constraint: Member must have length {constraint}"
            ),
        ));
    }
    if data.len() + partition_key.len() > MAX_RECORD_BYTES {
        return Err(ServiceError::new(
            "ValidationException",
            format!(
                "1 validation error detected: Value at 'data' failed to satisfy constraint: Member must have length less than or equal to {MAX_RECORD_BYTES} (with the partition key: {} bytes)",
                data.len() + partition_key.len()
            ),
        ));
    }
    let hash = match input.opt_string("ExplicitHashKey")? {
        None => None,
        Some(text) => {
            // The member's pattern, `0|([1-9]\d{0,38})`; then the value's range.
            let digits = text.bytes().all(|b| b.is_ascii_digit());
            if !digits
                || text.is_empty()
                || text.len() > 39
                || (text.len() > 1 && text.starts_with('0'))
            {
                return Err(ServiceError::new(
                    "ValidationException",
                    format!(
                        "1 validation error detected: Value '{text}' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(0|([1-9]\\d{{0,38}}))$"
                    ),
                ));
            }
            Some(text.parse::<u128>().map_err(|_| {
                invalid(format!(
                    "ExplicitHashKey `{text}` is not a decimal number between 0 and 2^128 - 1"
                ))
            })?)
        }
    };
    Ok(NewRecord {
        partition_key,
        hash,
        data,
    })
}

/// Puts one checked record: its shard id and sequence number, or the throughput error.
fn put(
    state: &State,
    stream: &Stream,
    record: NewRecord,
) -> Result<(String, String), ServiceError> {
    let shard = match record.hash {
        Some(hash) => stream.shard_for_hash(hash),
        None => stream.shard_for(&record.partition_key),
    };
    let now = state.clock.now();
    let bytes = record.data.len() + record.partition_key.len();
    if !state
        .kinesis
        .admit(&stream.name(), shard, now.as_secs(), bytes)
    {
        return Err(ServiceError::new(
            "ProvisionedThroughputExceededException",
            format!(
                "Rate exceeded for shard shardId-{shard:012} in stream {} under account {ACCOUNT}.",
                stream.name()
            ),
        ));
    }
    Ok(stream.put_in_shard(shard, &record.partition_key, record.data, now))
}

fn put_record(state: &State, input: &Input<'_>) -> Outcome {
    let record = new_record(input, "")?;
    let (stream, _) = named_stream(state, input)?;
    let (shard_id, sequence_number) = put(state, &stream, record)?;
    Ok(json!({
        "ShardId": shard_id,
        "SequenceNumber": sequence_number,
        "EncryptionType": "NONE",
    }))
}

fn put_records(state: &State, input: &Input<'_>) -> Outcome {
    let entries = input.list("Records")?;
    if entries.is_empty() || entries.len() > MAX_PUT_RECORDS {
        return Err(ServiceError::new(
            "ValidationException",
            format!(
                "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to {MAX_PUT_RECORDS} and greater than or equal to 1 (got {})",
                entries.len()
            ),
        ));
    }
    let mut records = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let members = entry.as_object().ok_or_else(|| {
            ServiceError::new(
                "SerializationException",
                "each of 'Records' must be a structure",
            )
        })?;
        records.push(new_record(
            &input.nested(members),
            &format!("records.{}.member.", i + 1),
        )?);
    }
    let total: usize = records
        .iter()
        .map(|r| r.data.len() + r.partition_key.len())
        .sum();
    if total > MAX_PUT_BYTES {
        return Err(invalid(format!(
            "Records size exceeds 10 MB limit (the request holds {total} bytes)"
        )));
    }
    let (stream, _) = named_stream(state, input)?;
    let mut failed = 0;
    let results: Vec<Value> = records
        .into_iter()
        .map(|record| match put(state, &stream, record) {
            Ok((shard_id, sequence_number)) => {
                json!({ "SequenceNumber": sequence_number, "ShardId": shard_id })
            }
            Err(err) => {
                failed += 1;
                json!({ "ErrorCode": err.code, "ErrorMessage": err.message })
            }
        })
        .collect();
    Ok(json!({
        "FailedRecordCount": failed,
        "Records": results,
        "EncryptionType": "NONE",
    }))
}

/// A shard iterator: where to read, and when it was handed out (opaque to clients: base64).
struct Iterator {
    stream: String,
    shard: usize,
    offset: u64,
    issued: Duration,
}

impl Iterator {
    fn encode(&self) -> String {
        STANDARD.encode(format!(
            "{}|{}|{}|{}",
            self.shard,
            self.offset,
            self.issued.as_millis(),
            self.stream
        ))
    }

    fn decode(text: &str) -> Option<Iterator> {
        let bytes = STANDARD.decode(text).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.splitn(4, '|');
        let shard = parts.next()?.parse().ok()?;
        let offset = parts.next()?.parse().ok()?;
        let issued = Duration::from_millis(parts.next()?.parse().ok()?);
        let stream = parts.next()?.to_owned();
        Some(Iterator {
            stream,
            shard,
            offset,
            issued,
        })
    }
}

/// The index of `shardId-000000000003` in `stream`.
fn shard_index(stream: &Stream, shard_id: &str) -> Result<usize, ServiceError> {
    shard_id
        .strip_prefix("shardId-")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&i| i < stream.shard_count())
        .ok_or_else(|| {
            ServiceError::new(
                "ResourceNotFoundException",
                format!(
                    "Shard {shard_id} in stream {} under account {ACCOUNT} does not exist",
                    stream.name()
                ),
            )
        })
}

fn get_shard_iterator(state: &State, input: &Input<'_>) -> Outcome {
    let (stream, _) = named_stream(state, input)?;
    let shard = shard_index(&stream, input.string("ShardId")?)?;
    let kind = input.string("ShardIteratorType")?;
    let sequence = || input.string("StartingSequenceNumber");
    let offset = match kind {
        "TRIM_HORIZON" => stream.first_offset(shard),
        "LATEST" => stream.end_offset(shard),
        "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER" => {
            let sequence = sequence()?;
            if sequence.len() != 56 || !sequence.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(format!(
                    "StartingSequenceNumber {sequence} used in GetShardIterator on shard shardId-{shard:012} in stream {} under account {ACCOUNT} is invalid.",
                    stream.name()
                )));
            }
            let at = stream.offset_of_sequence(shard, sequence).unwrap_or(0);
            let exact = stream
                .records_from(shard, at, 1)
                .0
                .first()
                .is_some_and(|r| r.sequence_number == sequence);
            if kind == "AFTER_SEQUENCE_NUMBER" && exact {
                at + 1
            } else {
                at
            }
        }
        "AT_TIMESTAMP" => {
            let seconds = input.opt_f64("Timestamp")?.ok_or_else(|| {
                invalid(
                    "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP.",
                )
            })?;
            let wall = Duration::try_from_secs_f64(seconds.max(0.0))
                .ok()
                .and_then(|since| UNIX_EPOCH.checked_add(since))
                .ok_or_else(|| invalid(format!("Timestamp {seconds} is out of range")))?;
            // The stream counts simulation time: the wall time's distance back from now.
            let back = state.clock.wall().duration_since(wall).unwrap_or_default();
            let at = state.clock.now().saturating_sub(back);
            stream.offset_at_time(shard, at).unwrap_or(0)
        }
        other => {
            return Err(ServiceError::new(
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{other}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]"
                ),
            ));
        }
    };
    let iterator = Iterator {
        stream: stream.name(),
        shard,
        offset,
        issued: state.clock.now(),
    };
    Ok(json!({ "ShardIterator": iterator.encode() }))
}

fn get_records(state: &State, input: &Input<'_>) -> Outcome {
    let text = input.string("ShardIterator")?;
    let iterator =
        Iterator::decode(text).ok_or_else(|| invalid(format!("Invalid ShardIterator: {text}")))?;
    let limit = match input.opt_i64("Limit")? {
        None => MAX_GET_RECORDS,
        Some(n) if (1..=MAX_GET_RECORDS).contains(&n) => n,
        Some(n) => {
            return Err(ServiceError::new(
                "ValidationException",
                format!(
                    "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {MAX_GET_RECORDS}"
                ),
            ));
        }
    };
    let now = state.clock.now();
    if now.saturating_sub(iterator.issued) > ITERATOR_LIFETIME {
        return Err(ServiceError::new(
            "ExpiredIteratorException",
            format!(
                "Iterator expired. The iterator was created at time {} while right now it is {} which is further in the future than the tolerated delay of 300000 milliseconds.",
                iterator.issued.as_millis(),
                now.as_millis()
            ),
        ));
    }
    let stream = state
        .kinesis
        .get(&iterator.stream)
        .ok_or_else(|| not_found(&iterator.stream))?;
    let (mut records, mut next) = stream.records_from(
        iterator.shard,
        iterator.offset,
        usize::try_from(limit).unwrap_or(usize::MAX),
    );
    // A response holds at most 10 MiB of data (at least one record), as Kinesis's does.
    let mut bytes = 0;
    if let Some(keep) = records.iter().position(|r| {
        bytes += r.data.len();
        bytes > MAX_GET_BYTES
    }) {
        let keep = keep.max(1);
        records.truncate(keep);
        next = records.last().map_or(next, |r| r.offset + 1);
    }
    // Arrivals count from the simulation's start: back to the wall clock from now.
    let wall_now = state.clock.wall();
    let arrival = |at: Duration| {
        epoch_seconds(
            wall_now
                .checked_sub(now.saturating_sub(at))
                .unwrap_or(UNIX_EPOCH),
        )
    };
    let behind = stream
        .records_from(iterator.shard, next, 1)
        .0
        .first()
        .map_or(0, |r| now.saturating_sub(r.arrival).as_millis());
    let records: Vec<Value> = records
        .iter()
        .map(|r| {
            json!({
                "SequenceNumber": r.sequence_number,
                "ApproximateArrivalTimestamp": arrival(r.arrival),
                "Data": STANDARD.encode(&r.data),
                "PartitionKey": r.partition_key,
            })
        })
        .collect();
    let next = Iterator {
        offset: next,
        issued: now,
        ..iterator
    };
    Ok(json!({
        "Records": records,
        "NextShardIterator": next.encode(),
        "MillisBehindLatest": behind,
    }))
}

#[cfg(test)]
mod tests;
