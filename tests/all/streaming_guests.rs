//! Lambda response streaming from the guest's side, in each way a handler streams: the Rust
//! SDK's `ResponseStream` (`fixtures/guests/stream-chunks`), `lambda_runtime`'s
//! `StreamResponse` and `lambda_http::run_with_streaming_response` built unchanged
//! (`fixtures/lambda-runtime/streaming`, `http-streaming`), and Node.js's
//! `awslambda.streamifyResponse` (`fixtures/node/streaming`). A plain invoke answers with what
//! was written; a streamed one (`InvokeOptions::stream`) receives each chunk as it is written;
//! an error part-way is the invocation's error.

use std::path::Path;
use std::time::{Duration, Instant};

use lambda_sim_runtime::{
    Function, FunctionConfig, Invocation, InvokeOptions, Payload, StreamPart, response_stream,
};
use serde_json::{Value, json};

use crate::{fixture, invoke, runtime};

/// What separates a function URL's JSON prelude from the body.
const NULLS: [u8; 8] = [0; 8];

/// The response's bytes (panics with the error and the log if the invocation failed).
fn bytes(invocation: &Invocation) -> &[u8] {
    match &invocation.result {
        Ok(bytes) => bytes,
        Err(err) => panic!(
            "the invocation failed: {err:?}\n{}",
            invocation.log_lines().join("\n")
        ),
    }
}

/// The invocation's error type and message (panics if it answered).
fn error(invocation: &Invocation) -> (String, String) {
    match &invocation.result {
        Ok(bytes) => panic!(
            "the invocation answered {:?}",
            String::from_utf8_lossy(bytes)
        ),
        Err(err) => (err.error_type.clone(), err.error_message.clone()),
    }
}

/// A function URL response: the prelude (as JSON) and the body after the eight null bytes.
fn http_parts(response: &[u8]) -> (Value, Vec<u8>) {
    let at = response
        .windows(NULLS.len())
        .position(|window| window == NULLS)
        .unwrap_or_else(|| {
            panic!(
                "no eight null bytes after the prelude: {:?}",
                String::from_utf8_lossy(response)
            )
        });
    let prelude = serde_json::from_slice(&response[..at]).expect("the prelude is JSON");
    (prelude, response[at + NULLS.len()..].to_vec())
}

/// What a streamed invocation sent, with when each part came.
struct Streamed {
    invocation: Invocation,
    content_type: Option<String>,
    chunks: Vec<(Instant, Vec<u8>)>,
}

impl Streamed {
    /// All the chunks, one after the other.
    fn body(&self) -> Vec<u8> {
        self.chunks.iter().flat_map(|(_, c)| c.clone()).collect()
    }

    /// The times between a chunk and the next.
    fn gaps(&self) -> Vec<Duration> {
        self.chunks
            .windows(2)
            .map(|pair| pair[1].0 - pair[0].0)
            .collect()
    }
}

/// How fast a streamed response may go past its first 6 MB.
#[derive(Clone, Copy)]
enum Bandwidth {
    /// Lambda's 2 MB/s.
    Lambdas,
    /// No cap (a test of the size limit need not wait 100 s).
    Uncapped,
}

/// Invokes with a response sink and reads what arrives while the handler runs.
async fn invoke_streamed(function: &Function, event: Value, bandwidth: Bandwidth) -> Streamed {
    let (sink, mut parts) = response_stream();
    let sink = match bandwidth {
        Bandwidth::Lambdas => sink,
        Bandwidth::Uncapped => sink.bandwidth(None),
    };
    let reader = tokio::spawn(async move {
        let mut content_type = None;
        let mut chunks = Vec::new();
        while let Some(part) = parts.recv().await {
            match part {
                StreamPart::ContentType(value) => content_type = Some(value),
                StreamPart::Chunk(chunk) if chunk.is_empty() => {}
                StreamPart::Chunk(chunk) => chunks.push((Instant::now(), chunk.to_vec())),
            }
        }
        (content_type, chunks)
    });
    let invocation = function
        .invoke(
            &Payload::from_value(&event),
            InvokeOptions::default().stream(sink),
        )
        .await
        .expect("an environment is available");
    let (content_type, chunks) = reader.await.expect("the reader ends with the stream");
    Streamed {
        invocation,
        content_type,
        chunks,
    }
}

/// Each gap about 100 ms: the chunks came as they were written, not at the end.
#[track_caller]
fn assert_100_ms_apart(streamed: &Streamed, chunks: usize) {
    assert_eq!(
        streamed.chunks.len(),
        chunks,
        "{:?}",
        String::from_utf8_lossy(&streamed.body())
    );
    for gap in streamed.gaps() {
        assert!(
            gap >= Duration::from_millis(80) && gap < Duration::from_millis(600),
            "chunks {:?} apart, not about 100 ms: {:?}",
            gap,
            streamed.gaps()
        );
    }
}

/// `chunk i`, spaces and `\n`, 16 bytes each, as stream-chunks writes them.
fn sdk_chunks(n: u32) -> Vec<u8> {
    (0..n)
        .flat_map(|i| format!("{:<15}\n", format!("chunk {i}")).into_bytes())
        .collect()
}

#[tokio::test]
async fn a_rust_sdk_stream_answers_a_plain_invoke_with_what_it_wrote() {
    let function = fixture("stream-chunks");
    let response = invoke(&function, r#"{"interval_ms": 0}"#).await;
    assert_eq!(bytes(&response), sdk_chunks(3));
    let wider = invoke(&function, r#"{"chunks": 2, "bytes": 4, "interval_ms": 0}"#).await;
    assert_eq!(bytes(&wider), b"chunk 0\nchunk 1\n", "a chunk is never cut");
}

#[tokio::test]
async fn a_rust_sdk_stream_failing_part_way_is_the_invocations_error() {
    let function = fixture("stream-chunks");
    let failed = invoke(&function, r#"{"fail_after": 2, "interval_ms": 0}"#).await;
    assert_eq!(
        error(&failed),
        ("StreamError".to_owned(), "failed after 2 chunks".to_owned())
    );
    let again = invoke(&function, r#"{"interval_ms": 0}"#).await;
    assert_eq!(
        bytes(&again),
        sdk_chunks(3),
        "the next invocation starts a stream of its own"
    );
}

#[tokio::test]
async fn a_rust_sdk_stream_past_the_buffered_limit_is_response_size_too_large() {
    let function = fixture("stream-chunks");
    let big = invoke(
        &function,
        r#"{"total_bytes": 7000000, "chunk_bytes": 1048576}"#,
    )
    .await;
    assert_eq!(error(&big).0, "Function.ResponseSizeTooLarge");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_rust_sdk_response_arrives_chunk_by_chunk_100_ms_apart() {
    let function = fixture("stream-chunks");
    let streamed = invoke_streamed(&function, json!({}), Bandwidth::Lambdas).await;
    assert_eq!(bytes(&streamed.invocation), b"", "handle returns nothing");
    assert_eq!(streamed.content_type.as_deref(), Some("text/plain"));
    assert_eq!(streamed.body(), sdk_chunks(3));
    assert_100_ms_apart(&streamed, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_rust_sdk_response_stops_at_200_mb_with_the_writes_error() {
    let mut config = FunctionConfig::named("stream-chunks-big");
    config.memory_size_mb = 1024;
    config.timeout = Duration::from_secs(60);
    let function = crate::load("stream-chunks", config);
    let streamed = invoke_streamed(
        &function,
        json!({"total_bytes": 220_000_000u64, "chunk_bytes": 1_048_576}),
        Bandwidth::Uncapped,
    )
    .await;
    assert_eq!(
        error(&streamed.invocation).0,
        "Function.ResponseSizeTooLarge"
    );
    assert_eq!(streamed.body().len(), 200 * 1024 * 1024, "cut at 200 MiB");
}

/// A `lambda_runtime` fixture built by `lambda-sim build` (the stand-ins swapped in).
fn lambda_runtime_fixture(name: &str) -> Function {
    crate::rust_functions::load(name, FunctionConfig::named(name))
}

/// A function URL request, as `lambda_http` reads it.
fn function_url_event() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("compat/lambda_http/tests/data/lambda_function_url_request.json");
    let text = std::fs::read_to_string(&path).expect("the function URL event");
    serde_json::from_str(&text).expect("the event is JSON")
}

#[tokio::test]
async fn a_lambda_runtime_stream_response_is_its_prelude_nulls_and_chunks() {
    let function = lambda_runtime_fixture("streaming");
    let response = invoke(&function, "{}").await;
    let (prelude, body) = http_parts(bytes(&response));
    assert_eq!(
        prelude,
        json!({"statusCode": 200, "headers": {"content-type": "application/octet-stream"}, "cookies": []}),
        "upstream's default prelude"
    );
    assert_eq!(body, b"chunk 0\nchunk 1\nchunk 2\n");
    let failed = invoke(&function, r#"{"fail_after": 1}"#).await;
    assert_eq!(
        error(&failed),
        (
            "Runtime.StreamError".to_owned(),
            "failed after 1 chunks".to_owned()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lambda_runtime_channel_streams_each_chunk_when_sent() {
    // The task sends a chunk, then blocks the only thread for 100 ms (upstream's example):
    // `send_data` returns once the chunk has gone out.
    let function = lambda_runtime_fixture("streaming");
    let streamed = invoke_streamed(&function, json!({}), Bandwidth::Lambdas).await;
    assert_eq!(
        streamed.content_type.as_deref(),
        Some("application/vnd.awslambda.http-integration-response")
    );
    let (_, body) = http_parts(&streamed.body());
    assert_eq!(body, b"chunk 0\nchunk 1\nchunk 2\n");
    // The prelude and the nulls are one write; each chunk one more.
    assert_100_ms_apart(
        &Streamed {
            chunks: streamed.chunks[1..].to_vec(),
            ..streamed
        },
        3,
    );
}

#[tokio::test]
async fn a_lambda_http_streaming_response_sends_status_headers_cookies_then_the_body() {
    let function = lambda_runtime_fixture("http-streaming");
    let response = crate::invoke(&function, &function_url_event().to_string()).await;
    let (prelude, body) = http_parts(bytes(&response));
    assert_eq!(
        prelude,
        json!({
            "statusCode": 201,
            "headers": {"content-type": "text/plain", "x-streamed": "yes"},
            "cookies": ["visited=1"],
        })
    );
    assert_eq!(body, b"part 0\npart 1\npart 2\n");
}

/// The Node.js streaming fixture in the shared runtime (`None`: no node, with
/// `LAMBDA_SIM_ALLOW_SKIP=1`).
fn node_streaming() -> Option<Function> {
    crate::node::load(runtime(), "streaming", "index.handler", 512)
}

#[tokio::test]
async fn a_node_streamify_response_answers_with_what_it_wrote() {
    let Some(function) = node_streaming() else {
        return;
    };
    let response = invoke(&function, "{}").await;
    assert_eq!(bytes(&response), b"chunk 0\nchunk 1\nchunk 2\n");
    let http = invoke(&function, r#"{"http": true}"#).await;
    let (prelude, body) = http_parts(bytes(&http));
    assert_eq!(
        prelude,
        json!({
            "statusCode": 201,
            "headers": {"content-type": "text/plain", "x-streamed": "yes"},
            "cookies": ["visited=1"],
        })
    );
    assert_eq!(body, b"part 0\npart 1\n", "piped from a Readable");
}

#[tokio::test]
async fn a_node_error_thrown_mid_stream_is_the_invocations_error() {
    let Some(function) = node_streaming() else {
        return;
    };
    let failed = invoke(&function, r#"{"fail_after": 2}"#).await;
    assert_eq!(
        error(&failed),
        ("Error".to_owned(), "failed after 2 chunks".to_owned())
    );
    assert!(
        failed
            .log_lines()
            .iter()
            .any(|line| line.contains("Invoke Error") && line.contains("failed after 2 chunks")),
        "{:?}",
        failed.log_lines()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_node_response_arrives_chunk_by_chunk_100_ms_apart() {
    let Some(function) = node_streaming() else {
        return;
    };
    let streamed = invoke_streamed(&function, json!({}), Bandwidth::Lambdas).await;
    assert_eq!(streamed.content_type.as_deref(), Some("text/plain"));
    assert_eq!(streamed.body(), b"chunk 0\nchunk 1\nchunk 2\n");
    assert_100_ms_apart(&streamed, 3);
}
