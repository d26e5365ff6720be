//! Needle's tools normalization: tool names to snake_case and the compact, ASCII-only JSON the
//! encoder sees, plus the map from predicted snake_case names back to the user's names.
//!
//! The JSON is written the way Python's `json.dumps(tools, separators=(",", ":"))` writes it
//! (the reference serializer): non-ASCII and DEL escaped as `\uXXXX` (surrogate pairs above the
//! BMP), floats in `repr` form (`1e-05`, `1.0`), key order kept.

use serde_json::Value;

use crate::error::{Error, Result};

/// Thimble's snake_case rule (the Needle spec names the step but not the function): the
/// classic two-pass rewrite `(.)([A-Z][a-z]+) → \1_\2`, then `([a-z0-9])([A-Z]) → \1_\2`,
/// lowercased, with every character outside `[a-z0-9_]` in ASCII (dots, hyphens, spaces)
/// turned into `_`. `getWeather` → `get_weather`, `HTTPRequest` → `http_request`,
/// `math.factorial` → `math_factorial`.
pub fn snake_case(name: &str) -> String {
    let c: Vec<char> = name.chars().collect();
    // Pass 1: `(.)([A-Z][a-z]+)`, non-overlapping, left to right.
    let mut p1 = Vec::with_capacity(c.len() + 4);
    let mut i = 0;
    while i < c.len() {
        let lowers = c[(i + 2).min(c.len())..]
            .iter()
            .take_while(|ch| ch.is_ascii_lowercase())
            .count();
        if c[i] != '\n' && i + 1 < c.len() && c[i + 1].is_ascii_uppercase() && lowers > 0 {
            p1.push(c[i]);
            p1.push('_');
            p1.extend_from_slice(&c[i + 1..i + 2 + lowers]);
            i += 2 + lowers;
        } else {
            p1.push(c[i]);
            i += 1;
        }
    }
    // Pass 2: `([a-z0-9])([A-Z])`.
    let mut p2 = String::with_capacity(p1.len() + 4);
    let mut i = 0;
    while i < p1.len() {
        if i + 1 < p1.len()
            && (p1[i].is_ascii_lowercase() || p1[i].is_ascii_digit())
            && p1[i + 1].is_ascii_uppercase()
        {
            p2.push(p1[i]);
            p2.push('_');
            p2.push(p1[i + 1]);
            i += 2;
        } else {
            p2.push(p1[i]);
            i += 1;
        }
    }
    p2.to_lowercase()
        .chars()
        .map(|ch| if ch.is_ascii() && !ch.is_ascii_alphanumeric() && ch != '_' { '_' } else { ch })
        .collect()
}

/// The encoder's view of a tool list and the way back to the user's names.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolsPrompt {
    /// Compact ASCII JSON of the tools with snake_case names.
    pub text: String,
    /// `(snake_case, original)` for every tool, in order.
    pub names: Vec<(String, String)>,
}

impl ToolsPrompt {
    /// The user's name for a predicted name; unknown names come back unchanged.
    pub fn original_name<'a>(&'a self, predicted: &'a str) -> &'a str {
        self.names
            .iter()
            .find(|(s, _)| s == predicted)
            .map_or(predicted, |(_, o)| o.as_str())
    }
}

/// Parses a tools JSON array, renames each tool to snake_case and serializes it compactly.
pub fn normalize_tools(json: &str) -> Result<ToolsPrompt> {
    let value: Value = serde_json::from_str(json).map_err(|e| Error::ToolsJson(e.to_string()))?;
    normalize_tools_value(value)
}

/// As [`normalize_tools`], from an already parsed value.
pub fn normalize_tools_value(mut value: Value) -> Result<ToolsPrompt> {
    let tools = value
        .as_array_mut()
        .ok_or_else(|| Error::ToolsJson("expected a JSON array of tool objects".into()))?;
    let mut names = Vec::with_capacity(tools.len());
    for (i, tool) in tools.iter_mut().enumerate() {
        let obj = tool
            .as_object_mut()
            .ok_or_else(|| Error::ToolsJson(format!("tool {i} is not a JSON object")))?;
        let name = obj
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::ToolsJson(format!("tool {i} has no string `name`")))?
            .to_string();
        let snake = snake_case(&name);
        obj.insert("name".into(), Value::String(snake.clone()));
        names.push((snake, name));
    }
    Ok(ToolsPrompt {
        text: to_python_json(&value),
        names,
    })
}

/// Compact JSON as Python's `json.dumps(v, separators=(",", ":"))` (ensure_ascii) writes it.
pub fn to_python_json(v: &Value) -> String {
    let mut out = String::new();
    write_value(v, &mut out);
    out
}

fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if n.is_f64() {
                out.push_str(&python_float_repr(n.as_f64().unwrap_or(f64::NAN)));
            } else {
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(x, out);
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, x)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_value(x, out);
            }
            out.push('}');
        }
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(ch),
            _ => {
                let mut buf = [0u16; 2];
                for unit in ch.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: shortest round-trip digits, scientific when the exponent is below
/// -4 or at least 16, always a `.0` on integral values in fixed notation.
pub fn python_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    // `{:e}` gives the shortest round-trip digits: "-1.2345e-7".
    let sci = format!("{x:e}");
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mant) = mant.strip_prefix('-').map_or(("", mant), |m| ("-", m));
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if (point as usize) >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
        };
        format!("{sign}{body}")
    } else {
        let m = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{m}e{esign}{:02}", exp.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_rule() {
        for (a, b) in [
            ("getWeather", "get_weather"),
            ("HTTPRequest", "http_request"),
            ("get_weather", "get_weather"),
            ("math.factorial", "math_factorial"),
            ("SendEmail2Friend", "send_email2_friend"),
            ("getHTTPResponseCode", "get_http_response_code"),
            ("set-alarm now", "set_alarm_now"),
            ("camelCaseX", "camel_case_x"),
        ] {
            assert_eq!(snake_case(a), b, "{a}");
        }
    }

    #[test]
    fn python_json_escaping_and_floats() {
        // Expected strings produced by CPython 3.11:
        // json.dumps(v, separators=(",", ":")) for the same values.
        let v: Value = serde_json::from_str(
            r#"{"b":"café ☕ 😀","a":[1,2.5,1e-5,1e16,100.0,-0.001,123456789012345678],"c":"\u007f\t\"\\/","d":true,"e":null}"#,
        )
        .unwrap();
        assert_eq!(
            to_python_json(&v),
            r#"{"b":"caf\u00e9 \u2615 \ud83d\ude00","a":[1,2.5,1e-05,1e+16,100.0,-0.001,123456789012345678],"c":"\u007f\t\"\\/","d":true,"e":null}"#
        );
    }

    #[test]
    fn normalize_renames_and_maps_back() {
        let t = normalize_tools(r#"[{"name":"getWeather","parameters":{}}]"#).unwrap();
        assert_eq!(t.text, r#"[{"name":"get_weather","parameters":{}}]"#);
        assert_eq!(t.original_name("get_weather"), "getWeather");
        assert_eq!(t.original_name("other"), "other");
        assert!(normalize_tools("{").unwrap_err().to_string().contains("not valid JSON"));
        assert!(normalize_tools(r#"[{"x":1}]"#).unwrap_err().to_string().contains("tool 0"));
    }
}
