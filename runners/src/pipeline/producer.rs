//! The producer: analytics events evenly spaced in simulated time, users drawn from the seed,
//! each put into the stream and sent to every queue; what it sent, for reading S3 back.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use lambda_sim_pipeline::{Queue, Stream};
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

use super::options::PipelineOptions;

/// The kinds of analytics events the producer sends.
const EVENT_TYPES: [&str; 4] = ["view", "click", "add_to_cart", "purchase"];

/// One analytics event as the producer sends it.
pub(super) struct Sent {
    /// The shard its partition key maps to.
    pub(super) shard: usize,
    /// Its partition key.
    pub(super) user: String,
    /// The event's place among its user's events.
    pub(super) nth: u64,
    /// When it went into the stream.
    pub(super) arrival: Duration,
}

/// The producer's state: what is next, and what it sent.
pub(super) struct Producer {
    rng: ChaCha8Rng,
    start: Duration,
    spacing: Duration,
    records: usize,
    users: usize,
    /// The indexes of the events whose data is not JSON.
    poison: BTreeSet<usize>,
    /// The index of the next event.
    next: usize,
    per_user: BTreeMap<String, u64>,
    /// Every event sent, by index (its `id`).
    pub(super) sent: Vec<Sent>,
    /// Each event's index by its shard and sequence number.
    pub(super) by_sequence: BTreeMap<(String, String), usize>,
}

impl Producer {
    /// A producer whose first event goes in at `start`.
    pub(super) fn new(options: &PipelineOptions, start: Duration) -> Self {
        Producer {
            rng: ChaCha8Rng::seed_from_u64(options.seed),
            start,
            spacing: Duration::from_secs_f64(1.0 / options.rate.max(1e-6)),
            records: options.records,
            users: options.users,
            poison: (0..options.poison)
                .map(|i| (i * 7_919 + 13) % options.records.max(1))
                .collect(),
            next: 0,
            per_user: BTreeMap::new(),
            sent: Vec::with_capacity(options.records),
            by_sequence: BTreeMap::new(),
        }
    }

    /// When event `n` is due.
    fn at(&self, n: usize) -> Duration {
        self.start + self.spacing * u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// When the next event is due, if one is left.
    pub(super) fn next_at(&self) -> Option<Duration> {
        (self.next < self.records).then(|| self.at(self.next))
    }

    /// When the events were due to end: the slot after the last.
    pub(super) fn end(&self) -> Duration {
        self.at(self.records)
    }

    /// How many events were sent so far.
    pub(super) fn sent_so_far(&self) -> usize {
        self.next
    }

    /// How many of the events are poison.
    pub(super) fn poison(&self) -> usize {
        self.poison.len()
    }

    /// Sends every event due from `now` up to `until` (the next other step), at most a
    /// second ahead: into the stream, and a copy to each queue.
    pub(super) fn send(
        &mut self,
        now: Duration,
        until: Option<Duration>,
        stream: &Stream,
        queues: &BTreeMap<String, Queue>,
    ) {
        while self.next < self.records {
            let at = self.at(self.next);
            if until.is_some_and(|u| at > u) || at > now + Duration::from_secs(1) {
                break;
            }
            let user = format!("user-{}", self.rng.random_range(0..self.users.max(1)));
            let nth = {
                let n = self.per_user.entry(user.clone()).or_default();
                *n += 1;
                *n
            };
            let kind = EVENT_TYPES[self.rng.random_range(0..EVENT_TYPES.len())];
            let next = self.next;
            let data = if self.poison.contains(&next) {
                format!("not json: event {next}").into_bytes()
            } else {
                format!(r#"{{"id":{next},"user":"{user}","nth":{nth},"type":"{kind}"}}"#)
                    .into_bytes()
            };
            for queue in queues.values() {
                queue.send_message(&String::from_utf8_lossy(&data), at);
            }
            let (shard_id, sequence) = stream.put_record(&user, data, at);
            self.by_sequence.insert((shard_id, sequence), next);
            self.sent.push(Sent {
                shard: stream.shard_for(&user),
                user,
                nth,
                arrival: at,
            });
            self.next += 1;
        }
    }
}
