//! Functions written for `lambda_runtime` as teams deploy them (`fixtures/lambda-runtime/`),
//! built unchanged by `lambda-sim build` with the stand-ins swapped in: they answer, `main`
//! before `run` is the Init phase, the statelessness check, chaos runs and power tuning work
//! on them, and a crate lambda-sim cannot run is refused with the reason.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use lambda_sim_build::{BuildOptions, Error as BuildError, build_handler_with};
use lambda_sim_harness::{
    ChaosOptions, CheckOptions, SampleOptions, Strategy, TuneOptions, chaos_run, check_stateless,
    read_events, sample_event, tune,
};
use lambda_sim_runtime::{Function, FunctionConfig, Payload};
use serde_json::json;

use crate::{invoke, json, runtime};

/// The fixtures' workspace: one `Cargo.lock` and one target directory for all of them.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lambda-runtime")
}

/// One build of the fixtures at a time: they share a lock file, which each build puts back.
static BUILT: Mutex<Option<HashMap<String, PathBuf>>> = Mutex::new(None);

/// Builds a fixture (once per test process).
fn build(name: &str, bin: Option<&str>) -> Result<PathBuf, BuildError> {
    let mut built = BUILT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let key = format!("{name}/{}", bin.unwrap_or_default());
    if let Some(path) = built.as_ref().and_then(|built| built.get(&key)) {
        return Ok(path.clone());
    }
    let mut options = BuildOptions::default();
    options.bin = bin.map(str::to_owned);
    let path = build_handler_with(&fixtures().join(name), &options)?;
    built
        .get_or_insert_with(HashMap::new)
        .insert(key, path.clone());
    Ok(path)
}

pub(crate) fn load(name: &str, config: FunctionConfig) -> Function {
    let wasm = build(name, None).unwrap_or_else(|err| panic!("`{name}` builds: {err}"));
    runtime()
        .load_file(wasm, config)
        .unwrap_or_else(|err| panic!("`{name}` loads: {err}"))
}

/// A crate of its own workspace in a temp dir: `manifest` (without `[workspace]`) and one
/// source file.
fn temp_crate(manifest: &str, file: &str, source: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("src")).expect("src");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!("{manifest}\n[workspace]\n"),
    )
    .expect("manifest");
    std::fs::write(dir.path().join(file), source).expect("source");
    dir
}

/// The files a team has in the crate, to see that the build leaves them as they were.
fn sources(name: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let crate_dir = fixtures().join(name);
    [
        fixtures().join("Cargo.lock"),
        fixtures().join("Cargo.toml"),
        crate_dir.join("Cargo.toml"),
        crate_dir.join("src/main.rs"),
    ]
    .into_iter()
    .map(|path| {
        let bytes = std::fs::read(&path).unwrap_or_default();
        (path, bytes)
    })
    .collect()
}

#[tokio::test]
async fn the_readme_example_builds_unchanged_and_answers() {
    // A build of its own (not the tests' cached one), under the lock all fixture builds take.
    let (before, wasm, after) = {
        let _one_build = BUILT
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let before = sources("basic");
        let wasm = build_handler_with(&fixtures().join("basic"), &BuildOptions::default())
            .expect("basic builds");
        (before, wasm, sources("basic"))
    };
    assert_eq!(after, before, "the build changed the crate's files");
    let basic = runtime()
        .load_file(wasm, FunctionConfig::named("basic"))
        .expect("basic loads");
    let cold = invoke(&basic, r#"{"firstName": "Ada"}"#).await;
    assert!(cold.is_cold());
    assert_eq!(json(&cold), json!({"message": "Hello, Ada!"}));
    let warm = invoke(&basic, "{}").await;
    assert!(
        !warm.is_cold(),
        "the second invocation reuses the environment"
    );
    assert_eq!(json(&warm), json!({"message": "Hello, world!"}));
}

#[tokio::test]
async fn main_before_run_is_the_init_phase() {
    // Deterministic CPU on a virtual clock: the client's 5,000,000 rounds cost the same
    // milliseconds on any machine (about 54 at one vCPU).
    let function = lambda_sim_runtime::Runtime::new(crate::simulation(3))
        .expect("runtime")
        .load_file(
            build("shared-client", None).expect("shared-client builds"),
            FunctionConfig::named("shared-client").memory_size_mb(1769),
        )
        .expect("shared-client loads");
    let cold = invoke(&function, r#"{"key": "region"}"#).await;
    let response = json(&cold);
    assert_eq!(response["value"], "us-east-1");
    assert_eq!(response["req_id"], cold.request_id.as_str());
    let init = cold
        .report
        .init_duration
        .expect("a cold start has an Init Duration");
    assert!(
        (Duration::from_millis(50)..Duration::from_millis(60)).contains(&init),
        "the client built in `main` is in Init Duration: {init:?}"
    );
    assert!(
        cold.report.duration < Duration::from_millis(1),
        "and not in Duration: {:?}",
        cold.report.duration
    );
    // The client built in `main` is borrowed by every invocation of the environment.
    let after = |previous: &lambda_sim_runtime::Invocation, event: &str| {
        let payload = Payload::json(event).expect("JSON");
        let at = previous.ends_at;
        let function = &function;
        async move {
            function
                .invoke_at(at, &payload)
                .await
                .expect("an environment")
        }
    };
    let warm = after(&cold, r#"{"key": "table"}"#).await;
    assert!(!warm.is_cold());
    assert!(warm.report.init_duration.is_none());
    assert_eq!(json(&warm)["value"], "orders");
    assert_eq!(json(&warm)["client_checksum"], response["client_checksum"]);
    // A payload that does not fit the event type fails as upstream words it.
    let mistyped = after(&warm, r#"{"key": 7}"#).await;
    let error = mistyped.error().expect("a number is not a key");
    assert_eq!(
        error.error_type,
        "&lambda_runtime::deserializer::DeserializeError"
    );
    assert_eq!(
        error.error_message,
        "failed to deserialize the incoming data into the function's payload type: [key] key: invalid type: integer `7`, expected a string at line 1 column 9\n"
    );
    assert!(
        !after(&mistyped, r#"{"key": "region"}"#).await.is_cold(),
        "the environment survives"
    );
}

#[tokio::test]
async fn tracing_lines_go_to_the_functions_log_at_its_level_and_format() {
    let function = load("tracing", FunctionConfig::named("tracing-text"));
    let answered = invoke(&function, r#"{"command": "deploy"}"#).await;
    assert_eq!(json(&answered)["msg"], "Command deploy.");
    // In upstream's span, with the request id, as `lambda_runtime::run` writes them.
    let span = format!(
        r#"Lambda runtime invoke{{requestId="{}"}}"#,
        answered.request_id
    );
    assert!(
        answered
            .log_lines()
            .contains(&format!(" INFO {span}: received a command command=deploy")),
        "{:#?}",
        answered.log_lines()
    );
    let failed = invoke(&function, r#"{"command": "fail"}"#).await;
    let error = failed.error().expect("`fail` fails");
    assert_eq!(
        error.error_type,
        "&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>"
    );
    assert_eq!(error.error_message, "the command was `fail`");
    let span = format!(
        r#"Lambda runtime invoke{{requestId="{}"}}"#,
        failed.request_id
    );
    let lines = failed.log_lines();
    // The handler's own line, then the runtime's line for the error it returned.
    assert!(
        lines.contains(&format!("ERROR {span}: refusing to fail")),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&format!("ERROR {span}: \"the command was `fail`\"")),
        "{lines:#?}"
    );

    let quiet = load(
        "tracing",
        FunctionConfig::named("tracing-json")
            .env("AWS_LAMBDA_LOG_FORMAT", "json")
            .env("AWS_LAMBDA_LOG_LEVEL", "error"),
    );
    let failed = invoke(&quiet, r#"{"command": "fail"}"#).await;
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&failed.log.bytes)
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    assert_eq!(
        lines,
        [
            json!({"level": "ERROR", "fields": {"message": "refusing to fail"}}),
            json!({"level": "ERROR", "fields": {"message": "\"the command was `fail`\""}}),
        ],
        "errors only, as JSON"
    );
}

#[tokio::test]
async fn check_catches_a_static_counter_and_passes_a_stateless_crate() {
    let events = read_events(&Path::new(lambda_sim_fixtures::EVENTS_DIR).join("greetings"))
        .expect("the events read");
    let counter = load("counter", FunctionConfig::named("rust-counter"));
    let verdict = check_stateless(&counter, &events, &CheckOptions::default())
        .await
        .expect("the check runs");
    let difference = verdict.difference.expect("a static counter is state");
    assert_eq!(difference.fresh, json!({"count": 1}));
    assert_eq!(difference.other, json!({"count": 2}));

    let basic = load("basic", FunctionConfig::named("rust-basic-checked"));
    let verdict = check_stateless(&basic, &events, &CheckOptions::default())
        .await
        .expect("the check runs");
    assert!(verdict.difference.is_none(), "{verdict}");
}

#[tokio::test]
async fn chaos_and_power_tuning_run_on_a_lambda_runtime_crate() {
    // Retries wait minutes, as Lambda's do: on a virtual clock.
    let basic = lambda_sim_runtime::Runtime::new(crate::simulation(7))
        .expect("runtime")
        .load_file(
            build("basic", None).expect("basic builds"),
            FunctionConfig::named("rust-basic-chaos"),
        )
        .expect("basic loads");
    let options = ChaosOptions {
        events: 500,
        seed: 7,
        ..ChaosOptions::default()
    };
    let payload = Payload::json(r#"{"firstName": "chaos"}"#).expect("JSON");
    let report = chaos_run(&basic, &payload, &options)
        .await
        .expect("the run completes");
    assert!(report.holds(), "{report}");
    assert_eq!(report.lost, 0);
    assert_eq!(report.duplicated, 0);

    let wasm = build("shared-client", None).expect("shared-client builds");
    let options = TuneOptions {
        runs: 2,
        strategy: Strategy::Cost,
        ..TuneOptions::default()
    };
    let event = Payload::json(r#"{"key": "region"}"#).expect("JSON");
    let tuned = tune(&wasm, "shared-client", &event, &options, |_| {})
        .await
        .expect("tuning runs");
    assert_eq!(tuned.results.len(), 8, "{tuned}");
    assert!(tuned.results.iter().all(|r| r.errors == 0), "{tuned}");
}

#[tokio::test]
async fn several_binaries_need_bin_and_each_one_builds() {
    let err = build("several-bins", None).expect_err("two binaries, none chosen");
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` has several binaries (goodbye, hello): choose one with `--bin NAME`",
            fixtures().join("several-bins").display()
        )
    );
    let err = build("several-bins", Some("farewell")).expect_err("no such binary");
    assert!(
        err.to_string()
            .ends_with("has no binary `farewell` (it has: goodbye, hello)"),
        "{err}"
    );
    for bin in ["hello", "goodbye"] {
        let wasm = build("several-bins", Some(bin)).expect("the binary builds");
        let function = runtime()
            .load_file(wasm, FunctionConfig::named(bin))
            .expect("it loads");
        assert_eq!(json(&invoke(&function, "{}").await), json!({"said": bin}));
    }
}

#[tokio::test]
async fn a_main_without_tokio_main_is_refused_with_the_reason() {
    let err = build("plain-main", None).expect_err("no #[tokio::main]");
    assert!(matches!(err, BuildError::NoTokioMain(_)), "{err:?}");
    assert!(
        err.to_string()
            .ends_with("'s `main` is not `#[tokio::main] async fn main`: lambda-sim runs the body of `#[tokio::main]` as the function's Init phase, up to `lambda_runtime::run` (a `main` that builds its own tokio runtime is not supported)"),
        "{err}"
    );
}

#[test]
fn a_crate_with_no_handler_is_refused() {
    let dir = temp_crate(
        "[package]\nname = \"no-handler\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        "src/main.rs",
        "fn main() {}\n",
    );
    let err = build_handler_with(dir.path(), &BuildOptions::default()).expect_err("no handler");
    assert!(matches!(err, BuildError::NoHandler(_)), "{err:?}");
    assert!(err.to_string().ends_with(
        "has no handler: lambda-sim builds a `cdylib` using `lambda_sim_guest::handler!`, or a binary whose `#[tokio::main] async fn main` calls `lambda_runtime::run` (or `lambda_http::run`)"
    ), "{err}");
    assert!(
        !dir.path().join("target").exists(),
        "refused before cargo built anything"
    );
}

/// An API Gateway event for `GET /hello?name=Ada`, of the REST (v1) or HTTP API (v2) shape.
fn hello_request(source: &str) -> serde_json::Value {
    let options = SampleOptions {
        method: "GET".to_owned(),
        path: "/hello".to_owned(),
        ..SampleOptions::default()
    };
    let mut event = sample_event(source, &options).expect("a known source");
    event["queryStringParameters"] = json!({"name": "Ada"});
    if source == "apigw-v1" {
        event["multiValueQueryStringParameters"] = json!({"name": ["Ada"]});
    } else {
        event["rawQueryString"] = json!("name=Ada");
    }
    event["body"] = serde_json::Value::Null;
    event
}

#[tokio::test]
async fn a_lambda_http_function_answers_api_gateway_v1_and_v2_events() {
    let http = load("http", FunctionConfig::named("rust-http"));
    let v2 = http
        .invoke(
            &Payload::from_value(&hello_request("apigw-v2")),
            Default::default(),
        )
        .await
        .expect("admitted");
    assert_eq!(
        json(&v2),
        json!({
            "statusCode": 200,
            "headers": {"content-type": "text/html"},
            "multiValueHeaders": {},
            "body": "Hello Ada, this is an AWS Lambda HTTP request",
            "isBase64Encoded": false,
            "cookies": []
        })
    );
    let v1 = http
        .invoke(
            &Payload::from_value(&hello_request("apigw-v1")),
            Default::default(),
        )
        .await
        .expect("admitted");
    assert_eq!(
        json(&v1),
        json!({
            "statusCode": 200,
            "headers": {},
            "multiValueHeaders": {"content-type": ["text/html"]},
            "body": "Hello Ada, this is an AWS Lambda HTTP request",
            "isBase64Encoded": false
        })
    );
    let not_http = invoke(&http, r#"{"Records": []}"#).await;
    let error = not_http
        .error()
        .expect("an SQS-like event is not an HTTP request");
    assert_eq!(
        error.error_type,
        "&lambda_runtime::deserializer::DeserializeError"
    );
    assert!(
        error
            .error_message
            .contains("but the data doesn't match any of those services' events"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_crate_calling_reqwest_is_warned_at_build_and_fails_with_the_cause() {
    let output = {
        let _one_build = BUILT
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
            .arg("build")
            .arg(fixtures().join("needs-socket"))
            .output()
            .expect("lambda-sim runs")
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "lambda-sim: warning: `reqwest` is built for wasm32 as browser code (it calls JavaScript through wasm-bindgen, as reqwest does for HTTP): a call to it fails in a lambda-sim environment, which has no network"
        ),
        "{stderr}"
    );
    let wasm = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let function = runtime()
        .load_file(wasm, FunctionConfig::named("needs-socket"))
        .expect("it loads");
    let failed = invoke(&function, "{}").await;
    let error = failed.error().expect("no socket");
    assert_eq!(
        error.error_type,
        "&alloc::boxed::Box<dyn core::any::Any + core::marker::Send>"
    );
    assert_eq!(
        error.error_message,
        "Lambda panicked: cannot call wasm-bindgen imported functions on non-wasm targets (lambda-sim: this is browser code, such as reqwest's HTTP client on wasm32; a lambda-sim environment has no network)"
    );
    let basic = load("basic", FunctionConfig::named("after-needs-socket"));
    assert_eq!(
        json(&invoke(&basic, "{}").await)["message"],
        "Hello, world!"
    );
}

#[tokio::test]
async fn tower_layers_tokio_timers_and_spawned_tasks_work() {
    let layers = load("layers", FunctionConfig::named("rust-layers"));
    let first = invoke(&layers, r#"{"n": 21}"#).await;
    assert_eq!(
        json(&first),
        json!({"doubled": 42, "layer": "stamped", "requests": 1})
    );
    assert!(
        first.report.duration >= Duration::from_millis(5),
        "the handler slept 5 ms: {:?}",
        first.report.duration
    );
    let second = invoke(&layers, r#"{"n": 2}"#).await;
    assert!(!second.is_cold());
    assert_eq!(
        json(&second),
        json!({"doubled": 4, "layer": "stamped", "requests": 2})
    );
}

#[test]
fn a_handler_of_the_wrong_shape_is_a_compile_error_naming_the_fix() {
    let guest = Path::new(env!("CARGO_MANIFEST_DIR")).join("guest");
    // The handler forgot the `Result`.
    let dir = temp_crate(
        &format!(
            "[package]\nname = \"wrong-shape\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\n\
             lambda-sim-guest = {{ path = {:?} }}\nserde_json = \"1\"\n",
            guest.display().to_string()
        ),
        "src/lib.rs",
        "use lambda_sim_guest::LambdaEvent;\nuse serde_json::Value;\n\n\
         fn handler(event: LambdaEvent<Value>) -> Value {\n    event.payload\n}\n\n\
         lambda_sim_guest::handler!(handler);\n",
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
        .arg("build")
        .arg(dir.path())
        .output()
        .expect("lambda-sim runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains(
            "`fn(LambdaEvent<Value>) -> Value {handler}` is not a handler `lambda_sim_guest::handler!` can export"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "write the handler as `fn handler(event: LambdaEvent<T>) -> Result<R, Error>` (or `async fn`)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("failed to build the handler crate"),
        "{stderr}"
    );
}

#[tokio::test]
async fn main_returning_an_error_before_run_exits_as_on_lambda() {
    let function = load("config-error", FunctionConfig::named("config-error"));
    let failed = invoke(&function, "{}").await;
    let error = failed.error().expect("TABLE_NAME is missing");
    assert_eq!(error.error_type, "Runtime.ExitError");
    assert_eq!(
        error.error_message,
        format!(
            "RequestId: {} Error: Runtime exited with error: exit status 1",
            failed.request_id
        )
    );
    let init = failed.init.as_ref().expect("a cold start");
    assert!(
        init.log
            .lines()
            .contains(&r#"Error: "TABLE_NAME is not set""#.to_owned()),
        "{:?}",
        init.log.lines()
    );
    let configured = load(
        "config-error",
        FunctionConfig::named("config-error-set").env("TABLE_NAME", "orders"),
    );
    assert_eq!(
        json(&invoke(&configured, "{}").await),
        json!({"table": "orders"})
    );
}

#[tokio::test]
async fn our_sdk_takes_async_handlers_and_init() {
    let function = crate::fixture("async-hello");
    let answered = invoke(&function, r#"{"name": "Ada"}"#).await;
    assert_eq!(
        json(&answered),
        json!({"greeting": "hello, Ada", "init_ran": true})
    );
    let error = invoke(&function, "{}").await;
    assert_eq!(
        error.error().map(|e| e.error_type.as_str()),
        Some("Runtime.DeserializeError")
    );
}
