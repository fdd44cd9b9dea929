//! Capture of a guest's stdout and stderr: one bounded buffer per environment, drained after
//! each phase (init, invoke) to become that phase's log lines.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// Where an environment's stdout and stderr go; clones share the buffer, so both streams
/// interleave in the order the guest wrote them.
#[derive(Clone)]
pub(crate) struct LogSink {
    buffer: Arc<Mutex<LogBuffer>>,
}

struct LogBuffer {
    bytes: Vec<u8>,
    cap: usize,
    dropped: usize,
}

/// What a phase printed, and how much of it was cut past the cap.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CapturedLog {
    /// The bytes kept, as the guest wrote them (not necessarily UTF-8).
    pub bytes: Vec<u8>,
    /// How many bytes were cut past the per-invocation cap.
    pub dropped: usize,
}

impl CapturedLog {
    /// The log's lines, decoded lossily, with a note at the end when some were cut.
    pub fn lines(&self) -> Vec<String> {
        let text = String::from_utf8_lossy(&self.bytes);
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if self.dropped > 0 {
            lines.push(format!(
                "[lambda-sim] log output truncated: {} more bytes were dropped",
                self.dropped
            ));
        }
        lines
    }
}

impl LogSink {
    pub(crate) fn new(cap: usize) -> Self {
        LogSink {
            buffer: Arc::new(Mutex::new(LogBuffer {
                bytes: Vec::new(),
                cap,
                dropped: 0,
            })),
        }
    }

    /// Takes what was written since the last call.
    pub(crate) fn take(&self) -> CapturedLog {
        let mut buffer = self.lock();
        let dropped = std::mem::take(&mut buffer.dropped);
        CapturedLog {
            bytes: std::mem::take(&mut buffer.bytes),
            dropped,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LogBuffer> {
        // A poisoned lock only means a writer panicked mid-append; the bytes are still usable.
        self.buffer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a line of the simulator's own to the log (`[lambda-sim] ...`).
    pub(crate) fn note(&self, message: &str) {
        self.append(format!("[lambda-sim] {message}\n").as_bytes());
    }

    fn append(&self, bytes: &[u8]) {
        let mut buffer = self.lock();
        let room = buffer.cap.saturating_sub(buffer.bytes.len());
        let kept = bytes.len().min(room);
        buffer.bytes.extend_from_slice(&bytes[..kept]);
        buffer.dropped += bytes.len() - kept;
    }
}

impl IsTerminal for LogSink {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for LogSink {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for LogSink {
    async fn ready(&mut self) {}
}

impl OutputStream for LogSink {
    fn write(&mut self, bytes: bytes::Bytes) -> StreamResult<()> {
        // Past the cap the bytes are counted, not refused: a guest whose `println!` failed
        // would panic, and a chatty handler must not become a failing one.
        self.append(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(1 << 20)
    }
}

impl AsyncWrite for LogSink {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.append(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_past_the_cap_is_counted_and_noted() {
        let sink = LogSink::new(8);
        sink.append(b"hello\n");
        sink.append(b"world\n");
        let log = sink.take();
        assert_eq!(log.bytes, b"hello\nwo");
        assert_eq!(log.dropped, 4);
        assert_eq!(
            log.lines(),
            [
                "hello",
                "wo",
                "[lambda-sim] log output truncated: 4 more bytes were dropped"
            ]
        );
        assert_eq!(sink.take(), CapturedLog::default());
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let log = CapturedLog {
            bytes: b"ok \xff\xfe\n".to_vec(),
            dropped: 0,
        };
        assert_eq!(log.lines(), ["ok \u{fffd}\u{fffd}"]);
    }
}
