//! `thimble merge`: joins the result directories of `thimble run --shard K/N` invocations (e.g.
//! one per CI runner) into one run directory, as if a single run had covered them all.
//!
//! The summary is recomputed by the runner's own `write_summary` from the merged samples and
//! the suite, so a merged `summary.json` cannot drift from an unsharded one.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::{json, Value};

use crate::run::samples::{read_samples, Sample, SampleLog};
use crate::run::{parse_shard, select, write_summary};
use crate::suite::Example;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Merged results directory (samples.jsonl, summary.json); must not already hold samples.
    #[arg(long)]
    pub out: PathBuf,
    /// Result directories of `thimble run --shard K/N`, one per shard, in any order.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
}

struct Shard {
    dir: PathBuf,
    run: Value,
    started: String,
    finished: String,
    complete: bool,
    samples: Vec<Sample>,
}

fn load_shard(dir: &Path) -> Result<Shard> {
    let path = dir.join("summary.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let summary: Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let run = summary["provenance"]["run"].clone();
    if !run.is_object() || run["suite"].as_str().is_none() {
        bail!(
            "{}: no provenance.run.suite; is this a `thimble run` summary?",
            path.display()
        );
    }
    Ok(Shard {
        dir: dir.to_path_buf(),
        started: summary["provenance"]["started"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        finished: summary["provenance"]["finished"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        complete: summary["complete"].as_bool().unwrap_or(false),
        run,
        samples: read_samples(&dir.join("samples.jsonl"))?,
    })
}

/// The (0-based index, count) a shard ran with; an unsharded run is shard 1 of 1.
fn shard_of(s: &Shard) -> Result<(usize, usize)> {
    match s.run["shard"].as_str() {
        Some(k) => parse_shard(k).with_context(|| format!("{}", s.dir.display())),
        None => Ok((0, 1)),
    }
}

pub fn run(args: MergeArgs) -> Result<()> {
    let shards: Vec<Shard> = args
        .shards
        .iter()
        .map(|d| load_shard(d))
        .collect::<Result<_>>()?;
    let first = &shards[0];
    // Results of different suites, suite versions or models are not one run.
    for s in &shards[1..] {
        for (key, a, b) in [
            ("suite", &first.run["suite"], &s.run["suite"]),
            (
                "suite_sha256",
                &first.run["suite_sha256"],
                &s.run["suite_sha256"],
            ),
            (
                "model.sha256",
                &first.run["model"]["sha256"],
                &s.run["model"]["sha256"],
            ),
            ("max_tokens", &first.run["max_tokens"], &s.run["max_tokens"]),
            ("constrain", &first.run["constrain"], &s.run["constrain"]),
        ] {
            if a != b {
                bail!(
                    "{} has {key} {a} but {} has {b}: not shards of one run",
                    first.dir.display(),
                    s.dir.display()
                );
            }
        }
    }
    let suite_name = first.run["suite"].as_str().unwrap_or_default();
    let suite = crate::resolve::load_suite(suite_name)
        .with_context(|| format!("loading suite `{suite_name}` named by the shards"))?;
    if let Some(sha) = first.run["suite_sha256"].as_str() {
        if sha != suite.sha256 {
            bail!(
                "suite `{suite_name}` has changed since the shards ran (sha256 {} now, {sha} then)",
                suite.sha256
            );
        }
    }
    let mut shard_ids = Vec::new();
    for s in &shards {
        shard_ids.push(shard_of(s)?);
    }
    let counts: BTreeSet<usize> = shard_ids.iter().map(|&(_, n)| n).collect();
    if counts.len() > 1 {
        bail!("the shards were cut with different N: {counts:?}");
    }
    let n = shard_ids[0].1;
    let mut have: BTreeSet<usize> = BTreeSet::new();
    for (s, &(k, _)) in shards.iter().zip(&shard_ids) {
        if !have.insert(k) {
            bail!(
                "shard {}/{n} given twice (again in {})",
                k + 1,
                s.dir.display()
            );
        }
    }
    let missing: Vec<String> = (0..n)
        .filter(|k| !have.contains(k))
        .map(|k| format!("{}/{n}", k + 1))
        .collect();
    if !missing.is_empty() {
        bail!("shards {} are missing", missing.join(", "));
    }
    // What the shards were asked to cover, in suite order.
    let mut covered: BTreeSet<usize> = BTreeSet::new();
    let index: HashMap<&str, usize> = suite
        .examples
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    for (s, &(k, n)) in shards.iter().zip(&shard_ids) {
        let limit = s.run["limit"].as_u64().map(|l| l as usize);
        for e in select(&suite, Some((k, n)), limit) {
            covered.insert(index[e.id.as_str()]);
        }
    }
    let examples: Vec<Example> = covered.iter().map(|&i| suite.examples[i].clone()).collect();
    let mut owner: HashMap<String, &Path> = HashMap::new();
    let mut merged: Vec<(usize, Sample)> = Vec::new();
    for s in &shards {
        if !s.complete {
            eprintln!(
                "warning: {} is an incomplete run; the merged summary will say so",
                s.dir.display()
            );
        }
        for sample in &s.samples {
            let Some(&i) = index.get(sample.id.as_str()) else {
                bail!(
                    "{}: example id {} is not in suite `{suite_name}`",
                    s.dir.display(),
                    sample.id
                );
            };
            if let Some(prev) = owner.insert(sample.id.clone(), &s.dir) {
                bail!(
                    "example id {} is in both {} and {}",
                    sample.id,
                    prev.display(),
                    s.dir.display()
                );
            }
            merged.push((i, sample.clone()));
        }
    }
    merged.sort_by_key(|(i, _)| *i);
    let samples: Vec<Sample> = merged.into_iter().map(|(_, s)| s).collect();

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let (mut log, _) = SampleLog::open(&args.out.join("samples.jsonl"), false)?;
    for s in &samples {
        log.append(s)?;
    }
    let mut meta = first.run.clone();
    meta["shard"] = Value::Null;
    meta["limit"] = Value::Null;
    // Each shard's constrained-decoding report covers its own examples only; it stays with the
    // shard below rather than passing for the merged run's.
    if let Some(m) = meta.as_object_mut() {
        m.remove("constrain_report");
    }
    meta["shards"] = Value::Array(
        shards
            .iter()
            .map(|s| {
                json!({
                    "dir": s.dir.display().to_string(),
                    "shard": s.run["shard"],
                    "limit": s.run["limit"],
                    "samples": s.samples.len(),
                    "complete": s.complete,
                    "backend": s.run["backend"],
                    "threads": s.run["threads"],
                    "constrain_report": s.run["constrain_report"],
                    "host": s.run["host"],
                    "build": s.run["build"],
                    "started": s.started,
                    "finished": s.finished,
                })
            })
            .collect(),
    );
    // RFC 3339 UTC timestamps sort as strings; the merged run spans the earliest shard start.
    let started = shards
        .iter()
        .map(|s| s.started.as_str())
        .filter(|s| !s.is_empty())
        .min()
        .unwrap_or_default()
        .to_string();
    write_summary(&args.out, &meta, &samples, &examples, &started)
}
