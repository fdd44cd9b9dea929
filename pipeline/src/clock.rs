//! Simulation time as the wall-clock values event JSON carries (epoch seconds and RFC 3339).

use std::time::Duration;

/// The wall-clock time of the simulation's start, 2026-01-01T00:00:00Z, in seconds since the
/// Unix epoch.
pub const SIMULATION_EPOCH_SECS: u64 = 1_767_225_600;

/// Milliseconds since the Unix epoch at simulation time `at`.
pub fn epoch_millis(at: Duration) -> u128 {
    u128::from(SIMULATION_EPOCH_SECS) * 1000 + at.as_millis()
}

/// Seconds since the Unix epoch at simulation time `at`, with millisecond precision (the
/// float Kinesis puts in `approximateArrivalTimestamp`).
pub fn epoch_seconds(at: Duration) -> f64 {
    // Whole milliseconds, so that the float prints as Kinesis's do (`1767225600.123`).
    let millis = epoch_millis(at);
    (millis / 1000) as f64 + (millis % 1000) as f64 / 1000.0
}

/// RFC 3339 in UTC with milliseconds (`2026-01-01T00:00:05.123Z`) at simulation time `at`.
pub fn rfc3339(at: Duration) -> String {
    let millis = epoch_millis(at);
    let secs = millis / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        millis % 1000
    )
}

/// The proleptic Gregorian date of `days` since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulation_starts_on_new_year_2026() {
        assert_eq!(rfc3339(Duration::ZERO), "2026-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339(Duration::from_millis(86_400_000 * 59 + 3_723_045)),
            "2026-03-01T01:02:03.045Z"
        );
        assert_eq!(epoch_seconds(Duration::from_millis(1_500)), 1_767_225_601.5);
        assert_eq!(epoch_millis(Duration::from_secs(1)), 1_767_225_601_000);
    }
}
