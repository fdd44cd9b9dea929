//! lambda-sim's stand-in for the `lambda_runtime` crate: the API a Rust function is written
//! against (`run`, `service_fn`, `LambdaEvent`, `Context`, `Error`, `Diagnostic`, `tracing`,
//! tower services and layers), served by lambda-sim's handler world rather than by the Runtime
//! API over HTTP.
//!
//! `lambda-sim build` swaps it in for `lambda_runtime` with `[patch.crates-io]`, together with
//! a tokio-macros whose `#[tokio::main]` hands `main`'s body to [`lifecycle`]: the body runs as
//! the function's Init phase until it awaits [`run`], and the service given to `run` then
//! serves each invocation on the same current-thread tokio runtime. Everything `main` does
//! before `run` (clients, configuration, tracing) is Init, as on Lambda.

mod deserializer;
/// Function errors: `errorType` and `errorMessage`.
pub mod diagnostic;
mod lifecycle;
/// Streamed responses.
pub mod streaming;
/// `tracing` and the default subscriber.
pub mod tracing;
mod types;

use std::fmt::{self, Debug};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_core::Stream;
use serde::{Deserialize, Serialize};
pub use tower::{self, Service, service_fn};

pub use diagnostic::Diagnostic;
pub use types::{
    ClientApplication, ClientContext, CognitoIdentity, Context, FunctionResponse,
    IntoFunctionResponse, LambdaEvent, MetadataPrelude, StreamResponse,
};

/// Error type that lambdas may result in.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// A boxed, `Send` future with a bound lifetime.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Configuration derived from environment variables.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    /// The name of the function.
    pub function_name: String,
    /// The amount of memory available to the function in MB.
    pub memory: i32,
    /// The version of the function being executed.
    pub version: String,
    /// The name of the Amazon CloudWatch Logs stream for the function.
    pub log_stream: String,
    /// The name of the Amazon CloudWatch Logs group for the function.
    pub log_group: String,
}

/// A shared reference to the function's configuration.
pub type RefConfig = Arc<Config>;

impl Config {
    /// Reads the function's configuration from Lambda's environment variables.
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).unwrap_or_default();
        Config {
            function_name: var("AWS_LAMBDA_FUNCTION_NAME"),
            memory: var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
                .parse()
                .unwrap_or(128),
            version: var("AWS_LAMBDA_FUNCTION_VERSION"),
            log_stream: var("AWS_LAMBDA_LOG_STREAM_NAME"),
            log_group: var("AWS_LAMBDA_LOG_GROUP_NAME"),
        }
    }
}

/// Return a new [`ServiceFn`](tower::util::ServiceFn) with a closure that takes an event and
/// context as separate arguments.
#[deprecated(since = "0.5.0", note = "Use `service_fn` and `LambdaEvent` instead")]
pub fn handler_fn<A, F, Fut>(f: F) -> tower::util::ServiceFn<impl Fn(LambdaEvent<A>) -> Fut>
where
    F: Fn(A, Context) -> Fut,
{
    service_fn(move |req: LambdaEvent<A>| f(req.payload, req.context))
}

/// Registers a hook for the SIGTERM Lambda sends an environment with extensions before it
/// shuts it down. lambda-sim environments have no extensions and get no SIGTERM: the hook is
/// never called.
#[cfg(feature = "graceful-shutdown")]
pub async fn spawn_graceful_shutdown_handler<Fut>(
    shutdown_hook: impl FnOnce() -> Fut + Send + 'static,
) where
    Fut: Future<Output = ()> + Send + 'static,
{
    drop(shutdown_hook);
}

/// Starts the function's runtime: on lambda-sim, registers `handler` as the service that
/// serves each invocation, and ends `main`'s Init phase. Await it in `#[tokio::main] async fn
/// main`; its future does not complete while the execution environment lives.
pub async fn run<A, F, R, B, S, D, E>(handler: F) -> Result<(), Error>
where
    F: Service<LambdaEvent<A>, Response = R>,
    F::Future: Future<Output = Result<R, F::Error>>,
    F::Error: Into<Diagnostic> + fmt::Debug,
    A: for<'de> Deserialize<'de>,
    R: IntoFunctionResponse<B, S>,
    B: Serialize,
    S: Stream<Item = Result<D, E>> + Unpin + Send + 'static,
    D: Into<bytes::Bytes> + Send,
    E: Into<Error> + Send + Debug,
{
    lifecycle::serve(handler).await
}

/// [`run`] for Lambda Managed Instances; one invocation at a time per environment here, as
/// with `AWS_LAMBDA_MAX_CONCURRENCY` unset.
pub async fn run_concurrent<A, F, R, B, S, D, E>(handler: F) -> Result<(), Error>
where
    F: Service<LambdaEvent<A>, Response = R> + Clone + Send + 'static,
    F::Future: Future<Output = Result<R, F::Error>> + Send + 'static,
    F::Error: Into<Diagnostic> + fmt::Debug,
    A: for<'de> Deserialize<'de> + Send + 'static,
    R: IntoFunctionResponse<B, S> + Send + 'static,
    B: Serialize + Send + 'static,
    S: Stream<Item = Result<D, E>> + Unpin + Send + 'static,
    D: Into<bytes::Bytes> + Send + 'static,
    E: Into<Error> + Send + Debug + 'static,
{
    lifecycle::serve(handler).await
}
