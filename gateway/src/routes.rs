//! A validated route table and how API Gateway picks the route for a request.
//!
//! Priority, from the HTTP API guide's "Routing API requests"
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html>):
//! a full match beats a match through a greedy `{proxy+}` parameter, which beats `$default`.
//! Among full matches, and among greedy ones, segments are compared left to right: a literal
//! beats `{param}` beats `{proxy+}` (so `/pets/dog/1` beats `/pets/dog/{id}`, and
//! `/pets/{proxy+}` beats `/{proxy+}`). Between two routes of the same path, a named method
//! beats `ANY`, which "matches all methods that you haven't defined for a route".

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use http::Method;

use crate::error::{GatewayError, Result};
use crate::template::{Template, split_path};
use crate::{Api, Route};

/// A route table API Gateway would accept, ready to route requests.
#[derive(Debug, Clone)]
pub struct Routes {
    entries: Vec<Entry>,
    default: Option<Route>,
}

#[derive(Debug, Clone)]
struct Entry {
    route: Route,
    template: Template,
}

/// The route a request selected, with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched<'a> {
    /// The selected route.
    pub route: &'a Route,
    /// Path parameters, percent-decoded as API Gateway gives them; a greedy parameter holds
    /// the rest of the path joined by `/` (`{proxy+}` on `/files/a/b` gives `a/b`).
    pub path_parameters: BTreeMap<String, String>,
}

impl Matched<'_> {
    /// The route key of the selected route (`GET /hello/{name}`, `$default`).
    pub fn route_key(&self) -> String {
        self.route.route_key()
    }
}

impl Routes {
    /// Validates a route table: every path well formed (`{proxy+}` last, no empty names or
    /// segments), one kind of API, no function URL routes, `$default` only on HTTP APIs, no
    /// two routes with the same method and path shape, timeouts and CORS within API Gateway's
    /// limits.
    pub fn new(routes: Vec<Route>) -> Result<Self> {
        let mut entries: Vec<Entry> = Vec::new();
        let mut default: Option<Route> = None;
        let expected = routes.first().map(|route| route.api);
        for route in routes {
            check_route(&route, expected)?;
            if route.is_default() {
                if let Some(first) = &default {
                    return Err(duplicate(first, &route));
                }
                default = Some(route);
                continue;
            }
            let template =
                Template::parse(&route.path).map_err(|reason| GatewayError::InvalidPath {
                    route_key: route.route_key(),
                    reason,
                })?;
            let clash = entries
                .iter()
                .find(|e| e.route.method == route.method && e.template.shape() == template.shape());
            if let Some(first) = clash {
                return Err(duplicate(&first.route, &route));
            }
            entries.push(Entry { route, template });
        }
        Ok(Self { entries, default })
    }

    /// The kind of API of the table, or `None` when it is empty.
    pub fn api(&self) -> Option<Api> {
        self.entries
            .first()
            .map(|e| e.route.api)
            .or(self.default.as_ref().map(|r| r.api))
    }

    /// Every route, in declaration order, `$default` last.
    pub fn iter(&self) -> impl Iterator<Item = &Route> {
        self.entries
            .iter()
            .map(|e| &e.route)
            .chain(self.default.as_ref())
    }

    /// The route API Gateway selects for `method` and `path` (the request path without the
    /// query string and, for REST APIs, without the stage), or `None`: the caller then answers
    /// [`Failure::NoRoute`](crate::Failure::NoRoute).
    pub fn find(&self, method: &Method, path: &str) -> Option<Matched<'_>> {
        let segments = split_path(path);
        let mut best: Option<(&Entry, BTreeMap<String, String>)> = None;
        for entry in &self.entries {
            if entry.route.method.as_ref().is_some_and(|m| m != method) {
                continue;
            }
            let Some(params) = entry.template.matches(&segments) else {
                continue;
            };
            if best
                .as_ref()
                .is_none_or(|(b, _)| more_specific(entry, b) == Ordering::Greater)
            {
                best = Some((entry, params));
            }
        }
        if let Some((entry, path_parameters)) = best {
            return Some(Matched {
                route: &entry.route,
                path_parameters,
            });
        }
        self.default.as_ref().map(|route| Matched {
            route,
            path_parameters: BTreeMap::new(),
        })
    }

    /// The answer to a CORS preflight, when `request` is one (see [`Cors::preflight`]) and the
    /// route its `Access-Control-Request-Method` selects has CORS. API Gateway answers
    /// preflights itself, "even if there isn't an OPTIONS route configured", so call this
    /// before [`Routes::find`].
    ///
    /// [`Cors::preflight`]: crate::Cors::preflight
    pub fn preflight(&self, request: &http::Request<Bytes>) -> Option<http::Response<Bytes>> {
        let requested = request
            .headers()
            .get(http::header::ACCESS_CONTROL_REQUEST_METHOD)?;
        let method = Method::from_bytes(requested.as_bytes()).ok()?;
        let matched = self.find(&method, request.uri().path())?;
        matched.route.cors.as_ref()?.preflight(request)
    }
}

/// Orders two matching routes: `Greater` when `a` is the one API Gateway picks.
fn more_specific(a: &Entry, b: &Entry) -> Ordering {
    (!a.template.is_greedy())
        .cmp(&!b.template.is_greedy())
        .then_with(|| a.template.ranks().cmp(&b.template.ranks()))
        .then_with(|| a.route.method.is_some().cmp(&b.route.method.is_some()))
}

fn check_route(route: &Route, expected: Option<Api>) -> Result<()> {
    let route_key = || route.route_key();
    if route.api == Api::FunctionUrl {
        return Err(GatewayError::FunctionUrlRoute {
            route_key: route_key(),
        });
    }
    if let Some(expected) = expected.filter(|api| *api != route.api) {
        return Err(GatewayError::MixedApis {
            route_key: route_key(),
            expected,
            found: route.api,
        });
    }
    if route.is_default() && route.api == Api::Rest {
        return Err(GatewayError::InvalidPath {
            route_key: route_key(),
            reason: "`$default` exists only on HTTP APIs".to_owned(),
        });
    }
    let min = Duration::from_millis(50);
    let (ok, limits) = match route.api {
        Api::Http => (
            route.timeout >= min && route.timeout <= Duration::from_secs(30),
            "HTTP APIs allow 50 ms to 30 s",
        ),
        _ => (
            route.timeout >= min,
            "REST APIs allow 50 ms or more (29 s unless raised)",
        ),
    };
    if !ok {
        return Err(GatewayError::Timeout {
            route_key: route_key(),
            timeout: route.timeout,
            limits,
        });
    }
    if let Some(reason) = route.cors.as_ref().and_then(crate::Cors::problem) {
        return Err(GatewayError::Cors {
            route_key: route_key(),
            reason,
        });
    }
    Ok(())
}

fn duplicate(first: &Route, second: &Route) -> GatewayError {
    GatewayError::DuplicateRoute {
        first: first.route_key(),
        second: second.route_key(),
    }
}
