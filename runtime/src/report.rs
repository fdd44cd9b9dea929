//! The REPORT line (CloudWatch's text form) and the Telemetry API's `platform.report` record.

use std::fmt;
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

/// How an invocation ended, as the Telemetry API's `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The handler returned a response.
    Success,
    /// The handler returned an error (the environment stays warm).
    Error,
    /// The runtime failed: a trap, out of memory, a panic (the environment is reset).
    Failure,
    /// The invocation ran past the function's timeout (the environment is reset).
    Timeout,
}

impl Status {
    /// The Telemetry API's name for the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Error => "error",
            Status::Failure => "failure",
            Status::Timeout => "timeout",
        }
    }
}

/// The figures of one invocation's REPORT line.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The invocation's request id.
    pub request_id: String,
    /// The Invoke phase's duration (the handler's run).
    pub duration: Duration,
    /// What is billed, in whole milliseconds (the ceiling of the duration, plus the init
    /// duration under the 2025 rule).
    pub billed_duration_ms: u64,
    /// The function's memory size.
    pub memory_size_mb: u32,
    /// The peak of the guest's linear memory, in MB (rounded up).
    pub max_memory_used_mb: u64,
    /// The Init phase's duration, on a cold start only.
    pub init_duration: Option<Duration>,
    /// On a cold start restored from a SnapStart snapshot (which has no Init Duration): the
    /// restore's duration and what of it is billed (the after-restore hooks), in whole ms.
    pub restore: Option<(Duration, u64)>,
    /// How the invocation ended.
    pub status: Status,
    /// The error type of a runtime failure (`Runtime.OutOfMemory`, ...).
    pub error_type: Option<String>,
    /// The X-Ray ids, when the function's tracing is active.
    pub xray: Option<Xray>,
}

/// An invocation's X-Ray ids (active tracing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Xray {
    /// `1-<8 hex: epoch seconds>-<24 hex>`.
    pub trace_id: String,
    /// The function's segment: 16 hex digits.
    pub segment_id: String,
}

impl Xray {
    /// The `X-Amzn-Trace-Id` header value the handler sees (`context.xray-trace-id`).
    pub fn header(&self) -> String {
        format!(
            "Root={};Parent={};Sampled=1",
            self.trace_id, self.segment_id
        )
    }
}

impl Report {
    /// The Telemetry API's `platform.report` record (`--log-format json`).
    pub fn to_json(&self, time: SystemTime) -> Value {
        let mut metrics = json!({
            "durationMs": round2(self.duration),
            "billedDurationMs": self.billed_duration_ms,
            "memorySizeMB": self.memory_size_mb,
            "maxMemoryUsedMB": self.max_memory_used_mb,
        });
        if let (Some(init), Some(map)) = (self.init_duration, metrics.as_object_mut()) {
            map.insert("initDurationMs".to_owned(), json!(round2(init)));
        }
        if let (Some((restore, billed)), Some(map)) = (self.restore, metrics.as_object_mut()) {
            map.insert("restoreDurationMs".to_owned(), json!(round2(restore)));
            map.insert("billedRestoreDurationMs".to_owned(), json!(billed));
        }
        let mut record = json!({
            "requestId": self.request_id,
            "status": self.status.as_str(),
            "metrics": metrics,
        });
        if let (Some(error_type), Some(map)) = (&self.error_type, record.as_object_mut()) {
            map.insert("errorType".to_owned(), json!(error_type));
        }
        if let (Some(xray), Some(map)) = (&self.xray, record.as_object_mut()) {
            map.insert(
                "tracing".to_owned(),
                json!({ "spanId": xray.segment_id, "type": "X-Amzn-Trace-Id", "value": xray.header() }),
            );
        }
        json!({ "time": timestamp(time), "type": "platform.report", "record": record })
    }
}

/// CloudWatch's REPORT line: tab-separated, with a trailing tab.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "REPORT RequestId: {}\tDuration: {} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB\t",
            self.request_id,
            Millis(self.duration),
            self.billed_duration_ms,
            self.memory_size_mb,
            self.max_memory_used_mb,
        )?;
        if let Some(init) = self.init_duration {
            write!(f, "Init Duration: {} ms\t", Millis(init))?;
        }
        if let Some((restore, billed)) = self.restore {
            write!(
                f,
                "Restore Duration: {} ms\tBilled Restore Duration: {billed} ms\t",
                Millis(restore)
            )?;
        }
        if let Some(xray) = &self.xray {
            write!(
                f,
                "XRAY TraceId: {}\tSegmentId: {}\tSampled: true\t",
                xray.trace_id, xray.segment_id
            )?;
        }
        match (self.status, &self.error_type) {
            (Status::Timeout, _) => write!(f, "Status: timeout\t"),
            (Status::Failure, Some(error_type)) => {
                write!(f, "Status: error\tError Type: {error_type}\t")
            }
            _ => Ok(()),
        }
    }
}

/// A duration in milliseconds with two decimals, as Lambda prints them.
pub(crate) struct Millis(pub(crate) Duration);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0.as_secs_f64() * 1000.0)
    }
}

/// Milliseconds with two decimals, as a JSON number (the Telemetry API's `durationMs`).
pub(crate) fn round2(d: Duration) -> f64 {
    (d.as_secs_f64() * 100_000.0).round() / 100.0
}

/// An RFC 3339 UTC timestamp with milliseconds, as Lambda's log records carry.
pub(crate) fn timestamp(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

/// Billed milliseconds: the ceiling of the invoke duration, plus the init duration when the
/// Init phase is billed (the rule since 1 August 2025).
pub(crate) fn billed_ms(duration: Duration, init: Option<Duration>, bill_init: bool) -> u64 {
    let billed = match init {
        Some(init) if bill_init => duration + init,
        _ => duration,
    };
    let nanos = billed.as_nanos();
    let ms = nanos.div_ceil(1_000_000);
    u64::try_from(ms).unwrap_or(u64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            request_id: "8f5b1c2e-0000-4000-8000-000000000001".to_owned(),
            duration: Duration::from_micros(3_012),
            billed_duration_ms: 4,
            memory_size_mb: 128,
            max_memory_used_mb: 36,
            init_duration: None,
            restore: None,
            status: Status::Success,
            error_type: None,
            xray: None,
        }
    }

    #[test]
    fn report_line_matches_cloudwatch() {
        assert_eq!(
            report().to_string(),
            "REPORT RequestId: 8f5b1c2e-0000-4000-8000-000000000001\tDuration: 3.01 ms\t\
             Billed Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\t"
        );
        let cold = Report {
            init_duration: Some(Duration::from_micros(110_100)),
            ..report()
        };
        assert!(
            cold.to_string()
                .ends_with("Max Memory Used: 36 MB\tInit Duration: 110.10 ms\t")
        );
        let oom = Report {
            status: Status::Failure,
            error_type: Some("Runtime.OutOfMemory".to_owned()),
            ..report()
        };
        assert!(
            oom.to_string()
                .ends_with("\tStatus: error\tError Type: Runtime.OutOfMemory\t")
        );
        let timeout = Report {
            status: Status::Timeout,
            ..report()
        };
        let restored = Report {
            restore: Some((Duration::from_micros(12_345), 3)),
            ..report()
        };
        assert!(restored.to_string().ends_with(
            "Max Memory Used: 36 MB\tRestore Duration: 12.35 ms\tBilled Restore Duration: 3 ms\t"
        ));
        assert!(timeout.to_string().ends_with("MB\tStatus: timeout\t"));
    }

    #[test]
    fn billing_rounds_up_to_the_millisecond() {
        assert_eq!(billed_ms(Duration::from_micros(3_001), None, true), 4);
        assert_eq!(billed_ms(Duration::from_millis(3), None, true), 3);
        assert_eq!(billed_ms(Duration::from_nanos(1), None, true), 1);
        let init = Some(Duration::from_micros(110_100));
        assert_eq!(billed_ms(Duration::from_micros(3_010), init, true), 114);
        assert_eq!(billed_ms(Duration::from_micros(3_010), init, false), 4);
    }

    #[test]
    fn platform_report_has_the_telemetry_shape() {
        let time = SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        let json = Report {
            init_duration: Some(Duration::from_micros(110_100)),
            ..report()
        }
        .to_json(time);
        assert_eq!(
            json,
            json!({
                "time": "2023-11-14T22:13:20.123Z",
                "type": "platform.report",
                "record": {
                    "requestId": "8f5b1c2e-0000-4000-8000-000000000001",
                    "status": "success",
                    "metrics": {
                        "durationMs": 3.01,
                        "billedDurationMs": 4,
                        "memorySizeMB": 128,
                        "maxMemoryUsedMB": 36,
                        "initDurationMs": 110.1
                    }
                }
            })
        );
    }
}
