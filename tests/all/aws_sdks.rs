//! Rust functions calling AWS through the official AWS SDK for Rust (`fixtures/aws-sdk/`): built
//! for `wasm32-wasip2` with `aws-smithy-wasm`'s wasi:http client, their requests to
//! `AWS_ENDPOINT_URL` are answered in process by lambda-sim's AWS APIs.
//!
//! The SDK is the largest build of the fixtures (minutes on two cores), so its workspace is
//! built here only, with its own target directory and `Cargo.lock`.

use std::path::Path;

use lambda_sim_build::{BuildOptions, build_handler_with};
use lambda_sim_runtime::FunctionConfig;
use serde_json::json;

#[tokio::test]
async fn the_aws_sdk_for_rust_s3_client_puts_and_gets_an_object_in_lambda_sim() {
    let bucket = "rust-sdk-bucket";
    crate::aws()
        .services()
        .objects
        .create_bucket(bucket)
        .expect("the bucket is made");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/aws-sdk/s3-put-get");
    let wasm = build_handler_with(&dir, &BuildOptions::default()).expect("s3-put-get builds");
    let mut config = FunctionConfig::named("rust-s3-put-get");
    config.memory_size_mb = 512;
    let function = crate::runtime()
        .load_file(wasm, config.env("BUCKET", bucket))
        .expect("s3-put-get loads");
    let started = std::time::Instant::now();
    let cold = crate::invoke_in_turn(&function, json!({"body": "Hello from the SDK!"})).await;
    let cold_wall = started.elapsed();
    let started = std::time::Instant::now();
    let warm = crate::invoke_in_turn(&function, json!({"body": "Hello again!"})).await;
    eprintln!(
        "s3-put-get: cold {cold_wall:?} wall, warm {:?} wall\n{}\n{}",
        started.elapsed(),
        cold.report,
        warm.report,
    );
    assert!(cold.is_cold());
    assert!(
        !warm.is_cold(),
        "the client made in `main` serves again warm"
    );
    // S3's ETag of a single-part upload: the body's MD5 in hex, quoted.
    for (invocation, body, md5) in [
        (
            &cold,
            "Hello from the SDK!",
            "6bb296078527284062a3f72f2847f55e",
        ),
        (&warm, "Hello again!", "eb42d96bdba3982c623d20284b808d8b"),
    ] {
        let lines = invocation.log_lines();
        assert!(
            invocation.result.is_ok(),
            "{:?}\n{}",
            invocation.result,
            lines.join("\n")
        );
        assert_eq!(
            crate::json(invocation),
            json!({"etag": format!("\"{md5}\""), "body": body})
        );
        assert!(
            !lines
                .iter()
                .any(|line| line.contains("[lambda-sim] refused")),
            "every request went to lambda-sim's APIs: {lines:?}"
        );
    }
    assert_eq!(
        crate::aws()
            .services()
            .objects
            .get(bucket, "hello.txt")
            .expect("the store answers")
            .as_deref(),
        Some(&b"Hello again!"[..])
    );
}
