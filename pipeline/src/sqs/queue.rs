//! An SQS standard queue: messages, visibility timeout, receive counts, delays, retention,
//! redrive to a dead-letter queue.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use crate::error::ConfigError;
use crate::ids::uuid_from;

/// How much a received message counts toward a batch's payload besides its body: its
/// attributes, ids and receipt handle in the event.
pub(crate) const MESSAGE_OVERHEAD: usize = 1024;

/// The largest message SQS takes, body and message attributes together: 1 MiB since August
/// 2025 (256 KiB before).
pub(crate) const MAX_MESSAGE_SIZE: usize = 1 << 20;

/// A queue's settings, checked by [`Queue::new`].
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// The queue's name (1-80 letters, digits, `-`, `_`). Default `queue`.
    pub name: String,
    /// The region in the queue's ARN. Default `us-east-1`.
    pub region: String,
    /// The account in the queue's ARN (and the events' `SenderId`). Default `123456789012`.
    pub account: String,
    /// How long a received message stays invisible (0 s to 12 h). Default 30 s.
    pub visibility_timeout: Duration,
    /// Where a message goes when received more than `max_receive_count` times. Default none.
    pub redrive_policy: Option<RedrivePolicy>,
    /// `DelaySeconds`: how long a sent message stays invisible before it can first be
    /// received (0-900 s). Default 0.
    pub delay: Duration,
    /// `MessageRetentionPeriod`: how long the queue keeps a message after it was sent (60 s
    /// to 14 days); older ones are dropped. Default 4 days.
    pub message_retention: Duration,
    /// `MaximumMessageSize` in bytes, body and message attributes together (1,024 to
    /// 1 MiB). Default 1 MiB, SQS's limit since August 2025. Checked by the API that sends.
    pub maximum_message_size: usize,
    /// `ReceiveMessageWaitTimeSeconds`: how long a receive that names no wait waits for a
    /// message (0-20 s). Default 0. Used by the API that receives.
    pub receive_wait_time: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            name: "queue".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
            visibility_timeout: Duration::from_secs(30),
            redrive_policy: None,
            delay: Duration::ZERO,
            message_retention: Duration::from_secs(4 * 24 * 3600),
            maximum_message_size: MAX_MESSAGE_SIZE,
            receive_wait_time: Duration::ZERO,
        }
    }
}

impl QueueConfig {
    /// Checks every setting against SQS's ranges.
    fn validate(&self) -> Result<(), ConfigError> {
        ConfigError::check_name("queue", &self.name, 80, false)?;
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        let timeout = secs(self.visibility_timeout);
        ConfigError::check("visibility timeout in seconds", "SQS", timeout, 0, 43_200)?;
        ConfigError::check("delay in seconds", "SQS", secs(self.delay), 0, 900)?;
        let retention = secs(self.message_retention);
        ConfigError::check(
            "message retention period in seconds",
            "SQS",
            retention,
            60,
            1_209_600,
        )?;
        let size = i64::try_from(self.maximum_message_size).unwrap_or(i64::MAX);
        let max = MAX_MESSAGE_SIZE as i64;
        ConfigError::check("maximum message size", "SQS", size, 1024, max)?;
        let wait = secs(self.receive_wait_time);
        ConfigError::check("receive message wait time in seconds", "SQS", wait, 0, 20)?;
        if let Some(redrive) = &self.redrive_policy
            && !(1..=1000).contains(&redrive.max_receive_count)
        {
            return Err(ConfigError::MaxReceiveCount {
                value: redrive.max_receive_count,
            });
        }
        Ok(())
    }
}

/// A queue's `RedrivePolicy`.
#[derive(Debug, Clone)]
pub struct RedrivePolicy {
    /// The dead-letter queue.
    pub dead_letter_queue: Queue,
    /// Receives allowed before a message moves to the dead-letter queue (1-1,000): the
    /// receive after the last allowed one moves it instead of delivering it.
    pub max_receive_count: u32,
}

/// A message as the queue holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueMessage {
    /// The message id (UUID-shaped, deterministic).
    pub message_id: String,
    /// The body.
    pub body: String,
    /// When it was sent (to this queue, or to the source queue for a dead-lettered message).
    pub sent_at: Duration,
    /// How many times it has been received.
    pub receive_count: u32,
    /// When it was first received.
    pub first_received_at: Option<Duration>,
    /// When it is (or becomes) visible.
    pub visible_at: Duration,
}

/// A message handed out by a receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// The message as it is after this receive.
    pub message: QueueMessage,
    /// The handle that deletes it until the next receive.
    pub receipt_handle: String,
}

/// The message attributes sent with a message: SQS's JSON `MessageAttributes` map (name to
/// `{"DataType", "StringValue" | "BinaryValue"}`), kept as the sender's API checked it.
pub type MessageAttributes = Map<String, Value>;

#[derive(Debug)]
struct Held {
    message: QueueMessage,
    attributes: MessageAttributes,
    receipt_handle: Option<String>,
}

#[derive(Debug)]
struct QueueState {
    config: QueueConfig,
    arn: String,
    /// By arrival order (a counter), so that ties in visibility keep sending order.
    messages: BTreeMap<u64, Held>,
    /// The held messages by visibility time, then sending order: a receive reads the visible
    /// ones without scanning the rest.
    by_visibility: BTreeSet<(Duration, u64)>,
    /// The held messages by their latest receipt handle.
    by_handle: BTreeMap<String, u64>,
    /// No held message was sent before this (a lower bound: expiry scans only once the
    /// oldest message may have outlived the retention period).
    oldest_sent: Duration,
    next_seq: u64,
    moved_to_dead_letter: u64,
    deleted: u64,
}

/// An SQS standard queue, shared by its producers and the mappings that read it.
///
/// Like [`Stream`](crate::Stream), `Queue` is an `Arc<Mutex<..>>` handle: clones share one
/// queue. Receives hand out visible messages in order of the time they became visible, then of
/// sending (a deterministic order; SQS standard queues promise none).
#[derive(Debug, Clone)]
pub struct Queue {
    state: Arc<Mutex<QueueState>>,
}

impl Queue {
    /// The queue's state; a panic elsewhere while it was held leaves it usable (every change
    /// is made whole under the lock).
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Creates a queue.
    pub fn new(config: QueueConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let arn = format!(
            "arn:aws:sqs:{}:{}:{}",
            config.region, config.account, config.name
        );
        let state = QueueState {
            config,
            arn,
            messages: BTreeMap::new(),
            by_visibility: BTreeSet::new(),
            by_handle: BTreeMap::new(),
            oldest_sent: Duration::MAX,
            next_seq: 0,
            moved_to_dead_letter: 0,
            deleted: 0,
        };
        Ok(Self {
            state: Arc::new(Mutex::new(state)),
        })
    }

    /// The queue's ARN, `arn:aws:sqs:<region>:<account>:<name>`.
    pub fn arn(&self) -> String {
        self.lock().arn.clone()
    }

    /// The queue's name.
    pub fn name(&self) -> String {
        self.lock().config.name.clone()
    }

    /// The queue's region.
    pub fn region(&self) -> String {
        self.lock().config.region.clone()
    }

    /// The queue's account.
    pub fn account(&self) -> String {
        self.lock().config.account.clone()
    }

    /// The visibility timeout.
    pub fn visibility_timeout(&self) -> Duration {
        self.lock().config.visibility_timeout
    }

    /// The queue's settings.
    pub fn config(&self) -> QueueConfig {
        self.lock().config.clone()
    }

    /// Changes the queue's settings (`SetQueueAttributes`), checked as [`Queue::new`] checks
    /// them; the name, region and account stay the queue's. Held messages keep their
    /// visibility; the new settings apply from the next send or receive.
    pub fn reconfigure(&self, config: QueueConfig) -> Result<(), ConfigError> {
        config.validate()?;
        let mut state = self.lock();
        state.config = QueueConfig {
            name: state.config.name.clone(),
            region: state.config.region.clone(),
            account: state.config.account.clone(),
            ..config
        };
        Ok(())
    }

    /// Sends a message at simulation time `at`; it is visible from `at` plus the queue's
    /// delay. Returns its id.
    pub fn send_message(&self, body: &str, at: Duration) -> String {
        self.send_message_with(body, MessageAttributes::new(), at, None)
    }

    /// Sends a message with message attributes at simulation time `at`; it is visible from
    /// `at` plus `delay`, or the queue's delay when `delay` is `None`. Returns its id.
    pub fn send_message_with(
        &self,
        body: &str,
        attributes: MessageAttributes,
        at: Duration,
        delay: Option<Duration>,
    ) -> String {
        let mut state = self.lock();
        let seq = state.next_seq;
        let message_id = uuid_from(&format!("{}:{seq}", state.arn));
        let delay = delay.unwrap_or(state.config.delay);
        state.insert(
            QueueMessage {
                message_id: message_id.clone(),
                body: body.to_owned(),
                sent_at: at,
                receive_count: 0,
                first_received_at: None,
                visible_at: at + delay,
            },
            attributes,
        );
        message_id
    }

    /// Receives up to `max` messages visible at `now`, whose bodies plus 1 KB each fit in
    /// `max_bytes` (at least one). Each receive counts; a message past its redrive policy's
    /// `max_receive_count` moves to the dead-letter queue instead of being returned.
    pub fn receive_messages(
        &self,
        now: Duration,
        max: usize,
        max_bytes: usize,
    ) -> Vec<ReceivedMessage> {
        self.receive_messages_with(now, max, max_bytes, None)
            .into_iter()
            .map(|(message, _)| message)
            .collect()
    }

    /// [`Queue::receive_messages`] with the message attributes of each message, keeping the
    /// received messages invisible for `visibility_timeout` (the queue's when `None`).
    pub fn receive_messages_with(
        &self,
        now: Duration,
        max: usize,
        max_bytes: usize,
        visibility_timeout: Option<Duration>,
    ) -> Vec<(ReceivedMessage, MessageAttributes)> {
        let mut guard = self.lock();
        let state = &mut *guard;
        state.expire(now);
        let visible: Vec<(Duration, u64)> = state
            .by_visibility
            .range(..=(now, u64::MAX))
            .copied()
            .collect();
        let visibility = visibility_timeout.unwrap_or(state.config.visibility_timeout);
        let redrive = state.config.redrive_policy.clone();
        let mut out = Vec::new();
        // Moved once this queue's lock is released: a dead-letter queue may redrive too.
        let mut to_dead_letter = Vec::new();
        let mut bytes = 0;
        for (_, seq) in visible {
            if out.len() == max {
                break;
            }
            let Some(held) = state.messages.get_mut(&seq) else {
                continue;
            };
            let size = held.message.body.len() + MESSAGE_OVERHEAD;
            if !out.is_empty() && bytes + size > max_bytes {
                break;
            }
            held.message.receive_count += 1;
            if let Some(redrive) = &redrive
                && held.message.receive_count > redrive.max_receive_count
            {
                if let Some(held) = state.remove(seq) {
                    state.moved_to_dead_letter += 1;
                    to_dead_letter.push(held);
                }
                continue;
            }
            bytes += size;
            let message = &mut held.message;
            message.first_received_at.get_or_insert(now);
            state.by_visibility.remove(&(message.visible_at, seq));
            message.visible_at = now + visibility;
            state.by_visibility.insert((message.visible_at, seq));
            let handle =
                STANDARD.encode(format!("{}#{}", message.message_id, message.receive_count));
            if let Some(old) = held.receipt_handle.replace(handle.clone()) {
                state.by_handle.remove(&old);
            }
            state.by_handle.insert(handle.clone(), seq);
            let received = ReceivedMessage {
                message: message.clone(),
                receipt_handle: handle,
            };
            out.push((received, held.attributes.clone()));
        }
        drop(guard);
        if let Some(redrive) = &redrive {
            for held in to_dead_letter {
                redrive
                    .dead_letter_queue
                    .dead_letter(held.message, held.attributes, now);
            }
        }
        out
    }

    /// Deletes the message `receipt_handle` was handed out for, if that was its latest
    /// receive. Returns whether a message was deleted.
    pub fn delete_message(&self, receipt_handle: &str) -> bool {
        let mut state = self.lock();
        let Some(&seq) = state.by_handle.get(receipt_handle) else {
            return false;
        };
        state.remove(seq);
        state.deleted += 1;
        true
    }

    /// Whether `receipt_handle` has the shape of the handles receives hand out (whether or
    /// not it is still any message's latest).
    pub fn is_receipt_handle(receipt_handle: &str) -> bool {
        let Some(text) = STANDARD
            .decode(receipt_handle)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
        else {
            return false;
        };
        match text.split_once('#') {
            Some((id, count)) => id.len() == 36 && count.parse::<u32>().is_ok(),
            None => false,
        }
    }

    /// When the message `receipt_handle` was latest handed out for becomes visible again
    /// (in the past when it is no longer in flight); `None` when the handle is no message's
    /// latest (the message was deleted, dead-lettered or received again).
    pub fn in_flight_until(&self, receipt_handle: &str) -> Option<Duration> {
        let state = self.lock();
        let seq = state.by_handle.get(receipt_handle)?;
        state.messages.get(seq).map(|h| h.message.visible_at)
    }

    /// Makes the in-flight message `receipt_handle` was latest handed out for visible again
    /// `timeout` after `now` (`ChangeMessageVisibility`). Returns false, changing nothing,
    /// when there is no such message or it is visible at `now`.
    pub fn change_visibility(
        &self,
        receipt_handle: &str,
        timeout: Duration,
        now: Duration,
    ) -> bool {
        let mut guard = self.lock();
        let state = &mut *guard;
        let Some(&seq) = state.by_handle.get(receipt_handle) else {
            return false;
        };
        let Some(held) = state.messages.get_mut(&seq) else {
            return false;
        };
        if held.message.visible_at <= now {
            return false;
        }
        state.by_visibility.remove(&(held.message.visible_at, seq));
        held.message.visible_at = now + timeout;
        state.by_visibility.insert((held.message.visible_at, seq));
        true
    }

    /// Deletes every message held (`PurgeQueue`); returns how many.
    pub fn purge(&self) -> usize {
        let mut state = self.lock();
        let n = state.messages.len();
        state.messages.clear();
        state.by_visibility.clear();
        state.by_handle.clear();
        state.oldest_sent = Duration::MAX;
        n
    }

    /// The messages held, visible or not, in sending order.
    pub fn messages(&self) -> Vec<QueueMessage> {
        self.lock()
            .messages
            .values()
            .map(|h| h.message.clone())
            .collect()
    }

    /// The number of messages held, visible or not.
    pub fn len(&self) -> usize {
        self.lock().messages.len()
    }

    /// Whether the queue holds no message.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of messages visible at `now` (`ApproximateNumberOfMessages`).
    pub fn visible_len(&self, now: Duration) -> usize {
        let mut state = self.lock();
        state.expire(now);
        state.by_visibility.range(..=(now, u64::MAX)).count()
    }

    /// The number of messages received and not visible at `now`
    /// (`ApproximateNumberOfMessagesNotVisible`).
    pub fn in_flight_len(&self, now: Duration) -> usize {
        self.invisible_len(now, true)
    }

    /// The number of messages never received and not yet visible at `now`: sent with a
    /// delay (`ApproximateNumberOfMessagesDelayed`).
    pub fn delayed_len(&self, now: Duration) -> usize {
        self.invisible_len(now, false)
    }

    /// Messages moved to the dead-letter queue so far.
    pub fn moved_to_dead_letter(&self) -> u64 {
        self.lock().moved_to_dead_letter
    }

    /// Messages deleted so far.
    pub fn deleted(&self) -> u64 {
        self.lock().deleted
    }

    /// The time at which `n` messages are visible (1: the first), if the queue holds `n`.
    pub(crate) fn nth_visible_at(&self, n: usize) -> Option<Duration> {
        let state = self.lock();
        let i = n.checked_sub(1)?;
        state.by_visibility.iter().nth(i).map(|&(at, _)| at)
    }

    /// The messages invisible at `now` that were (`received`) or were not received yet.
    fn invisible_len(&self, now: Duration, received: bool) -> usize {
        let mut state = self.lock();
        state.expire(now);
        let after = (now, u64::MAX);
        state
            .by_visibility
            .range((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
            .filter(|(_, seq)| {
                state
                    .messages
                    .get(seq)
                    .is_some_and(|h| (h.message.receive_count > 0) == received)
            })
            .count()
    }

    /// Takes a message moved from a source queue, keeping its id, body, attributes and
    /// sending time.
    fn dead_letter(&self, message: QueueMessage, attributes: MessageAttributes, now: Duration) {
        self.lock().insert(
            QueueMessage {
                receive_count: 0,
                first_received_at: None,
                visible_at: now,
                ..message
            },
            attributes,
        );
    }
}

impl QueueState {
    /// Takes a message out of the queue and its indexes.
    fn remove(&mut self, seq: u64) -> Option<Held> {
        let held = self.messages.remove(&seq)?;
        self.by_visibility.remove(&(held.message.visible_at, seq));
        if let Some(handle) = &held.receipt_handle {
            self.by_handle.remove(handle);
        }
        Some(held)
    }

    fn insert(&mut self, message: QueueMessage, attributes: MessageAttributes) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.oldest_sent = self.oldest_sent.min(message.sent_at);
        self.by_visibility.insert((message.visible_at, seq));
        self.messages.insert(
            seq,
            Held {
                message,
                attributes,
                receipt_handle: None,
            },
        );
    }

    /// Drops the messages sent a retention period or more before `now`.
    fn expire(&mut self, now: Duration) {
        let retention = self.config.message_retention;
        if self.oldest_sent.saturating_add(retention) > now {
            return;
        }
        let expired: Vec<u64> = self
            .messages
            .iter()
            .filter(|(_, h)| h.message.sent_at + retention <= now)
            .map(|(&seq, _)| seq)
            .collect();
        for seq in expired {
            self.remove(seq);
        }
        self.oldest_sent = self
            .messages
            .values()
            .map(|h| h.message.sent_at)
            .min()
            .unwrap_or(Duration::MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: usize = 1 << 20;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn a_received_message_is_invisible_for_the_visibility_timeout() {
        let q = Queue::new(QueueConfig::default()).expect("valid queue");
        assert_eq!(q.arn(), "arn:aws:sqs:us-east-1:123456789012:queue");
        let id = q.send_message("hello", secs(0));
        let first = q.receive_messages(secs(1), 10, MB);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].message.message_id, id);
        assert_eq!(first[0].message.receive_count, 1);
        assert!(
            q.receive_messages(secs(30), 10, MB).is_empty(),
            "invisible until 31 s"
        );
        let second = q.receive_messages(secs(31), 10, MB);
        assert_eq!(second[0].message.receive_count, 2);
        assert!(
            !q.delete_message(&first[0].receipt_handle),
            "a stale receipt handle"
        );
        assert!(q.delete_message(&second[0].receipt_handle));
        assert!(q.is_empty());
    }

    #[test]
    fn a_message_received_more_than_max_receive_count_moves_to_the_dead_letter_queue() {
        let dlq = Queue::new(QueueConfig {
            name: "dlq".into(),
            ..QueueConfig::default()
        })
        .expect("valid queue");
        let q = Queue::new(QueueConfig {
            redrive_policy: Some(RedrivePolicy {
                dead_letter_queue: dlq.clone(),
                max_receive_count: 2,
            }),
            ..QueueConfig::default()
        })
        .expect("valid queue");
        let id = q.send_message("poison", secs(0));
        assert_eq!(q.receive_messages(secs(0), 10, MB).len(), 1);
        assert_eq!(q.receive_messages(secs(30), 10, MB).len(), 1);
        assert!(
            q.receive_messages(secs(60), 10, MB).is_empty(),
            "the third receive moves it"
        );
        assert!(q.is_empty());
        assert_eq!(q.moved_to_dead_letter(), 1);
        let moved = dlq.messages();
        assert_eq!(moved.len(), 1);
        assert_eq!(
            (moved[0].message_id.as_str(), moved[0].body.as_str()),
            (id.as_str(), "poison")
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        let e = Queue::new(QueueConfig {
            name: "a/b".into(),
            ..QueueConfig::default()
        })
        .expect_err("slash");
        assert_eq!(
            e.to_string(),
            "queue name `a/b` must be 1 to 80 characters of letters, digits, `-`, `_`"
        );
        let e = Queue::new(QueueConfig {
            visibility_timeout: secs(43_201),
            ..QueueConfig::default()
        })
        .expect_err("too long");
        assert_eq!(
            e.to_string(),
            "visibility timeout in seconds 43201 is outside SQS's range of 0 to 43200"
        );
    }

    #[test]
    fn delays_visibility_changes_and_counts() {
        let q = Queue::new(QueueConfig {
            delay: secs(5),
            ..QueueConfig::default()
        })
        .expect("valid queue");
        q.send_message("late", secs(0));
        q.send_message_with("now", MessageAttributes::new(), secs(0), Some(secs(0)));
        assert_eq!(
            (q.visible_len(secs(1)), q.delayed_len(secs(1))),
            (1, 1),
            "the queue's delay, unless the send names one"
        );
        let got = q.receive_messages_with(secs(1), 10, MB, Some(secs(100)));
        assert_eq!(got.len(), 1);
        let handle = &got[0].0.receipt_handle;
        assert!(Queue::is_receipt_handle(handle));
        assert!(!Queue::is_receipt_handle("nonsense"));
        assert_eq!(q.in_flight_until(handle), Some(secs(101)));
        assert_eq!(q.in_flight_len(secs(1)), 1);
        assert!(q.change_visibility(handle, secs(0), secs(2)));
        assert!(
            !q.change_visibility(handle, secs(10), secs(2)),
            "not in flight"
        );
        assert_eq!(q.visible_len(secs(5)), 2);
        assert_eq!(q.purge(), 2);
        assert!(q.is_empty());
    }

    #[test]
    fn messages_older_than_the_retention_period_are_dropped() {
        let q = Queue::new(QueueConfig {
            message_retention: secs(60),
            ..QueueConfig::default()
        })
        .expect("valid queue");
        q.send_message("old", secs(0));
        q.send_message("new", secs(30));
        assert_eq!(q.visible_len(secs(59)), 2);
        assert_eq!(q.visible_len(secs(60)), 1);
        let got = q.receive_messages(secs(60), 10, MB);
        assert_eq!(got[0].message.body, "new");
    }

    #[test]
    fn attributes_follow_a_message_to_the_dead_letter_queue() {
        let dlq = Queue::new(QueueConfig {
            name: "dlq".into(),
            ..QueueConfig::default()
        })
        .expect("valid queue");
        let q = Queue::new(QueueConfig::default()).expect("valid queue");
        let mut config = q.config();
        config.redrive_policy = Some(RedrivePolicy {
            dead_letter_queue: dlq.clone(),
            max_receive_count: 1,
        });
        config.name = "renamed".into();
        q.reconfigure(config).expect("valid settings");
        assert_eq!(q.name(), "queue", "the name stays");
        let mut attributes = MessageAttributes::new();
        attributes.insert("k".into(), Value::from("v"));
        q.send_message_with("x", attributes.clone(), secs(0), None);
        assert_eq!(q.receive_messages(secs(0), 10, MB).len(), 1);
        assert!(q.receive_messages(secs(30), 10, MB).is_empty());
        let moved = dlq.receive_messages_with(secs(30), 10, MB, None);
        assert_eq!(moved[0].1, attributes);
    }
}
