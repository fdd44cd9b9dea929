//! The payload format 2.0 event of an HTTP API or a function URL.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::Serialize;

use super::RequestInfo;
use super::common::{
    body, domain_prefix, epoch_millis, header, header_text, protocol, query_multi, request_time,
};
use crate::media::is_text_content_type;
use crate::route::DEFAULT_ROUTE;
use crate::{Api, Matched};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Event {
    version: &'static str,
    route_key: String,
    raw_path: String,
    raw_query_string: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    cookies: Vec<String>,
    headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    query_string_parameters: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    path_parameters: BTreeMap<String, String>,
    request_context: Context,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    is_base64_encoded: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Context {
    account_id: String,
    api_id: String,
    domain_name: String,
    domain_prefix: String,
    http: Http,
    request_id: String,
    route_key: String,
    stage: String,
    time: String,
    time_epoch: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Http {
    method: String,
    path: String,
    protocol: String,
    source_ip: String,
    user_agent: String,
}

pub(super) fn event(
    api: Api,
    matched: Option<&Matched<'_>>,
    request: &http::Request<Bytes>,
    info: &RequestInfo,
) -> Event {
    let route_key = match (api, matched) {
        (Api::Http, Some(m)) => m.route_key(),
        _ => DEFAULT_ROUTE.to_owned(),
    };
    let stage = if api == Api::FunctionUrl {
        DEFAULT_ROUTE.to_owned()
    } else {
        info.stage.clone()
    };
    let raw_path = request.uri().path().to_owned();
    let (cookies, headers) = headers(api, request.headers());
    let query = query_multi(request.uri().query());
    let content_type = header(request.headers(), "content-type").unwrap_or_default();
    let (body, is_base64_encoded) = body(request.body(), is_text_content_type(&content_type));
    Event {
        version: "2.0",
        route_key: route_key.clone(),
        raw_query_string: request.uri().query().unwrap_or_default().to_owned(),
        cookies,
        query_string_parameters: query.into_iter().map(|(k, v)| (k, v.join(","))).collect(),
        path_parameters: matched
            .map(|m| m.path_parameters.clone())
            .unwrap_or_default(),
        request_context: Context {
            account_id: info.account_id.clone(),
            api_id: info.api_id.clone(),
            domain_name: info.domain_name.clone(),
            domain_prefix: domain_prefix(&info.domain_name).to_owned(),
            http: Http {
                method: request.method().as_str().to_owned(),
                path: raw_path.clone(),
                protocol: protocol(request.version()),
                source_ip: info.source_ip.to_string(),
                user_agent: headers.get("user-agent").cloned().unwrap_or_default(),
            },
            request_id: info.request_id.clone(),
            route_key,
            stage,
            time: request_time(info.time),
            time_epoch: epoch_millis(info.time),
        },
        raw_path,
        headers,
        body,
        is_base64_encoded,
    }
}

/// Cookies from every `Cookie` header, split on `;`, and the headers joined with `,`.
///
/// An HTTP API removes the `cookie` header once it has become `cookies` (the Lambda guide's
/// `event-v2.json`); a function URL keeps it (the captured `lambda_function_url_request.json`).
fn headers(api: Api, map: &http::HeaderMap) -> (Vec<String>, BTreeMap<String, String>) {
    let mut cookies = Vec::new();
    let mut joined: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in map {
        let text = header_text(value);
        if name == http::header::COOKIE {
            cookies.extend(
                text.split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
            );
            if api == Api::Http {
                continue;
            }
        }
        joined
            .entry(name.as_str().to_owned())
            .and_modify(|existing| {
                existing.push(',');
                existing.push_str(&text);
            })
            .or_insert(text);
    }
    (cookies, joined)
}
