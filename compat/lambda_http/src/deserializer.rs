//! Which event an invocation carries: the first of API Gateway REST, HTTP API (and function
//! URL), ALB, WebSocket and VPC Lattice whose shape the JSON fits (upstream's `deserializer.rs`).

use crate::request::LambdaRequest;
#[cfg(feature = "alb")]
use aws_lambda_events::alb::AlbTargetGroupRequest;
#[cfg(feature = "apigw_rest")]
use aws_lambda_events::apigw::ApiGatewayProxyRequest;
#[cfg(feature = "apigw_http")]
use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
#[cfg(feature = "apigw_websockets")]
use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
#[cfg(feature = "vpc_lattice")]
use aws_lambda_events::vpc_lattice::VpcLatticeRequestV2;

use serde::{Deserialize, de::Error};
use serde_json::value::RawValue;

const ERROR_CONTEXT: &str = "this function expects a JSON payload from Amazon API Gateway, Amazon Elastic Load Balancer, or AWS Lambda Function URLs, but the data doesn't match any of those services' events";

#[cfg(feature = "pass_through")]
const PASS_THROUGH_ENABLED: bool = true;

impl<'de> Deserialize<'de> for LambdaRequest {
    fn deserialize<D>(deserializer: D) -> Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        let raw_value: Box<RawValue> = Box::<RawValue>::deserialize(deserializer)?;
        let data = raw_value.get();

        #[cfg(feature = "apigw_rest")]
        if let Ok(res) = serde_json::from_str::<ApiGatewayProxyRequest>(data) {
            return Ok(LambdaRequest::ApiGatewayV1(res));
        }
        #[cfg(feature = "apigw_http")]
        if let Ok(res) = serde_json::from_str::<ApiGatewayV2httpRequest>(data) {
            return Ok(LambdaRequest::ApiGatewayV2(res));
        }
        #[cfg(feature = "alb")]
        if let Ok(res) = serde_json::from_str::<AlbTargetGroupRequest>(data) {
            return Ok(LambdaRequest::Alb(res));
        }
        #[cfg(feature = "apigw_websockets")]
        if let Ok(res) = serde_json::from_str::<ApiGatewayWebsocketProxyRequest>(data) {
            return Ok(LambdaRequest::WebSocket(res));
        }
        #[cfg(feature = "vpc_lattice")]
        if let Ok(res) = serde_json::from_str::<VpcLatticeRequestV2>(data) {
            return Ok(LambdaRequest::VpcLatticeV2(res));
        }
        #[cfg(feature = "pass_through")]
        if PASS_THROUGH_ENABLED {
            return Ok(LambdaRequest::PassThrough(data.to_string()));
        }

        Err(Error::custom(ERROR_CONTEXT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upstream's cases, on the events of `tests/data` (upstream reads `aws_lambda_events`'
    /// fixtures, which are not packaged).
    fn deserialize(data: &str) -> LambdaRequest {
        serde_json::from_str(data).expect("failed to deserialize the event")
    }

    #[test]
    fn test_deserialize_apigw_rest() {
        match deserialize(include_str!("../tests/data/apigw_proxy_request.json")) {
            LambdaRequest::ApiGatewayV1(req) => {
                assert_eq!("123456789012", req.request_context.account_id.unwrap());
            }
            other => panic!("unexpected request variant: {other:?}"),
        }
    }

    #[test]
    fn test_deserialize_apigw_http() {
        match deserialize(include_str!("../tests/data/apigw_v2_proxy_request.json")) {
            LambdaRequest::ApiGatewayV2(req) => {
                assert_eq!("123456789012", req.request_context.account_id.unwrap());
            }
            other => panic!("unexpected request variant: {other:?}"),
        }
    }

    #[test]
    fn test_deserialize_function_url() {
        match deserialize(include_str!(
            "../tests/data/lambda_function_url_request.json"
        )) {
            LambdaRequest::ApiGatewayV2(req) => {
                assert_eq!(
                    Some("id.lambda-url.eu-west-2.on.aws"),
                    req.request_context.domain_name.as_deref()
                );
            }
            other => panic!("unexpected request variant: {other:?}"),
        }
    }

    #[test]
    fn test_deserialize_alb() {
        match deserialize(include_str!("../tests/data/alb_request.json")) {
            LambdaRequest::Alb(req) => {
                assert_eq!(
                    "arn:aws:elasticloadbalancing:region:123456789012:targetgroup/my-target-group/6d0ecf831eec9f09",
                    req.request_context.elb.target_group_arn.unwrap()
                );
            }
            other => panic!("unexpected request variant: {other:?}"),
        }
    }

    #[test]
    fn test_deserialize_vpc_lattice() {
        match deserialize(include_str!("../tests/data/vpc_lattice_v2_request.json")) {
            LambdaRequest::VpcLatticeV2(req) => {
                assert_eq!(
                    "arn:aws:vpc-lattice:ap-southeast-2:123456789012:targetgroup/tg-6d0ecf831eec9f09",
                    req.request_context.target_group_arn
                );
            }
            other => panic!("unexpected request variant: {other:?}"),
        }
    }

    #[test]
    fn other_events_are_refused_with_upstreams_message() {
        let err = serde_json::from_str::<LambdaRequest>(r#"{"Records":[]}"#)
            .expect_err("an SQS event is not an HTTP request");
        assert!(err.to_string().starts_with(ERROR_CONTEXT), "{err}");
    }
}
