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

/// The `check-cases` fixture as `case` (its `CASE` variable), on a virtual clock (as
/// `lambda-sim check` runs by default).
fn case(case: &str) -> lambda_sim_runtime::Function {
    static RUNTIME: std::sync::OnceLock<lambda_sim_runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| lambda_sim_runtime::Runtime::new(crate::simulation(0)).expect("a runtime"))
        .load_file(
            lambda_sim_fixtures::CHECK_CASES,
            lambda_sim_runtime::FunctionConfig::named(format!("check-{case}")).env("CASE", case),
        )
        .expect("check-cases loads")
}

async fn check_tenants(function: &lambda_sim_runtime::Function) -> lambda_sim_harness::Verdict {
    check_stateless(function, &events("tenants"), &CheckOptions::default())
        .await
        .expect("the check runs")
}

#[tokio::test]
async fn the_time_and_fresh_random_ids_are_not_state() {
    for name in ["clock", "uuid"] {
        let verdict = check_tenants(&case(name)).await;
        assert!(verdict.is_stateless(), "{name}: {verdict}");
        assert!(verdict.varying.is_empty(), "{name}: {verdict}");
        assert_eq!(verdict.passes, [Run::Warm, Run::Pairwise]);
        assert_eq!(
            verdict.to_string(),
            "stateless: 7 event(s) answered the same in fresh environments, in order on one warm \
             environment, each right after each event (itself included)"
        );
    }
}

#[tokio::test]
async fn a_generator_seeded_once_per_environment_is_listed_as_varying_not_state() {
    let verdict = check_tenants(&case("hasher")).await;
    assert!(verdict.is_stateless(), "{verdict}");
    assert!(!verdict.varying.is_empty(), "{verdict}");
    assert!(
        verdict.varying.iter().all(|v| v.fields == ["/token"]),
        "{verdict}"
    );
    assert!(
        verdict
            .to_string()
            .contains("\n  not compared, as they vary with the time or random numbers:\n    `"),
        "{verdict}"
    );
}

#[tokio::test]
async fn each_kind_of_state_is_caught_by_the_pass_that_shows_it() {
    let tenant = |name: &str| json!({ "tenant": name });
    for (name, event, run, fresh, other) in [
        (
            "env-var",
            "2-globex.json",
            Run::Warm,
            tenant("globex"),
            tenant("acme"),
        ),
        (
            "once-tenant",
            "2-globex.json",
            Run::Warm,
            tenant("globex"),
            tenant("acme"),
        ),
        (
            "cache-5",
            "6-vandelay.json",
            Run::Warm,
            json!({"tenant": "vandelay", "greeting": "hello, vandelay"}),
            json!({"tenant": "vandelay", "greeting": "hello, acme"}),
        ),
        (
            "admin-flag",
            "1-acme.json",
            Run::Pairwise,
            json!({"tenant": "acme", "admin_mode": false}),
            json!({"tenant": "acme", "admin_mode": true}),
        ),
        // Events are pinned a millisecond apart: the first event's time, kept.
        (
            "first-seen",
            "2-globex.json",
            Run::Warm,
            json!({"tenant": "globex", "since_ms": 1_767_229_200_001_u64}),
            json!({"tenant": "globex", "since_ms": 1_767_229_200_000_u64}),
        ),
        (
            "rate-limit",
            "4-umbrella.json",
            Run::Warm,
            json!({"tenant": "umbrella", "throttled": false}),
            json!({"tenant": "umbrella", "throttled": true}),
        ),
    ] {
        let verdict = check_tenants(&case(name)).await;
        let difference = verdict
            .difference
            .clone()
            .unwrap_or_else(|| panic!("{name} is stateful: {verdict}"));
        assert_eq!(
            (difference.event.as_str(), difference.run),
            (event, run),
            "{name}: {verdict}"
        );
        assert_eq!(
            (difference.fresh, difference.other),
            (fresh, other),
            "{name}"
        );
        assert!(verdict.nondeterministic.is_none(), "{name}");
        assert_eq!(verdict.passes.last(), Some(&run), "{name}");
    }
    let verdict = check_tenants(&case("admin-flag")).await;
    assert!(
        verdict.to_string().starts_with(
            "stateful: event `1-acme.json` was answered differently right after another event \
             on the same environment (after `7-wonka.json`) than in a fresh environment\n"
        ),
        "{verdict}"
    );
}

#[tokio::test]
async fn one_event_is_run_after_itself() {
    let verdict = check_stateless(
        &fixture("counter"),
        &events("greetings")[..1],
        &CheckOptions::default(),
    )
    .await
    .expect("the check runs");
    let difference = verdict.difference.clone().expect("counter is stateful");
    assert_eq!(difference.run, Run::Pairwise);
    assert!(
        verdict.to_string().starts_with(
            "stateful: event `1-ada.json` was answered differently right after another event on \
             the same environment (after itself) than in a fresh environment\n"
        ),
        "{verdict}"
    );
}

#[tokio::test]
async fn many_events_run_repeated_reversed_and_shuffled() {
    let mut many = events("tenants");
    many.extend(events("tenants").into_iter().map(|mut event| {
        event.name = format!("copy-{}", event.name);
        event
    }));
    let verdict = check_stateless(&case("uuid"), &many, &CheckOptions::default())
        .await
        .expect("the check runs");
    assert!(verdict.is_stateless(), "{verdict}");
    assert_eq!(
        verdict.passes,
        [Run::Warm, Run::Repeated, Run::Reversed, Run::Shuffled]
    );
    let verdict = check_stateless(&fixture("counter"), &many, &CheckOptions::default())
        .await
        .expect("the check runs");
    assert_eq!(verdict.difference.expect("stateful").run, Run::Warm);
}

#[test]
fn an_events_file_with_no_event_is_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let empty = dir.path().join("none.json");
    std::fs::write(&empty, "[]").expect("writes");
    let err = read_events(&empty).expect_err("no events");
    assert_eq!(
        err.to_string(),
        format!(
            "`{}` holds no events (a JSON event, an array of them, JSON Lines, or a directory \
             of .json files)",
            empty.display()
        )
    );
}

#[tokio::test]
async fn on_a_real_clock_the_time_is_non_deterministic_and_the_verdict_says_what_to_ignore() {
    let runtime = lambda_sim_runtime::Runtime::new(
        crate::simulation(5).clock(lambda_sim_runtime::ClockMode::Real),
    )
    .expect("a runtime");
    let function = runtime
        .load_file(
            lambda_sim_fixtures::CHECK_CASES,
            lambda_sim_runtime::FunctionConfig::named("check-clock-real").env("CASE", "clock"),
        )
        .expect("loads");
    let verdict = check_tenants(&function).await;
    let found = verdict
        .nondeterministic
        .clone()
        .unwrap_or_else(|| panic!("two fresh environments disagree on the time: {verdict}"));
    assert_eq!(found.run, Run::Fresh);
    assert!(verdict.difference.is_none(), "{verdict}");
    assert!(!verdict.is_stateless());
    let text = verdict.to_string();
    assert!(
        text.starts_with(&format!(
            "non-deterministic: event `{}` was answered differently by two fresh environments at \
             the same time with the same random numbers, so its answers cannot show state\n",
            found.event
        )),
        "{text}"
    );
    assert!(text.contains(" --ignore /now_ns"), "{text}");
    assert!(!text.contains("/tenant"), "{text}");
    assert!(
        text.ends_with(
            "\n  on a real clock, each event reads the host's time: a virtual clock gives it a \
             time of its own (`lambda-sim check` runs on one unless given `--clock real`)"
        ),
        "{text}"
    );
}

#[test]
fn the_cli_checks_on_a_virtual_clock_unless_told_otherwise() {
    let run = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lambda-sim"))
            .args(["check", lambda_sim_fixtures::CHECK_CASES, "--events"])
            .arg(format!("{}/tenants", lambda_sim_fixtures::EVENTS_DIR))
            .args(["--env", "CASE=clock"])
            .args(extra)
            .env(
                "LAMBDA_SIM_CACHE_DIR",
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-cache"),
            )
            .output()
            .expect("lambda-sim runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = run(&[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("stateless: 7 event(s)"), "{out}");
    let (code, out) = run(&["--clock", "real"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.starts_with("non-deterministic: event `"), "{out}");
}
