//! `lambda-sim serve`'s server, in process: the Rust SDK as users call it, and what raw HTTP
//! clients (bad, slow, concurrent) get.

use std::net::SocketAddr;
use std::time::Duration;

use lambda_sim_runtime::FunctionConfig;
use lambda_sim_server::{Deployed, Registry, Server, ShutdownReport};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// A server on a free loopback port, stopped when `stop` is called.
struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    done: tokio::task::JoinHandle<ShutdownReport>,
}

impl Running {
    async fn start(functions: Vec<(&str, FunctionConfig)>, grace: Duration) -> Running {
        let runtime = crate::runtime().clone();
        let deployed = functions
            .into_iter()
            .map(|(fixture, config)| {
                let path = lambda_sim_fixtures::path(fixture).expect("a fixture");
                let wasm = std::fs::read(path).expect("the fixture is built");
                let function = runtime.load(&wasm, config).expect("the fixture loads");
                Deployed::new(function, None, &wasm, path)
            })
            .collect();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr = listener.local_addr().expect("an address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = Server::new(runtime, Registry::new(deployed))
            .grace(grace)
            .body_timeout(Duration::from_secs(2));
        let done = tokio::spawn(server.run(listener, async {
            let _ = stopped.await;
        }));
        Running { addr, stop, done }
    }

    async fn stop(self) -> ShutdownReport {
        let _ = self.stop.send(());
        self.done.await.expect("the server task ends")
    }
}

/// A response as read off the wire.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a fresh connection (`Connection: close`).
async fn request(addr: SocketAddr, head: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    let length = if head.to_ascii_lowercase().contains("content-length:") {
        String::new()
    } else {
        format!("\r\ncontent-length: {}", body.len())
    };
    let head = format!("{head}\r\nhost: {addr}{length}\r\nconnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("sends");
    let _ = stream.write_all(body).await;
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("an HTTP status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn sdk_client(addr: SocketAddr) -> aws_sdk_lambda::Client {
    use aws_sdk_lambda::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_lambda::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(format!("http://{addr}"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .retry_config(aws_sdk_lambda::config::retry::RetryConfig::standard().with_max_attempts(1))
        .build();
    aws_sdk_lambda::Client::from_conf(config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_invokes_and_reads_named_errors() {
    let server = Running::start(
        vec![("hello", FunctionConfig::named("sdk-hello"))],
        Duration::from_secs(5),
    )
    .await;
    let client = sdk_client(server.addr);
    let out = client
        .invoke()
        .function_name("sdk-hello")
        .payload(aws_sdk_lambda::primitives::Blob::new(
            br#"{"name": "sdk"}"#.to_vec(),
        ))
        .send()
        .await
        .expect("the invoke succeeds");
    assert_eq!(out.status_code(), 200);
    assert_eq!(out.executed_version(), Some("$LATEST"));
    assert_eq!(out.function_error(), None);
    let payload = out
        .payload()
        .map(|b| b.as_ref().to_vec())
        .unwrap_or_default();
    assert_eq!(
        String::from_utf8_lossy(&payload),
        r#"{"echo":{"name":"sdk"},"greeting":"hello, sdk"}"#
    );

    let err = client
        .invoke()
        .function_name("sdk-nope")
        .send()
        .await
        .expect_err("an unknown function fails")
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    let report = server.stop().await;
    assert_eq!(report.events.accepted, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_lambdas_errors_and_the_server_keeps_serving() {
    let server = Running::start(
        vec![("hello", FunctionConfig::named("raw-hello"))],
        Duration::from_secs(5),
    )
    .await;
    let addr = server.addr;
    let invoke = "POST /2015-03-31/functions/raw-hello/invocations HTTP/1.1";

    let bad_type = request(
        addr,
        &format!("{invoke}\r\nx-amz-invocation-type: Sometimes"),
        b"{}",
    )
    .await;
    assert_eq!(bad_type.status, 400);
    assert_eq!(
        bad_type.header("x-amzn-ErrorType"),
        Some("ValidationException")
    );
    assert_eq!(
        bad_type.body,
        r#"{"Type":"User","message":"1 validation error detected: Value 'Sometimes' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"}"#
    );

    let big_event = vec![b' '; 1_048_577];
    let too_big = request(
        addr,
        &format!("{invoke}\r\nx-amz-invocation-type: Event"),
        &big_event,
    )
    .await;
    assert_eq!(too_big.status, 413);
    assert_eq!(
        too_big.header("x-amzn-ErrorType"),
        Some("RequestEntityTooLargeException")
    );
    assert!(
        too_big
            .body
            .contains("Request must be smaller than 1048576 bytes"),
        "{}",
        too_big.body
    );

    let declared_huge = request(
        addr,
        "POST /2015-03-31/functions/raw-hello/invocations HTTP/1.1\r\ncontent-length: 999999999999",
        b"",
    )
    .await;
    assert_eq!(declared_huge.status, 413, "refused before reading");

    let traversal = request(
        addr,
        "POST /2015-03-31/functions/..%2F..%2Fetc/invocations HTTP/1.1",
        b"{}",
    )
    .await;
    assert_eq!(traversal.status, 400);
    assert_eq!(
        traversal.header("x-amzn-ErrorType"),
        Some("ValidationException")
    );

    let unknown = request(addr, "DELETE /2015-03-31/functions/raw-hello HTTP/1.1", b"").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.header("x-amzn-ErrorType"),
        Some("UnknownOperationException")
    );

    let mismatch = request(
        addr,
        "POST /2015-03-31/functions/raw-hello%3Alive/invocations?Qualifier=prod HTTP/1.1",
        b"{}",
    )
    .await;
    assert_eq!(mismatch.status, 400);
    assert_eq!(
        mismatch.header("x-amzn-ErrorType"),
        Some("InvalidParameterValueException")
    );

    // A client that never finishes its body gets a 408 and stalls nobody else.
    let mut slow = TcpStream::connect(addr).await.expect("connects");
    slow.write_all(format!("{invoke}\r\nhost: x\r\ncontent-length: 100\r\n\r\n{{").as_bytes())
        .await
        .expect("sends");
    let meanwhile = request(addr, invoke, br#"{"name": "meanwhile"}"#).await;
    assert_eq!(meanwhile.status, 200);
    assert_eq!(
        meanwhile.body,
        r#"{"echo":{"name":"meanwhile"},"greeting":"hello, meanwhile"}"#
    );
    let mut raw = Vec::new();
    let _ = slow.read_to_end(&mut raw).await;
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("HTTP/1.1 408 "), "{raw}");
    assert!(raw.contains("RequestTimeoutException"), "{raw}");

    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_run_in_environments_of_their_own() {
    let config = FunctionConfig::named("raw-spin").timeout(Duration::from_secs(1));
    let server = Running::start(vec![("spin-forever", config)], Duration::from_secs(5)).await;
    let head = "POST /2015-03-31/functions/raw-spin/invocations HTTP/1.1\r\nx-amz-log-type: Tail";
    let (a, b) = tokio::join!(
        request(server.addr, head, b"{}"),
        request(server.addr, head, b"{}")
    );
    use base64::Engine as _;
    for answer in [&a, &b] {
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("X-Amz-Function-Error"), Some("Unhandled"));
        let tail = base64::engine::general_purpose::STANDARD
            .decode(answer.header("X-Amz-Log-Result").unwrap_or_default())
            .expect("base64");
        let tail = String::from_utf8_lossy(&tail);
        let report = tail.lines().last().unwrap_or_default();
        assert!(
            report.contains("\tInit Duration: ") && report.contains("Status: timeout"),
            "each of two concurrent invocations is a cold start of its own: {tail}"
        );
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_reports_events_still_waiting_for_a_retry() {
    let server = Running::start(
        vec![
            ("hello", FunctionConfig::named("event-hello")),
            ("panic", FunctionConfig::named("event-panic")),
        ],
        Duration::from_secs(5),
    )
    .await;
    let event = |name: &str| {
        format!(
            "POST /2015-03-31/functions/{name}/invocations HTTP/1.1\r\nx-amz-invocation-type: Event"
        )
    };
    let delivered = request(server.addr, &event("event-hello"), b"{}").await;
    assert_eq!(delivered.status, 202);
    assert_eq!(delivered.body, "");
    let failing = request(server.addr, &event("event-panic"), b"{}").await;
    assert_eq!(failing.status, 202);
    let failing_id = failing
        .header("x-amzn-RequestId")
        .expect("a request id")
        .to_owned();

    let report = server.stop().await;
    assert_eq!(report.events.accepted, 2);
    assert_eq!(report.events.delivered, 1);
    assert_eq!(report.events.failed, 0);
    assert_eq!(
        report.events.pending,
        [(failing_id, "event-panic".to_owned())],
        "the failed event waits a minute for its retry: reported, not dropped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shutdown_lets_the_invocation_in_flight_finish() {
    let config = FunctionConfig::named("inflight-spin").timeout(Duration::from_secs(1));
    let server = Running::start(vec![("spin-forever", config)], Duration::from_secs(5)).await;
    let addr = server.addr;
    let in_flight = tokio::spawn(async move {
        request(
            addr,
            "POST /2015-03-31/functions/inflight-spin/invocations HTTP/1.1",
            b"{}",
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let report = server.stop().await;
    let answer = in_flight.await.expect("the client task");
    assert_eq!(answer.status, 200, "answered, not cut: {}", answer.body);
    assert_eq!(answer.header("X-Amz-Function-Error"), Some("Unhandled"));
    assert!(answer.body.contains("Sandbox.Timedout"), "{}", answer.body);
    assert!(!report.unfinished_connections);
}

/// A log sink the test can read.
#[derive(Clone, Default)]
struct Buffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("the buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invocation_logs_are_written_as_telemetry_records() {
    let runtime = crate::runtime().clone();
    let wasm = std::fs::read(lambda_sim_fixtures::HELLO).expect("hello");
    let hello = runtime
        .load(&wasm, FunctionConfig::named("json-hello"))
        .expect("loads");
    let buffer = Buffer::default();
    let server = Server::new(
        runtime,
        Registry::new(vec![Deployed::new(hello, None, &wasm, "hello.wasm")]),
    )
    .log(lambda_sim_server::LogOutput::new(
        Box::new(buffer.clone()),
        lambda_sim_server::LogFormat::Json,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let addr = listener.local_addr().expect("an address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(server.run(listener, async {
        let _ = stopped.await;
    }));
    let answer = request(
        addr,
        "POST /2015-03-31/functions/json-hello/invocations HTTP/1.1",
        br#"{"name": "json"}"#,
    )
    .await;
    let _ = stop.send(());
    let _ = done.await;
    let request_id = answer.header("x-amzn-RequestId").expect("an id").to_owned();
    let text = String::from_utf8(buffer.0.lock().expect("the buffer").clone()).expect("UTF-8");
    let records = crate::cold_telemetry_records(&text);
    assert_eq!(records[2]["record"]["requestId"], request_id.as_str());
    assert_eq!(records[3]["record"], "greeting json");
}

/// A SnapStart function whose after-restore hook fails is refused with the exception the
/// Rust SDK names, and the server keeps serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_restore_is_a_snap_start_exception_to_the_sdk() {
    let server = Running::start(
        vec![(
            "snap-start",
            FunctionConfig::named("sdk-snap-fail")
                .snap_start(true)
                .env("INIT_SPIN", "1000")
                .env("FAIL_RESTORE", "1"),
        )],
        Duration::from_secs(5),
    )
    .await;
    let err = sdk_client(server.addr)
        .invoke()
        .function_name("sdk-snap-fail")
        .send()
        .await
        .expect_err("the restore fails")
        .into_service_error();
    assert!(err.is_snap_start_exception(), "{err:?}");
    let answer = request(
        server.addr,
        "POST /2015-03-31/functions/sdk-snap-fail/invocations HTTP/1.1",
        b"{}",
    )
    .await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        Some("SnapStartException")
    );
    server.stop().await;
}
