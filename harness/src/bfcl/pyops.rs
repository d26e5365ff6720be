//! The handful of Python operations the checker applies to possible answers and outputs
//! (`len`, `x[i]`, `x[key]`, `in`, iteration, `.items()`), each returning the exception
//! Python would raise on values it was not written for, so the checker can report where the
//! official one would crash instead of guessing.

use crate::decode::value::{py_eq, PyValue};

/// A Python exception the official checker would raise: its type name and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crash {
    pub exception: &'static str,
    pub message: String,
}

pub type PyResult<T> = Result<T, Crash>;

pub fn crash<T>(exception: &'static str, message: impl Into<String>) -> PyResult<T> {
    Err(Crash {
        exception,
        message: message.into(),
    })
}

fn tname(v: &PyValue) -> &'static str {
    v.py_type().name()
}

/// `len(v)`.
pub fn len(v: &PyValue) -> PyResult<usize> {
    v.len().map_or_else(
        || crash("TypeError", format!("object of type '{}' has no len()", tname(v))),
        Ok,
    )
}

/// `v[i]` for a non-negative integer index.
pub fn index(v: &PyValue, i: usize) -> PyResult<PyValue> {
    match v {
        PyValue::List(items) | PyValue::Tuple(items) => items
            .get(i)
            .cloned()
            .map_or_else(|| crash("IndexError", "list index out of range"), Ok),
        PyValue::Str(s) => s
            .chars()
            .nth(i)
            .map(|c| PyValue::Str(c.to_string()))
            .map_or_else(|| crash("IndexError", "string index out of range"), Ok),
        PyValue::Bytes(b) => b
            .get(i)
            .map(|x| PyValue::Int(i128::from(*x)))
            .map_or_else(|| crash("IndexError", "index out of range"), Ok),
        PyValue::Dict(_) => v
            .dict_get(&PyValue::Int(i as i128))
            .cloned()
            .map_or_else(|| crash("KeyError", i.to_string()), Ok),
        _ => crash(
            "TypeError",
            format!("'{}' object is not subscriptable", tname(v)),
        ),
    }
}

/// `v[key]`.
pub fn getitem(v: &PyValue, key: &PyValue) -> PyResult<PyValue> {
    match v {
        PyValue::Dict(_) => {
            if !key.is_hashable() {
                return crash("TypeError", format!("unhashable type: '{}'", tname(key)));
            }
            v.dict_get(key)
                .cloned()
                .map_or_else(|| crash("KeyError", crate::decode::value::repr(key)), Ok)
        }
        PyValue::List(_) | PyValue::Tuple(_) | PyValue::Str(_) | PyValue::Bytes(_) => match key {
            PyValue::Int(i) if *i >= 0 => index(v, usize::try_from(*i).unwrap_or(usize::MAX)),
            PyValue::Bool(b) => index(v, usize::from(*b)),
            _ => crash(
                "TypeError",
                format!("{} indices must be integers, not {}", tname(v), tname(key)),
            ),
        },
        _ => crash(
            "TypeError",
            format!("'{}' object is not subscriptable", tname(v)),
        ),
    }
}

/// `needle in haystack`.
pub fn contains(haystack: &PyValue, needle: &PyValue) -> PyResult<bool> {
    match haystack.contains(needle) {
        Some(b) => Ok(b),
        None => match haystack {
            PyValue::Str(_) => crash(
                "TypeError",
                format!("'in <string>' requires string as left operand, not {}", tname(needle)),
            ),
            PyValue::Dict(_) => crash("TypeError", format!("unhashable type: '{}'", tname(needle))),
            _ => crash(
                "TypeError",
                format!("argument of type '{}' is not iterable", tname(haystack)),
            ),
        },
    }
}

/// `list(v)`: the items iteration yields.
pub fn iterate(v: &PyValue) -> PyResult<Vec<PyValue>> {
    match v {
        PyValue::List(items) | PyValue::Tuple(items) | PyValue::Set(items) => Ok(items.clone()),
        PyValue::Dict(d) => Ok(d.iter().map(|(k, _)| k.clone()).collect()),
        PyValue::Str(s) => Ok(s.chars().map(|c| PyValue::Str(c.to_string())).collect()),
        PyValue::Bytes(b) => Ok(b.iter().map(|x| PyValue::Int(i128::from(*x))).collect()),
        _ => crash("TypeError", format!("'{}' object is not iterable", tname(v))),
    }
}

/// `v.items()`.
pub fn items(v: &PyValue) -> PyResult<Vec<(PyValue, PyValue)>> {
    match v {
        PyValue::Dict(d) => Ok(d.clone()),
        _ => crash(
            "AttributeError",
            format!("'{}' object has no attribute 'items'", tname(v)),
        ),
    }
}

/// `a != ""`.
pub fn is_empty_str(v: &PyValue) -> bool {
    py_eq(v, &PyValue::Str(String::new()))
}
