//! The checks of a project's HTTP front door: each route's path, method, timeout and payload
//! format; one function per method and path of an API; each route's and function URL's
//! function defined, with at most one URL.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use super::invalid;
use crate::{ApiKind, Project, Result, RouteSpec};

/// The methods a route may name (besides `ANY`, which is no method).
const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// API Gateway's range of integration timeouts, in milliseconds: 50 ms to 29 s for a REST
/// API, to 30 s for an HTTP API.
pub(crate) fn timeout_range_ms(kind: ApiKind) -> RangeInclusive<u64> {
    match kind {
        ApiKind::Rest => 50..=29_000,
        ApiKind::Http => 50..=30_000,
    }
}

/// `REST` or `HTTP`, in messages.
pub(crate) fn kind_name(kind: ApiKind) -> &'static str {
    match kind {
        ApiKind::Rest => "REST",
        ApiKind::Http => "HTTP",
    }
}

/// `GET /path`, `ANY /path`, in messages.
fn route_name(route: &RouteSpec) -> String {
    format!(
        "{} {}",
        route.method.as_deref().unwrap_or("ANY"),
        route.path
    )
}

impl Project {
    /// Checks the routes and the function URLs.
    pub(crate) fn check_http(&self) -> Result<()> {
        let mut seen: BTreeMap<(&str, Option<&str>, &str), &str> = BTreeMap::new();
        for route in &self.routes {
            self.check_route(route)?;
            let key = (
                kind_name(route.api),
                route.method.as_deref(),
                route.path.as_str(),
            );
            if let Some(first) = seen.insert(key, &route.function) {
                return invalid(format!(
                    "`{}` of the {} API is routed to both `{first}` and `{}`",
                    route_name(route),
                    kind_name(route.api),
                    route.function
                ));
            }
        }
        let mut with_url = BTreeMap::new();
        for url in &self.function_urls {
            if self.function(&url.function).is_none() {
                return invalid(format!(
                    "a function URL invokes `{}`, which is not a function of the file",
                    url.function
                ));
            }
            if with_url.insert(url.function.as_str(), ()).is_some() {
                return invalid(format!(
                    "function `{}` has more than one function URL",
                    url.function
                ));
            }
        }
        Ok(())
    }

    fn check_route(&self, route: &RouteSpec) -> Result<()> {
        let function = &route.function;
        let name = route_name(route);
        let kind = kind_name(route.api);
        if self.function(function).is_none() {
            return invalid(format!(
                "route `{name}` invokes `{function}`, which is not a function of the file"
            ));
        }
        if route.path == "$default" {
            if route.api == ApiKind::Rest {
                return invalid(format!(
                    "route `{name}` of `{function}`: `$default` is a route of HTTP APIs only"
                ));
            }
            if route.method.is_some() {
                return invalid(format!(
                    "route `{name}` of `{function}`: the `$default` route takes no method"
                ));
            }
        } else if !route.path.starts_with('/') {
            return invalid(format!(
                "route `{name}` of `{function}`: the path must start with `/` (or be `$default`)"
            ));
        }
        let segments: Vec<&str> = route.path.split('/').collect();
        if let Some(at) = segments.iter().position(|s| s.ends_with("+}"))
            && at + 1 != segments.len()
        {
            return invalid(format!(
                "route `{name}` of `{function}`: the greedy path variable `{}` must end the path",
                segments[at]
            ));
        }
        if let Some(method) = &route.method
            && !METHODS.contains(&method.as_str())
        {
            return invalid(format!(
                "route `{name}` of `{function}`: `{method}` is not a method API Gateway routes (one of: ANY, {})",
                METHODS.join(", ")
            ));
        }
        let range = timeout_range_ms(route.api);
        if let Some(ms) = route.timeout_ms
            && !range.contains(&ms)
        {
            return invalid(format!(
                "route `{name}` of `{function}`: a timeout of {ms} ms is outside the {kind} API's range of {} to {} milliseconds",
                range.start(),
                range.end()
            ));
        }
        match (route.api, route.payload_format.as_deref()) {
            (_, None) | (ApiKind::Http, Some("1.0" | "2.0")) => Ok(()),
            (ApiKind::Rest, Some(_)) => invalid(format!(
                "route `{name}` of `{function}`: a REST API's payload format is 1.0 (`payload_format` is for HTTP APIs)"
            )),
            (ApiKind::Http, Some(other)) => invalid(format!(
                "route `{name}` of `{function}`: payload format `{other}` is not 1.0 or 2.0"
            )),
        }
    }
}
