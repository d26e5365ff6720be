//! `thimble report` through the binary: two synthesized runs and a bench file become SVG and PNG
//! charts plus index.html and report.md with the numbers behind them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;

fn thimble(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_thimble"))
        .args(args)
        .output()
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("thimble-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A run directory whose summary has the counts the report reads.
fn write_run(dir: &Path, model: &str, simple: (u64, u64), multiple: (u64, u64)) {
    std::fs::create_dir_all(dir).unwrap();
    let line = json!({"id": "x", "category": "simple", "valid": true, "output": "[]",
        "calls": [], "error_type": null, "prompt_tokens": 1, "generated_tokens": 1,
        "prefill_ms": 1.0, "decode_ms": 1.0});
    std::fs::write(dir.join("samples.jsonl"), format!("{line}\n")).unwrap();
    let c = |(num, den): (u64, u64)| json!({"accuracy": {"num": num, "den": den}});
    let summary = json!({
        "metrics": {"accuracy": 0.0},
        "counts": c((simple.0 + multiple.0, simple.1 + multiple.1)),
        "per_category": {
            "simple": {"counts": c(simple)},
            "multiple <&>": {"counts": c(multiple)},
        },
        "provenance": {"run": {"suite": "assistant:dev", "model": {"source": model}}},
    });
    std::fs::write(dir.join("summary.json"), summary.to_string()).unwrap();
}

#[test]
fn runs_and_bench_become_charts_and_tables() {
    let d = tmp("charts");
    write_run(&d.join("a"), "models/needle-a", (80, 100), (30, 50));
    write_run(&d.join("b"), "models/needle-b", (90, 100), (20, 50));
    let bench = d.join("bench.json");
    std::fs::write(
        &bench,
        json!([
            {"backend": "gemm", "threads": 1, "prefill_tok_s": 50000.0, "decode_tok_s": 4000.0},
            {"backend": "gemm", "threads": 2, "prefill_tok_s": 90000.0, "decode_tok_s": 6000.0},
        ])
        .to_string(),
    )
    .unwrap();
    let out = d.join("report");
    let o = thimble(&[
        "report",
        "--results",
        d.join("a").to_str().unwrap(),
        d.join("b").to_str().unwrap(),
        bench.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for stem in [
        "accuracy-assistant-dev",
        "throughput-decode",
        "throughput-prefill",
    ] {
        let svg = std::fs::read_to_string(out.join(format!("{stem}.svg"))).unwrap();
        assert!(
            svg.contains("<svg") && svg.trim_end().ends_with("</svg>"),
            "{stem}"
        );
        let png = std::fs::read(out.join(format!("{stem}.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{stem}.png");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| overall | 73.3 [65.7, 79.8], 150 |"), "{md}");
    assert!(md.contains("| simple | 80.0 ["), "{md}");
    assert!(md.contains("| gemm x2 | 6000.0 |"), "{md}");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<img src=\"accuracy-assistant-dev.svg\""));
    assert!(html.contains("multiple &lt;&amp;&gt;"), "{html}");
}

#[test]
fn a_missing_input_is_an_error_naming_it() {
    let d = tmp("missing");
    let o = thimble(&[
        "report",
        "--results",
        d.join("nope").to_str().unwrap(),
        "--out",
        d.join("out").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope"));
}
