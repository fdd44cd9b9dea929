//! The test API a team uses on its own handler: `TestFunction` and its assertions.

use std::time::Duration;

use lambda_sim_harness::TestFunction;
use serde::Serialize;
use serde_json::json;

#[derive(Serialize)]
struct Greeting<'a> {
    name: &'a str,
}

#[tokio::test]
async fn a_component_is_invoked_cold_then_warm_with_readable_assertions() {
    let hello = TestFunction::from_wasm(lambda_sim_fixtures::HELLO)
        .memory(256)
        .build()
        .expect("hello loads");
    let first = hello
        .invoke(&Greeting { name: "Ada" })
        .await
        .expect("invoked");
    first
        .assert_cold()
        .assert_response_eq(json!({"greeting": "hello, Ada", "echo": {"name": "Ada"}}))
        .assert_log_contains("greeting Ada")
        .assert_init_below(Duration::from_secs(1))
        .assert_billed_below(1_000);
    hello
        .invoke_json(json!({"name": "Grace"}))
        .await
        .expect("invoked")
        .assert_warm();
    assert_eq!(hello.evict(), 1);
    hello
        .invoke_json(json!({}))
        .await
        .expect("invoked")
        .assert_cold();
}

#[tokio::test]
async fn a_handler_crate_is_built_then_tested() {
    let crate_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/guests/counter");
    let counter = TestFunction::from_crate(crate_dir)
        .expect("the crate builds")
        .build()
        .expect("loads");
    let second = {
        counter.invoke_json(json!({})).await.expect("invoked");
        counter.invoke_json(json!({})).await.expect("invoked")
    };
    assert_eq!(
        second.response_as::<serde_json::Value>(),
        json!({"count": 2})
    );
}

#[tokio::test]
async fn error_assertions_name_what_differs() {
    let spin = TestFunction::from_wasm(lambda_sim_fixtures::SPIN_FOREVER)
        .timeout(Duration::from_secs(1))
        .build()
        .expect("loads");
    let timed_out = spin.invoke_json(json!({})).await.expect("invoked");
    timed_out.assert_error_type("Sandbox.Timedout");
    let wrong = std::panic::catch_unwind(|| {
        timed_out.assert_error_type("Runtime.OutOfMemory");
    });
    let message = wrong
        .err()
        .and_then(|panic| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(
        message.starts_with("error type Sandbox.Timedout is not Runtime.OutOfMemory"),
        "{message}"
    );
    assert!(
        message.contains("Task timed out after 1.00 seconds"),
        "the log is shown: {message}"
    );
}

#[test]
fn a_plain_test_can_invoke_without_tokio() {
    let hello = TestFunction::from_wasm(lambda_sim_fixtures::HELLO)
        .build()
        .expect("loads");
    hello
        .invoke_blocking(json!({"name": "sync"}))
        .expect("invoked")
        .assert_response_eq(json!({"greeting": "hello, sync", "echo": {"name": "sync"}}));
}
