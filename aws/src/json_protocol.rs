//! The AWS JSON protocols (1.0 and 1.1) that Kinesis, Firehose, SQS and DynamoDB speak:
//! `POST /` with `X-Amz-Target: <prefix>.<Operation>`, a JSON body in and out, and errors as
//! `{"__type": ..., "message": ...}` with the codes the SDKs turn into exception classes.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use serde_json::{Map, Value, json};

/// A service that speaks an AWS JSON protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonService {
    /// Kinesis Data Streams, `Kinesis_20131202`.
    Kinesis,
    /// Data Firehose, `Firehose_20150804`.
    Firehose,
    /// SQS in its JSON protocol, `AmazonSQS`.
    Sqs,
    /// DynamoDB, `DynamoDB_20120810`.
    DynamoDb,
}

impl JsonService {
    /// The service and operation an `X-Amz-Target` names.
    pub(crate) fn from_target(target: &str) -> Option<(JsonService, &str)> {
        let (prefix, operation) = target.split_once('.')?;
        let service = match prefix {
            "Kinesis_20131202" => JsonService::Kinesis,
            "Firehose_20150804" => JsonService::Firehose,
            "AmazonSQS" => JsonService::Sqs,
            "DynamoDB_20120810" => JsonService::DynamoDb,
            _ => return None,
        };
        Some((service, operation))
    }

    /// The `Content-Type` of the service's answers.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            JsonService::Kinesis | JsonService::Firehose => "application/x-amz-json-1.1",
            JsonService::Sqs | JsonService::DynamoDb => "application/x-amz-json-1.0",
        }
    }

    /// The `__type` of an error code, as the service writes it.
    fn error_type(self, code: &str) -> String {
        match self {
            JsonService::Kinesis | JsonService::Firehose => code.to_owned(),
            JsonService::Sqs => format!("com.amazonaws.sqs#{code}"),
            JsonService::DynamoDb => format!("com.amazonaws.dynamodb.v20120810#{code}"),
        }
    }

    /// The code of a request the service refuses as malformed.
    fn validation_code(self) -> &'static str {
        match self {
            JsonService::Kinesis | JsonService::DynamoDb | JsonService::Firehose => {
                "ValidationException"
            }
            JsonService::Sqs => "InvalidParameterValue",
        }
    }
}

/// An error answer: the HTTP status, the code SDKs map to an exception, the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServiceError {
    /// 400 for the caller's faults, 5xx for the service's.
    pub(crate) status: u16,
    /// The code (`ResourceNotFoundException`, ...), without the service's namespace.
    pub(crate) code: String,
    /// The message.
    pub(crate) message: String,
    /// SQS's `x-amzn-query-error` header (`AWS.SimpleQueueService.NonExistentQueue;Sender`),
    /// from which botocore gives the query protocol's code.
    pub(crate) query_error: Option<String>,
}

impl ServiceError {
    /// A 400 error with this code and message.
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Self {
        ServiceError {
            status: 400,
            code: code.to_owned(),
            message: message.into(),
            query_error: None,
        }
    }

    /// The same error with another HTTP status.
    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    /// The same error with SQS's `x-amzn-query-error` header.
    pub(crate) fn with_query_error(mut self, query_error: impl Into<String>) -> Self {
        self.query_error = Some(query_error.into());
        self
    }

    /// The service's error for a malformed request.
    pub(crate) fn validation(service: JsonService, message: impl Into<String>) -> Self {
        ServiceError::new(service.validation_code(), message)
    }
}

/// What an operation answers: its output, or an error.
pub(crate) type Outcome = Result<Value, ServiceError>;

/// The request body as an object: an empty body is `{}`; anything else that is not a JSON
/// object is a `SerializationException`.
pub(crate) fn parse_body(body: &[u8]) -> Result<Map<String, Value>, ServiceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ServiceError::new(
            "SerializationException",
            "the request body must be a JSON object",
        )),
        Err(err) => Err(ServiceError::new(
            "SerializationException",
            format!("the request body is not valid JSON: {err}"),
        )),
    }
}

/// The members of a request, read with the service's validation errors.
pub(crate) struct Input<'a> {
    service: JsonService,
    members: &'a Map<String, Value>,
}

impl<'a> Input<'a> {
    /// The members of `members`, for `service`.
    pub(crate) fn new(service: JsonService, members: &'a Map<String, Value>) -> Self {
        Input { service, members }
    }

    /// The member `name`, if present and not null.
    pub(crate) fn get(&self, name: &str) -> Option<&'a Value> {
        self.members.get(name).filter(|v| !v.is_null())
    }

    /// A required member.
    pub(crate) fn required(&self, name: &str) -> Result<&'a Value, ServiceError> {
        self.get(name).ok_or_else(|| {
            ServiceError::validation(
                self.service,
                format!(
                    "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                    lower_first(name)
                ),
            )
        })
    }

    /// A required string member.
    pub(crate) fn string(&self, name: &str) -> Result<&'a str, ServiceError> {
        let value = self.required(name)?;
        value
            .as_str()
            .ok_or_else(|| self.wrong_type(name, "a string"))
    }

    /// An optional string member.
    pub(crate) fn opt_string(&self, name: &str) -> Result<Option<&'a str>, ServiceError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_str()
                .map(Some)
                .ok_or_else(|| self.wrong_type(name, "a string")),
        }
    }

    /// An optional integer member.
    pub(crate) fn opt_i64(&self, name: &str) -> Result<Option<i64>, ServiceError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_i64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(name, "an integer")),
        }
    }

    /// An optional number member (timestamps are epoch seconds, maybe fractional).
    pub(crate) fn opt_f64(&self, name: &str) -> Result<Option<f64>, ServiceError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(name, "a number")),
        }
    }

    /// An optional boolean member.
    pub(crate) fn opt_bool(&self, name: &str) -> Result<Option<bool>, ServiceError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_bool()
                .map(Some)
                .ok_or_else(|| self.wrong_type(name, "a boolean")),
        }
    }

    /// A required list member.
    pub(crate) fn list(&self, name: &str) -> Result<&'a Vec<Value>, ServiceError> {
        let value = self.required(name)?;
        value
            .as_array()
            .ok_or_else(|| self.wrong_type(name, "a list"))
    }

    /// An optional object member.
    pub(crate) fn opt_object(
        &self,
        name: &str,
    ) -> Result<Option<&'a Map<String, Value>>, ServiceError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value
                .as_object()
                .map(Some)
                .ok_or_else(|| self.wrong_type(name, "a structure")),
        }
    }

    /// A required blob member (base64 in JSON), decoded.
    pub(crate) fn blob(&self, name: &str) -> Result<Vec<u8>, ServiceError> {
        use base64::Engine as _;
        let text = self.string(name)?;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| {
                ServiceError::new(
                    "SerializationException",
                    format!("the member '{name}' is not valid base64"),
                )
            })
    }

    /// The members of a nested structure, read the same way.
    pub(crate) fn nested(&self, members: &'a Map<String, Value>) -> Input<'a> {
        Input::new(self.service, members)
    }

    /// The service these members were sent to.
    pub(crate) fn service(&self) -> JsonService {
        self.service
    }

    fn wrong_type(&self, name: &str, what: &str) -> ServiceError {
        ServiceError::new(
            "SerializationException",
            format!("the member '{name}' must be {what}"),
        )
    }
}

/// `StreamName` as AWS names it in validation messages: `streamName`.
fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The HTTP answer of an operation.
pub(crate) fn answer(service: JsonService, outcome: Outcome, request_id: &str) -> Response<Bytes> {
    let (status, body, query_error) = match outcome {
        Ok(output) => (200, output, None),
        Err(err) => (
            err.status,
            json!({ "__type": service.error_type(&err.code), "message": err.message }),
            err.query_error,
        ),
    };
    let mut response = Response::new(Bytes::from(body.to_string()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(service.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-RequestId", value);
    }
    if let Some(value) = query_error.and_then(|q| HeaderValue::from_str(&q).ok()) {
        headers.insert("x-amzn-query-error", value);
    }
    response
}
