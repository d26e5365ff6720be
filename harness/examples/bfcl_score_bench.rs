//! Scores the ground-truth rendering of all 3,641 BFCL single-turn entries in both output
//! formats and prints the time taken (loading and rendering excluded).
//!
//! `cargo run --release -p thimble-harness --example bfcl_score_bench [-- <suites dir>]`

use std::path::PathBuf;
use std::time::Instant;

use thimble_harness::bfcl::category::CATEGORIES;
use thimble_harness::bfcl::load::load_category;
use thimble_harness::bfcl::render::render_ground_truth;
use thimble_harness::bfcl::{score_output, NameMapping, OutputFormat, ScoreOptions};
use thimble_harness::resolve::suites_dir;

fn main() -> anyhow::Result<()> {
    let suites = std::env::args()
        .nth(1)
        .map_or_else(suites_dir, PathBuf::from);
    let t0 = Instant::now();
    let mut examples = Vec::new();
    for cat in CATEGORIES {
        examples.extend(load_category(&suites, cat)?.examples);
    }
    let load_s = t0.elapsed().as_secs_f64();
    for format in [OutputFormat::Prompt, OutputFormat::Json] {
        let outputs: Vec<String> = examples
            .iter()
            .map(|e| render_ground_truth(e, format))
            .collect();
        let opts = ScoreOptions {
            format,
            mapping: NameMapping::default(),
        };
        let t = Instant::now();
        let valid = examples
            .iter()
            .zip(&outputs)
            .filter(|(e, o)| score_output(e, o, opts).valid)
            .count();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{format:?}: scored {} entries in {:.3} s ({:.1} µs/entry), {valid} valid",
            examples.len(),
            secs,
            1e6 * secs / examples.len() as f64
        );
    }
    println!("loading 13 categories took {load_s:.3} s");
    Ok(())
}
