//! Preflights and CORS headers as a browser sees them.

use bytes::Bytes;

use super::support::{header, request};
use crate::Cors;

fn cors(origins: &[&str], credentials: bool) -> Cors {
    Cors {
        allow_origins: origins.iter().map(|o| (*o).to_owned()).collect(),
        allow_methods: vec!["GET".into(), "POST".into()],
        allow_headers: vec!["authorization".into(), "content-type".into()],
        expose_headers: vec!["x-request-id".into()],
        max_age: Some(300),
        allow_credentials: credentials,
    }
}

fn preflight(origin: &str) -> http::Request<Bytes> {
    request(
        "OPTIONS",
        "/items",
        &[
            ("origin", origin.as_bytes()),
            ("access-control-request-method", b"POST"),
        ],
        b"",
    )
}

#[test]
fn a_preflight_from_an_allowed_origin_gets_every_header() {
    let answer = cors(&["https://app.example"], true)
        .preflight(&preflight("https://app.example"))
        .expect("a preflight");
    assert_eq!(answer.status(), 204);
    assert!(answer.body().is_empty());
    assert_eq!(
        header(&answer, "access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(
        header(&answer, "access-control-allow-methods"),
        Some("GET,POST")
    );
    assert_eq!(
        header(&answer, "access-control-allow-headers"),
        Some("authorization,content-type")
    );
    assert_eq!(header(&answer, "access-control-max-age"), Some("300"));
    assert_eq!(
        header(&answer, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(header(&answer, "vary"), Some("Origin"));
}

#[test]
fn a_preflight_from_another_origin_gets_no_cors_headers() {
    let answer = cors(&["https://app.example"], false)
        .preflight(&preflight("https://evil.example"))
        .expect("answered");
    assert_eq!(answer.status(), 204);
    assert!(
        answer
            .headers()
            .keys()
            .all(|name| !name.as_str().starts_with("access-control-"))
    );
}

#[test]
fn only_options_with_origin_and_request_method_is_a_preflight() {
    let config = cors(&["*"], false);
    assert!(
        config
            .preflight(&request(
                "OPTIONS",
                "/items",
                &[("origin", b"https://a")],
                b""
            ))
            .is_none()
    );
    assert!(
        config
            .preflight(&request(
                "GET",
                "/items",
                &[
                    ("origin", b"https://a"),
                    ("access-control-request-method", b"GET")
                ],
                b""
            ))
            .is_none()
    );
    let answer = config
        .preflight(&preflight("https://a"))
        .expect("a preflight");
    assert_eq!(header(&answer, "access-control-allow-origin"), Some("*"));
    assert!(answer.headers().get("vary").is_none());
}

#[test]
fn apply_replaces_the_functions_cors_headers() {
    let mut response = http::Response::new(Bytes::new());
    response.headers_mut().insert(
        "access-control-allow-origin",
        http::HeaderValue::from_static("https://wrong"),
    );
    response.headers_mut().insert(
        "access-control-max-age",
        http::HeaderValue::from_static("9"),
    );
    let from = request("GET", "/", &[("origin", b"https://app.example")], b"");
    cors(&["https://app.example"], false).apply(from.headers(), &mut response);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(
        header(&response, "access-control-expose-headers"),
        Some("x-request-id")
    );
    assert_eq!(header(&response, "vary"), Some("Origin"));
    assert!(response.headers().get("access-control-max-age").is_none());
    assert!(
        response
            .headers()
            .get("access-control-allow-credentials")
            .is_none()
    );
}

#[test]
fn apply_with_any_origin_and_credentials_echoes_the_origin() {
    let mut response = http::Response::new(Bytes::new());
    let from = request("GET", "/", &[("origin", b"https://a.example")], b"");
    cors(&["*"], true).apply(from.headers(), &mut response);
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        Some("https://a.example")
    );
    assert_eq!(
        header(&response, "access-control-allow-credentials"),
        Some("true")
    );
}

#[test]
fn apply_without_an_origin_adds_nothing() {
    let mut response = http::Response::new(Bytes::new());
    cors(&["*"], false).apply(&http::HeaderMap::new(), &mut response);
    assert!(response.headers().is_empty());
}

#[test]
fn routes_answer_preflights_for_the_route_the_requested_method_selects() {
    let routes = crate::Routes::new(vec![
        crate::Route::http(Some(http::Method::POST), "/items", "f").with_cors(cors(&["*"], false)),
        crate::Route::http(Some(http::Method::GET), "/plain", "g"),
    ])
    .expect("routes");
    let answer = routes
        .preflight(&preflight("https://a"))
        .expect("answered without an OPTIONS route");
    assert_eq!(
        header(&answer, "access-control-allow-methods"),
        Some("GET,POST")
    );
    let plain = request(
        "OPTIONS",
        "/plain",
        &[
            ("origin", b"https://a"),
            ("access-control-request-method", b"GET"),
        ],
        b"",
    );
    assert!(
        routes.preflight(&plain).is_none(),
        "no CORS on the route: the request is routed as usual"
    );
}
