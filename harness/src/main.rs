//! The `thimble` command line: a thin clap dispatcher over `thimble_harness::cli`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use thimble_harness::cli;

#[derive(Parser)]
#[command(
    name = "thimble",
    version,
    about = "Benchmarks and conformance for tiny tool-calling models"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List kernel backends and whether each runs on this machine.
    Backends,
    /// Print logits for given encoder and decoder token ids.
    Logits(cli::logits::LogitsArgs),
    /// Run one request (query + tools) and print the calls and timings.
    Generate(cli::generate::GenerateArgs),
    /// Run a model over a suite, writing samples.jsonl and summary.json.
    Run(thimble_harness::run::RunArgs),
    /// Throughput benchmark: prefill and decode tokens/s per backend and thread count.
    Bench(thimble_harness::bench::BenchArgs),
    /// Score model outputs against a BFCL category with the official checker's rules.
    Score(cli::score::ScoreArgs),
    /// Suite tooling (generate the bundled assistant suite).
    Suite(cli::suite::SuiteArgs),
    /// Compare results with a baseline; exit 1 on a regression, 2 on unusable input.
    Gate(thimble_harness::gate::GateArgs),
    /// Join the result directories of `thimble run --shard K/N` into one run directory.
    Merge(thimble_harness::merge::MergeArgs),
    /// Charts and tables (HTML, Markdown, SVG, PNG) from run directories and bench files.
    Report(thimble_harness::report::ReportArgs),
    /// Fuzz a model with generated tool schemas and queries in each constrain mode; exit 1 on
    /// a crash or broken guarantee, 2 on unusable input.
    Fuzz(thimble_harness::fuzz::FuzzArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Backends => cli::backends::run(),
        Command::Logits(a) => cli::logits::run(a),
        Command::Generate(a) => cli::generate::run(a),
        Command::Run(a) => thimble_harness::run::run(a),
        Command::Bench(a) => thimble_harness::bench::run(a),
        Command::Suite(a) => cli::suite::run(a),
        Command::Score(a) => cli::score::run(a),
        Command::Merge(a) => thimble_harness::merge::run(a),
        Command::Report(a) => thimble_harness::report::run(a),
        // The gate's exit status distinguishes a regression (1) from bad input (2).
        Command::Gate(a) => return thimble_harness::gate::exit_code(thimble_harness::gate::run(a)),
        Command::Fuzz(a) => return thimble_harness::fuzz::exit_code(thimble_harness::fuzz::run(a)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
