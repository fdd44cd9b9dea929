//! Reading the run's outcome back: the delivery stream's S3 objects (each event's copies, and
//! when it first landed), the per-shard order of first deliveries, and the events the
//! on-failure destinations' records name.

use std::collections::BTreeMap;
use std::time::SystemTime;

use lambda_sim_pipeline::Stream;
use lambda_sim_runtime::services::{Services, WrittenObject};
use serde_json::Value;

use super::producer::Sent;
use super::report::ShardOrder;
use crate::Result;

/// What reached S3 through one delivery stream.
pub(super) struct Delivered {
    /// The stream's objects, in the order written.
    pub(super) objects: Vec<WrittenObject>,
    /// Each event's copies in S3, by index.
    pub(super) copies: Vec<u32>,
    /// When each event's first object was written, by index.
    pub(super) first_object: Vec<Option<SystemTime>>,
    /// The events in the order of their first delivery.
    order: Vec<usize>,
}

impl Delivered {
    /// Reads back the objects of the delivery stream `delivery`: each line whose JSON carries
    /// the `id` of one of the `sent` events is a copy of it.
    pub(super) fn read(services: &Services, delivery: &str, sent: usize) -> Result<Self> {
        let objects: Vec<WrittenObject> = services
            .firehose
            .written()
            .into_iter()
            .filter(|o| o.stream == delivery)
            .collect();
        let mut copies = vec![0u32; sent];
        let mut first_object = vec![None; sent];
        let mut order: Vec<usize> = Vec::with_capacity(sent);
        for object in &objects {
            let body = services
                .objects
                .get(&object.bucket, &object.key)?
                .unwrap_or_default();
            for line in body.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let Some(id) = serde_json::from_slice::<Value>(line)
                    .ok()
                    .and_then(|v| v.get("id").and_then(Value::as_u64))
                    .and_then(|id| usize::try_from(id).ok())
                    .filter(|&id| id < sent)
                else {
                    continue;
                };
                if copies[id] == 0 {
                    order.push(id);
                    first_object[id] = Some(object.at);
                }
                copies[id] += 1;
            }
        }
        Ok(Delivered {
            objects,
            copies,
            first_object,
            order,
        })
    }

    /// Distinct events delivered.
    pub(super) fn delivered(&self) -> usize {
        self.copies.iter().filter(|&&c| c > 0).count()
    }

    /// Extra copies (an event delivered three times counts two).
    pub(super) fn duplicates(&self) -> usize {
        self.copies
            .iter()
            .map(|&c| c.saturating_sub(1) as usize)
            .sum()
    }

    /// Each shard's verdict: per partition key, first deliveries in the order sent.
    pub(super) fn shard_order(
        &self,
        sent: &[Sent],
        stream: &Stream,
        shards: usize,
    ) -> Vec<ShardOrder> {
        let mut last_nth: BTreeMap<&str, u64> = BTreeMap::new();
        let mut out_of_order = vec![0usize; shards];
        for &id in &self.order {
            let event = &sent[id];
            let last = last_nth.entry(&event.user).or_insert(0);
            if event.nth < *last {
                out_of_order[event.shard] += 1;
            }
            *last = (*last).max(event.nth);
        }
        let shard_ids = stream.shard_ids();
        (0..shards)
            .map(|shard| ShardOrder {
                shard_id: shard_ids.get(shard).cloned().unwrap_or_default(),
                records: sent.iter().filter(|e| e.shard == shard).count(),
                out_of_order: out_of_order[shard],
            })
            .collect()
    }
}

/// Which events (by index) the on-failure destinations' records name: each record names its
/// batch by shard and first and last sequence numbers.
pub(super) fn in_destination(
    records: &[Value],
    by_sequence: &BTreeMap<(String, String), usize>,
    sent: usize,
) -> Vec<bool> {
    let mut in_destination = vec![false; sent];
    for record in records {
        let info = &record["KinesisBatchInfo"];
        let (Some(shard), Some(first), Some(last)) = (
            info["shardId"].as_str(),
            info["startSequenceNumber"].as_str(),
            info["endSequenceNumber"].as_str(),
        ) else {
            continue;
        };
        let from = (shard.to_owned(), first.to_owned());
        let to = (shard.to_owned(), last.to_owned());
        for (_, &id) in by_sequence.range(from..=to) {
            in_destination[id] = true;
        }
    }
    in_destination
}
