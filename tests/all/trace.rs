//! Traces: a cold invocation's segments (ENI, placement, runtime init, function init, the
//! handler and its store calls) add up to its reported durations, and export as Chrome
//! trace-event JSON and OTLP JSON of the right shape; active tracing puts an X-Ray trace id on
//! the REPORT line.

use lambda_sim_harness::ReportLine;
use lambda_sim_runtime::{
    ColdStartModel, FunctionConfig, Payload, Runtime, SegmentKind, VpcModel, chrome_trace, otlp,
};
use serde_json::Value;

use crate::simulation;

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn a_cold_invocations_trace_adds_up_and_loads() {
    let config = simulation(21)
        .cold_start(ColdStartModel::preset("rust").expect("preset"))
        .vpc(VpcModel::named("legacy-2017").expect("mode"));
    let runtime = Runtime::new(config).expect("runtime");
    let path = lambda_sim_fixtures::path("kv-counter").expect("fixture");
    let function = runtime
        .load_file(
            path,
            FunctionConfig::named("traced").vpc(true).tracing(true),
        )
        .expect("loads");
    let payload = Payload::json(r#"{"user": "ada", "save": "traces"}"#).expect("json");
    let invocation = function
        .invoke_at(std::time::Duration::ZERO, &payload)
        .await
        .expect("invoked");
    assert!(invocation.is_cold());
    let init = invocation.init.as_ref().expect("cold");

    // The segments add up to the reported durations.
    let segments = invocation.segments();
    let total = |kinds: &[SegmentKind]| -> std::time::Duration {
        segments
            .iter()
            .filter(|s| kinds.contains(&s.kind))
            .map(|s| s.duration)
            .sum()
    };
    assert_eq!(
        total(&[SegmentKind::RuntimeInit, SegmentKind::FunctionInit]),
        invocation.report.init_duration.expect("Init Duration"),
        "runtime init + function init = Init Duration"
    );
    assert_eq!(
        total(&[
            SegmentKind::Eni,
            SegmentKind::Placement,
            SegmentKind::RuntimeInit,
            SegmentKind::FunctionInit
        ]),
        init.cold_start.total(),
        "the cold start's components"
    );
    assert!(
        total(&[SegmentKind::Eni]) >= std::time::Duration::from_secs(5),
        "a 2017 ENI"
    );
    assert_eq!(total(&[SegmentKind::Invoke]), invocation.report.duration);
    let invoke = segments
        .iter()
        .find(|s| s.kind == SegmentKind::Invoke)
        .expect("invoke");
    let calls: Vec<&str> = segments
        .iter()
        .filter(|s| s.kind == SegmentKind::HostCall)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(
        calls,
        [
            "keyvalue.open",
            "keyvalue.increment",
            "s3.put-object",
            "s3.get-object"
        ]
    );
    for call in segments.iter().filter(|s| s.kind == SegmentKind::HostCall) {
        assert!(call.start >= invoke.start, "{call:?}");
        assert!(
            call.start + call.duration
                <= invoke.start + invoke.duration + std::time::Duration::from_micros(1),
            "{call:?}"
        );
    }
    // Segments follow each other: ENI, placement, runtime init, function init, then invoke.
    for pair in segments.windows(2).take(4) {
        assert_eq!(pair[0].start + pair[0].duration, pair[1].start, "{pair:?}");
    }

    // Chrome's trace-event format, as Perfetto reads it.
    let chrome = chrome_trace("traced", std::slice::from_ref(&invocation));
    let text = serde_json::to_string(&chrome).expect("serialises");
    let chrome: Value = serde_json::from_str(&text).expect("loads back");
    let events = chrome["traceEvents"].as_array().expect("traceEvents");
    let complete: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
    assert_eq!(complete.len(), segments.len());
    for event in events {
        assert!(
            event["name"].is_string() && event["pid"].is_u64() && event["tid"].is_u64(),
            "{event}"
        );
        assert!(event["ph"] == "X" || event["ph"] == "M", "{event}");
    }
    for event in &complete {
        assert!(event["cat"].is_string(), "{event}");
        assert!(
            event["ts"].as_f64().is_some_and(|t| t > 1.7e15),
            "microseconds since 1970: {event}"
        );
        assert!(event["dur"].as_f64().is_some_and(|d| d >= 0.0), "{event}");
    }
    let invoke_event = complete
        .iter()
        .find(|e| e["cat"] == "invoke")
        .expect("invoke event");
    let reported_us = invocation.report.duration.as_secs_f64() * 1e6;
    assert!((invoke_event["dur"].as_f64().unwrap_or_default() - reported_us).abs() < 1e-3);

    // OTLP JSON: a root span and one child per segment, ids of the right lengths.
    let otlp = otlp("traced", std::slice::from_ref(&invocation));
    let spans = otlp["resourceSpans"][0]["scopeSpans"][0]["spans"]
        .as_array()
        .expect("spans");
    assert_eq!(spans.len(), 1 + segments.len());
    let root = spans[0]["spanId"].as_str().expect("root id");
    for span in spans {
        assert!(
            is_hex(span["traceId"].as_str().unwrap_or_default(), 32),
            "{span}"
        );
        assert!(
            is_hex(span["spanId"].as_str().unwrap_or_default(), 16),
            "{span}"
        );
        let start: u128 = span["startTimeUnixNano"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .expect("nanos");
        let end: u128 = span["endTimeUnixNano"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .expect("nanos");
        assert!(end >= start, "{span}");
    }
    assert!(spans[1..].iter().all(|s| s["parentSpanId"] == root));

    // Active tracing: the X-Ray ids on the REPORT line, the trace id in the OTLP spans.
    let line = invocation.log_lines().pop().expect("REPORT");
    let report = ReportLine::parse(&line).expect("a REPORT line with XRAY fields");
    let trace_id = report.xray_trace_id.expect("XRAY TraceId");
    assert!(
        trace_id.starts_with("1-") && trace_id.len() == 35,
        "{trace_id}"
    );
    assert!(is_hex(report.segment_id.as_deref().unwrap_or_default(), 16));
    assert_eq!(
        spans[0]["traceId"].as_str(),
        Some(trace_id[2..].replace('-', "").as_str())
    );
}
