//! An S3-like object store kept as real files: `<root>/<bucket>/<key>`. Bucket names and
//! keys are checked so that no object can name a file outside its bucket.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Error, Result};

/// What the store knows of an object besides its bytes (S3 `HeadObject`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectMetadata {
    /// Its length in bytes.
    pub size: u64,
    /// When it was last written (its file's modification time).
    pub modified: SystemTime,
}

/// A bucket, as S3 `ListBuckets` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketEntry {
    /// Its name.
    pub name: String,
    /// When it was created (its directory's creation time, or its modification time on a
    /// file system that keeps no creation time).
    pub created: SystemTime,
}

/// Numbers the files objects are written to before their rename.
static NEXT_PARTIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

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
        // Written aside, then renamed: a reader never sees half an object. The aside name is
        // the writer's own, so that two puts at once (of `a.txt` and `a.json`) never share it.
        let partial = path.with_file_name(format!(
            ".{}.{}-{}.lambda-sim-partial",
            path.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id(),
            NEXT_PARTIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
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

    /// Creates an empty bucket (S3 `CreateBucket`); `false` when it exists already.
    pub fn create_bucket(&self, bucket: &str) -> Result<bool> {
        check_bucket(bucket)?;
        let path = self.root.join(bucket);
        match std::fs::create_dir(&path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == ErrorKind::AlreadyExists && path.is_dir() => Ok(false),
            Err(source) => Err(Error::Io {
                action: "create the bucket directory",
                path,
                source,
            }),
        }
    }

    /// Whether the bucket exists (S3 `HeadBucket`): any directory under the root, including
    /// one that Firehose or a handler's first write made.
    pub fn bucket_exists(&self, bucket: &str) -> Result<bool> {
        check_bucket(bucket)?;
        Ok(self.root.join(bucket).is_dir())
    }

    /// The buckets, by name (S3 `ListBuckets`); directories whose names cannot be buckets
    /// are left out.
    pub fn buckets(&self) -> Result<Vec<BucketEntry>> {
        let entries = std::fs::read_dir(&self.root).map_err(|source| Error::Io {
            action: "list the buckets in",
            path: self.root.clone(),
            source,
        })?;
        let mut buckets: Vec<BucketEntry> = entries
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let metadata = entry.metadata().ok()?;
                if !metadata.is_dir() || check_bucket(&name).is_err() {
                    return None;
                }
                let created = metadata
                    .created()
                    .or_else(|_| metadata.modified())
                    .unwrap_or(UNIX_EPOCH);
                Some(BucketEntry { name, created })
            })
            .collect();
        buckets.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(buckets)
    }

    /// Deletes a bucket that holds no object (S3 `DeleteBucket`); `false`, and the bucket
    /// kept, when it holds objects (S3's `BucketNotEmpty`). `true` says that no bucket of
    /// that name is left, including when there was none: ask [`ObjectStore::bucket_exists`]
    /// first to tell S3's `NoSuchBucket`.
    pub fn delete_bucket(&self, bucket: &str) -> Result<bool> {
        check_bucket(bucket)?;
        let path = self.root.join(bucket);
        if !path.is_dir() {
            return Ok(true);
        }
        let mut keys = Vec::new();
        walk(&path, "", &mut keys);
        if !keys.is_empty() {
            return Ok(false);
        }
        // Only empty directories (and partial writes) are left.
        match std::fs::remove_dir_all(&path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == ErrorKind::NotFound => Ok(true),
            Err(source) => Err(Error::Io {
                action: "delete the bucket directory",
                path,
                source,
            }),
        }
    }

    /// Deletes an object (S3 `DeleteObject`); `false` when there was no such key. Directories
    /// left empty by it are removed, so that no empty folder outlives its last object.
    pub fn delete(&self, bucket: &str, key: &str) -> Result<bool> {
        let path = self.path(bucket, key)?;
        if !path.is_file() {
            return Ok(false);
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(err) if err.kind() == ErrorKind::NotFound => return Ok(false),
            Err(source) => {
                return Err(Error::Io {
                    action: "delete",
                    path,
                    source,
                });
            }
        }
        let bucket_dir = self.root.join(bucket);
        let mut dir = path.parent();
        while let Some(parent) = dir.filter(|d| *d != bucket_dir && d.starts_with(&bucket_dir)) {
            // Fails (and stops) at the first directory that still holds something.
            if std::fs::remove_dir(parent).is_err() {
                break;
            }
            dir = parent.parent();
        }
        Ok(true)
    }

    /// An object's size and modification time (S3 `HeadObject`); `None` when there is no
    /// such key.
    pub fn metadata(&self, bucket: &str, key: &str) -> Result<Option<ObjectMetadata>> {
        let path = self.path(bucket, key)?;
        match std::fs::metadata(&path) {
            Ok(metadata) if metadata.is_file() => Ok(Some(ObjectMetadata {
                size: metadata.len(),
                modified: metadata.modified().unwrap_or(UNIX_EPOCH),
            })),
            Ok(_) => Ok(None),
            Err(err) if matches!(err.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                Ok(None)
            }
            Err(source) => Err(Error::Io {
                action: "read the metadata of",
                path,
                source,
            }),
        }
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

    #[test]
    fn create_bucket_makes_an_empty_directory_once() {
        let store = ObjectStore::temporary().expect("store");
        assert!(store.create_bucket("photos").expect("create"));
        assert!(store.root().join("photos").is_dir());
        assert!(!store.create_bucket("photos").expect("create again"));
        assert!(matches!(
            store.create_bucket("../up"),
            Err(Error::InvalidName(_))
        ));
        assert!(matches!(
            store.create_bucket("Upper"),
            Err(Error::InvalidName(_))
        ));
    }

    #[test]
    fn bucket_exists_sees_created_and_written_buckets() {
        let store = ObjectStore::temporary().expect("store");
        assert!(!store.bucket_exists("logs").expect("exists"));
        store.put("logs", "a", b"x").expect("put");
        assert!(store.bucket_exists("logs").expect("exists"));
        store.create_bucket("empty").expect("create");
        assert!(store.bucket_exists("empty").expect("exists"));
        assert!(matches!(
            store.bucket_exists("a/b"),
            Err(Error::InvalidName(_))
        ));
    }

    #[test]
    fn buckets_are_listed_by_name_with_their_creation_time() {
        let store = ObjectStore::temporary().expect("store");
        let before = SystemTime::now() - std::time::Duration::from_secs(5);
        store.create_bucket("zeta").expect("create");
        store.put("alpha", "k", b"x").expect("put");
        std::fs::create_dir(store.root().join("Not_A_Bucket")).expect("mkdir");
        std::fs::write(store.root().join("file"), b"x").expect("write");
        let buckets = store.buckets().expect("buckets");
        let names: Vec<&str> = buckets.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["alpha", "zeta"]);
        assert!(buckets.iter().all(|b| b.created >= before), "{buckets:?}");
    }

    #[test]
    fn delete_bucket_refuses_a_bucket_with_objects() {
        let store = ObjectStore::temporary().expect("store");
        assert!(store.delete_bucket("nothing").expect("delete"));
        store.put("full", "a/b", b"x").expect("put");
        assert!(!store.delete_bucket("full").expect("delete"));
        assert!(store.bucket_exists("full").expect("exists"));
        std::fs::create_dir_all(store.root().join("hollow/a/b")).expect("mkdir");
        assert!(store.delete_bucket("hollow").expect("delete"));
        assert!(!store.root().join("hollow").exists());
    }

    #[test]
    fn delete_removes_the_object_and_its_emptied_folders() {
        let store = ObjectStore::temporary().expect("store");
        store.put("b1b", "a/b/c", b"x").expect("put");
        store.put("b1b", "a/d", b"y").expect("put");
        assert!(store.delete("b1b", "a/b/c").expect("delete"));
        assert!(!store.root().join("b1b/a/b").exists());
        assert!(store.root().join("b1b/a/d").is_file());
        assert!(!store.delete("b1b", "a/b/c").expect("delete again"));
        assert!(!store.delete("b1b", "a").expect("a folder is no object"));
        assert!(store.delete("b1b", "a/d").expect("delete"));
        assert!(store.root().join("b1b").is_dir(), "the bucket stays");
        assert_eq!(store.list("b1b", "").expect("list"), Vec::<String>::new());
        assert!(matches!(
            store.delete("b1b", "../x"),
            Err(Error::InvalidName(_))
        ));
    }

    #[test]
    fn metadata_gives_size_and_modification_time() {
        let store = ObjectStore::temporary().expect("store");
        let before = SystemTime::now() - std::time::Duration::from_secs(5);
        store.put("meta", "a/b", b"hello").expect("put");
        let metadata = store
            .metadata("meta", "a/b")
            .expect("metadata")
            .expect("some");
        assert_eq!(metadata.size, 5);
        assert!(metadata.modified >= before);
        assert_eq!(store.metadata("meta", "a").expect("folder"), None);
        assert_eq!(store.metadata("meta", "a/b/c").expect("under a file"), None);
        assert_eq!(store.metadata("meta", "zz").expect("missing"), None);
        assert!(matches!(
            store.metadata("meta", "a/../../x"),
            Err(Error::InvalidName(_))
        ));
    }
}
