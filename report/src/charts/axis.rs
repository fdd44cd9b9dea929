//! Axis ranges that survive degenerate data, and tick labels sized to the axis's step.

use std::ops::Range;

/// Values are clamped to this magnitude, so that a range's width stays finite.
const LIMIT: f64 = 1e100;

/// `value` if it is finite, clamped to ±1e100.
pub(super) fn finite(value: f64) -> Option<f64> {
    value.is_finite().then(|| value.clamp(-LIMIT, LIMIT))
}

/// The smallest and largest finite values, or `None` when there is none.
pub(super) fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter_map(finite)
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// `lo..hi` with `pad` of its width on each side; a single value gets ±10% of itself (±1 for
/// zero). With `floor_at_zero`, a range of non-negative values does not go below zero.
pub(super) fn padded(lo: f64, hi: f64, pad: f64, floor_at_zero: bool) -> Range<f64> {
    let (mut start, mut end) = if hi - lo > hi.abs().max(lo.abs()) * 1e-12 {
        let margin = (hi - lo) * pad;
        (lo - margin, hi + margin)
    } else {
        let margin = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
        (lo - margin, hi + margin)
    };
    if floor_at_zero && lo >= 0.0 {
        start = start.max(0.0);
    }
    if end <= start {
        end = start + 1.0;
    }
    start..end
}

/// A log axis's range for positive `lo..=hi`: a quarter of a doubling beyond each end, or a
/// factor of 2 around a single value.
pub(super) fn log_padded(lo: f64, hi: f64) -> Range<f64> {
    let lo = lo.max(1.0 / LIMIT);
    let hi = hi.max(lo);
    if hi / lo < 1.0 + 1e-9 {
        lo / 2.0..hi * 2.0
    } else {
        lo / 1.2..hi * 1.2
    }
}

/// A tick label formatter for an axis over `range`: as many decimals as the step needs, and
/// exponent notation for very large or very small magnitudes (costs per invocation in USD).
pub(super) fn ticks(range: &Range<f64>) -> impl Fn(&f64) -> String + use<> {
    let step = ((range.end - range.start).abs() / 10.0).max(f64::MIN_POSITIVE);
    let magnitude = range.start.abs().max(range.end.abs());
    let exponent = !(1e-3..1e7).contains(&magnitude);
    let step_digits = step.log10().floor();
    let digits = if exponent {
        (magnitude.log10().floor() - step_digits).clamp(0.0, 6.0) as usize
    } else {
        (-step_digits).clamp(0.0, 6.0) as usize
    };
    move |value: &f64| {
        let value = *value;
        if !value.is_finite() {
            String::new()
        } else if value.abs() < step * 1e-6 {
            "0".to_owned()
        } else if exponent {
            format!("{value:.digits$e}")
        } else {
            format!("{value:.digits$}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_values_and_zero_get_a_range_of_their_own() {
        assert_eq!(padded(5.0, 5.0, 0.05, false), 4.5..5.5);
        assert_eq!(padded(0.0, 0.0, 0.05, true), 0.0..1.0);
        assert_eq!(padded(-2.0, -2.0, 0.05, true), -2.2..-1.8);
        assert_eq!(log_padded(1024.0, 1024.0), 512.0..2048.0);
    }

    #[test]
    fn extent_skips_non_finite_values_and_clamps_huge_ones() {
        assert_eq!(extent([f64::NAN, f64::INFINITY]), None);
        assert_eq!(extent([f64::NAN, 3.0, 1.0]), Some((1.0, 3.0)));
        let (lo, hi) = extent([f64::MAX, -f64::MAX]).expect("finite values");
        assert!((hi - lo).is_finite());
    }

    #[test]
    fn tick_labels_follow_the_step() {
        let ms = ticks(&(0.0..250.0));
        assert_eq!(ms(&100.0), "100");
        let fine = ticks(&(1.0..1.5));
        assert_eq!(fine(&1.25), "1.25");
        let usd = ticks(&(0.0000002..0.0000021));
        assert_eq!(usd(&0.000001), "1.0e-6");
        assert_eq!(usd(&0.0), "0");
    }
}
