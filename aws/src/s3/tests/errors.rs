//! Errors a client reads: keys the store refuses, methods and sub-resources not simulated,
//! a broken store, and odd requests answered without a panic.

use super::*;

#[tokio::test]
async fn keys_the_store_refuses_are_bad_requests() {
    let apis = apis();
    put(&apis, "/keys", "").await;
    let long = "k".repeat(1025);
    assert_error(
        &put(&apis, &format!("/keys/{long}"), "x").await,
        400,
        "<Code>KeyTooLongError</Code><Message>Your key is too long</Message><MaxSizeAllowed>1024</MaxSizeAllowed><Size>1025</Size>",
    );
    // 1,024 bytes are taken, in parts the file system takes.
    let parts = vec!["k".repeat(127); 8].join("/");
    assert_eq!(parts.len(), 1023);
    assert_eq!(
        put(&apis, &format!("/keys/{parts}k"), "x").await.status(),
        200
    );
    let part = "k".repeat(300);
    assert_error(
        &put(&apis, &format!("/keys/{part}"), "x").await,
        400,
        &format!(
            "<Code>InvalidArgument</Code><Message>lambda-sim keeps objects as files: a `/`-separated part of the key `{part}` is longer than the file system takes (often 255 bytes)</Message><ArgumentName>key</ArgumentName><ArgumentValue>{part}</ArgumentValue>"
        ),
    );
    for (uri, key) in [
        ("/keys/../x", "../x"),
        ("/keys/a/%2E%2E/%2E%2E/x", "a/../../x"),
        ("/keys/a//b", "a//b"),
        ("/keys/dir/", "dir/"),
    ] {
        assert_error(
            &put(&apis, uri, "x").await,
            400,
            &format!(
                "<Code>InvalidArgument</Code><Message>lambda-sim keeps objects as files: object key `{key}` must be 1 to 1024 characters of non-empty `/`-separated parts, none of them `.` or `..`</Message><ArgumentName>key</ArgumentName><ArgumentValue>{key}</ArgumentValue>"
            ),
        );
    }
    assert!(!apis.services().objects.root().join("x").exists());

    put(&apis, "/keys/file", "x").await;
    assert_error(
        &put(&apis, "/keys/file/under", "x").await,
        400,
        "<Code>InvalidArgument</Code><Message>lambda-sim keeps objects as files: the key `file/under` cannot name both an object and a folder of other objects</Message><ArgumentName>key</ArgumentName><ArgumentValue>file/under</ArgumentValue>",
    );
    assert_eq!(get(&apis, "/keys/file/under").await.status(), 404);
}

#[tokio::test]
async fn unsupported_methods_and_subresources_are_named() {
    let apis = apis();
    put(&apis, "/subs", "").await;
    put(&apis, "/subs/k", "x").await;
    assert_error(
        &send(&apis, "POST", "/subs/k", &[], "").await,
        405,
        "<Code>MethodNotAllowed</Code><Message>The specified method is not allowed against this resource.</Message><Method>POST</Method><ResourceType>OBJECT</ResourceType>",
    );
    assert_error(
        &send(&apis, "PATCH", "/subs", &[], "").await,
        405,
        "<Code>MethodNotAllowed</Code><Message>The specified method is not allowed against this resource.</Message><Method>PATCH</Method><ResourceType>BUCKET</ResourceType>",
    );
    assert_eq!(send(&apis, "DELETE", "/", &[], "").await.status(), 405);
    for (uri, name) in [
        ("/subs?acl", "acl"),
        ("/subs/k?tagging", "tagging"),
        ("/subs/k?uploads", "uploads"),
        ("/subs?versioning", "versioning"),
    ] {
        assert_error(
            &get(&apis, uri).await,
            501,
            &format!(
                "<Code>NotImplemented</Code><Message>lambda-sim does not implement the `{name}` sub-resource</Message>"
            ),
        );
    }
    let versioned = get(&apis, "/subs/k?versionId=3HL4kqtJlcpXroDTDmJ").await;
    assert_eq!(versioned.status(), 501);
    assert_eq!(body(&get(&apis, "/subs/k?versionId=null").await), "x");
    // boto3 adds `x-id=GetObject`; it is no sub-resource.
    assert_eq!(body(&get(&apis, "/subs/k?x-id=GetObject").await), "x");
}

#[tokio::test]
async fn a_broken_store_is_an_internal_error() {
    let apis = apis();
    std::fs::remove_dir_all(apis.services().objects.root()).expect("remove the store");
    let listed = get(&apis, "/").await;
    assert_eq!(listed.status(), 500);
    assert_eq!(values(body(&listed), "Code"), ["InternalError"]);
    let message = &values(body(&listed), "Message")[0];
    assert!(
        message.starts_with("We encountered an internal error: failed to list the buckets in"),
        "{message}"
    );
}

/// A request's method, URI, headers and body.
type OddRequest = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [u8],
);

#[tokio::test]
async fn odd_requests_are_answered_not_panicked_on() {
    let apis = apis();
    put(&apis, "/odd", "").await;
    let cases: &[OddRequest] = &[
        ("GET", "/odd/%FF%FE", &[], b""),
        ("GET", "/odd?prefix=%FF", &[], b""),
        ("GET", "/%00/x", &[], b""),
        ("PUT", "/odd/%00", &[], b"x"),
        (
            "GET",
            "/odd?list-type=2&delimiter=%E2%82%AC&prefix=%E2",
            &[],
            b"",
        ),
        (
            "GET",
            "/odd?list-type=2&max-keys=99999999999999999999",
            &[],
            b"",
        ),
        (
            "GET",
            "/odd/k",
            &[("range", "bytes=99999999999999999999-")],
            b"",
        ),
        ("GET", "/odd/k", &[("host", ".localhost")], b""),
        ("GET", "/", &[("host", "a:b:c")], b""),
        (
            "PUT",
            "/odd/k",
            &[("content-encoding", "aws-chunked")],
            b"\xff\r\n",
        ),
        (
            "PUT",
            "/odd/k",
            &[("content-encoding", "aws-chunked")],
            b"1;\r\n",
        ),
        (
            "PUT",
            "/odd/k",
            &[("x-amz-content-sha256", "STREAMING-X")],
            b"",
        ),
        ("PUT", "/odd/k", &[("x-amz-copy-source", "%FF/%FF")], b""),
        (
            "PUT",
            "/odd/k",
            &[("x-amz-copy-source", "/odd/k?versionId=7")],
            b"",
        ),
        (
            "POST",
            "/odd?delete",
            &[],
            b"<Delete><Object><Key>&#xFFFFFFFF;</Key></Object></Delete>",
        ),
        ("POST", "/odd?delete", &[], b"\xff\xfe"),
        ("HEAD", "/odd?list-type=2", &[], b""),
        ("OPTIONS", "/odd/k", &[], b""),
    ];
    for (method, uri, headers, request_body) in cases {
        let answer = send(&apis, method, uri, headers, request_body.to_vec()).await;
        assert!(
            answer.status().is_client_error()
                || answer.status().is_server_error()
                || answer.status().is_success(),
            "{method} {uri}: {answer:?}"
        );
        assert!(answer.headers().contains_key("x-amz-request-id"));
    }
}
