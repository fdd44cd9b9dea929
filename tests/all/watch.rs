//! `lambda-sim watch`, as a developer uses it: a served crate's source is edited while it
//! runs; the next invocation answers with the new code as a cold start, an invocation in
//! flight during the swap finishes on the old code, a syntax error keeps the old code
//! serving with the compiler's message printed, and an event-source mapping's next batch
//! runs on the new code.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use lambda_sim_server::client::{connect, post_with};

/// The `hello` fixture's handler with its greeting as a parameter, and an event field
/// `sleep_ms` that keeps an invocation running (to be in flight during a swap).
fn handler_source(greeting: &str) -> String {
    format!(
        r#"use lambda_sim_guest::{{Error, LambdaEvent}};
use serde_json::{{Value, json}};

fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {{
    let name = event.payload.get("name").and_then(Value::as_str).unwrap_or("world").to_owned();
    if let Some(ms) = event.payload.get("sleep_ms").and_then(Value::as_u64) {{
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }}
    println!("greeting {{name}}");
    Ok(json!({{ "greeting": format!("{greeting}, {{name}}") }}))
}}

lambda_sim_guest::handler!(handler);
"#
    )
}

/// A project in a temp dir: `lambda-sim.toml` serving the crate `hello/` (a copy of the
/// `hello` fixture, its own workspace, the guest SDK by path) with a 60 s timeout.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    write_crate(dir.path(), "hello", &handler_source("hello"));
    std::fs::write(
        dir.path().join("lambda-sim.toml"),
        "[[function]]\nname = \"hello\"\npath = \"hello\"\ntimeout = 60\n",
    )
    .expect("lambda-sim.toml");
    dir
}

/// The crate `dir/name` (its own workspace, the guest SDK by path) with `source` as its
/// `src/lib.rs`.
fn write_crate(dir: &Path, name: &str, source: &str) {
    let krate = dir.join(name);
    std::fs::create_dir_all(krate.join("src")).expect("src/");
    std::fs::create_dir_all(krate.join(".cargo")).expect(".cargo/");
    let guest = Path::new(env!("CARGO_MANIFEST_DIR")).join("guest");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [lib]\ncrate-type = [\"cdylib\"]\n\n[dependencies]\n\
             lambda-sim-guest = {{ path = {:?} }}\n\
             serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\n\
             [workspace]\n",
            guest.display().to_string()
        ),
    )
    .expect("Cargo.toml");
    // One target dir for every run of these tests (the crate's own `.cargo/config.toml`, which
    // lambda-sim's build honours): its dependencies compile once, not once per temp dir.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("watch-target");
    std::fs::write(
        krate.join(".cargo/config.toml"),
        format!("[build]\ntarget-dir = {:?}\n", target.display().to_string()),
    )
    .expect(".cargo/config.toml");
    std::fs::write(krate.join("src/lib.rs"), source).expect("lib.rs");
}

/// `lambda-sim watch` on a free port, its stderr in a file.
struct Watch {
    addr: SocketAddr,
    child: Child,
    stderr: PathBuf,
}

impl Watch {
    /// Starts watching the project file `dir/file` (`--config` or `--template` as `flag`) and
    /// waits until the watcher looks at the sources.
    fn start(dir: &Path, flag: &str, file: &str) -> Watch {
        let stderr = dir.join("stderr.log");
        let (child, endpoint) =
            crate::clients::start_serving("watch", flag, &dir.join(file), &stderr);
        let watch = Watch {
            addr: endpoint
                .strip_prefix("http://")
                .and_then(|addr| addr.parse().ok())
                .unwrap_or_else(|| panic!("an address: {endpoint}")),
            child,
            stderr,
        };
        watch.wait_for("lambda-sim: watching ", 1);
        watch
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits until stderr holds `count` lines starting with `prefix` (60 s at most).
    fn wait_for(&self, prefix: &str, count: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let stderr = self.stderr();
            if stderr.lines().filter(|l| l.starts_with(prefix)).count() >= count {
                return stderr;
            }
            assert!(
                Instant::now() < deadline,
                "no line {prefix:?} (#{count}) within 60 s:\n{stderr}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What an invocation answered: its payload and its log's tail.
struct Answer {
    payload: serde_json::Value,
    log: String,
}

impl Answer {
    fn is_cold(&self) -> bool {
        self.log.contains("\tInit Duration: ")
    }
}

/// Invokes `hello` over HTTP with the log's tail.
async fn invoke(addr: SocketAddr, event: serde_json::Value) -> Answer {
    invoke_function(addr, "hello", event).await
}

/// Invokes `function` over HTTP with the log's tail.
async fn invoke_function(addr: SocketAddr, function: &str, event: serde_json::Value) -> Answer {
    let mut connection = connect(addr).await.expect("connects");
    let answer = post_with(
        &mut connection,
        addr,
        &format!("/2015-03-31/functions/{function}/invocations"),
        &[("x-amz-log-type", "Tail")],
        &Bytes::from(event.to_string()),
    )
    .await
    .expect("an answer");
    assert_eq!(answer.status(), 200, "{:?}", answer.body());
    let tail = answer
        .headers()
        .get("x-amz-log-result")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let log = base64::engine::general_purpose::STANDARD
        .decode(tail)
        .expect("base64");
    Answer {
        payload: serde_json::from_slice(answer.body()).expect("JSON"),
        log: String::from_utf8_lossy(&log).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_crate_is_rebuilt_and_served_and_a_syntax_error_keeps_the_old_code() {
    let dir = project();
    let source = dir.path().join("hello/src/lib.rs");
    let watch =
        tokio::task::block_in_place(|| Watch::start(dir.path(), "--config", "lambda-sim.toml"));
    let addr = watch.addr;

    let first = invoke(addr, serde_json::json!({"name": "Ada"})).await;
    assert_eq!(first.payload, serde_json::json!({"greeting": "hello, Ada"}));

    // An invocation in flight (8 s) while the source changes and the new code is swapped in.
    let in_flight = tokio::spawn(invoke(
        addr,
        serde_json::json!({"name": "slow", "sleep_ms": 8000}),
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;
    std::fs::write(&source, handler_source("bonjour")).expect("the edit");
    let saved = Instant::now();
    let stderr = tokio::task::block_in_place(|| watch.wait_for("lambda-sim: rebuilt hello in ", 1));
    let new = invoke(addr, serde_json::json!({"name": "Ada"})).await;
    let save_to_answer = saved.elapsed();
    assert_eq!(new.payload, serde_json::json!({"greeting": "bonjour, Ada"}));
    assert!(
        new.is_cold(),
        "the first invocation of the new code is a cold start: {}",
        new.log
    );
    assert!(
        !in_flight.is_finished(),
        "the rebuild took {save_to_answer:?}, longer than the invocation meant to be in flight:\n{stderr}"
    );
    let old = in_flight.await.expect("the in-flight invocation");
    assert_eq!(
        old.payload,
        serde_json::json!({"greeting": "hello, slow"}),
        "the invocation in flight during the swap finishes on the old code"
    );
    eprintln!("save to the new code's first answer: {save_to_answer:?}");

    // The project file's settings: the function is loaded again with them, a cold start.
    std::fs::write(
        dir.path().join("lambda-sim.toml"),
        "[[function]]\nname = \"hello\"\npath = \"hello\"\ntimeout = 60\nmemory_size_mb = 256\n",
    )
    .expect("the edit");
    tokio::task::block_in_place(|| watch.wait_for("lambda-sim: rebuilt hello in ", 2));
    let resized = invoke(addr, serde_json::json!({"name": "Ada"})).await;
    assert_eq!(
        resized.payload,
        serde_json::json!({"greeting": "bonjour, Ada"})
    );
    assert!(
        resized.is_cold() && resized.log.contains("\tMemory Size: 256 MB\t"),
        "{}",
        resized.log
    );

    // A syntax error: the compiler's message is printed, the last good code keeps serving.
    std::fs::write(
        &source,
        handler_source("hola").replace("Ok(json!", "Ok(json!!"),
    )
    .expect("the edit");
    let stderr =
        tokio::task::block_in_place(|| watch.wait_for("lambda-sim: failed to rebuild hello", 1));
    assert!(
        stderr.contains("error: "),
        "the compiler's message: {stderr}"
    );
    assert!(
        stderr.contains("src/lib.rs:"),
        "the compiler's message: {stderr}"
    );
    assert!(
        stderr.contains("still serving the last good code"),
        "{stderr}"
    );
    let after = invoke(addr, serde_json::json!({"name": "Ada"})).await;
    assert_eq!(
        after.payload,
        serde_json::json!({"greeting": "bonjour, Ada"})
    );
    assert!(
        !after.is_cold(),
        "the last good code's environment stays warm"
    );
}

/// componentize-py (the tests' virtual environment's, or LAMBDA_SIM_COMPONENTIZE_PY's, or the
/// PATH's), or why there is none.
fn componentize_py() -> Result<PathBuf, String> {
    let candidates = [
        std::env::var_os("LAMBDA_SIM_COMPONENTIZE_PY").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py-venv/bin/componentize-py")),
        Some(PathBuf::from("componentize-py")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|program| {
            Command::new(program)
                .arg("--version")
                .output()
                .is_ok_and(|out| out.status.success())
        })
        .ok_or_else(|| {
            "componentize-py not found (looked in LAMBDA_SIM_COMPONENTIZE_PY, target/py-venv/bin \
             and PATH): `pip install componentize-py`"
                .to_owned()
        })
}

/// A Python handler that greets with `greeting`.
fn python_source(greeting: &str) -> String {
    format!(
        "def handler(event, context):\n    return {{\"greeting\": \"{greeting}, \" + event.get(\"name\", \"world\")}}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_python_handler_is_rebuilt_and_a_syntax_error_keeps_the_old_code() {
    if crate::require(componentize_py()).is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir(dir.path().join("app")).expect("app/");
    let source = dir.path().join("app/app.py");
    std::fs::write(&source, python_source("hello")).expect("app.py");
    std::fs::write(
        dir.path().join("template.yaml"),
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\n\
         Resources:\n  HelloPy:\n    Type: AWS::Serverless::Function\n    Properties:\n\
         \x20     FunctionName: hello-py\n      Runtime: python3.12\n      Handler: app.handler\n\
         \x20     CodeUri: app\n      Timeout: 30\n",
    )
    .expect("template.yaml");
    let watch =
        tokio::task::block_in_place(|| Watch::start(dir.path(), "--template", "template.yaml"));
    let addr = watch.addr;
    let first = invoke_function(addr, "hello-py", serde_json::json!({"name": "Ada"})).await;
    assert_eq!(first.payload, serde_json::json!({"greeting": "hello, Ada"}));

    std::fs::write(&source, python_source("bonjour")).expect("the edit");
    tokio::task::block_in_place(|| watch.wait_for("lambda-sim: rebuilt hello-py in ", 1));
    let new = invoke_function(addr, "hello-py", serde_json::json!({"name": "Ada"})).await;
    assert_eq!(new.payload, serde_json::json!({"greeting": "bonjour, Ada"}));
    assert!(new.is_cold(), "{}", new.log);

    std::fs::write(&source, "def handler(event, context)\n    return 1\n").expect("the edit");
    let stderr =
        tokio::task::block_in_place(|| watch.wait_for("lambda-sim: failed to rebuild hello-py", 1));
    assert!(stderr.contains("SyntaxError"), "Python's message: {stderr}");
    let after = invoke_function(addr, "hello-py", serde_json::json!({"name": "Ada"})).await;
    assert_eq!(
        after.payload,
        serde_json::json!({"greeting": "bonjour, Ada"})
    );
}

/// A Kinesis consumer that prints `GREETING record KEY` for each record of a batch (`KEY`
/// its partition key).
fn consumer_source(greeting: &str) -> String {
    format!(
        r#"use lambda_sim_guest::{{Error, LambdaEvent}};
use serde_json::{{Value, json}};

fn handler(event: LambdaEvent<Value>) -> Result<Value, Error> {{
    let records = event.payload.get("Records").and_then(Value::as_array).cloned().unwrap_or_default();
    for record in &records {{
        let key = record.pointer("/kinesis/partitionKey").and_then(Value::as_str).unwrap_or("?");
        println!("{greeting} record {{key}}");
    }}
    Ok(json!({{ "batchItemFailures": [] }}))
}}

lambda_sim_guest::handler!(handler);
"#
    )
}

/// Puts a record with partition key `key` into the stream `stream` through the Kinesis API.
async fn put_record(addr: SocketAddr, stream: &str, key: &str) {
    let mut connection = connect(addr).await.expect("connects");
    let body = serde_json::json!({
        "StreamName": stream,
        "PartitionKey": key,
        "Data": base64::engine::general_purpose::STANDARD.encode(b"{}"),
    });
    let answer = post_with(
        &mut connection,
        addr,
        "/",
        &[
            ("x-amz-target", "Kinesis_20131202.PutRecord"),
            ("content-type", "application/x-amz-json-1.1"),
        ],
        &Bytes::from(body.to_string()),
    )
    .await
    .expect("an answer");
    assert_eq!(answer.status(), 200, "{:?}", answer.body());
}

/// The `REPORT` line of the invocation that printed `line` (the first such invocation).
fn report_after<'a>(stderr: &'a str, line: &str) -> &'a str {
    stderr
        .lines()
        .skip_while(|l| *l != line)
        .find(|l| l.starts_with("REPORT "))
        .unwrap_or_else(|| panic!("a REPORT line after {line:?}:\n{stderr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_source_mapping_runs_the_rebuilt_code_from_its_next_batch() {
    let dir = tempfile::tempdir().expect("a temp dir");
    write_crate(dir.path(), "consumer", &consumer_source("hello"));
    std::fs::write(
        dir.path().join("lambda-sim.toml"),
        "[[function]]\nname = \"consumer\"\npath = \"consumer\"\ntimeout = 60\n\n\
         [[stream]]\nname = \"orders\"\nshards = 1\n\n\
         [[event_source_mapping]]\nfunction = \"consumer\"\nstream = \"orders\"\nbatch_size = 10\n",
    )
    .expect("lambda-sim.toml");
    let source = dir.path().join("consumer/src/lib.rs");
    let watch =
        tokio::task::block_in_place(|| Watch::start(dir.path(), "--config", "lambda-sim.toml"));
    let addr = watch.addr;

    put_record(addr, "orders", "before-1").await;
    tokio::task::block_in_place(|| watch.wait_for("hello record before-1", 1));

    std::fs::write(&source, consumer_source("bonjour")).expect("the edit");
    tokio::task::block_in_place(|| watch.wait_for("lambda-sim: rebuilt consumer in ", 1));
    put_record(addr, "orders", "after-1").await;
    let stderr = tokio::task::block_in_place(|| watch.wait_for("bonjour record after-1", 1));

    let handled: Vec<&str> = stderr.lines().filter(|l| l.contains(" record ")).collect();
    assert_eq!(
        handled,
        ["hello record before-1", "bonjour record after-1"],
        "each record handled once, the one put after the swap by the new code:\n{stderr}"
    );
    assert!(
        report_after(&stderr, "bonjour record after-1").contains("\tInit Duration: "),
        "the mapping's first batch on the new code is a cold start:\n{stderr}"
    );
}
