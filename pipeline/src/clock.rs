//! Simulation time as the wall-clock values event JSON carries (epoch seconds and RFC 3339).

use std::time::{Duration, UNIX_EPOCH};

/// The simulation's start, 2026-01-01T00:00:00Z, which event JSON counts from (defined once,
/// in the services crate, under the runtime and the pipeline alike).
pub use lambda_sim_services::SIMULATION_EPOCH;

/// The last millisecond RFC 3339 timestamps can show (9999-12-31T23:59:59.999Z), since the
/// Unix epoch.
const LAST_RFC3339_MILLI: Duration = Duration::from_millis(253_402_300_800_000 - 1);

/// Milliseconds since the Unix epoch at simulation time `at`.
pub fn epoch_millis(at: Duration) -> u128 {
    SIMULATION_EPOCH.as_millis() + at.as_millis()
}

/// Seconds since the Unix epoch at simulation time `at`, with millisecond precision (the
/// float Kinesis puts in `approximateArrivalTimestamp`).
pub fn epoch_seconds(at: Duration) -> f64 {
    // Whole milliseconds, so that the float prints as Kinesis's do (`1767225600.123`).
    let millis = epoch_millis(at);
    (millis / 1000) as f64 + (millis % 1000) as f64 / 1000.0
}

/// RFC 3339 in UTC with milliseconds (`2026-01-01T00:00:05.123Z`) at simulation time `at`
/// (truncated to the millisecond; past the year 9999, its last millisecond).
pub fn rfc3339(at: Duration) -> String {
    let since_unix = SIMULATION_EPOCH.saturating_add(at).min(LAST_RFC3339_MILLI);
    humantime::format_rfc3339_millis(UNIX_EPOCH + since_unix).to_string()
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

    #[test]
    fn rfc3339_truncates_to_the_millisecond_and_stops_at_the_year_9999() {
        assert_eq!(
            rfc3339(Duration::from_nanos(1_999_999_999)),
            "2026-01-01T00:00:01.999Z"
        );
        assert_eq!(
            rfc3339(Duration::from_secs(366 * 86_400 * 20)),
            "2046-01-16T00:00:00.000Z"
        );
        assert_eq!(rfc3339(Duration::MAX), "9999-12-31T23:59:59.999Z");
    }
}
