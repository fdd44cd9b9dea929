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
    fn bucket(&self, bucket: &Resource<BucketHandle>) -> Result<String, store::Error> {
        self.table
            .get(bucket)
            .map(|b| b.name.clone())
            .map_err(|err| store::Error::Other(err.to_string()))
    }
}

impl store::Host for Host {
    fn open(&mut self, identifier: String) -> Result<Resource<BucketHandle>, store::Error> {
        self.table
            .push(BucketHandle { name: identifier })
            .map_err(|err| store::Error::Other(err.to_string()))
    }
}

impl store::HostBucket for Host {
    fn get(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
    ) -> Result<Option<Vec<u8>>, store::Error> {
        let name = self.bucket(&bucket)?;
        Ok(self.services.keyvalue.get(&name, &key))
    }

    fn set(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
        value: Vec<u8>,
    ) -> Result<(), store::Error> {
        let name = self.bucket(&bucket)?;
        self.services.keyvalue.set(&name, &key, value);
        Ok(())
    }

    fn delete(&mut self, bucket: Resource<BucketHandle>, key: String) -> Result<(), store::Error> {
        let name = self.bucket(&bucket)?;
        self.services.keyvalue.delete(&name, &key);
        Ok(())
    }

    fn exists(
        &mut self,
        bucket: Resource<BucketHandle>,
        key: String,
    ) -> Result<bool, store::Error> {
        let name = self.bucket(&bucket)?;
        Ok(self.services.keyvalue.exists(&name, &key))
    }

    fn list_keys(
        &mut self,
        bucket: Resource<BucketHandle>,
        cursor: Option<u64>,
    ) -> Result<store::KeyResponse, store::Error> {
        let name = self.bucket(&bucket)?;
        let (keys, cursor) = self
            .services
            .keyvalue
            .list_keys(&name, cursor.unwrap_or(0), 1_000);
        Ok(store::KeyResponse { keys, cursor })
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
        let name = self.bucket(&bucket)?;
        self.services
            .keyvalue
            .increment(&name, &key, delta)
            .map_err(store::Error::Other)
    }
}

impl batch::Host for Host {
    fn get_many(
        &mut self,
        bucket: Resource<BucketHandle>,
        keys: Vec<String>,
    ) -> Result<Vec<Option<(String, Vec<u8>)>>, store::Error> {
        let name = self.bucket(&bucket)?;
        let kv = &self.services.keyvalue;
        Ok(keys
            .into_iter()
            .map(|key| kv.get(&name, &key).map(|value| (key, value)))
            .collect())
    }

    fn set_many(
        &mut self,
        bucket: Resource<BucketHandle>,
        key_values: Vec<(String, Vec<u8>)>,
    ) -> Result<(), store::Error> {
        let name = self.bucket(&bucket)?;
        for (key, value) in key_values {
            self.services.keyvalue.set(&name, &key, value);
        }
        Ok(())
    }

    fn delete_many(
        &mut self,
        bucket: Resource<BucketHandle>,
        keys: Vec<String>,
    ) -> Result<(), store::Error> {
        let name = self.bucket(&bucket)?;
        for key in keys {
            self.services.keyvalue.delete(&name, &key);
        }
        Ok(())
    }
}

impl object_store::Host for Host {
    fn put_object(&mut self, bucket: String, key: String, body: Vec<u8>) -> Result<(), String> {
        self.services
            .objects
            .put(&bucket, &key, &body)
            .map_err(|err| err.to_string())
    }

    fn get_object(&mut self, bucket: String, key: String) -> Result<Option<Vec<u8>>, String> {
        self.services
            .objects
            .get(&bucket, &key)
            .map_err(|err| err.to_string())
    }

    fn list_objects(&mut self, bucket: String, prefix: String) -> Result<Vec<String>, String> {
        self.services
            .objects
            .list(&bucket, &prefix)
            .map_err(|err| err.to_string())
    }
}

impl firehose::Host for Host {
    fn put_record_batch(
        &mut self,
        delivery_stream: String,
        records: Vec<Vec<u8>>,
    ) -> Result<u32, String> {
        let at = self.clock.wall();
        self.services
            .firehose
            .put_record_batch(&delivery_stream, records, at)
            .map(|(failed, _)| failed)
            .map_err(|err| err.to_string())
    }
}
