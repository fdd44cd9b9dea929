//! Where a server writes each invocation's log lines: CloudWatch's text lines or Telemetry
//! API records, one invocation at a time so that concurrent invocations do not interleave.

use std::io::Write;
use std::sync::Mutex;

use lambda_sim_runtime::Invocation;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// CloudWatch's text lines (`START`, the handler's lines, `END`, `REPORT`).
    Text,
    /// Telemetry API records, one JSON object a line.
    Json,
}

/// A sink for invocation logs.
pub struct LogOutput {
    writer: Mutex<Box<dyn Write + Send>>,
    format: LogFormat,
}

impl LogOutput {
    /// Logs to `writer` in `format`.
    pub fn new(writer: Box<dyn Write + Send>, format: LogFormat) -> Self {
        LogOutput {
            writer: Mutex::new(writer),
            format,
        }
    }

    /// Writes one invocation's lines; a failing writer is ignored (logs never fail a request).
    pub fn invocation(&self, invocation: &Invocation) {
        let mut text = String::new();
        match self.format {
            LogFormat::Text => {
                for line in invocation.log_lines() {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
            LogFormat::Json => {
                for record in invocation.log_records() {
                    text.push_str(&record.to_string());
                    text.push('\n');
                }
            }
        }
        self.write(&text);
    }

    /// Writes a line of the server's own (startup, a refused request, shutdown).
    pub fn note(&self, line: &str) {
        let text = match self.format {
            LogFormat::Text => format!("{line}\n"),
            LogFormat::Json => format!(
                "{}\n",
                serde_json::json!({ "type": "lambda-sim.server", "record": line })
            ),
        };
        self.write(&text);
    }

    fn write(&self, text: &str) {
        let mut writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = writer.write_all(text.as_bytes());
        let _ = writer.flush();
    }
}
