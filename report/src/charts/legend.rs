//! The legend strip under a chart: a mark and a name per series or span kind, wrapped in rows.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Area, DrawResult, TEXT, font};

/// How an entry's mark is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mark {
    /// A solid line with a dot, as a left-axis series.
    Line,
    /// A dashed line with a ring, as a right-axis series.
    Dashed,
    /// A filled square, as a histogram's bars or a timeline's spans.
    Swatch,
}

/// One entry of a legend.
#[derive(Clone, Debug)]
pub(super) struct Entry {
    pub(super) label: String,
    pub(super) color: RGBColor,
    pub(super) mark: Mark,
}

const ROW: i32 = 24;
const PAD: i32 = 6;
const LEFT: i32 = 60;
const MARK: i32 = 22;
/// An estimate of a 13 px sans-serif character's advance: the SVG backend has no font metrics.
const CHAR: i32 = 7;
/// Names longer than this are cut with an ellipsis.
const MAX_CHARS: usize = 48;

fn shortened(label: &str) -> String {
    if label.chars().count() > MAX_CHARS {
        let mut cut: String = label.chars().take(MAX_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        label.to_owned()
    }
}

/// The top-left corner of each entry, and the strip's height (0 for no entries).
fn layout(entries: &[Entry], width: u32) -> (Vec<(i32, i32)>, u32) {
    let width = i32::try_from(width).unwrap_or(i32::MAX);
    let (mut x, mut y) = (LEFT, PAD);
    let mut corners = Vec::with_capacity(entries.len());
    for entry in entries {
        let chars =
            i32::try_from(shortened(&entry.label).chars().count()).unwrap_or(MAX_CHARS as i32);
        let advance = MARK + 6 + chars * CHAR + 24;
        if x > LEFT && x + advance > width {
            x = LEFT;
            y += ROW;
        }
        corners.push((x, y));
        x += advance;
    }
    let height = if entries.is_empty() { 0 } else { y + ROW + PAD };
    (corners, u32::try_from(height).unwrap_or(0))
}

/// The height of the strip these entries need on a chart `width` pixels wide.
pub(super) fn height(entries: &[Entry], width: u32) -> u32 {
    layout(entries, width).1
}

/// Draws the entries on `area`, the strip of [`height`] pixels under a chart.
pub(super) fn draw(area: &Area, entries: &[Entry]) -> DrawResult {
    let (corners, _) = layout(entries, area.dim_in_pixel().0);
    let style = font(13)
        .color(&TEXT)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (entry, (x, y)) in entries.iter().zip(corners) {
        let mid = y + ROW / 2;
        match entry.mark {
            Mark::Line => {
                area.draw(&PathElement::new(
                    vec![(x, mid), (x + MARK, mid)],
                    entry.color.stroke_width(2),
                ))?;
                area.draw(&Circle::new((x + MARK / 2, mid), 3, entry.color.filled()))?;
            }
            Mark::Dashed => {
                area.draw(&DashedPathElement::new(
                    vec![(x, mid), (x + MARK, mid)],
                    5,
                    3,
                    entry.color.stroke_width(2),
                ))?;
                area.draw(&Circle::new(
                    (x + MARK / 2, mid),
                    3,
                    entry.color.stroke_width(2),
                ))?;
            }
            Mark::Swatch => {
                area.draw(&Rectangle::new(
                    [(x + 4, mid - 7), (x + MARK - 4, mid + 7)],
                    entry.color.filled(),
                ))?;
            }
        }
        area.draw(&Text::new(
            shortened(&entry.label),
            (x + MARK + 6, mid),
            style.clone(),
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(label: &str) -> Entry {
        Entry {
            label: label.to_owned(),
            color: BLACK,
            mark: Mark::Swatch,
        }
    }

    #[test]
    fn entries_wrap_into_rows_that_fit_the_width() {
        assert_eq!(height(&[], 800), 0);
        let one_row = height(&[entry("cold"), entry("warm")], 800);
        let many: Vec<Entry> = (0..12)
            .map(|i| entry(&format!("series number {i}")))
            .collect();
        let (corners, rows_height) = layout(&many, 800);
        assert!(rows_height > one_row);
        assert!(corners.iter().all(|&(x, _)| x < 800));
    }
}
