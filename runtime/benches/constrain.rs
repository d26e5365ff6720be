//! Mask cost per generated token under `--constrain schema`.
//!
//! States are sampled along realistic outputs: the reference answers of the first
//! `assistant:test` examples, written as the model writes them (`<tool_call>`, the compact
//! JSON tokenized by the fixture tokenizer, EOS), each step's state kept. Every step's mask is
//! computed and applied to a logits row, as `greedy_constrained` does.
//!
//! Two vocabularies: the fixture's 2,048 pieces, and 8,192 pieces (Needle 1's size) made by
//! adding the 6,144 most frequent adjacent-piece merges over the suite's tool documents, queries
//! and answers — what a larger BPE vocabulary adds.
//!
//! Criterion reports the mean over all steps (`elem/s` = tokens/s); the median and p99 per
//! token, over steps, are printed before it (each step timed as the median of 31 runs).
//!
//! `cargo bench -p thimble-runtime --bench constrain -- --warm-up-time 1 --measurement-time 3`

use std::collections::{HashMap, HashSet};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use serde_json::{json, Value};
use thimble_runtime::config::Config;
use thimble_runtime::constrain::{Constrain, Grammar, Masker, VocabIndex};
use thimble_runtime::tokenizer::Tokenizer;
use thimble_runtime::tools::{normalize_tools_value, snake_case, to_python_json};

const EXAMPLES: usize = 40;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Corpus {
    tok: Tokenizer,
    cfg: Config,
    /// Per example: its grammar and the token ids of its reference output.
    cases: Vec<(Grammar, Vec<u32>)>,
    /// Text the merges for the larger vocabulary are counted on.
    texts: Vec<String>,
}

fn corpus() -> Corpus {
    let dir = root().join("fixtures/needle-tiny");
    let tok = Tokenizer::load(&dir.join("tokenizer.model")).expect("fixture tokenizer");
    let cfg = Config::load(&dir.join("config.json")).expect("fixture config");
    let suite = std::fs::read_to_string(root().join("suites/assistant/test.jsonl")).unwrap();
    let mut cases = Vec::new();
    let mut texts = Vec::new();
    for line in suite.lines() {
        let ex: Value = serde_json::from_str(line).unwrap();
        let tools = normalize_tools_value(ex["tools"].clone()).unwrap();
        let answers: Vec<Value> = ex["answers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| json!({"name": snake_case(c["name"].as_str().unwrap()), "arguments": c["arguments"]}))
            .collect();
        let answer = to_python_json(&Value::Array(answers));
        texts.push(ex["query"].as_str().unwrap_or_default().to_string());
        texts.push(tools.text.clone());
        texts.push(answer.clone());
        if cases.len() < EXAMPLES {
            let mut ids = vec![cfg.tool_call_id];
            ids.extend(tok.encode(&answer));
            ids.push(cfg.eos_id);
            cases.push((Grammar::compile(&tools, Constrain::Schema).unwrap(), ids));
        }
    }
    Corpus {
        tok,
        cfg,
        cases,
        texts,
    }
}

/// The fixture's pieces plus the most frequent adjacent merges, up to `size` pieces.
fn grown_pieces(c: &Corpus, size: usize) -> Vec<Option<Vec<u8>>> {
    let mut pieces = VocabIndex::piece_bytes(&c.tok, &c.cfg);
    let mut have: HashSet<Vec<u8>> = pieces.iter().flatten().cloned().collect();
    let mut counts: HashMap<(u32, u32), u64> = HashMap::new();
    for t in &c.texts {
        let ids = c.tok.encode(t);
        for w in ids.windows(2) {
            *counts.entry((w[0], w[1])).or_default() += 1;
        }
    }
    let mut pairs: Vec<((u32, u32), u64)> = counts.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for ((a, b), _) in pairs {
        if pieces.len() >= size {
            break;
        }
        let (Some(Some(x)), Some(Some(y))) = (pieces.get(a as usize), pieces.get(b as usize))
        else {
            continue;
        };
        // Byte pieces do not merge in SentencePiece; neither do they here.
        if x.len() == 1 && x[0] >= 0x80 || y.len() == 1 && y[0] >= 0x80 {
            continue;
        }
        let mut m = x.clone();
        m.extend_from_slice(y);
        if have.insert(m.clone()) {
            pieces.push(Some(m));
        }
    }
    pieces
}

/// Every step's masker state along every reference output.
fn states<'a>(c: &'a Corpus, v: &'a VocabIndex) -> Vec<Masker<'a>> {
    let mut out = Vec::new();
    for (g, ids) in &c.cases {
        let mut m = Masker::new(v, g);
        for &id in ids {
            out.push(m.clone());
            m.advance(id).expect("reference output follows its grammar");
        }
    }
    out
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Median and p99 over steps of each step's (median-of-31) mask time.
fn distribution(label: &str, states: &[Masker], vocab: usize) {
    let mut logits = vec![0.0f32; vocab];
    let mut per_step: Vec<f64> = states
        .iter()
        .map(|m| {
            let mut m = m.clone();
            let mut runs: Vec<f64> = (0..31)
                .map(|_| {
                    let t = Instant::now();
                    let _ = m.apply(black_box(&mut logits));
                    t.elapsed().as_secs_f64() * 1e6
                })
                .collect();
            runs.sort_by(f64::total_cmp);
            runs[15]
        })
        .collect();
    per_step.sort_by(f64::total_cmp);
    let mean = per_step.iter().sum::<f64>() / per_step.len() as f64;
    println!(
        "mask/{label}: {} steps over {EXAMPLES} outputs: median {:.2} us, p99 {:.2} us, max {:.2} us, mean {:.2} us per token",
        per_step.len(),
        pct(&per_step, 50.0),
        pct(&per_step, 99.0),
        pct(&per_step, 100.0),
        mean
    );
}

fn mask(c: &mut Criterion) {
    let corpus = corpus();
    let t = Instant::now();
    let v2k = VocabIndex::new(&corpus.tok, &corpus.cfg);
    let build2k = t.elapsed();
    let pieces = grown_pieces(&corpus, 8192);
    let n8k = pieces.len();
    let t = Instant::now();
    let v8k = VocabIndex::from_pieces(pieces, n8k, corpus.cfg.eos_id, corpus.cfg.tool_call_id);
    let build8k = t.elapsed();
    println!(
        "index build: vocab {} ({} trie nodes) {:.1} ms; vocab {} ({} trie nodes) {:.1} ms",
        v2k.vocab_size(),
        v2k.trie_nodes(),
        build2k.as_secs_f64() * 1e3,
        v8k.vocab_size(),
        v8k.trie_nodes(),
        build8k.as_secs_f64() * 1e3
    );
    let mut group = c.benchmark_group("mask");
    group.sample_size(20);
    for (label, v) in [("vocab2048", &v2k), ("vocab8192", &v8k)] {
        let s = states(&corpus, v);
        distribution(label, &s, v.vocab_size());
        let mut logits = vec![0.0f32; v.vocab_size()];
        group.throughput(Throughput::Elements(s.len() as u64));
        group.bench_function(BenchmarkId::new("apply", label), |b| {
            // Fresh clones per batch keep each masker's timing log from growing unboundedly.
            b.iter_batched_ref(
                || s.clone(),
                |s| {
                    for m in s.iter_mut() {
                        let _ = m.apply(black_box(&mut logits));
                    }
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default().configure_from_args()
}

criterion_group! {
    name = benches;
    config = config();
    targets = mask
}
criterion_main!(benches);
