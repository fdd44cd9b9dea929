//! Builds that must not overlap take turns on a file lock in the temp directory
//! (`lambda-sim-locks/`), one per path: two builds of one workspace (its `Cargo.lock` is
//! patched meanwhile), two builds of one component (its file and its key are written).

use std::path::{Path, PathBuf};

/// The exclusive turn of `path` (held until the file is dropped), and the stem of the files
/// kept for it (`lambda-sim-locks/<hash of the path>`); the turn is none if the lock cannot be
/// taken, both if the temp directory cannot be used.
pub(crate) fn take_turn(path: &Path) -> (Option<std::fs::File>, Option<PathBuf>) {
    use std::hash::{Hash, Hasher};
    let dir = std::env::temp_dir().join("lambda-sim-locks");
    if std::fs::create_dir_all(&dir).is_err() {
        return (None, None);
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    path.canonicalize()
        .unwrap_or_else(|_| path.to_owned())
        .hash(&mut hasher);
    let stem = dir.join(format!("{:016x}", hasher.finish()));
    let turn = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(stem.with_extension("turn"))
        .ok()
        .filter(|file| file.lock().is_ok());
    (turn, Some(stem))
}
