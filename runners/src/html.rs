//! The HTML reports of the runs: power tuning, the analytics pipeline, chaos and load
//! runs, each as one self-contained [`HtmlReport`] (charts drawn by plotters to inline SVG).

use lambda_sim_report::{Chart, HtmlReport, Lane, Samples, Section, Series, Span, SpanKind, Table};

use crate::chaos::ChaosReport;
use crate::load::{LoadReport, PhaseStats};
use crate::pipeline::{PipelineReport, PipelineTiming};
use crate::tune::TuneReport;

impl TuneReport {
    /// Power Tuning's chart (time and cost across memory sizes), cold and warm latencies, and
    /// every invocation's timeline per size.
    pub fn to_html(&self) -> HtmlReport {
        let mut table = Table::new(crate::tune::COLUMNS);
        for r in &self.results {
            let mark = if r.memory_mb == self.recommended_mb {
                " (recommended)"
            } else {
                ""
            };
            table = table.with_row([
                format!("{} MB{mark}", r.memory_mb),
                format!("{:.2}", r.average_ms),
                format!("{:.2}", r.p99_ms),
                format!("{:.1}", r.average_billed_ms),
                format!("{:.10}", r.cost_per_invocation),
                format!("{:.4}", r.cost_per_million),
                format!("{:.2}", r.init_ms),
                format!("{:.10}", r.cold_start_cost),
            ]);
        }
        let memory = |f: fn(&crate::tune::SizeResult) -> f64| {
            self.results
                .iter()
                .map(|r| (f64::from(r.memory_mb), f(r)))
                .collect::<Vec<_>>()
        };
        let curves = Chart::Lines {
            title: "Duration and cost by memory size".to_owned(),
            x_label: "memory size (MB)".to_owned(),
            x_log: true,
            left_label: "duration (ms)".to_owned(),
            left: vec![
                Series::new("average duration", memory(|r| r.average_ms)),
                Series::new("p99 duration", memory(|r| r.p99_ms)),
            ],
            right_label: "cost per invocation (USD)".to_owned(),
            right: vec![Series::new(
                "cost per invocation",
                memory(|r| r.cost_per_invocation),
            )],
        };
        let histogram = Chart::Histogram {
            title: "Cold and warm latencies (all sizes)".to_owned(),
            x_label: "ms (cold: Init Duration + Duration)".to_owned(),
            bins: 30,
            samples: vec![
                Samples::new(
                    "warm",
                    self.results
                        .iter()
                        .flat_map(|r| r.durations_ms.iter().copied()),
                ),
                Samples::new(
                    "cold",
                    self.results.iter().flat_map(|r| r.cold_ms.iter().copied()),
                ),
            ],
        };
        let lanes = self
            .results
            .iter()
            .map(|r| {
                let spans = r.runs.iter().flat_map(|run| {
                    let init = (run.init_ms > 0.0).then(|| {
                        Span::new(SpanKind::Init, run.start_ms, run.start_ms + run.init_ms)
                    });
                    let begin = run.start_ms + run.init_ms;
                    let kind = if run.failed {
                        SpanKind::Error
                    } else {
                        SpanKind::Invoke
                    };
                    init.into_iter()
                        .chain([Span::new(kind, begin, begin + run.duration_ms)])
                });
                Lane::new(format!("{} MB", r.memory_mb), spans.collect::<Vec<_>>())
            })
            .collect();
        let timeline = Chart::Timeline {
            title: "Every invocation, per memory size (simulated time)".to_owned(),
            x_label: "ms".to_owned(),
            lanes,
        };
        HtmlReport::new(format!("Power tuning: {}", self.function))
            .with_subtitle(format!("strategy: {}", self.strategy))
            .with_section(
                Section::new(format!("Recommended: {} MB", self.recommended_mb))
                    .with_paragraph(self.reason.clone())
                    .with_table(table)
                    .with_chart(curves),
            )
            .with_section(Section::new("Latency").with_chart(histogram))
            .with_section(Section::new("Timeline").with_chart(timeline))
    }
}

impl PipelineReport {
    /// The run's report as text, latencies per consumer (cold and warm), the first consumer's
    /// batches on a timeline, and the host's figures.
    pub fn to_html(&self, timing: &PipelineTiming) -> HtmlReport {
        let text = self.to_string();
        let mut summary = Section::new("Report");
        for line in text.lines() {
            summary = summary.with_paragraph(line.to_owned());
        }
        let mut table = Table::new([
            "consumer",
            "invocations",
            "failed",
            "killed",
            "injected errors",
            "cold starts",
            "p50 ms",
            "p99 ms",
            "$",
        ]);
        let mut latencies = Section::new("Latency per consumer");
        for consumer in &self.consumers {
            let f = &consumer.figures;
            table = table.with_row([
                consumer.name.clone(),
                f.invocations.to_string(),
                f.errors.to_string(),
                f.kills.to_string(),
                f.injected_errors.to_string(),
                f.cold_starts.to_string(),
                format!("{:.2}", f.duration.p50_ms),
                format!("{:.2}", f.duration.p99_ms),
                format!("{:.6}", f.cost.total_usd()),
            ]);
            latencies = latencies.with_chart(Chart::Histogram {
                title: format!("{}: cold and warm invocations", consumer.name),
                x_label: "ms (cold: Init Duration + Duration)".to_owned(),
                bins: 30,
                samples: vec![
                    Samples::new("warm", f.warm_ms.iter().copied()),
                    Samples::new("cold", f.cold_ms.iter().copied()),
                ],
            });
        }
        let mut lanes: Vec<Lane> = Vec::new();
        for span in &self.timeline {
            let kind = if span.ok {
                SpanKind::Invoke
            } else {
                SpanKind::Error
            };
            let bar = Span::new(kind, span.start_ms, span.end_ms);
            match lanes.iter_mut().find(|l| l.name == span.lane) {
                Some(lane) => lane.spans.push(bar),
                None => lanes.push(Lane::new(span.lane.clone(), [bar])),
            }
        }
        lanes.sort_by(|a, b| a.name.cmp(&b.name));
        HtmlReport::new("Analytics pipeline: Kinesis -> Lambda -> Firehose -> S3")
            .with_subtitle(format!(
                "{} events at {:.0}/s; host: {:.2} s of wall time",
                self.records,
                self.rate,
                timing.wall.as_secs_f64()
            ))
            .with_section(summary.with_table(table))
            .with_section(latencies)
            .with_section(Section::new("Batches of the first consumer").with_chart(
                Chart::Timeline {
                    title: "The first batches per shard lane (simulated time)".to_owned(),
                    x_label: "ms after the first event".to_owned(),
                    lanes,
                },
            ))
    }
}

impl ChaosReport {
    /// The run's accounting as a table (the run keeps counts, not per-event samples, so there
    /// is nothing honest to chart).
    pub fn to_html(&self) -> HtmlReport {
        let rows = [
            ("events", self.events),
            ("attempts", self.attempts),
            ("cold starts", self.cold_starts),
            ("killed during an invocation", self.kills_during),
            ("destroyed between invocations", self.kills_between),
            ("retries", self.retries),
            ("function errors", self.errors),
            ("refused", self.refused),
            ("delivered", self.delivered),
            ("failed after retries", self.failed),
            ("lost", self.lost),
            ("delivered twice", self.duplicated),
        ];
        let mut table = Table::new(["", "count"]);
        for (name, count) in rows {
            table = table.with_row([name.to_owned(), count.to_string()]);
        }
        HtmlReport::new("Chaos run")
            .with_subtitle(if self.holds() {
                "every event delivered or reported failed, none lost, none twice"
            } else {
                "FAILED: events lost or delivered twice"
            })
            .with_section(Section::new("Accounting").with_table(table))
    }
}

impl LoadReport {
    /// The phases' latency percentiles as curves and a table.
    pub fn to_html(&self) -> HtmlReport {
        let phases: [(&str, &PhaseStats); 4] = [
            ("cold total", &self.cold_total),
            ("init", &self.init),
            ("invoke", &self.invoke),
            ("warm", &self.warm),
        ];
        let mut table = Table::new([
            "phase", "count", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms",
        ]);
        let mut left = Vec::new();
        for (name, stats) in phases {
            table = table.with_row([
                name.to_owned(),
                stats.count.to_string(),
                format!("{:.3}", stats.p50_ms),
                format!("{:.3}", stats.p90_ms),
                format!("{:.3}", stats.p99_ms),
                format!("{:.3}", stats.p999_ms),
                format!("{:.3}", stats.max_ms),
            ]);
            if stats.count > 0 {
                left.push(Series::new(
                    name,
                    [
                        (50.0, stats.p50_ms),
                        (90.0, stats.p90_ms),
                        (99.0, stats.p99_ms),
                        (99.9, stats.p999_ms),
                        (100.0, stats.max_ms),
                    ],
                ));
            }
        }
        HtmlReport::new("Load run")
            .with_subtitle(format!(
                "{} invocations, {} cold starts, {} errors, {} refused",
                self.invocations, self.cold_starts, self.errors, self.refused
            ))
            .with_section(
                Section::new("Latency by phase")
                    .with_table(table)
                    .with_chart(Chart::Lines {
                        title: "Latency percentiles by phase".to_owned(),
                        x_label: "percentile".to_owned(),
                        x_log: false,
                        left_label: "ms".to_owned(),
                        left,
                        right_label: String::new(),
                        right: Vec::new(),
                    }),
            )
    }
}
