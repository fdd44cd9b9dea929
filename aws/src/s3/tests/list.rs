//! `ListObjectsV2` and `ListObjects`: prefixes, delimiters, paging and `encoding-type=url`.

use super::*;

#[tokio::test]
async fn list_objects_v2_rolls_up_common_prefixes() {
    let apis = apis();
    objects(&apis, "tree", &["a/1", "a/2", "a/b/3", "b/1", "c", "d&e"]);
    let rolled = get(&apis, "/tree?list-type=2&delimiter=/").await;
    assert_eq!(rolled.status(), 200);
    assert_eq!(header(&rolled, "content-type"), "application/xml");
    assert_eq!(
        body(&rolled),
        doc(&format!(
            "<ListBucketResult {NS}><Name>tree</Name><Prefix></Prefix><KeyCount>4</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>{}{}<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes></ListBucketResult>",
            contents("c"),
            contents("d&amp;e")
        ))
    );
    let under_a = get(&apis, "/tree?list-type=2&delimiter=/&prefix=a/").await;
    assert_eq!(
        body(&under_a),
        doc(&format!(
            "<ListBucketResult {NS}><Name>tree</Name><Prefix>a/</Prefix><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>{}{}<CommonPrefixes><Prefix>a/b/</Prefix></CommonPrefixes></ListBucketResult>",
            contents("a/1"),
            contents("a/2")
        ))
    );
    let flat = get(&apis, "/tree?list-type=2&prefix=a").await;
    assert_eq!(values(body(&flat), "Key"), ["a/1", "a/2", "a/b/3"]);
    let after = get(&apis, "/tree?list-type=2&start-after=a/2").await;
    let xml = body(&after);
    assert_eq!(values(xml, "Key"), ["a/b/3", "b/1", "c", "d&e"]);
    assert!(
        xml.contains("<StartAfter>a/2</StartAfter><KeyCount>4</KeyCount>"),
        "{xml}"
    );
    let owners = get(&apis, "/tree?list-type=2&prefix=c&fetch-owner=true").await;
    assert!(
        body(&owners).contains("<Size>5</Size><Owner><ID>"),
        "{}",
        body(&owners)
    );
    let nothing = get(&apis, "/tree?list-type=2&prefix=zzz").await;
    assert_eq!(
        body(&nothing),
        doc(&format!(
            "<ListBucketResult {NS}><Name>tree</Name><Prefix>zzz</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>"
        ))
    );
}

/// Lists every page of a ListObjectsV2 query, giving the keys and prefixes of each page.
async fn pages(apis: &AwsApis, query: &str) -> Vec<Vec<String>> {
    let mut token: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let uri = match &token {
            Some(token) => format!("/paged?list-type=2{query}&continuation-token={token}"),
            None => format!("/paged?list-type=2{query}"),
        };
        let answer = get(apis, &uri).await;
        assert_eq!(answer.status(), 200, "{}", body(&answer));
        let xml = body(&answer);
        let mut page = values(xml, "Key");
        page.extend(values(xml, "Prefix").into_iter().skip(1));
        let count: usize = values(xml, "KeyCount")[0].parse().expect("count");
        assert_eq!(count, page.len());
        pages.push(page);
        let truncated = values(xml, "IsTruncated") == ["true"];
        let next = values(xml, "NextContinuationToken");
        assert_eq!(truncated, !next.is_empty(), "{xml}");
        if let Some(received) = &token {
            assert_eq!(
                values(xml, "ContinuationToken"),
                std::slice::from_ref(received)
            );
        }
        match next.into_iter().next() {
            Some(next) => token = Some(next),
            None => return pages,
        }
        assert!(pages.len() < 100, "paging does not end");
    }
}

#[tokio::test]
async fn list_objects_v2_pages_by_continuation_token() {
    let apis = apis();
    let keys: Vec<String> = (0..2_500).map(|n| format!("k/{n:05}")).collect();
    for key in &keys {
        apis.services()
            .objects
            .put("paged", key, b"x")
            .expect("put");
    }
    let default = pages(&apis, "").await;
    assert_eq!(
        default.iter().map(Vec::len).collect::<Vec<_>>(),
        [1000, 1000, 500]
    );
    assert_eq!(default.concat(), keys);

    let small = pages(&apis, "&max-keys=700&prefix=k/01").await;
    assert_eq!(small.iter().map(Vec::len).collect::<Vec<_>>(), [700, 300]);
    assert_eq!(small.concat(), keys[1000..2000].to_vec());

    let capped = get(&apis, "/paged?list-type=2&max-keys=5000").await;
    assert_eq!(values(body(&capped), "MaxKeys"), ["1000"]);
    let zero = get(&apis, "/paged?list-type=2&max-keys=0").await;
    assert_eq!(values(body(&zero), "KeyCount"), ["0"]);
    assert_eq!(values(body(&zero), "IsTruncated"), ["false"]);
}

#[tokio::test]
async fn continuation_skips_a_whole_common_prefix() {
    let apis = apis();
    for key in ["a/1", "a/2", "b", "c/1", "c/2", "d"] {
        apis.services()
            .objects
            .put("paged", key, b"x")
            .expect("put");
    }
    let one_by_one = pages(&apis, "&delimiter=/&max-keys=1").await;
    assert_eq!(
        one_by_one,
        [["a/"], ["b"], ["c/"], ["d"]].map(|p| p.map(String::from).to_vec())
    );
    let two = pages(&apis, "&delimiter=/&max-keys=2").await;
    assert_eq!(two.concat(), ["b", "a/", "d", "c/"]);
}

#[tokio::test]
async fn list_objects_v1_pages_by_marker() {
    let apis = apis();
    objects(&apis, "old-api", &["a", "b/1", "b/2", "c"]);
    let first = get(&apis, "/old-api?max-keys=2&delimiter=/").await;
    assert_eq!(
        body(&first),
        doc(&format!(
            "<ListBucketResult {NS}><Name>old-api</Name><Prefix></Prefix><Marker></Marker><NextMarker>b/</NextMarker><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated><Contents><Key>a</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>5</Size><Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID><DisplayName>lambda-sim</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Contents><CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes></ListBucketResult>"
        ))
    );
    let second = get(&apis, "/old-api?max-keys=2&delimiter=/&marker=b/").await;
    let xml = body(&second);
    assert_eq!(values(xml, "Key"), ["c"]);
    assert_eq!(values(xml, "IsTruncated"), ["false"]);
    assert_eq!(values(xml, "Marker"), ["b/"]);
    let flat = get(&apis, "/old-api?marker=a").await;
    assert_eq!(values(body(&flat), "Key"), ["b/1", "b/2", "c"]);
}

#[tokio::test]
async fn list_parameters_s3_refuses() {
    let apis = apis();
    put(&apis, "/params", "").await;
    assert_error(
        &get(&apis, "/params?list-type=2&max-keys=many").await,
        400,
        "<Code>InvalidArgument</Code><Message>Provided max-keys not an integer or within integer range</Message><ArgumentName>max-keys</ArgumentName><ArgumentValue>many</ArgumentValue>",
    );
    assert_error(
        &get(&apis, "/params?list-type=2&max-keys=-1").await,
        400,
        "<Code>InvalidArgument</Code><Message>Provided max-keys not an integer or within integer range</Message><ArgumentName>max-keys</ArgumentName><ArgumentValue>-1</ArgumentValue>",
    );
    assert_error(
        &get(&apis, "/params?list-type=2&encoding-type=base64").await,
        400,
        "<Code>InvalidArgument</Code><Message>Invalid Encoding Method specified in Request</Message><ArgumentName>encoding-type</ArgumentName><ArgumentValue>base64</ArgumentValue>",
    );
    assert_error(
        &get(&apis, "/params?list-type=2&continuation-token=%25%25").await,
        400,
        "<Code>InvalidArgument</Code><Message>The continuation token provided is incorrect</Message><ArgumentName>continuation-token</ArgumentName><ArgumentValue>%%</ArgumentValue>",
    );
    assert_error(
        &get(&apis, "/params?list-type=3").await,
        400,
        "<Code>InvalidArgument</Code><Message>Invalid list type specified in request</Message><ArgumentName>list-type</ArgumentName><ArgumentValue>3</ArgumentValue>",
    );
}
