//! `thimble run` end to end: a synthetic model paired with a fixture tokenizer, incremental
//! samples, resume after interruption, provenance in the summary, and clear input errors.

mod common;

use common::{thimble, tmp};

use serde_json::Value;

const SUITE: &str = "harness/tests/data/mini-needle2.jsonl";

/// `thimble run` of the micro synthetic model with the fixture tokenizer on SUITE into `out`.
fn micro_run<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "run",
        "--model",
        "synthetic:needle1-micro",
        "--tokenizer",
        "fixtures/tokenizer/test-identity.model",
        "--suite",
        SUITE,
        "--out",
        out,
    ];
    a.extend_from_slice(extra);
    a
}

#[test]
fn resume_refuses_other_settings_but_not_other_threads() {
    let out = tmp("resume-settings");
    let o = out.to_str().unwrap();
    let run = |extra: &[&str]| thimble(&micro_run(o, extra));
    let first = ["--backend", "naive", "--threads", "1", "--max-tokens", "8"];
    let r = run(&[&first[..], &["--limit", "1"]].concat());
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let recorded: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(recorded["backend"], "naive");
    assert_eq!(recorded["max_tokens"], 8);

    let refused = |other: &[&str], named: &str, from: &str| {
        let r = run(&[other, &["--limit", "2", "--resume"]].concat());
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(!r.status.success(), "{err}");
        assert!(
            err.contains("other settings") && err.contains(named) && err.contains(from),
            "{err}"
        );
        let lines = std::fs::read_to_string(out.join("samples.jsonl")).unwrap();
        assert_eq!(lines.lines().count(), 1, "nothing may be appended: {lines}");
    };
    let same = ["--threads", "1", "--max-tokens", "8"];
    refused(
        &[&["--backend", "ndarray"][..], &same].concat(),
        "backend",
        "run.json",
    );
    refused(
        &["--backend", "naive", "--threads", "1", "--max-tokens", "9"],
        "max_tokens",
        "run.json",
    );
    refused(
        &[&["--backend", "naive", "--shard", "1/2"][..], &same].concat(),
        "shard",
        "run.json",
    );
    // A directory from before run.json existed is checked against its summary.json.
    std::fs::remove_file(out.join("run.json")).unwrap();
    refused(
        &[&["--backend", "ndarray"][..], &same].concat(),
        "backend",
        "summary.json",
    );
    // A torn run.json is named, with the way out.
    std::fs::write(out.join("run.json"), "{\"suite_sha").unwrap();
    let r = run(&[&["--backend", "naive"][..], &same, &["--resume"]].concat());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        !r.status.success() && err.contains("run.json") && err.contains("delete it"),
        "{err}"
    );
    std::fs::remove_file(out.join("run.json")).unwrap();
    // Another thread count is the same run: outputs do not depend on it.
    let r = run(&[
        "--backend",
        "naive",
        "--threads",
        "2",
        "--max-tokens",
        "8",
        "--limit",
        "2",
        "--resume",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let lines = std::fs::read_to_string(out.join("samples.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 2);
    // A smaller --limit would summarize fewer examples than samples.jsonl holds.
    let r = run(&[
        &["--backend", "naive"][..],
        &same,
        &["--limit", "1", "--resume"],
    ]
    .concat());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        !r.status.success()
            && err.contains("1 of the 2 samples")
            && err.contains("--limit 2 or more"),
        "{err}"
    );
    let lines = std::fs::read_to_string(out.join("samples.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 2, "nothing may be appended: {lines}");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn synthetic_model_with_fixture_tokenizer_runs_and_resumes() {
    let out = tmp("resume");
    let o = out.to_str().unwrap();
    let base = micro_run(
        o,
        &["--backend", "naive", "--threads", "1", "--max-tokens", "8"],
    );
    let mut first = base.to_vec();
    first.extend(["--limit", "2"]);
    let r = thimble(&first);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let samples = std::fs::read_to_string(out.join("samples.jsonl")).unwrap();
    assert_eq!(samples.lines().count(), 2);
    // Simulate an interruption in the middle of writing the third line.
    std::fs::write(
        out.join("samples.jsonl"),
        format!("{samples}{{\"id\":\"m3\",\"valid"),
    )
    .unwrap();
    // Without --resume the run refuses to clobber.
    let r = thimble(&base);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("--resume"));
    let mut resume = base.to_vec();
    resume.push("--resume");
    let r = thimble(&resume);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let lines: Vec<Value> = std::fs::read_to_string(out.join("samples.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["m1", "m2", "m3"]);
    for l in &lines {
        for key in [
            "id",
            "category",
            "valid",
            "output",
            "calls",
            "error_type",
            "prompt_tokens",
            "generated_tokens",
            "prefill_ms",
            "decode_ms",
        ] {
            assert!(l.get(key).is_some(), "sample lacks {key}: {l}");
        }
    }
    let s: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["complete"], true);
    assert_eq!(s["counts"]["accuracy"]["den"], 3);
    for key in [
        "accuracy",
        "exact_match",
        "json_valid",
        "no_call_accuracy",
        "name_f1",
        "call_f1",
    ] {
        assert!(s["metrics"].get(key).is_some(), "metrics lack {key}");
        assert_eq!(
            s["intervals"][key].as_array().map(Vec::len),
            Some(2),
            "{key}"
        );
    }
    assert_eq!(s["metrics"]["no_call_accuracy"], 0.0);
    assert_eq!(s["counts"]["no_call_accuracy"]["den"], 1);
    let run = &s["provenance"]["run"];
    assert_eq!(run["backend"], "naive");
    assert_eq!(run["threads"], 1);
    assert_eq!(run["suite_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(run["model"]["sha256"].as_str().unwrap().len(), 64);
    assert!(run["host"]["cpu_model"].is_string());
    assert!(run["build"]["git_commit"].is_string());
    assert!(s["per_category"]["weather"]["examples"] == 2);
}

#[test]
fn same_tokens_at_one_and_two_threads_on_every_backend() {
    let mut outputs = Vec::new();
    // Every registered backend, quantized ones included: each must be deterministic across
    // thread counts (quantized backends are compared with themselves, not with f32).
    for backend in thimble_runtime::BACKENDS.iter().map(|b| b.name) {
        for threads in ["1", "2"] {
            let out = tmp(&format!("det-{backend}-{threads}"));
            let r = thimble(&[
                "run",
                "--model",
                "fixtures/tiny-random/model",
                "--suite",
                SUITE,
                "--backend",
                backend,
                "--threads",
                threads,
                "--max-tokens",
                "24",
                "--out",
                out.to_str().unwrap(),
            ]);
            assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
            let text: Vec<String> = std::fs::read_to_string(out.join("samples.jsonl"))
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap()["output"].to_string())
                .collect();
            outputs.push((format!("{backend} x{threads}"), text));
        }
    }
    for pair in outputs.chunks(2) {
        assert_eq!(
            pair[0].1, pair[1].1,
            "{} differs from {}",
            pair[1].0, pair[0].0
        );
    }
    let f32_backends = ["naive", "ndarray", "gemm"];
    let f32_outputs: Vec<_> = outputs
        .iter()
        .filter(|(n, _)| f32_backends.iter().any(|b| n.starts_with(&format!("{b} "))))
        .collect();
    for (name, o) in &f32_outputs[1..] {
        assert_eq!(
            o, &f32_outputs[0].1,
            "{name} differs from {}",
            f32_outputs[0].0
        );
    }
}

#[test]
fn bad_inputs_fail_with_a_clear_message() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["run", "--suite", "nosuch:split", "--out", "/tmp/x"],
            "unknown suite",
        ),
        (
            &[
                "generate",
                "--model",
                "fixtures/tiny-random/model",
                "--query",
                "hi",
                "--tools",
                "not json",
            ],
            "not valid JSON",
        ),
        (
            &[
                "generate",
                "--model",
                "fixtures/tiny-random/model",
                "--backend",
                "tpu",
                "--query",
                "hi",
                "--tools",
                "[]",
            ],
            "unknown backend",
        ),
        (
            &[
                "logits",
                "--model",
                "fixtures/tiny-random/model",
                "--encoder-ids",
                "5,99999",
                "--decoder-ids",
                "1",
            ],
            "outside the vocabulary",
        ),
        (
            &[
                "logits",
                "--model",
                "fixtures/tiny-random/model",
                "--encoder-ids",
                "5,x",
                "--decoder-ids",
                "1",
            ],
            "not a token id",
        ),
        (
            &[
                "generate",
                "--model",
                "synthetic:needle1-micro",
                "--query",
                "hi",
                "--tools",
                "[]",
            ],
            "--tokenizer",
        ),
    ];
    for (args, want) in cases {
        let r = thimble(args);
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(!r.status.success(), "{args:?} succeeded");
        assert!(err.contains(want), "{args:?}: stderr lacks `{want}`: {err}");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    }
}

#[test]
fn logits_command_prints_one_row_per_decoder_position() {
    let r = thimble(&[
        "logits",
        "--model",
        "fixtures/tiny-random/model",
        "--backend",
        "naive",
        "--encoder-ids",
        "5,6,7",
        "--decoder-ids",
        "1,4",
    ]);
    assert!(r.status.success());
    let v: Value = serde_json::from_slice(&r.stdout).unwrap();
    let rows = v["logits"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].as_array().unwrap().len(), 2048);
}

#[test]
fn bfcl_suites_run_through_the_official_rules() {
    let out = tmp("bfcl");
    let r = thimble(&[
        "run",
        "--model",
        "fixtures/tiny-random/model",
        "--suite",
        "bfcl:simple_python",
        "--limit",
        "3",
        "--max-tokens",
        "8",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let s: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["counts"]["bfcl_accuracy"]["den"], 3);
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(out.join("samples.jsonl"))
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    // Random weights: the output is not a call list, and the error is BFCL's own string.
    assert_eq!(first["valid"], false);
    assert!(first["error_type"]
        .as_str()
        .unwrap()
        .starts_with("ast_decoder:"));
    let r = thimble(&["run", "--suite", "bfcl:simple_cobol", "--out", "/tmp/x"]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(!r.status.success() && err.contains("simple_cobol"), "{err}");
}

#[test]
fn transforms_run_next_to_the_plain_run_and_pair_by_id() {
    let out = tmp("transforms");
    let o = out.to_str().unwrap();
    let r = thimble(&[
        "run",
        "--suite",
        "assistant:test",
        "--limit",
        "12",
        "--threads",
        "1",
        "--out",
        o,
        "--transform",
        "shuffle-tools,distractors:2,synonyms",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let t: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("transforms.json")).unwrap())
            .unwrap();
    let rows = t["rows"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["transform"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["shuffle-tools", "distractors:2", "synonyms"]);
    for row in rows {
        assert_eq!(row["paired"], 12);
        let dir = out.join(row["dir"].as_str().unwrap());
        let s: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(s["provenance"]["run"]["transform"], row["transform"]);
        assert_eq!(
            s["provenance"]["run"]["suite"].as_str().unwrap(),
            format!("assistant:test+{}", row["transform"].as_str().unwrap())
        );
        // The table's counts are the transformed run's own verdicts.
        assert_eq!(s["counts"]["accuracy"]["num"], row["valid"]);
    }
    let md = std::fs::read_to_string(out.join("transforms.md")).unwrap();
    assert!(
        md.contains("| (none) | 12 |") && md.contains("| synonyms | 12 |"),
        "{md}"
    );

    // A resume whose transform seed differs fails before the plain run takes more examples.
    let r = thimble(&[
        "run",
        "--suite",
        "assistant:test",
        "--limit",
        "13",
        "--out",
        o,
        "--transform",
        "shuffle-tools,distractors:2,synonyms",
        "--transform-seed",
        "5",
        "--resume",
    ]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        !r.status.success() && err.contains("transform_seed 0 there, 5 now"),
        "{err}"
    );
    let plain = std::fs::read_to_string(out.join("samples.jsonl")).unwrap();
    assert_eq!(plain.lines().count(), 12, "the plain run went on");

    let bad = thimble(&["run", "--limit", "1", "--out", o, "--transform", "shuffle"]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("unknown transform \"shuffle\""), "{err}");
    let _ = std::fs::remove_dir_all(&out);
}
