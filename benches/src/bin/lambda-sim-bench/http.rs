//! The HTTP figures: warm invokes through `serve`'s server next to bare hyper in front of bare
//! wasmtime (the same work without the simulator), on loopback, in one process.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, anyhow};
use bytes::Bytes;
use lambda_sim_benches::baseline::Bare;
use lambda_sim_benches::http_baseline::{Canned, wasmtime_server};
use lambda_sim_runtime::{FULL_VCPU_MB, FunctionConfig, Runtime, RuntimeConfig};
use lambda_sim_server::client::{connect, post};
use lambda_sim_server::{Deployed, Registry, Server};
use serde_json::json;
use tokio::net::TcpListener;

use super::{Figure, median};

const PATH: &str = "/2015-03-31/functions/bench/invocations";
/// Connections of the throughput figure.
const CONNECTIONS: usize = 4;

pub fn figures(wasm: &Path, event: &[u8], iterations: u32) -> anyhow::Result<Vec<Figure>> {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start tokio")?;
    let event = Bytes::copy_from_slice(event);
    let requests = (iterations / 2).max(100);
    tokio.block_on(async {
        let runtime = Runtime::new(RuntimeConfig::default())?;
        let path = wasm.to_str().context("the component's path is not UTF-8")?;
        let bare = Arc::new(Bare::new(runtime.engine(), path).map_err(|err| anyhow!("{err:#}"))?);
        let (simulator, server) = serve(runtime, wasm, "bench").await?;
        let mut sender = connect(simulator).await?;
        let canned = Canned::of(&post(&mut sender, simulator, PATH, &event).await?);
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let baseline = listener.local_addr()?;
        let bare_server = tokio::spawn(wasmtime_server(listener, bare, canned));

        let (mut sim_latency, mut bare_latency, mut sim_rate, mut bare_rate) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for round in 0..6 {
            for addr in alternating(round, simulator, baseline) {
                let latency = latency_ns(addr, PATH, &event, requests).await?;
                let rate = throughput(addr, PATH, &event, CONNECTIONS, requests / 2).await?;
                if addr == simulator {
                    sim_latency.push(latency);
                    sim_rate.push(rate);
                } else {
                    bare_latency.push(latency);
                    bare_rate.push(rate);
                }
            }
        }
        server.abort();
        bare_server.abort();
        let (sim_latency, bare_latency) = (median(sim_latency), median(bare_latency));
        let (sim_rate, bare_rate) = (median(sim_rate), median(bare_rate));
        anyhow::Ok(vec![
            Figure {
                name: "HTTP warm invoke, median latency",
                simulator: format!("{:.2} us", sim_latency / 1000.0),
                baseline: format!("{:.2} us", bare_latency / 1000.0),
                ratio: format!("{:.1}%", 100.0 * bare_latency / sim_latency),
                target: ">= 95% of bare's speed",
                pass: bare_latency >= 0.95 * sim_latency,
                values: json!({ "simulator_ns": sim_latency, "bare_ns": bare_latency }),
            },
            Figure {
                name: "HTTP warm invoke, 4 connections",
                simulator: format!("{sim_rate:.0} req/s"),
                baseline: format!("{bare_rate:.0} req/s"),
                ratio: format!("{:.1}%", 100.0 * sim_rate / bare_rate),
                target: ">= 95% of bare throughput",
                pass: sim_rate >= 0.95 * bare_rate,
                values: json!({ "simulator_per_second": sim_rate, "bare_per_second": bare_rate }),
            },
        ])
    })
}

/// `serve`'s server with the component at `wasm` as the function `name` (at a full vCPU), in
/// `runtime`, on a loopback port: its address and its task.
pub(crate) async fn serve(
    runtime: Runtime,
    wasm: &Path,
    name: &str,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let bytes =
        std::fs::read(wasm).with_context(|| format!("failed to read `{}`", wasm.display()))?;
    let function = runtime.load(
        &bytes,
        FunctionConfig::named(name).memory_size_mb(FULL_VCPU_MB),
    )?;
    let path = wasm.to_str().context("the component's path is not UTF-8")?;
    let registry = Registry::new(vec![Deployed::new(function, None, &bytes, path)]);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = Server::new(runtime, registry)
            .run(listener, std::future::pending())
            .await;
    });
    Ok((addr, server))
}

/// The two sides in round `round`'s order: rounds alternate which goes first, so that a
/// drift of the machine's load does not always favour one.
pub(crate) fn alternating(round: usize, a: SocketAddr, b: SocketAddr) -> [SocketAddr; 2] {
    if round.is_multiple_of(2) {
        [a, b]
    } else {
        [b, a]
    }
}

/// The median time of a request to `path` on one kept-alive connection.
pub(crate) async fn latency_ns(
    addr: SocketAddr,
    path: &str,
    event: &Bytes,
    requests: u32,
) -> anyhow::Result<f64> {
    let mut sender = connect(addr).await?;
    let mut samples = Vec::with_capacity(requests as usize);
    for _ in 0..requests {
        let start = Instant::now();
        let answer = post(&mut sender, addr, path, event).await?;
        samples.push(start.elapsed().as_nanos() as f64);
        std::hint::black_box(answer);
    }
    Ok(median(samples))
}

/// Requests per second to `path` over `connections` concurrent connections of `requests` each.
pub(crate) async fn throughput(
    addr: SocketAddr,
    path: &str,
    event: &Bytes,
    connections: usize,
    requests: u32,
) -> anyhow::Result<f64> {
    let mut senders = Vec::new();
    for _ in 0..connections {
        senders.push(connect(addr).await?);
    }
    let start = Instant::now();
    let tasks: Vec<_> = senders
        .into_iter()
        .map(|mut sender| {
            let (path, event) = (path.to_owned(), event.clone());
            tokio::spawn(async move {
                for _ in 0..requests {
                    post(&mut sender, addr, &path, &event).await?;
                }
                std::io::Result::Ok(())
            })
        })
        .collect();
    for task in tasks {
        task.await.context("a client task failed")??;
    }
    Ok(connections as f64 * f64::from(requests) / start.elapsed().as_secs_f64())
}
