//! Tokens/s from `thimble bench --format json` files: decode and prefill bar charts with one
//! group per backend and thread count and one bar per bench file, plus their tables.

use std::path::Path;

use anyhow::Result;

use super::bars::{render, Bar, Bars};
use super::doc::Doc;
use crate::gate::BenchRow;

/// Reads one throughput figure from a bench row.
type Metric = fn(&BenchRow) -> f64;

pub struct BenchEntry {
    pub label: String,
    pub rows: Vec<BenchRow>,
}

pub fn section(doc: &mut Doc, out: &Path, benches: &[BenchEntry]) -> Result<()> {
    if benches.is_empty() {
        return Ok(());
    }
    let mut keys: Vec<(String, usize)> = Vec::new();
    for b in benches {
        for r in &b.rows {
            let k = (r.backend.clone(), r.threads);
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let groups: Vec<String> = keys.iter().map(|(b, t)| format!("{b} x{t}")).collect();
    let metrics: [(&str, &str, Metric); 2] = [
        ("decode", "Decode tokens/s (median)", |r| r.decode_tok_s),
        ("prefill", "Prefill tokens/s (median)", |r| r.prefill_tok_s),
    ];
    for (name, title, get) in metrics {
        let values: Vec<Vec<Bar>> = benches
            .iter()
            .map(|b| {
                keys.iter()
                    .map(|(be, t)| {
                        b.rows
                            .iter()
                            .find(|r| &r.backend == be && r.threads == *t)
                            .map(|r| (get(r), None))
                    })
                    .collect()
            })
            .collect();
        let y_max = values
            .iter()
            .flatten()
            .flatten()
            .map(|v| v.0)
            .fold(0.0, f64::max)
            .max(1.0)
            * 1.15;
        let bars = Bars {
            title: title.into(),
            y_desc: "tokens/s".into(),
            groups: groups.clone(),
            series: benches.iter().map(|b| b.label.clone()).collect(),
            values,
            y_max,
        };
        let stem = format!("throughput-{name}");
        render(out, &stem, &bars)?;
        doc.heading(title);
        doc.chart(&stem, title);
        let mut header = vec!["backend x threads".to_string()];
        header.extend(benches.iter().map(|b| b.label.clone()));
        let rows: Vec<Vec<String>> = groups
            .iter()
            .enumerate()
            .map(|(gi, g)| {
                let mut row = vec![g.clone()];
                row.extend(
                    bars.values
                        .iter()
                        .map(|s| s[gi].map_or("–".into(), |v| format!("{:.1}", v.0))),
                );
                row
            })
            .collect();
        doc.table(&header, &rows);
    }
    Ok(())
}
