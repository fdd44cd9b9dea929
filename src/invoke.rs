//! `lambda-sim invoke`: run a function once or several times, as `sam local invoke` does.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use lambda_sim_runtime::{FunctionConfig, Payload, Runtime, RuntimeConfig};

/// How log lines are printed.
#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    /// CloudWatch's text lines (START, END, REPORT).
    Text,
    /// Telemetry API records, one JSON object a line.
    Json,
}

/// Arguments of `lambda-sim invoke`.
#[derive(clap::Args)]
pub struct InvokeArgs {
    /// The function: a `.wasm` component, or a handler crate's directory (built first).
    function: PathBuf,
    /// A file holding the event, or `-` for stdin.
    #[arg(long, short = 'e', conflicts_with = "payload")]
    event: Option<PathBuf>,
    /// The event as inline JSON.
    #[arg(long, short = 'p')]
    payload: Option<String>,
    /// The function's name (default: the file's name).
    #[arg(long)]
    name: Option<String>,
    /// Memory size in MB (128 to 10,240).
    #[arg(long, default_value_t = 128)]
    memory: u32,
    /// Timeout in seconds (up to 900).
    #[arg(long, default_value_t = 3.0)]
    timeout: f64,
    /// An environment variable for the function, `KEY=VALUE`; repeat for more.
    #[arg(long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// How many times to invoke, one after the other (the first is a cold start).
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// How to print log lines.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
}

pub fn run(args: InvokeArgs) -> anyhow::Result<ExitCode> {
    let wasm = if args.function.is_dir() {
        lambda_sim_harness::build_handler(&args.function).with_context(|| {
            format!(
                "failed to build the handler crate `{}`",
                args.function.display()
            )
        })?
    } else {
        args.function.clone()
    };
    let config = function_config(&args, &wasm)?;
    let event = read_event(&args)?;
    let payload = Payload::json(&event)
        .map_err(|err| anyhow::anyhow!("{} ({})", err, err.error_type()))
        .context("the event was rejected")?;

    let runtime = Runtime::new(RuntimeConfig::default())?;
    let function = runtime
        .load_file(&wasm, config)
        .map_err(|err| anyhow::anyhow!("{err} ({})", err.error_type()))?;
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the tokio runtime")?;
    tokio.block_on(async {
        for _ in 0..args.repeat {
            let invocation = function.invoke(&payload).await?;
            match args.log_format {
                LogFormat::Text => {
                    for line in invocation.log_lines() {
                        eprintln!("{line}");
                    }
                }
                LogFormat::Json => {
                    for record in invocation.log_records() {
                        eprintln!("{record}");
                    }
                }
            }
            println!("{}", String::from_utf8_lossy(&invocation.payload()));
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn function_config(args: &InvokeArgs, wasm: &std::path::Path) -> anyhow::Result<FunctionConfig> {
    let name = match &args.name {
        Some(name) => name.clone(),
        None => wasm
            .file_stem()
            .map(|s| s.to_string_lossy().replace('.', "-"))
            .unwrap_or_else(|| "function".to_owned()),
    };
    if !args.timeout.is_finite() || args.timeout <= 0.0 {
        bail!(
            "invalid configuration: timeout {} s is outside Lambda's range of 1 to 900 seconds",
            args.timeout
        );
    }
    let mut config = FunctionConfig::named(name)
        .memory_size_mb(args.memory)
        .timeout(Duration::from_secs_f64(args.timeout.min(1e6)));
    for pair in &args.env {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("invalid `--env {pair}`: expected KEY=VALUE");
        };
        config = config.env(key, value);
    }
    config.validate()?;
    Ok(config)
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
