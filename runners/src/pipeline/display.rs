//! A pipeline run's report as text (deterministic: the same run prints the same lines).

use std::fmt;
use std::time::Duration;

use super::report::{FunctionFigures, MappingStats, PipelineReport};
use crate::load::PhaseStats;

/// `p50 ..., p99 ..., max ...` of a phase, for the report's text.
fn brief(stats: &PhaseStats) -> String {
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        stats.p50_ms, stats.p99_ms, stats.max_ms
    )
}

fn function_lines(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    figures: &FunctionFigures,
) -> fmt::Result {
    writeln!(
        f,
        "  {name}: {} invocations, {} failed ({} killed, {} injected errors), {} cold starts",
        figures.invocations,
        figures.errors,
        figures.kills,
        figures.injected_errors,
        figures.cold_starts
    )?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    writeln!(
        f,
        "    cold starts cost {:.1} ms in all: placement {:.1} ms, runtime init {:.1} ms, function init {:.1} ms, ENI {:.1} ms",
        ms(figures.cold.total()),
        ms(figures.cold.placement),
        ms(figures.cold.runtime_init),
        ms(figures.cold.function_init),
        ms(figures.cold.eni)
    )?;
    writeln!(f, "    init duration: {}", brief(&figures.init))?;
    writeln!(f, "    duration:      {}", brief(&figures.duration))?;
    writeln!(
        f,
        "    bill: {} requests, {:.3} GB-s, ${:.6}",
        figures.cost.requests,
        figures.cost.gb_seconds,
        figures.cost.total_usd()
    )
}

impl fmt::Display for PipelineReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "events: {} in ({} poison), {} delivered to S3, {} duplicated, {} in on-failure destination records, {} lost",
            self.records,
            self.poison,
            self.delivered,
            self.duplicates,
            self.to_destination,
            self.lost
        )?;
        writeln!(
            f,
            "ordering per shard (per partition key, first deliveries):"
        )?;
        for shard in &self.shards {
            let verdict = if shard.out_of_order == 0 {
                "in order".to_owned()
            } else {
                format!("{} out of order", shard.out_of_order)
            };
            writeln!(
                f,
                "  {}: {} events, {verdict}",
                shard.shard_id, shard.records
            )?;
        }
        writeln!(f, "consumers:")?;
        for consumer in &self.consumers {
            match &consumer.mapping {
                MappingStats::Kinesis(m) => writeln!(
                    f,
                    "  {}'s mapping: {} batches sent, {} succeeded, {} retried, {} bisections, {} throttled, {} records to the destination",
                    consumer.name,
                    m.invocations,
                    m.successful_batches,
                    m.retried_batches,
                    m.bisections,
                    m.throttles,
                    m.records_to_destination
                )?,
                MappingStats::Sqs { queue, stats } => writeln!(
                    f,
                    "  {}'s mapping (queue `{queue}`): {} batches sent, {} succeeded, {} messages deleted, {} returned after the visibility timeout, {} throttled, {} to the dead-letter queue",
                    consumer.name,
                    stats.invocations,
                    stats.successful_batches,
                    stats.messages_deleted,
                    stats.messages_returned,
                    stats.throttles,
                    stats.messages_to_dead_letter
                )?,
            }
            function_lines(f, &consumer.name, &consumer.figures)?;
        }
        writeln!(f, "latency:")?;
        writeln!(
            f,
            "  iterator age (arrival to first invocation of {}): {}",
            self.consumers
                .iter()
                .find(|c| matches!(c.mapping, MappingStats::Kinesis(_)))
                .map_or("-", |c| c.name.as_str()),
            brief(&self.iterator_age)
        )?;
        writeln!(
            f,
            "  end to end (arrival to S3 object):          {}",
            brief(&self.end_to_end)
        )?;
        let bytes: usize = self.objects.iter().map(|o| o.bytes).sum();
        writeln!(
            f,
            "S3: {} objects, {} bytes{}",
            self.objects.len(),
            bytes,
            self.objects
                .first()
                .map(|o| format!(" (first: s3://{}/{})", o.bucket, o.key))
                .unwrap_or_default()
        )?;
        if !self.counts.is_empty() {
            let total: u64 = self.counts.values().sum();
            let listed: Vec<String> = self
                .counts
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            writeln!(
                f,
                "aggregates (key-value store): {} ({total} events counted once each)",
                listed.join(", ")
            )?;
        }
        writeln!(
            f,
            "simulated {:.1} s at {:.0} events/s: Lambda would cost ${:.2} per month at this rate",
            self.simulated.as_secs_f64(),
            self.rate,
            self.monthly_cost()
        )?;
        write!(
            f,
            "verdict: {}",
            if self.holds() {
                "nothing lost, every shard in order"
            } else {
                "FAILED: events lost or out of order"
            }
        )
    }
}
