//! The timeline: one row per lane (an execution environment), a bar per span coloured by kind.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::{self, finite};
use super::legend::{Entry, Mark};
use super::{Area, DrawResult, PLOT_HEIGHT, TEXT, font, no_data, palette};
use crate::model::{Lane, SpanKind};

/// The pixels a lane gets before the plot stops growing.
const LANE_HEIGHT: u32 = 30;
/// The tallest plot: past it, lanes get thinner.
const MAX_PLOT_HEIGHT: u32 = 1_200;
/// The smallest label spacing in pixels: lanes past it are labelled one in k.
const LABEL_SPACING: f64 = 16.0;
/// Lane names longer than this are cut with an ellipsis.
const MAX_NAME: usize = 22;
/// A bar's share of its lane's height.
const BAR: f64 = 0.64;

/// The plot's height for `lanes` rows.
pub(super) fn plot_height(lanes: usize) -> u32 {
    let lanes = u32::try_from(lanes).unwrap_or(u32::MAX);
    lanes
        .saturating_mul(LANE_HEIGHT)
        .saturating_add(110)
        .clamp(PLOT_HEIGHT, MAX_PLOT_HEIGHT)
}

/// The legend: the kinds the spans use, in [`SpanKind::ALL`]'s order.
pub(super) fn legend(lanes: &[Lane]) -> Vec<Entry> {
    SpanKind::ALL
        .into_iter()
        .filter(|kind| lanes.iter().flat_map(|l| &l.spans).any(|s| s.kind == *kind))
        .map(|kind| Entry {
            label: kind.name().to_owned(),
            color: palette::kind(kind),
            mark: Mark::Swatch,
        })
        .collect()
}

fn shortened(name: &str) -> String {
    if name.chars().count() > MAX_NAME {
        let mut cut: String = name.chars().take(MAX_NAME - 1).collect();
        cut.push('…');
        cut
    } else {
        name.to_owned()
    }
}

/// The y axis: `rows` lanes of height 1, labelled at the given lane centres only, its labels
/// formatted by the caller (plotters' own `f64` axis cannot take a label formatter with custom
/// key points).
struct LaneAxis {
    rows: f64,
    centers: Vec<f64>,
}

impl Ranged for LaneAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = value / self.rows;
        limit.0 + (share * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.centers.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        0.0..self.rows
    }
}

/// Draws the chart on `area`, or a "no data" note when no span has finite ends.
pub(super) fn draw(area: &Area, title: &str, x_label: &str, lanes: &[Lane]) -> DrawResult {
    // Each span as (lane, start, end, span) with start <= end, both finite.
    let spans: Vec<_> = lanes
        .iter()
        .enumerate()
        .flat_map(|(lane, l)| l.spans.iter().map(move |s| (lane, s)))
        .filter_map(|(lane, s)| {
            let (a, b) = (finite(s.start_ms)?, finite(s.end_ms)?);
            Some((lane, a.min(b), a.max(b), s))
        })
        .collect();
    let Some((lo, hi)) = axis::extent(spans.iter().flat_map(|&(_, a, b, _)| [a, b])) else {
        return no_data(area, title);
    };
    let x = axis::padded(lo, hi, 0.02, true);
    // The thinnest bar drawn: a zero-width span is a sliver, not nothing.
    let min_width = (x.end - x.start) * 0.002;
    let x_ticks = axis::ticks(&x);

    let n = lanes.len();
    let rows = n as f64;
    let name_chars = lanes
        .iter()
        .map(|l| shortened(&l.name).chars().count())
        .max()
        .unwrap_or(0);
    let label_area = u32::try_from(name_chars * 7 + 24)
        .unwrap_or(200)
        .clamp(64, 200);
    let plot_pixels = f64::from(area.dim_in_pixel().1.saturating_sub(110)).max(1.0);
    let every = ((rows * LABEL_SPACING / plot_pixels).ceil() as usize).max(1);
    // Lane i is drawn as row n-1-i, so the first lane is at the top.
    let row = |lane: usize| (n - 1 - lane) as f64;
    let centers: Vec<f64> = (0..n).step_by(every).map(|lane| row(lane) + 0.5).collect();
    let name_of = |v: &f64| {
        let from_top = n as f64 - 1.0 - v.floor();
        if from_top >= 0.0 && from_top < rows {
            shortened(&lanes[from_top as usize].name)
        } else {
            String::new()
        }
    };

    let mut plot = ChartBuilder::on(area)
        .caption(title, font(17).color(&TEXT))
        .margin(10)
        .margin_right(30)
        .x_label_area_size(48)
        .y_label_area_size(label_area)
        .build_cartesian_2d(x.clone(), LaneAxis { rows, centers })?;
    plot.configure_mesh()
        .disable_y_mesh()
        .x_desc(x_label)
        .x_label_formatter(&x_ticks)
        .y_label_formatter(&name_of)
        .label_style(font(12).color(&TEXT))
        .axis_desc_style(font(13).color(&TEXT))
        .bold_line_style(BLACK.mix(0.08))
        .light_line_style(TRANSPARENT)
        .axis_style(TEXT.mix(0.6))
        .draw()?;
    plot.draw_series((0..n).filter(|lane| lane % 2 == 1).map(|lane| {
        Rectangle::new(
            [(x.start, row(lane)), (x.end, row(lane) + 1.0)],
            BLACK.mix(0.03).filled(),
        )
    }))?;
    let inset = (1.0 - BAR) / 2.0;
    let bars: Vec<_> = spans
        .iter()
        .map(|&(lane, start, end, span)| {
            let end = end.max(start + min_width);
            let corners = [(start, row(lane) + inset), (end, row(lane) + 1.0 - inset)];
            (corners, span)
        })
        .collect();
    plot.draw_series(
        bars.iter()
            .map(|(corners, span)| Rectangle::new(*corners, palette::kind(span.kind).filled())),
    )?;
    // Labels inside the bars wide enough for them.
    let label_style = font(11)
        .color(&WHITE)
        .pos(Pos::new(HPos::Center, VPos::Center));
    let labels = bars
        .iter()
        .filter(|(_, span)| !span.label.is_empty())
        .filter_map(|([(x0, y0), (x1, y1)], span)| {
            let pixels = plot.backend_coord(&(*x1, *y0)).0 - plot.backend_coord(&(*x0, *y0)).0;
            let needed = i32::try_from(span.label.chars().count()).unwrap_or(i32::MAX);
            (pixels > needed.saturating_mul(7).saturating_add(8)).then(|| {
                Text::new(
                    span.label.clone(),
                    ((x0 + x1) / 2.0, (y0 + y1) / 2.0),
                    label_style.clone(),
                )
            })
        });
    let labels: Vec<_> = labels.collect();
    plot.draw_series(labels)?;
    Ok(())
}
