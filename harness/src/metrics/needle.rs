//! Needle's evaluation metrics: per-example [`NeedleVerdict`]s and their [`NeedleMetrics`]
//! aggregate, micro-averaged (counts summed over examples, then divided).
//!
//! Inputs per example: the decoded prediction (`None`/`Err` = the output did not decode), the
//! expected calls, and the tools (names already mapped back from snake_case by the caller).
//!
//! Definitions:
//! * **Normalization** ([`normalize_value`]): strings are trimmed and lowercased; a string that
//!   then parses as a finite number becomes that number; numbers compare by value (`5 == 5.0 ==
//!   "5"`); arrays (order kept) and objects (keys exact) are normalized element-wise.
//! * **Canonical call**: name (exact) + normalized arguments; calls are compared as multisets.
//! * **JSON parse rate**: examples whose output decoded / examples.
//! * **Name P/R/F1**: multiset intersection of predicted and expected names; precision over
//!   predicted calls, recall over expected calls, F1 = 2·hits / (predicted + expected).
//! * **Call P/R/F1**: the same over canonical calls.
//! * **Exact match**: the output decoded and its canonical-call multiset equals the expected
//!   one (order-free; `[]` against `[]` is a match; a decode failure never is).
//! * **Call pairing** (for the argument metrics): predicted calls in order, each paired with
//!   the not-yet-paired expected call of the same name that is, in priority, canonically
//!   equal, has the most equal normalized values, has the most shared keys (earliest on ties).
//! * **Argument accuracy**: over paired calls, expected arguments whose key is present in the
//!   prediction with an equal normalized value / all expected arguments of paired calls.
//! * **Value accuracy**: over paired calls, keys present in both whose normalized values are
//!   equal / keys present in both (value errors, key errors excluded).
//! * **Hallucinated parameter rate**: over predicted calls naming a known tool, argument keys
//!   not among that tool's parameters / all their argument keys (a call to an unknown tool is
//!   counted by name precision instead).
//! * **Missing parameter rate**: over predicted calls naming a known tool, the tool's required
//!   parameters absent from the call / the tool's required parameters.
//! * **No-call accuracy**: over examples expecting no call, outputs that decoded to exactly
//!   `[]` / such examples.
//!
//! Where Needle's reference scorer (`needle/training/eval.py`) differs, this module follows the
//! stricter, documented reading: names are counted as multisets (Needle: per-example sets);
//! numbers compare by value (Needle: `5` ≠ `5.0` ≠ `"5"`); normalization recurses into arrays
//! and objects and does not strip "at "/"today at " prefixes; missing parameters are the
//! schema's required ones (Needle: keys of the paired reference call); argument accuracy is per
//! argument (Needle: per call, whole argument dict equal); an undecodable output is never an
//! exact match (Needle: an empty raw output counts as `[]`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use super::Ratio;
use crate::call::Call;
use crate::suite::Dialect;

/// The largest integer below which every integer is exactly representable as an f64.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

/// Normalizes an argument value for comparison (see the module docs). Idempotent.
pub fn normalize_value(value: &Value) -> Value {
    match value {
        Value::String(s) => {
            let lowered = s.trim().to_lowercase();
            let t = lowered.trim();
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() && looks_numeric(t) => canonical_number(x),
                _ => Value::String(t.to_string()),
            }
        }
        Value::Number(n) => n
            .as_f64()
            .map_or(Value::Number(n.clone()), canonical_number),
        Value::Array(items) => Value::Array(items.iter().map(normalize_value).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), normalize_value(v)))
                .collect(),
        ),
        Value::Bool(_) | Value::Null => value.clone(),
    }
}

/// Rust's float parser also takes `inf`/`nan` spellings; only digit-bearing text is a number.
fn looks_numeric(t: &str) -> bool {
    t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e'))
}

fn canonical_number(x: f64) -> Value {
    if x == 0.0 {
        return Value::from(0);
    }
    if x.fract() == 0.0 && x.abs() < EXACT_INT {
        return Value::from(x as i64);
    }
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// Whether two values are equal after normalization.
pub fn values_match(a: &Value, b: &Value) -> bool {
    canonical_json(&normalize_value(a)) == canonical_json(&normalize_value(b))
}

/// Compact JSON with object keys sorted, so equal normalized values give equal strings.
fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The canonical form of a call: its exact name and its normalized, key-sorted arguments.
pub fn canonical_call(call: &Call) -> String {
    let args = Value::Object(
        call.arguments
            .iter()
            .map(|(k, v)| (k.clone(), normalize_value(v)))
            .collect(),
    );
    format!(
        "{}{}",
        Value::String(call.name.clone()),
        canonical_json(&args)
    )
}

/// The parameter names and required names of each tool, by original tool name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolSchemas {
    tools: HashMap<String, ToolParams>,
}

/// One tool's parameter names (in schema order) and required parameter names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolParams {
    pub params: Vec<String>,
    pub required: Vec<String>,
}

impl ToolSchemas {
    /// Reads tool documents of `dialect`. Lenient: what is malformed yields no parameters
    /// (loaders have already refused malformed suites); a repeated tool name keeps the first.
    pub fn from_tools(tools: &[Value], dialect: Dialect) -> ToolSchemas {
        let mut out = HashMap::new();
        for tool in tools {
            let Some(name) = tool.get("name").and_then(Value::as_str) else {
                continue;
            };
            let params = tool.get("parameters").and_then(Value::as_object);
            let entry = match dialect {
                Dialect::Needle1 => needle1_params(params),
                Dialect::JsonSchema | Dialect::Bfcl => schema_params(params),
            };
            out.entry(name.to_string()).or_insert(entry);
        }
        ToolSchemas { tools: out }
    }

    pub fn get(&self, name: &str) -> Option<&ToolParams> {
        self.tools.get(name)
    }
}

fn needle1_params(params: Option<&Map<String, Value>>) -> ToolParams {
    let Some(params) = params else {
        return ToolParams::default();
    };
    ToolParams {
        params: params.keys().cloned().collect(),
        required: params
            .iter()
            .filter(|(_, spec)| spec.get("required") == Some(&Value::Bool(true)))
            .map(|(k, _)| k.clone())
            .collect(),
    }
}

fn schema_params(params: Option<&Map<String, Value>>) -> ToolParams {
    let Some(params) = params else {
        return ToolParams::default();
    };
    ToolParams {
        params: params
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default(),
        required: params
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// One example's scoring counts; per-sample logs keep it, [`NeedleMetrics`] sums it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedleVerdict {
    /// The output decoded into a call list.
    pub json_valid: bool,
    /// Order-free canonical match of the whole call list.
    pub exact_match: bool,
    /// The example expects no call.
    pub no_call_expected: bool,
    pub expected_calls: u64,
    pub predicted_calls: u64,
    /// Multiset intersection size of predicted and expected names.
    pub name_hits: u64,
    /// Multiset intersection size of predicted and expected canonical calls.
    pub call_hits: u64,
    /// Predicted calls paired with an expected call of the same name.
    pub paired_calls: u64,
    /// Arguments of the paired expected calls.
    pub paired_expected_args: u64,
    /// Of those, present in the prediction with an equal normalized value.
    pub correct_args: u64,
    /// Keys present in both calls of a pair.
    pub shared_args: u64,
    /// Of those, with equal normalized values.
    pub correct_values: u64,
    /// Argument keys of predicted calls naming a known tool.
    pub predicted_keys: u64,
    /// Of those, not a parameter of the tool.
    pub hallucinated_keys: u64,
    /// Required parameters of the tools named by predicted calls.
    pub required_keys: u64,
    /// Of those, absent from the call.
    pub missing_required: u64,
}

/// Scores one example. `predicted: None` means the output did not decode.
pub fn score_example(
    predicted: Option<&[Call]>,
    expected: &[Call],
    tools: &ToolSchemas,
) -> NeedleVerdict {
    let mut v = NeedleVerdict {
        json_valid: predicted.is_some(),
        no_call_expected: expected.is_empty(),
        expected_calls: expected.len() as u64,
        ..NeedleVerdict::default()
    };
    let Some(predicted) = predicted else {
        return v;
    };
    v.predicted_calls = predicted.len() as u64;

    v.name_hits = multiset_overlap(
        predicted.iter().map(|c| c.name.clone()),
        expected.iter().map(|c| c.name.clone()),
    );
    let pred_canon: Vec<String> = predicted.iter().map(canonical_call).collect();
    let exp_canon: Vec<String> = expected.iter().map(canonical_call).collect();
    v.call_hits = multiset_overlap(pred_canon.iter().cloned(), exp_canon.iter().cloned());
    v.exact_match = predicted.len() == expected.len() && v.call_hits == expected.len() as u64;

    let mut used = vec![false; expected.len()];
    for (p, p_canon) in predicted.iter().zip(&pred_canon) {
        let mut best: Option<(usize, (bool, u64, u64))> = None;
        for (j, e) in expected.iter().enumerate() {
            if used[j] || e.name != p.name {
                continue;
            }
            let score = (
                *p_canon == exp_canon[j],
                equal_values(p, e),
                shared_keys(p, e),
            );
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((j, score));
            }
        }
        if let Some((j, (_, equal, shared))) = best {
            used[j] = true;
            let e = &expected[j];
            v.paired_calls += 1;
            v.paired_expected_args += e.arguments.len() as u64;
            v.correct_args += equal;
            v.shared_args += shared;
            v.correct_values += equal;
        }

        if let Some(tool) = tools.get(&p.name) {
            v.predicted_keys += p.arguments.len() as u64;
            v.hallucinated_keys += p
                .arguments
                .keys()
                .filter(|k| !tool.params.contains(k))
                .count() as u64;
            v.required_keys += tool.required.len() as u64;
            v.missing_required += tool
                .required
                .iter()
                .filter(|r| !p.arguments.contains_key(r.as_str()))
                .count() as u64;
        }
    }
    v
}

/// Keys of `e` present in `p` with equal normalized values. Every such key is also shared,
/// so this one count serves both argument accuracy and value accuracy.
fn equal_values(p: &Call, e: &Call) -> u64 {
    e.arguments
        .iter()
        .filter(|(k, ev)| p.arguments.get(*k).is_some_and(|pv| values_match(pv, ev)))
        .count() as u64
}

fn shared_keys(p: &Call, e: &Call) -> u64 {
    e.arguments
        .keys()
        .filter(|k| p.arguments.contains_key(*k))
        .count() as u64
}

fn multiset_overlap(a: impl Iterator<Item = String>, b: impl Iterator<Item = String>) -> u64 {
    let mut counts: HashMap<String, u64> = HashMap::new();
    for x in a {
        *counts.entry(x).or_default() += 1;
    }
    let mut hits = 0;
    for y in b {
        if let Some(c) = counts.get_mut(&y) {
            if *c > 0 {
                *c -= 1;
                hits += 1;
            }
        }
    }
    hits
}

/// Scores one example from a decoder's result and the example's tool documents.
pub fn score<E>(
    predicted: &Result<Vec<Call>, E>,
    expected: &[Call],
    tools: &[Value],
    dialect: Dialect,
) -> NeedleVerdict {
    score_example(
        predicted.as_ref().ok().map(Vec::as_slice),
        expected,
        &ToolSchemas::from_tools(tools, dialect),
    )
}

/// Needle's metrics over a set of examples, as counts and fractions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedleMetrics {
    pub examples: u64,
    pub json_parse_rate: Ratio,
    pub exact_match: Ratio,
    pub name_precision: Ratio,
    pub name_recall: Ratio,
    pub name_f1: Ratio,
    pub call_precision: Ratio,
    pub call_recall: Ratio,
    pub call_f1: Ratio,
    pub argument_accuracy: Ratio,
    pub value_accuracy: Ratio,
    pub hallucinated_param_rate: Ratio,
    pub missing_param_rate: Ratio,
    pub no_call_accuracy: Ratio,
}

impl NeedleMetrics {
    /// Sums verdicts (micro-average). F1 is kept as the ratio 2·hits / (predicted + expected),
    /// which equals 2PR/(P+R) and stays defined when one side is empty.
    pub fn from_verdicts<'a>(verdicts: impl IntoIterator<Item = &'a NeedleVerdict>) -> Self {
        let mut m = NeedleMetrics::default();
        let (mut pred, mut exp) = (0u64, 0u64);
        for v in verdicts {
            m.examples += 1;
            pred += v.predicted_calls;
            exp += v.expected_calls;
            m.json_parse_rate.num += u64::from(v.json_valid);
            m.exact_match.num += u64::from(v.exact_match);
            m.name_precision.num += v.name_hits;
            m.call_precision.num += v.call_hits;
            m.argument_accuracy.num += v.correct_args;
            m.argument_accuracy.den += v.paired_expected_args;
            m.value_accuracy.num += v.correct_values;
            m.value_accuracy.den += v.shared_args;
            m.hallucinated_param_rate.num += v.hallucinated_keys;
            m.hallucinated_param_rate.den += v.predicted_keys;
            m.missing_param_rate.num += v.missing_required;
            m.missing_param_rate.den += v.required_keys;
            if v.no_call_expected {
                m.no_call_accuracy.den += 1;
                m.no_call_accuracy.num += u64::from(v.exact_match);
            }
        }
        m.json_parse_rate.den = m.examples;
        m.exact_match.den = m.examples;
        let (name_hits, call_hits) = (m.name_precision.num, m.call_precision.num);
        m.name_precision.den = pred;
        m.name_recall = Ratio::new(name_hits, exp);
        m.name_f1 = Ratio::new(2 * name_hits, pred + exp);
        m.call_precision.den = pred;
        m.call_recall = Ratio::new(call_hits, exp);
        m.call_f1 = Ratio::new(2 * call_hits, pred + exp);
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(name: &str, args: Value) -> Call {
        Call::new(name, args.as_object().cloned().unwrap_or_default())
    }

    fn tools() -> ToolSchemas {
        ToolSchemas::from_tools(
            &[
                json!({"name": "set_alarm", "parameters": {
                    "hour": {"type": "number", "required": true},
                    "label": {"type": "string", "required": false}}}),
                json!({"name": "send", "parameters": {
                    "to": {"type": "string", "required": true},
                    "text": {"type": "string", "required": true}}}),
            ],
            Dialect::Needle1,
        )
    }

    #[test]
    fn normalization() {
        assert_eq!(normalize_value(&json!("  Paris ")), json!("paris"));
        assert_eq!(normalize_value(&json!(" 5 ")), json!(5));
        assert_eq!(normalize_value(&json!("74.0060")), json!(74.006));
        assert_eq!(normalize_value(&json!(5.0)), json!(5));
        assert_eq!(normalize_value(&json!(-0.0)), json!(0));
        assert_eq!(normalize_value(&json!("NaN")), json!("nan"));
        assert_eq!(normalize_value(&json!("Infinity")), json!("infinity"));
        assert_eq!(normalize_value(&json!("1E3")), json!(1000));
        assert_eq!(
            normalize_value(&json!({"A": [" X ", "2"]})),
            json!({"A": ["x", 2]})
        );
        assert!(values_match(&json!(5), &json!("5.0")));
        assert!(values_match(
            &json!({"b": 1, "a": "X"}),
            &json!({"a": "x", "b": 1.0})
        ));
        assert!(!values_match(&json!([1, 2]), &json!([2, 1])));
        assert!(!values_match(&json!(true), &json!("true")));
    }

    #[test]
    fn exact_match_is_order_free_and_multiset() {
        let exp = [
            call("send", json!({"to": "a"})),
            call("send", json!({"to": "b"})),
        ];
        let pred = [
            call("send", json!({"to": "B"})),
            call("send", json!({"to": "a"})),
        ];
        assert!(score_example(Some(&pred), &exp, &tools()).exact_match);
        let dup = [
            call("send", json!({"to": "a"})),
            call("send", json!({"to": "a"})),
        ];
        let v = score_example(Some(&dup), &exp, &tools());
        assert!(!v.exact_match);
        assert_eq!((v.call_hits, v.name_hits), (1, 2));
        // Empty against empty matches; a decode failure never does.
        assert!(score_example(Some(&[]), &[], &tools()).exact_match);
        assert!(!score_example(None, &[], &tools()).exact_match);
    }

    // Hand-computed example set:
    // 1. expected set_alarm{hour:7,label:"Wake"}; predicted set_alarm{hour:"7",label:"wake "}
    //    → exact; 2 expected args correct; keys 2, halluc 0; required 1, missing 0.
    // 2. expected send{to:"Bob",text:"hi"}; predicted send{to:"bob",msg:"hi"}
    //    → not exact; paired; expected args 2, correct 1 (to); shared 1, correct values 1;
    //      keys 2, halluc 1 (msg); required 2, missing 1 (text).
    // 3. expected []; predicted [] → exact, no-call correct.
    // 4. expected []; predicted set_alarm{hour:9} → not exact; keys 1; required 1, missing 0.
    // 5. expected send{to:"x",text:"y"}; decode failure.
    // 6. expected set_alarm{hour:8}, send{to:"a",text:"b"};
    //    predicted send{to:"a",text:"b"}, nope{} → call hit 1, name hit 1; pairs 1 (send):
    //    expected args 2, correct 2, shared 2; `nope` is unknown: no key counts.
    #[test]
    fn hand_computed_aggregate() {
        let t = tools();
        let ex1 = score_example(
            Some(&[call("set_alarm", json!({"hour": "7", "label": "wake "}))]),
            &[call("set_alarm", json!({"hour": 7, "label": "Wake"}))],
            &t,
        );
        let ex2 = score_example(
            Some(&[call("send", json!({"to": "bob", "msg": "hi"}))]),
            &[call("send", json!({"to": "Bob", "text": "hi"}))],
            &t,
        );
        let ex3 = score_example(Some(&[]), &[], &t);
        let ex4 = score_example(Some(&[call("set_alarm", json!({"hour": 9}))]), &[], &t);
        let ex5 = score_example(None, &[call("send", json!({"to": "x", "text": "y"}))], &t);
        let ex6 = score_example(
            Some(&[
                call("send", json!({"to": "a", "text": "b"})),
                call("nope", json!({})),
            ]),
            &[
                call("set_alarm", json!({"hour": 8})),
                call("send", json!({"to": "a", "text": "b"})),
            ],
            &t,
        );
        assert!(ex1.exact_match && !ex2.exact_match && ex3.exact_match);
        assert!(!ex4.exact_match && !ex5.exact_match && !ex6.exact_match);
        assert_eq!(
            (
                ex2.paired_expected_args,
                ex2.correct_args,
                ex2.shared_args,
                ex2.correct_values
            ),
            (2, 1, 1, 1)
        );
        assert_eq!((ex2.hallucinated_keys, ex2.missing_required), (1, 1));

        let m = NeedleMetrics::from_verdicts([&ex1, &ex2, &ex3, &ex4, &ex5, &ex6]);
        assert_eq!(m.examples, 6);
        assert_eq!(m.json_parse_rate, Ratio::new(5, 6));
        assert_eq!(m.exact_match, Ratio::new(2, 6));
        // predicted calls: 1+1+0+1+0+2 = 5; expected: 1+1+0+0+1+2 = 5.
        // name hits: 1+1+0+0+0+1 = 3; call hits: 1+0+0+0+0+1 = 2.
        assert_eq!(m.name_precision, Ratio::new(3, 5));
        assert_eq!(m.name_recall, Ratio::new(3, 5));
        assert_eq!(m.name_f1, Ratio::new(6, 10));
        assert_eq!(m.call_precision, Ratio::new(2, 5));
        assert_eq!(m.call_recall, Ratio::new(2, 5));
        assert_eq!(m.call_f1, Ratio::new(4, 10));
        // argument accuracy: (2 + 1 + 2) / (2 + 2 + 2); value accuracy: (2 + 1 + 2) / (2 + 1 + 2).
        assert_eq!(m.argument_accuracy, Ratio::new(5, 6));
        assert_eq!(m.value_accuracy, Ratio::new(5, 5));
        // keys: 2 + 2 + 1 + 2 (send in ex6) = 7, hallucinated 1.
        assert_eq!(m.hallucinated_param_rate, Ratio::new(1, 7));
        // required: 1 + 2 + 1 + 2 = 6, missing 1.
        assert_eq!(m.missing_param_rate, Ratio::new(1, 6));
        assert_eq!(m.no_call_accuracy, Ratio::new(1, 2));
    }

    #[test]
    fn pairing_prefers_the_matching_instance() {
        let t = tools();
        let exp = [
            call("send", json!({"to": "a", "text": "1"})),
            call("send", json!({"to": "b", "text": "2"})),
        ];
        let pred = [call("send", json!({"to": "b", "text": "2"}))];
        let v = score_example(Some(&pred), &exp, &t);
        assert_eq!(
            (v.paired_calls, v.correct_args, v.paired_expected_args),
            (1, 2, 2)
        );
    }

    #[test]
    fn schema_dialects_read_params() {
        let js = ToolSchemas::from_tools(
            &[json!({"name": "f", "parameters": {"type": "object",
                "properties": {"a": {}, "b": {}}, "required": ["a"]}})],
            Dialect::JsonSchema,
        );
        let p = js.get("f").unwrap();
        assert_eq!(p.params, ["a", "b"]);
        assert_eq!(p.required, ["a"]);
        let garbage = ToolSchemas::from_tools(&[json!(1), json!({"name": 3})], Dialect::Bfcl);
        assert!(garbage.get("f").is_none());
    }

    #[test]
    fn verdict_round_trips_through_json() {
        let v = score_example(Some(&[]), &[], &tools());
        let s = serde_json::to_string(&v).unwrap();
        assert_eq!(serde_json::from_str::<NeedleVerdict>(&s).unwrap(), v);
    }
}
