//! Tool-schema dialects and Needle's tools string.
//!
//! Owns the conversions between the three [`Dialect`]s (so any suite can be rendered for any
//! model) and
//! [`render_tools_needle`], the exact tools string a Needle encoder reads.
//!
//! All conversions go through JSON Schema. What each step does with what the target cannot say:
//!
//! * BFCL → JSON Schema: `dict` → `object`, `float` → `number`, `tuple` → `array`, `any` → the
//!   `type` keyword is dropped (no constraint). Any other type name (Java/JavaScript types such
//!   as `String`, `long`, `HashMap`) becomes `string` with ` (type X, given as a string)`
//!   appended to the description, the way BFCL itself prompts those categories. The
//!   informational `optional` flag is dropped: `required` alone decides, as in BFCL's checker.
//! * JSON Schema → BFCL: `object` → `dict`, `number` → `float`, `null` or a missing type → `any`,
//!   a type list with one non-null member → that member, any other list → `any`.
//! * JSON Schema → Needle 1 flat: each property becomes `{"type","description","required"}`.
//!   What has no slot there is written into the description the way Needle 1's own tools do
//!   ("Default 10", "'a' or 'b'"): ` Array of <items>.`, ` Object with keys: k (type), ....`,
//!   ` One of: 'a', 'b'.`, ` Default: 5.`. A missing type is `any`. Top-level keywords other
//!   than `type`/`properties`/`required` are dropped.
//! * Needle 1 flat → JSON Schema: `required` flags become the `required` list (always written),
//!   other keys are kept; Python-ish type names (`str`, `int`, `float`, `bool`, `list`, `dict`)
//!   are mapped, `any` drops the type, unknown names become `string` with a note as above.
//!
//! Refused (a [`DialectError`] naming tool and parameter): a tool or schema that is not an
//! object, a `$ref` (Thimble resolves no references), the schema `false` (no value allowed),
//! `required` naming a parameter that does not exist (Needle 1 keeps the flag on the
//! parameter), and malformed keywords (`properties` not an object, `required` not strings).
//!
//! Round trips: BFCL → JSON Schema → BFCL is the identity for the core BFCL types except
//! `tuple` (comes back `array`), `optional` (dropped) and Java/JS types (come back `string`).
//! JSON Schema → BFCL → JSON Schema is the identity except for type lists and `null`.
//! Needle 1 → JSON Schema → Needle 1 is the identity for flat tools whose parameters hold only
//! `type` (a JSON Schema name), `description` and `required`.

use serde_json::{Map, Value};
use thiserror::Error;

use crate::suite::Dialect;

/// A tool document that cannot be converted, with where the problem is.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("tool `{tool}`{}: {message}", .parameter.as_ref().map(|p| format!(", parameter `{p}`")).unwrap_or_default())]
pub struct DialectError {
    /// The tool's name, or `#<index>` when it has no string name.
    pub tool: String,
    /// Dotted path of the offending parameter (`location.city`, `tags[]` for array items);
    /// `None` when the problem is in the tool document itself.
    pub parameter: Option<String>,
    pub message: String,
}

/// Where in a tool a schema node sits, for error messages.
struct Ctx<'a> {
    tool: &'a str,
}

impl Ctx<'_> {
    fn err(&self, path: &str, message: impl Into<String>) -> DialectError {
        DialectError {
            tool: self.tool.to_string(),
            parameter: (!path.is_empty()).then(|| path.to_string()),
            message: message.into(),
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
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

/// Converts every tool of a suite from one dialect to another; the first failure is returned.
pub fn convert_tools(
    tools: &[Value],
    from: Dialect,
    to: Dialect,
) -> Result<Vec<Value>, DialectError> {
    tools
        .iter()
        .enumerate()
        .map(|(i, t)| convert_tool_labelled(t, &tool_label(t, i), from, to))
        .collect()
}

/// Converts one tool document (`{"name","description","parameters",...}`); keys other than
/// `parameters` are kept as they are, in their order.
pub fn convert_tool(tool: &Value, from: Dialect, to: Dialect) -> Result<Value, DialectError> {
    convert_tool_labelled(tool, &tool_label(tool, 0), from, to)
}

fn tool_label(tool: &Value, index: usize) -> String {
    match tool.get("name") {
        Some(Value::String(s)) => s.clone(),
        _ => format!("#{index}"),
    }
}

fn convert_tool_labelled(
    tool: &Value,
    label: &str,
    from: Dialect,
    to: Dialect,
) -> Result<Value, DialectError> {
    let ctx = Ctx { tool: label };
    let Value::Object(doc) = tool else {
        return Err(ctx.err(
            "",
            format!("a tool must be an object, found {}", kind(tool)),
        ));
    };
    if from == to {
        return Ok(tool.clone());
    }
    let mut out = Map::new();
    for (key, value) in doc {
        if key == "parameters" && !value.is_null() {
            let schema = match from {
                Dialect::JsonSchema => value.clone(),
                Dialect::Bfcl => bfcl_params_to_schema(&ctx, value)?,
                Dialect::Needle1 => needle1_params_to_schema(&ctx, value)?,
            };
            let converted = match to {
                Dialect::JsonSchema => schema,
                Dialect::Bfcl => schema_params_to_bfcl(&ctx, &schema)?,
                Dialect::Needle1 => schema_params_to_needle1(&ctx, &schema)?,
            };
            out.insert(key.clone(), converted);
        } else {
            out.insert(key.clone(), value.clone());
        }
    }
    Ok(Value::Object(out))
}

// ---------------------------------------------------------------------------------------------
// BFCL → JSON Schema

enum TypeMap {
    To(&'static str),
    Unconstrained,
    Foreign,
}

fn bfcl_type(name: &str) -> TypeMap {
    match name {
        "dict" | "object" => TypeMap::To("object"),
        "float" | "number" => TypeMap::To("number"),
        "tuple" | "array" => TypeMap::To("array"),
        "string" => TypeMap::To("string"),
        "integer" => TypeMap::To("integer"),
        "boolean" => TypeMap::To("boolean"),
        "null" => TypeMap::To("null"),
        "any" => TypeMap::Unconstrained,
        _ => TypeMap::Foreign,
    }
}

fn foreign_type_note(name: &str) -> String {
    format!("(type {name}, given as a string)")
}

fn append_note(schema: &mut Map<String, Value>, note: &str) {
    match schema.get_mut("description") {
        Some(Value::String(d)) if !d.is_empty() => {
            d.push(' ');
            d.push_str(note);
        }
        _ => {
            schema.shift_remove("description");
            // Right after `type`, where a reader of the prompt expects it.
            let at = schema.keys().position(|k| k == "type").map_or(0, |i| i + 1);
            schema.shift_insert(at, "description".into(), Value::String(note.into()));
        }
    }
}

fn bfcl_params_to_schema(ctx: &Ctx, params: &Value) -> Result<Value, DialectError> {
    let Value::Object(map) = params else {
        return Err(ctx.err(
            "",
            format!("`parameters` must be an object, found {}", kind(params)),
        ));
    };
    match map.get("type") {
        None => {}
        Some(Value::String(t)) if matches!(t.as_str(), "dict" | "object") => {}
        Some(other) => {
            return Err(ctx.err(
                "",
                format!("`parameters.type` must be \"dict\", found {other}"),
            ))
        }
    }
    let mut out = bfcl_node_to_schema(ctx, "", params)?;
    if let Value::Object(m) = &mut out {
        if !m.contains_key("type") {
            m.shift_insert(0, "type".into(), Value::String("object".into()));
        }
    }
    Ok(out)
}

fn bfcl_node_to_schema(ctx: &Ctx, path: &str, node: &Value) -> Result<Value, DialectError> {
    let Value::Object(map) = node else {
        return Err(ctx.err(
            path,
            format!("a schema must be an object, found {}", kind(node)),
        ));
    };
    let mut out = Map::new();
    let mut note = None;
    for (key, value) in map {
        match key.as_str() {
            "type" => match value {
                Value::String(t) => match bfcl_type(t) {
                    TypeMap::To(s) => {
                        out.insert(key.clone(), Value::String(s.into()));
                    }
                    TypeMap::Unconstrained => {}
                    TypeMap::Foreign => {
                        out.insert(key.clone(), Value::String("string".into()));
                        note = Some(foreign_type_note(t));
                    }
                },
                Value::Array(list) => {
                    let mut mapped = Vec::new();
                    for t in list {
                        match t.as_str().map(bfcl_type) {
                            Some(TypeMap::To(s)) => mapped.push(Value::String(s.into())),
                            Some(TypeMap::Unconstrained) => {
                                mapped.clear();
                                break;
                            }
                            Some(TypeMap::Foreign) | None => {
                                return Err(ctx.err(
                                    path,
                                    format!("type list holds {t}, not a BFCL type name"),
                                ))
                            }
                        }
                    }
                    if !mapped.is_empty() {
                        out.insert(key.clone(), Value::Array(mapped));
                    }
                }
                other => {
                    return Err(ctx.err(
                        path,
                        format!("`type` must be a string, found {}", kind(other)),
                    ))
                }
            },
            "optional" => {}
            _ => {
                out.insert(
                    key.clone(),
                    map_subschemas(ctx, path, key, value, bfcl_node_to_schema)?,
                );
            }
        }
    }
    if let Some(note) = note {
        append_note(&mut out, &note);
    }
    Ok(Value::Object(out))
}

/// Applies `f` to the subschemas a keyword holds (`properties`, `items`, ...); other keywords'
/// values are returned unchanged.
fn map_subschemas(
    ctx: &Ctx,
    path: &str,
    key: &str,
    value: &Value,
    f: fn(&Ctx, &str, &Value) -> Result<Value, DialectError>,
) -> Result<Value, DialectError> {
    match key {
        "properties" => {
            let Value::Object(props) = value else {
                return Err(ctx.err(
                    path,
                    format!("`properties` must be an object, found {}", kind(value)),
                ));
            };
            let mut out = Map::new();
            for (name, sub) in props {
                out.insert(name.clone(), f(ctx, &join(path, name), sub)?);
            }
            Ok(Value::Object(out))
        }
        "items" => {
            let item_path = format!("{path}[]");
            match value {
                Value::Array(list) => Ok(Value::Array(
                    list.iter()
                        .map(|s| f(ctx, &item_path, s))
                        .collect::<Result<_, _>>()?,
                )),
                other => f(ctx, &item_path, other),
            }
        }
        "additionalProperties" if value.is_object() => f(ctx, &join(path, "*"), value),
        "anyOf" | "oneOf" | "allOf" => match value {
            Value::Array(list) => Ok(Value::Array(
                list.iter()
                    .map(|s| f(ctx, path, s))
                    .collect::<Result<_, _>>()?,
            )),
            other => Err(ctx.err(
                path,
                format!("`{key}` must be an array, found {}", kind(other)),
            )),
        },
        _ => Ok(value.clone()),
    }
}

/// A tool's JSON Schema `parameters`: an object whose `type`, when present, is `"object"`.
fn object_schema<'a>(ctx: &Ctx, params: &'a Value) -> Result<&'a Map<String, Value>, DialectError> {
    let Value::Object(map) = params else {
        return Err(ctx.err(
            "",
            format!(
                "`parameters` must be an object schema, found {}",
                kind(params)
            ),
        ));
    };
    match map.get("type") {
        None => {}
        Some(Value::String(t)) if t == "object" => {}
        Some(other) => {
            return Err(ctx.err(
                "",
                format!("`parameters` must have type \"object\", found {other}"),
            ))
        }
    }
    Ok(map)
}

// ---------------------------------------------------------------------------------------------
// JSON Schema → BFCL

fn schema_params_to_bfcl(ctx: &Ctx, params: &Value) -> Result<Value, DialectError> {
    object_schema(ctx, params)?;
    let mut out = schema_node_to_bfcl(ctx, "", params)?;
    if let Value::Object(m) = &mut out {
        m.insert("type".into(), Value::String("dict".into()));
    }
    Ok(out)
}

fn schema_type_to_bfcl(ctx: &Ctx, path: &str, t: &Value) -> Result<String, DialectError> {
    let single = |s: &str| match s {
        "object" => "dict".to_string(),
        "number" => "float".to_string(),
        "null" => "any".to_string(),
        other => other.to_string(),
    };
    match t {
        Value::String(s) => Ok(single(s)),
        Value::Array(list) => {
            let mut names = Vec::new();
            for item in list {
                match item {
                    Value::String(s) if s == "null" => {}
                    Value::String(s) => names.push(s.as_str()),
                    other => {
                        return Err(ctx.err(
                            path,
                            format!("type list holds {}, not a type name", kind(other)),
                        ))
                    }
                }
            }
            Ok(match names.as_slice() {
                [one] => single(one),
                _ => "any".to_string(),
            })
        }
        other => Err(ctx.err(
            path,
            format!("`type` must be a string or a list, found {}", kind(other)),
        )),
    }
}

fn reject_unrepresentable(ctx: &Ctx, path: &str, node: &Value) -> Result<(), DialectError> {
    match node {
        Value::Bool(false) => Err(ctx.err(
            path,
            "the schema `false` (no value allowed) cannot be represented",
        )),
        Value::Object(map) if map.contains_key("$ref") => Err(ctx.err(
            path,
            "uses `$ref`; references are not resolved, inline the referenced schema",
        )),
        Value::Object(_) | Value::Bool(true) => Ok(()),
        other => Err(ctx.err(
            path,
            format!("a schema must be an object, found {}", kind(other)),
        )),
    }
}

fn schema_node_to_bfcl(ctx: &Ctx, path: &str, node: &Value) -> Result<Value, DialectError> {
    reject_unrepresentable(ctx, path, node)?;
    let Value::Object(map) = node else {
        // `true`: any value.
        return Ok(serde_json::json!({"type": "any"}));
    };
    let mut out = Map::new();
    if !map.contains_key("type") {
        out.insert("type".into(), Value::String("any".into()));
    }
    for (key, value) in map {
        if key == "type" {
            out.insert(
                key.clone(),
                Value::String(schema_type_to_bfcl(ctx, path, value)?),
            );
        } else {
            out.insert(
                key.clone(),
                map_subschemas(ctx, path, key, value, schema_node_to_bfcl)?,
            );
        }
    }
    Ok(Value::Object(out))
}

// ---------------------------------------------------------------------------------------------
// Needle 1 flat → JSON Schema

fn needle1_type(name: &str) -> TypeMap {
    match name {
        "string" | "str" => TypeMap::To("string"),
        "integer" | "int" => TypeMap::To("integer"),
        "number" | "float" | "double" => TypeMap::To("number"),
        "boolean" | "bool" => TypeMap::To("boolean"),
        "array" | "list" => TypeMap::To("array"),
        "object" | "dict" => TypeMap::To("object"),
        "null" => TypeMap::To("null"),
        "any" => TypeMap::Unconstrained,
        _ => TypeMap::Foreign,
    }
}

fn needle1_params_to_schema(ctx: &Ctx, params: &Value) -> Result<Value, DialectError> {
    let Value::Object(map) = params else {
        return Err(ctx.err(
            "",
            format!(
                "Needle 1 `parameters` must map names to specs, found {}",
                kind(params)
            ),
        ));
    };
    let mut properties = Map::new();
    let mut required = Vec::new();
    for (name, spec) in map {
        let Value::Object(spec) = spec else {
            return Err(ctx.err(
                name,
                format!(
                    "expected {{\"type\",\"description\",\"required\"}}, found {}",
                    kind(spec)
                ),
            ));
        };
        let mut prop = Map::new();
        let mut note = None;
        for (key, value) in spec {
            match (key.as_str(), value) {
                ("required", Value::Bool(true)) => required.push(Value::String(name.clone())),
                ("required", Value::Bool(false) | Value::Null) => {}
                ("required", other) => {
                    return Err(ctx.err(
                        name,
                        format!("`required` must be true or false, found {other}"),
                    ))
                }
                ("type", Value::String(t)) => match needle1_type(t) {
                    TypeMap::To(s) => {
                        prop.insert(key.clone(), Value::String(s.into()));
                    }
                    TypeMap::Unconstrained => {}
                    TypeMap::Foreign => {
                        prop.insert(key.clone(), Value::String("string".into()));
                        note = Some(foreign_type_note(t));
                    }
                },
                ("type", other) => {
                    return Err(ctx.err(
                        name,
                        format!("`type` must be a string, found {}", kind(other)),
                    ))
                }
                _ => {
                    prop.insert(key.clone(), value.clone());
                }
            }
        }
        if let Some(note) = note {
            append_note(&mut prop, &note);
        }
        properties.insert(name.clone(), Value::Object(prop));
    }
    let mut out = Map::new();
    out.insert("type".into(), Value::String("object".into()));
    out.insert("properties".into(), Value::Object(properties));
    out.insert("required".into(), Value::Array(required));
    Ok(Value::Object(out))
}

// ---------------------------------------------------------------------------------------------
// JSON Schema → Needle 1 flat

fn schema_params_to_needle1(ctx: &Ctx, params: &Value) -> Result<Value, DialectError> {
    let map = object_schema(ctx, params)?;
    if map.contains_key("$ref") {
        return Err(ctx.err("", "`parameters` uses `$ref`; references are not resolved"));
    }
    let empty = Map::new();
    let props = match map.get("properties") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(p)) => p,
        Some(other) => {
            return Err(ctx.err(
                "",
                format!("`properties` must be an object, found {}", kind(other)),
            ))
        }
    };
    let required = required_names(ctx, "", map)?;
    for name in &required {
        if !props.contains_key(name.as_str()) {
            return Err(ctx.err(
                name,
                "listed in `required` but not in `properties`; Needle 1 keeps `required` on the parameter",
            ));
        }
    }
    let mut out = Map::new();
    for (name, schema) in props {
        reject_unrepresentable(ctx, name, schema)?;
        let mut param = Map::new();
        let empty_schema = Map::new();
        let schema = schema.as_object().unwrap_or(&empty_schema);
        let (type_name, type_note) = flat_type(ctx, name, schema)?;
        param.insert("type".into(), Value::String(type_name));
        let mut description = match schema.get("description") {
            Some(Value::String(d)) => d.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => {
                return Err(ctx.err(
                    name,
                    format!("`description` must be a string, found {}", kind(other)),
                ))
            }
        };
        let mut notes = Vec::new();
        if let Some(n) = type_note {
            notes.push(n);
        }
        if let Some(n) = shape_note(ctx, name, schema)? {
            notes.push(n);
        }
        if let Some(values) = schema.get("enum") {
            let Value::Array(values) = values else {
                return Err(ctx.err(
                    name,
                    format!("`enum` must be an array, found {}", kind(values)),
                ));
            };
            let listed: Vec<String> = values.iter().map(prose_value).collect();
            notes.push(format!("One of: {}.", listed.join(", ")));
        }
        if let Some(default) = schema.get("default") {
            notes.push(format!("Default: {}.", prose_value(default)));
        }
        for n in notes {
            if !description.is_empty() {
                description.push(' ');
            }
            description.push_str(&n);
        }
        if !description.is_empty() {
            param.insert("description".into(), Value::String(description));
        }
        param.insert("required".into(), Value::Bool(required.contains(name)));
        out.insert(name.clone(), Value::Object(param));
    }
    Ok(Value::Object(out))
}

fn required_names(
    ctx: &Ctx,
    path: &str,
    schema: &Map<String, Value>,
) -> Result<Vec<String>, DialectError> {
    match schema.get("required") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(list)) => list
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(ctx.err(
                    path,
                    format!("`required` must list names, found {}", kind(other)),
                )),
            })
            .collect(),
        // Some generators put a per-property boolean where the list belongs; that is a
        // property-level flag, not something to guess about at the object level.
        Some(other) => Err(ctx.err(
            path,
            format!("`required` must be a list of names, found {}", kind(other)),
        )),
    }
}

/// The flat type name of a schema and, for type unions, a note naming the members.
fn flat_type(
    ctx: &Ctx,
    path: &str,
    schema: &Map<String, Value>,
) -> Result<(String, Option<String>), DialectError> {
    match schema.get("type") {
        None | Some(Value::Null) => Ok(("any".into(), None)),
        Some(Value::String(t)) => Ok((t.clone(), None)),
        Some(Value::Array(list)) => {
            let mut names = Vec::new();
            for item in list {
                match item {
                    Value::String(s) if s == "null" => {}
                    Value::String(s) => names.push(s.clone()),
                    other => {
                        return Err(ctx.err(
                            path,
                            format!("type list holds {}, not a type name", kind(other)),
                        ))
                    }
                }
            }
            Ok(match names.len() {
                0 => ("null".into(), None),
                1 => (names.remove(0), None),
                _ => ("any".into(), Some(format!("Type: {}.", names.join(" or ")))),
            })
        }
        Some(other) => Err(ctx.err(
            path,
            format!("`type` must be a string or a list, found {}", kind(other)),
        )),
    }
}

/// ` Array of ...` / ` Object with keys: ...` for composite parameters.
fn shape_note(
    ctx: &Ctx,
    path: &str,
    schema: &Map<String, Value>,
) -> Result<Option<String>, DialectError> {
    let phrase = type_phrase(ctx, path, schema, 0)?;
    let bare = flat_type(ctx, path, schema)?.0;
    if phrase == bare {
        return Ok(None);
    }
    let mut chars = phrase.chars();
    let capitalized = match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => return Ok(None),
    };
    Ok(Some(format!("{capitalized}.")))
}

/// A prose type: `string`, `array of integer`, `object with keys: a (string), b (number)`.
/// Nesting past three levels is cut to the bare type name so descriptions stay short.
fn type_phrase(
    ctx: &Ctx,
    path: &str,
    schema: &Map<String, Value>,
    depth: usize,
) -> Result<String, DialectError> {
    let base = flat_type(ctx, path, schema)?.0;
    if depth >= 3 {
        return Ok(base);
    }
    if let Some(items) = schema.get("items") {
        let item_path = format!("{path}[]");
        reject_unrepresentable(ctx, &item_path, items)?;
        if let Value::Object(items) = items {
            return Ok(format!(
                "array of {}",
                type_phrase(ctx, &item_path, items, depth + 1)?
            ));
        }
        return Ok(base);
    }
    if let Some(props) = schema.get("properties") {
        let Value::Object(props) = props else {
            return Err(ctx.err(
                path,
                format!("`properties` must be an object, found {}", kind(props)),
            ));
        };
        if props.is_empty() {
            return Ok(base);
        }
        let required = required_names(ctx, path, schema)?;
        let mut parts = Vec::new();
        for (name, sub) in props {
            let sub_path = join(path, name);
            reject_unrepresentable(ctx, &sub_path, sub)?;
            let empty = Map::new();
            let sub = sub.as_object().unwrap_or(&empty);
            let mut t = type_phrase(ctx, &sub_path, sub, depth + 1)?;
            if required.contains(name) {
                t.push_str(", required");
            }
            parts.push(format!("{name} ({t})"));
        }
        return Ok(format!("object with keys: {}", parts.join(", ")));
    }
    Ok(base)
}

/// A value as prose in a description: strings in single quotes, the rest as compact JSON.
fn prose_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Tool names

/// Needle's tool-name rule lives with the runtime's I/O contract.
pub use thimble_runtime::tools::snake_case as to_snake_case;

// ---------------------------------------------------------------------------------------------
// The Needle tools string

/// The tools string a Needle encoder reads: tools converted from `from` to `to`, names
/// snake_cased, serialized by [`to_needle_json`].
pub fn render_tools_needle(
    tools: &[Value],
    from: Dialect,
    to: Dialect,
) -> Result<String, DialectError> {
    let mut converted = convert_tools(tools, from, to)?;
    for tool in &mut converted {
        if let Some(Value::String(name)) = tool.get_mut("name") {
            *name = to_snake_case(name);
        }
    }
    Ok(to_needle_json(&Value::Array(converted)))
}

/// Python-compatible JSON lives with the runtime's I/O contract.
pub use thimble_runtime::tools::{python_float_repr, to_python_json as to_needle_json};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn snake_case_rule() {
        let cases = [
            ("getWeather", "get_weather"),
            ("GetWeather", "get_weather"),
            ("math.factorial", "math_factorial"),
            ("get-current weather", "get_current_weather"),
            ("HTTPServer", "http_server"),
            ("getHTTPResponse", "get_http_response"),
            ("v2Api", "v2_api"),
            ("already_snake", "already_snake"),
            ("__init__", "init"),
            ("a..b--c", "a_b_c"),
            ("get_Weather", "get_weather"),
            ("ABC", "abc"),
            ("café", "caf"),
            ("日本", ""),
            ("", ""),
            ("x2", "x2"),
            ("spotify.playSong", "spotify_play_song"),
            // Checked against Needle's regex rule run in Python (also on 20,000 random names).
            ("AZ.a_BaA", "az_a_ba_a"),
            ("0ABA_0", "0_aba_0"),
            ("aBcDEf", "a_bc_d_ef"),
            ("ABcDEf", "a_bc_d_ef"),
            ("AAAbBBBc", "aa_ab_bb_bc"),
            ("a1B2C", "a1_b2_c"),
            ("_Z9zZ-", "z9z_z"),
            ("XMLHttpRequest2Go", "xml_http_request2_go"),
            ("get 9Lives", "get_9_lives"),
            ("é-Ab", "ab"),
            ("A_B", "a_b"),
            ("aB_C", "a_b_c"),
            ("IOError", "io_error"),
        ];
        for (input, want) in cases {
            assert_eq!(to_snake_case(input), want, "{input}");
        }
    }

    #[test]
    fn snake_case_is_idempotent() {
        for s in ["getHTTPResponse", "a.b-C d", "ÄbcDef", "X__Y", "_a_"] {
            let once = to_snake_case(s);
            assert_eq!(to_snake_case(&once), once);
        }
    }

    #[test]
    fn needle_json_matches_python_escaping() {
        let cases = [
            (json!("héllo wörld"), r#""h\u00e9llo w\u00f6rld""#),
            (json!("emoji 😀!"), r#""emoji \ud83d\ude00!""#),
            (
                json!("tab\tnl\nquote\"back\\"),
                r#""tab\tnl\nquote\"back\\""#,
            ),
            (json!("\u{1}\u{1f}\u{7f}/"), r#""\u0001\u001f\u007f/""#),
            (json!("日本語"), r#""\u65e5\u672c\u8a9e""#),
            (json!("\u{10ffff}"), r#""\udbff\udfff""#),
            (
                json!({"b": 1, "a": [true, null, "x"]}),
                r#"{"b":1,"a":[true,null,"x"]}"#,
            ),
            (
                json!({"ключ": "значение"}),
                r#"{"\u043a\u043b\u044e\u0447":"\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435"}"#,
            ),
        ];
        for (value, want) in cases {
            assert_eq!(to_needle_json(&value), want);
        }
    }

    // Python: [repr(x) for x in (...)]
    #[test]
    fn floats_match_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (-0.0, "-0.0"),
            (2.71, "2.71"),
            (1e100, "1e+100"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (12345.678, "12345.678"),
        ];
        for (x, want) in cases {
            assert_eq!(python_float_repr(x), want, "{x:e}");
        }
        assert_eq!(
            to_needle_json(&json!([1.0, 2, -0.5, 1e-5])),
            "[1.0,2,-0.5,1e-05]"
        );
    }

    fn weather_bfcl() -> Value {
        json!({
            "name": "weather.get",
            "description": "Weather for a city.",
            "parameters": {
                "type": "dict",
                "properties": {
                    "city": {"type": "string", "description": "City name."},
                    "days": {"type": "integer", "description": "Days ahead.", "default": 1},
                    "scale": {"type": "float", "description": "Scale."},
                    "unit": {"type": "string", "enum": ["c", "f"], "description": "Unit."},
                    "extra": {"type": "any", "description": "Anything."},
                    "tags": {"type": "array", "items": {"type": "string"}, "description": "Tags."},
                    "loc": {
                        "type": "dict",
                        "description": "Location.",
                        "properties": {
                            "lat": {"type": "float", "description": "Latitude."},
                            "lon": {"type": "float", "description": "Longitude."}
                        },
                        "required": ["lat"]
                    }
                },
                "required": ["city"]
            }
        })
    }

    #[test]
    fn bfcl_to_schema_maps_types() {
        let js = convert_tool(&weather_bfcl(), Dialect::Bfcl, Dialect::JsonSchema).unwrap();
        let p = &js["parameters"];
        assert_eq!(p["type"], "object");
        assert_eq!(p["properties"]["scale"]["type"], "number");
        assert!(p["properties"]["extra"].get("type").is_none());
        assert_eq!(p["properties"]["loc"]["type"], "object");
        assert_eq!(
            p["properties"]["loc"]["properties"]["lat"]["type"],
            "number"
        );
        assert_eq!(p["properties"]["tags"]["items"]["type"], "string");
        assert_eq!(p["properties"]["unit"]["enum"], json!(["c", "f"]));
        assert_eq!(p["required"], json!(["city"]));
    }

    #[test]
    fn bfcl_schema_bfcl_round_trip() {
        let bfcl = weather_bfcl();
        let js = convert_tool(&bfcl, Dialect::Bfcl, Dialect::JsonSchema).unwrap();
        let back = convert_tool(&js, Dialect::JsonSchema, Dialect::Bfcl).unwrap();
        // Compare serialized text: Value equality ignores key order.
        assert_eq!(back.to_string(), bfcl.to_string());
    }

    #[test]
    fn bfcl_lossy_cases() {
        let tool = json!({"name": "f", "parameters": {"type": "dict", "properties": {
            "t": {"type": "tuple", "items": {"type": "integer"}},
            "o": {"type": "string", "optional": true, "default": "x"},
            "j": {"type": "HashMap", "description": "A map."},
            "k": {"type": "long"}
        }, "required": []}});
        let js = convert_tool(&tool, Dialect::Bfcl, Dialect::JsonSchema).unwrap();
        let props = &js["parameters"]["properties"];
        assert_eq!(props["t"]["type"], "array");
        assert!(props["o"].get("optional").is_none());
        assert_eq!(
            props["j"],
            json!({"type": "string", "description": "A map. (type HashMap, given as a string)"})
        );
        assert_eq!(
            props["k"].to_string(),
            r#"{"type":"string","description":"(type long, given as a string)"}"#
        );
    }

    #[test]
    fn schema_to_needle1_flattens() {
        let js = convert_tool(&weather_bfcl(), Dialect::Bfcl, Dialect::JsonSchema).unwrap();
        let flat = convert_tool(&js, Dialect::JsonSchema, Dialect::Needle1).unwrap();
        let p = &flat["parameters"];
        assert_eq!(
            p["city"].to_string(),
            r#"{"type":"string","description":"City name.","required":true}"#
        );
        assert_eq!(p["days"]["description"], "Days ahead. Default: 1.");
        assert_eq!(p["unit"]["description"], "Unit. One of: 'c', 'f'.");
        assert_eq!(p["extra"]["type"], "any");
        assert_eq!(p["tags"]["description"], "Tags. Array of string.");
        assert_eq!(p["tags"]["type"], "array");
        assert_eq!(p["loc"]["type"], "object");
        assert_eq!(
            p["loc"]["description"],
            "Location. Object with keys: lat (number, required), lon (number)."
        );
        assert_eq!(p["loc"]["required"], false);
    }

    #[test]
    fn needle1_round_trip() {
        let flat = json!({"name": "set_alarm", "description": "Set an alarm.", "parameters": {
            "time_hours": {"type": "number", "description": "Hour.", "required": true},
            "label": {"type": "string", "description": "Label.", "required": false}
        }});
        let js = convert_tool(&flat, Dialect::Needle1, Dialect::JsonSchema).unwrap();
        assert_eq!(
            js["parameters"].to_string(),
            r#"{"type":"object","properties":{"time_hours":{"type":"number","description":"Hour."},"label":{"type":"string","description":"Label."}},"required":["time_hours"]}"#
        );
        let back = convert_tool(&js, Dialect::JsonSchema, Dialect::Needle1).unwrap();
        assert_eq!(back.to_string(), flat.to_string());
        // Through BFCL too.
        let bfcl = convert_tool(&flat, Dialect::Needle1, Dialect::Bfcl).unwrap();
        assert_eq!(bfcl["parameters"]["type"], "dict");
        assert_eq!(
            bfcl["parameters"]["properties"]["time_hours"]["type"],
            "float"
        );
        let back = convert_tool(&bfcl, Dialect::Bfcl, Dialect::Needle1).unwrap();
        assert_eq!(back.to_string(), flat.to_string());
    }

    #[test]
    fn refusals_name_tool_and_parameter() {
        let t = json!({"name": "f", "parameters": {"type": "object", "properties": {
            "a": {"$ref": "#/$defs/A"}}}});
        let e = convert_tool(&t, Dialect::JsonSchema, Dialect::Needle1).unwrap_err();
        assert_eq!(e.tool, "f");
        assert_eq!(e.parameter.as_deref(), Some("a"));
        assert!(e.to_string().contains("$ref"), "{e}");

        let t = json!({"name": "g", "parameters": {"type": "object", "properties": {"a": false}}});
        let e = convert_tool(&t, Dialect::JsonSchema, Dialect::Bfcl).unwrap_err();
        assert_eq!(
            e.to_string(),
            "tool `g`, parameter `a`: the schema `false` (no value allowed) cannot be represented"
        );

        let t = json!({"name": "h", "parameters": {"type": "object", "properties": {}, "required": ["x"]}});
        let e = convert_tool(&t, Dialect::JsonSchema, Dialect::Needle1).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("x"));

        let t = json!({"name": "n", "parameters": {"p": {"type": "string", "required": "yes"}}});
        let e = convert_tool(&t, Dialect::Needle1, Dialect::JsonSchema).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("tool `n`, parameter `p`: `required`"),
            "{e}"
        );

        let e = convert_tools(&[json!(1)], Dialect::Bfcl, Dialect::JsonSchema).unwrap_err();
        assert_eq!(e.tool, "#0");

        let t = json!({"name": "d", "parameters": {"type": "object", "properties": {
            "a": {"type": "object", "properties": {"b": {"$ref": "x"}}}}}});
        let e = convert_tool(&t, Dialect::JsonSchema, Dialect::Bfcl).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("a.b"));
    }

    #[test]
    fn schema_to_bfcl_unions_and_missing_types() {
        let t = json!({"name": "f", "parameters": {"type": "object", "properties": {
            "a": {"type": ["string", "null"]},
            "b": {"type": ["string", "integer"]},
            "c": {"description": "no type"},
            "d": true
        }, "required": []}});
        let b = convert_tool(&t, Dialect::JsonSchema, Dialect::Bfcl).unwrap();
        let p = &b["parameters"]["properties"];
        assert_eq!(p["a"]["type"], "string");
        assert_eq!(p["b"]["type"], "any");
        assert_eq!(
            p["c"].to_string(),
            r#"{"type":"any","description":"no type"}"#
        );
        assert_eq!(p["d"]["type"], "any");
        let flat = convert_tool(&t, Dialect::JsonSchema, Dialect::Needle1).unwrap();
        assert_eq!(
            flat["parameters"]["b"]["description"],
            "Type: string or integer."
        );
        assert_eq!(flat["parameters"]["d"]["type"], "any");
    }

    #[test]
    fn render_tools_snake_cases_and_escapes() {
        let tools = vec![
            json!({"name": "getWeather", "description": "Météo", "parameters": {
            "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}),
        ];
        let s = render_tools_needle(&tools, Dialect::JsonSchema, Dialect::JsonSchema).unwrap();
        assert_eq!(
            s,
            r#"[{"name":"get_weather","description":"M\u00e9t\u00e9o","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]"#
        );
        let s = render_tools_needle(&tools, Dialect::JsonSchema, Dialect::Needle1).unwrap();
        assert_eq!(
            s,
            r#"[{"name":"get_weather","description":"M\u00e9t\u00e9o","parameters":{"city":{"type":"string","required":true}}}]"#
        );
    }
}
