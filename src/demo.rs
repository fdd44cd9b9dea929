//! `lambda-sim demo`: the analytics pipeline of the talk behind the project (Kinesis ->
//! Lambda -> Firehose -> S3, and an aggregating consumer with a key-value store), run on the
//! bundled handlers (or a team's own) under a seeded chaos schedule, on a virtual clock with
//! deterministic CPU; exits 1 if an event is lost or a shard's order broken.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use lambda_sim_project::{MappingSpec, Project};
use lambda_sim_runners::{Consumer, ConsumerSource, PipelineOptions, pipeline_run_with_progress};
use lambda_sim_runtime::{ClockMode, CpuMode, FunctionConfig, Runtime};

use crate::sim_flags::{ColdStartFlag, SimFlags};

/// The bundled forwarder, built from `fixtures/guests/kinesis-forwarder` by
/// `packaging/refresh-demo-handlers.sh`: embedded, so that the demo runs from any directory
/// without a Rust toolchain (`demo_handlers_are_fresh` fails when its sources changed since).
const BUNDLED_FORWARDER: &[u8] = include_bytes!("demo/kinesis-forwarder.wasm");

/// The bundled aggregator, built from `fixtures/guests/aggregator` likewise.
const BUNDLED_AGGREGATOR: &[u8] = include_bytes!("demo/aggregator.wasm");

/// Arguments of `lambda-sim demo`.
#[derive(clap::Args)]
#[command(mut_arg("cold_start", |a| a.default_value("rust")))]
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
    #[command(flatten)]
    cold_start: ColdStartFlag,
    /// Where S3's objects are written (a temporary directory if not given).
    #[arg(long)]
    objects: Option<PathBuf>,
    /// The forwarder: a handler crate or `.wasm` reading Kinesis batches into the Firehose
    /// stream named by `DELIVERY_STREAM` [default: the bundled one, fixtures/guests/kinesis-forwarder]
    #[arg(long)]
    forwarder: Option<PathBuf>,
    /// The aggregating consumer: a handler crate or `.wasm` reading the same stream [default:
    /// the bundled one, fixtures/guests/aggregator]
    #[arg(long)]
    aggregator: Option<PathBuf>,
    /// A `lambda-sim.toml` or SAM `template.yaml` describing the pipeline instead: its first
    /// stream gets the events (and every queue a mapping reads gets a copy), its mappings'
    /// functions consume them, its first delivery stream is the one checked in S3.
    #[arg(long, conflicts_with_all = ["forwarder", "aggregator"])]
    config: Option<PathBuf>,
    /// Write an HTML report (latencies, a timeline of batches) to this file.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let file = args
        .config
        .as_ref()
        .map(|path| Project::read(path))
        .transpose()
        .map_err(crate::project_error)?;
    if let Some(file) = &file {
        for warning in &file.warnings {
            eprintln!("warning: {warning}");
        }
    }
    // Virtual time and deterministic CPU whatever the file says: the same seed, the same run.
    let mut settings = file.as_ref().map(|f| f.runtime.clone()).unwrap_or_default();
    // A `lambda-sim.toml` may choose its cold-start model; a template has no such setting.
    let template = args.config.as_deref().is_some_and(Project::is_template);
    if file.is_none() || template {
        SimFlags {
            cold_start: args.cold_start,
            ..SimFlags::default()
        }
        .apply(&mut settings)?;
    }
    let runtime = Runtime::new(
        settings
            .clock(ClockMode::Virtual)
            .cpu(CpuMode::Deterministic)
            .seed(args.seed)
            .objects_dir(args.objects.clone()),
    )?;
    lambda_sim_server::attach_aws(&runtime);
    let mut options = PipelineOptions {
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
    eprintln!("lambda-sim: building the handlers");
    let consumers = match &file {
        Some(file) => described(&runtime, file, &mut options)?,
        None => {
            let load = |path: &Option<PathBuf>, bundled: &[u8], name: &str| -> anyhow::Result<_> {
                let config = FunctionConfig::named(name)
                    .memory_size_mb(args.memory)
                    .env("DELIVERY_STREAM", &options.delivery.name);
                match path {
                    Some(path) => runtime.load_file(crate::component(path)?, config),
                    None => runtime.load(bundled, config),
                }
                .map_err(crate::lambda_error)
            };
            let forwarder = load(&args.forwarder, BUNDLED_FORWARDER, "forwarder")?;
            let mut forwarder = Consumer::forwarder(&forwarder);
            if let Some(mapping) = forwarder.kinesis_mut() {
                mapping.batch_size = args.batch_size;
                mapping.maximum_retry_attempts = args.max_retries;
            }
            let aggregator = load(&args.aggregator, BUNDLED_AGGREGATOR, "aggregator")?;
            let aggregator = Consumer::aggregator(&aggregator);
            vec![forwarder, aggregator]
        }
    };
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
    let bar = crate::progress::bar(
        options.records as u64,
        "{bar:40} {pos}/{len} events {elapsed}",
    );
    let (report, timing) = tokio
        .block_on(pipeline_run_with_progress(
            &runtime,
            &consumers,
            &options,
            |sent| {
                if let Some(bar) = &bar {
                    bar.set_position(sent as u64);
                }
            },
        ))
        .map_err(|err| anyhow::anyhow!("the pipeline failed: {err}"))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    println!("{report}");
    if let Some(path) = &args.report {
        report.to_html(&timing).write(path)?;
        eprintln!("lambda-sim: report written to {}", path.display());
    }
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

/// The consumers a file describes: its first stream's mappings, and the mappings of the
/// queues (each queue gets a copy of every event); its delivery streams are created, the
/// first is checked.
fn described(
    runtime: &Runtime,
    file: &Project,
    options: &mut PipelineOptions,
) -> anyhow::Result<Vec<Consumer>> {
    let stream = file.streams.first().ok_or_else(|| {
        anyhow::anyhow!(
            "the file describes no stream for the events (`[[stream]]` or `AWS::Kinesis::Stream`)"
        )
    })?;
    options.stream = stream.name.clone();
    options.shards = stream.shards;
    let checked = file.delivery_streams.first().ok_or_else(|| {
        anyhow::anyhow!("the demo checks what reaches S3: the file describes no delivery stream (`[[delivery_stream]]` or `AWS::KinesisFirehose::DeliveryStream`)")
    })?;
    options.delivery = checked.clone();
    for delivery in &file.delivery_streams {
        runtime
            .services()
            .firehose
            .create(delivery.clone())
            .map_err(|err| anyhow::anyhow!("{err}"))?;
    }
    let mut consumers = Vec::new();
    for mapping in &file.mappings {
        let spec = file
            .function(mapping.function())
            .ok_or_else(|| anyhow::anyhow!("no function `{}`", mapping.function()))?;
        let wasm = crate::function_component(spec)?;
        let function = runtime
            .load_file(&wasm, spec.config.clone())
            .map_err(crate::lambda_error)?;
        let source = match mapping {
            MappingSpec::Kinesis {
                stream: name,
                config,
            } => {
                if name != &stream.name {
                    eprintln!(
                        "warning: the mapping of `{}` reads stream `{name}`, which gets no events (the demo feeds `{}`)",
                        spec.config.name, stream.name
                    );
                    continue;
                }
                ConsumerSource::Kinesis(config.clone())
            }
            MappingSpec::Sqs { queue, config } => {
                let spec_of = |name: &str| file.queues.iter().find(|q| q.name == name).cloned();
                let queue = spec_of(queue).ok_or_else(|| anyhow::anyhow!("no queue `{queue}`"))?;
                let dead_letter = queue.dead_letter_queue.as_deref().and_then(spec_of);
                ConsumerSource::Sqs {
                    queue,
                    dead_letter,
                    mapping: config.clone(),
                }
            }
        };
        consumers.push(Consumer { function, source });
    }
    if consumers.is_empty() {
        anyhow::bail!(
            "the file maps no function to its stream or queues (`[[event_source_mapping]]` or a function's `Events`)"
        );
    }
    Ok(consumers)
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::sim_flags::ColdStartPreset;

    #[derive(clap::Parser)]
    struct Demo {
        #[command(flatten)]
        args: DemoArgs,
    }

    fn cold_start(args: &[&str]) -> Option<ColdStartPreset> {
        let parsed = Demo::try_parse_from(std::iter::once("demo").chain(args.iter().copied()));
        parsed.expect("valid flags").args.cold_start.cold_start
    }

    /// The embedded handlers were built from the sources as they are: the key
    /// `packaging/demo-sources-key.sh` prints is the one recorded when they were built.
    #[test]
    fn demo_handlers_are_fresh() {
        let root = env!("CARGO_MANIFEST_DIR");
        let out = std::process::Command::new("bash")
            .arg(format!("{root}/packaging/demo-sources-key.sh"))
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let recorded = include_str!("demo/sources.sha256");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            recorded.trim(),
            "the demo's embedded handlers (src/demo/*.wasm) are older than their sources: run \
             packaging/refresh-demo-handlers.sh"
        );
        assert!(
            BUNDLED_FORWARDER.starts_with(b"\0asm") && BUNDLED_AGGREGATOR.starts_with(b"\0asm")
        );
    }

    #[test]
    fn the_demo_starts_cold_as_rust_unless_told_otherwise() {
        assert_eq!(cold_start(&[]), Some(ColdStartPreset::Rust));
        assert_eq!(
            cold_start(&["--cold-start", "java"]),
            Some(ColdStartPreset::Java)
        );
        assert_eq!(
            cold_start(&["--cold-start", "provided"]),
            Some(ColdStartPreset::Rust)
        );
    }
}
