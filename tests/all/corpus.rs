//! The bad-input corpus: every way a user or a guest can hand the simulator something wrong,
//! each with the exact error a user gets, and after each a function that still answers.
//!
//! One table, one case a row: what is tried, then `"<error type>: <message>"` as the user reads
//! it (an exception name or a function error type, then the message). Run with
//! `LAMBDA_SIM_PRINT_CORPUS=1` to print what each case gives.

use std::path::Path;
use std::time::Duration;

use lambda_sim_project::Project;
use lambda_sim_runtime::{Error, FunctionConfig, Invocation, Payload};
use serde_json::Value;

use crate::{fixture, invoke, json, load, runtime};

/// What a case gives a user: `Type: message`.
fn refused(err: &Error) -> String {
    format!("{}: {err}", err.error_type())
}

fn function_error(invocation: &Invocation) -> String {
    match invocation.error() {
        Some(err) => format!("{}: {}", err.error_type, err.error_message)
            .replace(&invocation.request_id, "<id>"),
        None => format!("ok: {}", String::from_utf8_lossy(&invocation.payload())),
    }
}

fn load_bytes(bytes: &[u8], name: &str) -> String {
    match runtime().load(bytes, FunctionConfig::named(name)) {
        Ok(_) => "ok: loaded".to_owned(),
        // The byte offsets of a truncation depend on how the fixture was built.
        Err(err) => match refused(&err).split_once(": section range ") {
            Some((message, _)) => format!("{message}: section range <offsets>"),
            None => refused(&err),
        },
    }
}

fn config(config: FunctionConfig) -> String {
    match runtime().load_file(lambda_sim_fixtures::HELLO, config) {
        Ok(_) => "ok: loaded".to_owned(),
        Err(err) => refused(&err),
    }
}

/// What a project file's case gives a user: `Type: message`, as [`refused`] writes it.
fn file_refused(result: lambda_sim_project::Result<Project>) -> String {
    match result {
        Ok(_) => "ok: parsed".to_owned(),
        Err(err) => format!("{}: {err}", err.error_type()),
    }
}

fn toml(text: &str) -> String {
    file_refused(Project::parse_toml(text, Path::new("/app")))
}

fn template(text: &str) -> String {
    file_refused(Project::parse_template(text, Path::new("/app")))
}

fn sam(properties: &str) -> String {
    template(&format!(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f.wasm\n{properties}"
    ))
}

async fn run(fixture_name: &str, config: FunctionConfig, event: &str) -> String {
    function_error(&invoke(&load(fixture_name, config), event).await)
}

fn misbehave(action: &str) -> String {
    format!(r#"{{"do": "{action}"}}"#)
}

#[tokio::test]
async fn every_bad_input_gets_its_error_and_the_simulator_keeps_serving() {
    let hello_bytes = std::fs::read(lambda_sim_fixtures::HELLO).expect("hello.wasm");
    let hello = fixture("hello");
    let mut cases: Vec<(&str, String, &str)> = Vec::new();
    macro_rules! case {
        ($name:expr, $got:expr, $expected:expr) => {{
            let got = $got;
            cases.push(($name, got, $expected));
            // After each case, a function still answers.
            assert_eq!(
                json(&invoke(&hello, r#"{"name": "after"}"#).await)["greeting"],
                "hello, after",
                "after {}",
                $name
            );
        }};
    }

    // Components.
    case!(
        "bytes that are not wasm",
        load_bytes(b"{\"name\": \"Ada\"}", "c1"),
        "InvalidParameterValueException: failed to load the function: this is not a WebAssembly file (it does not start with `\\0asm`)"
    );
    case!(
        "an empty file",
        load_bytes(b"", "c2"),
        "InvalidParameterValueException: failed to load the function: this is not a WebAssembly file (it does not start with `\\0asm`)"
    );
    case!(
        "a truncated component",
        load_bytes(&hello_bytes[..hello_bytes.len() / 2], "c3"),
        "InvalidParameterValueException: failed to compile the component: failed to parse WebAssembly module: wasm component contains an invalid module section: section range <offsets>"
    );
    case!(
        "a core module, not a component",
        load_bytes(b"\0asm\x01\0\0\0", "c4"),
        "InvalidParameterValueException: failed to load the function: this is a core WebAssembly module, not a component: build the handler for the `wasm32-wasip2` target (`lambda-sim build`)"
    );
    case!(
        "a component of another world",
        match runtime().load_file(
            lambda_sim_fixtures::WRONG_WORLD,
            FunctionConfig::named("c5")
        ) {
            Ok(_) => "ok: loaded".to_owned(),
            Err(err) => refused(&err),
        },
        "Runtime.InvalidEntrypoint: failed to load the function: the component does not implement the handler world `lambda-sim:handler/function`: it does not export `init` and `handle` (it exports `wasi:cli/run@0.2.0`)"
    );

    // Settings.
    case!(
        "memory 127 MB",
        config(FunctionConfig::named("s1").memory_size_mb(127)),
        "InvalidParameterValueException: invalid configuration: memory size 127 MB is outside Lambda's range of 128 to 10240 MB"
    );
    case!(
        "memory 10,241 MB",
        config(FunctionConfig::named("s2").memory_size_mb(10_241)),
        "InvalidParameterValueException: invalid configuration: memory size 10241 MB is outside Lambda's range of 128 to 10240 MB"
    );
    case!(
        "timeout 0",
        config(FunctionConfig::named("s3").timeout(Duration::ZERO)),
        "InvalidParameterValueException: invalid configuration: timeout 0.000 s is outside Lambda's range of 1 to 900 seconds"
    );
    case!(
        "timeout 901 s",
        config(FunctionConfig::named("s4").timeout(Duration::from_secs(901))),
        "InvalidParameterValueException: invalid configuration: timeout 901.000 s is outside Lambda's range of 1 to 900 seconds"
    );
    case!(
        "ephemeral storage 511 MB",
        config(FunctionConfig::named("s5").ephemeral_storage_mb(511)),
        "InvalidParameterValueException: invalid configuration: ephemeral storage 511 MB is outside Lambda's range of 512 to 10240 MB"
    );
    case!(
        "a function name with a slash",
        config(FunctionConfig::named("../../etc/passwd")),
        "InvalidParameterValueException: invalid configuration: function name `../../etc/passwd` must be 1 to 64 letters, digits, hyphens or underscores"
    );
    case!(
        "a function name of 65 characters",
        config(FunctionConfig::named("f".repeat(65))),
        "InvalidParameterValueException: invalid configuration: function name `fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff` must be 1 to 64 letters, digits, hyphens or underscores"
    );
    case!(
        "a reserved environment variable",
        config(FunctionConfig::named("s7").env("AWS_REGION", "eu-west-1")),
        "InvalidParameterValueException: invalid configuration: environment variable `AWS_REGION` is reserved by Lambda"
    );
    case!(
        "an environment variable name starting with a digit",
        config(FunctionConfig::named("s8").env("1X", "y")),
        "InvalidParameterValueException: invalid configuration: environment variable name `1X` must start with a letter and hold only letters, digits and underscores (2 characters at least)"
    );
    case!(
        "provisioned above reserved concurrency",
        config(
            FunctionConfig::named("s9")
                .reserved_concurrency(1)
                .provisioned_concurrency(2)
        ),
        "InvalidParameterValueException: invalid configuration: provisioned concurrency 2 exceeds the reserved concurrency 1"
    );

    // lambda-sim.toml.
    case!(
        "toml: negative reserved concurrency",
        toml("[[function]]\nname = \"f\"\npath = \"f.wasm\"\nreserved_concurrency = -1\n"),
        "InvalidParameterValueException: invalid configuration: TOML parse error at line 4, column 24\n  |\n4 | reserved_concurrency = -1\n  |                        ^^\ninvalid value: integer `-1`, expected u32"
    );
    case!(
        "toml: an unknown setting",
        toml("[simulation]\nclokc = \"virtual\"\n"),
        "InvalidParameterValueException: invalid configuration: TOML parse error at line 2, column 1\n  |\n2 | clokc = \"virtual\"\n  | ^^^^^\nunknown field `clokc`, expected one of `seed`, `clock`, `cpu`, `fuel_per_second`, `cold_start`, `vpc`, `eviction`, `account_concurrency`, `scaling`, `max_environments`, `bill_init`"
    );
    case!(
        "toml: broken syntax",
        toml("[[function]\nname = \"f\"\n"),
        "InvalidParameterValueException: invalid configuration: TOML parse error at line 1, column 12\n  |\n1 | [[function]\n  |            ^\nunclosed array table, expected `]`"
    );
    case!(
        "toml: a function defined twice",
        toml(
            "[[function]]\nname = \"f\"\npath = \"f.wasm\"\n[[function]]\nname = \"f\"\npath = \"g.wasm\"\n"
        ),
        "InvalidParameterValueException: invalid configuration: function `f` is defined twice"
    );
    case!(
        "toml: timeout 0",
        toml("[[function]]\nname = \"f\"\npath = \"f.wasm\"\ntimeout = 0\n"),
        "InvalidParameterValueException: invalid configuration: function `f`: timeout 0.000 s is outside Lambda's range of 1 to 900 seconds"
    );

    // Pipelines described in a file.
    let pipeline = |extra: &str| {
        toml(&format!(
            "[[function]]\nname = \"f\"\npath = \"f.wasm\"\n[[stream]]\nname = \"s\"\n[[queue]]\nname = \"q\"\n{extra}"
        ))
    };
    case!(
        "toml: a mapping of an unknown stream",
        pipeline("[[event_source_mapping]]\nfunction = \"f\"\nstream = \"nope\"\n"),
        "InvalidParameterValueException: invalid configuration: the event source mapping of `f` reads stream `nope`, which is not a stream of the file"
    );
    case!(
        "toml: a batch size of 0",
        pipeline("[[event_source_mapping]]\nfunction = \"f\"\nstream = \"s\"\nbatch_size = 0\n"),
        "InvalidParameterValueException: invalid configuration: event source mapping of `f`: batch size 0 is outside Lambda's range of 1 to 10000"
    );
    case!(
        "toml: a mapping of both a stream and a queue",
        pipeline("[[event_source_mapping]]\nfunction = \"f\"\nstream = \"s\"\nqueue = \"q\"\n"),
        "InvalidParameterValueException: invalid configuration: event source mapping of `f` must name exactly one of `stream` and `queue`"
    );
    case!(
        "toml: bisection on an SQS mapping",
        pipeline(
            "[[event_source_mapping]]\nfunction = \"f\"\nqueue = \"q\"\nbisect_batch_on_function_error = true\n"
        ),
        "InvalidParameterValueException: invalid configuration: event source mapping of `f`: `bisect_batch_on_function_error` is for Kinesis mappings (an SQS queue retries through its visibility timeout and dead-letter queue)"
    );
    case!(
        "toml: 0 shards",
        toml("[[stream]]\nname = \"s\"\nshards = 0\n"),
        "InvalidParameterValueException: invalid configuration: stream `s`: 0 shards is outside Kinesis's range of 1 to 500"
    );
    case!(
        "toml: a dead-letter queue that does not exist",
        toml("[[queue]]\nname = \"q\"\ndead_letter_queue = \"dlq\"\n"),
        "InvalidParameterValueException: invalid configuration: queue `q`: its dead-letter queue `dlq` is not another queue of the file"
    );
    case!(
        "yaml: a Kinesis event of an unknown stream",
        sam(
            "      Events:\n        S:\n          Type: Kinesis\n          Properties:\n            Stream: !GetAtt Nope.Arn\n"
        ),
        "InvalidParameterValueException: invalid configuration: template.yaml:10: function `Fn`: `Events.S.Properties.Stream` refers to `Nope`, which is not a stream, queue or bucket of the template"
    );
    case!(
        "yaml: a delivery stream to Redshift",
        template(
            "Resources:\n  D:\n    Type: AWS::KinesisFirehose::DeliveryStream\n    Properties:\n      RedshiftDestinationConfiguration: {}\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: f.wasm\n"
        ),
        "InvalidParameterValueException: invalid configuration: template.yaml: delivery stream `D`: only an S3 destination is simulated (`ExtendedS3DestinationConfiguration` or `S3DestinationConfiguration`)"
    );

    // template.yaml.
    case!(
        "yaml: broken syntax",
        template("Resources:\n  Fn:\n    Type: [\n"),
        "InvalidParameterValueException: invalid configuration: template.yaml: line 3 column 11: expected string scalar"
    );
    case!(
        "yaml: memory 10,241 MB",
        sam("      MemorySize: 10241\n"),
        "InvalidParameterValueException: invalid configuration: template.yaml:6: function `Fn`: memory size 10241 MB is outside Lambda's range of 128 to 10240 MB"
    );
    case!(
        "yaml: timeout 0",
        sam("      Timeout: 0\n"),
        "InvalidParameterValueException: invalid configuration: template.yaml:6: function `Fn`: timeout 0 s is outside Lambda's range of 1 to 900 seconds"
    );
    case!(
        "yaml: ephemeral storage 20,000 MB",
        sam("      EphemeralStorage:\n        Size: 20000\n"),
        "InvalidParameterValueException: invalid configuration: template.yaml:7: function `Fn`: ephemeral storage 20000 MB is outside Lambda's range of 512 to 10240 MB"
    );
    case!(
        "yaml: negative reserved concurrency",
        sam("      ReservedConcurrentExecutions: -5\n"),
        "InvalidParameterValueException: invalid configuration: template.yaml:6: function `Fn`: `ReservedConcurrentExecutions` must be 0 or more, not -5"
    );
    case!(
        "yaml: a CodeUri in S3",
        template(
            "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: s3://bucket/key.zip\n"
        ),
        "InvalidParameterValueException: invalid configuration: template.yaml:5: function `Fn`: `CodeUri` `s3://bucket/key.zip` is in S3: give a local crate directory or .wasm"
    );
    case!(
        "yaml: no function",
        template("Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"),
        "InvalidParameterValueException: invalid configuration: template.yaml: the template has no `AWS::Serverless::Function` resource"
    );
    case!(
        "yaml: a function name with a slash",
        sam("      FunctionName: ../escape\n"),
        "InvalidParameterValueException: invalid configuration: template.yaml: function `Fn`: function name `../escape` must be 1 to 64 letters, digits, hyphens or underscores"
    );

    // Requests.
    case!(
        "an event that is not JSON",
        Payload::json("{not json")
            .err()
            .map(|e| refused(&e))
            .unwrap_or_default(),
        "InvalidRequestContentException: Could not parse request body into json: key must be a string at line 1 column 2"
    );
    case!(
        "a request over 6 MB",
        Payload::json(vec![b' '; 6_291_457])
            .err()
            .map(|e| refused(&e))
            .unwrap_or_default(),
        "RequestEntityTooLargeException: Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    );
    case!(
        "an event over 1 MB",
        {
            let big = Payload::json(format!("\"{}\"", "x".repeat(1_048_577))).expect("JSON");
            hello
                .invoke_event(&big)
                .err()
                .map(|e| refused(&e))
                .unwrap_or_default()
        },
        "RequestEntityTooLargeException: Request must be smaller than 1048576 bytes for the InvokeFunction operation"
    );
    case!(
        "an unknown function (serve)",
        {
            let registry = lambda_sim_server::Registry::default();
            registry
                .find("nope", None)
                .err()
                .map(|e| format!("{}: {}", e.error_type, e.body))
                .unwrap_or_default()
        },
        "ResourceNotFoundException: {\"Message\":\"Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:$LATEST\",\"Type\":\"User\"}"
    );
    case!(
        "a path-traversing function name (serve)",
        lambda_sim_server::split_function_name("../../etc/passwd")
            .err()
            .map(|e| format!(
                "{}: {}",
                e.error_type,
                e.body["message"].as_str().unwrap_or_default()
            ))
            .unwrap_or_default(),
        "ValidationException: 1 validation error detected: Value '../../etc/passwd' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
    );

    // Guests.
    case!(
        "a payload the handler cannot decode",
        run(
            "cpu-burn",
            FunctionConfig::named("g1"),
            r#"{"iterations": "many"}"#
        )
        .await,
        "Runtime.DeserializeError: failed to deserialize the incoming data into the function's payload type: iterations: invalid type: string \"many\", expected u64 at line 1 column 21"
    );
    case!(
        "init that fails",
        run(
            "slow-init",
            FunctionConfig::named("g2").env("FAIL_INIT", "1"),
            "{}"
        )
        .await,
        "InitError: configuration is missing (FAIL_INIT=1)"
    );
    case!(
        "init past the 10 s Init limit, run again past the timeout",
        {
            // Deterministic CPU on a virtual clock: 10 s of Init at 128 MB is 0.7 s of work.
            let simulated =
                lambda_sim_runtime::Runtime::new(crate::simulation(3)).expect("runtime");
            let path = lambda_sim_fixtures::path("slow-init").expect("slow-init");
            let slow = simulated
                .load_file(
                    path,
                    FunctionConfig::named("g2b")
                        .env("INIT_SPIN", "1000000000")
                        .timeout(Duration::from_secs(1)),
                )
                .expect("loads");
            function_error(&invoke(&slow, "{}").await)
        },
        "Sandbox.Timedout: RequestId: <id> Error: Task timed out after 1.00 seconds"
    );
    case!(
        "a panic",
        run("panic", FunctionConfig::named("g3"), "{}").await,
        "alloc::boxed::Box<dyn core::any::Any + core::marker::Send>: Lambda panicked: boom"
    );
    case!(
        "a trap",
        run("panic", FunctionConfig::named("g4"), r#"{"abort": true}"#).await,
        "Runtime.ExitError: RequestId: <id> Error: Runtime exited with error: wasm trap: wasm `unreachable` instruction executed"
    );
    case!(
        "an infinite loop",
        run(
            "spin-forever",
            FunctionConfig::named("g5").timeout(Duration::from_secs(1)),
            "{}"
        )
        .await,
        "Sandbox.Timedout: RequestId: <id> Error: Task timed out after 1.00 seconds"
    );
    case!(
        "a stack overflow",
        run(
            "misbehave",
            FunctionConfig::named("g6"),
            &misbehave("stack-overflow")
        )
        .await,
        "Runtime.ExitError: RequestId: <id> Error: Runtime exited with error: wasm trap: call stack exhausted"
    );
    case!(
        "memory past the memory size",
        run("oom", FunctionConfig::named("g7"), "{}").await,
        "Runtime.OutOfMemory: RequestId: <id> Error: Runtime exited with error: signal: killed"
    );
    case!(
        "a response over 6 MB",
        run(
            "misbehave",
            FunctionConfig::named("g8").memory_size_mb(512),
            &misbehave("big-response")
        )
        .await,
        "Function.ResponseSizeTooLarge: Response payload size exceeded maximum allowed payload size (6291456 bytes)."
    );
    case!(
        "a socket",
        run(
            "misbehave",
            FunctionConfig::named("g9"),
            &misbehave("socket")
        )
        .await,
        "ok: {\"socket\":\"Permission denied (os error 2)\"}"
    );

    let print = std::env::var_os("LAMBDA_SIM_PRINT_CORPUS").is_some();
    let mut wrong = Vec::new();
    for (name, got, expected) in &cases {
        if print {
            println!("{name}\n    {got:?}");
        }
        if got != expected {
            wrong.push(format!(
                "{name}:\n    got      {got:?}\n    expected {expected:?}"
            ));
        }
    }
    assert!(cases.len() >= 30, "{} cases", cases.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn huge_and_invalid_logs_are_bounded_and_readable() {
    let misbehaving = load("misbehave", FunctionConfig::named("logs"));
    let huge = invoke(&misbehaving, &misbehave("huge-log")).await;
    assert_eq!(json(&huge), serde_json::json!({ "printed": 3_145_728 }));
    let lines = huge.log_lines();
    let bytes: usize = lines.iter().map(|l| l.len() + 1).sum();
    assert!(
        bytes < 1_100_000,
        "the log is capped near 1 MiB: {bytes} bytes"
    );
    assert!(
        lines.iter().any(|l| l.contains("truncated")),
        "a note says the log was cut: {:?}",
        &lines[lines.len().saturating_sub(4)..]
    );
    let bad = invoke(&misbehaving, &misbehave("bad-utf8")).await;
    assert!(
        bad.log_lines()
            .iter()
            .any(|l| l == "before \u{fffd}\u{fffd} after"),
        "{:?}",
        bad.log_lines()
    );
}

#[tokio::test]
async fn a_guest_cannot_reach_outside_its_tmp() {
    let escape = invoke(&fixture("misbehave"), &misbehave("escape")).await;
    let attempts = json(&escape)["attempts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(attempts.len(), 6);
    for attempt in &attempts {
        assert_eq!(attempt["succeeded"], Value::Bool(false), "{attempt}");
    }
    assert!(
        !Path::new("/tmp/escaped").exists() && !Path::new("/escaped").exists(),
        "nothing was written outside the environment's /tmp"
    );
}

#[tokio::test]
async fn tmp_is_bounded_by_the_ephemeral_storage() {
    // One vCPU, so that writing half a gigabyte is not throttled to 128 MB's share.
    let config = |name: &str| {
        FunctionConfig::named(name)
            .memory_size_mb(1_769)
            .timeout(Duration::from_secs(60))
    };
    let fill = |mb: u64| format!(r#"{{"do": "fill-tmp", "mb": {mb}}}"#);
    let default = load("misbehave", config("storage-default"));
    let full = invoke(&default, &fill(600)).await;
    // wasi-libc's WASI p2 streams report any failed write as EIO: the log says why.
    assert_eq!(
        json(&full),
        serde_json::json!({ "written_mb": 512, "error": "I/O error (os error 29)" }),
        "the default 512 MB"
    );
    // (The write is the stream's chunk, 64 KiB with wasmtime-wasi 48.)
    assert!(
        full.log_lines().iter().any(|line| line
            .starts_with("[lambda-sim] no space left on /tmp: a write of ")
            && line.ends_with(
                " bytes would take it past the function's ephemeral storage of 512 MB (536870912 bytes used)"
            )),
        "{:?}",
        full.log_lines()
    );
    let after = invoke(&default, &fill(300)).await;
    assert!(
        !after.is_cold(),
        "a full /tmp is the guest's error, not a crash"
    );
    assert_eq!(
        json(&after),
        serde_json::json!({ "written_mb": 300, "error": null }),
        "the space of a deleted file is free again"
    );

    let larger = load(
        "misbehave",
        config("storage-1024").ephemeral_storage_mb(1_024),
    );
    assert_eq!(
        json(&invoke(&larger, &fill(600)).await),
        serde_json::json!({ "written_mb": 600, "error": null })
    );
}
