//! `summary.json`: aggregate metrics with Wilson intervals, a per-category breakdown,
//! throughput, and provenance — all computed from `samples.jsonl` and the suite, so any number
//! in it can be traced back to the examples.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::judge::needle_expected;
use super::samples::Sample;
use crate::decode::DecodeError;
use crate::metrics::needle::{self, NeedleMetrics, NeedleVerdict};
use crate::metrics::Ratio;
use crate::suite::Example;

/// Throughput over a run's samples.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Throughput {
    pub prompt_tokens: u64,
    pub generated_tokens: u64,
    /// Prompt tokens per second of encoder time, over the whole run.
    pub prefill_tok_s: f64,
    /// Generated tokens per second of decoder time, over the whole run.
    pub decode_tok_s: f64,
    /// Per-request latency (prefill + decode), milliseconds.
    pub latency_ms_p50: f64,
    pub latency_ms_p90: f64,
    pub latency_ms_p99: f64,
    /// Requests per second of model time.
    pub requests_per_s: f64,
}

/// Nearest-rank percentile of sorted data.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn throughput(samples: &[Sample]) -> Throughput {
    let prompt: u64 = samples.iter().map(|s| s.prompt_tokens as u64).sum();
    let generated: u64 = samples.iter().map(|s| s.generated_tokens as u64).sum();
    let prefill_s: f64 = samples.iter().map(|s| s.prefill_ms).sum::<f64>() / 1e3;
    let decode_s: f64 = samples.iter().map(|s| s.decode_ms).sum::<f64>() / 1e3;
    let mut lat: Vec<f64> = samples.iter().map(|s| s.prefill_ms + s.decode_ms).collect();
    lat.sort_by(f64::total_cmp);
    let per = |n: u64, s: f64| if s > 0.0 { n as f64 / s } else { 0.0 };
    Throughput {
        prompt_tokens: prompt,
        generated_tokens: generated,
        prefill_tok_s: per(prompt, prefill_s),
        decode_tok_s: per(generated, decode_s),
        latency_ms_p50: percentile(&lat, 50.0),
        latency_ms_p90: percentile(&lat, 90.0),
        latency_ms_p99: percentile(&lat, 99.0),
        requests_per_s: per(samples.len() as u64, prefill_s + decode_s),
    }
}

/// One group's metrics in three parallel maps: `metrics` (fractions; null when undefined),
/// `intervals` (Wilson 95% for each), and `counts` (numerator and denominator of each).
#[derive(Debug, Default, Serialize)]
pub struct GroupMetrics {
    pub examples: u64,
    pub prompt_truncated: u64,
    pub metrics: Map<String, Value>,
    pub intervals: Map<String, Value>,
    pub counts: Map<String, Value>,
}

impl GroupMetrics {
    fn put(&mut self, name: &str, r: Ratio) {
        let (lo, hi) = r.wilson();
        self.metrics.insert(name.into(), json!(r.value()));
        self.intervals.insert(name.into(), json!([lo, hi]));
        self.counts
            .insert(name.into(), json!({"num": r.num, "den": r.den}));
    }
}

/// Metrics for one group of samples (the whole run or one category). `accuracy` is the
/// headline verdict (exact match or the BFCL checker); BFCL suites also get `bfcl_accuracy`.
fn group_metrics(samples: &[&Sample], examples: &HashMap<&str, &Example>) -> GroupMetrics {
    let n = samples.len() as u64;
    let valid = samples.iter().filter(|s| s.valid).count() as u64;
    let decoded = samples.iter().filter(|s| s.calls.is_some()).count() as u64;
    let mut g = GroupMetrics {
        examples: n,
        prompt_truncated: samples.iter().filter(|s| s.prompt_truncated).count() as u64,
        ..GroupMetrics::default()
    };
    g.put("accuracy", Ratio::new(valid, n));
    g.put("json_valid", Ratio::new(decoded, n));
    let mut bfcl = (0u64, 0u64);
    let mut verdicts: Vec<NeedleVerdict> = Vec::new();
    for s in samples {
        let Some(ex) = examples.get(s.id.as_str()) else {
            continue;
        };
        match needle_expected(ex) {
            Some(expected) => {
                let decoded: Result<Vec<_>, DecodeError> = s
                    .calls
                    .clone()
                    .ok_or_else(|| DecodeError::syntax("did not decode"));
                verdicts.push(needle::score(&decoded, expected, &ex.tools, ex.dialect));
            }
            None => {
                bfcl.1 += 1;
                bfcl.0 += u64::from(s.valid);
            }
        }
    }
    if bfcl.1 > 0 {
        g.put("bfcl_accuracy", Ratio::new(bfcl.0, bfcl.1));
    }
    if !verdicts.is_empty() {
        let nm = NeedleMetrics::from_verdicts(&verdicts);
        if let Ok(Value::Object(fields)) = serde_json::to_value(&nm) {
            for (k, v) in fields {
                if let Ok(r) = serde_json::from_value::<Ratio>(v) {
                    g.put(&k, r);
                }
            }
        }
    }
    g
}

/// Builds the `metrics` and `per_category` sections.
pub fn metrics(samples: &[Sample], examples: &[Example]) -> (Value, Value) {
    let by_id: HashMap<&str, &Example> = examples.iter().map(|e| (e.id.as_str(), e)).collect();
    let all: Vec<&Sample> = samples.iter().collect();
    let mut cats: BTreeMap<&str, Vec<&Sample>> = BTreeMap::new();
    for s in samples {
        cats.entry(s.category.as_str()).or_default().push(s);
    }
    let per_category: Map<String, Value> = cats
        .iter()
        .map(|(c, ss)| (c.to_string(), json!(group_metrics(ss, &by_id))))
        .collect();
    (
        json!(group_metrics(&all, &by_id)),
        Value::Object(per_category),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 90.0), 90.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[3.0], 99.0), 3.0);
        assert_eq!(percentile(&[], 50.0), 0.0);
    }
}
