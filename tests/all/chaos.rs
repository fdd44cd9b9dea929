//! Chaos runs: 10,000 asynchronous events while 5% of attempts have their environment killed
//! mid-invocation; every event is accounted for, and the same seed gives the same report.

use lambda_sim_harness::{ChaosOptions, chaos_run};
use lambda_sim_runtime::{Function, FunctionConfig, Payload, Runtime};

/// The `hello` fixture as `name`, alone in a simulation of `seed`.
fn hello(seed: u64, name: &str) -> Function {
    Runtime::new(crate::simulation(seed))
        .expect("runtime")
        .load_file(lambda_sim_fixtures::HELLO, FunctionConfig::named(name))
        .expect("hello loads")
}

async fn run(seed: u64) -> lambda_sim_harness::ChaosReport {
    let hello = hello(seed, "chaos");
    let options = ChaosOptions {
        seed,
        ..ChaosOptions::default()
    };
    chaos_run(
        &hello,
        &Payload::json(r#"{"name": "chaos"}"#).expect("JSON"),
        &options,
    )
    .await
    .expect("the run completes")
}

#[tokio::test]
async fn every_event_is_accounted_for_under_kills_and_the_seed_repeats_the_run() {
    let report = run(11).await;
    assert_eq!(report.events, 10_000);
    assert!(report.holds(), "{report}");
    assert_eq!(report.lost, 0);
    assert_eq!(report.duplicated, 0);
    assert_eq!(report.delivered + report.failed, 10_000);
    // About 5% of some 10,500 attempts are killed, each one an error, a retry and a cold start.
    assert!((400..=650).contains(&report.kills_during), "{report}");
    assert_eq!(
        report.errors, report.kills_during,
        "only the kills fail (hello never does)"
    );
    assert!(report.retries >= report.errors - report.failed);
    assert!(
        report.cold_starts >= report.kills_during,
        "a killed environment is replaced"
    );
    assert_eq!(report.attempts, 10_000 + report.retries);
    assert_eq!(run(11).await, report, "the same seed gives the same report");
}

#[test]
fn the_cli_reports_the_run_and_gates_on_its_invariants() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
        .args([
            "chaos",
            lambda_sim_fixtures::HELLO,
            "--events",
            "2000",
            "--seed",
            "5",
        ])
        .env(
            "LAMBDA_SIM_CACHE_DIR",
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
        )
        .output()
        .expect("lambda-sim runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("events:          2000\n"), "{stdout}");
    assert!(stdout.contains("\nlost:            0\n"), "{stdout}");
    assert!(stdout.ends_with("duplicated:      0\n"), "{stdout}");
}

#[tokio::test]
async fn injected_faults_delay_and_fail_invocations_like_fis() {
    let hello = hello(1, "faults");
    let payload = Payload::json(r#"{"name": "fis"}"#).expect("JSON");
    hello.inject_faults(lambda_sim_runtime::Faults {
        delay_percentage: 100.0,
        startup_delay: std::time::Duration::from_secs(2),
        ..Default::default()
    });
    let delayed = hello
        .invoke_at(std::time::Duration::from_secs(100), &payload)
        .await
        .expect("admitted");
    let cold = delayed
        .init
        .as_ref()
        .map(|i| i.cold_start.total())
        .unwrap_or_default();
    let started = delayed
        .started_at
        .duration_since(std::time::UNIX_EPOCH + lambda_sim_runtime::VIRTUAL_EPOCH)
        .unwrap_or_default();
    assert_eq!(
        started,
        std::time::Duration::from_secs(102) + cold,
        "the handler starts 2 s late"
    );
    assert!(delayed.result.is_ok());

    hello.inject_faults(lambda_sim_runtime::Faults {
        error_percentage: 100.0,
        prevent_execution: true,
        ..Default::default()
    });
    let failed = hello
        .invoke_at(std::time::Duration::from_secs(200), &payload)
        .await
        .expect("admitted");
    assert_eq!(
        failed.error().map(|e| e.error_type.as_str()),
        Some(lambda_sim_runtime::FAULT_ERROR_TYPE)
    );
    assert!(failed.log.lines().is_empty(), "the handler did not run");
    hello.inject_faults(lambda_sim_runtime::Faults::default());
    assert!(
        hello
            .invoke_at(std::time::Duration::from_secs(300), &payload)
            .await
            .expect("admitted")
            .result
            .is_ok()
    );

    let options = ChaosOptions {
        events: 2_000,
        seed: 2,
        faults: lambda_sim_runtime::Faults {
            error_percentage: 10.0,
            ..Default::default()
        },
        ..ChaosOptions::default()
    };
    let report = chaos_run(&hello, &payload, &options)
        .await
        .expect("the run completes");
    assert!(report.holds(), "{report}");
    assert!(
        report.errors > report.kills_during + 100,
        "forced errors come on top of kills: {report}"
    );
}

#[tokio::test]
async fn a_chaos_run_leaves_the_functions_own_faults_as_it_found_them() {
    let hello = hello(5, "own-faults");
    let own = lambda_sim_runtime::Faults {
        delay_percentage: 20.0,
        startup_delay: std::time::Duration::from_millis(300),
        error_percentage: 3.0,
        prevent_execution: true,
    };
    hello.inject_faults(own.clone());
    let options = ChaosOptions {
        events: 500,
        seed: 5,
        faults: lambda_sim_runtime::Faults {
            error_percentage: 50.0,
            ..Default::default()
        },
        ..ChaosOptions::default()
    };
    let payload = Payload::json(r#"{"name": "chaos"}"#).expect("JSON");
    let report = chaos_run(&hello, &payload, &options)
        .await
        .expect("the run completes");
    assert!(report.holds(), "{report}");
    assert!(
        report.errors > report.kills_during + 100,
        "the run's own faults applied to its attempts: {report}"
    );
    assert_eq!(hello.faults(), own, "the function's own faults are back");

    let plain = chaos_run(
        &hello,
        &payload,
        &ChaosOptions {
            events: 100,
            ..ChaosOptions::default()
        },
    )
    .await
    .expect("the run completes");
    assert!(plain.holds(), "{plain}");
    assert_eq!(hello.faults(), own, "a run without faults leaves them too");
}
