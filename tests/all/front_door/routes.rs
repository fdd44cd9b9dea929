//! API Gateway routes of a SAM template, called with curl: events of payload 1.0 (REST) and
//! 2.0 (HTTP API) as API Gateway builds them, responses mapped as it maps them, and its
//! failures (a malformed response, a function error, the integration timeout) with the reason
//! in the log.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{FrontDoor, code, curl, header};

/// The routes of `fixtures/guests/http-routes` as the tests call them.
fn template() -> String {
    format!(
        r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    BinaryMediaTypes: ['image~1png']
  HttpApi:
    CorsConfiguration:
      AllowOrigins: ['https://app.example']
      AllowMethods: [GET, POST]
      AllowHeaders: [content-type]
      MaxAge: 600
Resources:
  Routes:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {code}
      Handler: bootstrap
      Runtime: provided.al2023
      Timeout: 40
      Events:
        Hello:
          Type: HttpApi
          Properties: {{Path: '/hello/{{name}}', Method: get}}
        EchoV2:
          Type: HttpApi
          Properties: {{Path: '/echo-v2/{{proxy+}}', Method: any}}
        Oops:
          Type: HttpApi
          Properties: {{Path: /oops, Method: get}}
        Slow:
          Type: HttpApi
          Properties: {{Path: /slow, Method: get}}
        EchoV1:
          Type: Api
          Properties: {{Path: '/echo/{{proxy+}}', Method: any}}
        Png:
          Type: Api
          Properties: {{Path: /v1/png, Method: post}}
        OopsV1:
          Type: Api
          Properties: {{Path: /v1/oops, Method: get}}
        FailV1:
          Type: Api
          Properties: {{Path: /v1/fail, Method: get}}
        SlowV1:
          Type: Api
          Properties: {{Path: /v1/slow, Method: get}}
"#,
        code = code("http-routes")
    )
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|err| panic!("not JSON ({err}): {}", String::from_utf8_lossy(body)))
}

#[test]
fn curl_gets_an_http_api_route_with_the_handlers_body_and_headers() {
    let door = FrontDoor::serve(&template(), &[]);
    let (status, headers, body) = curl(&[&format!("{}/hello/ada", door.api())]);
    assert_eq!(status, 200, "{}", door.log());
    assert_eq!(body, b"hello, ada");
    assert_eq!(header(&headers, "content-type"), Some("text/plain"));
    assert_eq!(header(&headers, "x-greeting"), Some("hello"));
    assert_eq!(header(&headers, "set-cookie"), Some("visited=1; Path=/"));
    assert!(header(&headers, "apigw-requestid").is_some(), "{headers:?}");

    // A path no route matches: the HTTP API's 404.
    let (status, _, body) = curl(&[&format!("{}/nowhere", door.api())]);
    assert_eq!(status, 404);
    assert_eq!(json_of(&body), json!({"message": "Not Found"}));

    // CORS: a preflight answered by the API, and the allowed origin on the response.
    let (status, headers, _) = curl(&[
        "-X",
        "OPTIONS",
        "-H",
        "Origin: https://app.example",
        "-H",
        "Access-Control-Request-Method: POST",
        &format!("{}/hello/ada", door.api()),
    ]);
    assert_eq!(status, 204);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some("https://app.example")
    );
    assert_eq!(header(&headers, "access-control-max-age"), Some("600"));
    let (_, headers, _) = curl(&[
        "-H",
        "Origin: https://app.example",
        &format!("{}/hello/ada", door.api()),
    ]);
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some("https://app.example")
    );
    // The log has the REPORT of each invocation (the 404 and the preflight made none).
    assert_eq!(
        door.log().matches("REPORT RequestId").count(),
        2,
        "{}",
        door.log()
    );
}

#[test]
fn a_rest_route_gets_a_v1_event_and_an_http_route_a_v2_event() {
    let door = FrontDoor::serve(&template(), &[]);
    let (status, _, body) = curl(&[
        "-H",
        "X-Multi: a",
        "-H",
        "X-Multi: b",
        &format!("{}/echo/a/b?x=1&x=2&y=z", door.api()),
    ]);
    assert_eq!(status, 200, "{}", door.log());
    let event = json_of(&body);
    assert_eq!(event["resource"], "/echo/{proxy+}");
    assert_eq!(event["path"], "/echo/a/b");
    assert_eq!(event["httpMethod"], "GET");
    assert_eq!(
        event["multiValueQueryStringParameters"],
        json!({"x": ["1", "2"], "y": ["z"]})
    );
    assert_eq!(event["queryStringParameters"], json!({"x": "2", "y": "z"}));
    assert_eq!(event["pathParameters"], json!({"proxy": "a/b"}));
    assert_eq!(event["multiValueHeaders"]["x-multi"], json!(["a", "b"]));
    assert_eq!(event["requestContext"]["stage"], "Prod");
    assert_eq!(event["requestContext"]["path"], "/Prod/echo/a/b");
    assert_eq!(event["requestContext"]["identity"]["sourceIp"], "127.0.0.1");
    assert_eq!(event["isBase64Encoded"], false);

    let (status, _, body) = curl(&[
        "-H",
        "Cookie: a=1; b=2",
        &format!("{}/echo-v2/z?y=1&y=2", door.api()),
    ]);
    assert_eq!(status, 200);
    let event = json_of(&body);
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "ANY /echo-v2/{proxy+}");
    assert_eq!(event["rawPath"], "/echo-v2/z");
    assert_eq!(event["rawQueryString"], "y=1&y=2");
    assert_eq!(event["queryStringParameters"], json!({"y": "1,2"}));
    assert_eq!(event["cookies"], json!(["a=1", "b=2"]));
    assert_eq!(event["pathParameters"], json!({"proxy": "z"}));
    assert_eq!(event["requestContext"]["http"]["method"], "GET");
    assert_eq!(event["requestContext"]["http"]["path"], "/echo-v2/z");
    assert_eq!(event["requestContext"]["http"]["sourceIp"], "127.0.0.1");
    assert_eq!(event["requestContext"]["stage"], "$default");
    assert!(
        event["requestContext"]["timeEpoch"].as_u64().is_some(),
        "{event}"
    );
    assert!(
        event["requestContext"]["time"].as_str().is_some(),
        "{event}"
    );
    assert!(
        event["requestContext"]["requestId"].as_str().is_some(),
        "{event}"
    );
}

/// A 1x1 PNG (and the bytes that are not UTF-8 in it).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[test]
fn a_png_posted_to_a_rest_route_arrives_base64_and_comes_back_byte_identical() {
    let door = FrontDoor::serve(&template(), &[]);
    let file = door.dir.path().join("pixel.png");
    std::fs::write(&file, PNG).expect("writes the png");
    let data = format!("@{}", file.display());
    let (status, headers, body) = curl(&[
        "-H",
        "Content-Type: image/png",
        "-H",
        "Accept: image/png",
        "--data-binary",
        &data,
        &format!("{}/v1/png", door.api()),
    ]);
    assert_eq!(status, 200, "{}", door.log());
    assert_eq!(header(&headers, "content-type"), Some("image/png"));
    assert_eq!(body, PNG);

    // The event had it base64-encoded (the API's BinaryMediaTypes names image/png).
    let (_, _, body) = curl(&[
        "-H",
        "Content-Type: image/png",
        "--data-binary",
        &data,
        &format!("{}/echo/pixel", door.api()),
    ]);
    let event = json_of(&body);
    assert_eq!(event["isBase64Encoded"], true);
    use base64::Engine as _;
    let sent = base64::engine::general_purpose::STANDARD
        .decode(event["body"].as_str().expect("a body"))
        .expect("base64");
    assert_eq!(sent, PNG);
}

#[test]
fn a_malformed_response_or_a_function_error_is_a_gateway_error_with_the_reason_logged() {
    let door = FrontDoor::serve(&template(), &[]);
    // REST: `{"statusCode": "oops"}` is a 502.
    let (status, _, body) = curl(&[&format!("{}/v1/oops", door.api())]);
    assert_eq!(status, 502);
    assert_eq!(json_of(&body), json!({"message": "Internal server error"}));
    // An HTTP API answers the same mistake with a 500, as AWS's does.
    let (status, _, body) = curl(&[&format!("{}/oops", door.api())]);
    assert_eq!(status, 500);
    assert_eq!(json_of(&body), json!({"message": "Internal Server Error"}));
    // A function error: 502 on REST.
    let (status, _, body) = curl(&[&format!("{}/v1/fail", door.api())]);
    assert_eq!(status, 502);
    assert_eq!(json_of(&body), json!({"message": "Internal server error"}));

    let log = door.log();
    assert!(
        log.contains(
            "GET /v1/oops: Execution failed due to configuration error: Malformed Lambda proxy response: statusCode \"oops\" is not an integer"
        ),
        "{log}"
    );
    assert!(
        log.contains(
            "GET /v1/fail: Lambda execution failed with status 200 due to customer function error: "
        ) && log.contains("the handler failed on purpose"),
        "{log}"
    );
}

#[test]
fn a_handler_past_the_integration_timeout_gets_the_apis_timeout_answer() {
    let door = FrontDoor::serve(&template(), &[]);
    let call = |path: &'static str| {
        let url = format!("{}{path}", door.api());
        std::thread::spawn(move || {
            let started = Instant::now();
            let (status, _, body) = curl(&[&url]);
            (status, body, started.elapsed())
        })
    };
    // The handler sleeps 31 s; its own timeout is 40 s.
    let http = call("/slow");
    let rest = call("/v1/slow");
    let (status, body, elapsed) = http.join().expect("the HTTP API call");
    // An HTTP API answers 503 at its 30 s limit (AWS: `{"message":"Service Unavailable"}`).
    assert_eq!(status, 503, "{}", door.log());
    assert_eq!(json_of(&body), json!({"message": "Service Unavailable"}));
    assert!(
        elapsed >= Duration::from_secs(30) && elapsed < Duration::from_millis(31_500),
        "{elapsed:?}"
    );
    let (status, body, elapsed) = rest.join().expect("the REST call");
    assert_eq!(status, 504);
    assert_eq!(
        json_of(&body),
        json!({"message": "Endpoint request timed out"})
    );
    assert!(
        elapsed >= Duration::from_secs(29) && elapsed < Duration::from_millis(30_500),
        "{elapsed:?}"
    );
    let log = door.log();
    assert!(
        log.contains("GET /slow: Execution failed: the integration timed out after 30000 ms"),
        "{log}"
    );
    assert!(
        log.contains("GET /v1/slow: Execution failed: the integration timed out after 29000 ms"),
        "{log}"
    );
}

#[test]
fn a_throttled_function_gets_each_front_doors_throttle_answer() {
    // Reserved concurrency 0: Lambda refuses every invocation (`TooManyRequestsException`).
    let template = format!(
        r#"Resources:
  Closed:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: closed
      CodeUri: {code}
      ReservedConcurrentExecutions: 0
      FunctionUrlConfig:
        AuthType: NONE
      Events:
        Http:
          Type: HttpApi
          Properties: {{Path: /x, Method: get}}
        Rest:
          Type: Api
          Properties: {{Path: /v1/x, Method: get}}
"#,
        code = code("http-routes")
    );
    let door = FrontDoor::serve(&template, &[]);
    // API Gateway answers a Lambda throttle with a 500 (the Lambda guide's "If the Lambda
    // API rejects the invocation request, API Gateway returns a 500"); a function URL with 429.
    let (status, _, body) = curl(&[&format!("{}/x", door.api())]);
    assert_eq!(status, 500, "{}", door.log());
    assert_eq!(json_of(&body), json!({"message": "Internal Server Error"}));
    let (status, _, body) = curl(&[&format!("{}/v1/x", door.api())]);
    assert_eq!(status, 500);
    assert_eq!(json_of(&body), json!({"message": "Internal server error"}));
    let (status, _, _) = curl(&[door.url("closed")]);
    assert_eq!(status, 429);
    let log = door.log();
    assert!(
        log.contains("GET /x: Lambda refused the invocation: ")
            && log.contains("GET /v1/x: Lambda refused the invocation: "),
        "{log}"
    );
    assert!(!log.contains("REPORT RequestId"), "nothing ran: {log}");
}
