//! Each bad case gets a Lambda-shaped error, and the runtime keeps serving afterwards.

use lambda_sim_harness::ReportLine;
use lambda_sim_runtime::{Error, FunctionConfig, Payload, Status};
use serde_json::json;

use crate::{fixture, invoke, json, load, runtime};

/// After any failure, other functions (and a fresh `hello`) still answer.
async fn still_serving() {
    let hello = fixture("hello");
    assert_eq!(
        json(&invoke(&hello, r#"{"name": "after"}"#).await)["greeting"],
        "hello, after"
    );
}

fn report_of(invocation: &lambda_sim_runtime::Invocation) -> ReportLine {
    let line = invocation.log_lines().pop().expect("a REPORT line");
    ReportLine::parse(&line).expect("a CloudWatch REPORT line")
}

#[tokio::test]
async fn a_file_that_is_not_wasm_is_refused_with_a_clear_error() {
    let not_wasm = std::path::Path::new(lambda_sim_fixtures::EVENTS_DIR).join("hello.json");
    let err = runtime()
        .load_file(&not_wasm, FunctionConfig::named("not-wasm"))
        .err()
        .expect("a JSON file is not a component");
    assert!(matches!(err, Error::NotAComponent(_)));
    assert_eq!(
        err.to_string(),
        "failed to load the function: this is not a WebAssembly file (it does not start with `\\0asm`)"
    );
    assert_eq!(err.error_type(), "InvalidParameterValueException");
    let truncated = std::fs::read(lambda_sim_fixtures::HELLO).expect("hello.wasm");
    let err = runtime()
        .load(
            &truncated[..truncated.len() / 2],
            FunctionConfig::named("truncated"),
        )
        .err()
        .expect("half a component does not compile");
    assert!(matches!(err, Error::Compile(_)), "{err}");
    still_serving().await;
}

#[tokio::test]
async fn a_component_of_another_world_names_the_missing_exports() {
    let err = runtime()
        .load_file(
            lambda_sim_fixtures::WRONG_WORLD,
            FunctionConfig::named("wrong-world"),
        )
        .err()
        .expect("a command component is not a handler");
    assert_eq!(
        err.to_string(),
        "failed to load the function: the component does not implement the handler world \
         `lambda-sim:handler/function`: it does not export `init` and `handle` (it exports \
         `wasi:cli/run@0.2.0`)"
    );
    assert_eq!(err.error_type(), "Runtime.InvalidEntrypoint");
    still_serving().await;
}

#[tokio::test]
async fn an_event_that_is_not_json_is_refused_before_any_environment() {
    let err = Payload::json("{\"name\": ").expect_err("truncated JSON is refused");
    assert_eq!(err.error_type(), "InvalidRequestContentException");
    assert_eq!(
        err.to_string(),
        "Could not parse request body into json: EOF while parsing a value at line 1 column 9"
    );
    still_serving().await;
}

#[tokio::test]
async fn a_panic_is_a_function_error_and_the_environment_is_reset() {
    let panic = fixture("panic");
    let failed = invoke(&panic, "{}").await;
    assert_eq!(
        failed
            .error()
            .map(|e| (e.error_type.as_str(), e.error_message.as_str())),
        Some((
            "alloc::boxed::Box<dyn core::any::Any + core::marker::Send>",
            "Lambda panicked: boom"
        ))
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&failed.payload()).expect("JSON"),
        json!({
            "errorType": "alloc::boxed::Box<dyn core::any::Any + core::marker::Send>",
            "errorMessage": "Lambda panicked: boom"
        })
    );
    assert!(
        failed.log.lines().iter().any(|l| l.contains("panicked at")),
        "{:?}",
        failed.log.lines()
    );
    assert_eq!(failed.report.status, Status::Error);
    assert_eq!(
        panic.warm_environments(),
        0,
        "an aborted sandbox is not reused"
    );
    let next = invoke(&panic, r#"{"panic": false}"#).await;
    assert!(next.is_cold());
    assert_eq!(json(&next), json!({"panicked": false}));
    still_serving().await;
}

#[tokio::test]
async fn a_trap_is_a_runtime_exit_error() {
    let panic = fixture("panic");
    let trapped = invoke(&panic, r#"{"abort": true}"#).await;
    let err = trapped.error().expect("an abort fails the invocation");
    assert_eq!(err.error_type, "Runtime.ExitError");
    assert_eq!(
        err.error_message,
        format!(
            "RequestId: {} Error: Runtime exited with error: wasm trap: wasm `unreachable` instruction executed",
            trapped.request_id
        )
    );
    let report = report_of(&trapped);
    assert_eq!(report.status.as_deref(), Some("error"));
    assert_eq!(report.error_type.as_deref(), Some("Runtime.ExitError"));
    assert_eq!(panic.warm_environments(), 0);
    assert_eq!(
        json(&invoke(&panic, r#"{"panic": false}"#).await),
        json!({"panicked": false})
    );
}

#[tokio::test]
async fn an_infinite_loop_times_out_as_lambda_says_it() {
    let spin = load(
        "spin-forever",
        FunctionConfig::named("spin-forever").timeout(std::time::Duration::from_secs(1)),
    );
    let timed_out = invoke(&spin, "{}").await;
    let err = timed_out.error().expect("the loop never returns");
    assert_eq!(err.error_type, "Sandbox.Timedout");
    assert_eq!(
        err.error_message,
        format!(
            "RequestId: {} Error: Task timed out after 1.00 seconds",
            timed_out.request_id
        )
    );
    let report = report_of(&timed_out);
    assert_eq!(report.status.as_deref(), Some("timeout"));
    assert!(report.duration_ms >= 1000.0, "{report:?}");
    let lines = timed_out.log_lines();
    let note = &lines[lines.len() - 3];
    assert!(
        note.ends_with(&format!(
            "{} Task timed out after 1.00 seconds",
            timed_out.request_id
        )),
        "{note}"
    );
    assert_eq!(
        spin.warm_environments(),
        0,
        "a timed-out environment is reset"
    );
    still_serving().await;
}

#[tokio::test]
async fn memory_growth_past_the_memory_size_is_out_of_memory() {
    // A long timeout: at 256 MB the guest has a seventh of a vCPU, and on a loaded machine
    // (the test suite builds crates meanwhile) growing 256 MB can take longer than 3 s.
    let oom = load(
        "oom",
        FunctionConfig::named("oom")
            .memory_size_mb(256)
            .timeout(std::time::Duration::from_secs(60)),
    );
    let failed = invoke(&oom, "{}").await;
    let err = failed.error().expect("the guest runs out of memory");
    assert_eq!(err.error_type, "Runtime.OutOfMemory");
    assert_eq!(
        err.error_message,
        format!(
            "RequestId: {} Error: Runtime exited with error: signal: killed",
            failed.request_id
        )
    );
    let report = report_of(&failed);
    assert_eq!(report.status.as_deref(), Some("error"));
    assert_eq!(report.error_type.as_deref(), Some("Runtime.OutOfMemory"));
    assert!(
        (200..=256).contains(&report.max_memory_used_mb),
        "Max Memory Used near the 256 MB size: {report:?}"
    );
    assert_eq!(oom.warm_environments(), 0);
    still_serving().await;
}

#[tokio::test]
async fn a_payload_the_handler_cannot_decode_names_the_json_path() {
    let burn = fixture("cpu-burn");
    let failed = invoke(&burn, r#"{"iterations": "many"}"#).await;
    let err = failed.error().expect("a string is not a u64");
    assert_eq!(err.error_type, "Runtime.DeserializeError");
    assert_eq!(
        err.error_message,
        "failed to deserialize the incoming data into the function's payload type: \
         iterations: invalid type: string \"many\", expected u64 at line 1 column 21"
    );
    assert_eq!(
        burn.warm_environments(),
        1,
        "a handled error keeps the environment warm"
    );
}

#[test]
fn settings_outside_lambdas_ranges_are_refused() {
    for (config, message) in [
        (
            FunctionConfig::named("f").memory_size_mb(127),
            "memory size 127 MB is outside",
        ),
        (
            FunctionConfig::named("f").memory_size_mb(10_241),
            "memory size 10241 MB is outside",
        ),
        (
            FunctionConfig::named("f").timeout(std::time::Duration::ZERO),
            "timeout 0.000 s is outside",
        ),
        (
            FunctionConfig::named("f").timeout(std::time::Duration::from_secs(901)),
            "timeout 901.000 s is outside",
        ),
    ] {
        let err = runtime()
            .load_file(lambda_sim_fixtures::HELLO, config)
            .err()
            .expect("refused");
        assert!(err.to_string().contains(message), "{err}");
        assert_eq!(err.error_type(), "InvalidParameterValueException");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_running_environment_fails_its_invocation_and_resets_it() {
    let spin = load(
        "spin-forever",
        FunctionConfig::named("killed").timeout(std::time::Duration::from_secs(30)),
    );
    let running = {
        let spin = spin.clone();
        tokio::spawn(async move { invoke(&spin, "{}").await })
    };
    let started = std::time::Instant::now();
    while spin.kill_running() == 0 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "the invocation never started"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let killed = running.await.expect("the task ends");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "killed long before the 30 s timeout"
    );
    let err = killed.error().expect("a killed invocation fails");
    assert_eq!(err.error_type, "Runtime.ExitError");
    assert_eq!(
        err.error_message,
        format!(
            "RequestId: {} Error: Runtime exited with error: signal: killed",
            killed.request_id
        )
    );
    assert_eq!(
        report_of(&killed).error_type.as_deref(),
        Some("Runtime.ExitError")
    );
    assert_eq!(spin.warm_environments(), 0, "a killed environment is reset");
    still_serving().await;
}
