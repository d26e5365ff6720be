//! `thimble run --model recorded:DIR`: scores a recording of a real model (made by
//! `baselines/record.py`) with no model loaded, and writes a normal run directory.
//!
//! A recording directory holds `meta.json` (model, GGUF sha256, quantization, prompt, sampling,
//! host) and one `<suite-file>.jsonl` per suite (`assistant-test.jsonl`,
//! `bfcl-simple_python.jsonl`), each line `{"id", "output", "prompt_tokens",
//! "generated_tokens", "prefill_ms", "decode_ms"[, "prompt_truncated"]}`. The outputs are BFCL
//! prompt-format Python call lists, so they are decoded with the decoder that
//! `thimble score --format prompt` uses; BFCL examples get that command's exact verdict, Needle
//! style suites (the assistant suite) the exact-match judge of live runs. Anything that makes
//! the recording unusable for the selected examples is an error that exits 2.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use thimble_runtime::constrain::Constrain;

use super::judge::{self, needle_expected, Judged};
use super::samples::{done_ids, Sample};
use super::{parse_shard, select, write_summary, RunArgs};
use crate::bfcl::score::decode_output;
use crate::bfcl::{score_output, NameMapping, OutputFormat, ScoreOptions};
use crate::decode::{python::decode_python, to_calls};
use crate::provenance;
use crate::suite::{Example, Expected, Suite};

/// The `--model` prefix that selects a recording instead of a model.
pub const PREFIX: &str = "recorded:";

/// How many ids an error message names before it says "and N more".
const SHOW_IDS: usize = 5;

/// The recording directory named by `--model`, if it names one.
pub fn recording_dir(model: &str) -> Option<&Path> {
    model.strip_prefix(PREFIX).map(Path::new)
}

/// Scores the recording in `dir`; an error is reported and exits 2 (unusable input, as
/// `thimble gate` does), which `main` cannot tell apart from other failures of `run`.
pub fn run_or_exit(args: &RunArgs, dir: &Path) -> Result<()> {
    if let Err(e) = run(args, dir) {
        eprintln!("error: {e:#}");
        std::process::exit(2);
    }
    Ok(())
}

/// The file a recording keeps suite `addr` in: `bfcl:<cat>` → `bfcl-<cat>.jsonl`,
/// `<name>:<split>` → `<name>-<split>.jsonl`, a suite file → its own file name, `.jsonl`.
/// The same mapping is in `baselines/record.py`.
pub fn recording_file_name(addr: &str) -> String {
    if let Some(cat) = addr.strip_prefix("bfcl:") {
        return format!("bfcl-{cat}.jsonl");
    }
    let path = Path::new(addr);
    // Resolution order as in `resolve::load_suite`: an existing file wins over `name:split`.
    if path.is_file() {
        let stem = path
            .file_stem()
            .map_or_else(|| addr.to_string(), |s| s.to_string_lossy().into_owned());
        return format!("{stem}.jsonl");
    }
    match addr.split_once(':') {
        Some((name, split)) => format!("{name}-{split}.jsonl"),
        None => format!("{addr}.jsonl"),
    }
}

/// One recorded example, as `baselines/record.py` writes it.
#[derive(Debug, Clone, Deserialize)]
struct Recorded {
    id: String,
    output: String,
    prompt_tokens: usize,
    generated_tokens: usize,
    prefill_ms: f64,
    decode_ms: f64,
    #[serde(default)]
    prompt_truncated: bool,
}

/// Reads a recording file. A last line without its newline is an interrupted write: an error
/// naming file and line (the recorder drops it and redoes the example when resumed).
fn read_recording(path: &Path) -> Result<Vec<Recorded>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading recording {}", path.display()))?;
    let mut out = Vec::new();
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut rest = text.as_str();
    let mut line_no = 0;
    while !rest.is_empty() {
        line_no += 1;
        let Some((line, tail)) = rest.split_once('\n') else {
            bail!(
                "{}:{line_no}: torn last line (no newline at its end: the recording was \
                 interrupted mid-write); resume it with baselines/record.py, which drops that \
                 line and records the example again",
                path.display()
            );
        };
        rest = tail;
        if line.trim().is_empty() {
            continue;
        }
        let r: Recorded = serde_json::from_str(line).with_context(|| {
            format!(
                "{}:{line_no}: not a recorded sample (need id, output, prompt_tokens, \
                 generated_tokens, prefill_ms, decode_ms)",
                path.display()
            )
        })?;
        if let Some(first) = first_line.insert(r.id.clone(), line_no) {
            bail!(
                "{}:{line_no}: id `{}` recorded twice (first on line {first})",
                path.display(),
                r.id
            );
        }
        out.push(r);
    }
    Ok(out)
}

/// `a, b, c and N more`.
fn list_ids<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> String {
    let n = ids.len();
    let mut s = ids.take(SHOW_IDS).collect::<Vec<_>>().join(", ");
    if n > SHOW_IDS {
        s.push_str(&format!(" and {} more", n - SHOW_IDS));
    }
    s
}

/// Checks that the recording covers exactly the suite: no id the suite lacks, every selected
/// id present.
fn check_ids(
    file: &Path,
    suite: &Suite,
    selected: &[Example],
    recorded: &[Recorded],
) -> Result<()> {
    let suite_ids: HashSet<&str> = suite.examples.iter().map(|e| e.id.as_str()).collect();
    let have: HashSet<&str> = recorded.iter().map(|r| r.id.as_str()).collect();
    let unknown: Vec<&str> = recorded
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !suite_ids.contains(id))
        .collect();
    let missing: Vec<&str> = selected
        .iter()
        .map(|e| e.id.as_str())
        .filter(|id| !have.contains(id))
        .collect();
    if !unknown.is_empty() {
        let mut msg = format!(
            "{} does not match suite {}: {} recorded id(s) are not in the suite ({})",
            file.display(),
            suite.name,
            unknown.len(),
            list_ids(unknown.iter().copied())
        );
        if !missing.is_empty() {
            msg.push_str(&format!(
                ", and {} of the {} selected example(s) are missing ({})",
                missing.len(),
                selected.len(),
                list_ids(missing.iter().copied())
            ));
        }
        bail!("{msg}; was it recorded from another suite or suite version?");
    }
    if !missing.is_empty() {
        bail!(
            "{} is incomplete: {} of the {} selected example(s) of {} were not recorded \
             (missing: {}); {} recorded. Finish the recording with baselines/record.py, or \
             select recorded examples only with --limit/--shard",
            file.display(),
            missing.len(),
            selected.len(),
            suite.name,
            list_ids(missing.iter().copied()),
            recorded.len()
        );
    }
    Ok(())
}

/// Reads `meta.json` and checks the fields the summary's provenance needs.
fn read_meta(dir: &Path) -> Result<Value> {
    let path = dir.join("meta.json");
    if !path.is_file() {
        bail!(
            "{}: no meta.json in the recording directory (expected {}; \
             baselines/record.py writes it next to the recorded suites)",
            dir.display(),
            path.display()
        );
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let meta: Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    for key in ["model", "gguf_sha256"] {
        if meta[key].as_str().is_none_or(str::is_empty) {
            bail!("{}: missing string field `{key}`", path.display());
        }
    }
    if !meta["parameters"].is_null() && meta["parameters"].as_u64().is_none() {
        bail!(
            "{}: `parameters` must be a non-negative integer, found {}",
            path.display(),
            meta["parameters"]
        );
    }
    Ok(meta)
}

/// Decodes a recorded output as BFCL prompt format and judges it like a live run would.
fn judge_recorded(ex: &Example, output: &str) -> Judged {
    match needle_expected(ex) {
        Some(expected) => {
            let decoded = decode_python(output).map(|calls| to_calls(&calls));
            judge::judge_needle(ex, expected, decoded).0
        }
        None => {
            // `thimble score --format prompt`'s path, so verdicts agree with it (and with the
            // official checker) exactly; the decoded calls are only shown in samples.jsonl.
            let relevance = matches!(ex.expected, Expected::NoCall | Expected::AnyCall);
            let calls = decode_output(&ex.category, output, OutputFormat::Prompt, relevance)
                .ok()
                .map(|c| to_calls(&c));
            let v = score_output(
                ex,
                output,
                ScoreOptions {
                    format: OutputFormat::Prompt,
                    mapping: NameMapping::default(),
                },
            );
            Judged {
                valid: v.valid,
                calls,
                error_type: v.error_type,
                error: v.error,
            }
        }
    }
}

/// The selection to score: `--limit`/`--shard` when either is given, else the one the recording
/// was made with (`suites.<file>.selection` in meta.json), so that a sampled recording scores
/// as recorded with no flags. Returns the shard as given (`K/N`) and the limit.
fn effective_selection(
    args: &RunArgs,
    suite_meta: &Value,
    file: &Path,
) -> Result<(Option<String>, Option<usize>)> {
    if args.shard.is_some() || args.limit.is_some() {
        return Ok((args.shard.clone(), args.limit));
    }
    let sel = &suite_meta["selection"];
    if sel.is_null() {
        return Ok((None, None));
    }
    let bad = || {
        anyhow!(
            "{}: meta.json's selection {sel} is not {{\"shard\": \"K/N\" or null, \"limit\": N or null}}",
            file.display()
        )
    };
    if !sel.is_object() {
        return Err(bad());
    }
    let shard = match &sel["shard"] {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        _ => return Err(bad()),
    };
    let limit = match &sel["limit"] {
        Value::Null => None,
        v => Some(v.as_u64().ok_or_else(bad)? as usize),
    };
    let mut what = Vec::new();
    if let Some(s) = &shard {
        what.push(format!("--shard {s}"));
    }
    if let Some(n) = limit {
        what.push(format!("--limit {n}"));
    }
    eprintln!(
        "{}: scoring the recorded selection ({}; from meta.json)",
        file.display(),
        what.join(" ")
    );
    Ok((shard, limit))
}

/// Options of `thimble run` that need a live model, refused rather than silently ignored.
fn refuse_live_only_options(args: &RunArgs) -> Result<()> {
    if args.transform.is_some() {
        bail!("--transform needs a live model: a recording holds outputs for the suite's own prompts only");
    }
    if args.constrain != Constrain::Off {
        bail!("--constrain needs a live model: recordings are unconstrained greedy outputs");
    }
    if args.max_tokens.is_some() {
        bail!("--max-tokens does not apply to a recording (its token limit is in meta.json: sampling.max_new_tokens)");
    }
    Ok(())
}

pub fn run(args: &RunArgs, dir: &Path) -> Result<()> {
    refuse_live_only_options(args)?;
    let suite = crate::resolve::load_suite(&args.suite)?;
    let shard = args.shard.as_deref().map(parse_shard).transpose()?;
    if !dir.is_dir() {
        bail!("recording directory {} does not exist", dir.display());
    }
    let meta = read_meta(dir)?;
    let file_name = recording_file_name(&args.suite);
    let file = dir.join(&file_name);
    if !file.is_file() {
        let mut have: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".jsonl"))
            .collect();
        have.sort();
        bail!(
            "{}: suite {} was not recorded (expected file {file_name}; recorded: {})",
            file.display(),
            suite.name,
            if have.is_empty() {
                "none".to_string()
            } else {
                have.join(", ")
            }
        );
    }
    let suite_meta = &meta["suites"][&file_name];
    if let Some(sha) = suite_meta["suite_sha256"].as_str() {
        if sha != suite.sha256 {
            bail!(
                "{}: recorded from another version of suite {} (sha256 {sha} in meta.json, {} now); re-record it",
                file.display(),
                suite.name,
                suite.sha256
            );
        }
    }
    let recorded = read_recording(&file)?;
    let (shard_arg, limit) = effective_selection(args, suite_meta, &file)?;
    let shard = match &shard_arg {
        Some(s) if shard.is_none() => Some(
            parse_shard(s).with_context(|| format!("{}: meta.json's selection", file.display()))?,
        ),
        _ => shard,
    };
    let examples = select(&suite, shard, limit);
    check_ids(&file, &suite, &examples, &recorded)?;
    let by_id: HashMap<&str, &Recorded> = recorded.iter().map(|r| (r.id.as_str(), r)).collect();

    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let started = provenance::now_rfc3339();
    let run_meta = json!({
        "suite": suite.name,
        "suite_sha256": suite.sha256,
        "shard": shard_arg,
        "limit": limit,
        "model": {
            "source": format!("{PREFIX}{}", dir.display()),
            "name": meta["model"],
            "sha256": meta["gguf_sha256"],
            "dtype": meta["quantization"],
            "parameters": meta["parameters"],
            "licence": meta["licence"],
        },
        "backend": "recorded",
        "threads": meta["n_threads"],
        "max_tokens": meta["sampling"]["max_new_tokens"],
        "constrain": Constrain::Off.as_str(),
        "transform": Value::Null,
        "transform_seed": Value::Null,
        // The machine that ran the model; the scoring machine does not affect any number.
        "host": meta["host"],
        "build": provenance::build(),
        "recording": {
            "dir": dir.display().to_string(),
            "file": file_name,
            "file_sha256": provenance::sha256_file(&file)
                .with_context(|| format!("hashing {}", file.display()))?,
            "meta": meta,
        },
    });
    if args.resume {
        super::resume::check(out, &run_meta)?;
    }
    let (mut log, mut done) = super::resume::open_samples(out, &run_meta, &examples, args.resume)?;
    let ids = done_ids(&done);
    let todo: Vec<&Example> = examples
        .iter()
        .filter(|e| !ids.contains(e.id.as_str()))
        .collect();
    for ex in todo {
        let r = by_id
            .get(ex.id.as_str())
            .ok_or_else(|| anyhow!("{}: id `{}` vanished", file.display(), ex.id))?;
        let judged = judge_recorded(ex, &r.output);
        let s = Sample {
            id: ex.id.clone(),
            category: ex.category.clone(),
            valid: judged.valid,
            output: r.output.clone(),
            calls: judged.calls,
            error_type: judged.error_type,
            error: judged.error,
            prompt_tokens: r.prompt_tokens,
            generated_tokens: r.generated_tokens,
            prefill_ms: r.prefill_ms,
            decode_ms: r.decode_ms,
            prompt_truncated: r.prompt_truncated,
        };
        log.append(&s)?;
        done.push(s);
    }
    write_summary(out, &run_meta, &done, &examples, &started)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_addresses_map_to_recording_files() {
        assert_eq!(
            recording_file_name("bfcl:simple_python"),
            "bfcl-simple_python.jsonl"
        );
        assert_eq!(
            recording_file_name("assistant:test"),
            "assistant-test.jsonl"
        );
        assert_eq!(
            recording_file_name("assistant:heldout-tools"),
            "assistant-heldout-tools.jsonl"
        );
        assert_eq!(
            recording_dir("recorded:baselines/x"),
            Some(Path::new("baselines/x"))
        );
        assert_eq!(recording_dir("fixtures/needle-tiny"), None);
    }

    #[test]
    fn a_torn_last_line_is_named() {
        let dir = std::env::temp_dir().join(format!("thimble-recorded-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("torn.jsonl");
        let line = r#"{"id":"a","output":"[]","prompt_tokens":1,"generated_tokens":1,"prefill_ms":1,"decode_ms":1}"#;
        std::fs::write(&p, format!("{line}\n{{\"id\":\"b\",\"out")).unwrap();
        let e = format!("{:#}", read_recording(&p).unwrap_err());
        assert!(e.contains("torn.jsonl:2: torn last line"), "{e}");
        std::fs::write(&p, format!("{line}\n\n")).unwrap();
        assert_eq!(read_recording(&p).unwrap().len(), 1);
        std::fs::write(&p, format!("{line}\n{line}\n")).unwrap();
        let e = format!("{:#}", read_recording(&p).unwrap_err());
        assert!(e.contains("recorded twice (first on line 1)"), "{e}");
    }

    #[test]
    fn id_lists_are_cut_short() {
        let ids = ["a", "b", "c", "d", "e", "f", "g"];
        assert_eq!(list_ids(ids.iter().copied()), "a, b, c, d, e and 2 more");
        assert_eq!(list_ids(ids[..2].iter().copied()), "a, b");
    }
}
