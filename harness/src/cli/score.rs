//! `thimble score`: scores a file of model outputs against a BFCL category with the
//! re-implemented official checker, writing one verdict per input line and printing accuracy.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use serde::Serialize;
use serde_json::Value;

use crate::bfcl::load::load_suite;
use crate::bfcl::{score_output, NameMapping, OutputFormat, ScoreOptions};
use crate::suite::Example;

#[derive(Debug, Clone, Args)]
pub struct ScoreArgs {
    /// Suite address, `bfcl:<category>` (resolved under $THIMBLE_SUITES, else ./suites).
    #[arg(long)]
    pub suite: String,
    /// The format the model answered in: `prompt` (BFCL's Python call list) or `json`
    /// (`[{"name","arguments"}]`).
    #[arg(long, value_enum)]
    pub format: OutputFormat,
    /// Expected tool names have `.` replaced by `_` before matching (for models whose tool
    /// names cannot contain dots).
    #[arg(long)]
    pub underscore_to_dot: bool,
    /// JSON Lines of `{"id", "output"}` (or BFCL result files' `{"id", "result"}`); ids may
    /// repeat.
    #[arg(long)]
    pub outputs: PathBuf,
    /// Where to write the verdicts, `{"id", "valid", "error_type"}` per input line.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Serialize)]
struct VerdictLine<'a> {
    id: &'a str,
    valid: bool,
    error_type: Option<&'a str>,
}

/// One output line: its id and the model's text.
fn parse_output_line(
    path: &std::path::Path,
    line_no: usize,
    line: &str,
) -> Result<(String, String)> {
    let v: Value = serde_json::from_str(line)
        .with_context(|| format!("{}:{line_no}: malformed JSON line", path.display()))?;
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{}:{line_no}: missing string field \"id\"", path.display()))?;
    let text = match v.get("output").or_else(|| v.get("result")) {
        Some(Value::String(s)) => s.clone(),
        // Non-string results (some BFCL handlers store parsed calls) are scored as JSON text.
        Some(other) => other.to_string(),
        None => bail!(
            "{}:{line_no}: missing field \"output\" (or \"result\")",
            path.display()
        ),
    };
    Ok((id.to_string(), text))
}

pub fn run(args: ScoreArgs) -> Result<()> {
    let suite = load_suite(&args.suite)?;
    let examples: HashMap<&str, &Example> =
        suite.examples.iter().map(|e| (e.id.as_str(), e)).collect();
    let text = std::fs::read_to_string(&args.outputs)
        .with_context(|| format!("cannot read {}", args.outputs.display()))?;
    let opts = ScoreOptions {
        format: args.format,
        mapping: NameMapping {
            underscore_to_dot: args.underscore_to_dot,
        },
    };
    let mut writer = match &args.out {
        Some(p) => Some(BufWriter::new(
            File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => None,
    };
    let mut total = 0usize;
    let mut correct = 0usize;
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let line_no = idx + 1;
        let (id, output) = parse_output_line(&args.outputs, line_no, line)?;
        let example = examples.get(id.as_str()).ok_or_else(|| {
            anyhow!(
                "{}:{line_no}: id '{id}' is not in suite {}",
                args.outputs.display(),
                suite.name
            )
        })?;
        let verdict = score_output(example, &output, opts);
        total += 1;
        if verdict.valid {
            correct += 1;
        } else if let Some(t) = &verdict.error_type {
            *errors.entry(t.clone()).or_default() += 1;
        }
        if let Some(w) = writer.as_mut() {
            let line = VerdictLine {
                id: &id,
                valid: verdict.valid,
                error_type: verdict.error_type.as_deref(),
            };
            serde_json::to_writer(&mut *w, &line)?;
            w.write_all(b"\n")?;
        }
    }
    if let Some(mut w) = writer {
        w.flush()?;
    }
    let pct = if total == 0 {
        0.0
    } else {
        100.0 * correct as f64 / total as f64
    };
    let format = match args.format {
        OutputFormat::Prompt => "prompt",
        OutputFormat::Json => "json",
    };
    println!(
        "{} ({format}): {correct}/{total} correct = {pct:.2}%",
        suite.name
    );
    for (error_type, n) in &errors {
        println!("  {n:>6}  {error_type}");
    }
    Ok(())
}
