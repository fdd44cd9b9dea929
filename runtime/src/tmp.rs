//! The per-environment `/tmp` directories, kept off the cold path: a background thread keeps
//! a few empty directories ready, removes the ones environments leave files in, and recycles
//! the ones they leave empty (most handlers never write to `/tmp`).

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use tempfile::TempDir;

use crate::{Error, Result};

const PREFIX: &str = "lambda-sim-tmp-";

/// How many used directories wait before the background thread is woken to sort them.
const DISPOSE_BATCH: usize = 16;

/// How often the background thread looks at used directories when no batch fills up.
const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_millis(50);

/// Hands out fresh, empty temporary directories and disposes of used ones.
pub(crate) struct TmpDirs {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

struct State {
    ready: Vec<TempDir>,
    used: Vec<TempDir>,
    target: usize,
    shutdown: bool,
}

impl TmpDirs {
    pub(crate) fn new(target: usize) -> Result<Self> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                ready: Vec::with_capacity(target),
                used: Vec::new(),
                target,
                shutdown: false,
            }),
            wake: Condvar::new(),
        });
        let worker_shared = shared.clone();
        let worker = std::thread::Builder::new()
            .name("lambda-sim-tmp".to_owned())
            .spawn(move || worker_shared.run())
            .map_err(|source| Error::Io {
                action: "start the /tmp directory thread",
                source,
            })?;
        Ok(TmpDirs {
            shared,
            worker: Some(worker),
        })
    }

    /// An empty directory for a new environment: a ready one, or one made now if none is.
    pub(crate) fn take(&self) -> Result<TempDir> {
        let ready = {
            let mut state = self.shared.lock();
            let dir = state.ready.pop();
            // Wake the thread when the reserve runs low, not on every cold start: each wake
            // is a context switch, and a second busy thread makes every unmap an IPI.
            if state.ready.len() <= state.target / 2 {
                self.shared.wake.notify_one();
            }
            dir
        };
        if let Some(dir) = ready {
            return Ok(dir);
        }
        // None ready (the background thread is behind, as when busy threads hold both
        // cores): an empty used directory costs one `readdir`, where a new one costs a
        // `mkdir` under /tmp's lock now and, once the surplus is trimmed, an `rmdir` later.
        let used = self.shared.lock().used.pop();
        if let Some(dir) = used {
            if is_empty(&dir) {
                return Ok(dir);
            }
            self.shared.lock().used.push(dir);
        }
        make_dir().map_err(|source| Error::Io {
            action: "create the environment's /tmp directory",
            source,
        })
    }

    /// Gives back a directory whose environment is gone; it is removed in the background.
    pub(crate) fn dispose(&self, dir: TempDir) {
        let mut state = self.shared.lock();
        state.used.push(dir);
        // The reserve running low wakes the thread too (in `take`): here only a pile-up
        // (written directories to remove) does, so that evictions do not each cost a wake.
        if state.used.len() >= DISPOSE_BATCH.max(state.target) {
            self.shared.wake.notify_one();
        }
    }
}

impl Drop for TmpDirs {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.wake.notify_one();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
        // Whatever is left (ready or used) is removed here, as each `TempDir` drops.
        let mut state = self.shared.lock();
        state.ready.clear();
        state.used.clear();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn run(&self) {
        sweep_dead_processes();
        loop {
            let used = {
                let mut state = self.lock();
                while !state.shutdown && state.used.is_empty() && state.ready.len() >= state.target
                {
                    state = match self.wake.wait_timeout(state, SWEEP_INTERVAL) {
                        Ok((state, _)) => state,
                        Err(poisoned) => poisoned.into_inner().0,
                    };
                }
                if state.shutdown {
                    return;
                }
                std::mem::take(&mut state.used)
            };
            // Sorting, removing and creating directories happens outside the lock. An empty
            // directory is as good as a new one: its environment's files are all gone, and
            // WASI offers no way to change a directory's permissions or attributes.
            let (empty, written): (Vec<TempDir>, Vec<TempDir>) =
                used.into_iter().partition(is_empty);
            drop(written);
            let missing = {
                let mut state = self.lock();
                let room = (2 * state.target).saturating_sub(state.ready.len());
                let mut empty = empty;
                empty.truncate(room);
                state.ready.extend(empty);
                state.target.saturating_sub(state.ready.len())
            };
            let mut made = Vec::with_capacity(missing);
            for _ in 0..missing {
                match make_dir() {
                    Ok(dir) => made.push(dir),
                    // `take` makes one itself and reports the error where it matters.
                    Err(_) => break,
                }
            }
            let failed = made.len() < missing;
            self.lock().ready.extend(made);
            if failed {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
    }
}

fn is_empty(dir: &TempDir) -> bool {
    std::fs::read_dir(dir.path()).is_ok_and(|mut entries| entries.next().is_none())
}

/// Directories are named `lambda-sim-tmp-<pid>-<random>`: the process that owns them.
fn make_dir() -> std::io::Result<TempDir> {
    tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .tempdir()
}

/// Removes the directories of processes that are gone: a process killed (or one that never
/// dropped its runtime, as a test's `static`) cannot remove its own. Only where `/proc` tells
/// which processes live; a directory whose owner cannot be told is left alone.
fn sweep_dead_processes() {
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let alive = std::path::Path::new("/proc").join(pid.to_string()).exists();
        if !alive {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Copies the files of `from` into `to` (a snapshot's `/tmp` into a new environment's).
pub(crate) fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        // `file_type` does not follow a link: a guest's symbolic link is made again as a link,
        // never read through (it could point out of its `/tmp` on the host).
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &target)?;
        } else if kind.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A new directory holding a copy of `dir`.
pub(crate) fn copy_to_temp(dir: &Path) -> std::io::Result<TempDir> {
    let copy = tempfile::Builder::new()
        .prefix("lambda-sim-snapshot-tmp")
        .tempdir()?;
    copy_dir(dir, copy.path())?;
    Ok(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_directories_are_removed_and_empty_ones_recycled() -> Result<()> {
        let dirs = TmpDirs::new(1)?;
        let written = dirs.take()?;
        std::fs::write(written.path().join("cache"), b"x").map_err(|source| Error::Io {
            action: "write a test file",
            source,
        })?;
        let written_path = written.path().to_owned();
        let empty = dirs.take()?;
        let empty_path = empty.path().to_owned();
        dirs.dispose(written);
        dirs.dispose(empty);
        // The thread sorts used directories at least every sweep interval.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while written_path.exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(SWEEP_INTERVAL);
        }
        assert!(!written_path.exists(), "a directory with files is removed");
        assert!(
            empty_path.exists(),
            "an empty directory is kept for another environment"
        );
        let mut reused = false;
        for _ in 0..3 {
            let dir = dirs.take()?;
            reused |= dir.path() == empty_path;
            assert!(is_empty(&dir));
        }
        assert!(reused, "the empty directory was handed out again");
        Ok(())
    }

    #[test]
    fn directories_of_dead_processes_are_swept() -> Result<()> {
        let io = |source| Error::Io {
            action: "prepare the test",
            source,
        };
        // A process that has exited: its pid names no live process (barring reuse).
        let mut child = std::process::Command::new("true").spawn().map_err(io)?;
        let dead = child.id();
        child.wait().map_err(io)?;
        let orphan = std::env::temp_dir().join(format!("{PREFIX}{dead}-sweep"));
        let own = std::env::temp_dir().join(format!("{PREFIX}{}-sweep", std::process::id()));
        for dir in [&orphan, &own] {
            std::fs::create_dir_all(dir.join("inner")).map_err(io)?;
        }
        let dirs = TmpDirs::new(1)?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while orphan.exists() && std::time::Instant::now() < deadline {
            std::thread::sleep(SWEEP_INTERVAL);
        }
        drop(dirs);
        let own_kept = own.exists();
        let _ = std::fs::remove_dir_all(&own);
        assert!(!orphan.exists(), "the dead process's directory is removed");
        assert!(own_kept, "a live process's directory is left alone");
        Ok(())
    }

    #[test]
    fn directories_are_fresh_and_removed() -> Result<()> {
        let dirs = TmpDirs::new(2)?;
        let first = dirs.take()?;
        let second = dirs.take()?;
        assert_ne!(first.path(), second.path());
        std::fs::write(first.path().join("cache"), b"x").map_err(|source| Error::Io {
            action: "write a test file",
            source,
        })?;
        let path = first.path().to_owned();
        dirs.dispose(first);
        drop(dirs);
        assert!(!path.exists(), "{} should be removed", path.display());
        Ok(())
    }
}
