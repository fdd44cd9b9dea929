//! A request to the APIs' port: the HTTP API's routes first, then the REST API's, each
//! answered as its kind of API answers (events of payload 1.0 or 2.0, its failures' codes).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::{Request, Response};
use lambda_sim_gateway::{
    Api, Failure, GATEWAY_PAYLOAD_LIMIT, Matched, RequestInfo, ResponseOptions, failure,
    request_event, response,
};
use lambda_sim_runtime::Payload;

use super::FrontDoor;
use super::invoke::{Outcome, invoke, note};
use crate::Shared;
use crate::body::full;
use crate::service::Answer;

/// Answers one request to the APIs; never fails (failures are answers).
pub(crate) async fn handle(
    shared: Arc<Shared>,
    door: Arc<FrontDoor>,
    peer: SocketAddr,
    request: Request<Incoming>,
) -> Result<Answer, std::convert::Infallible> {
    let request_id = shared.runtime.new_request_id();
    let fallback = door.api_of_no_route();
    let request = match super::with_body(
        &shared,
        request,
        GATEWAY_PAYLOAD_LIMIT,
        fallback,
        &request_id,
    )
    .await
    {
        Ok(request) => request,
        Err(answer) => return Ok(answer),
    };
    Ok(answer(
        route(&shared, &door, peer, &request, &request_id).await,
    ))
}

fn answer(response: Response<Bytes>) -> Answer {
    response.map(full)
}

async fn route(
    shared: &Arc<Shared>,
    door: &FrontDoor,
    peer: SocketAddr,
    request: &Request<Bytes>,
    request_id: &str,
) -> Response<Bytes> {
    let (method, path) = (request.method(), request.uri().path());
    let found = [
        (&door.http, &door.http_cors, Api::Http),
        (&door.rest, &door.rest_cors, Api::Rest),
    ]
    .into_iter()
    .find_map(|(routes, cors, api)| {
        let routes = routes.as_ref()?;
        // A preflight is answered by the API whose CORS it is, whatever its routes (a REST
        // API's by the OPTIONS mock method SAM adds: 200, as `sam local` answers).
        if let Some(cors) = cors
            && let Some(mut preflight) = cors.preflight(request)
        {
            if api == Api::Rest {
                *preflight.status_mut() = http::StatusCode::OK;
            }
            return Some(Err(Box::new(preflight)));
        }
        routes.find(method, path).map(|m| Ok((m, cors, api)))
    });
    let (matched, cors, api) = match found {
        None => return failure(door.api_of_no_route(), Failure::NoRoute, request_id),
        Some(Err(preflight)) => return *preflight,
        Some(Ok(found)) => found,
    };
    let stage = match api {
        Api::Rest => door.rest_stage.clone(),
        _ => door.http_stage.clone(),
    };
    let info = RequestInfo {
        request_id: request_id.to_owned(),
        time: SystemTime::now(),
        source_ip: peer.ip(),
        api_id: api_id(api).to_owned(),
        stage,
        domain_name: host(request),
        account_id: lambda_sim_aws::ACCOUNT.to_owned(),
    };
    let mut response = integrate(shared, api, &matched, request, &info).await;
    // An HTTP API adds its CORS headers to every response; a REST API has no such setting
    // (its function sends its own).
    if let Some(cors) = cors
        && api == Api::Http
    {
        cors.apply(request.headers(), &mut response);
    }
    response
}

/// The function behind the route, invoked and its response mapped.
async fn integrate(
    shared: &Arc<Shared>,
    api: Api,
    matched: &Matched<'_>,
    request: &Request<Bytes>,
    info: &RequestInfo,
) -> Response<Bytes> {
    let route = matched.route;
    let request_id = info.request_id.as_str();
    let label = format!("{} {}", request.method(), request.uri().path());
    let event = request_event(api, Some(matched), request, info);
    let Ok(payload) = Payload::made_json(event) else {
        note(
            shared,
            &format!("[api {request_id}] {label}: the event is over Lambda's 6 MB payload limit"),
        );
        return failure(api, Failure::EventTooLarge, request_id);
    };
    let Ok(target) = shared.registry.find(&route.function, None) else {
        note(
            shared,
            &format!(
                "[api {request_id}] {label}: the route's function `{}` is not served",
                route.function
            ),
        );
        return failure(api, Failure::FunctionError, request_id);
    };
    let function = target.deployed.function.clone();
    let invocation = match invoke(shared, &function, payload, Some(route.timeout), None).await {
        Outcome::Ran(invocation) => invocation,
        Outcome::TimedOut => {
            note(
                shared,
                &format!(
                    "[api {request_id}] {label}: Execution failed: the integration timed out after {} ms",
                    route.timeout.as_millis()
                ),
            );
            return failure(api, Failure::Timeout, request_id);
        }
        Outcome::Refused(err) => {
            let failed = if err.error_type() == "TooManyRequestsException" {
                Failure::Throttled
            } else {
                Failure::FunctionError
            };
            note(
                shared,
                &format!("[api {request_id}] {label}: Lambda refused the invocation: {err}"),
            );
            return failure(api, failed, request_id);
        }
    };
    if let Some(error) = invocation.error() {
        note(
            shared,
            &format!(
                "[api {request_id}] {label}: Lambda execution failed with status 200 due to customer function error: {}: {}",
                error.error_type, error.error_message
            ),
        );
        return failure(api, Failure::FunctionError, request_id);
    }
    let payload = invocation.response().unwrap_or_default();
    match response(api, payload, ResponseOptions::new(request, route)) {
        Ok(mut mapped) => {
            lambda_sim_gateway::add_request_id(api, request_id, &mut mapped);
            mapped
        }
        Err(bad) => {
            note(
                shared,
                &format!(
                    "[api {request_id}] {label}: Execution failed due to configuration error: Malformed Lambda proxy response: {bad}"
                ),
            );
            failure(api, Failure::BadResponse, request_id)
        }
    }
}

/// The API's id as events name it.
fn api_id(api: Api) -> &'static str {
    match api {
        Api::Rest => "lambdasimrest",
        _ => "lambdasimhttp",
    }
}

/// The request's `Host`, as `domainName`.
pub(crate) fn host(request: &Request<Bytes>) -> String {
    request
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned()
}
