//! One invocation behind the front door: the function run on its own task under the
//! integration's timeout (past it the caller gets the timeout answer and the invocation runs
//! on, as on AWS, logged when it ends), its outcome logged as the Invoke API logs it.

use std::sync::Arc;
use std::time::Duration;

use lambda_sim_runtime::{Function, Invocation, InvokeOptions, Payload, ResponseSink};

use crate::Shared;

/// How an invocation behind the front door ended, for the caller.
pub(crate) enum Outcome {
    /// The function ran (its response, or its error, is in the invocation).
    Ran(Box<Invocation>),
    /// Lambda refused it (a throttle, no sandbox left).
    Refused(lambda_sim_runtime::Error),
    /// The integration timed out first.
    TimedOut,
}

/// Invokes `function` with `payload`, waiting at most `timeout` (none: the function's own).
pub(crate) async fn invoke(
    shared: &Arc<Shared>,
    function: &Function,
    payload: Payload,
    timeout: Option<Duration>,
    stream: Option<ResponseSink>,
) -> Outcome {
    let options = InvokeOptions {
        stream,
        ..InvokeOptions::default()
    };
    // Run here (no task hop on the hot path); past the timeout, the rest runs on a task.
    let mut running = Box::pin({
        let function = function.clone();
        let shared = shared.clone();
        async move {
            let outcome = function.invoke(&payload, options).await;
            log(&shared, &function, &outcome);
            outcome
        }
    });
    let outcome = match timeout {
        Some(limit) => tokio::select! {
            outcome = &mut running => outcome,
            () = tokio::time::sleep(limit) => {
                tokio::spawn(running);
                return Outcome::TimedOut;
            }
        },
        None => running.await,
    };
    match outcome {
        Ok(invocation) => Outcome::Ran(Box::new(invocation)),
        Err(err) => Outcome::Refused(err),
    }
}

fn log(shared: &Shared, function: &Function, outcome: &lambda_sim_runtime::Result<Invocation>) {
    let Some(log) = &shared.log else {
        return;
    };
    match outcome {
        Ok(invocation) => log.invocation(invocation),
        Err(err) => log.note(&format!(
            "{} refused an invocation: {} ({})",
            function.config().name,
            err,
            err.error_type()
        )),
    }
}

/// Writes a front-door note (why an answer is an error) to the log, if there is one.
pub(crate) fn note(shared: &Shared, line: &str) {
    if let Some(log) = &shared.log {
        log.note(line);
    }
}
