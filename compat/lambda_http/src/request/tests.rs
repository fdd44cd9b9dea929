//! Upstream's tests of `request.rs`: each event of `tests/data` as the `Request` a handler
//! sees (less the tests that need axum or `aws_lambda_events`' unpackaged fixtures).

use super::*;
use crate::ext::RequestExt;
use std::fs::File;

#[test]
fn deserializes_apigw_request_events_from_readables() {
    // from the docs
    // https://docs.aws.amazon.com/lambda/latest/dg/eventsources.html#eventsources-api-gateway-request
    // note: file paths are relative to the directory of the crate at runtime
    let result =
        from_reader(File::open("tests/data/apigw_proxy_request.json").expect("expected file"));
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?}"
    );
}

#[test]
fn deserializes_minimal_apigw_http_request_events() {
    // from the docs
    // https://docs.aws.amazon.com/lambda/latest/dg/eventsources.html#eventsources-api-gateway-request
    let input = include_str!("../../tests/data/apigw_v2_proxy_request_minimal.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    assert_eq!(req.method(), "GET");
    assert_eq!(
        req.uri(),
        "https://xxx.execute-api.us-east-1.amazonaws.com/"
    );

    // Ensure this is an APIGWv2 request
    let req_context = req
        .request_context_ref()
        .expect("Request is missing RequestContext");
    assert!(
        matches!(req_context, &RequestContext::ApiGatewayV2(_)),
        "expected ApiGatewayV2 context, got {req_context:?}"
    );
}

#[test]
fn deserializes_apigw_http_request_events() {
    // from the docs
    // https://docs.aws.amazon.com/lambda/latest/dg/eventsources.html#eventsources-api-gateway-request
    let input = include_str!("../../tests/data/apigw_v2_proxy_request.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    let cookie_header = req
        .headers()
        .get(http::header::COOKIE)
        .ok_or_else(|| "Cookie header not found".to_string())
        .and_then(|v| v.to_str().map_err(|e| e.to_string()));

    assert_eq!(req.method(), "POST");
    assert_eq!(
        req.uri(),
        "https://id.execute-api.us-east-1.amazonaws.com/my/path?parameter1=value1&parameter1=value2&parameter2=value"
    );
    assert_eq!(cookie_header, Ok("cookie1=value1; cookie2=value2"));

    // Ensure this is an APIGWv2 request
    let req_context = req
        .request_context_ref()
        .expect("Request is missing RequestContext");
    assert!(
        matches!(req_context, &RequestContext::ApiGatewayV2(_)),
        "expected ApiGatewayV2 context, got {req_context:?}"
    );

    let (parts, _) = req.into_parts();
    assert_eq!(
        "https://id.execute-api.us-east-1.amazonaws.com/my/path?parameter1=value1&parameter1=value2&parameter2=value",
        parts.uri.to_string()
    );
}

#[test]
fn deserializes_apigw_request_events() {
    // from the docs
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
    let input = include_str!("../../tests/data/apigw_proxy_request.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    assert_eq!(req.method(), "GET");
    assert_eq!(
        req.uri(),
        "https://wt6mne2s9k.execute-api.us-west-2.amazonaws.com/test/hello?name=me"
    );

    // Ensure this is an APIGW request
    let req_context = req
        .request_context_ref()
        .expect("Request is missing RequestContext");
    assert!(
        matches!(req_context, &RequestContext::ApiGatewayV1(_)),
        "expected ApiGateway context, got {req_context:?}"
    );
}

#[test]
fn deserializes_lambda_function_url_request_events() {
    // from the docs
    // https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
    let input = include_str!("../../tests/data/lambda_function_url_request.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    let cookie_header = req
        .headers()
        .get_all(http::header::COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .reduce(|acc, nxt| [acc, nxt].join(";"));

    assert_eq!(req.method(), "GET");
    assert_eq!(
        req.uri(),
        "https://id.lambda-url.eu-west-2.on.aws/my/path?parameter1=value1&parameter1=value2&parameter2=value"
    );
    assert_eq!(cookie_header, Some("test=hi".to_string()));

    // Ensure this is an APIGWv2 request (Lambda Function URL requests confirm to API GW v2 Request format)
    let req_context = req
        .request_context_ref()
        .expect("Request is missing RequestContext");
    assert!(
        matches!(req_context, &RequestContext::ApiGatewayV2(_)),
        "expected ApiGatewayV2 context, got {req_context:?}"
    );
}

#[test]
fn deserializes_alb_request_events() {
    // from the docs
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#multi-value-headers
    let input = include_str!("../../tests/data/alb_request.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    assert_eq!(req.method(), "GET");
    assert_eq!(
        req.uri(),
        "https://lambda-846800462-us-east-2.elb.amazonaws.com/?myKey=val2"
    );

    // Ensure this is an ALB request
    let req_context = req
        .request_context_ref()
        .expect("Request is missing RequestContext");
    assert!(
        matches!(req_context, &RequestContext::Alb(_)),
        "expected Alb context, got {req_context:?}"
    );
}

#[test]
fn deserializes_alb_request_encoded_query_parameters_events() {
    // from the docs
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html#multi-value-headers
    let input = include_str!("../../tests/data/alb_request_encoded_query_parameters.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    assert_eq!(req.method(), "GET");
    assert_eq!(
        req.uri(),
        "https://lambda-846800462-us-east-2.elb.amazonaws.com/?myKey=%3FshowAll%3Dtrue"
    );

    // Ensure this is an ALB request
    let req_context = req
        .request_context_ref()
        .expect("Request is missing RequestContext");
    assert!(
        matches!(req_context, &RequestContext::Alb(_)),
        "expected Alb context, got {req_context:?}"
    );
}

#[test]
fn deserializes_apigw_multi_value_request_events() {
    // from docs
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
    let input = include_str!("../../tests/data/apigw_multi_value_proxy_request.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event is was not parsed as expected {result:?} given {input}"
    );
    let request = result.expect("failed to parse request");

    assert!(
        !request
            .query_string_parameters_ref()
            .expect("Request is missing query parameters")
            .is_empty()
    );

    // test RequestExt#query_string_parameters_ref does the right thing
    let params = request.query_string_parameters();
    assert_eq!(Some(vec!["you", "me"]), params.all("multiValueName"));
    assert_eq!(Some(vec!["me"]), params.all("name"));

    let query = request.uri().query().unwrap();
    assert!(query.contains("name=me"));
    assert!(query.contains("multiValueName=you&multiValueName=me"));
    let (parts, _) = request.into_parts();
    assert!(parts.uri.to_string().contains("name=me"));
    assert!(
        parts
            .uri
            .to_string()
            .contains("multiValueName=you&multiValueName=me")
    );
}

#[test]
fn deserializes_alb_multi_value_request_events() {
    // from docs
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
    let input = include_str!("../../tests/data/alb_multi_value_request.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event is was not parsed as expected {result:?} given {input}"
    );
    let request = result.expect("failed to parse request");
    assert!(
        !request
            .query_string_parameters_ref()
            .expect("Request is missing query parameters")
            .is_empty()
    );

    // test RequestExt#query_string_parameters_ref does the right thing
    let params = request.query_string_parameters();
    assert_eq!(Some(vec!["val1", "val2"]), params.all("myKey"));
    assert_eq!(Some(vec!["val3", "val4"]), params.all("myOtherKey"));

    let query = request.uri().query().unwrap();
    assert!(query.contains("myKey=val1&myKey=val2"));
    assert!(query.contains("myOtherKey=val3&myOtherKey=val4"));
}

#[test]
fn deserializes_alb_multi_value_request_encoded_query_parameters_events() {
    // from docs
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format
    let input =
        include_str!("../../tests/data/alb_multi_value_request_encoded_query_parameters.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event is was not parsed as expected {result:?} given {input}"
    );
    let request = result.expect("failed to parse request");
    assert!(
        !request
            .query_string_parameters_ref()
            .expect("Request is missing query parameters")
            .is_empty()
    );

    // test RequestExt#query_string_parameters_ref does the right thing
    assert_eq!(
        request
            .query_string_parameters_ref()
            .and_then(|params| params.all("myKey")),
        Some(vec!["?showAll=true", "?showAll=false"])
    );
}

#[test]
#[cfg(feature = "vpc_lattice")]
fn deserializes_vpc_lattice_basic() {
    let input = include_str!("../../tests/data/vpc_lattice_v2_request.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event is was not parsed as expected {result:?} given {input}"
    );
    let request = result.expect("failed to parse request");
    assert_eq!(request.method(), "GET");

    let body_str = match request.body() {
        Body::Text(s) => s.as_str(),
        _ => "",
    };

    assert_eq!(body_str, "All is good");

    let uri = request.uri().to_string();
    assert!(uri.starts_with("/health?"), "unexpected uri: {uri}");
    assert!(uri.contains("multi=a"), "unexpected uri: {uri}");
    assert!(uri.contains("multi=DEF"), "unexpected uri: {uri}");
    assert!(uri.contains("multi=g"), "unexpected uri: {uri}");
    assert!(uri.contains("state=prod"), "unexpected uri: {uri}");

    // Ensure this is an VPC Lattice request
    let req_context = request
        .request_context_ref()
        .expect("Request is missing RequestContext");
    assert!(
        matches!(req_context, &RequestContext::VpcLattice(_)),
        "expected Vpc lattice context, got {req_context:?}"
    );
}

#[test]
#[cfg(feature = "vpc_lattice")]
fn deserializes_vpc_lattice_basic_base64() {
    let input = include_str!("../../tests/data/vpc_lattice_v2_request_base64.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event is was not parsed as expected {result:?} given {input}"
    );
    let request = result.expect("failed to parse request");
    assert_eq!(request.method(), "GET");

    let body_array = match request.body() {
        Body::Binary(s) => s.as_slice(),
        _ => &[],
    };

    assert_eq!(body_array, *b"All is good");

    // URI should have been built from host header, query and protocol etc
    let uri = request.uri();

    assert!(uri.to_string().starts_with("https://www.site.com/health?"));
    assert!(uri.to_string().contains("multi=a&multi=DEF&multi=g"));
    assert!(uri.to_string().contains("state=prod"));

    // Ensure this is an VPC Lattice request
    let req_context = request
        .request_context_ref()
        .expect("Request is missing RequestContext");
    assert!(
        matches!(req_context, &RequestContext::VpcLattice(_)),
        "expected Vpc lattice context, got {req_context:?}"
    );
}

#[test]
#[cfg(feature = "vpc_lattice")]
fn deserializes_vpc_lattice_headers() {
    let input = include_str!("../../tests/data/vpc_lattice_v2_request.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event is was not parsed as expected {result:?} given {input}"
    );
    let request = result.expect("failed to parse request");

    // decoding multi value headers
    let multi_headers_as_big_string = request
        .headers()
        .get_all("multi")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .reduce(|acc, nxt| [acc, nxt].join(";"));

    assert_eq!(multi_headers_as_big_string, Some("x;y".to_string()));

    // decoding regular headers
    let basic_headers_as_big_string = request
        .headers()
        .get_all("user-agent")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .reduce(|acc, nxt| [acc, nxt].join(";"));

    assert_eq!(basic_headers_as_big_string, Some("curl/7.68.0".to_string()));

    // Ensure this is an VPC Lattice request
    let req_context = request
        .request_context_ref()
        .expect("Request is missing RequestContext");
    assert!(
        matches!(req_context, &RequestContext::VpcLattice(_)),
        "expected Vpc lattice context, got {req_context:?}"
    );
}

#[test]
#[cfg(feature = "vpc_lattice")]
fn deserializes_vpc_lattice_multi_value_querys() {
    let input = include_str!("../../tests/data/vpc_lattice_v2_request.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event is was not parsed as expected {result:?} given {input}"
    );
    let request = result.expect("failed to parse request");
    assert!(
        !request
            .query_string_parameters_ref()
            .expect("Request is missing query parameters")
            .is_empty()
    );

    let params = request.query_string_parameters();
    assert_eq!(Some(vec!["prod"]), params.all("state"));
    assert_eq!(Some(vec!["a", "DEF", "g"]), params.all("multi"));

    let query = request.uri().query().unwrap();
    assert!(query.contains("multi=a&multi=DEF&multi=g"));
    assert!(query.contains("state=prod"));
}

#[test]
#[cfg(feature = "vpc_lattice")]
fn deserializes_vpc_lattice_encoded_query_parameters() {
    let input = include_str!("../../tests/data/vpc_lattice_v2_request_encoded_query.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event is was not parsed as expected {result:?} given {input}"
    );
    let request = result.expect("failed to parse request");

    let params = request.query_string_parameters();
    // percent-encoded values should be decoded
    assert_eq!(Some(vec!["?showAll=true"]), params.all("filter"));
    assert_eq!(Some(vec!["hello world"]), params.all("q"));

    let query = request.uri().query().unwrap();
    assert!(query.contains("filter="), "unexpected uri query: {query}");
    assert!(query.contains("q="), "unexpected uri query: {query}");
}

#[test]
#[cfg(feature = "vpc_lattice")]
fn deserializes_vpc_lattice_no_body() {
    let input = r#"{
        "version": "2.0",
        "path": "/ping",
        "method": "GET",
        "headers": {"accept": ["*/*"]},
        "queryStringParameters": {},
        "isBase64Encoded": false,
        "requestContext": {
            "serviceNetworkArn": "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-abc",
            "serviceArn": "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-abc",
            "targetGroupArn": "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-abc",
            "region": "us-east-1",
            "timeEpoch": "1724875399456789"
        }
    }"#;
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?}"
    );
    let request = result.expect("failed to parse request");
    assert_eq!(request.method(), "GET");
    assert!(
        matches!(request.body(), Body::Empty),
        "expected empty body, got {:?}",
        request.body()
    );
}

#[test]
fn deserialize_apigw_http_sam_local() {
    // manually generated from AWS SAM CLI
    // Steps to recreate:
    // * sam init
    // * Use, Zip Python 3.9, and Hello World example
    // * Change the template to use HttpApi instead of Api
    // * Change the function code to return the Lambda event serialized
    // * sam local start-api
    // * Invoke the API
    let input = include_str!("../../tests/data/apigw_v2_sam_local.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    assert_eq!(req.method(), "GET");
    assert_eq!(req.uri(), "http://127.0.0.1:3000/hello");
}

#[test]
fn deserialize_apigw_no_host() {
    // generated from the 'apigateway-aws-proxy' test event template in the Lambda console
    let input = include_str!("../../tests/data/apigw_no_host.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    assert_eq!(req.method(), "GET");
    assert_eq!(req.uri(), "/test/hello?name=me");
}

#[test]
fn deserialize_alb_no_host() {
    // generated from ALB health checks
    let input = include_str!("../../tests/data/alb_no_host.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    assert_eq!(req.method(), "GET");
    assert_eq!(req.uri(), "/v1/health/");
}

#[test]
fn deserialize_apigw_path_with_space() {
    // generated from ALB health checks
    let input = include_str!("../../tests/data/apigw_request_path_with_space.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    assert_eq!(
        req.uri(),
        "https://id.execute-api.us-east-1.amazonaws.com/my/path-with%20space?parameter1=value1&parameter1=value2&parameter2=value"
    );
}

#[test]
fn parse_paths_with_spaces() {
    let url = build_request_uri(
        "/path with spaces/and multiple segments",
        &HeaderMap::new(),
        None,
        None,
    );
    assert_eq!("/path%20with%20spaces/and%20multiple%20segments", url);
}

#[test]
fn deserializes_apigw_http_request_with_stage_in_path() {
    let input = include_str!("../../tests/data/apigw_v2_proxy_request_with_stage_in_path.json");
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?} given {input}"
    );
    let req = result.expect("failed to parse request");
    assert_eq!("/Prod/my/path", req.uri().path());
    assert_eq!("/Prod/my/path", req.raw_http_path());
}

#[test]
fn test_apigw_path_with_stage() {
    assert_eq!("/path", apigw_path_with_stage(&None, "/path"));
    assert_eq!(
        "/path",
        apigw_path_with_stage(&Some("$default".into()), "/path")
    );
    assert_eq!(
        "/Prod/path",
        apigw_path_with_stage(&Some("Prod".into()), "/Prod/path")
    );
    assert_eq!(
        "/Prod/path",
        apigw_path_with_stage(&Some("Prod".into()), "/path")
    );
}

#[test]
#[cfg(feature = "vpc_lattice")]
fn vpc_lattice_method_none_defaults_to_get() {
    let input = r#"{
        "version": "2.0",
        "path": "/ping",
        "headers": {"accept": ["*/*"]},
        "queryStringParameters": {},
        "isBase64Encoded": false,
        "requestContext": {
            "serviceNetworkArn": "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-abc",
            "serviceArn": "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-abc",
            "targetGroupArn": "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-abc",
            "region": "us-east-1",
            "timeEpoch": "1724875399456789"
        }
    }"#;
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?}"
    );
    let request = result.expect("failed to parse request");
    assert_eq!(request.method(), "GET");
}

#[test]
#[cfg(feature = "vpc_lattice")]
fn vpc_lattice_post_with_body() {
    let input = r#"{
        "version": "2.0",
        "path": "/submit",
        "method": "POST",
        "headers": {"content-type": ["application/json"]},
        "queryStringParameters": {},
        "body": "{\"key\":\"value\"}",
        "isBase64Encoded": false,
        "requestContext": {
            "serviceNetworkArn": "arn:aws:vpc-lattice:us-east-1:123456789012:servicenetwork/sn-abc",
            "serviceArn": "arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-abc",
            "targetGroupArn": "arn:aws:vpc-lattice:us-east-1:123456789012:targetgroup/tg-abc",
            "region": "us-east-1",
            "timeEpoch": "1724875399456789"
        }
    }"#;
    let result = from_str(input);
    assert!(
        result.is_ok(),
        "event was not parsed as expected {result:?}"
    );
    let request = result.expect("failed to parse request");
    assert_eq!(request.method(), "POST");
    let body_str = match request.body() {
        Body::Text(s) => s.as_str(),
        other => panic!("expected text body, got {other:?}"),
    };
    assert_eq!(body_str, r#"{"key":"value"}"#);
}
