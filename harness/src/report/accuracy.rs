//! Accuracy per suite: one grouped bar chart per suite (overall, then each category; one bar per
//! run, Wilson 95% whiskers) and the table of percentages, intervals and counts behind it.

use std::path::Path;

use anyhow::Result;

use super::bars::{render, Bars};
use super::doc::Doc;
use super::runs::{Count, RunInfo};
use super::{by_suite, pct, slug};
use crate::stats::wilson;

fn lookup(r: &RunInfo, g: &str) -> Option<Count> {
    r.groups.iter().find(|(n, _)| n == g).map(|x| x.1)
}

pub fn section(doc: &mut Doc, out: &Path, runs: &[RunInfo]) -> Result<()> {
    for (suite, entries) in by_suite(runs) {
        let mut groups: Vec<String> = Vec::new();
        for e in &entries {
            for (g, _) in &e.groups {
                if !groups.contains(g) {
                    groups.push(g.clone());
                }
            }
        }
        let bars = Bars {
            title: format!("Accuracy on {suite} (Wilson 95% intervals)"),
            y_desc: "accuracy (fraction of examples)".into(),
            groups: groups.clone(),
            series: entries.iter().map(|e| e.label.clone()).collect(),
            values: entries
                .iter()
                .map(|e| {
                    groups
                        .iter()
                        .map(|g| {
                            let c = lookup(e, g)?;
                            Some((c.rate()?, Some(wilson(c.num, c.den))))
                        })
                        .collect()
                })
                .collect(),
            // Headroom above 100% keeps the legend off the tallest bars.
            y_max: 1.2,
        };
        let stem = format!("accuracy-{}", slug(suite));
        render(out, &stem, &bars)?;
        doc.heading(&format!("Accuracy: {suite}"));
        doc.chart(&stem, &format!("accuracy on {suite}"));
        let mut header = vec!["category".to_string()];
        header.extend(
            entries
                .iter()
                .map(|e| format!("{} (% [95% CI], n)", e.label)),
        );
        let rows: Vec<Vec<String>> = groups
            .iter()
            .map(|g| {
                let mut row = vec![g.clone()];
                row.extend(entries.iter().map(|e| {
                    lookup(e, g).map_or("–".into(), |c| {
                        let (lo, hi) = wilson(c.num, c.den);
                        let v = c.rate().unwrap_or(0.0);
                        format!("{} [{}, {}], {}", pct(v), pct(lo), pct(hi), c.den)
                    })
                }));
                row
            })
            .collect();
        doc.table(&header, &rows);
    }
    Ok(())
}
