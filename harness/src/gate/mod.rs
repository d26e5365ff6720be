//! `thimble gate`: compares current results with a baseline and fails CI on a regression.
//!
//! Accuracy is compared per example (paired by id) with the exact McNemar test, so a drop has to
//! be both statistically real and larger than a minimum effect; decodable-output rates must not
//! fall by more than a tolerance; throughput ratios must stay above 1 − tolerance. Exit status:
//! 0 pass, 1 regression, 2 unusable input (so CI can tell "the change is bad" from "the gate is
//! misconfigured").

pub mod policy;
pub mod render;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde::Deserialize;
use serde_json::Value;

use crate::run::samples::{read_samples, Sample};
use crate::stats::mcnemar_exact;
use policy::{AccuracyRule, Correction, Policy};

#[derive(Debug, Args)]
pub struct GateArgs {
    /// Baseline results: a run directory (samples.jsonl + summary.json) or a
    /// `thimble bench --format json` file. Repeat to gate several pairs (paired with --current by
    /// order).
    #[arg(long, required = true)]
    pub baseline: Vec<PathBuf>,
    /// Current results, of the same kind as the matching --baseline.
    #[arg(long, required = true)]
    pub current: Vec<PathBuf>,
    /// Thresholds (TOML); defaults are documented in docs/gate.md.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Also append the Markdown summary to this file (e.g. "$GITHUB_STEP_SUMMARY").
    #[arg(long)]
    pub markdown: Option<PathBuf>,
    /// Write a JUnit XML report here: one testcase per check.
    #[arg(long)]
    pub junit: Option<PathBuf>,
}

/// What the gate decided; every `Err` from [`run`] is an input or usage problem instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Regression,
}

/// Maps the gate's result to its documented exit status, printing an error if there is one.
pub fn exit_code(result: Result<Outcome>) -> ExitCode {
    match result {
        Ok(Outcome::Pass) => ExitCode::SUCCESS,
        Ok(Outcome::Regression) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// The statistic behind a verdict.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    /// McNemar p-value (after any multiple-comparison correction) and the raw one.
    PValue { p: f64, raw: f64 },
    /// Speed ratio current/baseline (for a latency, baseline/current) and its floor.
    Ratio { ratio: f64, floor: f64 },
    /// Absolute drop allowed for a rate.
    Tolerance(f64),
}

/// One metric comparison.
#[derive(Debug, Clone)]
pub struct Check {
    /// Which pair of inputs (suite name or bench row) this belongs to.
    pub group: String,
    /// The metric, with the category in brackets for per-category checks.
    pub metric: String,
    pub baseline: f64,
    pub current: f64,
    /// Fractions (accuracy, rates) print as percentages, others as plain numbers.
    pub is_fraction: bool,
    pub statistic: Statistic,
    /// Counts behind the numbers, e.g. `n=400 b=40 c=0`.
    pub detail: String,
    /// Reported but never failed (policy `skip`).
    pub skipped: bool,
    pub failed: bool,
}

/// The full comparison: checks plus notes about the inputs (unmatched ids, differing suites).
#[derive(Debug, Default)]
pub struct Report {
    pub checks: Vec<Check>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn failures(&self) -> usize {
        self.checks.iter().filter(|c| c.failed).count()
    }
}

/// A loaded run directory.
pub struct RunResults {
    pub dir: PathBuf,
    pub samples: Vec<Sample>,
    pub summary: Value,
}

/// The fields of a bench row the gate needs; other fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct BenchRow {
    pub backend: String,
    pub threads: usize,
    pub prefill_tok_s: f64,
    pub decode_tok_s: f64,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub prefill_tokens: Option<usize>,
    #[serde(default)]
    pub decode_tokens: Option<usize>,
    #[serde(default)]
    pub parameters: Option<u64>,
    #[serde(default)]
    pub weight_bytes: Option<u64>,
    /// Constrained decoding of a `bench --suite` row (its decode time includes the mask).
    #[serde(default)]
    pub constrain: Option<String>,
}

pub enum Input {
    Run(RunResults),
    Bench { path: PathBuf, rows: Vec<BenchRow> },
}

impl Input {
    fn kind(&self) -> &'static str {
        match self {
            Input::Run(_) => "a run directory",
            Input::Bench { .. } => "a bench JSON file",
        }
    }
}

/// Loads a run directory (or its summary.json) or a bench JSON file.
pub fn load_input(path: &Path) -> Result<Input> {
    if path.is_dir() {
        return load_run(path).map(Input::Run);
    }
    if !path.exists() {
        bail!("{}: no such file or directory", path.display());
    }
    if path.file_name().is_some_and(|n| n == "summary.json") {
        let dir = path.parent().unwrap_or(Path::new("."));
        return load_run(dir).map(Input::Run);
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let rows: Vec<BenchRow> = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a `thimble bench --format json` array (and not a run directory)",
            path.display()
        )
    })?;
    if rows.is_empty() {
        bail!("{}: the bench file has no rows", path.display());
    }
    let mut seen = HashSet::new();
    for r in &rows {
        if !seen.insert((r.backend.as_str(), r.threads)) {
            bail!(
                "{}: two rows for backend {} with {} threads",
                path.display(),
                r.backend,
                r.threads
            );
        }
    }
    Ok(Input::Bench {
        path: path.to_path_buf(),
        rows,
    })
}

fn load_run(dir: &Path) -> Result<RunResults> {
    let samples_path = dir.join("samples.jsonl");
    let summary_path = dir.join("summary.json");
    let samples = read_samples(&samples_path)?;
    if samples.is_empty() {
        bail!("{}: no samples", samples_path.display());
    }
    let mut ids = HashSet::new();
    for s in &samples {
        if !ids.insert(s.id.as_str()) {
            bail!(
                "{}: example id {} appears twice",
                samples_path.display(),
                s.id
            );
        }
    }
    let text = std::fs::read_to_string(&summary_path)
        .with_context(|| format!("reading {}", summary_path.display()))?;
    let summary: Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not JSON", summary_path.display()))?;
    if !summary.get("metrics").is_some_and(Value::is_object) {
        bail!(
            "{}: not a thimble summary (no `metrics` object)",
            summary_path.display()
        );
    }
    Ok(RunResults {
        dir: dir.to_path_buf(),
        samples,
        summary,
    })
}

pub fn run(args: GateArgs) -> Result<Outcome> {
    if args.baseline.len() != args.current.len() {
        bail!(
            "{} --baseline but {} --current: give them in pairs",
            args.baseline.len(),
            args.current.len()
        );
    }
    let policy = match &args.policy {
        Some(p) => Policy::load(p)?,
        None => Policy::default(),
    };
    let mut report = Report::default();
    // Which pair each check came from, so equal labels from different pairs can be told apart.
    let mut pair_of: Vec<usize> = Vec::new();
    for (pair, (b, c)) in args.baseline.iter().zip(&args.current).enumerate() {
        let base = load_input(b)?;
        let cur = load_input(c)?;
        match (&base, &cur) {
            (Input::Run(b), Input::Run(c)) => compare_runs(b, c, &policy, &mut report)?,
            (Input::Bench { path: bp, rows: br }, Input::Bench { path: cp, rows: cr }) => {
                compare_bench(bp, br, cp, cr, &policy, &mut report)?
            }
            _ => bail!(
                "{} is {} but {} is {}: pair like with like",
                b.display(),
                base.kind(),
                c.display(),
                cur.kind()
            ),
        }
        pair_of.resize(report.checks.len(), pair);
    }
    disambiguate(&mut report, &pair_of);
    let md = render::markdown(&report);
    print!("{md}");
    if let Some(p) = &args.markdown {
        append_or_write(p, &md)?;
    }
    if let Some(p) = &args.junit {
        std::fs::write(p, render::junit(&report))
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(if report.failures() > 0 {
        Outcome::Regression
    } else {
        Outcome::Pass
    })
}

/// Appends ` (pair K)` to group labels that more than one pair produced (two models on one
/// suite, two bench files with the same backends).
fn disambiguate(report: &mut Report, pair_of: &[usize]) {
    let mut pairs_by_group: HashMap<String, HashSet<usize>> = HashMap::new();
    for (c, &p) in report.checks.iter().zip(pair_of) {
        pairs_by_group.entry(c.group.clone()).or_default().insert(p);
    }
    for (c, &p) in report.checks.iter_mut().zip(pair_of) {
        if pairs_by_group[&c.group].len() > 1 {
            c.group = format!("{} (pair {})", c.group, p + 1);
        }
    }
}

/// `$GITHUB_STEP_SUMMARY` is shared by every step of a job, so an existing file is appended to.
fn append_or_write(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

fn suite_of(r: &RunResults) -> String {
    r.summary["provenance"]["run"]["suite"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| r.dir.display().to_string())
}

/// Accuracy (suite and per category), decodable-output rates, and run throughput.
pub fn compare_runs(
    base: &RunResults,
    cur: &RunResults,
    policy: &Policy,
    report: &mut Report,
) -> Result<()> {
    let group = suite_of(base);
    let cur_suite = suite_of(cur);
    if cur_suite != group {
        report.notes.push(format!(
            "{}: baseline suite `{group}` but current suite `{cur_suite}`",
            cur.dir.display()
        ));
    }
    let run_sha = |r: &RunResults| r.summary["provenance"]["run"]["suite_sha256"].clone();
    if cur_suite == group && run_sha(base) != run_sha(cur) {
        report.notes.push(format!(
            "{group}: the suite file changed between baseline and current (sha256 differs)"
        ));
    }
    let by_id: HashMap<&str, &Sample> = cur.samples.iter().map(|s| (s.id.as_str(), s)).collect();
    let pairs: Vec<(&Sample, &Sample)> = base
        .samples
        .iter()
        .filter_map(|b| by_id.get(b.id.as_str()).map(|c| (b, *c)))
        .collect();
    if pairs.is_empty() {
        bail!(
            "{} and {}: no example ids in common, nothing to compare",
            base.dir.display(),
            cur.dir.display()
        );
    }
    let unmatched = base.samples.len() + cur.samples.len() - 2 * pairs.len();
    if unmatched > 0 {
        report.notes.push(format!(
            "{group}: {unmatched} example ids unmatched ({} only in baseline, {} only in current); compared the {} in common",
            base.samples.len() - pairs.len(),
            cur.samples.len() - pairs.len(),
            pairs.len()
        ));
    }
    report
        .checks
        .push(accuracy_check(&group, "accuracy", &pairs, policy.overall()));
    let mut cats: BTreeMap<&str, Vec<(&Sample, &Sample)>> = BTreeMap::new();
    for &(b, c) in &pairs {
        cats.entry(b.category.as_str()).or_default().push((b, c));
    }
    // One category is the suite itself; repeating it would only double-count.
    if cats.len() > 1 {
        let mut cat_checks: Vec<Check> = cats
            .iter()
            .map(|(cat, ps)| {
                let rule = policy.category(cat);
                let mut c = accuracy_check(
                    &group,
                    &format!("accuracy[{cat}]"),
                    ps,
                    rule.unwrap_or(policy.overall()),
                );
                c.skipped = rule.is_none();
                c
            })
            .collect();
        if policy.category_correction == Correction::Holm {
            holm_adjust(&mut cat_checks, |cat| {
                policy.category(cat).unwrap_or(policy.overall())
            });
        }
        for c in &mut cat_checks {
            if c.skipped {
                c.failed = false;
            }
        }
        report.checks.extend(cat_checks);
    }
    let decoded = |s: &Sample| s.calls.is_some();
    let n = pairs.len() as f64;
    let jb = pairs.iter().filter(|(b, _)| decoded(b)).count() as f64 / n;
    let jc = pairs.iter().filter(|(_, c)| decoded(c)).count() as f64 / n;
    report.checks.push(rate_check(
        &group,
        "json_valid",
        jb,
        jc,
        policy.json_valid_tolerance,
        format!("n={}", pairs.len()),
    ));
    // Schema validity is only in summaries that compute it; the rate is over each run's own
    // examples, which the unmatched-ids note qualifies.
    for key in ["schema_valid", "schema_valid_rate"] {
        let get = |r: &RunResults| r.summary["metrics"][key].as_f64();
        if let (Some(b), Some(c)) = (get(base), get(cur)) {
            report.checks.push(rate_check(
                &group,
                key,
                b,
                c,
                policy.schema_valid_tolerance,
                "from summary.json".into(),
            ));
        }
    }
    if policy.throughput.runs {
        for (metric, higher_is_better) in [
            ("prefill_tok_s", true),
            ("decode_tok_s", true),
            ("latency_ms_p50", false),
        ] {
            let get = |r: &RunResults| r.summary["throughput"][metric].as_f64();
            let (Some(b), Some(c)) = (get(base), get(cur)) else {
                continue;
            };
            let tol = policy.throughput.tolerance(metric).unwrap_or(0.0);
            match ratio_check(&group, metric, b, c, higher_is_better, tol) {
                Some(check) => report.checks.push(check),
                None => report.notes.push(format!(
                    "{group}: {metric} not compared (baseline {b}, current {c})"
                )),
            }
        }
    }
    Ok(())
}

/// McNemar on the discordant pairs; fails only on a significant drop of at least `min_effect`.
fn accuracy_check(
    group: &str,
    metric: &str,
    pairs: &[(&Sample, &Sample)],
    rule: AccuracyRule,
) -> Check {
    let n = pairs.len();
    let (mut b, mut c, mut vb, mut vc) = (0u64, 0u64, 0u64, 0u64);
    for (x, y) in pairs {
        vb += u64::from(x.valid);
        vc += u64::from(y.valid);
        match (x.valid, y.valid) {
            (true, false) => b += 1,
            (false, true) => c += 1,
            _ => {}
        }
    }
    let p = mcnemar_exact(b, c);
    let base = vb as f64 / n as f64;
    let cur = vc as f64 / n as f64;
    Check {
        group: group.into(),
        metric: metric.into(),
        baseline: base,
        current: cur,
        is_fraction: true,
        statistic: Statistic::PValue { p, raw: p },
        detail: format!("n={n} lost={b} gained={c}"),
        skipped: false,
        failed: accuracy_fails(p, base - cur, rule),
    }
}

fn accuracy_fails(p: f64, drop: f64, rule: AccuracyRule) -> bool {
    // The epsilon keeps a drop of exactly `min_effect` (e.g. 10/1000 = 0.01) on the failing
    // side despite the rounding of the two divisions.
    p < rule.alpha && drop > rule.min_effect - 1e-12
}

/// Replaces each non-skipped check's p-value by its Holm-adjusted value and re-decides it.
fn holm_adjust(checks: &mut [Check], rule_of: impl Fn(&str) -> AccuracyRule) {
    let idx: Vec<usize> = (0..checks.len()).filter(|&i| !checks[i].skipped).collect();
    let raws: Vec<f64> = checks
        .iter()
        .map(|c| match c.statistic {
            Statistic::PValue { raw, .. } => raw,
            _ => 1.0,
        })
        .collect();
    let raw = |i: usize| raws[i];
    let mut order = idx.clone();
    order.sort_by(|&a, &b| raw(a).total_cmp(&raw(b)));
    let m = order.len();
    let mut running = 0.0f64;
    let mut adjusted = vec![0.0; checks.len()];
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * raw(i)).min(1.0));
        adjusted[i] = running;
    }
    for i in idx {
        let r = raw(i);
        let c = &mut checks[i];
        c.statistic = Statistic::PValue {
            p: adjusted[i],
            raw: r,
        };
        let cat = c
            .metric
            .strip_prefix("accuracy[")
            .and_then(|s| s.strip_suffix(']'))
            .unwrap_or("");
        c.failed = accuracy_fails(adjusted[i], c.baseline - c.current, rule_of(cat));
    }
}

fn rate_check(group: &str, metric: &str, b: f64, c: f64, tol: f64, detail: String) -> Check {
    Check {
        group: group.into(),
        metric: metric.into(),
        baseline: b,
        current: c,
        is_fraction: true,
        statistic: Statistic::Tolerance(tol),
        detail,
        skipped: false,
        failed: b - c > tol + 1e-12,
    }
}

/// A speed ratio check; `None` when the baseline gives nothing to divide by.
fn ratio_check(
    group: &str,
    metric: &str,
    b: f64,
    c: f64,
    higher_is_better: bool,
    tol: f64,
) -> Option<Check> {
    let ratio = if higher_is_better { c / b } else { b / c };
    if !ratio.is_finite() || b <= 0.0 || c <= 0.0 {
        return None;
    }
    let floor = 1.0 - tol;
    Some(Check {
        group: group.into(),
        metric: metric.into(),
        baseline: b,
        current: c,
        is_fraction: false,
        statistic: Statistic::Ratio { ratio, floor },
        detail: if higher_is_better {
            "current/baseline".into()
        } else {
            "baseline/current (lower is better)".into()
        },
        skipped: false,
        failed: ratio < floor,
    })
}

/// Bench rows matched by (backend, threads); rows on one side only are noted, not failed,
/// unless nothing matches at all.
pub fn compare_bench(
    bp: &Path,
    base: &[BenchRow],
    cp: &Path,
    cur: &[BenchRow],
    policy: &Policy,
    report: &mut Report,
) -> Result<()> {
    let mut matched = 0;
    for b in base {
        let group = format!("bench {} x{}", b.backend, b.threads);
        let Some(c) = cur
            .iter()
            .find(|c| c.backend == b.backend && c.threads == b.threads)
        else {
            report.notes.push(format!(
                "{group}: in {} but not in {}",
                bp.display(),
                cp.display()
            ));
            continue;
        };
        matched += 1;
        if (&b.model, b.prefill_tokens, b.decode_tokens)
            != (&c.model, c.prefill_tokens, c.decode_tokens)
        {
            report.notes.push(format!(
                "{group}: model or prefill/decode lengths differ between baseline and current"
            ));
        }
        let (bm, cm) = (
            b.constrain.as_deref().unwrap_or("off"),
            c.constrain.as_deref().unwrap_or("off"),
        );
        if bm != cm {
            report.notes.push(format!(
                "{group}: constrain {bm} in the baseline, {cm} now (decode time includes the mask)"
            ));
        }
        for (metric, bv, cv) in [
            ("prefill_tok_s", b.prefill_tok_s, c.prefill_tok_s),
            ("decode_tok_s", b.decode_tok_s, c.decode_tok_s),
        ] {
            let tol = policy.throughput.tolerance(metric).unwrap_or(0.0);
            match ratio_check(&group, metric, bv, cv, true, tol) {
                Some(check) => report.checks.push(check),
                None => report.notes.push(format!(
                    "{group}: {metric} not compared (baseline {bv}, current {cv})"
                )),
            }
        }
    }
    for c in cur {
        if !base
            .iter()
            .any(|b| b.backend == c.backend && b.threads == c.threads)
        {
            report.notes.push(format!(
                "bench {} x{}: new in {}, no baseline",
                c.backend,
                c.threads,
                cp.display()
            ));
        }
    }
    if matched == 0 {
        bail!(
            "{} and {}: no (backend, threads) rows in common",
            bp.display(),
            cp.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(metric: &str, raw: f64, drop: f64) -> Check {
        Check {
            group: "g".into(),
            metric: metric.into(),
            baseline: 0.9,
            current: 0.9 - drop,
            is_fraction: true,
            statistic: Statistic::PValue { p: raw, raw },
            detail: String::new(),
            skipped: false,
            failed: false,
        }
    }

    #[test]
    fn holm_adjusted_p_values_are_monotone_step_down() {
        let mut cs = vec![
            check("accuracy[a]", 0.01, 0.1),
            check("accuracy[b]", 0.04, 0.1),
            check("accuracy[c]", 0.03, 0.1),
        ];
        let rule = |_: &str| AccuracyRule {
            alpha: 0.05,
            min_effect: 0.01,
        };
        holm_adjust(&mut cs, rule);
        let p: Vec<f64> = cs
            .iter()
            .map(|c| match c.statistic {
                Statistic::PValue { p, .. } => p,
                _ => unreachable!(),
            })
            .collect();
        // Sorted: a 0.01*3 = 0.03; c max(0.03, 0.03*2) = 0.06; b max(0.06, 0.04*1) = 0.06.
        assert!((p[0] - 0.03).abs() < 1e-12);
        assert!((p[2] - 0.06).abs() < 1e-12);
        assert!((p[1] - 0.06).abs() < 1e-12);
        assert_eq!(
            cs.iter().map(|c| c.failed).collect::<Vec<_>>(),
            [true, false, false]
        );
    }

    #[test]
    fn ratio_directions() {
        let slow = ratio_check("g", "decode_tok_s", 100.0, 80.0, true, 0.15).unwrap();
        assert!(slow.failed);
        let ok = ratio_check("g", "decode_tok_s", 100.0, 95.0, true, 0.15).unwrap();
        assert!(!ok.failed);
        let lat = ratio_check("g", "latency_ms_p50", 10.0, 12.5, false, 0.15).unwrap();
        assert!(lat.failed);
        assert!(ratio_check("g", "x", 0.0, 1.0, true, 0.1).is_none());
    }
}
