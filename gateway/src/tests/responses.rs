//! How a function's answer becomes the client's response, and which answers are refused.

use super::support::{PNG, PNG_BASE64, header, text};
use crate::{Api, BadResponse, ResponseOptions, response};

fn rest(payload: &str) -> Result<http::Response<bytes::Bytes>, BadResponse> {
    response(Api::Rest, payload.as_bytes(), ResponseOptions::default())
}

fn rest_error(payload: &str) -> String {
    rest(payload).expect_err(payload).to_string()
}

#[test]
fn rest_maps_status_headers_and_body() {
    let answer = rest(
        r#"{"statusCode": 201, "headers": {"x-one": "1", "x-num": 7, "x-yes": true, "x-pair": "a"},
            "multiValueHeaders": {"x-pair": ["a", "b"], "set-cookie": ["s=1", "t=2"]}, "body": "made"}"#,
    )
    .expect("a response");
    assert_eq!(answer.status(), 201);
    assert_eq!(text(&answer), "made");
    assert_eq!(header(&answer, "x-one"), Some("1"));
    assert_eq!(header(&answer, "x-num"), Some("7"));
    assert_eq!(header(&answer, "x-yes"), Some("true"));
    let all = |name| {
        answer
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().expect("text"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        all("x-pair"),
        ["a", "b"],
        "a pair in both lists appears once"
    );
    assert_eq!(all("set-cookie"), ["s=1", "t=2"]);
    assert_eq!(
        header(&answer, "content-type"),
        Some("application/json"),
        "REST's default"
    );
}

#[test]
fn rest_accepts_a_numeric_string_status_and_a_null_content_type() {
    let answer =
        rest(r#"{"statusCode": "204", "headers": {"Content-Type": null}}"#).expect("a response");
    assert_eq!(answer.status(), 204);
    assert!(
        answer.headers().get("content-type").is_none(),
        "null suppresses the default"
    );
    assert!(answer.body().is_empty());
}

#[test]
fn rest_refuses_malformed_answers_naming_the_problem() {
    let cases = [
        (
            r#"{"statusCode": "oops"}"#,
            r#"statusCode "oops" is not an integer"#,
        ),
        (
            r#"{"statusCode": 200.5}"#,
            "statusCode 200.5 is not an integer",
        ),
        (r#"{"statusCode": -1}"#, "statusCode -1 is not an integer"),
        (
            r#"{"statusCode": 42}"#,
            "statusCode 42 is not between 200 and 599",
        ),
        (
            r#"{"statusCode": null}"#,
            "statusCode null is not an integer",
        ),
        (r#"{"body": "hi"}"#, "the response has no `statusCode`"),
        (
            r#"{"statusCode": 200, "data": 1}"#,
            "unexpected key `data`; a proxy response may only hold statusCode, headers, multiValueHeaders, body and isBase64Encoded",
        ),
        (
            r#"{"statusCode": 200, "body": {"a": 1}}"#,
            "`body` is an object; it must be a string (serialize it with JSON.stringify or json.dumps)",
        ),
        (
            r#"{"statusCode": 200, "headers": {"x": {"a": 1}}}"#,
            "`headers.x` is an object; it must be a string, a number or a boolean",
        ),
        (
            r#"{"statusCode": 200, "headers": ["x"]}"#,
            "`headers` is an array; it must be an object",
        ),
        (
            r#"{"statusCode": 200, "multiValueHeaders": {"x": "a"}}"#,
            "`multiValueHeaders.x` is a string; it must be an array",
        ),
        (
            r#"{"statusCode": 200, "isBase64Encoded": "yes"}"#,
            "`isBase64Encoded` is a string; it must be a boolean",
        ),
        (
            r#"{"statusCode": 200, "headers": {"bad name": "x"}}"#,
            "header `bad name` cannot be sent: not a valid header name",
        ),
        (
            r#"{"statusCode": 200, "headers": {"x": "a\nb"}}"#,
            "header `x` cannot be sent: its value holds a control character",
        ),
        (
            r#""hello""#,
            "the response is a string, not a JSON object with `statusCode`",
        ),
        (
            r#"{"errorMessage": "boom", "errorType": "Error"}"#,
            "unexpected key `errorMessage`; a proxy response may only hold statusCode, headers, multiValueHeaders, body and isBase64Encoded",
        ),
    ];
    for (payload, message) in cases {
        assert_eq!(rest_error(payload), message, "{payload}");
    }
    assert!(rest_error("{not json").starts_with("the response is not valid JSON: "));
}

#[test]
fn rest_decodes_base64_only_when_the_first_accept_type_is_binary() {
    let payload = format!(
        r#"{{"statusCode": 200, "headers": {{"content-type": "image/png"}}, "body": "{PNG_BASE64}", "isBase64Encoded": true}}"#
    );
    let types = ["image/*".to_owned()];
    let with = |accept| ResponseOptions {
        accept,
        binary_media_types: &types,
    };
    let decoded =
        response(Api::Rest, payload.as_bytes(), with(Some("image/png, */*"))).expect("a response");
    assert_eq!(decoded.body().as_ref(), PNG);
    let passed = response(
        Api::Rest,
        payload.as_bytes(),
        with(Some("text/html, image/png")),
    )
    .expect("a response");
    assert_eq!(
        passed.body().as_ref(),
        PNG_BASE64.as_bytes(),
        "only the first Accept type counts"
    );
    let none = response(Api::Rest, payload.as_bytes(), with(None)).expect("a response");
    assert_eq!(none.body().as_ref(), PNG_BASE64.as_bytes());
    let bad = r#"{"statusCode": 200, "body": "%%%", "isBase64Encoded": true}"#;
    let error =
        response(Api::Rest, bad.as_bytes(), with(Some("image/png"))).expect_err("not base64");
    assert!(
        error
            .to_string()
            .starts_with("`isBase64Encoded` is true but `body` is not valid base64"),
        "{error}"
    );
}

#[test]
fn options_come_from_the_request_and_route() {
    let route = crate::Route::rest(None, "/a", "f").with_binary_media_types(["*/*"]);
    let request = http::Request::get("/a")
        .header("accept", "image/png")
        .body(bytes::Bytes::new())
        .expect("request");
    let options = ResponseOptions::new(&request, &route);
    assert_eq!(options.accept, Some("image/png"));
    assert_eq!(options.binary_media_types, ["*/*".to_owned()]);
}

#[test]
fn v2_infers_a_json_response_when_there_is_no_status_code() {
    for api in [Api::Http, Api::FunctionUrl] {
        let answer = response(api, br#" {"message": "hi"} "#, ResponseOptions::default())
            .expect("a response");
        assert_eq!(answer.status(), 200, "{api:?}");
        assert_eq!(header(&answer, "content-type"), Some("application/json"));
        assert_eq!(
            text(&answer),
            r#"{"message": "hi"}"#,
            "the JSON as the function returned it"
        );
        for (payload, body) in [("[1,2]", "[1,2]"), ("42", "42"), ("null", "null")] {
            let answer =
                response(api, payload.as_bytes(), ResponseOptions::default()).expect("a response");
            assert_eq!(
                (answer.status().as_u16(), text(&answer)),
                (200, body),
                "{api:?} {payload}"
            );
        }
    }
    // A bare string: its contents for an HTTP API, the JSON text for a function URL.
    let http =
        response(Api::Http, br#""Hello, world!""#, ResponseOptions::default()).expect("a response");
    assert_eq!(text(&http), "Hello, world!");
    let url = response(
        Api::FunctionUrl,
        br#""Hello, world!""#,
        ResponseOptions::default(),
    )
    .expect("a response");
    assert_eq!(text(&url), r#""Hello, world!""#);
    assert_eq!(url.body().len(), 15);
}

#[test]
fn v2_maps_cookies_base64_and_default_content_types() {
    let payload = format!(
        r#"{{"statusCode": 200, "cookies": ["a=1; Path=/", "b=2"], "body": "{PNG_BASE64}", "isBase64Encoded": true, "extra": 1}}"#
    );
    let answer =
        response(Api::Http, payload.as_bytes(), ResponseOptions::default()).expect("a response");
    let cookies: Vec<_> = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("text"))
        .collect();
    assert_eq!(cookies, ["a=1; Path=/", "b=2"]);
    assert_eq!(answer.body().as_ref(), PNG);
    assert_eq!(
        header(&answer, "content-type"),
        Some("text/plain; charset=utf-8")
    );
    let url = response(
        Api::FunctionUrl,
        br#"{"statusCode": 404}"#,
        ResponseOptions::default(),
    )
    .expect("a response");
    assert_eq!(
        (url.status().as_u16(), header(&url, "content-type")),
        (404, Some("application/json"))
    );
    let object_body = response(
        Api::Http,
        br#"{"statusCode": 200, "body": {"a": 1}}"#,
        ResponseOptions::default(),
    );
    assert_eq!(text(&object_body.expect("lenient")), r#"{"a":1}"#);
    let status = response(
        Api::Http,
        br#"{"statusCode": "oops"}"#,
        ResponseOptions::default(),
    )
    .expect_err("bad");
    assert_eq!(status.to_string(), r#"statusCode "oops" is not an integer"#);
}

#[test]
fn no_payload_ever_panics() {
    let payloads: &[&[u8]] = &[
        b"",
        b"\xff\xfe\x00",
        b"{",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        br#"{"statusCode": 1e400}"#,
        br#"{"statusCode": 18446744073709551616}"#,
        br#"{"statusCode": 200, "headers": {"": ""}}"#,
        br#"{"statusCode": 200, "cookies": [null, 1, {"a": 1}]}"#,
        br#"{"statusCode": 200, "body": "\u0000", "isBase64Encoded": "TRUE"}"#,
        br#"{"statusCode": 200, "multiValueHeaders": {"x": [null, [1]]}}"#,
    ];
    for payload in payloads {
        for api in [Api::Rest, Api::Http, Api::FunctionUrl] {
            let _ = response(
                api,
                payload,
                ResponseOptions {
                    accept: Some("*/*"),
                    binary_media_types: &["*/*".to_owned()],
                },
            );
        }
    }
}

#[test]
fn framing_headers_and_informational_statuses_are_not_passed_on() {
    let payload = br#"{"statusCode": 200, "headers": {"Content-Length": "999", "transfer-encoding": "chunked", "connection": "close", "x-kept": "1"}, "body": "hi"}"#;
    for api in [Api::Rest, Api::Http, Api::FunctionUrl] {
        let mapped = response(api, payload, ResponseOptions::default()).expect("maps");
        let headers = mapped.headers();
        assert!(headers.get("content-length").is_none(), "{api:?}");
        assert!(headers.get("transfer-encoding").is_none(), "{api:?}");
        assert!(headers.get("connection").is_none(), "{api:?}");
        assert_eq!(headers.get("x-kept").map(|v| v.as_bytes()), Some(&b"1"[..]));
    }
    let err = response(
        Api::Http,
        br#"{"statusCode": 101}"#,
        ResponseOptions::default(),
    )
    .expect_err("a protocol switch is no answer");
    assert_eq!(err.to_string(), "statusCode 101 is not between 200 and 599");
}
