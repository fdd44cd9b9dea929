//! What a guest can see: Lambda's environment variables, its own `/tmp`, nothing of the host.

use lambda_sim_runtime::FunctionConfig;
use serde_json::json;

use crate::{invoke, json, load};

#[tokio::test]
async fn the_guest_sees_lambdas_variables_and_its_own_but_not_the_hosts() {
    let dump = load(
        "env-dump",
        FunctionConfig::named("env-dump")
            .memory_size_mb(512)
            .env("TABLE_NAME", "orders"),
    );
    let invocation = invoke(&dump, "{}").await;
    let answer = json(&invocation);
    let context = &answer["context"];
    assert_eq!(context["request_id"], invocation.request_id.as_str());
    assert_eq!(
        context["invoked_function_arn"],
        "arn:aws:lambda:us-east-1:123456789012:function:env-dump"
    );
    assert_eq!(context["function_name"], "env-dump");
    assert_eq!(context["memory"], 512);
    let remaining = context["remaining_ms"].as_u64().expect("remaining time");
    assert!(
        (2_000..=3_000).contains(&remaining),
        "3 s timeout, {remaining} ms left"
    );
    let env = &answer["env"];
    assert_eq!(env["AWS_LAMBDA_FUNCTION_NAME"], "env-dump");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "512");
    assert_eq!(env["AWS_LAMBDA_FUNCTION_VERSION"], "$LATEST");
    assert_eq!(env["AWS_LAMBDA_LOG_GROUP_NAME"], "/aws/lambda/env-dump");
    assert_eq!(env["AWS_REGION"], "us-east-1");
    assert_eq!(env["AWS_DEFAULT_REGION"], "us-east-1");
    // The execution role's credentials, as placeholders (the SDKs read them before anything).
    assert_eq!(env["AWS_ACCESS_KEY_ID"], "ASIALAMBDASIM0000000");
    assert_eq!(
        env["AWS_SESSION_TOKEN"],
        "lambda-sim-placeholder-session-token"
    );
    assert_eq!(env["TABLE_NAME"], "orders");
    let stream = env["AWS_LAMBDA_LOG_STREAM_NAME"]
        .as_str()
        .expect("a log stream");
    assert!(
        stream.contains("/[$LATEST]") && stream.len() == "2026/11/26/[$LATEST]".len() + 32,
        "{stream}"
    );
    for host_only in ["PATH", "HOME", "USER", "CARGO", "RUST_BACKTRACE"] {
        assert!(
            env.get(host_only).is_none(),
            "the host's `{host_only}` leaked into the guest"
        );
    }
    assert_eq!(answer["root"], json!([]), "only /tmp is visible");
}

#[tokio::test]
async fn tmp_survives_warm_invocations_and_not_a_new_environment() {
    let cache = load("tmp-cache", FunctionConfig::named("tmp-cache"));
    let first = json(&invoke(&cache, r#"{"v": 1}"#).await);
    let second = json(&invoke(&cache, r#"{"v": 2}"#).await);
    assert_eq!(first, json!({"cached": false, "value": {"v": 1}}));
    assert_eq!(
        second,
        json!({"cached": true, "value": {"v": 1}}),
        "/tmp is kept warm"
    );
    cache.evict_all();
    let fresh = json(&invoke(&cache, r#"{"v": 3}"#).await);
    assert_eq!(
        fresh,
        json!({"cached": false, "value": {"v": 3}}),
        "a new environment has an empty /tmp"
    );
}

#[tokio::test]
async fn two_environments_do_not_share_tmp() {
    let cache = load("tmp-cache", FunctionConfig::named("tmp-cache-2"));
    let dump = load("env-dump", FunctionConfig::named("env-dump-2"));
    assert_eq!(json(&invoke(&cache, r#"{"v": 1}"#).await)["cached"], false);
    assert_eq!(
        json(&invoke(&dump, "{}").await)["tmp"],
        json!([]),
        "another function's environment has an empty /tmp"
    );
    // Two concurrent environments of one function (the same instant on a virtual clock) each
    // get their own /tmp: neither sees the other's cache.
    let runtime = lambda_sim_runtime::Runtime::new(crate::simulation(5)).expect("runtime");
    let cache = runtime
        .load_file(
            lambda_sim_fixtures::TMP_CACHE,
            FunctionConfig::named("tmp-cache-3"),
        )
        .expect("loads");
    for v in [1, 2] {
        let payload = lambda_sim_runtime::Payload::from_value(&json!({ "v": v }));
        let concurrent = cache
            .invoke_at(std::time::Duration::ZERO, &payload)
            .await
            .expect("admitted");
        assert!(
            concurrent.is_cold(),
            "concurrent invocations get their own environments"
        );
        assert_eq!(
            json(&concurrent),
            json!({"cached": false, "value": {"v": v}})
        );
    }
    assert_eq!(
        cache.tmp_files(),
        ["/tmp/cache.json"],
        "each environment wrote its own file"
    );
    assert_eq!(cache.warm_environments(), 2);
}
