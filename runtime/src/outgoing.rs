//! `wasi:http/outgoing-handler` for guests: a request to the simulator's AWS endpoint (what
//! `AWS_ENDPOINT_URL` names) is answered in process by the [`Endpoints`] the runtime was given,
//! with no socket; a request to any other host is refused with `HTTP-request-denied`, and a
//! line in the function's log names the rule. Nothing leaves the machine.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

use crate::logs::LogSink;

/// The AWS endpoint a guest's SDKs are given (`AWS_ENDPOINT_URL`). An IP address, so that
/// every SDK addresses S3 path-style; no socket is opened on it: requests to it are answered
/// in process.
pub const SANDBOX_ENDPOINT: &str = "http://127.0.0.1:4566";

/// The largest request body a guest may send (as the server takes from a client).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// What answers the guests' requests to [`SANDBOX_ENDPOINT`]: the simulator's AWS APIs.
pub trait Endpoints: Send + Sync + 'static {
    /// Answers one request (errors are answers).
    fn handle(
        &self,
        request: http::Request<Bytes>,
    ) -> Pin<Box<dyn Future<Output = http::Response<Bytes>> + Send + 'static>>;
}

/// The runtime's endpoints, set once (possibly after functions were loaded).
pub(crate) type EndpointCell = Arc<OnceLock<Arc<dyn Endpoints>>>;

/// One environment's outgoing requests.
pub(crate) struct Outgoing {
    pub(crate) endpoints: EndpointCell,
    pub(crate) logs: LogSink,
    /// The phase's answered requests, for its trace: operation, start, duration.
    pub(crate) calls: Arc<Mutex<Vec<Call>>>,
}

/// An answered request: its operation (`dynamodb.PutItem`), when it was sent, how long it took.
pub(crate) type Call = (Cow<'static, str>, Instant, Duration);

/// The most requests a phase's trace keeps.
const MAX_TRACED: usize = 10_000;

impl Outgoing {
    /// The requests answered since the last call.
    pub(crate) fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut *self.calls.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The operation a request calls, as a trace names it: `kinesis.PutRecords` from an AWS JSON
/// protocol's `X-Amz-Target`, `s3.GET` for S3's REST.
fn operation<B>(request: &http::Request<B>) -> Cow<'static, str> {
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok());
    match target.and_then(|t| t.split_once('.')) {
        Some((prefix, operation)) => {
            let service = match prefix {
                "Kinesis_20131202" => "kinesis",
                "Firehose_20150804" => "firehose",
                "AmazonSQS" => "sqs",
                "DynamoDB_20120810" => "dynamodb",
                _ => "aws",
            };
            format!("{service}.{operation}").into()
        }
        None => format!("s3.{}", request.method()).into(),
    }
}

type Sent = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), HttpError>> + Send>,
                ),
                HttpError,
            >,
        > + Send,
>;

/// Whether `uri` is the sandbox's endpoint (any port of its host).
fn is_endpoint(uri: &http::Uri) -> bool {
    let endpoint_host = SANDBOX_ENDPOINT
        .trim_start_matches("http://")
        .split(':')
        .next()
        .unwrap_or_default();
    uri.host() == Some(endpoint_host)
}

impl WasiHttpHooks for Outgoing {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        _options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), HttpError>> + Send>,
    ) -> Sent {
        if !is_endpoint(request.uri()) {
            self.logs.note(&format!(
                "refused a request to {}: a function reaches only the simulator's AWS endpoint ({SANDBOX_ENDPOINT}, its AWS_ENDPOINT_URL); a sandbox has no network",
                request.uri()
            ));
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        }
        let Some(endpoints) = self.endpoints.get().cloned() else {
            self.logs.note(&format!(
                "refused a request to {}: this run serves no AWS API (`lambda-sim serve` does)",
                request.uri()
            ));
            return Box::new(async { Err(HttpError::HttpRequestDenied) });
        };
        let calls = self.calls.clone();
        let name = operation(&request);
        Box::new(async move {
            let started = Instant::now();
            let (parts, body) = request.into_parts();
            let body = http_body_util::Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|_| HttpError::HttpRequestBodySize(None))?
                .to_bytes();
            let response = endpoints
                .handle(http::Request::from_parts(parts, body))
                .await
                .map(|body| {
                    Full::new(body)
                        .map_err(|never| match never {})
                        .boxed_unsync()
                });
            let mut calls = calls.lock().unwrap_or_else(PoisonError::into_inner);
            if calls.len() < MAX_TRACED {
                calls.push((name, started, started.elapsed()));
            }
            drop(calls);
            let done: Box<dyn Future<Output = Result<(), HttpError>> + Send> =
                Box::new(async { Ok(()) });
            Ok((response, done))
        })
    }
}
