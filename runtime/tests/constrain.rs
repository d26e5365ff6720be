//! Constrained decoding end to end: the fast mask against its scalar twin on random grammar
//! states, random-weight models whose every `schema` output validates against its tools,
//! `off` identical to plain greedy, and the trained fixture under `schema`.
//!
//! `cargo test -p thimble-runtime --test constrain`

use std::path::PathBuf;
use std::sync::OnceLock;

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};
use thimble_runtime::config::Config;
use thimble_runtime::constrain::{Constrain, Grammar, Masker, VocabIndex};
use thimble_runtime::generate::{
    build_prompt, generate_normalized, generate_normalized_with, greedy, greedy_constrained,
    GenerateOptions, TOOL_CALL,
};
use thimble_runtime::source::{self, Loaded};
use thimble_runtime::tokenizer::Tokenizer;
use thimble_runtime::tools::{normalize_tools_value, ToolsPrompt};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tokenizer_path() -> PathBuf {
    root().join("fixtures/needle-tiny/tokenizer.model")
}

/// The trained fixture model, loaded once.
fn fixture() -> &'static Loaded {
    static M: OnceLock<Loaded> = OnceLock::new();
    M.get_or_init(|| {
        let backend = thimble_runtime::backend_by_name("gemm", 1).unwrap();
        source::load(
            root().join("fixtures/needle-tiny").to_str().unwrap(),
            backend,
            None,
        )
        .unwrap()
    })
}

/// A random-weights model with the fixture's tokenizer.
fn synthetic(seed: u64) -> Loaded {
    let backend = thimble_runtime::backend_by_name("gemm", 1).unwrap();
    source::load(
        &format!("synthetic:needle1-micro:seed={seed}"),
        backend,
        Some(&tokenizer_path()),
    )
    .unwrap()
}

fn vocab_of(l: &Loaded) -> VocabIndex {
    VocabIndex::new(l.tokenizer.as_ref().unwrap(), l.model.config())
}

fn fixture_vocab() -> &'static VocabIndex {
    static V: OnceLock<VocabIndex> = OnceLock::new();
    V.get_or_init(|| vocab_of(fixture()))
}

fn synthetic_vocab() -> &'static VocabIndex {
    static V: OnceLock<VocabIndex> = OnceLock::new();
    V.get_or_init(|| vocab_of(&synthetic(0)))
}

// ---------------------------------------------------------------------------------------------
// A small JSON Schema validator with the grammar's semantics: declared keys only, `required`,
// types (integer = no fraction or exponent in the text), `enum`, `items`, untyped = anything.

fn validate(v: &Value, s: &Value, path: &str) -> Result<(), String> {
    let fail = |why: &str| Err(format!("{path}: {why} ({v})"));
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        return if e.contains(v) {
            Ok(())
        } else {
            fail("not one of the enum values")
        };
    }
    let types: Vec<&str> = match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(l)) => l.iter().filter_map(Value::as_str).collect(),
        _ if s.get("properties").is_some() => vec!["object"],
        _ => return Ok(()),
    };
    let ok_type = types.iter().any(|t| match *t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    });
    if !ok_type {
        return fail(&format!("not of type {types:?}"));
    }
    if let (Value::Array(items), Some(item)) = (v, s.get("items")) {
        for (i, x) in items.iter().enumerate() {
            validate(x, item, &format!("{path}[{i}]"))?;
        }
    }
    if let Value::Object(m) = v {
        validate_object(m, s, path)?;
    }
    Ok(())
}

fn validate_object(m: &Map<String, Value>, s: &Value, path: &str) -> Result<(), String> {
    let Some(props) = s.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    for (k, x) in m {
        let sub = props
            .get(k)
            .ok_or_else(|| format!("{path}: undeclared key `{k}`"))?;
        validate(x, sub, &format!("{path}.{k}"))?;
    }
    for r in s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let r = r.as_str().unwrap();
        if !m.contains_key(r) {
            return Err(format!("{path}: required key `{r}` missing"));
        }
    }
    Ok(())
}

/// The answer text after `<tool_call>`, parsed.
fn parse_answer(raw: &str) -> Result<Vec<Value>, String> {
    let body = raw.trim();
    let body = body.strip_prefix(TOOL_CALL).unwrap_or(body).trim();
    let v: Value = serde_json::from_str(body).map_err(|e| format!("{e}: {raw}"))?;
    match v {
        Value::Array(calls) => Ok(calls),
        _ => Err(format!("not a list: {raw}")),
    }
}

/// Checks every call against the normalized tools; `schema` also checks values and required.
fn check_calls(calls: &[Value], tools: &ToolsPrompt, schema: bool) -> Result<(), String> {
    let docs: Value = serde_json::from_str(&tools.text).unwrap();
    for c in calls {
        let obj = c.as_object().ok_or("call is not an object")?;
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        if keys != ["name", "arguments"] {
            return Err(format!("call keys {keys:?}"));
        }
        let name = obj["name"].as_str().ok_or("name is not a string")?;
        let tool = docs
            .as_array()
            .unwrap()
            .iter()
            .rfind(|t| t["name"] == name)
            .ok_or_else(|| format!("undeclared tool `{name}`"))?;
        let args = obj["arguments"]
            .as_object()
            .ok_or("arguments not an object")?;
        let params = &tool["parameters"];
        if schema {
            validate_object(args, params, name)?;
        } else {
            let props = params["properties"].as_object().unwrap();
            if let Some(k) = args.keys().find(|k| !props.contains_key(*k)) {
                return Err(format!("{name}: undeclared key `{k}`"));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Random tool lists: every representable type, nested objects and arrays, escapes in keys.

const KEYS: &[&str] = &[
    "city", "days", "unit", "q", "name", "count", "tags", "on", "café", "a\"b", "x_y", "zoom",
];
const NAMES: &[&str] = &[
    "getWeather",
    "set_alarm",
    "search.web",
    "send message",
    "HTTPGet",
    "toggle",
];
const QUERIES: &[&str] = &[
    "What's the weather in Paris for 3 days?",
    "Wake me at 7",
    "Search for cheap flights to Tokyo and send Ann a message",
    "Turn the kitchen lights on",
    "",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "string", "description": "text"})),
        Just(json!({"type": "integer"})),
        Just(json!({"type": "number", "minimum": 0})),
        Just(json!({"type": "boolean"})),
        Just(json!({"description": "untyped"})),
        Just(json!({"type": ["string", "null"]})),
        Just(json!({"enum": ["celsius", "fahrenheit", "kelvin"]})),
        Just(json!({"enum": [1, 2, 10, 20]})),
        Just(json!({"enum": ["a", 1, true, null]})),
    ]
}

fn object_of(inner: BoxedStrategy<Value>, max_props: usize) -> BoxedStrategy<Value> {
    prop::collection::vec((0..KEYS.len(), inner, any::<bool>()), 0..=max_props)
        .prop_map(|props| {
            let mut p = Map::new();
            let mut req = Vec::new();
            for (k, s, r) in props {
                let k = KEYS[k];
                if p.insert(k.to_string(), s).is_none() && r {
                    req.push(k);
                }
            }
            json!({"type": "object", "properties": p, "required": req})
        })
        .boxed()
}

fn schema() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(2, 12, 3, |inner| {
            prop_oneof![
                inner
                    .clone()
                    .prop_map(|s| json!({"type": "array", "items": s})),
                object_of(inner, 3),
            ]
        })
        .boxed()
}

fn tools() -> impl Strategy<Value = Value> {
    prop::collection::vec((0..NAMES.len(), object_of(schema(), 4)), 0..4).prop_map(|ts| {
        Value::Array(
            ts.into_iter()
                .enumerate()
                .map(|(i, (n, params))| {
                    json!({"name": format!("{}{i}", NAMES[n]), "description": "a tool", "parameters": params})
                })
                .collect(),
        )
    })
}

// ---------------------------------------------------------------------------------------------

/// Walks random paths through the grammar, comparing the trie walk with the per-piece
/// reference at every state on the way.
fn mask_matches_reference_on_walk(tools: &Value, mode: Constrain, rng: &mut ChaCha8Rng) {
    let t = normalize_tools_value(tools.clone()).unwrap();
    let g = Grammar::compile(&t, mode).unwrap();
    let v = fixture_vocab();
    let mut m = Masker::new(v, &g);
    for step in 0..60 {
        let fast = m.compute().to_vec();
        let slow = m.reference();
        assert_eq!(fast, slow, "step {step}, tools {tools}");
        let allowed = m.allowed();
        // Every reachable state can continue: the grammar has no dead ends.
        assert!(
            !allowed.is_empty(),
            "dead end at step {step}, tools {tools}"
        );
        // Half the time prefer pieces with JSON punctuation, so walks leave strings and reach
        // keys, numbers and nested values instead of staying in the first string.
        let structural: Vec<u32> = allowed
            .iter()
            .copied()
            .filter(|&id| {
                v.bytes(id)
                    .is_some_and(|b| b.iter().any(|c| b"\"]},:0123456789".contains(c)))
            })
            .collect();
        // Early on, prefer opening a call over `[]`, which ends the walk at once.
        let opening: Vec<u32> = allowed
            .iter()
            .copied()
            .filter(|&id| v.bytes(id).is_some_and(|b| b.contains(&b'{')))
            .collect();
        let pool = if step < 3 && !opening.is_empty() && rng.random_bool(0.8) {
            &opening
        } else if !structural.is_empty() && rng.random_bool(0.5) {
            &structural
        } else {
            &allowed
        };
        let id = pool[rng.random_range(0..pool.len())];
        m.advance(id).unwrap();
        if m.is_complete() {
            break;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn mask_equals_scalar_twin(tools in tools(), schema_mode in any::<bool>(), seed in any::<u64>()) {
        let mode = if schema_mode { Constrain::Schema } else { Constrain::Names };
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        mask_matches_reference_on_walk(&tools, mode, &mut rng);
    }

    #[test]
    fn random_model_outputs_follow_the_tools(tools in tools(), q in 0..QUERIES.len(), seed in 0..1000u64) {
        let l = synthetic(seed);
        let t = normalize_tools_value(tools.clone()).unwrap();
        for mode in [Constrain::Schema, Constrain::Names] {
            check_random_generation(&l, &t, QUERIES[q], mode, 96).map_err(TestCaseError::fail)?;
        }
    }
}

/// One constrained generation: a complete answer parses and follows the tools; an unfinished
/// one (out of tokens) is a valid prefix. Returns whether it completed with at least one call.
fn check_random_generation(
    l: &Loaded,
    t: &ToolsPrompt,
    query: &str,
    mode: Constrain,
    max_new: usize,
) -> Result<bool, String> {
    let tok = l.tokenizer.as_ref().unwrap();
    let opts = GenerateOptions {
        max_new: Some(max_new),
        constrain: mode,
        vocab: Some(synthetic_vocab()),
    };
    let g = generate_normalized_with(&l.model, tok, query, t, &opts).unwrap();
    let report = g.constrain.as_ref().unwrap();
    if g.greedy.tokens[0] != l.model.config().tool_call_id {
        return Err(format!("{mode}: first token {}", g.greedy.tokens[0]));
    }
    let body = g.raw_text.strip_prefix(TOOL_CALL).unwrap();
    let grammar = Grammar::compile(t, mode).unwrap();
    if !report.complete {
        // A cut can split a multi-byte character between byte pieces; the decoded text then
        // ends in U+FFFD, which stands for bytes the grammar never saw: check what precedes it.
        let body = body.trim_end_matches('\u{FFFD}');
        if g.generated_tokens() != max_new || !grammar.accepts_prefix(body.as_bytes()) {
            return Err(format!(
                "{mode}: unfinished, not a valid prefix: {}",
                g.raw_text
            ));
        }
        return Ok(false);
    }
    if !grammar.accepts(body.as_bytes()) {
        return Err(format!(
            "{mode}: grammar rejects its own output: {}",
            g.raw_text
        ));
    }
    let calls = parse_answer(&g.raw_text)?;
    check_calls(&calls, t, mode == Constrain::Schema)
        .map_err(|e| format!("{mode}: {e}: {}", g.raw_text))?;
    if g.calls.is_err() {
        return Err(format!("{mode}: parse_calls failed: {}", g.raw_text));
    }
    Ok(!calls.is_empty())
}

/// The property above is not vacuous: over a few seeds, random models do write complete,
/// non-empty call lists with strings, numbers, enums and arrays in them.
#[test]
fn random_models_write_complete_calls() {
    let tools = json!([
        {"name": "get_weather", "parameters": {"type": "object", "properties": {
            "city": {"type": "string"}, "days": {"type": "integer"},
            "unit": {"enum": ["c", "f"]}}, "required": ["city", "unit"]}},
        {"name": "set_alarm", "parameters": {"type": "object", "properties": {
            "time": {"type": "string"}, "repeat": {"type": "array", "items": {"type": "boolean"}}},
            "required": ["time"]}}
    ]);
    let t = normalize_tools_value(tools).unwrap();
    let mut with_calls = 0;
    for seed in 0..12 {
        let l = synthetic(seed);
        for mode in [Constrain::Schema, Constrain::Names] {
            if check_random_generation(&l, &t, QUERIES[seed as usize % QUERIES.len()], mode, 128)
                .unwrap()
            {
                with_calls += 1;
            }
        }
    }
    assert!(
        with_calls >= 4,
        "only {with_calls}/24 complete non-empty answers"
    );
}

fn assistant_examples(n: usize) -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(root().join("suites/assistant/test.jsonl")).unwrap();
    text.lines()
        .take(n)
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["query"].as_str().unwrap().to_string(), v["tools"].clone())
        })
        .collect()
}

/// `off` is the unconstrained greedy path, token for token: the JAX golden tokens of the
/// fixture, and the same tokens through every entry point.
#[test]
fn off_is_plain_greedy() {
    let l = fixture();
    let tok = l.tokenizer.as_ref().unwrap();
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/needle-tiny/golden.json")).unwrap(),
    )
    .unwrap();
    for case in golden["greedy"].as_array().unwrap().iter().take(4) {
        let ids: Vec<u32> = case["encoder_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as u32)
            .collect();
        let want: Vec<u32> = case["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as u32)
            .collect();
        let got = greedy(
            &l.model,
            &ids,
            case["max_new_tokens"].as_u64().unwrap() as usize,
        );
        assert_eq!(got.unwrap().tokens, want, "{}", case["id"]);
    }
    for (query, tools) in assistant_examples(4) {
        let t = normalize_tools_value(tools).unwrap();
        let a = generate_normalized(&l.model, tok, &query, &t, Some(64)).unwrap();
        let opts = GenerateOptions {
            max_new: Some(64),
            ..GenerateOptions::default()
        };
        let b = generate_normalized_with(&l.model, tok, &query, &t, &opts).unwrap();
        let prompt = build_prompt(&l.model, tok, &query, &t.text);
        let c = greedy(&l.model, &prompt.ids, 64).unwrap();
        assert_eq!(a.greedy.tokens, b.greedy.tokens);
        assert_eq!(a.greedy.tokens, c.tokens);
        assert_eq!(a.raw_text, b.raw_text);
        assert!(a.constrain.is_none() && b.constrain.is_none());
    }
}

/// The trained fixture under `schema`: every answer finishes and validates, and where the
/// unconstrained answer was already valid the constrained one is the same tokens (the mask
/// never overrides an allowed argmax).
#[test]
fn fixture_model_under_schema() {
    let l = fixture();
    let tok = l.tokenizer.as_ref().unwrap();
    for (query, tools) in assistant_examples(8) {
        let t = normalize_tools_value(tools).unwrap();
        let off = generate_normalized(&l.model, tok, &query, &t, Some(96)).unwrap();
        let opts = GenerateOptions {
            max_new: Some(96),
            constrain: Constrain::Schema,
            vocab: Some(fixture_vocab()),
        };
        let on = generate_normalized_with(&l.model, tok, &query, &t, &opts).unwrap();
        let report = on.constrain.as_ref().unwrap();
        assert!(report.complete, "{query}: {}", on.raw_text);
        assert_eq!(report.mask_us.len(), on.generated_tokens());
        let calls = parse_answer(&on.raw_text).unwrap();
        check_calls(&calls, &t, true).unwrap_or_else(|e| panic!("{query}: {e}"));
        let grammar = Grammar::compile(&t, Constrain::Schema).unwrap();
        let off_body = off.raw_text.strip_prefix(TOOL_CALL).unwrap_or("");
        if off.greedy.tokens.first() == Some(&l.model.config().tool_call_id)
            && grammar.accepts(off_body.as_bytes())
        {
            assert_eq!(off.greedy.tokens, on.greedy.tokens, "{query}");
        }
    }
}

/// Greedy with a masker that has nothing to offer fails with a message instead of panicking;
/// running out of tokens is not an error.
#[test]
fn guards() {
    let l = fixture();
    let cfg: &Config = l.model.config();
    let t = normalize_tools_value(json!([{"name": "f", "parameters": {"type": "object",
        "properties": {"s": {"type": "string"}}, "required": ["s"]}}]))
    .unwrap();
    let g = Grammar::compile(&t, Constrain::Schema).unwrap();
    let tok: &Tokenizer = l.tokenizer.as_ref().unwrap();
    let prompt = build_prompt(&l.model, tok, "hello", &t.text);
    // A vocabulary with no `[` anywhere.
    let pieces: Vec<Option<Vec<u8>>> = VocabIndex::piece_bytes(tok, cfg)
        .into_iter()
        .map(|p| p.filter(|b| !b.contains(&b'[')))
        .collect();
    let crippled = VocabIndex::from_pieces(pieces, cfg.vocab_size, cfg.eos_id, cfg.tool_call_id);
    let mut m = Masker::new(&crippled, &g);
    let e = greedy_constrained(&l.model, &prompt.ids, 8, &mut m)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no token is allowed"), "{e}");
    let mut m = Masker::new(fixture_vocab(), &g);
    // Two tokens cannot hold `<tool_call>`, a list and EOS.
    let out = greedy_constrained(&l.model, &prompt.ids, 2, &mut m).unwrap();
    assert_eq!(out.tokens.len(), 2);
    assert!(!m.is_complete());
    assert!(g.accepts_prefix(tok.decode(&out.tokens[1..]).as_bytes()));
}
