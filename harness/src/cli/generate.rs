//! `thimble generate`: one request through the I/O contract, printing calls and timings.

use anyhow::{Context, Result};
use clap::Args;
use thimble_runtime::generate::generate;

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
}

pub fn run(args: GenerateArgs) -> Result<()> {
    let loaded = args.model.load()?;
    let tok = loaded
        .tokenizer
        .as_ref()
        .context("this model has no tokenizer.model; pass --tokenizer PATH")?;
    let g = generate(
        &loaded.model,
        tok,
        &args.query,
        &args.tools,
        args.max_tokens,
    )?;
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
            })
        );
        return Ok(());
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
        "prompt {} tokens{} | prefill {:.2} ms | {} tokens generated in {:.2} ms ({:.0} tok/s) | backend {} x{}",
        g.prompt_tokens(),
        if g.prompt.truncated { " (truncated)" } else { "" },
        g.greedy.prefill_ms,
        g.generated_tokens(),
        g.greedy.decode_ms,
        decode_tok_s,
        loaded.model.backend().name(),
        loaded.model.backend().threads(),
    );
    Ok(())
}
