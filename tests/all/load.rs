//! Load runs and sample events.

use std::time::Duration;

use lambda_sim_harness::{Arrivals, LoadOptions, SampleOptions, load_run, sample_event};
use lambda_sim_runtime::{FunctionConfig, InvokeOptions, Payload, Runtime};
use serde_json::json;

fn simulation() -> Runtime {
    Runtime::new(crate::simulation(3)).expect("runtime")
}

#[tokio::test]
async fn an_open_loop_reports_cold_and_warm_percentiles() {
    let runtime = simulation();
    let burner = runtime
        .load_file(
            lambda_sim_fixtures::CPU_BURN,
            FunctionConfig::named("load").memory_size_mb(1769),
        )
        .expect("loads");
    // 200 per second (5 ms apart) for 10 s of simulated time, each well under 5 ms: one
    // environment serves them all after its cold start.
    let options = LoadOptions {
        arrivals: Arrivals::Rate(200.0),
        duration: Duration::from_secs(10),
    };
    let report = load_run(
        &burner,
        &Payload::from_value(&json!({"iterations": 50_000})),
        &options,
        |_| {},
    )
    .await;
    assert_eq!(report.invocations, 2_000);
    assert_eq!(report.refused, 0);
    assert!(
        report.cold_starts >= 1 && report.cold_starts <= 3,
        "{report}"
    );
    assert_eq!(report.invoke.count, 2_000);
    assert_eq!(report.warm.count + report.cold_total.count, 2_000);
    assert_eq!(report.init.count, report.cold_starts);
    let s = &report.invoke;
    assert!(
        s.p50_ms > 0.0
            && s.p50_ms <= s.p90_ms
            && s.p90_ms <= s.p99_ms
            && s.p99_ms <= s.p999_ms
            && s.p999_ms <= s.max_ms,
        "{report}"
    );
    assert!(report.cold_total.p50_ms >= report.warm.p50_ms, "{report}");
    let text = report.to_string();
    assert!(text.starts_with("2000 invocations, "), "{text}");
    assert!(text.contains("\nwarm "), "{text}");
}

#[tokio::test]
async fn closed_loop_clients_each_wait_for_their_answer() {
    let runtime = simulation();
    let hello = runtime
        .load_file(lambda_sim_fixtures::HELLO, FunctionConfig::named("clients"))
        .expect("loads");
    let options = LoadOptions {
        arrivals: Arrivals::Clients(4),
        duration: Duration::from_millis(100),
    };
    let report = load_run(
        &hello,
        &Payload::json("{}").expect("JSON"),
        &options,
        |_| {},
    )
    .await;
    assert_eq!(
        report.cold_starts, 4,
        "four clients, four environments: {report}"
    );
    assert!(report.invocations > 100, "{report}");
}

#[tokio::test]
async fn sample_events_are_what_the_handlers_expect() {
    let apigw = runtime_fixture("apigw");
    let options = SampleOptions {
        method: "GET".to_owned(),
        path: "/hello".to_owned(),
        ..SampleOptions::default()
    };
    let event = sample_event("apigw-v1", &options).expect("a known source");
    let invocation = apigw
        .invoke(&Payload::from_value(&event), InvokeOptions::default())
        .await
        .expect("admitted");
    let response: serde_json::Value =
        serde_json::from_slice(invocation.response().expect("the handler answers")).expect("JSON");
    assert_eq!(response["statusCode"], 200);
    assert_eq!(
        response["body"],
        r#"{"message":"hello, world","method":"GET","path":"/hello"}"#
    );
}

fn runtime_fixture(name: &str) -> lambda_sim_runtime::Function {
    crate::fixture(name)
}

#[test]
fn generate_event_prints_a_sample_and_names_the_known_sources() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
            .args(args)
            .output()
            .expect("lambda-sim runs")
    };
    let sqs = run(&["generate-event", "sqs", "--body", "hi", "--records", "2"]);
    assert!(sqs.status.success());
    let event: serde_json::Value = serde_json::from_slice(&sqs.stdout).expect("JSON");
    assert_eq!(event["Records"].as_array().map(Vec::len), Some(2));
    assert_eq!(event["Records"][1]["body"], "hi");
    let unknown = run(&["generate-event", "carrier-pigeon"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&unknown.stderr).trim_end(),
        "error: unknown event source `carrier-pigeon` (one of: apigw-v1, apigw-v2, s3-put, sqs, kinesis, dynamodb-stream, eventbridge-schedule)"
    );
}

#[test]
fn the_load_command_prints_percentiles_or_json() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
        .args([
            "load",
            lambda_sim_fixtures::HELLO,
            "--rate",
            "500",
            "--duration",
            "2s",
            "--clock",
            "virtual",
            "--json",
        ])
        .env(
            "LAMBDA_SIM_CACHE_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
        )
        .output()
        .expect("lambda-sim runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["invocations"], 1000);
    assert!(
        report["warm"]["p99_ms"].as_f64().is_some_and(|p| p > 0.0),
        "{report}"
    );
    assert!(
        out.stderr.is_empty(),
        "no progress bar when stderr is not a terminal"
    );
}
