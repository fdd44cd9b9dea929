//! Lambda response streaming: the `response-stream` import. What a handler writes goes to the
//! invocation's [`ResponseSink`] as it is written (`InvokeWithResponseStream`, a function URL in
//! `RESPONSE_STREAM` mode), under Lambda's limits: 200 MB a response, the first 6 MB at full
//! speed and then 2 MB/s. Without a sink (a plain `Invoke`) the writes are buffered, and the
//! response is what was written followed by what `handle` returned, at most 6 MB as any
//! synchronous response.

use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::config::MAX_SYNC_PAYLOAD;
use crate::invocation::FunctionError;

/// The largest streamed response: 200 MB (Lambda's limit since July 2025).
pub const MAX_STREAMED_RESPONSE: u64 = 200 * 1024 * 1024;
/// The bytes of a streamed response sent at full speed before the bandwidth cap applies.
pub const STREAM_BURST: u64 = 6 * 1024 * 1024;
/// Lambda's bandwidth for a streamed response past its first 6 MB: 2 MB/s.
pub const STREAM_BANDWIDTH: u64 = 2 * 1024 * 1024;
/// A stream's content type until the handler sets one.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";
/// How many written chunks wait for a slow caller before a write waits too.
const CHANNEL_CHUNKS: usize = 8;

/// What a streamed invocation sends, in order: its content type once (before the first
/// chunk, or at the end when nothing was written), then its chunks. The receiver's end (the
/// channel closing) comes when the invocation has finished.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamPart {
    /// The stream's content type (`application/octet-stream` unless the handler set one).
    ContentType(String),
    /// Bytes the handler wrote (or returned from `handle`, sent after what it wrote).
    Chunk(Bytes),
}

/// Where a streamed invocation's bytes go ([`InvokeOptions::stream`](crate::InvokeOptions)).
#[derive(Clone, Debug)]
pub struct ResponseSink {
    tx: mpsc::Sender<StreamPart>,
    /// Bytes per second past the first 6 MB; `None` when uncapped.
    bandwidth: Option<u64>,
}

impl PartialEq for ResponseSink {
    fn eq(&self, other: &Self) -> bool {
        self.tx.same_channel(&other.tx)
    }
}

/// A sink and the receiver of what is sent to it, paced at Lambda's bandwidth
/// ([`STREAM_BANDWIDTH`] past [`STREAM_BURST`]).
pub fn response_stream() -> (ResponseSink, mpsc::Receiver<StreamPart>) {
    let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
    let sink = ResponseSink {
        tx,
        bandwidth: Some(STREAM_BANDWIDTH),
    };
    (sink, rx)
}

impl ResponseSink {
    /// The same sink with another bandwidth past the first 6 MB (`None`: uncapped).
    pub fn bandwidth(mut self, bytes_per_second: Option<u64>) -> Self {
        self.bandwidth = bytes_per_second.filter(|b| *b > 0);
        self
    }
}

/// One environment's stream during an invocation (the host's side of the import).
#[derive(Debug, Default)]
pub(crate) struct StreamState {
    sink: Option<ResponseSink>,
    content_type: Option<String>,
    head_sent: bool,
    /// What was written on a buffered invocation.
    buffered: Vec<u8>,
    written: u64,
    /// When the bandwidth-capped pipe is free again (past the first 6 MB).
    pipe_free_at: Option<Instant>,
    overflowed: bool,
    gone: bool,
    /// Pacing applies (a real clock).
    paced: bool,
    /// No write waits past this: the invocation's timeout on the host's clock.
    deadline: Option<Instant>,
}

impl StreamState {
    /// The state of a new invocation: streamed to `sink`, or buffered; no write waits past
    /// `deadline`.
    pub(crate) fn new(sink: Option<ResponseSink>, paced: bool, deadline: Instant) -> Self {
        StreamState {
            sink,
            paced,
            deadline: Some(deadline),
            ..StreamState::default()
        }
    }

    /// The latest a wait may end: the invocation's deadline, or now outside an invocation.
    fn deadline(&self) -> Instant {
        self.deadline.unwrap_or_else(Instant::now)
    }

    fn limit(&self) -> u64 {
        if self.sink.is_some() {
            MAX_STREAMED_RESPONSE
        } else {
            MAX_SYNC_PAYLOAD as u64
        }
    }

    pub(crate) fn set_content_type(&mut self, content_type: String) {
        if !self.head_sent {
            self.content_type = Some(content_type);
        }
    }

    /// Sends (or buffers) `chunk`, waiting for the bandwidth and for a slow caller, never past
    /// `deadline`. Past the size limit, the part that fits is sent and the write fails.
    pub(crate) async fn write(&mut self, chunk: Vec<u8>) -> Result<(), String> {
        let Some(deadline) = self.deadline else {
            return Err(
                "there is no response stream outside an invocation (during init)".to_owned(),
            );
        };
        if self.overflowed {
            return Err(self.overflow_message());
        }
        if self.gone {
            return Err("the caller has gone: the response stream is closed".to_owned());
        }
        let mut chunk = chunk;
        let room = self.limit().saturating_sub(self.written);
        if chunk.len() as u64 > room {
            chunk.truncate(usize::try_from(room).unwrap_or(usize::MAX));
            self.overflowed = true;
        }
        if self.sink.is_none() {
            self.written += chunk.len() as u64;
            self.buffered.extend_from_slice(&chunk);
        } else if !chunk.is_empty() {
            self.pace(chunk.len() as u64, deadline).await;
            self.written += chunk.len() as u64;
            self.send(StreamPart::Chunk(Bytes::from(chunk)), deadline)
                .await?;
        }
        if self.overflowed {
            return Err(self.overflow_message());
        }
        Ok(())
    }

    fn overflow_message(&self) -> String {
        format!(
            "the response passed Lambda's maximum of {} bytes and was cut there",
            self.limit()
        )
    }

    /// Waits until `len` more bytes fit the bandwidth: the first 6 MB at once, then a pipe
    /// of [`ResponseSink::bandwidth`] bytes a second (idle time earns no credit).
    async fn pace(&mut self, len: u64, deadline: Instant) {
        let Some(bandwidth) = self.sink.as_ref().and_then(|s| s.bandwidth) else {
            return;
        };
        let capped = (self.written + len).saturating_sub(STREAM_BURST).min(len);
        if !self.paced || capped == 0 {
            return;
        }
        let now = Instant::now();
        let start = self.pipe_free_at.map_or(now, |free| free.max(now));
        let free = start + Duration::from_secs_f64(capped as f64 / bandwidth as f64);
        self.pipe_free_at = Some(free);
        if free > now {
            tokio::time::sleep_until(free.min(deadline).into()).await;
        }
    }

    async fn send(&mut self, part: StreamPart, deadline: Instant) -> Result<(), String> {
        let Some(sink) = &self.sink else {
            return Ok(());
        };
        if !self.head_sent {
            self.head_sent = true;
            let content_type = self
                .content_type
                .clone()
                .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_owned());
            let head = StreamPart::ContentType(content_type);
            if !send_by(&sink.tx, head, deadline).await? {
                self.gone = true;
            }
        }
        if self.gone || !send_by(&sink.tx, part, deadline).await? {
            self.gone = true;
            return Err("the caller has gone: the response stream is closed".to_owned());
        }
        Ok(())
    }

    /// The invocation's response once `handle` returned `returned`: on a stream, `returned`
    /// is sent after what was written (and the content type, if nothing was); buffered, it is
    /// appended to what was written. Past the size limit, `Function.ResponseSizeTooLarge`.
    pub(crate) async fn finish(
        &mut self,
        returned: Result<Vec<u8>, FunctionError>,
    ) -> Result<Vec<u8>, FunctionError> {
        let deadline = self.deadline();
        if self.overflowed {
            return Err(too_large(self.limit()));
        }
        let returned = returned?;
        if self.sink.is_none() {
            if self.buffered.is_empty() {
                return Ok(returned);
            }
            let mut response = std::mem::take(&mut self.buffered);
            response.extend_from_slice(&returned);
            return Ok(response);
        }
        if self.written + returned.len() as u64 > self.limit() {
            return Err(too_large(self.limit()));
        }
        let tail = Bytes::from(returned.clone());
        self.written += tail.len() as u64;
        if !tail.is_empty() {
            // The caller's absence is no error of the function's.
            let _ = self.send(StreamPart::Chunk(tail), deadline).await;
        } else if !self.head_sent {
            let _ = self.send(StreamPart::Chunk(Bytes::new()), deadline).await;
        }
        Ok(returned)
    }

    /// Bytes sent or buffered so far (with the returned tail once finished).
    pub(crate) fn written(&self) -> u64 {
        self.written
    }
}

/// Sends `part` unless the deadline passes first; `Ok(false)` when the receiver has gone.
async fn send_by(
    tx: &mpsc::Sender<StreamPart>,
    part: StreamPart,
    deadline: Instant,
) -> Result<bool, String> {
    match tokio::time::timeout_at(deadline.into(), tx.send(part)).await {
        Ok(sent) => Ok(sent.is_ok()),
        Err(_) => Err("the invocation timed out while the caller read slowly".to_owned()),
    }
}

/// Lambda's error for a response over its limit.
pub(crate) fn too_large(limit: u64) -> FunctionError {
    FunctionError::new(
        "Function.ResponseSizeTooLarge",
        format!("Response payload size exceeded maximum allowed payload size ({limit} bytes)."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[tokio::test]
    async fn a_buffered_response_is_what_was_written_then_what_was_returned() {
        let mut state = StreamState::new(None, true, far());
        state.write(b"ab".to_vec()).await.expect("works");
        state.write(b"cd".to_vec()).await.expect("works");
        let response = state.finish(Ok(b"ef".to_vec())).await.expect("works");
        assert_eq!(response, b"abcdef");
    }

    #[tokio::test]
    async fn a_stream_sends_its_content_type_then_its_chunks_then_the_returned_bytes() {
        let (sink, mut rx) = response_stream();
        let mut state = StreamState::new(Some(sink), true, far());
        state.set_content_type("text/plain".to_owned());
        state.write(b"one".to_vec()).await.expect("works");
        state.set_content_type("ignored/after-the-head".to_owned());
        state.finish(Ok(b"two".to_vec())).await.expect("works");
        drop(state);
        let mut parts = Vec::new();
        while let Some(part) = rx.recv().await {
            parts.push(part);
        }
        assert_eq!(
            parts,
            [
                StreamPart::ContentType("text/plain".to_owned()),
                StreamPart::Chunk(Bytes::from_static(b"one")),
                StreamPart::Chunk(Bytes::from_static(b"two")),
            ]
        );
    }

    #[tokio::test]
    async fn a_buffered_write_past_six_mb_fails_and_so_does_the_invocation() {
        let mut state = StreamState::new(None, true, far());
        let err = state
            .write(vec![0; MAX_SYNC_PAYLOAD + 1])
            .await
            .expect_err("fails");
        assert!(err.contains("6291456 bytes"), "{err}");
        let err = state.finish(Ok(Vec::new())).await.expect_err("fails");
        assert_eq!(err.error_type, "Function.ResponseSizeTooLarge");
    }

    #[tokio::test]
    async fn a_stream_past_its_limit_sends_what_fits_and_fails() {
        let (sink, mut rx) = response_stream();
        let reader = tokio::spawn(async move {
            let mut bytes = 0u64;
            while let Some(part) = rx.recv().await {
                if let StreamPart::Chunk(chunk) = part {
                    bytes += chunk.len() as u64;
                }
            }
            bytes
        });
        let mut state = StreamState::new(Some(sink.bandwidth(None)), true, far());
        let chunk = 16 * 1024 * 1024;
        let mut failed = None;
        for _ in 0..14 {
            if let Err(err) = state.write(vec![7; chunk]).await {
                failed = Some(err);
                break;
            }
        }
        assert!(failed.is_some(), "14 x 16 MiB is past 200 MiB");
        let err = state.finish(Ok(Vec::new())).await.expect_err("fails");
        assert_eq!(
            err.error_message,
            "Response payload size exceeded maximum allowed payload size (209715200 bytes)."
        );
        drop(state);
        assert_eq!(reader.await.expect("works"), MAX_STREAMED_RESPONSE);
    }

    #[tokio::test]
    async fn a_write_outside_an_invocation_fails() {
        let mut state = StreamState::default();
        let err = state
            .write(b"x".to_vec())
            .await
            .expect_err("no stream at init");
        assert_eq!(
            err,
            "there is no response stream outside an invocation (during init)"
        );
    }

    #[tokio::test]
    async fn a_write_to_a_caller_that_went_away_fails() {
        let (sink, rx) = response_stream();
        drop(rx);
        let mut state = StreamState::new(Some(sink), true, far());
        let err = state.write(b"x".to_vec()).await.expect_err("fails");
        assert!(err.contains("caller has gone"), "{err}");
        assert!(state.finish(Ok(Vec::new())).await.is_ok());
    }

    #[tokio::test]
    async fn past_six_mb_a_stream_goes_at_its_bandwidth() {
        let (sink, mut rx) = response_stream();
        let reader = tokio::spawn(async move { while rx.recv().await.is_some() {} });
        let mut state = StreamState::new(Some(sink.bandwidth(Some(4 * 1024 * 1024))), true, far());
        let started = Instant::now();
        state.write(vec![0; 6 * 1024 * 1024]).await.expect("works");
        assert!(started.elapsed() < Duration::from_millis(200), "the burst");
        // 1 MiB more at 4 MiB/s: a quarter of a second after the first write.
        state.write(vec![0; 1024 * 1024]).await.expect("works");
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(245) && elapsed < Duration::from_millis(1000),
            "{elapsed:?}"
        );
        drop(state);
        reader.await.expect("works");
    }
}
