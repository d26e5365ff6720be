//! `thimble gate` through the binary, on synthesized run directories and bench files whose
//! verdicts and timings are fully controlled: exit 0 on identical or noise-level differences,
//! 1 on a real regression, 2 on unusable input; Markdown and JUnit outputs are well-formed.

mod common;

use common::{thimble, tmp_dir};
use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};

/// The category names include markup characters so the report escaping is exercised.
const CATEGORIES: [&str; 4] = ["simple", "multiple", "no_call", "odd <&\"'> | cat"];

/// One example's verdict: (valid, decoded).
type Verdict = (bool, bool);

/// 400 examples, 90% valid, every output decodable.
fn baseline_verdicts() -> Vec<Verdict> {
    (0..400).map(|i| (i % 10 != 0, true)).collect()
}

/// Writes a run directory with the given verdicts and summary throughput.
fn write_run(dir: &Path, verdicts: &[Verdict], prefill_tok_s: f64, decode_tok_s: f64) {
    std::fs::create_dir_all(dir).unwrap();
    let mut lines = String::new();
    for (i, &(valid, decoded)) in verdicts.iter().enumerate() {
        let s = json!({
            "id": format!("ex{i:04}"),
            "category": CATEGORIES[i % CATEGORIES.len()],
            "valid": valid,
            "output": "[]",
            "calls": if decoded { json!([]) } else { Value::Null },
            "error_type": if valid { Value::Null } else { json!("wrong_call") },
            "prompt_tokens": 40,
            "generated_tokens": 8,
            "prefill_ms": 1.0,
            "decode_ms": 2.0,
            "prompt_truncated": false,
        });
        lines.push_str(&s.to_string());
        lines.push('\n');
    }
    std::fs::write(dir.join("samples.jsonl"), lines).unwrap();
    let n = verdicts.len() as f64;
    let valid = verdicts.iter().filter(|v| v.0).count() as f64;
    let summary = json!({
        "complete": true,
        "examples": verdicts.len(),
        "samples": verdicts.len(),
        "metrics": {"accuracy": valid / n, "json_valid": 1.0},
        "throughput": {
            "prefill_tok_s": prefill_tok_s,
            "decode_tok_s": decode_tok_s,
            "latency_ms_p50": 3.0,
        },
        "provenance": {"run": {"suite": "synthetic:gate", "suite_sha256": "00"}},
    });
    std::fs::write(
        dir.join("summary.json"),
        serde_json::to_string_pretty(&summary).unwrap(),
    )
    .unwrap();
}

fn write_bench(path: &Path, prefill: f64, decode: f64) {
    let rows = json!([
        {"model": "synthetic:needle1-tiny", "backend": "gemm", "threads": 1,
         "prefill_tokens": 64, "decode_tokens": 16, "reps": 5,
         "prefill_tok_s": prefill, "decode_tok_s": decode},
        {"model": "synthetic:needle1-tiny", "backend": "gemm", "threads": 2,
         "prefill_tokens": 64, "decode_tokens": 16, "reps": 5,
         "prefill_tok_s": prefill * 1.8, "decode_tok_s": decode * 1.5},
    ]);
    std::fs::write(path, rows.to_string()).unwrap();
}

fn gate(pairs: &[(&Path, &Path)], extra: &[&str]) -> Output {
    let mut args: Vec<String> = vec!["gate".into()];
    for (b, c) in pairs {
        args.push("--baseline".into());
        args.push(b.to_str().unwrap().into());
        args.push("--current".into());
        args.push(c.to_str().unwrap().into());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    thimble(&refs)
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn explain(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn identical_runs_pass() {
    let d = tmp_dir("identical");
    write_run(&d.join("a"), &baseline_verdicts(), 1000.0, 100.0);
    write_run(&d.join("b"), &baseline_verdicts(), 1000.0, 100.0);
    let o = gate(&[(&d.join("a"), &d.join("b"))], &[]);
    assert_eq!(code(&o), 0, "{}", explain(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("thimble gate: pass"), "{out}");
    assert!(out.contains("accuracy[simple]"), "{out}");
}

#[test]
fn ten_percent_of_verdicts_flipped_fails() {
    let d = tmp_dir("flip10");
    let base = baseline_verdicts();
    let mut cur = base.clone();
    // 40 of the 360 true verdicts (10% of the suite) become false.
    for v in cur.iter_mut().filter(|v| v.0).take(40) {
        v.0 = false;
    }
    write_run(&d.join("a"), &base, 1000.0, 100.0);
    write_run(&d.join("b"), &cur, 1000.0, 100.0);
    let md = d.join("gate.md");
    let junit = d.join("gate.xml");
    let o = gate(
        &[(&d.join("a"), &d.join("b"))],
        &[
            "--markdown",
            md.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 1, "{}", explain(&o));
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.contains("thimble gate: FAIL"), "{md}");
    let row = md
        .lines()
        .find(|l| l.starts_with("| synthetic:gate | accuracy |"))
        .unwrap_or_else(|| panic!("no accuracy row in\n{md}"));
    assert!(row.contains("90.0%") && row.contains("80.0%") && row.contains("-10.0 pt"));
    assert!(row.ends_with("| **FAIL** |"), "{row}");
    // A category name with `|` must not break the table.
    assert!(md.contains("odd &lt;&\"'> \\| cat"), "{md}");
    for l in md.lines().filter(|l| l.starts_with("| synthetic:gate")) {
        assert_eq!(l.matches(" | ").count(), 7, "{l}");
    }
    let xml = std::fs::read_to_string(&junit).unwrap();
    check_well_formed(&xml);
    assert!(xml.contains("<failure"), "{xml}");
    assert!(xml.contains("odd &lt;&amp;&quot;&apos;&gt; | cat"), "{xml}");
    let tests = xml.matches("<testcase ").count();
    // accuracy, 4 categories, json_valid, 3 throughput metrics.
    assert_eq!(tests, 9, "{xml}");
}

#[test]
fn one_flipped_verdict_passes() {
    let d = tmp_dir("flip1");
    let base = baseline_verdicts();
    let mut cur = base.clone();
    cur[1].0 = false;
    write_run(&d.join("a"), &base, 1000.0, 100.0);
    write_run(&d.join("b"), &cur, 1000.0, 100.0);
    let o = gate(&[(&d.join("a"), &d.join("b"))], &[]);
    assert_eq!(code(&o), 0, "{}", explain(&o));
}

#[test]
fn a_policy_can_raise_the_minimum_effect() {
    let d = tmp_dir("policy");
    let base = baseline_verdicts();
    let mut cur = base.clone();
    for v in cur.iter_mut().filter(|v| v.0).take(40) {
        v.0 = false;
    }
    write_run(&d.join("a"), &base, 1000.0, 100.0);
    write_run(&d.join("b"), &cur, 1000.0, 100.0);
    let policy = d.join("gate.toml");
    std::fs::write(&policy, "min_effect = 0.2\n").unwrap();
    let o = gate(
        &[(&d.join("a"), &d.join("b"))],
        &["--policy", policy.to_str().unwrap()],
    );
    assert_eq!(code(&o), 0, "{}", explain(&o));
}

#[test]
fn json_valid_drop_beyond_tolerance_fails() {
    let d = tmp_dir("jsonvalid");
    let base = baseline_verdicts();
    // Only invalid outputs stop decoding, so accuracy is unchanged; 2.5% fewer decode.
    let mut cur = base.clone();
    for v in cur.iter_mut().filter(|v| !v.0).take(10) {
        v.1 = false;
    }
    write_run(&d.join("a"), &base, 1000.0, 100.0);
    write_run(&d.join("b"), &cur, 1000.0, 100.0);
    let o = gate(&[(&d.join("a"), &d.join("b"))], &[]);
    assert_eq!(code(&o), 1, "{}", explain(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    let row = out.lines().find(|l| l.contains("| json_valid |")).unwrap();
    assert!(row.contains("**FAIL**"), "{row}");
}

#[test]
fn bench_rows_with_another_constrain_mode_are_noted() {
    let d = tmp_dir("bench-constrain");
    write_bench(&d.join("base.json"), 50_000.0, 4_000.0);
    let with_mode = |mode: &str| {
        let mut rows: Value =
            serde_json::from_str(&std::fs::read_to_string(d.join("base.json")).unwrap()).unwrap();
        for r in rows.as_array_mut().unwrap() {
            r["constrain"] = json!(mode);
        }
        let path = d.join(format!("{mode}.json"));
        std::fs::write(&path, rows.to_string()).unwrap();
        path
    };
    let o = gate(&[(&d.join("base.json"), &with_mode("schema"))], &[]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("bench gemm x1: constrain off in the baseline, schema now"),
        "{}",
        explain(&o)
    );
    // A row without the field is an unconstrained one.
    let o = gate(&[(&d.join("base.json"), &with_mode("off"))], &[]);
    assert!(
        !String::from_utf8_lossy(&o.stdout).contains("constrain"),
        "{}",
        explain(&o)
    );
}

#[test]
fn throughput_drop_of_twenty_percent_fails_and_five_percent_passes() {
    let d = tmp_dir("bench");
    write_bench(&d.join("base.json"), 50_000.0, 4_000.0);
    write_bench(&d.join("slow20.json"), 40_000.0, 3_200.0);
    write_bench(&d.join("slow5.json"), 47_500.0, 3_800.0);
    let o = gate(&[(&d.join("base.json"), &d.join("slow20.json"))], &[]);
    assert_eq!(code(&o), 1, "{}", explain(&o));
    let o = gate(&[(&d.join("base.json"), &d.join("slow5.json"))], &[]);
    assert_eq!(code(&o), 0, "{}", explain(&o));
    // Run summaries' throughput is gated too, alongside a bench pair.
    write_run(&d.join("a"), &baseline_verdicts(), 1000.0, 100.0);
    write_run(&d.join("b"), &baseline_verdicts(), 1000.0, 80.0);
    let o = gate(
        &[
            (&d.join("base.json"), &d.join("slow5.json")),
            (&d.join("a"), &d.join("b")),
        ],
        &[],
    );
    assert_eq!(code(&o), 1, "{}", explain(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.matches("**FAIL**").count(), 1, "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("| decode_tok_s |") && l.contains("0.800")),
        "{out}"
    );
}

#[test]
fn unusable_inputs_exit_2_naming_the_file() {
    let d = tmp_dir("bad");
    let good = d.join("good");
    write_run(&good, &baseline_verdicts(), 1000.0, 100.0);
    let broken = d.join("broken");
    write_run(&broken, &baseline_verdicts(), 1000.0, 100.0);
    std::fs::write(broken.join("samples.jsonl"), "{\"id\": \"x\", nope\n").unwrap();
    let o = gate(&[(&good, &broken)], &[]);
    assert_eq!(code(&o), 2, "{}", explain(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("broken/samples.jsonl:1"), "{err}");

    let missing = d.join("nowhere");
    let o = gate(&[(&good, &missing)], &[]);
    assert_eq!(code(&o), 2, "{}", explain(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nowhere"));

    let bench = d.join("bench.json");
    std::fs::write(&bench, "{\"not\": \"an array\"}").unwrap();
    let o = gate(&[(&bench, &bench)], &[]);
    assert_eq!(code(&o), 2, "{}", explain(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bench.json"));

    let summary_less = d.join("summary-less");
    write_run(&summary_less, &baseline_verdicts(), 1000.0, 100.0);
    std::fs::write(summary_less.join("summary.json"), "[1, 2").unwrap();
    let o = gate(&[(&good, &summary_less)], &[]);
    assert_eq!(code(&o), 2, "{}", explain(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("summary-less/summary.json"));

    // A run paired with a bench file.
    let real_bench = d.join("real.json");
    write_bench(&real_bench, 1.0, 1.0);
    let o = gate(&[(&good, &real_bench)], &[]);
    assert_eq!(code(&o), 2, "{}", explain(&o));

    // No ids in common.
    let other = d.join("other");
    write_run(&other, &baseline_verdicts(), 1000.0, 100.0);
    let text = std::fs::read_to_string(other.join("samples.jsonl")).unwrap();
    std::fs::write(other.join("samples.jsonl"), text.replace("\"ex", "\"zz")).unwrap();
    let o = gate(&[(&good, &other)], &[]);
    assert_eq!(code(&o), 2, "{}", explain(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no example ids in common"));

    // A misspelt policy key.
    let policy = d.join("gate.toml");
    std::fs::write(&policy, "alpah = 0.01\n").unwrap();
    let o = gate(&[(&good, &good)], &["--policy", policy.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", explain(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("gate.toml"));

    // Unpaired arguments.
    let g = good.to_str().unwrap();
    let o = thimble(&["gate", "--baseline", g, "--baseline", g, "--current", g]);
    assert_eq!(code(&o), 2, "{}", explain(&o));
}

#[test]
fn unmatched_ids_are_reported() {
    let d = tmp_dir("unmatched");
    write_run(&d.join("a"), &baseline_verdicts(), 1000.0, 100.0);
    write_run(&d.join("b"), &baseline_verdicts()[..380], 1000.0, 100.0);
    let o = gate(&[(&d.join("a"), &d.join("b"))], &[]);
    assert_eq!(code(&o), 0, "{}", explain(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("20 example ids unmatched"), "{out}");
}

/// A small XML well-formedness check: tags nest and close, attributes are quoted, and every
/// `&` starts one of the five predefined entities.
fn check_well_formed(xml: &str) {
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let mut stack: Vec<String> = Vec::new();
    let mut rest = &xml[xml.find("?>").unwrap() + 2..];
    let entities = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"];
    let check_text = |t: &str| {
        assert!(!t.contains('>'), "raw > in text: {t}");
        for (i, _) in t.match_indices('&') {
            assert!(
                entities.iter().any(|e| t[i..].starts_with(e)),
                "bare & in {t}"
            );
        }
    };
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open]);
        let close = rest[open..].find('>').unwrap() + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "unescaped < in {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
        } else {
            let self_closing = tag.ends_with('/');
            let body = tag.trim_end_matches('/');
            let name = body.split_whitespace().next().unwrap().to_string();
            let attrs = &body[name.len()..];
            assert_eq!(
                attrs.matches('"').count() % 2,
                0,
                "unbalanced quotes: {tag}"
            );
            let mut in_value = false;
            for ch in attrs.chars() {
                if ch == '"' {
                    in_value = !in_value;
                } else if in_value {
                    assert!(ch != '<', "< in attribute: {tag}");
                }
            }
            check_text(&attrs.replace(['"', '='], ""));
            if !self_closing {
                stack.push(name);
            }
        }
        rest = &rest[close + 1..];
    }
    assert!(rest.trim().is_empty());
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}
