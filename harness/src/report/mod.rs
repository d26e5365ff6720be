//! `thimble report`: publishable charts and tables from results already on disk, as SVG and PNG
//! tied together by `index.html` and `report.md`. This file owns the command line, loading the
//! inputs and the order of the sections; each chart lives in its own module:
//!
//! - [`compare`]: models side by side (accuracy per suite on shared examples, size, speed);
//! - [`accuracy`]: accuracy per suite and category per run (bars, Wilson 95% intervals);
//! - [`throughput`]: tokens/s per backend and thread count from bench files (prefill, decode);
//! - [`latency`]: per-request latency CDF per suite;
//! - [`scaling`]: prefill time against prompt length with the fitted exponent;
//! - [`params`]: accuracy against parameter count;
//! - [`quant`]: accuracy change against speed-up of quantized backends over f32.
//!
//! PNG text is drawn from a DejaVu Sans copy compiled into the binary (reports/fonts, with its
//! licence), so charts look the same on every machine and need no system font lookup.

mod accuracy;
mod bars;
mod compare;
mod doc;
mod fit;
mod latency;
mod params;
mod quant;
mod runs;
mod scaling;
mod throughput;
mod xy;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{anyhow, Context, Result};
use clap::Args;
use plotters::style::{FontStyle, RGBColor};

use crate::gate::{load_input, BenchRow, Input};
use runs::RunInfo;
use throughput::BenchEntry;

static FONT: &[u8] = include_bytes!("../../../reports/fonts/DejaVuSans.ttf");

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Run directories and `thimble bench --format json` files, in the order to show them.
    #[arg(long, required = true, num_args = 1..)]
    pub results: Vec<PathBuf>,
    /// Output directory (index.html, report.md, *.svg, *.png).
    #[arg(long)]
    pub out: PathBuf,
}

const COLOR_COUNT: usize = 10;

/// Tableau 10: distinct in colour and in greyscale print.
const COLORS: [RGBColor; COLOR_COUNT] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn color(i: usize) -> RGBColor {
    COLORS[i % COLORS.len()]
}

fn plot_err<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> anyhow::Error + '_ {
    move |e| anyhow!("drawing {what}: {e}")
}

/// File-name-safe form of a suite name (`bfcl:simple` → `bfcl-simple`).
fn slug(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

fn pct(x: f64) -> String {
    format!("{:.1}", x * 100.0)
}

/// Runs grouped by suite (suites sorted, runs in the order given).
fn by_suite(runs: &[RunInfo]) -> BTreeMap<&str, Vec<&RunInfo>> {
    let mut m: BTreeMap<&str, Vec<&RunInfo>> = BTreeMap::new();
    for r in runs {
        m.entry(r.suite.as_str()).or_default().push(r);
    }
    m
}

pub fn run(args: ReportArgs) -> Result<()> {
    // Registering twice (a second report in one process) only replaces the same font.
    plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
        .map_err(|_| anyhow!("the bundled DejaVu Sans font did not load"))?;
    let mut runs = Vec::new();
    let mut benches = Vec::new();
    for p in &args.results {
        match load_input(p)? {
            Input::Run(r) => runs.push(runs::load(r)?),
            Input::Bench { path, rows } => benches.push(BenchEntry {
                // The model and lengths say what was measured; the file name only where
                // the rows do not say (older bench files).
                label: match rows.first() {
                    Some(BenchRow {
                        model: Some(m),
                        prefill_tokens: Some(p),
                        decode_tokens: Some(d),
                        ..
                    }) => format!("{m} (P={p}, D={d})"),
                    _ => path.display().to_string(),
                },
                rows,
            }),
        }
    }
    runs::disambiguate(&mut runs);
    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut doc = doc::Doc::new("Thimble report");
    // The comparison and charts across suites first, then those drawn once per suite.
    compare::section(&mut doc, &runs, &benches)?;
    params::section(&mut doc, out, &runs)?;
    quant::section(&mut doc, out, &runs)?;
    throughput::section(&mut doc, out, &benches)?;
    accuracy::section(&mut doc, out, &runs)?;
    latency::section(&mut doc, out, &runs)?;
    scaling::section(&mut doc, out, &runs)?;
    doc.write(out)?;
    println!("report -> {}", out.join("index.html").display());
    Ok(())
}
