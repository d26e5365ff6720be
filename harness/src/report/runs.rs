//! What the report needs from one run directory: who ran (model, backend, threads, parameter
//! count), on what suite, the accuracy counts, the summary's throughput and the per-request
//! samples — read once, with a clear error naming the file when something required is missing.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::gate::RunResults;
use crate::run::samples::Sample;

/// Backends that compute in f32, best reference first (gemm is the one the README reports).
const F32_BACKENDS: [&str; 4] = ["gemm", "ndarray", "blas", "naive"];

/// Successes and trials.
#[derive(Debug, Clone, Copy)]
pub struct Count {
    pub num: u64,
    pub den: u64,
}

impl Count {
    pub fn rate(self) -> Option<f64> {
        (self.den > 0).then(|| self.num as f64 / self.den as f64)
    }
}

pub struct RunInfo {
    pub dir: PathBuf,
    /// `model · backend · N threads`, made unique across the report by the directory name.
    pub label: String,
    /// The model directory's name (or the source as given).
    pub model: String,
    /// The model's own name where the run records one (recordings do), else `model`.
    pub display_name: String,
    /// How the weights are stored (`f16`, `Q4_1`), where recorded.
    pub dtype: Option<String>,
    /// Tells models apart when two share a directory name: the weights' digest where recorded.
    pub model_key: String,
    pub suite: String,
    pub backend: Option<String>,
    /// "overall" first, then the categories in summary order.
    pub groups: Vec<(String, Count)>,
    /// From `provenance.run.model.parameters`, else a `meta.json` beside the summary.
    pub parameters: Option<u64>,
    pub decode_tok_s: Option<f64>,
    pub requests_per_s: Option<f64>,
    pub samples: Vec<Sample>,
}

impl RunInfo {
    pub fn accuracy(&self) -> Count {
        self.groups[0].1
    }

    /// Rank as an f32 reference: lower is better, `None` for quantized or unknown backends.
    pub fn f32_rank(&self) -> Option<usize> {
        let b = self.backend.as_deref()?;
        F32_BACKENDS.iter().position(|x| *x == b)
    }

    /// The run that speaks for its model on its suite: the preferred f32 backend, else the
    /// first given. `None` for an empty slice.
    pub fn reference<'a>(runs: &[&'a RunInfo]) -> Option<&'a RunInfo> {
        runs.iter()
            .min_by_key(|r| r.f32_rank().unwrap_or(usize::MAX))
            .copied()
    }

    /// int8, int4 and any later `int<bits>` backend.
    pub fn is_quantized(&self) -> bool {
        self.backend.as_deref().is_some_and(|b| {
            b.strip_prefix("int")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
        })
    }

    pub fn latencies_ms(&self) -> Vec<f64> {
        self.samples
            .iter()
            .map(|s| s.prefill_ms + s.decode_ms)
            .collect()
    }
}

fn count(v: &Value) -> Option<Count> {
    Some(Count {
        num: v["num"].as_u64()?,
        den: v["den"].as_u64()?,
    })
}

fn positive(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite() && *x > 0.0)
}

/// `parameters` from `meta.json`, for recorded baselines of models thimble did not run itself.
fn meta_parameters(dir: &Path) -> Result<Option<u64>> {
    let path = dir.join("meta.json");
    if !path.exists() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let v: Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    match &v["parameters"] {
        Value::Null => Ok(None),
        p => match p.as_u64().filter(|n| *n > 0) {
            Some(n) => Ok(Some(n)),
            None => bail!(
                "{}: `parameters` must be a positive integer, found {p}",
                path.display()
            ),
        },
    }
}

/// A model source's short name: its directory name (`fixtures/needle-tiny` → `needle-tiny`,
/// `recorded:baselines/x` → `x`), or the source itself when it has none (`synthetic:...`).
pub fn model_name(source: &str) -> String {
    Path::new(source)
        .file_name()
        .map_or(source.to_string(), |f| f.to_string_lossy().into_owned())
}

pub fn load(r: RunResults) -> Result<RunInfo> {
    let summary_path = r.dir.join("summary.json");
    let run = &r.summary["provenance"]["run"];
    let source = run["model"]["source"].as_str();
    let model = source
        .map(model_name)
        .unwrap_or_else(|| r.dir.display().to_string());
    let model_key = run["model"]["sha256"]
        .as_str()
        .or(source)
        .unwrap_or(&model)
        .to_string();
    let overall = count(&r.summary["counts"]["accuracy"]).with_context(|| {
        format!(
            "{}: summary.json has no counts.accuracy",
            summary_path.display()
        )
    })?;
    let mut groups = vec![("overall".to_string(), overall)];
    if let Some(cats) = r.summary["per_category"].as_object() {
        for (cat, v) in cats {
            if let Some(c) = count(&v["counts"]["accuracy"]) {
                groups.push((cat.clone(), c));
            }
        }
    }
    let parameters = match run["model"]["parameters"].as_u64().filter(|n| *n > 0) {
        Some(n) => Some(n),
        None => meta_parameters(&r.dir)?,
    };
    let backend = run["backend"].as_str().map(str::to_string);
    let threads = run["threads"].as_u64();
    let mut label = model.clone();
    if let Some(b) = &backend {
        label.push_str(" · ");
        label.push_str(b);
    }
    if let Some(t) = threads {
        label.push_str(&format!(" · {t} thread{}", if t == 1 { "" } else { "s" }));
    }
    let tp = &r.summary["throughput"];
    let display_name = run["model"]["name"]
        .as_str()
        .map_or_else(|| model.clone(), str::to_string);
    Ok(RunInfo {
        label,
        display_name,
        dtype: run["model"]["dtype"].as_str().map(str::to_string),
        model,
        model_key,
        suite: run["suite"].as_str().unwrap_or("?").to_string(),
        backend,
        groups,
        parameters,
        decode_tok_s: positive(&tp["decode_tok_s"]),
        requests_per_s: positive(&tp["requests_per_s"]),
        samples: r.samples,
        dir: r.dir,
    })
}

/// Two runs of one model, backend and thread count on one suite (say on two hosts) would share
/// a legend entry; the directory name tells them apart.
pub fn disambiguate(runs: &mut [RunInfo]) {
    let keys: Vec<(String, String)> = runs
        .iter()
        .map(|r| (r.suite.clone(), r.label.clone()))
        .collect();
    for (i, r) in runs.iter_mut().enumerate() {
        let clash = keys
            .iter()
            .enumerate()
            .any(|(j, k)| j != i && *k == keys[i]);
        if clash {
            r.label = format!("{} ({})", r.label, r.dir.display());
        }
    }
}
