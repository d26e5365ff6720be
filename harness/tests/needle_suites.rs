//! Needle suite loading, dialect conversion and Needle metrics, end to end through the public
//! API: happy paths, every class of bad input, and properties that must hold for any input
//! (no panics, idempotent normalization, order-free exact match).

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use thimble_harness::call::Call;
use thimble_harness::dialect::{
    convert_tool, convert_tools, render_tools_needle, to_needle_json, to_snake_case,
};
use thimble_harness::metrics::needle::{
    normalize_value, score, score_example, NeedleMetrics, ToolSchemas,
};
use thimble_harness::needle_jsonl::{
    load_needle_jsonl, parse_needle_jsonl, LoadErrorKind, NeedleFormat, NeedleLoadError,
};
use thimble_harness::suite::{Dialect, Expected, Suite};
use thimble_runtime::tools::normalize_tools_value;

fn parse(text: &str) -> Result<Suite, NeedleLoadError> {
    parse_needle_jsonl("suite.jsonl", text.as_bytes(), None)
}

fn parse_as(text: &str, format: NeedleFormat) -> Result<Suite, NeedleLoadError> {
    parse_needle_jsonl("suite.jsonl", text.as_bytes(), Some(format))
}

fn expected_calls(suite: &Suite, i: usize) -> &[Call] {
    match &suite.examples[i].expected {
        Expected::Calls { calls } => calls,
        other => panic!("expected calls, got {other:?}"),
    }
}

/// A Needle 1 line as Needle's own generator writes it: tools and answers JSON-encoded.
fn needle1_line(id: Option<&str>, query: &str, tools: &Value, answers: &Value) -> String {
    let mut obj = Map::new();
    if let Some(id) = id {
        obj.insert("id".into(), json!(id));
    }
    obj.insert("query".into(), json!(query));
    obj.insert("tools".into(), json!(tools.to_string()));
    obj.insert("answers".into(), json!(answers.to_string()));
    Value::Object(obj).to_string()
}

fn alarm_tool_flat() -> Value {
    json!({"name": "setAlarm", "description": "Set an alarm.", "parameters": {
        "time_hours": {"type": "number", "description": "Hour (24h).", "required": true},
        "label": {"type": "string", "description": "Label.", "required": false}
    }})
}

fn weather_tool_schema() -> Value {
    json!({"name": "get_weather", "description": "Weather.", "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city"]
    }})
}

#[test]
fn loads_needle1_file_from_disk() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("needle_suites_n1");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("n1.jsonl");
    let tools = json!([alarm_tool_flat()]);
    let text = [
        needle1_line(
            Some("a1"),
            "wake me at 7",
            &tools,
            &json!([{"name": "setAlarm", "arguments": {"time_hours": 7}}]),
        ),
        String::new(),
        needle1_line(None, "hello there", &tools, &json!([])),
    ]
    .join("\n");
    std::fs::write(&path, &text).unwrap();

    let suite = load_needle_jsonl(&path, None).unwrap();
    assert_eq!(suite.name, path.display().to_string());
    assert_eq!(suite.sha256.len(), 64);
    assert_eq!(suite.examples.len(), 2);
    let first = &suite.examples[0];
    assert_eq!(first.id, "a1");
    assert_eq!(first.category, "default");
    assert_eq!(first.dialect, Dialect::Needle1);
    assert_eq!(first.query(), "wake me at 7");
    assert_eq!(first.messages.len(), 1);
    assert_eq!(first.tools, vec![alarm_tool_flat()]);
    assert_eq!(expected_calls(&suite, 0)[0].name, "setAlarm");
    assert_eq!(
        expected_calls(&suite, 0)[0].arguments["time_hours"],
        json!(7)
    );
    // The id defaults to the 1-based line number (line 2 is empty).
    assert_eq!(suite.examples[1].id, "3");
    assert!(expected_calls(&suite, 1).is_empty());

    // The same bytes hash the same whatever the name.
    let again = parse_needle_jsonl("other", text.as_bytes(), None).unwrap();
    assert_eq!(again.sha256, suite.sha256);

    let missing = load_needle_jsonl(&dir.join("absent.jsonl"), None).unwrap_err();
    assert_eq!(missing.kind, LoadErrorKind::Io);
    assert!(missing.to_string().contains("absent.jsonl"));
}

#[test]
fn loads_needle2_with_system_kind_and_category() {
    let line = json!({
        "id": 17, "category": "weather", "kind": "parallel", "system": "Be brief.",
        "query": "weather in Paris and Rome",
        "tools": [weather_tool_schema()],
        "answers": [
            {"name": "get_weather", "arguments": {"city": "Paris"}},
            {"name": "get_weather", "arguments": {"city": "Rome"}}
        ]
    });
    let suite = parse(&format!("{line}\r\n")).unwrap();
    let ex = &suite.examples[0];
    assert_eq!(ex.id, "17");
    assert_eq!(ex.category, "weather");
    assert_eq!(ex.kind.as_deref(), Some("parallel"));
    assert_eq!(ex.dialect, Dialect::JsonSchema);
    assert_eq!(ex.messages[0].role, "system");
    assert_eq!(ex.messages[0].content, "Be brief.");
    assert_eq!(ex.query(), "weather in Paris and Rome");
    assert_eq!(expected_calls(&suite, 0).len(), 2);
}

#[test]
fn tool_dialect_is_read_from_the_tools() {
    // A Needle 1 line whose (encoded) tools are JSON Schema, and a Needle 2 line with BFCL tools.
    let n1 = needle1_line(None, "q", &json!([weather_tool_schema()]), &json!([]));
    assert_eq!(parse(&n1).unwrap().examples[0].dialect, Dialect::JsonSchema);
    let bfcl = json!({"name": "math.factorial", "parameters": {"type": "dict",
        "properties": {"n": {"type": "integer"}}, "required": ["n"]}});
    let n2 = json!({"query": "q", "tools": [bfcl], "answers": []}).to_string();
    assert_eq!(parse(&n2).unwrap().examples[0].dialect, Dialect::Bfcl);
    // No parameters anywhere: the line format decides.
    let bare = json!({"query": "q", "tools": [{"name": "ping"}], "answers": []}).to_string();
    assert_eq!(
        parse(&bare).unwrap().examples[0].dialect,
        Dialect::JsonSchema
    );
    // Mixed dialects in one example are refused.
    let mixed =
        json!({"query": "q", "tools": [weather_tool_schema(), alarm_tool_flat()], "answers": []});
    let e = parse(&mixed.to_string()).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::Tool);
    assert_eq!(e.field.as_deref(), Some("tools[1]"));
}

#[test]
fn malformed_line_names_file_and_line() {
    let good = needle1_line(None, "q", &json!([]), &json!([]));
    let e = parse(&format!("{good}\n{{\"query\": \"q\", \"tools\": \n{good}")).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::MalformedJson);
    assert_eq!(e.file, "suite.jsonl");
    assert_eq!(e.line, Some(2));
    assert!(
        e.to_string().starts_with("suite.jsonl:2: malformed JSON"),
        "{e}"
    );
}

#[test]
fn missing_fields_are_named() {
    for (line, field) in [
        (r#"{"tools":"[]","answers":"[]"}"#, "query"),
        (r#"{"query":"q","answers":"[]"}"#, "tools"),
        (r#"{"query":"q","tools":"[]"}"#, "answers"),
        (
            r#"{"query":"q","tools":"[]","answers":"[{\"arguments\":{}}]"}"#,
            "answers[0].name",
        ),
        (
            r#"{"query":"q","tools":"[]","answers":"[{\"name\":\"f\"}]"}"#,
            "answers[0].arguments",
        ),
    ] {
        let e = parse_as(line, NeedleFormat::Needle1).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::MissingField, "{line}: {e}");
        assert_eq!(e.field.as_deref(), Some(field), "{line}");
        assert_eq!(e.line, Some(1));
        assert!(e.to_string().contains(&format!("field `{field}`")), "{e}");
    }
}

#[test]
fn string_fields_must_hold_json() {
    let e = parse(r#"{"query":"q","tools":"[{\"name\": oops}]","answers":"[]"}"#).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::EmbeddedJson);
    assert_eq!(e.field.as_deref(), Some("tools"));
    let e = parse(r#"{"query":"q","tools":"[]","answers":"not json"}"#).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::EmbeddedJson);
    assert_eq!(e.field.as_deref(), Some("answers"));
    assert!(
        e.to_string().contains("string does not contain valid JSON"),
        "{e}"
    );
}

#[test]
fn wrong_types_are_named() {
    let cases = [
        (r#"{"query":5,"tools":"[]","answers":"[]"}"#, "query"),
        (r#"{"query":"q","tools":"{}","answers":"[]"}"#, "tools"),
        (r#"{"query":"q","tools":"[]","answers":"{}"}"#, "answers"),
        (
            r#"{"query":"q","tools":"[]","answers":"[{\"name\":\"f\",\"arguments\":\"{}\"}]"}"#,
            "answers[0].arguments",
        ),
        (
            r#"{"query":"q","tools":"[]","answers":"[]","category":3}"#,
            "category",
        ),
        (r#"{"query":"q","tools":"[5]","answers":"[]"}"#, "tools[0]"),
    ];
    for (line, field) in cases {
        let e = parse(line).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::WrongType, "{line}: {e}");
        assert_eq!(e.field.as_deref(), Some(field), "{line}");
    }
    // A forced format that does not fit the line says which format the value belongs to.
    let e = parse_as(
        r#"{"query":"q","tools":[],"answers":[]}"#,
        NeedleFormat::Needle1,
    )
    .unwrap_err();
    assert!(e.to_string().contains("Needle 1"), "{e}");
    let e = parse_as(
        r#"{"query":"q","tools":"[]","answers":"[]"}"#,
        NeedleFormat::Needle2,
    )
    .unwrap_err();
    assert!(e.to_string().contains("Needle 1 format"), "{e}");
}

#[test]
fn invalid_tools_name_tool_and_parameter() {
    let bad_flat =
        json!([{"name": "f", "parameters": {"p": {"type": "string", "required": "yes"}}}]);
    let e = parse(&needle1_line(None, "q", &bad_flat, &json!([]))).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::Tool);
    assert_eq!(e.field.as_deref(), Some("tools[0]"));
    assert!(e.message.contains("tool `f`, parameter `p`"), "{e}");

    let bad_schema = json!({"query": "q", "answers": [], "tools": [
        {"name": "g", "parameters": {"type": "object", "properties": {"x": 3}}}]});
    let e = parse(&bad_schema.to_string()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("tools[0].parameters.properties.x"));
}

#[test]
fn duplicate_ids_are_refused() {
    let a = needle1_line(Some("x"), "q", &json!([]), &json!([]));
    let e = parse(&format!("{a}\n{a}")).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::DuplicateId);
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("line 1"), "{e}");
    // An explicit id equal to another line's default id collides too.
    let b = needle1_line(None, "q", &json!([]), &json!([]));
    let c = needle1_line(Some("1"), "q", &json!([]), &json!([]));
    assert_eq!(
        parse(&format!("{b}\n{c}")).unwrap_err().kind,
        LoadErrorKind::DuplicateId
    );
}

#[test]
fn unknown_format_and_empty_file() {
    let e = parse(r#"{"query":"q","tools":5,"answers":5}"#).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::UnknownFormat);
    assert_eq!(e.line, Some(1));
    let e = "needle9".parse::<NeedleFormat>().unwrap_err();
    assert!(e.contains("unknown Needle suite format"), "{e}");
    let e = parse("\n  \n").unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::Empty);
    let e = parse_needle_jsonl("bin", b"\xff\xfe{}", None).unwrap_err();
    assert_eq!(e.kind, LoadErrorKind::Utf8);
}

#[test]
fn suite_tools_render_for_every_model() {
    let line = needle1_line(None, "q", &json!([alarm_tool_flat()]), &json!([]));
    let suite = parse(&line).unwrap();
    let ex = &suite.examples[0];
    let n1 = render_tools_needle(&ex.tools, ex.dialect, Dialect::Needle1).unwrap();
    assert_eq!(
        n1,
        r#"[{"name":"set_alarm","description":"Set an alarm.","parameters":{"time_hours":{"type":"number","description":"Hour (24h).","required":true},"label":{"type":"string","description":"Label.","required":false}}}]"#
    );
    let n2 = render_tools_needle(&ex.tools, ex.dialect, Dialect::JsonSchema).unwrap();
    assert_eq!(
        n2,
        r#"[{"name":"set_alarm","description":"Set an alarm.","parameters":{"type":"object","properties":{"time_hours":{"type":"number","description":"Hour (24h)."},"label":{"type":"string","description":"Label."}},"required":["time_hours"]}}]"#
    );
    let names = normalize_tools_value(serde_json::Value::Array(ex.tools.clone())).unwrap();
    assert_eq!(names.original_name("set_alarm"), "setAlarm");
    let bfcl = convert_tools(&ex.tools, ex.dialect, Dialect::Bfcl).unwrap();
    assert_eq!(bfcl[0]["parameters"]["type"], "dict");
    assert_eq!(
        bfcl[0]["parameters"]["properties"]["time_hours"]["type"],
        "float"
    );
}

#[test]
fn metrics_over_a_loaded_suite() {
    let tools = json!([alarm_tool_flat()]);
    let text = [
        needle1_line(
            None,
            "a",
            &tools,
            &json!([{"name": "setAlarm", "arguments": {"time_hours": 7}}]),
        ),
        needle1_line(None, "b", &tools, &json!([])),
        needle1_line(
            None,
            "c",
            &tools,
            &json!([{"name": "setAlarm", "arguments": {"time_hours": 8, "label": "Gym"}}]),
        ),
    ]
    .join("\n");
    let suite = parse(&text).unwrap();
    let names =
        normalize_tools_value(serde_json::Value::Array(suite.examples[0].tools.clone())).unwrap();
    // Model outputs after decoding, in snake_case as a Needle model writes them.
    let outputs: Vec<Result<Vec<Call>, String>> = vec![
        Ok(vec![Call::new(
            "set_alarm",
            json!({"time_hours": "7"}).as_object().cloned().unwrap(),
        )]),
        Ok(vec![]),
        Err("unterminated string".into()),
    ];
    let verdicts: Vec<_> = suite
        .examples
        .iter()
        .zip(outputs)
        .map(|(ex, out)| {
            let out = out.map(|calls| {
                calls
                    .into_iter()
                    .map(|mut c| {
                        c.name = names.original_name(&c.name).to_string();
                        c
                    })
                    .collect::<Vec<_>>()
            });
            let Expected::Calls { calls } = &ex.expected else {
                unreachable!()
            };
            score(&out, calls, &ex.tools, ex.dialect)
        })
        .collect();
    let m = NeedleMetrics::from_verdicts(&verdicts);
    assert_eq!((m.exact_match.num, m.exact_match.den), (2, 3));
    assert_eq!((m.json_parse_rate.num, m.json_parse_rate.den), (2, 3));
    assert_eq!((m.no_call_accuracy.num, m.no_call_accuracy.den), (1, 1));
    assert_eq!((m.call_recall.num, m.call_recall.den), (1, 2));
    assert_eq!((m.call_precision.num, m.call_precision.den), (1, 1));
    let logged = serde_json::to_value(&m).unwrap();
    assert_eq!(logged["exact_match"]["den"], 3);
}

// ---------------------------------------------------------------------------------------------
// Properties

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "[ a-zA-Z0-9.\\-_éß\u{1F600}]{0,8}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
        prop::sample::select(vec![
            "type",
            "object",
            "dict",
            "string",
            "properties",
            "required",
            "items",
            "name",
            "parameters",
            "any",
            "tuple",
            "float",
            "$ref",
            "enum",
            " 5 ",
            "1e3",
            "NaN",
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec![
                        "type",
                        "properties",
                        "required",
                        "items",
                        "name",
                        "parameters",
                        "description",
                        "enum",
                        "default",
                        "optional",
                        "a",
                        "b",
                        "anyOf",
                        "additionalProperties",
                        "$ref",
                        "query",
                        "tools",
                        "answers",
                        "arguments",
                    ]),
                    inner
                ),
                0..6
            )
            .prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

fn arb_call() -> impl Strategy<Value = Call> {
    (
        prop::sample::select(vec!["f", "g", "send", "set_alarm"]),
        prop::collection::vec(
            (
                prop::sample::select(vec!["a", "b", "to", "hour"]),
                arb_json(),
            ),
            0..4,
        ),
    )
        .prop_map(|(name, args)| {
            Call::new(
                name,
                args.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            )
        })
}

const DIALECTS: [Dialect; 3] = [Dialect::Needle1, Dialect::JsonSchema, Dialect::Bfcl];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn loaders_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_needle_jsonl("p", &bytes, None);
        let _ = parse_needle_jsonl("p", &bytes, Some(NeedleFormat::Needle1));
    }

    #[test]
    fn loaders_never_panic_on_json_lines(
        lines in prop::collection::vec(arb_json(), 1..4),
        encode in any::<bool>(),
    ) {
        // Arbitrary values in the Needle fields, optionally JSON-encoded as Needle 1 does.
        let text: Vec<String> = lines.iter().map(|v| {
            let (tools, answers) = (v.get("tools").cloned().unwrap_or(v.clone()),
                                    v.get("answers").cloned().unwrap_or(v.clone()));
            let (tools, answers) = if encode {
                (json!(tools.to_string()), json!(answers.to_string()))
            } else {
                (tools, answers)
            };
            json!({"query": "q", "tools": tools, "answers": answers}).to_string()
        }).chain(lines.iter().map(Value::to_string)).collect();
        for format in [None, Some(NeedleFormat::Needle1), Some(NeedleFormat::Needle2)] {
            let _ = parse_needle_jsonl("p", text.join("\n").as_bytes(), format);
        }
    }

    #[test]
    fn conversions_never_panic(tool in arb_json(), params in arb_json()) {
        let with_params = json!({"name": "t", "parameters": params});
        for from in DIALECTS {
            for to in DIALECTS {
                let _ = convert_tool(&tool, from, to);
                if let Ok(converted) = convert_tool(&with_params, from, to) {
                    let _ = render_tools_needle(&[converted], to, from);
                }
            }
        }
        let _ = to_needle_json(&tool);
        let _ = normalize_tools_value(serde_json::Value::Array(vec![tool.clone()]));
    }

    #[test]
    fn needle_json_round_trips_through_a_json_parser(v in arb_json()) {
        let text = to_needle_json(&v);
        prop_assert!(text.is_ascii());
        let back: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, v);
    }

    #[test]
    fn snake_case_is_idempotent_and_clean(name in any::<String>()) {
        let s = to_snake_case(&name);
        prop_assert_eq!(to_snake_case(&s), s.clone());
        prop_assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
        prop_assert!(!s.starts_with('_') && !s.ends_with('_') && !s.contains("__"));
    }

    #[test]
    fn normalization_is_idempotent(v in arb_json()) {
        let once = normalize_value(&v);
        prop_assert_eq!(normalize_value(&once), once);
    }

    #[test]
    fn metrics_never_panic(
        pred in prop::option::of(prop::collection::vec(arb_call(), 0..4)),
        exp in prop::collection::vec(arb_call(), 0..4),
        tools in prop::collection::vec(arb_json(), 0..3),
    ) {
        for d in DIALECTS {
            let schemas = ToolSchemas::from_tools(&tools, d);
            let v = score_example(pred.as_deref(), &exp, &schemas);
            prop_assert!(v.name_hits <= v.predicted_calls.min(v.expected_calls));
            prop_assert!(v.call_hits <= v.name_hits);
            prop_assert!(v.correct_args <= v.paired_expected_args);
            prop_assert!(v.correct_values <= v.shared_args);
            prop_assert!(v.hallucinated_keys <= v.predicted_keys);
            prop_assert!(v.missing_required <= v.required_keys);
            let m = NeedleMetrics::from_verdicts([&v]);
            for r in [m.name_f1, m.call_f1, m.argument_accuracy, m.exact_match] {
                prop_assert!(r.num <= r.den);
            }
        }
    }

    #[test]
    fn exact_match_ignores_call_order(
        exp in prop::collection::vec(arb_call(), 0..5),
        seed in any::<u64>(),
        drop_one in any::<bool>(),
    ) {
        let schemas = ToolSchemas::default();
        let mut shuffled = exp.clone();
        // Deterministic Fisher-Yates from the seed.
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        prop_assert!(score_example(Some(&shuffled), &exp, &schemas).exact_match);
        let reversed: Vec<Call> = exp.iter().rev().cloned().collect();
        prop_assert_eq!(
            score_example(Some(&reversed), &exp, &schemas),
            score_example(Some(&exp), &exp, &schemas)
        );
        if drop_one && !shuffled.is_empty() {
            shuffled.pop();
            prop_assert!(!score_example(Some(&shuffled), &exp, &schemas).exact_match);
        }
    }
}
