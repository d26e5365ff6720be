//! What a resumed run must share with the run it continues: everything that decides an
//! example's output — suite contents, model weights, backend, token cap, constrain mode and
//! transform. The thread count and the selection (`--limit`, `--shard`) may change between
//! the two: outputs do not depend on threads, and samples are kept per example. The settings
//! go to `OUT/run.json` when a run starts, so that `--resume` can refuse to mix in samples made
//! under other settings before it appends anything.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde_json::{Map, Value};

const FILE: &str = "run.json";

/// (name in run.json, JSON pointer into the run's provenance block)
const SETTINGS: [(&str, &str); 7] = [
    ("suite_sha256", "/suite_sha256"),
    ("model_sha256", "/model/sha256"),
    ("backend", "/backend"),
    ("max_tokens", "/max_tokens"),
    ("constrain", "/constrain"),
    ("transform", "/transform"),
    ("transform_seed", "/transform_seed"),
];

fn settings(meta: &Value) -> Value {
    let map: Map<String, Value> = SETTINGS
        .iter()
        .map(|(name, ptr)| {
            (
                name.to_string(),
                meta.pointer(ptr).cloned().unwrap_or(Value::Null),
            )
        })
        .collect();
    Value::Object(map)
}

/// Records the settings of the run in `meta` (the `provenance.run` block) in `out`, or, when
/// resuming a run that recorded its own, fails naming every setting that differs.
pub fn check_or_record(out: &Path, meta: &Value, resume: bool) -> Result<()> {
    let path = out.join(FILE);
    let now = settings(meta);
    if resume && path.is_file() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        let before: Value = serde_json::from_str(&text).with_context(|| {
            format!(
                "{}: not the JSON object `thimble run` writes",
                path.display()
            )
        })?;
        let diffs: Vec<String> = SETTINGS
            .iter()
            .filter_map(|(name, _)| {
                let (b, n) = (&before[name], &now[name]);
                (b != n).then(|| format!("{name} {b} there, {n} now"))
            })
            .collect();
        if !diffs.is_empty() {
            bail!(
                "{}: the samples there were made with other settings ({}); resume with the same \
                 settings or choose another --out",
                out.display(),
                diffs.join("; ")
            );
        }
        return Ok(());
    }
    let body = serde_json::to_string_pretty(&now)? + "\n";
    std::fs::write(&path, body).with_context(|| format!("writing {}", path.display()))
}
