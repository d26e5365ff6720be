//! Validating a model's answer against the normalized tools it was given: the oracle of the
//! fuzz properties.
//!
//! The semantics are JSON Schema as the constrain grammar documents it
//! (`thimble_runtime::constrain::grammar`), including its stated fallbacks, re-implemented
//! here from that documentation rather than shared with the grammar code, so a bug in one is
//! not silently copied into the other:
//!
//! - the answer is `<tool_call>` (optional) then a JSON list of `{"name","arguments"}` objects;
//!   `name` is a declared (snake_case) tool name, the later of two equal names applying; every
//!   number fits a double (`2e4666` is JSON, but the runtime's parser refuses the answer);
//! - a tool's `arguments` take only the declared keys (JSON Schema `properties`, or Needle 1's
//!   flat `{param: spec}` form), each at most once; missing or null `parameters` means `{}`;
//!   non-object `parameters` means any object;
//! - at [`Level::Schema`] also: `required` keys that are declared, each value's `type`
//!   (`integer` judged on the text: no fraction, no exponent; Python aliases such as `str`,
//!   `dict`; `nullable`), `enum`/`const` by JSON equality, array `items`, nested objects the
//!   same way with `additionalProperties` making a property-less object a free map;
//! - what the grammar states it cannot represent is not checked here either: narrowing
//!   keywords (`pattern`, `minimum`, ...) leave the base type; `$ref`, `anyOf`, `oneOf`,
//!   `allOf`, `not`, `if`/`then`/`else` make a value any JSON value; unknown type names allow
//!   any type (but, as in the grammar, `items` and `properties` still apply to arrays and
//!   objects); tuple `items` allow any items; non-object schemas (`false`, numbers) are any
//!   value. [`unrepresentable`] lists where such keywords sit, so the fuzz can check that each
//!   one was warned about.

use serde_json::{Map, Value};

use super::jsontext::{self, Json};
use thimble_runtime::generate::TOOL_CALL;

/// How much of the schema an answer is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Call-list shape, declared tool names, declared argument keys (what `--constrain names`
    /// promises).
    Names,
    /// Names plus required keys and every value's schema (what `--constrain schema` promises).
    Schema,
}

/// Why an answer is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The text is not a JSON list of `{"name","arguments"}` objects at all.
    pub unparseable: bool,
    pub reason: String,
}

impl Invalid {
    fn shape(reason: impl Into<String>) -> Invalid {
        Invalid {
            unparseable: true,
            reason: reason.into(),
        }
    }
    fn schema(reason: impl Into<String>) -> Invalid {
        Invalid {
            unparseable: false,
            reason: reason.into(),
        }
    }
}

/// The answer part of a raw output: trimmed, without the `<tool_call>` marker.
pub fn answer_body(raw_text: &str) -> &str {
    let body = raw_text.trim();
    body.strip_prefix(TOOL_CALL).unwrap_or(body).trim()
}

/// Validates a raw model output against normalized tool documents (the parsed
/// `ToolsPrompt::text`); returns the number of calls.
pub fn check_output(raw_text: &str, docs: &[Value], level: Level) -> Result<usize, Invalid> {
    let parsed = jsontext::parse(answer_body(raw_text))
        .map_err(|e| Invalid::shape(format!("not JSON: {e}")))?;
    if let Some(n) = out_of_range(&parsed) {
        // Valid JSON text, but no double holds it: serde_json (the runtime's `parse_calls`)
        // refuses the whole answer and Python reads it as inf, so it is no usable argument.
        return Err(Invalid::shape(format!(
            "the number {n} is outside the range of a double"
        )));
    }
    let Json::Arr(calls) = parsed else {
        return Err(Invalid::shape(format!(
            "the answer is a JSON {}, not a list of calls",
            parsed.kind()
        )));
    };
    for (i, call) in calls.iter().enumerate() {
        let Json::Obj(members) = call else {
            return Err(Invalid::shape(format!(
                "call {i} is a JSON {}, not an object",
                call.kind()
            )));
        };
        let keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        let (name, args) = match members.as_slice() {
            [(a, n), (b, x)] if a == "name" && b == "arguments" => (n, x),
            [(a, x), (b, n)] if a == "arguments" && b == "name" => (n, x),
            _ => {
                return Err(Invalid::shape(format!(
                    "call {i} has keys {keys:?}, expected exactly `name` and `arguments`"
                )))
            }
        };
        let Json::Str(name) = name else {
            return Err(Invalid::shape(format!("call {i}: `name` is not a string")));
        };
        let Json::Obj(_) = args else {
            return Err(Invalid::shape(format!(
                "call {i}: `arguments` is a JSON {}, not an object",
                args.kind()
            )));
        };
        let tool = docs
            .iter()
            .rfind(|t| t.get("name").and_then(Value::as_str) == Some(name.as_str()))
            .ok_or_else(|| Invalid::schema(format!("call {i}: undeclared tool `{name}`")))?;
        let v = Validator { level };
        v.arguments(args, tool.get("parameters"), name)
            .map_err(Invalid::schema)?;
    }
    Ok(calls.len())
}

/// The first number in `v` that a double cannot hold (finite text that reads as ±inf).
fn out_of_range(v: &Json) -> Option<&str> {
    match v {
        Json::Num(t) => (!t.parse::<f64>().is_ok_and(f64::is_finite)).then_some(t.as_str()),
        Json::Arr(items) => items.iter().find_map(out_of_range),
        Json::Obj(members) => members.iter().find_map(|(_, x)| out_of_range(x)),
        _ => None,
    }
}

struct Validator {
    level: Level,
}

/// Keywords that make a value any JSON value (the grammar's opaque set).
pub const OPAQUE: &[&str] = &[
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

/// Keywords that narrow a value beyond its type, which the grammar does not enforce.
pub const NARROWING: &[&str] = &[
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

const STRING: u8 = 1;
const INTEGER: u8 = 2;
const NUMBER: u8 = 4;
const BOOLEAN: u8 = 8;
const NULL: u8 = 16;
const ARRAY: u8 = 32;
const OBJECT: u8 = 64;
const ANY: u8 = 127;

/// A type name's bits; unknown names (and `any`) allow everything.
fn type_bits(name: &str) -> u8 {
    match name {
        "string" | "str" => STRING,
        "integer" | "int" => INTEGER,
        "number" | "float" | "double" => NUMBER,
        "boolean" | "bool" => BOOLEAN,
        "null" => NULL,
        "array" | "list" | "tuple" => ARRAY,
        "object" | "dict" => OBJECT,
        _ => ANY,
    }
}

/// The types a schema object allows, as the grammar reads `type`: absent means object when
/// `properties` is there, array when `items` is, else anything; unknown names allow anything.
fn schema_types(map: &Map<String, Value>) -> u8 {
    match map.get("type") {
        None if map.contains_key("properties") => OBJECT,
        None if map.contains_key("items") => ARRAY,
        Some(Value::String(t)) => type_bits(t),
        Some(Value::Array(list)) => {
            let bits = list
                .iter()
                .fold(0, |bits, t| bits | t.as_str().map_or(ANY, type_bits));
            if bits == 0 {
                ANY
            } else {
                bits
            }
        }
        _ => ANY,
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn show(v: &Json) -> String {
    let s = v
        .to_value()
        .map_or_else(|| format!("{v:?}"), |v| v.to_string());
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(80).collect::<String>())
    } else {
        s
    }
}

/// Whether a parameters object is JSON Schema (else Needle 1's flat form).
fn is_schema_params(params: &Map<String, Value>) -> bool {
    params.contains_key("properties")
        || params.get("type").and_then(Value::as_str) == Some("object")
        || params.is_empty()
}

impl Validator {
    /// A tool's arguments object.
    fn arguments(&self, args: &Json, params: Option<&Value>, tool: &str) -> Result<(), String> {
        let empty = Map::new();
        let params = match params {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(m)) => m,
            // Not an object: the grammar allows any arguments object.
            Some(_) => return Ok(()),
        };
        let Json::Obj(members) = args else {
            return Err(format!("{tool}: arguments are not an object"));
        };
        if is_schema_params(params) {
            let props = declared_properties(params);
            let required = required_list(params);
            return self.declared_object(members, &props, &required, tool);
        }
        let props: Vec<(&str, &Value)> = params.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let required: Vec<&str> = params
            .iter()
            .filter(|(_, spec)| spec.get("required").and_then(Value::as_bool) == Some(true))
            .map(|(k, _)| k.as_str())
            .collect();
        self.declared_object(members, &props, &required, tool)
    }

    /// An object whose keys are exactly the declared properties (each at most once).
    fn declared_object(
        &self,
        members: &[(String, Json)],
        props: &[(&str, &Value)],
        required: &[&str],
        path: &str,
    ) -> Result<(), String> {
        let mut seen: Vec<&str> = Vec::with_capacity(members.len());
        for (k, v) in members {
            let Some((_, spec)) = props.iter().find(|(p, _)| p == k) else {
                return Err(format!("{path}: undeclared key `{k}`"));
            };
            if seen.contains(&k.as_str()) {
                return Err(format!("{path}: key `{k}` repeated"));
            }
            seen.push(k);
            if self.level == Level::Schema {
                self.value(v, spec, &join(path, k))?;
            }
        }
        if self.level == Level::Schema {
            for r in required {
                let declared = props.iter().any(|(p, _)| p == r);
                if declared && !seen.contains(r) {
                    return Err(format!("{path}: required key `{r}` missing"));
                }
            }
        }
        Ok(())
    }

    /// One value against one parameter schema.
    fn value(&self, v: &Json, schema: &Value, path: &str) -> Result<(), String> {
        let map = match schema {
            Value::Object(m) => m,
            Value::String(t) => {
                let mut m = Map::new();
                m.insert("type".into(), Value::String(t.clone()));
                return self.value(v, &Value::Object(m), path);
            }
            // `true`, and the non-schemas the grammar falls back on: any value.
            _ => return Ok(()),
        };
        if OPAQUE.iter().any(|k| map.contains_key(*k)) {
            return Ok(());
        }
        let literals = match (map.get("const"), map.get("enum")) {
            (Some(c), _) => Some(std::slice::from_ref(c)),
            (None, Some(Value::Array(e))) if !e.is_empty() => Some(e.as_slice()),
            _ => None,
        };
        if let Some(allowed) = literals {
            let got = v.to_value();
            return if got.as_ref().is_some_and(|g| allowed.contains(g)) {
                Ok(())
            } else {
                Err(format!("{path}: {} is not one of the enum values", show(v)))
            };
        }
        let mut types = schema_types(map);
        if map.get("nullable").and_then(Value::as_bool) == Some(true) {
            types |= NULL;
        }
        // Even an untyped (or unknown-typed) value keeps its `items` and `properties`: the
        // grammar compiles them whatever the type bits, so they are checked below.
        let ok = match v {
            Json::Null => types & NULL != 0,
            Json::Bool(_) => types & BOOLEAN != 0,
            // A number that may be an integer is any number; an integer is judged on its text.
            Json::Num(_) if v.is_integer_text() => types & (INTEGER | NUMBER) != 0,
            Json::Num(_) => types & NUMBER != 0,
            Json::Str(_) => types & STRING != 0,
            Json::Arr(_) => types & ARRAY != 0,
            Json::Obj(_) => types & OBJECT != 0,
        };
        if !ok {
            return Err(format!(
                "{path}: {} is a JSON {}, not of type {}",
                show(v),
                v.kind(),
                map.get("type").map_or("(none)".into(), Value::to_string)
            ));
        }
        match v {
            Json::Arr(items) => match map.get("items") {
                Some(item @ (Value::Object(_) | Value::String(_) | Value::Bool(_))) => {
                    for (i, x) in items.iter().enumerate() {
                        self.value(x, item, &format!("{path}[{i}]"))?;
                    }
                    Ok(())
                }
                // Absent or tuple-form `items`: any items.
                _ => Ok(()),
            },
            Json::Obj(members) => self.nested_object(members, map, path),
            _ => Ok(()),
        }
    }

    /// A nested object schema: declared keys only, unless it declares none (then a free
    /// object, `additionalProperties` or not).
    fn nested_object(
        &self,
        members: &[(String, Json)],
        schema: &Map<String, Value>,
        path: &str,
    ) -> Result<(), String> {
        let props = declared_properties(schema);
        if props.is_empty() {
            return Ok(());
        }
        let required = required_list(schema);
        self.declared_object(members, &props, &required, path)
    }
}

fn declared_properties(schema: &Map<String, Value>) -> Vec<(&str, &Value)> {
    match schema.get("properties") {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.as_str(), v)).collect(),
        _ => Vec::new(),
    }
}

fn required_list(schema: &Map<String, Value>) -> Vec<&str> {
    match schema.get("required") {
        Some(Value::Array(l)) => l.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Where a schema uses a keyword the grammar cannot represent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    /// The tool's (snake_case) name.
    pub tool: String,
    /// Dotted parameter path, as the grammar's warnings write it (`filters.items.kind`); empty
    /// for the tool's `parameters` object itself.
    pub path: String,
    pub keyword: String,
}

/// Every place in the normalized tools where an [`OPAQUE`] or [`NARROWING`] keyword sits in a
/// schema position the grammar compiles (value schemas, and each tool's `parameters` object).
pub fn unrepresentable(docs: &[Value]) -> Vec<Site> {
    let mut out = Vec::new();
    for tool in docs {
        let name = tool.get("name").and_then(Value::as_str).unwrap_or_default();
        let mut w = Walker {
            tool: name,
            out: &mut out,
        };
        match tool.get("parameters") {
            Some(Value::Object(params)) if is_schema_params(params) => {
                w.keywords(params, "");
                w.properties(params, "");
            }
            Some(Value::Object(flat)) => {
                for (k, spec) in flat {
                    w.schema(spec, k);
                }
            }
            _ => {}
        }
    }
    out
}

struct Walker<'a> {
    tool: &'a str,
    out: &'a mut Vec<Site>,
}

impl Walker<'_> {
    /// Records the keywords of one schema object; returns whether it is opaque.
    fn keywords(&mut self, m: &Map<String, Value>, path: &str) -> bool {
        let mut opaque = false;
        for k in OPAQUE.iter().chain(NARROWING) {
            if m.contains_key(*k) {
                opaque |= OPAQUE.contains(k);
                self.out.push(Site {
                    tool: self.tool.to_string(),
                    path: path.to_string(),
                    keyword: k.to_string(),
                });
            }
        }
        opaque
    }

    fn properties(&mut self, m: &Map<String, Value>, path: &str) {
        if let Some(Value::Object(props)) = m.get("properties") {
            for (k, spec) in props {
                self.schema(spec, &join(path, k));
            }
        }
    }

    fn schema(&mut self, s: &Value, path: &str) {
        let Value::Object(m) = s else { return };
        if self.keywords(m, path) {
            return;
        }
        if m.contains_key("const")
            || matches!(m.get("enum"), Some(Value::Array(e)) if !e.is_empty())
        {
            return;
        }
        // Only what the grammar compiles can be warned about: `items` of an array type,
        // `properties` of an object type.
        let types = schema_types(m);
        if types & ARRAY != 0 {
            if let Some(item @ Value::Object(_)) = m.get("items") {
                self.schema(item, &join(path, "items"));
            }
        }
        if types & OBJECT != 0 {
            self.properties(m, path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn docs(params: Value) -> Vec<Value> {
        vec![json!({"name": "f", "parameters": params})]
    }

    fn call(args: &str) -> String {
        format!(r#"<tool_call>[{{"name":"f","arguments":{args}}}]"#)
    }

    fn ok(d: &[Value], args: &str) {
        let r = check_output(&call(args), d, Level::Schema);
        assert!(r.is_ok(), "{args}: {r:?}");
    }

    fn bad(d: &[Value], args: &str) -> Invalid {
        check_output(&call(args), d, Level::Schema).expect_err(args)
    }

    #[test]
    fn shape_and_names() {
        let d = docs(json!({"type": "object", "properties": {}}));
        assert_eq!(check_output("<tool_call>[]", &d, Level::Schema), Ok(0));
        assert_eq!(check_output(" [] ", &d, Level::Schema), Ok(0));
        assert_eq!(check_output(&call("{}"), &d, Level::Names), Ok(1));
        for text in [
            "",
            "<tool_call>",
            "<tool_call>[",
            "<tool_call>{}",
            r#"[{"name":"f"}]"#,
            r#"[{"name":"f","arguments":{},"x":1}]"#,
            r#"[{"name":1,"arguments":{}}]"#,
            r#"[{"name":"f","arguments":[]}]"#,
        ] {
            assert!(
                check_output(text, &d, Level::Names)
                    .unwrap_err()
                    .unparseable,
                "{text}"
            );
        }
        let e = check_output(r#"[{"name":"g","arguments":{}}]"#, &d, Level::Names).unwrap_err();
        assert!(
            !e.unparseable && e.reason.contains("undeclared tool"),
            "{e:?}"
        );
    }

    #[test]
    fn keys_required_and_types() {
        let d = docs(json!({"type": "object", "properties": {
            "city": {"type": "string"}, "days": {"type": "integer"}, "t": {"type": "number"},
            "on": {"type": "bool"}, "n": {"type": ["integer", "null"]},
            "x": {"type": "string", "nullable": true}},
            "required": ["city", "ghost"]}));
        ok(&d, r#"{"city":"P"}"#);
        ok(
            &d,
            r#"{"days":123456789012345678901234567890,"city":"P","t":1,"on":false,"n":null,"x":null}"#,
        );
        ok(&d, r#"{"city":"P","t":-2.5e3,"n":7}"#);
        assert!(bad(&d, "{}").reason.contains("required key `city`"));
        assert!(bad(&d, r#"{"city":"P","days":1.0}"#)
            .reason
            .contains("days"));
        assert!(bad(&d, r#"{"city":"P","days":1e3}"#)
            .reason
            .contains("days"));
        assert!(bad(&d, r#"{"city":1}"#).reason.contains("city"));
        assert!(bad(&d, r#"{"city":"P","zz":1}"#)
            .reason
            .contains("undeclared"));
        assert!(bad(&d, r#"{"city":"P","city":"Q"}"#)
            .reason
            .contains("repeated"));
        assert!(bad(&d, r#"{"city":"P","n":1.5}"#).reason.contains("n"));
        // Valid JSON numbers no double holds, even where any value is allowed.
        for huge in ["2e4666", "-1e309", &"9".repeat(400)] {
            let e = bad(&d, &format!(r#"{{"city":"P","t":{huge}}}"#));
            assert!(e.unparseable && e.reason.contains("range"), "{e:?}");
        }
        ok(
            &d,
            r#"{"city":"P","t":1e308,"days":12345678901234567890123}"#,
        );
        // Names level: keys only.
        assert!(check_output(&call(r#"{"days":"x"}"#), &d, Level::Names).is_ok());
        assert!(check_output(&call(r#"{"zz":1}"#), &d, Level::Names).is_err());
    }

    #[test]
    fn enums_nested_and_fallbacks() {
        let d = docs(json!({"type": "object", "properties": {
            "u": {"enum": ["c", "f", 3, 1.5, null, "café"]},
            "k": {"const": {"a": [1]}},
            "list": {"type": "array", "items": {"type": "object",
                "properties": {"id": {"type": "integer"}}, "required": ["id"]}},
            "map": {"type": "object", "additionalProperties": {"type": "integer"}},
            "free": {"type": "object"},
            "p": {"type": "string", "pattern": "^[A-Z]$", "minLength": 3},
            "r": {"$ref": "#/$defs/x"},
            "any": {"anyOf": [{"type": "string"}]},
            "odd": {"type": "date"},
            "tuple": {"type": "array", "items": [{"type": "string"}]},
            "bare": "integer",
            "no": false
        }}));
        ok(&d, r#"{"u":"caf\u00e9","k":{"a":[1]}}"#);
        ok(&d, r#"{"u":1.5}"#);
        ok(&d, r#"{"u":null,"list":[{"id":1},{"id":2}]}"#);
        ok(
            &d,
            r#"{"map":{"a":"not checked","a":1},"free":{"x":[]},"p":"lower","r":[1],"any":2}"#,
        );
        ok(&d, r#"{"odd":{"z":1},"tuple":[1,true],"bare":3,"no":"x"}"#);
        assert!(bad(&d, r#"{"u":"k"}"#).reason.contains("enum"));
        assert!(bad(&d, r#"{"u":3.0}"#).reason.contains("enum"));
        assert!(bad(&d, r#"{"k":{"a":[2]}}"#).reason.contains("enum"));
        assert!(bad(&d, r#"{"list":[{"id":1},{}]}"#)
            .reason
            .contains("list[1]"));
        assert!(bad(&d, r#"{"bare":"3"}"#).reason.contains("bare"));
    }

    #[test]
    fn flat_and_odd_parameters() {
        let d =
            docs(json!({"time": {"type": "str", "required": true}, "label": {"type": "string"}}));
        ok(&d, r#"{"time":"7"}"#);
        assert!(bad(&d, r#"{"label":"x"}"#).reason.contains("time"));
        let d = vec![json!({"name": "f"})];
        ok(&d, "{}");
        bad(&d, r#"{"a":1}"#);
        let d = docs(json!("not an object"));
        ok(&d, r#"{"anything":[1]}"#);
        // The later of two tools with one name applies.
        let d = vec![
            json!({"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}}}),
            json!({"name": "f", "parameters": {"type": "object", "properties": {"b": {"type": "integer"}}}}),
        ];
        ok(&d, r#"{"b":1}"#);
        bad(&d, r#"{"a":1}"#);
    }

    #[test]
    fn unrepresentable_sites() {
        let d = docs(
            json!({"type": "object", "anyOf": [{"required": ["a"]}], "properties": {
                "a": {"type": "string", "pattern": "x", "format": "date"},
                "b": {"type": "array", "items": {"oneOf": [], "minimum": 1}},
                "c": {"$ref": "#/$defs/c", "properties": {"d": {"pattern": "hidden"}}},
                "e": {"enum": [1], "maximum": 3}
            }}),
        );
        let sites: Vec<(String, String)> = unrepresentable(&d)
            .into_iter()
            .map(|s| (s.path, s.keyword))
            .collect();
        let want: Vec<(String, String)> = [
            ("", "anyOf"),
            ("a", "pattern"),
            ("a", "format"),
            ("b.items", "oneOf"),
            ("b.items", "minimum"),
            ("c", "$ref"),
            ("e", "maximum"),
        ]
        .iter()
        .map(|(p, k)| (p.to_string(), k.to_string()))
        .collect();
        assert_eq!(sites, want);
    }
}
