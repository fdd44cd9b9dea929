//! What the client sees for each failure, per API kind.

use super::support::{header, text};
use crate::{Api, Failure, add_request_id, failure};

const INTERNAL_REST: &str = r#"{"message": "Internal server error"}"#;
const INTERNAL_HTTP: &str = r#"{"message":"Internal Server Error"}"#;
const JSON: &str = "application/json";

#[test]
fn every_failure_answers_as_aws_does() {
    let too_long = r#"{"message":"Request must be smaller than 6291456 bytes for the InvokeFunction operation"}"#;
    let cases: &[(Api, Failure, u16, &str, &str)] = &[
        (
            Api::Rest,
            Failure::NoRoute,
            403,
            JSON,
            r#"{"message":"Missing Authentication Token"}"#,
        ),
        (Api::Rest, Failure::FunctionError, 502, JSON, INTERNAL_REST),
        (Api::Rest, Failure::BadResponse, 502, JSON, INTERNAL_REST),
        (
            Api::Rest,
            Failure::Timeout,
            504,
            JSON,
            r#"{"message": "Endpoint request timed out"}"#,
        ),
        (Api::Rest, Failure::Throttled, 500, JSON, INTERNAL_REST),
        (
            Api::Rest,
            Failure::RequestTooLarge,
            413,
            "text; charset=utf-8",
            "HTTP content length exceeded 10485760 bytes.",
        ),
        (
            Api::Rest,
            Failure::EventTooLarge,
            413,
            JSON,
            r#"{"message": "Request Too Long"}"#,
        ),
        (
            Api::Http,
            Failure::NoRoute,
            404,
            JSON,
            r#"{"message":"Not Found"}"#,
        ),
        (Api::Http, Failure::FunctionError, 500, JSON, INTERNAL_HTTP),
        (Api::Http, Failure::BadResponse, 500, JSON, INTERNAL_HTTP),
        (
            Api::Http,
            Failure::Timeout,
            503,
            JSON,
            r#"{"message":"Service Unavailable"}"#,
        ),
        (Api::Http, Failure::Throttled, 500, JSON, INTERNAL_HTTP),
        (
            Api::Http,
            Failure::RequestTooLarge,
            413,
            JSON,
            r#"{"message":"Request Entity Too Large"}"#,
        ),
        (
            Api::Http,
            Failure::EventTooLarge,
            413,
            JSON,
            r#"{"message":"Request Entity Too Large"}"#,
        ),
        (
            Api::FunctionUrl,
            Failure::FunctionError,
            502,
            JSON,
            "Internal Server Error",
        ),
        (
            Api::FunctionUrl,
            Failure::BadResponse,
            502,
            JSON,
            "Internal Server Error",
        ),
        (
            Api::FunctionUrl,
            Failure::Timeout,
            502,
            JSON,
            "Internal Server Error",
        ),
        (
            Api::FunctionUrl,
            Failure::Throttled,
            429,
            JSON,
            r#"{"message":"Rate Exceeded."}"#,
        ),
        (
            Api::FunctionUrl,
            Failure::EventTooLarge,
            413,
            JSON,
            too_long,
        ),
        (
            Api::FunctionUrl,
            Failure::RequestTooLarge,
            413,
            JSON,
            too_long,
        ),
        (
            Api::FunctionUrl,
            Failure::NoRoute,
            404,
            JSON,
            r#"{"message":"Not Found"}"#,
        ),
    ];
    for (api, kind, status, content_type, body) in cases {
        let answer = failure(*api, *kind, "req-1");
        let case = format!("{api:?} {kind:?}");
        assert_eq!(answer.status().as_u16(), *status, "{case}");
        assert_eq!(text(&answer), *body, "{case}");
        assert_eq!(
            header(&answer, "content-type"),
            Some(*content_type),
            "{case}"
        );
    }
}

#[test]
fn failures_carry_the_request_id_and_rest_its_error_type() {
    let rest = failure(Api::Rest, Failure::NoRoute, "req-1");
    assert_eq!(header(&rest, "x-amzn-requestid"), Some("req-1"));
    assert_eq!(
        header(&rest, "x-amzn-errortype"),
        Some("MissingAuthenticationTokenException")
    );
    let rest = failure(Api::Rest, Failure::BadResponse, "req-1");
    assert_eq!(
        header(&rest, "x-amzn-errortype"),
        Some("InternalServerErrorException")
    );
    let http = failure(Api::Http, Failure::FunctionError, "req-2");
    assert_eq!(header(&http, "apigw-requestid"), Some("req-2"));
    assert!(http.headers().get("x-amzn-errortype").is_none());
    let url = failure(Api::FunctionUrl, Failure::Throttled, "req-3");
    assert_eq!(header(&url, "x-amzn-requestid"), Some("req-3"));
}

#[test]
fn a_request_id_that_cannot_be_a_header_is_left_out() {
    let mut response = http::Response::new(bytes::Bytes::new());
    add_request_id(Api::Http, "bad\nid", &mut response);
    assert!(response.headers().is_empty());
    add_request_id(Api::Http, "ok", &mut response);
    assert_eq!(header(&response, "apigw-requestid"), Some("ok"));
}
