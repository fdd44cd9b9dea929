//! `lambda-sim load`: open-loop arrivals at a rate, or closed-loop clients, with latency
//! percentiles per phase; a progress bar on a terminal, a plain summary otherwise.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use lambda_sim_runners::{Arrivals, LoadOptions, load_run};
use lambda_sim_runtime::{FunctionConfig, Runtime, RuntimeConfig};

use crate::sim_flags::{ClockFlag, CpuFlag, SimFlags};

/// Arguments of `lambda-sim load`.
#[derive(clap::Args)]
#[command(
    mut_arg("clock", |a| a.default_value("real")),
    mut_arg("cpu", |a| a.default_value("measured"))
)]
pub struct LoadArgs {
    /// The function: a `.wasm` component or a handler crate's directory (built first).
    function: PathBuf,
    /// Invocations per second (open loop).
    #[arg(long, conflicts_with = "clients")]
    rate: Option<f64>,
    /// Concurrent clients, each invoking again when its last invocation returns (closed loop).
    #[arg(long)]
    clients: Option<usize>,
    /// How long to send invocations, for example `30s` or `2m`.
    #[arg(long, default_value = "10s")]
    duration: String,
    /// The event every invocation carries, as inline JSON.
    #[arg(long, default_value = "{}")]
    payload: String,
    /// Memory size in MB.
    #[arg(long, default_value_t = 128)]
    memory: u32,
    #[command(flatten)]
    clock: ClockFlag,
    #[command(flatten)]
    cpu: CpuFlag,
    /// The seed of the simulation.
    #[arg(long)]
    seed: Option<u64>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Write an HTML report to this file.
    #[arg(long, value_name = "FILE")]
    report: Option<std::path::PathBuf>,
}

pub fn run(args: LoadArgs) -> anyhow::Result<ExitCode> {
    let duration = humantime::parse_duration(&args.duration).with_context(|| {
        format!(
            "invalid `--duration {}` (for example `30s`, `2m`)",
            args.duration
        )
    })?;
    let arrivals = match (args.rate, args.clients) {
        (Some(rate), _) if rate.is_finite() && rate > 0.0 => Arrivals::Rate(rate),
        (Some(rate), _) => anyhow::bail!("invalid `--rate {rate}`: it must be more than 0"),
        (None, Some(clients)) if clients > 0 => Arrivals::Clients(clients),
        (None, Some(_)) => anyhow::bail!("invalid `--clients 0`: at least one client"),
        (None, None) => Arrivals::Clients(1),
    };
    let wasm = crate::component(&args.function)?;
    let payload = crate::payload(&args.payload)?;
    let mut config = RuntimeConfig::default();
    // `load` takes no `--cold-start`: `RuntimeConfig`'s default model.
    SimFlags {
        clock: args.clock,
        cpu: args.cpu,
        ..SimFlags::default()
    }
    .apply(&mut config)?;
    if let Some(seed) = args.seed {
        config = config.seed(seed);
    }
    let runtime = Runtime::new(config)?;
    lambda_sim_server::attach_aws(&runtime);
    let function = runtime
        .load_file(
            &wasm,
            FunctionConfig::named("load").memory_size_mb(args.memory),
        )
        .map_err(crate::lambda_error)?;
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("failed to start the tokio runtime")?;
    let bar = crate::progress::bar(1000, "{bar:40} {percent:>3}% {elapsed} {msg}");
    let ticker = bar.clone();
    let report = tokio.block_on(load_run(
        &function,
        &payload,
        &LoadOptions { arrivals, duration },
        move |fraction| {
            if let Some(bar) = &ticker {
                bar.set_position((fraction * 1000.0) as u64);
            }
        },
    ));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
    }
    if let Some(path) = &args.report {
        report.to_html().write(path)?;
        eprintln!("lambda-sim: report written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::sim_flags::{Clock, Cpu};

    #[derive(clap::Parser)]
    struct Load {
        #[command(flatten)]
        args: LoadArgs,
    }

    fn parse(args: &[&str]) -> LoadArgs {
        let all = ["load", "f.wasm"].into_iter().chain(args.iter().copied());
        Load::try_parse_from(all).expect("valid flags").args
    }

    #[test]
    fn a_load_runs_on_real_time_and_measured_cpu_unless_told_otherwise() {
        let args = parse(&[]);
        assert_eq!(args.clock.clock, Some(Clock::Real));
        assert_eq!(args.cpu.cpu, Some(Cpu::Measured));
        let args = parse(&["--clock", "virtual", "--cpu", "deterministic"]);
        assert_eq!(args.clock.clock, Some(Clock::Virtual));
        assert_eq!(args.cpu.cpu, Some(Cpu::Deterministic));
    }
}
