//! The outcome of one invocation: the response or function error, the REPORT figures, and
//! the log lines Lambda would write to CloudWatch.

use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::{Value, json};

use crate::logs::CapturedLog;
use crate::report::{Millis, Report, round2, timestamp};

/// The runtime version printed in `INIT_START` lines.
pub const RUNTIME_VERSION: &str = concat!("lambda-sim:wasm32-wasip2.v", env!("CARGO_PKG_VERSION"));

/// A call the handler made to a store during its phase.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostCall {
    /// What was called: `keyvalue.get`, `s3.put-object`, `firehose.put-record-batch`, ...
    /// and, through the AWS APIs, `dynamodb.PutItem`, `s3.GET`, ...
    pub name: std::borrow::Cow<'static, str>,
    /// When, from the start of the phase.
    pub offset: Duration,
    /// How long it took.
    pub duration: Duration,
}

/// A function error, as Lambda's error payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionError {
    /// For example `Sandbox.Timedout`, `Runtime.OutOfMemory`, or the handler's own type.
    pub error_type: String,
    /// The message.
    pub error_message: String,
    /// The stack trace, when the guest gave one (Python, Java, a Rust panic).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stack_trace: Vec<String>,
    /// The stack trace as Lambda's Node.js runtime names it (`trace`, always there, empty
    /// for a thrown non-error), for a component declaring a `nodejs` runtime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<String>>,
}

impl FunctionError {
    pub(crate) fn new(error_type: impl Into<String>, error_message: impl Into<String>) -> Self {
        FunctionError {
            error_type: error_type.into(),
            error_message: error_message.into(),
            stack_trace: Vec::new(),
            trace: None,
        }
    }

    /// The error payload a client receives: `{"errorType": ..., "errorMessage": ...}`.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The Init phase of a cold start.
#[derive(Clone, Debug, PartialEq)]
pub struct InitPhase {
    /// Instantiation plus the guest's `init`: the REPORT line's Init Duration.
    pub duration: Duration,
    /// What the guest printed during init (between INIT_START and START).
    pub log: CapturedLog,
    /// Why init failed, if it did.
    pub error: Option<FunctionError>,
    /// Whether it failed by running past its limit (INIT_REPORT's `Status: timeout`).
    pub timed_out: bool,
    /// When the phase started.
    pub started_at: SystemTime,
    /// What the cold start cost, component by component.
    pub cold_start: crate::coldstart::ColdStart,
    /// Restored from a SnapStart snapshot instead of running `init`: the after-restore
    /// hooks' time (Billed Restore Duration); `duration` is then the Restore Duration.
    pub restore_hooks: Option<Duration>,
}

impl InitPhase {
    /// The `INIT_REPORT` line of a failed Init in `phase` (`init`, or `invoke` when it ran
    /// again there); Lambda prints none for an Init that succeeds.
    fn report_line(&self, phase: &str) -> Option<String> {
        let duration = Millis(self.duration);
        let error = self.error.as_ref()?;
        Some(if self.timed_out {
            format!("INIT_REPORT Init Duration: {duration} ms\tPhase: {phase}\tStatus: timeout")
        } else {
            format!(
                "INIT_REPORT Init Duration: {duration} ms\tPhase: {phase}\tStatus: error\tError Type: {}",
                error.error_type
            )
        })
    }

    /// What the guest printed, then the Telemetry API's `platform.initReport`.
    fn push_records(&self, phase: &str, records: &mut Vec<Value>) {
        for line in self.log.lines() {
            records.push(
                json!({ "time": timestamp(self.started_at), "type": "function", "record": line }),
            );
        }
        let status = match (&self.error, self.timed_out) {
            (None, _) => "success",
            (Some(_), true) => "timeout",
            (Some(_), false) => "error",
        };
        records.push(json!({
            "time": timestamp(self.started_at + self.duration),
            "type": "platform.initReport",
            "record": {
                "initializationType": "on-demand",
                "phase": phase,
                "status": status,
                "metrics": { "durationMs": round2(self.duration) }
            }
        }));
    }
}

/// What publishing a SnapStart function did: its Init (with the before-snapshot hooks),
/// printed as `INIT_REPORT`, and the snapshot it made.
#[derive(Clone, Debug, PartialEq)]
pub struct Publication {
    /// The Init phase: `init` and the before-snapshot hooks.
    pub init_duration: Duration,
    /// What the guest printed during it.
    pub log: CapturedLog,
    /// When it started.
    pub started_at: SystemTime,
    /// The snapshot's size (the component with its memory after init), in bytes.
    pub snapshot_bytes: usize,
    /// How long taking and compiling the snapshot took on this machine (not Lambda's figure).
    pub snapshot_time: Duration,
}

impl Publication {
    /// Lambda's log lines of the publication: `INIT_START`, what init printed, `INIT_REPORT`.
    pub fn log_lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "INIT_START Runtime Version: {}",
            crate::invocation::RUNTIME_VERSION
        )];
        lines.extend(self.log.lines());
        lines.push(format!(
            "INIT_REPORT Init Duration: {} ms",
            Millis(self.init_duration)
        ));
        lines
    }
}

/// The outcome of one invocation.
#[derive(Clone, Debug, PartialEq)]
pub struct Invocation {
    /// The request id (a UUID).
    pub request_id: String,
    /// The function's response bytes, or its error.
    pub result: Result<Vec<u8>, FunctionError>,
    /// The REPORT line's figures.
    pub report: Report,
    /// The Init phase, on a cold start.
    pub init: Option<InitPhase>,
    /// When that Init phase failed or ran past 10 s: Init run again at the start of this
    /// invocation's Invoke phase, under the function's timeout (Lambda's "suppressed init").
    /// Its time is part of the REPORT's Duration, which then has no Init Duration.
    pub init_retry: Option<InitPhase>,
    /// What the handler printed during the invocation.
    pub log: CapturedLog,
    /// The handler's calls to the stores, for its trace.
    pub host_calls: Vec<HostCall>,
    /// How long the invocation waited before its handler started (an injected start-up
    /// delay).
    pub queued: std::time::Duration,
    /// The execution environment that served it (its log stream name).
    pub log_stream: String,
    /// The ARN of the function, for the runtime version ARN.
    pub(crate) region: String,
    /// When the Invoke phase started.
    pub started_at: SystemTime,
    /// What Lambda would bill for it.
    pub cost: crate::billing::Cost,
    /// When it ended, in simulation time (on a virtual clock, the time to send a next
    /// invocation that should find this environment free).
    pub ends_at: std::time::Duration,
    /// The bytes of a streamed response (`InvokeOptions::stream`); `None` when the response
    /// was not streamed.
    pub streamed_bytes: Option<u64>,
}

impl Invocation {
    /// Whether this invocation started a new execution environment.
    pub fn is_cold(&self) -> bool {
        self.init.is_some()
    }

    /// The response bytes, if the function succeeded.
    pub fn response(&self) -> Option<&[u8]> {
        self.result.as_ref().ok().map(Vec::as_slice)
    }

    /// The function error, if it failed.
    pub fn error(&self) -> Option<&FunctionError> {
        self.result.as_ref().err()
    }

    /// What a client receives: the response, or the error payload.
    pub fn payload(&self) -> Vec<u8> {
        match &self.result {
            Ok(bytes) => bytes.clone(),
            Err(err) => err.to_json(),
        }
    }

    /// The invocation's CloudWatch log lines in Lambda's text format: on a cold start
    /// `INIT_START` and what init printed, then `START`, the handler's lines, `END`, `REPORT`.
    pub fn log_lines(&self) -> Vec<String> {
        let id = &self.request_id;
        let mut lines = Vec::new();
        if let Some(init) = &self.init {
            let restored = init.restore_hooks.is_some();
            lines.push(format!(
                "{} Runtime Version: {RUNTIME_VERSION}\tRuntime Version ARN: {}",
                if restored {
                    "RESTORE_START"
                } else {
                    "INIT_START"
                },
                self.runtime_arn()
            ));
            lines.extend(init.log.lines());
            if restored {
                lines.push(format!(
                    "RESTORE_REPORT Restore Duration: {} ms",
                    Millis(init.duration)
                ));
            }
            lines.extend(init.report_line("init"));
        }
        lines.push(format!("START RequestId: {id} Version: $LATEST"));
        if let Some(retry) = &self.init_retry {
            lines.extend(retry.log.lines());
            lines.extend(retry.report_line("invoke"));
        }
        lines.extend(self.log.lines());
        lines.push(format!("END RequestId: {id}"));
        lines.push(self.report.to_string());
        lines
    }

    /// The same lines as Telemetry API records (`--log-format json`): `platform.initStart`,
    /// `function` lines, `platform.start`, `platform.report`.
    pub fn log_records(&self) -> Vec<Value> {
        let id = &self.request_id;
        let mut records = Vec::new();
        if let Some(init) = self
            .init
            .as_ref()
            .filter(|init| init.restore_hooks.is_some())
        {
            // The Telemetry API's SnapStart events.
            records.push(json!({
                "time": timestamp(init.started_at),
                "type": "platform.restoreStart",
                "record": {
                    "runtimeVersion": RUNTIME_VERSION,
                    "runtimeVersionArn": self.runtime_arn(),
                }
            }));
            for line in init.log.lines() {
                records.push(json!({
                    "time": timestamp(init.started_at), "type": "function", "record": line
                }));
            }
            records.push(json!({
                "time": timestamp(init.started_at + init.duration),
                "type": "platform.restoreReport",
                "record": { "status": "success", "metrics": { "durationMs": round2(init.duration) } }
            }));
        } else if let Some(init) = &self.init {
            records.push(json!({
                "time": timestamp(init.started_at),
                "type": "platform.initStart",
                "record": {
                    "initializationType": "on-demand",
                    "phase": "init",
                    "runtimeVersion": RUNTIME_VERSION,
                    "runtimeVersionArn": self.runtime_arn(),
                }
            }));
            init.push_records("init", &mut records);
        }
        records.push(json!({
            "time": timestamp(self.started_at),
            "type": "platform.start",
            "record": { "requestId": id, "version": "$LATEST" }
        }));
        if let Some(retry) = &self.init_retry {
            records.push(json!({
                "time": timestamp(retry.started_at),
                "type": "platform.initStart",
                "record": {
                    "initializationType": "on-demand",
                    "phase": "invoke",
                    "runtimeVersion": RUNTIME_VERSION,
                    "runtimeVersionArn": self.runtime_arn(),
                }
            }));
            retry.push_records("invoke", &mut records);
        }
        let end = self.started_at + self.report.duration;
        for line in self.log.lines() {
            records.push(json!({ "time": timestamp(end), "type": "function", "record": line }));
        }
        records.push(self.report.to_json(end));
        records
    }

    fn runtime_arn(&self) -> String {
        format!(
            "arn:aws:lambda:{}::runtime:lambda-sim-{}",
            self.region,
            env!("CARGO_PKG_VERSION")
        )
    }
}
