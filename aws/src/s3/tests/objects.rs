//! Object operations: put (plain, `aws-chunked`, `Content-MD5`), get (whole and ranges), head,
//! delete, copy and delete many; keys percent-encoded; virtual-host style.

use super::*;

#[tokio::test]
async fn objects_are_put_got_headed_and_deleted() {
    let apis = apis();
    put(&apis, "/docs", "").await;
    let written = put(&apis, "/docs/notes/today.txt", "hello").await;
    assert_eq!(written.status(), 200);
    assert_eq!(header(&written, "etag"), HELLO_ETAG);
    assert_eq!(
        apis.services()
            .objects
            .get("docs", "notes/today.txt")
            .expect("get"),
        Some(b"hello".to_vec())
    );

    let read = get(&apis, "/docs/notes/today.txt").await;
    assert_eq!(read.status(), 200);
    assert_eq!(read.body().as_ref(), b"hello");
    assert_eq!(header(&read, "content-length"), "5");
    assert_eq!(header(&read, "etag"), HELLO_ETAG);
    assert_eq!(header(&read, "content-type"), "binary/octet-stream");
    assert_eq!(header(&read, "accept-ranges"), "bytes");
    let modified = httpdate::parse_http_date(header(&read, "last-modified")).expect("http date");
    let age = SystemTime::now()
        .duration_since(modified)
        .unwrap_or(Duration::ZERO);
    assert!(age < Duration::from_secs(60), "{age:?}");

    let overridden = get(
        &apis,
        "/docs/notes/today.txt?response-content-type=text%2Fplain&response-cache-control=no-cache",
    )
    .await;
    assert_eq!(header(&overridden, "content-type"), "text/plain");
    assert_eq!(header(&overridden, "cache-control"), "no-cache");

    let headed = send(&apis, "HEAD", "/docs/notes/today.txt", &[], "").await;
    assert_eq!(headed.status(), 200);
    assert!(headed.body().is_empty());
    assert_eq!(header(&headed, "content-length"), "5");
    assert_eq!(header(&headed, "etag"), HELLO_ETAG);
    assert_eq!(
        header(&headed, "last-modified"),
        header(&read, "last-modified")
    );

    let replaced = put(&apis, "/docs/notes/today.txt", "").await;
    assert_eq!(
        header(&replaced, "etag"),
        "\"d41d8cd98f00b204e9800998ecf8427e\""
    );
    assert_eq!(
        header(&get(&apis, "/docs/notes/today.txt").await, "content-length"),
        "0"
    );

    let deleted = send(&apis, "DELETE", "/docs/notes/today.txt", &[], "").await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        send(&apis, "DELETE", "/docs/notes/today.txt", &[], "")
            .await
            .status(),
        204,
        "deleting a missing key succeeds, as in S3"
    );
    assert!(!apis.services().objects.root().join("docs/notes").exists());
}

#[tokio::test]
async fn missing_keys_and_buckets_are_errors() {
    let apis = apis();
    put(&apis, "/docs", "").await;
    assert_error(
        &get(&apis, "/docs/none.txt").await,
        404,
        "<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>none.txt</Key>",
    );
    let headed = send(&apis, "HEAD", "/docs/none.txt", &[], "").await;
    assert_eq!(headed.status(), 404);
    assert!(
        headed.body().is_empty(),
        "S3 answers HEAD errors without a body"
    );
    assert!(!header(&headed, "x-amz-request-id").is_empty());

    let no_bucket = "<Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>nope</BucketName>";
    assert_error(&put(&apis, "/nope/k", "x").await, 404, no_bucket);
    assert_error(&get(&apis, "/nope/k").await, 404, no_bucket);
    assert_error(&get(&apis, "/nope?list-type=2").await, 404, no_bucket);
    assert_error(
        &send(&apis, "DELETE", "/nope/k", &[], "").await,
        404,
        no_bucket,
    );
}

#[tokio::test]
async fn ranges_answer_partial_content() {
    let apis = apis();
    put(&apis, "/r-bucket", "").await;
    put(&apis, "/r-bucket/digits", "0123456789").await;
    for (range, content_range, part) in [
        ("bytes=0-3", "bytes 0-3/10", "0123"),
        ("bytes=8-100", "bytes 8-9/10", "89"),
        ("bytes=6-", "bytes 6-9/10", "6789"),
        ("bytes=-3", "bytes 7-9/10", "789"),
        ("bytes=-30", "bytes 0-9/10", "0123456789"),
    ] {
        let read = send(&apis, "GET", "/r-bucket/digits", &[("range", range)], "").await;
        assert_eq!(read.status(), 206, "{range}");
        assert_eq!(header(&read, "content-range"), content_range);
        assert_eq!(body(&read), part);
        assert_eq!(header(&read, "content-length"), part.len().to_string());
        assert_eq!(
            header(&read, "etag"),
            "\"781e5e245d69b566979b86e28d23f2c7\""
        );
    }
    let whole = send(
        &apis,
        "GET",
        "/r-bucket/digits",
        &[("range", "bytes=0-1,4-5")],
        "",
    )
    .await;
    assert_eq!((whole.status().as_u16(), body(&whole)), (200, "0123456789"));

    let past = send(
        &apis,
        "GET",
        "/r-bucket/digits",
        &[("range", "bytes=10-")],
        "",
    )
    .await;
    assert_error(
        &past,
        416,
        "<Code>InvalidRange</Code><Message>The requested range is not satisfiable</Message><RangeRequested>bytes=10-</RangeRequested><ActualObjectSize>10</ActualObjectSize>",
    );
    assert_eq!(header(&past, "content-range"), "bytes */10");

    let headed = send(
        &apis,
        "HEAD",
        "/r-bucket/digits",
        &[("range", "bytes=2-4")],
        "",
    )
    .await;
    assert_eq!(headed.status(), 206);
    assert_eq!(header(&headed, "content-length"), "3");
    assert!(headed.body().is_empty());
}

#[tokio::test]
async fn aws_chunked_bodies_are_decoded() {
    let apis = apis();
    put(&apis, "/chunks", "").await;
    // What boto3 >= 1.36 sends: unsigned chunks and a CRC32 trailer.
    let unsigned = send(
        &apis,
        "PUT",
        "/chunks/boto3",
        &[
            ("content-encoding", "aws-chunked"),
            ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
            ("x-amz-decoded-content-length", "5"),
            ("x-amz-trailer", "x-amz-checksum-crc32"),
        ],
        "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n",
    )
    .await;
    assert_eq!(unsigned.status(), 200, "{}", body(&unsigned));
    assert_eq!(header(&unsigned, "etag"), HELLO_ETAG);
    assert_eq!(body(&get(&apis, "/chunks/boto3").await), "hello");

    // SigV4 streaming: signed chunks, no `Content-Encoding`, no trailer.
    let signed = send(
        &apis,
        "PUT",
        "/chunks/signed",
        &[
            ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
            ("x-amz-decoded-content-length", "5"),
        ],
        "3;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\nhel\r\n2;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\nlo\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n",
    )
    .await;
    assert_eq!(signed.status(), 200, "{}", body(&signed));
    assert_eq!(body(&get(&apis, "/chunks/signed").await), "hello");

    let short = send(
        &apis,
        "PUT",
        "/chunks/short",
        &[
            ("content-encoding", "aws-chunked"),
            ("x-amz-decoded-content-length", "9"),
        ],
        "5\r\nhello\r\n0\r\n\r\n",
    )
    .await;
    assert_error(
        &short,
        400,
        "<Code>IncompleteBody</Code><Message>You did not provide the number of bytes specified by the Content-Length HTTP header</Message>",
    );
    let cut = send(
        &apis,
        "PUT",
        "/chunks/cut",
        &[("content-encoding", "aws-chunked")],
        "a\r\nhello",
    )
    .await;
    assert_eq!(cut.status(), 400);
    assert_eq!(values(body(&cut), "Code"), ["IncompleteBody"]);
    let garbage = send(
        &apis,
        "PUT",
        "/chunks/garbage",
        &[("content-encoding", "aws-chunked")],
        "hello\r\nworld",
    )
    .await;
    assert_error(
        &garbage,
        400,
        "<Code>InvalidRequest</Code><Message>the aws-chunked body is malformed: a chunk does not start with its size in hexadecimal</Message>",
    );
    assert_eq!(
        apis.services().objects.list("chunks", "").expect("list"),
        ["boto3", "signed"]
    );
}

#[tokio::test]
async fn content_md5_is_checked() {
    let apis = apis();
    put(&apis, "/md5-bucket", "").await;
    let good = send(
        &apis,
        "PUT",
        "/md5-bucket/k",
        &[("content-md5", "XUFAKrxLKna5cZ2REBfFkg==")],
        "hello",
    )
    .await;
    assert_eq!(good.status(), 200);
    let bad = send(
        &apis,
        "PUT",
        "/md5-bucket/k",
        &[("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
        "hello",
    )
    .await;
    assert_error(
        &bad,
        400,
        "<Code>BadDigest</Code><Message>The Content-MD5 you specified did not match what we received.</Message><ExpectedDigest>1B2M2Y8AsgTpgAmY7PhCfg==</ExpectedDigest>",
    );
    let invalid = send(
        &apis,
        "PUT",
        "/md5-bucket/k",
        &[("content-md5", "nope")],
        "x",
    )
    .await;
    assert_eq!(values(body(&invalid), "Code"), ["InvalidDigest"]);
}

#[tokio::test]
async fn keys_with_spaces_and_unicode_are_percent_decoded() {
    let apis = apis();
    put(&apis, "/unicode", "").await;
    let written = put(
        &apis,
        "/unicode/my%20dir/caf%C3%A9%20%E2%82%AC+1.txt",
        "hello",
    )
    .await;
    assert_eq!(written.status(), 200);
    assert_eq!(
        apis.services().objects.list("unicode", "").expect("list"),
        ["my dir/café €+1.txt"]
    );
    stamp(&apis, "unicode", "my dir/café €+1.txt");
    let read = get(&apis, "/unicode/my%20dir/caf%C3%A9%20%E2%82%AC%2B1.txt").await;
    assert_eq!(body(&read), "hello");

    let plain = get(&apis, "/unicode?list-type=2&prefix=my%20").await;
    assert_eq!(
        body(&plain),
        doc(&format!(
            "<ListBucketResult {NS}><Name>unicode</Name><Prefix>my </Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>{}</ListBucketResult>",
            contents("my dir/café €+1.txt")
        ))
    );
    // What the AWS CLI sends: `encoding-type=url`, and it decodes keys and prefixes.
    let encoded = get(
        &apis,
        "/unicode?list-type=2&delimiter=%2F&encoding-type=url&prefix=",
    )
    .await;
    assert_eq!(
        body(&encoded),
        doc(&format!(
            "<ListBucketResult {NS}><Name>unicode</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>my%20dir/</Prefix></CommonPrefixes></ListBucketResult>"
        ))
    );
    let keys = get(&apis, "/unicode?list-type=2&encoding-type=url").await;
    assert_eq!(
        values(body(&keys), "Key"),
        ["my%20dir/caf%C3%A9%20%E2%82%AC%2B1.txt"]
    );
}

#[tokio::test]
async fn virtual_host_style_names_the_bucket_in_the_host() {
    let apis = apis();
    let host = [("host", "vhost-bucket.localhost:4566")];
    assert_eq!(send(&apis, "PUT", "/", &host, "").await.status(), 200);
    let written = send(&apis, "PUT", "/dir/k%20ey", &host, "hello").await;
    assert_eq!(written.status(), 200);
    assert_eq!(
        apis.services()
            .objects
            .get("vhost-bucket", "dir/k ey")
            .expect("get"),
        Some(b"hello".to_vec())
    );
    assert_eq!(
        body(&send(&apis, "GET", "/dir/k%20ey", &host, "").await),
        "hello"
    );
    let listed = send(&apis, "GET", "/?list-type=2", &host, "").await;
    assert_eq!(values(body(&listed), "Key"), ["dir/k ey"]);
    let other = [("host", "VHOST-BUCKET.localhost")];
    assert_eq!(send(&apis, "HEAD", "/", &other, "").await.status(), 200);
    assert_eq!(
        send(&apis, "HEAD", "/", &[("host", "missing.localhost")], "")
            .await
            .status(),
        404
    );
    // Path-style through a plain host still works.
    let path_style = [("host", "localhost:4566")];
    assert_eq!(
        body(&send(&apis, "GET", "/vhost-bucket/dir/k%20ey", &path_style, "").await),
        "hello"
    );
}

#[tokio::test]
async fn delete_objects_answers_per_key() {
    let apis = apis();
    objects(&apis, "many", &["a", "b/c", "d"]);
    let request = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete {NS}><Object><Key>a</Key></Object><Object><Key>b/c</Key></Object><Object><Key>missing</Key></Object><Object><Key>../x</Key></Object></Delete>"
    );
    let answer = send(&apis, "POST", "/many?delete", &[], request).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        body(&answer),
        doc(&format!(
            "<DeleteResult {NS}><Deleted><Key>a</Key></Deleted><Deleted><Key>b/c</Key></Deleted><Deleted><Key>missing</Key></Deleted><Error><Key>../x</Key><Code>InvalidArgument</Code><Message>lambda-sim keeps objects as files: object key `../x` must be 1 to 1024 characters of non-empty `/`-separated parts, none of them `.` or `..`</Message></Error></DeleteResult>"
        ))
    );
    assert_eq!(
        apis.services().objects.list("many", "").expect("list"),
        ["d"]
    );

    objects(&apis, "many", &["x&<y>"]);
    let quiet = send(
        &apis,
        "POST",
        "/many?delete",
        &[],
        "<Delete><Object><Key>d</Key></Object><Object><Key>x&amp;&lt;y&gt;</Key></Object><Quiet>true</Quiet></Delete>",
    )
    .await;
    assert_eq!(
        body(&quiet),
        doc(&format!("<DeleteResult {NS}></DeleteResult>"))
    );
    assert!(
        apis.services()
            .objects
            .list("many", "")
            .expect("list")
            .is_empty()
    );

    for malformed in [
        "",
        "<Delete></Delete>",
        "<Delete><Object><Key>a</Object>",
        "not xml",
    ] {
        assert_error(
            &send(&apis, "POST", "/many?delete", &[], malformed).await,
            400,
            "<Code>MalformedXML</Code><Message>The XML you provided was not well-formed or did not validate against our published schema</Message>",
        );
    }
}

#[tokio::test]
async fn copy_object_copies_the_bytes() {
    let apis = apis();
    put(&apis, "/src-bucket", "").await;
    put(&apis, "/dst-bucket", "").await;
    put(&apis, "/src-bucket/a%20b", "hello").await;
    let copied = send(
        &apis,
        "PUT",
        "/dst-bucket/copy",
        &[("x-amz-copy-source", "/src-bucket/a%20b")],
        "",
    )
    .await;
    assert_eq!(copied.status(), 200, "{}", body(&copied));
    let xml = body(&copied);
    assert!(xml.starts_with(&doc(&format!("<CopyObjectResult {NS}><LastModified>"))));
    assert!(xml.ends_with("</LastModified><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag></CopyObjectResult>"), "{xml}");
    assert_eq!(body(&get(&apis, "/dst-bucket/copy").await), "hello");

    let missing = send(
        &apis,
        "PUT",
        "/dst-bucket/copy",
        &[("x-amz-copy-source", "src-bucket/none")],
        "",
    )
    .await;
    assert_eq!(values(body(&missing), "Code"), ["NoSuchKey"]);
    let no_bucket = send(
        &apis,
        "PUT",
        "/dst-bucket/copy",
        &[("x-amz-copy-source", "nobucket/a")],
        "",
    )
    .await;
    assert_eq!(values(body(&no_bucket), "Code"), ["NoSuchBucket"]);
    let invalid = send(
        &apis,
        "PUT",
        "/dst-bucket/copy",
        &[("x-amz-copy-source", "nokey")],
        "",
    )
    .await;
    assert_eq!(values(body(&invalid), "Code"), ["InvalidArgument"]);
}
