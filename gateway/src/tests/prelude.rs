//! Reading a function URL's streamed prelude, however the stream is chunked.

use crate::{MAX_PRELUDE, PreludeError, PreludeParser};

const STREAM: &[u8] =
    b"{\"statusCode\":201,\"headers\":{\"content-type\":\"text/plain\",\"x-n\":1},\"cookies\":[\"a=1\",\"b=2\"]}\0\0\0\0\0\0\0\0hello \0world";

#[test]
fn a_prelude_fed_byte_by_byte_arrives_with_the_delimiter() {
    let mut parser = PreludeParser::default();
    let delimiter_end = STREAM
        .windows(8)
        .position(|w| w == [0; 8])
        .expect("a delimiter")
        + 8;
    for (i, byte) in STREAM.iter().enumerate() {
        let result = parser.feed(std::slice::from_ref(byte)).expect("valid");
        if i + 1 < delimiter_end {
            assert!(result.is_none(), "complete too early at byte {i}");
            continue;
        }
        let (prelude, body) = result.expect("complete at the last delimiter byte");
        assert_eq!(i + 1, delimiter_end);
        assert_eq!(prelude.status, 201);
        assert_eq!(prelude.headers["content-type"], "text/plain");
        assert_eq!(prelude.headers["x-n"], "1");
        let cookies: Vec<_> = prelude.headers.get_all("set-cookie").iter().collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert!(body.is_empty());
        break;
    }
    assert_eq!(parser.feed(b"more"), Err(PreludeError::Complete));
}

#[test]
fn a_prelude_in_one_chunk_returns_the_start_of_the_body() {
    let (prelude, body) = PreludeParser::default()
        .feed(STREAM)
        .expect("valid")
        .expect("complete");
    assert_eq!(prelude.status, 201);
    assert_eq!(body.as_ref(), b"hello \0world");
}

#[test]
fn a_delimiter_split_across_chunks_is_found() {
    let mut parser = PreludeParser::default();
    assert!(parser.feed(b"{}\0\0\0").expect("valid").is_none());
    assert!(parser.feed(b"\0\0").expect("valid").is_none());
    let (prelude, body) = parser
        .feed(b"\0\0\0body")
        .expect("valid")
        .expect("complete");
    assert_eq!(prelude.status, 200, "no statusCode means 200");
    assert!(prelude.headers.is_empty());
    assert_eq!(body.as_ref(), b"body");
}

#[test]
fn seven_nulls_are_not_a_delimiter() {
    let mut parser = PreludeParser::default();
    assert!(parser.feed(b"{}\0\0\0\0\0\0\0").expect("valid").is_none());
}

#[test]
fn a_prelude_over_64_kib_is_refused() {
    let mut parser = PreludeParser::default();
    let chunk = vec![b' '; 1024];
    let mut outcome = Ok(None);
    for _ in 0..=MAX_PRELUDE / 1024 {
        outcome = parser.feed(&chunk);
        if outcome.is_err() {
            break;
        }
    }
    assert_eq!(outcome, Err(PreludeError::TooLarge));
    let mut long = vec![b' '; MAX_PRELUDE + 1];
    long.extend_from_slice(b"{}\0\0\0\0\0\0\0\0");
    assert_eq!(
        PreludeParser::default().feed(&long),
        Err(PreludeError::TooLarge)
    );
}

#[test]
fn invalid_preludes_are_refused_with_a_reason() {
    let cases: [(&[u8], &str); 3] = [
        (
            b"{oops\0\0\0\0\0\0\0\0",
            "the response prelude is invalid: the response is not valid JSON: ",
        ),
        (
            b"{\"statusCode\":\"x\"}\0\0\0\0\0\0\0\0",
            "the response prelude is invalid: statusCode \"x\" is not an integer",
        ),
        (
            b"[1]\0\0\0\0\0\0\0\0",
            "the response prelude is invalid: `prelude` is an array; it must be an object",
        ),
    ];
    for (stream, message) in cases {
        let error = PreludeParser::default()
            .feed(stream)
            .expect_err(message)
            .to_string();
        assert!(error.starts_with(message), "{error}");
    }
}
