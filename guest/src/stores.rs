//! The stores outside the execution environment, for what must outlive it: the run's
//! key-value store (the standard `wasi:keyvalue` interfaces), S3 and Firehose, as lambda-sim
//! simulates them. A handler that keeps its state here instead of in a static stays
//! stateless: every environment sees the same data.

use std::fmt;

use crate::bindings::lambda_sim::handler::{firehose as fh, object_store};
use crate::bindings::wasi::keyvalue::{atomics, store};

/// An error from a store, as the service words it (`ResourceNotFoundException: ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<store::Error> for StoreError {
    fn from(err: store::Error) -> Self {
        StoreError(match err {
            store::Error::NoSuchStore => "no such store".to_owned(),
            store::Error::AccessDenied => "access denied".to_owned(),
            store::Error::Other(message) => message,
        })
    }
}

/// The key-value store (`wasi:keyvalue`).
pub mod keyvalue {
    use super::{StoreError, atomics, store};

    /// A bucket of the run's key-value store.
    pub struct Bucket(store::Bucket);

    impl Bucket {
        /// Opens the bucket `name` (`""` is the default bucket).
        pub fn open(name: &str) -> Result<Self, StoreError> {
            Ok(Bucket(store::open(name)?))
        }

        /// The value of `key`.
        pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            Ok(self.0.get(key)?)
        }

        /// Sets `key` to `value`.
        pub fn set(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
            Ok(self.0.set(key, value)?)
        }

        /// Removes `key`.
        pub fn delete(&self, key: &str) -> Result<(), StoreError> {
            Ok(self.0.delete(key)?)
        }

        /// Whether `key` exists.
        pub fn exists(&self, key: &str) -> Result<bool, StoreError> {
            Ok(self.0.exists(key)?)
        }

        /// Adds `delta` to the number at `key` (0 when absent), atomically; returns the sum.
        pub fn increment(&self, key: &str, delta: u64) -> Result<u64, StoreError> {
            Ok(atomics::increment(&self.0, key, delta)?)
        }
    }
}

/// S3 (`PutObject`, `GetObject`, `ListObjectsV2`).
pub mod s3 {
    use super::{StoreError, object_store};

    /// Writes an object.
    pub fn put_object(bucket: &str, key: &str, body: &[u8]) -> Result<(), StoreError> {
        object_store::put_object(bucket, key, body).map_err(StoreError)
    }

    /// Reads an object; `None` when there is no such key.
    pub fn get_object(bucket: &str, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        object_store::get_object(bucket, key).map_err(StoreError)
    }

    /// The keys of `bucket` that start with `prefix`, in order.
    pub fn list_objects(bucket: &str, prefix: &str) -> Result<Vec<String>, StoreError> {
        object_store::list_objects(bucket, prefix).map_err(StoreError)
    }
}

/// Amazon Data Firehose (`PutRecordBatch`).
pub mod firehose {
    use super::{StoreError, fh};

    /// Sends records to a delivery stream (at most 500, 1,000 KiB each, 4 MiB in all);
    /// returns `FailedPutCount`.
    pub fn put_record_batch(stream: &str, records: &[Vec<u8>]) -> Result<u32, StoreError> {
        fh::put_record_batch(stream, records).map_err(StoreError)
    }
}
