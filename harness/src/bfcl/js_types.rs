//! BFCL's `js_type_converter`: a JavaScript argument arrives as source text and is converted
//! by the schema type — quoted strings lose their quotes, `5` / `5.5` / `5n` become numbers,
//! `true`/`false` booleans, `[...]` and `new Array(...)` lists (2-D arrays too), `{k: v}`
//! objects — by BFCL's regular expressions; anything unmatched stays the original string.
//! Python's `$` is spelled out and `\d` is taken as ASCII.

use std::sync::LazyLock;

use fancy_regex::Regex;

use super::java_types::re;
use super::pyops::{crash, py_float, py_int, PyResult};
use crate::decode::value::{dict_insert, PyValue};

static INT_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^-?[0-9]+(?=\n?\z)"));
static FLOAT_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^-?[0-9]+(\.[0-9]+)?(?=\n?\z)"));
static BIGINT_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^-?[0-9]+n(?=\n?\z)"));
static ARRAY_2D: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:\[\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\]|\bnew\s+Array\(\s*\[.*?\]\s*(,\s*\[.*?\]\s*)*\))")
});
static INNER: LazyLock<Regex> = LazyLock::new(|| re(r"\[(.*?)\]"));
static ARRAY: LazyLock<Regex> = LazyLock::new(|| re(r"^(?:\[(.*?)\]|\bnew\s+Array\((.*?)\))"));
static DICT: LazyLock<Regex> = LazyLock::new(|| re(r"^\{(.*?)\}"));
static PAIRS: LazyLock<Regex> =
    LazyLock::new(|| re(r"([^:]+):\s*(.*?)(?:,\s*(?=[^,]+:)|(?=\n?\z))"));

fn matches(r: &Regex, s: &str) -> bool {
    r.is_match(s).unwrap_or(false)
}

fn strip_ends(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 2 {
        return String::new();
    }
    chars[1..chars.len() - 1].iter().collect()
}

fn quoted(s: &str) -> bool {
    (s.starts_with('"') && s.ends_with('"')) || (s.starts_with('\'') && s.ends_with('\''))
}

fn py_strip(s: &str) -> &str {
    crate::decode::pyjson::py_strip(s)
}

fn int_or_fail(s: &str) -> PyResult<PyValue> {
    py_int(s).map_or_else(
        || crash("ValueError", format!("invalid literal for int(): {s:?}")),
        |v| Ok(PyValue::Int(v)),
    )
}

/// `js_type_converter(value, expected_type, nested_type)`.
pub fn js_type_converter(value: &str, expected: &str, nested: Option<&str>) -> PyResult<PyValue> {
    match expected {
        "String" => Ok(PyValue::Str(if quoted(value) {
            strip_ends(value)
        } else {
            value.to_string()
        })),
        "integer" => {
            if !matches(&INT_RE, value) {
                return Ok(PyValue::str(value));
            }
            int_or_fail(value)
        }
        "float" => {
            if !matches(&FLOAT_RE, value) {
                return Ok(PyValue::str(value));
            }
            py_float(value).map_or_else(
                || {
                    crash(
                        "ValueError",
                        format!("could not convert string to float: {value:?}"),
                    )
                },
                |v| Ok(PyValue::Float(v)),
            )
        }
        "Bigint" => {
            if !matches(&BIGINT_RE, value) {
                return Ok(PyValue::str(value));
            }
            let mut chars: Vec<char> = value.chars().collect();
            chars.pop();
            int_or_fail(&chars.into_iter().collect::<String>())
        }
        "Boolean" => Ok(match value {
            "true" => PyValue::Bool(true),
            "false" => PyValue::Bool(false),
            other => PyValue::str(other),
        }),
        "dict" => Ok(parse_dict(value)),
        "array" => Ok(parse_array(value, nested)),
        "any" => Ok(PyValue::str(value)),
        other => crash("ValueError", format!("Unsupported type: {other}")),
    }
}

/// `parse_js_collection(code, "array", nested_type)`; any exception yields the code itself.
fn parse_array(value: &str, nested: Option<&str>) -> PyValue {
    let code = py_strip(value);
    try_parse_array(code, nested).unwrap_or_else(|_| PyValue::str(code))
}

fn try_parse_array(code: &str, nested: Option<&str>) -> PyResult<PyValue> {
    if let Ok(Some(m)) = ARRAY_2D.find(code) {
        let whole = m.as_str();
        let mut out = Vec::new();
        for (idx, cap) in INNER.captures_iter(whole).flatten().enumerate() {
            let mut inner = py_strip(cap.get(1).map_or("", |g| g.as_str())).to_string();
            if idx == 0 && inner.starts_with('[') {
                inner = inner.chars().skip(1).collect();
            }
            let row = inner
                .split(',')
                .map(|e| parse_js_value(py_strip(e)))
                .collect();
            out.push(PyValue::List(row));
        }
        return Ok(PyValue::List(out));
    }
    let Ok(Some(caps)) = ARRAY.captures(code) else {
        return Ok(PyValue::str(code));
    };
    let group = caps.get(1).or_else(|| caps.get(2));
    let elements: Vec<&str> = match group {
        Some(g) => {
            let s = py_strip(g.as_str());
            if s.is_empty() {
                Vec::new()
            } else {
                s.split(',').collect()
            }
        }
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for e in elements {
        let e = py_strip(e);
        out.push(match nested {
            Some(t) => {
                if e.starts_with('\'') || e.starts_with('"') {
                    js_type_converter(e, t, Some("String"))?
                } else {
                    js_type_converter(e, t, None)?
                }
            }
            None => parse_js_value(e),
        });
    }
    Ok(PyValue::List(out))
}

/// `parse_js_collection(code, "dict")`.
fn parse_dict(value: &str) -> PyValue {
    let code = py_strip(value);
    if code == "{}" {
        return PyValue::Dict(Vec::new());
    }
    let Ok(Some(caps)) = DICT.captures(code) else {
        return PyValue::str(code);
    };
    let content = caps.get(1).map_or("", |g| g.as_str());
    let mut d = Vec::new();
    for cap in PAIRS.captures_iter(content) {
        let Ok(cap) = cap else {
            return PyValue::str(code);
        };
        let key = py_strip(cap.get(1).map_or("", |g| g.as_str()))
            .trim_matches(|c| c == '\'' || c == '"')
            .to_string();
        let v = py_strip(cap.get(2).map_or("", |g| g.as_str()));
        let parsed = if v.starts_with('[') && v.ends_with(']') {
            parse_array(v, None)
        } else if v.starts_with('{') && v.ends_with('}') {
            parse_dict(v)
        } else {
            parse_js_value(v.trim_matches(|c| c == '\'' || c == '"'))
        };
        dict_insert(&mut d, PyValue::Str(key), parsed);
    }
    PyValue::Dict(d)
}

/// `parse_js_value`: an untyped element.
pub fn parse_js_value(value: &str) -> PyValue {
    let s = py_strip(value);
    if s == "true" {
        return PyValue::Bool(true);
    }
    if s == "false" {
        return PyValue::Bool(false);
    }
    if quoted(s) {
        return PyValue::Str(strip_ends(s));
    }
    if let Some(i) = py_int(s) {
        return PyValue::Int(i);
    }
    if let Some(f) = py_float(s) {
        return PyValue::Float(f);
    }
    PyValue::str(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::value::repr;

    fn conv(v: &str, t: &str, n: Option<&str>) -> String {
        repr(&js_type_converter(v, t, n).unwrap())
    }

    #[test]
    fn converts_like_bfcl() {
        assert_eq!(conv("'abc'", "String", None), "'abc'");
        assert_eq!(conv("abc", "String", None), "'abc'");
        assert_eq!(conv("12", "integer", None), "12");
        assert_eq!(conv("1.5", "float", None), "1.5");
        assert_eq!(conv("1e5", "float", None), "'1e5'");
        assert_eq!(conv("12n", "Bigint", None), "12");
        assert_eq!(conv("[1, 2, 3]", "array", None), "[1, 2, 3]");
        assert_eq!(conv("['a', \"b\"]", "array", Some("String")), "['a', 'b']");
        assert_eq!(conv("[[1, 2], [3, 4]]", "array", None), "[[1, 2], [3, 4]]");
        assert_eq!(conv("[]", "array", None), "[]");
        assert_eq!(
            conv(
                "{'key1': 123, 'key2': 'value', 'key3': false}",
                "dict",
                None
            ),
            "{'key1': 123, 'key2': 'value', 'key3': False}"
        );
        assert_eq!(conv("{}", "dict", None), "{}");
        assert_eq!(conv("x", "dict", None), "'x'");
    }
}
