//! The `lambda-sim` binary, run as a user runs it.

use std::process::{Command, Output};

use lambda_sim_harness::ReportLine;

fn lambda_sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
        .args(args)
        .env(
            "LAMBDA_SIM_CACHE_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
        )
        .output()
        .expect("lambda-sim runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn event(name: &str) -> String {
    format!("{}/{name}", lambda_sim_fixtures::EVENTS_DIR)
}

#[test]
fn invoke_repeat_3_prints_one_cold_start_then_two_warm_invokes() {
    let out = lambda_sim(&[
        "invoke",
        lambda_sim_fixtures::HELLO,
        "--event",
        &event("hello.json"),
        "--repeat",
        "3",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let responses: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        responses,
        [r#"{"echo":{"name":"Ada"},"greeting":"hello, Ada"}"#; 3]
    );

    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("INIT_START "))
            .count(),
        1
    );
    assert!(
        lines[0].starts_with("INIT_START Runtime Version: lambda-sim:wasm32-wasip2.v"),
        "{stderr}"
    );
    let reports: Vec<ReportLine> = lines
        .iter()
        .filter(|l| l.starts_with("REPORT "))
        .map(|l| ReportLine::parse(l).expect("CloudWatch's REPORT format"))
        .collect();
    assert_eq!(reports.len(), 3);
    assert!(
        reports[0].init_duration_ms.is_some(),
        "the first invoke is a cold start"
    );
    assert!(
        reports[1..].iter().all(|r| r.init_duration_ms.is_none()),
        "later invokes are warm"
    );
    assert!(
        reports
            .iter()
            .all(|r| r.memory_size_mb == 128 && r.status.is_none())
    );
    // START, the handler's line, END and REPORT for each invocation, in order.
    for report in &reports {
        let id = &report.request_id;
        let start = lines
            .iter()
            .position(|l| *l == format!("START RequestId: {id} Version: $LATEST"));
        let end = lines
            .iter()
            .position(|l| *l == format!("END RequestId: {id}"));
        let (Some(start), Some(end)) = (start, end) else {
            panic!("no START/END for {id}: {stderr}")
        };
        assert_eq!(&lines[start + 1..end], ["greeting Ada"]);
        assert!(lines[end + 1].starts_with(&format!("REPORT RequestId: {id}\t")));
    }
}

#[test]
fn invoke_with_json_logs_prints_telemetry_records() {
    let out = lambda_sim(&[
        "invoke",
        lambda_sim_fixtures::HELLO,
        "--payload",
        "{}",
        "--log-format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let records = crate::cold_telemetry_records(&text(&out.stderr));
    assert_eq!(records[3]["record"], "greeting world");
    assert!(
        records[4]["record"]["metrics"]["initDurationMs"].is_f64(),
        "{}",
        records[4]
    );
}

#[test]
fn invoke_refuses_bad_input_with_the_lambda_error() {
    let not_wasm = lambda_sim(&["invoke", &event("hello.json")]);
    assert_eq!(not_wasm.status.code(), Some(2));
    assert_eq!(
        text(&not_wasm.stderr).trim_end(),
        "error: failed to load the function: this is not a WebAssembly file (it does not start with `\\0asm`) \
         (InvalidParameterValueException)"
    );
    let wrong_world = lambda_sim(&["invoke", lambda_sim_fixtures::WRONG_WORLD]);
    assert_eq!(wrong_world.status.code(), Some(2));
    assert!(text(&wrong_world.stderr).contains("does not export `init` and `handle`"));
    let not_json = lambda_sim(&[
        "invoke",
        lambda_sim_fixtures::HELLO,
        "--event",
        &event("not-json.txt"),
    ]);
    assert_eq!(not_json.status.code(), Some(2));
    assert_eq!(
        text(&not_json.stderr).trim_end(),
        "error: the event was rejected: Could not parse request body into json: expected ident at line 1 column 2 \
         (InvalidRequestContentException)"
    );
    let bad_memory = lambda_sim(&["invoke", lambda_sim_fixtures::HELLO, "--memory", "127"]);
    assert_eq!(
        text(&bad_memory.stderr).trim_end(),
        "error: invalid configuration: memory size 127 MB is outside Lambda's range of 128 to 10240 MB"
    );
}

#[test]
fn function_errors_go_to_stdout_as_lambda_payloads() {
    let out = lambda_sim(&["invoke", lambda_sim_fixtures::PANIC, "--payload", "{}"]);
    assert!(
        out.status.success(),
        "a function error is not a CLI failure, as with `aws lambda invoke`"
    );
    assert_eq!(
        text(&out.stdout).trim_end(),
        r#"{"errorType":"alloc::boxed::Box<dyn core::any::Any + core::marker::Send>","errorMessage":"Lambda panicked: boom"}"#
    );
}

#[test]
fn build_compiles_a_handler_crate_and_prints_its_component() {
    let out = lambda_sim(&[
        "build",
        concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/guests/hello"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let wasm = stdout.trim_end();
    assert!(
        wasm.ends_with("/wasm32-wasip2/release/hello.wasm"),
        "{wasm}"
    );
    let responses = lambda_sim(&["invoke", wasm, "--payload", r#"{"name":"built"}"#]);
    assert_eq!(
        text(&responses.stdout).trim_end(),
        r#"{"echo":{"name":"built"},"greeting":"hello, built"}"#
    );
    let not_a_crate = lambda_sim(&["build", lambda_sim_fixtures::EVENTS_DIR]);
    assert_eq!(not_a_crate.status.code(), Some(2));
    assert!(
        text(&not_a_crate.stderr).contains("is not a cargo crate (no Cargo.toml)"),
        "{}",
        text(&not_a_crate.stderr)
    );
}

#[test]
fn invoke_takes_the_lifecycle_flags_and_prints_the_cold_start_and_the_bill() {
    let args = [
        "invoke",
        lambda_sim_fixtures::HELLO,
        "--clock",
        "virtual",
        "--cpu",
        "deterministic",
        "--seed",
        "3",
        "--vpc",
        "legacy-2017",
        "--cold-start",
        "rust",
        "--arch",
        "arm64",
        "--memory",
        "1024",
        "--repeat",
        "2",
        "--monthly-rate",
        "10",
    ];
    let started = std::time::Instant::now();
    let out = lambda_sim(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "virtual time: the 10 s ENI is not slept"
    );
    let stderr = text(&out.stderr);
    let cold: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("lambda-sim: cold start "))
        .collect();
    assert_eq!(cold.len(), 1, "{stderr}");
    assert!(
        cold[0].contains(" = ENI 10000.00 ms + placement "),
        "{}",
        cold[0]
    );
    let mut tail = stderr.lines().rev();
    let monthly = tail.next().unwrap_or_default();
    assert!(
        monthly.starts_with("lambda-sim: at 10 requests/s, about $")
            && monthly.ends_with(" a month (30 days, before the free tier)"),
        "{monthly}"
    );
    let summary = tail.next().unwrap_or_default();
    assert!(
        summary.starts_with("lambda-sim: 2 invocation(s), 1 cold start(s), ")
            && summary.ends_with("(1024 MB, arm64)"),
        "{summary}"
    );
    // The same seed on a virtual clock with deterministic CPU prints the same lines.
    assert_eq!(text(&lambda_sim(&args).stderr), stderr);
}

#[test]
fn invoke_reads_functions_and_settings_from_a_config_file() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let config = dir.path().join("lambda-sim.toml");
    std::fs::write(
        &config,
        format!(
            "[simulation]\nclock = \"virtual\"\ncpu = \"deterministic\"\nseed = 1\n\n\
             [[function]]\nname = \"greeter\"\npath = {:?}\nmemory_size_mb = 256\nenvironment = {{ STAGE = \"test\" }}\n",
            lambda_sim_fixtures::HELLO
        ),
    )
    .expect("written");
    let config = config.to_string_lossy().into_owned();
    let out = lambda_sim(&[
        "invoke",
        "greeter",
        "--config",
        &config,
        "--payload",
        r#"{"name":"toml"}"#,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim_end(),
        r#"{"echo":{"name":"toml"},"greeting":"hello, toml"}"#
    );
    assert!(text(&out.stderr).contains("\tMemory Size: 256 MB\t"));

    std::fs::write(&config, "[simulation]\nclokc = \"virtual\"\n").expect("written");
    let bad = lambda_sim(&["invoke", "greeter", "--config", &config]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = text(&bad.stderr);
    assert!(
        stderr.contains("line 2") && stderr.contains("unknown field `clokc`"),
        "{stderr}"
    );
}

#[test]
fn a_short_soak_accounts_for_every_event_and_leaks_nothing() {
    let guests = std::path::Path::new(lambda_sim_fixtures::HELLO)
        .parent()
        .expect("the fixtures' directory");
    let out = lambda_sim(&[
        "soak",
        "--duration",
        "3s",
        "--clients",
        "4",
        "--guests",
        &guests.display().to_string(),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let line = |prefix: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{stdout}"))
            .to_owned()
    };
    assert!(
        line("async events:").ends_with(", 0 still queued"),
        "{stdout}"
    );
    assert!(
        line("temp dirs left:").starts_with("temp dirs left:      0 "),
        "{stdout}"
    );
    assert!(
        stdout.contains("429 TooManyRequestsException"),
        "throttled: {stdout}"
    );
    assert!(stdout.contains("200 ok"), "{stdout}");
}

#[test]
fn demo_runs_the_pipeline_and_a_team_can_describe_its_own() {
    let demo = lambda_sim(&["demo", "--records", "5000", "--seed", "3"]);
    let out = text(&demo.stdout);
    assert!(demo.status.success(), "{out}{}", text(&demo.stderr));
    assert!(
        out.starts_with("events: 5000 in (3 poison), 4997 delivered to S3, "),
        "{out}"
    );
    assert!(out.contains(" 0 lost\n"), "{out}");
    for line in [
        "  shardId-000000000000: ",
        "  forwarder: ",
        "  aggregator: ",
        "aggregates (key-value store): ",
        "verdict: nothing lost, every shard in order",
        "host: ",
    ] {
        assert!(out.contains(line), "no `{line}` in:\n{out}");
    }
    assert!(
        out.contains("(4997 events counted once each)"),
        "the aggregator counted every event once: {out}"
    );

    // The same pipeline from a lambda-sim.toml and from a SAM template, with an SQS consumer.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pipeline");
    for file in ["lambda-sim.toml", "template.yaml"] {
        let path = format!("{fixtures}/{file}");
        let run = lambda_sim(&["demo", "--config", &path, "--records", "3000"]);
        let out = text(&run.stdout);
        assert!(run.status.success(), "{file}: {out}{}", text(&run.stderr));
        assert!(out.contains(" 0 lost\n"), "{file}: {out}");
        assert!(
            out.contains("  aggregator's mapping (queue `analytics-queue`): "),
            "{file}: {out}"
        );
        assert!(out.contains(" 3000 messages deleted"), "{file}: {out}");
        assert!(
            !text(&run.stderr).contains("warning"),
            "{file}: {}",
            text(&run.stderr)
        );
    }
}
