//! The lifecycle model: concurrency limits, provisioned concurrency, eviction, VPC delays,
//! CPU in proportion to memory, billing, and reproducible runs on a virtual clock.

use std::time::Duration;

use lambda_sim_harness::ReportLine;
use lambda_sim_runtime::{
    ColdStartModel, Error, EvictionPolicy, Function, FunctionConfig, InvokeOptions, Payload,
    Runtime, RuntimeConfig, VpcModel,
};
use serde_json::json;

use crate::json;

/// A small simulation on a virtual clock with deterministic CPU.
fn simulation() -> RuntimeConfig {
    crate::simulation(42)
}

fn load(runtime: &Runtime, fixture: &str, config: FunctionConfig) -> Function {
    let path = lambda_sim_fixtures::path(fixture).expect("a fixture");
    runtime.load_file(path, config).expect("the fixture loads")
}

fn burn(iterations: u64) -> Payload {
    Payload::from_value(&json!({ "iterations": iterations }))
}

#[tokio::test]
async fn a_burst_past_reserved_concurrency_is_throttled() {
    let runtime = Runtime::new(simulation()).expect("runtime");
    let burner = load(
        &runtime,
        "cpu-burn",
        FunctionConfig::named("burst").reserved_concurrency(5),
    );
    let mut ok = 0;
    let mut throttled = Vec::new();
    for _ in 0..10 {
        // Ten arrivals at the same instant: each runs about 14 ms of simulated time.
        match burner.invoke_at(Duration::ZERO, &burn(1_000_000)).await {
            Ok(invocation) => {
                assert!(
                    invocation.is_cold(),
                    "concurrent invocations each get an environment"
                );
                ok += 1;
            }
            Err(err) => throttled.push((err.error_type().to_owned(), err.to_string(), err)),
        }
    }
    assert_eq!(ok, 5);
    assert_eq!(throttled.len(), 5);
    for (error_type, message, err) in &throttled {
        assert_eq!(error_type, "TooManyRequestsException");
        assert_eq!(message, "Rate Exceeded.");
        assert!(matches!(
            err,
            Error::Throttled {
                reason: "ReservedFunctionConcurrentInvocationLimitExceeded"
            }
        ));
    }
    // Once the burst is over (in simulated time), the five environments serve warm.
    let later = burner
        .invoke_at(Duration::from_secs(1), &burn(10))
        .await
        .expect("admitted");
    assert!(!later.is_cold());
}

#[tokio::test]
async fn the_account_limit_throttles_unreserved_functions() {
    let runtime = Runtime::new(simulation().account_concurrency(3)).expect("runtime");
    let a = load(&runtime, "cpu-burn", FunctionConfig::named("a"));
    let b = load(&runtime, "cpu-burn", FunctionConfig::named("b"));
    assert!(a.invoke_at(Duration::ZERO, &burn(1_000_000)).await.is_ok());
    assert!(a.invoke_at(Duration::ZERO, &burn(1_000_000)).await.is_ok());
    assert!(b.invoke_at(Duration::ZERO, &burn(1_000_000)).await.is_ok());
    let err = b
        .invoke_at(Duration::ZERO, &burn(1_000_000))
        .await
        .expect_err("over the account's limit");
    assert!(matches!(
        err,
        Error::Throttled {
            reason: "ConcurrentInvocationLimitExceeded"
        }
    ));
}

#[tokio::test]
async fn provisioned_environments_hide_the_first_cold_starts() {
    let runtime = Runtime::new(simulation()).expect("runtime");
    let burner = load(
        &runtime,
        "cpu-burn",
        FunctionConfig::named("provisioned").provisioned_concurrency(2),
    );
    let mut cold = Vec::new();
    for _ in 0..3 {
        let invocation = burner
            .invoke_at(Duration::ZERO, &burn(1_000_000))
            .await
            .expect("admitted");
        cold.push(invocation.report.init_duration.is_some());
    }
    assert_eq!(
        cold,
        [false, false, true],
        "two provisioned environments, then an on-demand cold start"
    );
}

#[tokio::test]
async fn an_environment_idle_past_the_idle_timeout_is_evicted() {
    let eviction = EvictionPolicy {
        idle_timeout: Duration::from_secs(600),
        ..EvictionPolicy::default()
    };
    let runtime = Runtime::new(simulation().eviction(eviction)).expect("runtime");
    let counter = load(&runtime, "counter", FunctionConfig::named("counter"));
    let at = |minutes: u64| Duration::from_secs(minutes * 60);
    let first = counter
        .invoke_at(at(0), &Payload::json("{}").expect("JSON"))
        .await
        .expect("admitted");
    let warm = counter
        .invoke_at(at(9), &Payload::json("{}").expect("JSON"))
        .await
        .expect("admitted");
    let evicted = counter
        .invoke_at(at(20), &Payload::json("{}").expect("JSON"))
        .await
        .expect("admitted");
    assert!(first.is_cold());
    assert!(
        !warm.is_cold(),
        "9 minutes idle is within the 10-minute timeout"
    );
    assert_eq!(json(&warm), json!({"count": 2}));
    assert!(evicted.is_cold(), "11 minutes idle is past it");
    assert_eq!(
        json(&evicted),
        json!({"count": 1}),
        "a new environment forgets the static"
    );
}

#[tokio::test]
async fn legacy_vpc_adds_its_eni_delay_to_every_cold_start_in_virtual_time() {
    let config = simulation().vpc(VpcModel::named("legacy-2017").expect("a mode"));
    let runtime = Runtime::new(config).expect("runtime");
    let in_vpc = load(&runtime, "hello", FunctionConfig::named("in-vpc").vpc(true));
    let outside = load(&runtime, "hello", FunctionConfig::named("outside"));
    let started = std::time::Instant::now();
    let payload = Payload::json("{}").expect("JSON");
    let cold = in_vpc
        .invoke_at(Duration::ZERO, &payload)
        .await
        .expect("admitted");
    let warm = in_vpc
        .invoke_at(Duration::from_secs(60), &payload)
        .await
        .expect("admitted");
    in_vpc.evict_all();
    let cold_again = in_vpc
        .invoke_at(Duration::from_secs(120), &payload)
        .await
        .expect("admitted");
    let no_vpc = outside
        .invoke_at(Duration::from_secs(120), &payload)
        .await
        .expect("admitted");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "virtual time: no real 10 s waits"
    );

    for invocation in [&cold, &cold_again] {
        let init = invocation.init.as_ref().expect("a cold start");
        assert_eq!(init.cold_start.eni, Duration::from_secs(10));
        assert_eq!(
            invocation.report.init_duration,
            Some(init.cold_start.init_duration()),
            "ENI is not Init Duration"
        );
    }
    // The handler starts after the ENI: its clock reads 10 s past the arrival.
    let handler_start = cold
        .started_at
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    assert!(handler_start >= lambda_sim_runtime::VIRTUAL_EPOCH + Duration::from_secs(10));
    assert!(warm.init.is_none(), "a warm invocation pays nothing");
    assert_eq!(
        no_vpc.init.as_ref().map(|i| i.cold_start.eni),
        Some(Duration::ZERO)
    );
}

#[tokio::test]
async fn a_hyperplane_function_is_pending_for_a_while_after_it_is_loaded() {
    let runtime = Runtime::new(simulation().vpc(VpcModel::named("hyperplane").expect("a mode")))
        .expect("runtime");
    let in_vpc = load(
        &runtime,
        "hello",
        FunctionConfig::named("pending").vpc(true),
    );
    let payload = Payload::json("{}").expect("JSON");
    let err = in_vpc
        .invoke_at(Duration::from_secs(30), &payload)
        .await
        .expect_err("still Pending");
    assert_eq!(err.error_type(), "ResourceConflictException");
    assert_eq!(
        err.to_string(),
        "The operation cannot be performed at this time. The function is currently in the following state: Pending"
    );
    let ready = in_vpc
        .invoke_at(Duration::from_secs(61), &payload)
        .await
        .expect("Active after a minute");
    let eni = ready
        .init
        .as_ref()
        .map(|i| i.cold_start.eni)
        .unwrap_or_default();
    assert!(eni <= Duration::from_millis(200), "{eni:?}");
}

async fn burn_duration(runtime: &Runtime, memory_mb: u32, iterations: u64) -> Duration {
    let burner = load(
        runtime,
        "cpu-burn",
        FunctionConfig::named(format!("burn-{memory_mb}"))
            .memory_size_mb(memory_mb)
            .timeout(Duration::from_secs(60)),
    );
    // Warm up first: the cold invocation's duration includes first-touch costs.
    burner
        .invoke(&burn(1), InvokeOptions::default())
        .await
        .expect("admitted");
    let invocation = burner
        .invoke(&burn(iterations), InvokeOptions::default())
        .await
        .expect("admitted");
    assert!(invocation.result.is_ok(), "{:?}", invocation.result);
    invocation.report.duration
}

#[tokio::test]
async fn deterministic_cpu_follows_memory_up_to_one_vcpu() {
    let runtime = Runtime::new(simulation()).expect("runtime");
    let at_128 = burn_duration(&runtime, 128, 2_000_000).await;
    let at_1769 = burn_duration(&runtime, 1_769, 2_000_000).await;
    let at_3008 = burn_duration(&runtime, 3_008, 2_000_000).await;
    let ratio = at_128.as_secs_f64() / at_1769.as_secs_f64();
    assert!(
        (ratio - 1769.0 / 128.0).abs() < 0.01,
        "128 MB is {ratio:.3}x slower than 1,769 MB"
    );
    assert_eq!(
        at_3008, at_1769,
        "no gain above one vCPU for single-threaded code"
    );
    // The same work, the same figure, every time.
    assert_eq!(burn_duration(&runtime, 128, 2_000_000).await, at_128);
}

#[tokio::test]
async fn deterministic_timeouts_fire_at_the_timeout_exactly() {
    let runtime = Runtime::new(simulation()).expect("runtime");
    let spin = load(
        &runtime,
        "spin-forever",
        FunctionConfig::named("spin").timeout(Duration::from_secs(2)),
    );
    let started = std::time::Instant::now();
    let invocation = spin
        .invoke(
            &Payload::json("{}").expect("JSON"),
            InvokeOptions::default(),
        )
        .await
        .expect("admitted");
    assert_eq!(
        invocation.error().map(|e| e.error_type.as_str()),
        Some("Sandbox.Timedout")
    );
    assert_eq!(invocation.report.duration, Duration::from_secs(2));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "128 MB burns 2 s of CPU share in less wall time"
    );
}

#[tokio::test]
async fn the_bill_matches_a_hand_computation_from_the_report_lines() {
    let runtime = Runtime::new(simulation()).expect("runtime");
    let burner = load(
        &runtime,
        "cpu-burn",
        FunctionConfig::named("billed")
            .memory_size_mb(512)
            .architecture(lambda_sim_runtime::Architecture::Arm64),
    );
    let mut total = lambda_sim_runtime::Cost::default();
    let mut by_hand = 0.0;
    for i in 0..5 {
        let invocation = burner
            .invoke_at(Duration::from_secs(i), &burn(3_000_000))
            .await
            .expect("admitted");
        total.add(&invocation.cost);
        let line = invocation.log_lines().pop().expect("a REPORT line");
        let report = ReportLine::parse(&line).expect("CloudWatch's format");
        // Billed Duration: the ceiling of Duration (+ Init Duration since August 2025).
        let billed = (report.duration_ms + report.init_duration_ms.unwrap_or(0.0)).ceil();
        assert!(
            (report.billed_duration_ms as f64 - billed).abs() <= 1.0,
            "{report:?}"
        );
        let gb_seconds = report.billed_duration_ms as f64 / 1000.0 * 512.0 / 1024.0;
        by_hand += gb_seconds * 0.000_013_333_4 + 0.20 / 1_000_000.0;
    }
    assert_eq!(total.requests, 5);
    assert!(
        (total.total_usd() - by_hand).abs() < 1e-12,
        "{} vs {by_hand}",
        total.total_usd()
    );
}

/// Runs 10,000 invocations of `hello` with random (seeded) arrivals, cold-start delays and
/// random evictions of idle environments, and returns everything it printed.
async fn scenario(seed: u64) -> String {
    use rand::{RngExt as _, SeedableRng as _};
    let config = simulation()
        .seed(seed)
        .cold_start(ColdStartModel::preset("rust").expect("a preset"))
        .eviction(EvictionPolicy {
            idle_timeout: Duration::from_secs(5),
            ..EvictionPolicy::default()
        });
    let runtime = Runtime::new(config).expect("runtime");
    let hello = load(
        &runtime,
        "hello",
        FunctionConfig::named("scenario").memory_size_mb(256),
    );
    let mut arrivals = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut at = Duration::ZERO;
    let mut out = String::new();
    let mut cost = lambda_sim_runtime::Cost::default();
    for i in 0..10_000 {
        // Poisson arrivals at 50 per second, with a lull now and then that outlasts the idle timeout.
        let gap: f64 = -(1.0 - arrivals.random::<f64>()).ln() / 50.0;
        at += Duration::from_secs_f64(if i % 1_000 == 999 { 10.0 } else { gap });
        let payload = Payload::from_value(
            &json!({ "name": format!("user-{}", arrivals.random_range(0..100)) }),
        );
        match hello.invoke_at(at, &payload).await {
            Ok(invocation) => {
                cost.add(&invocation.cost);
                out.push_str(&invocation.log_stream);
                out.push('\n');
                for line in invocation.log_lines() {
                    out.push_str(&line);
                    out.push('\n');
                }
            }
            Err(err) => out.push_str(&format!("{} {err}\n", err.error_type())),
        }
    }
    out.push_str(&format!("total {:?}\n", cost));
    out
}

#[tokio::test]
async fn the_same_seed_prints_the_same_report_byte_for_byte() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let first = dir.path().join("first.log");
    let second = dir.path().join("second.log");
    std::fs::write(&first, scenario(7).await).expect("written");
    std::fs::write(&second, scenario(7).await).expect("written");
    let (first, second) = (
        std::fs::read(first).expect("read"),
        std::fs::read(second).expect("read"),
    );
    assert!(first == second, "two runs with seed 7 differ");
    let text = String::from_utf8_lossy(&first);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("REPORT ")).count(),
        10_000
    );
    let cold = text
        .lines()
        .filter(|l| l.starts_with("INIT_START "))
        .count();
    assert!(
        cold >= 10,
        "each lull past the idle timeout forces a cold start: {cold}"
    );
    assert!(
        text.contains("2026/01/01") || text.contains("2026-01-01"),
        "virtual time starts on 2026-01-01"
    );
    assert_ne!(
        scenario(8).await.as_bytes(),
        &first[..],
        "another seed, another run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_real_clock_concurrent_invocations_count_against_the_limits() {
    let runtime = Runtime::new(
        RuntimeConfig::default()
            .max_environments(8)
            .account_concurrency(1)
            .cache_dir(Some(
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-cache"),
            )),
    )
    .expect("runtime");
    let spin = load(
        &runtime,
        "spin-forever",
        FunctionConfig::named("busy").timeout(Duration::from_secs(30)),
    );
    let other = load(&runtime, "hello", FunctionConfig::named("other"));
    let running = {
        let spin = spin.clone();
        tokio::spawn(async move {
            spin.invoke(
                &Payload::json("{}").expect("JSON"),
                InvokeOptions::default(),
            )
            .await
        })
    };
    let started = std::time::Instant::now();
    while spin.running_invocations() == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the invocation never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The account's one unit of concurrency is taken by the spinning invocation.
    let err = other
        .invoke(
            &Payload::json("{}").expect("JSON"),
            InvokeOptions::default(),
        )
        .await
        .expect_err("over the account's limit");
    assert!(
        matches!(
            err,
            Error::Throttled {
                reason: "ConcurrentInvocationLimitExceeded"
            }
        ),
        "{err}"
    );
    assert_eq!(spin.kill_running(), 1);
    let killed = running.await.expect("the task ends").expect("admitted");
    assert_eq!(
        killed.error().map(|e| e.error_type.as_str()),
        Some("Runtime.ExitError")
    );
    let after = other
        .invoke(
            &Payload::json("{}").expect("JSON"),
            InvokeOptions::default(),
        )
        .await
        .expect("the unit is free again");
    assert!(after.result.is_ok());
}

#[tokio::test]
async fn a_function_adds_environments_no_faster_than_its_scaling_rate() {
    let scaling = lambda_sim_runtime::ScalingRate {
        burst: 10,
        per_second: 1.0,
    };
    let runtime = Runtime::new(simulation().scaling(scaling)).expect("runtime");
    let burner = load(&runtime, "cpu-burn", FunctionConfig::named("scaling"));
    let burst = |at: Duration, count: usize| {
        let burner = burner.clone();
        async move {
            let mut outcomes = Vec::new();
            for _ in 0..count {
                outcomes.push(burner.invoke_at(at, &burn(1_000_000)).await);
            }
            outcomes
        }
    };
    let first = burst(Duration::ZERO, 11).await;
    assert_eq!(
        first.iter().filter(|o| o.is_ok()).count(),
        10,
        "the burst allowance"
    );
    assert!(matches!(
        first.last(),
        Some(Err(Error::Throttled {
            reason: "FunctionInvocationRateLimitExceeded"
        }))
    ));
    // Three seconds later: the ten environments are free again, and three more may be added.
    let second = burst(Duration::from_secs(3), 14).await;
    let cold = second
        .iter()
        .filter(|o| o.as_ref().is_ok_and(|i| i.is_cold()))
        .count();
    assert_eq!(second.iter().filter(|o| o.is_ok()).count(), 13);
    assert_eq!(cold, 3);
    assert!(matches!(
        second.last(),
        Some(Err(Error::Throttled {
            reason: "FunctionInvocationRateLimitExceeded"
        }))
    ));
    // Replacing destroyed environments is not growth: twenty evict-then-cold-start cycles at
    // one instant pass a burst of ten.
    for i in 0..20 {
        burner.evict_all();
        let replaced = burner.invoke_at(Duration::from_secs(10), &burn(10)).await;
        assert!(replaced.is_ok_and(|inv| inv.is_cold()), "cycle {i}");
    }
}

/// A redeployment between two attempts (`lambda-sim watch`'s swap): the retry runs the new
/// code, under the same request id, and the event succeeds.
#[tokio::test]
async fn an_event_retried_after_a_redeployment_runs_the_new_code() {
    let runtime = Runtime::new(simulation()).expect("runtime");
    let old = load(&runtime, "panic", FunctionConfig::named("event"));
    let new = load(&runtime, "hello", FunctionConfig::named("event"));
    // The swap comes after the first attempt: the follower answers the old function once,
    // then the new one.
    let asked = std::sync::atomic::AtomicUsize::new(0);
    let (first, then) = (old.clone(), new.clone());
    let accepted = old
        .invoke_event_following(
            &Payload::json(r#"{"name": "Ada"}"#).expect("JSON"),
            move || {
                let n = asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Some(if n == 0 { first.clone() } else { then.clone() })
            },
        )
        .expect("accepted");
    let outcome = accepted.outcome().await;
    let results: Vec<bool> = outcome.attempts.iter().map(|a| a.result.is_ok()).collect();
    assert_eq!(
        results,
        [false, true],
        "the old code fails, the retry's new code answers"
    );
    assert_eq!(
        outcome.attempts[1].payload(),
        br#"{"echo":{"name":"Ada"},"greeting":"hello, Ada"}"#
    );
    assert_eq!(
        outcome.attempts[0].request_id,
        outcome.attempts[1].request_id
    );
}

#[tokio::test]
async fn a_failing_event_is_tried_three_times_under_one_request_id() {
    let runtime = Runtime::new(simulation()).expect("runtime");
    let panic = load(&runtime, "panic", FunctionConfig::named("event"));
    let accepted = panic
        .invoke_event(&Payload::json("{}").expect("JSON"))
        .expect("accepted");
    let request_id = accepted.request_id.clone();
    let outcome = accepted.outcome().await;
    assert!(!outcome.succeeded());
    assert_eq!(
        outcome.attempts.len(),
        3,
        "the first attempt and two retries"
    );
    let starts: Vec<Duration> = outcome
        .attempts
        .iter()
        .map(|a| {
            assert_eq!(
                a.request_id, request_id,
                "every attempt keeps the event's request id"
            );
            a.started_at
                .duration_since(std::time::UNIX_EPOCH + lambda_sim_runtime::VIRTUAL_EPOCH)
                .unwrap_or_default()
        })
        .collect();
    assert!(
        starts[1] >= starts[0] + Duration::from_secs(60),
        "{starts:?}"
    );
    assert!(
        starts[2] >= starts[1] + Duration::from_secs(120),
        "{starts:?}"
    );
    assert!(starts[2] < Duration::from_secs(200), "{starts:?}");

    let hello = load(&runtime, "hello", FunctionConfig::named("event-ok"));
    let delivered = hello
        .invoke_event(&Payload::json("{}").expect("JSON"))
        .expect("accepted")
        .outcome()
        .await;
    assert!(delivered.succeeded());
    assert_eq!(delivered.attempts.len(), 1);

    let big = Payload::json(format!(
        "\"{}\"",
        "x".repeat(lambda_sim_runtime::MAX_EVENT_PAYLOAD)
    ))
    .expect("JSON");
    let err = hello
        .invoke_event(&big)
        .err()
        .map(|e| (e.error_type().to_owned(), e.to_string()));
    assert_eq!(
        err,
        Some((
            "RequestEntityTooLargeException".to_owned(),
            "Request must be smaller than 1048576 bytes for the InvokeFunction operation"
                .to_owned()
        ))
    );
}

#[tokio::test]
async fn on_a_real_clock_event_retries_wait_their_delays() {
    let runtime = Runtime::new(
        RuntimeConfig::default()
            .max_environments(8)
            .cache_dir(Some(
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-cache"),
            ))
            .event_retry_delays(vec![Duration::from_millis(50), Duration::from_millis(100)]),
    )
    .expect("runtime");
    let panic = load(&runtime, "panic", FunctionConfig::named("event-real"));
    let started = std::time::Instant::now();
    let outcome = panic
        .invoke_event(&Payload::json("{}").expect("JSON"))
        .expect("accepted")
        .outcome()
        .await;
    assert_eq!(outcome.attempts.len(), 3);
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn environments_past_their_lifetime_or_the_warm_cap_are_reclaimed() {
    let policy = EvictionPolicy {
        max_lifetime: Some(Duration::from_secs(600)),
        max_warm: Some(1),
        ..EvictionPolicy::default()
    };
    let runtime = Runtime::new(simulation().eviction(policy)).expect("runtime");
    let burner = load(&runtime, "cpu-burn", FunctionConfig::named("reclaimed"));
    // Two concurrent invocations make two environments; the cap keeps one warm.
    assert!(
        burner
            .invoke_at(Duration::ZERO, &burn(1_000_000))
            .await
            .expect("admitted")
            .is_cold()
    );
    assert!(
        burner
            .invoke_at(Duration::ZERO, &burn(1_000_000))
            .await
            .expect("admitted")
            .is_cold()
    );
    assert_eq!(
        burner.warm_environments(),
        1,
        "the least recently used one went"
    );
    let at = |minutes: u64| Duration::from_secs(minutes * 60);
    assert!(
        !burner
            .invoke_at(at(5), &burn(10))
            .await
            .expect("admitted")
            .is_cold()
    );
    assert!(
        burner
            .invoke_at(at(11), &burn(10))
            .await
            .expect("admitted")
            .is_cold(),
        "10 minutes is the most an environment lives"
    );
}
