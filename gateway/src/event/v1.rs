//! The payload format 1.0 event of a REST API with Lambda proxy integration.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::Serialize;

use super::RequestInfo;
use super::common::{
    body, domain_prefix, epoch_millis, header, header_text, protocol, query_multi, request_time,
};
use crate::Matched;
use crate::media::matches_media_type;
use crate::template::decode;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Event {
    resource: String,
    path: String,
    http_method: String,
    headers: Option<BTreeMap<String, String>>,
    multi_value_headers: Option<BTreeMap<String, Vec<String>>>,
    query_string_parameters: Option<BTreeMap<String, String>>,
    multi_value_query_string_parameters: Option<BTreeMap<String, Vec<String>>>,
    path_parameters: Option<BTreeMap<String, String>>,
    stage_variables: Option<BTreeMap<String, String>>,
    request_context: Context,
    body: Option<String>,
    is_base64_encoded: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Context {
    resource_id: String,
    resource_path: String,
    http_method: String,
    extended_request_id: String,
    request_time: String,
    path: String,
    account_id: String,
    protocol: String,
    stage: String,
    domain_prefix: String,
    request_time_epoch: u64,
    request_id: String,
    identity: Identity,
    domain_name: String,
    api_id: String,
}

/// `requestContext.identity` of an unauthenticated request: only the address and user agent.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Identity {
    cognito_identity_pool_id: Option<String>,
    account_id: Option<String>,
    cognito_identity_id: Option<String>,
    caller: Option<String>,
    source_ip: String,
    principal_org_id: Option<String>,
    access_key: Option<String>,
    cognito_authentication_type: Option<String>,
    cognito_authentication_provider: Option<String>,
    user_arn: Option<String>,
    user_agent: Option<String>,
    user: Option<String>,
}

pub(super) fn event(
    matched: Option<&Matched<'_>>,
    request: &http::Request<Bytes>,
    info: &RequestInfo,
) -> Event {
    let raw_path = request.uri().path();
    let path = decode(raw_path);
    let resource = matched.map_or_else(|| path.clone(), |m| m.route.path.clone());
    let method = request.method().as_str().to_owned();
    let (headers, multi_value_headers) = headers(request.headers());
    let multi_query = query_multi(request.uri().query());
    let last = |values: &Vec<String>| values.last().cloned().unwrap_or_default();
    let single_query: BTreeMap<String, String> = multi_query
        .iter()
        .map(|(k, v)| (k.clone(), last(v)))
        .collect();
    let binary_types = matched.map_or(&[][..], |m| &m.route.binary_media_types[..]);
    let content_type = header(request.headers(), "content-type").unwrap_or_default();
    let (body, is_base64_encoded) = body(
        request.body(),
        !matches_media_type(binary_types, &content_type),
    );
    let path_parameters = matched
        .map(|m| m.path_parameters.clone())
        .filter(|p| !p.is_empty());
    Event {
        request_context: context(&resource, &method, &path, request, info),
        resource,
        path,
        http_method: method,
        headers: non_empty(headers),
        multi_value_headers: non_empty(multi_value_headers),
        query_string_parameters: non_empty(single_query),
        multi_value_query_string_parameters: non_empty(multi_query),
        path_parameters,
        stage_variables: None,
        body,
        is_base64_encoded,
    }
}

fn context(
    resource: &str,
    method: &str,
    path: &str,
    request: &http::Request<Bytes>,
    info: &RequestInfo,
) -> Context {
    Context {
        resource_id: resource_id(resource),
        resource_path: resource.to_owned(),
        http_method: method.to_owned(),
        extended_request_id: extended_request_id(&info.request_id),
        request_time: request_time(info.time),
        path: format!("/{}{path}", info.stage),
        account_id: info.account_id.clone(),
        protocol: protocol(request.version()),
        stage: info.stage.clone(),
        domain_prefix: domain_prefix(&info.domain_name).to_owned(),
        request_time_epoch: epoch_millis(info.time),
        request_id: info.request_id.clone(),
        identity: Identity {
            cognito_identity_pool_id: None,
            account_id: None,
            cognito_identity_id: None,
            caller: None,
            source_ip: info.source_ip.to_string(),
            principal_org_id: None,
            access_key: None,
            cognito_authentication_type: None,
            cognito_authentication_provider: None,
            user_arn: None,
            user_agent: header(request.headers(), "user-agent"),
            user: None,
        },
        domain_name: info.domain_name.clone(),
        api_id: info.api_id.clone(),
    }
}

/// `headers` holds the last value of each header, `multiValueHeaders` all of them in order.
fn headers(map: &http::HeaderMap) -> (BTreeMap<String, String>, BTreeMap<String, Vec<String>>) {
    let mut single = BTreeMap::new();
    let mut multi: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, value) in map {
        let text = header_text(value);
        single.insert(name.as_str().to_owned(), text.clone());
        multi
            .entry(name.as_str().to_owned())
            .or_default()
            .push(text);
    }
    (single, multi)
}

fn non_empty<V>(map: BTreeMap<String, V>) -> Option<BTreeMap<String, V>> {
    (!map.is_empty()).then_some(map)
}

/// A stable six-character id per resource path, shaped like API Gateway's (`roq9wj`).
fn resource_id(resource: &str) -> String {
    let mut n = fnv1a(resource.as_bytes());
    let alphabet = b"0123456789abcdefghijklmnopqrstuvwxyz";
    (0..6)
        .map(|_| {
            let c = alphabet[(n % 36) as usize];
            n /= 36;
            char::from(c)
        })
        .collect()
}

/// A stable id per request id, shaped like API Gateway's extended id (`FOjNQEjfBcwFtAg=`).
fn extended_request_id(request_id: &str) -> String {
    use base64::Engine as _;
    let a = fnv1a(request_id.as_bytes()).to_be_bytes();
    let b = fnv1a(&a).to_be_bytes();
    let mut bytes = a.to_vec();
    bytes.extend_from_slice(&b[..2]);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
