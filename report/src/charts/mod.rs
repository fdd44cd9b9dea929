//! Drawing a [`Chart`] as an SVG document with plotters' SVG backend.
//!
//! # Text and fonts
//!
//! plotters is built without its `ttf` and `ab_glyph` features, so it links no font library,
//! reads no font file and embeds none: its built-in "naive" font only estimates a text's box
//! (0.7 em per character) for layout, and the SVG backend writes each label as a plain
//! `<text font-family="sans-serif">` element (escaped by plotters). The browser that opens the
//! report picks its own sans-serif face, so the page renders offline, in Chromium as anywhere.
//! The cost is that label widths are estimates: long names are cut with an ellipsis and the
//! label areas are sized with a margin.

mod axis;
mod histogram;
mod legend;
mod lines;
pub(crate) mod palette;
mod timeline;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontDesc;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::ReportError;
use crate::model::Chart;
use palette::Palette;

/// A chart's width in pixels.
pub(crate) const WIDTH: u32 = 800;
/// The height of a chart's plot, above its legend.
const PLOT_HEIGHT: u32 = 360;
/// The colour of text and axes.
const TEXT: RGBColor = RGBColor(0x33, 0x33, 0x33);

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// The sans-serif font at `size` pixels (see the module's notes on fonts). plotters' SVG
/// backend writes `font-size` as the size divided by 1.24, which this undoes.
fn font(size: u32) -> FontDesc<'static> {
    FontDesc::new(FontFamily::SansSerif, f64::from(size) * 1.24, FontStyle::Normal)
}

impl Chart {
    /// The chart alone as an SVG document (`<svg ...>...</svg>`), with its own colours.
    pub fn to_svg(&self) -> Result<String, ReportError> {
        render(self, &Palette::for_charts([self]))
    }
}

/// Draws `chart` with the report's `palette`: an SVG about 800x400 pixels, its legend under
/// the plot.
pub(crate) fn render(chart: &Chart, palette: &Palette) -> Result<String, ReportError> {
    let entries = match chart {
        Chart::Lines { left, right, .. } => lines::legend(left, right, palette),
        Chart::Histogram { samples, .. } => histogram::legend(samples, palette),
        Chart::Timeline { lanes, .. } => timeline::legend(lanes),
    };
    let plot_height = match chart {
        Chart::Timeline { lanes, .. } => timeline::plot_height(lanes.len()),
        _ => PLOT_HEIGHT,
    };
    let legend_height = legend::height(&entries, WIDTH);
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (WIDTH, plot_height + legend_height)).into_drawing_area();
        let drawn = (|| {
            root.fill(&WHITE)?;
            let (plot, strip) = root.split_vertically(plot_height);
            match chart {
                Chart::Lines {
                    title,
                    x_label,
                    x_log,
                    left_label,
                    left,
                    right_label,
                    right,
                } => lines::draw(
                    &plot,
                    &lines::Lines {
                        title,
                        x_label,
                        x_log: *x_log,
                        left_label,
                        left,
                        right_label,
                        right,
                    },
                    palette,
                )?,
                Chart::Histogram {
                    title,
                    x_label,
                    bins,
                    samples,
                } => histogram::draw(&plot, title, x_label, *bins, samples, palette)?,
                Chart::Timeline {
                    title,
                    x_label,
                    lanes,
                } => timeline::draw(&plot, title, x_label, lanes)?,
            }
            legend::draw(&strip, &entries)?;
            root.present()
        })();
        drawn.map_err(|error| ReportError::Draw {
            chart: chart.title().to_owned(),
            message: error.to_string(),
        })?;
    }
    Ok(svg)
}

/// A chart without a single drawable value: its title, a frame and a "no data" note.
fn no_data(area: &Area, title: &str) -> DrawResult {
    let inner = area.titled(title, font(18).color(&TEXT))?;
    let (width, height) = inner.dim_in_pixel();
    let (width, height) = (
        i32::try_from(width).unwrap_or(0),
        i32::try_from(height).unwrap_or(0),
    );
    inner.draw(&Rectangle::new(
        [(60, 10), ((width - 30).max(61), (height - 30).max(11))],
        RGBColor(0xcc, 0xcc, 0xcc).stroke_width(1),
    ))?;
    inner.draw(&Text::new(
        "no data",
        (width / 2, height / 2),
        font(16)
            .color(&RGBColor(0x88, 0x88, 0x88))
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))
}
