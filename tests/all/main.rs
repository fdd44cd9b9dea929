//! Integration tests of lambda-sim: the runtime's public API and the `lambda-sim` binary,
//! on the guest fixtures built from `fixtures/guests/`.

mod aws_apis;
mod aws_corpus;
mod aws_sdks;
mod cache;
mod chaos;
mod check;
mod cli;
mod clients;
mod corpus;
mod errors;
mod front_door;
mod front_door_browser;
mod harness;
mod init_retry;
mod install;
mod lifecycle;
mod load;
mod logs;
mod model;
mod node;
mod pipeline;
mod python;
mod rust_functions;
mod sandbox;
mod serve;
mod snap_start;
mod stores;
mod streaming_guests;
mod tidy;
mod trace;
mod tune;
mod watch;

use std::sync::OnceLock;

use lambda_sim_runtime::{
    Function, FunctionConfig, Invocation, InvokeOptions, Payload, Runtime, RuntimeConfig,
};
use serde_json::Value;

/// Invokes when the function's previous invocation (in this test thread) has ended, in
/// simulated time, so that a warm environment is free: one invocation after the other, as a
/// handler's tests in Python and Node.js drive them.
pub async fn invoke_in_turn(function: &Function, event: Value) -> Invocation {
    let at = LAST_END
        .with(|end| end.borrow().get(function.config().name.as_str()).copied())
        .unwrap_or_else(|| function.clock().now());
    let invocation = function
        .invoke_at(at, &Payload::from_value(&event))
        .await
        .expect("an environment is available");
    LAST_END.with(|end| {
        end.borrow_mut()
            .insert(function.config().name.clone(), invocation.ends_at)
    });
    invocation
}

thread_local! {
    /// When each function's last invocation ended (tests run on a current-thread runtime).
    static LAST_END: std::cell::RefCell<std::collections::HashMap<String, std::time::Duration>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

/// A cold start's Init Duration in milliseconds, read from its REPORT line.
pub fn init_duration_ms(invocation: &Invocation) -> f64 {
    let line = invocation.report.to_string();
    let report = lambda_sim_harness::ReportLine::parse(&line).expect("CloudWatch's REPORT format");
    report
        .init_duration_ms
        .unwrap_or_else(|| panic!("a cold start has Init Duration: {line}"))
}

/// A tool Cargo does not install (componentize-py, boto3 and the AWS CLI, Chromium), or, when it
/// is missing, a failure naming it; `None` (the test returns, and says `skipped: ...`) only with
/// `LAMBDA_SIM_ALLOW_SKIP=1`. It lives in the report crate so that its browser test, which cannot
/// use these helpers, applies the same rule.
pub use lambda_sim_report::tool::require;

/// One runtime per test process, with its compile cache under cargo's temp dir.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-cache");
        let config = RuntimeConfig::default().cache_dir(Some(cache));
        Runtime::new(config).expect("the runtime starts")
    })
}

pub use lambda_sim_server::attach_aws;

/// The shared [`runtime`]'s AWS APIs (attached once).
pub fn aws() -> &'static lambda_sim_server::AwsApis {
    static APIS: OnceLock<lambda_sim_server::AwsApis> = OnceLock::new();
    APIS.get_or_init(|| attach_aws(runtime()))
}

/// The settings of a small simulation for a test: 64 sandboxes, the tests' compile cache, a
/// virtual clock, deterministic CPU and the given seed.
pub fn simulation(seed: u64) -> RuntimeConfig {
    RuntimeConfig::default()
        .max_environments(64)
        .cache_dir(Some(
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-cache"),
        ))
        .clock(lambda_sim_runtime::ClockMode::Virtual)
        .cpu(lambda_sim_runtime::CpuMode::Deterministic)
        .seed(seed)
}

/// Loads a fixture by crate name with the given configuration.
pub fn load(fixture: &str, config: FunctionConfig) -> Function {
    let path =
        lambda_sim_fixtures::path(fixture).unwrap_or_else(|| panic!("no fixture `{fixture}`"));
    runtime()
        .load_file(path, config)
        .unwrap_or_else(|err| panic!("fixture `{fixture}` loads: {err}"))
}

/// Loads a fixture with Lambda's default settings and the fixture's name.
pub fn fixture(name: &str) -> Function {
    load(name, FunctionConfig::named(name))
}

/// Invokes with a JSON event.
pub async fn invoke(function: &Function, event: &str) -> Invocation {
    let payload = Payload::json(event).expect("the test event is JSON");
    function
        .invoke(&payload, InvokeOptions::default())
        .await
        .expect("an environment is available")
}

/// The invocation's response as JSON (panics with the error payload if it failed).
pub fn json(invocation: &Invocation) -> Value {
    match &invocation.result {
        Ok(bytes) => serde_json::from_slice(bytes).expect("the response is JSON"),
        Err(err) => panic!(
            "the invocation failed: {err:?}\n{}",
            invocation.log_lines().join("\n")
        ),
    }
}

/// The Telemetry API records of a cold invocation's JSON log (one object a line), checked to
/// come in Lambda's order: init start and report, start, the function's line, report.
pub fn cold_telemetry_records(text: &str) -> Vec<Value> {
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON record a line"))
        .collect();
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        types,
        [
            "platform.initStart",
            "platform.initReport",
            "platform.start",
            "function",
            "platform.report"
        ],
        "{text}"
    );
    records
}
