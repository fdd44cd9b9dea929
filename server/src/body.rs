//! The body of an answer: whole (every answer of the APIs) or streamed as its bytes come
//! (`InvokeWithResponseStream`, a function URL in `RESPONSE_STREAM` mode). Whole bodies are
//! not boxed: the Invoke path stays as it was.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::Frame;
use http_body_util::{Either, Full};
use tokio::sync::mpsc;

/// An answer's body.
pub(crate) type Body = Either<Full<Bytes>, Streamed>;

/// A whole body.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Either::Left(Full::new(bytes.into()))
}

/// How many chunks wait for a slow client before the producer waits.
const CHUNKS: usize = 8;

/// A body whose chunks come from a channel, ending when its sender is dropped; an `Err` sent
/// aborts the connection (the client sees the response cut short, not ended).
pub(crate) struct Streamed {
    rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
}

/// What a streamed body's sender sends.
pub(crate) type Chunks = mpsc::Sender<Result<Bytes, std::io::Error>>;

/// A streamed body and its sender.
pub(crate) fn streamed() -> (Chunks, Body) {
    let (tx, rx) = mpsc::channel(CHUNKS);
    (tx, Either::Right(Streamed { rx }))
}

impl http_body::Body for Streamed {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        self.rx
            .poll_recv(cx)
            .map(|chunk| chunk.map(|bytes| bytes.map(Frame::data)))
    }
}
