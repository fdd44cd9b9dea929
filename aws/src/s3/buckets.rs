//! The bucket operations: `ListBuckets`, `CreateBucket`, `HeadBucket`, `DeleteBucket` and
//! `GetBucketLocation`.

use http::StatusCode;

use super::errors::S3Error;
use super::response::Answer;
use super::time::iso8601;
use super::xml::Xml;
use crate::{REGION, State};

/// The canonical user id of the simulator's one account, as S3 shows owners.
pub(super) const OWNER_ID: &str =
    "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
/// The display name of that owner.
pub(super) const OWNER_NAME: &str = "lambda-sim";

/// Checks that `bucket` exists: `InvalidBucketName` for a name S3 refuses, `NoSuchBucket`
/// for one without a bucket.
pub(super) fn require(state: &State, bucket: &str) -> Result<(), S3Error> {
    match state.services.objects.bucket_exists(bucket) {
        Ok(true) => Ok(()),
        Ok(false) => Err(S3Error::no_such_bucket(bucket)),
        Err(lambda_sim_services::Error::InvalidName(_)) => {
            Err(S3Error::invalid_bucket_name(bucket))
        }
        Err(err) => Err(S3Error::internal(&err)),
    }
}

/// `GET /`: every bucket, by name.
pub(super) fn list(state: &State) -> Result<Answer, S3Error> {
    let buckets = state
        .services
        .objects
        .buckets()
        .map_err(|err| S3Error::internal(&err))?;
    let mut xml = Xml::result("ListAllMyBucketsResult");
    write_owner(&mut xml);
    xml.open("Buckets");
    for bucket in &buckets {
        xml.open("Bucket")
            .element("Name", &bucket.name)
            .element("CreationDate", &iso8601(bucket.created))
            .element("BucketRegion", REGION)
            .close("Bucket");
    }
    xml.close("Buckets").close("ListAllMyBucketsResult");
    Ok(Answer::new(StatusCode::OK).xml(xml.finish()))
}

/// `PUT /bucket`: creates an empty bucket (a `CreateBucketConfiguration` body is accepted
/// and ignored: every bucket is in the one region). A bucket that exists is answered as S3
/// answers its owner in us-east-1, the simulator's region: 200 (elsewhere S3 gives 409
/// `BucketAlreadyOwnedByYou`).
pub(super) fn create(state: &State, bucket: &str) -> Result<Answer, S3Error> {
    match state.services.objects.create_bucket(bucket) {
        Ok(_) => Ok(Answer::new(StatusCode::OK).header("location", &format!("/{bucket}"))),
        Err(lambda_sim_services::Error::InvalidName(_)) => {
            Err(S3Error::invalid_bucket_name(bucket))
        }
        Err(err) => Err(S3Error::internal(&err)),
    }
}

/// `HEAD /bucket`.
pub(super) fn head(state: &State, bucket: &str) -> Result<Answer, S3Error> {
    require(state, bucket)?;
    Ok(Answer::new(StatusCode::OK).header("x-amz-bucket-region", REGION))
}

/// `DELETE /bucket`: only an empty bucket goes.
pub(super) fn delete(state: &State, bucket: &str) -> Result<Answer, S3Error> {
    require(state, bucket)?;
    match state.services.objects.delete_bucket(bucket) {
        Ok(true) => Ok(Answer::new(StatusCode::NO_CONTENT)),
        Ok(false) => Err(S3Error::new(
            StatusCode::CONFLICT,
            "BucketNotEmpty",
            "The bucket you tried to delete is not empty",
        )
        .with("BucketName", bucket)),
        Err(err) => Err(S3Error::internal(&err)),
    }
}

/// `GET /bucket?location`: us-east-1, which S3 writes as an empty constraint.
pub(super) fn location(state: &State, bucket: &str) -> Result<Answer, S3Error> {
    require(state, bucket)?;
    let mut xml = Xml::result("LocationConstraint");
    xml.close("LocationConstraint");
    Ok(Answer::new(StatusCode::OK).xml(xml.finish()))
}

/// The `<Owner>` of every bucket and object.
pub(super) fn write_owner(xml: &mut Xml) {
    xml.open("Owner")
        .element("ID", OWNER_ID)
        .element("DisplayName", OWNER_NAME)
        .close("Owner");
}
