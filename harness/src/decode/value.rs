//! Python's object model, as far as BFCL's decoders and checker can see it: the value a
//! decoded argument has in the official Python pipeline, with Python's equality, its type
//! names and its `repr`.
//!
//! BFCL scores by Python semantics (`type(x) == int`, `5 == 5.0`, `True == 1`, tuples that are
//! not lists), which JSON values cannot express; decoders build these, and [`crate::call::Call`]
//! is their lossy JSON view for the rest of Thimble.

use serde_json::{Map, Number, Value};

/// A Python value produced by one of the decoders.
#[derive(Debug, Clone)]
pub enum PyValue {
    None,
    Bool(bool),
    /// Python ints are unbounded; values outside `i128` are refused by the decoders.
    Int(i128),
    Float(f64),
    Complex(f64, f64),
    Str(String),
    Bytes(Vec<u8>),
    /// Only reachable through arithmetic evaluation (`[...] + []`).
    Ellipsis,
    List(Vec<PyValue>),
    Tuple(Vec<PyValue>),
    /// Insertion-ordered; only reachable through arithmetic evaluation (`{1} | {2}`).
    Set(Vec<PyValue>),
    /// Insertion-ordered, keys unique by Python equality.
    Dict(Vec<(PyValue, PyValue)>),
}

/// The `type()` of a [`PyValue`], compared exactly as BFCL's `type(x) == T` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyType {
    NoneType,
    Bool,
    Int,
    Float,
    Complex,
    Str,
    Bytes,
    Ellipsis,
    List,
    Tuple,
    Set,
    Dict,
}

impl PyType {
    /// `type(x).__name__`.
    pub fn name(self) -> &'static str {
        match self {
            PyType::NoneType => "NoneType",
            PyType::Bool => "bool",
            PyType::Int => "int",
            PyType::Float => "float",
            PyType::Complex => "complex",
            PyType::Str => "str",
            PyType::Bytes => "bytes",
            PyType::Ellipsis => "ellipsis",
            PyType::List => "list",
            PyType::Tuple => "tuple",
            PyType::Set => "set",
            PyType::Dict => "dict",
        }
    }
}

impl PartialEq for PyValue {
    /// Python `==`.
    fn eq(&self, other: &PyValue) -> bool {
        py_eq(self, other)
    }
}

impl PyValue {
    pub fn str(s: impl Into<String>) -> PyValue {
        PyValue::Str(s.into())
    }

    pub fn py_type(&self) -> PyType {
        match self {
            PyValue::None => PyType::NoneType,
            PyValue::Bool(_) => PyType::Bool,
            PyValue::Int(_) => PyType::Int,
            PyValue::Float(_) => PyType::Float,
            PyValue::Complex(..) => PyType::Complex,
            PyValue::Str(_) => PyType::Str,
            PyValue::Bytes(_) => PyType::Bytes,
            PyValue::Ellipsis => PyType::Ellipsis,
            PyValue::List(_) => PyType::List,
            PyValue::Tuple(_) => PyType::Tuple,
            PyValue::Set(_) => PyType::Set,
            PyValue::Dict(_) => PyType::Dict,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            PyValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether Python could use this as a dict key or set member.
    pub fn is_hashable(&self) -> bool {
        match self {
            PyValue::List(_) | PyValue::Set(_) | PyValue::Dict(_) => false,
            PyValue::Tuple(items) => items.iter().all(PyValue::is_hashable),
            _ => true,
        }
    }

    /// Python truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            PyValue::None => false,
            PyValue::Bool(b) => *b,
            PyValue::Int(i) => *i != 0,
            PyValue::Float(f) => *f != 0.0,
            PyValue::Complex(re, im) => *re != 0.0 || *im != 0.0,
            PyValue::Str(s) => !s.is_empty(),
            PyValue::Bytes(b) => !b.is_empty(),
            PyValue::Ellipsis => true,
            PyValue::List(v) | PyValue::Tuple(v) | PyValue::Set(v) => !v.is_empty(),
            PyValue::Dict(d) => !d.is_empty(),
        }
    }

    /// Python's `len()` where it exists.
    pub fn py_len(&self) -> Option<usize> {
        match self {
            PyValue::Str(s) => Some(s.chars().count()),
            PyValue::Bytes(b) => Some(b.len()),
            PyValue::List(v) | PyValue::Tuple(v) | PyValue::Set(v) => Some(v.len()),
            PyValue::Dict(d) => Some(d.len()),
            _ => None,
        }
    }

    /// Python `needle in self` for containers (`str` is a substring test, `dict` a key test).
    /// `None` where Python raises `TypeError`.
    pub fn contains(&self, needle: &PyValue) -> Option<bool> {
        match self {
            PyValue::List(v) | PyValue::Tuple(v) | PyValue::Set(v) => {
                Some(v.iter().any(|x| py_eq(x, needle)))
            }
            PyValue::Dict(d) => {
                if !needle.is_hashable() {
                    return None;
                }
                Some(d.iter().any(|(k, _)| py_eq(k, needle)))
            }
            PyValue::Str(s) => match needle {
                PyValue::Str(n) => Some(s.contains(n.as_str())),
                _ => None,
            },
            PyValue::Bytes(b) => match needle {
                PyValue::Bytes(n) => Some(n.is_empty() || b.windows(n.len()).any(|w| w == n)),
                PyValue::Int(i) => Some(b.iter().any(|x| i128::from(*x) == *i)),
                _ => None,
            },
            _ => None,
        }
    }

    /// Look a key up in a dict value.
    pub fn dict_get(&self, key: &PyValue) -> Option<&PyValue> {
        match self {
            PyValue::Dict(d) => d.iter().find(|(k, _)| py_eq(k, key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Converts a JSON value the way Python's `json.loads` would have produced it.
    pub fn from_json(value: &Value) -> PyValue {
        match value {
            Value::Null => PyValue::None,
            Value::Bool(b) => PyValue::Bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    PyValue::Int(i128::from(i))
                } else if let Some(u) = n.as_u64() {
                    PyValue::Int(i128::from(u))
                } else {
                    PyValue::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(s) => PyValue::Str(s.clone()),
            Value::Array(items) => PyValue::List(items.iter().map(PyValue::from_json).collect()),
            Value::Object(map) => PyValue::Dict(
                map.iter()
                    .map(|(k, v)| (PyValue::Str(k.clone()), PyValue::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The JSON view of this value. Lossy where JSON has no equivalent: tuples and sets become
    /// arrays, non-finite floats, complex numbers, bytes and `...` become their Python `repr`
    /// text, non-string dict keys their `repr`.
    pub fn to_json(&self) -> Value {
        match self {
            PyValue::None => Value::Null,
            PyValue::Bool(b) => Value::Bool(*b),
            PyValue::Int(i) => {
                if let Ok(v) = i64::try_from(*i) {
                    Value::Number(v.into())
                } else if let Ok(v) = u64::try_from(*i) {
                    Value::Number(v.into())
                } else {
                    Number::from_f64(*i as f64).map_or(Value::String(i.to_string()), Value::Number)
                }
            }
            PyValue::Float(f) => {
                Number::from_f64(*f).map_or_else(|| Value::String(repr(self)), Value::Number)
            }
            PyValue::Complex(..) | PyValue::Bytes(_) | PyValue::Ellipsis => {
                Value::String(repr(self))
            }
            PyValue::Str(s) => Value::String(s.clone()),
            PyValue::List(v) | PyValue::Tuple(v) | PyValue::Set(v) => {
                Value::Array(v.iter().map(PyValue::to_json).collect())
            }
            PyValue::Dict(d) => {
                let mut map = Map::new();
                for (k, v) in d {
                    let key = match k {
                        PyValue::Str(s) => s.clone(),
                        other => repr(other),
                    };
                    map.insert(key, v.to_json());
                }
                Value::Object(map)
            }
        }
    }
}

/// Inserts into an insertion-ordered dict with Python semantics: an equal key keeps its place
/// (and its original key object) and takes the new value.
pub fn dict_insert(dict: &mut Vec<(PyValue, PyValue)>, key: PyValue, value: PyValue) {
    if let Some(slot) = dict.iter_mut().find(|(k, _)| py_eq(k, &key)) {
        slot.1 = value;
    } else {
        dict.push((key, value));
    }
}

/// The numeric view of a value for cross-type comparison (`bool` counts as `int`).
enum Num {
    Int(i128),
    Float(f64),
    Complex(f64, f64),
}

fn as_num(v: &PyValue) -> Option<Num> {
    match v {
        PyValue::Bool(b) => Some(Num::Int(i128::from(*b))),
        PyValue::Int(i) => Some(Num::Int(*i)),
        PyValue::Float(f) => Some(Num::Float(*f)),
        PyValue::Complex(re, im) => Some(Num::Complex(*re, *im)),
        _ => None,
    }
}

/// Exact int/float equality, as Python compares them (no rounding of the int).
fn int_eq_float(i: i128, f: f64) -> bool {
    if !f.is_finite() || f.fract() != 0.0 {
        return false;
    }
    // Every integral f64 below 2^127 in magnitude converts exactly.
    if f.abs() >= 1.7e38 {
        return false;
    }
    f as i128 == i
}

fn num_eq(a: Num, b: Num) -> bool {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x == y,
        (Num::Int(x), Num::Float(y)) | (Num::Float(y), Num::Int(x)) => int_eq_float(x, y),
        (Num::Float(x), Num::Float(y)) => x == y,
        (Num::Complex(re, im), other) | (other, Num::Complex(re, im)) => match other {
            Num::Complex(re2, im2) => re == re2 && im == im2,
            Num::Int(x) => im == 0.0 && int_eq_float(x, re),
            Num::Float(y) => im == 0.0 && re == y,
        },
    }
}

/// Python `a == b`.
pub fn py_eq(a: &PyValue, b: &PyValue) -> bool {
    if let (Some(x), Some(y)) = (as_num(a), as_num(b)) {
        return num_eq(x, y);
    }
    match (a, b) {
        (PyValue::None, PyValue::None) => true,
        (PyValue::Ellipsis, PyValue::Ellipsis) => true,
        (PyValue::Str(x), PyValue::Str(y)) => x == y,
        (PyValue::Bytes(x), PyValue::Bytes(y)) => x == y,
        (PyValue::List(x), PyValue::List(y)) | (PyValue::Tuple(x), PyValue::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| py_eq(p, q))
        }
        (PyValue::Set(x), PyValue::Set(y)) => {
            x.len() == y.len() && x.iter().all(|p| y.iter().any(|q| py_eq(p, q)))
        }
        (PyValue::Dict(x), PyValue::Dict(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    y.iter()
                        .find(|(k2, _)| py_eq(k, k2))
                        .is_some_and(|(_, v2)| py_eq(v, v2))
                })
        }
        _ => false,
    }
}

/// Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // `{:e}` gives the shortest round-trip digits as `d.ddde±x`.
    let sci = format!("{:e}", f);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if negative { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let n = digits.len() as i32;
        let body = if exp >= 0 {
            let int_len = exp + 1;
            if n <= int_len {
                format!("{}{}.0", digits, "0".repeat((int_len - n) as usize))
            } else {
                format!(
                    "{}.{}",
                    &digits[..int_len as usize],
                    &digits[int_len as usize..]
                )
            }
        } else {
            format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
        };
        format!("{sign}{body}")
    } else {
        let mant = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let esign = if exp < 0 { "-" } else { "+" };
        format!("{sign}{mant}e{esign}{:02}", exp.abs())
    }
}

fn is_printable(c: char) -> bool {
    // An approximation of `str.isprintable()`: controls, separators other than the space,
    // and unassigned/format characters are escaped by `repr`.
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c as u32, 0xAD | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x2064 | 0xFEFF | 0xD800..=0xDFFF | 0xE000..=0xF8FF)
}

/// Python's `repr(str)`.
pub fn str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let v = c as u32;
                if v < 0x100 {
                    out.push_str(&format!("\\x{v:02x}"));
                } else if v < 0x10000 {
                    out.push_str(&format!("\\u{v:04x}"));
                } else {
                    out.push_str(&format!("\\U{v:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Python's `repr(bytes)`.
pub fn bytes_repr(b: &[u8]) -> String {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from("b");
    out.push(quote);
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c as char == quote => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(quote);
    out
}

fn complex_part(f: f64) -> String {
    // complex repr drops a trailing `.0` from integral parts.
    let r = float_repr(f);
    r.strip_suffix(".0").map_or(r.clone(), str::to_string)
}

/// Python's `repr()`.
pub fn repr(v: &PyValue) -> String {
    match v {
        PyValue::None => "None".into(),
        PyValue::Bool(true) => "True".into(),
        PyValue::Bool(false) => "False".into(),
        PyValue::Int(i) => i.to_string(),
        PyValue::Float(f) => float_repr(*f),
        PyValue::Complex(re, im) => {
            if *re == 0.0 && !re.is_sign_negative() {
                format!("{}j", complex_part(*im))
            } else {
                let im_s = complex_part(*im);
                let sign = if im_s.starts_with('-') || im.is_nan() && im_s.starts_with('-') {
                    ""
                } else {
                    "+"
                };
                format!("({}{}{}j)", complex_part(*re), sign, im_s)
            }
        }
        PyValue::Str(s) => str_repr(s),
        PyValue::Bytes(b) => bytes_repr(b),
        PyValue::Ellipsis => "Ellipsis".into(),
        PyValue::List(items) => {
            format!(
                "[{}]",
                items.iter().map(repr).collect::<Vec<_>>().join(", ")
            )
        }
        PyValue::Tuple(items) => {
            if items.len() == 1 {
                format!("({},)", repr(&items[0]))
            } else {
                format!(
                    "({})",
                    items.iter().map(repr).collect::<Vec<_>>().join(", ")
                )
            }
        }
        PyValue::Set(items) => {
            if items.is_empty() {
                "set()".into()
            } else {
                format!(
                    "{{{}}}",
                    items.iter().map(repr).collect::<Vec<_>>().join(", ")
                )
            }
        }
        PyValue::Dict(d) => format!(
            "{{{}}}",
            d.iter()
                .map(|(k, v)| format!("{}: {}", repr(k), repr(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        assert_eq!(float_repr(1.0), "1.0");
        assert_eq!(float_repr(0.1), "0.1");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1234567890123456.0), "1234567890123456.0");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(0.00001), "1e-05");
        assert_eq!(float_repr(-2.5e-7), "-2.5e-07");
        assert_eq!(float_repr(1.5e300), "1.5e+300");
    }

    #[test]
    fn python_equality() {
        assert!(py_eq(&PyValue::Int(5), &PyValue::Float(5.0)));
        assert!(py_eq(&PyValue::Bool(true), &PyValue::Int(1)));
        assert!(!py_eq(
            &PyValue::List(vec![PyValue::Int(1)]),
            &PyValue::Tuple(vec![PyValue::Int(1)])
        ));
        assert!(!py_eq(&PyValue::Float(f64::NAN), &PyValue::Float(f64::NAN)));
        assert!(!py_eq(&PyValue::str("1"), &PyValue::Int(1)));
    }

    #[test]
    fn reprs() {
        assert_eq!(str_repr("it's"), "\"it's\"");
        assert_eq!(str_repr("a\nb"), "'a\\nb'");
        assert_eq!(repr(&PyValue::Tuple(vec![PyValue::Int(1)])), "(1,)");
        assert_eq!(repr(&PyValue::Complex(0.0, 1.0)), "1j");
        assert_eq!(repr(&PyValue::Complex(1.0, -2.0)), "(1-2j)");
    }
}
