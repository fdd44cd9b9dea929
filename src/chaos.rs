//! `lambda-sim chaos`: a seeded stream of asynchronous events while environments are killed at
//! random; exits 1 if an event is lost or delivered twice, so CI can gate on it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use lambda_sim_runners::{ChaosOptions, chaos_run};
use lambda_sim_runtime::{ClockMode, CpuMode, Faults, FunctionConfig, Runtime, RuntimeConfig};

/// Arguments of `lambda-sim chaos`.
#[derive(clap::Args)]
pub struct ChaosArgs {
    /// The function: a `.wasm` component or a handler crate's directory (built first).
    function: PathBuf,
    /// The event every invocation carries, as inline JSON.
    #[arg(long, default_value = "{}")]
    payload: String,
    /// How many asynchronous events to send.
    #[arg(long, default_value_t = 10_000)]
    events: usize,
    /// Arrivals per second (Poisson, in simulated time).
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    /// The chance that an attempt's environment is killed once its handler starts.
    #[arg(long, default_value_t = 0.05)]
    kill_during: f64,
    /// The chance that an idle environment is destroyed before an attempt.
    #[arg(long, default_value_t = 0.01)]
    kill_between: f64,
    /// The percentage of attempts whose handler starts late (FIS `invocation-add-delay`).
    #[arg(long, default_value_t = 0.0)]
    delay_percentage: f64,
    /// The start-up delay those attempts get, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    startup_delay_ms: u64,
    /// The percentage of attempts marked failed (FIS `invocation-error`).
    #[arg(long, default_value_t = 0.0)]
    error_percentage: f64,
    /// Failed attempts skip the handler (FIS `preventExecution`).
    #[arg(long)]
    prevent_execution: bool,
    /// The seed of arrivals, kills and the simulation.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Memory size in MB.
    #[arg(long, default_value_t = 128)]
    memory: u32,
    /// Write an HTML report to this file.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

pub fn run(args: ChaosArgs) -> anyhow::Result<ExitCode> {
    let wasm = crate::component(&args.function)?;
    let payload = crate::payload(&args.payload)?;
    // Virtual time and deterministic CPU: retries minutes apart cost nothing, and a seed
    // repeats the run exactly.
    let runtime = Runtime::new(
        RuntimeConfig::default()
            .clock(ClockMode::Virtual)
            .cpu(CpuMode::Deterministic)
            .seed(args.seed),
    )?;
    lambda_sim_server::attach_aws(&runtime);
    let function = runtime
        .load_file(
            &wasm,
            FunctionConfig::named("chaos").memory_size_mb(args.memory),
        )
        .map_err(crate::lambda_error)?;
    let options = ChaosOptions {
        events: args.events,
        rate: args.rate,
        kill_during: args.kill_during,
        kill_between: args.kill_between,
        seed: args.seed,
        faults: Faults {
            delay_percentage: args.delay_percentage,
            startup_delay: std::time::Duration::from_millis(args.startup_delay_ms),
            error_percentage: args.error_percentage,
            prevent_execution: args.prevent_execution,
        },
        ..ChaosOptions::default()
    };
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the tokio runtime")?;
    let report = tokio.block_on(chaos_run(&function, &payload, &options))?;
    println!("{report}");
    if let Some(path) = &args.report {
        report.to_html().write(path)?;
        eprintln!("lambda-sim: report written to {}", path.display());
    }
    if report.holds() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("lambda-sim: the run lost or duplicated events");
        Ok(ExitCode::from(1))
    }
}
