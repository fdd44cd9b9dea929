//! Cold starts, warm reuse and destruction of execution environments.

use lambda_sim_harness::ReportLine;
use serde_json::json;

use crate::{fixture, invoke, json};

#[tokio::test]
async fn counter_counts_on_one_warm_environment_and_restarts_after_destruction() {
    let counter = fixture("counter");
    let mut counts = Vec::new();
    for _ in 0..3 {
        counts.push(json(&invoke(&counter, "{}").await));
    }
    assert_eq!(
        counts,
        [
            json!({"count": 1}),
            json!({"count": 2}),
            json!({"count": 3})
        ]
    );
    assert_eq!(counter.warm_environments(), 1);

    assert_eq!(counter.evict_all(), 1);
    assert_eq!(counter.warm_environments(), 0);
    let after = invoke(&counter, "{}").await;
    assert!(
        after.is_cold(),
        "the first invocation after destruction is a cold start"
    );
    assert_eq!(json(&after), json!({"count": 1}));
}

#[tokio::test]
async fn only_the_first_invocation_is_cold() {
    let hello = fixture("hello");
    let first = invoke(&hello, r#"{"name": "Ada"}"#).await;
    let second = invoke(&hello, r#"{"name": "Grace"}"#).await;
    assert!(first.is_cold());
    assert!(!second.is_cold());
    assert_eq!(
        json(&first),
        json!({"greeting": "hello, Ada", "echo": {"name": "Ada"}})
    );
    assert_eq!(
        json(&second),
        json!({"greeting": "hello, Grace", "echo": {"name": "Grace"}})
    );
    assert_eq!(
        first.log_stream, second.log_stream,
        "the same environment served both"
    );
    assert!(first.report.init_duration.is_some());
    assert_eq!(second.report.init_duration, None);
    assert_eq!(second.log.lines(), ["greeting Grace"]);
}

#[tokio::test]
async fn init_runs_once_per_environment_and_its_output_precedes_start() {
    let slow = fixture("slow-init");
    let cold = invoke(&slow, "{}").await;
    let warm = invoke(&slow, "{}").await;
    assert_eq!(json(&cold)["entries"], 200_000);
    assert_eq!(json(&cold), json(&warm));
    let lines = cold.log_lines();
    assert!(lines[0].starts_with("INIT_START Runtime Version: lambda-sim:wasm32-wasip2.v"));
    assert_eq!(lines[1], "init built the lookup table");
    assert!(lines[2].starts_with("START RequestId: "));
    assert!(
        !warm
            .log_lines()
            .iter()
            .any(|l| l.contains("INIT_START") || l.contains("lookup table"))
    );
}

#[tokio::test]
async fn memory_size_and_billing_reach_the_report() {
    let hello = crate::load(
        "hello",
        lambda_sim_runtime::FunctionConfig::named("hello").memory_size_mb(1769),
    );
    let cold = invoke(&hello, "{}").await;
    let line = cold.log_lines().pop().expect("a REPORT line");
    let report = ReportLine::parse(&line).expect("a CloudWatch REPORT line");
    assert_eq!(report.memory_size_mb, 1769);
    assert!(
        report.max_memory_used_mb >= 1,
        "the guest's memory is counted"
    );
    // The 2025 rule: init is billed with the invocation, rounded up to the millisecond.
    let billed = (report.duration_ms + report.init_duration_ms.expect("cold")).ceil() as u64;
    assert!(
        report.billed_duration_ms == billed.max(1) || report.billed_duration_ms == billed + 1,
        "billed {} ms for {report:?}",
        report.billed_duration_ms
    );
}

#[tokio::test]
async fn an_invocation_dropped_by_its_caller_gives_its_place_back() {
    use lambda_sim_runtime::{FunctionConfig, InvokeOptions, Payload};
    // One place (reserved concurrency 1), taken by a handler that spins until its timeout.
    let function = crate::load(
        "spin-forever",
        FunctionConfig::named("dropped")
            .reserved_concurrency(1)
            .timeout(std::time::Duration::from_secs(5)),
    );
    let payload = Payload::json("{}").expect("json");
    let call = || function.invoke(&payload, InvokeOptions::default());
    // The caller gives up after 200 ms (a client that disconnects): the future is dropped.
    let first = tokio::time::timeout(std::time::Duration::from_millis(200), call()).await;
    assert!(first.is_err(), "the handler spins past 200 ms");
    assert_eq!(function.running_invocations(), 0);
    // The place is free again: the next call runs (and is dropped too), not throttled.
    let second = tokio::time::timeout(std::time::Duration::from_millis(200), call()).await;
    assert!(
        second.is_err(),
        "admitted and running, not refused: {second:?}"
    );
}

#[tokio::test]
async fn a_prepared_function_answers_as_one_that_was_not() {
    // The same seeded simulation twice, the second pre-instantiated first (as `serve` does):
    // the throwaway instance is no environment, logs nothing and draws nothing, so the first
    // invocation is the same cold start with the same ids.
    let mut runs = Vec::new();
    for prepare in [false, true] {
        let runtime = lambda_sim_runtime::Runtime::new(crate::simulation(7)).expect("runtime");
        let path = lambda_sim_fixtures::path("hello").expect("the hello fixture");
        let hello = runtime
            .load_file(path, lambda_sim_runtime::FunctionConfig::named("hello"))
            .expect("hello loads");
        if prepare {
            hello.prepare().await.expect("hello instantiates");
            assert_eq!(hello.warm_environments(), 0, "no environment is kept");
        }
        let first = invoke(&hello, r#"{"name": "Ada"}"#).await;
        assert!(first.is_cold());
        let init_log = first.init.as_ref().map(|init| init.log.lines());
        runs.push((
            first.request_id.clone(),
            first.log_stream.clone(),
            json(&first),
            init_log,
            first.log.lines(),
            first.report.clone(),
        ));
    }
    assert_eq!(runs[0], runs[1]);
}
