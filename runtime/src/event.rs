//! Asynchronous (`Event`) invocations: accepted at once, delivered in the background, retried
//! twice on error as Lambda does, each attempt under the same request id.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::{Error, Function, Invocation, Payload, Result};

/// The largest asynchronous payload, in bytes (1 MB since October 2025; 256 KB before).
pub const MAX_EVENT_PAYLOAD: usize = 1_048_576;

/// Throttles are retried (not counted as attempts) for up to this long, as Lambda does.
const THROTTLE_RETRY_LIMIT: Duration = Duration::from_secs(6 * 3600);

/// An accepted event (HTTP 202): its request id, and its delivery running in the background.
pub struct EventInvocation {
    /// The request id every attempt carries.
    pub request_id: String,
    task: JoinHandle<EventOutcome>,
}

/// How an event's delivery ended.
#[derive(Clone, Debug)]
pub struct EventOutcome {
    /// The request id every attempt carried.
    pub request_id: String,
    /// Each attempt, in order: the first, then up to two retries.
    pub attempts: Vec<Invocation>,
    /// Throttles and other refusals met along the way (retried, not counted as attempts).
    pub refusals: Vec<String>,
}

impl EventOutcome {
    /// Whether an attempt succeeded.
    pub fn succeeded(&self) -> bool {
        self.attempts.last().is_some_and(|a| a.result.is_ok())
    }
}

impl EventInvocation {
    /// Waits for the delivery to end.
    pub async fn outcome(self) -> EventOutcome {
        let request_id = self.request_id.clone();
        self.task.await.unwrap_or_else(|err| EventOutcome {
            request_id,
            attempts: Vec::new(),
            refusals: vec![format!("the delivery task failed: {err}")],
        })
    }
}

impl Function {
    /// Invokes asynchronously (`InvocationType: Event`): checks the payload (at most 1 MB),
    /// then delivers it on a tokio task. An attempt that fails (a function error, a timeout, a
    /// crash) is retried after the configured delays (1 then 2 minutes by default), at most
    /// twice; a throttle is retried after the same delays without counting. Must be called
    /// within a tokio runtime.
    pub fn invoke_event(&self, payload: &Payload) -> Result<EventInvocation> {
        if payload.as_bytes().len() > MAX_EVENT_PAYLOAD {
            return Err(Error::InvalidRequest {
                error_type: "RequestEntityTooLargeException",
                message: format!(
                    "Request must be smaller than {MAX_EVENT_PAYLOAD} bytes for the InvokeFunction operation"
                ),
            });
        }
        let request_id = self.inner.runtime.request_id();
        let function = self.clone();
        let payload = payload.clone();
        let id = request_id.clone();
        let task = tokio::spawn(async move { function.deliver(id, payload).await });
        Ok(EventInvocation { request_id, task })
    }

    async fn deliver(&self, request_id: String, payload: Payload) -> EventOutcome {
        let runtime = &self.inner.runtime;
        let clock = &runtime.clock;
        let delays = runtime.config.event_retry_delays.clone();
        let started = clock.now();
        let mut outcome = EventOutcome {
            request_id: request_id.clone(),
            attempts: Vec::new(),
            refusals: Vec::new(),
        };
        let mut at = started;
        loop {
            let retry = outcome.attempts.len().min(delays.len().saturating_sub(1));
            let delay = delays
                .get(retry)
                .copied()
                .unwrap_or(Duration::from_secs(60));
            match self
                .invoke_with_id(at, &payload, Some(request_id.clone()))
                .await
            {
                Ok(invocation) => {
                    let ends_at = invocation.ends_at;
                    let failed = invocation.result.is_err();
                    outcome.attempts.push(invocation);
                    if !failed || outcome.attempts.len() > delays.len() {
                        return outcome;
                    }
                    at = ends_at + delay;
                }
                Err(err) => {
                    outcome
                        .refusals
                        .push(format!("{}: {err}", err.error_type()));
                    if clock.now().saturating_sub(started) >= THROTTLE_RETRY_LIMIT {
                        return outcome;
                    }
                    at = clock.now().max(at) + delay;
                }
            }
            if !clock.is_virtual() {
                let now = clock.now();
                if at > now {
                    tokio::time::sleep(at - now).await;
                }
            }
        }
    }
}
