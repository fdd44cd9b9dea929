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
    FontDesc::new(
        FontFamily::SansSerif,
        f64::from(size) * 1.24,
        FontStyle::Normal,
    )
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
        let root = SVGBackend::with_string(&mut svg, (WIDTH, plot_height + legend_height))
            .into_drawing_area();
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
    let inner = area.titled(title, font(17).color(&TEXT))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Lane, Samples, Series, Span, SpanKind};

    fn lines(left: Vec<Series>, right: Vec<Series>, x_log: bool) -> Chart {
        Chart::Lines {
            title: "Duration <and> cost".into(),
            x_label: "memory (MB)".into(),
            x_log,
            left_label: "avg duration (ms)".into(),
            left,
            right_label: "cost & fees (USD)".into(),
            right,
        }
    }

    fn histogram(bins: usize, samples: Vec<Samples>) -> Chart {
        Chart::Histogram {
            title: "Latency".into(),
            x_label: "latency (ms)".into(),
            bins,
            samples,
        }
    }

    fn timeline(lanes: Vec<Lane>) -> Chart {
        Chart::Timeline {
            title: "Invocations".into(),
            x_label: "time (ms)".into(),
            lanes,
        }
    }

    fn draw(chart: &Chart) -> String {
        chart.to_svg().expect("the chart draws")
    }

    /// What a reader would see go wrong: a number that is not one, or a missing chart.
    fn assert_sane(svg: &str) {
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.trim_end().ends_with("</svg>"));
        for bad in ["NaN", "inf\"", "\"inf", "-inf"] {
            assert!(!svg.contains(bad), "`{bad}` in\n{svg}");
        }
    }

    #[test]
    fn lines_show_the_title_and_both_axis_labels_escaped() {
        let memory = [128.0, 256.0, 512.0, 1024.0];
        let chart = lines(
            vec![Series::new("avg", memory.map(|m| (m, 1e5 / m)))],
            vec![Series::new("cost", memory.map(|m| (m, 2e-9 * m)))],
            true,
        );
        let svg = draw(&chart);
        assert_sane(&svg);
        for text in [
            "Duration &lt;and&gt; cost",
            "memory (MB)",
            "avg duration (ms)",
            "cost &amp; fees (USD)",
            "cost (right axis)",
            ">\n128\n<",
            ">\n1024\n<",
        ] {
            assert!(svg.contains(text), "`{text}` missing from\n{svg}");
        }
        assert!(!svg.contains("<and>"));
    }

    #[test]
    fn degenerate_lines_draw_a_note_or_a_range() {
        let nan = f64::NAN;
        let cases = [
            lines(vec![], vec![], false),
            lines(vec![Series::new("empty", [])], vec![], true),
            lines(
                vec![Series::new("nan", [(nan, 1.0), (1.0, nan)])],
                vec![],
                false,
            ),
            lines(
                vec![Series::new("zero x on log", [(0.0, 1.0), (-5.0, 2.0)])],
                vec![],
                true,
            ),
        ];
        for chart in &cases {
            let svg = draw(chart);
            assert_sane(&svg);
            assert!(svg.contains("no data"), "{chart:?}");
        }
        let cases = [
            lines(vec![Series::new("one", [(512.0, 3.0)])], vec![], true),
            lines(vec![Series::new("one", [(512.0, 3.0)])], vec![], false),
            lines(
                vec![Series::new("flat", [(1.0, 0.0), (2.0, 0.0)])],
                vec![],
                false,
            ),
            lines(vec![], vec![Series::new("right only", [(1.0, 5.0)])], false),
            lines(
                vec![Series::new(
                    "inf",
                    [(1.0, f64::INFINITY), (2.0, 1.0), (3.0, 2.0)],
                )],
                vec![Series::new("huge", [(1.0, f64::MAX), (2.0, -f64::MAX)])],
                false,
            ),
            lines(
                vec![Series::new("tiny", [(1e-300, 1e-300), (2e-300, 3e-300)])],
                vec![],
                true,
            ),
        ];
        for chart in &cases {
            let svg = draw(chart);
            assert_sane(&svg);
            assert!(!svg.contains("no data"), "{chart:?}");
            assert!(svg.contains("<circle"), "the point is drawn: {chart:?}");
        }
    }

    #[test]
    fn histograms_label_the_sets_and_survive_degenerate_samples() {
        let svg = draw(&histogram(
            10,
            vec![
                Samples::new("cold", [200.0, 250.0, 260.0]),
                Samples::new("warm <1ms>", [1.0, 2.0, 2.5, f64::NAN]),
            ],
        ));
        assert_sane(&svg);
        for text in [
            "cold (n=3)",
            "warm &lt;1ms&gt; (n=3)",
            "latency (ms)",
            "count",
        ] {
            assert!(svg.contains(text), "`{text}` missing");
        }
        let cases = [
            histogram(0, vec![]),
            histogram(10, vec![Samples::new("none", [])]),
            histogram(10, vec![Samples::new("nan", [f64::NAN, f64::NEG_INFINITY])]),
        ];
        for chart in &cases {
            let svg = draw(chart);
            assert_sane(&svg);
            assert!(svg.contains("no data"), "{chart:?}");
        }
        let cases = [
            histogram(0, vec![Samples::new("same", [4.0; 9])]),
            histogram(usize::MAX, vec![Samples::new("one", [0.0])]),
            histogram(3, vec![Samples::new("huge", [f64::MAX, -f64::MAX, 0.0])]),
        ];
        for chart in &cases {
            let svg = draw(chart);
            assert_sane(&svg);
            assert!(!svg.contains("no data"), "{chart:?}");
        }
    }

    #[test]
    fn the_timeline_legend_lists_the_kinds_used_and_only_those() {
        let chart = timeline(vec![
            Lane::new(
                "env <1>",
                [
                    Span::new(SpanKind::ColdStart, 0.0, 50.0),
                    Span::new(SpanKind::Init, 50.0, 120.0),
                    Span::new(SpanKind::Invoke, 120.0, 400.0).with_label("req-1"),
                ],
            ),
            Lane::new("env 2", [Span::new(SpanKind::Error, 10.0, 90.0)]),
        ]);
        let svg = draw(&chart);
        assert_sane(&svg);
        for text in [
            "cold start",
            "init",
            "invoke",
            "error",
            "env &lt;1&gt;",
            "env 2",
            "req-1",
        ] {
            assert!(
                svg.contains(&format!(">\n{text}\n<")),
                "`{text}` missing from\n{svg}"
            );
        }
        for unused in ["throttle", "host call", "other"] {
            assert!(!svg.contains(unused), "`{unused}` is not used");
        }
    }

    #[test]
    fn degenerate_timelines_draw_a_note_or_a_sliver() {
        let cases = [
            timeline(vec![]),
            timeline(vec![Lane::new("idle", [])]),
            timeline(vec![Lane::new(
                "nan",
                [Span::new(SpanKind::Invoke, f64::NAN, 1.0)],
            )]),
        ];
        for chart in &cases {
            let svg = draw(chart);
            assert_sane(&svg);
            assert!(svg.contains("no data"), "{chart:?}");
        }
        let many: Vec<Lane> = (0..500)
            .map(|i| {
                Lane::new(
                    format!("environment {i}"),
                    [Span::new(SpanKind::Other, 0.0, 1.0)],
                )
            })
            .collect();
        let cases = [
            timeline(vec![Lane::new(
                "zero",
                [Span::new(SpanKind::Invoke, 5.0, 5.0)],
            )]),
            timeline(vec![Lane::new(
                "reversed",
                [Span::new(SpanKind::Throttle, 9.0, 3.0)],
            )]),
            timeline(vec![
                Lane::new("idle", []),
                Lane::new("huge", [Span::new(SpanKind::HostCall, -f64::MAX, f64::MAX)]),
            ]),
            timeline(many),
        ];
        for chart in &cases {
            let svg = draw(chart);
            assert_sane(&svg);
            assert!(!svg.contains("no data"), "{chart:?}");
            // The span's bar: a filled rectangle at least a pixel wide.
            let bar = svg
                .lines()
                .filter(|l| l.starts_with("<rect") && !l.contains("fill=\"none\""))
                .filter(|l| !l.contains("opacity=\"0.03\"") && !l.contains("#FFFFFF"))
                .any(|l| !l.contains("width=\"0\""));
            assert!(bar, "no bar in {chart:?}");
        }
    }

    #[test]
    fn a_series_keeps_its_colour_across_charts() {
        let charts = [
            histogram(
                5,
                vec![Samples::new("warm", [1.0]), Samples::new("cold", [2.0])],
            ),
            histogram(
                5,
                vec![Samples::new("cold", [2.0]), Samples::new("warm", [1.0])],
            ),
        ];
        let palette = Palette::for_charts(&charts);
        assert_ne!(palette.series("warm"), palette.series("cold"));
        let first = render(&charts[0], &palette).expect("draws");
        let second = render(&charts[1], &palette).expect("draws");
        let warm = palette.series("warm");
        let hex = format!("#{:02X}{:02X}{:02X}", warm.0, warm.1, warm.2);
        assert!(first.contains(&hex) && second.contains(&hex));
    }
}
