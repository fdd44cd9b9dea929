//! The key-value store behind `wasi:keyvalue`: buckets (named by `store.open`'s identifier)
//! of string keys and byte values, shared by every environment of a runtime, and kept in
//! sorted maps so that listing is reproducible.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::Error;

type Buckets = BTreeMap<String, BTreeMap<String, Vec<u8>>>;

/// A shared key-value store; clones share the same data.
#[derive(Clone, Debug, Default)]
pub struct KeyValueStore {
    buckets: Arc<Mutex<Buckets>>,
}

impl KeyValueStore {
    fn lock(&self) -> MutexGuard<'_, Buckets> {
        self.buckets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The value of `key` in `bucket`.
    pub fn get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        self.lock().get(bucket)?.get(key).cloned()
    }

    /// Sets `key` in `bucket` (creating the bucket).
    pub fn set(&self, bucket: &str, key: &str, value: Vec<u8>) {
        self.lock()
            .entry(bucket.to_owned())
            .or_default()
            .insert(key.to_owned(), value);
    }

    /// Removes `key` from `bucket`.
    pub fn delete(&self, bucket: &str, key: &str) {
        if let Some(keys) = self.lock().get_mut(bucket) {
            keys.remove(key);
        }
    }

    /// Whether `bucket` holds `key`.
    pub fn exists(&self, bucket: &str, key: &str) -> bool {
        self.lock()
            .get(bucket)
            .is_some_and(|keys| keys.contains_key(key))
    }

    /// The keys of `bucket` in order, from position `cursor`, at most `limit` of them, and the
    /// cursor of the rest if any.
    pub fn list_keys(&self, bucket: &str, cursor: u64, limit: usize) -> (Vec<String>, Option<u64>) {
        let buckets = self.lock();
        let Some(keys) = buckets.get(bucket) else {
            return (Vec::new(), None);
        };
        let start = usize::try_from(cursor).unwrap_or(usize::MAX);
        let page: Vec<String> = keys.keys().skip(start).take(limit).cloned().collect();
        let next = start.saturating_add(page.len());
        let more = next < keys.len();
        (page, more.then_some(next as u64))
    }

    /// Adds `delta` to the decimal number stored at `key` (0 when absent) and returns the sum;
    /// an error when the value is not a number or the sum overflows.
    pub fn increment(&self, bucket: &str, key: &str, delta: u64) -> crate::Result<u64> {
        let mut buckets = self.lock();
        let value = buckets
            .entry(bucket.to_owned())
            .or_default()
            .entry(key.to_owned())
            .or_insert_with(|| b"0".to_vec());
        let current: u64 = std::str::from_utf8(value)
            .ok()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| Error::NotANumber(key.to_owned()))?;
        let sum = current
            .checked_add(delta)
            .ok_or_else(|| Error::Overflow(key.to_owned()))?;
        *value = sum.to_string().into_bytes();
        Ok(sum)
    }

    /// Every bucket and key, for a report or to restore later.
    pub fn snapshot(&self) -> BTreeMap<String, BTreeMap<String, Vec<u8>>> {
        self.lock().clone()
    }

    /// Puts the store back as a snapshot left it (the statelessness check runs each pass
    /// against the same data).
    pub fn restore(&self, snapshot: BTreeMap<String, BTreeMap<String, Vec<u8>>>) {
        *self.lock() = snapshot;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clone_sees_the_same_data_and_counters_count() {
        let store = KeyValueStore::default();
        let other = store.clone();
        store.set("b", "k", b"v".to_vec());
        assert_eq!(other.get("b", "k"), Some(b"v".to_vec()));
        assert_eq!(other.increment("b", "n", 2).ok(), Some(2));
        assert_eq!(store.increment("b", "n", 3).ok(), Some(5));
        assert_eq!(
            store.increment("b", "k", 1).map_err(|err| err.to_string()),
            Err("the value of `k` is not a decimal number".to_owned())
        );
        let before = store.snapshot();
        store.delete("b", "k");
        assert!(!other.exists("b", "k"));
        store.restore(before);
        assert!(other.exists("b", "k"));
        assert_eq!(store.list_keys("b", 0, 1), (vec!["k".to_owned()], Some(1)));
        assert_eq!(store.list_keys("b", 1, 10), (vec!["n".to_owned()], None));
    }
}
