//! Overlaid histograms: translucent bars per set of samples over one range of buckets.

use plotters::prelude::*;

use super::axis::{self, finite};
use super::legend::{Entry, Mark};
use super::palette::Palette;
use super::{Area, DrawResult, TEXT, font, no_data};
use crate::model::Samples;

/// The buckets when a chart asks for 0.
const DEFAULT_BINS: usize = 20;
/// The most buckets a chart draws.
const MAX_BINS: usize = 1_000;

/// The counts of each set in `bins` equal buckets over the range of all finite values.
#[derive(Debug, PartialEq)]
struct Buckets {
    lo: f64,
    hi: f64,
    counts: Vec<Vec<u64>>,
}

fn bucket(samples: &[Samples], bins: usize) -> Option<Buckets> {
    let bins = if bins == 0 {
        DEFAULT_BINS
    } else {
        bins.min(MAX_BINS)
    };
    let (lo, hi) = axis::extent(samples.iter().flat_map(|s| s.values.iter().copied()))?;
    let range = axis::padded(lo, hi, 0.0, false);
    let (lo, hi) = (range.start, range.end);
    let width = hi - lo;
    let counts = samples
        .iter()
        .map(|s| {
            let mut counts = vec![0u64; bins];
            for v in s.values.iter().copied().filter_map(finite) {
                let index = ((v - lo) / width * bins as f64).floor();
                let index = if index.is_finite() && index > 0.0 {
                    (index as usize).min(bins - 1)
                } else {
                    0
                };
                counts[index] += 1;
            }
            counts
        })
        .collect();
    Some(Buckets { lo, hi, counts })
}

/// The legend: each set's name with its number of finite samples.
pub(super) fn legend(samples: &[Samples], palette: &Palette) -> Vec<Entry> {
    samples
        .iter()
        .map(|s| Entry {
            label: format!(
                "{} (n={})",
                s.name,
                s.values.iter().filter(|v| v.is_finite()).count()
            ),
            color: palette.series(&s.name),
            mark: Mark::Swatch,
        })
        .collect()
}

/// Draws the chart on `area`, or a "no data" note when no set has a finite value.
pub(super) fn draw(
    area: &Area,
    title: &str,
    x_label: &str,
    bins: usize,
    samples: &[Samples],
    palette: &Palette,
) -> DrawResult {
    let Some(buckets) = bucket(samples, bins) else {
        return no_data(area, title);
    };
    let max = buckets.counts.iter().flatten().copied().max().unwrap_or(0);
    let y = 0.0..(max.max(1) as f64 * 1.1);
    let x = buckets.lo..buckets.hi;
    let (x_ticks, y_ticks) = (axis::ticks(&x), axis::ticks(&y));
    let mut plot = ChartBuilder::on(area)
        .caption(title, font(17).color(&TEXT))
        .margin(10)
        .margin_right(30)
        .x_label_area_size(48)
        .y_label_area_size(84)
        .build_cartesian_2d(x, y)?;
    plot.configure_mesh()
        .x_desc(x_label)
        .y_desc("count")
        .x_label_formatter(&x_ticks)
        .y_label_formatter(&y_ticks)
        .label_style(font(12).color(&TEXT))
        .axis_desc_style(font(13).color(&TEXT))
        .bold_line_style(BLACK.mix(0.08))
        .light_line_style(TRANSPARENT)
        .axis_style(TEXT.mix(0.6))
        .draw()?;
    let bins = buckets.counts.first().map_or(1, Vec::len);
    let width = (buckets.hi - buckets.lo) / bins as f64;
    for (set, counts) in samples.iter().zip(&buckets.counts) {
        let color = palette.series(&set.name);
        let bars = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| {
                let x0 = buckets.lo + width * i as f64;
                [(x0, 0.0), (x0 + width, c as f64)]
            });
        plot.draw_series(
            bars.clone()
                .map(|r| Rectangle::new(r, color.mix(0.45).filled())),
        )?;
        plot.draw_series(bars.map(|r| Rectangle::new(r, color.stroke_width(1))))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_finite_value_lands_in_a_bucket() {
        let samples = [
            Samples::new("cold", [100.0, 200.0, 300.0, f64::NAN]),
            Samples::new("warm", [1.0, 2.0]),
        ];
        let buckets = bucket(&samples, 4).expect("finite values");
        assert_eq!(buckets.counts[0].iter().sum::<u64>(), 3);
        assert_eq!(buckets.counts[1], vec![2, 0, 0, 0]);
        assert_eq!(
            buckets.counts[0][3], 1,
            "the maximum falls in the last bucket"
        );
    }

    #[test]
    fn equal_values_and_zero_bins_still_make_buckets() {
        let buckets = bucket(&[Samples::new("same", [7.0; 5])], 0).expect("finite values");
        assert_eq!(buckets.counts[0].len(), DEFAULT_BINS);
        assert_eq!(buckets.counts[0].iter().sum::<u64>(), 5);
        assert!(buckets.lo < 7.0 && 7.0 < buckets.hi);
        assert_eq!(bucket(&[Samples::new("none", [f64::NAN])], 10), None);
    }
}
