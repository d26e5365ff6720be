//! XY charts — polylines, scatter points with optional y error bars and text labels, horizontal
//! reference lines — on linear or logarithmic axes, written as SVG and PNG. The latency CDF,
//! prefill scaling, accuracy-against-size and quantization charts are all drawn here.

use std::path::Path;

use anyhow::Result;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::{color, plot_err, COLOR_COUNT};

pub struct Axis {
    pub desc: String,
    pub log: bool,
    pub lo: f64,
    pub hi: f64,
}

impl Axis {
    pub fn fixed(desc: &str, lo: f64, hi: f64) -> Axis {
        Axis {
            desc: desc.into(),
            log: false,
            lo,
            hi,
        }
    }

    /// Linear over `values` and `include` (say zero), with 8% padding so no point sits on the frame.
    pub fn linear(desc: &str, values: &[f64], include: &[f64]) -> Axis {
        let (mut lo, mut hi) = values
            .iter()
            .chain(include)
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        if lo > hi {
            (lo, hi) = (0.0, 1.0);
        }
        let pad = if hi > lo { (hi - lo) * 0.08 } else { 0.5 };
        Axis::fixed(desc, lo - pad, hi + pad)
    }

    /// Logarithmic over the positive `values`, widened to whole decades (plotters labels only
    /// powers of ten) plus `margin` decades so a point at a power of ten stays off the frame.
    pub fn log(desc: &str, values: &[f64], margin: f64) -> Axis {
        let (lo, hi) = positive_range(values).unwrap_or((1.0, 10.0));
        let lo = 10f64.powf((lo.log10() - margin).floor());
        let mut hi = 10f64.powf((hi.log10() + margin).ceil());
        if hi <= lo {
            hi = lo * 10.0;
        }
        Axis {
            desc: desc.into(),
            log: true,
            lo,
            hi,
        }
    }

    /// Logarithmic where the positive values span more than a decade, else linear from zero.
    pub fn auto(desc: &str, values: &[f64]) -> Axis {
        match positive_range(values) {
            Some((lo, hi)) if hi / lo > 10.0 => Axis::log(desc, values, 0.0),
            _ => Axis::linear(desc, values, &[0.0]),
        }
    }
}

fn positive_range(values: &[f64]) -> Option<(f64, f64)> {
    values
        .iter()
        .filter(|v| v.is_finite() && **v > 0.0)
        .fold(None, |acc, &v| match acc {
            None => Some((v, v)),
            Some((a, b)) => Some((f64::min(a, v), f64::max(b, v))),
        })
}

pub struct Point {
    pub x: f64,
    pub y: f64,
    /// A vertical (lo, hi) interval, drawn as a capped whisker.
    pub err: Option<(f64, f64)>,
    /// Written beside the point (a backend name, a model name).
    pub text: Option<String>,
}

impl Point {
    pub fn at(x: f64, y: f64) -> Point {
        Point {
            x,
            y,
            err: None,
            text: None,
        }
    }
}

/// One legend entry: points and/or a polyline in one colour.
pub struct Series {
    pub label: String,
    pub points: Vec<Point>,
    pub line: Vec<(f64, f64)>,
    /// Many overlapping points: small and translucent.
    pub dense: bool,
}

pub struct XyChart {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub series: Vec<Series>,
    /// Horizontal reference lines (a zero line) with their legend text.
    pub h_lines: Vec<(f64, String)>,
    /// Vertical reference lines (speed-up 1×) with their legend text.
    pub v_lines: Vec<(f64, String)>,
    pub legend: SeriesLabelPosition,
}

/// Tick text: SI suffixes for large numbers (parameter counts), no trailing zeros.
fn tick(v: f64) -> String {
    let a = v.abs();
    // "k" only from 10k on: 1000 ms reads better than 1k ms.
    for (from, div, suffix) in [(1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "k")] {
        if a >= from {
            return format!("{}{suffix}", trim(v / div));
        }
    }
    trim(v)
}

fn trim(v: f64) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

fn draw_on<DB, X, Y>(
    root: &DrawingArea<DB, Shift>,
    c: &XyChart,
    xs: X,
    ys: Y,
    what: &str,
) -> Result<()>
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    root.fill(&WHITE).map_err(plot_err(what))?;
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(60)
        .y_label_area_size(80)
        .build_cartesian_2d(xs, ys)
        .map_err(plot_err(what))?;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(210, 210, 210))
        .x_desc(c.x.desc.as_str())
        .y_desc(c.y.desc.as_str())
        .axis_desc_style(("sans-serif", 15))
        .label_style(("sans-serif", 13))
        // Fewer label slots on a log axis keep plotters from labelling 200…900 between decades,
        // where the labels run into each other.
        .x_labels(if c.x.log { 5 } else { 10 })
        .y_labels(if c.y.log { 5 } else { 10 })
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(plot_err(what))?;
    let ref_style = BLACK.mix(0.7).stroke_width(1);
    for (y, label) in &c.h_lines {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(c.x.lo, *y), (c.x.hi, *y)],
                ref_style,
            )))
            .map_err(plot_err(what))?
            .label(label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], ref_style));
    }
    // Dashed, so a vertical reference never reads as the horizontal one.
    for (x, label) in &c.v_lines {
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                vec![(*x, c.y.lo), (*x, c.y.hi)],
                6,
                4,
                ref_style,
            )))
            .map_err(plot_err(what))?
            .label(label.as_str())
            .legend(move |(x, y)| {
                DashedPathElement::new(vec![(x, y), (x + 16, y)], 4, 3, ref_style)
            });
    }
    for (i, s) in c.series.iter().enumerate() {
        let col = color(i);
        if !s.line.is_empty() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    s.line.clone(),
                    col.stroke_width(2),
                )))
                .map_err(plot_err(what))?;
        }
        let whisker = col.stroke_width(1);
        chart
            .draw_series(s.points.iter().filter_map(|p| {
                let (lo, hi) = p.err?;
                Some(PathElement::new(vec![(p.x, lo), (p.x, hi)], whisker))
            }))
            .map_err(plot_err(what))?;
        chart
            .draw_series(
                s.points
                    .iter()
                    .filter_map(|p| {
                        let (lo, hi) = p.err?;
                        Some([lo, hi].map(|y| {
                            EmptyElement::at((p.x, y))
                                + PathElement::new(vec![(-5, 0), (5, 0)], whisker)
                        }))
                    })
                    .flatten(),
            )
            .map_err(plot_err(what))?;
        let (r, style) = if s.dense {
            (2, col.mix(0.35).filled())
        } else {
            (5, col.filled())
        };
        // Past ten series the colours repeat, so the marker shape changes.
        let shape = (i / COLOR_COUNT) % 3;
        let at = |p: &Point| EmptyElement::at((p.x, p.y));
        match shape {
            0 => chart.draw_series(
                s.points
                    .iter()
                    .map(|p| at(p) + Circle::new((0, 0), r, style)),
            ),
            1 => chart.draw_series(
                s.points
                    .iter()
                    .map(|p| at(p) + TriangleMarker::new((0, 0), r + 1, style)),
            ),
            _ => chart.draw_series(
                s.points
                    .iter()
                    .map(|p| at(p) + Rectangle::new([(-r, -r), (r, r)], style)),
            ),
        }
        .map_err(plot_err(what))?;
        let text_style = ("sans-serif", 13).into_font().color(&BLACK);
        chart
            .draw_series(s.points.iter().filter_map(|p| {
                let t = p.text.clone()?;
                Some(EmptyElement::at((p.x, p.y)) + Text::new(t, (8, -18), text_style.clone()))
            }))
            .map_err(plot_err(what))?;
        let anno = chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .map_err(plot_err(what))?
            .label(s.label.as_str());
        let fill = col.filled();
        if s.line.is_empty() {
            match shape {
                0 => anno.legend(move |(x, y)| Circle::new((x + 8, y), 5, fill)),
                1 => anno.legend(move |(x, y)| TriangleMarker::new((x + 8, y), 6, fill)),
                _ => anno
                    .legend(move |(x, y)| Rectangle::new([(x + 3, y - 5), (x + 13, y + 5)], fill)),
            };
        } else {
            anno.legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], col.stroke_width(2))
            });
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .position(c.legend.clone())
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(plot_err(what))?;
    Ok(())
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, c: &XyChart, what: &str) -> Result<()> {
    let (x, y) = (c.x.lo..c.x.hi, c.y.lo..c.y.hi);
    match (c.x.log, c.y.log) {
        (false, false) => draw_on(&root, c, x, y, what)?,
        (true, false) => draw_on(&root, c, x.log_scale(), y, what)?,
        (false, true) => draw_on(&root, c, x, y.log_scale(), what)?,
        (true, true) => draw_on(&root, c, x.log_scale(), y.log_scale(), what)?,
    }
    root.present().map_err(plot_err(what))?;
    Ok(())
}

/// Writes `<stem>.svg` and `<stem>.png`.
pub fn render(out: &Path, stem: &str, c: &XyChart) -> Result<()> {
    let size = (1000, 600);
    let svg = out.join(format!("{stem}.svg"));
    draw(SVGBackend::new(&svg, size).into_drawing_area(), c, stem)?;
    let png = out.join(format!("{stem}.png"));
    draw(BitMapBackend::new(&png, size).into_drawing_area(), c, stem)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(1_000_000.0), "1M");
        assert_eq!(tick(2_500_000_000.0), "2.5B");
        assert_eq!(tick(100_000.0), "100k");
        assert_eq!(tick(1000.0), "1000");
        assert_eq!(tick(0.1), "0.1");
        assert_eq!(tick(-0.0001), "0");
        assert_eq!(tick(-2.5), "-2.5");
    }

    #[test]
    fn log_axes_cover_whole_decades() {
        let a = Axis::log("x", &[1.4, 114.0, 0.0], 0.0);
        assert_eq!((a.lo, a.hi), (1.0, 1000.0));
        let a = Axis::log("x", &[1_051_920.0], 0.3);
        assert_eq!((a.lo, a.hi), (1e5, 1e7));
        assert!(!Axis::auto("x", &[2.0, 8.0]).log);
        assert!(Axis::auto("x", &[2.0, 80.0]).log);
    }
}
