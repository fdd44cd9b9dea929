//! Self-contained HTML reports of lambda-sim's runs, with charts drawn by plotters as inline SVG.
//!
//! A report is plain data: an [`HtmlReport`] of [`Section`]s, each with paragraphs, an optional
//! [`Table`] and [`Chart`]s. [`HtmlReport::render`] turns it into one HTML page that needs
//! nothing else: inline CSS, each chart an inline `<svg>`, no fonts, images or scripts fetched
//! from anywhere, and a short inline script that sets the page's title to
//! `lambda-sim report: <n> charts` once the charts are in the page (a headless browser reads
//! it back to check the page). Every type is `serde::Serialize`, so a command can print the
//! same figures as JSON.
//!
//! ```
//! use lambda_sim_report::{Chart, HtmlReport, Section, Series, Table};
//!
//! let memory = [128.0, 256.0, 512.0, 1024.0];
//! let duration = Series::new("avg duration", memory.iter().map(|&m| (m, 51_200.0 / m)));
//! let cost = Series::new("cost", memory.iter().map(|&m| (m, 2.1e-9 * m * (400.0 / m).ceil())));
//! let report = HtmlReport::new("Power tuning: hello")
//!     .with_subtitle("lambda-sim tune hello.wasm")
//!     .with_section(
//!         Section::new("Memory sizes")
//!             .with_paragraph("Fastest at 1024 MB; cheapest at 128 MB.")
//!             .with_table(Table::new(["memory (MB)", "avg (ms)"]).with_row(["128", "400"]))
//!             .with_chart(Chart::Lines {
//!                 title: "Duration and cost by memory size".into(),
//!                 x_label: "memory (MB)".into(),
//!                 x_log: true,
//!                 left_label: "avg duration (ms)".into(),
//!                 left: vec![duration],
//!                 right_label: "cost per invocation (USD)".into(),
//!                 right: vec![cost],
//!             }),
//!     );
//! let html = report.render()?;
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert_eq!(html.matches("<svg").count(), 1);
//! # Ok::<(), lambda_sim_report::ReportError>(())
//! ```
//!
//! # Charts
//!
//! - [`Chart::Lines`]: series against an x axis (log scale on request), on a left and a right
//!   y axis: Power Tuning's duration and cost by memory size.
//! - [`Chart::Histogram`]: overlaid histograms, e.g. cold and warm latencies.
//! - [`Chart::Timeline`]: spans on lanes, coloured by [`SpanKind`], e.g. invocations on
//!   execution environments.
//!
//! A series has one colour in every chart of a report (colours follow names, in order of first
//! appearance), and each span kind always has the same colour. Degenerate data (nothing to
//! draw, one point, equal values, NaN or infinities, zero-width spans) draws a "no data" note
//! or a sensible range; it never panics and never writes `NaN` into the SVG.
//!
//! # Fonts
//!
//! plotters is built with only its `svg_backend` feature: no font library, no font files, no
//! embedded font. Text is written as SVG `<text font-family="sans-serif">` and the browser
//! draws it with its own sans-serif face; layout uses plotters' estimate of text widths.

pub mod browser;
mod charts;
mod html;
mod model;
pub mod tool;

use std::path::{Path, PathBuf};

pub use model::{Chart, HtmlReport, Lane, Samples, Section, Series, Span, SpanKind, Table};

/// What can go wrong making a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// plotters failed to draw a chart (the SVG backend writes to a string, so this is a bug
    /// rather than a condition of the data).
    #[error("failed to draw chart `{chart}`: {message}")]
    Draw {
        /// The chart's title.
        chart: String,
        /// plotters' error.
        message: String,
    },
    /// The HTML file could not be written.
    #[error("failed to write report to `{}`", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The headless browser could not check a page.
    #[error("failed to check the page in chromium: {0}")]
    Browser(String),
}

/// A result whose error is a [`ReportError`].
pub type Result<T, E = ReportError> = std::result::Result<T, E>;

impl HtmlReport {
    /// The page: one self-contained HTML document.
    pub fn render(&self) -> Result<String> {
        html::render(self)
    }

    /// Renders the page and writes it to `path` (the directory must exist).
    pub fn write(&self, path: &Path) -> Result<()> {
        let page = self.render()?;
        std::fs::write(path, page).map_err(|source| ReportError::Write {
            path: path.to_owned(),
            source,
        })
    }
}
