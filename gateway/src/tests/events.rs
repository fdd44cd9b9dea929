//! The events a function receives, compared whole against what AWS sends.

use http::Method;
use serde_json::json;

use super::support::{PNG, PNG_BASE64, event, request};
use crate::{Api, Route, Routes};

fn get_with_repeats() -> http::Request<bytes::Bytes> {
    request(
        "GET",
        "/hello/w%C3%B6rld?name=me&name=you&flag&empty=&sp=a%20b+c",
        &[
            ("user-agent", b"curl/8.0"),
            ("accept", b"*/*"),
            ("x-multi", b"one"),
            ("x-multi", b"two"),
            ("cookie", b"a=1; b=2"),
            ("cookie", b"c=3"),
        ],
        b"",
    )
}

#[test]
fn rest_get_with_repeated_query_parameters_and_headers() {
    let routes = Routes::new(vec![Route::rest(
        Some(Method::GET),
        "/hello/{name}",
        "greeter",
    )])
    .expect("routes");
    let request = get_with_repeats();
    let matched = routes
        .find(request.method(), request.uri().path())
        .expect("a route");
    let event = event(Api::Rest, Some(&matched), &request, "Prod");
    let context = &event["requestContext"];
    assert_eq!(context["resourceId"].as_str().map(str::len), Some(6));
    assert_eq!(
        context["extendedRequestId"].as_str().map(str::len),
        Some(16)
    );
    let mut event = event.clone();
    event["requestContext"]["resourceId"] = json!("<id>");
    event["requestContext"]["extendedRequestId"] = json!("<id>");
    assert_eq!(
        event,
        json!({
            "resource": "/hello/{name}",
            "path": "/hello/wörld",
            "httpMethod": "GET",
            "headers": {
                "accept": "*/*",
                "cookie": "c=3",
                "user-agent": "curl/8.0",
                "x-multi": "two"
            },
            "multiValueHeaders": {
                "accept": ["*/*"],
                "cookie": ["a=1; b=2", "c=3"],
                "user-agent": ["curl/8.0"],
                "x-multi": ["one", "two"]
            },
            "queryStringParameters": {"empty": "", "flag": "", "name": "you", "sp": "a b+c"},
            "multiValueQueryStringParameters": {
                "empty": [""], "flag": [""], "name": ["me", "you"], "sp": ["a b+c"]
            },
            "pathParameters": {"name": "wörld"},
            "stageVariables": null,
            "requestContext": {
                "resourceId": "<id>",
                "resourcePath": "/hello/{name}",
                "httpMethod": "GET",
                "extendedRequestId": "<id>",
                "requestTime": "09/Apr/2015:12:34:56 +0000",
                "path": "/Prod/hello/wörld",
                "accountId": "123456789012",
                "protocol": "HTTP/1.1",
                "stage": "Prod",
                "domainPrefix": "abc123",
                "requestTimeEpoch": 1_428_582_896_789_u64,
                "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                "identity": {
                    "cognitoIdentityPoolId": null,
                    "accountId": null,
                    "cognitoIdentityId": null,
                    "caller": null,
                    "sourceIp": "203.0.113.7",
                    "principalOrgId": null,
                    "accessKey": null,
                    "cognitoAuthenticationType": null,
                    "cognitoAuthenticationProvider": null,
                    "userArn": null,
                    "userAgent": "curl/8.0",
                    "user": null
                },
                "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
                "apiId": "abc123"
            },
            "body": null,
            "isBase64Encoded": false
        })
    );
}

#[test]
fn http_api_get_with_repeated_query_parameters_headers_and_cookies() {
    let routes = Routes::new(vec![Route::http(
        Some(Method::GET),
        "/hello/{name}",
        "greeter",
    )])
    .expect("routes");
    let request = get_with_repeats();
    let matched = routes
        .find(request.method(), request.uri().path())
        .expect("a route");
    let event = event(Api::Http, Some(&matched), &request, "$default");
    assert_eq!(
        event,
        json!({
            "version": "2.0",
            "routeKey": "GET /hello/{name}",
            "rawPath": "/hello/w%C3%B6rld",
            "rawQueryString": "name=me&name=you&flag&empty=&sp=a%20b+c",
            "cookies": ["a=1", "b=2", "c=3"],
            "headers": {"accept": "*/*", "user-agent": "curl/8.0", "x-multi": "one,two"},
            "queryStringParameters": {"empty": "", "flag": "", "name": "me,you", "sp": "a b+c"},
            "pathParameters": {"name": "wörld"},
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123",
                "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
                "domainPrefix": "abc123",
                "http": {
                    "method": "GET",
                    "path": "/hello/w%C3%B6rld",
                    "protocol": "HTTP/1.1",
                    "sourceIp": "203.0.113.7",
                    "userAgent": "curl/8.0"
                },
                "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                "routeKey": "GET /hello/{name}",
                "stage": "$default",
                "time": "09/Apr/2015:12:34:56 +0000",
                "timeEpoch": 1_428_582_896_789_u64
            },
            "isBase64Encoded": false
        })
    );
}

#[test]
fn function_url_event_keeps_the_cookie_header_and_uses_default_everywhere() {
    let request = request("GET", "/my/path", &[("cookie", b"test=hi")], b"");
    let event = event(Api::FunctionUrl, None, &request, "Prod");
    assert_eq!(event["routeKey"], "$default");
    assert_eq!(event["requestContext"]["routeKey"], "$default");
    assert_eq!(event["requestContext"]["stage"], "$default");
    assert_eq!(event["cookies"], json!(["test=hi"]));
    assert_eq!(event["headers"], json!({"cookie": "test=hi"}));
    assert_eq!(event["rawQueryString"], "");
    assert_eq!(event["requestContext"]["http"]["userAgent"], "");
    for absent in [
        "queryStringParameters",
        "pathParameters",
        "body",
        "stageVariables",
    ] {
        assert!(
            event.get(absent).is_none(),
            "{absent} should be omitted: {event}"
        );
    }
}

#[test]
fn http_api_event_omits_cookies_and_queries_when_there_are_none() {
    let request = request("GET", "/", &[], b"");
    let event = event(Api::Http, None, &request, "$default");
    for absent in ["cookies", "queryStringParameters", "pathParameters", "body"] {
        assert!(
            event.get(absent).is_none(),
            "{absent} should be omitted: {event}"
        );
    }
    assert_eq!(event["headers"], json!({}));
    assert_eq!(event["routeKey"], "$default");
}

#[test]
fn rest_event_has_nulls_when_there_is_nothing() {
    let request = request("GET", "/", &[], b"");
    let event = event(Api::Rest, None, &request, "Prod");
    for null in [
        "headers",
        "multiValueHeaders",
        "queryStringParameters",
        "pathParameters",
        "body",
    ] {
        assert!(event[null].is_null(), "{null} should be null: {event}");
    }
    assert_eq!(event["resource"], "/");
    assert_eq!(event["requestContext"]["path"], "/Prod/");
    assert!(event["requestContext"]["identity"]["userAgent"].is_null());
}

/// `(api, binary media types, content type, body, expected body, expected isBase64Encoded)`.
type BodyCase = (
    Api,
    &'static [&'static str],
    &'static str,
    &'static [u8],
    &'static str,
    bool,
);

/// A PNG upload, and text uploads, for each API kind.
#[test]
fn bodies_are_base64_exactly_when_the_api_says_binary() {
    let json_body = br#"{"a":1}"#;
    let cases: &[BodyCase] = &[
        (Api::Rest, &["image/*"], "image/png", PNG, PNG_BASE64, true),
        (
            Api::Rest,
            &["image/png"],
            "Image/PNG; x=y",
            PNG,
            PNG_BASE64,
            true,
        ),
        (
            Api::Rest,
            &["*/*"],
            "application/json",
            json_body,
            "eyJhIjoxfQ==",
            true,
        ),
        (
            Api::Rest,
            &[],
            "application/json",
            json_body,
            r#"{"a":1}"#,
            false,
        ),
        (
            Api::Rest,
            &["image/*"],
            "application/json",
            json_body,
            r#"{"a":1}"#,
            false,
        ),
        // Not UTF-8 and not a binary type: base64 rather than a corrupted string.
        (Api::Rest, &[], "text/plain", PNG, PNG_BASE64, true),
        (Api::Http, &[], "image/png", PNG, PNG_BASE64, true),
        (
            Api::Http,
            &[],
            "application/json; charset=utf-8",
            json_body,
            r#"{"a":1}"#,
            false,
        ),
        (Api::Http, &[], "text/csv", b"a,b", "a,b", false),
        (
            Api::Http,
            &[],
            "application/x-www-form-urlencoded",
            b"a=1",
            "YT0x",
            true,
        ),
        (Api::Http, &[], "", b"plain", "cGxhaW4=", true),
        (Api::FunctionUrl, &[], "image/png", PNG, PNG_BASE64, true),
        (
            Api::FunctionUrl,
            &[],
            "application/xml",
            b"<a/>",
            "<a/>",
            false,
        ),
    ];
    for (api, types, content_type, body, expected, base64) in cases {
        let route = match api {
            Api::Rest => Some(
                Route::rest(None, "/upload", "f").with_binary_media_types(types.iter().copied()),
            ),
            Api::Http => Some(Route::http(None, "/upload", "f")),
            Api::FunctionUrl => None,
        };
        let routes = Routes::new(route.into_iter().collect()).expect("routes");
        let headers: Vec<(&str, &[u8])> = if content_type.is_empty() {
            vec![]
        } else {
            vec![("content-type", content_type.as_bytes())]
        };
        let request = request("POST", "/upload", &headers, body);
        let matched = routes.find(request.method(), "/upload");
        let event = event(*api, matched.as_ref(), &request, "Prod");
        let case = format!("{api:?} {types:?} {content_type}");
        assert_eq!(event["body"], *expected, "{case}");
        assert_eq!(event["isBase64Encoded"], *base64, "{case}");
    }
}

#[test]
fn bytes_that_are_not_utf8_in_headers_and_paths_do_not_break_the_event() {
    let request = request("GET", "/a%FF%FEb?q=%FF", &[("x-raw", b"caf\xe9")], b"");
    for api in [Api::Rest, Api::Http, Api::FunctionUrl] {
        let event = event(api, None, &request, "Prod");
        let headers = &event["headers"];
        assert_eq!(headers["x-raw"], "caf\u{fffd}", "{api:?}");
        assert_eq!(event["queryStringParameters"]["q"], "\u{fffd}", "{api:?}");
    }
    let event = event(Api::Rest, None, &request, "Prod");
    assert_eq!(event["path"], "/a\u{fffd}\u{fffd}b");
}

#[test]
fn times_outside_what_a_date_can_show_are_clamped() {
    let request = request("GET", "/", &[], b"");
    let mut info = super::support::info("$default");
    info.time = std::time::SystemTime::UNIX_EPOCH - std::time::Duration::from_secs(5);
    let bytes = crate::request_event(Api::Http, None, &request, &info);
    let event: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(
        event["requestContext"]["time"],
        "01/Jan/1970:00:00:00 +0000"
    );
    assert_eq!(event["requestContext"]["timeEpoch"], 0);
}
