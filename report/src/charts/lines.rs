//! The line chart with two y axes: Power Tuning's duration and cost against memory size.

use std::ops::Range;

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::axis::{self, finite};
use super::legend::{Entry, Mark};
use super::palette::Palette;
use super::{Area, DrawResult, TEXT, font, no_data};
use crate::model::Series;

/// The fields of [`Chart::Lines`](crate::Chart::Lines).
pub(super) struct Lines<'c> {
    pub(super) title: &'c str,
    pub(super) x_label: &'c str,
    pub(super) x_log: bool,
    pub(super) left_label: &'c str,
    pub(super) left: &'c [Series],
    pub(super) right_label: &'c str,
    pub(super) right: &'c [Series],
}

/// A series reduced to its drawable points.
struct Line {
    color: RGBColor,
    points: Vec<(f64, f64)>,
}

fn drawable(series: &[Series], x_log: bool, palette: &Palette) -> Vec<Line> {
    series
        .iter()
        .map(|s| Line {
            color: palette.series(&s.name),
            points: s
                .points
                .iter()
                .filter_map(|&(x, y)| Some((finite(x)?, finite(y)?)))
                .filter(|&(x, _)| !x_log || x > 0.0)
                .collect(),
        })
        .collect()
}

/// The legend: left series as solid lines, right ones as dashed lines, marked "(right axis)"
/// when both axes are in use.
pub(super) fn legend(left: &[Series], right: &[Series], palette: &Palette) -> Vec<Entry> {
    let both = !left.is_empty() && !right.is_empty();
    let left = left.iter().map(|s| Entry {
        label: s.name.clone(),
        color: palette.series(&s.name),
        mark: Mark::Line,
    });
    let right = right.iter().map(|s| Entry {
        label: if both {
            format!("{} (right axis)", s.name)
        } else {
            s.name.clone()
        },
        color: palette.series(&s.name),
        mark: Mark::Dashed,
    });
    left.chain(right).collect()
}

/// Draws the chart on `area`, or a "no data" note when no series has a drawable point.
pub(super) fn draw(area: &Area, chart: &Lines, palette: &Palette) -> DrawResult {
    let left = drawable(chart.left, chart.x_log, palette);
    let right = drawable(chart.right, chart.x_log, palette);
    let xs = left
        .iter()
        .chain(&right)
        .flat_map(|l| l.points.iter().map(|p| p.0));
    let Some((x_lo, x_hi)) = axis::extent(xs) else {
        return no_data(area, chart.title);
    };
    let y_range = |lines: &[Line]| {
        let ys = lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
        match axis::extent(ys) {
            Some((lo, hi)) => axis::padded(lo, hi, 0.08, true),
            None => 0.0..1.0,
        }
    };
    let (left_range, right_range) = (y_range(&left), y_range(&right));
    if chart.x_log {
        let x = axis::log_padded(x_lo, x_hi);
        let ticks = axis::ticks(&x);
        let x = x.log_scale().base(2.0);
        draw_on(
            area,
            chart,
            (&left, left_range),
            (&right, right_range),
            x,
            &ticks,
        )
    } else {
        let x = axis::padded(x_lo, x_hi, 0.04, false);
        let ticks = axis::ticks(&x);
        draw_on(
            area,
            chart,
            (&left, left_range),
            (&right, right_range),
            x,
            &ticks,
        )
    }
}

/// Draws on an x axis of either kind: linear (`Range<f64>`) or logarithmic.
fn draw_on<X>(
    area: &Area,
    chart: &Lines,
    (left, left_range): (&[Line], Range<f64>),
    (right, right_range): (&[Line], Range<f64>),
    x: X,
    x_ticks: &dyn Fn(&f64) -> String,
) -> DrawResult
where
    X: AsRangedCoord<Value = f64> + Clone,
    X::CoordDescType: ValueFormatter<f64>,
{
    let has_right = !chart.right.is_empty();
    let left_ticks = axis::ticks(&left_range);
    let right_ticks = axis::ticks(&right_range);
    let mut plot = ChartBuilder::on(area)
        .caption(chart.title, font(17).color(&TEXT))
        .margin(10)
        .margin_right(if has_right { 10 } else { 30 })
        .x_label_area_size(48)
        .y_label_area_size(84)
        .right_y_label_area_size(if has_right { 96 } else { 0 })
        .build_cartesian_2d(x.clone(), left_range)?
        .set_secondary_coord(x, right_range);
    plot.configure_mesh()
        .x_desc(chart.x_label)
        .y_desc(chart.left_label)
        .x_label_formatter(x_ticks)
        .y_label_formatter(&left_ticks)
        .label_style(font(12).color(&TEXT))
        .axis_desc_style(font(13).color(&TEXT))
        .bold_line_style(BLACK.mix(0.08))
        .light_line_style(TRANSPARENT)
        .axis_style(TEXT.mix(0.6))
        .draw()?;
    if has_right {
        plot.configure_secondary_axes()
            .y_desc(chart.right_label)
            .y_label_formatter(&right_ticks)
            .label_style(font(12).color(&TEXT))
            .axis_desc_style(font(13).color(&TEXT))
            .axis_style(TEXT.mix(0.6))
            .draw()?;
    }
    for line in left {
        plot.draw_series(std::iter::once(PathElement::new(
            line.points.clone(),
            line.color.stroke_width(2),
        )))?;
        plot.draw_series(
            line.points
                .iter()
                .map(|&p| Circle::new(p, 3, line.color.filled())),
        )?;
    }
    for line in right {
        plot.draw_secondary_series(std::iter::once(DashedPathElement::new(
            line.points.clone(),
            6,
            4,
            line.color.stroke_width(2),
        )))?;
        plot.draw_secondary_series(
            line.points
                .iter()
                .map(|&p| Circle::new(p, 3, line.color.stroke_width(2))),
        )?;
    }
    Ok(())
}
