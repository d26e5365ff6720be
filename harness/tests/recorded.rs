//! `thimble run --model recorded:DIR` on a hand-written recording (harness/tests/data/
//! recorded-fake/): the verdicts of correct, wrong, unparsable and empty outputs, agreement
//! with `thimble score --format prompt` on BFCL, `--limit`/`--shard` on a partial recording,
//! and exit 2 with a message naming the problem for each kind of unusable recording. Also that
//! `thimble score` reads BFCL's own result files (`{"id", "result", ...}` lines).

mod common;

use common::{root, thimble, tmp};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

const SUITE: &str = "harness/tests/data/recorded-suite.jsonl";
const RECORDING: &str = "harness/tests/data/recorded-fake";

/// A private copy of the committed recording, to damage.
fn copy_recording(name: &str) -> PathBuf {
    let dir = tmp(name).join("rec");
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(root().join(RECORDING)).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    dir
}

fn run_recorded(recording: &Path, suite: &str, out: &Path, extra: &[&str]) -> Output {
    let model = format!("recorded:{}", recording.display());
    let mut args = vec![
        "run",
        "--model",
        &model,
        "--suite",
        suite,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    thimble(&args)
}

fn samples(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("samples.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn summary(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

/// Runs and expects exit 2 with every one of `want` in stderr, and no panic.
fn expect_exit_2(r: &Output, want: &[&str]) {
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "stderr: {err}");
    for w in want {
        assert!(err.contains(w), "stderr lacks `{w}`: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_recording_scores_like_a_live_run() {
    let out = tmp("scores");
    let r = run_recorded(Path::new(RECORDING), SUITE, &out, &[]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let got: Vec<(String, bool, Option<String>)> = samples(&out)
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["valid"].as_bool().unwrap(),
                s["error_type"].as_str().map(str::to_string),
            )
        })
        .collect();
    let want = [
        // A correct call.
        ("r1", true, None),
        // The right tool with a wrong value.
        ("r2", false, Some("calls_mismatch")),
        // `[]` where no call is expected.
        ("r3", true, None),
        // Prose: not a Python call list.
        ("r4", false, Some("decode:syntax")),
        // Both calls, in another order, inside a bare code fence (BFCL strips backticks).
        ("r5", true, None),
        // `[]` where a call is expected.
        ("r6", false, Some("call_missing")),
    ];
    let want: Vec<(String, bool, Option<String>)> = want
        .iter()
        .map(|(id, v, e)| (id.to_string(), *v, e.map(str::to_string)))
        .collect();
    assert_eq!(got, want);
    let s = samples(&out);
    // Raw outputs and recorded timings are carried over; calls are the decoded Python list.
    assert_eq!(s[1]["output"], "[get_weather(city='London')]");
    assert_eq!(s[1]["calls"][0]["arguments"]["city"], "London");
    assert_eq!(s[0]["prompt_tokens"], 310);
    assert_eq!(s[0]["decode_ms"], 55.0);
    assert!(s[3]["calls"].is_null());
    assert_eq!(s[5]["prompt_truncated"], true);

    let sum = summary(&out);
    assert_eq!(sum["complete"], true);
    assert_eq!(sum["counts"]["accuracy"]["num"], 3);
    assert_eq!(sum["counts"]["accuracy"]["den"], 6);
    assert_eq!(sum["prompt_truncated"], 1);
    let run = &sum["provenance"]["run"];
    assert_eq!(run["backend"], "recorded");
    assert_eq!(run["model"]["name"], "Fake-1M-Test");
    assert_eq!(run["model"]["parameters"], 1_000_000);
    assert_eq!(run["model"]["dtype"], "Q4_1");
    assert_eq!(run["model"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        run["model"]["source"],
        "recorded:harness/tests/data/recorded-fake"
    );
    assert_eq!(run["recording"]["file"], "recorded-suite.jsonl");
    assert_eq!(run["host"]["cpu_model"], "hand-written");
    // Throughput comes from the recorded timings: 53 generated tokens over the summed decode time.
    let tp = &sum["throughput"];
    assert_eq!(tp["generated_tokens"], 53);
    let decode_s = (55.0 + 50.0 + 12.0 + 70.0 + 120.0 + 12.0) / 1000.0;
    assert!((tp["decode_tok_s"].as_f64().unwrap() - 53.0 / decode_s).abs() < 1e-6);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn bfcl_recordings_get_the_verdicts_of_thimble_score() {
    let out = tmp("bfcl");
    let r = run_recorded(
        Path::new(RECORDING),
        "bfcl:simple_python",
        &out,
        &["--limit", "3"],
    );
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let s = samples(&out);
    assert_eq!(s.len(), 3);
    let verdicts = out.join("score-verdicts.jsonl");
    let r = thimble(&[
        "score",
        "--suite",
        "bfcl:simple_python",
        "--format",
        "prompt",
        "--outputs",
        &format!("{RECORDING}/bfcl-simple_python.jsonl"),
        "--out",
        verdicts.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let scored: Vec<Value> = std::fs::read_to_string(&verdicts)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for (run, score) in s.iter().zip(&scored) {
        assert_eq!(run["id"], score["id"]);
        assert_eq!(run["valid"], score["valid"], "{}", run["id"]);
        assert_eq!(run["error_type"], score["error_type"], "{}", run["id"]);
    }
    // A correct call; a float for an integer parameter; a ```python fence (BFCL cannot parse).
    assert_eq!(s[0]["valid"], true);
    assert_eq!(s[1]["error_type"], "type_error:simple");
    assert_eq!(s[2]["error_type"], "ast_decoder:decoder_failed");
    assert_eq!(summary(&out)["counts"]["bfcl_accuracy"]["den"], 3);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn a_resume_may_extend_the_selection_but_not_shrink_it() {
    let out = tmp("resume-limit");
    let rec = root().join(RECORDING);
    let r = run_recorded(&rec, SUITE, &out, &["--limit", "4"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let r = run_recorded(&rec, SUITE, &out, &["--limit", "2", "--resume"]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        !r.status.success() && err.contains("2 of the 4 samples") && !err.contains("panicked"),
        "{err}"
    );
    assert_eq!(samples(&out).len(), 4, "nothing may be appended");
    let r = run_recorded(&rec, SUITE, &out, &["--limit", "6", "--resume"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(samples(&out).len(), 6);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn limit_and_shard_need_only_the_selected_ids() {
    let rec = copy_recording("partial");
    let file = rec.join("recorded-suite.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    // Drop r6, the last example.
    let kept: String = text.lines().take(5).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, kept).unwrap();
    let out = tmp("partial-limit");
    let r = run_recorded(&rec, SUITE, &out, &["--limit", "5"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(samples(&out).len(), 5);
    // Shard 1/2 is r1, r3, r5.
    let out = tmp("partial-shard");
    let r = run_recorded(&rec, SUITE, &out, &["--shard", "1/2"]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let ids: Vec<String> = samples(&out)
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["r1", "r3", "r5"]);
    // The whole suite needs r6.
    let out = tmp("partial-all");
    let r = run_recorded(&rec, SUITE, &out, &[]);
    expect_exit_2(
        &r,
        &[
            "recorded-suite.jsonl is incomplete",
            "1 of the 6 selected example(s)",
            "missing: r6",
        ],
    );
    let _ = std::fs::remove_dir_all(rec.parent().unwrap());
}

#[test]
fn with_no_flags_the_recorded_selection_is_scored() {
    let rec = copy_recording("selection");
    let file = rec.join("recorded-suite.jsonl");
    let text = std::fs::read_to_string(&file).unwrap();
    // Keep r1, r3, r5: what `record.py --shard 1/2` records.
    let kept: String = text.lines().step_by(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, kept).unwrap();
    let meta = rec.join("meta.json");
    let mut m: Value = serde_json::from_str(&std::fs::read_to_string(&meta).unwrap()).unwrap();
    m["suites"]["recorded-suite.jsonl"]["selection"] =
        serde_json::json!({"shard": "1/2", "limit": null});
    std::fs::write(&meta, serde_json::to_string(&m).unwrap()).unwrap();
    let out = tmp("selection-out");
    let r = run_recorded(&rec, SUITE, &out, &[]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{err}");
    assert!(err.contains("--shard 1/2; from meta.json"), "{err}");
    let ids: Vec<String> = samples(&out)
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["r1", "r3", "r5"]);
    assert_eq!(summary(&out)["provenance"]["run"]["shard"], "1/2");
    // An explicit selection still wins: the whole suite needs r2.
    let r = run_recorded(&rec, SUITE, &tmp("selection-limit"), &["--limit", "2"]);
    expect_exit_2(&r, &["missing: r2"]);
    // A selection of the wrong shape is named.
    m["suites"]["recorded-suite.jsonl"]["selection"] = serde_json::json!({"limit": "ten"});
    std::fs::write(&meta, serde_json::to_string(&m).unwrap()).unwrap();
    let r = run_recorded(&rec, SUITE, &tmp("selection-bad"), &[]);
    expect_exit_2(&r, &["meta.json's selection"]);
    for bad in [
        serde_json::json!("1/2"),
        serde_json::json!({"shard": "0/2"}),
    ] {
        m["suites"]["recorded-suite.jsonl"]["selection"] = bad;
        std::fs::write(&meta, serde_json::to_string(&m).unwrap()).unwrap();
        let r = run_recorded(&rec, SUITE, &tmp("selection-bad"), &[]);
        expect_exit_2(&r, &["meta.json's selection"]);
    }
    let _ = std::fs::remove_dir_all(rec.parent().unwrap());
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn an_id_the_suite_lacks_is_a_mismatch() {
    let rec = copy_recording("mismatch");
    let file = rec.join("recorded-suite.jsonl");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\"id\":\"r2\"", "\"id\":\"zz9\"");
    std::fs::write(&file, text).unwrap();
    let r = run_recorded(&rec, SUITE, &tmp("mismatch-out"), &[]);
    expect_exit_2(
        &r,
        &[
            "does not match suite",
            "1 recorded id(s) are not in the suite (zz9)",
            "1 of the 6 selected example(s) are missing (r2)",
        ],
    );
    let _ = std::fs::remove_dir_all(rec.parent().unwrap());
}

#[test]
fn a_torn_last_line_is_named_by_file_and_line() {
    let rec = copy_recording("torn");
    let file = rec.join("recorded-suite.jsonl");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("{\"id\":\"r7\",\"outp");
    std::fs::write(&file, text).unwrap();
    let r = run_recorded(&rec, SUITE, &tmp("torn-out"), &[]);
    expect_exit_2(&r, &["recorded-suite.jsonl:7: torn last line"]);
    let _ = std::fs::remove_dir_all(rec.parent().unwrap());
}

#[test]
fn a_missing_meta_json_or_suite_file_is_named() {
    let rec = copy_recording("nometa");
    std::fs::remove_file(rec.join("meta.json")).unwrap();
    let r = run_recorded(&rec, SUITE, &tmp("nometa-out"), &[]);
    expect_exit_2(
        &r,
        &["no meta.json", &rec.join("meta.json").display().to_string()],
    );
    let _ = std::fs::remove_dir_all(rec.parent().unwrap());

    let r = run_recorded(
        Path::new(RECORDING),
        "assistant:test",
        &tmp("nosuite-out"),
        &[],
    );
    expect_exit_2(
        &r,
        &[
            "suite assistant:test was not recorded",
            "expected file assistant-test.jsonl",
            "bfcl-simple_python.jsonl, recorded-suite.jsonl",
        ],
    );
    let r = run_recorded(
        Path::new("no/such/recording"),
        SUITE,
        &tmp("nodir-out"),
        &[],
    );
    expect_exit_2(&r, &["no/such/recording does not exist"]);
}

#[test]
fn a_changed_suite_or_live_only_options_are_refused() {
    let rec = copy_recording("stale");
    let meta = rec.join("meta.json");
    let text = std::fs::read_to_string(&meta)
        .unwrap()
        .replace("586c0308", "deadbeef");
    std::fs::write(&meta, text).unwrap();
    let r = run_recorded(&rec, SUITE, &tmp("stale-out"), &[]);
    expect_exit_2(&r, &["recorded from another version of suite"]);
    let _ = std::fs::remove_dir_all(rec.parent().unwrap());

    for (flag, value) in [
        ("--transform", "shuffle-tools"),
        ("--constrain", "names"),
        ("--max-tokens", "8"),
    ] {
        let r = run_recorded(
            Path::new(RECORDING),
            SUITE,
            &tmp("live-only"),
            &[flag, value],
        );
        expect_exit_2(&r, &[flag]);
    }
}

#[test]
fn thimble_score_reads_bfcl_result_files() {
    // BFCL writes `{"id", "result", "inference_log", "input_token_count", ...}` per line; the
    // extra fields are ignored and `result` is the model's raw text.
    let dir = tmp("result-file");
    std::fs::create_dir_all(&dir).unwrap();
    let results = dir.join("BFCL_v4_simple_python_result.json");
    std::fs::write(
        &results,
        concat!(
            r#"{"id": "simple_python_0", "result": "[calculate_triangle_area(base=10, height=5, unit='units')]", "inference_log": [], "input_token_count": 512, "output_token_count": 20, "latency": 0.4}"#,
            "\n",
            r#"{"id": "simple_python_1", "result": "I cannot help with that.", "input_token_count": 500, "output_token_count": 7, "latency": 0.2}"#,
            "\n",
        ),
    )
    .unwrap();
    let verdicts = dir.join("verdicts.jsonl");
    let r = thimble(&[
        "score",
        "--suite",
        "bfcl:simple_python",
        "--format",
        "prompt",
        "--outputs",
        results.to_str().unwrap(),
        "--out",
        verdicts.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let stdout = String::from_utf8_lossy(&r.stdout);
    assert!(stdout.contains("1/2 correct"), "{stdout}");
    let lines: Vec<Value> = std::fs::read_to_string(&verdicts)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[1]["error_type"], "ast_decoder:decoder_failed");
    let _ = std::fs::remove_dir_all(&dir);
}
