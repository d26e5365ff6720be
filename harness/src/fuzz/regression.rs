//! Regression cases: a shrunk failing fuzz case as a self-contained JSON file (tools, query,
//! mode, model, what failed), written under `OUT/regressions/` by `thimble fuzz` and replayed
//! from `harness/tests/fuzz-regressions/` by the test suite.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use thimble_runtime::constrain::Constrain;

use super::exec::{CaseResult, Failure, Verdict};
use super::strategy::FuzzCase;

/// The `format` field every regression file carries.
pub const FORMAT: &str = "thimble-fuzz-regression/1";

/// One regression case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionCase {
    pub format: String,
    /// The model spec as given to `--model` (a directory, relative paths from the repository
    /// root, or `synthetic:...`).
    pub model: String,
    /// `--tokenizer`, when one was given.
    #[serde(default)]
    pub tokenizer: Option<String>,
    /// The constrain mode the failure happened in.
    pub mode: String,
    pub max_tokens: usize,
    pub failed: Failed,
    pub query: String,
    pub tools: Vec<Value>,
    #[serde(default)]
    pub origin: Origin,
}

/// What went wrong when the case was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failed {
    /// `crash` or `violation`.
    pub failure: Failure,
    pub verdict: Verdict,
    /// The violated promise or the crash message.
    pub reason: String,
    /// Why the output is invalid against the full schema, when it is.
    #[serde(default)]
    pub detail: Option<String>,
    pub raw_text: String,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// Where the case came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Origin {
    /// `--seed` and the case index that generated it (before shrinking), when fuzzed.
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub case: Option<u64>,
    /// Successful shrink steps from the generated case to this one.
    #[serde(default)]
    pub shrink_steps: u32,
    #[serde(default)]
    pub git_commit: Option<String>,
    /// Free text for hand-written cases: which bug it pins down.
    #[serde(default)]
    pub note: Option<String>,
}

impl RegressionCase {
    /// A record of `result`, which must be a failure.
    pub fn new(
        model: &str,
        tokenizer: Option<&str>,
        mode: Constrain,
        max_tokens: usize,
        case: &FuzzCase,
        result: &CaseResult,
        origin: Origin,
    ) -> Option<RegressionCase> {
        let failure = result.failure()?;
        let reason = match failure {
            Failure::Crash => result.detail.clone().unwrap_or_default(),
            Failure::Violation => result.violation.clone().unwrap_or_default(),
        };
        Some(RegressionCase {
            format: FORMAT.into(),
            model: model.into(),
            tokenizer: tokenizer.map(str::to_string),
            mode: mode.as_str().into(),
            max_tokens,
            failed: Failed {
                failure,
                verdict: result.verdict,
                reason,
                detail: result.detail.clone(),
                raw_text: result.raw_text.clone(),
                warnings: result.warnings.iter().map(ToString::to_string).collect(),
            },
            query: case.query.clone(),
            tools: case.tools.clone(),
            origin,
        })
    }

    pub fn case(&self) -> FuzzCase {
        FuzzCase {
            tools: self.tools.clone(),
            query: self.query.clone(),
        }
    }

    pub fn constrain(&self) -> Result<Constrain> {
        self.mode
            .parse()
            .map_err(|e: String| anyhow::anyhow!("`mode`: {e}"))
    }

    /// `<mode>-<failure>-<hash>.json`, the hash over the inputs so one minimal case found
    /// twice is written once.
    pub fn file_name(&self) -> String {
        let key = serde_json::json!([
            self.model,
            self.tokenizer,
            self.mode,
            self.max_tokens,
            self.query,
            self.tools
        ]);
        let hash = crate::provenance::sha256_bytes(key.to_string().as_bytes());
        format!(
            "{}-{}-{}.json",
            self.mode,
            self.failed.failure.as_str(),
            &hash[..12]
        )
    }

    /// Writes the case into `dir`, returning its path.
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
        let path = dir.join(self.file_name());
        let text = serde_json::to_string_pretty(self)? + "\n";
        std::fs::write(&path, text)
            .with_context(|| format!("writing regression case {}", path.display()))?;
        Ok(path)
    }

    /// Reads one case file.
    pub fn read(path: &Path) -> Result<RegressionCase> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading regression case {}", path.display()))?;
        let case: RegressionCase = serde_json::from_str(&text)
            .with_context(|| format!("parsing regression case {}", path.display()))?;
        if case.format != FORMAT {
            bail!(
                "{}: format `{}`, expected `{FORMAT}`",
                path.display(),
                case.format
            );
        }
        case.constrain()
            .with_context(|| format!("regression case {}", path.display()))?;
        Ok(case)
    }
}

/// Every `*.json` case in `dir`, sorted by file name.
pub fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, RegressionCase)>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("listing {}", dir.display()))?;
    paths.retain(|p| p.extension().is_some_and(|e| e == "json"));
    paths.sort();
    paths
        .into_iter()
        .map(|p| RegressionCase::read(&p).map(|c| (p, c)))
        .collect()
}
