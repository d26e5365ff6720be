//! Quantization trade-off: for each model and suite with an f32 run and quantized runs (int8,
//! int4), the accuracy change in points against the speed-up over f32, one labelled point per
//! quantized backend, with a zero line — plus the table behind it.

use std::path::Path;

use anyhow::Result;
use plotters::prelude::SeriesLabelPosition;

use super::by_suite;
use super::doc::Doc;
use super::runs::RunInfo;
use super::xy::{render, Axis, Point, Series, XyChart};

pub const STEM: &str = "quantization";

/// One quantized run against its f32 reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub speedup: f64,
    /// Which throughput the speed-up compares.
    pub metric: &'static str,
    /// Quantized minus f32 accuracy, in percentage points.
    pub delta_points: f64,
    /// The whole-request speed-up (prefill included), where both summaries have it.
    pub requests_speedup: Option<f64>,
}

/// Decode tokens/s is what quantization speeds up; requests/s (which includes prefill) stands
/// in for summaries that lack it.
pub fn pair(f32_run: &RunInfo, q: &RunInfo) -> Option<Pair> {
    let (speedup, metric) = match (f32_run.decode_tok_s, q.decode_tok_s) {
        (Some(b), Some(c)) => (c / b, "decode tokens/s"),
        _ => (q.requests_per_s? / f32_run.requests_per_s?, "requests/s"),
    };
    let delta = q.accuracy().rate()? - f32_run.accuracy().rate()?;
    let requests_speedup = q
        .requests_per_s
        .zip(f32_run.requests_per_s)
        .map(|(c, b)| c / b);
    Some(Pair {
        speedup,
        metric,
        delta_points: delta * 100.0,
        requests_speedup,
    })
}

pub fn section(doc: &mut Doc, out: &Path, runs: &[RunInfo]) -> Result<()> {
    let mut series = Vec::new();
    let mut rows = Vec::new();
    let mut metrics: Vec<&str> = Vec::new();
    let mut unpaired: Vec<String> = Vec::new();
    for (suite, entries) in by_suite(runs) {
        let mut keys: Vec<&str> = Vec::new();
        for r in entries.iter().filter(|r| r.is_quantized()) {
            if !keys.contains(&r.model_key.as_str()) {
                keys.push(&r.model_key);
            }
        }
        for key in keys {
            let of_model = entries.iter().copied().filter(|r| r.model_key == key);
            let f32_runs: Vec<&RunInfo> = of_model
                .clone()
                .filter(|r| r.f32_rank().is_some())
                .collect();
            let Some(base) = RunInfo::reference(&f32_runs) else {
                unpaired.extend(
                    of_model
                        .filter(|r| r.is_quantized())
                        .map(|r| format!("{} on {suite}: no f32 run of that model", r.label)),
                );
                continue;
            };
            let mut points = Vec::new();
            for q in of_model.filter(|r| r.is_quantized()) {
                let Some(p) = pair(base, q) else {
                    unpaired.push(format!(
                        "{} on {suite}: no throughput or accuracy to compare",
                        q.label
                    ));
                    continue;
                };
                if !metrics.contains(&p.metric) {
                    metrics.push(p.metric);
                }
                let backend = q.backend.clone().unwrap_or_default();
                points.push(Point {
                    x: p.speedup,
                    y: p.delta_points,
                    err: None,
                    text: Some(backend.clone()),
                });
                rows.push(vec![
                    base.model.clone(),
                    suite.to_string(),
                    backend,
                    base.backend.clone().unwrap_or_default(),
                    p.metric.to_string(),
                    format!("{:.2}×", p.speedup),
                    format!("{:+.1}", p.delta_points),
                    p.requests_speedup
                        .map_or("–".into(), |x| format!("{x:.2}×")),
                ]);
            }
            if !points.is_empty() {
                series.push(Series {
                    label: format!(
                        "{} on {suite} (vs {})",
                        base.model,
                        base.backend.as_deref().unwrap_or("?")
                    ),
                    points,
                    line: Vec::new(),
                    dense: false,
                });
            }
        }
    }
    if series.is_empty() && unpaired.is_empty() {
        return Ok(());
    }
    doc.heading("Quantization: accuracy change vs speed-up");
    if !series.is_empty() {
        let what = match metrics.as_slice() {
            [one] => one.to_string(),
            _ => "decode tokens/s, requests/s where not recorded".into(),
        };
        let xs: Vec<f64> = series.iter().flat_map(|s| &s.points).map(|p| p.x).collect();
        let ys: Vec<f64> = series.iter().flat_map(|s| &s.points).map(|p| p.y).collect();
        let chart = XyChart {
            title: "Quantization: accuracy change vs speed-up over f32".into(),
            x: Axis::linear(&format!("speed-up over f32 (×, {what})"), &xs, &[0.0, 1.0]),
            y: Axis::linear("accuracy change (percentage points)", &ys, &[-1.0, 1.0]),
            series,
            h_lines: vec![(0.0, "no accuracy change".into())],
            v_lines: vec![(1.0, "as fast as f32".into())],
            legend: SeriesLabelPosition::UpperLeft,
        };
        render(out, STEM, &chart)?;
        doc.chart(STEM, "accuracy change against speed-up from quantization");
        let header: Vec<String> = [
            "model",
            "suite",
            "quantized",
            "f32 reference",
            "speed metric",
            "speed-up",
            "accuracy change (points)",
            "requests/s speed-up",
        ]
        .map(String::from)
        .to_vec();
        doc.table(&header, &rows);
    }
    if !unpaired.is_empty() {
        doc.note(&format!(
            "Quantized runs left out (the reference is a gemm, ndarray, blas or naive run of \
             the same model and suite): {}.",
            unpaired.join("; ")
        ));
    }
    Ok(())
}
