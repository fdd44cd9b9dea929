//! The host side of the stores a guest reaches beyond WASI: the standard `wasi:keyvalue`
//! interfaces (store, atomics, batch) over the run's shared [`KeyValueStore`], and
//! lambda-sim's `object-store` (S3) and `firehose` interfaces over its object store and
//! delivery streams. Each call is dated at the guest's clock (the simulated start of the
//! phase it runs in, on a virtual clock).
//!
//! wasmtime-wasi-keyvalue is not used: its in-memory store copies the data into each opened
//! bucket and forgets what a guest writes, which is the opposite of a store that outlives an
//! environment.

use wasmtime::component::Resource;

use crate::bindings::lambda_sim::handler::{firehose, object_store};
use crate::bindings::wasi::keyvalue::{atomics, batch, store};
use crate::host::Host;

/// An open bucket: the identifier it was opened with (`""` is the default bucket).
pub struct BucketHandle {
    name: String,
}

impl Host {
    /// Runs a store call, recording it for the phase's trace.
    fn timed<T>(&mut self, name: &'static str, call: impl FnOnce(&mut Host) -> T) -> T {
        let started = std::time::Instant::now();
        let result = call(self);
        self.record(name, started);
        result
    }

    fn bucket(&self, bucket: &Resource<BucketHandle>) -> Result<String, store::Error> {
        self.table
            .get(bucket)
            .map(|b| b.name.clone())
            .map_err(|err| store::Error::Other(err.to_string()))
    }
}

impl store::Host for Host {
    fn open(&mut self, identifier: String) -> Result<Resource<BucketHandle>, store::Error> {
        self.timed("keyvalue.open", |host| {
            host.table
                .push(BucketHandle { name: identifier })
                .map_err(|err| store::Error::Other(err.to_string()))
        })
    }
}

impl store::HostBucket for Host {
    fn get(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
    ) -> Result<Option<Vec<u8>>, store::Error> {
        self.timed("keyvalue.get", |host| {
            let name = host.bucket(&bucket)?;
            Ok(host.services.keyvalue.get(&name, &key))
        })
    }

    fn set(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
        value: Vec<u8>,
    ) -> Result<(), store::Error> {
        self.timed("keyvalue.set", |host| {
            let name = host.bucket(&bucket)?;
            host.services.keyvalue.set(&name, &key, value);
            Ok(())
        })
    }

    fn delete(&mut self, bucket: Resource<BucketHandle>, key: String) -> Result<(), store::Error> {
        self.timed("keyvalue.delete", |host| {
            let name = host.bucket(&bucket)?;
            host.services.keyvalue.delete(&name, &key);
            Ok(())
        })
    }

    fn exists(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
    ) -> Result<bool, store::Error> {
        self.timed("keyvalue.exists", |host| {
            let name = host.bucket(&bucket)?;
            Ok(host.services.keyvalue.exists(&name, &key))
        })
    }

    fn list_keys(
        &mut self,
        bucket: Resource<BucketHandle>,
        cursor: Option<u64>,
    ) -> Result<store::KeyResponse, store::Error> {
        self.timed("keyvalue.list-keys", |host| {
            let name = host.bucket(&bucket)?;
            let (keys, cursor) =
                host.services
                    .keyvalue
                    .list_keys(&name, cursor.unwrap_or(0), 1_000);
            Ok(store::KeyResponse { keys, cursor })
        })
    }

    fn drop(&mut self, bucket: Resource<BucketHandle>) -> wasmtime::Result<()> {
        self.table.delete(bucket)?;
        Ok(())
    }
}

impl atomics::Host for Host {
    fn increment(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
        delta: u64,
    ) -> Result<u64, store::Error> {
        self.timed("keyvalue.increment", |host| {
            let name = host.bucket(&bucket)?;
            host.services
                .keyvalue
                .increment(&name, &key, delta)
                .map_err(|err| store::Error::Other(err.to_string()))
        })
    }
}

impl batch::Host for Host {
    fn get_many(
        &mut self,
        bucket: Resource<BucketHandle>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, store::Error> {
        self.timed("keyvalue.get-many", |host| {
            let name = host.bucket(&bucket)?;
            let kv = &host.services.keyvalue;
            Ok(keys
                .into_iter()
                .map(|key| kv.get(&name, &key).map(|value| (key, value)))
                .collect())
        })
    }

    fn set_many(
        &mut self,
        bucket: Resource<BucketHandle>,
        key_values: Vec<(String, Vec<u8>)>,
    ) -> Result<(), store::Error> {
        self.timed("keyvalue.set-many", |host| {
            let name = host.bucket(&bucket)?;
            for (key, value) in key_values {
                host.services.keyvalue.set(&name, &key, value);
            }
            Ok(())
        })
    }

    fn delete_many(
        &mut self,
        bucket: Resource<BucketHandle>,
        keys: Vec<String>,
    ) -> Result<(), store::Error> {
        self.timed("keyvalue.delete-many", |host| {
            let name = host.bucket(&bucket)?;
            for key in keys {
                host.services.keyvalue.delete(&name, &key);
            }
            Ok(())
        })
    }
}

impl object_store::Host for Host {
    fn put_object(&mut self, bucket: String, key: String, body: Vec<u8>) -> Result<(), String> {
        self.timed("s3.put-object", |host| {
            host.services
                .objects
                .put(&bucket, &key, &body)
                .map_err(|err| err.to_string())
        })
    }

    fn get_object(&mut self, bucket: String, key: String) -> Result<Option<Vec<u8>>, String> {
        self.timed("s3.get-object", |host| {
            host.services
                .objects
                .get(&bucket, &key)
                .map_err(|err| err.to_string())
        })
    }

    fn list_objects(&mut self, bucket: String, prefix: String) -> Result<Vec<String>, String> {
        self.timed("s3.list-objects", |host| {
            host.services
                .objects
                .list(&bucket, &prefix)
                .map_err(|err| err.to_string())
        })
    }
}

impl firehose::Host for Host {
    fn put_record_batch(
        &mut self,
        delivery_stream: String,
        records: Vec<Vec<u8>>,
    ) -> Result<u32, String> {
        self.timed("firehose.put-record-batch", |host| {
            let at = host.clock.wall();
            host.services
                .firehose
                .put_record_batch(&delivery_stream, records, at)
                .map(|(failed, _)| failed)
                .map_err(|err| err.to_string())
        })
    }
}
