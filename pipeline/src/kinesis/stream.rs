//! A Kinesis data stream: shards over the hash key space, sequence numbers, retention.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use crate::error::ConfigError;
use crate::ids::md5_u128;

/// A stream's settings, checked by [`Stream::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamConfig {
    /// The stream's name (1-128 letters, digits, `-`, `_`, `.`). Default `stream`.
    pub name: String,
    /// The region in the stream's ARN. Default `us-east-1`.
    pub region: String,
    /// The account in the stream's ARN. Default `123456789012`.
    pub account: String,
    /// The number of shards (1-10,000), each owning an equal slice of the hash key space.
    /// Default 1.
    pub shard_count: usize,
    /// How long a record stays readable (24 h to 8,760 h, as Kinesis allows; the whole hours
    /// are checked). Default 24 h.
    pub retention: Duration,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            name: "stream".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
            shard_count: 1,
            retention: Duration::from_secs(24 * 3600),
        }
    }
}

/// One record as a shard stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    /// The position of the record in its shard (0, 1, ...), never reused.
    pub offset: u64,
    /// The record's sequence number: 56 decimal digits, so that string order is numeric order.
    pub sequence_number: String,
    /// The partition key the producer gave.
    pub partition_key: String,
    /// The record's data.
    pub data: Vec<u8>,
    /// When Kinesis accepted the record (its approximate arrival), in simulation time.
    pub arrival: Duration,
}

/// One shard's slice of the hash key space and its retained records.
#[derive(Debug)]
struct Shard {
    id: String,
    starting_hash_key: u128,
    ending_hash_key: u128,
    records: VecDeque<StoredRecord>,
    next_offset: u64,
}

#[derive(Debug)]
struct StreamState {
    config: StreamConfig,
    arn: String,
    shards: Vec<Shard>,
    next_sequence: u64,
    last_arrival: Duration,
}

/// A Kinesis data stream, shared by its producer and the mappings that read it.
///
/// `Stream` is a handle: clones share one stream (`Arc<Mutex<..>>`), so a driver keeps one to
/// put records while each [`KinesisMapping`](super::KinesisMapping) keeps another and its own
/// position in each shard, and producers on other threads (the Kinesis API of `serve`) put
/// records meanwhile. No lock is held across an invocation, so a target may put records while
/// a mapping invokes it.
#[derive(Debug, Clone)]
pub struct Stream {
    state: Arc<Mutex<StreamState>>,
}

/// The end of a read of a shard: the records, and how many were trimmed unread.
pub(crate) struct Read {
    pub records: Vec<StoredRecord>,
    pub trimmed: u64,
    pub next_offset: u64,
}

impl Stream {
    /// The stream's state; a panic elsewhere while it was held leaves it usable (every change
    /// is made whole under the lock).
    fn lock(&self) -> MutexGuard<'_, StreamState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Creates a stream with `config.shard_count` shards, `shardId-000000000000`, ... each
    /// owning an equal slice of the 128-bit hash key space, in order.
    pub fn new(config: StreamConfig) -> Result<Self, ConfigError> {
        ConfigError::check_name("stream", &config.name, 128, true)?;
        let shard_count = i64::try_from(config.shard_count).unwrap_or(i64::MAX);
        ConfigError::check("shard count", "Kinesis", shard_count, 1, 10_000)?;
        let retention_hours = i64::try_from(config.retention.as_secs() / 3600).unwrap_or(i64::MAX);
        ConfigError::check(
            "retention period in hours",
            "Kinesis",
            retention_hours,
            24,
            8760,
        )?;
        let arn = format!(
            "arn:aws:kinesis:{}:{}:stream/{}",
            config.region, config.account, config.name
        );
        let shards = (0..config.shard_count)
            .map(|i| Shard {
                id: format!("shardId-{i:012}"),
                starting_hash_key: slice_start(i, config.shard_count),
                ending_hash_key: if i + 1 == config.shard_count {
                    u128::MAX
                } else {
                    slice_start(i + 1, config.shard_count) - 1
                },
                records: VecDeque::new(),
                next_offset: 0,
            })
            .collect();
        let state = StreamState {
            config,
            arn,
            shards,
            next_sequence: 0,
            last_arrival: Duration::ZERO,
        };
        Ok(Self {
            state: Arc::new(Mutex::new(state)),
        })
    }

    /// The stream's name.
    pub fn name(&self) -> String {
        self.lock().config.name.clone()
    }

    /// The stream's ARN, `arn:aws:kinesis:<region>:<account>:stream/<name>`.
    pub fn arn(&self) -> String {
        self.lock().arn.clone()
    }

    /// The stream's region.
    pub fn region(&self) -> String {
        self.lock().config.region.clone()
    }

    /// The stream's account.
    pub fn account(&self) -> String {
        self.lock().config.account.clone()
    }

    /// The retention period.
    pub fn retention(&self) -> Duration {
        self.lock().config.retention
    }

    /// The shard ids, in order.
    pub fn shard_ids(&self) -> Vec<String> {
        self.lock().shards.iter().map(|s| s.id.clone()).collect()
    }

    /// The number of shards.
    pub fn shard_count(&self) -> usize {
        self.lock().shards.len()
    }

    /// A shard's hash key range as Kinesis's `DescribeStream` writes it (decimal strings,
    /// inclusive), or `None` past the last shard.
    pub fn hash_key_range(&self, shard: usize) -> Option<(String, String)> {
        let state = self.lock();
        let s = state.shards.get(shard)?;
        Some((
            s.starting_hash_key.to_string(),
            s.ending_hash_key.to_string(),
        ))
    }

    /// The index of the shard a partition key goes to: the one whose range holds the MD5 of
    /// the key read as a big-endian 128-bit integer.
    pub fn shard_for(&self, partition_key: &str) -> usize {
        self.shard_for_hash(md5_u128(partition_key.as_bytes()))
    }

    /// The index of the shard whose range holds `hash` (an `ExplicitHashKey`).
    pub fn shard_for_hash(&self, hash: u128) -> usize {
        let state = self.lock();
        state
            .shards
            .iter()
            .position(|s| s.starting_hash_key <= hash && hash <= s.ending_hash_key)
            .unwrap_or(state.shards.len() - 1)
    }

    /// Puts a record at simulation time `at` and returns its shard id and sequence number.
    ///
    /// Arrival times never go back: a record put at an earlier `at` than the last one arrives
    /// at the last one's time. Records older than the retention period at `at` are trimmed.
    /// Kinesis's limits (1 MB of data, 256-character keys) are not checked.
    pub fn put_record(&self, partition_key: &str, data: Vec<u8>, at: Duration) -> (String, String) {
        let shard = self.shard_for(partition_key);
        self.put_in_shard(shard, partition_key, data, at)
    }

    /// [`Stream::put_record`] into shard `shard` (chosen by an explicit hash key); a shard
    /// past the last is the last.
    pub fn put_in_shard(
        &self,
        shard: usize,
        partition_key: &str,
        data: Vec<u8>,
        at: Duration,
    ) -> (String, String) {
        let mut state = self.lock();
        let shard = shard.min(state.shards.len() - 1);
        let arrival = at.max(state.last_arrival);
        state.last_arrival = arrival;
        state.trim(arrival);
        let sequence = state.next_sequence;
        state.next_sequence += 1;
        // 56 digits like Kinesis's: `49` then the stream-wide counter, zero-padded.
        let sequence_number = format!("49{sequence:054}");
        let s = &mut state.shards[shard];
        s.records.push_back(StoredRecord {
            offset: s.next_offset,
            sequence_number: sequence_number.clone(),
            partition_key: partition_key.to_owned(),
            data,
            arrival,
        });
        s.next_offset += 1;
        (s.id.clone(), sequence_number)
    }

    /// Up to `limit` records of `shard` from `offset` (from the oldest retained one if
    /// `offset` was trimmed), and the offset after them: `GetRecords`.
    pub fn records_from(
        &self,
        shard: usize,
        offset: u64,
        limit: usize,
    ) -> (Vec<StoredRecord>, u64) {
        let state = self.lock();
        let Some(s) = state.shards.get(shard) else {
            return (Vec::new(), offset);
        };
        let from = s.records.partition_point(|r| r.offset < offset);
        let records: Vec<StoredRecord> = s.records.range(from..).take(limit).cloned().collect();
        let first_retained = s.records.front().map_or(s.next_offset, |r| r.offset);
        let next = records
            .last()
            .map_or(offset.max(first_retained), |r| r.offset + 1);
        (records, next)
    }

    /// The offset of the record of `shard` with this sequence number, or of the first one
    /// after it (sequence numbers grow within a shard).
    pub fn offset_of_sequence(&self, shard: usize, sequence_number: &str) -> Option<u64> {
        let state = self.lock();
        let s = state.shards.get(shard)?;
        // 56-digit strings: string order is numeric order.
        let at = s
            .records
            .partition_point(|r| r.sequence_number.as_str() < sequence_number);
        Some(s.records.get(at).map_or(s.next_offset, |r| r.offset))
    }

    /// The offset of the first record of `shard` that arrived at or after `at`.
    pub fn offset_at_time(&self, shard: usize, at: Duration) -> Option<u64> {
        let state = self.lock();
        let s = state.shards.get(shard)?;
        let i = s.records.partition_point(|r| r.arrival < at);
        Some(s.records.get(i).map_or(s.next_offset, |r| r.offset))
    }

    /// Drops the records older than the retention period at `now`.
    pub fn trim(&self, now: Duration) {
        self.lock().trim(now);
    }

    /// The records a shard holds now (after trimming at the last put or [`Stream::trim`]).
    pub fn records(&self, shard: usize) -> Vec<StoredRecord> {
        let state = self.lock();
        state
            .shards
            .get(shard)
            .map(|s| s.records.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The offset the next record of `shard` will get (its end, where `LATEST` starts).
    pub fn end_offset(&self, shard: usize) -> u64 {
        self.lock().shards.get(shard).map_or(0, |s| s.next_offset)
    }

    /// The offset of the oldest retained record of `shard` (its end if it holds none).
    pub fn first_offset(&self, shard: usize) -> u64 {
        let state = self.lock();
        state
            .shards
            .get(shard)
            .map_or(0, |s| s.records.front().map_or(s.next_offset, |r| r.offset))
    }

    /// The arrival of the first record of `shard` at or after `offset`, if any.
    pub(crate) fn first_arrival_from(&self, shard: usize, offset: u64) -> Option<Duration> {
        let state = self.lock();
        let s = state.shards.get(shard)?;
        // Records are kept in offset order: a binary search, not a scan of the retention.
        let from = s.records.partition_point(|r| r.offset < offset);
        s.records.get(from).map(|r| r.arrival)
    }

    /// Reads `shard` from `offset`: the records that arrived by `until`, after trimming at
    /// `until`, and how many records from `offset` were trimmed before they could be read.
    pub(crate) fn read(&self, shard: usize, offset: u64, until: Duration) -> Read {
        let mut state = self.lock();
        state.trim(until);
        let Some(s) = state.shards.get(shard) else {
            return Read {
                records: Vec::new(),
                trimmed: 0,
                next_offset: offset,
            };
        };
        let first_retained = s.records.front().map_or(s.next_offset, |r| r.offset);
        let trimmed = first_retained.saturating_sub(offset);
        // In offset order, and arrivals never go back: from `offset` while arrived by `until`.
        let from = s.records.partition_point(|r| r.offset < offset);
        let records: Vec<StoredRecord> = s
            .records
            .range(from..)
            .take_while(|r| r.arrival <= until)
            .cloned()
            .collect();
        let next_offset = records
            .last()
            .map_or(offset.max(first_retained), |r| r.offset + 1);
        Read {
            records,
            trimmed,
            next_offset,
        }
    }
}

impl StreamState {
    fn trim(&mut self, now: Duration) {
        let retention = self.config.retention;
        for shard in &mut self.shards {
            while shard
                .records
                .front()
                .is_some_and(|r| r.arrival + retention <= now)
            {
                shard.records.pop_front();
            }
        }
    }
}

/// The first hash key of slice `i` of `n`: floor(2^128 * i / n), as `CreateStream` splits.
fn slice_start(i: usize, n: usize) -> u128 {
    if i == 0 {
        return 0;
    }
    // Here n >= 2, so the quotient below leaves room for the carry.
    let (i, n) = (i as u128, n as u128);
    // 2^128 = q * n + r, computed without overflowing.
    let (mut q, mut r) = (u128::MAX / n, u128::MAX % n + 1);
    if r == n {
        q += 1;
        r = 0;
    }
    q * i + r * i / n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(shards: usize) -> Stream {
        Stream::new(StreamConfig {
            shard_count: shards,
            ..StreamConfig::default()
        })
        .expect("valid stream")
    }

    #[test]
    fn shards_split_the_hash_key_space_as_create_stream_does() {
        let s = stream(2);
        assert_eq!(
            s.shard_ids(),
            ["shardId-000000000000", "shardId-000000000001"]
        );
        assert_eq!(
            s.arn(),
            "arn:aws:kinesis:us-east-1:123456789012:stream/stream"
        );
        assert_eq!(
            s.hash_key_range(0),
            Some(("0".into(), "170141183460469231731687303715884105727".into()))
        );
        assert_eq!(
            s.hash_key_range(1),
            Some((
                "170141183460469231731687303715884105728".into(),
                "340282366920938463463374607431768211455".into()
            ))
        );
    }

    #[test]
    fn the_shard_is_chosen_by_the_md5_of_the_partition_key() {
        // MD5("a") = 0cc175b9...: the top bits are 0000 1100, in the first quarter and the
        // first half; MD5("b") = 92eb5ffe...: 1001 0010, in the third quarter.
        let s = stream(4);
        assert_eq!(s.shard_for("a"), 0);
        assert_eq!(s.shard_for("b"), 2);
        let (shard, _) = s.put_record("b", b"x".to_vec(), Duration::ZERO);
        assert_eq!(shard, "shardId-000000000002");
        assert_eq!(stream(2).shard_for("b"), 1);
    }

    #[test]
    fn sequence_numbers_increase_as_numbers_and_as_strings() {
        let s = stream(1);
        let (_, first) = s.put_record("k", vec![], Duration::ZERO);
        let (_, second) = s.put_record("k", vec![], Duration::ZERO);
        assert_eq!(first.len(), 56);
        assert!(first < second);
        // Fixed-width decimal digits: string order is numeric order.
        assert_eq!(second.len(), 56);
        assert!(
            first
                .bytes()
                .chain(second.bytes())
                .all(|b| b.is_ascii_digit())
        );
    }

    #[test]
    fn records_past_retention_are_trimmed() {
        let s = stream(1);
        s.put_record("k", b"old".to_vec(), Duration::ZERO);
        s.put_record("k", b"new".to_vec(), Duration::from_secs(3600));
        s.trim(Duration::from_secs(24 * 3600));
        let left: Vec<_> = s.records(0).into_iter().map(|r| r.data).collect();
        assert_eq!(left, [b"new".to_vec()]);
        let read = s.read(0, 0, Duration::from_secs(24 * 3600));
        assert_eq!(
            (read.trimmed, read.records.len(), read.next_offset),
            (1, 1, 2)
        );
    }

    #[test]
    fn settings_out_of_range_are_refused() {
        let e = Stream::new(StreamConfig {
            shard_count: 0,
            ..StreamConfig::default()
        })
        .expect_err("no shard");
        assert_eq!(
            e.to_string(),
            "shard count 0 is outside Kinesis's range of 1 to 10000"
        );
        let e = Stream::new(StreamConfig {
            retention: Duration::from_secs(3600),
            ..StreamConfig::default()
        })
        .expect_err("too short");
        assert_eq!(
            e.to_string(),
            "retention period in hours 1 is outside Kinesis's range of 24 to 8760"
        );
    }
}
