//! `lambda-sim invoke`: run a function once or several times, as `sam local invoke` does,
//! under the lifecycle model's settings.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use lambda_sim_project::Project;
use lambda_sim_runtime::{
    Architecture, Cost, FunctionConfig, Payload, Runtime, RuntimeConfig, VpcModel,
};

use crate::sim_flags::SimFlags;

/// How log lines are printed.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    /// CloudWatch's text lines (START, END, REPORT), then a summary with the bill.
    Text,
    /// Telemetry API records, one JSON object a line.
    Json,
}

/// Arguments of `lambda-sim invoke`.
#[derive(clap::Args)]
pub struct InvokeArgs {
    /// The function: a `.wasm` component, a handler crate's directory (built first), or the
    /// name of a function in `--config`.
    function: String,
    /// A file holding the event, or `-` for stdin.
    #[arg(long, short = 'e', conflicts_with = "payload")]
    event: Option<PathBuf>,
    /// The event as inline JSON.
    #[arg(long, short = 'p')]
    payload: Option<String>,
    /// A `lambda-sim.toml` with the simulation's settings and functions; flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The function's name (default: the file's name).
    #[arg(long)]
    name: Option<String>,
    /// Memory size in MB (128 to 10,240; default 128).
    #[arg(long)]
    memory: Option<u32>,
    /// Timeout in seconds (1 to 900; default 3).
    #[arg(long)]
    timeout: Option<f64>,
    /// An environment variable for the function, `KEY=VALUE`; repeat for more.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// The instruction set, for the price.
    #[arg(long, value_parser = ["x86_64", "arm64"])]
    arch: Option<String>,
    #[command(flatten)]
    sim: SimFlags,
    /// The seed of every random draw (delays, request ids).
    #[arg(long)]
    seed: Option<u64>,
    /// Put the function in a VPC with this ENI model.
    #[arg(long, value_parser = ["none", "legacy-2017", "hyperplane"])]
    vpc: Option<String>,
    /// How many times to invoke, one after the other (the first is a cold start).
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// How to print log lines.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Project the bill of a 30-day month at this many requests per second.
    #[arg(long, value_name = "RPS")]
    monthly_rate: Option<f64>,
    /// Turn on active tracing: an X-Ray trace id in each REPORT line and in the context.
    #[arg(long)]
    tracing: bool,
    /// Turn on SnapStart: init runs once, at publish (INIT_REPORT), and cold starts restore
    /// its snapshot (Restore Duration).
    #[arg(long)]
    snap_start: bool,
    /// Write the invocations' segments as Chrome trace-event JSON (open it in Perfetto or
    /// chrome://tracing).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Write the invocations' segments as OpenTelemetry OTLP JSON.
    #[arg(long, value_name = "FILE")]
    otlp: Option<PathBuf>,
}

pub fn run(args: InvokeArgs) -> anyhow::Result<ExitCode> {
    let file = match &args.config {
        Some(path) => Some(Project::read(path)?),
        None => None,
    };
    let mut runtime_config = file.as_ref().map(|f| f.runtime.clone()).unwrap_or_default();
    apply_simulation_flags(&args, &mut runtime_config)?;

    let from_file = file.as_ref().and_then(|f| f.function(&args.function));
    let (wasm, mut config) = match from_file {
        Some(spec) => (crate::function_component(spec)?, spec.config.clone()),
        None => {
            let path = PathBuf::from(&args.function);
            let name = args
                .name
                .clone()
                .unwrap_or_else(|| lambda_sim_build::function_name(&path));
            (crate::component(&path)?, FunctionConfig::named(name))
        }
    };
    apply_function_flags(&args, &mut config)?;
    config.validate()?;

    let event = read_event(&args)?;
    let payload = Payload::json(&event)
        .map_err(crate::lambda_error)
        .context("the event was rejected")?;

    let runtime = Runtime::new(runtime_config)?;
    lambda_sim_server::attach_aws(&runtime);
    let function = runtime
        .load_file(&wasm, config)
        .map_err(crate::lambda_error)?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the tokio runtime")?;
    let mut total = Cost::default();
    let mut cold = 0;
    let mut traced = Vec::new();
    tokio.block_on(async {
        if function.config().snap_start {
            crate::snap_start::publish(&function, |line| eprintln!("{line}"))
                .await
                .map_err(crate::lambda_error)?;
        }
        // One after the other: on a virtual clock, each arrives as the previous one ends.
        let mut at = runtime.clock().now();
        for _ in 0..args.repeat {
            let invocation = function
                .invoke_at(at, &payload)
                .await
                .map_err(crate::lambda_error)?;
            at = invocation.ends_at;
            total.add(&invocation.cost);
            cold += usize::from(invocation.is_cold());
            match args.log_format {
                LogFormat::Text => {
                    for line in invocation.log_lines() {
                        eprintln!("{line}");
                    }
                    if let Some(init) = invocation.init.as_ref().filter(|i| i.restore_hooks.is_some()) {
                        eprintln!("{}", crate::snap_start::restore_note(init));
                    } else if let Some(init) = &invocation.init {
                        let c = &init.cold_start;
                        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                        eprintln!(
                            "lambda-sim: cold start {:.2} ms = ENI {:.2} ms + placement {:.2} ms + runtime init {:.2} ms + function init {:.2} ms",
                            ms(c.total()),
                            ms(c.eni),
                            ms(c.placement),
                            ms(c.runtime_init),
                            ms(c.function_init),
                        );
                    }
                }
                LogFormat::Json => {
                    for record in invocation.log_records() {
                        eprintln!("{record}");
                    }
                }
            }
            println!("{}", String::from_utf8_lossy(&invocation.payload()));
            if args.trace.is_some() || args.otlp.is_some() {
                traced.push(invocation);
            }
        }
        anyhow::Ok(())
    })?;
    let name = &function.config().name;
    if let Some(path) = &args.trace {
        let json = lambda_sim_runtime::chrome_trace(name, &traced);
        std::fs::write(path, serde_json::to_vec_pretty(&json)?)
            .with_context(|| format!("failed to write the trace `{}`", path.display()))?;
    }
    if let Some(path) = &args.otlp {
        let json = lambda_sim_runtime::otlp(name, &traced);
        std::fs::write(path, serde_json::to_vec_pretty(&json)?)
            .with_context(|| format!("failed to write the OTLP trace `{}`", path.display()))?;
    }
    if let LogFormat::Text = args.log_format {
        if let Some(note) = crate::engine_note(function.declared_runtime()) {
            eprintln!("{note}");
        }
        let config = function.config();
        eprintln!(
            "lambda-sim: {} invocation(s), {cold} cold start(s), {} ms billed, {:.4} GB-s, ${:.10} ({} MB, {})",
            total.requests,
            total.billed_ms,
            total.gb_seconds,
            total.total_usd(),
            config.memory_size_mb,
            config.architecture.as_str(),
        );
        if let Some(rate) = args.monthly_rate {
            eprintln!(
                "lambda-sim: at {rate} requests/s, about ${:.2} a month (30 days, before the free tier)",
                total.monthly_at(rate)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn apply_simulation_flags(args: &InvokeArgs, config: &mut RuntimeConfig) -> anyhow::Result<()> {
    if let Some(seed) = args.seed {
        config.seed = Some(seed);
    }
    args.sim.apply(config)?;
    if let Some(mode) = &args.vpc {
        config.vpc = VpcModel::named(mode).with_context(|| format!("unknown VPC mode `{mode}`"))?;
    }
    Ok(())
}

fn apply_function_flags(args: &InvokeArgs, config: &mut FunctionConfig) -> anyhow::Result<()> {
    if let Some(mb) = args.memory {
        config.memory_size_mb = mb;
    }
    if args.tracing {
        config.tracing = true;
    }
    if args.snap_start {
        config.snap_start = true;
    }
    if let Some(timeout) = args.timeout {
        if !timeout.is_finite() || timeout <= 0.0 {
            bail!(
                "invalid configuration: timeout {timeout} s is outside Lambda's range of 1 to 900 seconds"
            );
        }
        config.timeout = Duration::from_secs_f64(timeout.min(1e6));
    }
    for pair in &args.env {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("invalid `--env {pair}`: expected KEY=VALUE");
        };
        config.environment.insert(key.to_owned(), value.to_owned());
    }
    match args.arch.as_deref() {
        Some("arm64") => config.architecture = Architecture::Arm64,
        Some("x86_64") => config.architecture = Architecture::X86_64,
        _ => {}
    }
    if let Some(mode) = &args.vpc {
        config.vpc = mode != "none";
    }
    Ok(())
}

fn read_event(args: &InvokeArgs) -> anyhow::Result<Vec<u8>> {
    if let Some(payload) = &args.payload {
        return Ok(payload.as_bytes().to_vec());
    }
    match &args.event {
        None => Ok(b"{}".to_vec()),
        Some(path) if path.as_os_str() == "-" => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .context("failed to read the event from stdin")?;
            Ok(bytes)
        }
        Some(path) => std::fs::read(path)
            .with_context(|| format!("failed to read the event file `{}`", path.display())),
    }
}
