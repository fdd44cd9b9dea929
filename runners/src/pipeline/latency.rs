//! Where the events' time went: the first Kinesis consumer's invocations on a timeline, each
//! event's iterator age at the first invocation that carried it, and its time from arrival to
//! its first S3 object.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use lambda_sim_pipeline::KinesisMapping;

use super::producer::Sent;
use super::report::TimelineSpan;
use crate::load::{PhaseStats, latency_histogram, record};

/// Invocations the timeline shows, at most.
const TIMELINE_SPANS: usize = 400;

/// The first invocations of `first` (the first Kinesis consumer's mapping), with times in ms
/// after `start`.
pub(super) fn timeline(first: Option<&KinesisMapping>, start: Duration) -> Vec<TimelineSpan> {
    let ms = |d: Duration| d.saturating_sub(start).as_secs_f64() * 1000.0;
    first
        .map(|m| m.invocations())
        .unwrap_or_default()
        .iter()
        .take(TIMELINE_SPANS)
        .map(|i| TimelineSpan {
            lane: format!("{} lane {}", i.shard_id, i.lane),
            start_ms: ms(i.invoked_at),
            end_ms: ms(i.ends_at),
            ok: i.end.is_success(),
        })
        .collect()
}

/// Each event's time from its arrival to the first invocation of `first` that carried it.
pub(super) fn iterator_age(
    first: Option<&KinesisMapping>,
    by_sequence: &BTreeMap<(String, String), usize>,
    sent: &[Sent],
) -> PhaseStats {
    let mut first_carried: BTreeMap<(String, String), Duration> = BTreeMap::new();
    for invocation in first.map(|m| m.invocations()).unwrap_or_default() {
        let from = (
            invocation.shard_id.clone(),
            invocation.first_sequence_number.clone(),
        );
        let to = (
            invocation.shard_id.clone(),
            invocation.last_sequence_number.clone(),
        );
        for (key, _) in by_sequence.range(from..=to) {
            first_carried
                .entry(key.clone())
                .or_insert(invocation.invoked_at);
        }
    }
    let mut iterator_age = latency_histogram();
    for (key, invoked_at) in &first_carried {
        if let Some(&id) = by_sequence.get(key) {
            record(
                &mut iterator_age,
                invoked_at.saturating_sub(sent[id].arrival),
            );
        }
    }
    PhaseStats::of(&iterator_age)
}

/// Each delivered event's time from its arrival (`at_wall` of it) to its first S3 object.
pub(super) fn end_to_end(
    first_object: &[Option<SystemTime>],
    sent: &[Sent],
    at_wall: impl Fn(Duration) -> SystemTime,
) -> PhaseStats {
    let mut end_to_end = latency_histogram();
    for (id, written) in first_object.iter().enumerate() {
        if let Some(written) = written {
            let arrival = at_wall(sent[id].arrival);
            let took = written.duration_since(arrival).unwrap_or_default();
            record(&mut end_to_end, took);
        }
    }
    PhaseStats::of(&end_to_end)
}
