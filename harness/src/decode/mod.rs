//! Decoders from a model's raw text to calls: BFCL's prompt ("Python") format, the JSON
//! function-calling format, and BFCL's Java/JavaScript prompt formats. Each has an exact entry
//! point returning [`PyCall`]s (Python values, as the official pipeline sees them) and, where
//! other Thimble code needs it, a JSON-valued one returning [`Call`]s.

pub mod java;
pub mod javascript;
pub mod json;
pub mod pyjson;
pub mod python;
pub mod value;

use std::fmt;

use serde_json::Map;

use crate::call::Call;
use value::{repr, PyValue};

/// Why a text did not decode to calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The text does not parse in the expected syntax (BFCL `ast_decoder:decoder_failed`).
    Syntax,
    /// It parsed, but not to a list of `{name: {params}}` (BFCL
    /// `ast_decoder:decoder_wrong_output_format`).
    WrongFormat,
}

/// A decode failure with what went wrong, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub kind: DecodeErrorKind,
    pub message: String,
}

impl DecodeError {
    pub fn syntax(message: impl Into<String>) -> DecodeError {
        DecodeError {
            kind: DecodeErrorKind::Syntax,
            message: message.into(),
        }
    }

    pub fn wrong_format(message: impl Into<String>) -> DecodeError {
        DecodeError {
            kind: DecodeErrorKind::WrongFormat,
            message: message.into(),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            DecodeErrorKind::Syntax => "syntax error",
            DecodeErrorKind::WrongFormat => "wrong output format",
        };
        write!(f, "{kind}: {}", self.message)
    }
}

impl std::error::Error for DecodeError {}

/// One decoded call with Python-valued name and arguments, exactly as BFCL's decoders build
/// `{name: {param: value}}`. The name is a string except from JSON output whose `"name"` is
/// another JSON scalar; a keyword key is a string, or `None` for Python's `**kwargs`.
#[derive(Debug, Clone, PartialEq)]
pub struct PyCall {
    pub name: PyValue,
    pub args: Vec<(PyValue, PyValue)>,
}

impl PyCall {
    /// Builds a call from a JSON [`Call`] (names and keys are strings there).
    pub fn from_call(call: &Call) -> PyCall {
        PyCall {
            name: PyValue::Str(call.name.clone()),
            args: call
                .arguments
                .iter()
                .map(|(k, v)| (PyValue::Str(k.clone()), PyValue::from_json(v)))
                .collect(),
        }
    }

    /// The JSON view (see [`PyValue::to_json`] for what is lost).
    pub fn to_call(&self) -> Call {
        let name = match &self.name {
            PyValue::Str(s) => s.clone(),
            other => repr(other),
        };
        let mut arguments = Map::new();
        for (k, v) in &self.args {
            let key = match k {
                PyValue::Str(s) => s.clone(),
                // `**kwargs` has no keyword; `**` cannot clash with a parameter name.
                _ => "**".to_string(),
            };
            arguments.insert(key, v.to_json());
        }
        Call { name, arguments }
    }

    /// The value of a keyword argument.
    pub fn arg(&self, key: &str) -> Option<&PyValue> {
        self.args
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v)
    }
}

/// Converts exact calls to their JSON view.
pub fn to_calls(calls: &[PyCall]) -> Vec<Call> {
    calls.iter().map(PyCall::to_call).collect()
}
