//! Accuracy against parameter count (log x): one point per model and suite with its Wilson 95%
//! interval, one colour per suite. The count comes from the results themselves (the summary's
//! model provenance or a `meta.json`); models without one are listed in a note, not guessed.

use std::path::Path;

use anyhow::Result;
use plotters::prelude::SeriesLabelPosition;

use super::doc::Doc;
use super::runs::RunInfo;
use super::xy::{render, Axis, Point, Series, XyChart};
use super::{by_suite, pct};
use crate::stats::wilson;

pub const STEM: &str = "accuracy-vs-parameters";

pub fn section(doc: &mut Doc, out: &Path, runs: &[RunInfo]) -> Result<()> {
    if runs.is_empty() {
        return Ok(());
    }
    doc.heading("Accuracy vs parameter count");
    let mut missing: Vec<String> = Vec::new();
    for r in runs.iter().filter(|r| r.parameters.is_none()) {
        let m = format!("{} ({})", r.model, r.dir.display());
        if !missing.contains(&m) {
            missing.push(m);
        }
    }
    // Per suite, one reference run per model (several backends of one model are one point).
    let mut series = Vec::new();
    let mut rows = Vec::new();
    let mut labelled: Vec<&str> = Vec::new();
    for (suite, entries) in by_suite(runs) {
        let mut keys: Vec<&str> = Vec::new();
        for r in entries.iter().filter(|r| r.parameters.is_some()) {
            if !keys.contains(&r.model_key.as_str()) {
                keys.push(&r.model_key);
            }
        }
        let mut points = Vec::new();
        for key in keys {
            let same: Vec<&RunInfo> = entries
                .iter()
                .copied()
                .filter(|r| r.model_key == key && r.parameters.is_some())
                .collect();
            let Some(r) = RunInfo::reference(&same) else {
                continue;
            };
            let Some(n) = r.parameters else { continue };
            let c = r.accuracy();
            let Some(acc) = c.rate() else { continue };
            let (lo, hi) = wilson(c.num, c.den);
            // Name each model once; repeating it at every suite's point stacks the labels.
            let text = (!labelled.contains(&key)).then(|| {
                labelled.push(key);
                r.model.clone()
            });
            points.push(Point {
                x: n as f64,
                y: acc * 100.0,
                err: Some((lo * 100.0, hi * 100.0)),
                text,
            });
            rows.push(vec![
                r.model.clone(),
                suite.to_string(),
                n.to_string(),
                format!("{} [{}, {}]", pct(acc), pct(lo), pct(hi)),
                c.den.to_string(),
                r.label.clone(),
            ]);
        }
        if !points.is_empty() {
            series.push(Series {
                label: suite.to_string(),
                points,
                line: Vec::new(),
                dense: false,
            });
        }
    }
    if series.is_empty() {
        doc.note("No run records its model's parameter count, so there is no chart.");
    } else {
        let xs: Vec<f64> = series.iter().flat_map(|s| &s.points).map(|p| p.x).collect();
        let chart = XyChart {
            title: "Accuracy vs parameter count (Wilson 95% intervals)".into(),
            x: Axis::log("parameters (log scale)", &xs, 0.3),
            y: Axis::fixed("accuracy (%)", 0.0, 105.0),
            series,
            h_lines: Vec::new(),
            v_lines: Vec::new(),
            legend: SeriesLabelPosition::UpperLeft,
        };
        render(out, STEM, &chart)?;
        doc.chart(STEM, "accuracy against parameter count");
        let header: Vec<String> = [
            "model",
            "suite",
            "parameters",
            "accuracy % [95% CI]",
            "n",
            "run",
        ]
        .map(String::from)
        .to_vec();
        doc.table(&header, &rows);
    }
    if !missing.is_empty() {
        doc.note(&format!(
            "Left out of this chart, no parameter count in summary.json or meta.json: {}.",
            missing.join("; ")
        ));
    }
    Ok(())
}
