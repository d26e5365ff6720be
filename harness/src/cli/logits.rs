//! `thimble logits`: raw logits for given encoder and decoder token ids, as JSON.

use anyhow::{Context, Result};
use clap::Args;

use super::common::ModelArgs;

#[derive(Debug, Args)]
pub struct LogitsArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Comma-separated encoder token ids.
    #[arg(long)]
    pub encoder_ids: String,
    /// Comma-separated decoder token ids (start with 1, the EOS seed, to match generation).
    #[arg(long)]
    pub decoder_ids: String,
}

fn parse_ids(flag: &str, s: &str) -> Result<Vec<u32>> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .enumerate()
        .map(|(i, t)| {
            t.parse::<u32>()
                .with_context(|| format!("{flag}: item {i} (`{t}`) is not a token id"))
        })
        .collect()
}

pub fn run(args: LogitsArgs) -> Result<()> {
    let enc = parse_ids("--encoder-ids", &args.encoder_ids)?;
    let dec = parse_ids("--decoder-ids", &args.decoder_ids)?;
    let loaded = args.model.load()?;
    let logits = loaded.model.logits(&enc, &dec)?;
    println!("{}", serde_json::json!({ "logits": logits }));
    Ok(())
}
