//! `thimble bench`: throughput in the manner of llama-bench — after a warm-up, R repetitions of
//! a P-token encoder prefill and a D-token forced decode, one row per (backend, threads) with
//! the host, build and settings in it.
//!
//! Prefill is the encoder plus the cross-attention K/V of every decoder layer (what a request
//! pays before its first decoder step). Decode feeds the argmax back for exactly D steps, never
//! stopping at EOS, so random weights measure the same work as trained ones.

pub mod roofline;
pub mod stats;
pub mod suite;

use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde::Serialize;
use thimble_runtime::constrain::Constrain;
use thimble_runtime::model::argmax;
use thimble_runtime::roofline::Roofline;
use thimble_runtime::source;

use crate::provenance::{self, Build, Host};
use roofline::RowRoof;
use stats::Stats;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Md,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Model directory or synthetic:<preset> (random weights measure the same work).
    #[arg(long, default_value = "synthetic:needle1-26m")]
    pub model: String,
    /// Backends, comma-separated.
    #[arg(long, default_value = "gemm", value_delimiter = ',')]
    pub backend: Vec<String>,
    /// Thread counts, comma-separated.
    #[arg(long, default_value = "1,2", value_delimiter = ',')]
    pub threads: Vec<usize>,
    /// Encoder tokens per prefill.
    #[arg(long, default_value_t = 256)]
    pub prefill: usize,
    /// Decoder tokens per decode (forced).
    #[arg(long, default_value_t = 64)]
    pub decode: usize,
    /// Timed repetitions (after one warm-up).
    #[arg(long, default_value_t = 5)]
    pub reps: usize,
    #[arg(long, value_enum, default_value = "md")]
    pub format: Format,
    /// Measure the machine's FMA peak and read bandwidths first (~1 s per thread count), print
    /// them, and report each row's percentage of its roofline bound.
    #[arg(long)]
    pub roofline: bool,
    /// Measure real requests instead: every example of this suite (bfcl:<category>,
    /// <name>:<split> or a JSONL file), latency p50/p90/p99 and throughput.
    #[arg(long)]
    pub suite: Option<String>,
    /// With --suite: only the first N examples.
    #[arg(long)]
    pub limit: Option<usize>,
    /// With --suite: stop each request after this many generated tokens.
    #[arg(long)]
    pub max_tokens: Option<usize>,
    /// With --suite: the SentencePiece model for a model without tokenizer.model.
    #[arg(long)]
    pub tokenizer: Option<std::path::PathBuf>,
    /// With --suite: constrained decoding, as `thimble run --constrain` (off, names, schema);
    /// the rows then include the per-token mask time.
    #[arg(long, default_value = "off")]
    pub constrain: Constrain,
}

/// One measured configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub model: String,
    /// Parameters the forward pass uses.
    pub parameters: usize,
    /// Bytes of the weights file on disk (`None` for synthetic models, which have none).
    pub weight_bytes: Option<u64>,
    pub backend: String,
    pub threads: usize,
    pub prefill_tokens: usize,
    pub decode_tokens: usize,
    pub reps: usize,
    /// Median prefill tokens/s.
    pub prefill_tok_s: f64,
    /// Median decode tokens/s.
    pub decode_tok_s: f64,
    pub prefill: Stats,
    pub decode: Stats,
    /// Time to first token, ms (prefill plus the first decoder step).
    pub ttft_ms: Stats,
    /// Peak resident set of the process so far, MiB.
    pub peak_rss_mib: f64,
    /// Prefill tok/s as a percentage of the compute roof (with `--roofline`).
    pub roofline_pct_prefill: Option<f64>,
    /// Decode tok/s as a percentage of the weight-streaming bandwidth roof (with `--roofline`).
    pub roofline_pct_decode: Option<f64>,
    /// The measured limits and per-token work behind the percentages.
    pub roofline: Option<RowRoof>,
    pub host: Host,
    pub build: Build,
}

/// Peak resident set size of this process (VmHWM), MiB.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Total size of the `.safetensors` files among `files`; `None` when there are none.
fn weight_file_bytes(files: &[std::path::PathBuf]) -> Result<Option<u64>> {
    let mut total = None;
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "safetensors"))
    {
        let n = std::fs::metadata(f)
            .with_context(|| format!("reading the size of {}", f.display()))?
            .len();
        total = Some(total.unwrap_or(0) + n);
    }
    Ok(total)
}

/// Deterministic encoder ids spread over the vocabulary, avoiding the special ids.
fn prompt_ids(n: usize, vocab: usize) -> Vec<u32> {
    let span = vocab.saturating_sub(6).max(1) as u64;
    (0..n as u64)
        .map(|i| (6 + (i.wrapping_mul(2_654_435_761) % span)) as u32)
        .collect()
}

fn measure(
    args: &BenchArgs,
    backend: &str,
    threads: usize,
    limits: Option<Roofline>,
) -> Result<Row> {
    let b = thimble_runtime::backend_by_name(backend, threads)?;
    let loaded = source::load(&args.model, b, None)
        .with_context(|| format!("loading model `{}`", args.model))?;
    let m = &loaded.model;
    let cfg = m.config();
    if args.prefill > cfg.max_encoder_tokens {
        bail!(
            "--prefill {} exceeds the model's context of {} encoder tokens",
            args.prefill,
            cfg.max_encoder_tokens
        );
    }
    if args.decode > cfg.max_decoder_tokens {
        bail!(
            "--decode {} exceeds the model's {} decoder positions",
            args.decode,
            cfg.max_decoder_tokens
        );
    }
    let ids = prompt_ids(args.prefill, cfg.vocab_size);
    let (mut pre, mut dec, mut ttft) = (Vec::new(), Vec::new(), Vec::new());
    for rep in 0..=args.reps {
        let t0 = Instant::now();
        let enc = m.encode(&ids)?;
        let mut st = m.start_decoder(&enc);
        let prefill_s = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let mut next = cfg.eos_id;
        let mut first = 0.0;
        for step in 0..args.decode {
            let logits = m.decode(&mut st, &[next], false)?;
            next = argmax(&logits);
            if step == 0 {
                first = t0.elapsed().as_secs_f64();
            }
        }
        let decode_s = t1.elapsed().as_secs_f64();
        if rep > 0 {
            pre.push(args.prefill as f64 / prefill_s);
            dec.push(args.decode as f64 / decode_s);
            ttft.push(first * 1e3);
        }
    }
    let prefill = Stats::of(&pre);
    let decode = Stats::of(&dec);
    let roof = limits.map(|l| RowRoof::new(l, cfg, args.prefill, backend));
    let weight_bytes = weight_file_bytes(&loaded.info.files)?;
    Ok(Row {
        model: args.model.clone(),
        parameters: loaded.info.parameters,
        weight_bytes,
        backend: backend.to_string(),
        threads,
        prefill_tokens: args.prefill,
        decode_tokens: args.decode,
        reps: args.reps,
        prefill_tok_s: prefill.median,
        decode_tok_s: decode.median,
        prefill,
        decode,
        ttft_ms: Stats::of(&ttft),
        peak_rss_mib: peak_rss_mib(),
        roofline_pct_prefill: roof.as_ref().map(|r| r.pct_prefill(prefill.median)),
        roofline_pct_decode: roof.as_ref().map(|r| r.pct_decode(decode.median)),
        roofline: roof,
        host: provenance::host(),
        build: provenance::build(),
    })
}

pub fn run(args: BenchArgs) -> Result<()> {
    if args.prefill == 0 || args.decode == 0 || args.reps == 0 {
        bail!("--prefill, --decode and --reps must all be at least 1");
    }
    if args.threads.contains(&0) {
        bail!("--threads values must be at least 1");
    }
    if let Some(addr) = &args.suite {
        return run_suite(&args, addr);
    }
    if args.constrain != Constrain::Off {
        bail!("--constrain applies to real requests only: add --suite S (forced-length rows decode no calls)");
    }
    let limits: Vec<Roofline> = if args.roofline {
        let all: Vec<Roofline> = args.threads.iter().map(|&t| Roofline::measure(t)).collect();
        if args.format == Format::Md {
            roofline::print_limits(&all);
        }
        // The 256 MiB bandwidth buffer is freed; reset the peak-RSS mark so the rows report the
        // model's own footprint (best effort: Linux >= 4.0).
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        all
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    for b in &args.backend {
        for &t in &args.threads {
            let lim = limits.iter().find(|l| l.threads == t).copied();
            let row = measure(&args, b, t, lim)?;
            if args.format == Format::Md && rows.is_empty() {
                print_md_header(&row);
            }
            if args.format == Format::Md {
                print_md_row(&row);
            }
            rows.push(row);
        }
    }
    match args.format {
        Format::Md => {}
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record([
                "model",
                "backend",
                "threads",
                "prefill_tokens",
                "decode_tokens",
                "reps",
                "prefill_tok_s",
                "prefill_mean",
                "prefill_std",
                "prefill_min",
                "prefill_max",
                "decode_tok_s",
                "decode_mean",
                "decode_std",
                "decode_min",
                "decode_max",
                "ttft_ms",
                "peak_rss_mib",
                "roofline_pct_prefill",
                "roofline_pct_decode",
                "roof_peak_gflops",
                "roof_decode_gbs",
                "roof_decode_level",
                "cpu",
                "cores",
                "flags",
                "commit",
            ])?;
            for r in &rows {
                w.write_record([
                    r.model.clone(),
                    r.backend.clone(),
                    r.threads.to_string(),
                    r.prefill_tokens.to_string(),
                    r.decode_tokens.to_string(),
                    r.reps.to_string(),
                    format!("{:.1}", r.prefill.median),
                    format!("{:.1}", r.prefill.mean),
                    format!("{:.1}", r.prefill.std),
                    format!("{:.1}", r.prefill.min),
                    format!("{:.1}", r.prefill.max),
                    format!("{:.1}", r.decode.median),
                    format!("{:.1}", r.decode.mean),
                    format!("{:.1}", r.decode.std),
                    format!("{:.1}", r.decode.min),
                    format!("{:.1}", r.decode.max),
                    format!("{:.2}", r.ttft_ms.median),
                    format!("{:.1}", r.peak_rss_mib),
                    opt(r.roofline_pct_prefill),
                    opt(r.roofline_pct_decode),
                    opt(r.roofline.as_ref().map(|x| x.limits.peak_gflops())),
                    opt(r.roofline.as_ref().map(|x| x.decode_gbs())),
                    r.roofline
                        .as_ref()
                        .map_or(String::new(), |x| x.decode_level.to_string()),
                    r.host.cpu_model.clone(),
                    r.host.logical_cores.to_string(),
                    r.host.cpu_flags.join(" "),
                    r.build.git_commit.clone(),
                ])?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

fn print_md_header(r: &Row) {
    println!(
        "host: {} ({} cores; {}) | commit {}{} | {} build | model {}",
        r.host.cpu_model,
        r.host.logical_cores,
        r.host.cpu_flags.join(" "),
        &r.build.git_commit[..r.build.git_commit.len().min(10)],
        if r.build.git_dirty { "+dirty" } else { "" },
        r.build.profile,
        r.model
    );
    println!();
    println!("| backend | threads | prefill tok/s (median ± std) | decode tok/s (median ± std) | TTFT ms | P | D | reps | peak RSS MiB | % roof prefill | % roof decode |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
}

fn print_md_row(r: &Row) {
    println!(
        "| {} | {} | {:.0} ± {:.0} | {:.1} ± {:.1} | {:.2} | {} | {} | {} | {:.0} | {} | {} |",
        r.backend,
        r.threads,
        r.prefill.median,
        r.prefill.std,
        r.decode.median,
        r.decode.std,
        r.ttft_ms.median,
        r.prefill_tokens,
        r.decode_tokens,
        r.reps,
        r.peak_rss_mib,
        pct(r.roofline_pct_prefill),
        pct(r.roofline_pct_decode),
    );
}

/// A CSV cell: the value to one decimal, empty when absent.
fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| format!("{v:.1}"))
}

/// A markdown percentage cell, `–` when the roofline was not measured.
fn pct(v: Option<f64>) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.0}%"))
}

fn run_suite(args: &BenchArgs, addr: &str) -> Result<()> {
    let mut suite = crate::resolve::load_suite(addr)?;
    if let Some(n) = args.limit {
        suite.examples.truncate(n);
    }
    if suite.examples.is_empty() {
        bail!("suite `{addr}` has no examples to measure");
    }
    let mut rows = Vec::new();
    for b in &args.backend {
        for &t in &args.threads {
            rows.push(suite::measure_suite(
                &args.model,
                args.tokenizer.as_deref(),
                &suite,
                b,
                t,
                args.max_tokens,
                args.constrain,
            )?);
        }
    }
    match args.format {
        Format::Md => suite::print_md(&rows),
        Format::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        Format::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            for r in &rows {
                w.serialize(SuiteCsv {
                    model: &r.model,
                    suite: &r.suite,
                    backend: &r.backend,
                    threads: r.threads,
                    constrain: &r.constrain,
                    requests: r.requests,
                    latency_ms_p50: r.latency_ms_p50,
                    latency_ms_p90: r.latency_ms_p90,
                    latency_ms_p99: r.latency_ms_p99,
                    requests_per_s: r.requests_per_s,
                    prefill_tok_s: r.prefill_tok_s,
                    decode_tok_s: r.decode_tok_s,
                    mask_us_p50: r.mask_us_p50,
                    mask_us_p99: r.mask_us_p99,
                    cpu: &r.host.cpu_model,
                    commit: &r.build.git_commit,
                })?;
            }
            w.flush()?;
        }
    }
    Ok(())
}

/// The flat CSV form of a suite row.
#[derive(Serialize)]
struct SuiteCsv<'a> {
    model: &'a str,
    suite: &'a str,
    backend: &'a str,
    threads: usize,
    constrain: &'a str,
    requests: usize,
    latency_ms_p50: f64,
    latency_ms_p90: f64,
    latency_ms_p99: f64,
    requests_per_s: f64,
    prefill_tok_s: f64,
    decode_tok_s: f64,
    mask_us_p50: Option<f64>,
    mask_us_p99: Option<f64>,
    cpu: &'a str,
    commit: &'a str,
}
