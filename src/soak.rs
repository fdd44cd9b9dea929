//! `lambda-sim soak`: the server under concurrent clients, random kills and throttling for a
//! set time, then the accounting: requests by outcome, every asynchronous event delivered or
//! reported failed, and nothing leaked (file descriptors, `/tmp` directories, memory growth).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use bytes::Bytes;
use lambda_sim_runtime::{Function, FunctionConfig, Runtime, RuntimeConfig};
use lambda_sim_server::client::{connect, post_with};
use lambda_sim_server::{Deployed, Registry, Server};
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;

/// Arguments of `lambda-sim soak`.
#[derive(clap::Args)]
pub struct SoakArgs {
    /// How long to run (`10m`, `90s`).
    #[arg(long, default_value = "10m", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// Concurrent clients, each on a kept-alive connection.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// The share of requests sent as asynchronous events.
    #[arg(long, default_value_t = 0.2)]
    event_share: f64,
    /// How often an environment running an invocation is killed, in milliseconds.
    #[arg(long, default_value_t = 250)]
    kill_every_ms: u64,
    /// The seed of the clients' choices.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The directory of the bundled guests: the crates `hello`, `panic` and `spin-forever`,
    /// or their components (`hello.wasm`, `panic.wasm`, `spin_forever.wasm`).
    #[arg(long, default_value = "fixtures/guests")]
    guests: PathBuf,
}

/// The functions a soak drives: a well-behaved one, one that fails, and one that times out
/// under reserved concurrency 2 (so that clients are throttled).
fn functions(guests: &std::path::Path) -> [(PathBuf, FunctionConfig); 3] {
    [
        (guests.join("hello"), FunctionConfig::named("soak-hello")),
        (guests.join("panic"), FunctionConfig::named("soak-panic")),
        (
            guests.join("spin-forever"),
            FunctionConfig::named("soak-spin")
                .timeout(Duration::from_secs(1))
                .reserved_concurrency(2),
        ),
    ]
}

/// What the process holds, sampled.
#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    rss_kb: u64,
    fds: usize,
    tmp_dirs: usize,
}

fn usage() -> Usage {
    let rss_kb = crate::process::rss_kb().unwrap_or(0);
    let fds = crate::process::open_fds().unwrap_or(0);
    let prefix = format!("lambda-sim-tmp-{}-", std::process::id());
    let tmp_dirs = std::fs::read_dir(std::env::temp_dir()).map_or(0, |d| {
        d.flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .count()
    });
    Usage {
        rss_kb,
        fds,
        tmp_dirs,
    }
}

pub fn run(args: SoakArgs) -> anyhow::Result<ExitCode> {
    let mut wasm = Vec::new();
    for (crate_dir, config) in functions(&args.guests) {
        let component = crate_dir.with_file_name(format!(
            "{}.wasm",
            crate_dir
                .file_name()
                .map(|n| n.to_string_lossy().replace('-', "_"))
                .unwrap_or_default()
        ));
        let path = if crate_dir.is_dir() {
            lambda_sim_build::component_for(&crate_dir)
                .with_context(|| format!("failed to build `{}`", crate_dir.display()))?
        } else {
            component
        };
        wasm.push((path, config));
    }
    let tokio = tokio::runtime::Runtime::new().context("failed to start tokio")?;
    let before = usage();
    let report = tokio.block_on(soak(&args, wasm));
    // With the executor gone, so are its tasks, the functions and the runtime: its /tmp
    // thread has removed its directories.
    drop(tokio);
    let report = report?;
    let after = usage();

    let (outcomes, events, samples) = report;
    let requests: u64 = outcomes.values().sum();
    println!(
        "duration:            {}",
        humantime::format_duration(args.duration)
    );
    println!("requests:            {requests}");
    for (outcome, count) in &outcomes {
        println!("  {outcome:<32} {count}");
    }
    println!(
        "async events:        {} accepted, {} delivered, {} failed, {} still queued",
        events.accepted,
        events.delivered,
        events.failed,
        events.pending.len()
    );
    let peak = samples.iter().map(|u| u.rss_kb).max().unwrap_or(0);
    let half = samples.len() / 2;
    let growth = match (samples.get(half), samples.last()) {
        (Some(mid), Some(last)) => last.rss_kb as i64 - mid.rss_kb as i64,
        _ => 0,
    };
    println!("peak RSS:            {} MB", peak / 1024);
    println!("RSS, second half:    {growth:+} KB");
    println!(
        "open fds:            {} before, {} after",
        before.fds, after.fds
    );
    println!(
        "temp dirs left:      {} (peak {} while running)",
        after.tmp_dirs,
        samples.iter().map(|u| u.tmp_dirs).max().unwrap_or(0)
    );
    let accounted =
        events.delivered + events.failed + events.pending.len() as u64 == events.accepted;
    let clean = after.fds <= before.fds && after.tmp_dirs == 0 && events.pending.is_empty();
    if accounted && clean {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("lambda-sim: the soak leaked or lost something (see above)");
        Ok(ExitCode::from(1))
    }
}

type Outcomes = BTreeMap<String, u64>;

async fn soak(
    args: &SoakArgs,
    wasm: Vec<(PathBuf, FunctionConfig)>,
) -> anyhow::Result<(Outcomes, lambda_sim_server::EventTally, Vec<Usage>)> {
    // Retries a few hundred milliseconds apart: every event settles before the end.
    let config = RuntimeConfig::default()
        .event_retry_delays(vec![Duration::from_millis(100), Duration::from_millis(200)]);
    let runtime = Runtime::new(config)?;
    let mut deployed = Vec::new();
    let mut functions: Vec<Function> = Vec::new();
    for (path, config) in wasm {
        let bytes =
            std::fs::read(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
        let function = runtime.load(&bytes, config).map_err(crate::lambda_error)?;
        functions.push(function.clone());
        deployed.push(Deployed::new(
            function,
            None,
            &bytes,
            &path.display().to_string(),
        ));
    }
    let names: Vec<String> = functions.iter().map(|f| f.config().name.clone()).collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        Server::new(runtime, Registry::new(deployed))
            .grace(Duration::from_secs(60))
            .drain_events(true)
            .run(listener, async {
                let _ = stopped.await;
            }),
    );

    let deadline = Instant::now() + args.duration;
    let outcomes = Arc::new(Mutex::new(Outcomes::new()));
    let mut clients = Vec::new();
    for client in 0..args.clients {
        let (names, outcomes) = (names.clone(), outcomes.clone());
        let seed = args.seed.wrapping_add(client as u64);
        let event_share = args.event_share.clamp(0.0, 1.0);
        clients.push(tokio::spawn(async move {
            client_loop(addr, &names, seed, event_share, deadline, &outcomes).await
        }));
    }
    let killer = {
        let functions = functions.clone();
        let every = Duration::from_millis(args.kill_every_ms.max(1));
        let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
        tokio::spawn(async move {
            while Instant::now() < deadline {
                tokio::time::sleep(every).await;
                let pick = rng.random_range(0..functions.len());
                functions[pick].kill_running();
            }
        })
    };
    let mut samples = Vec::new();
    // A bar of the run's time on a terminal; nothing otherwise.
    let bar = crate::progress::bar(
        args.duration.as_secs().max(1),
        "{bar:40} {elapsed} of {msg}",
    );
    if let Some(bar) = &bar {
        bar.set_message(humantime::format_duration(args.duration).to_string());
    }
    let started = Instant::now();
    while Instant::now() < deadline {
        samples.push(usage());
        if let Some(bar) = &bar {
            bar.set_position(started.elapsed().as_secs());
        }
        let left = deadline.saturating_duration_since(Instant::now());
        tokio::time::sleep(left.min(Duration::from_secs(1))).await;
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for client in clients {
        client.await.context("a client task failed")??;
    }
    let _ = killer.await;
    samples.push(usage());
    let _ = stop.send(());
    let shutdown = server.await.context("the server task failed")?;
    drop(functions);
    let outcomes = outcomes.lock().map(|o| o.clone()).unwrap_or_default();
    Ok((outcomes, shutdown.events, samples))
}

async fn client_loop(
    addr: SocketAddr,
    names: &[String],
    seed: u64,
    event_share: f64,
    deadline: Instant,
    outcomes: &Mutex<Outcomes>,
) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let body = Bytes::from_static(br#"{"name": "soak"}"#);
    let mut sender = connect(addr).await?;
    while Instant::now() < deadline {
        // Mostly the well-behaved function; the failing and the throttled ones in between.
        let roll: f64 = rng.random();
        let pick = if roll < 0.7 {
            0
        } else if roll < 0.85 {
            1
        } else {
            2
        };
        let name = &names[pick];
        // Events go to the functions that are not throttled: Lambda retries a throttled event
        // for up to 6 hours, longer than a soak.
        let event = pick < 2 && rng.random_bool(event_share);
        let headers: &[(&str, &str)] = if event {
            &[("x-amz-invocation-type", "Event")]
        } else {
            &[]
        };
        let path = format!("/2015-03-31/functions/{name}/invocations");
        let outcome = match post_with(&mut sender, addr, &path, headers, &body).await {
            Ok(answer) => {
                let status = answer.status().as_u16();
                let detail = answer
                    .headers()
                    .get("x-amzn-ErrorType")
                    .or_else(|| answer.headers().get("X-Amz-Function-Error"))
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(if event { "Event" } else { "ok" });
                // A function error: its type, from the error payload.
                let error_type = (detail == "Unhandled")
                    .then(|| serde_json::from_slice::<serde_json::Value>(answer.body()).ok())
                    .flatten()
                    .and_then(|v| v["errorType"].as_str().map(str::to_owned));
                match error_type {
                    Some(error_type) => format!("{status} {detail} {error_type}"),
                    None => format!("{status} {detail}"),
                }
            }
            Err(err) => {
                // A connection the server closed (it does not, short of a bug): reconnect.
                sender = connect(addr).await?;
                format!("connection error: {err}")
            }
        };
        if let Ok(mut outcomes) = outcomes.lock() {
            *outcomes.entry(outcome).or_default() += 1;
        }
    }
    Ok(())
}
