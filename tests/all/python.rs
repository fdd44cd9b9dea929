//! Python handlers (fixtures/python/), packaged with componentize-py and the adapter in
//! guest-python/, under the same checks as the Rust ones. componentize-py comes from
//! `LAMBDA_SIM_COMPONENTIZE_PY`, the virtual environment `.ci/run` makes (`target/py-venv`),
//! or the `PATH`; without it the tests fail, naming it (or skip, with `LAMBDA_SIM_ALLOW_SKIP=1`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Instant, SystemTime};

use lambda_sim_harness::{CheckOptions, ReportLine, Run, check_stateless, read_events};
use lambda_sim_runtime::{Function, FunctionConfig, Runtime};
use serde_json::{Value, json};

const FIXTURES: [&str; 10] = [
    "hello",
    "clock_and_ids",
    "counter",
    "tmp_cache",
    "slow_import",
    "exception",
    "dates",
    "boto3-import",
    "sqs-to-dynamodb",
    "snap_start",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// componentize-py (found once per test process), or why there is none.
fn componentize_py() -> Result<&'static Path, String> {
    static FOUND: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let candidates = [
            std::env::var_os("LAMBDA_SIM_COMPONENTIZE_PY").map(PathBuf::from),
            Some(root().join("target/py-venv/bin/componentize-py")),
            Some(PathBuf::from("componentize-py")),
        ];
        candidates
            .into_iter()
            .flatten()
            .find(|program| {
                std::process::Command::new(program)
                    .arg("--version")
                    .output()
                    .is_ok_and(|out| out.status.success())
            })
            .ok_or_else(|| {
                format!(
                    "componentize-py not found (looked in LAMBDA_SIM_COMPONENTIZE_PY, \
                     target/py-venv/bin and PATH): run .ci/run's install steps (or \
                     `pip install componentize-py=={}`)",
                    lambda_sim_harness::COMPONENTIZE_PY_VERSION
                )
            })
    });
    found.as_deref().map_err(Clone::clone)
}

/// The fixtures' components, built with `program` once per test process (in parallel), reused
/// across runs while their inputs are unchanged (the build's own cache, `OUT.key`).
fn components(program: &Path) -> &'static HashMap<&'static str, PathBuf> {
    static BUILT: OnceLock<Result<HashMap<&'static str, PathBuf>, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-fixtures");
        std::thread::scope(|scope| {
            let builds: Vec<_> = FIXTURES
                .iter()
                .map(|&name| {
                    let out_dir = &out_dir;
                    scope.spawn(move || {
                        let dir = root().join("fixtures/python").join(name);
                        let out = out_dir.join(format!("{name}.wasm"));
                        lambda_sim_harness::build_python_with(program, &dir, "app.handler", &out)
                            .map_err(|err| format!("{name}: {err}"))?;
                        Ok::<_, String>((name, out))
                    })
                })
                .collect();
            builds
                .into_iter()
                .map(|b| {
                    b.join()
                        .unwrap_or_else(|_| Err("a build thread panicked".to_owned()))
                })
                .collect()
        })
    });
    built
        .as_ref()
        .unwrap_or_else(|why| panic!("the Python fixtures build: {why}"))
}

/// A Python fixture loaded in `runtime` as `py-<name>`; `None` when componentize-py is missing
/// and `LAMBDA_SIM_ALLOW_SKIP=1` (without it, the test fails naming componentize-py).
#[track_caller]
fn load(runtime: &Runtime, name: &str) -> Option<Function> {
    let components = components(crate::require(componentize_py())?);
    let config = FunctionConfig::named(format!("py-{}", name.replace('_', "-")));
    Some(
        runtime
            .load_file(&components[name], config)
            .unwrap_or_else(|err| panic!("{name} loads: {err}")),
    )
}

/// The `snap_start` fixture with SnapStart on, in `runtime`, with `vars`.
fn load_snap_start(runtime: &Runtime, memory_mb: u32, vars: &[(&str, &str)]) -> Option<Function> {
    let components = components(crate::require(componentize_py())?);
    let mut config = FunctionConfig::named("py-snap-start")
        .snap_start(true)
        .memory_size_mb(memory_mb);
    for (key, value) in vars {
        config = config.env(*key, *value);
    }
    Some(
        runtime
            .load_file(&components["snap_start"], config)
            .unwrap_or_else(|err| panic!("snap_start loads: {err}")),
    )
}

/// A simulation with deterministic CPU: durations are counted, not timed.
fn simulation() -> Runtime {
    Runtime::new(crate::simulation(7)).expect("the runtime starts")
}

#[tokio::test]
async fn a_python_handler_runs_cold_then_warm_with_its_context() {
    let runtime = simulation();
    let Some(hello) = load(&runtime, "hello") else {
        return;
    };
    let cold = crate::invoke_in_turn(&hello, json!({"name": "Ada"})).await;
    let warm = crate::invoke_in_turn(&hello, json!({"name": "Grace"})).await;
    assert!(cold.is_cold() && !warm.is_cold());

    let lines = cold.log_lines();
    assert!(
        lines[0].starts_with("INIT_START Runtime Version: "),
        "{lines:?}"
    );
    assert_eq!(
        lines[1],
        format!("START RequestId: {} Version: $LATEST", cold.request_id)
    );
    assert_eq!(lines[2], "greeting Ada");
    let info: Vec<&str> = lines[3].split('\t').collect();
    assert_eq!(info[0], "[INFO]");
    assert!(
        info[1].ends_with('Z') && info[1].len() == 24,
        "{}",
        lines[3]
    );
    assert_eq!(info[2], cold.request_id);
    assert_eq!(info[3], "greeted Ada");
    for invocation in [&cold, &warm] {
        let report = invocation.log_lines().last().cloned().unwrap_or_default();
        let parsed = ReportLine::parse(&report).expect("CloudWatch's REPORT format");
        assert_eq!(
            parsed.init_duration_ms.is_some(),
            invocation.is_cold(),
            "{report}"
        );
    }

    let response = crate::json(&cold);
    assert_eq!(response["greeting"], "hello, Ada");
    assert_eq!(response["request_id"], cold.request_id.as_str());
    assert_eq!(response["function_name"], "py-hello");
    assert_eq!(response["function_version"], "$LATEST");
    assert_eq!(
        response["memory_limit_in_mb"], "128",
        "a string, as in Lambda's runtime"
    );
    assert_eq!(
        response["invoked_function_arn"],
        "arn:aws:lambda:us-east-1:123456789012:function:py-hello"
    );
    assert_eq!(response["log_group_name"], "/aws/lambda/py-hello");
    let remaining = response["remaining_ms"].as_i64().unwrap_or(-1);
    assert!((1..=3000).contains(&remaining), "{remaining}");

    // CPython's Init (the snapshot's instantiation, the handler's import) costs far more than
    // a Rust handler's, counted in the same deterministic fuel.
    let rust = runtime
        .load_file(
            lambda_sim_fixtures::HELLO,
            FunctionConfig::named("rust-hello"),
        )
        .expect("the Rust hello loads");
    let rust_cold = crate::invoke_in_turn(&rust, json!({"name": "Ada"})).await;
    let (python_ms, rust_ms) = (
        crate::init_duration_ms(&cold),
        crate::init_duration_ms(&rust_cold),
    );
    eprintln!("Init Duration: Python hello {python_ms} ms, Rust hello {rust_ms} ms");
    assert!(
        python_ms > 10.0 * rust_ms,
        "Python {python_ms} ms, Rust {rust_ms} ms"
    );
}

#[tokio::test]
async fn an_exception_has_the_python_runtimes_error_format() {
    let runtime = simulation();
    let Some(function) = load(&runtime, "exception") else {
        return;
    };
    let invocation = crate::invoke_in_turn(&function, json!({})).await;
    let payload: Value = serde_json::from_slice(&invocation.payload()).expect("JSON");
    assert_eq!(
        payload,
        json!({
            "errorType": "ValueError",
            "errorMessage": "boom",
            "stackTrace": [
                "  File \"/var/task/app.py\", line 10, in handler\n    check(event)\n",
                "  File \"/var/task/app.py\", line 6, in check\n    raise ValueError(\"boom\")\n",
            ],
        })
    );
    let log = invocation.log_lines().join("\n");
    assert!(
        log.contains(
            "[ERROR] ValueError: boom\nTraceback (most recent call last):\n  File \"/var/task/app.py\", line 10, in handler\n    check(event)\n  File \"/var/task/app.py\", line 6, in check\n    raise ValueError(\"boom\")\nEND RequestId: "
        ),
        "{log}"
    );
    // A handled exception keeps the environment warm, as in Lambda's Python runtime.
    let again = crate::invoke_in_turn(&function, json!({})).await;
    assert!(!again.is_cold());
}

#[tokio::test]
async fn a_module_global_counter_is_caught_by_the_statelessness_check() {
    let runtime = simulation();
    let Some(counter) = load(&runtime, "counter") else {
        return;
    };
    let counts = [
        crate::json(&crate::invoke_in_turn(&counter, json!({})).await)["count"].clone(),
        crate::json(&crate::invoke_in_turn(&counter, json!({})).await)["count"].clone(),
    ];
    assert_eq!(counts, [json!(1), json!(2)]);
    counter.evict_all();
    assert_eq!(
        crate::json(&crate::invoke_in_turn(&counter, json!({})).await)["count"],
        1
    );

    let events = read_events(&Path::new(lambda_sim_fixtures::EVENTS_DIR).join("greetings"))
        .expect("the events read");
    let verdict = check_stateless(&counter, &events, &CheckOptions::default())
        .await
        .expect("the check runs");
    let difference = verdict.difference.expect("the counter is stateful");
    assert_eq!(difference.event, "2-grace.json");
    assert_eq!(difference.run, Run::Warm);
    assert_eq!(difference.diff, ["- /count: 1", "+ /count: 2"]);
}

#[tokio::test]
async fn the_time_and_random_values_of_a_python_handler_are_not_state() {
    let runtime = simulation();
    let Some(function) = load(&runtime, "clock_and_ids") else {
        return;
    };
    let events = read_events(&Path::new(lambda_sim_fixtures::EVENTS_DIR).join("tenants"))
        .expect("the events read");
    let options = CheckOptions {
        pairwise_up_to: 3,
        ..CheckOptions::default()
    };
    let verdict = check_stateless(&function, &events, &options)
        .await
        .expect("the check runs");
    assert!(verdict.is_stateless(), "{verdict}");
    // Python's `random` is a Mersenne Twister seeded once per interpreter: the check gives
    // each event its seed, but a warm environment's generator has moved on.
    assert!(!verdict.varying.is_empty(), "{verdict}");
    assert!(
        verdict.varying.iter().all(|v| v.fields == ["/roll"]),
        "{verdict}"
    );
}

/// A handler whose import takes about 2 s of Init Duration at 128 MB (some 150 ms of CPU):
/// every cold start of the check costs its CPU, not its throttled duration.
#[tokio::test]
async fn a_check_on_a_virtual_clock_costs_the_cpu_of_its_cold_starts_not_their_duration() {
    let runtime = Runtime::new(
        lambda_sim_runtime::RuntimeConfig::default()
            .clock(lambda_sim_runtime::ClockMode::Virtual)
            .cache_dir(Some(
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-cache"),
            )),
    )
    .expect("the runtime starts");
    let Some(program) = crate::require(componentize_py()) else {
        return;
    };
    // About 2 s of Init Duration at 128 MB.
    let config = FunctionConfig::named("py-slow-import-2s").env("SLOW_IMPORT_LIMIT", "700000");
    let slow = runtime
        .load_file(&components(program)["slow_import"], config)
        .expect("slow_import loads");
    let init_ms = crate::init_duration_ms(&crate::invoke_in_turn(&slow, json!({})).await);
    let events = read_events(&Path::new(lambda_sim_fixtures::EVENTS_DIR).join("greetings"))
        .expect("the events read");
    let started = Instant::now();
    let verdict = check_stateless(&slow, &events[..3], &CheckOptions::default())
        .await
        .expect("the check runs");
    let wall = started.elapsed();
    assert!(verdict.is_stateless(), "{verdict}");
    // 3 fresh, 1 warm and 6 pairwise cold starts: at 128 MB, each Init Duration is about 14
    // times its CPU (the share is 7.2%), and a check that slept it would take 10 of them.
    let cold_starts = 10.0;
    eprintln!(
        "slow_import: Init Duration {init_ms:.0} ms at 128 MB; the check took {:.2} s \
         for {cold_starts} cold starts",
        wall.as_secs_f64()
    );
    assert!(
        wall.as_secs_f64() * 1000.0 < 0.5 * cold_starts * init_ms,
        "the check took {wall:?}, {init_ms} ms of Init Duration per cold start"
    );
}

#[tokio::test]
async fn tmp_is_kept_by_a_warm_environment_only() {
    let runtime = simulation();
    let Some(cache) = load(&runtime, "tmp_cache") else {
        return;
    };
    let first = crate::json(&crate::invoke_in_turn(&cache, json!({"name": "Ada"})).await);
    let warm = crate::json(&crate::invoke_in_turn(&cache, json!({"name": "Grace"})).await);
    cache.evict_all();
    let fresh = crate::json(&crate::invoke_in_turn(&cache, json!({"name": "Grace"})).await);
    assert_eq!(first, json!({"cached": false, "name": "Ada"}));
    assert_eq!(warm, json!({"cached": true, "name": "Ada"}));
    assert_eq!(fresh, json!({"cached": false, "name": "Grace"}));
}

#[tokio::test]
async fn a_slow_import_is_paid_in_init_duration() {
    let runtime = simulation();
    let Some(slow) = load(&runtime, "slow_import") else {
        return;
    };
    let Some(hello) = load(&runtime, "hello") else {
        return;
    };
    let cold = crate::invoke_in_turn(&slow, json!({})).await;
    assert_eq!(
        crate::json(&cold),
        json!({"primes": 17984, "largest": 199999})
    );
    let lines = cold.log_lines();
    assert_eq!(
        lines[1], "building the table",
        "the import runs in the Init phase: {lines:?}"
    );
    assert!(lines[2].starts_with("START RequestId: "), "{lines:?}");
    let hello_cold = crate::invoke_in_turn(&hello, json!({})).await;
    let (slow_ms, hello_ms) = (
        crate::init_duration_ms(&cold),
        crate::init_duration_ms(&hello_cold),
    );
    eprintln!("Init Duration: slow_import {slow_ms} ms, hello {hello_ms} ms");
    assert!(
        slow_ms > 2.0 * hello_ms,
        "slow_import {slow_ms} ms, hello {hello_ms} ms"
    );
    let warm = crate::invoke_in_turn(&slow, json!({})).await;
    assert!(!warm.is_cold());
}

#[tokio::test]
async fn requirements_are_installed_beside_the_handler() {
    let runtime = simulation();
    let Some(dates) = load(&runtime, "dates") else {
        return;
    };
    let answered =
        crate::invoke_in_turn(&dates, json!({"date": "2026-11-30T12:00:00+01:00"})).await;
    let response: Value =
        serde_json::from_slice(answered.response().expect("dates answers")).expect("JSON");
    assert_eq!(
        response,
        json!({"iso": "2026-11-30T12:00:00+01:00", "weekday": "Monday", "in_a_month": "2026-12-30"})
    );
    // The packages were installed once, pure Python, into the handler's build cache.
    let deps = root().join("fixtures/python/dates/.lambda-sim/python-deps");
    let installed: Vec<String> = std::fs::read_dir(&deps)
        .expect("the requirements' cache")
        .flatten()
        .flat_map(|entry| {
            std::fs::read_dir(entry.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    for package in ["dateutil", "six.py", ".installed"] {
        assert!(
            installed.iter().any(|name| name == package),
            "{installed:?}"
        );
    }
}

#[tokio::test]
async fn boto3_imports_and_a_client_is_created_at_init() {
    let runtime = simulation();
    let Some(program) = crate::require(componentize_py()) else {
        return;
    };
    // Another region than the build-time import's placeholder (us-east-1): the client made at
    // Init must read the environment's region and credentials, not the build's.
    let mut config = FunctionConfig::named("py-boto3-import");
    config.region = "eu-west-2".to_owned();
    let function = runtime
        .load_file(&components(program)["boto3-import"], config)
        .expect("boto3-import loads");
    let cold = crate::invoke_in_turn(&function, json!({})).await;
    assert_eq!(
        crate::json(&cold),
        json!({
            "boto3": "1.44.8",
            "client": "S3",
            "region": "eu-west-2",
            // Lambda's functions get the simulator's AWS endpoint (answered in process).
            "endpoint": "http://127.0.0.1:4566",
            "access_key": "ASIALAMBDASIM0000000",
            "tls": "lambda-sim: TLS is not available in the sandbox (its CPython has no `ssl`): \
                    HTTPS connections cannot be made; boto3 calls go to lambda-sim's AWS \
                    endpoint (AWS_ENDPOINT_URL) over wasi:http",
        })
    );
    // The client is made again in each environment's Init, as on Lambda.
    eprintln!(
        "Init Duration: boto3-import {} ms",
        crate::init_duration_ms(&cold)
    );
    function.evict_all();
    let again = crate::invoke_in_turn(&function, json!({})).await;
    assert!(again.is_cold());
    assert_eq!(crate::json(&again)["client"], "S3");
}

/// Calls one operation of the AWS JSON protocols on `apis`, as a client outside would.
async fn aws_call(apis: &lambda_sim_server::AwsApis, target: &str, body: Value) -> (u16, Value) {
    let request = http::Request::post("/")
        .header("x-amz-target", target)
        .header("content-type", "application/x-amz-json-1.0")
        .body(bytes::Bytes::from(body.to_string()))
        .expect("a request");
    let answer = apis.handle(request).await;
    let status = answer.status().as_u16();
    (
        status,
        serde_json::from_slice(answer.body()).expect("a JSON answer"),
    )
}

#[tokio::test]
async fn boto3_in_a_handler_writes_dynamodb_and_its_calls_are_in_the_trace() {
    let runtime = simulation();
    let apis = crate::attach_aws(&runtime);
    let Some(writer) = load(&runtime, "sqs-to-dynamodb") else {
        return;
    };
    let (status, _) = aws_call(
        &apis,
        "DynamoDB_20120810.CreateTable",
        json!({
            "TableName": "jobs",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    )
    .await;
    assert_eq!(status, 200);
    let record = |id: &str, n: u32| {
        json!({
            "messageId": id,
            "body": format!("{{\"id\": {n}, \"task\": \"t{n}\"}}"),
            "eventSource": "aws:sqs",
        })
    };
    let event = json!({"Records": [record("m1", 1), record("m2", 2), record("m3", 1)]});
    let invocation = crate::invoke_in_turn(&writer, event).await;
    // The third message's key exists: boto3 raised ConditionalCheckFailedException.
    assert_eq!(
        crate::json(&invocation),
        json!({"batchItemFailures": [{"itemIdentifier": "m3"}]})
    );
    let names: Vec<&str> = invocation
        .host_calls
        .iter()
        .map(|c| c.name.as_ref())
        .collect();
    assert_eq!(
        names, ["dynamodb.PutItem"; 3],
        "{:?}",
        invocation.host_calls
    );
    let segments = invocation.segments();
    assert_eq!(
        segments
            .iter()
            .filter(|s| s.name == "dynamodb.PutItem")
            .count(),
        3
    );
    let (_, got) = aws_call(
        &apis,
        "DynamoDB_20120810.GetItem",
        json!({"TableName": "jobs", "Key": {"id": {"S": "2"}}}),
    )
    .await;
    assert_eq!(got["Item"], json!({"id": {"S": "2"}, "task": {"S": "t2"}}));
}

/// When a file was last written.
fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

#[tokio::test]
async fn an_unchanged_handler_is_not_built_again_and_an_edited_one_is() {
    let Some(program) = crate::require(componentize_py()) else {
        return;
    };
    // A copy of the hello fixture, to edit.
    let dir = tempfile::tempdir().expect("a temp dir");
    let app = dir.path().join("app.py");
    std::fs::copy(root().join("fixtures/python/hello/app.py"), &app).expect("copies");
    let out = dir.path().join(".lambda-sim/app.wasm");
    let mut options = lambda_sim_harness::build::PythonOptions::default();
    options.componentize_py(program);
    let build = || {
        let start = Instant::now();
        let built =
            lambda_sim_harness::build::package_python(dir.path(), "app.handler", &out, &options)
                .expect("builds");
        (built, start.elapsed())
    };

    let (first, first_took) = build();
    assert!(!first.cached);
    assert_eq!(first.path, out);
    let written = modified(&out);
    let (second, second_took) = build();
    assert!(second.cached, "an unchanged directory is not built again");
    assert_eq!(modified(&out), written, "componentize-py did not run");
    eprintln!("Python hello: built in {first_took:?}, rebuilt unchanged in {second_took:?}");

    // What the build leaves beside the sources does not count; an edited source does.
    std::fs::create_dir_all(dir.path().join("__pycache__")).expect("mkdir");
    std::fs::write(dir.path().join("__pycache__/app.cpython-314.pyc"), "").expect("writes");
    assert!(build().0.cached);
    let source = std::fs::read_to_string(&app).expect("reads");
    std::fs::write(
        &app,
        source.replace("f\"hello, {name}\"", "f\"bonjour, {name}\""),
    )
    .expect("writes");
    let (third, _) = build();
    assert!(!third.cached, "an edited handler is built again");
    assert!(build().0.cached);

    let runtime = simulation();
    let function = runtime
        .load_file(&out, FunctionConfig::named("py-edited"))
        .expect("the rebuilt component loads");
    let answered = crate::invoke_in_turn(&function, json!({"name": "Ada"})).await;
    assert_eq!(crate::json(&answered)["greeting"], "bonjour, Ada");
}

#[test]
fn a_requirement_with_native_code_only_is_refused_with_its_name() {
    let Some(program) = crate::require(componentize_py()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(
        dir.path().join("app.py"),
        "import numpy

def handler(event, context):
    return {}
",
    )
    .expect("writes");
    std::fs::write(
        dir.path().join("requirements.txt"),
        "numpy
",
    )
    .expect("writes");
    let err = lambda_sim_harness::build_python_with(
        program,
        dir.path(),
        "app.handler",
        &dir.path().join("app.wasm"),
    )
    .expect_err("numpy has native code only");
    let message = err.to_string();
    assert!(
        message.starts_with(&format!(
            "the requirement `numpy` has no pure-Python wheel (py3-none-any) for the CPython {} in the sandbox: packages with native code (C extensions) cannot run there unless built for WASI; pip said:\n",
            lambda_sim_harness::EMBEDDED_PYTHON
        )),
        "{message}"
    );
    assert!(
        message.contains("No matching distribution found for numpy"),
        "{message}"
    );
    assert!(!dir.path().join("app.wasm").exists());
}

#[test]
fn bad_python_handlers_are_refused_at_build_with_the_reason() {
    let Some(program) = crate::require(componentize_py()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(
        dir.path().join("app.py"),
        "import json\nCONFIG = json.loads('{not json')\n\ndef handler(event, context):\n    return {}\n",
    )
    .expect("writes");
    let out = dir.path().join("app.wasm");
    let build = |handler: &str| {
        lambda_sim_harness::build_python_with(program, dir.path(), handler, &out)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let failed = build("app.handler");
    assert!(
        failed.starts_with("failed to package the Python handler `app.handler`:")
            && failed.contains(
                "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes"
            ),
        "{failed}"
    );
    assert_eq!(
        build("missing.handler"),
        format!(
            "the handler's module `missing` is not in `{}` (no missing.py)",
            dir.path().display()
        )
    );
    assert_eq!(
        build("handler"),
        "the handler `handler` must be `module.function` (for example `app.handler` for `def handler` in app.py)"
    );
}

#[test]
fn the_cli_builds_and_invokes_a_python_handler() {
    let Some(program) = crate::require(componentize_py()) else {
        return;
    };
    let out_dir = tempfile::tempdir().expect("a temp dir");
    let wasm = out_dir.path().join("hello.wasm");
    let lambda_sim = |args: &[&std::ffi::OsStr]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
            .args(args)
            .env("LAMBDA_SIM_COMPONENTIZE_PY", program)
            .env(
                "LAMBDA_SIM_CACHE_DIR",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
            )
            .output()
            .expect("lambda-sim runs")
    };
    let hello_dir = root().join("fixtures/python/hello");
    let built = lambda_sim(&[
        "build".as_ref(),
        "--python".as_ref(),
        hello_dir.as_os_str(),
        "--handler".as_ref(),
        "app.handler".as_ref(),
        "-o".as_ref(),
        wasm.as_os_str(),
    ]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&built.stdout).trim(),
        wasm.display().to_string()
    );

    let invoked = lambda_sim(&[
        "invoke".as_ref(),
        wasm.as_os_str(),
        "--payload".as_ref(),
        r#"{"name": "cli"}"#.as_ref(),
        "--repeat".as_ref(),
        "2".as_ref(),
    ]);
    let stderr = String::from_utf8_lossy(&invoked.stderr);
    assert!(invoked.status.success(), "{stderr}");
    let reports: Vec<ReportLine> = stderr
        .lines()
        .filter(|l| l.starts_with("REPORT "))
        .map(|l| ReportLine::parse(l).expect("CloudWatch's REPORT format"))
        .collect();
    assert_eq!(reports.len(), 2, "{stderr}");
    assert!(reports[0].init_duration_ms.is_some(), "cold: {stderr}");
    assert!(reports[1].init_duration_ms.is_none(), "warm: {stderr}");
    let stdout = String::from_utf8_lossy(&invoked.stdout);
    let greetings: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON")["greeting"].clone())
        .collect();
    assert_eq!(greetings, [json!("hello, cli"), json!("hello, cli")]);
}

/// SnapStart with `snapshot_restore_py`'s hooks: the import (about 100 ms) runs once at
/// publish with the before-snapshot hook, each cold start restores the snapshot and runs the
/// after-restore hook, and an id drawn at import is the same in every restored environment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_snap_start_function_restores_its_snapshot_and_runs_its_hooks() {
    let Some(function) = load_snap_start(crate::runtime(), 1769, &[]) else {
        return;
    };
    let init_ms =
        crate::snap_start::published_init_ms(&function, &["loading snap_start", "before snapshot"])
            .await;

    let (a, b) = crate::snap_start::two_cold_starts(&function).await;
    for cold in [&a, &b] {
        let report = ReportLine::parse(&cold.report.to_string()).expect("a REPORT line");
        assert_eq!(report.init_duration_ms, None);
        let restore_ms = report.restore_duration_ms.expect("Restore Duration");
        // Only "less than": a restore's time under a busy machine's load is noise (about
        // 6 ms against an init of about 100 ms on a quiet one; benches measure it).
        assert!(
            restore_ms < init_ms,
            "restore {restore_ms} ms is not faster than init {init_ms} ms"
        );
        let answer = crate::json(cold);
        assert_eq!(
            (answer["restores"].clone(), answer["before_calls"].clone()),
            (json!(1), json!(1))
        );
        let lines = cold.log_lines();
        let start = lines
            .iter()
            .position(|l| l.starts_with("START "))
            .expect("a START line");
        assert_eq!(
            lines[start + 1],
            "handling",
            "printing works after a restore: {lines:?}"
        );
    }
    assert_eq!(
        crate::json(&a)["id"],
        crate::json(&b)["id"],
        "cloned by SnapStart"
    );
    eprintln!(
        "python snap_start: init {init_ms:.2} ms, restores {} and {}",
        a.report.restore.map_or(0.0, |r| r.0.as_secs_f64() * 1000.0),
        b.report.restore.map_or(0.0, |r| r.0.as_secs_f64() * 1000.0)
    );
}

/// An after-restore hook that does not end (on a virtual clock its loop never sees time
/// pass) is stopped at 10 s of Lambda's time: `SnapStartTimeoutException`.
#[tokio::test]
async fn a_python_after_restore_hook_past_10_s_fails_with_snap_start_timeout() {
    let runtime = Runtime::new(crate::simulation(5).cpu(lambda_sim_runtime::CpuMode::Measured))
        .expect("the runtime starts");
    let Some(function) = load_snap_start(&runtime, 128, &[("RESTORE_SPIN_S", "20")]) else {
        return;
    };
    let payload = lambda_sim_runtime::Payload::json("{}").expect("JSON");
    let err = function
        .invoke(&payload, lambda_sim_runtime::InvokeOptions::default())
        .await
        .expect_err("the restore times out");
    assert_eq!(err.error_type(), "SnapStartTimeoutException", "{err}");
}

/// `check --snapstart` names the id and the time the import drew, cloned by SnapStart.
#[tokio::test]
async fn check_snapstart_names_what_a_python_import_drew() {
    let runtime = simulation();
    let Some(program) = crate::require(componentize_py()) else {
        return;
    };
    let components = components(program);
    let config = FunctionConfig::named("py-snap-check").memory_size_mb(1769);
    let fresh = runtime
        .load_file(&components["snap_start"], config.clone())
        .expect("loads");
    let snap = runtime
        .load_file(&components["snap_start"], config.snap_start(true))
        .expect("loads");
    let events = read_events(&root().join("fixtures/events/greetings")).expect("events");
    let verdict =
        lambda_sim_harness::check_snap_start(&fresh, &snap, &events[..1], &CheckOptions::default())
            .await
            .expect("the check runs");
    let fields: Vec<&str> = verdict.cloned.iter().map(|c| c.field.as_str()).collect();
    assert_eq!(fields, ["/id", "/init_time"], "{verdict}");
}
