//! lambda-sim's stand-in for the `lambda_http` crate (1.3.2): the API a Rust HTTP function is
//! written against (`run`, `service_fn`, [`Request`], [`Response`], [`Body`], [`IntoResponse`],
//! [`RequestExt`], [`RequestPayloadExt`]), on lambda-sim's `lambda_runtime` stand-in.
//!
//! Adapted from aws-lambda-rust-runtime's `lambda-http` (Apache-2.0): the conversion of API
//! Gateway REST (payload v1), HTTP API (payload v2), function URL (v2 shape), ALB, WebSocket
//! and VPC Lattice events into an `http::Request<Body>`, and of the handler's response into the
//! JSON the event's origin expects, are upstream's code; what differs is only that
//! `lambda_runtime::run` is lambda-sim's, so `main` up to `run` is the function's Init phase and
//! the service serves each invocation.
//!
//! # Example
//!
//! ```rust,no_run
//! # extern crate lambda_sim_lambda_http as lambda_http;
//! use lambda_http::{service_fn, Error, IntoResponse, Request, RequestExt};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     lambda_http::run(service_fn(hello)).await
//! }
//!
//! async fn hello(request: Request) -> Result<impl IntoResponse, std::convert::Infallible> {
//!     let _context = request.lambda_context_ref();
//!     Ok(format!(
//!         "hello {}",
//!         request
//!             .query_string_parameters_ref()
//!             .and_then(|params| params.first("name"))
//!             .unwrap_or("stranger")
//!     ))
//! }
//! ```
//!
//! # Core Concepts
//!
//! - [`Adapter`] turns a `Service<Request>` into the `Service<LambdaEvent<LambdaRequest>>`
//!   `lambda_runtime::run` serves; it remembers the event's origin so that the response is
//!   serialised in that origin's shape (v1: `multiValueHeaders`; v2: `cookies`; ALB:
//!   `statusDescription`), bodies that are not text as base64.
//! - [`RequestExt`] reads what the event carried besides HTTP (query string and path
//!   parameters, stage variables, [`request::RequestContext`], the Lambda [`Context`]).
//!
//! # Crate Features
//!
//! Upstream's: `apigw_rest`, `apigw_http`, `apigw_websockets`, `alb`, `vpc_lattice` (all on by
//! default) choose the event sources a request may come from; `pass_through` hands any other
//! event to the handler as a `POST /events` with the JSON as its body; `tracing` (default)
//! re-exports `lambda_runtime::tracing`.
//!
//! Left out, because lambda-sim's `lambda_runtime` has no `Runtime` to configure: `runtime`,
//! `streaming_runtime` and `SnapStartResource`.

#![warn(missing_docs, rust_2018_idioms)]

// Upstream's tests build maps with `hashmap!`.
#[cfg(test)]
#[macro_use]
extern crate maplit;

mod adapter;
mod deserializer;
pub mod ext;
mod into_response;
pub mod request;
mod response;
mod streaming;

pub use http::{self, Response};
/// Utilities to initialize and use `tracing` and `tracing-subscriber` in Lambda functions.
#[cfg(feature = "tracing")]
pub use lambda_runtime::tracing;
pub use lambda_runtime::{
    self, BoxFuture, Context, Error, LambdaEvent, Service, service_fn, tower,
};
// Re-exported in its entirety, as upstream does: many of its types come with requests.
pub use aws_lambda_events;
pub use aws_lambda_events::encodings::Body;

pub use crate::adapter::{Adapter, TransformResponse};
pub use crate::ext::{RequestExt, RequestPayloadExt};
pub use crate::into_response::IntoResponse;
#[cfg(feature = "concurrency-tokio")]
pub use crate::streaming::run_with_streaming_response_concurrent;
pub use crate::streaming::{StreamAdapter, run_with_streaming_response};

use lambda_runtime::Diagnostic;

/// An `http::Request` with the [`Body`] type of Lambda's HTTP events.
pub type Request = http::Request<Body>;

/// Starts the function's runtime with an HTTP handler: each invocation's event becomes a
/// [`Request`], and the handler's response the JSON the event's origin expects.
///
/// On lambda-sim this is `lambda_runtime::run` of an [`Adapter`]: await it in
/// `#[tokio::main] async fn main`; what `main` does before is the Init phase.
pub async fn run<'a, R, S, E>(handler: S) -> Result<(), Error>
where
    S: Service<Request, Response = R, Error = E>,
    S::Future: Send + 'a,
    R: IntoResponse,
    E: std::fmt::Debug + Into<Diagnostic>,
{
    lambda_runtime::run(Adapter::from(handler)).await
}

/// [`run`] for Lambda Managed Instances; lambda-sim serves one invocation at a time per
/// environment, as with `AWS_LAMBDA_MAX_CONCURRENCY` unset.
#[cfg(feature = "concurrency-tokio")]
pub async fn run_concurrent<R, S, E>(handler: S) -> Result<(), Error>
where
    S: Service<Request, Response = R, Error = E> + Clone + Send + 'static,
    S::Future: Send + 'static,
    R: IntoResponse + Send + Sync + 'static,
    E: std::fmt::Debug + Into<Diagnostic> + Send + 'static,
{
    lambda_runtime::run_concurrent(Adapter::from(handler)).await
}

/// Sets `x-amzn-trace-id` to the invocation's X-Ray trace id, as upstream does.
pub(crate) fn update_xray_trace_id_header(headers: &mut http::HeaderMap, context: &Context) {
    if let Some(trace_id) = context.xray_trace_id.as_deref()
        && let Ok(header_value) = http::HeaderValue::from_str(trace_id)
    {
        headers.insert(
            http::header::HeaderName::from_static("x-amzn-trace-id"),
            header_value,
        );
    }
}
