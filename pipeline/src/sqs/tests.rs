//! Behaviour of the SQS mapping a user would notice, on closure targets in simulated time.

use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::testing::{FnTarget, error, ok, run_until, throttled};
use crate::{BatchEnd, FunctionResponseType, Source};

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

const FOREVER: Duration = Duration::from_secs(24 * 3600);

fn queue() -> Queue {
    Queue::new(QueueConfig::default()).expect("valid queue")
}

fn mapping(queue: &Queue, edit: impl FnOnce(&mut SqsMappingConfig)) -> SqsMapping {
    let mut config = SqsMappingConfig::default();
    edit(&mut config);
    SqsMapping::new(queue.clone(), config).expect("valid mapping")
}

fn bodies(event: &Value) -> Vec<String> {
    event["Records"]
        .as_array()
        .expect("Records")
        .iter()
        .map(|r| r["body"].as_str().expect("body").to_owned())
        .collect()
}

fn receive_counts(event: &Value) -> Vec<String> {
    event["Records"]
        .as_array()
        .expect("Records")
        .iter()
        .map(|r| {
            r["attributes"]["ApproximateReceiveCount"]
                .as_str()
                .expect("count")
                .to_owned()
        })
        .collect()
}

#[test]
fn messages_are_batched_across_pollers_and_deleted_on_success() {
    let q = queue();
    for i in 0..25 {
        q.send_message(&format!("m{i}"), Duration::ZERO);
    }
    let mut m = mapping(&q, |_| {});
    let mut target = FnTarget::new(|at, _: &Value| ok(at, millis(100), "null"));
    run_until(&mut m, &mut target, FOREVER);
    assert!(m.is_done());
    assert_eq!(m.next_at(), None);
    let batches: Vec<(u32, Duration, usize)> = m
        .invocations()
        .iter()
        .map(|i| (i.poller, i.invoked_at, i.message_ids.len()))
        .collect();
    assert_eq!(
        batches,
        [(0, secs(0), 10), (1, secs(0), 10), (2, secs(0), 5)]
    );
    let first = &target.events[0].1["Records"][0];
    assert_eq!(first["body"], "m0");
    assert_eq!(first["eventSource"], "aws:sqs");
    assert_eq!(first["eventSourceARN"], q.arn());
    assert_eq!(first["attributes"]["ApproximateReceiveCount"], "1");
    assert_eq!(first["attributes"]["SentTimestamp"], "1767225600000");
    let stats = m.stats();
    assert_eq!(
        (
            stats.invocations,
            stats.successful_batches,
            stats.messages_deleted
        ),
        (3, 3, 25)
    );
}

#[test]
fn a_failed_message_reappears_after_the_visibility_timeout() {
    let q = queue();
    q.send_message("flaky", millis(500));
    let mut m = mapping(&q, |_| {});
    let mut calls = 0;
    let mut target = FnTarget::new(move |at, _: &Value| {
        calls += 1;
        if calls == 1 {
            error(at, millis(200))
        } else {
            ok(at, millis(200), "null")
        }
    });
    run_until(&mut m, &mut target, FOREVER);
    let times: Vec<Duration> = target.events.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [millis(500), millis(30_500)]);
    assert_eq!(receive_counts(&target.events[1].1), ["2"]);
    assert_eq!(
        m.invocations()[0].end,
        BatchEnd::FunctionError("Error".into())
    );
    assert_eq!(
        (m.stats().messages_returned, m.stats().messages_deleted),
        (1, 1)
    );
    assert!(m.is_done());
}

#[test]
fn a_message_failing_past_max_receive_count_goes_to_the_dead_letter_queue() {
    let dlq = Queue::new(QueueConfig {
        name: "dlq".into(),
        ..QueueConfig::default()
    })
    .expect("dlq");
    let q = Queue::new(QueueConfig {
        redrive_policy: Some(RedrivePolicy {
            dead_letter_queue: dlq.clone(),
            max_receive_count: 3,
        }),
        ..QueueConfig::default()
    })
    .expect("queue");
    let id = q.send_message("poison", Duration::ZERO);
    q.send_message("fine", Duration::ZERO);
    let mut m = mapping(&q, |c| c.batch_size = 1);
    let mut target = FnTarget::new(|at, e: &Value| {
        if bodies(e) == ["poison"] {
            error(at, millis(100))
        } else {
            ok(at, millis(100), "null")
        }
    });
    run_until(&mut m, &mut target, FOREVER);
    let poison: Vec<Duration> = target
        .events
        .iter()
        .filter(|(_, e)| bodies(e) == ["poison"])
        .map(|(t, _)| *t)
        .collect();
    // Received at 0, 30 and 60 s; the fourth receive, at 90 s, moves it.
    assert_eq!(poison, [secs(0), secs(30), secs(60)]);
    assert!(m.is_done());
    assert_eq!(m.stats().messages_to_dead_letter, 1);
    let dead = dlq.messages();
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].message_id.as_str(), dead[0].body.as_str()),
        (id.as_str(), "poison")
    );
}

#[test]
fn a_partial_batch_failure_deletes_only_the_others() {
    let q = queue();
    let ids: Vec<String> = (0..3)
        .map(|i| q.send_message(&format!("m{i}"), Duration::ZERO))
        .collect();
    let mut m = mapping(&q, |c| {
        c.function_response_types = vec![FunctionResponseType::ReportBatchItemFailures]
    });
    let failure = json!({"batchItemFailures": [{"itemIdentifier": ids[1]}]}).to_string();
    let mut calls = 0;
    let mut target = FnTarget::new(move |at, _: &Value| {
        calls += 1;
        ok(at, millis(10), if calls == 1 { &failure } else { "{}" })
    });
    run_until(&mut m, &mut target, FOREVER);
    assert_eq!(target.events.len(), 2);
    assert_eq!(bodies(&target.events[1].1), ["m1"]);
    assert_eq!(target.events[1].0, secs(30));
    assert_eq!(
        m.invocations()[0].end,
        BatchEnd::PartialFailure { retried: 1 }
    );
    assert_eq!(m.stats().messages_deleted, 3);
}

#[test]
fn an_unknown_item_identifier_fails_the_whole_batch() {
    let q = queue();
    for i in 0..3 {
        q.send_message(&format!("m{i}"), Duration::ZERO);
    }
    let mut m = mapping(&q, |c| {
        c.function_response_types = vec![FunctionResponseType::ReportBatchItemFailures]
    });
    let mut calls = 0;
    let mut target = FnTarget::new(move |at, _: &Value| {
        calls += 1;
        ok(
            at,
            millis(10),
            if calls == 1 {
                r#"{"batchItemFailures":[{"itemIdentifier":"nope"}]}"#
            } else {
                "null"
            },
        )
    });
    run_until(&mut m, &mut target, FOREVER);
    assert_eq!(bodies(&target.events[1].1), ["m0", "m1", "m2"]);
    assert_eq!(receive_counts(&target.events[1].1), ["2", "2", "2"]);
    assert_eq!(m.invocations()[0].end, BatchEnd::InvalidResponse);
}

#[test]
fn the_batching_window_gathers_messages_until_full_or_over() {
    let q = queue();
    for t in [0, 500, 1_000] {
        q.send_message("x", millis(t));
    }
    let mut m = mapping(&q, |c| {
        c.batch_size = 20;
        c.maximum_batching_window_in_seconds = 2;
    });
    let mut target = FnTarget::new(|at, _: &Value| ok(at, millis(10), "null"));
    run_until(&mut m, &mut target, FOREVER);
    assert_eq!(target.events.len(), 1);
    assert_eq!(
        (target.events[0].0, bodies(&target.events[0].1).len()),
        (secs(2), 3)
    );

    let q = queue();
    for i in 0..20 {
        q.send_message("x", millis(10 * i));
    }
    let mut m = mapping(&q, |c| {
        c.batch_size = 20;
        c.maximum_batching_window_in_seconds = 2;
    });
    let mut target = FnTarget::new(|at, _: &Value| ok(at, millis(10), "null"));
    run_until(&mut m, &mut target, FOREVER);
    assert_eq!(
        (target.events[0].0, bodies(&target.events[0].1).len()),
        (millis(190), 20)
    );
}

#[test]
fn a_throttled_batch_returns_after_the_visibility_timeout() {
    let q = queue();
    q.send_message("x", Duration::ZERO);
    let mut m = mapping(&q, |_| {});
    let mut calls = 0;
    let mut target = FnTarget::new(move |at, _: &Value| {
        calls += 1;
        if calls == 1 {
            throttled(at)
        } else {
            ok(at, millis(10), "null")
        }
    });
    run_until(&mut m, &mut target, FOREVER);
    let times: Vec<Duration> = target.events.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [secs(0), secs(30)]);
    assert_eq!(m.stats().throttles, 1);
    assert!(m.is_done());
}
