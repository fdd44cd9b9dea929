//! Node.js handlers (fixtures/node/), bundled with esbuild and packaged with ComponentizeJS and
//! the adapter in guest-node/, as teams deploy them: the AWS documentation's ES module, a
//! CommonJS handler with `node_modules`, errors in the Node.js runtime's shape. node and npm
//! come from the `PATH`; the adapter's packages and the fixtures' `node_modules` are installed
//! with `npm ci` when missing (`.ci/run` installs them first). Without node the tests fail,
//! naming it (or skip, with `LAMBDA_SIM_ALLOW_SKIP=1`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use lambda_sim_build::{Built, NodeTools};
use lambda_sim_harness::{CheckOptions, Run, check_stateless, read_events};
use lambda_sim_runtime::{Function, FunctionConfig, Invocation, Runtime};
use serde_json::{Value, json};

/// The fixtures that build, with the handler setting each is built for.
const FIXTURES: [(&str, &str); 10] = [
    ("hello", "index.handler"),
    ("slow-init", "index.handler"),
    ("counter", "index.handler"),
    ("context", "index.handler"),
    ("callback", "index.handler"),
    ("error", "index.handler"),
    ("hello", "index.nope"),
    ("s3-client", "index.handler"),
    ("fetch-elsewhere", "index.handler"),
    ("streaming", "index.handler"),
];

/// The fixtures with a `package-lock.json`, whose `node_modules` `npm ci` installs.
const LOCKED: [&str; 2] = ["counter", "s3-client"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/node").join(name)
}

/// Runs `npm ci` in `dir` when its `node_modules` is missing.
fn npm_ci(dir: &Path) -> Result<(), String> {
    if dir.join("node_modules").is_dir() {
        return Ok(());
    }
    let out = std::process::Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .output()
        .map_err(|err| format!("npm is needed to install {}: {err}", dir.display()))?;
    if !out.status.success() {
        return Err(format!(
            "`npm ci` in {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// node and the adapter (found once per test process), or why there are none.
fn tools() -> Result<&'static NodeTools, String> {
    static FOUND: OnceLock<Result<NodeTools, String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        npm_ci(&root().join("guest-node"))?;
        for name in LOCKED {
            npm_ci(&fixture(name))?;
        }
        // The repository's adapter, installed above (`NodeTools::find` would install the one
        // embedded in lambda-sim under the cache directory).
        NodeTools::with_adapter(root().join("guest-node")).map_err(|err| err.to_string())
    });
    found.as_ref().map_err(Clone::clone)
}

/// Builds a fixture into the tests' temp dir (kept across runs: unchanged bundles are not
/// packaged again). Builds take turns: each holds ComponentizeJS's 800 MB for seconds.
fn build(tools: &NodeTools, name: &str, handler: &str) -> lambda_sim_build::Result<Built> {
    static TURN: Mutex<()> = Mutex::new(());
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("node-fixtures")
        .join(format!("{name}-{}.wasm", handler.replace(['.', '/'], "-")));
    lambda_sim_build::build_node_with(tools, &fixture(name), handler, None, &out)
}

/// The fixtures' components by fixture and handler setting.
type Components = HashMap<(&'static str, &'static str), PathBuf>;

/// The fixtures' components, built once per test process.
fn components(tools: &NodeTools) -> &'static Components {
    static BUILT: OnceLock<Result<Components, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            FIXTURES
                .iter()
                .map(|&(name, handler)| {
                    build(tools, name, handler)
                        .map(|built| ((name, handler), built.path))
                        .map_err(|err| format!("{name} ({handler}): {err}"))
                })
                .collect()
        })
        .as_ref()
        .unwrap_or_else(|why| panic!("the Node.js fixtures build: {why}"))
}

/// A Node.js fixture loaded in `runtime` as `node-<name>`; `None` when node is missing and
/// `LAMBDA_SIM_ALLOW_SKIP=1`.
#[track_caller]
pub(crate) fn load(
    runtime: &Runtime,
    name: &str,
    handler: &str,
    memory_mb: u32,
) -> Option<Function> {
    let mut config = FunctionConfig::named(format!("node-{name}"));
    config.memory_size_mb = memory_mb;
    load_with(runtime, name, handler, config)
}

/// [`load`] with a given configuration.
#[track_caller]
fn load_with(
    runtime: &Runtime,
    name: &str,
    handler: &str,
    config: FunctionConfig,
) -> Option<Function> {
    let components = components(crate::require(tools())?);
    Some(
        runtime
            .load_file(&components[&(name, handler)], config)
            .unwrap_or_else(|err| panic!("{name} loads: {err}")),
    )
}

/// A simulation with deterministic CPU: durations are counted, not timed.
fn simulation() -> Runtime {
    Runtime::new(crate::simulation(11)).expect("the runtime starts")
}

/// A console line of the Node.js runtime: `<time>Z\t<request id>\t<LEVEL>\t<message>`.
fn console_line<'a>(line: &'a str, request_id: &str, level: &str) -> Option<&'a str> {
    let fields: Vec<&str> = line.splitn(4, '\t').collect();
    let [time, id, lvl, message] = fields[..] else {
        return None;
    };
    (time.len() == 24 && time.ends_with('Z') && id == request_id && lvl == level).then_some(message)
}

#[tokio::test]
async fn the_aws_documentation_handler_answers_cold_then_warm() {
    let runtime = simulation();
    let Some(hello) = load(&runtime, "hello", "index.handler", 128) else {
        return;
    };
    let cold = crate::invoke_in_turn(&hello, json!({"key1": "value1"})).await;
    let warm = crate::invoke_in_turn(&hello, json!({"key1": "value2"})).await;
    assert!(cold.is_cold() && !warm.is_cold());
    assert_eq!(
        crate::json(&cold),
        json!({"statusCode": 200, "body": "\"Hello from Lambda!\""})
    );
    let lines = cold.log_lines();
    assert!(
        lines[0].starts_with("INIT_START Runtime Version: "),
        "{lines:?}"
    );
    let logged = lines
        .iter()
        .find_map(|line| console_line(line, &cold.request_id, "INFO"))
        .unwrap_or_else(|| panic!("an INFO line: {lines:?}"));
    // The runtime turns a message's newlines into carriage returns: one CloudWatch event.
    assert_eq!(logged, "EVENT: \r{\r  \"key1\": \"value1\"\r}");
    assert!(
        lines
            .last()
            .is_some_and(|l| l.starts_with("REPORT RequestId: ")),
        "{lines:?}"
    );
    assert_eq!(hello.declared_runtime(), Some("nodejs22.x"));
}

#[tokio::test]
async fn the_module_top_level_runs_in_init_at_every_cold_start() {
    let runtime = simulation();
    let (Some(slow), Some(hello)) = (
        load(&runtime, "slow-init", "index.handler", 1769),
        load(&runtime, "hello", "index.handler", 1769),
    ) else {
        return;
    };
    let baseline = crate::init_duration_ms(&crate::invoke_in_turn(&hello, json!({})).await);
    let first = crate::invoke_in_turn(&slow, json!({})).await;
    let warm = crate::invoke_in_turn(&slow, json!({})).await;
    slow.evict_all();
    let again = crate::invoke_in_turn(&slow, json!({})).await;
    assert!(!warm.is_cold());
    for cold in [&first, &again] {
        let init = crate::init_duration_ms(cold);
        eprintln!("Init Duration at 1769 MB: slow-init {init} ms, hello {baseline} ms");
        assert!(
            init >= baseline + 50.0,
            "the top level's 50 ms is Init Duration: {init} ms against {baseline} ms"
        );
        // The top level's line is printed in the Init phase (no request yet), every cold start.
        let init_lines = cold.init.as_ref().expect("a cold start").log.lines();
        assert!(
            init_lines
                .iter()
                .any(|l| console_line(l, "undefined", "INFO") == Some("top level: checksum 6")),
            "{init_lines:?}"
        );
    }
    assert!(warm.init.is_none());
}

#[tokio::test]
async fn a_commonjs_handler_with_node_modules_keeps_its_counter_per_environment() {
    let runtime = simulation();
    let Some(counter) = load(&runtime, "counter", "index.handler", 128) else {
        return;
    };
    let first = crate::json(&crate::invoke_in_turn(&counter, json!({"name": "Ada"})).await);
    let second = crate::json(&crate::invoke_in_turn(&counter, json!({"name": "Grace"})).await);
    counter.evict_all();
    let fresh = crate::json(&crate::invoke_in_turn(&counter, json!({"name": "Alan"})).await);
    assert_eq!(first, json!({"name": "Ada", "count": 1, "idIsV4": true}));
    assert_eq!(second, json!({"name": "Grace", "count": 2, "idIsV4": true}));
    assert_eq!(fresh, json!({"name": "Alan", "count": 1, "idIsV4": true}));

    let events = read_events(&Path::new(lambda_sim_fixtures::EVENTS_DIR).join("greetings"))
        .expect("the events read");
    let verdict = check_stateless(&counter, &events, &CheckOptions::default())
        .await
        .expect("the check runs");
    let difference = verdict.difference.expect("the counter is stateful");
    assert_eq!(difference.run, Run::Warm);
    assert_eq!(difference.diff, ["- /count: 1", "+ /count: 2"]);
}

#[tokio::test]
async fn context_env_and_console_are_the_nodejs_runtimes() {
    let runtime = simulation();
    let Some(function) = load(&runtime, "context", "index.handler", 256) else {
        return;
    };
    let invocation = crate::invoke_in_turn(&function, json!({"a": 1})).await;
    let id = invocation.request_id.clone();
    let response = crate::json(&invocation);
    let stream = response["logStreamName"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        stream.starts_with("20") && stream.contains("/[$LATEST]"),
        "{stream}"
    );
    assert_eq!(
        response,
        json!({
            "awsRequestId": id,
            "functionName": "node-context",
            "functionVersion": "$LATEST",
            "memoryLimitInMB": "256",
            "invokedFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:node-context",
            "logGroupName": "/aws/lambda/node-context",
            "logStreamName": stream,
            "callbackWaitsForEmptyEventLoop": true,
            "remainingPositive": true,
            "region": "us-east-1",
            "executionEnv": "AWS_Lambda_nodejs22.x",
            "nodeVersion": "v22.0.0",
            "envFunctionName": "node-context",
            "base64": "bGFtYmRhLXNpbQ==",
            "base64url": "aGk_Pg",
            "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        })
    );
    let init_lines = invocation.init.as_ref().expect("a cold start").log.lines();
    assert!(
        init_lines
            .iter()
            .any(|l| console_line(l, "undefined", "INFO") == Some("init string")),
        "process.env is there at the top level: {init_lines:?}"
    );
    let lines = invocation.log.lines();
    let messages: Vec<(&str, &str)> = ["INFO", "WARN", "ERROR"]
        .into_iter()
        .filter_map(|level| {
            lines
                .iter()
                .find_map(|l| console_line(l, &id, level))
                .map(|m| (level, m))
        })
        .collect();
    assert_eq!(
        messages,
        [
            ("INFO", "event {\"a\":1}"),
            ("WARN", "a warning"),
            ("ERROR", "an error\rin two lines"),
        ],
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_callback_style_handler_answers_with_its_callback() {
    let runtime = simulation();
    let Some(function) = load(&runtime, "callback", "index.handler", 128) else {
        return;
    };
    let timer_ran = |invocation: &Invocation| {
        invocation
            .log
            .lines()
            .iter()
            .any(|l| console_line(l, &invocation.request_id, "INFO") == Some("timer ran"))
    };
    let doubled = crate::invoke_in_turn(&function, json!({"n": 21})).await;
    assert_eq!(crate::json(&doubled), json!({"doubled": 42}));
    assert!(timer_ran(&doubled), "{:?}", doubled.log.lines());
    // The answer waits for the event loop to be empty, unless the handler says not to.
    let waited = crate::invoke_in_turn(&function, json!({"now": true})).await;
    assert_eq!(crate::json(&waited), json!({"now": true}));
    assert!(timer_ran(&waited), "{:?}", waited.log.lines());
    let hurried = crate::invoke_in_turn(&function, json!({"now": true, "dontWait": true})).await;
    assert_eq!(crate::json(&hurried), json!({"now": true}));
    assert!(!timer_ran(&hurried), "{:?}", hurried.log.lines());
}

#[tokio::test]
async fn a_type_error_has_the_nodejs_runtimes_error_shape_and_log_line() {
    let runtime = simulation();
    let Some(function) = load(&runtime, "error", "index.handler", 128) else {
        return;
    };
    let invocation = crate::invoke_in_turn(&function, json!({})).await;
    let payload: Value = serde_json::from_slice(&invocation.payload()).expect("JSON");
    let message = "can't access property \"items\", order is undefined";
    assert_eq!(payload["errorType"], "TypeError");
    assert_eq!(payload["errorMessage"], message);
    let trace: Vec<&str> = payload["trace"]
        .as_array()
        .map(|t| t.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        trace.first().copied(),
        Some(format!("TypeError: {message}").as_str())
    );
    // The frame names the handler's own file and line (the bundle's source map), as Lambda's
    // trace of the file deployed unbundled does.
    assert_eq!(
        trace.get(1).copied(),
        Some("    at handler (file:///var/task/index.mjs:4:12)"),
        "{trace:?}"
    );
    assert_eq!(trace.len(), 2, "{trace:?}");
    assert_eq!(payload.as_object().map(|o| o.len()), Some(3), "{payload}");
    let lines = invocation.log.lines();
    let logged = lines
        .iter()
        .find_map(|l| console_line(l, &invocation.request_id, "ERROR"))
        .unwrap_or_else(|| panic!("an ERROR line: {lines:?}"));
    let (kind, json_part) = logged.split_once(" \t").expect("`Invoke Error \\t{...}`");
    assert_eq!(kind, "Invoke Error");
    let logged: Value = serde_json::from_str(json_part).expect("JSON");
    assert_eq!(
        logged,
        json!({"errorType": "TypeError", "errorMessage": message, "stack": trace})
    );
    // A handled error keeps the environment, as in Lambda's Node.js runtime.
    assert!(!crate::invoke_in_turn(&function, json!({})).await.is_cold());
}

#[tokio::test]
async fn a_handler_name_the_module_does_not_export_is_handler_not_found() {
    let runtime = simulation();
    let Some(function) = load(&runtime, "hello", "index.nope", 128) else {
        return;
    };
    let invocation = crate::invoke_in_turn(&function, json!({})).await;
    let payload: Value = serde_json::from_slice(&invocation.payload()).expect("JSON");
    assert_eq!(
        payload,
        json!({
            "errorType": "Runtime.HandlerNotFound",
            "errorMessage": "index.nope is undefined or not exported",
            "trace": ["Runtime.HandlerNotFound: index.nope is undefined or not exported"],
        })
    );
    assert!(
        invocation
            .log_lines()
            .iter()
            .any(|l| l.starts_with("INIT_REPORT Init Duration: ")
                && l.ends_with("Status: error\tError Type: Runtime.HandlerNotFound")),
        "{:?}",
        invocation.log_lines()
    );
}

#[test]
fn a_syntax_error_is_refused_at_build_with_the_file_and_line() {
    let Some(tools) = crate::require(tools()) else {
        return;
    };
    let err = build(tools, "syntax-error", "index.handler").expect_err("a syntax error");
    let text = err.to_string();
    assert!(
        text.starts_with(
            "failed to package the Node.js handler `index.handler`:\nindex.js failed to bundle:\n"
        ) && text.contains("[ERROR] Expected \"}\" but found \";\"")
            && text.contains("index.js:4:29:"),
        "{text}"
    );
}

#[test]
fn a_node_builtin_the_sandbox_lacks_is_refused_at_build_by_name() {
    let Some(tools) = crate::require(tools()) else {
        return;
    };
    let err = build(tools, "needs-fs", "index.handler").expect_err("fs is not provided");
    let text = err.to_string();
    assert!(
        text.contains(
            "the Node.js module `fs` is not provided by lambda-sim's Node.js runtime (it provides buffer, crypto, events, path, process, stream, string_decoder, timers, timers/promises, url, util)"
        ) && text.contains("index.js:2:33:"),
        "{text}"
    );
}

#[test]
fn an_unchanged_handler_is_not_packaged_again() {
    let Some(tools) = crate::require(tools()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let source = "export const handler = async () => ({ version: 1 });\n";
    std::fs::write(dir.path().join("index.mjs"), source).expect("writes");
    let out = dir.path().join("out/index.wasm");
    let build = |dir: &Path| {
        lambda_sim_build::build_node_with(tools, dir, "index.handler", None, &out).expect("builds")
    };
    assert!(!build(dir.path()).cached);
    assert!(build(dir.path()).cached);
    std::fs::write(dir.path().join("index.mjs"), source.replace('1', "2")).expect("writes");
    assert!(!build(dir.path()).cached, "an edit is packaged");
}

#[test]
fn a_sam_template_nodejs_function_is_built_and_invoked_by_the_cli() {
    let Some(_) = crate::require(tools()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let code = dir.path().join("hello");
    std::fs::create_dir(&code).expect("mkdir");
    std::fs::copy(fixture("hello").join("index.mjs"), code.join("index.mjs")).expect("copies");
    std::fs::write(
        dir.path().join("template.yaml"),
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  HelloFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: hello/\n      Handler: index.handler\n      Runtime: nodejs20.x\n      MemorySize: 512\n",
    )
    .expect("writes the template");
    let template = dir.path().join("template.yaml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
        .arg("invoke")
        .arg("--config")
        .arg(&template)
        .args(["HelloFunction", "-p", r#"{"key1": "value1"}"#])
        .output()
        .expect("lambda-sim runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"statusCode":200,"body":"\"Hello from Lambda!\""}"#
    );
    assert!(stderr.contains("Memory Size: 512 MB"), "{stderr}");
    assert!(
        stderr.contains("lambda-sim: note: this Node.js function runs on SpiderMonkey without JIT"),
        "{stderr}"
    );
    // Built for the template's runtime, next to the code as `sam build` would not (its own dir).
    let wasm = std::fs::read(code.join(".lambda-sim/index.handler.wasm")).expect("the component");
    assert_eq!(
        lambda_sim_runtime::declared_runtime(&wasm).as_deref(),
        Some("nodejs20.x")
    );
}

#[tokio::test]
async fn process_exit_ends_the_environment_as_lambda_does() {
    let runtime = simulation();
    let Some(function) = load(&runtime, "context", "index.handler", 128) else {
        return;
    };
    let exited = crate::invoke_in_turn(&function, json!({"exit": 3})).await;
    let payload: Value = serde_json::from_slice(&exited.payload()).expect("JSON");
    assert_eq!(
        payload,
        json!({
            "errorType": "Runtime.ExitError",
            "errorMessage": format!(
                "RequestId: {} Error: Runtime exited with error: exit status 3",
                exited.request_id
            ),
        })
    );
    assert!(
        crate::invoke_in_turn(&function, json!({"a": 1}))
            .await
            .is_cold(),
        "a new environment"
    );
}

#[test]
fn native_addons_are_refused_at_build_by_name() {
    let Some(tools) = crate::require(tools()) else {
        return;
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let out = dir.path().join("out.wasm");
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("writes");
    };
    write(
        "index.js",
        "const addon = require('./build/Release/addon.node');\nexports.handler = async () => addon.hello();\n",
    );
    let err = lambda_sim_build::build_node_with(tools, dir.path(), "index.handler", None, &out)
        .expect_err("a .node file");
    assert!(
        err.to_string().contains(
            "`./build/Release/addon.node` is a native addon (a .node file): native code cannot run in the sandbox"
        ),
        "{err}"
    );
    // A package that compiles native code at install (node-gyp), imported by the handler.
    write(
        "node_modules/fast-native/package.json",
        r#"{"name": "fast-native", "version": "1.0.0", "main": "index.js"}"#,
    );
    write(
        "node_modules/fast-native/index.js",
        "module.exports = () => 1;\n",
    );
    write("node_modules/fast-native/binding.gyp", "{}\n");
    write(
        "index.js",
        "const fast = require('fast-native');\nexports.handler = async () => fast();\n",
    );
    let err = lambda_sim_build::build_node_with(tools, dir.path(), "index.handler", None, &out)
        .expect_err("a node-gyp package");
    assert!(
        err.to_string().contains("the package `fast-native` (")
            && err
                .to_string()
                .contains("has native code (binding.gyp): native addons cannot run in the sandbox"),
        "{err}"
    );
    assert!(!out.exists(), "nothing is written");
}

#[tokio::test]
async fn the_aws_sdk_v3_s3_client_puts_and_gets_an_object_in_lambda_sim() {
    let bucket = "node-sdk-bucket";
    crate::aws()
        .services()
        .objects
        .create_bucket(bucket)
        .expect("the bucket is made");
    let mut config = FunctionConfig::named("node-s3-client");
    config.memory_size_mb = 512;
    let Some(function) = load_with(
        crate::runtime(),
        "s3-client",
        "index.handler",
        config.env("BUCKET", bucket),
    ) else {
        return;
    };
    let started = std::time::Instant::now();
    let cold = crate::invoke_in_turn(&function, json!({"body": "Hello from the SDK!"})).await;
    let cold_wall = started.elapsed();
    let started = std::time::Instant::now();
    let warm = crate::invoke_in_turn(&function, json!({"body": "Hello again!"})).await;
    eprintln!(
        "s3-client: cold {cold_wall:?} wall, warm {:?} wall\n{}\n{}",
        started.elapsed(),
        cold.report,
        warm.report,
    );
    // S3's ETag of a single-part upload: the body's MD5 in hex, quoted.
    for (invocation, body, md5) in [
        (
            &cold,
            "Hello from the SDK!",
            "6bb296078527284062a3f72f2847f55e",
        ),
        (&warm, "Hello again!", "eb42d96bdba3982c623d20284b808d8b"),
    ] {
        assert!(
            invocation.result.is_ok(),
            "{:?}\n{}",
            invocation.result,
            invocation.log_lines().join("\n")
        );
        let answer = crate::json(invocation);
        assert_eq!(answer["body"], body, "{answer}");
        assert_eq!(answer["etag"], format!("\"{md5}\""), "{answer}");
    }
    assert_eq!(
        crate::aws()
            .services()
            .objects
            .get(bucket, "hello.txt")
            .expect("the store answers")
            .as_deref(),
        Some(&b"Hello again!"[..])
    );
    assert!(
        !warm
            .log_lines()
            .iter()
            .any(|line| line.contains("[lambda-sim] refused")),
        "{:?}",
        warm.log_lines()
    );
    // The SDK's own error, thrown to the runtime in a fresh environment, is the function's
    // error, well within the default 3 s timeout (its trace maps a large bundle's frames).
    function.evict_all();
    let missing = crate::invoke_in_turn(&function, json!({"key": "missing.txt"})).await;
    assert!(missing.is_cold());
    let error = missing.result.as_ref().expect_err("NoSuchKey");
    assert_eq!(
        (error.error_type.as_str(), error.error_message.as_str()),
        ("NoSuchKey", "The specified key does not exist."),
        "{error:?}"
    );
    let report = missing.report.to_string();
    assert!(!report.contains("Status: timeout"), "{report}");
}

#[tokio::test]
async fn fetch_to_any_other_host_fails_with_an_error_the_handler_catches() {
    let Some(function) = load(crate::runtime(), "fetch-elsewhere", "index.handler", 128) else {
        return;
    };
    let invocation = crate::invoke_in_turn(&function, json!({})).await;
    assert_eq!(
        crate::json(&invocation),
        json!({"refused": true, "error": "TypeError: NetworkError when attempting to fetch resource"})
    );
    let lines = invocation.log_lines();
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("[lambda-sim] refused a request to https://example.com/")),
        "{lines:?}"
    );
}
