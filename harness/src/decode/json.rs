//! The JSON function-calling decoder, as BFCL's xLAM-2 handler (`salesforce_qwen.py`,
//! `decode_ast`) does it: `json.loads` the whole text (a lone object is wrapped in a list); if
//! that is not valid JSON, split on `;` and `json.loads` each stripped piece; every item must
//! be an object with `"name"` and `"arguments"` (extra keys ignored) and becomes
//! `{name: arguments}`. Arguments that are not an object are a wrong format, reported after the
//! whole list decoded, as BFCL's format check does.
//!
//! Needle-format output uses the same shape, so [`decode_json_calls`] is also Thimble's
//! general JSON call decoder.

use super::pyjson::{loads, py_strip, JsonError};
use super::value::{repr, PyValue};
use super::{DecodeError, PyCall};
use crate::call::Call;

fn json_error(e: &JsonError) -> DecodeError {
    DecodeError::syntax(format!("JSONDecodeError: {e}"))
}

/// The `{name: arguments}` items, before the format check.
fn decode_items(text: &str) -> Result<Vec<(PyValue, PyValue)>, DecodeError> {
    let items = match loads(text) {
        Ok(PyValue::List(items)) => items,
        Ok(other) => vec![other],
        Err(e) if e.recursion => return Err(json_error(&e)),
        Err(_) => {
            let mut items = Vec::new();
            for piece in text.split(';') {
                items.push(loads(py_strip(piece)).map_err(|e| json_error(&e))?);
            }
            items
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (idx, item) in items.into_iter().enumerate() {
        let PyValue::Dict(_) = item else {
            return Err(DecodeError::syntax(format!(
                "TypeError: call {idx} is a {}, not an object",
                item.py_type().name()
            )));
        };
        let Some(name) = item.dict_get(&PyValue::str("name")).cloned() else {
            return Err(DecodeError::syntax(format!(
                "KeyError: call {idx} has no 'name'"
            )));
        };
        let Some(arguments) = item.dict_get(&PyValue::str("arguments")).cloned() else {
            return Err(DecodeError::syntax(format!(
                "KeyError: call {idx} has no 'arguments'"
            )));
        };
        if !name.is_hashable() {
            return Err(DecodeError::syntax(format!(
                "TypeError: unhashable type: '{}' as the name of call {idx}",
                name.py_type().name()
            )));
        }
        out.push((name, arguments));
    }
    Ok(out)
}

/// Decodes JSON function-calling output with Python values, exactly as BFCL scores it.
pub fn decode_json(text: &str) -> Result<Vec<PyCall>, DecodeError> {
    let items = decode_items(text)?;
    let mut calls = Vec::with_capacity(items.len());
    for (idx, (name, arguments)) in items.into_iter().enumerate() {
        let PyValue::Dict(args) = arguments else {
            return Err(DecodeError::wrong_format(format!(
                "the arguments of call {idx} are a {} ({}), not an object",
                arguments.py_type().name(),
                repr(&arguments)
            )));
        };
        calls.push(PyCall { name, args });
    }
    Ok(calls)
}

/// Decodes `[{"name": ..., "arguments": {...}}, ...]` (or one such object, or `;`-separated
/// objects) into calls.
pub fn decode_json_calls(text: &str) -> Result<Vec<Call>, DecodeError> {
    decode_json(text).map(|calls| super::to_calls(&calls))
}

#[cfg(test)]
mod tests {
    use super::super::DecodeErrorKind;
    use super::*;

    #[test]
    fn shapes() {
        let calls = decode_json_calls(r#"[{"name": "f", "arguments": {"a": 1}}]"#).unwrap();
        assert_eq!(calls[0].name, "f");
        assert_eq!(calls[0].arguments["a"], 1);
        assert_eq!(
            decode_json_calls(r#"{"name": "f", "arguments": {}, "id": 3}"#)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            decode_json_calls(r#"{"name": "f", "arguments": {}}; {"name": "g", "arguments": {}}"#)
                .unwrap()
                .len(),
            2
        );
        assert!(decode_json_calls("[]").unwrap().is_empty());
    }

    #[test]
    fn failures() {
        assert_eq!(
            decode_json("f(a=1)").unwrap_err().kind,
            DecodeErrorKind::Syntax
        );
        assert_eq!(
            decode_json(r#"[{"name": "f"}]"#).unwrap_err().kind,
            DecodeErrorKind::Syntax
        );
        assert_eq!(
            decode_json(r#"["f"]"#).unwrap_err().kind,
            DecodeErrorKind::Syntax
        );
        assert_eq!(
            decode_json(r#"[{"name": "f", "arguments": "{\"a\": 1}"}]"#)
                .unwrap_err()
                .kind,
            DecodeErrorKind::WrongFormat
        );
        assert_eq!(
            decode_json(r#"[{"name": ["f"], "arguments": {}}]"#)
                .unwrap_err()
                .kind,
            DecodeErrorKind::Syntax
        );
        assert_eq!(
            decode_json("```json\n[]\n```").unwrap_err().kind,
            DecodeErrorKind::Syntax
        );
    }
}
