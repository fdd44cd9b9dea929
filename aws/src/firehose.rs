//! Firehose (`Firehose_20150804.*`) over the services' delivery streams: what a producer
//! puts here is buffered and written to S3 as a handler's `firehose` calls are.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lambda_sim_services::{
    DeliveryStreamConfig, Error as StoreError, MAX_BATCH_RECORDS, MAX_RECORD_BYTES,
};
use serde_json::{Value, json};

use crate::json_protocol::{Input, Outcome, ServiceError};
use crate::{ACCOUNT, REGION, State};

/// Runs one Firehose operation.
pub(crate) fn call(state: &State, operation: &str, input: &Input<'_>) -> Outcome {
    match operation {
        "CreateDeliveryStream" => create(state, input),
        "DescribeDeliveryStream" => describe(state, input),
        "ListDeliveryStreams" => list(state),
        "PutRecord" => put_record(state, input),
        "PutRecordBatch" => put_record_batch(state, input),
        _ => Err(crate::unknown_operation(input.service(), operation)),
    }
}

/// The store's error as Firehose answers it.
fn store_error(err: StoreError) -> ServiceError {
    match err {
        StoreError::NoSuchDeliveryStream(name) => not_found(&name),
        StoreError::DeliveryStreamExists(name) => ServiceError::new(
            "ResourceInUseException",
            format!("Firehose {name} under accountId {ACCOUNT} already exists"),
        ),
        StoreError::InvalidArgument(message) | StoreError::InvalidName(message) => {
            ServiceError::new("InvalidArgumentException", message)
        }
        other => {
            ServiceError::new("ServiceUnavailableException", other.to_string()).with_status(500)
        }
    }
}

fn not_found(name: &str) -> ServiceError {
    ServiceError::new(
        "ResourceNotFoundException",
        format!("Firehose {name} under account {ACCOUNT} not found."),
    )
}

fn arn(name: &str) -> String {
    format!("arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/{name}")
}

fn create(state: &State, input: &Input<'_>) -> Outcome {
    let name = input.string("DeliveryStreamName")?;
    let destination = match (
        input.opt_object("ExtendedS3DestinationConfiguration")?,
        input.opt_object("S3DestinationConfiguration")?,
    ) {
        (Some(d), _) | (None, Some(d)) => input.nested(d),
        (None, None) => {
            return Err(ServiceError::new(
                "InvalidArgumentException",
                "lambda-sim's delivery streams write to S3: give ExtendedS3DestinationConfiguration",
            ));
        }
    };
    let bucket_arn = destination.string("BucketARN")?;
    let bucket = bucket_arn.strip_prefix("arn:aws:s3:::").ok_or_else(|| {
        ServiceError::new(
            "InvalidArgumentException",
            format!("BucketARN `{bucket_arn}` is not an S3 bucket ARN (arn:aws:s3:::NAME)"),
        )
    })?;
    if let Err(StoreError::InvalidName(_)) = state.services.objects.bucket_exists(bucket) {
        return Err(ServiceError::new(
            "InvalidArgumentException",
            format!("BucketARN `{bucket_arn}` names no valid bucket"),
        ));
    }
    let mut config = DeliveryStreamConfig::new(name, bucket);
    config.prefix = destination
        .opt_string("Prefix")?
        .unwrap_or_default()
        .to_owned();
    let prefix = &config.prefix;
    let prefix_ok = prefix.len() <= 1024
        && !prefix.starts_with('/')
        && !prefix.contains("//")
        && !prefix.split('/').any(|part| part == "." || part == "..")
        && !prefix.contains(['\0', '\\']);
    if !prefix_ok {
        return Err(ServiceError::new(
            "InvalidArgumentException",
            format!(
                "Prefix `{prefix}` cannot begin S3 keys: no leading `/`, no empty, `.` or `..` parts, at most 1024 characters"
            ),
        ));
    }
    if let Some(hints) = destination.opt_object("BufferingHints")? {
        let hints = input.nested(hints);
        let int = |v: Option<i64>, default: u32| {
            v.map_or(default, |n| u32::try_from(n).unwrap_or(u32::MAX))
        };
        config.buffer_size_mb = int(hints.opt_i64("SizeInMBs")?, config.buffer_size_mb);
        config.buffer_interval_s = int(
            hints.opt_i64("IntervalInSeconds")?,
            config.buffer_interval_s,
        );
    }
    state
        .services
        .firehose
        .create(config)
        .map_err(store_error)?;
    Ok(json!({ "DeliveryStreamARN": arn(name) }))
}

fn describe(state: &State, input: &Input<'_>) -> Outcome {
    let name = input.string("DeliveryStreamName")?;
    let config = state
        .services
        .firehose
        .config(name)
        .ok_or_else(|| not_found(name))?;
    let destination = json!({
        "BucketARN": format!("arn:aws:s3:::{}", config.bucket),
        "Prefix": config.prefix,
        "BufferingHints": {
            "SizeInMBs": config.buffer_size_mb,
            "IntervalInSeconds": config.buffer_interval_s,
        },
        "CompressionFormat": "UNCOMPRESSED",
        "EncryptionConfiguration": { "NoEncryptionConfig": "NoEncryption" },
        "RoleARN": format!("arn:aws:iam::{ACCOUNT}:role/firehose"),
    });
    Ok(json!({
        "DeliveryStreamDescription": {
            "DeliveryStreamName": name,
            "DeliveryStreamARN": arn(name),
            "DeliveryStreamStatus": "ACTIVE",
            "DeliveryStreamType": "DirectPut",
            "VersionId": "1",
            "Destinations": [{
                "DestinationId": "destinationId-000000000001",
                "S3DestinationDescription": destination.clone(),
                "ExtendedS3DestinationDescription": destination,
            }],
            "HasMoreDestinations": false,
        }
    }))
}

fn list(state: &State) -> Outcome {
    Ok(json!({
        "DeliveryStreamNames": state.services.firehose.names(),
        "HasMoreDeliveryStreams": false,
    }))
}

/// The data of one `Record` structure, within Firehose's record limit.
fn record_data(input: &Input<'_>, record: &Value) -> Result<Vec<u8>, ServiceError> {
    let members = record.as_object().ok_or_else(|| {
        ServiceError::new("SerializationException", "a record must be a structure")
    })?;
    let data = input.nested(members).blob("Data")?;
    if data.len() > MAX_RECORD_BYTES {
        return Err(ServiceError::new(
            "ValidationException",
            format!(
                "1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to {MAX_RECORD_BYTES} (got {})",
                data.len()
            ),
        ));
    }
    Ok(data)
}

/// Puts the records and answers one record id each.
fn put(state: &State, name: &str, records: Vec<Vec<u8>>) -> Result<Vec<String>, ServiceError> {
    let count = records.len();
    state
        .services
        .firehose
        .put_record_batch(name, records, state.clock.wall())
        .map_err(store_error)?;
    // Firehose's record ids are long opaque strings.
    Ok((0..count)
        .map(|_| STANDARD.encode(state.request_id()))
        .collect())
}

fn put_record(state: &State, input: &Input<'_>) -> Outcome {
    let name = input.string("DeliveryStreamName")?;
    let data = record_data(input, input.required("Record")?)?;
    let ids = put(state, name, vec![data])?;
    Ok(json!({ "RecordId": ids[0], "Encrypted": false }))
}

fn put_record_batch(state: &State, input: &Input<'_>) -> Outcome {
    let name = input.string("DeliveryStreamName")?;
    let entries = input.list("Records")?;
    if entries.is_empty() || entries.len() > MAX_BATCH_RECORDS {
        return Err(ServiceError::new(
            "ValidationException",
            format!(
                "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to {MAX_BATCH_RECORDS} and greater than or equal to 1 (got {})",
                entries.len()
            ),
        ));
    }
    let records = entries
        .iter()
        .map(|r| record_data(input, r))
        .collect::<Result<Vec<_>, _>>()?;
    let ids = put(state, name, records)?;
    let responses: Vec<Value> = ids
        .into_iter()
        .map(|id| json!({ "RecordId": id }))
        .collect();
    Ok(json!({
        "FailedPutCount": 0,
        "Encrypted": false,
        "RequestResponses": responses,
    }))
}
