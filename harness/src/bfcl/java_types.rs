//! BFCL's `java_type_converter`: a Java argument arrives as source text and is converted by
//! the schema type — `5` for integers, `5L` for long, `1.5f` for float, `true`/`false`,
//! `new int[]{...}`, `new ArrayList<>(Arrays.asList(...))` or the double-brace `add(...)`
//! form, `new HashMap<..>() {{ put("k", v); }}` — and anything that does not match stays the
//! original string (which then fails the type check). The regular expressions are BFCL's,
//! with Python's `$` (end or before a final newline) spelled out and `\d` taken as ASCII.

use std::sync::LazyLock;

use fancy_regex::Regex;

use super::pyops::{crash, py_float, py_int, PyResult};
use crate::decode::value::{dict_insert, PyValue};

/// Compiles one of the constant patterns below; they are covered by the unit tests, so a
/// failure here is a programming error, never a property of the input.
pub(super) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("constant BFCL regex compiles")
}

static INT_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^-?[0-9]+(?=\n?\z)"));
static FLOAT_F_RE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?[fF](?=\n?\z)"));
static DOUBLE_RE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?(?=\n?\z)"));
static LONG_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^-?[0-9]+[lL](?=\n?\z)"));
static F_SUFFIX: LazyLock<Regex> = LazyLock::new(|| re(r"[fF](?=\n?\z)"));
static L_SUFFIX: LazyLock<Regex> = LazyLock::new(|| re(r"[lL](?=\n?\z)"));
static AS_LIST: LazyLock<Regex> =
    LazyLock::new(|| re(r"new\s+ArrayList<\w*>\(Arrays\.asList\((.+?)\)\)"));
static ADD_FORM: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?s)new\s+ArrayList<\w*>\(\)\s*\{\{\s*(.+?)\s*\}\}"));
static ADD_CALL: LazyLock<Regex> = LazyLock::new(|| re(r"add\((.+?)\)"));
static EMPTY_LIST: LazyLock<Regex> = LazyLock::new(|| re(r"new\s+ArrayList<\w*>\(\)"));
static ARRAY: LazyLock<Regex> = LazyLock::new(|| re(r"new\s+\w+\[\]\s*\{(.*?)\}"));
static HASHMAP: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?s)new\s+HashMap<.*?>\s*\(\)\s*\{\s*\{?\s*(.*?)\s*\}?\s*\}"));
static PUT: LazyLock<Regex> = LazyLock::new(|| re(r#"put\("(.*?)",\s*(.*?)\)"#));
static EMPTY_MAP: LazyLock<Regex> = LazyLock::new(|| re(r"new\s+HashMap<.*?>\s*\(\)"));

fn matches(r: &Regex, s: &str) -> bool {
    r.is_match(s).unwrap_or(false)
}

fn group1(r: &Regex, s: &str) -> Option<String> {
    r.captures(s)
        .ok()
        .flatten()
        .map(|c| c.get(1).map_or(String::new(), |m| m.as_str().to_string()))
}

fn value_error<T>(s: &str, what: &str) -> PyResult<T> {
    crash(
        "ValueError",
        format!(
            "invalid literal for {what}: {}",
            crate::decode::value::str_repr(s)
        ),
    )
}

/// `int(x)` where the pattern already matched; BFCL would raise if Python's `int` refuses.
fn to_int(s: &str) -> PyResult<PyValue> {
    py_int(s).map_or_else(
        || value_error(s, "int() with base 10"),
        |v| Ok(PyValue::Int(v)),
    )
}

fn to_float(s: &str) -> PyResult<PyValue> {
    py_float(s).map_or_else(|| value_error(s, "float()"), |v| Ok(PyValue::Float(v)))
}

fn strip_ends(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 2 {
        return String::new();
    }
    chars[1..chars.len() - 1].iter().collect()
}

fn py_strip(s: &str) -> &str {
    crate::decode::pyjson::py_strip(s)
}

/// `java_type_converter(value, expected_type, nested_type)`.
pub fn java_type_converter(value: &str, expected: &str, nested: Option<&str>) -> PyResult<PyValue> {
    match expected {
        "byte" | "short" | "integer" => {
            if !matches(&INT_RE, value) {
                return Ok(PyValue::str(value));
            }
            to_int(value)
        }
        "float" => {
            if !matches(&FLOAT_F_RE, value) {
                return Ok(PyValue::str(value));
            }
            to_float(&F_SUFFIX.replace_all(value, ""))
        }
        "double" => {
            if !matches(&DOUBLE_RE, value) {
                return Ok(PyValue::str(value));
            }
            to_float(value)
        }
        "long" => {
            if !matches(&LONG_RE, value) {
                return Ok(PyValue::str(value));
            }
            to_int(&L_SUFFIX.replace_all(value, ""))
        }
        "boolean" => Ok(match value {
            "true" => PyValue::Bool(true),
            "false" => PyValue::Bool(false),
            other => PyValue::str(other),
        }),
        // BFCL's char pattern `^\'.$\'` can never match, so chars stay strings.
        "char" | "String" | "any" => Ok(PyValue::str(value)),
        "Array" => parse_array(value, nested),
        "ArrayList" => parse_arraylist(value, nested),
        "HashMap" => parse_hashmap(value),
        "Set" | "Hashtable" => crash("NotImplementedError", "Set conversion is not implemented"),
        "Queue" | "Stack" => crash(
            "NotImplementedError",
            format!("{expected} conversion is not implemented"),
        ),
        other => crash("ValueError", format!("Unsupported type: {other}")),
    }
}

fn convert_element(element: &str, nested: Option<&str>) -> PyResult<PyValue> {
    match nested {
        Some("char") | Some("String") => Ok(PyValue::Str(strip_ends(element))),
        Some(t) => java_type_converter(element, t, None),
        None => parse_java_value(element),
    }
}

fn parse_arraylist(input: &str, nested: Option<&str>) -> PyResult<PyValue> {
    if let Some(elements) = group1(&AS_LIST, input) {
        let mut out = Vec::new();
        for e in elements.split(',') {
            out.push(convert_element(py_strip(e), nested)?);
        }
        return Ok(PyValue::List(out));
    }
    if let Some(adds) = group1(&ADD_FORM, input) {
        let mut out = Vec::new();
        for cap in ADD_CALL.captures_iter(&adds).flatten() {
            let v = cap.get(1).map_or("", |m| m.as_str());
            out.push(convert_element(py_strip(v), nested)?);
        }
        return Ok(PyValue::List(out));
    }
    if matches(&EMPTY_LIST, input) {
        return Ok(PyValue::List(Vec::new()));
    }
    Ok(PyValue::str(input))
}

fn parse_array(input: &str, nested: Option<&str>) -> PyResult<PyValue> {
    let Some(elements) = group1(&ARRAY, input) else {
        return Ok(PyValue::str(input));
    };
    let mut out = Vec::new();
    for e in elements.split(',') {
        let e = py_strip(e);
        if e.is_empty() {
            continue;
        }
        out.push(match nested {
            Some(t) => java_type_converter(e, t, None)?,
            None => parse_java_value(e)?,
        });
    }
    Ok(PyValue::List(out))
}

fn parse_hashmap(input: &str) -> PyResult<PyValue> {
    if let Some(puts) = group1(&HASHMAP, input) {
        let mut d = Vec::new();
        if !py_strip(&puts).is_empty() {
            for cap in PUT.captures_iter(&puts).flatten() {
                let key = cap.get(1).map_or("", |m| m.as_str());
                let value = cap.get(2).map_or("", |m| m.as_str());
                dict_insert(
                    &mut d,
                    PyValue::str(key),
                    parse_java_value(py_strip(value))?,
                );
            }
        }
        return Ok(PyValue::Dict(d));
    }
    if matches(&EMPTY_MAP, input) {
        return Ok(PyValue::Dict(Vec::new()));
    }
    Ok(PyValue::str(input))
}

/// `parse_java_value`: an untyped element.
pub fn parse_java_value(s: &str) -> PyResult<PyValue> {
    if s == "true" {
        return Ok(PyValue::Bool(true));
    }
    if s == "false" {
        return Ok(PyValue::Bool(false));
    }
    if s.starts_with('"') && s.ends_with('"') {
        return Ok(PyValue::Str(strip_ends(s)));
    }
    if matches(&LONG_RE, s) {
        // `int(value_str[:-1])`.
        let mut chars: Vec<char> = s.chars().collect();
        chars.pop();
        return to_int(&chars.into_iter().collect::<String>());
    }
    if matches(&FLOAT_F_RE, s) {
        return to_float(&F_SUFFIX.replace_all(s, ""));
    }
    if let Some(i) = py_int(s) {
        return Ok(PyValue::Int(i));
    }
    if let Some(f) = py_float(s) {
        return Ok(PyValue::Float(f));
    }
    Ok(PyValue::str(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::value::repr;

    fn conv(v: &str, t: &str, n: Option<&str>) -> String {
        repr(&java_type_converter(v, t, n).unwrap())
    }

    #[test]
    fn converts_like_bfcl() {
        assert_eq!(conv("123", "integer", None), "123");
        assert_eq!(conv("3.14f", "float", None), "3.14");
        assert_eq!(conv("3.14", "float", None), "'3.14'");
        assert_eq!(conv("123L", "long", None), "123");
        assert_eq!(conv("123", "long", None), "'123'");
        assert_eq!(conv("true", "boolean", None), "True");
        assert_eq!(conv("a", "char", None), "'a'");
        assert_eq!(
            conv("new int[]{1, 2, 3}", "Array", Some("integer")),
            "[1, 2, 3]"
        );
        assert_eq!(
            conv("new long[]{1L, 2, 3L}", "Array", Some("long")),
            "[1, '2', 3]"
        );
        assert_eq!(
            conv(
                "new ArrayList<>(Arrays.asList(\"a\", \"b\"))",
                "ArrayList",
                Some("String")
            ),
            "['a', 'b']"
        );
        assert_eq!(
            conv(
                "new ArrayList<Float>() {{ add(1.0f); add(2.0f); }}",
                "ArrayList",
                Some("float")
            ),
            "[1.0, 2.0]"
        );
        assert_eq!(
            conv(
                "new HashMap<String, Object>() {{ put(\"key1\", 1); put(\"key2\", \"value\"); }}",
                "HashMap",
                None
            ),
            "{'key1': 1, 'key2': 'value'}"
        );
        assert_eq!(conv("new HashMap<>()", "HashMap", None), "{}");
        assert!(java_type_converter("x", "Set", None).is_err());
    }
}
