//! Verdict-for-verdict agreement with the official BFCL checker: every golden output in
//! `suites/bfcl/golden/outputs-<format>.jsonl` is scored by Thimble and compared with the
//! official verdict in `verdicts-<format>.jsonl` (made by `make_verdicts.py`). Agreement is
//! printed per category and format; any disagreement not listed in `KNOWN_DISAGREEMENTS`
//! (with its reason) fails the test, and so does overall agreement below 99.5%.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use serde::Deserialize;
use thimble_harness::bfcl::category::CATEGORIES;
use thimble_harness::bfcl::load::load_category;
use thimble_harness::bfcl::{score_output, NameMapping, OutputFormat, ScoreOptions};
use thimble_harness::suite::Example;

/// Golden lines where Thimble knowingly differs from the official checker:
/// (format, 1-based line in outputs-<format>.jsonl, reason).
const KNOWN_DISAGREEMENTS: &[(&str, usize, &str)] = &[];

#[derive(Deserialize)]
struct OutputLine {
    id: String,
    output: String,
    #[serde(default)]
    underscore_to_dot: bool,
}

#[derive(Deserialize)]
struct VerdictLine {
    id: String,
    valid: bool,
    error_type: Option<String>,
}

fn suites() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../suites")
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &PathBuf) -> Vec<T> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

#[test]
fn agrees_with_official_checker() {
    let mut examples: HashMap<String, Example> = HashMap::new();
    for cat in CATEGORIES {
        let suite = load_category(&suites(), cat).unwrap_or_else(|e| panic!("{e}"));
        for ex in suite.examples {
            examples.insert(ex.id.clone(), ex);
        }
    }
    let golden = suites().join("bfcl/golden");
    let mut total = 0usize;
    let mut agreed = 0usize;
    let mut unexplained = Vec::new();
    let mut table: BTreeMap<(String, &str), (usize, usize)> = BTreeMap::new();
    for (fmt_name, format) in [
        ("prompt", OutputFormat::Prompt),
        ("json", OutputFormat::Json),
    ] {
        let outputs: Vec<OutputLine> =
            read_jsonl(&golden.join(format!("outputs-{fmt_name}.jsonl")));
        let verdicts: Vec<VerdictLine> =
            read_jsonl(&golden.join(format!("verdicts-{fmt_name}.jsonl")));
        assert_eq!(
            outputs.len(),
            verdicts.len(),
            "{fmt_name}: outputs and verdicts differ in length"
        );
        for (i, (out, want)) in outputs.iter().zip(&verdicts).enumerate() {
            assert_eq!(out.id, want.id, "{fmt_name} line {}", i + 1);
            let ex = examples
                .get(&out.id)
                .unwrap_or_else(|| panic!("{fmt_name} line {}: unknown id {}", i + 1, out.id));
            let opts = ScoreOptions {
                format,
                mapping: NameMapping {
                    underscore_to_dot: out.underscore_to_dot,
                },
            };
            let got = score_output(ex, &out.output, opts);
            let same = got.valid == want.valid && got.error_type == want.error_type;
            let cell = table.entry((ex.category.clone(), fmt_name)).or_default();
            cell.1 += 1;
            total += 1;
            if same {
                cell.0 += 1;
                agreed += 1;
            } else {
                let line = i + 1;
                let known = KNOWN_DISAGREEMENTS
                    .iter()
                    .any(|(f, l, _)| *f == fmt_name && *l == line);
                let msg = format!(
                    "{fmt_name}:{line} {} output={:?}\n    official: valid={} {:?}\n    thimble:  valid={} {:?} ({})",
                    out.id,
                    out.output,
                    want.valid,
                    want.error_type,
                    got.valid,
                    got.error_type,
                    got.error.as_deref().unwrap_or("")
                );
                println!("DISAGREE {msg}");
                if !known {
                    unexplained.push(msg);
                }
            }
        }
    }
    println!("{:<24} {:>6} {:>16}", "category", "format", "agreement");
    for ((cat, fmt), (ok, n)) in &table {
        println!(
            "{cat:<24} {fmt:>6} {ok:>7}/{n:<7} {:>6.2}%",
            100.0 * *ok as f64 / *n as f64
        );
    }
    let rate = 100.0 * agreed as f64 / total as f64;
    println!("overall: {agreed}/{total} = {rate:.3}%");
    assert!(rate >= 99.5, "agreement {rate:.3}% is below 99.5%");
    assert!(
        unexplained.is_empty(),
        "{} disagreements not in KNOWN_DISAGREEMENTS:\n{}",
        unexplained.len(),
        unexplained
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
