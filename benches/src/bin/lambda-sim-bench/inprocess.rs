//! The in-process figures: warm and cold invocations against bare wasmtime, cold starts on one
//! and two threads, a virtual-clock chaos run, and the memory of warm environments.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use lambda_sim_benches::baseline::Bare;
use lambda_sim_runners::{ChaosOptions, chaos_run};
use lambda_sim_runtime::{
    ClockMode, CpuMode, FULL_VCPU_MB, Function, FunctionConfig, InvokeOptions, Payload, Runtime,
    RuntimeConfig,
};
use serde_json::json;

use super::{Figure, median};

/// Rounds of each in-process figure; the median round counts.
const ROUNDS: usize = 5;

pub struct Setup {
    tokio: tokio::runtime::Runtime,
    runtime: Runtime,
    wasm: std::path::PathBuf,
    function: Function,
    payload: Payload,
    small: Payload,
    bare: Bare,
}

/// The warm figure, and the bare warm call's time on a small event (the chaos run's baseline).
pub struct Warm {
    pub figure: Figure,
    pub bare_small_ns: f64,
}

fn us(ns: f64) -> String {
    format!("{:.2} us", ns / 1000.0)
}

impl Setup {
    pub fn new(wasm: &Path, event: &[u8]) -> anyhow::Result<Self> {
        let tokio = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("failed to start tokio")?;
        let runtime = Runtime::new(RuntimeConfig::default())?;
        // A full vCPU: at smaller sizes the simulated CPU share (7% of a core at 128 MB)
        // paces the invocations, which is the model working, not overhead.
        let function = runtime.load_file(wasm, config("bench"))?;
        let payload = Payload::json(event)?;
        let small = Payload::json(r#"{"name": "bench"}"#)?;
        let path = wasm.to_str().context("the component's path is not UTF-8")?;
        let bare = Bare::new(runtime.engine(), path)
            .map_err(|err| anyhow!("failed to link the bare baseline: {err:#}"))?;
        Ok(Setup {
            tokio,
            runtime,
            wasm: wasm.to_owned(),
            function,
            payload,
            small,
            bare,
        })
    }

    /// Median time of one call over `ROUNDS` rounds of `n`, for the simulator and bare wasmtime.
    fn warm_ns(&self, payload: &Payload, n: u32) -> anyhow::Result<(f64, f64)> {
        self.tokio.block_on(async {
            let (mut store, instance) = self
                .bare
                .warm_instance()
                .await
                .map_err(|err| anyhow!("{err:#}"))?;
            let _ = self
                .function
                .invoke(payload, InvokeOptions::default())
                .await?;
            let (mut sim, mut bare) = (Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                let start = Instant::now();
                for _ in 0..n {
                    std::hint::black_box(
                        self.function
                            .invoke(payload, InvokeOptions::default())
                            .await?,
                    );
                }
                sim.push(start.elapsed().as_nanos() as f64 / f64::from(n));
                let start = Instant::now();
                for _ in 0..n {
                    let out = instance
                        .call_handle(&mut store, payload.as_bytes(), &self.bare.context)
                        .await
                        .map_err(|err| anyhow!("{err:#}"))?;
                    std::hint::black_box(out.ok());
                }
                bare.push(start.elapsed().as_nanos() as f64 / f64::from(n));
            }
            Ok((median(sim), median(bare)))
        })
    }

    pub fn warm(&self, n: u32) -> anyhow::Result<Warm> {
        let (sim, bare) = self.warm_ns(&self.payload, n)?;
        let (_, bare_small_ns) = self.warm_ns(&self.small, n)?;
        let overhead = sim - bare;
        Ok(Warm {
            figure: Figure {
                name: "warm invoke (in process)",
                simulator: us(sim),
                baseline: us(bare),
                ratio: format!("{:+.2} us", overhead / 1000.0),
                target: "overhead <= 1 us",
                pass: overhead <= 1000.0,
                values: json!({ "simulator_ns": sim, "bare_ns": bare, "overhead_ns": overhead }),
            },
            bare_small_ns,
        })
    }

    pub fn cold(&self, n: u32) -> anyhow::Result<Figure> {
        let n = n.max(10);
        let (sim, bare) = self.tokio.block_on(async {
            let (mut sim, mut bare) = (Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                let start = Instant::now();
                for _ in 0..n {
                    self.function.evict_all();
                    let invocation = self
                        .function
                        .invoke(&self.payload, InvokeOptions::default())
                        .await?;
                    debug_assert!(invocation.is_cold());
                }
                sim.push(start.elapsed().as_nanos() as f64 / f64::from(n));
                let start = Instant::now();
                for _ in 0..n {
                    bare_cold(&self.bare, &self.payload).await?;
                }
                bare.push(start.elapsed().as_nanos() as f64 / f64::from(n));
            }
            anyhow::Ok((median(sim), median(bare)))
        })?;
        Ok(Figure {
            name: "cold start (no injected delay)",
            simulator: us(sim),
            baseline: us(bare),
            ratio: format!("{:.2}x", sim / bare),
            target: "<= 1.2x bare",
            pass: sim / bare <= 1.2,
            values: json!({ "simulator_ns": sim, "bare_ns": bare }),
        })
    }

    pub fn threads(&self, n: u32) -> anyhow::Result<Figure> {
        let n = n.max(10);
        let functions = [
            self.runtime.load_file(&self.wasm, config("bench-thread-1")),
            self.runtime.load_file(&self.wasm, config("bench-thread-2")),
        ];
        let [Ok(first), Ok(second)] = functions else {
            return Err(anyhow!("failed to load the function twice"));
        };
        let payload = &self.payload;
        let bare = &self.bare;
        // Cold starts per second on as many threads as functions, each thread on a function
        // of its own with a tokio runtime of its own, timed from a barrier once all are ready.
        let rate = |functions: &[&Function], simulator: bool| -> anyhow::Result<f64> {
            let ready = std::sync::Barrier::new(functions.len() + 1);
            let ready = &ready;
            let elapsed = std::thread::scope(|scope| {
                let workers: Vec<_> = functions
                    .iter()
                    .map(|function| {
                        scope.spawn(move || {
                            let tokio = tokio::runtime::Builder::new_current_thread()
                                .enable_all()
                                .build();
                            ready.wait();
                            tokio?.block_on(async {
                                for _ in 0..n {
                                    if simulator {
                                        function.evict_all();
                                        function.invoke(payload, InvokeOptions::default()).await?;
                                    } else {
                                        bare_cold(bare, payload).await?;
                                    }
                                }
                                anyhow::Ok(())
                            })
                        })
                    })
                    .collect();
                ready.wait();
                let start = Instant::now();
                for worker in workers {
                    worker
                        .join()
                        .map_err(|_| anyhow!("a bench thread panicked"))??;
                }
                anyhow::Ok(start.elapsed())
            })?;
            Ok(functions.len() as f64 * f64::from(n) / elapsed.as_secs_f64())
        };
        let (mut sim, mut base) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            let one = rate(&[&first], true)?;
            sim.push(rate(&[&first, &second], true)? / one);
            let one = rate(&[&first], false)?;
            base.push(rate(&[&first, &second], false)? / one);
        }
        let (sim, base) = (median(sim), median(base));
        Ok(Figure {
            name: "cold starts, 2 threads vs 1",
            simulator: format!("{sim:.2}x"),
            baseline: format!("{base:.2}x"),
            ratio: format!("{:.2}", sim / base),
            target: ">= 0.95 of bare's scaling",
            pass: sim / base >= 0.95,
            values: json!({ "simulator_speedup": sim, "bare_speedup": base }),
        })
    }

    pub fn chaos(&self, events: usize, bare_small_ns: f64) -> anyhow::Result<Figure> {
        let runtime = Runtime::new(
            RuntimeConfig::default()
                .clock(ClockMode::Virtual)
                .cpu(CpuMode::Deterministic)
                .seed(11),
        )?;
        let function = runtime.load_file(&self.wasm, FunctionConfig::named("chaos"))?;
        let options = ChaosOptions {
            events,
            seed: 11,
            ..ChaosOptions::default()
        };
        let start = Instant::now();
        let report = self
            .tokio
            .block_on(chaos_run(&function, &self.small, &options))?;
        let elapsed = start.elapsed();
        let rate = report.attempts as f64 / elapsed.as_secs_f64();
        let bare_rate = 1e9 / bare_small_ns;
        let quarter = rate >= bare_rate / 4.0;
        let in_time = events < 1_000_000 || elapsed < Duration::from_secs(30);
        Ok(Figure {
            name: "virtual-clock chaos run",
            simulator: format!("{rate:.0} inv/s"),
            baseline: format!("{bare_rate:.0} calls/s"),
            ratio: format!("{:.2}", rate / bare_rate),
            target: ">= 1/4 bare; 1M in < 30 s",
            pass: quarter && in_time && report.holds(),
            values: json!({
                "events": events,
                "attempts": report.attempts,
                "cold_starts": report.cold_starts,
                "seconds": elapsed.as_secs_f64(),
                "invocations_per_second": rate,
                "bare_calls_per_second": bare_rate,
                "lost": report.lost,
                "duplicated": report.duplicated,
            }),
        })
    }
}

/// The memory figure: each side measured in a fresh process of its own (`--memory-probe`),
/// so that neither reuses memory another figure left resident.
pub fn memory(function: &Path, count: u32) -> anyhow::Result<Figure> {
    let probe = |side: &str| -> anyhow::Result<(f64, f64)> {
        let out = std::process::Command::new(std::env::current_exe()?)
            .arg(function)
            .args(["--memory-probe", side, "--environments", &count.to_string()])
            .output()
            .context("failed to run the memory probe")?;
        if !out.status.success() {
            return Err(anyhow!(
                "the memory probe failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut numbers = text.split_whitespace().map(str::parse::<f64>);
        match (numbers.next(), numbers.next()) {
            (Some(Ok(kb)), Some(Ok(linear))) => Ok((kb, linear)),
            _ => Err(anyhow!("the memory probe printed {text:?}")),
        }
    };
    let (sim_kb, linear_mb) = probe("simulator")?;
    let (bare_kb, _) = probe("bare")?;
    let overhead = sim_kb - bare_kb;
    Ok(Figure {
        name: "memory per warm environment",
        simulator: format!("{sim_kb:.0} KB"),
        baseline: format!("{bare_kb:.0} KB"),
        ratio: format!("{overhead:+.0} KB"),
        target: "<= 50 KB beyond bare",
        pass: overhead <= 50.0,
        values: json!({
            "environments": count,
            "simulator_kb_per_environment": sim_kb,
            "bare_kb_per_instance": bare_kb,
            "overhead_kb": overhead,
            "guest_linear_memory_mb": linear_mb,
        }),
    })
}

/// One side of the memory figure: the resident memory `count` warm environments (or bare
/// instances) add, per environment, and the guest's linear memory in MB.
pub fn memory_probe(wasm: &Path, side: &str, count: u32) -> anyhow::Result<(f64, f64)> {
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start tokio")?;
    let small = Payload::json(r#"{"name": "bench"}"#)?;
    let mut config = RuntimeConfig::default()
        .clock(ClockMode::Virtual)
        .cpu(CpuMode::Deterministic)
        .max_environments(count + 1);
    config.account_concurrency = count + 1;
    config.scaling.burst = count + 1;
    if side == "bare" {
        // Bare stores carry no fuel: an engine that does not count it.
        let runtime = Runtime::new(RuntimeConfig::default().max_environments(count + 1))?;
        let path = wasm.to_str().context("the component's path is not UTF-8")?;
        let bare = Bare::new(runtime.engine(), path).map_err(|err| anyhow!("{err:#}"))?;
        return tokio.block_on(async {
            // One first, so that what every instance shares (code, the image) is resident.
            let mut instances = vec![
                bare.warm_instance()
                    .await
                    .map_err(|err| anyhow!("{err:#}"))?,
            ];
            let before = rss_kb()?;
            for _ in 0..count {
                let (mut store, instance) = bare
                    .warm_instance()
                    .await
                    .map_err(|err| anyhow!("{err:#}"))?;
                let out = instance
                    .call_handle(&mut store, small.as_bytes(), &bare.context)
                    .await
                    .map_err(|err| anyhow!("{err:#}"))?;
                std::hint::black_box(out.ok());
                instances.push((store, instance));
            }
            let after = rss_kb()?;
            Ok(((after - before) / f64::from(count), 0.0))
        });
    }
    let runtime = Runtime::new(config)?;
    let function = runtime.load_file(wasm, FunctionConfig::named("memory"))?;
    tokio.block_on(async {
        let at = function.clock().now();
        let first = function.invoke_at(at, &small).await?;
        let before = rss_kb()?;
        let mut linear = first.report.max_memory_used_mb;
        // On a virtual clock each invocation at the same instant needs an environment of
        // its own: `count` cold starts, all kept warm.
        for _ in 0..count {
            let invocation = function.invoke_at(at, &small).await?;
            linear = linear.max(invocation.report.max_memory_used_mb);
        }
        let after = rss_kb()?;
        let warm = function.warm_environments();
        if warm != count as usize + 1 {
            return Err(anyhow!(
                "expected {} warm environments, found {warm}",
                count + 1
            ));
        }
        Ok(((after - before) / f64::from(count), linear as f64))
    })
}

fn config(name: &str) -> FunctionConfig {
    FunctionConfig::named(name).memory_size_mb(FULL_VCPU_MB)
}

/// A bare cold start: instantiate, `init`, `handle`.
async fn bare_cold(bare: &Bare, payload: &Payload) -> anyhow::Result<()> {
    let (mut store, instance) = bare
        .warm_instance()
        .await
        .map_err(|err| anyhow!("{err:#}"))?;
    let out = instance
        .call_handle(&mut store, payload.as_bytes(), &bare.context)
        .await
        .map_err(|err| anyhow!("{err:#}"))?;
    std::hint::black_box(out.ok());
    Ok(())
}

/// This process's resident set, in KB (`VmRSS`, Linux).
fn rss_kb() -> anyhow::Result<f64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .context("failed to read VmRSS from /proc/self/status")
}
