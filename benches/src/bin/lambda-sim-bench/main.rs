//! `lambda-sim-bench`: what the simulator costs on this machine, next to bare wasmtime and bare
//! hyper doing the same work, in one table (or `--json`): warm and cold invocations, cold
//! starts on two threads, warm invokes over HTTP, a virtual-clock chaos run, and the memory of
//! a thousand warm environments. The criterion benches (`cargo bench -p lambda-sim-benches`)
//! carry the same figures with confidence intervals; this is the short version a user runs on
//! their own machine: `cargo run --release -p lambda-sim-benches --bin lambda-sim-bench`.

mod cargo_lambda;
mod first_invoke;
mod http;
mod inprocess;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Parser as _;
use serde_json::json;

/// Measure the simulator against bare wasmtime and bare hyper on this machine: warm and cold
/// invocations, cold starts on two threads, HTTP, a virtual-clock chaos run, memory.
#[derive(clap::Parser)]
#[command(name = "lambda-sim-bench", version, about)]
struct BenchArgs {
    /// The handler: a `.wasm` component or a handler crate (built first).
    #[arg(default_value = "fixtures/guests/hello")]
    function: PathBuf,
    /// The event of the warm, cold and HTTP figures.
    #[arg(long, default_value = "fixtures/events/bench-1kb.json")]
    event: PathBuf,
    /// Events of the virtual-clock chaos run (the target is for 1,000,000).
    #[arg(long, default_value_t = 1_000_000)]
    chaos_events: usize,
    /// Invocations in each round of the warm figure (cold and HTTP use a fraction).
    #[arg(long, default_value_t = 5_000)]
    iterations: u32,
    /// Warm environments of the memory figure.
    #[arg(long, default_value_t = 1_000)]
    environments: u32,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Leave out the rows comparing `serve` with `cargo lambda watch`.
    #[arg(long)]
    no_cargo_lambda: bool,
    /// Internal: measure one side of the memory figure in this fresh process and print it.
    #[arg(long, hide = true, value_parser = ["simulator", "bare"])]
    memory_probe: Option<String>,
}

/// One line of the table.
pub struct Figure {
    name: &'static str,
    simulator: String,
    baseline: String,
    ratio: String,
    target: &'static str,
    pass: bool,
    /// The raw numbers, for `--json`.
    values: serde_json::Value,
}

fn main() -> ExitCode {
    match run(BenchArgs::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let wasm = lambda_sim_build::component_for(&args.function)
        .with_context(|| format!("failed to build `{}`", args.function.display()))?;
    if let Some(side) = &args.memory_probe {
        // The probe sends its own small event: it needs no `--event`.
        let (kb, linear_mb) = inprocess::memory_probe(&wasm, side, args.environments)?;
        println!("{kb} {linear_mb}");
        return Ok(ExitCode::SUCCESS);
    }
    let event = std::fs::read(&args.event)
        .with_context(|| format!("failed to read `{}`", args.event.display()))?;
    let setup = inprocess::Setup::new(&wasm, &event)?;
    let progress = |what: &str| {
        if !args.json {
            eprintln!("lambda-sim-bench: {what}");
        }
    };
    let mut figures = Vec::new();
    progress("warm invocations");
    let warm = setup.warm(args.iterations)?;
    figures.push(warm.figure);
    progress("cold starts");
    figures.push(setup.cold(args.iterations / 10)?);
    progress("cold starts on 1 and 2 threads");
    figures.push(setup.threads(args.iterations / 2)?);
    progress("warm invocations over HTTP");
    figures.extend(http::figures(&wasm, &event, args.iterations)?);
    if !args.no_cargo_lambda {
        figures.extend(cargo_lambda::figures(args.iterations, args.json));
    }
    progress("a virtual-clock chaos run");
    figures.push(setup.chaos(args.chaos_events, warm.bare_small_ns)?);
    progress("warm environments' memory");
    figures.push(inprocess::memory(&args.function, args.environments)?);
    figures.push(first_invoke::figure(&wasm, &event)?);

    let machine = machine();
    let passed = figures.iter().all(|f| f.pass);
    if args.json {
        let rows: Vec<serde_json::Value> = figures
            .iter()
            .map(|f| {
                json!({
                    "figure": f.name,
                    "simulator": f.simulator,
                    "baseline": f.baseline,
                    "ratio": f.ratio,
                    "target": f.target,
                    "pass": f.pass,
                    "values": f.values,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({ "machine": machine, "figures": rows, "pass": passed })
            )?
        );
    } else {
        println!("machine: {machine}");
        println!(
            "{:<34} {:>24} {:>24} {:>12}  {:<30} result",
            "figure", "simulator", "bare baseline", "ratio", "target"
        );
        for f in &figures {
            println!(
                "{:<34} {:>24} {:>24} {:>12}  {:<30} {}",
                f.name,
                f.simulator,
                f.baseline,
                f.ratio,
                f.target,
                if f.pass { "pass" } else { "FAIL" }
            );
        }
    }
    // Targets missed on a busy machine are a finding, not an error: exit 0 either way.
    Ok(ExitCode::SUCCESS)
}

/// The CPU model and core count.
fn machine() -> String {
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {cores} cores")
}

/// The median of some samples.
fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}
