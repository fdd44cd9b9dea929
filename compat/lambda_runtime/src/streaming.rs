//! Streamed responses (`lambda_runtime::streaming`): [`channel`] makes a body a handler writes
//! chunks to from a task of its own, returned as a [`Response`] (a `StreamResponse`), which
//! `run` writes to the handler world's response stream chunk by chunk as the body yields them.
//!
//! As upstream's (hyper's `Body::channel`), [`Sender::send_data`] waits until the body has
//! taken the chunk before it returns, so a chunk reaches the caller before the task that sent
//! it goes on (even one that then blocks the thread, as upstream's example does with
//! `thread::sleep`: lambda-sim's tokio runtime has one thread).

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;
use http::HeaderMap;
use http_body::Frame;

use crate::Error;
pub use crate::types::StreamResponse as Response;

/// Creates a new [`Body`] stream with its [`Sender`] half.
///
/// ```no_run
/// # extern crate lambda_sim_lambda_runtime as lambda_runtime;
/// use lambda_runtime::streaming::{channel, Body, Response};
/// use lambda_runtime::{Error, LambdaEvent};
///
/// async fn func(_event: LambdaEvent<serde_json::Value>) -> Result<Response<Body>, Error> {
///     let (mut tx, rx) = channel();
///     tokio::spawn(async move {
///         for message in ["Hello", "world"] {
///             tx.send_data(format!("{message}\n").into()).await.ok();
///         }
///     });
///     Ok(Response::from(rx))
/// }
/// ```
pub fn channel() -> (Sender, Body) {
    Body::channel()
}

/// What the two halves of a channel share.
#[derive(Default)]
struct Shared {
    /// Chunks sent and not yet taken (at most one data chunk, and an error after it).
    queue: VecDeque<Result<Bytes, Error>>,
    /// Trailers were sent or the sender dropped: the body ends once the queue is empty.
    ended: bool,
    /// The body was dropped: sends fail.
    body_dropped: bool,
    /// The body, waiting for a chunk.
    body_waker: Option<Waker>,
    /// The sender, waiting for its chunk to be taken.
    sender_waker: Option<Waker>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn wake(waker: &mut Option<Waker>) {
    if let Some(waker) = waker.take() {
        waker.wake();
    }
}

/// The sending half of a [`Body`] made by [`channel`].
///
/// The body ends normally when the sender is dropped; [`abort`](Sender::abort) or
/// [`send_error`](Sender::send_error) end it with an error (the invocation's error,
/// `Runtime.StreamError`).
#[must_use = "Sender does nothing unless sent on"]
pub struct Sender {
    shared: Arc<Mutex<Shared>>,
    trailers_sent: bool,
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl Sender {
    /// Whether this `Sender` can send more data: ready when the body has taken the last chunk.
    pub fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut shared = lock(&self.shared);
        if shared.body_dropped {
            return Poll::Ready(Err(SenderError::ChannelClosed.into()));
        }
        if shared.queue.is_empty() {
            return Poll::Ready(Ok(()));
        }
        shared.sender_waker = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Sends a chunk of the body once the body has taken the one before, and waits until it
    /// takes this one.
    pub async fn send_data(&mut self, chunk: Bytes) -> Result<(), Error> {
        std::future::poll_fn(|cx| self.poll_ready(cx)).await?;
        lock(&self.shared).queue.push_back(Ok(chunk));
        self.wake_body();
        std::future::poll_fn(|cx| self.poll_ready(cx)).await
    }

    /// Ends the body (upstream's trailers end the stream of its data); fails when trailers
    /// were sent already or the body was dropped.
    pub async fn send_trailers(&mut self, trailers: HeaderMap) -> Result<(), Error> {
        drop(trailers);
        let mut shared = lock(&self.shared);
        if self.trailers_sent || shared.body_dropped {
            return Err(SenderError::ChannelClosed.into());
        }
        self.trailers_sent = true;
        shared.ended = true;
        wake(&mut shared.body_waker);
        Ok(())
    }

    /// Sends a chunk if the body has taken the one before; gives it back if not.
    pub fn try_send_data(&mut self, chunk: Bytes) -> Result<(), Bytes> {
        let mut shared = lock(&self.shared);
        if shared.body_dropped || !shared.queue.is_empty() || shared.ended {
            return Err(chunk);
        }
        shared.queue.push_back(Ok(chunk));
        wake(&mut shared.body_waker);
        Ok(())
    }

    /// Ends the body with the error `user body write aborted`.
    pub fn abort(mut self) {
        self.send_error(SenderError::BodyWriteAborted.into());
    }

    /// Ends the body with `err`.
    pub fn send_error(&mut self, err: Error) {
        let mut shared = lock(&self.shared);
        shared.queue.push_back(Err(err));
        shared.ended = true;
        wake(&mut shared.body_waker);
    }

    fn wake_body(&self) {
        wake(&mut lock(&self.shared).body_waker);
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let mut shared = lock(&self.shared);
        shared.ended = true;
        wake(&mut shared.body_waker);
    }
}

#[derive(Debug)]
enum SenderError {
    ChannelClosed,
    BodyWriteAborted,
}

impl fmt::Display for SenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SenderError::ChannelClosed => "channel closed",
            SenderError::BodyWriteAborted => "user body write aborted",
        })
    }
}

impl std::error::Error for SenderError {}

/// A response body: one chunk, none, or the chunks a [`Sender`] writes. A stream of its chunks
/// and an `http_body::Body`.
pub struct Body {
    kind: Kind,
}

enum Kind {
    Full(Option<Bytes>),
    Channel(Arc<Mutex<Shared>>),
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Body").finish_non_exhaustive()
    }
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Body {
            kind: Kind::Full(None),
        }
    }

    /// A body and the [`Sender`] that writes it.
    pub fn channel() -> (Sender, Body) {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let sender = Sender {
            shared: shared.clone(),
            trailers_sent: false,
        };
        let body = Body {
            kind: Kind::Channel(shared),
        };
        (sender, body)
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        if let Kind::Channel(shared) = &self.kind {
            let mut shared = lock(shared);
            shared.body_dropped = true;
            wake(&mut shared.sender_waker);
        }
    }
}

macro_rules! body_from {
    ($($ty:ty),*) => {
        $(impl From<$ty> for Body {
            fn from(value: $ty) -> Self {
                let bytes = Bytes::from(value);
                Body {
                    kind: Kind::Full((!bytes.is_empty()).then_some(bytes)),
                }
            }
        })*
    };
}

body_from!(&'static [u8], Vec<u8>, &'static str, String, Bytes);

impl Stream for Body {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match &mut self.kind {
            Kind::Full(bytes) => Poll::Ready(bytes.take().map(Ok)),
            Kind::Channel(shared) => {
                let mut shared = lock(shared);
                if let Some(item) = shared.queue.pop_front() {
                    wake(&mut shared.sender_waker);
                    return Poll::Ready(Some(item));
                }
                if shared.ended {
                    return Poll::Ready(None);
                }
                shared.body_waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        self.poll_next(cx)
            .map(|item| item.map(|chunk| chunk.map(Frame::data)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Polls `future` once with a no-op waker.
    fn poll_once<F: std::future::Future>(future: Pin<&mut F>) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(Waker::noop()))
    }

    fn next(body: &mut Body) -> Poll<Option<Result<Bytes, Error>>> {
        Pin::new(body).poll_next(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn send_data_returns_once_the_body_took_the_chunk() {
        let (mut tx, mut rx) = channel();
        let mut send = Box::pin(tx.send_data(Bytes::from_static(b"one")));
        assert!(poll_once(send.as_mut()).is_pending(), "waits for the body");
        match next(&mut rx) {
            Poll::Ready(Some(Ok(chunk))) => assert_eq!(chunk, "one"),
            _ => panic!("the body yields the chunk"),
        }
        assert!(matches!(poll_once(send.as_mut()), Poll::Ready(Ok(()))));
        drop(send);
        assert!(next(&mut rx).is_pending(), "the sender lives");
        drop(tx);
        assert!(matches!(next(&mut rx), Poll::Ready(None)));
    }

    #[test]
    fn abort_ends_the_body_with_an_error() {
        let (tx, mut rx) = channel();
        tx.abort();
        match next(&mut rx) {
            Poll::Ready(Some(Err(err))) => assert_eq!(err.to_string(), "user body write aborted"),
            _ => panic!("the body yields the error"),
        }
        assert!(matches!(next(&mut rx), Poll::Ready(None)));
    }

    #[test]
    fn a_dropped_body_fails_sends() {
        let (mut tx, rx) = channel();
        drop(rx);
        let mut send = Box::pin(tx.send_data(Bytes::from_static(b"x")));
        match poll_once(send.as_mut()) {
            Poll::Ready(Err(err)) => assert_eq!(err.to_string(), "channel closed"),
            _ => panic!("the send fails"),
        }
    }
}
