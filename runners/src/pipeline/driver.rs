//! The run: the producer, the consumers' mappings and the delivery stream's flushes stepped on
//! one task in the order of simulated time, then the outcome read back into the report.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lambda_sim_runtime::services::Services;
use lambda_sim_runtime::{Runtime, VIRTUAL_EPOCH};

use super::consumer::{Consumer, ConsumerSource};
use super::delivery::{Delivered, in_destination};
use super::latency;
use super::options::PipelineOptions;
use super::producer::Producer;
use super::report::{ConsumerReport, MappingStats, PipelineReport, PipelineTiming};
use super::wiring::{AnyMapping, Wiring};
use crate::Result;

/// Runs the pipeline: the producer's events go into the stream, each consumer reads it
/// through its mapping (the bundled forwarder into the delivery stream, the aggregator into
/// the key-value store), and what reached S3 through `options.delivery` is checked. Runs on
/// the runtime's clock: give it a virtual one.
pub async fn pipeline_run(
    runtime: &Runtime,
    consumers: &[Consumer],
    options: &PipelineOptions,
) -> Result<(PipelineReport, PipelineTiming)> {
    pipeline_run_with_progress(runtime, consumers, options, |_| {}).await
}

/// [`pipeline_run`], calling `progress` with the number of events sent so far (for a progress
/// bar).
pub async fn pipeline_run_with_progress(
    runtime: &Runtime,
    consumers: &[Consumer],
    options: &PipelineOptions,
    mut progress: impl FnMut(usize),
) -> Result<(PipelineReport, PipelineTiming)> {
    let started = Instant::now();
    let services = runtime.services();
    if !services.firehose.names().contains(&options.delivery.name) {
        services.firehose.create(options.delivery.clone())?;
    }
    let mut wiring = Wiring::new(consumers, options)?;
    let start = runtime.clock().now();
    let mut producer = Producer::new(options, start);
    drive(services, &mut wiring, &mut producer, &mut progress).await?;
    let end = runtime.clock().now().max(producer.end());
    services.firehose.flush_all(at_wall(end))?;
    let (report, in_invocations) =
        finish(services, consumers, options, wiring, &producer, start, end)?;
    let timing = PipelineTiming {
        wall: started.elapsed(),
        in_invocations,
    };
    Ok((report, timing))
}

/// The wall-clock time of a simulated instant (the virtual clock's epoch plus it), as the
/// delivery stream reads time.
fn at_wall(t: Duration) -> SystemTime {
    UNIX_EPOCH + VIRTUAL_EPOCH + t
}

/// Steps whichever is due first, the producer, a mapping or a flush (the producer first on a
/// tie, then the mappings, in the consumers' order), until none is left.
async fn drive(
    services: &Services,
    wiring: &mut Wiring,
    producer: &mut Producer,
    progress: &mut impl FnMut(usize),
) -> Result<()> {
    let epoch = at_wall(Duration::ZERO);
    loop {
        let produce_at = producer.next_at();
        let flush_at = services
            .firehose
            .next_flush_at()
            .and_then(|t| t.duration_since(epoch).ok());
        let mapping_at = wiring.next_mapping();
        let others = [mapping_at.map(|(at, _)| at), flush_at];
        let Some(now) = [produce_at, others[0], others[1]]
            .into_iter()
            .flatten()
            .min()
        else {
            return Ok(());
        };
        if produce_at == Some(now) {
            // Every event due up to the next other step goes in at once.
            let until = others.iter().flatten().min().copied();
            producer.send(now, until, &wiring.stream, &wiring.queues);
            progress(producer.sent_so_far());
            continue;
        }
        if let Some((at, i)) = mapping_at
            && at == now
        {
            wiring.step(i, now).await;
        } else {
            services.firehose.flush_due(at_wall(now))?;
        }
    }
}

/// The report of a run that ended at `end`, and the wall time spent in invocations.
fn finish(
    services: &Services,
    consumers: &[Consumer],
    options: &PipelineOptions,
    wiring: Wiring,
    producer: &Producer,
    start: Duration,
    end: Duration,
) -> Result<(PipelineReport, Duration)> {
    let sent = &producer.sent;
    let delivered = Delivered::read(services, &options.delivery.name, sent.len())?;
    let shards = delivered.shard_order(sent, &wiring.stream, options.shards);
    // The on-failure destination's records name their batches by sequence numbers.
    let destination_records: Vec<serde_json::Value> = wiring
        .mappings
        .iter()
        .filter_map(AnyMapping::kinesis)
        .flat_map(|m| m.destination_records().iter().cloned())
        .collect();
    let in_destination = in_destination(&destination_records, &producer.by_sequence, sent.len());
    let lost = (0..sent.len())
        .filter(|&id| delivered.copies[id] == 0 && !in_destination[id])
        .count();
    // Latencies: iterator age at the first invocation that carried an event, and arrival to
    // its first S3 object.
    let first = wiring.mappings.iter().find_map(AnyMapping::kinesis);
    let timeline = latency::timeline(first, start);
    let iterator_age = latency::iterator_age(first, &producer.by_sequence, sent);
    let end_to_end = latency::end_to_end(&delivered.first_object, sent, at_wall);
    let last_write = delivered
        .objects
        .last()
        .and_then(|o| o.at.duration_since(at_wall(Duration::ZERO)).ok())
        .unwrap_or(end);
    let (consumers, in_invocations) = consumer_reports(consumers, wiring);
    let report = PipelineReport {
        records: sent.len(),
        poison: producer.poison(),
        delivered: delivered.delivered(),
        duplicates: delivered.duplicates(),
        to_destination: in_destination.iter().filter(|&&d| d).count(),
        lost,
        shards,
        consumers,
        destination_records,
        iterator_age,
        end_to_end,
        counts: counts(services),
        timeline,
        simulated: last_write.max(end).saturating_sub(start),
        rate: options.rate,
        objects: delivered.objects,
    };
    Ok((report, in_invocations))
}

/// The aggregator's counts per event type (`count/<type>` in the `aggregates` bucket).
fn counts(services: &Services) -> BTreeMap<String, u64> {
    services
        .keyvalue
        .snapshot()
        .remove("aggregates")
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(key, value)| {
            let kind = key.strip_prefix("count/")?.to_owned();
            let n = std::str::from_utf8(&value).ok()?.parse().ok()?;
            Some((kind, n))
        })
        .collect()
}

/// Each consumer's figures and its mapping's, and the wall time of all their invocations.
fn consumer_reports(consumers: &[Consumer], wiring: Wiring) -> (Vec<ConsumerReport>, Duration) {
    let mut in_invocations = Duration::ZERO;
    let reports = consumers
        .iter()
        .zip(wiring.mappings)
        .zip(wiring.targets)
        .map(|((consumer, mapping), target)| {
            let (figures, wall) = target.finish();
            in_invocations += wall;
            ConsumerReport {
                name: consumer.function.config().name.clone(),
                figures,
                mapping: mapping_stats(&mapping, &consumer.source),
            }
        })
        .collect();
    (reports, in_invocations)
}

/// A mapping's figures (an SQS one's with its consumer's queue).
fn mapping_stats(mapping: &AnyMapping, source: &ConsumerSource) -> MappingStats {
    match (mapping, source) {
        (AnyMapping::Kinesis(m), _) => MappingStats::Kinesis(m.stats()),
        (AnyMapping::Sqs(m), ConsumerSource::Sqs { queue, .. }) => MappingStats::Sqs {
            queue: queue.name.clone(),
            stats: m.stats(),
        },
        (AnyMapping::Sqs(m), _) => MappingStats::Sqs {
            queue: String::new(),
            stats: m.stats(),
        },
    }
}
