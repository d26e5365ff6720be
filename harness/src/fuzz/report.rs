//! What a fuzz run reports: per-mode counts and rates ([`ModeStats`]), the run's
//! `summary.json` ([`FuzzSummary`]) and the Markdown table printed on stdout.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use thimble_runtime::constrain::Constrain;

use super::exec::{CaseResult, Verdict};
use crate::metrics::Ratio;
use crate::provenance::{Build, Host};

/// One mode's tally. Every [`Ratio`] is over all cases of the mode unless its name says
/// otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModeStats {
    pub mode: String,
    pub cases: u64,
    /// Finished, and valid against the full schema.
    pub valid: Ratio,
    /// Valid answers with at least one call (the rest are `[]`).
    pub valid_with_calls: Ratio,
    /// Finished, and not valid against the full schema.
    pub invalid: Ratio,
    /// Of the invalid ones, not even a JSON call list.
    pub unparseable: Ratio,
    /// Invalid among finished outputs (timeouts and crashes left out).
    pub invalid_of_finished: Ratio,
    /// Out of tokens before EOS.
    pub timeout: Ratio,
    /// Generation panicked or failed.
    pub crash: Ratio,
    /// Outputs that broke the mode's own promise (see `fuzz::exec`); `off` promises none.
    pub violation: Ratio,
    /// Cases whose tools drew at least one constrain warning.
    pub cases_with_warnings: u64,
    /// Warnings in all, and by kind (the keyword, or the warning's leading words).
    pub warnings: u64,
    pub warnings_by_kind: BTreeMap<String, u64>,
    /// `schema` mode: cases with an unrepresentable keyword the grammar did not warn about,
    /// and those keywords by name; `None` in other modes (they compile no value schemas).
    pub cases_with_unwarned_keywords: Option<u64>,
    pub unwarned_by_keyword: BTreeMap<String, u64>,
    pub generated_tokens: u64,
    /// Seconds spent generating and judging this mode's outputs.
    pub wall_s: f64,
    /// Regression files written for this mode, relative to the output directory.
    pub regressions: Vec<String>,
    /// Failures beyond `--max-regressions`, counted but not shrunk.
    pub unshrunk_failures: u64,
}

impl ModeStats {
    pub fn new(mode: Constrain) -> ModeStats {
        ModeStats {
            mode: mode.as_str().into(),
            cases_with_unwarned_keywords: (mode == Constrain::Schema).then_some(0),
            ..ModeStats::default()
        }
    }

    /// Counts one case's result.
    pub fn add(&mut self, r: &CaseResult, wall_s: f64) {
        self.cases += 1;
        self.wall_s += wall_s;
        self.generated_tokens += r.generated_tokens as u64;
        match r.verdict {
            Verdict::Valid => {
                self.valid.num += 1;
                self.valid_with_calls.num += u64::from(r.calls > 0);
            }
            Verdict::Invalid => {
                self.invalid.num += 1;
                self.unparseable.num += u64::from(r.unparseable);
            }
            Verdict::Timeout => self.timeout.num += 1,
            Verdict::Crash => self.crash.num += 1,
        }
        self.violation.num += u64::from(r.violation.is_some());
        if !r.warnings.is_empty() {
            self.cases_with_warnings += 1;
        }
        for w in &r.warnings {
            self.warnings += 1;
            *self
                .warnings_by_kind
                .entry(warning_kind(&w.message))
                .or_default() += 1;
        }
        if let Some(n) = &mut self.cases_with_unwarned_keywords {
            *n += u64::from(!r.unwarned.is_empty());
            for s in &r.unwarned {
                *self
                    .unwarned_by_keyword
                    .entry(s.keyword.clone())
                    .or_default() += 1;
            }
        }
        for ratio in [
            &mut self.valid,
            &mut self.valid_with_calls,
            &mut self.invalid,
            &mut self.unparseable,
            &mut self.timeout,
            &mut self.crash,
            &mut self.violation,
        ] {
            ratio.den = self.cases;
        }
        self.invalid_of_finished = Ratio::new(self.invalid.num, self.valid.num + self.invalid.num);
    }

    /// Whether the mode kept its promise: no crash, and (`names`/`schema`) no violation.
    pub fn holds(&self) -> bool {
        self.crash.num == 0 && self.violation.num == 0
    }
}

/// A warning's kind: the keyword it names when it starts with one (`pattern`, `$ref`), else
/// its leading words (`required key`, `unknown type`, `declared twice`).
pub fn warning_kind(message: &str) -> String {
    if let Some(rest) = message.strip_prefix('`') {
        return rest.split('`').next().unwrap_or_default().to_string();
    }
    message
        .split(['`', ';', ','])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FuzzSummary {
    pub model: String,
    #[serde(default)]
    pub tokenizer: Option<String>,
    pub model_parameters: usize,
    pub backend: String,
    pub threads: usize,
    pub seed: u64,
    pub cases: u64,
    pub max_tokens: usize,
    pub shrink_iters: u32,
    pub modes: Vec<ModeStats>,
    /// No crash in any mode and no violation in `names`/`schema`.
    pub properties_hold: bool,
    pub started: String,
    pub wall_s: f64,
    pub build: Build,
    pub host: Host,
}

fn pct(r: &Ratio) -> String {
    match r.value() {
        Some(v) => format!("{} ({:.2}%)", r.num, v * 100.0),
        None => format!("{} (n/a)", r.num),
    }
}

/// The Markdown table for stdout.
pub fn markdown(s: &FuzzSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### thimble fuzz: `{}`, {} cases per mode, seed {}, max {} tokens\n",
        s.model, s.cases, s.seed, s.max_tokens
    );
    out.push_str(
        "| mode | cases | valid | valid with calls | invalid | unparseable | timeouts | crashes | violations | cases with warnings | unwarned keywords | regressions | wall s |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for m in &s.modes {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            m.mode,
            m.cases,
            pct(&m.valid),
            pct(&m.valid_with_calls),
            pct(&m.invalid),
            m.unparseable.num,
            pct(&m.timeout),
            pct(&m.crash),
            if m.mode == "off" {
                "n/a".to_string()
            } else {
                pct(&m.violation)
            },
            m.cases_with_warnings,
            m.cases_with_unwarned_keywords
                .map_or("n/a".to_string(), |n| n.to_string()),
            m.regressions.len() as u64 + m.unshrunk_failures,
            m.wall_s,
        );
    }
    for m in &s.modes {
        if !m.warnings_by_kind.is_empty() {
            let kinds: Vec<String> = m
                .warnings_by_kind
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let _ = writeln!(out, "\n{} warnings by kind: {}", m.mode, kinds.join(", "));
        }
        if !m.unwarned_by_keyword.is_empty() {
            let kinds: Vec<String> = m
                .unwarned_by_keyword
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let _ = writeln!(
                out,
                "\n{} keywords the grammar ignored without a warning: {}",
                m.mode,
                kinds.join(", ")
            );
        }
    }
    let _ = writeln!(
        out,
        "\nproperties {} | commit {}{} | {:.1} s",
        if s.properties_hold { "hold" } else { "FAIL" },
        s.build.git_commit,
        if s.build.git_dirty { " (dirty)" } else { "" },
        s.wall_s
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_kinds() {
        for (m, k) in [
            (
                "`pattern` is not enforced; the value is constrained by its type only",
                "pattern",
            ),
            (
                "`$ref` is not supported; the value is any JSON value",
                "$ref",
            ),
            (
                "required key `ghost` is not a declared property; not required",
                "required key",
            ),
            (
                "unknown type `date`; the value is any JSON value",
                "unknown type",
            ),
            (
                "declared twice; the later declaration's parameters apply",
                "declared twice",
            ),
            (
                "the schema is a number; the value is any JSON value",
                "the schema is a number",
            ),
        ] {
            assert_eq!(warning_kind(m), k, "{m}");
        }
    }
}
