//! Lambda's "suppressed init": an Init phase that fails or runs past 10 s is run again at
//! the start of the first invocation's Invoke phase, under the function's timeout; its time
//! is then in the REPORT's Duration, which has no Init Duration.

use std::time::Duration;

use lambda_sim_harness::ReportLine;
use lambda_sim_runtime::{Function, FunctionConfig, Invocation, Payload, Runtime};

use crate::{invoke, json, load, simulation};

/// The log lines with request ids, durations, timestamps and memory figures replaced by
/// placeholders, so that a test states their order and shape exactly.
fn shape(invocation: &Invocation) -> Vec<String> {
    invocation
        .log_lines()
        .into_iter()
        .map(|line| {
            let line = line.replace(&invocation.request_id, "<id>");
            let mut out = Vec::new();
            for field in line.split('\t') {
                let field = match field.split_once(": ") {
                    Some((key, value)) if key.ends_with("Duration") && value.ends_with(" ms") => {
                        format!("{key}: <ms> ms")
                    }
                    Some(("Max Memory Used", _)) => "Max Memory Used: <mb> MB".to_owned(),
                    Some(("INIT_START Runtime Version", _)) => "INIT_START".to_owned(),
                    Some(("Runtime Version ARN", _)) => continue,
                    _ => field.to_owned(),
                };
                out.push(field);
            }
            let line = out.join("\t");
            // `<timestamp> <id> Task timed out ...`
            match line.split_once(' ') {
                Some((stamp, rest)) if stamp.ends_with('Z') && stamp.contains('T') => {
                    format!("<time> {rest}")
                }
                _ => line,
            }
        })
        .collect()
}

fn report_of(invocation: &Invocation) -> ReportLine {
    let line = invocation.log_lines().pop().expect("a REPORT line");
    ReportLine::parse(&line).expect("a CloudWatch REPORT line")
}

#[tokio::test]
async fn a_failing_init_is_run_again_in_the_invoke_phase_then_answers_its_error() {
    let failing = load(
        "slow-init",
        FunctionConfig::named("fail-init").env("FAIL_INIT", "1"),
    );
    let failed = invoke(&failing, "{}").await;
    assert_eq!(
        failed
            .error()
            .map(|e| (e.error_type.as_str(), e.error_message.as_str())),
        Some(("InitError", "configuration is missing (FAIL_INIT=1)"))
    );
    assert_eq!(
        shape(&failed),
        [
            "INIT_START",
            "INIT_REPORT Init Duration: <ms> ms\tPhase: init\tStatus: error\tError Type: InitError",
            "START RequestId: <id> Version: $LATEST",
            "INIT_REPORT Init Duration: <ms> ms\tPhase: invoke\tStatus: error\tError Type: InitError",
            "END RequestId: <id>",
            "REPORT RequestId: <id>\tDuration: <ms> ms\tBilled Duration: <ms> ms\tMemory Size: 128 MB\tMax Memory Used: <mb> MB\tStatus: error\tError Type: InitError\t",
        ]
    );
    assert!(failed.is_cold() && failed.init_retry.is_some());
    assert_eq!(report_of(&failed).init_duration_ms, None);
    assert_eq!(failing.warm_environments(), 0);
    let again = invoke(&failing, "{}").await;
    assert!(
        again.is_cold() && again.init_retry.is_some(),
        "the next invocation starts over"
    );

    // The Telemetry API records name each Init's phase.
    let records = failed.log_records();
    let phases: Vec<(String, String)> = records
        .iter()
        .filter(|r| {
            r["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("platform.init"))
        })
        .map(|r| {
            (
                r["type"].as_str().unwrap_or("").to_owned(),
                format!("{}/{}", r["record"]["phase"], r["record"]["status"]),
            )
        })
        .collect();
    assert_eq!(
        phases,
        [
            ("platform.initStart".to_owned(), "\"init\"/null".to_owned()),
            (
                "platform.initReport".to_owned(),
                "\"init\"/\"error\"".to_owned()
            ),
            (
                "platform.initStart".to_owned(),
                "\"invoke\"/null".to_owned()
            ),
            (
                "platform.initReport".to_owned(),
                "\"invoke\"/\"error\"".to_owned()
            ),
        ]
    );
}

/// `slow-init` loading with `spins` iterations in its init, on a deterministic-CPU virtual
/// clock at 128 MB.
fn spinning(runtime: &Runtime, name: &str, spins: u64, timeout: u64) -> Function {
    let path = lambda_sim_fixtures::path("slow-init").expect("the slow-init fixture");
    runtime
        .load_file(
            path,
            FunctionConfig::named(name)
                .env("INIT_SPIN", spins.to_string())
                .timeout(Duration::from_secs(timeout)),
        )
        .expect("slow-init loads")
}

async fn call_at(function: &Function, at: Duration) -> Invocation {
    function
        .invoke_at(at, &Payload::json("{}").expect("json"))
        .await
        .expect("an environment")
}

async fn call(function: &Function) -> Invocation {
    call_at(function, Duration::ZERO).await
}

#[tokio::test]
async fn an_init_past_10_s_is_run_again_under_the_functions_timeout() {
    let runtime = Runtime::new(simulation(11)).expect("runtime");
    // Calibrate: what an init of 10 million spins costs at 128 MB, in deterministic CPU.
    let quick = call(&spinning(&runtime, "quick", 0, 60)).await;
    let ten_million = call(&spinning(&runtime, "calibrate", 10_000_000, 60)).await;
    let base = quick.init.as_ref().expect("cold").duration;
    let per_spin = (ten_million.init.as_ref().expect("cold").duration - base) / 10_000_000;
    // An init of about 12 s: past the Init limit, within a 60 s timeout.
    let spins =
        u64::try_from((Duration::from_secs(12) - base).as_nanos() / per_spin.as_nanos().max(1))
            .expect("spins");

    let slow = spinning(&runtime, "slow", spins, 60);
    let first = call(&slow).await;
    assert_eq!(
        json(&first)["entries"],
        200_000,
        "the handler ran after the second init"
    );
    let init = first.init.as_ref().expect("a cold start");
    assert!(init.timed_out && init.duration >= Duration::from_secs(10));
    let retry = first.init_retry.as_ref().expect("init ran again");
    assert!(retry.error.is_none());
    assert!(
        (Duration::from_millis(11_500)..Duration::from_millis(12_500)).contains(&retry.duration),
        "the second init runs to its end: {:?}",
        retry.duration
    );
    let lines = shape(&first);
    assert!(
        lines
            .get(3)
            .is_some_and(|l| l.starts_with(&format!("init spun {spins} times"))),
        "the second init's output follows START: {lines:?}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| !l.starts_with("init spun"))
            .collect::<Vec<_>>(),
        [
            "INIT_START",
            "INIT_REPORT Init Duration: <ms> ms\tPhase: init\tStatus: timeout",
            "START RequestId: <id> Version: $LATEST",
            "init built the lookup table",
            "END RequestId: <id>",
            "REPORT RequestId: <id>\tDuration: <ms> ms\tBilled Duration: <ms> ms\tMemory Size: 128 MB\tMax Memory Used: <mb> MB\t",
        ]
    );
    let report = report_of(&first);
    assert_eq!(
        report.init_duration_ms, None,
        "a suppressed init's REPORT has no Init Duration"
    );
    assert!(report.duration_ms >= retry.duration.as_secs_f64() * 1000.0);
    assert_eq!(
        report.billed_duration_ms,
        (first.report.duration + init.duration)
            .as_nanos()
            .div_ceil(1_000_000) as u64,
        "Duration (with the second init) and the first init are billed"
    );
    assert!(
        !call_at(&slow, first.ends_at).await.is_cold(),
        "the environment is kept"
    );

    // Within a 5 s timeout, the second init runs out of time too.
    let short = spinning(&runtime, "short", spins, 5);
    let timed_out = call(&short).await;
    assert_eq!(
        timed_out.error().map(|e| (
            e.error_type.as_str(),
            e.error_message.replace(&timed_out.request_id, "<id>")
        )),
        Some((
            "Sandbox.Timedout",
            "RequestId: <id> Error: Task timed out after 5.00 seconds".to_owned()
        ))
    );
    assert_eq!(
        shape(&timed_out)
            .into_iter()
            .filter(|l| !l.starts_with("init spun"))
            .collect::<Vec<_>>(),
        [
            "INIT_START",
            "INIT_REPORT Init Duration: <ms> ms\tPhase: init\tStatus: timeout",
            "START RequestId: <id> Version: $LATEST",
            "INIT_REPORT Init Duration: <ms> ms\tPhase: invoke\tStatus: timeout",
            "<time> <id> Task timed out after 5.00 seconds",
            "END RequestId: <id>",
            "REPORT RequestId: <id>\tDuration: <ms> ms\tBilled Duration: <ms> ms\tMemory Size: 128 MB\tMax Memory Used: <mb> MB\tStatus: timeout\t",
        ]
    );
    assert_eq!(report_of(&timed_out).duration_ms, 5000.0);
    assert_eq!(short.warm_environments(), 0);
}
