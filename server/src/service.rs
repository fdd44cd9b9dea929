//! One HTTP request of the Lambda API: routing, the Invoke operation's headers and bounded
//! body, and the answer in the shape AWS gives it.

use std::convert::Infallible;
use std::sync::Arc;

use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use lambda_sim_runtime::{InvokeOptions, MAX_EVENT_PAYLOAD, MAX_SYNC_PAYLOAD, Payload};
use percent_encoding::percent_decode_str;
use serde_json::json;

use crate::body::{Body, full};
use crate::configuration::{function_configuration, get_function};
use crate::registry::Target;
use crate::{ApiError, Shared};

/// The API version prefix of every Lambda path.
const PREFIX: &str = "/2015-03-31/functions";
/// The most of the log a `Tail` answer carries.
pub(crate) const TAIL_BYTES: usize = 4_096;
/// The largest `X-Amz-Client-Context`, in bytes of base64.
const MAX_CLIENT_CONTEXT: usize = 3_583;
/// Past the limit, a body is read and dropped up to this much more so that the client gets
/// the 413 rather than a reset connection; beyond it the connection is closed.
const DRAIN_LIMIT: usize = 16 * 1024 * 1024;

pub(crate) type Answer = Response<Body>;

/// Answers one request; never fails (errors are answers).
pub(crate) async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Answer, Infallible> {
    let answer = match route(&shared, request).await {
        Ok(answer) => answer,
        Err(err) => error_answer(&err, &shared.runtime.new_request_id()),
    };
    Ok(answer)
}

pub(crate) fn error_answer(err: &ApiError, request_id: &str) -> Answer {
    let mut answer = Response::new(full(Bytes::from(err.body.to_string())));
    *answer.status_mut() =
        StatusCode::from_u16(err.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = answer.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::from_str(&err.error_type) {
        headers.insert("x-amzn-ErrorType", value);
    }
    set_request_id(&mut answer, request_id);
    answer
}

fn json_answer(body: &serde_json::Value, request_id: &str) -> Answer {
    let mut answer = Response::new(full(Bytes::from(body.to_string())));
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    set_request_id(&mut answer, request_id);
    answer
}

async fn route(shared: &Arc<Shared>, request: Request<Incoming>) -> Result<Answer, ApiError> {
    if let Some(name) = streaming_target(request.method(), request.uri().path()) {
        let name = percent_decode_str(name)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| ApiError::validation(name, "functionName", "Member must be UTF-8"))?;
        let qualifier = query_param(request.uri().query().unwrap_or(""), "Qualifier");
        return crate::response_streaming::invoke(shared, request, &name, qualifier.as_deref())
            .await;
    }
    let lambda =
        request.uri().path().starts_with(PREFIX) && !request.headers().contains_key("x-amz-target");
    if let (false, Some(apis)) = (lambda, &shared.aws) {
        return aws(apis, request, shared.body_timeout).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let unknown = || ApiError::unknown_operation(method.as_str(), &path);
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Err(unknown());
    };
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let decode = |segment: &str| -> Result<String, ApiError> {
        percent_decode_str(segment)
            .decode_utf8()
            .map(|s| s.into_owned())
            .map_err(|_| ApiError::validation(segment, "functionName", "Member must be UTF-8"))
    };
    let qualifier = query_param(&query, "Qualifier");
    // GETs draw their request id when they answer; an invocation carries its own.
    let request_id = || shared.runtime.new_request_id();
    match (&method, segments.as_slice()) {
        (&Method::GET, [""]) => {
            let functions: Vec<serde_json::Value> = shared
                .registry
                .all()
                .iter()
                .map(|d| function_configuration(d, "$LATEST"))
                .collect();
            Ok(json_answer(
                &json!({ "Functions": functions, "NextMarker": null }),
                &request_id(),
            ))
        }
        (&Method::GET, [name]) => {
            let name = decode(name)?;
            let target = shared.registry.find(&name, qualifier.as_deref())?;
            Ok(json_answer(
                &get_function(&target.deployed, target.version),
                &request_id(),
            ))
        }
        (&Method::GET, [name, "configuration"]) => {
            let name = decode(name)?;
            let target = shared.registry.find(&name, qualifier.as_deref())?;
            Ok(json_answer(
                &function_configuration(&target.deployed, target.version),
                &request_id(),
            ))
        }
        (&Method::POST, [name, "invocations"]) => {
            let name = decode(name)?;
            invoke(shared, request, &name, qualifier.as_deref()).await
        }
        _ => Err(unknown()),
    }
}

/// A request of the AWS service APIs (anything not under the Lambda API's prefix, or with an
/// `X-Amz-Target`), answered by `apis`.
async fn aws(
    apis: &lambda_sim_aws::AwsApis,
    request: Request<Incoming>,
    timeout: std::time::Duration,
) -> Result<Answer, ApiError> {
    let (parts, body) = request.into_parts();
    let body = read_body(
        Request::from_parts(parts.clone(), body),
        lambda_sim_aws::MAX_REQUEST_BODY,
        timeout,
    )
    .await?;
    let answer = apis.handle(Request::from_parts(parts, body)).await;
    Ok(answer.map(full))
}

/// The function name of an `InvokeWithResponseStream` request
/// (`POST /2021-11-15/functions/{name}/response-streaming-invocations`).
fn streaming_target<'a>(method: &Method, path: &'a str) -> Option<&'a str> {
    let name = path
        .strip_prefix("/2021-11-15/functions/")?
        .strip_suffix("/response-streaming-invocations")?;
    (method == Method::POST && !name.is_empty() && !name.contains('/')).then_some(name)
}

fn query_param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| percent_decode_str(v).decode_utf8_lossy().into_owned())
    })
}

/// The Invoke operation's three types.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InvocationType {
    RequestResponse,
    Event,
    DryRun,
}

pub(crate) fn header<'a>(
    request: &'a Request<Incoming>,
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    match request.headers().get(name) {
        None => Ok(None),
        Some(value) => value.to_str().map(Some).map_err(|_| {
            ApiError::bad_request(
                "InvalidParameterValueException",
                format!("the {name} header is not ASCII"),
            )
        }),
    }
}

async fn invoke(
    shared: &Arc<Shared>,
    request: Request<Incoming>,
    function_name: &str,
    qualifier: Option<&str>,
) -> Result<Answer, ApiError> {
    let invocation_type = match header(&request, "x-amz-invocation-type")? {
        None | Some("RequestResponse") => InvocationType::RequestResponse,
        Some("Event") => InvocationType::Event,
        Some("DryRun") => InvocationType::DryRun,
        Some(other) => {
            return Err(ApiError::validation(
                other,
                "invocationType",
                "Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
            ));
        }
    };
    let tail = wants_tail(&request)?;
    check_client_context(&request)?;
    let limit = match invocation_type {
        InvocationType::Event => MAX_EVENT_PAYLOAD,
        _ => MAX_SYNC_PAYLOAD,
    };
    let body = read_body(request, limit, shared.body_timeout).await?;

    let target = shared.registry.find(function_name, qualifier)?;
    let Target { deployed, version } = target;
    let function = &deployed.function;
    let payload = Payload::json(&body).map_err(|err| ApiError::from_runtime(&err))?;

    match invocation_type {
        InvocationType::DryRun => {
            let mut answer = Response::new(full(Bytes::new()));
            *answer.status_mut() = StatusCode::NO_CONTENT;
            set_request_id(&mut answer, &shared.runtime.new_request_id());
            Ok(answer)
        }
        InvocationType::Event => {
            // Each attempt runs the function deployed then (`watch` may have swapped it).
            let (registry, name) = (shared.registry.clone(), function.config().name.clone());
            let event = function
                .invoke_event_following(&payload, move || {
                    registry.get(&name).map(|d| d.function.clone())
                })
                .map_err(|err| ApiError::from_runtime(&err))?;
            let request_id = event.request_id.clone();
            let log = shared.log.clone();
            shared
                .events
                .track(&function.config().name, event, move |outcome| {
                    if let Some(log) = &log {
                        for attempt in &outcome.attempts {
                            log.invocation(attempt);
                        }
                        for refusal in &outcome.refusals {
                            log.note(&format!("event {}: {refusal}", outcome.request_id));
                        }
                    }
                });
            let mut answer = Response::new(full(Bytes::new()));
            *answer.status_mut() = StatusCode::ACCEPTED;
            set_request_id(&mut answer, &request_id);
            Ok(answer)
        }
        InvocationType::RequestResponse => {
            let invocation = function
                .invoke(&payload, InvokeOptions::default())
                .await
                .map_err(|err| {
                    if let Some(log) = &shared.log {
                        log.note(&format!(
                            "{} refused an invocation: {} ({})",
                            function.config().name,
                            err,
                            err.error_type()
                        ));
                    }
                    ApiError::from_runtime(&err)
                })?;
            if let Some(log) = &shared.log {
                log.invocation(&invocation);
            }
            let mut answer = Response::new(full(Bytes::from(invocation.payload())));
            set_request_id(&mut answer, &invocation.request_id);
            let headers = answer.headers_mut();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers.insert(
                HeaderName::from_static("x-amz-executed-version"),
                HeaderValue::from_static(version),
            );
            if invocation.error().is_some() {
                headers.insert(
                    "X-Amz-Function-Error",
                    HeaderValue::from_static("Unhandled"),
                );
            }
            if tail && let Ok(value) = HeaderValue::from_str(&log_tail(&invocation)) {
                headers.insert("X-Amz-Log-Result", value);
            }
            Ok(answer)
        }
    }
}

/// Whether `X-Amz-Log-Type` asks for the log's tail (`Tail`; `None` or absent: no).
pub(crate) fn wants_tail(request: &Request<Incoming>) -> Result<bool, ApiError> {
    match header(request, "x-amz-log-type")? {
        None | Some("None") => Ok(false),
        Some("Tail") => Ok(true),
        Some(other) => Err(ApiError::validation(
            other,
            "logType",
            "Member must satisfy enum value set: [Tail, None]",
        )),
    }
}

/// Refuses an `X-Amz-Client-Context` that is not base64 or is too long.
pub(crate) fn check_client_context(request: &Request<Incoming>) -> Result<(), ApiError> {
    if let Some(context) = header(request, "x-amz-client-context")? {
        let decoded = base64::engine::general_purpose::STANDARD.decode(context);
        if context.len() > MAX_CLIENT_CONTEXT || decoded.is_err() {
            return Err(ApiError::bad_request(
                "InvalidParameterValueException",
                format!(
                    "Client context must be a valid Base64-encoded JSON object of at most {MAX_CLIENT_CONTEXT} bytes"
                ),
            ));
        }
    }
    Ok(())
}

/// The base64 of the last 4 KB of an invocation's log (`X-Amz-Log-Result`, `LogResult`).
pub(crate) fn log_tail(invocation: &lambda_sim_runtime::Invocation) -> String {
    let mut log = invocation.log_lines().join("\n");
    log.push('\n');
    let bytes = log.as_bytes();
    let tail = &bytes[bytes.len().saturating_sub(TAIL_BYTES)..];
    base64::engine::general_purpose::STANDARD.encode(tail)
}

pub(crate) fn set_request_id(answer: &mut Answer, request_id: &str) {
    if let Ok(value) = HeaderValue::from_str(request_id) {
        answer
            .headers_mut()
            .insert(HeaderName::from_static("x-amzn-requestid"), value);
    }
}

/// Reads a request body of at most `limit` bytes, within `timeout`. A larger body is read
/// on (and dropped) up to [`DRAIN_LIMIT`] so that the client reads the 413.
pub(crate) async fn read_body(
    request: Request<Incoming>,
    limit: usize,
    timeout: std::time::Duration,
) -> Result<Bytes, ApiError> {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > (limit + DRAIN_LIMIT) as u64) {
        return Err(ApiError::too_large(limit));
    }
    let mut body = request.into_body();
    let read = async {
        // A body of one frame (the usual case) is kept as it came, without a copy.
        let mut first: Option<Bytes> = None;
        let mut bytes = BytesMut::new();
        let mut seen = 0usize;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|err| {
                ApiError::bad_request(
                    "InvalidRequestContentException",
                    format!("failed to read the request body: {err}"),
                )
            })?;
            if let Ok(data) = frame.into_data() {
                seen += data.len();
                if seen <= limit {
                    match first.take() {
                        None if bytes.is_empty() => first = Some(data),
                        earlier => {
                            if let Some(earlier) = earlier {
                                bytes.extend_from_slice(&earlier);
                            }
                            bytes.extend_from_slice(&data);
                        }
                    }
                } else if seen > limit + DRAIN_LIMIT {
                    break;
                }
            }
        }
        if seen > limit {
            return Err(ApiError::too_large(limit));
        }
        Ok(first.unwrap_or_else(|| bytes.freeze()))
    };
    match tokio::time::timeout(timeout, read).await {
        Ok(result) => result,
        Err(_) => Err(ApiError {
            status: 408,
            error_type: "RequestTimeoutException".to_owned(),
            body: json!({
                "Type": "User",
                "message": format!("the request body did not arrive within {} s", timeout.as_secs()),
            }),
        }),
    }
}
