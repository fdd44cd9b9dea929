//! Bucket operations: create, list, head, locate and delete, and the names S3 refuses.

use super::*;

#[tokio::test]
async fn buckets_are_created_listed_headed_and_deleted() {
    let apis = apis();
    let created = send(
        &apis,
        "PUT",
        "/photos",
        &[("content-type", "application/xml")],
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>",
    )
    .await;
    assert_eq!(created.status(), 200);
    assert_eq!(header(&created, "location"), "/photos");
    assert!(!header(&created, "x-amz-request-id").is_empty());
    put(&apis, "/logs", "").await;

    // us-east-1: S3 answers its owner 200 for a bucket that exists.
    let again = put(&apis, "/photos", "").await;
    assert_eq!(again.status(), 200);

    let listed = get(&apis, "/").await;
    assert_eq!(listed.status(), 200);
    assert_eq!(header(&listed, "content-type"), "application/xml");
    let xml = body(&listed);
    assert!(
        xml.starts_with(&doc(&format!(
            "<ListAllMyBucketsResult {NS}><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>lambda-sim</DisplayName></Owner><Buckets><Bucket><Name>logs</Name><CreationDate>"
        ))),
        "{xml}"
    );
    assert_eq!(values(xml, "Name"), ["logs", "photos"]);
    assert!(
        xml.ends_with("</Buckets></ListAllMyBucketsResult>"),
        "{xml}"
    );
    for date in values(xml, "CreationDate") {
        assert_eq!((date.len(), &date[19..]), (24, ".000Z"), "{date}");
    }

    let headed = send(&apis, "HEAD", "/photos", &[], "").await;
    assert_eq!(headed.status(), 200);
    assert_eq!(header(&headed, "x-amz-bucket-region"), "us-east-1");
    let missing = send(&apis, "HEAD", "/nothing", &[], "").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.body().is_empty());

    let located = get(&apis, "/photos?location").await;
    assert_eq!(
        body(&located),
        doc(&format!("<LocationConstraint {NS}></LocationConstraint>"))
    );

    let deleted = send(&apis, "DELETE", "/photos", &[], "").await;
    assert_eq!(deleted.status(), 204);
    assert!(deleted.headers().get("content-length").is_none());
    assert!(!apis.services().objects.root().join("photos").exists());
    assert_error(
        &send(&apis, "DELETE", "/photos", &[], "").await,
        404,
        "<Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>photos</BucketName>",
    );
}

#[tokio::test]
async fn a_bucket_with_objects_is_not_deleted() {
    let apis = apis();
    put(&apis, "/full", "").await;
    put(&apis, "/full/a/b", "x").await;
    assert_error(
        &send(&apis, "DELETE", "/full", &[], "").await,
        409,
        "<Code>BucketNotEmpty</Code><Message>The bucket you tried to delete is not empty</Message><BucketName>full</BucketName>",
    );
    send(&apis, "DELETE", "/full/a/b", &[], "").await;
    assert_eq!(send(&apis, "DELETE", "/full", &[], "").await.status(), 204);
}

#[tokio::test]
async fn bucket_names_s3_refuses_are_invalid() {
    let apis = apis();
    for (method, uri, name) in [
        ("PUT", "/Upper_Case", "Upper_Case"),
        ("PUT", "/ab", "ab"),
        ("GET", "/-dash?list-type=2", "-dash"),
        ("PUT", "/a..b/key", "a..b"),
    ] {
        assert_error(
            &send(&apis, method, uri, &[], "x").await,
            400,
            &format!(
                "<Code>InvalidBucketName</Code><Message>The specified bucket is not valid.</Message><BucketName>{name}</BucketName>"
            ),
        );
    }
}

#[tokio::test]
async fn buckets_written_by_firehose_or_handlers_exist_without_create_bucket() {
    let apis = apis();
    apis.services()
        .objects
        .put("firehose-out", "2026/01/01/00/a", b"hello")
        .expect("put");
    let read = get(&apis, "/firehose-out/2026/01/01/00/a").await;
    assert_eq!(
        (read.status().as_u16(), read.body().as_ref()),
        (200, &b"hello"[..])
    );
    assert_eq!(put(&apis, "/firehose-out/b", "x").await.status(), 200);
}
