//! The per-environment `/tmp` directories, kept off the cold path: a background thread keeps
//! a few empty directories ready and removes the ones environments leave behind.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use tempfile::TempDir;

use crate::{Error, Result};

const PREFIX: &str = "lambda-sim-tmp-";

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
            self.shared.wake.notify_one();
            dir
        };
        match ready {
            Some(dir) => Ok(dir),
            None => make_dir().map_err(|source| Error::Io {
                action: "create the environment's /tmp directory",
                source,
            }),
        }
    }

    /// Gives back a directory whose environment is gone; it is removed in the background.
    pub(crate) fn dispose(&self, dir: TempDir) {
        let mut state = self.shared.lock();
        state.used.push(dir);
        self.shared.wake.notify_one();
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
        loop {
            let (used, missing) = {
                let mut state = self.lock();
                while !state.shutdown && state.used.is_empty() && state.ready.len() >= state.target
                {
                    state = self
                        .wake
                        .wait(state)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                if state.shutdown {
                    return;
                }
                (
                    std::mem::take(&mut state.used),
                    state.target.saturating_sub(state.ready.len()),
                )
            };
            // Removing and creating directories happens outside the lock.
            drop(used);
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

fn make_dir() -> std::io::Result<TempDir> {
    tempfile::Builder::new().prefix(PREFIX).tempdir()
}

#[cfg(test)]
mod tests {
    use super::*;

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
