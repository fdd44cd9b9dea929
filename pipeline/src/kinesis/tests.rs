//! Behaviour of the Kinesis mapping a user would notice, on closure targets in simulated time.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::*;
use crate::testing::{FnTarget, error, ok, run_until, throttled};
use crate::{BatchEnd, Source};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

const FOREVER: Duration = Duration::from_secs(30 * 24 * 3600);

fn stream(shards: usize) -> Stream {
    Stream::new(StreamConfig {
        shard_count: shards,
        ..StreamConfig::default()
    })
    .expect("valid stream")
}

fn mapping(stream: &Stream, edit: impl FnOnce(&mut KinesisMappingConfig)) -> KinesisMapping {
    let mut config = KinesisMappingConfig::default();
    edit(&mut config);
    KinesisMapping::new(stream.clone(), config).expect("valid mapping")
}

fn with_destination(config: &mut KinesisMappingConfig) {
    config.destination_config = Some(DestinationConfig {
        on_failure: Some(OnFailure {
            destination: "arn:aws:sqs:us-east-1:123456789012:dlq".into(),
        }),
    });
}

fn records(event: &Value) -> &Vec<Value> {
    event["Records"].as_array().expect("Records")
}

fn sequence_numbers(event: &Value) -> Vec<String> {
    records(event)
        .iter()
        .map(|r| {
            r["kinesis"]["sequenceNumber"]
                .as_str()
                .expect("sequenceNumber")
                .to_owned()
        })
        .collect()
}

/// The records' data, decoded.
fn data(event: &Value) -> Vec<String> {
    records(event)
        .iter()
        .map(|r| {
            let b64 = r["kinesis"]["data"].as_str().expect("data");
            String::from_utf8(STANDARD.decode(b64).expect("base64")).expect("utf-8")
        })
        .collect()
}

fn sizes(mapping: &KinesisMapping) -> Vec<usize> {
    mapping.invocations().iter().map(|i| i.batch_size).collect()
}

#[test]
fn records_are_delivered_in_order_at_the_polls_and_acknowledged() {
    let s = stream(2);
    for i in 0..10u64 {
        s.put_record(
            &format!("key-{i}"),
            format!("r{i}").into_bytes(),
            millis(100 + 50 * i),
        );
    }
    let mut m = mapping(&s, |_| {});
    let mut target = FnTarget::new(|at, _: &Value| ok(at, millis(20), "null"));
    run_until(&mut m, &mut target, FOREVER);
    assert!(m.is_done());
    assert_eq!(m.next_at(), None, "idle with nothing to read");
    // Everything arrived by 0.55 s: the poll at 1 s reads it, one batch per shard.
    assert_eq!(target.events.len(), 2);
    assert!(target.events.iter().all(|(at, _)| *at == secs(1)));
    let stats = m.stats();
    assert_eq!(
        (
            stats.invocations,
            stats.successful_batches,
            stats.records_acknowledged
        ),
        (2, 2, 10)
    );
    for (shard, (_, event)) in target.events.iter().enumerate() {
        let seqs = sequence_numbers(event);
        assert!(
            seqs.windows(2).all(|w| w[0] < w[1]),
            "in order within the shard"
        );
        for record in records(event) {
            let key = record["kinesis"]["partitionKey"].as_str().expect("key");
            assert_eq!(s.shard_for(key), shard);
            assert!(
                record["eventID"]
                    .as_str()
                    .expect("id")
                    .starts_with(&format!("shardId-{shard:012}:"))
            );
            assert_eq!(record["eventSourceARN"], s.arn());
        }
    }
    // New records after the stream went idle: the mapping wakes for them at the next poll.
    s.put_record("late", b"x".to_vec(), millis(5_200));
    assert_eq!(m.next_at(), Some(secs(6)));
}

#[test]
fn a_batch_waits_for_the_window_unless_it_is_full() {
    let s = stream(1);
    for t in [500, 1_500, 2_500] {
        s.put_record("k", b"x".to_vec(), millis(t));
    }
    let mut m = mapping(&s, |c| c.maximum_batching_window_in_seconds = 5);
    let mut target = FnTarget::new(|at, _: &Value| ok(at, millis(10), "null"));
    run_until(&mut m, &mut target, FOREVER);
    // The poll at 1 s finds the first record; the window runs to 6 s and gathers all three.
    assert_eq!(target.events.len(), 1);
    assert_eq!(target.events[0].0, secs(6));
    assert_eq!(sizes(&m), [3]);

    let s = stream(1);
    s.put_record("k", b"x".to_vec(), millis(500));
    s.put_record("k", b"y".to_vec(), millis(600));
    let mut m = mapping(&s, |c| {
        c.maximum_batching_window_in_seconds = 300;
        c.batch_size = 2;
    });
    let mut target = FnTarget::new(|at, _: &Value| ok(at, millis(10), "null"));
    run_until(&mut m, &mut target, FOREVER);
    assert_eq!(target.events[0].0, secs(1), "a full batch goes at once");
}

#[test]
fn a_batch_holds_no_more_than_six_mb_of_event() {
    let s = stream(1);
    for i in 0..10 {
        s.put_record("k", vec![i; 1 << 20], Duration::ZERO);
    }
    let mut m = mapping(&s, |_| {});
    let mut target = FnTarget::new(|at, _: &Value| ok(at, millis(10), "null"));
    run_until(&mut m, &mut target, FOREVER);
    // 1 MiB of data is 1.33 MiB of base64: four records fit in 6 MiB, five do not.
    assert_eq!(sizes(&m), [4, 4, 2]);
}

#[test]
fn parallelization_keeps_each_partition_keys_order() {
    let s = stream(1);
    let keys: Vec<String> = (0..12).map(|k| format!("user-{k}")).collect();
    for n in 0..5 {
        for (k, key) in keys.iter().enumerate() {
            s.put_record(
                key,
                format!("{key}:{n}").into_bytes(),
                millis(200 * n + k as u64),
            );
        }
    }
    let mut m = mapping(&s, |c| {
        c.parallelization_factor = 3;
        c.batch_size = 4;
    });
    let mut target = FnTarget::new(|at, _: &Value| ok(at, millis(300), "null"));
    run_until(&mut m, &mut target, FOREVER);
    assert!(m.is_done());
    assert_eq!(m.stats().records_acknowledged, 60);
    // Each key's records arrive in order, always from one lane.
    for key in &keys {
        let seen: Vec<String> = target
            .events
            .iter()
            .flat_map(|(_, e)| data(e))
            .filter(|d| d.starts_with(&format!("{key}:")))
            .collect();
        let expected: Vec<String> = (0..5).map(|n| format!("{key}:{n}")).collect();
        assert_eq!(seen, expected);
    }
    let lanes: std::collections::BTreeSet<u32> = m.invocations().iter().map(|i| i.lane).collect();
    assert_eq!(lanes.len(), 3, "all three lanes were used");
    // Batches of different lanes overlap in time; batches of one lane never do.
    let inv = m.invocations();
    let overlap = |a: &KinesisInvocation, b: &KinesisInvocation| {
        a.invoked_at < b.ends_at && b.invoked_at < a.ends_at
    };
    assert!(
        inv.iter()
            .enumerate()
            .any(|(i, a)| inv[i + 1..].iter().any(|b| overlap(a, b)))
    );
    for (i, a) in inv.iter().enumerate() {
        assert!(
            !inv[i + 1..]
                .iter()
                .any(|b| b.lane == a.lane && overlap(a, b))
        );
    }
}

#[test]
fn a_failing_batch_blocks_its_shard_while_another_shard_proceeds() {
    // MD5("a") is in the lower half of the hash key space (shard 0), MD5("b") in the upper.
    let s = stream(2);
    s.put_record("a", b"a1".to_vec(), Duration::ZERO);
    s.put_record("a", b"a2".to_vec(), Duration::ZERO);
    for t in 0..4 {
        s.put_record("b", format!("b{t}").into_bytes(), secs(2 * t));
    }
    let mut m = mapping(&s, |c| c.batch_size = 1);
    // Shard 0's first record fails until 10 s.
    let mut target = FnTarget::new(|at: Duration, e: &Value| {
        if data(e) == ["a1"] && at < secs(10) {
            error(at, millis(500))
        } else {
            ok(at, millis(100), "null")
        }
    });
    run_until(&mut m, &mut target, FOREVER);
    assert!(m.is_done());
    let shard0: Vec<(Duration, Vec<String>)> = target
        .events
        .iter()
        .filter(|(_, e)| data(e)[0].starts_with('a'))
        .map(|(t, e)| (*t, data(e)))
        .collect();
    let shard1: Vec<(Duration, Vec<String>)> = target
        .events
        .iter()
        .filter(|(_, e)| data(e)[0].starts_with('b'))
        .map(|(t, e)| (*t, data(e)))
        .collect();
    // a1 is retried every 0.5 s (when the failed attempt ends) from 0 s to 10 s; a2 only after.
    assert_eq!(shard0.len(), 22);
    assert!(shard0[..21].iter().all(|(_, d)| d == &["a1"]));
    assert_eq!(shard0[21], (secs(10) + millis(100), vec!["a2".to_owned()]));
    // Shard 1 is read at its polls meanwhile.
    let times: Vec<Duration> = shard1.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [secs(0), secs(2), secs(4), secs(6)]);
    assert_eq!(m.stats().retried_batches, 20);
}

#[test]
fn retries_are_bounded_and_the_exhausted_batch_goes_to_the_destination() {
    let s = stream(1);
    let (_, first) = s.put_record("k", b"1".to_vec(), millis(250));
    let (_, last) = s.put_record("k", b"2".to_vec(), millis(750));
    let (_, after) = s.put_record("k", b"3".to_vec(), secs(2));
    let mut m = mapping(&s, |c| {
        c.maximum_retry_attempts = 2;
        with_destination(c);
    });
    let mut target = FnTarget::new(|at: Duration, e: &Value| {
        if data(e).contains(&"3".to_owned()) {
            ok(at, millis(10), "null")
        } else {
            error(at, millis(200))
        }
    });
    run_until(&mut m, &mut target, FOREVER);
    let attempts: Vec<(Duration, usize)> = m
        .invocations()
        .iter()
        .map(|i| (i.invoked_at, i.batch_size))
        .collect();
    assert_eq!(
        attempts,
        [
            (secs(1), 2),
            (millis(1_200), 2),
            (millis(1_400), 2),
            (secs(2), 1)
        ]
    );
    assert_eq!(sequence_numbers(&target.events[3].1), [after]);
    let expected = json!({
        "requestContext": {
            "requestId": m.destination_records()[0]["requestContext"]["requestId"],
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:function",
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 3,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": "2026-01-01T00:00:01.600Z",
        "KinesisBatchInfo": {
            "shardId": "shardId-000000000000",
            "startSequenceNumber": first,
            "endSequenceNumber": last,
            "approximateArrivalOfFirstRecord": "2026-01-01T00:00:00.250Z",
            "approximateArrivalOfLastRecord": "2026-01-01T00:00:00.750Z",
            "batchSize": 2,
            "streamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/stream",
        }
    });
    assert_eq!(m.destination_records(), [expected]);
    let request_id = m.destination_records()[0]["requestContext"]["requestId"]
        .as_str()
        .expect("id");
    assert_eq!(request_id.len(), 36);
    let stats = m.stats();
    assert_eq!(
        (
            stats.retried_batches,
            stats.records_retries_exhausted,
            stats.records_to_destination
        ),
        (2, 2, 2)
    );
    assert!(m.is_done());
}

#[test]
fn bisection_isolates_the_poison_record() {
    let s = stream(1);
    let seqs: Vec<String> = (0..8)
        .map(|i| {
            s.put_record("k", format!("r{i}").into_bytes(), Duration::ZERO)
                .1
        })
        .collect();
    let mut m = mapping(&s, |c| {
        c.batch_size = 8;
        c.maximum_retry_attempts = 0;
        c.bisect_batch_on_function_error = true;
        with_destination(c);
    });
    let mut target = FnTarget::new(|at: Duration, e: &Value| {
        if data(e).contains(&"r5".to_owned()) {
            error(at, millis(10))
        } else {
            ok(at, millis(10), "null")
        }
    });
    run_until(&mut m, &mut target, FOREVER);
    // 8 fails -> 4 (r0-r3) ok, 4 (r4-r7) fails -> 2 (r4, r5) fails -> 1 (r4) ok, 1 (r5) fails
    // and, with no retry, is discarded -> 2 (r6, r7) ok.
    assert_eq!(sizes(&m), [8, 4, 4, 2, 1, 1, 2]);
    let sent: Vec<Vec<String>> = target.events.iter().map(|(_, e)| data(e)).collect();
    assert_eq!(sent[5], ["r5"]);
    assert_eq!(sent[6], ["r6", "r7"]);
    let stats = m.stats();
    assert_eq!(
        (
            stats.bisections,
            stats.retried_batches,
            stats.records_acknowledged
        ),
        (3, 0, 7)
    );
    let info = &m.destination_records()[0];
    assert_eq!(m.destination_records().len(), 1);
    assert_eq!(info["KinesisBatchInfo"]["batchSize"], 1);
    assert_eq!(info["KinesisBatchInfo"]["startSequenceNumber"], seqs[5]);
    assert_eq!(info["KinesisBatchInfo"]["endSequenceNumber"], seqs[5]);
    // The record was in four invocations: 8, 4, 2 and 1.
    assert_eq!(info["requestContext"]["approximateInvokeCount"], 4);
}

#[test]
fn a_partial_failure_resends_only_the_suffix_from_the_lowest_failed_record() {
    let s = stream(1);
    let seqs: Vec<String> = (0..5)
        .map(|i| {
            s.put_record("k", format!("r{i}").into_bytes(), Duration::ZERO)
                .1
        })
        .collect();
    let mut m = mapping(&s, |c| {
        c.function_response_types = vec![FunctionResponseType::ReportBatchItemFailures]
    });
    let failures =
        json!({"batchItemFailures": [{"itemIdentifier": seqs[3]}, {"itemIdentifier": seqs[2]}]})
            .to_string();
    let mut calls = 0;
    let mut target = FnTarget::new(move |at, _: &Value| {
        calls += 1;
        ok(
            at,
            millis(10),
            if calls == 1 {
                &failures
            } else {
                r#"{"batchItemFailures":[]}"#
            },
        )
    });
    run_until(&mut m, &mut target, FOREVER);
    assert_eq!(target.events.len(), 2);
    assert_eq!(sequence_numbers(&target.events[1].1), seqs[2..]);
    assert_eq!(data(&target.events[1].1), ["r2", "r3", "r4"]);
    assert_eq!(
        m.invocations()[0].end,
        BatchEnd::PartialFailure { retried: 3 }
    );
    let stats = m.stats();
    assert_eq!(
        (
            stats.records_acknowledged,
            stats.retried_batches,
            stats.successful_batches
        ),
        (5, 1, 1)
    );
}

#[test]
fn an_item_identifier_not_in_the_batch_retries_the_whole_batch() {
    let s = stream(1);
    let seqs: Vec<String> = (0..3)
        .map(|i| s.put_record("k", vec![i], Duration::ZERO).1)
        .collect();
    let mut m = mapping(&s, |c| {
        c.function_response_types = vec![FunctionResponseType::ReportBatchItemFailures]
    });
    let mut calls = 0;
    let mut target = FnTarget::new(move |at, _: &Value| {
        calls += 1;
        ok(
            at,
            millis(10),
            if calls == 1 {
                r#"{"batchItemFailures":[{"itemIdentifier":"42"}]}"#
            } else {
                "null"
            },
        )
    });
    run_until(&mut m, &mut target, FOREVER);
    assert_eq!(target.events.len(), 2);
    assert_eq!(sequence_numbers(&target.events[1].1), seqs);
    assert_eq!(m.invocations()[0].end, BatchEnd::InvalidResponse);
}

#[test]
fn records_older_than_the_maximum_age_are_discarded() {
    let s = stream(1);
    s.put_record("k", b"old".to_vec(), Duration::ZERO);
    let mut m = mapping(&s, |c| {
        c.maximum_record_age_in_seconds = 60;
        with_destination(c);
    });
    let mut target = FnTarget::new(|at, _: &Value| error(at, secs(1)));
    run_until(&mut m, &mut target, FOREVER);
    // Sent at 0, 1, ..., 60 s (60 s old is not older than 60 s); dropped at 61 s.
    assert_eq!(target.events.len(), 61);
    assert!(m.is_done());
    let stats = m.stats();
    assert_eq!(
        (stats.records_expired_by_age, stats.records_to_destination),
        (1, 1)
    );
    let record = &m.destination_records()[0];
    assert_eq!(record["requestContext"]["condition"], "RecordAgeExceeded");
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 61);
    assert_eq!(record["timestamp"], "2026-01-01T00:01:01.000Z");
}

#[test]
fn retention_trims_records_the_mapping_did_not_finish() {
    // Retried until retention: an attempt every 10 minutes for 24 h.
    let s = stream(1);
    s.put_record("k", b"x".to_vec(), Duration::ZERO);
    let mut m = mapping(&s, with_destination);
    let mut target = FnTarget::new(|at, _: &Value| error(at, secs(600)));
    run_until(&mut m, &mut target, FOREVER);
    assert_eq!(target.events.len(), 144);
    assert!(m.is_done());
    let stats = m.stats();
    assert_eq!(
        (
            stats.records_expired_by_retention,
            stats.records_to_destination
        ),
        (1, 0)
    );
    assert!(m.destination_records().is_empty());

    // Trimmed before a mapping read it.
    let s = stream(1);
    s.put_record("k", b"early".to_vec(), Duration::ZERO);
    s.put_record("k", b"late".to_vec(), secs(25 * 3600));
    let mut m = mapping(&s, |_| {});
    assert_eq!(m.stats().records_expired_by_retention, 1);
    let mut target = FnTarget::new(|at, _: &Value| ok(at, millis(1), "null"));
    run_until(&mut m, &mut target, FOREVER);
    assert_eq!(data(&target.events[0].1), ["late"]);
    assert_eq!(m.stats().records_expired_by_retention, 1);
}

#[test]
fn throttles_are_retried_after_a_backoff_without_using_retries() {
    let s = stream(1);
    s.put_record("k", b"x".to_vec(), Duration::ZERO);
    let mut m = mapping(&s, |c| c.maximum_retry_attempts = 0);
    let mut calls = 0;
    let mut target = FnTarget::new(move |at, _: &Value| {
        calls += 1;
        if calls <= 2 {
            throttled(at)
        } else {
            ok(at, millis(10), "null")
        }
    });
    run_until(&mut m, &mut target, FOREVER);
    let times: Vec<Duration> = target.events.iter().map(|(t, _)| *t).collect();
    // Backoffs of 1 s then 2 s after each throttle (taken to last 1 ms).
    assert_eq!(times, [secs(0), millis(1_001), millis(3_002)]);
    let stats = m.stats();
    assert_eq!(
        (
            stats.throttles,
            stats.retried_batches,
            stats.records_acknowledged
        ),
        (2, 0, 1)
    );
    let ends: Vec<BatchEnd> = m.invocations().iter().map(|i| i.end.clone()).collect();
    assert_eq!(
        ends,
        [BatchEnd::Throttled, BatchEnd::Throttled, BatchEnd::Success]
    );
}

#[test]
fn latest_skips_the_records_put_before_the_mapping() {
    let s = stream(1);
    s.put_record("k", b"before".to_vec(), Duration::ZERO);
    let mut m = mapping(&s, |c| c.starting_position = StartingPosition::Latest);
    assert!(m.is_done());
    assert_eq!(m.next_at(), None);
    s.put_record("k", b"after".to_vec(), millis(1_500));
    assert!(!m.is_done());
    let mut target = FnTarget::new(|at, _: &Value| ok(at, millis(1), "null"));
    run_until(&mut m, &mut target, FOREVER);
    assert_eq!(target.events.len(), 1);
    assert_eq!(data(&target.events[0].1), ["after"]);
    assert_eq!(target.events[0].0, secs(2));
}
