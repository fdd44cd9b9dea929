//! What [`handler!`](crate::handler) accepts: a handler `fn` or `async fn` taking a
//! [`LambdaEvent<T>`] and returning `Result<R, E>` (or, streaming, taking a [`ResponseStream`]
//! too and returning `Result<(), E>`), and an init `fn` or `async fn` returning
//! `Result<(), E>`. An `async` one is driven to completion on the spot: the handler world
//! calls one handler at a time, so there is nothing else to run meanwhile.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crate::LambdaEvent;
use crate::stream::ResponseStream;

/// A handler: `fn(LambdaEvent<T>) -> Result<R, E>` or `async fn(LambdaEvent<T>) -> Result<R, E>`.
/// `Marker` only tells the two apart.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a handler `lambda_sim_guest::handler!` can export",
    label = "expected `fn(LambdaEvent<T>) -> Result<R, E>` or `async fn(LambdaEvent<T>) -> Result<R, E>`",
    note = "write the handler as `fn handler(event: LambdaEvent<T>) -> Result<R, Error>` (or `async fn`), where `T: Deserialize`, `R: Serialize` and `E` displays or converts into `Diagnostic`; a handler that also takes a `ResponseStream` is exported with `handler!(handler, stream)`"
)]
pub trait Handler<Marker> {
    /// The event's payload type.
    type Payload;
    /// The response type.
    type Response;
    /// The error type.
    type Error;

    /// Calls the handler to completion.
    fn call(&self, event: LambdaEvent<Self::Payload>) -> Result<Self::Response, Self::Error>;
}

/// An init: `fn() -> Result<(), E>` or `async fn() -> Result<(), E>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an init function `lambda_sim_guest::handler!` can run",
    label = "expected `fn() -> Result<(), E>` or `async fn() -> Result<(), E>`",
    note = "write init as `fn init() -> Result<(), Error>` (or `async fn`) and pass it as `handler!(handler, init = init)`"
)]
pub trait Init<Marker> {
    /// The error type.
    type Error;

    /// Runs the init to completion.
    fn call(&self) -> Result<(), Self::Error>;
}

#[doc(hidden)]
pub struct Blocking;
#[doc(hidden)]
pub struct Async;

impl<F, T, R, E> Handler<(Blocking, T, R, E)> for F
where
    F: Fn(LambdaEvent<T>) -> Result<R, E>,
{
    type Payload = T;
    type Response = R;
    type Error = E;

    fn call(&self, event: LambdaEvent<T>) -> Result<R, E> {
        self(event)
    }
}

impl<F, Fut, T, R, E> Handler<(Async, T, R, E)> for F
where
    F: Fn(LambdaEvent<T>) -> Fut,
    Fut: Future<Output = Result<R, E>>,
{
    type Payload = T;
    type Response = R;
    type Error = E;

    fn call(&self, event: LambdaEvent<T>) -> Result<R, E> {
        block_on(self(event))
    }
}

impl<F, E> Init<(Blocking, E)> for F
where
    F: Fn() -> Result<(), E>,
{
    type Error = E;

    fn call(&self) -> Result<(), E> {
        self()
    }
}

impl<F, Fut, E> Init<(Async, E)> for F
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    type Error = E;

    fn call(&self) -> Result<(), E> {
        block_on(self())
    }
}

/// Polls `future` until it is ready. Nothing in the handler world wakes a future later (the
/// stores answer at once), so a pending future is polled again straight away.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::yield_now();
    }
}

/// A streaming handler: `fn(LambdaEvent<T>, ResponseStream) -> Result<(), E>` or the same
/// `async fn`, exported with `handler!(handler, stream)`. What it writes is the response; an
/// `Err` is the invocation's error. `Marker` only tells the two apart.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a streaming handler `lambda_sim_guest::handler!(.., stream)` can export",
    label = "expected `fn(LambdaEvent<T>, ResponseStream) -> Result<(), E>` or the same `async fn`",
    note = "write the handler as `fn handler(event: LambdaEvent<T>, stream: ResponseStream) -> Result<(), Error>` (or `async fn`), where `T: Deserialize` and `E` displays or converts into `Diagnostic`"
)]
pub trait StreamHandler<Marker> {
    /// The event's payload type.
    type Payload;
    /// The error type.
    type Error;

    /// Calls the handler to completion.
    fn call(
        &self,
        event: LambdaEvent<Self::Payload>,
        stream: ResponseStream,
    ) -> Result<(), Self::Error>;
}

impl<F, T, E> StreamHandler<(Blocking, T, E)> for F
where
    F: Fn(LambdaEvent<T>, ResponseStream) -> Result<(), E>,
{
    type Payload = T;
    type Error = E;

    fn call(&self, event: LambdaEvent<T>, stream: ResponseStream) -> Result<(), E> {
        self(event, stream)
    }
}

impl<F, Fut, T, E> StreamHandler<(Async, T, E)> for F
where
    F: Fn(LambdaEvent<T>, ResponseStream) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    type Payload = T;
    type Error = E;

    fn call(&self, event: LambdaEvent<T>, stream: ResponseStream) -> Result<(), E> {
        block_on(self(event, stream))
    }
}
