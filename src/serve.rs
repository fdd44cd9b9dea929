//! `lambda-sim serve`: the Lambda Invoke API and the AWS service APIs (Kinesis, Firehose, S3,
//! SQS, DynamoDB) on a local port, for unmodified AWS clients (`sam local start-lambda`
//! without Docker, and the services around it); a file's event-source mappings run on the
//! real clock.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
    serve(args, |_| {})
}

/// What a server serves, handed to what runs beside it (`lambda-sim watch`'s watcher).
pub(crate) struct Serving {
    /// The runtime the functions are loaded in.
    pub runtime: Runtime,
    /// The server's functions: a [`Registry::replace`] is what the next request finds.
    pub registry: Registry,
    /// The functions' specifications, as loaded.
    pub specs: Vec<FunctionSpec>,
    /// The project file (`--config` or `--template`) and what it said, if one was given.
    pub file: Option<(PathBuf, Project)>,
    /// Where invocation logs and notes go.
    pub log: Arc<LogOutput>,
}

/// Serves as `lambda-sim serve` does until SIGINT or SIGTERM; `alongside` is called once the
/// address is printed, on the server's tokio runtime, with what is served.
pub(crate) fn serve(args: ServeArgs, alongside: impl FnOnce(Serving)) -> anyhow::Result<ExitCode> {
    let (file, specs) = read_specs(&args)?;
    let runtime_config = runtime_config(&args, file.as_ref())?;
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
    // Each thread sets up what a guest needs of it as it starts, not in its first request.
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(Runtime::prepare_thread)
        .build()
        .context("failed to start tokio")?;
    let deployed = deploy_all(&runtime, tokio.handle(), &specs)?;

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
    let registry = Registry::new(deployed);
    let live = match &file {
        Some(file) => event_sources(&runtime, file, &apis, &registry, &log)?,
        None => LiveSources::new(&runtime),
    };
    let mappings = match file.as_ref().map_or(0, |f| f.mappings.len()) {
        0 => String::new(),
        1 => "; 1 event-source mapping runs".to_owned(),
        n => format!("; {n} event-source mappings run"),
    };
    let serving = Serving {
        runtime: runtime.clone(),
        registry: registry.clone(),
        specs,
        file: args.config.clone().or(args.template.clone()).zip(file),
        log: log.clone(),
    };
    let server = Server::new(runtime, registry)
        .log_shared(log.clone())
        .aws(apis)
        .stream_bandwidth(args.stream_bandwidth.0);
    let routes = front_door.describe();

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
        // One that fails is refused with its error (`SnapStartException`); the others serve.
        for function in &snap_start {
            if let Err(err) = crate::snap_start::publish(function, |line| log.note(line)).await {
                log.note(&format!(
                    "lambda-sim: failed to publish function `{}`: {}",
                    function.config().name,
                    crate::lambda_error(err)
                ));
            }
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
        alongside(serving);
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
    print_stop(&report, &live);
    Ok(ExitCode::SUCCESS)
}

/// The functions to serve: the project file's, then those given by path; with the file, if
/// any (its warnings printed).
fn read_specs(args: &ServeArgs) -> anyhow::Result<(Option<Project>, Vec<FunctionSpec>)> {
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
    Ok((file, specs))
}

/// The runtime's settings: the file's, with the command line's seed and simulation flags.
fn runtime_config(
    args: &ServeArgs,
    file: Option<&Project>,
) -> anyhow::Result<lambda_sim_runtime::RuntimeConfig> {
    let mut runtime_config = file.map(|f| f.runtime.clone()).unwrap_or_default();
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
    Ok(runtime_config)
}

/// Builds (from a source directory), loads and pre-instantiates every function, and prints
/// how long the loads took: the server then answers its first request with a cold start like
/// any other.
fn deploy_all(
    runtime: &Runtime,
    tokio: &tokio::runtime::Handle,
    specs: &[FunctionSpec],
) -> anyhow::Result<Vec<Deployed>> {
    let mut deployed = Vec::new();
    let mut loading = Duration::ZERO;
    for spec in specs {
        let component = Component::of(spec)?;
        let started = Instant::now();
        deployed.push(component.deploy(runtime, tokio, spec)?);
        loading += started.elapsed();
    }
    eprintln!(
        "lambda-sim: loaded {} function(s) in {:.1} ms",
        deployed.len(),
        loading.as_secs_f64() * 1000.0
    );
    Ok(deployed)
}

/// A function's component, read (and first built, when its code is a source directory).
pub(crate) struct Component {
    /// The component's bytes.
    pub wasm: Vec<u8>,
    /// Where they were read from.
    pub path: PathBuf,
}

impl Component {
    /// Builds `spec`'s code if it is a directory (a Rust crate, a Python or Node.js handler),
    /// then reads the component.
    pub(crate) fn of(spec: &FunctionSpec) -> anyhow::Result<Component> {
        let path = crate::function_component(spec)?;
        let wasm =
            std::fs::read(&path).with_context(|| format!("failed to read `{}`", path.display()))?;
        Ok(Component { wasm, path })
    }

    /// Loads the component as `spec`'s function in `runtime` (compiling it, or reading the
    /// compile cache), then pre-instantiates it on `tokio` ([`Function::prepare`]): its first
    /// invocation is a cold start like any other.
    ///
    /// [`Function::prepare`]: lambda_sim_runtime::Function::prepare
    pub(crate) fn deploy(
        &self,
        runtime: &Runtime,
        tokio: &tokio::runtime::Handle,
        spec: &FunctionSpec,
    ) -> anyhow::Result<Deployed> {
        let name = &spec.config.name;
        let function = runtime
            .load(&self.wasm, spec.config.clone())
            .map_err(crate::lambda_error)
            .with_context(|| format!("failed to load function `{name}`"))?;
        tokio
            .block_on(function.prepare())
            .map_err(crate::lambda_error)
            .with_context(|| format!("failed to instantiate function `{name}`"))?;
        Ok(Deployed::new(
            function,
            Some(spec),
            &self.wasm,
            &self.path.display().to_string(),
        ))
    }
}

/// What the server and the event-source mappings did, printed at stop.
fn print_stop(report: &lambda_sim_server::ShutdownReport, live: &lambda_sim_runners::LiveReport) {
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
}

/// The file's streams, queues and delivery streams, made in the AWS APIs' stores, and its
/// event-source mappings, to run on the real clock; each mapping's invocations are logged as
/// the API's are. A mapping finds its function in `registry` at each batch, as a Lambda
/// mapping names its function: once `lambda-sim watch` swaps new code in, the next batch
/// runs on it.
fn event_sources(
    runtime: &Runtime,
    file: &Project,
    apis: &AwsApis,
    registry: &Registry,
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
        let deployed = registry.get(&name).with_context(|| {
            format!("an event-source mapping names `{name}`, which is not served")
        })?;
        let (log, refused_by) = (log.clone(), name.clone());
        let (registry, named) = (registry.clone(), name.clone());
        let target = LambdaTarget::new(&deployed.function)
            .follow(move || registry.get(&named).map(|d| d.function.clone()))
            .observe(move |outcome| match outcome {
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
