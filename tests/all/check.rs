//! The statelessness check on the fixtures: stateful ones are caught with the event that shows
//! it and what they kept; stateless ones pass, including one that caches at init.

use lambda_sim_harness::{CheckOptions, Run, check_stateless, read_events};
use serde_json::json;

use crate::fixture;

fn events(dir: &str) -> Vec<lambda_sim_harness::NamedEvent> {
    read_events(&std::path::Path::new(lambda_sim_fixtures::EVENTS_DIR).join(dir))
        .expect("the events read")
}

#[tokio::test]
async fn a_counter_in_a_static_is_caught_at_the_second_event() {
    let verdict = check_stateless(
        &fixture("counter"),
        &events("greetings"),
        &CheckOptions::default(),
    )
    .await
    .expect("the check runs");
    let difference = verdict.difference.clone().expect("counter is stateful");
    assert_eq!(difference.event, "2-grace.json");
    assert_eq!(difference.run, Run::Warm);
    assert_eq!(difference.fresh, json!({"count": 1}));
    assert_eq!(difference.other, json!({"count": 2}));
    assert_eq!(difference.diff, ["- /count: 1", "+ /count: 2"]);
    assert!(verdict.kept_files.is_empty());
    assert!(verdict.to_string().starts_with(
        "stateful: event `2-grace.json` was answered differently in order on one warm environment"
    ));
}

#[tokio::test]
async fn a_cache_in_tmp_is_caught_and_the_kept_file_named() {
    let verdict = check_stateless(
        &fixture("tmp-cache"),
        &events("greetings"),
        &CheckOptions::default(),
    )
    .await
    .expect("the check runs");
    let difference = verdict.difference.clone().expect("tmp-cache is stateful");
    assert_eq!(difference.event, "2-grace.json");
    assert_eq!(
        difference.other,
        json!({"cached": true, "value": {"name": "Ada"}})
    );
    assert_eq!(verdict.kept_files, ["/tmp/cache.json"]);
    assert!(
        verdict
            .to_string()
            .ends_with("kept in /tmp between invocations: /tmp/cache.json")
    );
}

#[tokio::test]
async fn stateless_functions_pass_including_one_that_caches_at_init() {
    for (fixture_name, dir) in [
        ("hello", "greetings"),
        ("apigw", "apigw"),
        ("slow-init", "greetings"),
    ] {
        let verdict = check_stateless(
            &fixture(fixture_name),
            &events(dir),
            &CheckOptions::default(),
        )
        .await
        .expect("the check runs");
        assert!(verdict.is_stateless(), "{fixture_name}: {verdict}");
    }
}

#[tokio::test]
async fn ignored_fields_do_not_count() {
    let verdict = check_stateless(
        &fixture("counter"),
        &events("greetings"),
        &CheckOptions {
            ignore: vec!["count".to_owned()],
            ..CheckOptions::default()
        },
    )
    .await
    .expect("the check runs");
    assert!(verdict.is_stateless(), "{verdict}");
}

#[test]
fn the_cli_exits_non_zero_on_a_stateful_function() {
    let run = |wasm: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
            .args([
                "check",
                wasm,
                "--events",
                &format!("{}/greetings", lambda_sim_fixtures::EVENTS_DIR),
            ])
            .env(
                "LAMBDA_SIM_CACHE_DIR",
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
            )
            .output()
            .expect("lambda-sim runs")
    };
    let stateful = run(lambda_sim_fixtures::COUNTER);
    assert_eq!(stateful.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&stateful.stdout).starts_with("stateful: event `2-grace.json`")
    );
    let stateless = run(lambda_sim_fixtures::HELLO);
    assert_eq!(stateless.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&stateless.stdout).starts_with("stateless: 4 event(s)"));
}
