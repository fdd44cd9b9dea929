//! Warm invokes of `hello` over HTTP: `lambda-sim serve`'s server next to a bare hyper server
//! that answers the same bytes (the same response body and headers, after reading the
//! request body), on loopback, in the same run, so the server's cost reads as a ratio.
//!
//! `cargo bench --bench http` prints criterion's figures, then a table: one connection
//! (latency: median per request) and four concurrent connections (throughput), with the
//! targets (at least 90% of bare hyper's throughput, at most 10 us added median latency).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput};
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use lambda_sim_runtime::{FunctionConfig, Runtime, RuntimeConfig};
use lambda_sim_server::{Deployed, Registry, Server};
use tokio::net::{TcpListener, TcpStream};

const PATH: &str = "/2015-03-31/functions/hello/invocations";
/// Connections of the throughput figure.
const CONNECTIONS: usize = 4;

struct Setup {
    tokio: tokio::runtime::Runtime,
    simulator: SocketAddr,
    bare: SocketAddr,
    event: Bytes,
}

/// The answer the bare server gives: what the simulator answered, headers included.
#[derive(Clone)]
struct Canned {
    body: Bytes,
    headers: Vec<(String, String)>,
}

async fn bare_server(listener: TcpListener, canned: Canned) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let canned = canned.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                    let canned = canned.clone();
                    async move {
                        let _ = request.into_body().collect().await;
                        let mut response = Response::new(Full::new(canned.body.clone()));
                        for (k, v) in &canned.headers {
                            if let (Ok(k), Ok(v)) = (
                                hyper::header::HeaderName::from_bytes(k.as_bytes()),
                                hyper::header::HeaderValue::from_str(v),
                            ) {
                                response.headers_mut().insert(k, v);
                            }
                        }
                        Ok::<_, Infallible>(response)
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr).await.expect("connects");
    let _ = stream.set_nodelay(true);
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    sender
}

async fn invoke(
    sender: &mut SendRequest<Full<Bytes>>,
    addr: SocketAddr,
    event: &Bytes,
) -> Response<Bytes> {
    let request = Request::post(PATH)
        .header("host", addr.to_string())
        .body(Full::new(event.clone()))
        .expect("a request");
    sender.ready().await.expect("the connection is ready");
    let response = sender.send_request(request).await.expect("an answer");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("a body").to_bytes();
    assert_eq!(parts.status, 200);
    Response::from_parts(parts, body)
}

impl Setup {
    fn new() -> Self {
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio");
        let event = Bytes::from(
            std::fs::read(format!(
                "{}/bench-1kb.json",
                lambda_sim_fixtures::EVENTS_DIR
            ))
            .expect("event"),
        );
        let (simulator, bare) = tokio.block_on(async {
            let cache = std::env::temp_dir().join("lambda-sim-bench-cache");
            let runtime =
                Runtime::new(RuntimeConfig::default().cache_dir(Some(cache))).expect("runtime");
            let wasm = std::fs::read(lambda_sim_fixtures::HELLO).expect("hello");
            // 1,769 MB: a full vCPU, so that the CPU throttle of smaller sizes (a faithful
            // 7% of a core at 128 MB) does not pace the requests.
            let config =
                FunctionConfig::named("hello").memory_size_mb(lambda_sim_runtime::FULL_VCPU_MB);
            let hello = runtime.load(&wasm, config).expect("hello loads");
            let registry = Registry::new(vec![Deployed::new(
                hello,
                None,
                &wasm,
                lambda_sim_fixtures::HELLO,
            )]);
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
            let simulator = listener.local_addr().expect("an address");
            tokio::spawn(Server::new(runtime, registry).run(listener, std::future::pending()));

            // The bare server answers what the simulator answers to the same event.
            let mut sender = connect(simulator).await;
            let answer = invoke(&mut sender, simulator, &event).await;
            let canned = Canned {
                body: answer.body().clone(),
                headers: answer
                    .headers()
                    .iter()
                    .filter(|(k, _)| *k != "date" && *k != "content-length")
                    .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
                    .collect(),
            };
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
            let bare = listener.local_addr().expect("an address");
            tokio::spawn(bare_server(listener, canned));
            (simulator, bare)
        });
        Setup {
            tokio,
            simulator,
            bare,
            event,
        }
    }
}

fn latency(c: &mut Criterion, setup: &Setup) {
    let mut group = c.benchmark_group("http-latency");
    for (name, addr) in [("simulator", setup.simulator), ("bare-hyper", setup.bare)] {
        group.bench_function(BenchmarkId::new(name, "hello"), |b| {
            b.iter_custom(|iters| {
                setup.tokio.block_on(async {
                    let mut sender = connect(addr).await;
                    let start = Instant::now();
                    for _ in 0..iters {
                        std::hint::black_box(invoke(&mut sender, addr, &setup.event).await);
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

fn throughput(c: &mut Criterion, setup: &Setup) {
    let mut group = c.benchmark_group("http-throughput");
    group.throughput(Throughput::Elements(CONNECTIONS as u64));
    for (name, addr) in [("simulator", setup.simulator), ("bare-hyper", setup.bare)] {
        group.bench_function(BenchmarkId::new(name, "hello"), |b| {
            // One iteration: one request on each of the connections, concurrently.
            b.iter_custom(|iters| {
                setup.tokio.block_on(async {
                    let mut senders = Vec::new();
                    for _ in 0..CONNECTIONS {
                        senders.push(connect(addr).await);
                    }
                    let start = Instant::now();
                    let tasks: Vec<_> = senders
                        .into_iter()
                        .map(|mut sender| {
                            let event = setup.event.clone();
                            tokio::spawn(async move {
                                for _ in 0..iters {
                                    std::hint::black_box(invoke(&mut sender, addr, &event).await);
                                }
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await.expect("a client task");
                    }
                    start.elapsed()
                })
            })
        });
    }
    group.finish();
}

/// Reads criterion's median estimate of one benchmark, in nanoseconds.
fn median_ns(group: &str, id: &str) -> Option<f64> {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_owned());
    let path = format!("{target}/criterion/{group}/{id}/hello/new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn print_table() {
    println!(
        "\n{:<22} {:>14} {:>14} {:>10}   target",
        "figure", "simulator", "bare hyper", "ratio"
    );
    match (
        median_ns("http-latency", "simulator"),
        median_ns("http-latency", "bare-hyper"),
    ) {
        (Some(sim), Some(bare)) => println!(
            "{:<22} {:>11.2} us {:>11.2} us {:>9.2}x   added <= 10 us: {:.2} us",
            "latency, 1 connection",
            sim / 1000.0,
            bare / 1000.0,
            sim / bare,
            (sim - bare) / 1000.0
        ),
        _ => println!("latency: no estimates (run without a filter)"),
    }
    match (
        median_ns("http-throughput", "simulator"),
        median_ns("http-throughput", "bare-hyper"),
    ) {
        (Some(sim), Some(bare)) => {
            let per_second = |ns: f64| CONNECTIONS as f64 * 1e9 / ns;
            println!(
                "{:<22} {:>9.0} req/s {:>9.0} req/s {:>9.1}%   >= 90% of bare",
                format!("throughput, {CONNECTIONS} conns"),
                per_second(sim),
                per_second(bare),
                100.0 * bare / sim
            );
        }
        _ => println!("throughput: no estimates (run without a filter)"),
    }
}

fn main() {
    let setup = Setup::new();
    let mut c = Criterion::default().configure_from_args();
    latency(&mut c, &setup);
    throughput(&mut c, &setup);
    c.final_summary();
    print_table();
}
