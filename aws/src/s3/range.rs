//! The `Range` header of `GetObject`: one range of bytes, as S3 takes it.

use http::StatusCode;

use super::errors::S3Error;

/// The bytes `first..=last` of an object to answer with, from a `Range` header; `Ok(None)`
/// when the header is not one S3 honours (several ranges, another unit, `b` before `a`): the
/// whole object is answered then. `InvalidRange` when no byte of the object is in range.
pub(super) fn resolve(header: &str, size: u64) -> Result<Option<(u64, u64)>, S3Error> {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let number = |text: &str| -> Option<u64> {
        let text = text.trim();
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse().ok())
            .flatten()
    };
    let range = match (first.trim().is_empty(), number(first), number(last)) {
        // `bytes=-n`: the last n bytes.
        (true, _, Some(suffix)) => {
            (suffix > 0 && size > 0).then(|| (size.saturating_sub(suffix), size - 1))
        }
        // `bytes=a-`: from a to the end.
        (false, Some(first), None) if last.trim().is_empty() => {
            (first < size).then(|| (first, size - 1))
        }
        // `bytes=a-b`.
        (false, Some(first), Some(last)) if first <= last => {
            (first < size).then(|| (first, last.min(size - 1)))
        }
        _ => return Ok(None),
    };
    match range {
        Some(range) => Ok(Some(range)),
        None => {
            let mut err = S3Error::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range is not satisfiable",
            )
            .with("RangeRequested", header)
            .with("ActualObjectSize", size.to_string());
            err.headers
                .push(("content-range", format!("bytes */{size}")));
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_forms_and_what_is_ignored() {
        assert_eq!(resolve("bytes=0-4", 10), Ok(Some((0, 4))));
        assert_eq!(resolve("bytes=5-100", 10), Ok(Some((5, 9))));
        assert_eq!(resolve("bytes=7-", 10), Ok(Some((7, 9))));
        assert_eq!(resolve("bytes=-3", 10), Ok(Some((7, 9))));
        assert_eq!(resolve("bytes=-30", 10), Ok(Some((0, 9))));
        for ignored in [
            "bytes=0-1,3-4",
            "items=0-1",
            "bytes=5-2",
            "bytes=x-",
            "bytes=-",
            "0-1",
        ] {
            assert_eq!(resolve(ignored, 10), Ok(None), "{ignored}");
        }
    }

    #[test]
    fn ranges_past_the_end_are_not_satisfiable() {
        for header in ["bytes=10-", "bytes=10-20", "bytes=-0"] {
            let err = resolve(header, 10).expect_err(header);
            assert_eq!((err.status.as_u16(), err.code), (416, "InvalidRange"));
            assert_eq!(err.headers, [("content-range", "bytes */10".to_owned())]);
        }
        assert!(resolve("bytes=-1", 0).is_err());
        assert!(resolve("bytes=0-", 0).is_err());
    }
}
