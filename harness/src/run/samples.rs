//! `samples.jsonl`: one line per example, appended and flushed as each finishes, so an
//! interrupted run loses nothing and `--resume` can continue it.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::call::Call;

/// One example's record: what the model produced and how it was judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub id: String,
    pub category: String,
    /// The headline verdict: exact match for Needle-style suites, the BFCL checker otherwise.
    pub valid: bool,
    /// Raw model text.
    pub output: String,
    /// Decoded calls, or null when the output did not decode.
    pub calls: Option<Vec<Call>>,
    /// Why the verdict is false (a decoder or checker error type), null when valid.
    pub error_type: Option<String>,
    /// Human-readable detail for `error_type`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub prompt_tokens: usize,
    pub generated_tokens: usize,
    pub prefill_ms: f64,
    pub decode_ms: f64,
    /// The prompt was cut to fit the model's context.
    #[serde(default)]
    pub prompt_truncated: bool,
}

/// An append-only `samples.jsonl`.
pub struct SampleLog {
    path: PathBuf,
    file: File,
}

impl SampleLog {
    /// Creates `path`; refuses to overwrite a non-empty log unless resuming.
    /// With `resume`, returns the samples already there and drops a partial last line left by
    /// an interrupted write.
    pub fn open(path: &Path, resume: bool) -> Result<(SampleLog, Vec<Sample>)> {
        let exists = path.exists()
            && std::fs::metadata(path)
                .map(|m| m.len() > 0)
                .unwrap_or(false);
        if exists && !resume {
            bail!(
                "{} already holds samples; pass --resume to continue that run or choose another --out",
                path.display()
            );
        }
        let mut done = Vec::new();
        let mut keep_bytes = 0u64;
        if exists {
            let f = File::open(path).with_context(|| format!("opening {}", path.display()))?;
            let mut reader = BufReader::new(f);
            let mut line = String::new();
            let mut lineno = 0;
            loop {
                line.clear();
                let n = reader
                    .read_line(&mut line)
                    .with_context(|| format!("reading {}", path.display()))?;
                if n == 0 {
                    break;
                }
                lineno += 1;
                if !line.ends_with('\n') {
                    // A write cut short by an interruption: drop it, the example is redone.
                    break;
                }
                let s: Sample = serde_json::from_str(&line)
                    .with_context(|| format!("{}:{lineno}: not a sample record", path.display()))?;
                done.push(s);
                keep_bytes += n as u64;
            }
        }
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(path)
            .with_context(|| format!("opening {} for writing", path.display()))?;
        file.set_len(keep_bytes)
            .and_then(|_| file.seek(SeekFrom::End(0)).map(|_| ()))
            .with_context(|| format!("preparing {}", path.display()))?;
        Ok((
            SampleLog {
                path: path.to_path_buf(),
                file,
            },
            done,
        ))
    }

    /// Appends one sample as a single write and flushes it to the OS.
    pub fn append(&mut self, s: &Sample) -> Result<()> {
        let mut line = serde_json::to_string(s)?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|_| self.file.flush())
            .with_context(|| format!("writing {}", self.path.display()))
    }
}

/// Reads a complete `samples.jsonl` (for merge, gate and report).
pub fn read_samples(path: &Path) -> Result<Vec<Sample>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: not a sample record", path.display(), i + 1))
        })
        .collect()
}

/// Ids already present, for skipping on resume.
pub fn done_ids(samples: &[Sample]) -> HashSet<&str> {
    samples.iter().map(|s| s.id.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str) -> Sample {
        Sample {
            id: id.into(),
            category: "c".into(),
            valid: true,
            output: "[]".into(),
            calls: Some(vec![]),
            error_type: None,
            error: None,
            prompt_tokens: 3,
            generated_tokens: 2,
            prefill_ms: 1.0,
            decode_ms: 2.0,
            prompt_truncated: false,
        }
    }

    #[test]
    fn resume_keeps_complete_lines_and_drops_a_torn_one() {
        let dir = std::env::temp_dir().join(format!("thimble-samples-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("samples.jsonl");
        let _ = std::fs::remove_file(&p);
        let (mut log, done) = SampleLog::open(&p, false).unwrap();
        assert!(done.is_empty());
        log.append(&sample("a")).unwrap();
        log.append(&sample("b")).unwrap();
        drop(log);
        // Simulate a kill in the middle of a write.
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"{\"id\":\"c\",\"cat").unwrap();
        drop(f);
        assert!(SampleLog::open(&p, false).is_err());
        let (mut log, done) = SampleLog::open(&p, true).unwrap();
        assert_eq!(
            done.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        log.append(&sample("c")).unwrap();
        let all = read_samples(&p).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[2].id, "c");
    }
}
