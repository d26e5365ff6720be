//! Grouped bar charts with optional interval whiskers (accuracy per category, tokens/s per
//! backend), written as SVG and PNG.

use std::path::Path;

use anyhow::Result;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{color, plot_err};

/// One bar's height and optional (lo, hi) interval; `None` where a series lacks the group.
pub type Bar = Option<(f64, Option<(f64, f64)>)>;

/// One grouped bar chart: `values[series][group]`.
pub struct Bars {
    pub title: String,
    pub y_desc: String,
    pub groups: Vec<String>,
    pub series: Vec<String>,
    pub values: Vec<Vec<Bar>>,
    pub y_max: f64,
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, b: &Bars, what: &str) -> Result<()> {
    root.fill(&WHITE).map_err(plot_err(what))?;
    let n = b.groups.len().max(1) as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(&b.title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(90)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..n, 0f64..b.y_max)
        .map_err(plot_err(what))?;
    // Group names go under the bar centres; the mesh's own x labels would land on round
    // numbers between groups.
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(RGBColor(242, 242, 242))
        .x_labels(0)
        .y_desc(b.y_desc.as_str())
        .axis_desc_style(("sans-serif", 15))
        .draw()
        .map_err(plot_err(what))?;
    let label_style = ("sans-serif", 13)
        .into_font()
        .transform(FontTransform::Rotate90)
        .color(&BLACK);
    for (i, g) in b.groups.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        root.draw(&Text::new(g.clone(), (px - 7, py + 6), label_style.clone()))
            .map_err(plot_err(what))?;
    }
    let k = b.series.len().max(1) as f64;
    let width = 0.8 / k;
    for (si, name) in b.series.iter().enumerate() {
        let c = color(si);
        let bars: Vec<(f64, f64, f64)> = b.values[si]
            .iter()
            .enumerate()
            .filter_map(|(gi, v)| {
                v.map(|(y, _)| {
                    let x0 = gi as f64 + 0.1 + si as f64 * width;
                    (x0, x0 + width, y)
                })
            })
            .collect();
        chart
            .draw_series(
                bars.iter()
                    .map(|&(x0, x1, y)| Rectangle::new([(x0, 0.0), (x1, y)], c.filled())),
            )
            .map_err(plot_err(what))?
            .label(name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled()));
        let whiskers: Vec<(f64, f64, f64)> = b.values[si]
            .iter()
            .enumerate()
            .filter_map(|(gi, v)| {
                v.and_then(|(_, iv)| iv)
                    .map(|(lo, hi)| (gi as f64 + 0.1 + (si as f64 + 0.5) * width, lo, hi))
            })
            .collect();
        let cap = width * 0.25;
        chart
            .draw_series(whiskers.iter().flat_map(|&(x, lo, hi)| {
                [
                    PathElement::new(vec![(x, lo), (x, hi)], BLACK.stroke_width(1)),
                    PathElement::new(vec![(x - cap, lo), (x + cap, lo)], BLACK.stroke_width(1)),
                    PathElement::new(vec![(x - cap, hi), (x + cap, hi)], BLACK.stroke_width(1)),
                ]
            }))
            .map_err(plot_err(what))?;
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(plot_err(what))?;
    root.present().map_err(plot_err(what))?;
    Ok(())
}

/// Writes `<stem>.svg` and `<stem>.png`.
pub fn render(out: &Path, stem: &str, b: &Bars) -> Result<()> {
    let w = (260 + 60 * b.groups.len() * b.series.len().max(1)).clamp(640, 2400) as u32;
    let size = (w, 520);
    let svg = out.join(format!("{stem}.svg"));
    draw(SVGBackend::new(&svg, size).into_drawing_area(), b, stem)?;
    let png = out.join(format!("{stem}.png"));
    draw(BitMapBackend::new(&png, size).into_drawing_area(), b, stem)?;
    Ok(())
}
