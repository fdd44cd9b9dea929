//! Streamed responses (`lambda_runtime::streaming`): a body channel a handler writes chunks to.
//! lambda-sim collects the chunks into one response body for now (response streaming over
//! the Invoke API comes with the front-door work).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use tokio::sync::mpsc;

use crate::Error;
pub use crate::types::StreamResponse as Response;

/// Creates a body stream and the sender that writes to it.
pub fn channel() -> (Sender, Body) {
    let (tx, rx) = mpsc::unbounded_channel();
    (Sender { tx }, Body { rx })
}

/// The sending half of a body stream.
#[derive(Debug)]
pub struct Sender {
    tx: mpsc::UnboundedSender<Result<Bytes, Error>>,
}

impl Sender {
    /// Sends a chunk of the body; fails once the body has been dropped.
    pub async fn send_data(&mut self, data: Bytes) -> Result<(), Error> {
        self.tx
            .send(Ok(data))
            .map_err(|_| Error::from("the response body was dropped"))
    }

    /// Ends the stream with an error (`Runtime.StreamError` on Lambda).
    pub fn abort(self, error: Error) {
        let _ = self.tx.send(Err(error));
    }
}

/// A response body: the stream of chunks its [`Sender`] writes.
#[derive(Debug)]
pub struct Body {
    rx: mpsc::UnboundedReceiver<Result<Bytes, Error>>,
}

impl Stream for Body {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}
