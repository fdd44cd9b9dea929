//! `lambda-sim check`: is the function stateless? The same events in fresh environments, in
//! order on one warm environment, and each after each other one (or shuffled with evictions)
//! must be answered the same. On a virtual clock by default: a throttled cold start costs its
//! CPU, not its simulated duration, and each event reads a time of its own.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use lambda_sim_runners::{CheckOptions, check_snap_start, check_stateless, read_events};
use lambda_sim_runtime::{ClockMode, FunctionConfig, Runtime, RuntimeConfig};

/// Arguments of `lambda-sim check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// The function: a `.wasm` component or a handler crate's directory (built first).
    function: PathBuf,
    /// The events: a JSON file (one event, an array of events, or JSON Lines) or a directory
    /// of `*.json` files, one event each.
    #[arg(long)]
    events: PathBuf,
    /// A response field whose value legitimately varies (a key name such as `requestId`, or a
    /// JSON pointer such as `/meta/time`); repeat for more.
    #[arg(long, value_name = "FIELD")]
    ignore: Vec<String>,
    /// The seed of the shuffled run.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Memory size in MB.
    #[arg(long, default_value_t = 128)]
    memory: u32,
    /// An environment variable for the function, `KEY=VALUE`; repeat for more.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Checks what SnapStart would clone instead: values made at init (a random id, a
    /// timestamp) that are the same in every environment restored from one snapshot.
    #[arg(long)]
    snapstart: bool,
    // `--clock real` reads the host's clock (each event's time then varies); virtual by default.
    #[command(flatten)]
    clock: crate::sim_flags::ClockFlag,
}

/// Exit code 0 for a stateless function, 1 for a stateful or non-deterministic one, 2 when
/// the check cannot run.
pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let wasm = crate::component(&args.function)?;
    let events = read_events(&args.events).map_err(anyhow::Error::msg)?;
    let name = lambda_sim_build::function_name(&wasm);
    let mut config = FunctionConfig::named(name).memory_size_mb(args.memory);
    for pair in &args.env {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("invalid `--env {pair}`: expected KEY=VALUE"))?;
        config = config.env(key, value);
    }
    let mut runtime_config = RuntimeConfig::default()
        .seed(args.seed)
        .clock(ClockMode::Virtual);
    crate::sim_flags::SimFlags {
        clock: args.clock,
        ..Default::default()
    }
    .apply(&mut runtime_config)?;
    let runtime = Runtime::new(runtime_config)?;
    lambda_sim_server::attach_aws(&runtime);
    let function = runtime
        .load_file(&wasm, config.clone())
        .map_err(crate::lambda_error)?;
    let options = CheckOptions {
        ignore: args.ignore,
        seed: args.seed,
        ..CheckOptions::default()
    };
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the tokio runtime")?;
    if args.snapstart {
        let snap = runtime
            .load_file(&wasm, config.snap_start(true))
            .map_err(crate::lambda_error)?;
        let verdict = tokio.block_on(check_snap_start(&function, &snap, &events, &options))?;
        println!("{verdict}");
        return Ok(if verdict.is_unique() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let verdict = tokio.block_on(check_stateless(&function, &events, &options))?;
    println!("{verdict}");
    Ok(if verdict.is_stateless() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
