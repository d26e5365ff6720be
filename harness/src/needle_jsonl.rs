//! Loaders for Needle's JSONL suites, one example per line.
//!
//! * Needle 1: `query` is a string; `tools` and `answers` are JSON-ENCODED STRINGS holding the
//!   tool list (Needle 1's flat format) and the `[{"name","arguments"}]` answer list.
//! * Needle 2: `query` is a string; `tools` and `answers` are JSON values, tools with JSON
//!   Schema `parameters`; optional `system` prompt and `kind`.
//!
//! Both may carry `id` (string or integer; defaults to the 1-based line number) and `category`
//! (defaults to `"default"`); unknown keys are ignored. The format is detected from the first
//! non-empty line (`tools` a string → Needle 1, an array → Needle 2) unless given explicitly.
//! The tools' schema dialect is read from the tools themselves (`parameters.type` a string →
//! JSON Schema, or BFCL when it is `"dict"`; a map of parameter specs → Needle 1 flat), so a
//! file whose tools do not match its line format still loads correctly; an example whose
//! tools mix dialects is refused. Tools are checked by converting them to JSON Schema, so a
//! loaded suite can always be rendered for a JSON Schema model.
//!
//! Every error names the file, the line and the field. Empty lines are skipped; a `\r` before
//! the newline and a UTF-8 byte-order mark are tolerated. One leniency copies Needle's own
//! scorer: a Needle 1 `answers` string that is empty or blank means "no call" (`[]`).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::call::Call;
use crate::dialect::convert_tool;
use crate::suite::{Dialect, Example, Expected, Message, Suite};

/// The two Needle line formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedleFormat {
    /// `tools` and `answers` are JSON-encoded strings.
    Needle1,
    /// `tools` and `answers` are JSON values; optional `system`.
    Needle2,
}

impl fmt::Display for NeedleFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NeedleFormat::Needle1 => "needle1",
            NeedleFormat::Needle2 => "needle2",
        })
    }
}

impl FromStr for NeedleFormat {
    type Err = String;

    /// Accepts `needle1`/`needle-1`/`needle_1`/`1`/`v1` and the same for 2, any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect();
        match key.as_str() {
            "needle1" | "1" | "v1" => Ok(NeedleFormat::Needle1),
            "needle2" | "2" | "v2" => Ok(NeedleFormat::Needle2),
            _ => Err(format!(
                "unknown Needle suite format `{s}`: expected `needle1` (tools/answers as JSON-encoded strings) or `needle2` (JSON values)"
            )),
        }
    }
}

/// What went wrong, for callers (and tests) that branch on it; the message says the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// The file could not be read.
    Io,
    /// A line is not UTF-8.
    Utf8,
    /// A line is not valid JSON.
    MalformedJson,
    /// A required field is absent.
    MissingField,
    /// A string field that must hold JSON does not.
    EmbeddedJson,
    /// A field has the wrong JSON type.
    WrongType,
    /// Two examples share an id.
    DuplicateId,
    /// The line format could not be determined.
    UnknownFormat,
    /// A tool document is malformed or mixes dialects.
    Tool,
    /// The file holds no example.
    Empty,
}

/// A load failure with its place: file, 1-based line and field path (`tools[2].parameters`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}{}{}: {message}",
    .line.map(|l| format!(":{l}")).unwrap_or_default(),
    .field.as_ref().map(|f| format!(": field `{f}`")).unwrap_or_default())]
pub struct NeedleLoadError {
    pub file: String,
    pub line: Option<usize>,
    pub field: Option<String>,
    pub kind: LoadErrorKind,
    pub message: String,
}

/// Reads a Needle JSONL file; `format: None` detects it from the first non-empty line.
/// The suite is named by the path as given.
pub fn load_needle_jsonl(
    path: &Path,
    format: Option<NeedleFormat>,
) -> Result<Suite, NeedleLoadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| NeedleLoadError {
        file: name.clone(),
        line: None,
        field: None,
        kind: LoadErrorKind::Io,
        message: format!("cannot read: {e}"),
    })?;
    parse_needle_jsonl(&name, &bytes, format)
}

/// Parses Needle JSONL from memory; `name` is the suite name and the file named in errors.
pub fn parse_needle_jsonl(
    name: &str,
    bytes: &[u8],
    format: Option<NeedleFormat>,
) -> Result<Suite, NeedleLoadError> {
    let mut examples = Vec::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut format = format;
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    for (index, raw) in body.split(|&b| b == b'\n').enumerate() {
        let line_no = index + 1;
        let at = Place {
            file: name,
            line: line_no,
        };
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = std::str::from_utf8(raw).map_err(|e| {
            at.err(
                None,
                LoadErrorKind::Utf8,
                format!("line is not UTF-8 ({e})"),
            )
        })?;
        let value: Value = serde_json::from_str(text).map_err(|e| {
            at.err(
                None,
                LoadErrorKind::MalformedJson,
                format!("malformed JSON: {e}"),
            )
        })?;
        let Value::Object(obj) = value else {
            return Err(at.err(
                None,
                LoadErrorKind::WrongType,
                format!("each line must be a JSON object, found {}", kind(&value)),
            ));
        };
        let fmt = match format {
            Some(f) => f,
            None => {
                let detected = detect_format(&obj).ok_or_else(|| {
                    at.err(
                        None,
                        LoadErrorKind::UnknownFormat,
                        "cannot tell the Needle format: `tools` should be a JSON-encoded string (needle1) or an array (needle2)",
                    )
                })?;
                format = Some(detected);
                detected
            }
        };
        let example = parse_line(&at, &obj, fmt)?;
        if let Some(first) = seen_ids.insert(example.id.clone(), line_no) {
            return Err(at.err(
                Some("id".into()),
                LoadErrorKind::DuplicateId,
                format!("duplicate id `{}` (first used on line {first})", example.id),
            ));
        }
        examples.push(example);
    }
    if examples.is_empty() {
        return Err(NeedleLoadError {
            file: name.to_string(),
            line: None,
            field: None,
            kind: LoadErrorKind::Empty,
            message: "no examples (the file has no non-empty line)".into(),
        });
    }
    Ok(Suite {
        name: name.to_string(),
        sha256: sha256_hex(bytes),
        examples,
    })
}

/// The line format a parsed line is written in, if it says: `tools` (else `answers`) a string
/// means Needle 1, an array means Needle 2.
pub fn detect_format(line: &Map<String, Value>) -> Option<NeedleFormat> {
    for field in ["tools", "answers"] {
        match line.get(field) {
            Some(Value::String(_)) => return Some(NeedleFormat::Needle1),
            Some(Value::Array(_)) => return Some(NeedleFormat::Needle2),
            _ => {}
        }
    }
    None
}

/// Lowercase hex sha256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

struct Place<'a> {
    file: &'a str,
    line: usize,
}

impl Place<'_> {
    fn err(
        &self,
        field: Option<String>,
        kind: LoadErrorKind,
        message: impl Into<String>,
    ) -> NeedleLoadError {
        NeedleLoadError {
            file: self.file.to_string(),
            line: Some(self.line),
            field,
            kind,
            message: message.into(),
        }
    }

    fn missing(&self, field: &str) -> NeedleLoadError {
        self.err(
            Some(field.into()),
            LoadErrorKind::MissingField,
            "required field is missing",
        )
    }

    fn wrong_type(&self, field: &str, expected: &str, found: &Value) -> NeedleLoadError {
        self.err(
            Some(field.into()),
            LoadErrorKind::WrongType,
            format!("expected {expected}, found {}", kind(found)),
        )
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_line(
    at: &Place,
    obj: &Map<String, Value>,
    fmt: NeedleFormat,
) -> Result<Example, NeedleLoadError> {
    let query = match obj.get("query") {
        Some(Value::String(q)) => q.clone(),
        Some(other) => return Err(at.wrong_type("query", "a string", other)),
        None => return Err(at.missing("query")),
    };
    let tools_value = structured_field(at, obj, "tools", fmt)?;
    let Value::Array(tools) = tools_value else {
        return Err(at.wrong_type("tools", "a list of tools", &tools_value));
    };
    let dialect = tools_dialect(at, &tools, fmt)?;
    let answers_value = structured_field(at, obj, "answers", fmt)?;
    let calls = parse_answers(at, &answers_value)?;

    let id = match obj.get("id") {
        None | Some(Value::Null) => at.line.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        Some(other) => return Err(at.wrong_type("id", "a string or an integer", other)),
    };
    let category = optional_string(at, obj, "category")?.unwrap_or_else(|| "default".into());
    let kind = optional_string(at, obj, "kind")?;
    let system = optional_string(at, obj, "system")?;

    let mut messages = Vec::with_capacity(2);
    if let Some(system) = system {
        messages.push(Message {
            role: "system".into(),
            content: system,
        });
    }
    messages.push(Message {
        role: "user".into(),
        content: query,
    });
    Ok(Example {
        id,
        category,
        kind,
        messages,
        tools,
        dialect,
        expected: Expected::Calls { calls },
    })
}

/// `tools`/`answers`: a JSON-encoded string in Needle 1, a JSON value in Needle 2.
fn structured_field(
    at: &Place,
    obj: &Map<String, Value>,
    field: &str,
    fmt: NeedleFormat,
) -> Result<Value, NeedleLoadError> {
    let value = obj.get(field).ok_or_else(|| at.missing(field))?;
    match (fmt, value) {
        (NeedleFormat::Needle1, Value::String(s)) => {
            if field == "answers" && s.trim().is_empty() {
                return Ok(Value::Array(Vec::new()));
            }
            serde_json::from_str(s).map_err(|e| {
                at.err(
                    Some(field.into()),
                    LoadErrorKind::EmbeddedJson,
                    format!("string does not contain valid JSON: {e}"),
                )
            })
        }
        (NeedleFormat::Needle1, other) => Err(at.err(
            Some(field.into()),
            LoadErrorKind::WrongType,
            format!(
                "expected a JSON-encoded string (Needle 1 format), found {}",
                kind(other)
            ),
        )),
        (NeedleFormat::Needle2, Value::String(_)) => Err(at.err(
            Some(field.into()),
            LoadErrorKind::WrongType,
            "expected a JSON value, found a string (JSON-encoded strings are the Needle 1 format)",
        )),
        (NeedleFormat::Needle2, other) => Ok(other.clone()),
    }
}

fn optional_string(
    at: &Place,
    obj: &Map<String, Value>,
    field: &str,
) -> Result<Option<String>, NeedleLoadError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(at.wrong_type(field, "a string", other)),
    }
}

/// The schema dialect one tool is written in; `None` when it has no parameters to tell by.
fn tool_shape(params: Option<&Value>) -> Option<Dialect> {
    match params {
        Some(Value::Object(p)) if !p.is_empty() => Some(match p.get("type") {
            Some(Value::String(t)) if t == "dict" => Dialect::Bfcl,
            Some(Value::String(_)) => Dialect::JsonSchema,
            _ => Dialect::Needle1,
        }),
        _ => None,
    }
}

fn dialect_name(d: Dialect) -> &'static str {
    match d {
        Dialect::Needle1 => "Needle 1 flat",
        Dialect::JsonSchema => "JSON Schema",
        Dialect::Bfcl => "BFCL",
    }
}

fn tools_dialect(
    at: &Place,
    tools: &[Value],
    fmt: NeedleFormat,
) -> Result<Dialect, NeedleLoadError> {
    let mut found: Option<(Dialect, usize)> = None;
    for (i, tool) in tools.iter().enumerate() {
        let field = format!("tools[{i}]");
        let Value::Object(doc) = tool else {
            return Err(at.err(
                Some(field),
                LoadErrorKind::WrongType,
                format!("a tool must be an object, found {}", kind(tool)),
            ));
        };
        match doc.get("name") {
            Some(Value::String(_)) => {}
            Some(other) => return Err(at.wrong_type(&format!("{field}.name"), "a string", other)),
            None => return Err(at.missing(&format!("{field}.name"))),
        }
        match doc.get("parameters") {
            None | Some(Value::Null) | Some(Value::Object(_)) => {}
            Some(other) => {
                return Err(at.wrong_type(&format!("{field}.parameters"), "an object", other))
            }
        }
        if let Some(d) = tool_shape(doc.get("parameters")) {
            match found {
                Some((first, j)) if first != d => {
                    return Err(at.err(
                        Some(field),
                        LoadErrorKind::Tool,
                        format!(
                            "tools mix dialects: tools[{j}] is {}, this one is {}",
                            dialect_name(first),
                            dialect_name(d)
                        ),
                    ))
                }
                Some(_) => {}
                None => found = Some((d, i)),
            }
        }
    }
    let dialect = found.map_or(
        match fmt {
            NeedleFormat::Needle1 => Dialect::Needle1,
            NeedleFormat::Needle2 => Dialect::JsonSchema,
        },
        |(d, _)| d,
    );
    for (i, tool) in tools.iter().enumerate() {
        let field = format!("tools[{i}]");
        let checked = if dialect == Dialect::JsonSchema {
            check_json_schema_params(tool.get("parameters"))
                .map_err(|(path, msg)| (format!("{field}.parameters{path}"), msg))
        } else {
            // Converting checks every keyword the conversion reads, with tool and parameter.
            convert_tool(tool, dialect, Dialect::JsonSchema)
                .map(drop)
                .map_err(|e| (field.clone(), e.to_string()))
        };
        checked.map_err(|(field, msg)| {
            at.err(
                Some(field),
                LoadErrorKind::Tool,
                format!("invalid {} tool: {msg}", dialect_name(dialect)),
            )
        })?;
    }
    Ok(dialect)
}

/// The structural checks a JSON Schema `parameters` must pass to be usable at all; deeper
/// keywords are left to the model's own schema handling. Errors carry a path suffix.
fn check_json_schema_params(params: Option<&Value>) -> Result<(), (String, String)> {
    let Some(Value::Object(p)) = params else {
        return Ok(());
    };
    match p.get("type") {
        None => {}
        Some(Value::String(t)) if t == "object" => {}
        Some(other) => {
            return Err((
                ".type".into(),
                format!("expected \"object\", found {other}"),
            ))
        }
    }
    match p.get("properties") {
        None | Some(Value::Null) => {}
        Some(Value::Object(props)) => {
            for (name, schema) in props {
                if !matches!(schema, Value::Object(_) | Value::Bool(_)) {
                    return Err((
                        format!(".properties.{name}"),
                        format!("a schema must be an object, found {}", kind(schema)),
                    ));
                }
            }
        }
        Some(other) => {
            return Err((
                ".properties".into(),
                format!("expected an object, found {}", kind(other)),
            ))
        }
    }
    match p.get("required") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(names)) => match names.iter().position(|n| !n.is_string()) {
            None => Ok(()),
            Some(i) => Err((
                format!(".required[{i}]"),
                format!("expected a parameter name, found {}", kind(&names[i])),
            )),
        },
        Some(other) => Err((
            ".required".into(),
            format!("expected a list of names, found {}", kind(other)),
        )),
    }
}

fn parse_answers(at: &Place, answers: &Value) -> Result<Vec<Call>, NeedleLoadError> {
    let Value::Array(list) = answers else {
        return Err(at.wrong_type("answers", "a list of calls", answers));
    };
    let mut calls = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let field = format!("answers[{i}]");
        let Value::Object(call) = item else {
            return Err(at.wrong_type(&field, "an object {\"name\",\"arguments\"}", item));
        };
        let name = match call.get("name") {
            Some(Value::String(n)) => n.clone(),
            Some(other) => return Err(at.wrong_type(&format!("{field}.name"), "a string", other)),
            None => return Err(at.missing(&format!("{field}.name"))),
        };
        let arguments = match call.get("arguments") {
            Some(Value::Object(a)) => a.clone(),
            Some(other) => {
                return Err(at.wrong_type(&format!("{field}.arguments"), "an object", other))
            }
            None => return Err(at.missing(&format!("{field}.arguments"))),
        };
        calls.push(Call::new(name, arguments));
    }
    Ok(calls)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Suite, NeedleLoadError> {
        parse_needle_jsonl("t.jsonl", text.as_bytes(), None)
    }

    #[test]
    fn format_names() {
        assert_eq!("needle1".parse(), Ok(NeedleFormat::Needle1));
        assert_eq!("Needle-2".parse(), Ok(NeedleFormat::Needle2));
        assert_eq!("v1".parse(), Ok(NeedleFormat::Needle1));
        let e = "needle3".parse::<NeedleFormat>().unwrap_err();
        assert!(e.contains("needle3") && e.contains("needle1"), "{e}");
        assert_eq!(NeedleFormat::Needle2.to_string(), "needle2");
    }

    #[test]
    fn sha256_of_known_bytes() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn blank_needle1_answers_mean_no_call() {
        let s = parse(r#"{"query":"hi","tools":"[]","answers":""}"#).unwrap();
        assert_eq!(
            s.examples[0].expected,
            Expected::Calls { calls: Vec::new() }
        );
    }

    #[test]
    fn non_object_line_and_wrong_id() {
        let e = parse("[1,2]").unwrap_err();
        assert_eq!((e.kind, e.line), (LoadErrorKind::WrongType, Some(1)));
        let e = parse(r#"{"query":"q","tools":[],"answers":[],"id":1.5}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("id"));
    }

    #[test]
    fn tool_without_name() {
        let e = parse(r#"{"query":"q","tools":[{"description":"x"}],"answers":[]}"#).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::MissingField);
        assert_eq!(e.field.as_deref(), Some("tools[0].name"));
    }
}
