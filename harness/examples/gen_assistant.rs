//! Runs `thimble suite generate` without the main binary, e.g.
//! `cargo run -p thimble-harness --example gen_assistant -- generate --out suites/assistant --seed 1 --splits dev,test,heldout-tools`.

use clap::Parser;
use thimble_harness::cli::suite::{run, SuiteArgs};

#[derive(Parser)]
#[command(name = "gen_assistant")]
struct Cli {
    #[command(flatten)]
    suite: SuiteArgs,
}

fn main() -> std::process::ExitCode {
    match run(Cli::parse().suite) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
