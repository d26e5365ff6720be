//! `thimble merge` end to end: two shards of a real run merge into the same samples and metrics
//! as one unsharded run; overlapping or missing shards are refused.

mod common;

use common::{thimble, tmp};
use std::path::Path;

use serde_json::Value;

fn run(out: &Path, extra: &[&str]) {
    let mut args = vec![
        "run",
        "--model",
        "fixtures/tiny-random/model",
        "--suite",
        "assistant:dev",
        "--max-tokens",
        "8",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    let o = thimble(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Samples without the timing fields, which differ between any two runs.
fn samples(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("samples.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            let o = v.as_object_mut().unwrap();
            o.remove("prefill_ms");
            o.remove("decode_ms");
            v
        })
        .collect()
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn two_shards_merge_into_the_unsharded_run() {
    let d = tmp("shards");
    let (s1, s2, whole, merged) = (d.join("s1"), d.join("s2"), d.join("whole"), d.join("m"));
    // Sharding comes before --limit: shard K/2 with limit 10 covers 10 of the first 20.
    run(&s1, &["--shard", "1/2", "--limit", "10"]);
    run(&s2, &["--shard", "2/2", "--limit", "10"]);
    run(&whole, &["--limit", "20"]);
    // Shards may be given in any order.
    let o = thimble(&[
        "merge",
        "--out",
        merged.to_str().unwrap(),
        s2.to_str().unwrap(),
        s1.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (m, w) = (samples(&merged), samples(&whole));
    assert_eq!(m.len(), 20);
    assert_eq!(m, w);
    let (ms, ws) = (summary(&merged), summary(&whole));
    for key in [
        "complete",
        "examples",
        "samples",
        "metrics",
        "counts",
        "per_category",
    ] {
        assert_eq!(ms[key], ws[key], "{key}");
    }
    let shards = ms["provenance"]["run"]["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 2);
    assert_eq!(shards[0]["shard"], "2/2");
    assert_eq!(ms["provenance"]["run"]["suite"], "assistant:dev");

    // The same shard twice overlaps, and 2/2 alone leaves 1/2 missing.
    let o = thimble(&[
        "merge",
        "--out",
        d.join("dup").to_str().unwrap(),
        s1.to_str().unwrap(),
        s1.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("shard 1/2 given twice"), "{err}");
    let o = thimble(&[
        "merge",
        "--out",
        d.join("partial").to_str().unwrap(),
        s2.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("shards 1/2 are missing"));
    // Shards decoded under different constraints are not one run.
    let s2c = d.join("s2c");
    run(
        &s2c,
        &["--shard", "2/2", "--limit", "10", "--constrain", "names"],
    );
    let o = thimble(&[
        "merge",
        "--out",
        d.join("mixed").to_str().unwrap(),
        s1.to_str().unwrap(),
        s2c.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("constrain \"off\"") && err.contains("not shards of one run"),
        "{err}"
    );
    // The merged directory is not overwritten.
    let o = thimble(&[
        "merge",
        "--out",
        merged.to_str().unwrap(),
        s1.to_str().unwrap(),
        s2.to_str().unwrap(),
    ]);
    assert!(!o.status.success());
}
