//! Firehose delivery streams to S3: `PutRecordBatch` appends records to a buffer, which is
//! written as one object when it reaches its size hint or when its interval has passed since
//! its first record, whichever comes first. Records are concatenated with no delimiter, and
//! objects are named as Firehose names them:
//! `<prefix>YYYY/MM/dd/HH/<stream>-1-YYYY-MM-dd-HH-mm-ss-<uuid>`, in UTC at the flush.
//!
//! Time is whatever `SystemTime` the caller passes (the simulation's wall clock): an interval
//! flush happens when a later call (`put_record_batch`, [`Firehose::flush_due`]) sees that the
//! interval has passed, and is dated at the interval's end.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use rand::{Rng as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::{Error, ObjectStore, Result};

/// The most records one `PutRecordBatch` takes.
pub const MAX_BATCH_RECORDS: usize = 500;
/// The largest record, in bytes (1,000 KiB).
pub const MAX_RECORD_BYTES: usize = 1_024_000;
/// The largest `PutRecordBatch` request, in bytes (4 MiB).
pub const MAX_BATCH_BYTES: usize = 4 << 20;

/// A delivery stream's settings (`CreateDeliveryStream` with an S3 destination).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryStreamConfig {
    /// The stream's name.
    pub name: String,
    /// The destination bucket.
    pub bucket: String,
    /// The key prefix (before `YYYY/MM/dd/HH/`). Default empty.
    #[serde(default)]
    pub prefix: String,
    /// `BufferingHints.SizeInMBs`, 1 to 128. Default 5.
    #[serde(default = "default_size")]
    pub buffer_size_mb: u32,
    /// `BufferingHints.IntervalInSeconds`, 0 to 900. Default 300.
    #[serde(default = "default_interval")]
    pub buffer_interval_s: u32,
}

fn default_size() -> u32 {
    5
}

fn default_interval() -> u32 {
    300
}

impl DeliveryStreamConfig {
    /// A stream to `bucket` with Firehose's default buffering (5 MB, 300 s).
    pub fn new(name: impl Into<String>, bucket: impl Into<String>) -> Self {
        DeliveryStreamConfig {
            name: name.into(),
            bucket: bucket.into(),
            prefix: String::new(),
            buffer_size_mb: default_size(),
            buffer_interval_s: default_interval(),
        }
    }

    /// Checks the settings against Firehose's ranges.
    pub fn validate(&self) -> Result<()> {
        let name_ok = (1..=64).contains(&self.name.len())
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !name_ok {
            return Err(Error::InvalidArgument(format!(
                "delivery stream name `{}` must be 1 to 64 letters, digits, `_`, `.` or `-`",
                self.name
            )));
        }
        if !(1..=128).contains(&self.buffer_size_mb) {
            return Err(Error::InvalidArgument(format!(
                "buffer size {} MB is outside Firehose's range of 1 to 128 MB",
                self.buffer_size_mb
            )));
        }
        if self.buffer_interval_s > 900 {
            return Err(Error::InvalidArgument(format!(
                "buffer interval {} s is outside Firehose's range of 0 to 900 seconds",
                self.buffer_interval_s
            )));
        }
        Ok(())
    }
}

/// An object a delivery stream wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenObject {
    /// The stream that wrote it.
    pub stream: String,
    /// Its bucket.
    pub bucket: String,
    /// Its key.
    pub key: String,
    /// How many records it holds.
    pub records: usize,
    /// Its size in bytes.
    pub bytes: usize,
    /// When it was written.
    pub at: SystemTime,
}

/// What a delivery stream has taken and written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FirehoseStats {
    /// Records accepted by `PutRecordBatch`.
    pub records_in: u64,
    /// Their bytes.
    pub bytes_in: u64,
    /// Objects written.
    pub objects: u64,
    /// Records in those objects.
    pub records_out: u64,
}

#[derive(Debug)]
struct DeliveryStream {
    config: DeliveryStreamConfig,
    buffer: Vec<u8>,
    records: usize,
    first_at: Option<SystemTime>,
    stats: FirehoseStats,
}

#[derive(Debug)]
struct Inner {
    streams: BTreeMap<String, DeliveryStream>,
    rng: ChaCha8Rng,
    /// Every object written, in the order written.
    log: Vec<WrittenObject>,
}

/// The delivery streams of a runtime; clones share them.
#[derive(Clone, Debug)]
pub struct Firehose {
    objects: ObjectStore,
    inner: Arc<Mutex<Inner>>,
}

impl Firehose {
    /// Delivery streams writing into `objects`; `seed` makes object names reproducible.
    pub fn new(objects: ObjectStore, seed: u64) -> Self {
        Firehose {
            objects,
            inner: Arc::new(Mutex::new(Inner {
                streams: BTreeMap::new(),
                rng: ChaCha8Rng::seed_from_u64(seed),
                log: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates a delivery stream.
    pub fn create(&self, config: DeliveryStreamConfig) -> Result<()> {
        config.validate()?;
        let mut inner = self.lock();
        if inner.streams.contains_key(&config.name) {
            return Err(Error::DeliveryStreamExists(config.name));
        }
        inner.streams.insert(
            config.name.clone(),
            DeliveryStream {
                config,
                buffer: Vec::new(),
                records: 0,
                first_at: None,
                stats: FirehoseStats::default(),
            },
        );
        Ok(())
    }

    /// The settings of the delivery stream `name`.
    pub fn config(&self, name: &str) -> Option<DeliveryStreamConfig> {
        self.lock().streams.get(name).map(|s| s.config.clone())
    }

    /// The names of the delivery streams.
    pub fn names(&self) -> Vec<String> {
        self.lock().streams.keys().cloned().collect()
    }

    /// `PutRecordBatch` at time `at`: returns `FailedPutCount` (always 0: every record of an
    /// accepted request is buffered) and the objects the call caused to be written.
    pub fn put_record_batch(
        &self,
        name: &str,
        records: Vec<Vec<u8>>,
        at: SystemTime,
    ) -> Result<(u32, Vec<WrittenObject>)> {
        if records.is_empty() || records.len() > MAX_BATCH_RECORDS {
            return Err(Error::InvalidArgument(format!(
                "a PutRecordBatch request holds 1 to {MAX_BATCH_RECORDS} records, not {}",
                records.len()
            )));
        }
        if let Some((i, big)) = records
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() > MAX_RECORD_BYTES)
        {
            return Err(Error::InvalidArgument(format!(
                "record {i} is {} bytes, over Firehose's limit of {MAX_RECORD_BYTES}",
                big.len()
            )));
        }
        let total: usize = records.iter().map(Vec::len).sum();
        if total > MAX_BATCH_BYTES {
            return Err(Error::InvalidArgument(format!(
                "the request holds {total} bytes, over Firehose's limit of {MAX_BATCH_BYTES}"
            )));
        }
        let mut inner = self.lock();
        let Inner { streams, rng, log } = &mut *inner;
        let stream = streams
            .get_mut(name)
            .ok_or_else(|| Error::NoSuchDeliveryStream(name.to_owned()))?;
        let mut written = Vec::new();
        if let Some(due) = stream.due()
            && due <= at
        {
            written.extend(stream.flush(&self.objects, rng, due)?);
        }
        log.extend(written.iter().cloned());
        for record in records {
            stream.first_at.get_or_insert(at);
            stream.stats.records_in += 1;
            stream.stats.bytes_in += record.len() as u64;
            stream.buffer.extend_from_slice(&record);
            stream.records += 1;
        }
        if stream.buffer.len() >= (stream.config.buffer_size_mb as usize) << 20
            && let Some(object) = stream.flush(&self.objects, rng, at)?
        {
            log.push(object.clone());
            written.push(object);
        }
        Ok((0, written))
    }

    /// When the earliest buffer's interval ends, if any buffer holds records.
    pub fn next_flush_at(&self) -> Option<SystemTime> {
        self.lock()
            .streams
            .values()
            .filter_map(DeliveryStream::due)
            .min()
    }

    /// Writes every buffer whose interval has ended by `now` (dated at its interval's end).
    pub fn flush_due(&self, now: SystemTime) -> Result<Vec<WrittenObject>> {
        let mut inner = self.lock();
        let Inner { streams, rng, log } = &mut *inner;
        let mut written = Vec::new();
        for stream in streams.values_mut() {
            if let Some(due) = stream.due()
                && due <= now
                && let Some(object) = stream.flush(&self.objects, rng, due)?
            {
                log.push(object.clone());
                written.push(object);
            }
        }
        Ok(written)
    }

    /// Writes every buffer that holds records now (at the end of a run). On an error the
    /// buffers not yet written keep their records.
    pub fn flush_all(&self, now: SystemTime) -> Result<Vec<WrittenObject>> {
        let mut inner = self.lock();
        let Inner { streams, rng, log } = &mut *inner;
        let mut written = Vec::new();
        for stream in streams.values_mut() {
            if let Some(object) = stream.flush(&self.objects, rng, now)? {
                log.push(object.clone());
                written.push(object);
            }
        }
        Ok(written)
    }

    /// Every object written so far, in the order written.
    pub fn written(&self) -> Vec<WrittenObject> {
        self.lock().log.clone()
    }

    /// What `name` has taken and written.
    pub fn stats(&self, name: &str) -> Option<FirehoseStats> {
        self.lock().streams.get(name).map(|s| s.stats)
    }
}

impl DeliveryStream {
    fn due(&self) -> Option<SystemTime> {
        self.first_at
            .map(|first| first + Duration::from_secs(u64::from(self.config.buffer_interval_s)))
    }

    fn flush(
        &mut self,
        objects: &ObjectStore,
        rng: &mut ChaCha8Rng,
        at: SystemTime,
    ) -> Result<Option<WrittenObject>> {
        if self.records == 0 {
            return Ok(None);
        }
        let stamp = humantime::format_rfc3339_seconds(at).to_string();
        // "2026-01-01T00:00:00Z"
        let (date, time) = stamp.split_at(10);
        let hour = &time[1..3];
        let clock = time[1..9].replace(':', "-");
        let mut bytes = [0u8; 16];
        rng.fill_bytes(&mut bytes);
        let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
        let key = format!(
            "{}{}/{hour}/{}-1-{date}-{clock}-{id}",
            self.config.prefix,
            date.replace('-', "/"),
            self.config.name,
        );
        objects.put(&self.config.bucket, &key, &self.buffer)?;
        let object = WrittenObject {
            stream: self.config.name.clone(),
            bucket: self.config.bucket.clone(),
            key,
            records: self.records,
            bytes: self.buffer.len(),
            at,
        };
        self.stats.objects += 1;
        self.stats.records_out += self.records as u64;
        self.buffer.clear();
        self.records = 0;
        self.first_at = None;
        Ok(Some(object))
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    /// `seconds` after 2026-01-01T00:00:00Z, the simulation's epoch.
    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_767_225_600 + seconds)
    }

    #[test]
    fn buffers_flush_at_their_size_or_their_interval() {
        let objects = ObjectStore::temporary().expect("store");
        let firehose = Firehose::new(objects.clone(), 1);
        let mut config = DeliveryStreamConfig::new("events", "analytics");
        config.prefix = "raw/".to_owned();
        config.buffer_size_mb = 1;
        config.buffer_interval_s = 60;
        firehose.create(config).expect("create");

        let (failed, written) = firehose
            .put_record_batch("events", vec![b"a".to_vec(), b"b".to_vec()], at(3_700))
            .expect("put");
        assert_eq!((failed, written.len()), (0, 0), "buffered");
        assert_eq!(firehose.next_flush_at(), Some(at(3_760)));
        assert!(firehose.flush_due(at(3_759)).expect("flush").is_empty());
        let written = firehose.flush_due(at(4_000)).expect("flush");
        assert_eq!(written.len(), 1);
        assert!(
            written[0]
                .key
                .starts_with("raw/2026/01/01/01/events-1-2026-01-01-01-02-40-"),
            "dated at the interval's end: {}",
            written[0].key
        );
        assert_eq!(
            objects.get("analytics", &written[0].key).expect("get"),
            Some(b"ab".to_vec())
        );

        // 1 MB fills the buffer at once.
        let big = vec![vec![7u8; 600_000], vec![8u8; 600_000]];
        let (_, written) = firehose
            .put_record_batch("events", big, at(5_000))
            .expect("put");
        assert_eq!(
            (written.len(), written[0].records, written[0].bytes),
            (1, 2, 1_200_000)
        );
        assert!(matches!(
            firehose.put_record_batch("nope", vec![b"x".to_vec()], at(0)),
            Err(Error::NoSuchDeliveryStream(_))
        ));
        assert!(matches!(
            firehose.put_record_batch("events", vec![Vec::new(); 501], at(0)),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn the_same_seed_names_objects_the_same() {
        let names = |seed| {
            let firehose = Firehose::new(ObjectStore::temporary().expect("store"), seed);
            firehose
                .create(DeliveryStreamConfig::new("s", "bucket"))
                .expect("create");
            firehose
                .put_record_batch("s", vec![b"x".to_vec()], at(0))
                .expect("put");
            firehose.flush_all(at(1)).expect("flush")[0].key.clone()
        };
        assert_eq!(names(3), names(3));
        assert_ne!(names(3), names(4));
    }
}
