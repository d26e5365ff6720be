//! Needle's tools normalization: tool names to snake_case and the compact, ASCII-only JSON the
//! encoder sees, plus the map from predicted snake_case names back to the user's names.
//!
//! The JSON is written the way Python's `json.dumps(tools, separators=(",", ":"))` writes it
//! (the reference serializer): non-ASCII and DEL escaped as `\uXXXX` (surrogate pairs above the
//! BMP), floats in `repr` form (`1e-05`, `1.0`), key order kept.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, Serializer};
use serde_json::Value;

use crate::error::{Error, Result};

/// Needle's tool-name normalization, applied to every tool name before prompting.
///
/// The rule, in order (ASCII only, as Needle's reference does it):
/// 1. every run of characters outside `[A-Za-z0-9_]` (dots, hyphens, spaces, non-ASCII)
///    becomes one `_`;
/// 2. `_` goes before an uppercase letter that follows a lowercase letter or digit
///    (`getWeather` → `get_Weather`, `v2Api` → `v2_Api`);
/// 3. `_` goes before an uppercase letter that follows an uppercase letter and precedes a
///    lowercase one (`HTTPServer` → `HTTP_Server`);
/// 4. runs of `_` collapse to one, the result is lowercased, leading/trailing `_` are removed.
///
/// So `math.factorial` → `math_factorial`, `getHTTPResponse` → `get_http_response`,
/// `__init__` → `init`, `Ünïcode` → `n_code`. A name made only of other characters becomes `""`.
pub fn snake_case(name: &str) -> String {
    // Step 1, keeping characters so that steps 2-3 can look at neighbours.
    let mut cleaned: Vec<char> = Vec::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            cleaned.push(c);
        } else if cleaned.last() != Some(&'_') {
            cleaned.push('_');
        }
    }
    let mut out = String::with_capacity(cleaned.len() + 4);
    for (i, &c) in cleaned.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = cleaned[i - 1];
            let next = cleaned.get(i + 1).copied();
            let after_lower = prev.is_ascii_lowercase() || prev.is_ascii_digit();
            let acronym_end =
                prev.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase());
            if after_lower || acronym_end {
                out.push('_');
            }
        }
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c.to_ascii_lowercase());
    }
    out.trim_matches('_').to_string()
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
        // Needle builds a dict from snake name to original: on a collision the later tool wins.
        self.names
            .iter()
            .rfind(|(s, _)| s == predicted)
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

/// Serializes like Python's `json.dumps(value, separators=(",", ":"))` with its default
/// `ensure_ascii=True`: compact, every character outside printable ASCII escaped as `\uXXXX`
/// (lowercase hex, surrogate pairs above U+FFFF, DEL included), floats written as Python's
/// `repr` writes them (`1e-05`, `1e+16`, `100.0`). Key order is the map's order.
pub fn to_python_json(value: &Value) -> String {
    let mut buf = Vec::new();
    let mut ser = Serializer::with_formatter(&mut buf, PythonFormatter);
    // Writing a Value into a Vec cannot fail: no I/O error, no non-string keys.
    if value.serialize(&mut ser).is_err() {
        return String::new();
    }
    String::from_utf8(buf).unwrap_or_default()
}

struct PythonFormatter;

impl Formatter for PythonFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if (' '..='~').contains(&c) {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        let s: &[u8] = match char_escape {
            CharEscape::Quote => b"\\\"",
            CharEscape::ReverseSolidus => b"\\\\",
            CharEscape::Solidus => b"/",
            CharEscape::Backspace => b"\\b",
            CharEscape::FormFeed => b"\\f",
            CharEscape::LineFeed => b"\\n",
            CharEscape::CarriageReturn => b"\\r",
            CharEscape::Tab => b"\\t",
            CharEscape::AsciiControl(byte) => return write!(writer, "\\u{byte:04x}"),
        };
        writer.write_all(s)
    }

    fn write_f64<W: ?Sized + Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(python_float_repr(value).as_bytes())
    }

    fn write_f32<W: ?Sized + Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        writer.write_all(python_float_repr(f64::from(value)).as_bytes())
    }
}

/// Python's `repr(float)`: shortest round-trip digits, positional notation when the decimal
/// exponent is in [-5, 16), scientific (`1e-05`, `1.5e+16`) otherwise, `.0` on integers.
pub fn python_float_repr(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // Rust's `{:e}` gives the same shortest round-trip digits Python uses: `d.ddde±x`.
    let sci = format!("{:e}", value.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if value < 0.0 { "-" } else { "" };
    // Python switches to exponent form when the decimal point position is <= -4 or > 16.
    let decpt = exp + 1;
    if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.unsigned_abs())
    } else if decpt <= 0 {
        format!(
            "{sign}0.{}{digits}",
            "0".repeat(decpt.unsigned_abs() as usize)
        )
    } else {
        let decpt = decpt as usize;
        if digits.len() <= decpt {
            format!("{sign}{digits}{}.0", "0".repeat(decpt - digits.len()))
        } else {
            format!("{sign}{}.{}", &digits[..decpt], &digits[decpt..])
        }
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
        assert!(normalize_tools("{")
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
        assert!(normalize_tools(r#"[{"x":1}]"#)
            .unwrap_err()
            .to_string()
            .contains("tool 0"));
    }
}
