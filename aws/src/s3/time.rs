//! Times as S3 writes them: HTTP dates in headers, ISO 8601 with milliseconds in XML.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The last second `httpdate` can write (9999-12-31T23:59:59Z).
const LAST_SECOND: Duration = Duration::from_secs(253_402_300_799);

/// `at` as an HTTP date (`Thu, 01 Jan 2026 00:00:00 GMT`), for `Last-Modified`; times
/// before 1970 or after 9999 are written as the nearest that can be.
pub(super) fn http_date(at: SystemTime) -> String {
    httpdate::fmt_http_date(clamp(at))
}

/// `at` as ISO 8601 in UTC with milliseconds, S3's XML timestamps
/// (`2026-01-01T00:00:00.000Z`); like S3, to the second.
pub(super) fn iso8601(at: SystemTime) -> String {
    // The calendar arithmetic is httpdate's: its fields are rearranged.
    let date = http_date(at);
    let fields: Vec<&str> = date.split(' ').collect();
    let month = fields
        .get(2)
        .and_then(|name| MONTHS.iter().position(|m| m == name))
        .map_or(1, |index| index + 1);
    match fields.as_slice() {
        [_, day, _, year, time, _] => format!("{year}-{month:02}-{day}T{time}.000Z"),
        _ => String::from("1970-01-01T00:00:00.000Z"),
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn clamp(at: SystemTime) -> SystemTime {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
    UNIX_EPOCH + since.min(LAST_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_s3_writes_them() {
        let new_year = UNIX_EPOCH + Duration::from_millis(1_767_225_600_999);
        assert_eq!(http_date(new_year), "Thu, 01 Jan 2026 00:00:00 GMT");
        assert_eq!(iso8601(new_year), "2026-01-01T00:00:00.000Z");
        let later = UNIX_EPOCH + Duration::from_secs(1_767_225_600 + 86_400 * 333 + 3_723);
        assert_eq!(iso8601(later), "2026-11-30T01:02:03.000Z");
        assert_eq!(
            iso8601(UNIX_EPOCH - Duration::from_secs(1)),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            iso8601(UNIX_EPOCH + Duration::from_secs(u64::MAX / 4)),
            "9999-12-31T23:59:59.000Z"
        );
    }
}
