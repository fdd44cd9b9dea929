//! The colours of a report: one per series name across all its charts, one per span kind.

use plotters::style::RGBColor;

use crate::model::{Chart, SpanKind};

/// Tableau 10: distinct hues that stay readable on white and for most colour-blind readers.
const SERIES: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];

/// Series colours by name, in order of first appearance, so that a series called `cold` has the
/// same colour in every chart of a report (names past the tenth reuse colours).
#[derive(Debug, Default)]
pub(crate) struct Palette {
    names: Vec<String>,
}

impl Palette {
    /// The palette of these charts' series names.
    pub(crate) fn for_charts<'a>(charts: impl IntoIterator<Item = &'a Chart>) -> Self {
        let mut palette = Self::default();
        for chart in charts {
            match chart {
                Chart::Lines { left, right, .. } => {
                    for series in left.iter().chain(right) {
                        palette.add(&series.name);
                    }
                }
                Chart::Histogram { samples, .. } => {
                    for set in samples {
                        palette.add(&set.name);
                    }
                }
                Chart::Timeline { .. } => {}
            }
        }
        palette
    }

    fn add(&mut self, name: &str) {
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_owned());
        }
    }

    /// The colour of the series called `name` (the first colour for a name never added).
    pub(crate) fn series(&self, name: &str) -> RGBColor {
        let index = self.names.iter().position(|n| n == name).unwrap_or(0);
        SERIES[index % SERIES.len()]
    }
}

/// The colour of a span kind, the same in every timeline.
pub(crate) fn kind(kind: SpanKind) -> RGBColor {
    match kind {
        SpanKind::ColdStart => RGBColor(0x4e, 0x79, 0xa7),
        SpanKind::Init => RGBColor(0x76, 0xb7, 0xb2),
        SpanKind::Invoke => RGBColor(0x59, 0xa1, 0x4f),
        SpanKind::Error => RGBColor(0xe1, 0x57, 0x59),
        SpanKind::Throttle => RGBColor(0xf2, 0x8e, 0x2b),
        SpanKind::HostCall => RGBColor(0xb0, 0x7a, 0xa1),
        SpanKind::Other => RGBColor(0xba, 0xb0, 0xac),
    }
}
