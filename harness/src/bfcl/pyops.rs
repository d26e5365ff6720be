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
    v.py_len().map_or_else(
        || {
            crash(
                "TypeError",
                format!("object of type '{}' has no len()", tname(v)),
            )
        },
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
                format!(
                    "'in <string>' requires string as left operand, not {}",
                    tname(needle)
                ),
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
        _ => crash(
            "TypeError",
            format!("'{}' object is not iterable", tname(v)),
        ),
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

fn strip_ws(s: &str) -> &str {
    crate::decode::pyjson::py_strip(s)
}

/// Digits with single underscores between them (Python's numeric-literal rule in `int()` and
/// `float()`), underscores removed; `None` if malformed.
fn underscored_digits(s: &str) -> Option<String> {
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    if !s.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return None;
    }
    Some(s.replace('_', ""))
}

/// `int(s)` for a string: surrounding whitespace, a sign, decimal digits with underscores.
/// `None` where Python raises `ValueError` (or where the value exceeds `i128`).
pub fn py_int(s: &str) -> Option<i128> {
    let t = strip_ws(s);
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits = underscored_digits(body)?;
    let v: i128 = digits.parse().ok()?;
    Some(if neg { -v } else { v })
}

/// `float(s)` for a string: whitespace, sign, `inf`/`infinity`/`nan` in any case, decimal
/// and exponent forms with underscores between digits. `None` where Python raises.
pub fn py_float(s: &str) -> Option<f64> {
    let t = strip_ws(s);
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let lower = body.to_ascii_lowercase();
    let special = match lower.as_str() {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    let v = if let Some(v) = special {
        v
    } else {
        let (mantissa, exp) = match lower.find('e') {
            Some(k) => (&lower[..k], Some(&lower[k + 1..])),
            None => (lower.as_str(), None),
        };
        let (int_part, frac_part) = match mantissa.find('.') {
            Some(k) => (&mantissa[..k], Some(&mantissa[k + 1..])),
            None => (mantissa, None),
        };
        let int_digits = if int_part.is_empty() {
            String::new()
        } else {
            underscored_digits(int_part)?
        };
        let frac_digits = match frac_part {
            Some("") | None => String::new(),
            Some(f) => underscored_digits(f)?,
        };
        if int_digits.is_empty() && frac_digits.is_empty() {
            return None;
        }
        let mut text = format!("{int_digits}.{frac_digits}");
        if text.starts_with('.') {
            text.insert(0, '0');
        }
        if let Some(e) = exp {
            let (esign, edigits) = match e.strip_prefix('-') {
                Some(rest) => ("-", rest),
                None => ("", e.strip_prefix('+').unwrap_or(e)),
            };
            text.push('e');
            text.push_str(esign);
            text.push_str(&underscored_digits(edigits)?);
        }
        text.parse::<f64>().ok()?
    };
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_number_parsing() {
        assert_eq!(py_int(" 007 "), Some(7));
        assert_eq!(py_int("1_000"), Some(1000));
        assert_eq!(py_int("-5"), Some(-5));
        assert_eq!(py_int("1.0"), None);
        assert_eq!(py_int("5L"), None);
        assert_eq!(py_float("1e3"), Some(1000.0));
        assert_eq!(py_float(".5"), Some(0.5));
        assert_eq!(py_float("5."), Some(5.0));
        assert_eq!(py_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(py_float("nan").is_some_and(f64::is_nan));
        assert_eq!(py_float("abc"), None);
        assert_eq!(py_float(""), None);
        assert_eq!(py_float("1e"), None);
    }
}
