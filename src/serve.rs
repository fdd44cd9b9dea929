//! `lambda-sim serve`: the Lambda Invoke API and the AWS service APIs (Kinesis, Firehose, S3,
//! SQS, DynamoDB) on a local port, for unmodified AWS clients (`sam local start-lambda`
//! without Docker, and the services around it); a file's event-source mappings run on the
//! real clock.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use std::sync::Arc;

use anyhow::{Context as _, bail};
use lambda_sim_pipeline::StreamConfig;
use lambda_sim_project::{FunctionSpec, MappingSpec, Project, QueueSpec};
use lambda_sim_runners::{LambdaTarget, LiveSources, queue_of};
use lambda_sim_runtime::{FunctionConfig, Runtime};
use lambda_sim_server::{AwsApis, Deployed, FrontDoor, LogFormat, LogOutput, Registry, Server};

use crate::sim_flags::{ColdStartFlag, CpuFlag, SimFlags};

/// Arguments of `lambda-sim serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// Functions to serve without a file: `.wasm` components or handler crates, each named
    /// after its file.
    functions: Vec<PathBuf>,
    /// A `lambda-sim.toml` with the simulation's settings and functions.
    #[arg(long, conflicts_with = "template")]
    config: Option<PathBuf>,
    /// An AWS SAM `template.yaml`: its `AWS::Serverless::Function` resources are served.
    #[arg(long)]
    template: Option<PathBuf>,
    /// The address to listen on (port 0 picks a free port; the address is printed on stdout).
    #[arg(long, default_value = "127.0.0.1:9001")]
    addr: SocketAddr,
    /// Where the API Gateway routes of the file are served (REST and HTTP APIs together);
    /// function URLs get the next ports, one each (port 0: free ports). Printed on stdout.
    #[arg(long, default_value = "127.0.0.1:3000")]
    http_addr: SocketAddr,
    /// The bandwidth of a streamed response past its first 6 MB, in bytes a second, or
    /// `unlimited` (default: Lambda's 2 MB/s).
    #[arg(long, default_value = "2097152", value_parser = parse_bandwidth)]
    stream_bandwidth: Bandwidth,
    /// Listen on an address that is not loopback (anyone who reaches it can run the handlers).
    #[arg(long)]
    allow_remote: bool,
    /// How invocation logs are written.
    #[arg(long, value_enum, default_value = "text")]
    log_format: Format,
    /// Write invocation logs to this file instead of stderr.
    #[arg(long)]
    log_file: Option<PathBuf>,
    /// The seed of every random draw (delays, request ids).
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    cold_start: ColdStartFlag,
    #[command(flatten)]
    cpu: CpuFlag,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// CloudWatch's text lines.
    Text,
    /// Telemetry API records, one JSON object a line.
    Json,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let file = match (&args.config, &args.template) {
        (Some(path), None) | (None, Some(path)) => Some(Project::read(path)?),
        _ => None,
    };
    let mut specs: Vec<FunctionSpec> = file
        .as_ref()
        .map(|f| f.functions.clone())
        .unwrap_or_default();
    for path in &args.functions {
        let name = lambda_sim_build::function_name(path);
        specs.push(FunctionSpec::new(path, FunctionConfig::named(name)));
    }
    if specs.is_empty() {
        bail!(
            "nothing to serve: give functions (.wasm files or handler crates), --config or --template"
        );
    }
    for spec in &specs {
        if specs
            .iter()
            .filter(|s| s.config.name == spec.config.name)
            .count()
            > 1
        {
            bail!("two functions are named `{}`", spec.config.name);
        }
    }
    if let Some(file) = &file {
        for warning in &file.warnings {
            eprintln!("warning: {warning}");
        }
    }

    let mut runtime_config = file.as_ref().map(|f| f.runtime.clone()).unwrap_or_default();
    if let Some(seed) = args.seed {
        runtime_config.seed = Some(seed);
    }
    // `serve` takes no `--clock`: the file's clock, or the real one.
    SimFlags {
        cold_start: args.cold_start,
        cpu: args.cpu,
        ..SimFlags::default()
    }
    .apply(&mut runtime_config)?;
    let front_door = match &file {
        Some(file) => FrontDoor::new(&file.routes, &file.apis, &file.function_urls)
            .context("the file's API routes cannot be served")?,
        None => FrontDoor::default(),
    };
    if !args.addr.ip().is_loopback() {
        if !args.allow_remote {
            bail!(
                "{} is not a loopback address: the simulator runs handlers for anyone who reaches it, without authentication; pass --allow-remote to serve it anyway",
                args.addr
            );
        }
        eprintln!(
            "warning: serving on {}, which is not loopback: anyone who reaches it can invoke the functions",
            args.addr
        );
    }

    let runtime = Runtime::new(runtime_config)?;
    let mut deployed = Vec::new();
    for spec in &specs {
        let wasm_path = crate::function_component(spec)?;
        let wasm = std::fs::read(&wasm_path)
            .with_context(|| format!("failed to read `{}`", wasm_path.display()))?;
        let function = runtime
            .load(&wasm, spec.config.clone())
            .map_err(crate::lambda_error)
            .with_context(|| format!("failed to load function `{}`", spec.config.name))?;
        deployed.push(Deployed::new(
            function,
            Some(spec),
            &wasm,
            &wasm_path.display().to_string(),
        ));
    }

    let writer: Box<dyn std::io::Write + Send> = match &args.log_file {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("failed to create `{}`", path.display()))?,
        ),
        None => Box::new(std::io::stderr()),
    };
    let format = match args.log_format {
        Format::Text => LogFormat::Text,
        Format::Json => LogFormat::Json,
    };
    let snap_start: Vec<lambda_sim_runtime::Function> = deployed
        .iter()
        .filter(|d| d.function.config().snap_start)
        .map(|d| d.function.clone())
        .collect();
    let names: Vec<String> = deployed
        .iter()
        .map(|d| d.function.config().name.clone())
        .collect();
    let log = Arc::new(LogOutput::new(writer, format));
    let apis = lambda_sim_server::attach_aws(&runtime);
    let live = match &file {
        Some(file) => event_sources(&runtime, file, &apis, &deployed, &log)?,
        None => LiveSources::new(&runtime),
    };
    let mappings = match file.as_ref().map_or(0, |f| f.mappings.len()) {
        0 => String::new(),
        1 => "; 1 event-source mapping runs".to_owned(),
        n => format!("; {n} event-source mappings run"),
    };
    let server = Server::new(runtime, Registry::new(deployed))
        .log_shared(log.clone())
        .aws(apis)
        .stream_bandwidth(args.stream_bandwidth.0);
    let routes = front_door.describe();

    let tokio = tokio::runtime::Runtime::new().context("failed to start tokio")?;
    let report = tokio.block_on(async {
        let listener = lambda_sim_server::bind(args.addr, args.allow_remote)
            .await
            .with_context(|| format!("failed to listen on {}", args.addr))?;
        let local = listener
            .local_addr()
            .context("failed to read the bound address")?;
        let (server, doors) =
            open_front_door(server, front_door, args.http_addr, args.allow_remote).await?;
        // SnapStart functions are published before the first request: Init, then the snapshot.
        for function in &snap_start {
            crate::snap_start::publish(function, |line| log.note(line))
                .await
                .with_context(|| format!("failed to publish function `{}`", function.config().name))?;
        }
        // A reader that has gone (`serve | head -1`) is no reason to stop serving.
        let mut stdout = std::io::stdout().lock();
        for line in std::iter::once(format!("listening on http://{local}")).chain(doors) {
            let _ = writeln!(stdout, "{line}");
        }
        let _ = stdout.flush();
        drop(stdout);
        for route in &routes {
            eprintln!("lambda-sim: route {route}");
        }
        eprintln!(
            "lambda-sim: serving {} on http://{local}, with the AWS APIs (Kinesis, Firehose, S3, SQS, DynamoDB){mappings} (Ctrl-C to stop)",
            names.join(", ")
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let sources = tokio::spawn(live.run(async move {
            let _ = stopped.await;
        }));
        let report = server.run(listener, shutdown_signal()).await;
        let _ = stop.send(());
        let live = sources
            .await
            .context("the event-source mappings stopped abnormally")?;
        anyhow::Ok((report, live))
    })?;
    let (report, live) = report;
    for error in &live.flush_errors {
        eprintln!("lambda-sim: a delivery stream failed to write to S3: {error}");
    }
    if live.invocations > 0 || live.flushed_at_stop > 0 {
        eprintln!(
            "lambda-sim: event-source mappings made {} invocations; delivery streams wrote {} objects at stop",
            live.invocations, live.flushed_at_stop
        );
    }

    let events = &report.events;
    eprintln!(
        "lambda-sim: stopped; async events: {} accepted, {} delivered, {} failed, {} still queued",
        events.accepted,
        events.delivered,
        events.failed,
        events.pending.len()
    );
    for (request_id, function) in &events.pending {
        eprintln!(
            "lambda-sim: not delivered: event {request_id} for `{function}` (waiting for a retry)"
        );
    }
    if report.unfinished_connections {
        eprintln!("lambda-sim: some requests were still running when the grace period ended");
    }
    Ok(ExitCode::SUCCESS)
}

/// The file's streams, queues and delivery streams, made in the AWS APIs' stores, and its
/// event-source mappings, to run on the real clock; each mapping's invocations are logged as
/// the API's are.
fn event_sources(
    runtime: &Runtime,
    file: &Project,
    apis: &AwsApis,
    deployed: &[Deployed],
    log: &Arc<LogOutput>,
) -> anyhow::Result<LiveSources> {
    for spec in &file.streams {
        apis.add_stream(StreamConfig {
            name: spec.name.clone(),
            shard_count: spec.shards,
            retention: spec.retention(),
            ..StreamConfig::default()
        })?;
    }
    // Dead-letter queues first: a queue's redrive policy holds its dead-letter queue.
    let mut queues: Vec<&QueueSpec> = file.queues.iter().collect();
    queues.sort_by_key(|q| q.dead_letter_queue.is_some());
    for spec in queues {
        let dead_letter = spec
            .dead_letter_queue
            .as_ref()
            .map(|name| {
                apis.queue(name).with_context(|| {
                    format!(
                        "the dead-letter queue `{name}` of `{}` is not declared",
                        spec.name
                    )
                })
            })
            .transpose()?;
        apis.add_queue(queue_of(spec, dead_letter)?)?;
    }
    // The template's buckets, and every delivery stream's, exist before anything is written.
    let objects = &runtime.services().objects;
    let buckets = file
        .buckets
        .iter()
        .chain(file.delivery_streams.iter().map(|d| &d.bucket));
    for bucket in buckets {
        objects
            .create_bucket(bucket)
            .with_context(|| format!("failed to create the bucket `{bucket}`"))?;
    }
    for delivery in &file.delivery_streams {
        runtime.services().firehose.create(delivery.clone())?;
    }
    let mut live = LiveSources::new(runtime);
    for mapping in &file.mappings {
        let name = mapping.function().to_owned();
        let function = deployed
            .iter()
            .find(|d| d.function.config().name == name)
            .map(|d| d.function.clone())
            .with_context(|| {
                format!("an event-source mapping names `{name}`, which is not served")
            })?;
        let (log, refused_by) = (log.clone(), name.clone());
        let target = LambdaTarget::new(&function).observe(move |outcome| match outcome {
            Ok(invocation) => log.invocation(invocation),
            Err(err) => log.note(&format!(
                "{refused_by} refused a batch: {err} ({})",
                err.error_type()
            )),
        });
        match mapping {
            MappingSpec::Kinesis { stream, config } => {
                let handle = apis.stream(stream).with_context(|| {
                    format!("the mapping of `{name}` reads `{stream}`, which is not declared")
                })?;
                live.kinesis(handle, config.clone(), target)?;
            }
            MappingSpec::Sqs { queue, config } => {
                let handle = apis.queue(queue).with_context(|| {
                    format!("the mapping of `{name}` reads `{queue}`, which is not declared")
                })?;
                live.sqs(handle, config.clone(), target)?;
            }
        }
    }
    Ok(live)
}

/// Binds the front door's ports: the APIs' on `addr` (when the file declares routes), then
/// one per function URL on the following ports (free ports when `addr`'s is 0). Returns the
/// server serving them and the lines that announce them.
async fn open_front_door(
    server: Server,
    front_door: FrontDoor,
    addr: SocketAddr,
    allow_remote: bool,
) -> anyhow::Result<(Server, Vec<String>)> {
    let mut lines = Vec::new();
    let mut port = addr.port();
    let mut next = || {
        let mut at = addr;
        at.set_port(port);
        if port != 0 {
            port = port.saturating_add(1);
        }
        at
    };
    let api = if front_door.has_routes() {
        let at = next();
        let listener = lambda_sim_server::bind(at, allow_remote)
            .await
            .with_context(|| format!("failed to listen on {at} for the API routes"))?;
        let local = listener
            .local_addr()
            .context("failed to read the bound address")?;
        lines.push(format!("api listening on http://{local}"));
        Some(listener)
    } else {
        None
    };
    let mut urls = Vec::new();
    for url in front_door.urls() {
        let at = next();
        let listener = lambda_sim_server::bind(at, allow_remote)
            .await
            .with_context(|| {
                format!(
                    "failed to listen on {at} for the function URL of `{}`",
                    url.function
                )
            })?;
        let local = listener
            .local_addr()
            .context("failed to read the bound address")?;
        let mode = if url.streaming {
            " (RESPONSE_STREAM)"
        } else {
            ""
        };
        lines.push(format!(
            "function url {} listening on http://{local}/{mode}",
            url.function
        ));
        urls.push(listener);
    }
    Ok((server.front_door(front_door, api, urls), lines))
}

/// A streamed response's bandwidth (`None`: unlimited).
#[derive(Clone, Copy, Debug)]
struct Bandwidth(Option<u64>);

fn parse_bandwidth(text: &str) -> Result<Bandwidth, String> {
    if text == "unlimited" {
        return Ok(Bandwidth(None));
    }
    match text.parse::<u64>() {
        Ok(0) | Err(_) => Err(format!(
            "`{text}` is not a number of bytes a second above 0, or `unlimited`"
        )),
        Ok(n) => Ok(Bandwidth(Some(n))),
    }
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = match signal(SignalKind::terminate()) {
            Ok(stream) => stream,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
