//! AWS service APIs over HTTP on the simulator's stores: what producers (the AWS CLI, boto3,
//! the SDKs) and handlers' SDK clients call, answered from the same streams, queues, buckets
//! and delivery streams that the event-source mappings and the handlers' WIT interfaces use.
//!
//! - Kinesis, Firehose, SQS and DynamoDB speak the AWS JSON protocols ([`json_protocol`]):
//!   `POST /` with `X-Amz-Target`.
//! - S3 speaks REST with XML, path-style (`/bucket/key`) or virtual-host style
//!   (`bucket.localhost`).
//!
//! Signatures (SigV4) are accepted without being checked: the simulator has one account and
//! no secret. Errors carry the codes SDKs map to exception classes.
//!
//! ```
//! use std::sync::Arc;
//! use bytes::Bytes;
//! use lambda_sim_aws::{AwsApis, RealClock};
//! use lambda_sim_services::Services;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let apis = AwsApis::new(Services::temporary(7).unwrap(), Arc::new(RealClock::start()), 7);
//! let request = http::Request::post("/")
//!     .header("x-amz-target", "Kinesis_20131202.CreateStream")
//!     .header("content-type", "application/x-amz-json-1.1")
//!     .body(Bytes::from(r#"{"StreamName":"clicks","ShardCount":2}"#))
//!     .unwrap();
//! let answer = apis.handle(request).await;
//! assert_eq!(answer.status(), 200);
//! assert_eq!(apis.stream("clicks").unwrap().shard_count(), 2);
//! # });
//! ```

mod clock;
mod dynamodb;
mod firehose;
mod json_protocol;
mod kinesis;
mod s3;
mod sqs;
#[cfg(test)]
mod testing;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::{Request, Response};
use lambda_sim_pipeline::{Queue, Stream, StreamConfig};
use lambda_sim_services::Services;

pub use clock::{RealClock, SimClock};
use json_protocol::{Input, JsonService, ServiceError};

/// The largest request body the APIs take (a bigger one is refused before it is read whole).
pub const MAX_REQUEST_BODY: usize = 64 * 1024 * 1024;

/// The region the simulated services are in.
pub const REGION: &str = "us-east-1";
/// The account that owns every simulated resource.
pub const ACCOUNT: &str = "123456789012";

/// The AWS APIs of one simulation; clones share it.
#[derive(Clone)]
pub struct AwsApis {
    state: Arc<State>,
}

/// What the services' operations read and change.
pub(crate) struct State {
    pub(crate) services: Services,
    pub(crate) clock: Arc<dyn SimClock>,
    pub(crate) kinesis: kinesis::Streams,
    pub(crate) sqs: sqs::Queues,
    pub(crate) dynamodb: dynamodb::Tables,
    seed: u64,
    next_request: AtomicU64,
}

impl State {
    /// A request id, UUID-shaped, drawn from the seed and a counter (reproducible).
    pub(crate) fn request_id(&self) -> String {
        let n = self.next_request.fetch_add(1, Ordering::Relaxed);
        uuid_shaped(&format!("{}:{n}", self.seed))
    }
}

/// A UUID-shaped string (version 4 bits set) from the MD5 of `seed`.
pub(crate) fn uuid_shaped(seed: &str) -> String {
    use md5::{Digest as _, Md5};
    let mut bytes: [u8; 16] = Md5::digest(seed.as_bytes()).into();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// An error of the APIs' own setup calls (not of a request: those are answers).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A stream or queue that exists already.
    #[error("{kind} `{name}` already exists")]
    Exists {
        /// `stream` or `queue`.
        kind: &'static str,
        /// Its name.
        name: String,
    },
    /// Settings a stream or queue cannot have.
    #[error(transparent)]
    Config(#[from] lambda_sim_pipeline::ConfigError),
}

impl AwsApis {
    /// The APIs over `services`, on `clock`; `seed` makes request ids and message ids
    /// reproducible.
    pub fn new(services: Services, clock: Arc<dyn SimClock>, seed: u64) -> Self {
        AwsApis {
            state: Arc::new(State {
                services,
                clock,
                kinesis: kinesis::Streams::default(),
                sqs: sqs::Queues::default(),
                dynamodb: dynamodb::Tables::default(),
                seed,
                next_request: AtomicU64::new(0),
            }),
        }
    }

    /// The stores behind the APIs.
    pub fn services(&self) -> &Services {
        &self.state.services
    }

    /// Adds a stream (a template's `AWS::Kinesis::Stream`), so that the API and an
    /// event-source mapping share it; refuses a name in use.
    pub fn add_stream(&self, config: StreamConfig) -> Result<Stream, Error> {
        self.state.kinesis.add(config)
    }

    /// The stream of this name, if any.
    pub fn stream(&self, name: &str) -> Option<Stream> {
        self.state.kinesis.get(name)
    }

    /// Adds a queue (a template's `AWS::SQS::Queue`), so that the API and an event-source
    /// mapping share it; refuses a name in use.
    pub fn add_queue(&self, queue: Queue) -> Result<(), Error> {
        self.state.sqs.add(queue)
    }

    /// The queue of this name, if any.
    pub fn queue(&self, name: &str) -> Option<Queue> {
        self.state.sqs.get(name)
    }

    /// Answers one request of any of the services; never fails (errors are answers).
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        let state = &*self.state;
        let request_id = state.request_id();
        if request.body().len() > MAX_REQUEST_BODY {
            let err = ServiceError::new(
                "RequestEntityTooLarge",
                format!("the request body is over {MAX_REQUEST_BODY} bytes"),
            )
            .with_status(413);
            return json_protocol::answer(JsonService::Kinesis, Err(err), &request_id);
        }
        let target = request
            .headers()
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let Some(target) = target else {
            return s3::handle(state, request, &request_id).await;
        };
        let Some((service, operation)) = JsonService::from_target(&target) else {
            return unknown_target(&target, &request_id);
        };
        let host = request
            .headers()
            .get(http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("localhost")
            .to_owned();
        let outcome = match json_protocol::parse_body(request.body()) {
            Err(err) => Err(err),
            Ok(members) => {
                let input = Input::new(service, &members);
                match service {
                    JsonService::Kinesis => kinesis::call(state, operation, &input),
                    JsonService::Firehose => firehose::call(state, operation, &input),
                    JsonService::Sqs => sqs::call(state, &host, operation, &input).await,
                    JsonService::DynamoDb => dynamodb::call(state, operation, &input),
                }
            }
        };
        json_protocol::answer(service, outcome, &request_id)
    }
}

/// The answer to an `X-Amz-Target` of no service simulated here.
fn unknown_target(target: &str, request_id: &str) -> Response<Bytes> {
    let err = ServiceError::new(
        "UnknownOperationException",
        format!(
            "lambda-sim serves Kinesis_20131202, Firehose_20150804, AmazonSQS and DynamoDB_20120810, not `{target}`"
        ),
    );
    json_protocol::answer(JsonService::Kinesis, Err(err), request_id)
}

/// An operation the service does not have (or lambda-sim does not simulate).
pub(crate) fn unknown_operation(service: JsonService, operation: &str) -> ServiceError {
    ServiceError::new(
        "UnknownOperationException",
        format!("lambda-sim does not simulate the operation `{operation}` of {service:?}"),
    )
}
