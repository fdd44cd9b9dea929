//! The event API Gateway or a function URL sends a function for one HTTP request.
//!
//! Field by field as in AWS's own samples: payload 1.0 from
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html>
//! and aws-lambda-rust-runtime's `lambda-events/src/fixtures/example-apigw-request.json`;
//! payload 2.0 from
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>,
//! `example-apigw-v2-request-no-authorizer.json`, the Lambda guide's
//! `sample-apps/nodejs-apig/event-v2.json`, and for function URLs
//! <https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html> and
//! `lambda-http/tests/data/lambda_function_url_request.json`.

mod common;
mod v1;
mod v2;

use std::net::{IpAddr, Ipv4Addr};
use std::time::SystemTime;

use bytes::Bytes;

use crate::{Api, Matched};

/// What API Gateway knows about a request besides the request itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestInfo {
    /// The request id (`requestContext.requestId`, and the request id response header).
    pub request_id: String,
    /// When the request arrived (`requestTime` / `time` and their epoch milliseconds).
    pub time: SystemTime,
    /// The client's address (`identity.sourceIp` / `http.sourceIp`).
    pub source_ip: IpAddr,
    /// The API id (or the function URL id).
    pub api_id: String,
    /// The stage: `Prod` for a SAM REST API, `$default` for HTTP APIs; ignored for function
    /// URLs, whose stage is always `$default`.
    pub stage: String,
    /// The domain the request was addressed to; its first label is the `domainPrefix`.
    pub domain_name: String,
    /// The account that owns the API.
    pub account_id: String,
}

impl Default for RequestInfo {
    /// An empty request id, the Unix epoch, `127.0.0.1`, an empty API id, stage `$default`,
    /// domain `localhost`, account `123456789012`.
    fn default() -> Self {
        Self {
            request_id: String::new(),
            time: SystemTime::UNIX_EPOCH,
            source_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            api_id: String::new(),
            stage: "$default".to_owned(),
            domain_name: "localhost".to_owned(),
            account_id: "123456789012".to_owned(),
        }
    }
}

/// The event JSON for `request` as `api` builds it.
///
/// `matched` is the route [`Routes::find`](crate::Routes::find) selected (`None` for a
/// function URL, whose `routeKey` is `$default`). The request path is taken as received, so
/// for a REST API it must not include the stage. Never fails: header values and bodies that are
/// not UTF-8 are kept (lossily for headers, base64 for bodies).
pub fn request_event(
    api: Api,
    matched: Option<&Matched<'_>>,
    request: &http::Request<Bytes>,
    info: &RequestInfo,
) -> Vec<u8> {
    let result = match api {
        Api::Rest => serde_json::to_vec(&v1::event(matched, request, info)),
        Api::Http | Api::FunctionUrl => serde_json::to_vec(&v2::event(api, matched, request, info)),
    };
    // Serializing maps of strings cannot fail; an empty object keeps the signature honest.
    result.unwrap_or_else(|_| b"{}".to_vec())
}
