//! Robustness properties: every loader, dialect conversion, decoder and scorer returns (an
//! answer or an error) on arbitrary input instead of panicking — arbitrary bytes, arbitrary
//! strings, arbitrary JSON values, and the fuzz strategies' generated tool lists, which reach
//! corners plain random JSON rarely does (unicode and dotted names, keyword-named keys,
//! `$ref` cycles, type lists).
//!
//! `cargo test -p thimble-harness --test never_panics`

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use thimble_harness::bfcl::category::CATEGORIES;
use thimble_harness::bfcl::load::load_files;
use thimble_harness::bfcl::{check, score_output, NameMapping, OutputFormat, ScoreOptions};
use thimble_harness::call::Call;
use thimble_harness::decode;
use thimble_harness::dialect::{convert_tools, render_tools_needle};
use thimble_harness::fuzz::jsontext;
use thimble_harness::fuzz::strategy;
use thimble_harness::fuzz::validate::{check_output, unrepresentable, Level};
use thimble_harness::metrics::needle::{score, NeedleMetrics};
use thimble_harness::needle_jsonl::{parse_needle_jsonl, NeedleFormat};
use thimble_harness::run::judge::{decode_needle_output, judge};
use thimble_harness::suite::{Dialect, Example, Expected, Message};
use thimble_runtime::tools::normalize_tools_value;

const DIALECTS: [Dialect; 3] = [Dialect::Needle1, Dialect::JsonSchema, Dialect::Bfcl];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|u| json!(u)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "\\PC{0,8}".prop_map(Value::String),
        prop::sample::select(vec![
            "dict", "string", "integer", "float", "tuple", "any", "object", "array", "",
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(vec![
                            "name",
                            "type",
                            "properties",
                            "required",
                            "items",
                            "enum",
                            "parameters",
                            "description",
                            "arguments",
                            "$ref",
                            "anyOf",
                            "additionalProperties",
                            "default",
                            "optional",
                            "query",
                            "tools",
                            "answers",
                            "id",
                            "question",
                            "function",
                            "ground_truth",
                            "role",
                            "content",
                        ])
                        .prop_map(str::to_string),
                        "\\PC{0,5}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Arbitrary bytes, biased towards JSON and Python punctuation.
fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            any::<u8>(),
            prop::sample::select(b"[]{}()\"',:;=\\\n \t0123456789.-eE<>_/".to_vec()),
        ],
        0..160,
    )
}

/// A text a model could write: arbitrary, structured-looking, or a real call list around an
/// arbitrary JSON value.
fn arb_output() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        arb_bytes().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        arb_json().prop_map(|v| v.to_string()),
        (arb_json(), "\\PC{0,6}")
            .prop_map(|(v, n)| { format!("<tool_call>{}", json!([{"name": n, "arguments": v}])) }),
        (arb_json(), "[a-z_.]{0,8}")
            .prop_map(|(v, n)| format!("[{n}(a={v}, b='x', c=[1, 2.5e3, None])]")),
    ]
}

/// A tool list in any dialect: random JSON or generated JSON Schema tools, possibly converted.
fn arb_tools() -> impl Strategy<Value = (Vec<Value>, Dialect)> {
    prop_oneof![
        (prop::collection::vec(arb_json(), 0..3), 0..3usize).prop_map(|(t, d)| (t, DIALECTS[d])),
        (strategy::tools(), 0..3usize).prop_map(|(t, d)| {
            let to = DIALECTS[d];
            match convert_tools(&t, Dialect::JsonSchema, to) {
                Ok(c) => (c, to),
                Err(_) => (t, Dialect::JsonSchema),
            }
        }),
    ]
}

fn arb_call() -> impl Strategy<Value = Call> {
    (
        "\\PC{0,8}",
        prop::collection::vec(("\\PC{0,5}", arb_json()), 0..4),
    )
        .prop_map(|(name, args)| Call::new(name, args.into_iter().collect()))
}

fn arb_expected() -> impl Strategy<Value = Expected> {
    prop_oneof![
        prop::collection::vec(arb_call(), 0..3).prop_map(|calls| Expected::Calls { calls }),
        prop::collection::vec(arb_json(), 0..3)
            .prop_map(|ground_truth| Expected::BfclGroundTruth { ground_truth }),
        // Well-shaped ground truths: `{func: {param: [acceptable values]}}`.
        prop::collection::vec(
            (
                "[a-z_.]{1,6}",
                prop::collection::vec(
                    ("[a-z]{1,4}", prop::collection::vec(arb_json(), 0..3)),
                    0..3
                )
            ),
            0..3
        )
        .prop_map(|gt| Expected::BfclGroundTruth {
            ground_truth: gt
                .into_iter()
                .map(|(f, params)| {
                    let p: Map<String, Value> = params
                        .into_iter()
                        .map(|(k, v)| (k, Value::Array(v)))
                        .collect();
                    json!({ f: p })
                })
                .collect(),
        }),
        Just(Expected::NoCall),
        Just(Expected::AnyCall),
    ]
}

fn arb_example() -> impl Strategy<Value = Example> {
    (
        prop::sample::select(CATEGORIES.to_vec()),
        arb_tools(),
        "\\PC{0,20}",
        arb_expected(),
    )
        .prop_map(|(category, (tools, dialect), query, expected)| Example {
            id: "x".into(),
            category: category.to_string(),
            kind: None,
            messages: vec![Message {
                role: "user".into(),
                content: query,
            }],
            tools,
            dialect,
            expected,
        })
}

/// A fresh file path for one generated input.
fn scratch(name: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!("thimble-never-panics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}-{}", N.fetch_add(1, Ordering::Relaxed)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn needle_loader(bytes in arb_bytes(), lines in prop::collection::vec(arb_json(), 1..4)) {
        for format in [None, Some(NeedleFormat::Needle1), Some(NeedleFormat::Needle2)] {
            let _ = parse_needle_jsonl("p", &bytes, format);
            let text: Vec<String> = lines.iter().map(Value::to_string).collect();
            let _ = parse_needle_jsonl("p", text.join("\n").as_bytes(), format);
        }
    }

    #[test]
    fn bfcl_loader(
        category in prop::sample::select(CATEGORIES.to_vec()),
        q_bytes in arb_bytes(),
        questions in prop::collection::vec((arb_json(), arb_json()), 0..3),
        answers in prop::collection::vec(arb_json(), 0..3),
        raw in any::<bool>(),
    ) {
        let q = scratch("q.json");
        let a = scratch("a.json");
        if raw {
            std::fs::write(&q, &q_bytes).unwrap();
            std::fs::write(&a, &q_bytes).unwrap();
        } else {
            // Lines shaped like BFCL's, with arbitrary values inside.
            let qs: Vec<String> = questions
                .iter()
                .enumerate()
                .map(|(i, (question, function))| {
                    json!({"id": format!("e_{i}"), "question": [[{"role": "user", "content": question}]], "function": [function]}).to_string()
                })
                .collect();
            let answers: Vec<String> = answers
                .iter()
                .enumerate()
                .map(|(i, gt)| json!({"id": format!("e_{i}"), "ground_truth": [gt]}).to_string())
                .collect();
            std::fs::write(&q, qs.join("\n")).unwrap();
            std::fs::write(&a, answers.join("\n")).unwrap();
        }
        if let Ok((examples, _)) = load_files(category, &q, Some(&a)) {
            for ex in &examples {
                let _ = score_output(ex, "[f(a=1)]", ScoreOptions { format: OutputFormat::Prompt, mapping: NameMapping::default() });
            }
        }
        let _ = load_files(category, &q, None);
        let _ = std::fs::remove_file(&q);
        let _ = std::fs::remove_file(&a);
    }

    #[test]
    fn dialect_conversions((tools, from) in arb_tools(), extra in arb_json()) {
        let mut all = tools.clone();
        all.push(extra);
        for list in [&tools, &all] {
            for to in DIALECTS {
                if let Ok(converted) = convert_tools(list, from, to) {
                    // Converting what was converted, and rendering it for a Needle encoder.
                    for back in DIALECTS {
                        let _ = convert_tools(&converted, to, back);
                        let _ = render_tools_needle(&converted, to, back);
                    }
                }
                let _ = render_tools_needle(list, from, to);
            }
            let _ = normalize_tools_value(Value::Array(list.clone()));
        }
    }

    #[test]
    fn decoders(text in arb_output(), bytes in arb_bytes()) {
        let lossy = String::from_utf8_lossy(&bytes).into_owned();
        for t in [&text, &lossy] {
            let _ = decode::python::decode_python(t);
            let _ = decode::json::decode_json(t);
            let _ = decode::java::decode_java(t);
            let _ = decode::javascript::decode_javascript(t);
            let _ = decode::pyjson::loads(t);
            let _ = decode_needle_output(t, &|s: &str| s.to_uppercase());
            let _ = jsontext::parse(t);
        }
    }

    #[test]
    fn scorers(ex in arb_example(), text in arb_output(), calls in prop::collection::vec(arb_call(), 0..3)) {
        for format in [OutputFormat::Prompt, OutputFormat::Json] {
            for underscore_to_dot in [false, true] {
                let opts = ScoreOptions { format, mapping: NameMapping { underscore_to_dot } };
                let _ = score_output(&ex, &text, opts);
            }
        }
        let _ = check(&ex, Ok(calls.clone()), NameMapping::default());
        let _ = judge(&ex, decode_needle_output(&text, &|s: &str| s.to_string()));
        let _ = judge(&ex, Ok(calls.clone()));
        let expected = match &ex.expected {
            Expected::Calls { calls } => calls.clone(),
            _ => Vec::new(),
        };
        let v = score(&Ok::<_, ()>(calls), &expected, &ex.tools, ex.dialect);
        let m = NeedleMetrics::from_verdicts([&v]);
        prop_assert!(m.exact_match.num <= m.exact_match.den);
    }

    #[test]
    fn fuzz_validator(tools in strategy::tools(), junk in arb_json(), text in arb_output()) {
        let docs: Vec<Value> = match normalize_tools_value(Value::Array(tools)) {
            Ok(t) => serde_json::from_str(&t.text).unwrap(),
            Err(_) => Vec::new(),
        };
        for level in [Level::Names, Level::Schema] {
            let _ = check_output(&text, &docs, level);
            let _ = check_output(&text, std::slice::from_ref(&junk), level);
        }
        let _ = unrepresentable(&docs);
        let _ = unrepresentable(&[junk]);
    }
}
