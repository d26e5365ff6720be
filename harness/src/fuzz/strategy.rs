//! proptest strategies for fuzz cases: tool lists (JSON Schema tools, with Needle 1's flat
//! form and malformed corners mixed in) and user queries. `pub` so tests reuse them.
//!
//! What is generated, and why each part exists:
//! - tool names from a small word list in every spelling (`get_weather`, `getWeather`,
//!   `get.weather`, `get-weather now`, `GET_WEATHER`), so distinct names often collide after
//!   Needle's snake_case; plus unicode names (`météo`, `天气`, which snake_case may empty);
//! - parameter keys that are plain, unicode, escaped (`a"b`, `back\slash`), empty, or named like
//!   schema keywords (`type`, `properties`), which a key trie must not confuse with structure;
//! - value schemas: every type and its Python aliases, type lists, `nullable`, enums and consts
//!   of every JSON kind, untyped values, nested objects and arrays (depth 3), maps
//!   (`additionalProperties`), free objects, tuple `items`, bare type strings and non-object
//!   schemas;
//! - keywords the grammar cannot represent (`pattern`, `minimum`, `format`, `anyOf`, `oneOf`,
//!   `$ref` into a self-referencing `$defs` cycle, ...), both on values and on a tool's
//!   `parameters` object, so the fuzz can count the warnings and find any left silent;
//! - `required` lists with optional parameters, undeclared ("ghost") required names, empty and
//!   missing parameter lists, long and empty descriptions;
//! - queries: realistic requests, empty, unicode, control characters, and texts long enough to
//!   be truncated at the encoder's 1022 query tokens;
//! - half the cases instead take a tool of the assistant catalogue (the fixture model's
//!   training tools) in another spelling, mutate up to two of its parameters (a generated
//!   schema, an unenforced keyword, required flipped, wrapped in an array), place it among
//!   generated tools, and phrase the query with one of its own phrasings: a trained model then
//!   writes real calls, often with arguments the mutated schema forbids, which is where the
//!   constraint has work to do. Random-only cases mostly get `[]` from a trained model.
//!
//! Alternatives are ordered simplest first, because proptest shrinks a `prop_oneof!` towards its
//! earlier branches: a shrunk regression case uses the plainest schema that still fails.

use proptest::prelude::*;
use proptest::sample::select;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// One generated input: the tools (JSON Schema dialect, user names) and the query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FuzzCase {
    pub tools: Vec<Value>,
    pub query: String,
}

/// A whole case: random tools with a random query, or (as often) a tool the fixture model
/// was trained on, mutated, with a query phrased for it, so trained models write real calls
/// whose arguments the mutated schema may contradict.
pub fn fuzz_case() -> impl Strategy<Value = FuzzCase> {
    prop_oneof![
        (tools(), query()).prop_map(|(tools, query)| FuzzCase { tools, query }),
        catalogue_case(),
    ]
}

/// How one parameter of a catalogue tool is changed.
#[derive(Debug, Clone)]
enum Mutation {
    /// Its schema becomes a generated one.
    Replace(Value),
    /// It gains a keyword the grammar does not enforce.
    Narrow(String, Value),
    /// Required becomes optional and back.
    FlipRequired,
    /// It becomes an array of itself.
    Listify,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::FlipRequired),
        Just(Mutation::Listify),
        narrowing().prop_map(|(k, v)| Mutation::Narrow(k, v)),
        schema().prop_map(Mutation::Replace),
    ]
}

fn mutate(params: &mut Value, at: usize, m: Mutation) {
    let Some(props) = params.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    if props.is_empty() {
        return;
    }
    let i = at % props.len();
    let key = props.keys().nth(i).cloned().unwrap_or_default();
    let Some(slot) = props.get_mut(&key) else {
        return;
    };
    match m {
        Mutation::Replace(s) => *slot = s,
        Mutation::Narrow(k, v) => {
            if let Value::Object(o) = slot {
                o.insert(k, v);
            }
        }
        Mutation::Listify => *slot = json!({"type": "array", "items": slot.clone()}),
        Mutation::FlipRequired => {
            if let Some(Value::Array(req)) = params.get_mut("required") {
                let k = Value::String(key);
                match req.iter().position(|r| *r == k) {
                    Some(p) => {
                        req.remove(p);
                    }
                    None => req.push(k),
                }
            }
        }
    }
}

/// Values substituted into a phrasing's `{param}` slots.
const SLOT_VALUES: &[&str] = &[
    "7:30 am",
    "Paris",
    "5",
    "the kitchen",
    "Ann",
    "tomorrow",
    "jazz",
    "20",
    "blue",
    "Monday",
    "3.5",
    "my groceries",
];

/// A catalogue phrasing with its slots filled: `{p}` and `{p@form}` by a value,
/// `{p:yes|no}` by its first spelling, `{p=true}` by nothing.
fn fill_phrasing(template: &str, picks: &[usize]) -> String {
    let mut out = String::new();
    let mut rest = template.strip_prefix('^').unwrap_or(template);
    let mut n = 0;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let slot = &rest[open + 1..open + close];
        if let Some((_, words)) = slot.split_once(':') {
            out.push_str(words.split('|').next().unwrap_or_default());
        } else if !slot.contains('=') {
            let pick = picks.get(n % picks.len().max(1)).copied().unwrap_or(0);
            out.push_str(SLOT_VALUES[pick % SLOT_VALUES.len()]);
            n += 1;
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// One catalogue tool (renamed into another spelling, up to two parameters mutated) beside at
/// most one generated tool, and a query from one of its phrasings.
pub fn catalogue_case() -> impl Strategy<Value = FuzzCase> {
    use crate::assistant::catalogue::{tool_doc, TOOLS};
    (
        0..TOOLS.len(),
        0..7usize,
        prop::collection::vec((0..8usize, mutation()), 0..3),
        prop::collection::vec(tool(), 0..2),
        0..3usize,
        0..64usize,
        prop::collection::vec(0..SLOT_VALUES.len(), 3),
    )
        .prop_map(|(t, style, mutations, others, at, phrasing, picks)| {
            let spec = &TOOLS[t];
            let mut doc = tool_doc(spec);
            let words: Vec<&str> = spec.name.split('_').collect();
            doc["name"] = Value::String(spell(&words, style));
            for (i, m) in mutations {
                mutate(&mut doc["parameters"], i, m);
            }
            let phrasings: Vec<&str> = spec
                .phrasings
                .iter()
                .chain(spec.eval_phrasings)
                .copied()
                .collect();
            let query = phrasings
                .get(phrasing % phrasings.len().max(1))
                .map_or(String::new(), |p| fill_phrasing(p, &picks));
            let mut tools = others;
            tools.insert(at.min(tools.len()), doc);
            FuzzCase { tools, query }
        })
}

/// A tool list of 0 to 4 tools; sometimes two share a name.
pub fn tools() -> impl Strategy<Value = Vec<Value>> {
    prop_oneof![
        8 => prop::collection::vec(tool(), 0..5),
        1 => (tool(), tool()).prop_map(|(a, mut b)| {
            b["name"] = a["name"].clone();
            vec![a, b]
        }),
    ]
}

/// One tool document: name, description, and (usually) parameters.
pub fn tool() -> impl Strategy<Value = Value> {
    (tool_name(), description(), parameters()).prop_map(|(name, description, params)| {
        let mut t = Map::new();
        t.insert("name".into(), Value::String(name));
        t.insert("description".into(), Value::String(description));
        if let Some(p) = params {
            t.insert("parameters".into(), p);
        }
        Value::Object(t)
    })
}

const WORDS: &[&str] = &[
    "get", "set", "weather", "alarm", "send", "message", "search", "web", "http", "create",
    "event", "list", "to", "do", "v2",
];

/// Tool names: word-list names in many spellings, dotted names, unicode names.
pub fn tool_name() -> impl Strategy<Value = String> {
    let words = prop::collection::vec(select(WORDS), 1..4);
    prop_oneof![
        4 => (words, 0..7usize).prop_map(|(w, style)| spell(&w, style)),
        1 => "[a-z][a-z0-9_]{0,12}",
        1 => "[a-z]{1,6}(\\.[a-z][a-zA-Z]{0,6}){1,2}",
        1 => select(&[
            "météo", "天气预报", "получить_погоду", "café.commander", "🚀launch", "Ünïcode",
            "__init__", "名前", "x", "A", "get__weather", "_", "HTTPServer", "getHTTPResponse",
        ][..]).prop_map(str::to_string),
        1 => "\\PC{1,10}",
    ]
}

/// Joins words as snake, camel, Pascal, dotted, kebab, spaced or upper snake case.
fn spell(words: &[&str], style: usize) -> String {
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    match style {
        0 => words.join("_"),
        1 => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.to_string() } else { cap(w) })
            .collect(),
        2 => words.iter().map(|w| cap(w)).collect(),
        3 => words.join("."),
        4 => words.join("-"),
        5 => words.join(" "),
        _ => words.join("_").to_uppercase(),
    }
}

/// Parameter (and nested property) names.
pub fn param_key() -> BoxedStrategy<String> {
    prop_oneof![
        6 => select(&[
            "city", "days", "unit", "q", "count", "tags", "on", "name", "to", "time", "id",
            "limit", "query", "arguments",
        ][..]).prop_map(str::to_string),
        2 => "[a-z][a-z_0-9]{0,10}",
        1 => select(&[
            "type", "properties", "required", "enum", "items", "pattern", "$ref", "anyOf",
        ][..]).prop_map(str::to_string),
        1 => select(&[
            "café", "日付", "naïve", "a\"b", "back\\slash", "with space", "", "emoji😀", "tab\tkey",
            "a/b", "\u{7f}",
        ][..]).prop_map(str::to_string),
        1 => "\\PC{1,6}",
    ]
    .boxed()
}

/// Tool and parameter descriptions: none, short, unicode, long (a prompt past the encoder's
/// context).
pub fn description() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        4 => "[A-Za-z ,.]{0,60}",
        1 => "\\PC{0,40}",
        1 => (1..400usize).prop_map(|n| "Returns the value the user asked for. ".repeat(n)),
    ]
}

/// Scalar values for enums, consts and defaults.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        select(
            &[
                "celsius",
                "fahrenheit",
                "a",
                "",
                "café",
                "a\"b",
                "\\",
                "1",
                "null",
                "true"
            ][..]
        )
        .prop_map(|s| json!(s)),
        any::<i32>().prop_map(|i| json!(i)),
        Just(json!(0)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        select(&[0.5f64, -1.25, 1e-5, 1e16, 3.0, 100.0, 2.5e-300][..]).prop_map(|f| json!(f)),
        any::<u64>().prop_map(|u| json!(u)),
        "\\PC{0,8}".prop_map(Value::String),
    ]
}

/// A scalar, or a small array/object of scalars (enum members and consts may be any JSON).
fn literal() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => scalar(),
        1 => prop::collection::vec(scalar(), 0..3).prop_map(Value::Array),
        1 => prop::collection::vec((param_key(), scalar()), 0..3)
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
    ]
}

const TYPES: &[&str] = &["string", "integer", "number", "boolean", "null"];
const ALIASES: &[&str] = &[
    "str", "int", "float", "bool", "double", "any", "dict", "list", "tuple",
];

/// Keywords the grammar cannot enforce, with plausible values.
fn narrowing() -> impl Strategy<Value = (String, Value)> {
    select(vec![
        ("pattern", json!("^[A-Z]{3}$")),
        ("format", json!("date-time")),
        ("minimum", json!(0)),
        ("maximum", json!(10)),
        ("exclusiveMinimum", json!(1.5)),
        ("multipleOf", json!(0.5)),
        ("minLength", json!(2)),
        ("maxLength", json!(5)),
        ("minItems", json!(1)),
        ("uniqueItems", json!(true)),
        ("minProperties", json!(1)),
        ("propertyNames", json!({"pattern": "^[a-z]+$"})),
    ])
    .prop_map(|(k, v)| (k.to_string(), v))
}

/// Schemas the grammar treats as any value (`$ref`, combinators, conditionals).
fn opaque() -> impl Strategy<Value = Value> {
    select(vec![
        json!({"$ref": "#/$defs/node"}),
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
        json!({"oneOf": [{"type": "boolean"}, {"type": "null"}]}),
        json!({"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}]}),
        json!({"not": {"type": "null"}}),
        json!({"type": "string", "if": {"minLength": 3}, "then": {"pattern": "^a"}}),
        json!({"type": "integer", "$dynamicRef": "#meta"}),
    ])
}

/// A leaf parameter schema (no nesting).
pub fn leaf_schema() -> BoxedStrategy<Value> {
    let typed = prop_oneof![
        10 => select(TYPES).prop_map(|t| json!({"type": t})),
        2 => select(ALIASES).prop_map(|t| json!({"type": t})),
        1 => select(&["date", "String", "HashMap", ""][..]).prop_map(|t| json!({"type": t})),
        2 => prop::collection::vec(select(TYPES), 0..3).prop_map(|ts| json!({"type": ts})),
        1 => Just(json!({"type": ["string", 3]})),
        1 => select(TYPES).prop_map(|t| json!({"type": t, "nullable": true})),
        2 => Just(json!({})),
    ];
    let base = prop_oneof![
        12 => typed,
        4 => (prop::collection::vec(literal(), 1..6), prop::option::of(select(TYPES)))
            .prop_map(|(e, t)| {
                let mut m = Map::new();
                if let Some(t) = t {
                    m.insert("type".into(), json!(t));
                }
                m.insert("enum".into(), Value::Array(e));
                Value::Object(m)
            }),
        1 => Just(json!({"type": "string", "enum": []})),
        1 => literal().prop_map(|c| json!({"const": c})),
        2 => (select(TYPES), narrowing()).prop_map(|(t, (k, v))| {
            let mut m = Map::new();
            m.insert("type".into(), json!(t));
            m.insert(k, v);
            Value::Object(m)
        }),
        2 => opaque(),
        1 => select(TYPES).prop_map(|t| json!(t)),
        1 => select(vec![json!(true), json!(false), json!(3), json!(null), json!([])]),
    ];
    (base, prop::option::of(description()))
        .prop_map(|(mut s, d)| {
            if let (Value::Object(m), Some(d)) = (&mut s, d) {
                m.insert("description".into(), Value::String(d));
            }
            s
        })
        .boxed()
}

/// `(properties, required)` from generated `(key, schema, required?)` entries; the first of
/// two equal keys wins. `ghost` adds a required name that is not a property.
fn props_and_required(entries: Vec<(String, Value, bool)>, ghost: bool) -> (Value, Value) {
    let mut props = Map::new();
    let mut required = Vec::new();
    for (k, s, r) in entries {
        if props.contains_key(&k) {
            continue;
        }
        if r {
            required.push(Value::String(k.clone()));
        }
        props.insert(k, s);
    }
    if ghost {
        required.push(json!("ghost_param"));
    }
    (Value::Object(props), Value::Array(required))
}

/// An object schema with up to `max` properties drawn from `inner`.
fn object_schema(inner: BoxedStrategy<Value>, max: usize) -> BoxedStrategy<Value> {
    let entries = prop::collection::vec((param_key(), inner, any::<bool>()), 0..=max);
    (entries, 0..8u8)
        .prop_map(|(entries, variant)| {
            let (props, required) = props_and_required(entries, variant == 7);
            match variant {
                // No `type`: `properties` alone makes it an object.
                5 => json!({"properties": props, "required": required}),
                6 => json!({"type": "object", "properties": props, "additionalProperties": false}),
                _ => json!({"type": "object", "properties": props, "required": required}),
            }
        })
        .boxed()
}

/// A parameter schema: a leaf, or arrays and objects nested up to depth 3.
pub fn schema() -> BoxedStrategy<Value> {
    leaf_schema()
        .prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                4 => inner.clone().prop_map(|s| json!({"type": "array", "items": s})),
                4 => object_schema(inner.clone(), 4),
                1 => Just(json!({"type": "array"})),
                1 => inner.clone().prop_map(|s| json!({"items": s})),
                1 => (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| json!({"type": "array", "items": [a, b]})),
                1 => inner.clone().prop_map(|s| json!({"type": "object", "additionalProperties": s})),
                1 => Just(json!({"type": "object"})),
                1 => object_schema(inner.clone(), 3).prop_map(|mut o| {
                    o["type"] = json!(["object", "null"]);
                    o
                }),
                1 => (inner, select(&["minItems", "maxItems", "uniqueItems"][..]))
                    .prop_map(|(s, k)| json!({"type": "array", "items": s, k: 1})),
            ]
        })
        .boxed()
}

/// A tool's `parameters`: usually a JSON Schema object; sometimes absent, empty, Needle 1 flat,
/// carrying top-level keywords the grammar cannot represent, or not an object at all.
pub fn parameters() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        12 => object_schema(schema(), 6).prop_map(Some),
        1 => Just(None),
        1 => Just(Some(json!({}))),
        1 => Just(Some(json!({"type": "object", "properties": {}}))),
        2 => needle1_flat().prop_map(Some),
        2 => (object_schema(schema(), 4), top_level_extra()).prop_map(|(mut o, (k, v))| {
            o[k.as_str()] = v;
            Some(o)
        }),
        1 => recursive_defs().prop_map(Some),
        1 => select(vec![json!("object"), json!([]), json!(null), json!(7)]).prop_map(Some),
    ]
}

/// Keywords placed on a tool's `parameters` object itself.
fn top_level_extra() -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        Just(("additionalProperties".to_string(), json!(true))),
        Just((
            "additionalProperties".to_string(),
            json!({"type": "string"})
        )),
        Just((
            "anyOf".to_string(),
            json!([{"required": ["city"]}, {"required": ["q"]}])
        )),
        Just(("minProperties".to_string(), json!(1))),
        Just(("dependentRequired".to_string(), json!({"city": ["days"]}))),
        Just((
            "$schema".to_string(),
            json!("https://json-schema.org/draft/2020-12/schema")
        )),
    ]
}

/// A `$ref` cycle: `$defs.node.next` refers back to `node`.
fn recursive_defs() -> impl Strategy<Value = Value> {
    (param_key(), any::<bool>()).prop_map(|(k, required)| {
        json!({
            "type": "object",
            "$defs": {"node": {"type": "object", "properties": {
                "value": {"type": "integer"},
                "next": {"$ref": "#/$defs/node"}
            }}},
            "properties": {k.clone(): {"$ref": "#/$defs/node"}, "depth": {"type": "integer"}},
            "required": if required { json!([k]) } else { json!([]) }
        })
    })
}

/// Needle 1's flat parameters: `{param: {"type", "description", "required"}}`.
fn needle1_flat() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        (
            param_key(),
            select(
                &[
                    "str", "string", "int", "integer", "float", "bool", "list", "dict",
                ][..],
            ),
            any::<bool>(),
            description(),
        ),
        1..5,
    )
    .prop_map(|ps| {
        let mut m = Map::new();
        for (k, t, r, d) in ps {
            // A key named like a JSON Schema keyword would make the form ambiguous.
            if k == "properties" || k == "type" {
                continue;
            }
            m.entry(k)
                .or_insert(json!({"type": t, "description": d, "required": r}));
        }
        Value::Object(m)
    })
}

/// User queries.
pub fn query() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        6 => select(&[
            "What's the weather in Paris for 3 days?",
            "Wake me at 7",
            "Search the web for cheap flights to Tokyo and send Ann a message",
            "Turn the kitchen lights on",
            "set an alarm for 6:30 tomorrow and remind me to call mom",
            "¿Qué tiempo hace en Madrid?",
            "東京の天気は？",
            "list my events",
        ][..]).prop_map(str::to_string),
        3 => "[A-Za-z0-9 ,.?']{0,80}",
        1 => "\\PC{0,40}",
        1 => "[\\x00-\\x1f\"\\\\{}\\[\\]]{0,12}",
        1 => (200..1600usize).prop_map(|n| "please ".repeat(n)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    #[test]
    fn spellings() {
        let w = ["get", "weather", "v2"];
        let all: Vec<String> = (0..7).map(|s| spell(&w, s)).collect();
        assert_eq!(
            all,
            [
                "get_weather_v2",
                "getWeatherV2",
                "GetWeatherV2",
                "get.weather.v2",
                "get-weather-v2",
                "get weather v2",
                "GET_WEATHER_V2"
            ]
        );
    }

    #[test]
    fn phrasings_are_filled() {
        assert_eq!(
            fill_phrasing("^set an alarm for {time} called {label}", &[0, 1]),
            "set an alarm for 7:30 am called Paris"
        );
        assert_eq!(
            fill_phrasing("turn {on:on|off} the {room} lights{on=true}", &[3]),
            "turn on the the kitchen lights"
        );
        assert_eq!(
            fill_phrasing("no slots {unclosed", &[]),
            "no slots {unclosed"
        );
    }

    #[test]
    fn cases_are_tool_arrays_of_named_objects() {
        let mut runner = TestRunner::deterministic();
        for _ in 0..200 {
            let case = fuzz_case().new_tree(&mut runner).unwrap().current();
            for t in &case.tools {
                assert!(t["name"].is_string(), "{t}");
            }
            thimble_runtime::tools::normalize_tools_value(Value::Array(case.tools.clone()))
                .unwrap();
        }
    }
}
