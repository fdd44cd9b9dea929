//! `lambda-sim demo`: the analytics pipeline of the talk behind the project (Kinesis ->
//! Lambda -> Firehose -> S3, and an aggregating consumer with a key-value store), run on the
//! bundled handlers (or a team's own) under a seeded chaos schedule, on a virtual clock with
//! deterministic CPU; exits 1 if an event is lost or a shard's order broken.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use lambda_sim_harness::{Consumer, PipelineOptions, pipeline_run};
use lambda_sim_runtime::{
    ClockMode, ColdStartModel, CpuMode, FunctionConfig, Runtime, RuntimeConfig,
};

/// Arguments of `lambda-sim demo`.
#[derive(clap::Args)]
pub struct DemoArgs {
    /// Analytics events to send into the stream.
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    /// Events per second, in simulated time.
    #[arg(long, default_value_t = 1_000.0)]
    rate: f64,
    /// The stream's shards.
    #[arg(long, default_value_t = 4)]
    shards: usize,
    /// Distinct users (the events' partition keys).
    #[arg(long, default_value_t = 1_000)]
    users: usize,
    /// Events whose data is not JSON: the forwarder reports them, they exhaust their retries
    /// and land in the on-failure destination.
    #[arg(long, default_value_t = 3)]
    poison: usize,
    /// The chance that an invocation's environment is killed once it starts.
    #[arg(long, default_value_t = 0.05)]
    kill_rate: f64,
    /// The chance that an invocation fails with an injected error after its handler ran.
    #[arg(long, default_value_t = 0.01)]
    error_rate: f64,
    /// The seed of events, kills, errors and cold starts: the same seed, the same run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The forwarder's batch size.
    #[arg(long, default_value_t = 100)]
    batch_size: u32,
    /// The forwarder's MaximumRetryAttempts.
    #[arg(long, default_value_t = 3)]
    max_retries: i64,
    /// Memory size of both functions, in MB.
    #[arg(long, default_value_t = 512)]
    memory: u32,
    /// The cold-start model: `none`, `rust`, `python` or `java`.
    #[arg(long, default_value = "rust")]
    cold_start: String,
    /// Where S3's objects are written (a temporary directory if not given).
    #[arg(long)]
    objects: Option<PathBuf>,
    /// The forwarder: a handler crate or `.wasm` reading Kinesis batches into the Firehose
    /// stream named by `DELIVERY_STREAM`.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/guests/kinesis-forwarder"))]
    forwarder: PathBuf,
    /// The aggregating consumer: a handler crate or `.wasm` reading the same stream.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/guests/aggregator"))]
    aggregator: PathBuf,
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let build = |path: &PathBuf| {
        lambda_sim_harness::component_for(path)
            .with_context(|| format!("failed to build the handler `{}`", path.display()))
    };
    eprintln!("lambda-sim: building the handlers");
    let forwarder_wasm = build(&args.forwarder)?;
    let aggregator_wasm = build(&args.aggregator)?;
    let cold_start = ColdStartModel::preset(&args.cold_start).ok_or_else(|| {
        anyhow::anyhow!(
            "unknown cold-start model `{}` (none, rust, python or java)",
            args.cold_start
        )
    })?;
    let runtime = Runtime::new(
        RuntimeConfig::default()
            .clock(ClockMode::Virtual)
            .cpu(CpuMode::Deterministic)
            .cold_start(cold_start)
            .seed(args.seed)
            .objects_dir(args.objects.clone()),
    )?;
    let options = PipelineOptions {
        records: args.records,
        rate: args.rate,
        shards: args.shards,
        users: args.users,
        poison: args.poison,
        kill_rate: args.kill_rate,
        error_rate: args.error_rate,
        seed: args.seed,
        ..PipelineOptions::default()
    };

    let load = |wasm: &PathBuf, name: &str| {
        runtime
            .load_file(
                wasm,
                FunctionConfig::named(name)
                    .memory_size_mb(args.memory)
                    .env("DELIVERY_STREAM", &options.delivery.name),
            )
            .map_err(crate::lambda_error)
    };
    let mut forwarder = Consumer::forwarder(&load(&forwarder_wasm, "forwarder")?);
    forwarder.mapping.batch_size = args.batch_size;
    forwarder.mapping.maximum_retry_attempts = args.max_retries;
    let aggregator = Consumer::aggregator(&load(&aggregator_wasm, "aggregator")?);
    eprintln!(
        "lambda-sim: {} events into {} shards at {} events/s (seed {}), {:.0}% kills, {:.0}% injected errors",
        options.records,
        options.shards,
        options.rate,
        options.seed,
        options.kill_rate * 100.0,
        options.error_rate * 100.0
    );
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("failed to start the tokio runtime")?;
    let (report, timing) = tokio
        .block_on(pipeline_run(&runtime, &[forwarder, aggregator], &options))
        .map_err(|err| anyhow::anyhow!("the pipeline failed: {err}"))?;
    println!("{report}");
    let share = timing.in_invocations.as_secs_f64() / timing.wall.as_secs_f64().max(1e-9);
    println!(
        "host: {:.2} s of wall time, {:.0} events/s; {:.0}% in Lambda invocations (sandboxes, host calls, handlers), {:.0}% in the simulator (stream, mappings, Firehose, checks)",
        timing.wall.as_secs_f64(),
        timing.throughput(report.records),
        share * 100.0,
        (1.0 - share) * 100.0
    );
    println!(
        "objects: {}",
        match &args.objects {
            Some(dir) => dir.display().to_string(),
            None =>
                "in a temporary directory, removed on exit (--objects DIR keeps them)".to_owned(),
        }
    );
    if report.holds() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("lambda-sim: the pipeline lost events or broke a shard's order");
        Ok(ExitCode::from(1))
    }
}
