//! A Kinesis event-source mapping: polls each shard, batches per lane, invokes, checkpoints.

use std::time::Duration;

use serde_json::Value;

use super::batch_event::{self, DiscardCondition, Discarded, EventContext};
use super::config::{KinesisMappingConfig, StartingPosition};
use super::lane::{Lane, Limits, Pending};
use super::stats::{KinesisInvocation, KinesisStats};
use super::stream::Stream;
use crate::error::ConfigError;
use crate::ids::md5_u128;
use crate::outcome::Read;
use crate::target::{Source, Target};

/// How often Lambda polls a shard that had nothing to read.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The least time an invocation takes in the model, so that simulated time always advances.
const MIN_INVOCATION: Duration = Duration::from_millis(1);

/// A mapping's reading position in one shard and the shard's lanes.
#[derive(Debug)]
struct ShardReader {
    ctx: EventContext,
    /// The offset of the next record to read from the stream.
    read_offset: u64,
    /// The next whole-second poll.
    next_tick: Duration,
    /// Polls due when a lane's batch ends.
    free_polls: Vec<Duration>,
    lanes: Vec<Lane>,
}

/// A Kinesis event-source mapping over a [`Stream`], as a [`Source`] of invocations.
///
/// # Model
/// - **Polling.** Each shard is polled at every whole second of simulation time, and again
///   when one of its lanes' invocations ends (Lambda reads again as soon as a batch is done). A
///   poll at time `p` reads the records that arrived by `p`. A step that comes late does the
///   latest poll that came due.
/// - **Lanes.** A record goes to lane `md5(partitionKey) % ParallelizationFactor` of its shard,
///   so one key's records stay in one lane, in order. Each lane has at most one batch in
///   flight; lanes of a shard, and shards, proceed independently.
/// - **Batching.** A lane that is free sends a batch when it holds `BatchSize` records, or
///   more than fit in 6 MB of event, or when `MaximumBatchingWindowInSeconds` has passed since
///   it was free with a record waiting (with a window of 0: at once, with what the poll read).
/// - **Failures.** A failed batch stays at the head of its lane and is sent again when its
///   invocation ends: a function error, a `batchItemFailures` naming a record not in the
///   batch or malformed (the whole batch), or a valid partial response (only the records from
///   the lowest failed sequence number on; those before it are acknowledged). Each such retry
///   uses one of `MaximumRetryAttempts` (-1: no limit, until retention trims the records).
///   When they are used up, the records are discarded and, with an on-failure destination, one
///   record with `RetryAttemptsExhausted` describes them.
/// - **Bisection.** With `BisectBatchOnFunctionError`, a batch of two or more records that
///   fails as a whole (a function error or an invalid response) is split in two halves, the
///   first `ceil(n/2)` records then the rest, each sent in turn as its own batch, with the
///   retries and invocation count the batch had: the split itself uses no retry (AWS: "the
///   batch is split in two and each half is retried separately; splitting does not count
///   toward the retry quota"). A failing half splits again, down to single records, which then
///   use retries. A partial batch response is not bisected: the checkpoint already narrows
///   the retry to the failed suffix (AWS splits at the returned sequence number).
/// - **Age and retention.** Before a batch is sent, the lane drops the head records that the
///   stream's retention has trimmed (counted, not described anywhere), then those older than
///   `MaximumRecordAgeInSeconds` (described by a `RecordAgeExceeded` destination record with
///   the invocations they had, which may be 0). Records trimmed before the mapping read them
///   are counted at the next poll.
/// - **Throttles.** A throttled invocation uses no retry; the batch is sent again after a
///   backoff of 1 s, doubling up to 60 s while throttles continue.
/// - **Time.** An invocation is taken to last at least 1 ms, so that a failing batch cannot be
///   retried without simulated time advancing.
#[derive(Debug)]
pub struct KinesisMapping {
    stream: Stream,
    config: KinesisMappingConfig,
    limits: Limits,
    function_arn: String,
    shards: Vec<ShardReader>,
    stats: KinesisStats,
    destination_records: Vec<Value>,
    invocations: Vec<KinesisInvocation>,
    last_now: Duration,
}

impl KinesisMapping {
    /// Creates a mapping of `config` over `stream`, at its starting position in every shard
    /// (`LATEST`: after the records put so far).
    pub fn new(stream: Stream, config: KinesisMappingConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let (region, account, stream_arn) = (stream.region(), stream.account(), stream.arn());
        let function_arn = if config.function_name.starts_with("arn:") {
            config.function_name.clone()
        } else {
            format!(
                "arn:aws:lambda:{region}:{account}:function:{}",
                config.function_name
            )
        };
        let positive = |v: i64| u64::try_from(v).ok();
        let limits = Limits {
            batch_size: config.batch_size as usize,
            window: Duration::from_secs(config.maximum_batching_window_in_seconds.into()),
            retention: stream.retention(),
            max_age: positive(config.maximum_record_age_in_seconds).map(Duration::from_secs),
            max_retries: (config.maximum_retry_attempts >= 0)
                .then_some(config.maximum_retry_attempts),
            bisect: config.bisect_batch_on_function_error,
            report_item_failures: config.reports_item_failures(),
        };
        let shards = stream
            .shard_ids()
            .into_iter()
            .enumerate()
            .map(|(i, shard_id)| ShardReader {
                ctx: EventContext {
                    shard_id,
                    region: region.clone(),
                    stream_arn: stream_arn.clone(),
                    role_arn: format!("arn:aws:iam::{account}:role/lambda-sim"),
                },
                read_offset: match config.starting_position {
                    StartingPosition::TrimHorizon => 0,
                    StartingPosition::Latest => stream.end_offset(i),
                },
                next_tick: Duration::ZERO,
                free_polls: Vec::new(),
                lanes: (0..config.parallelization_factor)
                    .map(|_| Lane::default())
                    .collect(),
            })
            .collect();
        Ok(Self {
            stream,
            config,
            limits,
            function_arn,
            shards,
            stats: KinesisStats::default(),
            destination_records: Vec::new(),
            invocations: Vec::new(),
            last_now: Duration::ZERO,
        })
    }

    /// The mapping's settings.
    pub fn config(&self) -> &KinesisMappingConfig {
        &self.config
    }

    /// The ARN of the function the mapping invokes.
    pub fn function_arn(&self) -> &str {
        &self.function_arn
    }

    /// The counters so far; records trimmed before the mapping read them are included as soon
    /// as the stream has trimmed them.
    pub fn stats(&self) -> KinesisStats {
        let mut stats = self.stats.clone();
        for (i, shard) in self.shards.iter().enumerate() {
            let first = self.stream.first_offset(i);
            stats.records_expired_by_retention += first.saturating_sub(shard.read_offset);
        }
        stats
    }

    /// The on-failure destination records produced so far, in order (empty without a
    /// destination).
    pub fn destination_records(&self) -> &[Value] {
        &self.destination_records
    }

    /// Every invocation so far, in the order made.
    pub fn invocations(&self) -> &[KinesisInvocation] {
        &self.invocations
    }

    /// Whether every record put so far (from the starting position) has been acknowledged or
    /// discarded.
    pub fn is_done(&self) -> bool {
        self.shards.iter().enumerate().all(|(i, shard)| {
            self.stream
                .first_arrival_from(i, shard.read_offset)
                .is_none()
                && shard.lanes.iter().all(Lane::is_empty)
        })
    }

    /// Polls shard `i` if a poll came due by `now`: reads what arrived by the latest due poll
    /// into the lanes.
    fn poll(&mut self, i: usize, now: Duration) {
        let lanes = u128::from(self.config.parallelization_factor);
        let shard = &mut self.shards[i];
        let mut due = None;
        if shard.next_tick <= now {
            due = Some(Duration::from_secs(now.as_secs()));
            shard.next_tick = Duration::from_secs(now.as_secs()) + POLL_INTERVAL;
        }
        for &free in shard.free_polls.iter().filter(|&&f| f <= now) {
            due = due.max(Some(free));
        }
        shard.free_polls.retain(|&f| f > now);
        let Some(at) = due else { return };
        let read = self.stream.read(i, shard.read_offset, at);
        self.stats.records_expired_by_retention += read.trimmed;
        shard.read_offset = read.next_offset;
        for record in read.records {
            let lane = (md5_u128(record.partition_key.as_bytes()) % lanes) as usize;
            let entry = batch_event::record_json(&shard.ctx, &record);
            shard.lanes[lane].queue.push_back(Pending {
                record,
                entry,
                pulled_at: at,
            });
        }
    }

    /// Sends lane `l` of shard `i`'s batch if one is due at `now`.
    async fn dispatch(&mut self, i: usize, l: usize, now: Duration, target: &mut impl Target) {
        let limits = &self.limits;
        let lane = &mut self.shards[i].lanes[l];
        if lane.due(limits).is_none_or(|due| due > now) {
            return;
        }
        let expiry = lane.expire(now, limits);
        let len = lane.batch_len(limits);
        let ready = lane.due(limits).is_some_and(|due| due <= now);
        let entries: Vec<Vec<u8>> = lane
            .queue
            .iter()
            .take(len)
            .map(|p| p.entry.clone())
            .collect();
        let (first, last) = (
            lane.queue.front().cloned(),
            lane.queue.get(len.saturating_sub(1)).cloned(),
        );
        if ready {
            lane.start(len);
        }
        self.stats.records_expired_by_retention += expiry.retention as u64;
        if !expiry.aged.is_empty() {
            self.stats.records_expired_by_age += expiry.aged.len() as u64;
            self.discard(
                i,
                &Discarded {
                    condition: DiscardCondition::RecordAgeExceeded,
                    records: &expiry.aged,
                    invoke_count: expiry.invokes,
                    function_error: expiry.function_error.then_some("Unhandled"),
                    at: now,
                },
            );
        }
        let (true, Some(first), Some(last)) = (ready, first, last) else {
            return;
        };
        let outcome = target.invoke(now, batch_event::envelope(&entries)).await;
        let ends = outcome.ends_at.max(now + MIN_INVOCATION);
        let read = Read::of(&outcome, self.limits.report_item_failures);
        let shard = &mut self.shards[i];
        shard.free_polls.push(ends);
        let settled = shard.lanes[l].settle(read, ends, &self.limits);
        let stats = &mut self.stats;
        stats.invocations += 1;
        stats.throttles += u64::from(matches!(settled.end, crate::BatchEnd::Throttled));
        stats.successful_batches += u64::from(settled.end.is_success());
        stats.records_acknowledged += settled.acknowledged as u64;
        stats.retried_batches += u64::from(settled.retried);
        stats.bisections += u64::from(settled.bisected);
        self.invocations.push(KinesisInvocation {
            shard_id: shard.ctx.shard_id.clone(),
            lane: l as u32,
            first_sequence_number: first.record.sequence_number,
            last_sequence_number: last.record.sequence_number,
            batch_size: len,
            earliest_arrival: first.record.arrival,
            invoked_at: now,
            ends_at: outcome.ends_at,
            end: settled.end,
        });
        if let Some((records, invokes, function_error)) = settled.exhausted {
            self.stats.records_retries_exhausted += records.len() as u64;
            self.discard(
                i,
                &Discarded {
                    condition: DiscardCondition::RetryAttemptsExhausted,
                    records: &records,
                    invoke_count: invokes,
                    function_error: function_error.then_some("Unhandled"),
                    at: ends,
                },
            );
        }
    }

    /// Describes discarded records in a destination record, if a destination is set.
    fn discard(&mut self, i: usize, discarded: &Discarded<'_>) {
        if self.config.on_failure_destination().is_none() || discarded.records.is_empty() {
            return;
        }
        self.stats.records_to_destination += discarded.records.len() as u64;
        let record =
            batch_event::destination_record(&self.shards[i].ctx, &self.function_arn, discarded);
        self.destination_records.push(record);
    }
}

impl Source for KinesisMapping {
    fn next_at(&self) -> Option<Duration> {
        let mut next: Option<Duration> = None;
        let mut consider = |t: Duration| next = Some(next.map_or(t, |n| n.min(t)));
        for (i, shard) in self.shards.iter().enumerate() {
            if let Some(arrival) = self.stream.first_arrival_from(i, shard.read_offset) {
                let tick =
                    Duration::from_secs(arrival.as_secs() + u64::from(arrival.subsec_nanos() > 0));
                consider(tick.max(shard.next_tick));
                if let Some(&free) = shard.free_polls.iter().filter(|&&f| f >= arrival).min() {
                    consider(free);
                }
            }
            for lane in &shard.lanes {
                if let Some(due) = lane.due(&self.limits) {
                    consider(due);
                }
            }
        }
        next.map(|t| t.max(self.last_now))
    }

    async fn step(&mut self, now: Duration, target: &mut impl Target) {
        self.last_now = self.last_now.max(now);
        for i in 0..self.shards.len() {
            self.poll(i, now);
            for l in 0..self.shards[i].lanes.len() {
                self.dispatch(i, l, now, target).await;
            }
        }
    }
}
