//! Latency CDF per suite: for each run, the fraction of requests finished within x ms, where a
//! request's latency is its prefill plus decode time from `samples.jsonl`; plus the percentile
//! table behind it.

use std::path::Path;

use anyhow::Result;
use plotters::prelude::SeriesLabelPosition;

use super::doc::Doc;
use super::runs::RunInfo;
use super::xy::{render, Axis, Series, XyChart};
use super::{by_suite, slug};
use crate::run::summary::percentile;

/// Vertices kept per curve: enough to look exact, few enough that a 100k-request run still
/// makes a small SVG.
const MAX_STEPS: usize = 1000;

/// The empirical CDF of `sorted` as a staircase, thinned to about `MAX_STEPS` steps (each kept
/// step is an exact quantile).
fn cdf_line(sorted: &[f64], x_floor: f64) -> Vec<(f64, f64)> {
    let n = sorted.len();
    let stride = n.div_ceil(MAX_STEPS).max(1);
    let mut pts = Vec::with_capacity(2 * MAX_STEPS + 2);
    let mut prev = 0.0;
    let mut i = 0;
    while i < n {
        let j = (i + stride - 1).min(n - 1);
        let x = sorted[j].max(x_floor);
        pts.push((x, prev));
        prev = (j + 1) as f64 / n as f64;
        pts.push((x, prev));
        i = j + 1;
    }
    pts
}

pub fn section(doc: &mut Doc, out: &Path, runs: &[RunInfo]) -> Result<()> {
    for (suite, entries) in by_suite(runs) {
        let lat: Vec<Vec<f64>> = entries
            .iter()
            .map(|r| {
                let mut v = r.latencies_ms();
                v.retain(|x| x.is_finite() && *x >= 0.0);
                v.sort_by(f64::total_cmp);
                v
            })
            .collect();
        let all: Vec<f64> = lat.iter().flatten().copied().collect();
        if all.is_empty() {
            continue;
        }
        let x = Axis::auto("latency per request, prefill + decode (ms)", &all);
        // A 0 ms request has no place on a log axis; it is drawn at the left edge instead.
        let floor = if x.log { x.lo } else { f64::NEG_INFINITY };
        let chart = XyChart {
            title: format!("Latency CDF on {suite}"),
            y: Axis::fixed("fraction of requests ≤ latency", 0.0, 1.02),
            x,
            series: entries
                .iter()
                .zip(&lat)
                .map(|(r, v)| Series {
                    label: r.label.clone(),
                    points: Vec::new(),
                    line: cdf_line(v, floor),
                    dense: false,
                })
                .collect(),
            h_lines: Vec::new(),
            v_lines: Vec::new(),
            legend: SeriesLabelPosition::LowerRight,
        };
        let stem = format!("latency-cdf-{}", slug(suite));
        render(out, &stem, &chart)?;
        doc.heading(&format!("Latency CDF: {suite}"));
        doc.chart(&stem, &format!("latency CDF on {suite}"));
        let header: Vec<String> = ["run", "requests", "p50 ms", "p90 ms", "p99 ms", "max ms"]
            .map(String::from)
            .to_vec();
        let rows: Vec<Vec<String>> = entries
            .iter()
            .zip(&lat)
            .map(|(r, v)| {
                let mut row = vec![r.label.clone(), v.len().to_string()];
                row.extend([50.0, 90.0, 99.0, 100.0].map(|p| format!("{:.2}", percentile(v, p))));
                row
            })
            .collect();
        doc.table(&header, &rows);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_staircase_reaches_one_at_the_slowest_request() {
        let v = [1.0, 2.0, 2.0, 4.0];
        let line = cdf_line(&v, f64::NEG_INFINITY);
        assert_eq!(line.first(), Some(&(1.0, 0.0)));
        assert_eq!(line.last(), Some(&(4.0, 1.0)));
        assert!(line.contains(&(2.0, 0.5)));
        let many: Vec<f64> = (0..5000).map(f64::from).collect();
        let thin = cdf_line(&many, f64::NEG_INFINITY);
        assert!(thin.len() <= 2 * MAX_STEPS, "{}", thin.len());
        assert_eq!(thin.last(), Some(&(4999.0, 1.0)));
        assert!(thin.contains(&(4.0, 0.001)));
    }
}
