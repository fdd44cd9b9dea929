//! The storage left in one environment's `/tmp`: bytes written are counted, and the directory
//! is measured only when the count would pass the function's ephemeral storage (see
//! `ephemeral.rs` for the writes that ask it).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::logs::LogSink;

/// The storage left in one environment's `/tmp`.
pub(crate) struct Quota {
    dir: PathBuf,
    limit: u64,
    /// Bytes in the directory as far as the quota knows: its usage when last measured, plus
    /// every write since.
    counted: u64,
    /// The function's log, for the note of a refusal.
    log: LogSink,
    /// Whether the last refusal was noted in the log (until a write fits again).
    noted: bool,
}

/// A quota shared by an environment's host state and the file streams it hands out.
pub(crate) type SharedQuota = Arc<Mutex<Quota>>;

impl Quota {
    /// The quota of an empty `/tmp` at `dir` holding at most `limit_mb` MB (MiB, as Lambda).
    pub(crate) fn new(dir: &Path, limit_mb: u32, log: LogSink) -> SharedQuota {
        Arc::new(Mutex::new(Quota {
            dir: dir.to_owned(),
            limit: u64::from(limit_mb) << 20,
            counted: 0,
            log,
            noted: false,
        }))
    }

    /// Takes `bytes` of the storage for a write, or says that the write does not fit.
    fn reserve(&mut self, bytes: u64) -> bool {
        if self.counted.saturating_add(bytes) > self.limit {
            self.counted = usage(&self.dir);
            if self.counted.saturating_add(bytes) > self.limit {
                if !self.noted {
                    self.noted = true;
                    self.log.note(&format!(
                        "no space left on /tmp: a write of {bytes} bytes would take it past the \
                         function's ephemeral storage of {} MB ({} bytes used)",
                        self.limit >> 20,
                        self.counted
                    ));
                }
                return false;
            }
        }
        self.counted += bytes;
        self.noted = false;
        true
    }
}

/// Takes `bytes` of a shared quota, or says that the write does not fit.
pub(crate) fn reserve(quota: &SharedQuota, bytes: usize) -> bool {
    quota
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .reserve(bytes as u64)
}

/// The bytes the files under `dir` hold (their apparent sizes), not following symlinks.
fn usage(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => usage(&entry.path()),
            Ok(kind) if kind.is_file() => entry.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_measures_the_directory_before_refusing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = LogSink::new(1 << 20);
        let quota = Quota::new(dir.path(), 1, log.clone());
        let mut quota = quota.lock().expect("quota");
        assert!(quota.reserve(600 << 10));
        std::fs::write(dir.path().join("a"), vec![0u8; 600 << 10]).expect("write");
        assert!(!quota.reserve(600 << 10), "1.2 MB do not fit in 1 MB");
        assert!(!quota.reserve(600 << 10));
        assert_eq!(
            log.take().lines(),
            [
                "[lambda-sim] no space left on /tmp: a write of 614400 bytes would take it past the \
              function's ephemeral storage of 1 MB (614400 bytes used)"
            ],
            "noted once"
        );
        std::fs::remove_file(dir.path().join("a")).expect("remove");
        assert!(
            quota.reserve(600 << 10),
            "the deleted file's space is seen when measured"
        );
        assert!(quota.reserve(400 << 10), "exactly 1 MB fits");
    }
}
