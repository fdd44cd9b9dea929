//! Warm invokes of `hello` with a 1 KB event over HTTP: `lambda-sim serve`'s server next to
//! two bare hyper servers on loopback, in the same run, so the server's cost reads as a ratio:
//! - `bare-hyper-wasmtime` reads the body and calls the same handler on bare wasmtime (one
//!   warm instance per connection): the same work without the simulator;
//! - `bare-hyper` answers the same bytes without running the handler (the HTTP floor).
//!
//! `cargo bench -p lambda-sim-benches --bench http` prints criterion's figures, then a table:
//! one connection (latency: median per request) and four concurrent connections (throughput),
//! with the targets (at least 90% of the baseline's throughput, at most 10 us added median
//! latency).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput};
use lambda_sim_benches::baseline::Bare;
use lambda_sim_benches::http_baseline::{Canned, canned_server, wasmtime_server};
use lambda_sim_runtime::{FULL_VCPU_MB, FunctionConfig, Runtime, RuntimeConfig};
use lambda_sim_server::client::{connect, post};
use lambda_sim_server::{Deployed, Registry, Server};
use tokio::net::TcpListener;

const PATH: &str = "/2015-03-31/functions/hello/invocations";
/// Connections of the throughput figure.
const CONNECTIONS: usize = 4;

struct Setup {
    tokio: tokio::runtime::Runtime,
    simulator: SocketAddr,
    bare: SocketAddr,
    bare_wasmtime: SocketAddr,
    event: Bytes,
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
        let (simulator, bare, bare_wasmtime) = tokio.block_on(async {
            let cache = std::env::temp_dir().join("lambda-sim-bench-cache");
            let runtime =
                Runtime::new(RuntimeConfig::default().cache_dir(Some(cache))).expect("runtime");
            let wasm = std::fs::read(lambda_sim_fixtures::HELLO).expect("hello");
            // 1,769 MB: a full vCPU, so that the CPU throttle of smaller sizes (a faithful
            // 7% of a core at 128 MB) does not pace the requests.
            let config = FunctionConfig::named("hello").memory_size_mb(FULL_VCPU_MB);
            let hello = runtime.load(&wasm, config).expect("hello loads");
            let handler = Arc::new(
                Bare::new(runtime.engine(), lambda_sim_fixtures::HELLO)
                    .expect("the baseline links"),
            );
            let registry = Registry::new(vec![Deployed::new(
                hello,
                None,
                &wasm,
                lambda_sim_fixtures::HELLO,
            )]);
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
            let simulator = listener.local_addr().expect("an address");
            tokio::spawn(Server::new(runtime, registry).run(listener, std::future::pending()));

            // The baselines answer what the simulator answers to the same event.
            let mut sender = connect(simulator).await.expect("connects");
            let answer = post(&mut sender, simulator, PATH, &event)
                .await
                .expect("answers");
            let canned = Canned::of(&answer);
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
            let bare = listener.local_addr().expect("an address");
            tokio::spawn(canned_server(listener, canned.clone()));
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
            let bare_wasmtime = listener.local_addr().expect("an address");
            tokio::spawn(wasmtime_server(listener, handler, canned));
            (simulator, bare, bare_wasmtime)
        });
        Setup {
            tokio,
            simulator,
            bare,
            bare_wasmtime,
            event,
        }
    }

    fn servers(&self) -> [(&'static str, SocketAddr); 3] {
        [
            ("simulator", self.simulator),
            ("bare-hyper-wasmtime", self.bare_wasmtime),
            ("bare-hyper", self.bare),
        ]
    }
}

fn latency(c: &mut Criterion, setup: &Setup) {
    let mut group = c.benchmark_group("http-latency");
    for (name, addr) in setup.servers() {
        group.bench_function(BenchmarkId::new(name, "hello"), |b| {
            b.iter_custom(|iters| {
                setup.tokio.block_on(async {
                    let mut sender = connect(addr).await.expect("connects");
                    let start = Instant::now();
                    for _ in 0..iters {
                        let answer = post(&mut sender, addr, PATH, &setup.event).await;
                        std::hint::black_box(answer.expect("answers"));
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
    for (name, addr) in setup.servers() {
        group.bench_function(BenchmarkId::new(name, "hello"), |b| {
            // One iteration: one request on each of the connections, concurrently.
            b.iter_custom(|iters| {
                setup.tokio.block_on(async {
                    let mut senders = Vec::new();
                    for _ in 0..CONNECTIONS {
                        senders.push(connect(addr).await.expect("connects"));
                    }
                    let start = Instant::now();
                    let tasks: Vec<_> = senders
                        .into_iter()
                        .map(|mut sender| {
                            let event = setup.event.clone();
                            tokio::spawn(async move {
                                for _ in 0..iters {
                                    let answer = post(&mut sender, addr, PATH, &event).await;
                                    std::hint::black_box(answer.expect("answers"));
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

/// Criterion's median of one benchmark of `hello`, in nanoseconds.
fn median_ns(group: &str, id: &str) -> Option<f64> {
    lambda_sim_harness::criterion_median_ns(group, id, "hello")
}

fn print_table() {
    println!(
        "\n{:<26} {:>13} {:>20} {:>9} {:>13}   target",
        "figure", "simulator", "bare hyper+wasmtime", "ratio", "bare hyper"
    );
    let figure = |group: &str| {
        Some((
            median_ns(group, "simulator")?,
            median_ns(group, "bare-hyper-wasmtime")?,
            median_ns(group, "bare-hyper")?,
        ))
    };
    match figure("http-latency") {
        Some((sim, base, floor)) => println!(
            "{:<26} {:>10.2} us {:>17.2} us {:>8.2}x {:>10.2} us   added <= 10 us: {:+.2} us ({})",
            "median latency, 1 conn",
            sim / 1000.0,
            base / 1000.0,
            sim / base,
            floor / 1000.0,
            (sim - base) / 1000.0,
            if sim - base <= 10_000.0 {
                "pass"
            } else {
                "FAIL"
            }
        ),
        None => println!("latency: no estimates (run without a filter)"),
    }
    match figure("http-throughput") {
        Some((sim, base, floor)) => {
            let per_second = |ns: f64| CONNECTIONS as f64 * 1e9 / ns;
            println!(
                "{:<26} {:>7.0} req/s {:>14.0} req/s {:>8.1}% {:>7.0} req/s   >= 90% ({})",
                format!("throughput, {CONNECTIONS} conns"),
                per_second(sim),
                per_second(base),
                100.0 * base / sim,
                per_second(floor),
                if base / sim >= 0.9 { "pass" } else { "FAIL" }
            );
        }
        None => println!("throughput: no estimates (run without a filter)"),
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
