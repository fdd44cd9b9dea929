//! An SQS event-source mapping: pollers that receive batches, invoke, and delete what
//! succeeded.

use std::time::Duration;

use super::batch_event::{self, EventContext};
use super::config::SqsMappingConfig;
use super::queue::Queue;
use super::stats::{SqsInvocation, SqsStats};
use crate::error::ConfigError;
use crate::outcome::{BatchEnd, Read};
use crate::response::ItemFailures;
use crate::target::{Source, Target};

/// The concurrent batches of a mapping without `ScalingConfig` (Lambda starts with five
/// pollers; their scaling up is not modelled).
pub const DEFAULT_POLLERS: u32 = 5;

/// Lambda's limit on a synchronous invocation's payload (6 MB).
const MAX_PAYLOAD: usize = 6 * 1024 * 1024;

/// The least time an invocation takes in the model, so that simulated time always advances.
const MIN_INVOCATION: Duration = Duration::from_millis(1);

/// An SQS event-source mapping over a [`Queue`], as a [`Source`] of invocations.
///
/// # Model
/// - **Pollers.** `ScalingConfig.MaximumConcurrency` pollers (default
///   [`DEFAULT_POLLERS`]), each with at most one batch in flight; free pollers take batches in
///   index order. Pollers long-poll, so a message is seen as soon as it is visible.
/// - **Batching.** A free poller receives a batch when `BatchSize` messages are visible, or
///   when `MaximumBatchingWindowInSeconds` has passed since a free poller first saw a visible
///   message (with a window of 0: at once). A batch holds at most `BatchSize` messages and
///   6 MB (each message counting its body and 1 KB). The receive starts the messages'
///   visibility timeouts, counts toward their receive count, and moves a message past its
///   redrive policy's `maxReceiveCount` to the dead-letter queue instead of delivering it.
/// - **Outcomes.** Success deletes the batch; with `ReportBatchItemFailures`, a valid
///   `batchItemFailures` (message ids) deletes the other messages; a function error, an
///   invalid response or an id not in the batch deletes none. What is not deleted reappears
///   after the visibility timeout. Deletes are applied when the invocation returns, even if
///   the visibility timeout ran out during it.
/// - **Throttles.** A throttled batch is not deleted (its messages reappear after the
///   visibility timeout, and the receive counted, as in Lambda); the poller backs off 1 s,
///   doubling up to 60 s while throttles continue.
#[derive(Debug)]
pub struct SqsMapping {
    queue: Queue,
    config: SqsMappingConfig,
    ctx: EventContext,
    window: Duration,
    pollers: Vec<Duration>,
    throttle_streak: u32,
    window_start: Option<Duration>,
    stats: SqsStats,
    invocations: Vec<SqsInvocation>,
    last_now: Duration,
}

impl SqsMapping {
    /// Creates a mapping of `config` over `queue`.
    pub fn new(queue: Queue, config: SqsMappingConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let pollers = config
            .scaling_config
            .map_or(DEFAULT_POLLERS, |s| s.maximum_concurrency);
        let ctx = EventContext {
            queue_arn: queue.arn(),
            region: queue.region(),
            sender_id: queue.account(),
        };
        Ok(Self {
            window: Duration::from_secs(config.maximum_batching_window_in_seconds.into()),
            queue,
            config,
            ctx,
            pollers: vec![Duration::ZERO; pollers as usize],
            throttle_streak: 0,
            window_start: None,
            stats: SqsStats::default(),
            invocations: Vec::new(),
            last_now: Duration::ZERO,
        })
    }

    /// The mapping's settings.
    pub fn config(&self) -> &SqsMappingConfig {
        &self.config
    }

    /// The counters so far.
    pub fn stats(&self) -> SqsStats {
        self.stats.clone()
    }

    /// Every invocation so far, in the order made.
    pub fn invocations(&self) -> &[SqsInvocation] {
        &self.invocations
    }

    /// Whether the queue is empty: every message sent so far was deleted or dead-lettered.
    pub fn is_done(&self) -> bool {
        self.queue.is_empty()
    }

    /// Whether a batch is due at `now` for a free poller.
    fn ready(&mut self, now: Duration) -> bool {
        let batch_size = self.config.batch_size as usize;
        let visible = self.queue.visible_len(now);
        if visible == 0 {
            self.window_start = None;
            return false;
        }
        let start = *self.window_start.get_or_insert(now);
        visible >= batch_size || start + self.window <= now
    }

    /// Sends one batch from poller `p`; returns false if the receive gave nothing (every
    /// message went to the dead-letter queue).
    async fn dispatch(&mut self, p: usize, now: Duration, target: &mut impl Target) -> bool {
        let dead_before = self.queue.moved_to_dead_letter();
        let batch = self
            .queue
            .receive_messages(now, self.config.batch_size as usize, MAX_PAYLOAD);
        self.stats.messages_to_dead_letter += self.queue.moved_to_dead_letter() - dead_before;
        if batch.is_empty() {
            return false;
        }
        self.window_start = None;
        let outcome = target
            .invoke(now, batch_event::envelope(&self.ctx, &batch))
            .await;
        let ends = outcome.ends_at.max(now + MIN_INVOCATION);
        self.pollers[p] = ends;
        let ids: Vec<String> = batch.iter().map(|m| m.message.message_id.clone()).collect();
        let (end, keep): (BatchEnd, Vec<bool>) =
            match Read::of(&outcome, self.config.reports_item_failures()) {
                Read::Throttled => (BatchEnd::Throttled, vec![true; batch.len()]),
                Read::FunctionError(error_type) => {
                    (BatchEnd::FunctionError(error_type), vec![true; batch.len()])
                }
                Read::Response(ItemFailures::None) => (BatchEnd::Success, vec![false; batch.len()]),
                Read::Response(ItemFailures::Invalid) => {
                    (BatchEnd::InvalidResponse, vec![true; batch.len()])
                }
                Read::Response(ItemFailures::Failed(failed)) => {
                    if failed.iter().all(|f| ids.contains(f)) {
                        let keep: Vec<bool> = ids.iter().map(|id| failed.contains(id)).collect();
                        let retried = keep.iter().filter(|&&k| k).count();
                        (BatchEnd::PartialFailure { retried }, keep)
                    } else {
                        (BatchEnd::InvalidResponse, vec![true; batch.len()])
                    }
                }
            };
        if end == BatchEnd::Throttled {
            self.stats.throttles += 1;
            let backoff = Duration::from_secs(1 << self.throttle_streak.min(6));
            self.throttle_streak += 1;
            self.pollers[p] = ends + backoff.min(Duration::from_secs(60));
        } else {
            self.throttle_streak = 0;
        }
        for (message, keep) in batch.iter().zip(&keep) {
            if *keep {
                self.stats.messages_returned += 1;
            } else if self.queue.delete_message(&message.receipt_handle) {
                self.stats.messages_deleted += 1;
            }
        }
        self.stats.invocations += 1;
        self.stats.successful_batches += u64::from(end.is_success());
        self.invocations.push(SqsInvocation {
            poller: p as u32,
            message_ids: ids,
            invoked_at: now,
            ends_at: outcome.ends_at,
            end,
        });
        true
    }
}

impl Source for SqsMapping {
    fn next_at(&self) -> Option<Duration> {
        let first = self.queue.nth_visible_at(1)?;
        let free = self.pollers.iter().min().copied().unwrap_or_default();
        let at = match self.window_start {
            // Gathering: the window's end, or when a full batch is visible.
            Some(start) if !self.window.is_zero() => {
                let full = self.queue.nth_visible_at(self.config.batch_size as usize);
                full.map_or(start + self.window, |full| full.min(start + self.window))
            }
            _ => first,
        };
        Some(at.max(free).max(self.last_now))
    }

    async fn step(&mut self, now: Duration, target: &mut impl Target) {
        self.last_now = self.last_now.max(now);
        while let Some(p) = self
            .pollers
            .iter()
            .position(|&busy_until| busy_until <= now)
        {
            if !self.ready(now) || !self.dispatch(p, now, target).await {
                break;
            }
        }
    }
}
