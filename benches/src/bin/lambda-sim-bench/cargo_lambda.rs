//! The side-by-side rows: `lambda-sim serve` next to cargo-lambda's emulator (`cargo lambda
//! watch`) running the same `lambda_runtime` handler, natively, both built in release mode and
//! measured in the same run by the same client as the HTTP figures. Informational, with no
//! target; one row saying why when `cargo lambda` is missing or fails.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use bytes::Bytes;
use hyper::Response;
use lambda_sim_runtime::{Runtime, RuntimeConfig};
use lambda_sim_server::client::{connect, post};
use serde_json::json;
use tokio::net::TcpStream;

use super::http::{alternating, latency_ns, serve, throughput};
use super::{Figure, median};

/// The handler: the upstream `lambda_runtime` README example, as a user wrote it.
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/lambda-runtime/basic"
);
/// cargo-lambda's own target directory, so that its native build never waits on the lock of
/// the workspace's.
const TARGET_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/cargo-lambda-bench");
/// Both emulators name the function after its binary.
const PATH: &str = "/2015-03-31/functions/basic/invocations";
const EVENT: &[u8] = br#"{"firstName": "Ada"}"#;
/// How long the first request to `cargo lambda watch` may take: it builds the function.
const FIRST_REQUEST: Duration = Duration::from_secs(300);
/// How long `cargo lambda watch` may take to open its port.
const STARTUP: Duration = Duration::from_secs(60);
const INSTALL: &str = "pip install cargo-lambda==1.9.2";

/// The rows, or one row saying why there are none; never an error.
pub fn figures(iterations: u32, quiet: bool) -> Vec<Figure> {
    let progress = |what: &str| {
        if !quiet {
            eprintln!("lambda-sim-bench: {what}");
        }
    };
    let Some(version) = installed() else {
        return vec![skipped(format!(
            "cargo lambda is not installed ({INSTALL})"
        ))];
    };
    progress(&format!(
        "the same handler under `cargo lambda watch` ({version})"
    ));
    match measure(iterations, &version, &progress) {
        Ok(figures) => figures,
        Err(err) => {
            progress(&format!("skipped `cargo lambda watch`: {err:#}"));
            vec![skipped(format!("cargo lambda watch failed: {err:#}"))]
        }
    }
}

/// `cargo lambda --version`, if it succeeds.
fn installed() -> Option<String> {
    let out = Command::new("cargo")
        .args(["lambda", "--version"])
        .stdin(Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn skipped(reason: String) -> Figure {
    Figure {
        name: "vs cargo lambda watch",
        simulator: "skipped".to_owned(),
        baseline: reason.clone(),
        ratio: "-".to_owned(),
        target: "side by side (no target)",
        pass: true,
        values: json!({ "skipped": reason }),
    }
}

fn measure(iterations: u32, version: &str, progress: &dyn Fn(&str)) -> anyhow::Result<Vec<Figure>> {
    let Ok(fixture) = Path::new(FIXTURE).canonicalize() else {
        bail!("the fixture `{FIXTURE}` is missing");
    };
    progress("building `basic` for lambda-sim");
    let wasm = lambda_sim_build::component_for(&fixture)
        .with_context(|| format!("failed to build `{}`", fixture.display()))?;
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("failed to start tokio")?;
    tokio.block_on(async {
        let (simulator, server) =
            serve(Runtime::new(RuntimeConfig::default())?, &wasm, "basic").await?;
        check(simulator)
            .await
            .context("lambda-sim answered wrong")?;

        let mut watch = Watch::start(&fixture)?;
        let started = Instant::now();
        watch.listening(progress).await?;
        progress(&format!(
            "waiting for `cargo lambda watch` to build and start `basic` (its first request, \
             up to {} min; log in `{}`)",
            FIRST_REQUEST.as_secs() / 60,
            watch.log.display()
        ));
        watch.first_answer(progress).await?;
        let first_request = started.elapsed();
        progress(&format!(
            "`cargo lambda watch` answered after {:.1} s",
            first_request.as_secs_f64()
        ));
        let cargo_lambda = watch.addr;

        let event = Bytes::from_static(EVENT);
        let requests = (iterations / 4).max(50);
        for addr in [simulator, cargo_lambda] {
            latency_ns(addr, PATH, &event, 50).await?;
        }
        let measuring = Instant::now();
        let (mut sim, mut cl) = (Samples::default(), Samples::default());
        for round in 0..3 {
            for addr in alternating(round, simulator, cargo_lambda) {
                let samples = if addr == simulator { &mut sim } else { &mut cl };
                samples
                    .latency
                    .push(latency_ns(addr, PATH, &event, requests).await?);
                samples
                    .four
                    .push(throughput(addr, PATH, &event, 4, requests / 2).await?);
                samples
                    .eight
                    .push(throughput(addr, PATH, &event, 8, requests / 2).await?);
            }
        }
        // A side that started failing under load would have been measured answering errors.
        check(simulator)
            .await
            .context("lambda-sim answered wrong")?;
        check(cargo_lambda)
            .await
            .context("cargo lambda watch answered wrong")?;
        let measuring = measuring.elapsed();
        server.abort();
        drop(watch);
        anyhow::Ok(rows(
            &sim,
            &cl,
            json!({
                "cargo_lambda": version,
                "first_request_s": first_request.as_secs_f64(),
                "measuring_s": measuring.as_secs_f64(),
            }),
        ))
    })
}

/// Whether the function at `addr` answers the event as the README says.
async fn check(addr: SocketAddr) -> anyhow::Result<()> {
    let mut sender = connect(addr).await?;
    let answer = post(&mut sender, addr, PATH, &Bytes::from_static(EVENT)).await?;
    expect_hello(&answer)
}

fn expect_hello(answer: &Response<Bytes>) -> anyhow::Result<()> {
    let body: Option<serde_json::Value> = serde_json::from_slice(answer.body()).ok();
    if !answer.status().is_success() || body != Some(json!({ "message": "Hello, Ada!" })) {
        bail!(
            "expected `{{\"message\":\"Hello, Ada!\"}}`, got {} `{}`",
            answer.status(),
            String::from_utf8_lossy(answer.body())
        );
    }
    Ok(())
}

#[derive(Default)]
struct Samples {
    latency: Vec<f64>,
    four: Vec<f64>,
    eight: Vec<f64>,
}

/// The three rows; each ratio is lambda-sim's figure over cargo-lambda's.
fn rows(sim: &Samples, cl: &Samples, run: serde_json::Value) -> Vec<Figure> {
    let (sim_latency, cl_latency) = (median(sim.latency.clone()), median(cl.latency.clone()));
    let mut figures = vec![Figure {
        name: "vs cargo lambda, median latency",
        simulator: format!("{:.2} us", sim_latency / 1000.0),
        baseline: format!("{:.2} us", cl_latency / 1000.0),
        ratio: format!("{:.2}x", sim_latency / cl_latency),
        target: "side by side (no target)",
        pass: true,
        values: json!({
            "simulator_ns": sim_latency,
            "cargo_lambda_ns": cl_latency,
            "run": run,
        }),
    }];
    for (name, sim, cl) in [
        ("vs cargo lambda, 4 connections", &sim.four, &cl.four),
        ("vs cargo lambda, 8 connections", &sim.eight, &cl.eight),
    ] {
        let (sim, cl) = (median(sim.clone()), median(cl.clone()));
        figures.push(Figure {
            name,
            simulator: format!("{sim:.0} req/s"),
            baseline: format!("{cl:.0} req/s"),
            ratio: format!("{:.2}x", sim / cl),
            target: "side by side (no target)",
            pass: true,
            values: json!({ "simulator_per_second": sim, "cargo_lambda_per_second": cl }),
        });
    }
    figures
}

/// A running `cargo lambda watch`, stopped with everything it started when dropped.
struct Watch {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Watch {
    /// Starts `cargo lambda watch` for the crate in `fixture` on a free loopback port, its
    /// output going to a log file.
    ///
    /// It stays in our process group, so that a Ctrl-C reaches it too (it then stops the
    /// function, which it runs in a session of its own, where no group signal reaches).
    fn start(fixture: &Path) -> anyhow::Result<Watch> {
        std::fs::create_dir_all(TARGET_DIR)
            .with_context(|| format!("failed to create `{TARGET_DIR}`"))?;
        let dir = Path::new(TARGET_DIR)
            .canonicalize()
            .unwrap_or_else(|_| TARGET_DIR.into());
        let log = dir.join("watch.log");
        let out = std::fs::File::create(&log)
            .with_context(|| format!("failed to create `{}`", log.display()))?;
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .context("failed to find a free port")?;
        let manifest = fixture.join("Cargo.toml");
        // `--target-dir` would be passed on to `cargo metadata`, which rejects it.
        let child = Command::new("cargo")
            .args(["lambda", "watch", "--release", "--ignore-changes"])
            .args(["--invoke-address", "127.0.0.1", "--invoke-port"])
            .arg(addr.port().to_string())
            .arg("--manifest-path")
            .arg(&manifest)
            .args(["--bin", "basic"])
            .env("CARGO_TARGET_DIR", &dir)
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .context("failed to start `cargo lambda watch`")?;
        Ok(Watch { child, addr, log })
    }

    /// An error if it has exited.
    fn alive(&mut self) -> anyhow::Result<()> {
        if let Some(status) = self.child.try_wait()? {
            bail!("it exited ({status}); see `{}`", self.log.display());
        }
        Ok(())
    }

    /// Waits until its invoke port accepts connections.
    async fn listening(&mut self, progress: &dyn Fn(&str)) -> anyhow::Result<()> {
        progress("starting `cargo lambda watch`");
        let start = Instant::now();
        while TcpStream::connect(self.addr).await.is_err() {
            self.alive()?;
            if start.elapsed() > STARTUP {
                bail!("it did not listen on {} within {STARTUP:?}", self.addr);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(())
    }

    /// Sends the first request, on which it builds and starts the function, and checks the
    /// answer, reporting progress while it builds.
    async fn first_answer(&mut self, progress: &dyn Fn(&str)) -> anyhow::Result<()> {
        let addr = self.addr;
        let mut first = tokio::spawn(async move {
            let mut sender = connect(addr).await?;
            post(&mut sender, addr, PATH, &Bytes::from_static(EVENT)).await
        });
        let start = Instant::now();
        loop {
            match tokio::time::timeout(Duration::from_secs(15), &mut first).await {
                Ok(answer) => {
                    let answer = answer.context("the first request panicked")??;
                    return expect_hello(&answer);
                }
                Err(_) if start.elapsed() > FIRST_REQUEST => {
                    first.abort();
                    bail!("no answer within {FIRST_REQUEST:?}");
                }
                Err(_) => {
                    self.alive()?;
                    progress(&format!(
                        "still waiting for `cargo lambda watch` ({} s)",
                        start.elapsed().as_secs()
                    ));
                }
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let tree = descendants(self.child.id());
        // SIGTERM: cargo-lambda stops its function instances, then exits.
        signal("TERM", self.child.id());
        let deadline = Instant::now() + Duration::from_secs(5);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Whatever outlived it (the function, a `cargo build`) has lost its parent: kill it.
        std::thread::sleep(Duration::from_millis(200));
        for pid in tree {
            if Path::new(&format!("/proc/{pid}")).exists() {
                signal("KILL", pid);
            }
        }
    }
}

/// Sends `signal` to `pid` with kill(1), which needs no `libc`.
fn signal(signal: &str, pid: u32) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The processes below `root`, from `/proc` (none where there is no `/proc`).
fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // `pid (comm) state ppid ...`, where comm may hold spaces and parentheses.
            let ppid = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut tree = vec![root];
    let mut next = 0;
    while let Some(&parent) = tree.get(next) {
        tree.extend(
            parents
                .iter()
                .filter(|&&(_, ppid)| ppid == parent)
                .map(|&(pid, _)| pid),
        );
        next += 1;
    }
    tree.split_off(1)
}
