//! The model comparison: a table of the models (size, weights, speed) and a table of accuracy
//! with one row per suite that at least two models were run on and one column per model —
//! Thimble's own models next to recorded baselines, like for like.
//!
//! Like for like means the same examples: recordings of slow models cover a stated selection of
//! a suite (`--limit`, `--shard`), so each suite is scored on the examples every compared
//! model has a verdict for (the intersection of their samples), and that count is its `n`. A
//! cell therefore equals what `thimble run` reports for that model on exactly those shared
//! examples (`--limit`/`--shard` where the recordings' selections coincide), not necessarily on
//! everything that model was run on. Size and speed come from bench files (`thimble bench
//! --format json`, `baselines/bench.py`) whose `model` names the same model directory as the
//! run.

use std::collections::{BTreeMap, HashSet};

use anyhow::Result;

use super::doc::Doc;
use super::runs::{model_name, RunInfo};
use super::throughput::BenchEntry;
use super::{by_suite, pct};
use crate::gate::BenchRow;
use crate::stats::wilson;

/// One model's row: its reference run per compared suite.
struct ModelRow<'a> {
    key: &'a str,
    runs: BTreeMap<&'a str, &'a RunInfo>,
}

/// The bench row that speaks for `run`'s model: the run's own backend where measured, at the
/// most threads measured; `None` when no bench file names the model.
fn bench_row<'a>(benches: &'a [BenchEntry], run: &RunInfo) -> Option<&'a BenchRow> {
    let rows: Vec<&BenchRow> = benches
        .iter()
        .flat_map(|b| &b.rows)
        .filter(|r| {
            r.model
                .as_deref()
                .is_some_and(|m| model_name(m) == run.model)
        })
        .collect();
    let own: Vec<&BenchRow> = rows
        .iter()
        .copied()
        .filter(|r| Some(r.backend.as_str()) == run.backend.as_deref())
        .collect();
    let pick = if own.is_empty() { rows } else { own };
    pick.into_iter().max_by_key(|r| r.threads)
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

fn millions(n: u64) -> String {
    if n >= 10_000_000 {
        format!("{:.0}M", n as f64 / 1e6)
    } else {
        format!("{:.2}M", n as f64 / 1e6)
    }
}

pub fn section(doc: &mut Doc, runs: &[RunInfo], benches: &[BenchEntry]) -> Result<()> {
    // Suites with at least two models, and per model its reference (f32-first) run on each.
    let mut models: Vec<ModelRow> = Vec::new();
    let mut suites: Vec<&str> = Vec::new();
    for (suite, entries) in by_suite(runs) {
        let mut keys: Vec<&str> = Vec::new();
        for r in &entries {
            if !keys.contains(&r.model_key.as_str()) {
                keys.push(&r.model_key);
            }
        }
        if keys.len() < 2 {
            continue;
        }
        suites.push(suite);
        for key in keys {
            let same: Vec<&RunInfo> = entries
                .iter()
                .copied()
                .filter(|r| r.model_key == key)
                .collect();
            // The f32 reference, and among equals the run with the most examples: a short
            // trial run must not shrink the shared examples of the whole column.
            let Some(r) = same.iter().copied().min_by_key(|r| {
                (
                    r.f32_rank().unwrap_or(usize::MAX),
                    usize::MAX - r.samples.len(),
                )
            }) else {
                continue;
            };
            match models.iter_mut().find(|m| m.key == key) {
                Some(m) => {
                    m.runs.insert(suite, r);
                }
                None => models.push(ModelRow {
                    key,
                    runs: BTreeMap::from([(suite, r)]),
                }),
            }
        }
    }
    if suites.is_empty() {
        return Ok(());
    }
    doc.heading("Models compared");
    // Per suite, the ids every model run on it has a verdict for.
    let mut common: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    for &suite in &suites {
        let mut ids: Option<HashSet<&str>> = None;
        for m in &models {
            if let Some(r) = m.runs.get(suite) {
                let these: HashSet<&str> = r.samples.iter().map(|s| s.id.as_str()).collect();
                ids = Some(match ids {
                    None => these,
                    Some(prev) => prev.intersection(&these).copied().collect(),
                });
            }
        }
        common.insert(suite, ids.unwrap_or_default());
    }
    // Table 1: who the models are, how big and how fast.
    let header: Vec<String> = [
        "model",
        "weights",
        "parameters",
        "weight MB",
        "prefill tok/s",
        "decode tok/s",
        "speed measured on",
    ]
    .map(String::from)
    .to_vec();
    let mut rows = Vec::new();
    for m in &models {
        let first = m.runs.values().next().copied();
        let Some(first) = first else { continue };
        let bench = bench_row(benches, first);
        let dash = || "–".to_string();
        rows.push(vec![
            first.display_name.clone(),
            first.dtype.clone().unwrap_or_else(dash),
            first
                .parameters
                .or(bench.and_then(|b| b.parameters))
                .map_or_else(dash, millions),
            bench.and_then(|b| b.weight_bytes).map_or_else(dash, mb),
            bench.map_or_else(dash, |b| format!("{:.0}", b.prefill_tok_s)),
            bench.map_or_else(dash, |b| format!("{:.0}", b.decode_tok_s)),
            bench.map_or_else(
                || "no bench file".to_string(),
                |b| {
                    let pd = match (b.prefill_tokens, b.decode_tokens) {
                        (Some(p), Some(d)) => format!(", P={p}, D={d}"),
                        _ => String::new(),
                    };
                    format!(
                        "{} · {} thread{}{pd}",
                        b.backend,
                        b.threads,
                        if b.threads == 1 { "" } else { "s" }
                    )
                },
            ),
        ]);
    }
    doc.table(&header, &rows);
    // Table 2: accuracy, one row per suite, one column per model.
    let mut header = vec!["suite".to_string(), "n".to_string()];
    header.extend(rows.iter().map(|r| format!("{} % [95% CI]", r[0])));
    let mut rows = Vec::new();
    for s in &suites {
        let ids = &common[s];
        let mut row = vec![s.to_string(), ids.len().to_string()];
        for m in &models {
            row.push(match m.runs.get(s) {
                None => "not run".to_string(),
                Some(r) => {
                    let (num, den) = r
                        .samples
                        .iter()
                        .filter(|x| ids.contains(x.id.as_str()))
                        .fold((0u64, 0u64), |(n, d), x| (n + u64::from(x.valid), d + 1));
                    if den == 0 {
                        "–".to_string()
                    } else {
                        let (lo, hi) = wilson(num, den);
                        format!(
                            "{} [{}, {}]",
                            pct(num as f64 / den as f64),
                            pct(lo),
                            pct(hi)
                        )
                    }
                }
            });
        }
        rows.push(row);
    }
    doc.table(&header, &rows);
    doc.note(
        "Each suite is scored on the n examples every model in the table has a verdict \
         for: recordings of slow models cover a stated selection of a suite, \
         and the other models are scored on the same examples. Accuracy is exact match for \
         assistant suites and the BFCL checker's verdict for BFCL; recorded models are judged \
         by the same decoders and checker as live runs. Speed: the bench row for the model's own \
         backend at the most threads measured (thimble bench; baselines/bench.py for llama.cpp \
         models), median over repetitions.",
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::model_name;

    #[test]
    fn bench_models_pair_with_run_models_by_directory_name() {
        assert_eq!(model_name("fixtures/needle-tiny"), "needle-tiny");
        assert_eq!(
            model_name("recorded:baselines/smollm2-135m-instruct-q4_1"),
            "smollm2-135m-instruct-q4_1"
        );
        assert_eq!(model_name("baselines/gemma/"), "gemma");
        assert_eq!(model_name("synthetic:needle1-26m"), "synthetic:needle1-26m");
    }
}
