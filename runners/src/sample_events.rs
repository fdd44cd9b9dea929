//! Sample events for the common event sources, in the shapes `sam local generate-event` and the
//! `aws_lambda_events` crate use: for tests, and for `lambda-sim generate-event SOURCE`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// The sources [`sample_event`] knows, with what each is.
pub const SOURCES: &[(&str, &str)] = &[
    ("apigw-v1", "API Gateway REST API proxy request (aws-proxy)"),
    ("apigw-v2", "API Gateway HTTP API (payload 2.0) request"),
    ("s3-put", "S3 ObjectCreated:Put notification"),
    ("sqs", "SQS batch of messages"),
    ("kinesis", "Kinesis Data Streams batch of records"),
    (
        "dynamodb-stream",
        "DynamoDB Streams batch of INSERT records",
    ),
    ("eventbridge-schedule", "EventBridge scheduled event"),
];

/// What to put in a sample event (each source uses what applies to it).
#[derive(Clone, Debug)]
pub struct SampleOptions {
    /// The request body (API Gateway), message body (SQS) or record data (Kinesis). Default
    /// `{"test":"body"}`.
    pub body: String,
    /// The request path (API Gateway). Default `/path/to/resource`.
    pub path: String,
    /// The HTTP method (API Gateway). Default `POST`.
    pub method: String,
    /// The bucket (S3). Default `example-bucket`.
    pub bucket: String,
    /// The object key (S3). Default `test/key`.
    pub key: String,
    /// How many records a batch holds (S3, SQS, Kinesis, DynamoDB). Default 1.
    pub records: usize,
    /// The region. Default `us-east-1`.
    pub region: String,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            body: r#"{"test":"body"}"#.to_owned(),
            path: "/path/to/resource".to_owned(),
            method: "POST".to_owned(),
            bucket: "example-bucket".to_owned(),
            key: "test/key".to_owned(),
            records: 1,
            region: "us-east-1".to_owned(),
        }
    }
}

const ACCOUNT: &str = "123456789012";
const TIME: &str = "1970-01-01T00:00:00.000Z";

/// A sample event of `source` (one of [`SOURCES`]), or `None` for an unknown source.
pub fn sample_event(source: &str, options: &SampleOptions) -> Option<Value> {
    Some(match source {
        "apigw-v1" | "apigateway-aws-proxy" => api_gateway_rest(options),
        "apigw-v2" | "apigateway-http-api-proxy" => api_gateway_http(options),
        "s3-put" => s3_put(options),
        "sqs" => sqs(options),
        "kinesis" => kinesis(options),
        "dynamodb-stream" => dynamodb_stream(options),
        "eventbridge-schedule" | "cloudwatch-scheduled-event" => scheduled(options),
        _ => return None,
    })
}

/// An API Gateway REST API proxy request (payload format 1.0).
fn api_gateway_rest(o: &SampleOptions) -> Value {
    json!({
        "body": o.body,
        "resource": "/{proxy+}",
        "path": o.path,
        "httpMethod": o.method,
        "isBase64Encoded": false,
        "queryStringParameters": {"foo": "bar"},
        "multiValueQueryStringParameters": {"foo": ["bar"]},
        "pathParameters": {"proxy": o.path.trim_start_matches('/')},
        "stageVariables": {"baz": "qux"},
        "headers": {"Accept": "*/*", "Host": "1234567890.execute-api.us-east-1.amazonaws.com", "User-Agent": "Custom User Agent String", "X-Forwarded-Proto": "https"},
        "multiValueHeaders": {"Accept": ["*/*"], "Host": ["1234567890.execute-api.us-east-1.amazonaws.com"], "User-Agent": ["Custom User Agent String"], "X-Forwarded-Proto": ["https"]},
        "requestContext": {
            "accountId": ACCOUNT,
            "resourceId": "123456",
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "09/Apr/2015:12:34:56 +0000",
            "requestTimeEpoch": 1_428_582_896_000u64,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "Custom User Agent String"},
            "path": format!("/prod{}", o.path),
            "resourcePath": "/{proxy+}",
            "httpMethod": o.method,
            "apiId": "1234567890",
            "protocol": "HTTP/1.1"
        }
    })
}

/// An API Gateway HTTP API request (payload format 2.0).
fn api_gateway_http(o: &SampleOptions) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": o.path,
        "rawQueryString": "parameter1=value1",
        "headers": {"header1": "value1", "content-type": "application/json"},
        "queryStringParameters": {"parameter1": "value1"},
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "api-id",
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "id",
            "http": {"method": o.method, "path": o.path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "agent"},
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
            "time": "12/Mar/2020:19:03:58 +0000",
            "timeEpoch": 1_583_348_638_390u64
        },
        "body": o.body,
        "isBase64Encoded": false
    })
}

/// S3 `ObjectCreated:Put` notifications, one record per object.
fn s3_put(o: &SampleOptions) -> Value {
    let n = o.records.max(1);
    json!({
        "Records": (0..n).map(|i| json!({
            "eventVersion": "2.0",
            "eventSource": "aws:s3",
            "awsRegion": o.region,
            "eventTime": TIME,
            "eventName": "ObjectCreated:Put",
            "userIdentity": {"principalId": "EXAMPLE"},
            "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {"x-amz-request-id": "EXAMPLE123456789", "x-amz-id-2": "EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH"},
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "testConfigRule",
                "bucket": {"name": o.bucket, "ownerIdentity": {"principalId": "EXAMPLE"}, "arn": format!("arn:aws:s3:::{}", o.bucket)},
                "object": {"key": if n == 1 { o.key.clone() } else { format!("{}-{i}", o.key) }, "size": 1024, "eTag": "0123456789abcdef0123456789abcdef", "sequencer": "0A1B2C3D4E5F678901"}
            }
        })).collect::<Vec<_>>()
    })
}

/// An SQS batch.
fn sqs(o: &SampleOptions) -> Value {
    let n = o.records.max(1);
    json!({
        "Records": (0..n).map(|i| json!({
            "messageId": format!("19dd0b57-b21e-4ac1-bd88-01bbb068cb7{}", i % 10),
            "receiptHandle": "MessageReceiptHandle",
            "body": o.body,
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1523232000000", "SenderId": ACCOUNT, "ApproximateFirstReceiveTimestamp": "1523232000001"},
            "messageAttributes": {},
            "md5OfBody": "7b270e59b47ff90a553787216d55d91d",
            "eventSource": "aws:sqs",
            "eventSourceARN": format!("arn:aws:sqs:{}:{ACCOUNT}:MyQueue", o.region),
            "awsRegion": o.region
        })).collect::<Vec<_>>()
    })
}

/// A Kinesis batch (the data base64-encoded, as Lambda sends it).
fn kinesis(o: &SampleOptions) -> Value {
    let n = o.records.max(1);
    json!({
        "Records": (0..n).map(|i| {
            let sequence = format!("4959036110508828743018836788849140999837428553218588{:04}", i);
            json!({
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": format!("partitionKey-{i}"),
                    "sequenceNumber": sequence,
                    "data": STANDARD.encode(o.body.as_bytes()),
                    "approximateArrivalTimestamp": 1_545_084_650.987
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": format!("shardId-000000000006:{sequence}"),
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": format!("arn:aws:iam::{ACCOUNT}:role/lambda-role"),
                "awsRegion": o.region,
                "eventSourceARN": format!("arn:aws:kinesis:{}:{ACCOUNT}:stream/lambda-stream", o.region)
            })
        }).collect::<Vec<_>>()
    })
}

/// A DynamoDB stream batch of inserts.
fn dynamodb_stream(o: &SampleOptions) -> Value {
    let n = o.records.max(1);
    json!({
        "Records": (0..n).map(|i| json!({
            "eventID": format!("c4ca4238a0b923820dcc509a6f75849{i}"),
            "eventName": "INSERT",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": o.region,
            "dynamodb": {
                "ApproximateCreationDateTime": 1_479_499_740,
                "Keys": {"Id": {"N": (101 + i).to_string()}},
                "NewImage": {"Message": {"S": "New item!"}, "Id": {"N": (101 + i).to_string()}},
                "SequenceNumber": format!("{}", 111 + i),
                "SizeBytes": 26,
                "StreamViewType": "NEW_AND_OLD_IMAGES"
            },
            "eventSourceARN": format!("arn:aws:dynamodb:{}:{ACCOUNT}:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899", o.region)
        })).collect::<Vec<_>>()
    })
}

/// An EventBridge scheduled event.
fn scheduled(o: &SampleOptions) -> Value {
    json!({
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": "2015-10-08T16:53:06Z",
        "region": o.region,
        "resources": [format!("arn:aws:events:{}:{ACCOUNT}:rule/my-scheduled-rule", o.region)],
        "detail": {}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_has_its_shape() {
        let o = SampleOptions {
            records: 3,
            ..SampleOptions::default()
        };
        for (source, _) in SOURCES {
            let event = sample_event(source, &o).unwrap_or_else(|| panic!("{source}"));
            assert!(event.is_object(), "{source}");
        }
        let sqs = sample_event("sqs", &o).unwrap_or_default();
        assert_eq!(sqs["Records"].as_array().map(Vec::len), Some(3));
        assert_eq!(sqs["Records"][0]["eventSource"], "aws:sqs");
        let kinesis = sample_event("kinesis", &o).unwrap_or_default();
        assert_eq!(
            kinesis["Records"][0]["kinesis"]["data"],
            "eyJ0ZXN0IjoiYm9keSJ9"
        );
        assert_eq!(
            kinesis["Records"][0]["eventID"],
            format!(
                "shardId-000000000006:{}",
                kinesis["Records"][0]["kinesis"]["sequenceNumber"]
                    .as_str()
                    .unwrap_or_default()
            )
        );
        let v2 = sample_event("apigw-v2", &o).unwrap_or_default();
        assert_eq!(v2["version"], "2.0");
        assert!(sample_event("carrier-pigeon", &o).is_none());
    }
}
