//! The front door's cost: the same warm `hello` (1,769 MB, 1 KB body) called through the
//! Lambda Invoke API and through an HTTP API route (`POST /hello`, payload 2.0: the event
//! built from the request, the response mapped), one request at a time on a kept-alive
//! connection to the same server, in the same run.
//!
//! `cargo bench -p lambda-sim-benches --bench front_door` prints criterion's figures, then the
//! difference of the medians (target: the front door adds at most 10 us).

use std::net::SocketAddr;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion};
use lambda_sim_project::{ApiKind, Apis, RouteSpec};
use lambda_sim_runtime::{FULL_VCPU_MB, FunctionConfig, Runtime, RuntimeConfig};
use lambda_sim_server::client::{Connection, connect, post_with};
use lambda_sim_server::{Deployed, FrontDoor, Registry, Server};
use tokio::net::TcpListener;

const INVOKE: &str = "/2015-03-31/functions/hello/invocations";
const ROUTE: &str = "/hello";
const JSON: [(&str, &str); 1] = [("content-type", "application/json")];

struct Setup {
    tokio: tokio::runtime::Runtime,
    lambda: SocketAddr,
    api: SocketAddr,
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
        let (lambda, api) = tokio.block_on(async {
            let cache = std::env::temp_dir().join("lambda-sim-bench-cache");
            let runtime =
                Runtime::new(RuntimeConfig::default().cache_dir(Some(cache))).expect("runtime");
            let wasm = std::fs::read(lambda_sim_fixtures::HELLO).expect("hello");
            let config = FunctionConfig::named("hello").memory_size_mb(FULL_VCPU_MB);
            let hello = runtime.load(&wasm, config).expect("hello loads");
            let registry = Registry::new(vec![Deployed::new(
                hello,
                None,
                &wasm,
                lambda_sim_fixtures::HELLO,
            )]);
            let routes = [RouteSpec::new("hello", ApiKind::Http, Some("POST"), ROUTE)];
            let front_door = FrontDoor::new(&routes, &Apis::default(), &[]).expect("routes");
            let lambda = TcpListener::bind("127.0.0.1:0").await.expect("a port");
            let api = TcpListener::bind("127.0.0.1:0").await.expect("a port");
            let addrs = (
                lambda.local_addr().expect("an address"),
                api.local_addr().expect("an address"),
            );
            tokio::spawn(
                Server::new(runtime, registry)
                    .front_door(front_door, Some(api), Vec::new())
                    .run(lambda, std::future::pending()),
            );
            addrs
        });
        Setup {
            tokio,
            lambda,
            api,
            event,
        }
    }
}

async fn call(connection: &mut Connection, addr: SocketAddr, path: &str, body: &Bytes) {
    let answer = post_with(connection, addr, path, &JSON, body)
        .await
        .expect("answers");
    assert_eq!(answer.status(), 200, "{:?}", answer.body());
    std::hint::black_box(answer);
}

fn bench(c: &mut Criterion, setup: &Setup) {
    let mut group = c.benchmark_group("front-door");
    for (name, addr, path) in [
        ("invoke-api", setup.lambda, INVOKE),
        ("http-api-route", setup.api, ROUTE),
    ] {
        let mut connection = setup.tokio.block_on(connect(addr)).expect("connects");
        // Warm: the environment exists before measuring.
        setup
            .tokio
            .block_on(call(&mut connection, addr, path, &setup.event));
        group.bench_function(BenchmarkId::new(name, "1kb"), |b| {
            b.iter(|| {
                setup
                    .tokio
                    .block_on(call(&mut connection, addr, path, &setup.event))
            })
        });
    }
    group.finish();
}

fn main() {
    let setup = Setup::new();
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion, &setup);
    criterion.final_summary();
    let median = |name: &str| lambda_sim_harness::criterion_median_ns("front-door", name, "1kb");
    if let (Some(invoke), Some(route)) = (median("invoke-api"), median("http-api-route")) {
        println!(
            "front door: Invoke API {:.1} us, HTTP API route {:.1} us median: the route adds {:+.1} us (target <= 10 us)",
            invoke / 1000.0,
            route / 1000.0,
            (route - invoke) / 1000.0
        );
    }
}
