//! Parses a CloudWatch REPORT line strictly, so tests can check its format field by field.

use crate::{Error, Result};

/// The fields of a REPORT line.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportLine {
    /// `RequestId`.
    pub request_id: String,
    /// `Duration`, in ms.
    pub duration_ms: f64,
    /// `Billed Duration`, in whole ms.
    pub billed_duration_ms: u64,
    /// `Memory Size`, in MB.
    pub memory_size_mb: u32,
    /// `Max Memory Used`, in MB.
    pub max_memory_used_mb: u64,
    /// `Init Duration`, in ms, on cold starts.
    pub init_duration_ms: Option<f64>,
    /// `Restore Duration` (a cold start restored from a SnapStart snapshot), in ms.
    pub restore_duration_ms: Option<f64>,
    /// `Billed Restore Duration`, in whole ms.
    pub billed_restore_duration_ms: Option<u64>,
    /// `Status` (`timeout`, `error`), when present.
    pub status: Option<String>,
    /// `Error Type`, when present.
    pub error_type: Option<String>,
    /// `XRAY TraceId`, when tracing is active.
    pub xray_trace_id: Option<String>,
    /// `SegmentId`, with the trace id.
    pub segment_id: Option<String>,
}

impl ReportLine {
    /// Parses a line in CloudWatch's exact format: `REPORT RequestId: <id>` then
    /// tab-separated `Key: value` fields in Lambda's order, durations with two decimals, and a
    /// trailing tab.
    pub fn parse(line: &str) -> Result<Self> {
        let fail = |reason: &str| Error::ReportLine {
            reason: reason.to_owned(),
            line: line.to_owned(),
        };
        let body = line
            .strip_prefix("REPORT ")
            .ok_or_else(|| fail("no `REPORT ` prefix"))?;
        let body = body
            .strip_suffix('\t')
            .ok_or_else(|| fail("no trailing tab"))?;
        let mut fields = body.split('\t');
        let mut next = |key: &str| -> Result<String> {
            let field = fields
                .next()
                .ok_or_else(|| fail(&format!("missing `{key}`")))?;
            field
                .strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(": "))
                .map(str::to_owned)
                .ok_or_else(|| fail(&format!("expected `{key}: ...`, found `{field}`")))
        };
        let request_id = next("RequestId")?;
        let duration_ms = ms(&next("Duration")?).ok_or_else(|| fail("bad Duration"))?;
        let billed = next("Billed Duration")?;
        let billed_duration_ms = billed
            .strip_suffix(" ms")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| fail("bad Billed Duration"))?;
        let memory_size_mb = mb(&next("Memory Size")?).ok_or_else(|| fail("bad Memory Size"))?;
        let max_memory_used_mb =
            mb(&next("Max Memory Used")?).ok_or_else(|| fail("bad Max Memory Used"))?;
        let mut report = ReportLine {
            request_id,
            duration_ms,
            billed_duration_ms,
            memory_size_mb: u32::try_from(memory_size_mb).map_err(|_| fail("bad Memory Size"))?,
            max_memory_used_mb,
            init_duration_ms: None,
            restore_duration_ms: None,
            billed_restore_duration_ms: None,
            status: None,
            error_type: None,
            xray_trace_id: None,
            segment_id: None,
        };
        for field in fields {
            let (key, value) = field
                .split_once(": ")
                .ok_or_else(|| fail(&format!("bad field `{field}`")))?;
            match key {
                "Init Duration" if report.init_duration_ms.is_none() && report.status.is_none() => {
                    report.init_duration_ms =
                        Some(ms(value).ok_or_else(|| fail("bad Init Duration"))?);
                }
                "Restore Duration"
                    if report.init_duration_ms.is_none()
                        && report.restore_duration_ms.is_none()
                        && report.status.is_none() =>
                {
                    report.restore_duration_ms =
                        Some(ms(value).ok_or_else(|| fail("bad Restore Duration"))?);
                }
                "Billed Restore Duration"
                    if report.restore_duration_ms.is_some()
                        && report.billed_restore_duration_ms.is_none() =>
                {
                    report.billed_restore_duration_ms = Some(
                        value
                            .strip_suffix(" ms")
                            .and_then(|v| v.parse().ok())
                            .ok_or_else(|| fail("bad Billed Restore Duration"))?,
                    );
                }
                "XRAY TraceId" if report.xray_trace_id.is_none() && report.status.is_none() => {
                    report.xray_trace_id = Some(value.to_owned());
                }
                "SegmentId" if report.xray_trace_id.is_some() && report.segment_id.is_none() => {
                    report.segment_id = Some(value.to_owned());
                }
                "Sampled" if report.segment_id.is_some() && value == "true" => {}
                "Status" if report.status.is_none() => report.status = Some(value.to_owned()),
                "Error Type" if report.status.is_some() => {
                    report.error_type = Some(value.to_owned())
                }
                _ => return Err(fail(&format!("unexpected field `{field}`"))),
            }
        }
        Ok(report)
    }
}

/// `3.01 ms` -> 3.01, requiring exactly two decimals.
fn ms(value: &str) -> Option<f64> {
    let number = value.strip_suffix(" ms")?;
    let (_, decimals) = number.split_once('.')?;
    if decimals.len() != 2 {
        return None;
    }
    number.parse().ok()
}

fn mb(value: &str) -> Option<u64> {
    value.strip_suffix(" MB")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_cloudwatch_would_not_print() {
        let good = "REPORT RequestId: a\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 2 MB\t";
        assert!(ReportLine::parse(good).is_ok());
        assert!(
            ReportLine::parse(good.trim_end()).is_err(),
            "no trailing tab"
        );
        assert!(
            ReportLine::parse(&good.replace("1.00 ms", "1.0 ms")).is_err(),
            "one decimal"
        );
        assert!(
            ReportLine::parse(&good.replace('\t', " ")).is_err(),
            "spaces for tabs"
        );
        let timeout = format!("{good}Status: timeout\t");
        assert_eq!(
            ReportLine::parse(&timeout).ok().map(|r| r.status),
            Some(Some("timeout".to_owned()))
        );
    }
}
