//! SnapStart: Init once at publish (INIT_REPORT), cold starts restored from the snapshot with
//! `Restore Duration` and no `Init Duration`, the after-restore hooks run on every restore
//! within 10 s, and what init drew cloned into every restored environment.

use lambda_sim_harness::ReportLine;
use lambda_sim_runtime::{Function, FunctionConfig, Invocation, InvokeOptions, Payload, Runtime};
use serde_json::Value;

use crate::json;

/// The snap-start fixture with SnapStart on, at 1,769 MB (a full vCPU), in the tests' runtime
/// on the real clock.
fn snap_start(name: &str, config: FunctionConfig) -> Function {
    let runtime = crate::runtime();
    let path = lambda_sim_fixtures::path("snap-start").expect("the snap-start fixture");
    runtime
        .load_file(path, config.snap_start(true).memory_size_mb(1769))
        .unwrap_or_else(|err| panic!("{name} loads: {err}"))
}

fn report(invocation: &Invocation) -> ReportLine {
    let line = invocation.report.to_string();
    ReportLine::parse(&line).unwrap_or_else(|err| panic!("{err}: {line}"))
}

/// Publishes `function` and checks its lines: `INIT_START`, what init and the before-snapshot
/// hooks `printed`, `INIT_REPORT`; returns its Init Duration in ms.
pub async fn published_init_ms(function: &Function, printed: &[&str]) -> f64 {
    let publication = function
        .publish()
        .await
        .expect("the function publishes")
        .expect("SnapStart is on");
    let lines = publication.log_lines();
    assert!(
        lines[0].starts_with("INIT_START Runtime Version: "),
        "{lines:?}"
    );
    assert_eq!(lines[1..lines.len() - 1], *printed, "{lines:?}");
    let last = lines.last().map(String::as_str).unwrap_or_default();
    let init_ms = last
        .strip_prefix("INIT_REPORT Init Duration: ")
        .and_then(|rest| rest.strip_suffix(" ms"))
        .and_then(|ms| ms.parse::<f64>().ok())
        .unwrap_or_else(|| panic!("an INIT_REPORT line: {lines:?}"));
    assert!(
        (init_ms - publication.init_duration.as_secs_f64() * 1000.0).abs() < 0.01,
        "{lines:?}"
    );
    init_ms
}

/// Two cold starts, one after the other (the first environment evicted): two environments,
/// each restored from the snapshot.
pub async fn two_cold_starts(function: &Function) -> (Invocation, Invocation) {
    let payload = Payload::json("{}").expect("JSON");
    let mut cold = Vec::new();
    for _ in 0..2 {
        function.evict_all();
        let invocation = function
            .invoke(&payload, InvokeOptions::default())
            .await
            .expect("admitted");
        assert!(invocation.is_cold(), "a new environment");
        cold.push(invocation);
    }
    let b = cold.pop().expect("two");
    let a = cold.pop().expect("two");
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_runs_once_at_publish_and_cold_starts_restore_the_snapshot() {
    let function = snap_start("snap", FunctionConfig::named("snap"));
    let init_ms =
        published_init_ms(&function, &["loading the configuration", "before snapshot"]).await;

    let (a, b) = two_cold_starts(&function).await;
    for cold in [&a, &b] {
        let lines = cold.log_lines();
        assert!(
            lines[0].starts_with("RESTORE_START Runtime Version: "),
            "{lines:?}"
        );
        assert_eq!(lines[1], "after restore");
        assert!(
            lines[2].starts_with("RESTORE_REPORT Restore Duration: "),
            "{lines:?}"
        );
        assert_eq!(
            lines[3],
            format!("START RequestId: {} Version: $LATEST", cold.request_id)
        );
        assert_eq!(lines[4], "handling");
        let report = report(cold);
        assert_eq!(
            report.init_duration_ms, None,
            "a restore has no Init Duration"
        );
        let restore_ms = report.restore_duration_ms.expect("Restore Duration");
        assert!(report.billed_restore_duration_ms.is_some());
        assert!(
            init_ms >= 5.0 * restore_ms,
            "restore {restore_ms} ms is not 5x faster than init {init_ms} ms"
        );
        let answer = json(cold);
        assert_eq!(answer["restores"], 1, "the after-restore hook ran once");
        assert_eq!(
            answer["before_calls"], 1,
            "the snapshot was taken after the hook"
        );
        assert!(
            answer["config"]
                .as_str()
                .is_some_and(|c| c.starts_with("{\"spun\":")),
            "init's /tmp file is in the snapshot: {answer}"
        );
        // The memory restored, and the hooks' billed time at the duration price.
        let gb = 1769.0 / 1024.0;
        let hooks_ms = report.billed_restore_duration_ms.expect("billed") as f64;
        let expected = gb * lambda_sim_runtime::PRICE_PER_RESTORED_GB
            + hooks_ms / 1000.0
                * gb
                * lambda_sim_runtime::Architecture::X86_64.price_per_gb_second();
        assert!(
            (cold.cost.restore_usd - expected).abs() < 1e-15,
            "{} != {expected}",
            cold.cost.restore_usd
        );
    }
    assert_eq!(
        json(&a)["id"],
        json(&b)["id"],
        "the id drawn at init is cloned into every restored environment"
    );
    // The Telemetry API's records (`--log-format json`): SnapStart's restore events.
    let records = a.log_records();
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        types,
        [
            "platform.restoreStart",
            "function",
            "platform.restoreReport",
            "platform.start",
            "function",
            "platform.report"
        ]
    );
    let metrics = &records[5]["record"]["metrics"];
    assert!(metrics["restoreDurationMs"].is_number() && metrics.get("initDurationMs").is_none());

    let warm = crate::invoke(&function, "{}").await;
    assert!(!warm.is_cold());
    assert_eq!(
        json(&warm)["restores"],
        1,
        "no restore on a warm invocation"
    );
    assert!(report(&warm).restore_duration_ms.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_drawn_in_the_after_restore_hook_is_unique_per_environment() {
    let function = snap_start(
        "snap-unique",
        FunctionConfig::named("snap-unique").env("ID_AT_RESTORE", "1"),
    );
    let (a, b) = two_cold_starts(&function).await;
    let ids: Vec<Value> = [&a, &b].iter().map(|i| json(i)["id"].clone()).collect();
    assert!(ids[0].is_string() && ids[0] != ids[1], "{ids:?}");
}

#[tokio::test]
async fn a_hook_past_10_s_or_failing_refuses_the_invocation_with_lambdas_exception() {
    // On a virtual clock with measured CPU at 128 MB (7% of a vCPU), a hook of about 0.8 s of
    // this machine's CPU is over 10 s of Lambda's time, without waiting for it.
    let runtime = Runtime::new(crate::simulation(3).cpu(lambda_sim_runtime::CpuMode::Measured))
        .expect("the runtime starts");
    assert!(runtime.clock().is_virtual());
    let slow = runtime
        .load_file(
            lambda_sim_fixtures::path("snap-start").expect("the fixture"),
            FunctionConfig::named("snap-slow")
                .snap_start(true)
                .env("INIT_SPIN", "1000")
                .env("RESTORE_SPIN", "2000000000"),
        )
        .expect("loads");
    let payload = Payload::json("{}").expect("JSON");
    let err = slow
        .invoke(&payload, InvokeOptions::default())
        .await
        .expect_err("the restore times out");
    assert_eq!(err.error_type(), "SnapStartTimeoutException");
    assert_eq!(
        err.to_string(),
        "Lambda couldn't restore the snapshot within the timeout limit (the after-restore hooks \
         ran past 10 s)"
    );
    assert_eq!(slow.warm_environments(), 0, "the environment is not kept");

    let failing = runtime
        .load_file(
            lambda_sim_fixtures::path("snap-start").expect("the fixture"),
            FunctionConfig::named("snap-fail")
                .snap_start(true)
                .env("INIT_SPIN", "1000")
                .env("FAIL_RESTORE", "1"),
        )
        .expect("loads");
    let err = failing
        .invoke(&payload, InvokeOptions::default())
        .await
        .expect_err("the restore fails");
    assert_eq!(err.error_type(), "SnapStartException");
    // A boxed error's type is its type name, as `lambda_runtime` reports it.
    let boxed = std::any::type_name::<Box<dyn std::error::Error + Send + Sync>>();
    assert_eq!(
        err.to_string(),
        format!(
            "Lambda couldn't restore the snapshot: an after-restore hook failed: {boxed}: the \
             connection pool could not be opened (FAIL_RESTORE=1)"
        )
    );
}

#[test]
fn snap_start_is_refused_with_provisioned_concurrency_or_large_ephemeral_storage() {
    let provisioned = FunctionConfig::named("f")
        .snap_start(true)
        .provisioned_concurrency(1)
        .validate()
        .map_err(|e| e.to_string());
    assert_eq!(
        provisioned,
        Err("invalid configuration: SnapStart cannot be used with provisioned concurrency, as on Lambda".to_owned())
    );
    let storage = FunctionConfig::named("f")
        .snap_start(true)
        .ephemeral_storage_mb(1024)
        .validate()
        .map_err(|e| e.to_string());
    assert_eq!(
        storage,
        Err("invalid configuration: SnapStart needs ephemeral storage of 512 MB at most, as on Lambda (it is 1024 MB)".to_owned())
    );
}

/// `lambda-sim check --snapstart` on the snap-start fixture with `vars`: exit code and stdout.
fn check_snapstart(vars: &[&str]) -> (Option<i32>, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"));
    command
        .args([
            "check",
            "--snapstart",
            lambda_sim_fixtures::SNAP_START,
            "--events",
        ])
        .arg(format!("{}/greetings", lambda_sim_fixtures::EVENTS_DIR))
        .args(["--env", "INIT_SPIN=1000"]);
    for var in vars {
        command.args(["--env", var]);
    }
    let out = command
        .env(
            "LAMBDA_SIM_CACHE_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
        )
        .output()
        .expect("lambda-sim runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn check_snapstart_flags_an_id_drawn_at_init_and_passes_one_drawn_after_restore() {
    let (code, out) = check_snapstart(&[]);
    assert_eq!(code, Some(1), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0], "unique at init, cloned by SnapStart: /id",
        "{out}"
    );
    assert!(
        lines[1].starts_with("  event `1-ada.json`, field `/id`: \"")
            && lines[1].contains("in every environment restored from one snapshot;"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("make it in an after-restore hook"),
        "{out}"
    );

    // An id and a time read in the after-restore hook differ per environment: not flagged.
    let (code, out) = check_snapstart(&["ID_AT_RESTORE=1", "TIME_AT_RESTORE=1"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("unique after restore: 4 event(s)"), "{out}");

    // A handle kept open from init is the publishing environment's: the handler fails only
    // after a restore.
    let (code, out) = check_snapstart(&["ID_AT_RESTORE=1", "KEEP_FILE=1"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.starts_with(
            "fails after restore: event `1-ada.json` failed in an environment restored from the \
             snapshot, and not after a fresh init: Runtime.ExitError: "
        ),
        "{out}"
    );
    // A restore refused (its hook fails) stops the check with Lambda's error.
    let (code, out) = check_snapstart(&["FAIL_RESTORE=1"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(
        out.contains("Lambda couldn't restore the snapshot: an after-restore hook failed"),
        "{out}"
    );
}

#[tokio::test]
async fn a_failed_publication_is_kept_and_refuses_cold_starts_at_once() {
    let function = snap_start(
        "snap-init-fails",
        FunctionConfig::named("snap-init-fails").env("FAIL_INIT", "1"),
    );
    let payload = Payload::json("{}").expect("JSON");
    for _ in 0..2 {
        let err = function
            .invoke(&payload, InvokeOptions::default())
            .await
            .expect_err("no snapshot");
        assert_eq!(err.error_type(), "SnapStartException");
        assert_eq!(
            err.to_string(),
            "the function's init failed, so no snapshot was taken: InitError: configuration is \
             missing (FAIL_INIT=1)"
        );
    }
    assert_eq!(function.running_invocations(), 0, "no admission is kept");
}

#[test]
fn invoke_snap_start_prints_the_publication_then_restores() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
        .args(["invoke", lambda_sim_fixtures::SNAP_START, "--snap-start"])
        .args(["--memory", "1769", "--repeat", "2", "-p", "{}"])
        .env(
            "LAMBDA_SIM_CACHE_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
        )
        .output()
        .expect("lambda-sim runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let kinds: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.split([' ', '\t']).next())
        .filter(|word| word.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .collect();
    assert_eq!(
        kinds,
        [
            "INIT_START",
            "INIT_REPORT",
            "RESTORE_START",
            "RESTORE_REPORT",
            "START",
            "END",
            "REPORT",
            "START",
            "END",
            "REPORT"
        ],
        "{stderr}"
    );
    let reports: Vec<ReportLine> = stderr
        .lines()
        .filter(|line| line.starts_with("REPORT "))
        .map(|line| ReportLine::parse(line).expect("a REPORT line"))
        .collect();
    assert!(reports[0].restore_duration_ms.is_some() && reports[0].init_duration_ms.is_none());
    assert!(reports[1].restore_duration_ms.is_none(), "warm");
    assert!(
        stderr.contains("published with SnapStart: a "),
        "the snapshot's note: {stderr}"
    );
}
