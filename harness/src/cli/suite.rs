//! `thimble suite`: suite tooling; `thimble suite generate` writes the bundled assistant suite.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use crate::assistant::{self, GenerateOptions, Split, DEFAULT_TRAIN_SIZE};

#[derive(Debug, Args)]
pub struct SuiteArgs {
    #[command(subcommand)]
    pub command: SuiteCommand,
}

#[derive(Debug, Subcommand)]
pub enum SuiteCommand {
    /// Generate the assistant suite (train/dev/test/heldout-tools JSONL, catalogue, manifest).
    Generate(SuiteGenerateArgs),
}

#[derive(Debug, Args)]
pub struct SuiteGenerateArgs {
    /// Output directory; created if missing.
    #[arg(long)]
    pub out: PathBuf,
    /// Random seed: a non-negative integer. The committed suite uses 1.
    // Hyphen values reach the parser, so "-1" gets the seed message rather than "unknown flag".
    #[arg(long, value_parser = parse_seed_arg, allow_hyphen_values = true)]
    pub seed: u64,
    /// Comma-separated splits to write: train, dev, test, heldout-tools.
    #[arg(long, default_value = "train,dev,test,heldout-tools", value_parser = parse_splits_arg)]
    pub splits: SplitList,
    /// Number of train examples.
    #[arg(long, default_value_t = DEFAULT_TRAIN_SIZE)]
    pub train_size: usize,
}

/// The parsed `--splits` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitList(pub Vec<Split>);

fn parse_seed_arg(s: &str) -> Result<u64, String> {
    assistant::parse_seed(s).map_err(|e| e.to_string())
}

fn parse_splits_arg(s: &str) -> Result<SplitList, String> {
    assistant::parse_splits(s)
        .map(SplitList)
        .map_err(|e| e.to_string())
}

pub fn run(args: SuiteArgs) -> Result<()> {
    match args.command {
        SuiteCommand::Generate(a) => generate(a),
    }
}

fn generate(a: SuiteGenerateArgs) -> Result<()> {
    let opts = GenerateOptions {
        out: a.out,
        seed: a.seed,
        splits: a.splits.0,
        train_size: a.train_size,
    };
    let manifest = assistant::write_suite(&opts)
        .with_context(|| format!("generating the assistant suite into {}", opts.out.display()))?;
    for s in &manifest.splits {
        println!(
            "{}: {} examples -> {} (sha256 {})",
            s.split,
            s.examples,
            opts.out.join(&s.file).display(),
            s.sha256
        );
    }
    println!(
        "catalogue: {} tools ({} held out) in {} categories -> {}",
        manifest.catalogue.tools,
        manifest.catalogue.heldout_tools,
        manifest.catalogue.categories,
        opts.out.join(&manifest.catalogue.file).display()
    );
    Ok(())
}
