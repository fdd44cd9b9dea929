//! The Lambda Invoke API over HTTP in front of lambda-sim's runtime, so that unmodified AWS
//! clients (boto3, the AWS CLI, aws-sdk-lambda) call simulated functions as they call AWS.
//!
//! ```no_run
//! use lambda_sim_runtime::{FunctionConfig, Runtime, RuntimeConfig};
//! use lambda_sim_server::{Deployed, Registry, Server};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let runtime = Runtime::new(RuntimeConfig::default())?;
//! let wasm = std::fs::read("hello.wasm")?;
//! let hello = runtime.load(&wasm, FunctionConfig::named("hello"))?;
//! let registry = Registry::new(vec![Deployed::new(hello, None, &wasm, "hello.wasm")]);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:9001").await?;
//! // Serves until Ctrl-C, then lets in-flight invocations finish.
//! let report = Server::new(runtime, registry)
//!     .run(listener, async { let _ = tokio::signal::ctrl_c().await; })
//!     .await;
//! println!("{} events still queued", report.events.pending.len());
//! # Ok(())
//! # }
//! ```
//!
//! # Operations
//! - `POST /2015-03-31/functions/{name}/invocations`: Invoke, `RequestResponse` (200), `Event`
//!   (202, delivered in the background with Lambda's retries), `DryRun` (204);
//!   `X-Amz-Log-Type: Tail`; errors with the full `x-amzn-ErrorType` names.
//! - With [`Server::aws`], the AWS service APIs of [`lambda_sim_aws`] on the same port:
//!   requests with an `X-Amz-Target` (Kinesis, Firehose, SQS, DynamoDB) and every other path
//!   (S3, path-style or `bucket.localhost`).
//! - `GET /2015-03-31/functions/`: ListFunctions; `GET .../functions/{name}`: GetFunction;
//!   `GET .../functions/{name}/configuration`: GetFunctionConfiguration.
//!
//! Each connection is served on its own task and each invocation in its own environment, so
//! concurrent requests run concurrently and a slow client stalls only itself.
//!
//! [`client`] is the other end, minimal: a kept-alive connection and a POST, for `lambda-sim
//! soak` and the benchmarks.

mod api_error;
mod async_invocations;
mod body;
pub mod client;
mod clock;
mod configuration;
mod endpoints;
mod event_stream;
mod front_door;
mod log_output;
mod registry;
mod response_streaming;
mod service;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use lambda_sim_runtime::Runtime;
use tokio::net::TcpListener;

pub use api_error::ApiError;
pub use async_invocations::EventTally;
pub use clock::RuntimeClock;
pub use endpoints::{ApiEndpoints, attach_aws};
pub use front_door::{FrontDoor, FrontDoorError, FunctionUrl};
pub use lambda_sim_aws::AwsApis;
pub use log_output::{LogFormat, LogOutput};
pub use registry::{Deployed, Registry, split_function_name};

/// How long a client may take to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

/// State every request handler shares.
pub(crate) struct Shared {
    pub(crate) runtime: Runtime,
    pub(crate) registry: Registry,
    pub(crate) log: Option<Arc<LogOutput>>,
    pub(crate) events: async_invocations::Events,
    pub(crate) body_timeout: Duration,
    pub(crate) aws: Option<lambda_sim_aws::AwsApis>,
    /// A streamed response's bandwidth past its first 6 MB (`None`: uncapped).
    pub(crate) stream_bandwidth: Option<u64>,
}

impl Shared {
    /// A response stream paced at the server's bandwidth.
    pub(crate) fn response_stream(
        &self,
    ) -> (
        lambda_sim_runtime::ResponseSink,
        tokio::sync::mpsc::Receiver<lambda_sim_runtime::StreamPart>,
    ) {
        let (sink, parts) = lambda_sim_runtime::response_stream();
        (sink.bandwidth(self.stream_bandwidth), parts)
    }
}

/// A Lambda API server for a set of functions.
pub struct Server {
    shared: Shared,
    grace: Option<Duration>,
    drain_events: bool,
    /// The front door's routes and URLs, and the ports they are served on.
    front_door: Arc<FrontDoor>,
    doors: Vec<(Door, TcpListener)>,
}

/// What a listener serves.
#[derive(Clone, Copy, Debug)]
enum Door {
    /// The Lambda API (and the AWS APIs).
    Lambda,
    /// The API Gateway routes.
    Api,
    /// The function URL of `front_door.urls[n]`.
    Url(usize),
}

/// What a server's shutdown found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Connections still busy when the grace period ended (closed unfinished).
    pub unfinished_connections: bool,
    /// What became of the accepted asynchronous events.
    pub events: EventTally,
}

impl Server {
    /// A server for these functions of `runtime`.
    pub fn new(runtime: Runtime, registry: Registry) -> Self {
        Server {
            shared: Shared {
                runtime,
                registry,
                log: None,
                events: async_invocations::Events::default(),
                body_timeout: Duration::from_secs(30),
                aws: None,
                stream_bandwidth: Some(lambda_sim_runtime::STREAM_BANDWIDTH),
            },
            grace: None,
            drain_events: false,
            front_door: Arc::new(FrontDoor::default()),
            doors: Vec::new(),
        }
    }

    /// Serves the front door's API routes on `api` (when it has routes) and each function
    /// URL on its listener in `urls`, in the order of [`FrontDoor::urls`].
    pub fn front_door(
        mut self,
        front_door: FrontDoor,
        api: Option<TcpListener>,
        urls: Vec<TcpListener>,
    ) -> Self {
        self.doors.extend(api.map(|l| (Door::Api, l)));
        self.doors
            .extend(urls.into_iter().enumerate().map(|(n, l)| (Door::Url(n), l)));
        self.front_door = Arc::new(front_door);
        self
    }

    /// At shutdown, wait (within the grace period) for every accepted event to be delivered
    /// or to fail, including those waiting for a retry (default: only for attempts running;
    /// the rest are reported as still queued).
    pub fn drain_events(mut self, drain: bool) -> Self {
        self.drain_events = drain;
        self
    }

    /// Also serves the AWS service APIs (Kinesis, Firehose, S3, SQS, DynamoDB) on the same
    /// port: every request outside the Lambda API's paths, or with an `X-Amz-Target`, goes to
    /// `apis` (default: none, such requests get the Lambda API's unknown-operation error).
    pub fn aws(mut self, apis: lambda_sim_aws::AwsApis) -> Self {
        self.shared.aws = Some(apis);
        self
    }

    /// The bandwidth of a streamed response past its first 6 MB, in bytes a second (default
    /// Lambda's 2 MB/s; `None`: uncapped).
    pub fn stream_bandwidth(mut self, bytes_per_second: Option<u64>) -> Self {
        self.shared.stream_bandwidth = bytes_per_second;
        self
    }

    /// Writes every invocation's log lines to `log` (default: nowhere).
    pub fn log(self, log: LogOutput) -> Self {
        self.log_shared(Arc::new(log))
    }

    /// [`Server::log`] to a sink others write to as well (the event-source mappings).
    pub fn log_shared(mut self, log: Arc<LogOutput>) -> Self {
        self.shared.log = Some(log);
        self
    }

    /// How long a client may take to send a request body (default 30 s); past it the request
    /// gets a 408.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.shared.body_timeout = timeout;
        self
    }

    /// How long a shutdown waits for in-flight invocations and running event deliveries
    /// (default: the longest function timeout plus Lambda's 10 s Init limit).
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = Some(grace);
        self
    }

    /// Serves on `listener` until `shutdown` completes; then stops accepting, lets in-flight
    /// requests finish within the grace period, and reports what became of async events.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> ShutdownReport {
        let grace = self.grace.unwrap_or_else(|| {
            let longest = self
                .shared
                .registry
                .all()
                .iter()
                .map(|d| d.function.config().timeout)
                .max()
                .unwrap_or_default();
            longest + lambda_sim_runtime::INIT_LIMIT
        });
        let shared = Arc::new(self.shared);
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        // Every listener's connections come here, each with what it serves.
        let (accepted_tx, mut accepted) = tokio::sync::mpsc::channel(64);
        let mut acceptors = Vec::new();
        let doors = std::iter::once((Door::Lambda, listener)).chain(self.doors);
        for (door, listener) in doors {
            let tx = accepted_tx.clone();
            acceptors.push(tokio::spawn(async move {
                loop {
                    match listener.accept().await {
                        Ok((stream, peer)) => {
                            if tx.send((door, stream, peer)).await.is_err() {
                                return;
                            }
                        }
                        // Out of file descriptors or a reset before accept: wait a little.
                        Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
            }));
        }
        drop(accepted_tx);
        loop {
            tokio::select! {
                Some((door, stream, peer)) = accepted.recv() => {
                    let _ = stream.set_nodelay(true);
                    let connection = serve_connection(&shared, &self.front_door, door, peer, stream);
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        let _ = connection.await;
                    });
                }
                () = &mut shutdown => break,
            }
        }
        for acceptor in acceptors {
            acceptor.abort();
        }
        let unfinished = tokio::time::timeout(grace, graceful.shutdown())
            .await
            .is_err();
        let drain = self.drain_events;
        let running = || {
            if drain {
                return 1;
            }
            shared
                .registry
                .all()
                .iter()
                .map(|d| d.function.running_invocations())
                .sum()
        };
        shared.events.settle(grace, running).await;
        ShutdownReport {
            unfinished_connections: unfinished,
            events: shared.events.tally(),
        }
    }
}

/// One connection, served as its door serves requests.
fn serve_connection(
    shared: &Arc<Shared>,
    front_door: &Arc<FrontDoor>,
    door: Door,
    peer: SocketAddr,
    stream: tokio::net::TcpStream,
) -> impl hyper_util::server::graceful::GracefulConnection + use<> {
    let shared = shared.clone();
    let front_door = front_door.clone();
    let service = service_fn(move |request| {
        let (shared, front_door) = (shared.clone(), front_door.clone());
        async move {
            match door {
                Door::Lambda => service::handle(shared, request).await,
                Door::Api => front_door::handle_api(shared, front_door, peer, request).await,
                Door::Url(n) => front_door::handle_url(shared, front_door, n, peer, request).await,
            }
        }
    });
    http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service)
}

/// Binds `addr`; refuses an address that is not loopback unless `allow_remote`.
pub async fn bind(addr: SocketAddr, allow_remote: bool) -> std::io::Result<TcpListener> {
    if !addr.ip().is_loopback() && !allow_remote {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "{addr} is not a loopback address: the simulator runs untrusted handlers and has no authentication; pass --allow-remote to serve it anyway"
            ),
        ));
    }
    TcpListener::bind(addr).await
}
