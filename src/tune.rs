//! `lambda-sim tune`: AWS Lambda Power Tuning, locally: the function at several memory sizes,
//! duration and cost per size, and the size the strategy recommends, with the reason.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use lambda_sim_runners::{Strategy, TuneOptions, tune};
use lambda_sim_runtime::{Architecture, CpuMode, Payload};

/// Arguments of `lambda-sim tune`.
#[derive(clap::Args)]
pub struct TuneArgs {
    /// The function: a `.wasm` component or a handler crate's directory (built first).
    function: PathBuf,
    /// The event every invocation carries (a JSON file).
    #[arg(long)]
    event: PathBuf,
    /// The memory sizes to try, in MB.
    #[arg(long, value_delimiter = ',', default_values_t = lambda_sim_runners::DEFAULT_MEMORY_SIZES)]
    memory: Vec<u32>,
    /// Invocations per size (the first is a cold start and is reported apart).
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// What to optimise: `cost`, `speed` or `balanced`.
    #[arg(long, default_value = "cost")]
    strategy: String,
    /// The weight of cost in the `balanced` strategy, 0 to 1.
    #[arg(long, default_value_t = 0.5)]
    balanced_weight: f64,
    /// Every invocation a cold start.
    #[arg(long)]
    cold_only: bool,
    /// Measure the host's CPU instead of counting fuel (figures then depend on the machine's
    /// load).
    #[arg(long)]
    measured: bool,
    /// Price as arm64 (Graviton) instead of x86_64.
    #[arg(long)]
    arm64: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Write an HTML report (charts of time and cost, latencies, a timeline) to this file.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: TuneArgs) -> anyhow::Result<ExitCode> {
    let strategy = match args.strategy.as_str() {
        "cost" => Strategy::Cost,
        "speed" => Strategy::Speed,
        "balanced" => Strategy::Balanced {
            weight: args.balanced_weight,
        },
        other => anyhow::bail!("unknown strategy `{other}` (cost, speed or balanced)"),
    };
    let wasm = crate::component(&args.function)?;
    if let Ok(bytes) = std::fs::read(&wasm)
        && let Some(note) =
            crate::engine_note(lambda_sim_runtime::declared_runtime(&bytes).as_deref())
    {
        eprintln!("{note}");
    }
    let text = std::fs::read(&args.event)
        .with_context(|| format!("failed to read the event `{}`", args.event.display()))?;
    let event = Payload::json(text)
        .map_err(crate::lambda_error)
        .context("the event was rejected")?;
    let options = TuneOptions {
        memory_sizes: args.memory.clone(),
        runs: args.runs,
        strategy,
        cold_only: args.cold_only,
        cpu: if args.measured {
            CpuMode::Measured
        } else {
            CpuMode::Deterministic
        },
        architecture: if args.arm64 {
            Architecture::Arm64
        } else {
            Architecture::X86_64
        },
        ..TuneOptions::default()
    };
    let name = lambda_sim_build::function_name(&args.function);
    let bar = crate::progress::bar(args.memory.len() as u64, "{bar:40} {pos}/{len} {msg}");
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the tokio runtime")?;
    let report = tokio
        .block_on(tune(&wasm, &name, &event, &options, |memory| {
            if let Some(bar) = &bar {
                bar.set_message(format!("{memory} MB"));
                bar.inc(1);
            }
        }))
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{report}");
    }
    if let Some(path) = &args.out {
        report.to_html().write(path)?;
        eprintln!("lambda-sim: report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
