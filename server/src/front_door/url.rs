//! A request to a function URL's port: the event of payload 2.0 (`routeKey` `$default`), the
//! function's whole response mapped (`BUFFERED`), or its stream sent as chunked HTTP as it is
//! written (`RESPONSE_STREAM`): a stream of content type
//! `application/vnd.awslambda.http-integration-response` starts with a JSON prelude (status,
//! headers, cookies) ended by eight null bytes; any other stream is a 200 of that content type.
//! A function error before the first byte is a 502; after it, the connection is cut.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http::HeaderValue;
use hyper::body::Incoming;
use hyper::{Request, Response};
use lambda_sim_gateway::{
    Api, Failure, LAMBDA_PAYLOAD_LIMIT, PreludeParser, RequestInfo, ResponseOptions, failure,
    request_event, response,
};
use lambda_sim_runtime::{Payload, StreamPart};
use tokio::sync::mpsc;

use super::invoke::{Outcome, invoke, note};
use super::{FrontDoor, FunctionUrl};
use crate::Shared;
use crate::body::{Chunks, full, streamed};
use crate::service::Answer;

/// The content type of a stream that starts with an HTTP prelude.
const HTTP_INTEGRATION: &str = "application/vnd.awslambda.http-integration-response";

/// Answers one request to the function URL `door.urls[index]`; never fails.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    door: Arc<FrontDoor>,
    index: usize,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Answer, std::convert::Infallible> {
    let request_id = shared.runtime.new_request_id();
    let Some(url) = door.urls.get(index) else {
        return Ok(whole(failure(
            Api::FunctionUrl,
            Failure::NoRoute,
            &request_id,
        )));
    };
    let request = match super::with_body(
        &shared,
        request,
        LAMBDA_PAYLOAD_LIMIT,
        Api::FunctionUrl,
        &request_id,
    )
    .await
    {
        Ok(request) => request,
        Err(answer) => return Ok(answer),
    };
    if let Some(cors) = &url.cors
        && let Some(preflight) = cors.preflight(&request)
    {
        return Ok(whole(preflight));
    }
    let info = RequestInfo {
        request_id: request_id.clone(),
        time: SystemTime::now(),
        source_ip: peer.ip(),
        api_id: url.id.clone(),
        stage: "$default".to_owned(),
        domain_name: super::api::host(&request),
        account_id: lambda_sim_aws::ACCOUNT.to_owned(),
    };
    let event = request_event(Api::FunctionUrl, None, &request, &info);
    let label = format!(
        "[url {request_id}] {} {}",
        request.method(),
        request.uri().path()
    );
    let Ok(payload) = Payload::made_json(event) else {
        note(
            &shared,
            &format!("{label}: the event is over Lambda's 6 MB payload limit"),
        );
        return Ok(whole(failure(
            Api::FunctionUrl,
            Failure::EventTooLarge,
            &request_id,
        )));
    };
    let answer = if url.streaming {
        streamed_answer(&shared, url, payload, &request, &label).await
    } else {
        Ok(buffered(&shared, url, payload, &request, &label).await)
    };
    let mut answer = match answer {
        Ok(answer) => answer,
        Err(failed) => whole(failure(Api::FunctionUrl, failed, &request_id)),
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        answer.headers_mut().insert("x-amzn-RequestId", value);
    }
    Ok(answer)
}

fn whole(response: Response<Bytes>) -> Answer {
    response.map(full)
}

/// A `BUFFERED` URL: the whole response, mapped as an HTTP API maps payload 2.0.
async fn buffered(
    shared: &Arc<Shared>,
    url: &FunctionUrl,
    payload: Payload,
    request: &Request<Bytes>,
    label: &str,
) -> Answer {
    let Some(function) = function_of(shared, url, label) else {
        return whole(failure(Api::FunctionUrl, Failure::FunctionError, ""));
    };
    let invocation = match invoke(shared, &function, payload, None, None).await {
        Outcome::Ran(invocation) => invocation,
        outcome => {
            return whole(failure(
                Api::FunctionUrl,
                refused(shared, outcome, label),
                "",
            ));
        }
    };
    if let Some(error) = invocation.error() {
        note(
            shared,
            &format!(
                "{label}: the function failed: {}: {}",
                error.error_type, error.error_message
            ),
        );
        return whole(failure(Api::FunctionUrl, Failure::FunctionError, ""));
    }
    let options = ResponseOptions {
        accept: request
            .headers()
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok()),
        binary_media_types: &[],
    };
    let mut mapped = match response(
        Api::FunctionUrl,
        invocation.response().unwrap_or_default(),
        options,
    ) {
        Ok(mapped) => mapped,
        Err(bad) => {
            note(
                shared,
                &format!("{label}: the function's response is malformed: {bad}"),
            );
            failure(Api::FunctionUrl, Failure::BadResponse, "")
        }
    };
    if let Some(cors) = &url.cors {
        cors.apply(request.headers(), &mut mapped);
    }
    whole(mapped)
}

/// A `RESPONSE_STREAM` URL: the answer's head once the stream's first part (or the
/// invocation's end) comes, then its body as it is written.
async fn streamed_answer(
    shared: &Arc<Shared>,
    url: &FunctionUrl,
    payload: Payload,
    request: &Request<Bytes>,
    label: &str,
) -> Result<Answer, Failure> {
    let function = function_of(shared, url, label).ok_or(Failure::FunctionError)?;
    let (sink, mut parts) = shared.response_stream();
    let running = {
        let shared = shared.clone();
        tokio::spawn(async move { invoke(&shared, &function, payload, None, Some(sink)).await })
    };
    let Some(StreamPart::ContentType(content_type)) = parts.recv().await else {
        // Nothing streamed: the invocation failed (or was refused) before its first byte.
        let outcome = running.await.map_err(|_| Failure::FunctionError)?;
        return Err(match outcome {
            Outcome::Ran(invocation) => {
                if let Some(error) = invocation.error() {
                    note(
                        shared,
                        &format!(
                            "{label}: the function failed: {}: {}",
                            error.error_type, error.error_message
                        ),
                    );
                }
                Failure::FunctionError
            }
            outcome => refused(shared, outcome, label),
        });
    };
    let (mut head, first) = if content_type == HTTP_INTEGRATION {
        prelude(&mut parts).await.map_err(|reason| {
            note(
                shared,
                &format!("{label}: the response stream's prelude is invalid: {reason}"),
            );
            Failure::BadResponse
        })?
    } else {
        let mut head = Response::new(Bytes::new());
        if let Ok(value) = HeaderValue::from_str(&content_type) {
            head.headers_mut().insert(http::header::CONTENT_TYPE, value);
        }
        (head, Bytes::new())
    };
    if let Some(cors) = &url.cors {
        cors.apply(request.headers(), &mut head);
    }
    let (tx, body) = streamed();
    let label = label.to_owned();
    let shared = shared.clone();
    tokio::spawn(async move {
        let mut open = first.is_empty() || tx.send(Ok(first)).await.is_ok();
        while open && let Some(part) = parts.recv().await {
            if let StreamPart::Chunk(bytes) = part {
                open = tx.send(Ok(bytes)).await.is_ok();
            }
        }
        // A client that went away: the handler's next write fails ("the caller has gone").
        drop(parts);
        if let Ok(Outcome::Ran(invocation)) = running.await
            && let Some(error) = invocation.error()
        {
            note(
                &shared,
                &format!(
                    "{label}: the function failed mid-stream, the response is cut: {}: {}",
                    error.error_type, error.error_message
                ),
            );
            cut(&tx).await;
        }
    });
    let (head, _) = head.into_parts();
    Ok(Response::from_parts(head, body))
}

/// Reads the prelude from the stream's first chunks: the answer's head and the body's first
/// bytes.
async fn prelude(
    parts: &mut mpsc::Receiver<StreamPart>,
) -> Result<(Response<Bytes>, Bytes), String> {
    let mut parser = PreludeParser::default();
    while let Some(part) = parts.recv().await {
        let StreamPart::Chunk(chunk) = part else {
            continue;
        };
        if let Some((prelude, rest)) = parser.feed(&chunk).map_err(|err| err.to_string())? {
            let mut head = Response::new(Bytes::new());
            *head.status_mut() = prelude.status;
            *head.headers_mut() = prelude.headers;
            return Ok((head, rest));
        }
    }
    Err("the stream ended before the eight null bytes that end the prelude".to_owned())
}

/// Aborts a streamed body: the client sees the connection cut before the response's end.
async fn cut(tx: &Chunks) {
    let _ = tx
        .send(Err(std::io::Error::other("the function failed mid-stream")))
        .await;
}

fn function_of(
    shared: &Shared,
    url: &FunctionUrl,
    label: &str,
) -> Option<lambda_sim_runtime::Function> {
    match shared.registry.find(&url.function, None) {
        Ok(target) => Some(target.deployed.function.clone()),
        Err(_) => {
            note(
                shared,
                &format!(
                    "{label}: the URL's function `{}` is not served",
                    url.function
                ),
            );
            None
        }
    }
}

/// The failure of an invocation that did not run, noted in the log.
fn refused(shared: &Shared, outcome: Outcome, label: &str) -> Failure {
    match outcome {
        Outcome::Refused(err) => {
            note(
                shared,
                &format!("{label}: Lambda refused the invocation: {err}"),
            );
            if err.error_type() == "TooManyRequestsException" {
                Failure::Throttled
            } else {
                Failure::FunctionError
            }
        }
        Outcome::TimedOut | Outcome::Ran(_) => Failure::FunctionError,
    }
}
