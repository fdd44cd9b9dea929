//! The AWS APIs' throughput on `lambda-sim serve`'s server: Kinesis `PutRecords` of 500
//! records of 1 KB on 8 kept-alive connections, next to warm Lambda `Invoke`s of `hello` (1 KB
//! event) on the same server and connections, in the same run.
//!
//! `cargo bench -p lambda-sim-benches --bench aws_apis` prints criterion's figures, then a
//! table: records/s through `PutRecords` (target: at least 50,000 on a two-core machine) and
//! requests/s through `Invoke`.

use std::net::SocketAddr;
use std::time::Instant;

use base64::Engine as _;
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput};
use lambda_sim_pipeline::StreamConfig;
use lambda_sim_runtime::{FULL_VCPU_MB, FunctionConfig, Runtime, RuntimeConfig};
use lambda_sim_server::client::{Connection, connect, post_with};
use lambda_sim_server::{Deployed, Registry, Server};
use tokio::net::TcpListener;

/// Concurrent connections.
const CONNECTIONS: usize = 8;
/// Records in one `PutRecords`.
const RECORDS: usize = 500;
/// Shards of the stream: enough that 50,000 records/s stay under 1,000 a shard.
const SHARDS: usize = 128;
const INVOKE: &str = "/2015-03-31/functions/hello/invocations";
const KINESIS: [(&str, &str); 2] = [
    ("x-amz-target", "Kinesis_20131202.PutRecords"),
    ("content-type", "application/x-amz-json-1.1"),
];

struct Setup {
    tokio: tokio::runtime::Runtime,
    addr: SocketAddr,
    event: Bytes,
    put_records: Bytes,
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
        let data = base64::engine::general_purpose::STANDARD.encode([b'x'; 1024]);
        let records: Vec<serde_json::Value> = (0..RECORDS)
            .map(|i| serde_json::json!({ "Data": data, "PartitionKey": format!("user-{i}") }))
            .collect();
        let put_records = Bytes::from(
            serde_json::json!({ "StreamName": "bench", "Records": records }).to_string(),
        );
        let addr = tokio.block_on(async {
            let cache = std::env::temp_dir().join("lambda-sim-bench-cache");
            let runtime =
                Runtime::new(RuntimeConfig::default().cache_dir(Some(cache))).expect("runtime");
            let wasm = std::fs::read(lambda_sim_fixtures::HELLO).expect("hello");
            let config = FunctionConfig::named("hello").memory_size_mb(FULL_VCPU_MB);
            let hello = runtime.load(&wasm, config).expect("hello loads");
            let apis = lambda_sim_server::attach_aws(&runtime);
            // Retention is trimmed by arrival: a day holds every record a run puts.
            apis.add_stream(StreamConfig {
                name: "bench".to_owned(),
                shard_count: SHARDS,
                ..StreamConfig::default()
            })
            .expect("the stream");
            let registry = Registry::new(vec![Deployed::new(
                hello,
                None,
                &wasm,
                lambda_sim_fixtures::HELLO,
            )]);
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
            let addr = listener.local_addr().expect("an address");
            tokio::spawn(
                Server::new(runtime, registry)
                    .aws(apis)
                    .run(listener, std::future::pending()),
            );
            addr
        });
        Setup {
            tokio,
            addr,
            event,
            put_records,
        }
    }
}

/// `iters` requests on each of the connections, concurrently; the time they took.
async fn concurrently(
    addr: SocketAddr,
    iters: u64,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &Bytes,
) -> std::time::Duration {
    let mut senders: Vec<Connection> = Vec::new();
    for _ in 0..CONNECTIONS {
        senders.push(connect(addr).await.expect("connects"));
    }
    let start = Instant::now();
    let tasks: Vec<_> = senders
        .into_iter()
        .map(|mut sender| {
            let body = body.clone();
            tokio::spawn(async move {
                for _ in 0..iters {
                    let answer = post_with(&mut sender, addr, path, headers, &body)
                        .await
                        .expect("answers");
                    assert_eq!(answer.status(), 200, "{:?}", answer.body());
                    std::hint::black_box(answer);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a client task");
    }
    start.elapsed()
}

fn throughput(c: &mut Criterion, setup: &Setup) {
    let mut group = c.benchmark_group("aws-throughput");
    group.throughput(Throughput::Elements((CONNECTIONS * RECORDS) as u64));
    group.bench_function(BenchmarkId::new("put-records", "500x1KB"), |b| {
        b.iter_custom(|iters| {
            setup.tokio.block_on(concurrently(
                setup.addr,
                iters,
                "/",
                &KINESIS,
                &setup.put_records,
            ))
        })
    });
    group.throughput(Throughput::Elements(CONNECTIONS as u64));
    group.bench_function(BenchmarkId::new("invoke", "500x1KB"), |b| {
        b.iter_custom(|iters| {
            setup
                .tokio
                .block_on(concurrently(setup.addr, iters, INVOKE, &[], &setup.event))
        })
    });
    group.finish();
}

fn print_table() {
    let median =
        |id: &str| lambda_sim_harness::criterion_median_ns("aws-throughput", id, "500x1KB");
    println!("\n{:<40} {:>16}   target", "figure", "per second");
    match median("put-records") {
        Some(ns) => {
            let records = (CONNECTIONS * RECORDS) as f64 * 1e9 / ns;
            println!(
                "{:<40} {:>8.0} records   >= 50,000 ({})",
                format!("Kinesis PutRecords 500 x 1 KB, {CONNECTIONS} conns"),
                records,
                if records >= 50_000.0 { "pass" } else { "FAIL" }
            );
        }
        None => println!("put-records: no estimate (run without a filter)"),
    }
    match median("invoke") {
        Some(ns) => println!(
            "{:<40} {:>7.0} requests",
            format!("Lambda Invoke hello 1 KB, {CONNECTIONS} conns"),
            CONNECTIONS as f64 * 1e9 / ns
        ),
        None => println!("invoke: no estimate (run without a filter)"),
    }
}

fn main() {
    let setup = Setup::new();
    let mut c = Criterion::default().configure_from_args();
    throughput(&mut c, &setup);
    c.final_summary();
    print_table();
}
