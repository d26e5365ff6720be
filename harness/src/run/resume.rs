//! What a resumed run must share with the run it continues: everything that decides an
//! example's output — suite contents, model, backend, token cap, constrain mode, transform —
//! and the shard, so that one directory never holds two selections. The thread count may
//! change (outputs do not depend on it), and `--limit` may grow (a larger one extends the run)
//! but not shrink: samples outside the new selection would be counted in a summary that does
//! not cover them.
//! The settings go to `OUT/run.json` when a run starts; `--resume` compares before it touches
//! the samples. Directories from before run.json existed are checked against the provenance
//! in their `summary.json` when there is one.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

use super::samples::{Sample, SampleLog};
use crate::suite::Example;

const FILE: &str = "run.json";

/// (name in run.json, JSON pointer into the run's provenance block)
const SETTINGS: [(&str, &str); 8] = [
    ("suite_sha256", "/suite_sha256"),
    ("model_sha256", "/model/sha256"),
    ("backend", "/backend"),
    ("max_tokens", "/max_tokens"),
    ("constrain", "/constrain"),
    ("transform", "/transform"),
    ("transform_seed", "/transform_seed"),
    ("shard", "/shard"),
];

fn settings(meta: &Value) -> Value {
    let map: Map<String, Value> = SETTINGS
        .iter()
        .map(|(name, ptr)| {
            (
                name.to_string(),
                meta.pointer(ptr).cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    Value::Object(map)
}

fn has_samples(out: &Path) -> bool {
    std::fs::metadata(out.join("samples.jsonl")).is_ok_and(|m| m.len() > 0)
}

/// The settings the samples in `out` were made with: run.json, or for older directories the
/// provenance block of summary.json; None when neither says.
fn earlier(out: &Path) -> Result<Option<(&'static str, Value)>> {
    let path = out.join(FILE);
    if path.is_file() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let v: Value = serde_json::from_str(&text)
            .ok()
            .filter(Value::is_object)
            .with_context(|| {
                format!(
                    "{}: not the JSON object `thimble run` writes; delete it to resume without the \
                     settings check, or choose another --out",
                    path.display()
                )
            })?;
        return Ok(Some((FILE, v)));
    }
    let summary = out.join("summary.json");
    let run = std::fs::read_to_string(&summary)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|s| s.pointer("/provenance/run").cloned());
    Ok(run.map(|r| ("summary.json", settings(&r))))
}

/// Before a resumed run touches `out`: fails naming every setting in which `meta` (the new
/// run's provenance block) differs from the earlier samples'. Keys the earlier record lacks
/// are not compared; without any record the run goes on with a warning.
pub fn check(out: &Path, meta: &Value) -> Result<()> {
    if !has_samples(out) {
        return Ok(());
    }
    let Some((source, before)) = earlier(out)? else {
        eprintln!(
            "warning: {}: no run.json or summary.json says how the samples there were made; \
             resuming without the settings check",
            out.display()
        );
        return Ok(());
    };
    let now = settings(meta);
    let diffs: Vec<String> = SETTINGS
        .iter()
        .filter_map(|(name, _)| {
            let b = before.get(*name)?;
            let n = &now[name];
            (b != n).then(|| format!("{name} {b} there, {n} now"))
        })
        .collect();
    if !diffs.is_empty() {
        bail!(
            "{}: the samples there were made with other settings ({}, from {source}); resume \
             with the same settings or choose another --out",
            out.display(),
            diffs.join("; ")
        );
    }
    Ok(())
}

/// Writes `out/run.json` for the run about to append samples (atomically, so an interrupted
/// write never leaves a torn file for the next `--resume` to trip on).
fn record(out: &Path, meta: &Value) -> Result<()> {
    let path = out.join(FILE);
    let body = serde_json::to_string_pretty(&settings(meta))? + "\n";
    crate::atomic::write(&path, body.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// Opens `out/samples.jsonl` for a run whose settings [`check`] accepted (when resuming):
/// returns the earlier samples, which must all lie in `selection`, and records `meta` in
/// run.json before anything is appended. Live and recorded runs both start here.
pub fn open_samples(
    out: &Path,
    meta: &Value,
    selection: &[Example],
    resume: bool,
) -> Result<(SampleLog, Vec<Sample>)> {
    let (log, done) = SampleLog::open(&out.join("samples.jsonl"), resume)?;
    check_selection(out, &done, selection)?;
    record(out, meta)?;
    Ok((log, done))
}

/// Fails when some earlier samples lie outside this run's selection, which (suite and shard
/// being the same) means the earlier run had a larger `--limit`.
fn check_selection(out: &Path, done: &[Sample], selection: &[Example]) -> Result<()> {
    let ids: std::collections::HashSet<&str> = selection.iter().map(|e| e.id.as_str()).collect();
    let outside: Vec<&str> = done
        .iter()
        .map(|s| s.id.as_str())
        .filter(|id| !ids.contains(id))
        .collect();
    if let Some(first) = outside.first() {
        bail!(
            "{}: {} of the {} samples there are outside this run's selection of {} examples \
             (first: {first}); the run being resumed covered more, so resume with --limit {} or \
             more (or none), or choose another --out",
            out.join("samples.jsonl").display(),
            outside.len(),
            done.len(),
            selection.len(),
            done.len()
        );
    }
    Ok(())
}
