//! Response streaming end to end: boto3's `invoke_with_response_stream` reading the event
//! stream as the handler writes it, and a function URL in `RESPONSE_STREAM` mode sending
//! chunked HTTP to curl, under Lambda's bandwidth and its 200 MB limit.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::{FrontDoor, code};

fn template(invoke_mode: &str) -> String {
    format!(
        r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Chunks:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: chunks
      CodeUri: {code}
      Handler: bootstrap
      Runtime: provided.al2023
      MemorySize: 1769
      Timeout: 120
      FunctionUrlConfig:
        AuthType: NONE
        InvokeMode: {invoke_mode}
"#,
        code = code("stream-chunks")
    )
}

/// boto3's view of one streamed invocation (tests/clients/response_stream.py).
fn boto3_stream(door: &FrontDoor, payload: &str) -> Option<Value> {
    let python = crate::require(crate::clients::python())?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients/response_stream.py");
    let out = Command::new(&python)
        .arg(&script)
        .args([door.lambda.as_str(), "chunks", payload])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        door.log()
    );
    Some(serde_json::from_slice(&out.stdout).expect("the script prints JSON"))
}

#[test]
fn boto3_reads_the_chunks_as_the_handler_writes_them_then_invoke_complete() {
    let door = FrontDoor::serve(&template("BUFFERED"), &[]);
    let Some(seen) = boto3_stream(&door, r#"{"chunks": 4, "interval_ms": 100}"#) else {
        return;
    };
    assert_eq!(seen["status"], 200);
    assert_eq!(seen["executed_version"], "$LATEST");
    assert_eq!(seen["content_type"], "application/vnd.amazon.eventstream");
    let chunks = seen["chunks"].as_array().expect("chunks");
    let texts: Vec<&str> = chunks
        .iter()
        .map(|c| c["text"].as_str().expect("text"))
        .collect();
    assert_eq!(
        texts,
        [
            "chunk 0        \n",
            "chunk 1        \n",
            "chunk 2        \n",
            "chunk 3        \n"
        ]
    );
    // Each chunk came when it was written (100 ms apart): the first long before the last
    // was written, not all at the end.
    let at: Vec<f64> = chunks
        .iter()
        .map(|c| c["at_ms"].as_f64().expect("a time"))
        .collect();
    // (The first chunk's time includes boto3 reading the answer's head: the gaps after it are
    // the handler's; under load the first one can look short.)
    assert!(at[3] - at[0] >= 150.0, "{at:?}");
    for pair in at[1..].windows(2) {
        assert!(pair[1] - pair[0] >= 60.0, "{at:?}");
    }
    let complete = &seen["complete"];
    assert!(complete["ErrorCode"].is_null(), "{complete}");
    assert!(
        complete["at_ms"].as_f64().expect("a time") >= at[3],
        "{complete}"
    );
    let log = complete["LogResult"].as_str().expect("the log tail");
    assert!(log.contains("REPORT RequestId: "), "{log}");
    assert!(door.log().contains("REPORT RequestId: "), "{}", door.log());
}

#[test]
fn an_error_mid_stream_arrives_as_invoke_completes_error_code() {
    let door = FrontDoor::serve(&template("BUFFERED"), &[]);
    let Some(seen) = boto3_stream(
        &door,
        r#"{"chunks": 5, "interval_ms": 10, "fail_after": 2}"#,
    ) else {
        return;
    };
    assert_eq!(seen["status"], 200);
    assert_eq!(
        seen["chunks"].as_array().expect("chunks").len(),
        2,
        "{seen}"
    );
    assert_eq!(seen["complete"]["ErrorCode"], "StreamError", "{seen}");
    assert_eq!(seen["complete"]["ErrorDetails"], "failed after 2 chunks");
}

/// curl's `-w` figures for a URL: (exit code, first byte s, total s, bytes).
fn curl_timed(url: &str) -> (i32, f64, f64, u64) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "120", "-o", "/dev/null", "-w"])
        .arg("%{time_starttransfer} %{time_total} %{size_download}")
        .arg(url)
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let fields: Vec<&str> = text.split_whitespace().collect();
    assert_eq!(fields.len(), 3, "{text}");
    (
        out.status.code().unwrap_or(-1),
        fields[0].parse().expect("seconds"),
        fields[1].parse().expect("seconds"),
        fields[2].parse().expect("bytes"),
    )
}

#[test]
fn a_streaming_function_url_sends_10_mb_to_curl_as_it_is_written() {
    let door = FrontDoor::serve(&template("RESPONSE_STREAM"), &[]);
    let url = format!(
        "{}?total_bytes=10485760&chunk_bytes=262144",
        door.url("chunks")
    );
    let (code, first_byte, total, bytes) = curl_timed(&url);
    assert_eq!(code, 0, "{}", door.log());
    assert_eq!(bytes, 10_485_760);
    // The first 6 MB go at once, the last 4 MB at 2 MB/s: two seconds after the first byte.
    assert!(
        total - first_byte >= 1.8,
        "first byte {first_byte} s, end {total} s"
    );
    assert!(first_byte < 1.0, "first byte {first_byte} s");
    assert!(door.log().contains("REPORT RequestId: "), "{}", door.log());
}

#[test]
fn a_streamed_response_past_200_mb_is_cut_there_with_lambdas_error() {
    let door = FrontDoor::serve(
        &template("RESPONSE_STREAM"),
        &["--stream-bandwidth", "unlimited"],
    );
    let url = format!(
        "{}?total_bytes=220200960&chunk_bytes=1048576",
        door.url("chunks")
    );
    let (code, _, _, bytes) = curl_timed(&url);
    // curl: 18, "transfer closed with outstanding read data remaining".
    assert_eq!(code, 18, "{}", door.log());
    assert_eq!(bytes, 200 * 1024 * 1024);
    let log = door.log();
    assert!(log.contains("Function.ResponseSizeTooLarge"), "{log}");
    assert!(
        log.contains(
            "Response payload size exceeded maximum allowed payload size (209715200 bytes)."
        ),
        "{log}"
    );
}

#[tokio::test]
async fn a_streamed_invocation_counts_its_bytes_and_bills_those_past_six_mb() {
    use lambda_sim_runtime::{FunctionConfig, InvokeOptions, Payload, StreamPart};
    let function = crate::load(
        "stream-chunks",
        FunctionConfig::named("bill").memory_size_mb(1769),
    );
    let (sink, mut parts) = lambda_sim_runtime::response_stream();
    let reader = tokio::spawn(async move {
        let mut bytes = 0u64;
        while let Some(part) = parts.recv().await {
            if let StreamPart::Chunk(chunk) = part {
                bytes += chunk.len() as u64;
            }
        }
        bytes
    });
    let payload =
        Payload::json(r#"{"total_bytes": 16777216, "chunk_bytes": 1048576}"#).expect("json");
    let options = InvokeOptions::default().stream(sink.bandwidth(None));
    let invocation = function.invoke(&payload, options).await.expect("runs");
    assert!(invocation.error().is_none(), "{:?}", invocation.error());
    assert_eq!(reader.await.expect("the reader"), 16 * 1024 * 1024);
    assert_eq!(invocation.streamed_bytes, Some(16 * 1024 * 1024));
    // 10 MiB past the free 6 MiB at $0.008 per GiB.
    let expected = 10.0 / 1024.0 * lambda_sim_runtime::PRICE_PER_STREAMED_GB;
    assert!(
        (invocation.cost.streaming_usd - expected).abs() < 1e-12,
        "{}",
        invocation.cost.streaming_usd
    );
    // The REPORT of a streamed invocation is Lambda's usual line.
    let report = invocation.report.to_string();
    assert!(report.starts_with("REPORT RequestId: "), "{report}");

    // The same handler on a plain invoke: over 6 MB, Lambda's error.
    let plain = crate::invoke(&function, r#"{"total_bytes": 16777216}"#).await;
    let error = plain.error().expect("too large");
    assert_eq!(error.error_type, "Function.ResponseSizeTooLarge");
    assert_eq!(plain.streamed_bytes, None);
}

#[test]
fn a_lambda_http_streaming_url_sends_its_prelude_status_and_headers_then_the_body() {
    let crate_dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lambda-runtime/http-streaming");
    let template = format!(
        r#"Resources:
  Web:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: web
      CodeUri: {dir}
      Handler: bootstrap
      Runtime: provided.al2023
      FunctionUrlConfig:
        AuthType: NONE
        InvokeMode: RESPONSE_STREAM
"#,
        dir = crate_dir.display()
    );
    let door = FrontDoor::serve(&template, &[]);
    let (status, headers, body) = super::curl(&[door.url("web")]);
    assert_eq!(status, 201, "{}", door.log());
    assert_eq!(super::header(&headers, "x-streamed"), Some("yes"));
    assert_eq!(super::header(&headers, "set-cookie"), Some("visited=1"));
    assert_eq!(
        super::header(&headers, "transfer-encoding"),
        Some("chunked")
    );
    assert_eq!(body, b"part 0\npart 1\npart 2\n");
    // The parts are 100 ms apart: the first byte long before the end.
    let (code, first_byte, total, _) = curl_timed(door.url("web"));
    assert_eq!(code, 0);
    assert!(
        total - first_byte >= 0.15,
        "first byte {first_byte} s, end {total} s"
    );
}
