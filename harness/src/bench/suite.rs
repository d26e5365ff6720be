//! `thimble bench --suite S`: real requests instead of forced lengths — every example of a suite
//! through the I/O contract, once per (backend, threads), reporting per-request latency
//! percentiles and throughput over the suite, with or without constrained decoding.

use std::time::Instant;

use anyhow::{Context, Result};
use serde::Serialize;
use thimble_runtime::constrain::{Constrain, VocabIndex};
use thimble_runtime::generate::{generate_normalized_with, GenerateOptions};
use thimble_runtime::source;
use thimble_runtime::tools::normalize_tools_value;

use super::stats::Stats;
use crate::provenance::{self, Build, Host};
use crate::run::summary::percentile;
use crate::run::tools_for_model;
use crate::suite::Suite;

/// One (backend, threads) pass over a suite.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteRow {
    pub model: String,
    pub suite: String,
    pub backend: String,
    pub threads: usize,
    /// Constrained decoding mode (`off`, `names`, `schema`).
    pub constrain: String,
    pub requests: usize,
    /// End-to-end request latency (tokenize, prefill, decode, detokenize), ms.
    pub latency_ms_p50: f64,
    pub latency_ms_p90: f64,
    pub latency_ms_p99: f64,
    pub latency_ms: Stats,
    pub requests_per_s: f64,
    /// Prompt tokens per second of prefill time, over the suite.
    pub prefill_tok_s: f64,
    /// Generated tokens per second of decode time, over the suite.
    pub decode_tok_s: f64,
    /// Time to compute one token's mask, µs (constrained runs only; included in decode time).
    pub mask_us_p50: Option<f64>,
    pub mask_us_p99: Option<f64>,
    pub prompt_tokens: u64,
    pub generated_tokens: u64,
    pub host: Host,
    pub build: Build,
}

/// Runs every example of `suite` on `backend` × `threads`.
pub fn measure_suite(
    model: &str,
    tokenizer: Option<&std::path::Path>,
    suite: &Suite,
    backend: &str,
    threads: usize,
    max_tokens: Option<usize>,
    constrain: Constrain,
) -> Result<SuiteRow> {
    let b = thimble_runtime::backend_by_name(backend, threads)?;
    let loaded =
        source::load(model, b, tokenizer).with_context(|| format!("loading model `{model}`"))?;
    let tok = loaded.tokenizer.as_ref().context(
        "--suite needs a tokenizer: the model has no tokenizer.model; pass --tokenizer PATH",
    )?;
    // As in `thimble run`, one vocabulary trie serves every request and is built before timing.
    let vocab = (constrain != Constrain::Off).then(|| VocabIndex::new(tok, loaded.model.config()));
    let opts = GenerateOptions {
        max_new: max_tokens,
        constrain,
        vocab: vocab.as_ref(),
    };
    let mut mask_us = Vec::new();
    let mut latency = Vec::with_capacity(suite.examples.len());
    let (mut prompt, mut generated, mut prefill_s, mut decode_s) = (0u64, 0u64, 0f64, 0f64);
    for ex in &suite.examples {
        let tools = normalize_tools_value(tools_for_model(ex)?)
            .with_context(|| format!("example {}: tools", ex.id))?;
        let t0 = Instant::now();
        let g = generate_normalized_with(&loaded.model, tok, ex.query(), &tools, &opts)
            .with_context(|| format!("example {}", ex.id))?;
        latency.push(t0.elapsed().as_secs_f64() * 1e3);
        if let Some(c) = &g.constrain {
            mask_us.extend_from_slice(&c.mask_us);
        }
        prompt += g.prompt_tokens() as u64;
        generated += g.generated_tokens() as u64;
        prefill_s += g.greedy.prefill_ms / 1e3;
        decode_s += g.greedy.decode_ms / 1e3;
    }
    let total_s: f64 = latency.iter().sum::<f64>() / 1e3;
    let mut sorted = latency.clone();
    sorted.sort_by(f64::total_cmp);
    mask_us.sort_by(f64::total_cmp);
    let mask = |p: f64| (!mask_us.is_empty()).then(|| percentile(&mask_us, p));
    let per = |n: f64, s: f64| if s > 0.0 { n / s } else { 0.0 };
    Ok(SuiteRow {
        model: model.to_string(),
        suite: suite.name.clone(),
        backend: backend.to_string(),
        threads,
        constrain: constrain.as_str().to_string(),
        requests: latency.len(),
        latency_ms_p50: percentile(&sorted, 50.0),
        latency_ms_p90: percentile(&sorted, 90.0),
        latency_ms_p99: percentile(&sorted, 99.0),
        latency_ms: Stats::of(&latency),
        requests_per_s: per(latency.len() as f64, total_s),
        prefill_tok_s: per(prompt as f64, prefill_s),
        decode_tok_s: per(generated as f64, decode_s),
        mask_us_p50: mask(50.0),
        mask_us_p99: mask(99.0),
        prompt_tokens: prompt,
        generated_tokens: generated,
        host: provenance::host(),
        build: provenance::build(),
    })
}

/// Markdown table of suite rows.
pub fn print_md(rows: &[SuiteRow]) {
    if let Some(r) = rows.first() {
        println!(
            "host: {} ({} cores) | commit {} | model {} | suite {} ({} requests) | constrain {}\n",
            r.host.cpu_model,
            r.host.logical_cores,
            &r.build.git_commit[..r.build.git_commit.len().min(10)],
            r.model,
            r.suite,
            r.requests,
            r.constrain
        );
    }
    let us = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.1}"));
    println!("| backend | threads | latency p50 ms | p90 ms | p99 ms | requests/s | prefill tok/s | decode tok/s | mask p50 µs | mask p99 µs |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.1} | {:.0} | {:.1} | {} | {} |",
            r.backend,
            r.threads,
            r.latency_ms_p50,
            r.latency_ms_p90,
            r.latency_ms_p99,
            r.requests_per_s,
            r.prefill_tok_s,
            r.decode_tok_s,
            us(r.mask_us_p50),
            us(r.mask_us_p99)
        );
    }
}
