//! `thimble report` through the binary: synthesized run directories and a bench file become SVG
//! and PNG charts plus index.html and report.md. The charts are checked through the text they
//! draw (titles, axis descriptions, legend entries, point labels) and the tables through the
//! numbers they print: a known prefill exponent, known quantization points, and a model without
//! a parameter count left out with a note rather than an error.

mod common;

use common::{thimble, tmp_dir};
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

fn report(inputs: &[&Path], out: &Path) -> Output {
    let mut args = vec!["report", "--results"];
    args.extend(inputs.iter().map(|p| p.to_str().unwrap()));
    args.extend(["--out", out.to_str().unwrap()]);
    thimble(&args)
}

fn report_ok(inputs: &[&Path], out: &Path) -> String {
    let o = report(inputs, out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(out.join("report.md")).unwrap()
}

/// The strings an SVG draws, unescaped.
fn svg_texts(out: &Path, stem: &str) -> Vec<String> {
    let svg = std::fs::read_to_string(out.join(format!("{stem}.svg")))
        .unwrap_or_else(|e| panic!("{stem}.svg: {e}"));
    assert!(
        svg.trim_end().ends_with("</svg>"),
        "{stem}.svg is cut short"
    );
    let png = std::fs::read(out.join(format!("{stem}.png"))).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{stem}.png");
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..t.find("</text>")?];
            Some(
                body.trim()
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

fn assert_draws(texts: &[String], stem: &str, wanted: &[&str]) {
    for w in wanted {
        assert!(
            texts.iter().any(|t| t == w),
            "{stem}.svg does not draw {w:?}; it draws {texts:?}"
        );
    }
}

/// The cells of the first Markdown table row whose first cell is `first`.
fn md_row(md: &str, first: &str) -> Vec<String> {
    md.lines()
        .map(|l| {
            l.trim()
                .trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect::<Vec<_>>()
        })
        .find(|cells| cells.first().is_some_and(|c| c == first))
        .unwrap_or_else(|| panic!("no table row starting with {first:?} in:\n{md}"))
}

/// The Markdown from `heading` up to the next section.
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let start = md
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?} in:\n{md}"));
    let rest = &md[start..];
    &rest[..rest[1..].find("\n## ").map_or(rest.len(), |i| i + 1)]
}

/// A run directory whose summary has only the counts the accuracy chart reads.
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

/// A full run as `thimble run` writes it: `n` samples with prompts of 10 to 10 + 7(n − 1)
/// tokens whose prefill time follows `prefill(tokens)` up to ±5% deterministic noise, the first
/// `correct` of them valid, and the summary's throughput.
struct Spec {
    model: &'static str,
    backend: &'static str,
    parameters: Option<u64>,
    correct: u64,
    n: u64,
    decode_tok_s: f64,
    prefill: fn(f64) -> f64,
}

fn write_full_run(dir: &Path, s: &Spec) {
    std::fs::create_dir_all(dir).unwrap();
    let mut lines = String::new();
    for i in 0..s.n {
        let tokens = 10 + 7 * i;
        let noise = 1.0 + 0.05 * (i as f64 * 1.7).sin();
        let line = json!({"id": format!("ex-{i}"), "category": if i % 2 == 0 { "simple" } else { "multiple" },
            "valid": i < s.correct, "output": "[]", "calls": [], "error_type": null,
            "prompt_tokens": tokens, "generated_tokens": 8,
            "prefill_ms": (s.prefill)(tokens as f64) * noise, "decode_ms": 2.0 + (i % 5) as f64});
        lines.push_str(&format!("{line}\n"));
    }
    std::fs::write(dir.join("samples.jsonl"), lines).unwrap();
    let mut model = json!({"source": format!("models/{}", s.model), "sha256": s.model});
    if let Some(p) = s.parameters {
        model["parameters"] = json!(p);
    }
    let summary = json!({
        "metrics": {"accuracy": s.correct as f64 / s.n as f64},
        "counts": {"accuracy": {"num": s.correct, "den": s.n}},
        "per_category": {},
        "throughput": {"decode_tok_s": s.decode_tok_s, "requests_per_s": s.decode_tok_s / 10.0},
        "provenance": {"run": {"suite": "assistant:dev", "model": model,
            "backend": s.backend, "threads": 2}},
    });
    std::fs::write(dir.join("summary.json"), summary.to_string()).unwrap();
}

fn gemm_prefill(t: f64) -> f64 {
    0.01 * t.powf(1.5)
}

fn int8_prefill(t: f64) -> f64 {
    0.05 * t.powf(1.2)
}

/// gemm, int8 and int4 runs of a model with a parameter count, and an older gemm run of
/// another model whose summary has none.
fn write_model_runs(d: &Path) -> Vec<PathBuf> {
    let specs = [
        ("a-gemm", "needle-a", "gemm", Some(1_000_000), 80, 1000.0),
        ("a-int8", "needle-a", "int8", Some(1_000_000), 78, 2000.0),
        ("a-int4", "needle-a", "int4", Some(1_000_000), 75, 2500.0),
        ("old-gemm", "needle-old", "gemm", None, 50, 800.0),
    ];
    specs
        .iter()
        .map(
            |&(dir, model, backend, parameters, correct, decode_tok_s)| {
                let p = d.join(dir);
                write_full_run(
                    &p,
                    &Spec {
                        model,
                        backend,
                        parameters,
                        correct,
                        n: 100,
                        decode_tok_s,
                        prefill: if backend == "int8" {
                            int8_prefill
                        } else {
                            gemm_prefill
                        },
                    },
                );
                p
            },
        )
        .collect()
}

#[test]
fn runs_and_bench_become_charts_and_tables() {
    let d = tmp_dir("charts");
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
    let md = report_ok(&[&d.join("a"), &d.join("b"), &bench], &out);
    let acc = svg_texts(&out, "accuracy-assistant-dev");
    assert_draws(
        &acc,
        "accuracy",
        &[
            "Accuracy on assistant:dev (Wilson 95% intervals)",
            "accuracy (fraction of examples)",
            "needle-a",
            "needle-b",
            "multiple <&>",
        ],
    );
    for stem in ["throughput-decode", "throughput-prefill"] {
        let t = svg_texts(&out, stem);
        assert_draws(&t, stem, &["tokens/s", "gemm x1", "gemm x2"]);
    }
    assert!(md.contains("| overall | 73.3 [65.7, 79.8], 150 |"), "{md}");
    assert!(md.contains("| simple | 80.0 ["), "{md}");
    assert!(md.contains("| gemm x2 | 6000.0 |"), "{md}");
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(html.contains("<img src=\"accuracy-assistant-dev.svg\""));
    assert!(html.contains("multiple &lt;&amp;&gt;"), "{html}");
}

#[test]
fn latency_scaling_size_and_quantization_charts() {
    let d = tmp_dir("xy");
    let runs = write_model_runs(&d);
    let out = d.join("report");
    let inputs: Vec<&Path> = runs.iter().map(PathBuf::as_path).collect();
    let md = report_ok(&inputs, &out);
    let gemm = "needle-a · gemm · 2 threads";
    let int8 = "needle-a · int8 · 2 threads";
    let int4 = "needle-a · int4 · 2 threads";
    let old = "needle-old · gemm · 2 threads";

    let cdf = svg_texts(&out, "latency-cdf-assistant-dev");
    assert_draws(
        &cdf,
        "latency CDF",
        &[
            "Latency CDF on assistant:dev",
            "latency per request, prefill + decode (ms)",
            "fraction of requests ≤ latency",
            gemm,
            int8,
            int4,
            old,
        ],
    );
    // Latencies run from about 2.3 ms to 200 ms, two decades: the axis is logarithmic.
    assert!(cdf.iter().any(|t| t == "1") && cdf.iter().any(|t| t == "1000"));
    // The first table row a run heads is its latency row: every request counted.
    let row = md_row(&md, gemm);
    assert_eq!(row[1], "100", "{row:?}");

    let scaling = svg_texts(&out, "prefill-scaling-assistant-dev");
    assert_draws(
        &scaling,
        "prefill scaling",
        &[
            "Prefill time vs prompt length on assistant:dev (log–log, fitted exponent b)",
            "prompt length (tokens)",
            "prefill time (ms)",
            &format!("{gemm}: b = 1.50"),
            &format!("{int8}: b = 1.20"),
        ],
    );
    let scaling_md = section(&md, "## Prefill scaling");
    for (label, expected) in [(gemm, 1.5), (int8, 1.2)] {
        let row = md_row(scaling_md, label);
        let b: f64 = row[2].parse().unwrap();
        assert!((b - expected).abs() < 0.01, "{label}: b = {b}");
        assert_eq!(row[1], "100", "{row:?}");
    }

    let size = svg_texts(&out, "accuracy-vs-parameters");
    assert_draws(
        &size,
        "accuracy vs parameters",
        &[
            "Accuracy vs parameter count (Wilson 95% intervals)",
            "parameters (log scale)",
            "accuracy (%)",
            "assistant:dev",
            "needle-a",
            "1M",
        ],
    );
    assert!(!size.iter().any(|t| t.contains("needle-old")), "{size:?}");
    assert_eq!(
        md_row(section(&md, "## Accuracy vs parameter count"), "needle-a")[..5],
        [
            "needle-a",
            "assistant:dev",
            "1000000",
            "80.0 [71.1, 86.7]",
            "100"
        ]
    );
    assert!(
        md.contains(
            "Left out of this chart, no parameter count in summary.json or meta.json: needle-old"
        ),
        "{md}"
    );

    let quant = svg_texts(&out, "quantization");
    assert_draws(
        &quant,
        "quantization",
        &[
            "Quantization: accuracy change vs speed-up over f32",
            "speed-up over f32 (×, decode tokens/s)",
            "accuracy change (percentage points)",
            "needle-a on assistant:dev (vs gemm)",
            "no accuracy change",
            "int8",
            "int4",
        ],
    );
    let quant_md = section(&md, "## Quantization");
    let rows: Vec<&str> = quant_md
        .lines()
        .filter(|l| l.starts_with("| needle-a |"))
        .collect();
    assert_eq!(
        rows,
        [
            "| needle-a | assistant:dev | int8 | gemm | decode tokens/s | 2.00× | -2.0 | 2.00× |",
            "| needle-a | assistant:dev | int4 | gemm | decode tokens/s | 2.50× | -5.0 | 2.50× |",
        ],
        "{quant_md}"
    );
    // needle-old has no quantized run, so it gets no point and no note.
    assert!(!quant_md.contains("needle-old"), "{quant_md}");
}

#[test]
fn models_without_a_parameter_count_are_noted_not_fatal() {
    let d = tmp_dir("noparams");
    let runs = write_model_runs(&d);
    let out = d.join("report");
    let md = report_ok(&[&runs[3]], &out);
    assert!(
        md.contains("No run records its model's parameter count, so there is no chart."),
        "{md}"
    );
    assert!(
        md.contains("needle-old (") && md.contains("old-gemm)"),
        "{md}"
    );
    assert!(!out.join("accuracy-vs-parameters.svg").exists());
    // No quantized run, so no quantization section at all.
    assert!(!md.contains("## Quantization"), "{md}");
    assert!(out.join("latency-cdf-assistant-dev.svg").exists());
}

#[test]
fn models_are_compared_on_the_examples_they_share() {
    let d = tmp_dir("compare");
    let spec = |model, backend, correct, n| Spec {
        model,
        backend,
        parameters: Some(1_000_000),
        correct,
        n,
        decode_tok_s: 100.0,
        prefill: gemm_prefill,
    };
    // A on 100 examples (the first 80 right), B recorded on the first 50 (20 right).
    write_full_run(&d.join("a"), &spec("needle-a", "gemm", 80, 100));
    write_full_run(&d.join("b"), &spec("rec-b", "recorded", 20, 50));
    let mut m: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("b/summary.json")).unwrap()).unwrap();
    m["provenance"]["run"]["model"]["name"] = json!("Rec B 135M");
    m["provenance"]["run"]["model"]["dtype"] = json!("Q4_1");
    std::fs::write(d.join("b/summary.json"), m.to_string()).unwrap();
    let bench = d.join("bench.json");
    std::fs::write(
        &bench,
        json!([
            {"model": "models/needle-a", "backend": "gemm", "threads": 1, "prefill_tok_s": 500.0,
             "decode_tok_s": 50.0, "weight_bytes": 2_500_000, "prefill_tokens": 256, "decode_tokens": 64},
            {"model": "models/needle-a", "backend": "gemm", "threads": 2, "prefill_tok_s": 900.0,
             "decode_tok_s": 80.0, "weight_bytes": 2_500_000, "prefill_tokens": 256, "decode_tokens": 64},
            {"model": "models/needle-a", "backend": "int8", "threads": 2, "prefill_tok_s": 1.0,
             "decode_tok_s": 1.0, "weight_bytes": 2_500_000},
        ])
        .to_string(),
    )
    .unwrap();
    // A short trial run of A does not shrink the shared examples.
    write_full_run(&d.join("a-short"), &spec("needle-a", "gemm", 5, 10));
    let out = d.join("report");
    let md = report_ok(
        &[&d.join("a-short"), &d.join("a"), &d.join("b"), &bench],
        &out,
    );
    let cmp = section(&md, "## Models compared");
    let a = md_row(cmp, "needle-a");
    assert_eq!(
        a[1..],
        [
            "–",
            "1.00M",
            "2.5",
            "900",
            "80",
            "gemm · 2 threads, P=256, D=64"
        ],
        "{cmp}"
    );
    let b = md_row(cmp, "Rec B 135M");
    assert_eq!(b[1], "Q4_1");
    assert_eq!(b[4], "–", "no bench file names rec-b: {cmp}");
    assert_eq!(b[6], "no bench file");
    assert!(
        cmp.contains("| suite | n | needle-a % [95% CI] | Rec B 135M % [95% CI] |"),
        "{cmp}"
    );
    assert_eq!(
        md_row(cmp, "assistant:dev")[1..],
        ["50", "100.0 [92.9, 100.0]", "40.0 [27.6, 53.8]"],
        "{cmp}"
    );
    // One model alone is not a comparison.
    let md = report_ok(&[&d.join("a")], &d.join("alone"));
    assert!(!md.contains("## Models compared"), "{md}");
}

#[test]
fn meta_json_supplies_a_parameter_count() {
    let d = tmp_dir("meta");
    let runs = write_model_runs(&d);
    let old = &runs[3];
    std::fs::write(
        old.join("meta.json"),
        json!({"parameters": 25_000_000}).to_string(),
    )
    .unwrap();
    let out = d.join("report");
    let md = report_ok(&[&runs[0], old], &out);
    let params = section(&md, "## Accuracy vs parameter count");
    assert_eq!(md_row(params, "needle-old")[2], "25000000", "{md}");
    assert!(!md.contains("Left out of this chart"), "{md}");
    assert_draws(
        &svg_texts(&out, "accuracy-vs-parameters"),
        "accuracy vs parameters",
        &["needle-a", "needle-old", "10M"],
    );

    std::fs::write(old.join("meta.json"), "{\"parameters\": \"many\"}").unwrap();
    let o = report(&[old], &d.join("bad"));
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("meta.json") && err.contains("positive integer"),
        "{err}"
    );
}

#[test]
fn a_missing_input_is_an_error_naming_it() {
    let d = tmp_dir("missing");
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

#[test]
fn a_summary_without_counts_is_an_error_naming_it() {
    let d = tmp_dir("nocounts");
    write_run(&d.join("a"), "models/needle-a", (1, 2), (1, 2));
    let p = d.join("a").join("summary.json");
    let mut s: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    s.as_object_mut().unwrap().remove("counts");
    std::fs::write(&p, s.to_string()).unwrap();
    let o = report(&[&d.join("a")], &d.join("out"));
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("summary.json") && err.contains("counts.accuracy"),
        "{err}"
    );
}
