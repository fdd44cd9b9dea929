//! The stores outside the execution environment that lambda-sim's handlers reach through host
//! interfaces: what must outlive an environment lives here, as the talk behind the project
//! asks ("functions keep no state; what must last goes to an external datastore").
//!
//! - [`KeyValueStore`]: buckets of keys and values, behind the standard `wasi:keyvalue`
//!   interfaces (store, atomics, batch). Shared by every environment of a runtime.
//! - [`ObjectStore`]: S3-like buckets and keys kept as real files under one directory.
//! - [`Firehose`]: delivery streams that buffer records by size and interval and write them
//!   into the object store under Firehose's key layout (`prefix/YYYY/MM/dd/HH/...`).
//!
//! ```
//! use std::time::UNIX_EPOCH;
//! use lambda_sim_services::{DeliveryStreamConfig, Services};
//!
//! let services = Services::temporary(7)?;
//! services.firehose.create(DeliveryStreamConfig::new("events", "analytics"))?;
//! // 2026-01-01T00:00:00Z, where a simulation's virtual clock starts.
//! let at = UNIX_EPOCH + lambda_sim_services::SIMULATION_EPOCH;
//! services.firehose.put_record_batch("events", vec![b"{\"id\":1}\n".to_vec()], at)?;
//! let written = services.firehose.flush_all(at)?;
//! assert!(written[0].key.starts_with("2026/01/01/00/events-1-2026-01-01-00-00-00-"));
//! # Ok::<(), lambda_sim_services::Error>(())
//! ```

mod error;
mod firehose;
mod keyvalue;
mod objects;

pub use error::{Error, Result};

/// The wall-clock time of a simulation's start, 2026-01-01T00:00:00Z, as time since the Unix
/// epoch: where a virtual clock starts (the runtime's `VIRTUAL_EPOCH`) and what the pipeline's
/// event JSON counts from. Defined here, the one crate under both the runtime and the pipeline.
pub const SIMULATION_EPOCH: std::time::Duration = std::time::Duration::from_secs(1_767_225_600);
pub use firehose::{
    DeliveryStreamConfig, Firehose, FirehoseStats, MAX_BATCH_BYTES, MAX_BATCH_RECORDS,
    MAX_RECORD_BYTES, WrittenObject,
};
pub use keyvalue::KeyValueStore;
pub use objects::{BucketEntry, ObjectMetadata, ObjectStore};

/// The stores of one runtime.
#[derive(Clone, Debug)]
pub struct Services {
    /// The key-value store (`wasi:keyvalue`).
    pub keyvalue: KeyValueStore,
    /// The object store (S3).
    pub objects: ObjectStore,
    /// Firehose delivery streams, writing into `objects`.
    pub firehose: Firehose,
}

impl Services {
    /// Stores whose objects live under `dir`; `seed` makes Firehose's object names
    /// reproducible.
    pub fn new(dir: impl Into<std::path::PathBuf>, seed: u64) -> Result<Self> {
        let objects = ObjectStore::new(dir)?;
        Ok(Services {
            keyvalue: KeyValueStore::default(),
            firehose: Firehose::new(objects.clone(), seed),
            objects,
        })
    }

    /// Stores whose objects live in a temporary directory removed with the last clone.
    pub fn temporary(seed: u64) -> Result<Self> {
        let objects = ObjectStore::temporary()?;
        Ok(Services {
            keyvalue: KeyValueStore::default(),
            firehose: Firehose::new(objects.clone(), seed),
            objects,
        })
    }
}
