//! How Amazon API Gateway and Lambda function URLs put a Lambda function behind HTTP: which
//! route a request selects, the event the function receives, the HTTP response made of its
//! answer, and what the client sees when something fails.
//!
//! Pure: no runtime, no I/O. The HTTP server and the invoker live elsewhere and call in.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use bytes::Bytes;
//! use http::Method;
//! use lambda_sim_gateway::{
//!     request_event, response, Api, Failure, RequestInfo, ResponseOptions, Route, Routes,
//! };
//!
//! let routes = Routes::new(vec![
//!     Route::http(Some(Method::GET), "/hello/{name}", "greeter"),
//!     Route::http(None, "/files/{proxy+}", "files"),
//! ])?;
//!
//! let request = http::Request::get("/hello/w%C3%B6rld?x=1&x=2").body(Bytes::new())?;
//! let matched = routes.find(request.method(), request.uri().path()).expect("a route");
//! assert_eq!(matched.route.function, "greeter");
//! assert_eq!(matched.path_parameters["name"], "wörld");
//!
//! let info = RequestInfo { request_id: "abc".into(), time: SystemTime::UNIX_EPOCH + Duration::from_secs(1), ..RequestInfo::default() };
//! let event: serde_json::Value = serde_json::from_slice(&request_event(Api::Http, Some(&matched), &request, &info))?;
//! assert_eq!(event["routeKey"], "GET /hello/{name}");
//! assert_eq!(event["queryStringParameters"]["x"], "1,2");
//!
//! // The function answered; its answer becomes the HTTP response.
//! let answer = br#"{"statusCode": 201, "body": "hi", "cookies": ["a=1"]}"#;
//! let ok = response(Api::Http, answer, ResponseOptions::default())?;
//! assert_eq!(ok.status(), 201);
//! assert_eq!(ok.headers()["set-cookie"], "a=1");
//!
//! // A REST API refuses what an HTTP API would accept.
//! let bad = response(Api::Rest, br#"{"statusCode": "oops"}"#, ResponseOptions::default()).unwrap_err();
//! assert_eq!(bad.to_string(), r#"statusCode "oops" is not an integer"#);
//! let answer = lambda_sim_gateway::failure(Api::Rest, Failure::BadResponse, "abc");
//! assert_eq!(answer.status(), 502);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Core concepts
//!
//! - [`Api`]: REST (payload 1.0), HTTP API (2.0) or function URL (2.0, no routes).
//! - [`Route`] and [`Routes`]: a validated route table; [`Routes::find`] selects a route as API
//!   Gateway does and yields a [`Matched`] with the decoded path parameters.
//! - [`request_event`] with a [`RequestInfo`]: the event JSON.
//! - [`response`]: the function's answer as an HTTP response, or a [`BadResponse`] saying why
//!   API Gateway would reject it.
//! - [`failure`] with a [`Failure`]: the exact status, body and headers AWS sends when there is
//!   no route, the function fails, times out, is throttled, or the request is too large.
//! - [`Cors`]: preflights and CORS headers of an HTTP API or function URL.
//! - [`PreludeParser`]: the status and headers at the start of a function URL's streamed
//!   response.
//! - [`is_text_content_type`] and [`matches_media_type`]: which bodies travel as base64.
//!
//! Each module names the AWS documentation, samples and observations it follows.

mod api;
mod cors;
mod error;
mod event;
mod failure;
mod media;
mod prelude;
mod response;
mod route;
mod routes;
mod template;

#[cfg(test)]
mod tests;

pub use api::Api;
pub use cors::Cors;
pub use error::{GatewayError, Result};
pub use event::{RequestInfo, request_event};
pub use failure::{Failure, GATEWAY_PAYLOAD_LIMIT, LAMBDA_PAYLOAD_LIMIT, add_request_id, failure};
pub use media::{is_text_content_type, matches_media_type};
pub use prelude::{
    HTTP_INTEGRATION_RESPONSE, HttpPrelude, MAX_PRELUDE, PreludeError, PreludeParser,
};
pub use response::{BadResponse, ResponseOptions, response};
pub use route::{DEFAULT_ROUTE, Route};
pub use routes::{Matched, Routes};
