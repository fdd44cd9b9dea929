//! The asynchronous (`Event`) invocations a server accepted: each one is delivered in the
//! background (with Lambda's retries) and accounted for until it ends, so that a shutdown
//! can say which were delivered, which failed, and which were still queued.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use lambda_sim_runtime::{EventInvocation, EventOutcome};
use tokio::sync::Notify;

/// What became of the accepted events.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventTally {
    /// Events accepted (202).
    pub accepted: u64,
    /// Events an attempt succeeded for.
    pub delivered: u64,
    /// Events whose every attempt failed (retries exhausted) or that were never admitted.
    pub failed: u64,
    /// Events still queued or retrying, as `(request id, function)`.
    pub pending: Vec<(String, String)>,
}

#[derive(Default)]
struct Book {
    accepted: u64,
    delivered: u64,
    failed: u64,
    pending: BTreeMap<String, String>,
}

/// The accepted events, shared by the request handlers and their delivery tasks.
#[derive(Clone, Default)]
pub(crate) struct Events {
    book: Arc<Mutex<Book>>,
    settled: Arc<Notify>,
}

impl Events {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.book.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tracks an accepted event until its delivery ends; `done` sees the outcome (to log it).
    pub(crate) fn track(
        &self,
        function: &str,
        event: EventInvocation,
        done: impl FnOnce(&EventOutcome) + Send + 'static,
    ) {
        {
            let mut book = self.book();
            book.accepted += 1;
            book.pending
                .insert(event.request_id.clone(), function.to_owned());
        }
        let events = self.clone();
        tokio::spawn(async move {
            let outcome = event.outcome().await;
            done(&outcome);
            let mut book = events.book();
            book.pending.remove(&outcome.request_id);
            if outcome.succeeded() {
                book.delivered += 1;
            } else {
                book.failed += 1;
            }
            drop(book);
            events.settled.notify_waiters();
        });
    }

    /// The tally now.
    pub(crate) fn tally(&self) -> EventTally {
        let book = self.book();
        EventTally {
            accepted: book.accepted,
            delivered: book.delivered,
            failed: book.failed,
            pending: book
                .pending
                .iter()
                .map(|(id, f)| (id.clone(), f.clone()))
                .collect(),
        }
    }

    /// Waits, at most `limit`, for the deliveries in progress: until no event is pending, or
    /// none of the pending ones has an attempt running (the rest wait for a retry minutes
    /// away and are reported, not waited for). `running` counts the attempts on the host.
    pub(crate) async fn settle(&self, limit: std::time::Duration, running: impl Fn() -> usize) {
        let wait = async {
            let mut idle_checks = 0;
            loop {
                let notified = self.settled.notified();
                if self.book().pending.is_empty() {
                    return;
                }
                if running() == 0 {
                    // Twice in a row, a tick apart: an event accepted just before the
                    // shutdown may not have started its first attempt yet.
                    idle_checks += 1;
                    if idle_checks >= 2 {
                        return;
                    }
                } else {
                    idle_checks = 0;
                }
                let _ = tokio::time::timeout(std::time::Duration::from_millis(20), notified).await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }
}
