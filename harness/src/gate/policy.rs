//! The gate's thresholds, read from an optional TOML policy file. Every field has a default, so
//! an empty file (or none) is a valid policy; unknown keys are rejected, because a misspelt
//! threshold that silently falls back to its default is exactly the bug a gate must not have.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// Default tolerance for a throughput ratio (current/baseline must stay above 1 − this).
///
/// Measured (2026-12-06): `thimble bench --model synthetic:needle1-tiny --backend gemm --threads 1
/// --prefill 64 --decode 16 --reps 5 --format json`, release build, 2-core VM with a training job
/// in the background, in two batches. Batch A, 30 runs: in the runs that got a core to themselves
/// (23 of 30 for prefill, 22 for decode) the per-run median had a coefficient of variation of
/// 4.6% (prefill) and 4.0% (decode), worst pair ratio 0.83. Batch B, 10 runs, all uncontended:
/// CV 4.6% (prefill; medians within 0.92–1.06 of their median, worst pair 0.87) and 1.4%
/// (decode; worst pair 0.96). A ratio of two medians spreads about √2 · 4.6% ≈ 6.5%, so 0.15 is
/// about 2.3 spreads out: a 20% slowdown fails, ordinary noise and a 5% dip pass. Batch A's
/// other runs shared a core with the background job and came out 2–12× slower; no tolerance
/// survives that, so gate throughput only on a runner without neighbours (see docs/gate.md).
pub const DEFAULT_THROUGHPUT_TOLERANCE: f64 = 0.15;

/// Thresholds for one accuracy comparison (the whole suite, or one category).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccuracyRule {
    /// Two-sided significance level of the exact McNemar test.
    pub alpha: f64,
    /// Smallest accuracy drop (a fraction: 0.01 = one point) that counts as a regression.
    pub min_effect: f64,
}

/// Multiple-comparison correction across the per-category accuracy checks of one suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Correction {
    /// Holm–Bonferroni: with ten categories and no correction, a change that flips verdicts at
    /// random would fail some category about one time in five.
    #[default]
    Holm,
    None,
}

/// Per-category overrides.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CategoryPolicy {
    pub alpha: Option<f64>,
    pub min_effect: Option<f64>,
    /// Report the category but never fail on it.
    #[serde(default)]
    pub skip: bool,
}

/// Throughput tolerances, one per metric (fractions: 0.15 = 15% slower is still a pass).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ThroughputPolicy {
    /// Gate the throughput in run summaries (prefill/decode tok/s, p50 latency), not only bench
    /// rows. Off when base and head ran on different machines.
    pub runs: bool,
    pub prefill_tok_s: f64,
    pub decode_tok_s: f64,
    /// Median request latency from a run summary; compared as a speed (baseline/current).
    pub latency_ms_p50: f64,
}

impl Default for ThroughputPolicy {
    fn default() -> Self {
        ThroughputPolicy {
            runs: true,
            prefill_tok_s: DEFAULT_THROUGHPUT_TOLERANCE,
            decode_tok_s: DEFAULT_THROUGHPUT_TOLERANCE,
            latency_ms_p50: DEFAULT_THROUGHPUT_TOLERANCE,
        }
    }
}

impl ThroughputPolicy {
    pub fn tolerance(&self, metric: &str) -> Option<f64> {
        match metric {
            "prefill_tok_s" => Some(self.prefill_tok_s),
            "decode_tok_s" => Some(self.decode_tok_s),
            "latency_ms_p50" => Some(self.latency_ms_p50),
            _ => None,
        }
    }
}

/// The whole policy file.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    pub alpha: f64,
    pub min_effect: f64,
    /// Largest allowed absolute drop of the JSON-valid (decodable output) rate.
    pub json_valid_tolerance: f64,
    /// Largest allowed absolute drop of a schema-valid rate, when the summaries carry one.
    pub schema_valid_tolerance: f64,
    pub category_correction: Correction,
    pub throughput: ThroughputPolicy,
    pub categories: BTreeMap<String, CategoryPolicy>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            // The conventional level; verdict flips between identical builds are zero (greedy
            // decoding is deterministic), so false alarms come only from real numeric changes.
            alpha: 0.05,
            // One point: smaller drops are below what a 200–1000 example suite can resolve.
            min_effect: 0.01,
            // One point: decodability is near 100% for a working model and rarely moves.
            json_valid_tolerance: 0.01,
            schema_valid_tolerance: 0.01,
            category_correction: Correction::Holm,
            throughput: ThroughputPolicy::default(),
            categories: BTreeMap::new(),
        }
    }
}

impl Policy {
    /// Reads and validates a policy file.
    pub fn load(path: &Path) -> Result<Policy> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading policy {}", path.display()))?;
        let p: Policy =
            toml::from_str(&text).with_context(|| format!("policy {}", path.display()))?;
        p.validate()
            .with_context(|| format!("policy {}", path.display()))?;
        Ok(p)
    }

    fn validate(&self) -> Result<()> {
        check_alpha("alpha", self.alpha)?;
        check_fraction("min_effect", self.min_effect)?;
        check_fraction("json_valid_tolerance", self.json_valid_tolerance)?;
        check_fraction("schema_valid_tolerance", self.schema_valid_tolerance)?;
        for (name, v) in [
            ("throughput.prefill_tok_s", self.throughput.prefill_tok_s),
            ("throughput.decode_tok_s", self.throughput.decode_tok_s),
            ("throughput.latency_ms_p50", self.throughput.latency_ms_p50),
        ] {
            check_fraction(name, v)?;
        }
        for (cat, c) in &self.categories {
            if let Some(a) = c.alpha {
                check_alpha(&format!("categories.{cat}.alpha"), a)?;
            }
            if let Some(m) = c.min_effect {
                check_fraction(&format!("categories.{cat}.min_effect"), m)?;
            }
        }
        Ok(())
    }

    /// The suite-level accuracy rule.
    pub fn overall(&self) -> AccuracyRule {
        AccuracyRule {
            alpha: self.alpha,
            min_effect: self.min_effect,
        }
    }

    /// The rule for one category, or `None` when the policy skips it.
    pub fn category(&self, name: &str) -> Option<AccuracyRule> {
        let c = self.categories.get(name);
        if c.is_some_and(|c| c.skip) {
            return None;
        }
        Some(AccuracyRule {
            alpha: c.and_then(|c| c.alpha).unwrap_or(self.alpha),
            min_effect: c.and_then(|c| c.min_effect).unwrap_or(self.min_effect),
        })
    }
}

fn check_alpha(name: &str, v: f64) -> Result<()> {
    if !(v > 0.0 && v <= 1.0) {
        bail!("{name} = {v}: must be in (0, 1]");
    }
    Ok(())
}

fn check_fraction(name: &str, v: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&v) {
        bail!("{name} = {v}: must be a fraction in [0, 1]");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_default_policy() {
        let p: Policy = toml::from_str("").unwrap();
        assert_eq!(p, Policy::default());
    }

    #[test]
    fn overrides_and_unknown_keys() {
        let p: Policy = toml::from_str(
            "alpha = 0.01\n[throughput]\ndecode_tok_s = 0.3\n[categories.simple]\nmin_effect = 0.05\n[categories.noisy]\nskip = true\n",
        )
        .unwrap();
        assert_eq!(p.alpha, 0.01);
        assert_eq!(p.throughput.decode_tok_s, 0.3);
        assert_eq!(p.throughput.prefill_tok_s, DEFAULT_THROUGHPUT_TOLERANCE);
        assert_eq!(
            p.category("simple"),
            Some(AccuracyRule {
                alpha: 0.01,
                min_effect: 0.05
            })
        );
        assert_eq!(p.category("noisy"), None);
        assert!(toml::from_str::<Policy>("alpah = 0.01").is_err());
        let bad: Policy = toml::from_str("alpha = 0").unwrap();
        assert!(bad.validate().is_err());
    }
}
