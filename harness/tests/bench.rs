//! `thimble bench`: rows carry their settings and host, both modes run, bad input is refused.

mod common;

use common::thimble;

use serde_json::Value;

#[test]
fn forced_length_rows_have_medians_and_provenance() {
    let r = thimble(&[
        "bench",
        "--model",
        "synthetic:needle1-micro",
        "--backend",
        "naive,gemm",
        "--threads",
        "1,2",
        "--prefill",
        "16",
        "--decode",
        "4",
        "--reps",
        "2",
        "--format",
        "json",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(rows.len(), 4);
    for row in &rows {
        for key in [
            "backend",
            "threads",
            "prefill_tok_s",
            "decode_tok_s",
            "ttft_ms",
            "peak_rss_mib",
        ] {
            assert!(row.get(key).is_some(), "row lacks {key}");
        }
        assert!(row["prefill_tok_s"].as_f64().unwrap() > 0.0);
        assert!(row["host"]["cpu_model"].is_string());
        assert!(row["build"]["git_commit"].is_string());
    }
}

#[test]
fn suite_mode_reports_latency_percentiles() {
    let r = thimble(&[
        "bench",
        "--suite",
        "assistant:dev",
        "--limit",
        "5",
        "--model",
        "fixtures/tiny-random/model",
        "--backend",
        "gemm",
        "--threads",
        "1",
        "--max-tokens",
        "8",
        "--format",
        "json",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(rows[0]["requests"], 5);
    let p50 = rows[0]["latency_ms_p50"].as_f64().unwrap();
    let p99 = rows[0]["latency_ms_p99"].as_f64().unwrap();
    assert!(p50 > 0.0 && p99 >= p50);
}

#[test]
fn suite_mode_constrained_rows_report_mask_time() {
    let bench = |constrain: &str| {
        let r = thimble(&[
            "bench",
            "--suite",
            "assistant:dev",
            "--limit",
            "3",
            "--model",
            "fixtures/needle-tiny",
            "--threads",
            "1",
            "--constrain",
            constrain,
            "--format",
            "json",
        ]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let rows: Vec<Value> = serde_json::from_slice(&r.stdout).unwrap();
        rows[0].clone()
    };
    let off = bench("off");
    assert_eq!(off["constrain"], "off");
    assert!(off["mask_us_p50"].is_null(), "{off}");
    let schema = bench("schema");
    assert_eq!(schema["constrain"], "schema");
    assert_eq!(schema["requests"], 3);
    // One mask per generated token: every request generates at least `<tool_call>`, `[`, `]`.
    let p50 = schema["mask_us_p50"].as_f64().unwrap();
    let p99 = schema["mask_us_p99"].as_f64().unwrap();
    assert!(p50 > 0.0 && p99 >= p50, "{schema}");
}

#[test]
fn bad_settings_are_refused_clearly() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "bench",
                "--backend",
                "tpu",
                "--model",
                "synthetic:needle1-micro",
            ],
            "unknown backend",
        ),
        (
            &[
                "bench",
                "--decode",
                "0",
                "--model",
                "synthetic:needle1-micro",
            ],
            "at least 1",
        ),
        (
            &[
                "bench",
                "--prefill",
                "0",
                "--model",
                "synthetic:needle1-micro",
            ],
            "at least 1",
        ),
        (
            &[
                "bench",
                "--threads",
                "0",
                "--model",
                "synthetic:needle1-micro",
            ],
            "at least 1",
        ),
        (
            &[
                "bench",
                "--prefill",
                "4096",
                "--model",
                "synthetic:needle1-micro",
            ],
            "context",
        ),
        (
            &[
                "bench",
                "--decode",
                "100000",
                "--model",
                "synthetic:needle1-micro",
            ],
            "decoder positions",
        ),
        (
            &[
                "bench",
                "--constrain",
                "names",
                "--model",
                "synthetic:needle1-micro",
            ],
            "add --suite",
        ),
        (
            &[
                "bench",
                "--suite",
                "bfcl:nope",
                "--model",
                "synthetic:needle1-micro",
            ],
            "nope",
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
