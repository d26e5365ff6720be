//! `thimble generate`: one request through the I/O contract, printing calls and timings.

use anyhow::{Context, Result};
use clap::Args;
use thimble_runtime::constrain::Constrain;
use thimble_runtime::generate::{generate_with, GenerateOptions};

use super::common::ModelArgs;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// The user's request.
    #[arg(long)]
    pub query: String,
    /// Tools as a JSON array (Needle 1 flat or JSON Schema parameters).
    #[arg(long)]
    pub tools: String,
    /// Stop after this many generated tokens (default: the model's maximum).
    #[arg(long)]
    pub max_tokens: Option<usize>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Constrained decoding: off (plain greedy), names (call shape, tool names and argument
    /// keys), schema (every value checked against its parameter's schema).
    #[arg(long, default_value = "off")]
    pub constrain: Constrain,
    /// Report the per-token mask cost (median, p99, max; every step with --json).
    #[arg(long)]
    pub mask_timing: bool,
}

/// Nearest-rank percentile of unsorted data.
fn pct(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    crate::run::summary::percentile(&s, p)
}

pub fn run(args: GenerateArgs) -> Result<()> {
    let loaded = args.model.load()?;
    let tok = loaded
        .tokenizer
        .as_ref()
        .context("this model has no tokenizer.model; pass --tokenizer PATH")?;
    let opts = GenerateOptions {
        max_new: args.max_tokens,
        constrain: args.constrain,
        vocab: None,
    };
    let g = generate_with(&loaded.model, tok, &args.query, &args.tools, &opts)?;
    let mask_us = g.constrain.as_ref().map_or(&[][..], |c| &c.mask_us[..]);
    let decode_tok_s = if g.greedy.decode_ms > 0.0 {
        g.generated_tokens() as f64 / (g.greedy.decode_ms / 1e3)
    } else {
        0.0
    };
    if args.json {
        let calls = match &g.calls {
            Ok(c) => serde_json::json!(c),
            Err(_) => serde_json::Value::Null,
        };
        println!(
            "{}",
            serde_json::json!({
                "raw_text": g.raw_text,
                "calls": calls,
                "parse_error": g.calls.as_ref().err(),
                "prompt_tokens": g.prompt_tokens(),
                "prompt_truncated": g.prompt.truncated,
                "generated_tokens": g.generated_tokens(),
                "prefill_ms": g.greedy.prefill_ms,
                "decode_ms": g.greedy.decode_ms,
                "backend": loaded.model.backend().name(),
                "threads": loaded.model.backend().threads(),
                "constrain": args.constrain.as_str(),
                "constrain_complete": g.constrain.as_ref().map(|c| c.complete),
                "constrain_warnings": g.constrain.as_ref().map(|c| {
                    c.warnings.iter().map(ToString::to_string).collect::<Vec<_>>()
                }),
                "mask_us": args.mask_timing.then_some(mask_us),
            })
        );
        return Ok(());
    }
    if let Some(c) = &g.constrain {
        for w in &c.warnings {
            eprintln!("constrain: {w}");
        }
        if !c.complete {
            eprintln!(
                "constrain: the call list was not finished within {} tokens; the output is incomplete",
                g.generated_tokens()
            );
        }
        if args.mask_timing && !mask_us.is_empty() {
            eprintln!(
                "mask per token: median {:.1} us, p99 {:.1} us, max {:.1} us over {} steps",
                pct(mask_us, 50.0),
                pct(mask_us, 99.0),
                pct(mask_us, 100.0),
                mask_us.len()
            );
        }
    }
    match &g.calls {
        Ok(calls) => {
            for c in calls {
                println!("{c}");
            }
            if calls.is_empty() {
                println!("(no call)");
            }
        }
        Err(e) => println!("(unparseable output: {e})\nraw: {}", g.raw_text),
    }
    eprintln!(
        "prompt {} tokens{} | prefill {:.2} ms | {} tokens generated in {:.2} ms ({:.0} tok/s) | backend {} x{} | constrain {}",
        g.prompt_tokens(),
        if g.prompt.truncated { " (truncated)" } else { "" },
        g.greedy.prefill_ms,
        g.generated_tokens(),
        g.greedy.decode_ms,
        decode_tok_s,
        loaded.model.backend().name(),
        loaded.model.backend().threads(),
        args.constrain,
    );
    Ok(())
}
