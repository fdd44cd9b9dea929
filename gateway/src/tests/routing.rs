//! Which route a request selects, and which route tables are refused.

use std::time::Duration;

use http::Method;

use crate::{Cors, GatewayError, Route, Routes};

fn selected(routes: &Routes, method: Method, path: &str) -> Option<String> {
    routes.find(&method, path).map(|m| m.route_key())
}

/// The example of the HTTP API guide's "Routing API requests".
#[test]
fn routes_are_picked_as_in_the_http_api_guide() {
    let routes = Routes::new(vec![
        Route::http(Some(Method::GET), "/pets/dog/1", "a"),
        Route::http(Some(Method::GET), "/pets/dog/{id}", "b"),
        Route::http(Some(Method::GET), "/pets/{proxy+}", "c"),
        Route::http(None, "/{proxy+}", "d"),
        Route::http(None, "$default", "e"),
    ])
    .expect("routes");
    assert_eq!(
        selected(&routes, Method::GET, "/pets/dog/1").as_deref(),
        Some("GET /pets/dog/1")
    );
    assert_eq!(
        selected(&routes, Method::GET, "/pets/dog/2").as_deref(),
        Some("GET /pets/dog/{id}")
    );
    assert_eq!(
        selected(&routes, Method::GET, "/pets/cat/1").as_deref(),
        Some("GET /pets/{proxy+}")
    );
    assert_eq!(
        selected(&routes, Method::POST, "/test/5").as_deref(),
        Some("ANY /{proxy+}")
    );
    // `{proxy+}` needs at least one segment: the root falls through to `$default`.
    assert_eq!(
        selected(&routes, Method::GET, "/").as_deref(),
        Some("$default")
    );
}

#[test]
fn declaration_order_does_not_matter() {
    let routes = Routes::new(vec![
        Route::http(None, "$default", "e"),
        Route::http(None, "/{proxy+}", "d"),
        Route::http(Some(Method::GET), "/pets/{proxy+}", "c"),
        Route::http(Some(Method::GET), "/pets/dog/{id}", "b"),
        Route::http(Some(Method::GET), "/pets/dog/1", "a"),
    ])
    .expect("routes");
    assert_eq!(
        selected(&routes, Method::GET, "/pets/dog/1").as_deref(),
        Some("GET /pets/dog/1")
    );
    assert_eq!(
        selected(&routes, Method::GET, "/pets/dog/2").as_deref(),
        Some("GET /pets/dog/{id}")
    );
    assert_eq!(
        selected(&routes, Method::GET, "/pets/cat/1").as_deref(),
        Some("GET /pets/{proxy+}")
    );
}

#[test]
fn a_named_method_beats_any_on_the_same_path() {
    let routes = Routes::new(vec![
        Route::rest(None, "/items/{id}", "any"),
        Route::rest(Some(Method::DELETE), "/items/{id}", "delete"),
    ])
    .expect("routes");
    let delete = routes.find(&Method::DELETE, "/items/7").expect("a route");
    assert_eq!(delete.route.function, "delete");
    assert_eq!(
        routes
            .find(&Method::GET, "/items/7")
            .expect("a route")
            .route
            .function,
        "any"
    );
}

#[test]
fn a_full_match_with_any_beats_a_greedy_match_with_the_method() {
    let routes = Routes::new(vec![
        Route::http(Some(Method::GET), "/pets/{proxy+}", "greedy"),
        Route::http(None, "/pets/dog/{id}", "full"),
    ])
    .expect("routes");
    assert_eq!(
        routes
            .find(&Method::GET, "/pets/dog/1")
            .expect("a route")
            .route
            .function,
        "full"
    );
}

#[test]
fn no_route_and_wrong_method_find_nothing() {
    let routes = Routes::new(vec![Route::rest(Some(Method::GET), "/hello", "f")]).expect("routes");
    assert!(routes.find(&Method::POST, "/hello").is_none());
    assert!(routes.find(&Method::GET, "/hello/there").is_none());
    assert!(routes.find(&Method::GET, "/").is_none());
    assert!(
        Routes::new(vec![])
            .expect("empty")
            .find(&Method::GET, "/")
            .is_none()
    );
}

#[test]
fn path_parameters_are_percent_decoded_and_greedy_ones_joined() {
    let routes = Routes::new(vec![
        Route::http(None, "/users/{user}/files/{proxy+}", "f"),
        Route::http(None, "/a b/{x}", "literal"),
    ])
    .expect("routes");
    let matched = routes
        .find(&Method::GET, "/users/j%C3%BCrgen/files/a%20b/c/d.txt")
        .expect("a route");
    assert_eq!(matched.path_parameters["user"], "jürgen");
    assert_eq!(matched.path_parameters["proxy"], "a b/c/d.txt");
    assert_eq!(
        routes
            .find(&Method::GET, "/a%20b/1")
            .expect("literal")
            .route
            .function,
        "literal"
    );
    assert!(routes.find(&Method::GET, "/users/x/files").is_none());
    assert!(
        routes.find(&Method::GET, "/users//files/x").is_none(),
        "an empty segment is no parameter"
    );
}

#[test]
fn one_trailing_slash_is_ignored() {
    let routes = Routes::new(vec![Route::rest(Some(Method::GET), "/hello", "f")]).expect("routes");
    assert!(routes.find(&Method::GET, "/hello/").is_some());
}

#[test]
fn malformed_tables_are_refused_with_a_reason() {
    let cases: Vec<(Vec<Route>, &str)> = vec![
        (
            vec![Route::http(None, "/files/{proxy+}/x", "f")],
            "route `ANY /files/{proxy+}/x` has an invalid path: a greedy parameter `{name+}` must be the last segment",
        ),
        (
            vec![Route::http(None, "/a/{}", "f")],
            "route `ANY /a/{}` has an invalid path: segment `{}` has an empty parameter name",
        ),
        (
            vec![Route::http(None, "/a/{+}", "f")],
            "route `ANY /a/{+}` has an invalid path: segment `{+}` has an empty parameter name",
        ),
        (
            vec![Route::http(None, "a/b", "f")],
            "route `ANY a/b` has an invalid path: it must start with `/`",
        ),
        (
            vec![Route::http(None, "/a//b", "f")],
            "route `ANY /a//b` has an invalid path: it has an empty segment (`//` or a trailing `/`)",
        ),
        (
            vec![Route::http(None, "/a/x{id}", "f")],
            "route `ANY /a/x{id}` has an invalid path: segment `x{id}` mixes text and a parameter",
        ),
        (
            vec![Route::http(None, "/{id}/{id}", "f")],
            "route `ANY /{id}/{id}` has an invalid path: parameter `id` appears twice",
        ),
        (
            vec![
                Route::rest(Some(Method::GET), "/a/{x}", "f"),
                Route::rest(Some(Method::GET), "/a/{x}", "g"),
            ],
            "route `GET /a/{x}` duplicates route `GET /a/{x}`",
        ),
        (
            vec![
                Route::rest(Some(Method::GET), "/a/{x}", "f"),
                Route::rest(Some(Method::GET), "/a/{y}", "g"),
            ],
            "route `GET /a/{y}` duplicates route `GET /a/{x}`",
        ),
        (
            vec![
                Route::http(None, "$default", "f"),
                Route::http(None, "$default", "g"),
            ],
            "route `$default` duplicates route `$default`",
        ),
        (
            vec![Route::rest(None, "$default", "f")],
            "route `$default` has an invalid path: `$default` exists only on HTTP APIs",
        ),
        (
            vec![Route::rest(None, "/a", "f"), Route::http(None, "/b", "g")],
            "route `ANY /b` is for Http but the first route is for Rest",
        ),
        (
            vec![Route::http(None, "/a", "f").with_timeout(Duration::from_secs(31))],
            "route `ANY /a` has timeout 31s; HTTP APIs allow 50 ms to 30 s",
        ),
        (
            vec![Route::http(None, "/a", "f").with_cors(Cors {
                allow_origins: vec!["a,b".into()],
                ..Cors::default()
            })],
            "route `ANY /a` has an invalid CORS configuration: a value holds a comma or a character HTTP headers cannot carry",
        ),
    ];
    for (routes, message) in cases {
        let error = Routes::new(routes).expect_err(message);
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn function_urls_have_no_routes() {
    let mut route = Route::http(None, "/a", "f");
    route.api = crate::Api::FunctionUrl;
    let error = Routes::new(vec![route]).expect_err("refused");
    assert!(
        matches!(error, GatewayError::FunctionUrlRoute { .. }),
        "{error}"
    );
}

#[test]
fn route_keys_and_defaults_read_as_in_aws() {
    let rest = Route::rest(Some(Method::GET), "/hello/{name}", "f");
    assert_eq!(rest.route_key(), "GET /hello/{name}");
    assert_eq!(rest.timeout, Duration::from_secs(29));
    let http = Route::http(None, "/files/{proxy+}", "f");
    assert_eq!(http.route_key(), "ANY /files/{proxy+}");
    assert_eq!(http.timeout, Duration::from_secs(30));
    assert_eq!(
        Route::http(Some(Method::GET), "$default", "f").route_key(),
        "$default"
    );
}
