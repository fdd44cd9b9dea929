//! Test helpers: a closure as a [`Target`], a poll-to-completion executor and a driver loop.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use serde_json::Value;

use crate::{Outcome, Source, Target};

/// A [`Target`] over a closure of the invocation time and the event; it records each event.
pub(crate) struct FnTarget<F> {
    pub f: F,
    pub events: Vec<(Duration, Value)>,
}

impl<F: FnMut(Duration, &Value) -> Outcome> FnTarget<F> {
    pub(crate) fn new(f: F) -> Self {
        Self {
            f,
            events: Vec::new(),
        }
    }
}

impl<F: FnMut(Duration, &Value) -> Outcome> Target for FnTarget<F> {
    async fn invoke(&mut self, at: Duration, event: Vec<u8>) -> Outcome {
        let event: Value = serde_json::from_slice(&event).expect("the event is JSON");
        let outcome = (self.f)(at, &event);
        self.events.push((at, event));
        outcome
    }
}

/// An outcome returning `body` after `took`.
pub(crate) fn ok(at: Duration, took: Duration, body: &str) -> Outcome {
    Outcome {
        result: Ok(body.as_bytes().to_vec()),
        throttled: false,
        ends_at: at + took,
    }
}

/// A function error (`Error`) after `took`.
pub(crate) fn error(at: Duration, took: Duration) -> Outcome {
    Outcome {
        result: Err(("Error".into(), "boom".into())),
        throttled: false,
        ends_at: at + took,
    }
}

/// A throttled invocation.
pub(crate) fn throttled(at: Duration) -> Outcome {
    Outcome {
        result: Err(("TooManyRequestsException".into(), "Rate Exceeded.".into())),
        throttled: true,
        ends_at: at,
    }
}

/// Runs `future` to completion; the futures of these tests never wait.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Steps `source` at each time it asks for, up to `until`; returns the step times.
pub(crate) fn run_until(
    source: &mut impl Source,
    target: &mut impl Target,
    until: Duration,
) -> Vec<Duration> {
    let mut steps = Vec::new();
    while let Some(at) = source.next_at() {
        if at > until {
            break;
        }
        if let Some(&last) = steps.last() {
            assert!(at >= last, "next_at went back from {last:?} to {at:?}");
        }
        assert!(steps.len() < 100_000, "the source does not settle");
        block_on(source.step(at, target));
        steps.push(at);
    }
    steps
}
