//! Prefill time against prompt length per suite (log–log): each run's samples as a scatter, the
//! least-squares line log(prefill_ms) = a + b·log(prompt_tokens) over them, and the exponent b
//! in the legend and the table.

use std::path::Path;

use anyhow::Result;
use plotters::prelude::SeriesLabelPosition;

use super::doc::Doc;
use super::fit::power_fit;
use super::runs::RunInfo;
use super::xy::{render, Axis, Point, Series, XyChart};
use super::{by_suite, slug};

/// Points drawn per run; the fit always uses all of them.
const MAX_DRAWN: usize = 1500;

pub fn section(doc: &mut Doc, out: &Path, runs: &[RunInfo]) -> Result<()> {
    for (suite, entries) in by_suite(runs) {
        // Zero tokens or 0 ms have no logarithm; they are left out of chart and fit alike.
        let pts: Vec<Vec<(f64, f64)>> = entries
            .iter()
            .map(|r| {
                r.samples
                    .iter()
                    .map(|s| (s.prompt_tokens as f64, s.prefill_ms))
                    .filter(|(x, y)| *x > 0.0 && y.is_finite() && *y > 0.0)
                    .collect()
            })
            .collect();
        if pts.iter().all(Vec::is_empty) {
            continue;
        }
        let fits: Vec<_> = pts.iter().map(|p| power_fit(p)).collect();
        let xs: Vec<f64> = pts.iter().flatten().map(|p| p.0).collect();
        let ys: Vec<f64> = pts.iter().flatten().map(|p| p.1).collect();
        let series = entries
            .iter()
            .zip(&pts)
            .zip(&fits)
            .map(|((r, p), f)| {
                let stride = p.len().div_ceil(MAX_DRAWN).max(1);
                let (lo, hi) = p
                    .iter()
                    .fold((f64::INFINITY, 0f64), |(a, b), q| (a.min(q.0), b.max(q.0)));
                Series {
                    label: match f {
                        Some(f) => format!("{}: b = {:.2}", r.label, f.b),
                        None => format!("{}: no fit", r.label),
                    },
                    points: p
                        .iter()
                        .step_by(stride)
                        .map(|q| Point::at(q.0, q.1))
                        .collect(),
                    line: f.map_or(Vec::new(), |f| vec![(lo, f.eval(lo)), (hi, f.eval(hi))]),
                    dense: p.len() > 200,
                }
            })
            .collect();
        let chart = XyChart {
            title: format!("Prefill time vs prompt length on {suite} (log–log, fitted exponent b)"),
            x: Axis::log("prompt length (tokens)", &xs, 0.0),
            y: Axis::log("prefill time (ms)", &ys, 0.0),
            series,
            h_lines: Vec::new(),
            v_lines: Vec::new(),
            legend: SeriesLabelPosition::UpperLeft,
        };
        let stem = format!("prefill-scaling-{}", slug(suite));
        render(out, &stem, &chart)?;
        doc.heading(&format!("Prefill scaling: {suite}"));
        doc.chart(
            &stem,
            &format!("prefill time against prompt length on {suite}"),
        );
        doc.note(
            "b is the least-squares slope of log(prefill ms) = a + b·log(prompt tokens) over \
             the run's samples: 1 means prefill time grows linearly with the prompt, 2 \
             quadratically.",
        );
        let header: Vec<String> = ["run", "samples fitted", "exponent b", "R² (log–log)"]
            .map(String::from)
            .to_vec();
        let rows: Vec<Vec<String>> = entries
            .iter()
            .zip(&pts)
            .zip(&fits)
            .map(|((r, p), f)| match f {
                Some(f) => vec![
                    r.label.clone(),
                    f.n.to_string(),
                    format!("{:.3}", f.b),
                    format!("{:.3}", f.r2),
                ],
                None => vec![r.label.clone(), p.len().to_string(), "–".into(), "–".into()],
            })
            .collect();
        doc.table(&header, &rows);
    }
    Ok(())
}
