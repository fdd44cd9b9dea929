//! An S3-like object store kept as real files: `<root>/<bucket>/<key>`. Bucket names and
//! keys are checked so that no object can name a file outside its bucket.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{Error, Result};

/// An object store; clones share the same directory.
#[derive(Clone, Debug)]
pub struct ObjectStore {
    root: PathBuf,
    /// Kept alive while a clone exists, for a temporary store.
    _temporary: Option<Arc<tempfile::TempDir>>,
}

impl ObjectStore {
    /// A store under `root` (created if missing).
    pub fn new(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|source| Error::Io {
            action: "create the object store directory",
            path: root.clone(),
            source,
        })?;
        Ok(ObjectStore {
            root,
            _temporary: None,
        })
    }

    /// A store in a new temporary directory, removed when the last clone is dropped.
    pub fn temporary() -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("lambda-sim-objects-")
            .tempdir()
            .map_err(|source| Error::Io {
                action: "create a temporary object store",
                path: std::env::temp_dir(),
                source,
            })?;
        Ok(ObjectStore {
            root: dir.path().to_owned(),
            _temporary: Some(Arc::new(dir)),
        })
    }

    /// The directory holding the buckets.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes an object (S3 `PutObject`), replacing any object of that key.
    pub fn put(&self, bucket: &str, key: &str, body: &[u8]) -> Result<()> {
        let path = self.path(bucket, key)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                action: "create the directory of",
                path: path.clone(),
                source,
            })?;
        }
        // Written aside, then renamed: a reader never sees half an object.
        let partial = path.with_extension("lambda-sim-partial");
        std::fs::write(&partial, body)
            .and_then(|()| std::fs::rename(&partial, &path))
            .map_err(|source| Error::Io {
                action: "write",
                path,
                source,
            })
    }

    /// Reads an object (S3 `GetObject`); `None` when there is no such key.
    pub fn get(&self, bucket: &str, key: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(bucket, key)?;
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) if err.kind() == std::io::ErrorKind::IsADirectory => Ok(None),
            Err(source) => Err(Error::Io {
                action: "read",
                path,
                source,
            }),
        }
    }

    /// The keys of `bucket` that start with `prefix`, in order (S3 `ListObjectsV2`).
    pub fn list(&self, bucket: &str, prefix: &str) -> Result<Vec<String>> {
        check_bucket(bucket)?;
        let mut keys = Vec::new();
        walk(&self.root.join(bucket), "", &mut keys);
        keys.retain(|key| key.starts_with(prefix));
        keys.sort();
        Ok(keys)
    }

    fn path(&self, bucket: &str, key: &str) -> Result<PathBuf> {
        check_bucket(bucket)?;
        let valid = !key.is_empty()
            && key.len() <= 1024
            && !key.starts_with('/')
            && !key.ends_with('/')
            && key
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..")
            && !key.ends_with(".lambda-sim-partial")
            && !key.contains(['\0', '\\']);
        if !valid {
            return Err(Error::InvalidName(format!(
                "object key `{key}` must be 1 to 1024 characters of non-empty `/`-separated parts, none of them `.` or `..`"
            )));
        }
        Ok(self.root.join(bucket).join(key))
    }
}

fn check_bucket(bucket: &str) -> Result<()> {
    let valid = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !bucket.contains("..")
        && bucket.starts_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidName(format!(
            "bucket name `{bucket}` must be 3 to 63 lowercase letters, digits, hyphens or dots"
        )))
    }
}

fn walk(dir: &Path, prefix: &str, keys: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let key = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => walk(&entry.path(), &key, keys),
            Ok(kind) if kind.is_file() && !key.ends_with(".lambda-sim-partial") => keys.push(key),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_files_and_keys_cannot_escape() {
        let store = ObjectStore::temporary().expect("store");
        store
            .put("analytics", "2026/01/a.json", b"{}")
            .expect("put");
        assert_eq!(
            std::fs::read(store.root().join("analytics/2026/01/a.json")).expect("a real file"),
            b"{}"
        );
        assert_eq!(
            store.get("analytics", "2026/01/a.json").expect("get"),
            Some(b"{}".to_vec())
        );
        assert_eq!(store.get("analytics", "2026/01").expect("get"), None);
        assert_eq!(
            store.list("analytics", "2026/").expect("list"),
            ["2026/01/a.json"]
        );
        for key in ["../x", "a/../../x", "/etc/passwd", "a//b", ""] {
            assert!(
                matches!(
                    store.put("analytics", key, b"x"),
                    Err(Error::InvalidName(_))
                ),
                "{key}"
            );
        }
        assert!(matches!(
            store.put("../up", "k", b"x"),
            Err(Error::InvalidName(_))
        ));
    }
}
