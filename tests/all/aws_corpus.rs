//! The AWS APIs' bad-input corpus: every malformed request a producer or a handler's SDK can
//! send to Kinesis, Firehose, SQS, DynamoDB and S3, each with the exact answer its client
//! reads, and after each a valid request to the same service that still succeeds, with
//! nothing it wrote lost by the end.
//!
//! One table, one case a row: what is tried, then `"<HTTP status> <Code>: <message>"` as the
//! client reads it (the JSON protocols' `__type` without its `com.amazonaws...#` namespace
//! and their `message`; S3's `<Code>` and `<Message>`; for a `HEAD`, which has no body, the
//! status and its reason, which is what botocore gives as code and message). SQS answers add
//! the `x-amzn-query-error` header that botocore reads the query protocol's code from. Run
//! with `LAMBDA_SIM_PRINT_CORPUS=1` to print what each case gives.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{Method, Request, Response};
use lambda_sim_server::AwsApis;
use serde_json::{Value, json};

const KINESIS: &str = "Kinesis_20131202";
const FIREHOSE: &str = "Firehose_20150804";
const SQS: &str = "AmazonSQS";
const DYNAMODB: &str = "DynamoDB_20120810";
/// The URL of the queue the cases use, as the APIs name it for a request without `Host`.
const QUEUE_URL: &str = "http://localhost/123456789012/corpus";

/// The service a case is sent to, and whose keep-serving request follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Service {
    Kinesis,
    Firehose,
    Sqs,
    DynamoDb,
    S3,
}

/// A JSON-protocol request to `target` (`Kinesis_20131202.PutRecord`).
async fn call(apis: &AwsApis, target: &str, body: impl Into<Bytes>) -> Response<Bytes> {
    let request = Request::post("/")
        .header("x-amz-target", target)
        .header("content-type", "application/x-amz-json-1.1")
        .body(body.into())
        .expect("a request");
    apis.handle(request).await
}

/// What a JSON-protocol client reads: `200 OK`, or `<status> <Code>: <message>` (and SQS's
/// `x-amzn-query-error`).
fn json_answer(response: &Response<Bytes>) -> String {
    let status = response.status().as_u16();
    if status == 200 {
        return "200 OK".to_owned();
    }
    let body: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    let kind = body["__type"].as_str().unwrap_or_default();
    let code = kind.rsplit_once('#').map_or(kind, |(_, code)| code);
    let message = body["message"]
        .as_str()
        .or(body["Message"].as_str())
        .unwrap_or_default();
    let mut line = format!("{status} {code}: {message}");
    if let Some(query) = response.headers().get("x-amzn-query-error") {
        line.push_str(&format!(
            " (x-amzn-query-error: {})",
            query.to_str().unwrap_or_default()
        ));
    }
    line
}

/// A JSON-protocol request, answered as its client reads it.
async fn json_case(apis: &AwsApis, target: &str, body: impl Into<Bytes>) -> String {
    json_answer(&call(apis, target, body).await)
}

/// A JSON-protocol request with a JSON body.
async fn op(apis: &AwsApis, service: &str, operation: &str, body: Value) -> String {
    json_case(apis, &format!("{service}.{operation}"), body.to_string()).await
}

/// An S3 request.
async fn s3_call(
    apis: &AwsApis,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Response<Bytes> {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    apis.handle(request.body(body.into()).expect("a request"))
        .await
}

/// The text of the first `<element>` of an XML document, unescaped.
fn xml_element(xml: &str, element: &str) -> String {
    let open = format!("<{element}>");
    let close = format!("</{element}>");
    xml.split_once(&open)
        .and_then(|(_, rest)| rest.split_once(&close))
        .map(|(text, _)| {
            text.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .unwrap_or_default()
}

/// What an S3 client reads: `<status> OK` for a success, `<status> <Code>: <Message>` for an
/// error, and for a `HEAD` (no body) `<status> <reason>`.
async fn s3(
    apis: &AwsApis,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> String {
    let head = method == Method::HEAD;
    let response = s3_call(apis, method, uri, headers, body).await;
    let status = response.status();
    if status.is_success() {
        return format!("{} OK", status.as_u16());
    }
    if head {
        return format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or_default()
        );
    }
    let xml = String::from_utf8_lossy(response.body());
    format!(
        "{} {}: {}",
        status.as_u16(),
        xml_element(&xml, "Code"),
        xml_element(&xml, "Message")
    )
}

fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// The writes that show each service still serves, counted to check at the end that none
/// was lost.
struct Alive {
    apis: AwsApis,
    writes: Vec<Service>,
}

impl Alive {
    fn count(&self, service: Service) -> usize {
        self.writes.iter().filter(|&&s| s == service).count()
    }

    /// A valid write to `service`, which must succeed.
    async fn keep_serving(&mut self, service: Service, after: &str) {
        let n = self.writes.len();
        let apis = &self.apis;
        let tag = format!("alive-{n}");
        let got = match service {
            Service::Kinesis => {
                op(
                    apis,
                    KINESIS,
                    "PutRecord",
                    json!({ "StreamName": "corpus", "PartitionKey": tag, "Data": b64(tag.as_bytes()) }),
                )
                .await
            }
            Service::Firehose => {
                op(
                    apis,
                    FIREHOSE,
                    "PutRecord",
                    json!({ "DeliveryStreamName": "corpus-delivery", "Record": { "Data": b64(format!("{tag}\n").as_bytes()) } }),
                )
                .await
            }
            Service::Sqs => {
                op(
                    apis,
                    SQS,
                    "SendMessage",
                    json!({ "QueueUrl": QUEUE_URL, "MessageBody": tag }),
                )
                .await
            }
            Service::DynamoDb => {
                op(
                    apis,
                    DYNAMODB,
                    "PutItem",
                    json!({ "TableName": "corpus", "Item": { "pk": { "S": tag } } }),
                )
                .await
            }
            Service::S3 => {
                let uri = format!("/corpus-bucket/alive/{n}");
                let put = s3(apis, Method::PUT, &uri, &[], tag.clone()).await;
                let read = s3_call(apis, Method::GET, &uri, &[], Bytes::new()).await;
                assert_eq!(read.body(), tag.as_bytes(), "after {after}: read back");
                put
            }
        };
        assert_eq!(got, "200 OK", "after {after}: {service:?} still serves");
        self.writes.push(service);
    }
}

/// The files under `dir`, as paths relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                out.push(relative.to_owned());
            }
        }
    }
    out.sort();
    out
}

/// Makes the stream, delivery stream, queue, table and buckets the cases use.
async fn set_up(apis: &AwsApis) {
    let created = [
        s3(apis, Method::PUT, "/corpus-bucket", &[], Bytes::new()).await,
        s3(apis, Method::PUT, "/corpus-archive", &[], Bytes::new()).await,
        s3(
            apis,
            Method::PUT,
            "/corpus-bucket/hello.txt",
            &[],
            "0123456789",
        )
        .await,
        op(
            apis,
            KINESIS,
            "CreateStream",
            json!({ "StreamName": "corpus", "ShardCount": 2 }),
        )
        .await,
        op(
            apis,
            FIREHOSE,
            "CreateDeliveryStream",
            json!({
                "DeliveryStreamName": "corpus-delivery",
                "ExtendedS3DestinationConfiguration": {
                    "BucketARN": "arn:aws:s3:::corpus-archive",
                    "RoleARN": "arn:aws:iam::123456789012:role/firehose",
                },
            }),
        )
        .await,
        op(apis, SQS, "CreateQueue", json!({ "QueueName": "corpus" })).await,
        op(
            apis,
            DYNAMODB,
            "CreateTable",
            json!({
                "TableName": "corpus",
                "AttributeDefinitions": [{ "AttributeName": "pk", "AttributeType": "S" }],
                "KeySchema": [{ "AttributeName": "pk", "KeyType": "HASH" }],
                "BillingMode": "PAY_PER_REQUEST",
            }),
        )
        .await,
    ];
    for answer in created {
        assert_eq!(answer, "200 OK", "set-up");
    }
}

#[tokio::test]
async fn every_malformed_aws_request_gets_its_error_and_the_apis_keep_serving() {
    let services = lambda_sim_runtime::services::Services::temporary(1).expect("a temporary store");
    let apis = AwsApis::new(services, Arc::new(lambda_sim_aws::RealClock::start()), 1);
    let root = apis.services().objects.root().to_owned();
    let outside = root
        .parent()
        .expect("the store is in a directory")
        .to_owned();
    let escapes = [
        outside.join("etc/passwd"),
        outside.join("x"),
        root.join("x"),
        root.join("etc"),
    ];
    let existed: Vec<bool> = escapes.iter().map(|p| p.exists()).collect();
    set_up(&apis).await;

    let mut alive = Alive {
        apis: apis.clone(),
        writes: Vec::new(),
    };
    let mut cases: Vec<(&str, String, &str)> = Vec::new();
    macro_rules! case {
        ($service:expr, $name:expr, $got:expr, $expected:expr) => {{
            let got: String = $got;
            cases.push(($name, got, $expected));
            alive.keep_serving($service, $name).await;
        }};
    }
    use Service::{DynamoDb, Firehose, Kinesis, S3, Sqs};
    let apis = &apis;

    // Every JSON protocol: bodies that are not a request, and targets of no operation.
    case!(
        Kinesis,
        "Kinesis: a body that is not JSON",
        json_case(apis, "Kinesis_20131202.PutRecord", "{\"StreamName\": ").await,
        "400 SerializationException: the request body is not valid JSON: EOF while parsing a value at line 1 column 15"
    );
    case!(
        Kinesis,
        "Kinesis: a body that is a JSON array",
        json_case(apis, "Kinesis_20131202.PutRecord", "[]").await,
        "400 SerializationException: the request body must be a JSON object"
    );
    case!(
        Kinesis,
        "Kinesis: PutRecord without Data",
        op(
            apis,
            KINESIS,
            "PutRecord",
            json!({ "StreamName": "corpus", "PartitionKey": "k" })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value null at 'data' failed to satisfy constraint: Member must not be null"
    );
    case!(
        Kinesis,
        "Kinesis: a PartitionKey that is a number",
        op(
            apis,
            KINESIS,
            "PutRecord",
            json!({ "StreamName": "corpus", "PartitionKey": 5, "Data": "eA==" })
        )
        .await,
        "400 SerializationException: the member 'PartitionKey' must be a string"
    );
    case!(
        Kinesis,
        "Kinesis: Data that is not base64",
        op(
            apis,
            KINESIS,
            "PutRecord",
            json!({ "StreamName": "corpus", "PartitionKey": "k", "Data": "not base64!" })
        )
        .await,
        "400 SerializationException: the member 'Data' is not valid base64"
    );
    case!(
        Kinesis,
        "Kinesis: an unknown operation",
        op(apis, KINESIS, "PutRecordz", json!({})).await,
        "400 UnknownOperationException: lambda-sim does not simulate the operation `PutRecordz` of Kinesis"
    );
    case!(
        Firehose,
        "Firehose: a body that is not JSON",
        json_case(apis, "Firehose_20150804.PutRecord", "not json").await,
        "400 SerializationException: the request body is not valid JSON: expected ident at line 1 column 2"
    );
    case!(
        Firehose,
        "Firehose: a body that is a JSON array",
        json_case(apis, "Firehose_20150804.PutRecord", "[1, 2]").await,
        "400 SerializationException: the request body must be a JSON object"
    );
    // Firehose answers its model's constraints, as Kinesis does, with `ValidationException`.
    case!(
        Firehose,
        "Firehose: PutRecord without Record",
        op(
            apis,
            FIREHOSE,
            "PutRecord",
            json!({ "DeliveryStreamName": "corpus-delivery" })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value null at 'record' failed to satisfy constraint: Member must not be null"
    );
    case!(
        Firehose,
        "Firehose: a Record that is a string",
        op(
            apis,
            FIREHOSE,
            "PutRecord",
            json!({ "DeliveryStreamName": "corpus-delivery", "Record": "eA==" })
        )
        .await,
        "400 SerializationException: a record must be a structure"
    );
    case!(
        Firehose,
        "Firehose: an unknown operation",
        op(apis, FIREHOSE, "DeleteEverything", json!({})).await,
        "400 UnknownOperationException: lambda-sim does not simulate the operation `DeleteEverything` of Firehose"
    );
    case!(
        Sqs,
        "SQS: a body that is not JSON",
        json_case(apis, "AmazonSQS.SendMessage", "{'QueueUrl': 1}").await,
        "400 SerializationException: the request body is not valid JSON: key must be a string at line 1 column 2"
    );
    case!(
        Sqs,
        "SQS: a body that is a JSON array",
        json_case(apis, "AmazonSQS.SendMessage", "[{}]").await,
        "400 SerializationException: the request body must be a JSON object"
    );
    case!(
        Sqs,
        "SQS: SendMessage without QueueUrl",
        op(apis, SQS, "SendMessage", json!({ "MessageBody": "x" })).await,
        "400 MissingParameter: The request must contain the parameter QueueUrl. (x-amzn-query-error: MissingParameter;Sender)"
    );
    case!(
        Sqs,
        "SQS: a MessageBody that is an object",
        op(
            apis,
            SQS,
            "SendMessage",
            json!({ "QueueUrl": QUEUE_URL, "MessageBody": { "a": 1 } })
        )
        .await,
        "400 SerializationException: the member 'MessageBody' must be a string"
    );
    case!(
        Sqs,
        "SQS: an unknown operation",
        op(apis, SQS, "SendMessages", json!({})).await,
        "400 UnknownOperationException: lambda-sim does not simulate the operation `SendMessages` of Sqs"
    );
    case!(
        DynamoDb,
        "DynamoDB: a body that is not JSON",
        json_case(apis, "DynamoDB_20120810.PutItem", "\u{0}\u{1}").await,
        "400 SerializationException: the request body is not valid JSON: expected value at line 1 column 1"
    );
    case!(
        DynamoDb,
        "DynamoDB: a body that is a JSON array",
        json_case(apis, "DynamoDB_20120810.PutItem", "[]").await,
        "400 SerializationException: the request body must be a JSON object"
    );
    case!(
        DynamoDb,
        "DynamoDB: PutItem without Item",
        op(apis, DYNAMODB, "PutItem", json!({ "TableName": "corpus" })).await,
        "400 ValidationException: 1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null"
    );
    case!(
        DynamoDb,
        "DynamoDB: a TableName that is a list",
        op(
            apis,
            DYNAMODB,
            "PutItem",
            json!({ "TableName": ["corpus"], "Item": { "pk": { "S": "a" } } })
        )
        .await,
        "400 SerializationException: the member 'TableName' must be a string"
    );
    case!(
        DynamoDb,
        "DynamoDB: an unknown operation",
        op(apis, DYNAMODB, "TruncateTable", json!({})).await,
        "400 UnknownOperationException: lambda-sim does not simulate the operation `TruncateTable` of DynamoDb"
    );
    case!(
        Kinesis,
        "an X-Amz-Target of no service",
        json_case(apis, "Lambda_20150331.Invoke", "{}").await,
        "400 UnknownOperationException: lambda-sim serves Kinesis_20131202, Firehose_20150804, AmazonSQS and DynamoDB_20120810, not `Lambda_20150331.Invoke`"
    );
    case!(
        Kinesis,
        "an X-Amz-Target of another version of a service",
        json_case(apis, "Kinesis_20991231.PutRecord", "{}").await,
        "400 UnknownOperationException: lambda-sim serves Kinesis_20131202, Firehose_20150804, AmazonSQS and DynamoDB_20120810, not `Kinesis_20991231.PutRecord`"
    );
    case!(
        Kinesis,
        "an X-Amz-Target without an operation",
        json_case(apis, "Kinesis_20131202", "{}").await,
        "400 UnknownOperationException: lambda-sim serves Kinesis_20131202, Firehose_20150804, AmazonSQS and DynamoDB_20120810, not `Kinesis_20131202`"
    );

    // Kinesis.
    let record = |key: &str, data: &[u8]| json!({ "PartitionKey": key, "Data": b64(data) });
    case!(
        Kinesis,
        "Kinesis: PutRecord to an unknown stream",
        op(
            apis,
            KINESIS,
            "PutRecord",
            json!({ "StreamName": "nope", "PartitionKey": "k", "Data": "eA==" })
        )
        .await,
        "400 ResourceNotFoundException: Stream nope under account 123456789012 not found."
    );
    case!(
        Kinesis,
        "Kinesis: DescribeStream of an unknown stream ARN",
        op(
            apis,
            KINESIS,
            "DescribeStream",
            json!({ "StreamARN": "arn:aws:kinesis:us-east-1:123456789012:stream/nope" })
        )
        .await,
        "400 ResourceNotFoundException: Stream nope under account 123456789012 not found."
    );
    case!(
        Kinesis,
        "Kinesis: PutRecord of 1 MiB + 1 byte",
        op(
            apis,
            KINESIS,
            "PutRecord",
            json!({ "StreamName": "corpus", "PartitionKey": "k", "Data": b64(&vec![7; (1 << 20) + 1]) })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576 (with the partition key: 1048578 bytes)"
    );
    case!(
        Kinesis,
        "Kinesis: an empty partition key",
        op(
            apis,
            KINESIS,
            "PutRecord",
            json!({ "StreamName": "corpus", "PartitionKey": "", "Data": "eA==" })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    case!(
        Kinesis,
        "Kinesis: a partition key of 257 characters",
        op(
            apis,
            KINESIS,
            "PutRecord",
            json!({ "StreamName": "corpus", "PartitionKey": "k".repeat(257), "Data": "eA==" })
        )
        .await,
        // The message quotes the key, as Kinesis's validation messages quote values.
        Box::leak(
            format!(
                "400 ValidationException: 1 validation error detected: Value '{}' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256",
                "k".repeat(257)
            )
            .into_boxed_str()
        )
    );
    case!(
        Kinesis,
        "Kinesis: PutRecords of 0 records",
        op(
            apis,
            KINESIS,
            "PutRecords",
            json!({ "StreamName": "corpus", "Records": [] })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500 and greater than or equal to 1 (got 0)"
    );
    case!(
        Kinesis,
        "Kinesis: PutRecords of 501 records",
        op(
            apis,
            KINESIS,
            "PutRecords",
            json!({ "StreamName": "corpus", "Records": vec![record("k", b"x"); 501] })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500 and greater than or equal to 1 (got 501)"
    );
    // Eleven records of 1,000,000 bytes: each within the record limit, 11,000,011 bytes in
    // all, over the 10 MiB a request that botocore's model documents (5 MiB before Kinesis
    // took records of up to 10 MiB).
    case!(
        Kinesis,
        "Kinesis: PutRecords over 10 MiB in all",
        op(
            apis,
            KINESIS,
            "PutRecords",
            json!({ "StreamName": "corpus", "Records": vec![record("k", &vec![1; 1_000_000]); 11] })
        )
        .await,
        "400 InvalidArgumentException: Records size exceeds 10 MB limit (the request holds 11000011 bytes)"
    );
    case!(
        Kinesis,
        "Kinesis: PutRecords with one record of an empty partition key",
        op(
            apis,
            KINESIS,
            "PutRecords",
            json!({ "StreamName": "corpus", "Records": [record("k", b"x"), record("", b"x")] })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    // Kinesis checks the member's pattern (botocore's `HashKey`) before it reads the number:
    // a `ValidationException`, where 2^128 (39 digits) is an `InvalidArgumentException`.
    case!(
        Kinesis,
        "Kinesis: an ExplicitHashKey that is not a number",
        op(
            apis,
            KINESIS,
            "PutRecord",
            json!({ "StreamName": "corpus", "PartitionKey": "k", "Data": "eA==", "ExplicitHashKey": "0x10" })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value '0x10' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(0|([1-9]\\d{0,38}))$"
    );
    case!(
        Kinesis,
        "Kinesis: an ExplicitHashKey of 2^128",
        op(
            apis,
            KINESIS,
            "PutRecord",
            json!({ "StreamName": "corpus", "PartitionKey": "k", "Data": "eA==", "ExplicitHashKey": "340282366920938463463374607431768211456" })
        )
        .await,
        "400 InvalidArgumentException: ExplicitHashKey `340282366920938463463374607431768211456` is not a decimal number between 0 and 2^128 - 1"
    );
    case!(
        Kinesis,
        "Kinesis: GetRecords with a garbage iterator",
        op(
            apis,
            KINESIS,
            "GetRecords",
            json!({ "ShardIterator": "garbage" })
        )
        .await,
        "400 InvalidArgumentException: Invalid ShardIterator: garbage"
    );
    case!(
        Kinesis,
        "Kinesis: GetRecords with an iterator of an unknown stream",
        op(
            apis,
            KINESIS,
            "GetRecords",
            json!({ "ShardIterator": b64(format!("0|0|{}|nope", u64::MAX / 2).as_bytes()) })
        )
        .await,
        "400 ResourceNotFoundException: Stream nope under account 123456789012 not found."
    );
    case!(
        Kinesis,
        "Kinesis: GetShardIterator of an unknown shard",
        op(
            apis,
            KINESIS,
            "GetShardIterator",
            json!({ "StreamName": "corpus", "ShardId": "shardId-000000000009", "ShardIteratorType": "TRIM_HORIZON" })
        )
        .await,
        "400 ResourceNotFoundException: Shard shardId-000000000009 in stream corpus under account 123456789012 does not exist"
    );
    case!(
        Kinesis,
        "Kinesis: GetShardIterator of a bad iterator type",
        op(
            apis,
            KINESIS,
            "GetShardIterator",
            json!({ "StreamName": "corpus", "ShardId": "shardId-000000000000", "ShardIteratorType": "OLDEST" })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]"
    );
    case!(
        Kinesis,
        "Kinesis: GetShardIterator AT_SEQUENCE_NUMBER of a garbage sequence number",
        op(
            apis,
            KINESIS,
            "GetShardIterator",
            json!({ "StreamName": "corpus", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": "12" })
        )
        .await,
        "400 InvalidArgumentException: StartingSequenceNumber 12 used in GetShardIterator on shard shardId-000000000000 in stream corpus under account 123456789012 is invalid."
    );
    case!(
        Kinesis,
        "Kinesis: CreateStream of an existing stream",
        op(
            apis,
            KINESIS,
            "CreateStream",
            json!({ "StreamName": "corpus", "ShardCount": 1 })
        )
        .await,
        "400 ResourceInUseException: Stream corpus under account 123456789012 already exists."
    );
    case!(
        Kinesis,
        "Kinesis: CreateStream with ShardCount 0",
        op(
            apis,
            KINESIS,
            "CreateStream",
            json!({ "StreamName": "zero", "ShardCount": 0 })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );

    // Firehose.
    let firehose_record = |data: &[u8]| json!({ "Data": b64(data) });
    case!(
        Firehose,
        "Firehose: PutRecord to an unknown delivery stream",
        op(
            apis,
            FIREHOSE,
            "PutRecord",
            json!({ "DeliveryStreamName": "nope", "Record": firehose_record(b"x") })
        )
        .await,
        "400 ResourceNotFoundException: Firehose nope under account 123456789012 not found."
    );
    case!(
        Firehose,
        "Firehose: a record of 1,024,001 bytes",
        op(
            apis,
            FIREHOSE,
            "PutRecord",
            json!({ "DeliveryStreamName": "corpus-delivery", "Record": firehose_record(&vec![1; 1_024_001]) })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000 (got 1024001)"
    );
    case!(
        Firehose,
        "Firehose: PutRecordBatch of 0 records",
        op(
            apis,
            FIREHOSE,
            "PutRecordBatch",
            json!({ "DeliveryStreamName": "corpus-delivery", "Records": [] })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500 and greater than or equal to 1 (got 0)"
    );
    case!(
        Firehose,
        "Firehose: PutRecordBatch of 501 records",
        op(
            apis,
            FIREHOSE,
            "PutRecordBatch",
            json!({ "DeliveryStreamName": "corpus-delivery", "Records": vec![firehose_record(b"x"); 501] })
        )
        .await,
        "400 ValidationException: 1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to 500 and greater than or equal to 1 (got 501)"
    );
    // Five records of 1,000,000 bytes: each within the record limit, 5,000,000 bytes in all.
    case!(
        Firehose,
        "Firehose: PutRecordBatch over 4 MiB in all",
        op(
            apis,
            FIREHOSE,
            "PutRecordBatch",
            json!({ "DeliveryStreamName": "corpus-delivery", "Records": vec![firehose_record(&vec![1; 1_000_000]); 5] })
        )
        .await,
        "400 InvalidArgumentException: the request holds 5000000 bytes, over Firehose's limit of 4194304"
    );

    // SQS.
    case!(
        Sqs,
        "SQS: SendMessage to an unknown queue URL",
        op(
            apis,
            SQS,
            "SendMessage",
            json!({ "QueueUrl": "http://localhost/123456789012/nope", "MessageBody": "x" })
        )
        .await,
        "400 QueueDoesNotExist: The specified queue does not exist. (x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender)"
    );
    case!(
        Sqs,
        "SQS: GetQueueUrl of an unknown queue",
        op(apis, SQS, "GetQueueUrl", json!({ "QueueName": "nope" })).await,
        "400 QueueDoesNotExist: The specified queue does not exist. (x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender)"
    );
    // SQS took 256 KiB until August 2025 and takes 1 MiB since, as the code models.
    case!(
        Sqs,
        "SQS: a message of 1 MiB + 1 byte",
        op(
            apis,
            SQS,
            "SendMessage",
            json!({ "QueueUrl": QUEUE_URL, "MessageBody": "m".repeat((1 << 20) + 1) })
        )
        .await,
        "400 InvalidParameterValue: One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes. (x-amzn-query-error: InvalidParameterValue;Sender)"
    );
    case!(
        Sqs,
        "SQS: an empty message body",
        op(
            apis,
            SQS,
            "SendMessage",
            json!({ "QueueUrl": QUEUE_URL, "MessageBody": "" })
        )
        .await,
        "400 MissingParameter: The request must contain the parameter MessageBody. (x-amzn-query-error: MissingParameter;Sender)"
    );
    case!(
        Sqs,
        "SQS: a message body with a control character",
        op(
            apis,
            SQS,
            "SendMessage",
            json!({ "QueueUrl": QUEUE_URL, "MessageBody": "a\u{1}b" })
        )
        .await,
        "400 InvalidMessageContents: Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF; found #x1 (x-amzn-query-error: InvalidMessageContents;Sender)"
    );
    let entry = |id: &str| json!({ "Id": id, "MessageBody": "x" });
    case!(
        Sqs,
        "SQS: SendMessageBatch of 11 entries",
        op(
            apis,
            SQS,
            "SendMessageBatch",
            json!({ "QueueUrl": QUEUE_URL, "Entries": (0..11).map(|i| entry(&format!("e{i}"))).collect::<Vec<_>>() })
        )
        .await,
        "400 TooManyEntriesInBatchRequest: Maximum number of entries per request are 10. You have sent 11. (x-amzn-query-error: AWS.SimpleQueueService.TooManyEntriesInBatchRequest;Sender)"
    );
    case!(
        Sqs,
        "SQS: SendMessageBatch of no entries",
        op(
            apis,
            SQS,
            "SendMessageBatch",
            json!({ "QueueUrl": QUEUE_URL, "Entries": [] })
        )
        .await,
        "400 EmptyBatchRequest: There should be at least one SendMessageBatchRequestEntry in the request. (x-amzn-query-error: AWS.SimpleQueueService.EmptyBatchRequest;Sender)"
    );
    case!(
        Sqs,
        "SQS: SendMessageBatch with a repeated id",
        op(
            apis,
            SQS,
            "SendMessageBatch",
            json!({ "QueueUrl": QUEUE_URL, "Entries": [entry("a"), entry("a")] })
        )
        .await,
        "400 BatchEntryIdsNotDistinct: Id a repeated. (x-amzn-query-error: AWS.SimpleQueueService.BatchEntryIdsNotDistinct;Sender)"
    );
    case!(
        Sqs,
        "SQS: DeleteMessage with a garbage receipt handle",
        op(
            apis,
            SQS,
            "DeleteMessage",
            json!({ "QueueUrl": QUEUE_URL, "ReceiptHandle": "garbage" })
        )
        .await,
        "400 ReceiptHandleIsInvalid: The input receipt handle \"garbage\" is not a valid receipt handle. (x-amzn-query-error: ReceiptHandleIsInvalid;Sender)"
    );
    case!(
        Sqs,
        "SQS: ReceiveMessage of 11 messages",
        op(
            apis,
            SQS,
            "ReceiveMessage",
            json!({ "QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 11 })
        )
        .await,
        "400 InvalidParameterValue: Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided. (x-amzn-query-error: InvalidParameterValue;Sender)"
    );
    case!(
        Sqs,
        "SQS: ReceiveMessage waiting 21 s",
        op(
            apis,
            SQS,
            "ReceiveMessage",
            json!({ "QueueUrl": QUEUE_URL, "WaitTimeSeconds": 21 })
        )
        .await,
        "400 InvalidParameterValue: Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided. (x-amzn-query-error: InvalidParameterValue;Sender)"
    );
    case!(
        Sqs,
        "SQS: ReceiveMessage with a visibility timeout of 43,201 s",
        op(
            apis,
            SQS,
            "ReceiveMessage",
            json!({ "QueueUrl": QUEUE_URL, "VisibilityTimeout": 43_201 })
        )
        .await,
        "400 InvalidParameterValue: Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided. (x-amzn-query-error: InvalidParameterValue;Sender)"
    );
    case!(
        Sqs,
        "SQS: CreateQueue with a VisibilityTimeout attribute of 43,201 s",
        op(
            apis,
            SQS,
            "CreateQueue",
            json!({ "QueueName": "long", "Attributes": { "VisibilityTimeout": "43201" } })
        )
        .await,
        "400 InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout. (x-amzn-query-error: InvalidAttributeValue;Sender)"
    );
    case!(
        Sqs,
        "SQS: CreateQueue of a name with a space",
        op(apis, SQS, "CreateQueue", json!({ "QueueName": "bad name" })).await,
        "400 InvalidParameterValue: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (x-amzn-query-error: InvalidParameterValue;Sender)"
    );
    case!(
        Sqs,
        "SQS: CreateQueue of an 81-character name",
        op(
            apis,
            SQS,
            "CreateQueue",
            json!({ "QueueName": "q".repeat(81) })
        )
        .await,
        "400 InvalidParameterValue: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length (x-amzn-query-error: InvalidParameterValue;Sender)"
    );
    // FIFO queues are not simulated: refused, where SQS would make one.
    case!(
        Sqs,
        "SQS: CreateQueue of a FIFO queue",
        op(
            apis,
            SQS,
            "CreateQueue",
            json!({ "QueueName": "orders.fifo", "Attributes": { "FifoQueue": "true" } })
        )
        .await,
        "400 UnsupportedOperation: lambda-sim simulates standard queues only: FIFO queues (`.fifo` names, `FifoQueue`) are not supported (x-amzn-query-error: AWS.SimpleQueueService.UnsupportedOperation;Sender)"
    );

    // DynamoDB.
    let put = |item: Value| json!({ "TableName": "corpus", "Item": item });
    case!(
        DynamoDb,
        "DynamoDB: PutItem to an unknown table",
        op(
            apis,
            DYNAMODB,
            "PutItem",
            json!({ "TableName": "nope", "Item": { "pk": { "S": "a" } } })
        )
        .await,
        "400 ResourceNotFoundException: Requested resource not found"
    );
    case!(
        DynamoDb,
        "DynamoDB: DescribeTable of an unknown table",
        op(
            apis,
            DYNAMODB,
            "DescribeTable",
            json!({ "TableName": "nope" })
        )
        .await,
        "400 ResourceNotFoundException: Requested resource not found: Table: nope not found"
    );
    case!(
        DynamoDb,
        "DynamoDB: an item over 400 KB",
        op(
            apis,
            DYNAMODB,
            "PutItem",
            put(json!({ "pk": { "S": "big" }, "v": { "S": "v".repeat(400 * 1024) } }))
        )
        .await,
        "400 ValidationException: Item size has exceeded the maximum allowed size"
    );
    case!(
        DynamoDb,
        "DynamoDB: PutItem without the key",
        op(apis, DYNAMODB, "PutItem", put(json!({ "v": { "S": "a" } }))).await,
        "400 ValidationException: One or more parameter values were invalid: Missing the key pk in the item"
    );
    case!(
        DynamoDb,
        "DynamoDB: PutItem with a key of the wrong type",
        op(
            apis,
            DYNAMODB,
            "PutItem",
            put(json!({ "pk": { "N": "1" } }))
        )
        .await,
        "400 ValidationException: One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    );
    case!(
        DynamoDb,
        "DynamoDB: GetItem with a key of the wrong type",
        op(
            apis,
            DYNAMODB,
            "GetItem",
            json!({ "TableName": "corpus", "Key": { "pk": { "N": "1" } } })
        )
        .await,
        "400 ValidationException: The provided key element does not match the schema"
    );
    case!(
        DynamoDb,
        "DynamoDB: GetItem with an attribute that is not the key",
        op(
            apis,
            DYNAMODB,
            "GetItem",
            json!({ "TableName": "corpus", "Key": { "other": { "S": "a" } } })
        )
        .await,
        "400 ValidationException: The provided key element does not match the schema"
    );
    case!(
        DynamoDb,
        "DynamoDB: a malformed UpdateExpression",
        op(
            apis,
            DYNAMODB,
            "UpdateItem",
            json!({ "TableName": "corpus", "Key": { "pk": { "S": "a" } }, "UpdateExpression": "SET" })
        )
        .await,
        "400 ValidationException: Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\""
    );
    case!(
        DynamoDb,
        "DynamoDB: a malformed ConditionExpression",
        op(
            apis,
            DYNAMODB,
            "PutItem",
            json!({ "TableName": "corpus", "Item": { "pk": { "S": "a" } }, "ConditionExpression": "pk = = :v", "ExpressionAttributeValues": { ":v": { "S": "a" } } })
        )
        .await,
        "400 ValidationException: Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= =\""
    );
    case!(
        DynamoDb,
        "DynamoDB: a malformed KeyConditionExpression",
        op(
            apis,
            DYNAMODB,
            "Query",
            json!({ "TableName": "corpus", "KeyConditionExpression": "pk ==", "ExpressionAttributeValues": { ":v": { "S": "a" } } })
        )
        .await,
        "400 ValidationException: Invalid KeyConditionExpression: Syntax error; token: \"=\", near: \"==\""
    );
    case!(
        DynamoDb,
        "DynamoDB: an undefined :v",
        op(
            apis,
            DYNAMODB,
            "PutItem",
            json!({ "TableName": "corpus", "Item": { "pk": { "S": "a" } }, "ConditionExpression": "pk = :v" })
        )
        .await,
        "400 ValidationException: Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :v"
    );
    case!(
        DynamoDb,
        "DynamoDB: an unused :w",
        op(
            apis,
            DYNAMODB,
            "PutItem",
            json!({ "TableName": "corpus", "Item": { "pk": { "S": "a" } }, "ConditionExpression": "attribute_not_exists(pk)", "ExpressionAttributeValues": { ":w": { "S": "a" } } })
        )
        .await,
        "400 ValidationException: Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"
    );
    case!(
        DynamoDb,
        "DynamoDB: an attribute of unknown type {\"X\": \"1\"}",
        op(
            apis,
            DYNAMODB,
            "PutItem",
            put(json!({ "pk": { "S": "a" }, "v": { "X": "1" } }))
        )
        .await,
        "400 ValidationException: Supplied AttributeValue has an unknown datatype: X, must contain exactly one of the supported datatypes"
    );
    case!(
        DynamoDb,
        "DynamoDB: an empty string set",
        op(
            apis,
            DYNAMODB,
            "PutItem",
            put(json!({ "pk": { "S": "a" }, "v": { "SS": [] } }))
        )
        .await,
        "400 ValidationException: One or more parameter values were invalid: An string set  may not be empty"
    );
    case!(
        DynamoDb,
        "DynamoDB: a number of 39 digits",
        op(
            apis,
            DYNAMODB,
            "PutItem",
            put(json!({ "pk": { "S": "a" }, "v": { "N": "1".repeat(39) } }))
        )
        .await,
        "400 ValidationException: Attempting to store more than 38 significant digits in a Number"
    );
    case!(
        DynamoDb,
        "DynamoDB: BatchWriteItem of 26 puts",
        op(
            apis,
            DYNAMODB,
            "BatchWriteItem",
            json!({ "RequestItems": { "corpus": (0..26).map(|i| json!({ "PutRequest": { "Item": { "pk": { "S": format!("b{i}") } } } })).collect::<Vec<_>>() } })
        )
        .await,
        "400 ValidationException: Too many items requested for the BatchWriteItem call"
    );
    case!(
        DynamoDb,
        "DynamoDB: CreateTable of an existing table",
        op(
            apis,
            DYNAMODB,
            "CreateTable",
            json!({
                "TableName": "corpus",
                "AttributeDefinitions": [{ "AttributeName": "pk", "AttributeType": "S" }],
                "KeySchema": [{ "AttributeName": "pk", "KeyType": "HASH" }],
                "BillingMode": "PAY_PER_REQUEST",
            })
        )
        .await,
        "400 ResourceInUseException: Table already exists: corpus"
    );

    // S3.
    let none = Bytes::new;
    case!(
        S3,
        "S3: CreateBucket Bad_Bucket",
        s3(apis, Method::PUT, "/Bad_Bucket", &[], none()).await,
        "400 InvalidBucketName: The specified bucket is not valid."
    );
    case!(
        S3,
        "S3: CreateBucket ab",
        s3(apis, Method::PUT, "/ab", &[], none()).await,
        "400 InvalidBucketName: The specified bucket is not valid."
    );
    case!(
        S3,
        "S3: CreateBucket of 64 characters",
        s3(
            apis,
            Method::PUT,
            &format!("/{}", "b".repeat(64)),
            &[],
            none()
        )
        .await,
        "400 InvalidBucketName: The specified bucket is not valid."
    );
    // S3 takes `..` in a key as two dots; lambda-sim keeps objects as files and refuses them,
    // so that no key names a file outside its bucket.
    case!(
        S3,
        "S3: PutObject to /corpus-bucket/%2E%2E/%2E%2E/etc/passwd",
        s3(
            apis,
            Method::PUT,
            "/corpus-bucket/%2E%2E/%2E%2E/etc/passwd",
            &[],
            "root::0:0"
        )
        .await,
        "400 InvalidArgument: lambda-sim keeps objects as files: object key `../../etc/passwd` must be 1 to 1024 characters of non-empty `/`-separated parts, none of them `.` or `..`"
    );
    case!(
        S3,
        "S3: PutObject to /corpus-bucket/../../etc/passwd, unencoded",
        s3(
            apis,
            Method::PUT,
            "/corpus-bucket/../../etc/passwd",
            &[],
            "root::0:0"
        )
        .await,
        "400 InvalidArgument: lambda-sim keeps objects as files: object key `../../etc/passwd` must be 1 to 1024 characters of non-empty `/`-separated parts, none of them `.` or `..`"
    );
    case!(
        S3,
        "S3: PutObject to the key a/../../x",
        s3(apis, Method::PUT, "/corpus-bucket/a/../../x", &[], "x").await,
        "400 InvalidArgument: lambda-sim keeps objects as files: object key `a/../../x` must be 1 to 1024 characters of non-empty `/`-separated parts, none of them `.` or `..`"
    );
    case!(
        S3,
        "S3: GetObject of the key ../hello.txt",
        s3(
            apis,
            Method::GET,
            "/corpus-bucket/%2E%2E/hello.txt",
            &[],
            none()
        )
        .await,
        "400 InvalidArgument: lambda-sim keeps objects as files: object key `../hello.txt` must be 1 to 1024 characters of non-empty `/`-separated parts, none of them `.` or `..`"
    );
    case!(
        S3,
        "S3: a key of 1,025 bytes",
        s3(
            apis,
            Method::PUT,
            &format!("/corpus-bucket/{}", "k".repeat(1025)),
            &[],
            "x"
        )
        .await,
        "400 KeyTooLongError: Your key is too long"
    );
    case!(
        S3,
        "S3: GetObject of a missing key",
        s3(apis, Method::GET, "/corpus-bucket/missing", &[], none()).await,
        "404 NoSuchKey: The specified key does not exist."
    );
    case!(
        S3,
        "S3: HeadObject of a missing key",
        s3(apis, Method::HEAD, "/corpus-bucket/missing", &[], none()).await,
        "404 Not Found"
    );
    case!(
        S3,
        "S3: GetObject in a missing bucket",
        s3(apis, Method::GET, "/no-such-bucket/key", &[], none()).await,
        "404 NoSuchBucket: The specified bucket does not exist"
    );
    case!(
        S3,
        "S3: HeadBucket of a missing bucket",
        s3(apis, Method::HEAD, "/no-such-bucket", &[], none()).await,
        "404 Not Found"
    );
    case!(
        S3,
        "S3: PutObject into a missing bucket",
        s3(apis, Method::PUT, "/no-such-bucket/key", &[], "x").await,
        "404 NoSuchBucket: The specified bucket does not exist"
    );
    case!(
        S3,
        "S3: a Range past the end",
        s3(
            apis,
            Method::GET,
            "/corpus-bucket/hello.txt",
            &[("range", "bytes=100-200")],
            none()
        )
        .await,
        "416 InvalidRange: The requested range is not satisfiable"
    );
    let chunked = [
        ("content-encoding", "aws-chunked"),
        ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
    ];
    case!(
        S3,
        "S3: an aws-chunked body whose chunk size is not hexadecimal",
        s3(
            apis,
            Method::PUT,
            "/corpus-bucket/chunked",
            &chunked,
            "zz\r\nhello\r\n0\r\n\r\n"
        )
        .await,
        "400 InvalidRequest: the aws-chunked body is malformed: a chunk does not start with its size in hexadecimal"
    );
    case!(
        S3,
        "S3: an aws-chunked body cut short",
        s3(
            apis,
            Method::PUT,
            "/corpus-bucket/chunked",
            &chunked,
            "5\r\nhel"
        )
        .await,
        "400 IncompleteBody: You did not provide the number of bytes specified by the Content-Length HTTP header"
    );
    case!(
        S3,
        "S3: an aws-chunked body longer than x-amz-decoded-content-length",
        s3(
            apis,
            Method::PUT,
            "/corpus-bucket/chunked",
            &[
                chunked[0],
                chunked[1],
                ("x-amz-decoded-content-length", "3")
            ],
            "5\r\nhello\r\n0\r\n\r\n"
        )
        .await,
        "400 IncompleteBody: You did not provide the number of bytes specified by the Content-Length HTTP header"
    );
    // Not simulated: answered so, rather than taken for a plain GetObject or ListObjects.
    case!(
        S3,
        "S3: GetBucketAcl (?acl)",
        s3(apis, Method::GET, "/corpus-bucket?acl", &[], none()).await,
        "501 NotImplemented: lambda-sim does not implement the `acl` sub-resource"
    );
    case!(
        S3,
        "S3: PATCH of an object",
        s3(apis, Method::PATCH, "/corpus-bucket/hello.txt", &[], "x").await,
        "405 MethodNotAllowed: The specified method is not allowed against this resource."
    );
    case!(
        S3,
        "S3: DeleteBucket of a bucket that holds objects",
        s3(apis, Method::DELETE, "/corpus-bucket", &[], none()).await,
        "409 BucketNotEmpty: The bucket you tried to delete is not empty"
    );
    // In us-east-1, the simulator's region, S3 answers 200 to a CreateBucket of a bucket its
    // caller owns (botocore's `BucketAlreadyOwnedByYou`: "except in the North Virginia
    // Region"); elsewhere 409 `BucketAlreadyOwnedByYou`.
    case!(
        S3,
        "S3: CreateBucket of a bucket that exists",
        s3(apis, Method::PUT, "/corpus-bucket", &[], none()).await,
        "200 OK"
    );

    let print = std::env::var_os("LAMBDA_SIM_PRINT_CORPUS").is_some();
    if print {
        for (name, got, _) in &cases {
            println!("{name}\n    {got:?}");
        }
    }
    let got: Vec<String> = cases
        .iter()
        .map(|(name, got, _)| format!("{name}: {got}"))
        .collect();
    let expected: Vec<String> = cases
        .iter()
        .map(|(name, _, expected)| format!("{name}: {expected}"))
        .collect();

    // Nothing was lost: every keep-serving write is there to read.
    let kept = kept(apis).await;
    let wrote = [Kinesis, Firehose, Sqs, DynamoDb, S3].map(|s| (s, alive.count(s)));
    assert_eq!(kept, wrote, "every keep-serving write is kept");

    // Nothing was written outside the store's buckets.
    let now: Vec<bool> = escapes.iter().map(|p| p.exists()).collect();
    assert_eq!(now, existed, "no file appeared at {escapes:?}");
    let tops: Vec<String> = std::fs::read_dir(&root)
        .expect("the store's directory")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(
        tops,
        ["corpus-archive", "corpus-bucket"],
        "the store holds only its buckets"
    );
    let stray: Vec<PathBuf> = files_under(&root.join("corpus-bucket"))
        .into_iter()
        .filter(|f| f != Path::new("hello.txt") && !f.starts_with("alive"))
        .collect();
    assert!(stray.is_empty(), "no case wrote an object: {stray:?}");

    assert!(cases.len() >= 90, "{} cases", cases.len());
    let wrong: Vec<String> = cases
        .iter()
        .filter(|(_, got, expected)| got != expected)
        .map(|(name, got, expected)| {
            format!("{name}:\n    got      {got:?}\n    expected {expected:?}")
        })
        .collect();
    assert_eq!(got, expected, "\n{}", wrong.join("\n"));
}

/// How many keep-serving writes each service holds: read back through the APIs (and, for
/// Firehose, from the objects its delivery stream writes once flushed).
async fn kept(apis: &AwsApis) -> [(Service, usize); 5] {
    let alive = |text: &str| text.starts_with("alive-");

    let mut kinesis = 0;
    for shard in 0..2 {
        let iterator = call(
            apis,
            "Kinesis_20131202.GetShardIterator",
            json!({ "StreamName": "corpus", "ShardId": format!("shardId-{shard:012}"), "ShardIteratorType": "TRIM_HORIZON" }).to_string(),
        )
        .await;
        let iterator: Value = serde_json::from_slice(iterator.body()).expect("JSON");
        let records = call(
            apis,
            "Kinesis_20131202.GetRecords",
            json!({ "ShardIterator": iterator["ShardIterator"] }).to_string(),
        )
        .await;
        let records: Value = serde_json::from_slice(records.body()).expect("JSON");
        kinesis += records["Records"]
            .as_array()
            .expect("records")
            .iter()
            .filter(|r| alive(r["PartitionKey"].as_str().unwrap_or_default()))
            .count();
    }

    let firehose = &apis.services().firehose;
    firehose
        .flush_all(std::time::SystemTime::now())
        .expect("the delivery stream flushes");
    let objects = &apis.services().objects;
    let mut delivered = String::new();
    for key in objects.list("corpus-archive", "").expect("the archive") {
        let bytes = objects
            .get("corpus-archive", &key)
            .expect("reads")
            .unwrap_or_default();
        delivered.push_str(&String::from_utf8_lossy(&bytes));
    }
    let firehose = delivered.lines().filter(|l| alive(l)).count();

    let mut sqs = 0;
    loop {
        let received = call(
            apis,
            "AmazonSQS.ReceiveMessage",
            json!({ "QueueUrl": QUEUE_URL, "MaxNumberOfMessages": 10, "VisibilityTimeout": 600 })
                .to_string(),
        )
        .await;
        let received: Value = serde_json::from_slice(received.body()).expect("JSON");
        let Some(messages) = received["Messages"].as_array() else {
            break;
        };
        sqs += messages
            .iter()
            .filter(|m| alive(m["Body"].as_str().unwrap_or_default()))
            .count();
    }

    let scan = call(
        apis,
        "DynamoDB_20120810.Scan",
        json!({ "TableName": "corpus" }).to_string(),
    )
    .await;
    let scan: Value = serde_json::from_slice(scan.body()).expect("JSON");
    let dynamodb = scan["Items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| alive(i["pk"]["S"].as_str().unwrap_or_default()))
        .count();

    let listed = s3_call(
        apis,
        Method::GET,
        "/corpus-bucket?list-type=2&prefix=alive/",
        &[],
        Bytes::new(),
    )
    .await;
    let s3 = xml_element(&String::from_utf8_lossy(listed.body()), "KeyCount")
        .parse()
        .expect("a KeyCount");

    [
        (Service::Kinesis, kinesis),
        (Service::Firehose, firehose),
        (Service::Sqs, sqs),
        (Service::DynamoDb, dynamodb),
        (Service::S3, s3),
    ]
}
