//! The report's data: a page of sections, each with paragraphs, a table and charts.
//!
//! Everything here is plain data with `serde::Serialize`, so a command can dump the same
//! figures as JSON (`--json`) that it renders as HTML. Values are taken as given: NaN,
//! infinities, empty series and zero-width spans are legal and render as a "no data" note or a
//! sensible range, never as a panic.

use serde::{Deserialize, Serialize};

/// A whole report: one self-contained HTML page.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HtmlReport {
    /// The page's heading (`<h1>`) and initial `<title>`.
    pub title: String,
    /// One line under the heading, e.g. the function and the command line; empty for none.
    pub subtitle: String,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

impl HtmlReport {
    /// A report titled `title`, with no subtitle and no sections.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Sets the line under the heading.
    pub fn with_subtitle(mut self, subtitle: impl Into<String>) -> Self {
        self.subtitle = subtitle.into();
        self
    }

    /// Appends a section.
    pub fn with_section(mut self, section: Section) -> Self {
        self.sections.push(section);
        self
    }

    /// The number of charts in all sections: the `<n>` of the page's
    /// `lambda-sim report: <n> charts` title once the page's script ran.
    pub fn chart_count(&self) -> usize {
        self.sections.iter().map(|s| s.charts.len()).sum()
    }
}

/// A section of a report: an `<h2>`, then its paragraphs, its table and its charts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// The section's heading.
    pub heading: String,
    /// Paragraphs of plain text (escaped, not HTML).
    pub paragraphs: Vec<String>,
    /// An optional table, shown after the paragraphs.
    pub table: Option<Table>,
    /// Charts, shown after the table.
    pub charts: Vec<Chart>,
}

impl Section {
    /// An empty section headed `heading`.
    pub fn new(heading: impl Into<String>) -> Self {
        Self {
            heading: heading.into(),
            ..Self::default()
        }
    }

    /// Appends a paragraph of plain text.
    pub fn with_paragraph(mut self, text: impl Into<String>) -> Self {
        self.paragraphs.push(text.into());
        self
    }

    /// Sets the table.
    pub fn with_table(mut self, table: Table) -> Self {
        self.table = Some(table);
        self
    }

    /// Appends a chart.
    pub fn with_chart(mut self, chart: Chart) -> Self {
        self.charts.push(chart);
        self
    }
}

/// A table of text cells. Rows shorter than `columns` are padded with empty cells; longer
/// rows show all their cells.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// The column headings.
    pub columns: Vec<String>,
    /// The rows, each a list of cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headings and no rows.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Self {
        Self {
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row.
    pub fn with_row<S: Into<String>>(mut self, cells: impl IntoIterator<Item = S>) -> Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }
}

/// A named line of `(x, y)` points, drawn in the order given.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The legend's name for the line.
    pub name: String,
    /// The points; those with a non-finite coordinate (or `x <= 0` on a log axis) are skipped.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A series named `name` with these points.
    pub fn new(name: impl Into<String>, points: impl IntoIterator<Item = (f64, f64)>) -> Self {
        Self {
            name: name.into(),
            points: points.into_iter().collect(),
        }
    }
}

/// A named set of measurements for a histogram, e.g. the cold starts' latencies in ms.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Samples {
    /// The legend's name for the set.
    pub name: String,
    /// The values; non-finite ones are skipped.
    pub values: Vec<f64>,
}

impl Samples {
    /// A set named `name` with these values.
    pub fn new(name: impl Into<String>, values: impl IntoIterator<Item = f64>) -> Self {
        Self {
            name: name.into(),
            values: values.into_iter().collect(),
        }
    }
}

/// One bar of a timeline: a phase of an invocation on one lane.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// When it starts, in ms from the run's start.
    pub start_ms: f64,
    /// When it ends, in ms; equal to `start_ms` draws a thin bar, before it is swapped.
    pub end_ms: f64,
    /// Text drawn inside the bar when the bar is wide enough (e.g. a request id); may be empty.
    pub label: String,
    /// What the span is, which picks its colour and legend entry.
    pub kind: SpanKind,
}

impl Span {
    /// A span of `kind` from `start_ms` to `end_ms`, without a label.
    pub fn new(kind: SpanKind, start_ms: f64, end_ms: f64) -> Self {
        Self {
            start_ms,
            end_ms,
            label: String::new(),
            kind,
        }
    }

    /// Sets the text drawn inside the bar.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }
}

/// What a timeline span is; each kind has one colour in every chart of a report.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SpanKind {
    /// The platform's part of a cold start (placement, runtime start).
    ColdStart,
    /// The guest's `init`.
    Init,
    /// The guest's `handle`.
    Invoke,
    /// An invocation that failed (function error, trap, timeout).
    Error,
    /// An invocation refused by a concurrency limit.
    Throttle,
    /// Time spent in a host call (a store, the object store, Firehose).
    HostCall,
    /// Anything else.
    #[default]
    Other,
}

impl SpanKind {
    /// Every kind, in legend order.
    pub const ALL: [SpanKind; 7] = [
        SpanKind::ColdStart,
        SpanKind::Init,
        SpanKind::Invoke,
        SpanKind::Error,
        SpanKind::Throttle,
        SpanKind::HostCall,
        SpanKind::Other,
    ];

    /// The legend's name for the kind.
    pub fn name(self) -> &'static str {
        match self {
            SpanKind::ColdStart => "cold start",
            SpanKind::Init => "init",
            SpanKind::Invoke => "invoke",
            SpanKind::Error => "error",
            SpanKind::Throttle => "throttle",
            SpanKind::HostCall => "host call",
            SpanKind::Other => "other",
        }
    }
}

/// One row of a timeline, e.g. one execution environment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    /// The row's label on the left axis.
    pub name: String,
    /// The row's bars; they may overlap (later ones are drawn on top).
    pub spans: Vec<Span>,
}

impl Lane {
    /// A lane named `name` with these spans.
    pub fn new(name: impl Into<String>, spans: impl IntoIterator<Item = Span>) -> Self {
        Self {
            name: name.into(),
            spans: spans.into_iter().collect(),
        }
    }
}

/// A chart, drawn as an inline SVG of about 800x400 pixels.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Chart {
    /// Power Tuning's chart: x = memory size (MB, log scale when `x_log`), left axis = the
    /// `left` series (e.g. average duration in ms), right axis = the `right` series (e.g. cost
    /// per invocation in USD), each axis labelled.
    Lines {
        /// The chart's title, drawn above it.
        title: String,
        /// The x axis's label, e.g. `memory (MB)`.
        x_label: String,
        /// Whether the x axis is logarithmic (base 2, so memory sizes fall on ticks).
        x_log: bool,
        /// The left axis's label, e.g. `avg duration (ms)`.
        left_label: String,
        /// The series on the left axis, drawn as solid lines.
        left: Vec<Series>,
        /// The right axis's label, e.g. `cost per invocation (USD)`; unused without `right`.
        right_label: String,
        /// The series on the right axis, drawn as dashed lines; empty for no right axis.
        right: Vec<Series>,
    },
    /// Overlaid histograms (e.g. cold vs warm latencies in ms), `bins` buckets over the range.
    Histogram {
        /// The chart's title, drawn above it.
        title: String,
        /// The x axis's label, e.g. `latency (ms)`; the y axis counts samples.
        x_label: String,
        /// The number of buckets over the range of all values (0 means 20; at most 1,000).
        bins: usize,
        /// The sets of values, each drawn as translucent bars.
        samples: Vec<Samples>,
    },
    /// A per-invocation timeline: one row per lane (e.g. an execution environment), each span a
    /// bar coloured by kind, with a legend.
    Timeline {
        /// The chart's title, drawn above it.
        title: String,
        /// The x axis's label, e.g. `time (ms)`.
        x_label: String,
        /// The rows, top to bottom.
        lanes: Vec<Lane>,
    },
}

impl Chart {
    /// The chart's title.
    pub fn title(&self) -> &str {
        match self {
            Chart::Lines { title, .. }
            | Chart::Histogram { title, .. }
            | Chart::Timeline { title, .. } => title,
        }
    }
}
