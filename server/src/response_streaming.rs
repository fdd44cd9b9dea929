//! `InvokeWithResponseStream`: the function's response as it is written, framed as
//! `application/vnd.amazon.eventstream` `PayloadChunk` events and a closing `InvokeComplete`
//! (with `ErrorCode` and `ErrorDetails` when the function failed, `LogResult` with
//! `X-Amz-Log-Type: Tail`). A refusal before the function runs (throttle, unknown function) is
//! an ordinary error answer; once the stream has started, a failure ends it in
//! `InvokeComplete`, as Lambda does.

use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Request, Response, StatusCode};
use lambda_sim_runtime::{
    Function, Invocation, InvokeOptions, MAX_SYNC_PAYLOAD, Payload, StreamPart,
};

use crate::body::{Chunks, full, streamed};
use crate::event_stream;
use crate::registry::Target;
use crate::service::{
    Answer, check_client_context, header, log_tail, read_body, set_request_id, wants_tail,
};
use crate::{ApiError, Shared};

/// The largest `PayloadChunk` sent: SDKs refuse event-stream messages over 16 MiB.
const MAX_CHUNK: usize = 1024 * 1024;

pub(crate) async fn invoke(
    shared: &Arc<Shared>,
    request: Request<Incoming>,
    function_name: &str,
    qualifier: Option<&str>,
) -> Result<Answer, ApiError> {
    let dry_run = match header(&request, "x-amz-invocation-type")? {
        None | Some("RequestResponse") => false,
        Some("DryRun") => true,
        Some(other) => {
            return Err(ApiError::validation(
                other,
                "invocationType",
                "Member must satisfy enum value set: [RequestResponse, DryRun]",
            ));
        }
    };
    let tail = wants_tail(&request)?;
    check_client_context(&request)?;
    let body = read_body(request, MAX_SYNC_PAYLOAD, shared.body_timeout).await?;
    let Target { deployed, version } = shared.registry.find(function_name, qualifier)?;
    let function = deployed.function.clone();
    let payload = Payload::json(&body).map_err(|err| ApiError::from_runtime(&err))?;
    if dry_run {
        let mut answer = Response::new(full(Bytes::new()));
        *answer.status_mut() = StatusCode::NO_CONTENT;
        set_request_id(&mut answer, &shared.runtime.new_request_id());
        return Ok(answer);
    }

    let request_id = shared.runtime.new_request_id();
    let (sink, mut parts) = shared.response_stream();
    let options = InvokeOptions::default()
        .request_id(request_id.clone())
        .stream(sink);
    let running = {
        let function = function.clone();
        tokio::spawn(async move { function.invoke(&payload, options).await })
    };
    // The answer's status waits for the stream's head: a refusal is an error answer.
    let first = parts.recv().await;
    if first.is_none() {
        let invocation = finished(shared, &function, running).await?;
        let (tx, body) = streamed();
        let answer = stream_answer(body, &request_id, version);
        let _ = tx.send(Ok(complete(&invocation, tail))).await;
        return Ok(answer);
    }
    let (tx, body) = streamed();
    let answer = stream_answer(body, &request_id, version);
    let shared = shared.clone();
    tokio::spawn(async move {
        let mut open = forward(first, &tx).await;
        while open && let Some(part) = parts.recv().await {
            open = forward(Some(part), &tx).await;
        }
        // A client that went away: the handler's next write fails ("the caller has gone").
        drop(parts);
        if let Ok(invocation) = finished(&shared, &function, running).await
            && open
        {
            let _ = tx.send(Ok(complete(&invocation, tail))).await;
        }
    });
    Ok(answer)
}

/// The 200 answer whose body is the event stream.
fn stream_answer(body: crate::body::Body, request_id: &str, version: &'static str) -> Answer {
    let mut answer = Response::new(body);
    set_request_id(&mut answer, request_id);
    let headers = answer.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static(event_stream::CONTENT_TYPE),
    );
    headers.insert("X-Amz-Executed-Version", HeaderValue::from_static(version));
    answer
}

/// Sends a part's bytes as `PayloadChunk`s; false once the client has gone.
async fn forward(part: Option<StreamPart>, tx: &Chunks) -> bool {
    let Some(StreamPart::Chunk(bytes)) = part else {
        return true;
    };
    for piece in bytes.chunks(MAX_CHUNK) {
        if tx
            .send(Ok(event_stream::payload_chunk(piece)))
            .await
            .is_err()
        {
            return false;
        }
    }
    true
}

/// The invocation once it has ended, logged; a refusal as the API's error.
async fn finished(
    shared: &Shared,
    function: &Function,
    running: tokio::task::JoinHandle<lambda_sim_runtime::Result<Invocation>>,
) -> Result<Invocation, ApiError> {
    let outcome = running.await.map_err(|err| ApiError {
        status: 500,
        error_type: "ServiceException".to_owned(),
        body: serde_json::json!({"Type": "Service", "message": format!("the invocation stopped: {err}")}),
    })?;
    match outcome {
        Ok(invocation) => {
            if let Some(log) = &shared.log {
                log.invocation(&invocation);
            }
            Ok(invocation)
        }
        Err(err) => {
            if let Some(log) = &shared.log {
                log.note(&format!(
                    "{} refused an invocation: {} ({})",
                    function.config().name,
                    err,
                    err.error_type()
                ));
            }
            Err(ApiError::from_runtime(&err))
        }
    }
}

/// The closing `InvokeComplete` event of `invocation`.
fn complete(invocation: &Invocation, tail: bool) -> Bytes {
    let error = invocation
        .error()
        .map(|err| (err.error_type.as_str(), err.error_message.as_str()));
    let log = tail.then(|| log_tail(invocation));
    event_stream::invoke_complete(error, log.as_deref())
}
