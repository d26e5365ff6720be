//! `thimble fuzz`: runs a model on generated tool schemas and queries in each constrain mode,
//! counts invalid outputs, timeouts and crashes, shrinks every failure to a minimal case with
//! proptest and writes it as a regression file.
//!
//! Cases come from proptest strategies ([`strategy`]) driven by a [`TestRunner`] whose ChaCha
//! RNG is seeded from `--seed` and the case index, so case `i` of seed `S` is the same on
//! every machine and can be regenerated alone; shrinking is proptest's own
//! `simplify`/`complicate` walk over that case's value tree. Each mode sees the same cases.
//!
//! Outputs: `OUT/summary.json` ([`report::FuzzSummary`]), `OUT/regressions/*.json`
//! ([`regression::RegressionCase`]) and a Markdown table on stdout. Exit status: 0 when every
//! mode kept its promise, 1 when a crash or violation was found, 2 on unusable input.

pub mod exec;
pub mod jsontext;
pub mod regression;
pub mod report;
pub mod strategy;
pub mod validate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use thimble_runtime::constrain::{Constrain, VocabIndex};

use crate::cli::common::ModelArgs;
use crate::provenance;
use exec::{run_case, CaseResult, Failure, Target};
use regression::{Origin, RegressionCase};
use report::{FuzzSummary, ModeStats};
use strategy::{fuzz_case, FuzzCase};

#[derive(Debug, Args)]
pub struct FuzzArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Generated cases; every mode runs all of them.
    #[arg(long, default_value_t = 256)]
    pub cases: u64,
    /// Seed of the case generator.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Constrain modes to fuzz, comma-separated (off, names, schema).
    #[arg(long, value_delimiter = ',', default_value = "off,names,schema")]
    pub constrain: Vec<Constrain>,
    /// Output directory (summary.json, regressions/).
    #[arg(long)]
    pub out: PathBuf,
    /// Generation limit per output; an output still unfinished counts as a timeout.
    #[arg(long, default_value_t = 128)]
    pub max_tokens: usize,
    /// Most proptest shrink steps (each one a generation) per failure.
    #[arg(long, default_value_t = 256)]
    pub shrink_iters: u32,
    /// Most failures shrunk and written per mode; later ones are only counted.
    #[arg(long, default_value_t = 8)]
    pub max_regressions: usize,
}

/// How many cases, which modes, and the limits of one fuzz run.
#[derive(Debug, Clone)]
pub struct FuzzConfig {
    pub cases: u64,
    pub seed: u64,
    pub modes: Vec<Constrain>,
    pub shrink_iters: u32,
    pub max_regressions: usize,
    /// Print progress to stderr.
    pub progress: bool,
}

/// A failure after shrinking, for the caller to record.
#[derive(Debug, Clone)]
pub struct Shrunk {
    pub mode: Constrain,
    pub index: u64,
    pub case: FuzzCase,
    pub result: CaseResult,
    pub steps: u32,
}

/// The 32-byte ChaCha seed of case `index`.
fn case_seed(seed: u64, index: u64) -> [u8; 32] {
    let mut s = [0u8; 32];
    s[..8].copy_from_slice(&seed.to_le_bytes());
    s[8..16].copy_from_slice(&index.to_le_bytes());
    s[16..].copy_from_slice(b"thimble-fuzz-v1\0");
    s
}

/// Case `index` of `seed` as a proptest value tree (its `current()` is the case).
pub fn case_tree(seed: u64, index: u64) -> Result<impl ValueTree<Value = FuzzCase>> {
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &case_seed(seed, index));
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, rng);
    fuzz_case()
        .new_tree(&mut runner)
        .map_err(|e| anyhow::anyhow!("generating case {index}: {e}"))
}

/// Case `index` of `seed`.
pub fn generate_case(seed: u64, index: u64) -> Result<FuzzCase> {
    Ok(case_tree(seed, index)?.current())
}

/// Shrinks case `index` while it keeps failing with `class` in `mode`, the way proptest's
/// runner does: simplify after a failure, complicate after a pass, at most `max_iters` runs.
pub fn shrink(
    t: &Target,
    seed: u64,
    index: u64,
    mode: Constrain,
    class: Failure,
    first: CaseResult,
    max_iters: u32,
) -> Result<Shrunk> {
    let mut tree = case_tree(seed, index)?;
    let mut best = Shrunk {
        mode,
        index,
        case: tree.current(),
        result: first,
        steps: 0,
    };
    if !tree.simplify() {
        return Ok(best);
    }
    for _ in 0..max_iters {
        let case = tree.current();
        let r = run_case(t, &case, mode);
        if r.failure() == Some(class) {
            best.case = case;
            best.result = r;
            best.steps += 1;
            if !tree.simplify() {
                break;
            }
        } else if !tree.complicate() {
            break;
        }
    }
    Ok(best)
}

/// Runs `cfg.cases` cases in every mode; each failure (up to `max_regressions` per mode) is
/// shrunk and handed to `record`, which returns the file name it was written to.
pub fn fuzz(
    t: &Target,
    cfg: &FuzzConfig,
    mut record: impl FnMut(&Shrunk) -> Result<String>,
) -> Result<Vec<ModeStats>> {
    if cfg.cases == 0 {
        bail!("--cases must be at least 1");
    }
    if cfg.modes.is_empty() {
        bail!("--constrain lists no mode (expected off, names and/or schema)");
    }
    let mut stats: Vec<ModeStats> = cfg.modes.iter().map(|&m| ModeStats::new(m)).collect();
    let started = Instant::now();
    let every = (cfg.cases / 20).max(1);
    for index in 0..cfg.cases {
        let case = generate_case(cfg.seed, index)?;
        for (&mode, st) in cfg.modes.iter().zip(stats.iter_mut()) {
            let t0 = Instant::now();
            let r = run_case(t, &case, mode);
            st.add(&r, t0.elapsed().as_secs_f64());
            let Some(class) = r.failure() else { continue };
            if st.regressions.len() >= cfg.max_regressions {
                st.unshrunk_failures += 1;
                continue;
            }
            if cfg.progress {
                eprintln!(
                    "fuzz: case {index} fails in {mode} ({}); shrinking",
                    class.as_str()
                );
            }
            let shrunk = shrink(t, cfg.seed, index, mode, class, r, cfg.shrink_iters)?;
            let name = record(&shrunk)?;
            if !st.regressions.contains(&name) {
                st.regressions.push(name);
            }
        }
        if cfg.progress && ((index + 1) % every == 0 || index + 1 == cfg.cases) {
            eprintln!(
                "fuzz: {}/{} cases, {:.1} s",
                index + 1,
                cfg.cases,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(stats)
}

/// `thimble fuzz`.
pub fn run(args: FuzzArgs) -> Result<bool> {
    let started_at = provenance::now_rfc3339();
    let t0 = Instant::now();
    if args.cases == 0 {
        bail!("--cases must be at least 1");
    }
    let mut modes: Vec<Constrain> = Vec::new();
    for m in &args.constrain {
        if !modes.contains(m) {
            modes.push(*m);
        }
    }
    let regressions_dir = prepare_out(&args.out)?;
    let loaded = args.model.load()?;
    let tok = loaded.tokenizer.as_ref().with_context(|| {
        format!(
            "model `{}` has no tokenizer.model; pass --tokenizer PATH (e.g. fixtures/needle-tiny/tokenizer.model)",
            args.model.model
        )
    })?;
    let cfg_model = loaded.model.config();
    if args.max_tokens == 0 || args.max_tokens > cfg_model.max_decoder_tokens {
        bail!(
            "--max-tokens {} is outside 1..={} (the model's decoder length)",
            args.max_tokens,
            cfg_model.max_decoder_tokens
        );
    }
    let vocab = VocabIndex::new(tok, cfg_model);
    let target = Target {
        model: &loaded.model,
        tokenizer: tok,
        vocab: &vocab,
        max_tokens: args.max_tokens,
    };
    let cfg = FuzzConfig {
        cases: args.cases,
        seed: args.seed,
        modes,
        shrink_iters: args.shrink_iters,
        max_regressions: args.max_regressions,
        progress: true,
    };
    let build = provenance::build();
    let tokenizer = args
        .model
        .tokenizer
        .as_ref()
        .map(|p| p.display().to_string());
    let modes = fuzz(&target, &cfg, |s| {
        let origin = Origin {
            seed: Some(args.seed),
            case: Some(s.index),
            shrink_steps: s.steps,
            git_commit: Some(build.git_commit.clone()),
            note: None,
        };
        let rc = RegressionCase::new(
            &args.model.model,
            tokenizer.as_deref(),
            s.mode,
            args.max_tokens,
            &s.case,
            &s.result,
            origin,
        )
        .context("a shrunk case no longer fails")?;
        let path = rc.write(&regressions_dir)?;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        Ok(format!("regressions/{name}"))
    })?;
    let summary = FuzzSummary {
        model: args.model.model.clone(),
        tokenizer,
        model_parameters: loaded.info.parameters,
        backend: loaded.model.backend().name().to_string(),
        threads: loaded.model.backend().threads(),
        seed: args.seed,
        cases: args.cases,
        max_tokens: args.max_tokens,
        shrink_iters: args.shrink_iters,
        properties_hold: modes.iter().all(ModeStats::holds),
        modes,
        started: started_at,
        wall_s: t0.elapsed().as_secs_f64(),
        build,
        host: provenance::host(),
    };
    let path = args.out.join("summary.json");
    std::fs::write(&path, serde_json::to_string_pretty(&summary)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    print!("{}", report::markdown(&summary));
    Ok(summary.properties_hold)
}

/// Creates `out/regressions` and checks it is writable before any time is spent fuzzing.
fn prepare_out(out: &Path) -> Result<PathBuf> {
    let dir = out.join("regressions");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let probe = dir.join(".write-probe");
    std::fs::write(&probe, b"").with_context(|| format!("{} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(dir)
}

/// 0 when the properties hold, 1 on a crash or violation, 2 on unusable input.
pub fn exit_code(result: Result<bool>) -> ExitCode {
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
