//! `wasi:http/outgoing-handler` for guests: a request to the simulator's AWS endpoint (what
//! `AWS_ENDPOINT_URL` names) is answered in process by the [`Endpoints`] the runtime was given,
//! with no socket; a request to any other host is refused with `HTTP-request-denied`, and a
//! line in the function's log names the rule. Nothing leaves the machine.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody, WasiHttpHooks};

use crate::logs::LogSink;

/// The AWS endpoint a guest's SDKs are given (`AWS_ENDPOINT_URL`). An IP address, so that
/// every SDK addresses S3 path-style; no socket is opened on it: requests to it are answered
/// in process.
pub const SANDBOX_ENDPOINT: &str = "http://127.0.0.1:4566";

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
        Box::new(async move {
            let (parts, body) = request.into_parts();
            let body = body.collect().await?.to_bytes();
            let response = endpoints
                .handle(http::Request::from_parts(parts, body))
                .await
                .map(|body| {
                    Full::new(body)
                        .map_err(|never| match never {})
                        .boxed_unsync()
                });
            let done: Box<dyn Future<Output = Result<(), HttpError>> + Send> =
                Box::new(async { Ok(()) });
            Ok((response, done))
        })
    }
}
