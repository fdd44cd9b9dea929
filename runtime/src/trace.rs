//! Where an invocation's time went, as a trace: its segments (an injected start-up delay, the
//! cold start's ENI, placement, runtime init and function init, a suppressed init run again,
//! the handler, and each call the handler made to a store), exported as Chrome's trace-event
//! JSON (Perfetto and `chrome://tracing` open it) or as OpenTelemetry's OTLP JSON.
//!
//! Segments are laid out on the invocation's own timeline: the cold start's components one
//! after the other from its start, the handler from the invocation's start; a store call's
//! offset and length are the host's, scaled to the handler's reported duration (on a virtual
//! clock or with deterministic CPU the two differ).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Value, json};

use crate::invocation::Invocation;

/// What a segment of an invocation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum SegmentKind {
    /// Waiting before the handler starts (an injected start-up delay).
    Queue,
    /// Creating the VPC network interface.
    Eni,
    /// Placing the sandbox.
    Placement,
    /// Starting the language runtime.
    RuntimeInit,
    /// The function's own init (instantiation and `init`).
    FunctionInit,
    /// An init run again in the Invoke phase after a failed one (suppressed init).
    SuppressedInit,
    /// The handler.
    Invoke,
    /// A call to a store (key-value, S3, Firehose).
    HostCall,
}

impl SegmentKind {
    /// The name of the kind in traces.
    pub fn as_str(self) -> &'static str {
        match self {
            SegmentKind::Queue => "queue",
            SegmentKind::Eni => "eni",
            SegmentKind::Placement => "placement",
            SegmentKind::RuntimeInit => "runtime-init",
            SegmentKind::FunctionInit => "function-init",
            SegmentKind::SuppressedInit => "suppressed-init",
            SegmentKind::Invoke => "invoke",
            SegmentKind::HostCall => "host-call",
        }
    }
}

/// One segment of an invocation's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// What it is.
    pub kind: SegmentKind,
    /// Its name (the kind's, or the store call's).
    pub name: String,
    /// When it started.
    pub start: SystemTime,
    /// How long it lasted.
    pub duration: Duration,
}

impl Invocation {
    /// The invocation's segments in time order (host calls after the handler's segment that
    /// holds them).
    pub fn segments(&self) -> Vec<Segment> {
        let mut segments = Vec::new();
        let mut push = |kind: SegmentKind, name: &str, start: SystemTime, duration: Duration| {
            segments.push(Segment {
                kind,
                name: name.to_owned(),
                start,
                duration,
            });
        };
        if let Some(init) = &self.init {
            let cold = &init.cold_start;
            let eni_start = init.started_at - cold.placement - cold.eni;
            if !cold.eni.is_zero() {
                push(SegmentKind::Eni, "eni", eni_start, cold.eni);
            }
            push(
                SegmentKind::Placement,
                "placement",
                eni_start + cold.eni,
                cold.placement,
            );
            push(
                SegmentKind::RuntimeInit,
                "runtime-init",
                init.started_at,
                cold.runtime_init,
            );
            push(
                SegmentKind::FunctionInit,
                "function-init",
                init.started_at + cold.runtime_init,
                cold.function_init,
            );
        }
        if !self.queued.is_zero() {
            push(
                SegmentKind::Queue,
                "queue",
                self.started_at - self.queued,
                self.queued,
            );
        }
        let mut handler_start = self.started_at;
        let mut handler = self.report.duration;
        if let Some(retry) = &self.init_retry {
            push(
                SegmentKind::SuppressedInit,
                "suppressed-init",
                self.started_at,
                retry.duration,
            );
            handler_start += retry.duration;
            handler = handler.saturating_sub(retry.duration);
        }
        push(SegmentKind::Invoke, "invoke", handler_start, handler);
        for call in &self.host_calls {
            push(
                SegmentKind::HostCall,
                &call.name,
                handler_start + call.offset,
                call.duration,
            );
        }
        segments
    }
}

fn micros(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1e6)
}

fn nanos(t: SystemTime) -> String {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
        .to_string()
}

/// Chrome's trace-event JSON of `invocations` (an array of complete `"X"` events in
/// microseconds): one process per function, one thread per execution environment (its log
/// stream), named by metadata events.
pub fn chrome_trace(function: &str, invocations: &[Invocation]) -> Value {
    let mut streams: Vec<&str> = Vec::new();
    let mut events = vec![json!({
        "name": "process_name", "ph": "M", "pid": 1, "tid": 0,
        "args": { "name": function }
    })];
    for invocation in invocations {
        let tid = match streams.iter().position(|s| *s == invocation.log_stream) {
            Some(i) => i + 1,
            None => {
                streams.push(&invocation.log_stream);
                events.push(json!({
                    "name": "thread_name", "ph": "M", "pid": 1, "tid": streams.len(),
                    "args": { "name": format!("environment {}", invocation.log_stream) }
                }));
                streams.len()
            }
        };
        for segment in invocation.segments() {
            events.push(json!({
                "name": segment.name,
                "cat": segment.kind.as_str(),
                "ph": "X",
                "ts": micros(segment.start),
                "dur": segment.duration.as_secs_f64() * 1e6,
                "pid": 1,
                "tid": tid,
                "args": { "requestId": invocation.request_id },
            }));
        }
    }
    json!({ "traceEvents": events, "displayTimeUnit": "ms" })
}

/// 16 hex digits from a string (a deterministic span id).
fn span_id(seed: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// OpenTelemetry's OTLP JSON (`ExportTraceServiceRequest`) of `invocations`: one trace per
/// invocation (its X-Ray trace id's hex when tracing is active, else its request id's), a
/// root span for the invocation and a child span per segment.
pub fn otlp(function: &str, invocations: &[Invocation]) -> Value {
    let mut spans = Vec::new();
    for invocation in invocations {
        let trace_id = match &invocation.report.xray {
            Some(xray) => xray
                .trace_id
                .strip_prefix("1-")
                .unwrap_or(&xray.trace_id)
                .replace('-', ""),
            None => invocation.request_id.replace('-', ""),
        };
        let trace_id = format!("{trace_id:0>32}");
        let root = span_id(&invocation.request_id);
        let segments = invocation.segments();
        let start = segments
            .iter()
            .map(|s| s.start)
            .min()
            .unwrap_or(invocation.started_at);
        let end = invocation.started_at + invocation.report.duration;
        spans.push(json!({
            "traceId": trace_id,
            "spanId": root,
            "name": function,
            "kind": 2,
            "startTimeUnixNano": nanos(start),
            "endTimeUnixNano": nanos(end),
            "attributes": [
                { "key": "faas.invocation_id", "value": { "stringValue": invocation.request_id } },
                { "key": "faas.coldstart", "value": { "boolValue": invocation.is_cold() } },
            ],
        }));
        for (i, segment) in segments.iter().enumerate() {
            spans.push(json!({
                "traceId": trace_id,
                "spanId": span_id(&format!("{}/{i}", invocation.request_id)),
                "parentSpanId": root,
                "name": segment.name,
                "kind": 1,
                "startTimeUnixNano": nanos(segment.start),
                "endTimeUnixNano": nanos(segment.start + segment.duration),
                "attributes": [
                    { "key": "lambda_sim.segment", "value": { "stringValue": segment.kind.as_str() } },
                ],
            }));
        }
    }
    json!({
        "resourceSpans": [{
            "resource": { "attributes": [
                { "key": "service.name", "value": { "stringValue": function } },
                { "key": "faas.name", "value": { "stringValue": function } },
                { "key": "cloud.provider", "value": { "stringValue": "aws" } },
            ]},
            "scopeSpans": [{ "scope": { "name": "lambda-sim" }, "spans": spans }],
        }]
    })
}
