//! Rendering an example's ground truth as a model output, in either format: each parameter
//! takes its first acceptable value that is not the "may be omitted" marker `""` (a parameter
//! with no other value is omitted), dict values recursively likewise. Used by tests (a
//! rendered ground truth must score valid) and by the scoring benchmark.

use super::category::{language, Language};
use super::score::OutputFormat;
use crate::decode::value::{float_repr, repr, PyValue};
use crate::suite::{Example, Expected};

/// One ground-truth call: name and concrete arguments.
pub type RenderedCall = (String, Vec<(String, PyValue)>);

fn first_acceptable(acceptable: &PyValue) -> Option<PyValue> {
    match acceptable {
        PyValue::List(options) => options
            .iter()
            .find(|v| !matches!(v, PyValue::Str(s) if s.is_empty()))
            .map(concrete),
        other => Some(concrete(other)),
    }
}

/// Dicts in ground truths hold acceptable-value lists per key; lists of such dicts likewise.
fn concrete(v: &PyValue) -> PyValue {
    match v {
        PyValue::Dict(items) => PyValue::Dict(
            items
                .iter()
                .filter_map(|(k, acc)| first_acceptable(acc).map(|c| (k.clone(), c)))
                .collect(),
        ),
        PyValue::List(items) if items.iter().all(|x| matches!(x, PyValue::Dict(_))) => {
            PyValue::List(items.iter().map(concrete).collect())
        }
        other => other.clone(),
    }
}

/// The concrete calls of a ground truth (`None` for relevance examples).
pub fn ground_truth_calls(example: &Example) -> Option<Vec<RenderedCall>> {
    let Expected::BfclGroundTruth { ground_truth } = &example.expected else {
        return None;
    };
    let mut calls = Vec::new();
    for item in ground_truth {
        let PyValue::Dict(entries) = PyValue::from_json(item) else {
            continue;
        };
        for (name, params) in entries {
            let PyValue::Dict(params) = params else {
                continue;
            };
            let args = params
                .iter()
                .filter_map(|(k, acc)| {
                    let key = k.as_str()?.to_string();
                    first_acceptable(acc).map(|v| (key, v))
                })
                .collect();
            calls.push((name.as_str().unwrap_or_default().to_string(), args));
        }
    }
    Some(calls)
}

/// `[name(k=v, ...), ...]` with Python literals.
pub fn render_python(calls: &[RenderedCall]) -> String {
    let parts: Vec<String> = calls
        .iter()
        .map(|(name, args)| {
            let a: Vec<String> = args
                .iter()
                .map(|(k, v)| format!("{k}={}", repr(v)))
                .collect();
            format!("{name}({})", a.join(", "))
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// `[{"name": ..., "arguments": {...}}, ...]`.
pub fn render_json(calls: &[RenderedCall]) -> String {
    let items: Vec<serde_json::Value> = calls
        .iter()
        .map(|(name, args)| {
            let mut map = serde_json::Map::new();
            for (k, v) in args {
                map.insert(k.clone(), v.to_json());
            }
            serde_json::json!({"name": name, "arguments": map})
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

fn param_type(example: &Example, func: &str, param: &str) -> (String, String) {
    let doc = example
        .tools
        .iter()
        .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(func));
    let schema = doc.and_then(|d| {
        d.pointer(&format!(
            "/parameters/properties/{}",
            param.replace('~', "~0").replace('/', "~1")
        ))
    });
    let t = schema
        .and_then(|s| s.get("type"))
        .and_then(|t| t.as_str())
        .unwrap_or("")
        .to_string();
    let items = schema
        .and_then(|s| s.pointer("/items/type"))
        .and_then(|t| t.as_str())
        .unwrap_or("")
        .to_string();
    (t, items)
}

fn java_literal(v: &PyValue, t: &str, items: &str) -> String {
    match v {
        PyValue::Bool(b) => b.to_string(),
        PyValue::Int(i) if t == "long" => format!("{i}L"),
        PyValue::Int(i) if t == "float" => format!("{i}f"),
        PyValue::Float(f) if t == "float" => format!("{}f", float_repr(*f)),
        PyValue::Int(i) => i.to_string(),
        PyValue::Float(f) => float_repr(*f),
        PyValue::Str(s) => serde_json::Value::String(s.clone()).to_string(),
        PyValue::List(xs) if t == "ArrayList" => format!(
            "new ArrayList<>(Arrays.asList({}))",
            xs.iter()
                .map(|x| java_literal(x, items, ""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        PyValue::List(xs) => format!(
            "new {}[]{{{}}}",
            match items {
                "String" => "String",
                "integer" => "int",
                "long" => "long",
                _ => "Object",
            },
            xs.iter()
                .map(|x| java_literal(x, items, ""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        PyValue::Dict(d) => format!(
            "new HashMap<String, Object>() {{{{ {} }}}}",
            d.iter()
                .map(|(k, x)| format!(
                    "put({}, {});",
                    serde_json::Value::String(k.as_str().unwrap_or_default().to_string()),
                    java_literal(x, "", "")
                ))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        other => repr(other),
    }
}

fn js_literal(v: &PyValue) -> String {
    match v {
        PyValue::Bool(b) => b.to_string(),
        PyValue::Str(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        PyValue::List(xs) => format!(
            "[{}]",
            xs.iter().map(js_literal).collect::<Vec<_>>().join(", ")
        ),
        PyValue::Dict(d) => format!(
            "{{{}}}",
            d.iter()
                .map(|(k, x)| format!("{}: {}", k.as_str().unwrap_or_default(), js_literal(x)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => repr(other),
    }
}

/// Java or JavaScript call syntax (prompt format) for a Java/JS example's ground truth.
fn render_source(example: &Example, calls: &[RenderedCall], lang: Language) -> String {
    let parts: Vec<String> = calls
        .iter()
        .map(|(name, args)| {
            let a: Vec<String> = args
                .iter()
                .map(|(k, v)| {
                    let (t, items) = param_type(example, name, k);
                    let lit = match lang {
                        Language::Java => java_literal(v, &t, &items),
                        _ => js_literal(v),
                    };
                    format!("{k}={lit}")
                })
                .collect();
            format!("{name}({})", a.join(", "))
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// A model output that should score valid for this example: the rendered ground truth, `[]`
/// for irrelevance, and a call to the first tool for live_relevance.
pub fn render_ground_truth(example: &Example, format: OutputFormat) -> String {
    match &example.expected {
        Expected::NoCall => "[]".into(),
        Expected::AnyCall => {
            let name = example
                .tools
                .first()
                .and_then(|t| t.get("name"))
                .and_then(|n| n.as_str())
                .unwrap_or("f")
                .to_string();
            let call = vec![(name, Vec::new())];
            match format {
                OutputFormat::Prompt => render_python(&call),
                OutputFormat::Json => render_json(&call),
            }
        }
        _ => {
            let calls = ground_truth_calls(example).unwrap_or_default();
            match (format, language(&example.category)) {
                (OutputFormat::Prompt, Language::Python) => render_python(&calls),
                (OutputFormat::Prompt, lang) => render_source(example, &calls, lang),
                (OutputFormat::Json, Language::Python) => render_json(&calls),
                (OutputFormat::Json, lang) => {
                    // Java/JS in JSON: source text in strings, plain strings bare.
                    let source: Vec<RenderedCall> = calls
                        .iter()
                        .map(|(name, args)| {
                            let a = args
                                .iter()
                                .map(|(k, v)| {
                                    let (t, items) = param_type(example, name, k);
                                    let text = match (v, lang) {
                                        (PyValue::Str(s), _) => s.clone(),
                                        (_, Language::Java) => java_literal(v, &t, &items),
                                        _ => js_literal(v),
                                    };
                                    (k.clone(), PyValue::Str(text))
                                })
                                .collect();
                            (name.clone(), a)
                        })
                        .collect();
                    render_json(&source)
                }
            }
        }
    }
}
