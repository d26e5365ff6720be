//! `thimble fuzz` and its properties at test-suite scale: the committed regression cases in
//! `tests/fuzz-regressions/` replay valid under `--constrain schema` (and the known open ones
//! in `open/` are checked to be still open); a few dozen generated
//! cases keep every mode's promise on the trained fixture and on a random-weight model;
//! shrinking reaches the minimal case; the CLI writes its summary and refuses bad input with
//! exit status 2. The 10,000-case runs live outside the suite (see the README).
//!
//! `cargo test -p thimble-harness --test fuzz`

mod common;

use common::{root, thimble};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use thimble_harness::fuzz::exec::{run_case, Failure, Target, Verdict};
use thimble_harness::fuzz::regression::{read_dir, Origin, RegressionCase};
use thimble_harness::fuzz::strategy::FuzzCase;
use thimble_harness::fuzz::validate::{check_output, Level};
use thimble_harness::fuzz::{fuzz, generate_case, FuzzConfig};
use thimble_runtime::constrain::{Constrain, Grammar, VocabIndex};
use thimble_runtime::generate::{parse_calls, TOOL_CALL};
use thimble_runtime::source::{self, Loaded};
use thimble_runtime::tools::normalize_tools_value;

/// A model and its mask index, loaded once per (model, tokenizer) and kept for the process.
struct Model {
    loaded: Loaded,
    vocab: VocabIndex,
}

/// Loaded models by (spec, tokenizer).
type Models = HashMap<(String, Option<String>), &'static Model>;

fn model(spec: &str, tokenizer: Option<&str>) -> &'static Model {
    static MODELS: OnceLock<Mutex<Models>> = OnceLock::new();
    let key = (spec.to_string(), tokenizer.map(str::to_string));
    let mut map = MODELS.get_or_init(Default::default).lock().unwrap();
    map.entry(key).or_insert_with(|| {
        // Relative paths in regression files are relative to the repository root.
        let resolve = |p: &str| {
            let path = Path::new(p);
            if path.is_relative() {
                root().join(path)
            } else {
                path.to_path_buf()
            }
        };
        let spec = if spec.starts_with("synthetic:") {
            spec.to_string()
        } else {
            resolve(spec).display().to_string()
        };
        let tok = tokenizer.map(resolve);
        let backend = thimble_runtime::backend_by_name("gemm", 1).unwrap();
        let loaded = source::load(&spec, backend, tok.as_deref())
            .unwrap_or_else(|e| panic!("loading {spec}: {e}"));
        let vocab = VocabIndex::new(loaded.tokenizer.as_ref().unwrap(), loaded.model.config());
        Box::leak(Box::new(Model { loaded, vocab }))
    })
}

fn target(m: &Model, max_tokens: usize) -> Target<'_> {
    Target {
        model: &m.loaded.model,
        tokenizer: m.loaded.tokenizer.as_ref().unwrap(),
        vocab: &m.vocab,
        max_tokens,
    }
}

const FIXTURE: &str = "fixtures/needle-tiny";
const TOKENIZER: &str = "fixtures/needle-tiny/tokenizer.model";
/// The random-weight model of the suite: the smallest preset, the fixture's vocabulary.
const SYNTHETIC: &str = "synthetic:needle1-micro:seed=7";

/// What the grammar and the oracles say about a case's *recorded* output, independent of the
/// model (so of the machine's floating point): whether the recorded mode's grammar accepts it,
/// and whether it is valid (fuzz validator at that mode's level, and the runtime's parser).
fn recorded_output(rc: &RegressionCase) -> Option<(bool, Result<(), String>)> {
    if matches!(rc.failed.verdict, Verdict::Crash | Verdict::Timeout) {
        return None;
    }
    let mode = rc.constrain().unwrap();
    let level = match mode {
        Constrain::Names => Level::Names,
        _ => Level::Schema,
    };
    let tools = normalize_tools_value(Value::Array(rc.tools.clone())).unwrap();
    let docs: Vec<Value> = serde_json::from_str(&tools.text).unwrap();
    let raw = &rc.failed.raw_text;
    let accepted = mode != Constrain::Off
        && raw.strip_prefix(TOOL_CALL).is_some_and(|body| {
            Grammar::compile(&tools, mode)
                .unwrap()
                .accepts(body.as_bytes())
        });
    let valid = check_output(raw, &docs, level)
        .map_err(|e| e.reason)
        .and_then(|_| parse_calls(raw, &tools).map(|_| ()));
    Some((accepted, valid))
}

/// Every committed case replays as a finished, schema-valid answer under `--constrain
/// schema`, and (when recorded in another mode) keeps that mode's promise too. Its recorded
/// output, if the grammar still accepts it, must be valid: that half does not depend on the
/// model reproducing the output bit for bit.
#[test]
fn committed_regressions_replay_valid() {
    let dir = root().join("harness/tests/fuzz-regressions");
    let cases = read_dir(&dir).unwrap();
    assert!(!cases.is_empty(), "no regression case in {}", dir.display());
    for (path, rc) in cases {
        if let Some((accepted, valid)) = recorded_output(&rc) {
            assert!(
                !accepted || valid.is_ok(),
                "{}: the grammar accepts the recorded output, which is invalid: {valid:?}",
                path.display()
            );
        }
        let m = model(&rc.model, rc.tokenizer.as_deref());
        let t = target(m, rc.max_tokens);
        let recorded = rc.constrain().unwrap();
        let mut modes = vec![Constrain::Schema];
        if recorded != Constrain::Schema {
            modes.push(recorded);
        }
        for mode in modes {
            let r = run_case(&t, &rc.case(), mode);
            assert!(
                r.failure().is_none(),
                "{} in {mode}: {:?} {:?}\n{}",
                path.display(),
                r.violation,
                r.detail,
                r.raw_text
            );
            if mode == Constrain::Schema {
                assert_eq!(
                    r.verdict,
                    Verdict::Valid,
                    "{}: {:?}\n{}",
                    path.display(),
                    r.detail,
                    r.raw_text
                );
            }
        }
    }
}

/// Cases in `fuzz-regressions/open/` are known, unfixed failures, not replayed above. Each
/// must still be open — its recorded invalid output still accepted by the grammar — so the fix
/// that closes one turns this test red until the case moves up and is replayed for good.
#[test]
fn open_regressions_are_still_open() {
    let dir = root().join("harness/tests/fuzz-regressions/open");
    for (path, rc) in read_dir(&dir).unwrap() {
        let (accepted, valid) = recorded_output(&rc).expect("open cases record an output");
        assert!(
            accepted && valid.is_err(),
            "{} looks fixed (grammar accepts: {accepted}, valid: {valid:?}); move it to {}",
            path.display(),
            dir.parent().unwrap().display()
        );
    }
}

fn small_run(spec: &str, tokenizer: Option<&str>, cases: u64, seed: u64) {
    let m = model(spec, tokenizer);
    let t = target(m, 96);
    let cfg = FuzzConfig {
        cases,
        seed,
        modes: Constrain::ALL.to_vec(),
        shrink_iters: 64,
        max_regressions: 1,
        progress: false,
    };
    let mut failures = Vec::new();
    let stats = fuzz(&t, &cfg, |s| {
        failures.push(format!(
            "{spec} {} case {}: {:?} {:?}\ntools {}\nquery {:?}\noutput {}",
            s.mode,
            s.index,
            s.result.violation,
            s.result.detail,
            Value::Array(s.case.tools.clone()),
            s.case.query,
            s.result.raw_text
        ));
        Ok(String::new())
    })
    .unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    for st in &stats {
        assert_eq!(st.cases, cases);
        assert!(st.holds(), "{st:?}");
        assert_eq!(
            st.valid.num + st.invalid.num + st.timeout.num + st.crash.num,
            cases
        );
    }
    let schema = stats.iter().find(|s| s.mode == "schema").unwrap();
    assert_eq!(schema.invalid.num, 0, "{schema:?}");
    // The strategies do reach the grammar's fallbacks.
    assert!(schema.cases_with_warnings > 0, "{schema:?}");
}

#[test]
fn generated_cases_keep_every_promise_on_the_fixture() {
    small_run(FIXTURE, None, 24, 11);
}

#[test]
fn generated_cases_keep_every_promise_on_a_random_model() {
    small_run(SYNTHETIC, Some(TOKENIZER), 48, 12);
}

/// A case is a pure function of (seed, index): regenerating it needs no earlier case.
#[test]
fn cases_are_reproducible() {
    let a: Vec<FuzzCase> = (0..8).map(|i| generate_case(5, i).unwrap()).collect();
    let b: Vec<FuzzCase> = (0..8).rev().map(|i| generate_case(5, i).unwrap()).collect();
    assert!(a.iter().eq(b.iter().rev()));
    assert_ne!(a[0], a[1]);
    assert_ne!(generate_case(6, 0).unwrap(), a[0]);
}

/// A failure on every input (the decoder limit exceeded: generation errors at once) shrinks to
/// the simplest case the strategies have, and is recorded as a readable regression file.
#[test]
fn failures_shrink_to_a_minimal_case_and_round_trip() {
    let m = model(FIXTURE, None);
    let too_long = m.loaded.model.config().max_decoder_tokens + 1;
    let t = target(m, too_long);
    let cfg = FuzzConfig {
        cases: 3,
        seed: 3,
        modes: vec![Constrain::Schema],
        shrink_iters: 512,
        max_regressions: 1,
        progress: false,
    };
    let out = std::env::temp_dir().join(format!("thimble-fuzz-test-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let mut written = Vec::new();
    let stats = fuzz(&t, &cfg, |s| {
        assert_eq!(s.result.failure(), Some(Failure::Crash));
        let rc = RegressionCase::new(
            FIXTURE,
            None,
            s.mode,
            too_long,
            &s.case,
            &s.result,
            Origin {
                seed: Some(cfg.seed),
                case: Some(s.index),
                shrink_steps: s.steps,
                ..Origin::default()
            },
        )
        .unwrap();
        let path = rc.write(&out)?;
        written.push((path, rc));
        Ok("x".into())
    })
    .unwrap();
    assert_eq!(stats[0].crash.num, 3);
    assert_eq!(stats[0].regressions.len(), 1);
    assert_eq!(stats[0].unshrunk_failures, 2);
    let (path, rc) = &written[0];
    assert_eq!(
        rc.case(),
        FuzzCase {
            tools: vec![],
            query: String::new()
        }
    );
    assert!(rc.failed.reason.contains("requested generation"), "{rc:?}");
    assert_eq!(&RegressionCase::read(path).unwrap(), rc);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn cli_writes_summary_regressions_dir_and_table() {
    let out = std::env::temp_dir().join(format!("thimble-fuzz-cli-{}", std::process::id()));
    let o = thimble(&[
        "fuzz",
        "--cases",
        "3",
        "--seed",
        "1",
        "--threads",
        "1",
        "--max-tokens",
        "64",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for mode in ["| off |", "| names |", "| schema |"] {
        assert!(stdout.contains(mode), "{stdout}");
    }
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["model"], "fixtures/needle-tiny");
    assert_eq!(summary["cases"], 3);
    assert_eq!(summary["seed"], 1);
    assert!(summary["build"]["git_commit"].is_string());
    assert_eq!(summary["modes"].as_array().unwrap().len(), 3);
    assert_eq!(summary["modes"][2]["mode"], "schema");
    assert_eq!(summary["modes"][2]["invalid"]["den"], 3);
    assert!(out.join("regressions").is_dir());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn cli_refuses_bad_input_with_status_2() {
    let tmp = std::env::temp_dir().join(format!("thimble-fuzz-bad-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let file = tmp.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let under_file = file.join("out");
    let out = tmp.join("out");
    for (args, needle) in [
        (vec!["--constrain", "full"], "off, names or schema"),
        (vec!["--constrain", "schema,"], "off, names or schema"),
        (vec!["--cases", "0"], "--cases must be at least 1"),
        (vec!["--max-tokens", "100000"], "--max-tokens"),
        (vec!["--model", "no/such/model"], "no/such/model"),
        (vec!["--model", "synthetic:needle1-micro"], "--tokenizer"),
    ] {
        let mut all = vec!["fuzz", "--out", out.to_str().unwrap()];
        all.extend(args.iter().copied());
        let o = thimble(&all);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    let o = thimble(&["fuzz", "--out", under_file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("creating") && stderr.contains("a-file"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&tmp).unwrap();
}
