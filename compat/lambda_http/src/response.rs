//! [`LambdaResponse`]: an `http::Response<Body>` as the JSON the request's origin expects
//! (upstream's `response.rs`): API Gateway REST `multiValueHeaders` only, HTTP API and function
//! URLs `headers` with `set-cookie` moved to `cookies`, ALB both and a `statusDescription`, a
//! binary body as base64 with `isBase64Encoded`.

#[cfg(feature = "alb")]
use aws_lambda_events::alb::AlbTargetGroupResponse;
#[cfg(any(feature = "apigw_rest", feature = "apigw_websockets"))]
use aws_lambda_events::apigw::ApiGatewayProxyResponse;
#[cfg(feature = "apigw_http")]
use aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use aws_lambda_events::encodings::Body;
#[cfg(feature = "vpc_lattice")]
use aws_lambda_events::vpc_lattice::VpcLatticeResponse;
use http::{HeaderMap, Response};
use serde::Serialize;

use crate::request::RequestOrigin;

/// Representation of Lambda response
#[non_exhaustive]
#[doc(hidden)]
#[derive(Serialize, Debug)]
#[serde(untagged)]
pub enum LambdaResponse {
    #[cfg(any(feature = "apigw_rest", feature = "apigw_websockets"))]
    ApiGatewayV1(ApiGatewayProxyResponse),
    #[cfg(feature = "apigw_http")]
    ApiGatewayV2(ApiGatewayV2httpResponse),
    #[cfg(feature = "alb")]
    Alb(AlbTargetGroupResponse),
    #[cfg(feature = "vpc_lattice")]
    VpcLattice(VpcLatticeResponse),
    #[cfg(feature = "pass_through")]
    PassThrough(serde_json::Value),
}

/// Transformation from http type to internal type
impl LambdaResponse {
    pub(crate) fn from_response(request_origin: &RequestOrigin, value: Response<Body>) -> Self {
        let (parts, bod) = value.into_parts();
        let (is_base64_encoded, body) = match bod {
            Body::Empty => (false, None),
            b @ Body::Text(_) => (false, Some(b)),
            b @ Body::Binary(_) => (true, Some(b)),
            _ => (false, None),
        };

        let headers = parts.headers;
        let status_code = parts.status.as_u16();

        match request_origin {
            #[cfg(feature = "apigw_rest")]
            RequestOrigin::ApiGatewayV1 => LambdaResponse::ApiGatewayV1({
                let mut response = ApiGatewayProxyResponse::default();

                response.body = body;
                response.is_base64_encoded = is_base64_encoded;
                response.status_code = status_code as i64;
                // Explicitly empty, as API gateway v1 will merge "headers" and
                // "multi_value_headers" fields together resulting in duplicate response headers.
                response.headers = HeaderMap::new();
                response.multi_value_headers = headers;
                // Today, this implementation doesn't provide any additional fields
                #[cfg(feature = "catch-all-fields")]
                {
                    response.other = Default::default();
                }
                response
            }),
            #[cfg(feature = "apigw_http")]
            RequestOrigin::ApiGatewayV2 => {
                use http::header::SET_COOKIE;
                let mut headers = headers;
                // ApiGatewayV2 expects the set-cookies headers to be in the "cookies" attribute,
                // so remove them from the headers.
                let cookies = headers
                    .get_all(SET_COOKIE)
                    .iter()
                    .map(|v| v.to_str().ok().unwrap_or_default().to_string())
                    .collect();
                headers.remove(SET_COOKIE);

                LambdaResponse::ApiGatewayV2({
                    let mut response = ApiGatewayV2httpResponse::default();
                    response.body = body;
                    response.is_base64_encoded = is_base64_encoded;
                    response.status_code = status_code as i64;
                    response.cookies = cookies;
                    // API gateway v2 doesn't have "multi_value_headers" field. Duplicate headers
                    // are combined with commas and included in the headers field.
                    response.headers = headers;
                    response.multi_value_headers = HeaderMap::new();
                    // Today, this implementation doesn't provide any additional fields
                    #[cfg(feature = "catch-all-fields")]
                    {
                        response.other = Default::default();
                    }
                    response
                })
            }
            #[cfg(feature = "alb")]
            RequestOrigin::Alb => LambdaResponse::Alb({
                let mut response = AlbTargetGroupResponse::default();

                response.body = body;
                response.is_base64_encoded = is_base64_encoded;
                response.status_code = status_code as i64;
                // ALB responses are used for ALB integration, which can be configured to use
                // either "headers" or "multi_value_headers" field. We need to return both fields
                // to ensure both configuration work correctly.
                response.headers = headers.clone();
                response.multi_value_headers = headers;
                response.status_description = Some(format!(
                    "{} {}",
                    status_code,
                    parts.status.canonical_reason().unwrap_or_default()
                ));
                // Today, this implementation doesn't provide any additional fields
                #[cfg(feature = "catch-all-fields")]
                {
                    response.other = Default::default();
                }
                response
            }),
            #[cfg(feature = "apigw_websockets")]
            RequestOrigin::WebSocket => LambdaResponse::ApiGatewayV1({
                let mut response = ApiGatewayProxyResponse::default();
                response.body = body;
                response.is_base64_encoded = is_base64_encoded;
                response.status_code = status_code as i64;
                // Explicitly empty, as API gateway v1 will merge "headers" and
                // "multi_value_headers" fields together resulting in duplicate response headers.
                response.headers = HeaderMap::new();
                response.multi_value_headers = headers;
                // Today, this implementation doesn't provide any additional fields
                #[cfg(feature = "catch-all-fields")]
                {
                    response.other = Default::default();
                }
                response
            }),
            #[cfg(feature = "vpc_lattice")]
            RequestOrigin::VpcLatticeV2 => LambdaResponse::VpcLattice({
                let mut response = VpcLatticeResponse::default();

                response.body = body;
                response.is_base64_encoded = is_base64_encoded;
                response.status_code = status_code;
                response.headers = headers;
                // Today, this implementation doesn't provide any additional fields
                #[cfg(feature = "catch-all-fields")]
                {
                    response.other = Default::default();
                }
                response
            }),
            #[cfg(feature = "pass_through")]
            RequestOrigin::PassThrough => {
                match body {
                    // text body must be a valid json string
                    Some(Body::Text(body)) => {
                        LambdaResponse::PassThrough(serde_json::from_str(&body).unwrap_or_default())
                    }
                    // binary body and other cases return Value::Null
                    _ => LambdaResponse::PassThrough(serde_json::Value::Null),
                }
            }
            #[cfg(not(any(
                feature = "apigw_rest",
                feature = "apigw_http",
                feature = "alb",
                feature = "apigw_websockets",
                feature = "vpc_lattice"
            )))]
            _ => compile_error!(
                "Either feature `apigw_rest`, `apigw_http`, `alb`, `apigw_websockets` or `vpc_lattice` must be enabled for the `lambda-http` crate."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use http::Response;

    use super::{Body, LambdaResponse, RequestOrigin};

    #[test]
    #[cfg(feature = "vpc_lattice")]
    fn serialize_vpc_lattice_response_text_body() {
        let res = LambdaResponse::from_response(
            &RequestOrigin::VpcLatticeV2,
            Response::builder()
                .status(200)
                .header("content-type", "text/plain")
                .body(Body::from("hello"))
                .expect("failed to create response"),
        );
        let json = serde_json::to_string(&res).expect("failed to serialize to json");
        assert_eq!(
            json,
            r#"{"isBase64Encoded":false,"statusCode":200,"headers":{"content-type":"text/plain"},"body":"hello"}"#
        );
    }

    #[test]
    #[cfg(feature = "vpc_lattice")]
    fn serialize_vpc_lattice_response_binary_body() {
        let res = LambdaResponse::from_response(
            &RequestOrigin::VpcLatticeV2,
            Response::builder()
                .status(200)
                .body(Body::from(b"hello".as_slice()))
                .expect("failed to create response"),
        );
        let json = serde_json::to_string(&res).expect("failed to serialize to json");
        assert_eq!(
            json,
            r#"{"isBase64Encoded":true,"statusCode":200,"body":"aGVsbG8="}"#
        );
    }

    #[test]
    #[cfg(feature = "vpc_lattice")]
    fn serialize_vpc_lattice_response_non_200_status() {
        let res = LambdaResponse::from_response(
            &RequestOrigin::VpcLatticeV2,
            Response::builder()
                .status(404)
                .header("x-request-id", "abc-123")
                .body(Body::from(()))
                .expect("failed to create response"),
        );
        let json = serde_json::to_string(&res).expect("failed to serialize to json");
        assert_eq!(
            json,
            r#"{"isBase64Encoded":false,"statusCode":404,"headers":{"x-request-id":"abc-123"},"body":null}"#
        );
    }

    #[test]
    fn serialize_multi_value_headers() {
        let res = LambdaResponse::from_response(
            &RequestOrigin::ApiGatewayV1,
            Response::builder()
                .header("multi", "a")
                .header("multi", "b")
                .body(Body::from(()))
                .expect("failed to create response"),
        );
        let json = serde_json::to_string(&res).expect("failed to serialize to json");
        assert_eq!(
            json,
            r#"{"statusCode":200,"headers":{},"multiValueHeaders":{"multi":["a","b"]},"isBase64Encoded":false}"#
        )
    }

    #[test]
    fn serialize_cookies() {
        let res = LambdaResponse::from_response(
            &RequestOrigin::ApiGatewayV2,
            Response::builder()
                .header("set-cookie", "cookie1=a")
                .header("set-cookie", "cookie2=b")
                .body(Body::from(()))
                .expect("failed to create response"),
        );
        let json = serde_json::to_string(&res).expect("failed to serialize to json");
        assert_eq!(
            "{\"statusCode\":200,\"headers\":{},\"multiValueHeaders\":{},\"isBase64Encoded\":false,\"cookies\":[\"cookie1=a\",\"cookie2=b\"]}",
            json
        )
    }
}
