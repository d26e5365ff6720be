//! `thimble run`: a model over a suite, writing `samples.jsonl` as it goes and `summary.json`
//! at the end. Interrupting loses nothing: `--resume` continues from the last complete line.

pub mod judge;
pub mod recorded;
mod resume;
pub mod samples;
pub mod summary;
pub mod transforms;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::{json, Value};
use thimble_runtime::constrain::{Constrain, VocabIndex};
use thimble_runtime::generate::{generate_normalized_with, GenerateOptions};
use thimble_runtime::tools::normalize_tools_value;

use crate::cli::common::ModelArgs;
use crate::dialect::convert_tools;
use crate::provenance;
use crate::suite::{Dialect, Example, Suite};
use crate::transform::{self, Transform};
use samples::{done_ids, Sample};
use thimble_runtime::source::Loaded;

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Suite: bfcl:<category>, <name>:<split> (bundled), or a JSONL file.
    #[arg(long, default_value = "assistant:test")]
    pub suite: String,
    /// Results directory (samples.jsonl, summary.json, run.json).
    #[arg(long)]
    pub out: PathBuf,
    /// Run only the first N examples (after sharding).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Run shard K of N (1-based, `K/N`): every N-th example starting at the K-th.
    #[arg(long)]
    pub shard: Option<String>,
    /// Continue an interrupted run in --out.
    #[arg(long)]
    pub resume: bool,
    /// Stop generating after this many tokens (default: the model's maximum).
    #[arg(long)]
    pub max_tokens: Option<usize>,
    /// Constrained decoding: off (plain greedy), names (call shape, tool names and argument
    /// keys), schema (every value checked against its parameter's schema).
    #[arg(long, default_value = "off")]
    pub constrain: Constrain,
    /// Also run robustness transforms of the suite (comma-separated, or `all`): shuffle-tools,
    /// shuffle-keys, distractors[:N], synonyms, noise, no-descriptions. Each goes to
    /// OUT/transforms/<name>/; OUT/transforms.md compares them with the plain run by id.
    #[arg(long)]
    pub transform: Option<String>,
    /// Seed of the transforms' random choices.
    #[arg(long, default_value_t = 0)]
    pub transform_seed: u64,
}

/// Parses `K/N` into a 0-based shard index and a shard count.
pub fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let (k, n) = s
        .split_once('/')
        .with_context(|| format!("--shard `{s}`: expected K/N, e.g. 2/4"))?;
    let k: usize = k
        .trim()
        .parse()
        .with_context(|| format!("--shard `{s}`: K is not a number"))?;
    let n: usize = n
        .trim()
        .parse()
        .with_context(|| format!("--shard `{s}`: N is not a number"))?;
    if n == 0 || k == 0 || k > n {
        bail!("--shard `{s}`: need 1 <= K <= N");
    }
    Ok((k - 1, n))
}

/// The examples this invocation covers.
pub fn select(suite: &Suite, shard: Option<(usize, usize)>, limit: Option<usize>) -> Vec<Example> {
    suite
        .examples
        .iter()
        .enumerate()
        .filter(|(i, _)| shard.is_none_or(|(k, n)| i % n == k))
        .map(|(_, e)| e.clone())
        .take(limit.unwrap_or(usize::MAX))
        .collect()
}

/// The tools as the model sees them: the suite's own document, BFCL converted to JSON Schema.
pub fn tools_for_model(ex: &Example) -> Result<Value> {
    match ex.dialect {
        Dialect::Bfcl => convert_tools(&ex.tools, Dialect::Bfcl, Dialect::JsonSchema)
            .map(Value::Array)
            .with_context(|| format!("example {}: converting BFCL tools", ex.id)),
        _ => Ok(Value::Array(ex.tools.clone())),
    }
}

fn model_sha256(files: &[PathBuf], source: &str) -> Result<String> {
    if files.is_empty() {
        return Ok(provenance::sha256_bytes(source.as_bytes()));
    }
    let refs: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let hash = provenance::sha256_files(&refs).context("hashing model files")?;
    // A synthetic model's weights come from its spec; its only file is the paired tokenizer,
    // which alone would give every synthetic model the same hash.
    if source.starts_with("synthetic:") {
        Ok(provenance::sha256_bytes(
            format!("{source}\n{hash}").as_bytes(),
        ))
    } else {
        Ok(hash)
    }
}

pub fn run(args: RunArgs) -> Result<()> {
    // `--model recorded:DIR`: score a real model's recorded outputs, no model loaded.
    if let Some(dir) = recorded::recording_dir(&args.model.model) {
        return recorded::run_or_exit(&args, dir);
    }
    let suite = crate::resolve::load_suite(&args.suite)?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    let transforms = match &args.transform {
        Some(spec) => {
            transform::parse_list(spec).map_err(|e| anyhow::anyhow!("--transform: {e}"))?
        }
        None => Vec::new(),
    };
    let loaded = args.model.load()?;
    let tok = loaded
        .tokenizer
        .as_ref()
        .context("the model has no tokenizer.model; pass --tokenizer PATH")?;
    // One trie over the vocabulary serves every request.
    let vocab =
        (args.constrain != Constrain::Off).then(|| VocabIndex::new(tok, loaded.model.config()));
    let opts = GenerateOptions {
        max_new: args.max_tokens,
        constrain: args.constrain,
        vocab: vocab.as_ref(),
    };
    // The model is hashed once; every directory's settings are known (and, on --resume,
    // checked) before any runs, so a transform resumed under other settings fails now rather
    // than after the plain run has taken more examples.
    let model_sha = model_sha256(&loaded.info.files, &loaded.info.source)?;
    let changed: Vec<(&Transform, Suite, PathBuf)> = transforms
        .iter()
        .map(|t| {
            let dir = args.out.join("transforms").join(transforms::dir_name(t));
            (t, t.apply(&suite, args.transform_seed), dir)
        })
        .collect();
    let plain_job = Job {
        suite: &suite,
        out: &args.out,
        meta: run_meta(&args, &loaded, &model_sha, &suite, None),
    };
    let jobs: Vec<(&Transform, Job)> = changed
        .iter()
        .map(|(t, suite, dir)| {
            let meta = run_meta(&args, &loaded, &model_sha, suite, Some(t));
            (
                *t,
                Job {
                    suite,
                    out: dir,
                    meta,
                },
            )
        })
        .collect();
    if args.resume {
        for job in std::iter::once(&plain_job).chain(jobs.iter().map(|(_, j)| j)) {
            resume::check(job.out, &job.meta)?;
        }
    }
    let plain = run_suite(&args, &loaded, &opts, shard, plain_job)?;
    if jobs.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::new();
    for (t, job) in jobs {
        let samples = run_suite(&args, &loaded, &opts, shard, job)?;
        rows.push(transforms::compare(t, &plain, &samples));
    }
    transforms::write(&args.out, &suite.name, args.transform_seed, &plain, &rows)
}

/// One directory's run: its suite (plain or transformed), where it goes, and its provenance.
struct Job<'a> {
    suite: &'a Suite,
    out: &'a Path,
    meta: Value,
}

/// The provenance block of one run into `summary.json`, and the settings `--resume` compares.
fn run_meta(
    args: &RunArgs,
    loaded: &Loaded,
    model_sha: &str,
    suite: &Suite,
    transform: Option<&Transform>,
) -> Value {
    let backend = loaded.model.backend();
    json!({
        "suite": suite.name,
        "suite_sha256": suite.sha256,
        "shard": args.shard,
        "limit": args.limit,
        "model": {
            "source": loaded.info.source,
            "sha256": model_sha,
            "dtype": loaded.info.dtype,
            "parameters": loaded.info.parameters,
        },
        "backend": backend.name(),
        "threads": backend.threads(),
        "max_tokens": args.max_tokens,
        "constrain": args.constrain.as_str(),
        "transform": transform.map(|t| t.to_string()),
        "transform_seed": transform.map(|_| args.transform_seed),
        "host": provenance::host(),
        "build": provenance::build(),
    })
}

/// One suite (plain or transformed) into `out`: samples as they come, then the summary.
/// Returns every sample of the run, resumed ones included.
fn run_suite(
    args: &RunArgs,
    loaded: &Loaded,
    opts: &GenerateOptions<'_>,
    shard: Option<(usize, usize)>,
    job: Job<'_>,
) -> Result<Vec<Sample>> {
    let Job {
        suite,
        out,
        mut meta,
    } = job;
    let examples = select(suite, shard, args.limit);
    let tok = loaded
        .tokenizer
        .as_ref()
        .context("the model has no tokenizer.model; pass --tokenizer PATH")?;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let started = provenance::now_rfc3339();
    let (mut log, mut done) = resume::open_samples(out, &meta, &examples, args.resume)?;
    let ids = done_ids(&done);
    let todo: Vec<&Example> = examples
        .iter()
        .filter(|e| !ids.contains(e.id.as_str()))
        .collect();
    let bar = indicatif::ProgressBar::new(examples.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} eta {eta} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_position(done.len() as u64);
    let mut constrain_stats = summary::ConstrainStats::default();
    for ex in todo {
        let tools = normalize_tools_value(tools_for_model(ex)?)
            .with_context(|| format!("example {}: tools", ex.id))?;
        let g = generate_normalized_with(&loaded.model, tok, ex.query(), &tools, opts)
            .with_context(|| format!("example {}", ex.id))?;
        if let Some(c) = &g.constrain {
            constrain_stats.add(&ex.id, c);
        }
        let rename = |n: &str| tools.original_name(n).to_string();
        let decoded = judge::decode_needle_output(&g.raw_text, &rename);
        let judged = judge::judge(ex, decoded);
        let s = Sample {
            id: ex.id.clone(),
            category: ex.category.clone(),
            valid: judged.valid,
            output: g.raw_text.clone(),
            calls: judged.calls,
            error_type: judged.error_type,
            error: judged.error,
            prompt_tokens: g.prompt_tokens(),
            generated_tokens: g.generated_tokens(),
            prefill_ms: g.greedy.prefill_ms,
            decode_ms: g.greedy.decode_ms,
            prompt_truncated: g.prompt.truncated,
        };
        log.append(&s)?;
        done.push(s);
        bar.inc(1);
    }
    bar.finish_and_clear();
    if args.constrain != Constrain::Off {
        let report = constrain_stats.to_json();
        eprintln!(
            "constrain {}: {} warning kind(s), {} unfinished output(s), mask p50 {:.1} us p99 {:.1} us per token (summary.json: provenance.run.constrain_report)",
            args.constrain,
            report["warnings"].as_array().map_or(0, Vec::len),
            report["incomplete"].as_array().map_or(0, Vec::len),
            report["mask_us_per_token"]["p50"].as_f64().unwrap_or(0.0),
            report["mask_us_per_token"]["p99"].as_f64().unwrap_or(0.0),
        );
        meta["constrain_report"] = report;
    }
    write_summary(out, &meta, &done, &examples, &started)?;
    Ok(done)
}

/// Writes `summary.json` for a finished (or merged) run and prints the headline.
pub fn write_summary(
    out: &Path,
    meta: &Value,
    samples: &[Sample],
    examples: &[Example],
    started: &str,
) -> Result<()> {
    let (overall, per_category) = summary::metrics(samples, examples);
    let complete = samples.len() == examples.len();
    let summary = json!({
        "complete": complete,
        "examples": examples.len(),
        "samples": samples.len(),
        "metrics": overall["metrics"],
        "intervals": overall["intervals"],
        "counts": overall["counts"],
        "prompt_truncated": overall["prompt_truncated"],
        "per_category": per_category,
        "throughput": summary::throughput(samples),
        "provenance": {
            "run": meta,
            "started": started,
            "finished": provenance::now_rfc3339(),
        },
    });
    let path = out.join("summary.json");
    std::fs::write(&path, serde_json::to_string_pretty(&summary)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    let pct = |v: &Value| v.as_f64().unwrap_or(0.0) * 100.0;
    println!(
        "{}: {}/{} valid ({:.1}%, Wilson 95% [{:.1}, {:.1}]) -> {}",
        meta["suite"].as_str().unwrap_or("?"),
        summary["counts"]["accuracy"]["num"],
        summary["counts"]["accuracy"]["den"],
        pct(&summary["metrics"]["accuracy"]),
        pct(&summary["intervals"]["accuracy"][0]),
        pct(&summary["intervals"]["accuracy"][1]),
        path.display()
    );
    Ok(())
}
