//! One parallelization lane of a shard: its waiting records, the batch being retried, and
//! what an invocation's outcome does to them (checkpoint, retry, bisection, discard).

use std::collections::VecDeque;
use std::time::Duration;

use super::stream::StoredRecord;
use crate::outcome::{BatchEnd, Read};
use crate::response::ItemFailures;

/// Lambda's limit on a synchronous invocation's payload (6 MB).
pub(crate) const MAX_PAYLOAD: usize = 6 * 1024 * 1024;

/// The longest backoff after throttles.
const MAX_THROTTLE_BACKOFF: Duration = Duration::from_secs(60);

/// The settings a lane reads, from the mapping's config and the stream.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub batch_size: usize,
    pub window: Duration,
    pub retention: Duration,
    pub max_age: Option<Duration>,
    pub max_retries: Option<i64>,
    pub bisect: bool,
    pub report_item_failures: bool,
}

/// A record read from the shard, waiting in its lane.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub record: StoredRecord,
    /// The record's entry of `Records`, serialised once.
    pub entry: Vec<u8>,
    /// The poll that read it.
    pub pulled_at: Duration,
}

/// Records at the head of the lane that were sent and failed: they are sent again, as one
/// batch, before anything after them.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub len: usize,
    /// Invocations (not throttled) that included these records.
    pub invokes: u32,
    /// Retries used.
    pub retries: i64,
    /// Whether the last failure was a function error.
    pub function_error: bool,
}

/// Records dropped before a dispatch.
#[derive(Debug, Default)]
pub(crate) struct Expiry {
    pub retention: usize,
    pub aged: Vec<StoredRecord>,
    pub invokes: u32,
    pub function_error: bool,
}

/// What an outcome did.
#[derive(Debug)]
pub(crate) struct Settled {
    pub end: BatchEnd,
    pub acknowledged: usize,
    pub retried: bool,
    pub bisected: bool,
    /// Records discarded after the retries were used up, with the invocations and whether the
    /// last failure was a function error.
    pub exhausted: Option<(Vec<StoredRecord>, u32, bool)>,
}

/// A lane of a shard.
#[derive(Debug, Default)]
pub(crate) struct Lane {
    pub queue: VecDeque<Pending>,
    /// Failed records at the head of `queue`, in order: the first is sent next; more than one
    /// after a bisection.
    pub segments: VecDeque<Segment>,
    /// When the lane's last invocation ended.
    pub busy_until: Duration,
    /// The earliest time the head segment may be sent again (after a throttle's backoff).
    pub retry_at: Duration,
    pub throttle_streak: u32,
}

impl Lane {
    /// Whether nothing waits in the lane.
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// How many records from the head make a new batch: at most the batch size, and no more
    /// than fit in 6 MB of event (at least one).
    fn take_len(&self, limits: &Limits) -> usize {
        let mut bytes = super::batch_event::ENVELOPE_LEN;
        let mut n = 0;
        for pending in self.queue.iter().take(limits.batch_size) {
            bytes += pending.entry.len() + 1;
            if n > 0 && bytes > MAX_PAYLOAD {
                break;
            }
            n += 1;
        }
        n
    }

    /// The number of records of the next batch.
    pub(crate) fn batch_len(&self, limits: &Limits) -> usize {
        match self.segments.front() {
            Some(segment) => segment.len,
            None => self.take_len(limits),
        }
    }

    /// When the lane's next batch is due: a retry when the last invocation ended (or its
    /// throttle backoff passed); a new batch when the lane is free and the batch is full, or
    /// the batching window has passed since the lane was free with a record waiting.
    pub(crate) fn due(&self, limits: &Limits) -> Option<Duration> {
        if self.segments.front().is_some() {
            return Some(self.busy_until.max(self.retry_at));
        }
        let first = self.queue.front()?;
        let start = self.busy_until.max(first.pulled_at);
        let len = self.take_len(limits);
        let full = len == limits.batch_size || len < self.queue.len();
        Some(if full { start } else { start + limits.window })
    }

    /// Removes `n` records from the head, shortening or removing the segments they were in.
    fn pop_front(&mut self, n: usize) -> Vec<StoredRecord> {
        let out: Vec<StoredRecord> = (0..n)
            .filter_map(|_| self.queue.pop_front())
            .map(|p| p.record)
            .collect();
        let mut left = out.len();
        while left > 0 {
            let Some(segment) = self.segments.front_mut() else {
                break;
            };
            if segment.len <= left {
                left -= segment.len;
                self.segments.pop_front();
            } else {
                segment.len -= left;
                left = 0;
            }
        }
        out
    }

    /// Drops the head records past retention, then those older than the maximum record age,
    /// at `now`.
    pub(crate) fn expire(&mut self, now: Duration, limits: &Limits) -> Expiry {
        let count = |lane: &Self, expired: &dyn Fn(Duration) -> bool| {
            lane.queue
                .iter()
                .take_while(|p| expired(p.record.arrival))
                .count()
        };
        let retention = limits.retention;
        let n = count(self, &|arrival| arrival + retention <= now);
        let mut expiry = Expiry {
            retention: self.pop_front(n).len(),
            ..Expiry::default()
        };
        if let Some(max_age) = limits.max_age {
            let n = count(self, &|arrival| now.saturating_sub(arrival) > max_age);
            if n > 0 {
                if let Some(segment) = self.segments.front() {
                    expiry.invokes = segment.invokes;
                    expiry.function_error = segment.function_error;
                }
                expiry.aged = self.pop_front(n);
            }
        }
        expiry
    }

    /// Marks the next `len` records as sent: they become the head segment if they were not.
    pub(crate) fn start(&mut self, len: usize) {
        if self.segments.is_empty() {
            self.segments.push_back(Segment {
                len,
                invokes: 0,
                retries: 0,
                function_error: false,
            });
        }
    }

    /// Applies an invocation's outcome to the head segment (of `len` records), which ended at
    /// `ends` (never before `now` plus 1 ms).
    pub(crate) fn settle(&mut self, read: Read, ends: Duration, limits: &Limits) -> Settled {
        self.busy_until = ends;
        self.retry_at = ends;
        let mut settled = Settled {
            end: BatchEnd::Success,
            acknowledged: 0,
            retried: false,
            bisected: false,
            exhausted: None,
        };
        let Some(segment) = self.segments.front_mut() else {
            return settled;
        };
        let len = segment.len;
        if let Read::Throttled = read {
            // Exponential backoff from 1 s, at most 60 s; no attempt is used.
            let backoff = Duration::from_secs(1 << self.throttle_streak.min(6));
            self.throttle_streak += 1;
            self.retry_at = ends + backoff.min(MAX_THROTTLE_BACKOFF);
            settled.end = BatchEnd::Throttled;
            return settled;
        }
        self.throttle_streak = 0;
        segment.invokes += 1;
        let failed_from = match &read {
            Read::Throttled => return settled,
            Read::Response(ItemFailures::None) => None,
            Read::FunctionError(error_type) => {
                settled.end = BatchEnd::FunctionError(error_type.clone());
                Some(0)
            }
            Read::Response(ItemFailures::Invalid) => {
                settled.end = BatchEnd::InvalidResponse;
                Some(0)
            }
            Read::Response(ItemFailures::Failed(ids)) => {
                let positions: Option<Vec<usize>> = ids
                    .iter()
                    .map(|id| {
                        self.queue
                            .iter()
                            .take(len)
                            .position(|p| &p.record.sequence_number == id)
                    })
                    .collect();
                match positions.and_then(|p| p.into_iter().min()) {
                    Some(lowest) => {
                        settled.end = BatchEnd::PartialFailure {
                            retried: len - lowest,
                        };
                        Some(lowest)
                    }
                    None => {
                        settled.end = BatchEnd::InvalidResponse;
                        Some(0)
                    }
                }
            }
        };
        let Some(failed_from) = failed_from else {
            settled.acknowledged = self.pop_front(len).len();
            return settled;
        };
        // The checkpoint moves to the lowest failed record: the records before it are done.
        settled.acknowledged = self.pop_front(failed_from).len();
        let function_error = matches!(read, Read::FunctionError(_));
        let whole_batch_failed = matches!(
            settled.end,
            BatchEnd::FunctionError(_) | BatchEnd::InvalidResponse
        );
        let Some(segment) = self.segments.front_mut() else {
            return settled;
        };
        segment.function_error = function_error;
        if limits.bisect && whole_batch_failed && segment.len > 1 {
            let first = Segment {
                len: segment.len.div_ceil(2),
                ..segment.clone()
            };
            segment.len -= first.len;
            self.segments.push_front(first);
            settled.bisected = true;
        } else if limits.max_retries.is_some_and(|max| segment.retries >= max) {
            let (n, invokes) = (segment.len, segment.invokes);
            settled.exhausted = Some((self.pop_front(n), invokes, function_error));
        } else {
            segment.retries += 1;
            settled.retried = true;
        }
        settled
    }
}
