//! What the client receives when no route matches or the function cannot answer.
//!
//! | failure | REST (1.0) | HTTP API | function URL |
//! |---|---|---|---|
//! | no route | 403 `{"message":"Missing Authentication Token"}` | 404 `{"message":"Not Found"}` | (no routes) as HTTP API |
//! | function error | 502 `{"message": "Internal server error"}` | 500 `{"message":"Internal Server Error"}` | 502 `Internal Server Error` |
//! | bad response | 502, as function error | 500, as function error | 502, as function error |
//! | integration timeout | 504 `{"message": "Endpoint request timed out"}` | 503 `{"message":"Service Unavailable"}` | 502 (the function's own timeout is a function error) |
//! | Lambda throttles | 500 `{"message": "Internal server error"}` | 500 `{"message":"Internal Server Error"}` | 429 `{"message":"Rate Exceeded."}` |
//! | request over 10 MB | 413 `HTTP content length exceeded 10485760 bytes.` | 413 `{"message":"Request Entity Too Large"}` | 413, as the event limit |
//! | event over Lambda's 6 MB | 413 `{"message": "Request Too Long"}` | 413 `{"message":"Request Entity Too Large"}` | 413 `{"message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}` |
//!
//! Sources: REST function errors, bad responses and throttles from
//! <https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html> ("If the
//! Lambda API rejects the invocation request, API Gateway returns a 500 error code. If the
//! function runs but returns an error, or returns a response in the wrong format, API Gateway
//! returns a 502"); REST no-route from aws-sam-cli's `service_error_responses.py`; REST 413s
//! observed in <https://github.com/koki-develop/lgtm-generator/issues/10>; HTTP API function
//! error observed in <https://github.com/aws/aws-sam-cli/issues/2590> (500, 35 bytes,
//! `apigw-requestid`); HTTP API timeout observed in
//! <https://github.com/cortexlabs/cortex/issues/1225> (503); HTTP API no-route from the
//! routing guide ("API Gateway returns `{"message":"Not Found"}`"); function URL throttle
//! status from <https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html>
//! ("your function URL returns an HTTP 429 status code"); function URL function errors
//! reported as "502 Bad Gateway: Internal Server Error" in
//! <https://github.com/swift-cloud/swift-cloud/pull/16>. Not found in any source, and so best
//! guesses: the HTTP API 413 bodies, and every function URL body except the 502's text.

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Response, StatusCode};

use crate::Api;

/// API Gateway's request payload limit (REST and HTTP APIs): 10 MB.
pub const GATEWAY_PAYLOAD_LIMIT: usize = 10_485_760;

/// Lambda's synchronous invoke payload limit, which the event must fit: 6 MB.
pub const LAMBDA_PAYLOAD_LIMIT: usize = 6_291_456;

/// Why a request got no answer from the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    /// No route matches the method and path.
    NoRoute,
    /// The function returned an error (including a crash or its own timeout).
    FunctionError,
    /// The function's answer is not a valid proxy response ([`BadResponse`](crate::BadResponse)).
    BadResponse,
    /// The integration timeout passed before the function answered.
    Timeout,
    /// Lambda refused the invocation for lack of concurrency.
    Throttled,
    /// The request is over API Gateway's [`GATEWAY_PAYLOAD_LIMIT`].
    RequestTooLarge,
    /// The event is over Lambda's [`LAMBDA_PAYLOAD_LIMIT`].
    EventTooLarge,
}

const JSON: &str = "application/json";

/// The response `api` sends for `failure`, with the request id header
/// ([`Api::request_id_header`]) and, for REST APIs, `x-amzn-ErrorType`.
pub fn failure(api: Api, failure: Failure, request_id: &str) -> Response<Bytes> {
    let (status, content_type, body, error_type) = match api {
        Api::Rest => rest(failure),
        Api::Http => http_api(failure),
        Api::FunctionUrl => function_url(failure),
    };
    let mut response = Response::new(Bytes::from_static(body.as_bytes()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    if let Some(error_type) = error_type {
        headers.insert(
            HeaderName::from_static("x-amzn-errortype"),
            HeaderValue::from_static(error_type),
        );
    }
    add_request_id(api, request_id, &mut response);
    response
}

/// Adds the header API Gateway or the function URL puts on every answer, successful or not:
/// `x-amzn-RequestId` (REST, function URL) or `apigw-requestid` (HTTP API). An id that cannot
/// be a header value is left out.
pub fn add_request_id(api: Api, request_id: &str, response: &mut Response<Bytes>) {
    let name = HeaderName::from_bytes(api.request_id_header().as_bytes());
    if let (Ok(name), Ok(value)) = (name, HeaderValue::from_str(request_id)) {
        response.headers_mut().insert(name, value);
    }
}

type Answer = (StatusCode, &'static str, &'static str, Option<&'static str>);

fn rest(failure: Failure) -> Answer {
    const INTERNAL: &str = r#"{"message": "Internal server error"}"#;
    let internal = Some("InternalServerErrorException");
    match failure {
        Failure::NoRoute => (
            StatusCode::FORBIDDEN,
            JSON,
            r#"{"message":"Missing Authentication Token"}"#,
            Some("MissingAuthenticationTokenException"),
        ),
        Failure::FunctionError | Failure::BadResponse => {
            (StatusCode::BAD_GATEWAY, JSON, INTERNAL, internal)
        }
        Failure::Timeout => (
            StatusCode::GATEWAY_TIMEOUT,
            JSON,
            r#"{"message": "Endpoint request timed out"}"#,
            internal,
        ),
        Failure::Throttled => (StatusCode::INTERNAL_SERVER_ERROR, JSON, INTERNAL, internal),
        Failure::RequestTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "text; charset=utf-8",
            "HTTP content length exceeded 10485760 bytes.",
            None,
        ),
        Failure::EventTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            JSON,
            r#"{"message": "Request Too Long"}"#,
            Some("BadRequestException"),
        ),
    }
}

fn http_api(failure: Failure) -> Answer {
    const INTERNAL: &str = r#"{"message":"Internal Server Error"}"#;
    match failure {
        Failure::NoRoute => (
            StatusCode::NOT_FOUND,
            JSON,
            r#"{"message":"Not Found"}"#,
            None,
        ),
        Failure::FunctionError | Failure::BadResponse | Failure::Throttled => {
            (StatusCode::INTERNAL_SERVER_ERROR, JSON, INTERNAL, None)
        }
        Failure::Timeout => (
            StatusCode::SERVICE_UNAVAILABLE,
            JSON,
            r#"{"message":"Service Unavailable"}"#,
            None,
        ),
        Failure::RequestTooLarge | Failure::EventTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            JSON,
            r#"{"message":"Request Entity Too Large"}"#,
            None,
        ),
    }
}

fn function_url(failure: Failure) -> Answer {
    match failure {
        Failure::NoRoute => http_api(failure),
        Failure::FunctionError | Failure::BadResponse | Failure::Timeout => {
            (StatusCode::BAD_GATEWAY, JSON, "Internal Server Error", None)
        }
        Failure::Throttled => (
            StatusCode::TOO_MANY_REQUESTS,
            JSON,
            r#"{"message":"Rate Exceeded."}"#,
            None,
        ),
        Failure::RequestTooLarge | Failure::EventTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            JSON,
            r#"{"message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}"#,
            None,
        ),
    }
}
