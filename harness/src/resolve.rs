//! Suite addresses: `bfcl:<category>`, `<name>:<split>` for bundled suites, or a file path.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::needle_jsonl::load_needle_jsonl;
use crate::suite::Suite;

/// The bundled suites directory: `$THIMBLE_SUITES`, else `./suites`, else the repository's.
pub fn suites_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("THIMBLE_SUITES") {
        return PathBuf::from(d);
    }
    let local = PathBuf::from("suites");
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites")
}

/// Loads the suite at `addr`.
pub fn load_suite(addr: &str) -> Result<Suite> {
    if let Some(cat) = addr.strip_prefix("bfcl:") {
        return Ok(crate::bfcl::load::load_category(&suites_dir(), cat)?);
    }
    let path = Path::new(addr);
    if path.is_file() {
        return Ok(load_needle_jsonl(path, None)?);
    }
    if let Some((name, split)) = addr.split_once(':') {
        let dir = suites_dir().join(name);
        let file = dir.join(format!("{split}.jsonl"));
        if file.is_file() {
            let mut suite = load_needle_jsonl(&file, None)?;
            suite.name = addr.to_string();
            return Ok(suite);
        }
        if dir.is_dir() {
            let splits = list_splits(&dir);
            bail!(
                "suite `{name}` has no split `{split}` (splits: {})",
                splits.join(", ")
            );
        }
    }
    bail!(
        "unknown suite `{addr}`: expected bfcl:<category>, <name>:<split> for a suite under {}, or a JSONL file",
        suites_dir().display()
    )
}

fn list_splits(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.strip_suffix(".jsonl").map(str::to_string)
        })
        .collect();
    v.sort();
    v
}
