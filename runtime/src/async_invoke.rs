//! Asynchronous invocations (`InvocationType: Event`): accepted at once, delivered in the
//! background under Lambda's [`RetryPolicy`], each attempt under the same request id.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::{Error, Function, Invocation, InvokeOptions, Payload, Result};

/// The largest asynchronous payload, in bytes (1 MB since October 2025; 256 KB before).
pub const MAX_EVENT_PAYLOAD: usize = 1_048_576;

/// Lambda's retries of an asynchronous invocation: after a failed attempt (a function error,
/// a timeout, a crash) it waits and tries again, at most once per delay; a refused attempt
/// (a throttle) is tried again without counting, for up to six hours.
///
/// ```
/// use std::time::Duration;
/// use lambda_sim_runtime::RetryPolicy;
///
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.after_failure(1), Some(Duration::from_secs(60)));
/// assert_eq!(policy.after_failure(2), Some(Duration::from_secs(120)));
/// assert_eq!(policy.after_failure(3), None);
/// assert_eq!(policy.after_refusal(0, Duration::from_secs(7 * 3600)), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait before each retry after a failed attempt: as many retries as delays.
    /// Default 60 s then 120 s (Lambda's two retries).
    pub delays: Vec<Duration>,
    /// How long refused attempts are tried again before the event is given up. Default six
    /// hours.
    pub refusal_limit: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::with_delays(vec![Duration::from_secs(60), Duration::from_secs(120)])
    }
}

impl RetryPolicy {
    /// Lambda's policy with other waits before the retries.
    pub fn with_delays(delays: Vec<Duration>) -> Self {
        RetryPolicy {
            delays,
            refusal_limit: Duration::from_secs(6 * 3600),
        }
    }

    /// The wait before the next attempt after attempt number `attempts` (from 1) failed, or
    /// `None` when the retries are spent.
    pub fn after_failure(&self, attempts: usize) -> Option<Duration> {
        let index = attempts.checked_sub(1)?;
        self.delays.get(index).copied()
    }

    /// The wait before trying again after a refusal, with `attempts` attempts made so far and
    /// `waited` since the event arrived, or `None` when refusals have lasted too long.
    pub fn after_refusal(&self, attempts: usize, waited: Duration) -> Option<Duration> {
        if waited >= self.refusal_limit {
            return None;
        }
        let index = attempts.min(self.delays.len().saturating_sub(1));
        Some(
            self.delays
                .get(index)
                .copied()
                .unwrap_or(Duration::from_secs(60)),
        )
    }
}

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
    /// then delivers it on a tokio task under the [`RetryPolicy`] with the runtime's
    /// `event_retry_delays` (1 then 2 minutes by default). Must be called within a tokio
    /// runtime.
    pub fn invoke_event(&self, payload: &Payload) -> Result<EventInvocation> {
        self.invoke_event_following(payload, || None)
    }

    /// [`Function::invoke_event`] where each attempt runs on the function `follow` returns
    /// then (this one when it returns `None`): a retry after a redeployment (`lambda-sim
    /// watch`'s swap) runs the new code, as Lambda's retries run the `$LATEST` of their time.
    pub fn invoke_event_following(
        &self,
        payload: &Payload,
        follow: impl Fn() -> Option<Function> + Send + 'static,
    ) -> Result<EventInvocation> {
        if payload.as_bytes().len() > MAX_EVENT_PAYLOAD {
            return Err(Error::InvalidRequest {
                error_type: "RequestEntityTooLargeException",
                message: format!(
                    "Request must be smaller than {MAX_EVENT_PAYLOAD} bytes for the InvokeFunction operation"
                ),
            });
        }
        let request_id = self.new_request_id();
        let function = self.clone();
        let payload = payload.clone();
        let id = request_id.clone();
        let task = tokio::spawn(async move { function.deliver(id, payload, follow).await });
        Ok(EventInvocation { request_id, task })
    }

    async fn deliver(
        &self,
        request_id: String,
        payload: Payload,
        follow: impl Fn() -> Option<Function>,
    ) -> EventOutcome {
        let clock = self.clock();
        let policy = RetryPolicy::with_delays(self.inner.shared.config.event_retry_delays.clone());
        let started = clock.now();
        let mut outcome = EventOutcome {
            request_id: request_id.clone(),
            attempts: Vec::new(),
            refusals: Vec::new(),
        };
        let mut at = started;
        loop {
            let options = InvokeOptions::at(at).request_id(request_id.clone());
            let function = follow().unwrap_or_else(|| self.clone());
            match function.invoke(&payload, options).await {
                Ok(invocation) => {
                    let ends_at = invocation.ends_at;
                    let failed = invocation.result.is_err();
                    outcome.attempts.push(invocation);
                    let retry = policy.after_failure(outcome.attempts.len());
                    match retry {
                        Some(delay) if failed => at = ends_at + delay,
                        _ => return outcome,
                    }
                }
                Err(err) => {
                    outcome
                        .refusals
                        .push(format!("{}: {err}", err.error_type()));
                    let waited = clock.now().saturating_sub(started);
                    match policy.after_refusal(outcome.attempts.len(), waited) {
                        Some(delay) => at = clock.now().max(at) + delay,
                        None => return outcome,
                    }
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
