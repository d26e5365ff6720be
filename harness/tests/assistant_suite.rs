//! The assistant suite generator: catalogue shape, determinism, train/eval disjointness of
//! phrasings and values, held-out tools, schema-valid and copyable answers, kind quotas, bad
//! input, and that the committed `suites/assistant` files are what the generator produces.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use clap::Parser;
use proptest::prelude::*;
use serde_json::Value;
use thimble_harness::assistant::catalogue::{find_tool, tools_conflict, ParamType, TOOLS};
use thimble_harness::assistant::rng::Rng;
use thimble_harness::assistant::templates::{check_no_eval_leak, parse, phrasing_words, Token};
use thimble_harness::assistant::values::{Side, ValueKind};
use thimble_harness::assistant::{
    self, generate_split, parse_seed, parse_splits, write_suite, AssistantError, GenerateOptions,
    Generated, Kind, Split,
};
use thimble_harness::cli::suite::SuiteArgs;

const TRAIN_SAMPLE: usize = 8000;

fn gen(seed: u64, split: Split, n: usize) -> Vec<Generated> {
    generate_split(seed, split, n).expect("generation succeeds")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("thimble-assistant-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn catalogue_has_the_promised_shape() {
    assistant::validate_catalogue().expect("catalogue is consistent");
    let categories: HashSet<&str> = TOOLS.iter().map(|t| t.category).collect();
    assert!(categories.len() >= 15, "{} categories", categories.len());
    let trained: HashSet<&str> = TOOLS
        .iter()
        .filter(|t| !t.heldout)
        .map(|t| t.category)
        .collect();
    assert!(trained.len() >= 15, "{} trained categories", trained.len());
    assert!(TOOLS.len() >= 60, "{} tools", TOOLS.len());
    assert!(TOOLS.iter().filter(|t| t.heldout).count() >= 8);

    let mut names = HashSet::new();
    let mut types = HashSet::new();
    for t in TOOLS {
        assert!(names.insert(t.name), "duplicate tool {}", t.name);
        assert!(
            t.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{} is not snake_case",
            t.name
        );
        assert!(t.phrasings.len() >= 4, "{} has few phrasings", t.name);
        // Trained tools need many sentence shapes, or a small model memorises a handful of
        // templates and fails on the held-out phrasings.
        if !t.heldout {
            assert!(
                t.phrasings.len() >= 14,
                "{} has {} train phrasings, fewer than 14",
                t.name,
                t.phrasings.len()
            );
        }
        assert!(
            !t.eval_phrasings.is_empty(),
            "{} has no eval phrasing",
            t.name
        );
        for p in t.params {
            types.insert(match p.ty {
                ParamType::Str(_) => "string",
                ParamType::Int { .. } => "integer",
                ParamType::Num { .. } => "number",
                ParamType::Bool => "boolean",
                ParamType::Enum(_) => "enum",
                ParamType::StrList { .. } | ParamType::EnumList { .. } => "array",
            });
        }
    }
    for ty in ["string", "integer", "number", "boolean", "enum", "array"] {
        assert!(types.contains(ty), "no {ty} parameter in the catalogue");
    }
    // Phrasings are the unit held out: no eval phrasing may also be a train phrasing anywhere.
    let train: HashSet<&str> = TOOLS
        .iter()
        .flat_map(|t| t.phrasings.iter().copied())
        .collect();
    for t in TOOLS {
        for e in t.eval_phrasings {
            assert!(
                !train.contains(e),
                "eval phrasing {e:?} is also a train phrasing"
            );
        }
    }
    // Nor may a train phrasing be an eval phrasing with only slots, articles or punctuation
    // changed.
    let evals: Vec<&str> = TOOLS
        .iter()
        .flat_map(|t| t.eval_phrasings.iter().copied())
        .collect();
    for t in TOOLS.iter().filter(|t| !t.heldout) {
        check_no_eval_leak(t.phrasings, &evals).unwrap_or_else(|e| panic!("{}: {e}", t.name));
    }
}

#[test]
fn the_eval_leak_check_catches_reworded_eval_phrasings() {
    let evals = ["search my contacts for {name}", "erase my {time} alarm"];
    assert_eq!(
        phrasing_words("^Search the contacts for {who}!"),
        ["search", "contacts", "for"]
    );
    let err = check_no_eval_leak(&["call {contact}", "Erase my {when} alarm."], &evals)
        .expect_err("a reworded eval phrasing is a leak");
    assert!(err.contains("erase my {time} alarm"), "{err}");
    check_no_eval_leak(&["look {name} up in my address book"], &evals)
        .expect("a different sentence is not a leak");
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let a = gen(7, Split::Dev, 500);
    let b = gen(7, Split::Dev, 500);
    let c = gen(8, Split::Dev, 500);
    let lines = |v: &[Generated]| -> Vec<String> {
        v.iter()
            .map(|g| serde_json::to_string(&g.line).unwrap())
            .collect()
    };
    assert_eq!(lines(&a), lines(&b));
    assert_ne!(lines(&a), lines(&c));
    let t1 = gen(3, Split::Train, 300);
    let t2 = gen(3, Split::Train, 300);
    assert_eq!(lines(&t1), lines(&t2));
}

#[test]
fn write_suite_is_reproducible_and_manifest_matches_files() {
    let d1 = temp_dir("repro-a");
    let d2 = temp_dir("repro-b");
    for d in [&d1, &d2] {
        write_suite(&GenerateOptions {
            out: d.clone(),
            seed: 11,
            splits: vec![Split::Train, Split::Dev],
            train_size: 200,
        })
        .expect("write succeeds");
    }
    for f in [
        "train.jsonl",
        "dev.jsonl",
        "catalogue.json",
        "MANIFEST.json",
    ] {
        let a = std::fs::read(d1.join(f)).unwrap();
        let b = std::fs::read(d2.join(f)).unwrap();
        assert_eq!(a, b, "{f} differs between runs");
    }
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(d1.join("MANIFEST.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 11);
    for s in manifest["splits"].as_array().unwrap() {
        let bytes = std::fs::read(d1.join(s["file"].as_str().unwrap())).unwrap();
        assert_eq!(
            s["sha256"].as_str().unwrap(),
            assistant::generate::sha256_hex(&bytes)
        );
        let n = bytes.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(s["examples"].as_u64().unwrap() as usize, n);
    }
    // A split generated alone equals the same split generated next to others.
    let d3 = temp_dir("repro-c");
    write_suite(&GenerateOptions {
        out: d3.clone(),
        seed: 11,
        splits: vec![Split::Dev],
        train_size: 1,
    })
    .unwrap();
    assert_eq!(
        std::fs::read(d1.join("dev.jsonl")).unwrap(),
        std::fs::read(d3.join("dev.jsonl")).unwrap()
    );
    for d in [d1, d2, d3] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn eval_splits_use_only_eval_phrasings_and_train_only_train_phrasings() {
    for g in gen(1, Split::Train, TRAIN_SAMPLE) {
        for p in &g.phrasings {
            assert!(
                !p.eval,
                "train example {} uses eval phrasing {p:?}",
                g.line.id
            );
        }
        if let Some(i) = g.out_of_scope {
            assert_eq!(assistant::values::side_of_index(i), Side::Train);
        }
    }
    for split in [Split::Dev, Split::Test] {
        for g in gen(1, split, split.size(0)) {
            for p in &g.phrasings {
                assert!(p.eval, "{} uses train phrasing {p:?}", g.line.id);
            }
            if let Some(i) = g.out_of_scope {
                assert_eq!(assistant::values::side_of_index(i), Side::Eval);
            }
        }
    }
    // Trained tools in heldout-tools are phrased with their eval phrasings too.
    for g in gen(1, Split::HeldoutTools, 400) {
        for p in &g.phrasings {
            let t = find_tool(p.tool).unwrap();
            assert!(
                t.heldout || p.eval,
                "{} uses train phrasing {p:?}",
                g.line.id
            );
        }
    }
}

#[test]
fn queries_are_unique_and_eval_queries_never_occur_in_train() {
    let train: HashSet<String> = gen(1, Split::Train, TRAIN_SAMPLE)
        .into_iter()
        .map(|g| g.line.query)
        .collect();
    let dev: Vec<String> = gen(1, Split::Dev, 500)
        .into_iter()
        .map(|g| g.line.query)
        .collect();
    let test: Vec<String> = gen(1, Split::Test, 1000)
        .into_iter()
        .map(|g| g.line.query)
        .collect();
    let dev_set: HashSet<&String> = dev.iter().collect();
    let test_set: HashSet<&String> = test.iter().collect();
    assert_eq!(dev_set.len(), dev.len(), "duplicate dev queries");
    assert_eq!(test_set.len(), test.len(), "duplicate test queries");
    assert!(dev_set.is_disjoint(&test_set), "dev and test share a query");
    for q in dev.iter().chain(&test) {
        assert!(!train.contains(q), "eval query also in train: {q}");
    }
}

/// Every generated value on one side is never generated on the other, for every kind.
#[test]
fn value_pools_are_disjoint_between_train_and_eval() {
    let mut all_train: HashSet<String> = HashSet::new();
    let mut all_eval: HashSet<String> = HashSet::new();
    for &kind in ValueKind::ALL {
        let mut rng = Rng::new(5, &format!("{kind:?}"));
        for _ in 0..1500 {
            all_train.insert(kind.generate(Side::Train, &mut rng));
            all_eval.insert(kind.generate(Side::Eval, &mut rng));
        }
    }
    let both: Vec<&String> = all_train.intersection(&all_eval).collect();
    assert!(both.is_empty(), "values on both sides: {both:?}");
}

fn string_and_number_leaves(gs: &[Generated]) -> HashSet<String> {
    let mut out = HashSet::new();
    for g in gs {
        for call in &g.line.answers {
            let tool = find_tool(&call.name).unwrap();
            for (k, v) in &call.arguments {
                let p = tool.param(k).unwrap();
                match (&p.ty, v) {
                    (ParamType::Str(_), Value::String(s)) => {
                        out.insert(format!("s:{s}"));
                    }
                    (ParamType::StrList { .. }, Value::Array(items)) => {
                        for i in items {
                            out.insert(format!("s:{}", i.as_str().unwrap()));
                        }
                    }
                    (ParamType::Int { .. } | ParamType::Num { .. }, n) => {
                        out.insert(format!("n:{n}"));
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

#[test]
fn answer_values_of_eval_splits_never_appear_in_train() {
    let train = string_and_number_leaves(&gen(1, Split::Train, TRAIN_SAMPLE));
    for split in [Split::Dev, Split::Test, Split::HeldoutTools] {
        let eval = string_and_number_leaves(&gen(1, split, split.size(0)));
        let both: Vec<&String> = eval.intersection(&train).collect();
        assert!(both.is_empty(), "{split} values also in train: {both:?}");
    }
}

#[test]
fn heldout_tools_never_appear_in_train() {
    let heldout: HashSet<&str> = TOOLS.iter().filter(|t| t.heldout).map(|t| t.name).collect();
    for g in gen(1, Split::Train, TRAIN_SAMPLE)
        .iter()
        .chain(&gen(1, Split::Dev, 500))
        .chain(&gen(1, Split::Test, 1000))
    {
        for t in &g.line.tools {
            assert!(
                !heldout.contains(t["name"].as_str().unwrap()),
                "{}",
                g.line.id
            );
        }
        for p in &g.phrasings {
            assert!(!heldout.contains(p.tool), "{}", g.line.id);
        }
    }
    // Every heldout-tools example shows at least one held-out tool; every call-bearing one
    // calls one.
    let mut seen = HashSet::new();
    for g in gen(1, Split::HeldoutTools, 400) {
        let offered: Vec<&str> = g
            .line
            .tools
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert!(offered.iter().any(|n| heldout.contains(n)), "{}", g.line.id);
        if !g.line.answers.is_empty() {
            assert!(
                g.line
                    .answers
                    .iter()
                    .any(|c| heldout.contains(c.name.as_str())),
                "{}",
                g.line.id
            );
        }
        for c in &g.line.answers {
            seen.insert(c.name.clone());
        }
    }
    for h in &heldout {
        assert!(
            seen.contains(*h),
            "held-out tool {h} never called in heldout-tools"
        );
    }
}

/// Checks `v` against one JSON Schema property document.
fn check_schema(schema: &Value, v: &Value) -> Result<(), String> {
    let ty = schema["type"].as_str().ok_or("schema without type")?;
    let ok = match ty {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        other => return Err(format!("unexpected schema type {other}")),
    };
    if !ok {
        return Err(format!("{v} is not {ty}"));
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(v) {
            return Err(format!("{v} not in enum {allowed:?}"));
        }
    }
    if let (Some(min), Some(x)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if x < min {
            return Err(format!("{v} below minimum {min}"));
        }
    }
    if let (Some(max), Some(x)) = (schema.get("maximum").and_then(Value::as_f64), v.as_f64()) {
        if x > max {
            return Err(format!("{v} above maximum {max}"));
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        if arr.is_empty() {
            return Err("empty array".into());
        }
        for i in arr {
            check_schema(items, i)?;
        }
    }
    Ok(())
}

fn check_example(g: &Generated) -> Result<(), String> {
    let line = &g.line;
    for call in &line.answers {
        let doc = line
            .tools
            .iter()
            .find(|t| t["name"] == call.name.as_str())
            .ok_or_else(|| format!("answer {} not among offered tools", call.name))?;
        let params = &doc["parameters"];
        let props = params["properties"].as_object().unwrap();
        for req in params["required"].as_array().unwrap() {
            if !call.arguments.contains_key(req.as_str().unwrap()) {
                return Err(format!("{} lacks required {req}", call.name));
            }
        }
        for (k, v) in &call.arguments {
            let schema = props
                .get(k)
                .ok_or_else(|| format!("{} has unknown argument {k}", call.name))?;
            check_schema(schema, v).map_err(|e| format!("{}.{k}: {e}", call.name))?;
        }
    }
    Ok(())
}

#[test]
fn every_answer_validates_against_its_tool_schema() {
    for split in Split::ALL {
        let n = if split == Split::Train {
            TRAIN_SAMPLE
        } else {
            split.size(0)
        };
        for g in gen(1, split, n) {
            if let Err(e) = check_example(&g) {
                panic!("{}: {e}\n{}", g.line.id, g.line.query);
            }
        }
    }
}

/// Whether `v` of parameter `p` is visible in `query` (booleans are implied, not copied).
fn copied(query: &str, p: &ParamType, v: &Value) -> Result<(), String> {
    let lower = query.to_lowercase();
    let enum_seen = |spec: &assistant::catalogue::EnumSpec, v: &Value| -> Result<(), String> {
        let s = v.as_str().ok_or("enum value not a string")?;
        let i = spec
            .values
            .iter()
            .position(|x| *x == s)
            .ok_or_else(|| format!("{s} not an enum value"))?;
        if spec
            .spellings(i)
            .iter()
            .any(|sp| lower.contains(&sp.to_lowercase()))
        {
            Ok(())
        } else {
            Err(format!("enum value {s} not spelled in the query"))
        }
    };
    match p {
        ParamType::Str(_) => {
            let s = v.as_str().ok_or("not a string")?;
            if query.contains(s) {
                Ok(())
            } else {
                Err(format!("{s:?} not copied from the query"))
            }
        }
        ParamType::Int { .. } | ParamType::Num { .. } => {
            let text = v.to_string();
            if query.contains(&text) {
                Ok(())
            } else {
                Err(format!("number {text} not written in the query"))
            }
        }
        ParamType::Bool => Ok(()),
        ParamType::Enum(spec) => enum_seen(spec, v),
        ParamType::StrList { .. } => {
            for i in v.as_array().ok_or("not an array")? {
                let s = i.as_str().ok_or("item not a string")?;
                if !query.contains(s) {
                    return Err(format!("list item {s:?} not copied"));
                }
            }
            Ok(())
        }
        ParamType::EnumList { spec, .. } => {
            for i in v.as_array().ok_or("not an array")? {
                enum_seen(spec, i)?;
            }
            Ok(())
        }
    }
}

fn check_copies(g: &Generated) -> Result<(), String> {
    for call in &g.line.answers {
        let tool = find_tool(&call.name).ok_or("unknown tool")?;
        for (k, v) in &call.arguments {
            let p = tool.param(k).ok_or("unknown parameter")?;
            copied(&g.line.query, &p.ty, v).map_err(|e| format!("{}.{k}: {e}", call.name))?;
        }
    }
    Ok(())
}

#[test]
fn every_copied_value_appears_in_the_query() {
    for split in Split::ALL {
        let n = if split == Split::Train {
            TRAIN_SAMPLE
        } else {
            split.size(0)
        };
        for g in gen(1, split, n) {
            if let Err(e) = check_copies(&g) {
                panic!("{}: {e}\n{}", g.line.id, g.line.query);
            }
            let q = &g.line.query;
            assert!(
                !q.contains(['{', '}', '<', '>']) && !q.starts_with('^'),
                "template residue in {}: {q}",
                g.line.id
            );
            assert_eq!(q.trim(), q, "{}", g.line.id);
        }
    }
}

#[test]
fn kinds_follow_quotas_and_their_shapes() {
    for split in Split::ALL {
        let n = if split == Split::Train {
            2000
        } else {
            split.size(0)
        };
        let gs = gen(1, split, n);
        assert_eq!(gs.len(), n);
        let mut counts: BTreeMap<Kind, usize> = BTreeMap::new();
        for (i, g) in gs.iter().enumerate() {
            assert_eq!(g.line.id, format!("{}-{:05}", split.name(), i + 1));
            *counts.entry(g.line.kind).or_default() += 1;
            let offered: Vec<&str> = g
                .line
                .tools
                .iter()
                .map(|t| t["name"].as_str().unwrap())
                .collect();
            let unique: HashSet<&&str> = offered.iter().collect();
            assert_eq!(
                unique.len(),
                offered.len(),
                "{} offers a tool twice",
                g.line.id
            );
            let answers = &g.line.answers;
            match g.line.kind {
                Kind::Single => {
                    assert_eq!(offered.len(), 1, "{}", g.line.id);
                    assert_eq!(answers.len(), 1, "{}", g.line.id);
                }
                Kind::Distractors => {
                    assert!((2..=9).contains(&offered.len()), "{}", g.line.id);
                    assert_eq!(answers.len(), 1, "{}", g.line.id);
                }
                Kind::Parallel => {
                    assert!((2..=3).contains(&answers.len()), "{}", g.line.id);
                }
                Kind::NoCall => {
                    assert!(answers.is_empty(), "{}", g.line.id);
                    assert!((1..=5).contains(&offered.len()), "{}", g.line.id);
                    // The request's own tool, and anything that could serve it, is not offered.
                    if let Some(p) = g.phrasings.first() {
                        let asked = find_tool(p.tool).unwrap();
                        for o in &offered {
                            let o = find_tool(o).unwrap();
                            assert!(!tools_conflict(asked, o), "{}: {}", g.line.id, o.name);
                        }
                    } else {
                        assert!(g.out_of_scope.is_some(), "{}", g.line.id);
                        assert_eq!(g.line.category, "out_of_scope");
                    }
                }
            }
            if let Some(first) = answers.first() {
                assert_eq!(
                    g.line.category,
                    find_tool(&first.name).unwrap().category,
                    "{}",
                    g.line.id
                );
            }
        }
        for (kind, want) in Kind::quotas(n) {
            assert_eq!(
                counts.get(&kind).copied().unwrap_or(0),
                want,
                "{split} {kind}"
            );
        }
    }
    assert_eq!(Kind::quotas(1000).map(|(_, n)| n), [300, 350, 200, 150]);
    assert_eq!(Kind::quotas(7).iter().map(|(_, n)| n).sum::<usize>(), 7);
}

#[test]
fn jsonl_lines_have_the_needle2_shape() {
    let g = &gen(1, Split::Dev, 20)[0];
    let v: Value = serde_json::from_str(&serde_json::to_string(&g.line).unwrap()).unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["id", "category", "kind", "query", "tools", "answers"]
    );
    let tool = &v["tools"][0];
    assert!(tool["name"].is_string() && tool["description"].is_string());
    assert_eq!(tool["parameters"]["type"], "object");
    assert!(tool["parameters"]["properties"].is_object());
    assert!(tool["parameters"]["required"].is_array());
    for a in v["answers"].as_array().unwrap() {
        assert!(a["name"].is_string() && a["arguments"].is_object());
    }
}

/// Where a value is followed by literal text, the value never contains that text's first word,
/// so the span to copy is unambiguous; values that can sit before a parallel joiner never
/// contain the joiners' words.
#[test]
fn value_boundaries_are_unambiguous() {
    let mut rng = Rng::new(9, "boundaries");
    let sample = |kind: ValueKind, rng: &mut Rng| -> Vec<String> {
        (0..400)
            .flat_map(|i| {
                let side = if i % 2 == 0 { Side::Train } else { Side::Eval };
                [kind.generate(side, rng)]
            })
            .collect()
    };
    let has_word = |v: &str, w: &str| v.split([' ', ',']).any(|x| x.eq_ignore_ascii_case(w));
    for &kind in ValueKind::ALL {
        if kind.is_open_ended() {
            continue;
        }
        for v in sample(kind, &mut rng) {
            for w in ["and", "then", "also"] {
                assert!(
                    !has_word(&v, w),
                    "{kind:?} value {v:?} contains joiner word {w:?}"
                );
            }
            assert!(!v.contains([',', ';', '"', '?']), "{kind:?} value {v:?}");
            assert!(!v.ends_with('.'), "{kind:?} value {v:?}");
        }
    }
    // Every clash is reported at once, so a catalogue edit is fixed in one round.
    let mut clashes: Vec<String> = Vec::new();
    for t in TOOLS {
        for template in t.phrasings.iter().chain(t.eval_phrasings) {
            let parsed = parse(template).unwrap();
            for pair in parsed.tokens.windows(2) {
                let (Token::Slot { param, .. }, Token::Lit(next)) = (&pair[0], &pair[1]) else {
                    continue;
                };
                let kind = match t.param(param).unwrap().ty {
                    ParamType::Str(k) | ParamType::StrList { kind: k, .. } => k,
                    _ => continue,
                };
                let trimmed = next.trim_start();
                let word: String = if next.starts_with(' ') {
                    trimmed
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '\'')
                        .collect()
                } else {
                    trimmed.chars().take(1).collect()
                };
                if word.is_empty() {
                    continue;
                }
                let clash = sample(kind, &mut rng).into_iter().find(|v| {
                    if next.starts_with(' ') {
                        has_word(v, &word)
                    } else {
                        v.contains(word.as_str())
                    }
                });
                if let Some(v) = clash {
                    clashes.push(format!(
                        "{}: value {v:?} of {param} contains {word:?}, which follows it in {template:?}",
                        t.name
                    ));
                }
            }
        }
    }
    assert!(clashes.is_empty(), "{}", clashes.join("\n"));
}

#[test]
fn bad_seeds_are_clear_errors() {
    assert_eq!(parse_seed("0").unwrap(), 0);
    assert_eq!(parse_seed("42").unwrap(), 42);
    assert_eq!(parse_seed(&u64::MAX.to_string()).unwrap(), u64::MAX);
    for bad in [
        "-1",
        "abc",
        "1.5",
        "",
        " ",
        "+3",
        "0x10",
        "1e3",
        "18446744073709551616",
    ] {
        let e = parse_seed(bad).unwrap_err();
        assert!(matches!(e, AssistantError::InvalidSeed(_)), "{bad}");
        assert!(e.to_string().contains("non-negative integer"), "{bad}: {e}");
    }
}

#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    suite: SuiteArgs,
}

#[test]
fn the_cli_rejects_bad_arguments_with_clear_messages() {
    let ok = Cli::try_parse_from([
        "t", "generate", "--out", "x", "--seed", "3", "--splits", "dev,test",
    ]);
    assert!(ok.is_ok(), "{ok:?}");
    let err = |args: &[&str]| -> String {
        let mut full = vec!["t", "generate"];
        full.extend_from_slice(args);
        Cli::try_parse_from(full).unwrap_err().to_string()
    };
    let e = err(&["--out", "x", "--seed", "-5"]);
    assert!(e.contains("non-negative integer"), "{e}");
    let e = err(&["--out", "x", "--seed", "one"]);
    assert!(
        e.contains("non-negative integer") && e.contains("one"),
        "{e}"
    );
    let e = err(&["--out", "x", "--seed", "1", "--splits", "dev,validation"]);
    assert!(
        e.contains("validation") && e.contains("heldout-tools"),
        "{e}"
    );
    let e = err(&["--out", "x", "--seed", "1", "--train-size", "many"]);
    assert!(e.contains("many"), "{e}");
}

#[test]
fn bad_splits_and_sizes_are_clear_errors() {
    assert_eq!(
        parse_splits("dev, test,dev").unwrap(),
        vec![Split::Dev, Split::Test]
    );
    let e = parse_splits("train,bogus").unwrap_err().to_string();
    assert!(e.contains("bogus"), "{e}");
    assert!(matches!(parse_splits(" , "), Err(AssistantError::NoSplits)));
    let dir = temp_dir("size");
    let e = write_suite(&GenerateOptions {
        out: dir.clone(),
        seed: 1,
        splits: vec![Split::Train],
        train_size: 0,
    })
    .unwrap_err();
    assert!(matches!(e, AssistantError::TrainSize { got: 0, .. }), "{e}");
    assert!(!dir.exists(), "nothing is written on bad input");
}

#[test]
fn unwritable_output_directory_names_the_path() {
    // A path below a regular file cannot be created even by root.
    let base = temp_dir("unwritable");
    std::fs::create_dir_all(&base).unwrap();
    let file = base.join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let out = file.join("suite");
    let e = write_suite(&GenerateOptions {
        out: out.clone(),
        seed: 1,
        splits: vec![Split::Dev],
        train_size: 1,
    })
    .unwrap_err();
    let msg = format!("{:#}", anyhow::Error::from(e));
    assert!(msg.contains(&out.display().to_string()), "{msg}");

    let e = write_suite(&GenerateOptions {
        out: file.clone(),
        seed: 1,
        splits: vec![Split::Dev],
        train_size: 1,
    })
    .unwrap_err();
    assert!(matches!(e, AssistantError::NotADirectory(_)), "{e}");
    assert!(e.to_string().contains(&file.display().to_string()), "{e}");
    let _ = std::fs::remove_dir_all(base);
}

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../suites/assistant")
}

/// The committed eval files are exactly what `thimble suite generate --seed 1` writes.
#[test]
fn committed_suite_matches_the_generator() {
    let committed = committed_dir();
    let out = temp_dir("committed");
    write_suite(&GenerateOptions {
        out: out.clone(),
        seed: 1,
        splits: vec![Split::Dev, Split::Test, Split::HeldoutTools],
        train_size: 1,
    })
    .unwrap();
    for f in [
        "dev.jsonl",
        "test.jsonl",
        "heldout-tools.jsonl",
        "catalogue.json",
        "MANIFEST.json",
    ] {
        let want = std::fs::read(out.join(f)).unwrap();
        let got = std::fs::read(committed.join(f))
            .unwrap_or_else(|e| panic!("reading committed {f}: {e}"));
        assert!(
            want == got,
            "suites/assistant/{f} is stale; regenerate it (see suites/assistant/README.md)"
        );
    }
    assert!(committed.join("README.md").exists());
    let _ = std::fs::remove_dir_all(out);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Any seed gives valid, copyable answers in every split.
    #[test]
    fn any_seed_gives_valid_examples(seed in any::<u64>()) {
        for split in Split::ALL {
            for g in generate_split(seed, split, 120).unwrap() {
                prop_assert!(check_example(&g).is_ok(), "{:?}", check_example(&g));
                prop_assert!(check_copies(&g).is_ok(), "{:?}", check_copies(&g));
            }
        }
    }
}
