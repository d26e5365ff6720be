//! Compiling tool documents into the grammar the decoder enforces.
//!
//! The output grammar is fixed in shape — `[` `{"name":"N","arguments":{…}}` (`,` …)* `]`,
//! compact, optionally preceded by the one space a dummy-prefixed first piece carries — and
//! parameterized by the tools: `N` comes from a trie of the declared (snake_case) names, each
//! tool's arguments object from its `parameters` schema. A schema becomes a [`Node`]: a set of
//! allowed JSON types, plus an item node for arrays, a property table for objects, or a trie of
//! literal serializations for `enum`/`const`. Object keys are a trie too, so "which keys are
//! still free" is a bit mask per trie node rather than a search.
//!
//! Keywords the byte automaton cannot enforce never fail compilation: narrowing keywords
//! (`pattern`, `minimum`, …) are dropped, keeping the base type; `$ref`/`oneOf`/`anyOf`/`allOf`
//! make the value any JSON value. Each such decision is a [`Warning`] naming tool and parameter.

use std::fmt;

use serde_json::{Map, Value};

use super::state::State;
use super::Constrain;
use crate::error::{Error, Result};
use crate::tools::{to_python_json, ToolsPrompt};

/// "No such index" in the compiled tables.
pub(crate) const NONE: u32 = u32::MAX;

pub(crate) const T_STRING: u8 = 1;
pub(crate) const T_INTEGER: u8 = 2;
pub(crate) const T_NUMBER: u8 = 4;
pub(crate) const T_BOOLEAN: u8 = 8;
pub(crate) const T_NULL: u8 = 16;
pub(crate) const T_ARRAY: u8 = 32;
pub(crate) const T_OBJECT: u8 = 64;
pub(crate) const T_ANY: u8 = 127;

/// The any-JSON-value node; always index 0.
pub(crate) const ANY: u32 = 0;

/// Properties past this index share one "overflow" bit: they may repeat and cannot be required.
pub(crate) const TRACKED_KEYS: usize = 63;

/// A value's constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Node {
    /// `T_*` bits.
    pub types: u8,
    /// Node of array items (meaningful when `T_ARRAY` is set).
    pub item: u32,
    /// Object shape, or `NONE` for an object with free keys and any values.
    pub obj: u32,
    /// Root of the literal trie when the value is an `enum`/`const`; `types` is then unused.
    pub lits: u32,
}

/// The declared properties of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ObjShape {
    /// Trie over each key's JSON-escaped text plus its closing quote; terminals hold the
    /// property index.
    pub key_root: u32,
    pub props: Vec<u32>,
    pub required: u64,
    /// Every key's bit (see [`key_bit`]).
    pub all: u64,
}

/// A node of one of the grammar's byte tries (names, keys, literals).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrieNode {
    pub edges: Vec<(u8, u32)>,
    /// Payload of a complete entry (tool index, property index, or 0 for literals), or `NONE`.
    pub term: u32,
    /// Key bits of the entries at or below this node, so a key trie walk can stop as soon as
    /// every key below has already been used.
    pub below: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tool {
    pub name: String,
    pub args: u32,
}

/// A schema keyword the grammar does not enforce, and what it does instead.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Warning {
    /// The tool's (snake_case) name.
    pub tool: String,
    /// Dotted path of the parameter (`filters.items.kind`); empty for the tool itself.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "tool `{}`: {}", self.tool, self.message)
        } else {
            write!(
                f,
                "tool `{}` parameter `{}`: {}",
                self.tool, self.path, self.message
            )
        }
    }
}

/// The compiled output grammar of one tool list.
#[derive(Debug, Clone, PartialEq)]
pub struct Grammar {
    pub(crate) mode: Constrain,
    pub(crate) nodes: Vec<Node>,
    pub(crate) objects: Vec<ObjShape>,
    pub(crate) tries: Vec<TrieNode>,
    pub(crate) tools: Vec<Tool>,
    /// Trie over each tool name plus its closing quote; terminals hold the tool index.
    pub(crate) name_root: u32,
    /// Trie holding `true`, `false` and `null`.
    pub(crate) word_root: u32,
    warnings: Vec<Warning>,
}

/// The bit a property index occupies in seen/required masks.
pub(crate) fn key_bit(i: usize) -> u64 {
    1u64 << i.min(TRACKED_KEYS)
}

/// The bit recorded once a key has been written; overflow keys are never marked.
pub(crate) fn seen_bit(i: u32) -> u64 {
    if (i as usize) < TRACKED_KEYS {
        1u64 << i
    } else {
        0
    }
}

impl Grammar {
    /// Compiles the normalized tools for `mode` (`names` or `schema`).
    pub fn compile(tools: &ToolsPrompt, mode: Constrain) -> Result<Grammar> {
        let value: Value =
            serde_json::from_str(&tools.text).map_err(|e| Error::ToolsJson(e.to_string()))?;
        Grammar::compile_value(&value, mode)
    }

    /// Compiles a tools array whose names are already the ones the model writes.
    pub fn compile_value(tools: &Value, mode: Constrain) -> Result<Grammar> {
        if mode == Constrain::Off {
            return Err(Error::Input(
                "constrain mode `off` has no grammar to compile".into(),
            ));
        }
        let list = tools
            .as_array()
            .ok_or_else(|| Error::ToolsJson("expected a JSON array of tool objects".into()))?;
        let mut b = Builder {
            g: Grammar {
                mode,
                nodes: vec![Node {
                    types: T_ANY,
                    item: ANY,
                    obj: NONE,
                    lits: NONE,
                }],
                objects: Vec::new(),
                tries: Vec::new(),
                tools: Vec::new(),
                name_root: NONE,
                word_root: NONE,
                warnings: Vec::new(),
            },
            tool: String::new(),
        };
        b.g.name_root = b.new_trie_node();
        b.g.word_root = b.new_trie_node();
        for w in ["true", "false", "null"] {
            b.insert(b.g.word_root, w.as_bytes(), 0, 0);
        }
        for (i, tool) in list.iter().enumerate() {
            let obj = tool
                .as_object()
                .ok_or_else(|| Error::ToolsJson(format!("tool {i} is not a JSON object")))?;
            let name = obj
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::ToolsJson(format!("tool {i} has no string `name`")))?;
            b.tool = name.to_string();
            let args = b.tool_arguments(obj.get("parameters"));
            let index = b.g.tools.len() as u32;
            if let Some(prev) = b.g.tools.iter_mut().find(|t| t.name == name) {
                // Needle maps names back through a dict: the later tool wins, so it does here.
                prev.args = args;
                b.warn(
                    "",
                    "declared twice; the later declaration's parameters apply",
                );
                continue;
            }
            b.g.tools.push(Tool {
                name: name.to_string(),
                args,
            });
            let mut key = json_string_body(name);
            key.push(b'"');
            let root = b.g.name_root;
            b.insert(root, &key, index, 0);
        }
        let mut g = b.g;
        g.warnings.sort();
        g.warnings.dedup();
        Ok(g)
    }

    pub fn mode(&self) -> Constrain {
        self.mode
    }

    /// Schema keywords that were not enforced, one per tool, parameter and reason.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The declared (snake_case) tool names, in order.
    pub fn tool_names(&self) -> impl Iterator<Item = &str> {
        self.tools.iter().map(|t| t.name.as_str())
    }

    /// Whether `text` is a complete output (the call list, without `<tool_call>`).
    pub fn accepts(&self, text: &[u8]) -> bool {
        let mut m = State::matcher();
        text.iter().all(|&b| m.step(self, b)) && m.is_done()
    }

    /// Whether `text` can still be extended into a complete output.
    pub fn accepts_prefix(&self, text: &[u8]) -> bool {
        let mut m = State::matcher();
        text.iter().all(|&b| m.step(self, b))
    }

    pub(crate) fn child(&self, node: u32, b: u8) -> Option<u32> {
        self.tries[node as usize]
            .edges
            .iter()
            .find(|e| e.0 == b)
            .map(|e| e.1)
    }
}

/// The compile-time state: the grammar being filled and the tool being compiled.
struct Builder {
    g: Grammar,
    tool: String,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Narrowing keywords: the value keeps its base type and the keyword is not enforced.
const NARROWING: &[&str] = &[
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "minProperties",
    "maxProperties",
    "propertyNames",
    "patternProperties",
    "dependentRequired",
    "dependentSchemas",
    "dependencies",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// Keywords that make a value's shape unknown to the grammar: the value becomes any JSON value.
const OPAQUE: &[&str] = &[
    "$ref",
    "$dynamicRef",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "if",
    "then",
    "else",
];

impl Builder {
    fn warn(&mut self, path: &str, message: impl Into<String>) {
        self.g.warnings.push(Warning {
            tool: self.tool.clone(),
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn new_trie_node(&mut self) -> u32 {
        self.g.tries.push(TrieNode {
            edges: Vec::new(),
            term: NONE,
            below: 0,
        });
        (self.g.tries.len() - 1) as u32
    }

    /// Adds `bytes` under `root` with payload `term`, marking `bit` on the whole path.
    fn insert(&mut self, root: u32, bytes: &[u8], term: u32, bit: u64) {
        let mut at = root;
        self.g.tries[at as usize].below |= bit;
        for &b in bytes {
            at = match self.g.child(at, b) {
                Some(c) => c,
                None => {
                    let c = self.new_trie_node();
                    self.g.tries[at as usize].edges.push((b, c));
                    c
                }
            };
            self.g.tries[at as usize].below |= bit;
        }
        self.g.tries[at as usize].term = term;
    }

    fn push_node(&mut self, n: Node) -> u32 {
        self.g.nodes.push(n);
        (self.g.nodes.len() - 1) as u32
    }

    /// The arguments object of one tool, from JSON Schema or Needle 1's flat parameter map.
    fn tool_arguments(&mut self, params: Option<&Value>) -> u32 {
        let empty = Map::new();
        let params = match params {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(m)) => m,
            Some(other) => {
                self.warn(
                    "",
                    format!(
                        "`parameters` is {}, not an object; arguments are any JSON object",
                        kind(other)
                    ),
                );
                return self.push_node(Node {
                    types: T_OBJECT,
                    item: ANY,
                    obj: NONE,
                    lits: NONE,
                });
            }
        };
        let is_schema = params.contains_key("properties")
            || params.get("type").and_then(Value::as_str) == Some("object")
            || params.is_empty();
        if is_schema {
            // Keywords on the arguments object itself (`anyOf` of required sets, pydantic's
            // `minProperties`, …) are not enforced either, and say so like a parameter's.
            for k in OPAQUE.iter().chain(NARROWING) {
                if params.contains_key(*k) {
                    self.warn(
                        "",
                        format!(
                            "`{k}` on the arguments object is not enforced; only declared keys, \
                             required keys and their types are"
                        ),
                    );
                }
            }
            return self.object_node(params, "", true);
        }
        // Needle 1's flat form: `{param: {"type", "description", "required": bool}}`.
        let mut props = Vec::new();
        let mut required = Vec::new();
        for (key, spec) in params {
            if spec.get("required").and_then(Value::as_bool) == Some(true) {
                required.push(key.as_str());
            }
            props.push((key.as_str(), spec));
        }
        self.object_from_parts(&props, &required, "")
    }

    /// An object schema with `properties`; `top` marks a tool's arguments, whose keys are
    /// always restricted to the declared ones.
    fn object_node(&mut self, schema: &Map<String, Value>, path: &str, top: bool) -> u32 {
        let props: Vec<(&str, &Value)> = match schema.get("properties") {
            Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.as_str(), v)).collect(),
            Some(other) => {
                self.warn(
                    path,
                    format!("`properties` is {}, not an object; ignored", kind(other)),
                );
                Vec::new()
            }
            None => Vec::new(),
        };
        let required: Vec<&str> = match schema.get("required") {
            Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
            // Needle 1's per-parameter `"required": true` sits on the property, not here.
            _ => Vec::new(),
        };
        match schema.get("additionalProperties") {
            None | Some(Value::Bool(false)) => {}
            Some(_) if props.is_empty() && !top => {
                // A map type: keys are free. Values are not checked against the schema.
                if schema.get("additionalProperties").is_some_and(Value::is_object) {
                    self.warn(
                        path,
                        "`additionalProperties` schema is not enforced; values are any JSON value",
                    );
                }
                return self.push_node(Node {
                    types: T_OBJECT,
                    item: ANY,
                    obj: NONE,
                    lits: NONE,
                });
            }
            Some(_) => self.warn(
                path,
                "`additionalProperties` is not represented; only the declared properties are allowed",
            ),
        }
        if props.is_empty() && !top {
            // `{"type": "object"}` alone describes any object.
            return self.push_node(Node {
                types: T_OBJECT,
                item: ANY,
                obj: NONE,
                lits: NONE,
            });
        }
        self.object_from_parts(&props, &required, path)
    }

    fn object_from_parts(
        &mut self,
        props: &[(&str, &Value)],
        required: &[&str],
        path: &str,
    ) -> u32 {
        let key_root = self.new_trie_node();
        let mut shape = ObjShape {
            key_root,
            props: Vec::with_capacity(props.len()),
            required: 0,
            all: 0,
        };
        if props.len() > TRACKED_KEYS {
            self.warn(
                path,
                format!(
                    "more than {TRACKED_KEYS} properties: keys past the {TRACKED_KEYS}th may repeat and are never required"
                ),
            );
        }
        for (i, (key, spec)) in props.iter().enumerate() {
            let sub = join(path, key);
            let node = match self.g.mode {
                Constrain::Schema => self.value_node(spec, &sub),
                // Needle 1 constrains keys only: every value is any JSON value.
                _ => ANY,
            };
            shape.props.push(node);
            shape.all |= key_bit(i);
            // Both escapings a model may have learned: raw UTF-8 and Python's ASCII escapes.
            for form in string_forms(key) {
                let mut k = form;
                k.push(b'"');
                self.insert(key_root, &k, i as u32, key_bit(i));
            }
        }
        if self.g.mode == Constrain::Schema {
            for r in required {
                match props.iter().position(|(k, _)| k == r) {
                    Some(i) if i < TRACKED_KEYS => shape.required |= key_bit(i),
                    Some(_) => {}
                    None => self.warn(
                        path,
                        format!("required key `{r}` is not a declared property; not required"),
                    ),
                }
            }
        }
        self.g.objects.push(shape);
        let obj = (self.g.objects.len() - 1) as u32;
        self.push_node(Node {
            types: T_OBJECT,
            item: ANY,
            obj,
            lits: NONE,
        })
    }

    /// One parameter's schema.
    fn value_node(&mut self, schema: &Value, path: &str) -> u32 {
        let map = match schema {
            Value::Object(m) => m,
            Value::Bool(true) => return ANY,
            Value::String(t) => {
                // A bare type name, as some hand-written tool lists give it.
                let mut m = Map::new();
                m.insert("type".into(), Value::String(t.clone()));
                return self.value_node(&Value::Object(m), path);
            }
            other => {
                self.warn(
                    path,
                    format!("the schema is {}; the value is any JSON value", kind(other)),
                );
                return ANY;
            }
        };
        for k in OPAQUE {
            if map.contains_key(*k) {
                self.warn(
                    path,
                    format!("`{k}` is not supported; the value is any JSON value"),
                );
                return ANY;
            }
        }
        for k in NARROWING {
            if map.contains_key(*k) {
                self.warn(
                    path,
                    format!("`{k}` is not enforced; the value is constrained by its type only"),
                );
            }
        }
        if let Some(c) = map.get("const") {
            return self.literal_node(std::slice::from_ref(c));
        }
        if let Some(e) = map.get("enum") {
            match e {
                Value::Array(values) if !values.is_empty() => return self.literal_node(values),
                _ => self.warn(
                    path,
                    "`enum` is not a non-empty array; ignored, the value is constrained by its type",
                ),
            }
        }
        let mut types = match map.get("type") {
            None => {
                if map.contains_key("properties") {
                    T_OBJECT
                } else if map.contains_key("items") {
                    T_ARRAY
                } else {
                    T_ANY
                }
            }
            Some(Value::String(t)) => self.type_bits(t, path),
            Some(Value::Array(list)) => {
                let mut bits = 0;
                for t in list {
                    match t.as_str() {
                        Some(t) => bits |= self.type_bits(t, path),
                        None => bits = T_ANY,
                    }
                }
                if bits == 0 {
                    T_ANY
                } else {
                    bits
                }
            }
            Some(other) => {
                self.warn(
                    path,
                    format!(
                        "`type` is {}, not a name; the value is any JSON value",
                        kind(other)
                    ),
                );
                T_ANY
            }
        };
        if map.get("nullable").and_then(Value::as_bool) == Some(true) {
            types |= T_NULL;
        }
        // A number that may be an integer is just a number to the automaton.
        if types & T_NUMBER != 0 {
            types &= !T_INTEGER;
        }
        if types == T_ANY {
            return ANY;
        }
        let item = if types & T_ARRAY != 0 {
            match map.get("items") {
                None => ANY,
                Some(Value::Array(_)) => {
                    self.warn(
                        path,
                        "tuple-form `items` is not supported; the items are any JSON value",
                    );
                    ANY
                }
                Some(s) => self.value_node(s, &join(path, "items")),
            }
        } else {
            ANY
        };
        if map.contains_key("prefixItems") {
            self.warn(
                path,
                "`prefixItems` is not supported; the items follow `items` only",
            );
        }
        let obj = if types & T_OBJECT != 0 {
            let n = self.object_node(map, path, false);
            self.g.nodes[n as usize].obj
        } else {
            NONE
        };
        self.push_node(Node {
            types,
            item,
            obj,
            lits: NONE,
        })
    }

    fn type_bits(&mut self, name: &str, path: &str) -> u8 {
        match name {
            "string" | "str" => T_STRING,
            "integer" | "int" => T_INTEGER,
            "number" | "float" | "double" => T_NUMBER,
            "boolean" | "bool" => T_BOOLEAN,
            "null" => T_NULL,
            "array" | "list" | "tuple" => T_ARRAY,
            "object" | "dict" => T_OBJECT,
            "any" => T_ANY,
            other => {
                self.warn(
                    path,
                    format!("unknown type `{other}`; the value is any JSON value"),
                );
                T_ANY
            }
        }
    }

    /// A value that must be exactly one of `values`, in compact JSON.
    fn literal_node(&mut self, values: &[Value]) -> u32 {
        let root = self.new_trie_node();
        for v in values {
            let mut forms = vec![
                serde_json::to_string(v).unwrap_or_default().into_bytes(),
                to_python_json(v).into_bytes(),
            ];
            forms.dedup();
            for f in forms.into_iter().filter(|f| !f.is_empty()) {
                self.insert(root, &f, 0, 0);
            }
        }
        self.push_node(Node {
            types: 0,
            item: ANY,
            obj: NONE,
            lits: root,
        })
    }
}

/// The text between the quotes of `s` as JSON, in the raw-UTF-8 form (serde_json) and the
/// ASCII-escaped form (Python's default), deduplicated.
fn string_forms(s: &str) -> Vec<Vec<u8>> {
    let mut forms = vec![json_string_body(s)];
    let v = Value::String(s.to_string());
    let ascii = to_python_json(&v).into_bytes();
    let ascii = ascii[1..ascii.len() - 1].to_vec();
    if ascii != forms[0] {
        forms.push(ascii);
    }
    forms
}

fn json_string_body(s: &str) -> Vec<u8> {
    let quoted = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    quoted.as_bytes()[1..quoted.len() - 1].to_vec()
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(params: Value) -> Grammar {
        Grammar::compile_value(
            &json!([{"name": "f", "description": "d", "parameters": params}]),
            Constrain::Schema,
        )
        .unwrap()
    }

    fn ok(g: &Grammar, s: &str) {
        assert!(g.accepts(s.as_bytes()), "should accept {s}");
    }
    fn bad(g: &Grammar, s: &str) {
        assert!(!g.accepts(s.as_bytes()), "should reject {s}");
    }

    fn one(ty: Value) -> Grammar {
        schema(json!({"type": "object", "properties": {"a": ty}, "required": ["a"]}))
    }

    fn call(v: &str) -> String {
        format!(r#"[{{"name":"f","arguments":{{"a":{v}}}}}]"#)
    }

    #[test]
    fn call_list_shape() {
        let g = one(json!({"type": "integer"}));
        ok(&g, "[]");
        ok(&g, " []");
        ok(&g, &call("1"));
        ok(
            &g,
            r#"[{"name":"f","arguments":{"a":1}},{"name":"f","arguments":{"a":2}}]"#,
        );
        bad(&g, "  []");
        bad(&g, "[ ]");
        bad(&g, "[],");
        bad(&g, r#"[{"name":"g","arguments":{"a":1}}]"#);
        bad(&g, r#"[{"arguments":{"a":1},"name":"f"}]"#);
        bad(&g, r#"[{"name": "f","arguments":{"a":1}}]"#);
        bad(&g, r#"[{"name":"f","arguments":{"a":1}},]"#);
        bad(&g, "[");
        assert!(g.accepts_prefix(b"[{\"name\":\"f"));
        assert!(!g.accepts_prefix(b"[{\"name\":\"x"));
    }

    #[test]
    fn strings() {
        let g = one(json!({"type": "string"}));
        for s in [
            r#""""#,
            r#""hello world""#,
            r#""a\"b\\c\/d\b\f\n\r\t""#,
            r#""\u00e9\u2615""#,
            r#""\ud83d\ude00""#,
            "\"café ☕ 😀\"",
            "\"\u{7f}\"",
        ] {
            ok(&g, &call(s));
        }
        for s in [
            "\"a\nb\"",
            "\"tab\there\"",
            r#""\x""#,
            r#""\u12g4""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83dx""#,
            "1",
            "null",
            r#""unterminated"#,
        ] {
            bad(&g, &call(s));
        }
        // Invalid UTF-8 inside a string: a lone continuation byte, a truncated sequence,
        // an overlong form, a UTF-16 surrogate encoded directly.
        for raw in [
            &b"\x80"[..],
            b"\xe2\x82",
            b"\xc0\xaf",
            b"\xe0\x80\xaf",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\xff",
        ] {
            let mut t = br#"[{"name":"f","arguments":{"a":""#.to_vec();
            t.extend_from_slice(raw);
            t.extend_from_slice(br#""}}]"#);
            assert!(!g.accepts(&t), "{raw:x?}");
        }
    }

    #[test]
    fn integers_and_numbers() {
        let g = one(json!({"type": "integer"}));
        for s in ["0", "-0", "7", "-12", "1234567890", "-123456789012345678"] {
            ok(&g, &call(s));
        }
        bad(&g, &call("1234567890123456789"));
        for s in ["01", "1.5", "1e3", "-", "+1", "1.", "\"1\"", "true"] {
            bad(&g, &call(s));
        }
        let g = one(json!({"type": "number"}));
        for s in ["0", "1.5", "-0.25", "1e3", "1E-3", "2.5e+10", "0.0"] {
            ok(&g, &call(s));
        }
        for s in ["01", ".5", "1.", "1e", "1e+", "--1", "NaN", "Infinity"] {
            bad(&g, &call(s));
        }
        // Only numbers serde_json parses back: the fuzz found `2e4666`, which overflows a
        // double, accepted by the grammar and refused by the runtime's parser.
        for s in [
            "123456789012345678",
            "1e99",
            "-1.5E-99",
            "123456789012345678.5e+99",
        ] {
            ok(&g, &call(s));
            let v: serde_json::Value = serde_json::from_str(s).unwrap();
            assert!(v.as_f64().is_some_and(f64::is_finite), "{s}");
        }
        for s in [
            "2e4666",
            "1e100",
            "1234567890123456789",
            "-1234567890123456789.0",
        ] {
            bad(&g, &call(s));
        }
        let g = one(json!({"type": ["integer", "null"]}));
        ok(&g, &call("3"));
        ok(&g, &call("null"));
        bad(&g, &call("3.5"));
    }

    #[test]
    fn booleans_and_enums() {
        let g = one(json!({"type": "boolean"}));
        ok(&g, &call("true"));
        ok(&g, &call("false"));
        bad(&g, &call("tru"));
        bad(&g, &call("null"));
        bad(&g, &call("\"true\""));
        let g = one(json!({"enum": ["celsius", "fahrenheit", 3, 30, null, "café"]}));
        for s in [
            r#""celsius""#,
            r#""fahrenheit""#,
            "3",
            "30",
            "null",
            "\"café\"",
            r#""caf\u00e9""#,
        ] {
            ok(&g, &call(s));
        }
        for s in [
            r#""kelvin""#,
            r#""celsius ""#,
            "300",
            "3.0",
            r#""cel""#,
            "true",
        ] {
            bad(&g, &call(s));
        }
        let g = one(json!({"const": {"x": [1, 2]}}));
        ok(&g, &call(r#"{"x":[1,2]}"#));
        bad(&g, &call(r#"{"x":[1]}"#));
    }

    #[test]
    fn objects_keys_and_required() {
        let g = schema(json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "country": {"type": "string"},
                "days": {"type": "integer"}
            },
            "required": ["city"]
        }));
        let args = |a: &str| format!(r#"[{{"name":"f","arguments":{a}}}]"#);
        ok(&g, &args(r#"{"city":"Paris"}"#));
        ok(&g, &args(r#"{"days":3,"city":"Paris","country":"FR"}"#));
        bad(&g, &args("{}"));
        bad(&g, &args(r#"{"country":"FR"}"#));
        bad(&g, &args(r#"{"city":"Paris","city":"Lyon"}"#));
        bad(&g, &args(r#"{"city":"Paris","town":"x"}"#));
        bad(&g, &args(r#"{"city":"Paris",}"#));
        bad(&g, &args(r#"{"city": "Paris"}"#));
        let prefix = |a: &str| format!(r#"[{{"name":"f","arguments":{a}"#).into_bytes();
        assert!(g.accepts_prefix(&prefix(r#"{"days":3,"city":"Paris","country":"FR""#)));
        // Once every key is used, `,` is no longer possible.
        assert!(!g.accepts_prefix(&prefix(r#"{"days":3,"city":"Paris","country":"FR","#)));
        // A key prefix whose only completion is already used is dead.
        assert!(g.accepts_prefix(&prefix(r#"{"city":"P","c"#)));
        assert!(!g.accepts_prefix(&prefix(r#"{"city":"P","ci"#)));
    }

    #[test]
    fn nested_objects_and_arrays() {
        let g = one(json!({
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}},
                "required": ["id"]
            }
        }));
        ok(&g, &call("[]"));
        ok(&g, &call(r#"[{"id":1},{"id":2,"tags":["a","b"]}]"#));
        ok(&g, &call(r#"[{"tags":[],"id":1}]"#));
        bad(&g, &call(r#"[{"tags":[]}]"#));
        bad(&g, &call(r#"[{"id":1,"tags":[1]}]"#));
        bad(&g, &call(r#"[{"id":1},]"#));
        bad(&g, &call(r#"{"id":1}"#));
        let g = one(json!({"type": "object"}));
        ok(&g, &call(r#"{"anything":[1,{"b":null}],"x":"y"}"#));
        ok(&g, &call("{}"));
        bad(&g, &call("[]"));
    }

    #[test]
    fn untyped_is_any_value() {
        let g = one(json!({"description": "no type"}));
        for s in [
            "1",
            "-2.5e3",
            "\"s\"",
            "true",
            "null",
            "[1,\"a\",[]]",
            r#"{"k":{"z":[false]}}"#,
        ] {
            ok(&g, &call(s));
        }
        bad(&g, &call("tru"));
        bad(&g, &call("[1,]"));
        bad(&g, &call(r#"{"k" :1}"#));
    }

    #[test]
    fn names_mode_frees_values_and_required() {
        let g = Grammar::compile_value(
            &json!([{"name": "f", "parameters": {"type": "object",
                "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
                "required": ["a", "b"]}}]),
            Constrain::Names,
        )
        .unwrap();
        ok(&g, r#"[{"name":"f","arguments":{}}]"#);
        ok(&g, r#"[{"name":"f","arguments":{"a":"x","b":[1]}}]"#);
        bad(&g, r#"[{"name":"f","arguments":{"c":1}}]"#);
        bad(&g, r#"[{"name":"g","arguments":{}}]"#);
    }

    #[test]
    fn needle1_flat_parameters() {
        let g = Grammar::compile_value(
            &json!([{"name": "set_alarm", "parameters": {
                "time": {"type": "string", "required": true},
                "label": {"type": "str"}}}]),
            Constrain::Schema,
        )
        .unwrap();
        ok(&g, r#"[{"name":"set_alarm","arguments":{"time":"7am"}}]"#);
        bad(&g, r#"[{"name":"set_alarm","arguments":{"label":"x"}}]"#);
        bad(&g, r#"[{"name":"set_alarm","arguments":{"time":7}}]"#);
        assert!(g.warnings().is_empty(), "{:?}", g.warnings());
    }

    #[test]
    fn unrepresentable_keywords_fall_back_with_warnings() {
        let g = schema(json!({"type": "object", "properties": {
            "code": {"type": "string", "pattern": "^[A-Z]+$"},
            "n": {"type": "integer", "minimum": 2, "maximum": 30},
            "ref": {"$ref": "#/defs/x"},
            "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
        }, "required": ["code", "n", "ghost"]}));
        let msgs: Vec<String> = g.warnings().iter().map(ToString::to_string).collect();
        let has = |s: &str| msgs.iter().any(|m| m.contains(s));
        assert!(
            has("parameter `code`: `pattern` is not enforced"),
            "{msgs:?}"
        );
        assert!(has("parameter `n`: `minimum` is not enforced"), "{msgs:?}");
        assert!(has("parameter `n`: `maximum` is not enforced"), "{msgs:?}");
        assert!(has("parameter `ref`: `$ref` is not supported"), "{msgs:?}");
        assert!(
            has("parameter `either`: `anyOf` is not supported"),
            "{msgs:?}"
        );
        assert!(has("required key `ghost`"), "{msgs:?}");
        assert!(msgs.iter().all(|m| m.starts_with("tool `f`")), "{msgs:?}");
        let top = schema(
            json!({"type": "object", "properties": {"city": {"type": "string"}},
            "anyOf": [{"required": ["city"]}], "minProperties": 1}),
        );
        let top: Vec<String> = top.warnings().iter().map(ToString::to_string).collect();
        for k in ["anyOf", "minProperties"] {
            let want = format!("`{k}` on the arguments object is not enforced");
            assert!(top.iter().any(|m| m.contains(&want)), "{top:?}");
        }
        let args = |a: &str| format!(r#"[{{"name":"f","arguments":{a}}}]"#);
        // Base types still hold; opaque values are free.
        ok(&g, &args(r#"{"code":"lower is fine","n":99}"#));
        bad(&g, &args(r#"{"code":1,"n":5}"#));
        ok(
            &g,
            &args(r#"{"code":"A","n":5,"ref":[1,{"x":null}],"either":false}"#),
        );
    }

    #[test]
    fn no_tools_only_empty_list() {
        let g = Grammar::compile_value(&json!([]), Constrain::Schema).unwrap();
        ok(&g, "[]");
        assert!(!g.accepts_prefix(b"[{"));
        let g = Grammar::compile_value(&json!([{"name": "ping"}]), Constrain::Schema).unwrap();
        ok(&g, r#"[{"name":"ping","arguments":{}}]"#);
        bad(&g, r#"[{"name":"ping","arguments":{"a":1}}]"#);
    }
}
