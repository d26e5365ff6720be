//! Raw output → decoded calls → verdict, for one example. The same path serves live runs and
//! recorded baselines, so every number is produced by one decoder and one scorer.

use serde_json::Value;

use crate::call::Call;
use crate::decode::DecodeError;
use crate::metrics::needle::{self, NeedleVerdict};
use crate::suite::{Example, Expected};

/// The verdict for one example, as recorded in `samples.jsonl`.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub valid: bool,
    pub calls: Option<Vec<Call>>,
    pub error_type: Option<String>,
    pub error: Option<String>,
}

/// Needle-class output: optional `<tool_call>` marker, then a JSON list of
/// `{"name","arguments"}`. Names are mapped back by `rename` (snake_case → the suite's).
pub fn decode_needle_output(
    text: &str,
    rename: &dyn Fn(&str) -> String,
) -> Result<Vec<Call>, DecodeError> {
    let body = text.trim();
    let body = body
        .strip_prefix(thimble_runtime::generate::TOOL_CALL)
        .unwrap_or(body);
    let calls = crate::decode::json::decode_json(body)?;
    Ok(calls
        .iter()
        .map(|c| {
            let mut call = c.to_call();
            call.name = rename(&call.name);
            call
        })
        .collect())
}

/// Judges a Needle-style example (expected calls as a multiset): valid = exact match.
pub fn judge_needle(
    ex: &Example,
    expected: &[Call],
    decoded: Result<Vec<Call>, DecodeError>,
) -> (Judged, NeedleVerdict) {
    let verdict = needle::score(&decoded, expected, &ex.tools, ex.dialect);
    let (error_type, error) = match &decoded {
        Err(e) => (
            Some(format!("decode:{:?}", e.kind).to_lowercase()),
            Some(e.to_string()),
        ),
        Ok(_) if verdict.exact_match => (None, None),
        Ok(calls) if expected.is_empty() => (
            Some("no_call_expected".into()),
            Some(format!("expected no call, got {}", calls.len())),
        ),
        Ok(calls) if calls.is_empty() => (
            Some("call_missing".into()),
            Some(format!("expected {} call(s), got none", expected.len())),
        ),
        Ok(_) => (
            Some("calls_mismatch".into()),
            Some(mismatch_detail(expected, &decoded)),
        ),
    };
    (
        Judged {
            valid: verdict.exact_match,
            calls: decoded.ok(),
            error_type,
            error,
        },
        verdict,
    )
}

fn mismatch_detail(expected: &[Call], got: &Result<Vec<Call>, DecodeError>) -> String {
    let show = |c: &[Call]| {
        serde_json::to_string(
            &c.iter()
                .map(|c| serde_json::json!({"name": c.name, "arguments": Value::Object(c.arguments.clone())}))
                .collect::<Vec<_>>(),
        )
        .unwrap_or_default()
    };
    match got {
        Ok(g) => format!("expected {} got {}", show(expected), show(g)),
        Err(e) => e.to_string(),
    }
}

/// Expected calls of a Needle-style example, if it is one.
pub fn needle_expected(ex: &Example) -> Option<&[Call]> {
    match &ex.expected {
        Expected::Calls { calls } => Some(calls),
        _ => None,
    }
}

/// Judges any example: Needle-style suites by exact match, BFCL ones by the AST checker.
pub fn judge(ex: &Example, decoded: Result<Vec<Call>, DecodeError>) -> Judged {
    match needle_expected(ex) {
        Some(expected) => judge_needle(ex, expected, decoded).0,
        None => {
            let calls = decoded.as_ref().ok().cloned();
            let v = crate::bfcl::check(ex, decoded, crate::bfcl::NameMapping::default());
            Judged {
                valid: v.valid,
                calls,
                error_type: v.error_type,
                error: v.error,
            }
        }
    }
}
