//! The robustness table of `thimble run --transform`: each transformed run against the plain
//! one, verdicts paired by example id — accuracy with its Wilson interval, the change in
//! points, how many examples flipped each way, and the exact McNemar p-value of the flips.
//! Written as `transforms.json` and `transforms.md` next to the plain run's summary.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use super::samples::Sample;
use crate::stats::{mcnemar_exact, wilson};
use crate::transform::Transform;

/// One transform's row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub transform: String,
    /// Examples present in both runs.
    pub paired: u64,
    pub plain_valid: u64,
    pub valid: u64,
    pub accuracy: f64,
    pub wilson95: (f64, f64),
    /// Accuracy minus the plain run's, in points, over the paired examples.
    pub delta_points: f64,
    /// Right in the plain run, wrong after the transform.
    pub lost: u64,
    /// Wrong in the plain run, right after the transform.
    pub gained: u64,
    pub mcnemar_p: f64,
    /// Directory of the transformed run, relative to the plain run's.
    pub dir: String,
}

/// The directory name of a transform's run (no `:`, which some filesystems refuse).
pub fn dir_name(t: &Transform) -> String {
    t.to_string().replace(':', "-")
}

pub fn compare(t: &Transform, plain: &[Sample], changed: &[Sample]) -> Row {
    let before: HashMap<&str, bool> = plain.iter().map(|s| (s.id.as_str(), s.valid)).collect();
    let (mut paired, mut plain_valid, mut valid, mut lost, mut gained) = (0, 0, 0, 0, 0);
    for s in changed {
        let Some(&was) = before.get(s.id.as_str()) else {
            continue;
        };
        paired += 1;
        plain_valid += u64::from(was);
        valid += u64::from(s.valid);
        match (was, s.valid) {
            (true, false) => lost += 1,
            (false, true) => gained += 1,
            _ => {}
        }
    }
    let frac = |n: u64| {
        if paired == 0 {
            0.0
        } else {
            n as f64 / paired as f64
        }
    };
    Row {
        transform: t.to_string(),
        paired,
        plain_valid,
        valid,
        accuracy: frac(valid),
        wilson95: wilson(valid, paired),
        delta_points: 100.0 * (frac(valid) - frac(plain_valid)),
        lost,
        gained,
        mcnemar_p: mcnemar_exact(lost, gained),
        dir: format!("transforms/{}", dir_name(t)),
    }
}

pub fn markdown(suite: &str, seed: u64, plain: &[Sample], rows: &[Row]) -> String {
    let n = plain.len() as u64;
    let ok = plain.iter().filter(|s| s.valid).count() as u64;
    let (lo, hi) = wilson(ok, n);
    let pct = |x: f64| 100.0 * x;
    let mut md = format!(
        "## Robustness on {suite} (transform seed {seed})\n\n\
         | transform | n | accuracy [Wilson 95%] | change | lost | gained | McNemar p |\n\
         |---|---:|---|---:|---:|---:|---:|\n\
         | (none) | {n} | {:.1}% [{:.1}, {:.1}] | – | – | – | – |\n",
        pct(if n == 0 { 0.0 } else { ok as f64 / n as f64 }),
        pct(lo),
        pct(hi)
    );
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {:.1}% [{:.1}, {:.1}] | {:+.1} pt | {} | {} | {:.4} |",
            r.transform,
            r.paired,
            pct(r.accuracy),
            pct(r.wilson95.0),
            pct(r.wilson95.1),
            r.delta_points,
            r.lost,
            r.gained,
            r.mcnemar_p
        );
    }
    md
}

/// Writes `transforms.json` and `transforms.md` into `out` and prints the table.
pub fn write(out: &Path, suite: &str, seed: u64, plain: &[Sample], rows: &[Row]) -> Result<()> {
    let json = serde_json::json!({ "suite": suite, "transform_seed": seed, "rows": rows });
    let path = out.join("transforms.json");
    std::fs::write(&path, serde_json::to_string_pretty(&json)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    let md = markdown(suite, seed, plain, rows);
    let path = out.join("transforms.md");
    std::fs::write(&path, &md).with_context(|| format!("writing {}", path.display()))?;
    print!("{md}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str, valid: bool) -> Sample {
        Sample {
            id: id.into(),
            category: "c".into(),
            valid,
            output: String::new(),
            calls: None,
            error_type: None,
            error: None,
            prompt_tokens: 1,
            generated_tokens: 1,
            prefill_ms: 0.0,
            decode_ms: 0.0,
            prompt_truncated: false,
        }
    }

    #[test]
    fn pairs_by_id_and_counts_flips() {
        let plain = [
            sample("a", true),
            sample("b", true),
            sample("c", false),
            sample("d", true),
        ];
        // Different order, one id missing from the transformed run.
        let changed = [sample("c", true), sample("a", false), sample("b", false)];
        let r = compare(&Transform::Noise, &plain, &changed);
        assert_eq!(
            (r.paired, r.plain_valid, r.valid, r.lost, r.gained),
            (3, 2, 1, 2, 1)
        );
        assert!((r.delta_points - (100.0 / 3.0 - 200.0 / 3.0)).abs() < 1e-9);
        assert_eq!(r.mcnemar_p, mcnemar_exact(2, 1));
        assert_eq!(r.dir, "transforms/noise");
        let md = markdown("s", 0, &plain, &[r]);
        assert!(md.contains("| (none) | 4 | 75.0%"), "{md}");
        assert!(md.contains("| noise | 3 | 33.3%"), "{md}");
        assert_eq!(dir_name(&Transform::Distractors(3)), "distractors-3");
    }
}
