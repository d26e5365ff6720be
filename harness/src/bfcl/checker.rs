//! BFCL's AST checker (`ast_checker.py`) over decoded calls: per-category dispatch
//! (`parallel` → order-free greedy matching, `multiple` → one call against the expected
//! function, else exactly one call against the first function), and the single-call check —
//! name, required parameters, unexpected parameters, Java/JavaScript value conversion, type
//! check, value check, omitted optional parameters — with the official error types.
//!
//! Tool documents and ground truths are read as Python values, and every place where the
//! official code would raise on malformed input reports a [`Crash`] instead.

use serde_json::Value;

use super::category::Language;
use super::java_types::java_type_converter;
use super::js_types::js_type_converter;
use super::pyops::{self, crash, Crash, PyResult};
use super::types::{java_type, js_type, python_type, type_checker};
use super::values::{dict_checker, fail, list_checker, list_dict_checker, string_checker, Fail};
use crate::decode::value::{repr, PyType, PyValue};
use crate::decode::PyCall;

/// How the model's tool names relate to the documented ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NameMapping {
    /// The model's provider forbids `.` in tool names, so expected names have `.` replaced by
    /// `_` before matching (BFCL's `underscore_to_dot` model flag).
    pub underscore_to_dot: bool,
}

pub type Checked = PyResult<Result<(), Fail>>;

fn s(x: &str) -> PyValue {
    PyValue::str(x)
}

/// `convert_func_name`.
fn convert_func_name(name: &str, mapping: NameMapping) -> String {
    if mapping.underscore_to_dot && name.contains('.') {
        name.replace('.', "_")
    } else {
        name.to_string()
    }
}

/// `find_description`: the documented function with that name (`None` when missing).
fn find_description(functions: &PyValue, name: &PyValue) -> PyResult<PyValue> {
    for f in pyops::iterate(functions)? {
        if pyops::getitem(&f, &s("name"))? == *name {
            return Ok(f);
        }
    }
    Ok(PyValue::None)
}

/// The single key of a `{name: value}` ground-truth item.
fn first_key(item: &PyValue) -> PyResult<PyValue> {
    pyops::iterate(item)?
        .into_iter()
        .next()
        .map_or_else(|| crash("IndexError", "list index out of range"), Ok)
}

/// A decoded call as the `{name: {params}}` dict BFCL checks.
fn call_dict(call: &PyCall) -> PyValue {
    PyValue::Dict(vec![(call.name.clone(), PyValue::Dict(call.args.clone()))])
}

/// `simple_function_checker(func_description, model_output, possible_answer, language)`.
pub fn simple_function_checker(
    func: &PyValue,
    output: &PyValue,
    possible_answer: &PyValue,
    language: Language,
    mapping: NameMapping,
) -> Checked {
    let values = pyops::items(possible_answer)?;
    let Some((_, possible)) = values.into_iter().next() else {
        return crash("IndexError", "list index out of range");
    };
    let func_name = pyops::getitem(func, &s("name"))?;
    let parameters = pyops::getitem(func, &s("parameters"))?;
    let param_details = pyops::getitem(&parameters, &s("properties"))?;
    let required = pyops::getitem(&parameters, &s("required"))?;

    let func_name = match &func_name {
        PyValue::Str(n) => PyValue::Str(convert_func_name(n, mapping)),
        // `"." in name` on a non-string raises.
        other if mapping.underscore_to_dot => {
            return crash(
                "TypeError",
                format!(
                    "argument of type '{}' is not iterable",
                    other.py_type().name()
                ),
            )
        }
        other => other.clone(),
    };

    if !pyops::contains(output, &func_name)? {
        return Ok(fail(
            "simple_function_checker:wrong_func_name",
            format!(
                "Function name {} not found in model output.",
                repr(&func_name)
            ),
        ));
    }
    let model_params = pyops::getitem(output, &func_name)?;

    for param in pyops::iterate(&required)? {
        if !pyops::contains(&model_params, &param)? {
            return Ok(fail(
                "simple_function_checker:missing_required",
                format!("Missing required parameter: {}.", repr(&param)),
            ));
        }
    }

    for (param, value) in pyops::items(&model_params)? {
        if !pyops::contains(&param_details, &param)? || !pyops::contains(&possible, &param)? {
            return Ok(fail(
                "simple_function_checker:unexpected_param",
                format!("Unexpected parameter: {}.", repr(&param)),
            ));
        }
        let param_name = match &param {
            PyValue::Str(p) => p.clone(),
            other => repr(other),
        };
        let details = pyops::getitem(&param_details, &param)?;
        let type_desc_value = pyops::getitem(&details, &s("type"))?;
        let type_desc = match &type_desc_value {
            PyValue::Str(t) => t.clone(),
            other if other.is_hashable() => {
                return crash("KeyError", repr(other));
            }
            other => {
                return crash(
                    "TypeError",
                    format!("unhashable type: '{}'", other.py_type().name()),
                )
            }
        };
        let nested_type_name = |details: &PyValue| -> PyResult<String> {
            let items = pyops::getitem(details, &s("items"))?;
            match pyops::getitem(&items, &s("type"))? {
                PyValue::Str(t) => Ok(t),
                other => crash("KeyError", repr(&other)),
            }
        };

        let mut value = value.clone();
        let mut nested: Option<PyType> = None;
        let expected: PyType;
        match language {
            Language::Java | Language::JavaScript => {
                let (lookup, tag): (fn(&str) -> Option<PyType>, &str) = match language {
                    Language::Java => (java_type, "type_error:java"),
                    _ => (js_type, "type_error:js"),
                };
                let Some(t) = lookup(&type_desc) else {
                    return crash("KeyError", repr(&type_desc_value));
                };
                expected = t;
                let PyValue::Str(text) = &value else {
                    return Ok(fail(
                        tag,
                        format!(
                            "Incorrect type for parameter {}. Expected type String, got {}. Parameter value: {}.",
                            repr(&param),
                            value.py_type().name(),
                            repr(&value)
                        ),
                    ));
                };
                let text = text.clone();
                let convert = |v: &str, t: &str, n: Option<&str>| match language {
                    Language::Java => java_type_converter(v, t, n),
                    _ => js_type_converter(v, t, n),
                };
                if matches!(type_desc.as_str(), "Array" | "ArrayList" | "array") {
                    let nested_name = nested_type_name(&details)?;
                    let Some(nt) = lookup(&nested_name) else {
                        return crash("KeyError", repr(&PyValue::Str(nested_name)));
                    };
                    nested = Some(nt);
                    value = convert(&text, &type_desc, Some(&nested_name))?;
                } else {
                    value = convert(&text, &type_desc, None)?;
                }
            }
            Language::Python => {
                let Some(t) = python_type(&type_desc) else {
                    return crash("KeyError", repr(&type_desc_value));
                };
                expected = t;
                if type_desc == "array" || type_desc == "tuple" {
                    let nested_name = nested_type_name(&details)?;
                    let Some(nt) = python_type(&nested_name) else {
                        return crash("KeyError", repr(&PyValue::Str(nested_name)));
                    };
                    nested = Some(nt);
                }
            }
        }

        // BFCL turns tuples into lists for tuple parameters (ground truths went through JSON).
        if type_desc == "tuple" {
            if let PyValue::Tuple(items) = value {
                value = PyValue::List(items);
            }
        }
        // Python allows an int where a float is expected.
        if language == Language::Python && type_desc == "float" {
            if let PyValue::Int(i) = value {
                value = PyValue::Float(i as f64);
            }
        }

        let acceptable = pyops::getitem(&possible, &param)?;
        let tc = type_checker(
            &param_name,
            &value,
            &acceptable,
            &type_desc,
            expected,
            nested,
        )?;
        if !tc.valid {
            return Ok(fail(tc.error_type, tc.error));
        }

        if !tc.is_variable {
            let r = match (&value, expected, nested) {
                (_, PyType::Dict, _) => Some(dict_checker(&param_name, &value, &acceptable)?),
                (PyValue::List(items), PyType::List, Some(PyType::Dict)) => {
                    Some(list_dict_checker(&param_name, items, &acceptable)?)
                }
                (PyValue::Str(text), PyType::Str, _) => {
                    Some(string_checker(&param_name, text, &acceptable)?)
                }
                (PyValue::List(items), PyType::List, _) => {
                    Some(list_checker(&param_name, items, &acceptable)?)
                }
                _ => None,
            };
            if let Some(r) = r {
                if r.is_err() {
                    return Ok(r);
                }
                continue;
            }
        }

        if !pyops::contains(&acceptable, &value)? {
            return Ok(fail(
                "value_error:others",
                format!(
                    "Invalid value for parameter {}: {}. Expected one of {}.",
                    repr(&param),
                    repr(&value),
                    repr(&acceptable)
                ),
            ));
        }
    }

    for param in pyops::iterate(&possible)? {
        let acceptable = pyops::getitem(&possible, &param)?;
        if !pyops::contains(&model_params, &param)? && !pyops::contains(&acceptable, &s(""))? {
            return Ok(fail(
                "simple_function_checker:missing_optional",
                format!(
                    "Optional parameter {} not provided and not marked as optional.",
                    repr(&param)
                ),
            ));
        }
    }
    Ok(Ok(()))
}

/// `parallel_function_checker_no_order`: for each expected call in order, the first unused
/// output call that passes (greedy, no backtracking).
fn parallel_no_order(
    functions: &PyValue,
    outputs: &[PyValue],
    answers: &[PyValue],
    language: Language,
    mapping: NameMapping,
) -> Checked {
    if outputs.len() != answers.len() {
        return Ok(fail(
            "parallel_function_checker_no_order:wrong_count",
            "Wrong number of functions.",
        ));
    }
    let mut used = vec![false; outputs.len()];
    for (i, answer) in answers.iter().enumerate() {
        let expected_name = first_key(answer)?;
        let func = find_description(functions, &expected_name)?;
        let mut matched = false;
        let mut errors = Vec::new();
        for (idx, output) in outputs.iter().enumerate() {
            if used[idx] {
                continue;
            }
            match simple_function_checker(&func, output, answer, language, mapping)? {
                Ok(()) => {
                    used[idx] = true;
                    matched = true;
                    break;
                }
                Err(f) => errors.push(format!("index {idx}: {} ({})", f.error_type, f.error)),
            }
        }
        if !matched {
            let remaining: Vec<String> = (0..outputs.len())
                .filter(|k| !used[*k])
                .map(|k| k.to_string())
                .collect();
            return Ok(fail(
                "parallel_function_checker_no_order:cannot_find_match",
                format!(
                    "Could not find a matching function among index [{}] of model output for index {i} of possible answers. {}",
                    remaining.join(", "),
                    errors.join("; ")
                ),
            ));
        }
    }
    Ok(Ok(()))
}

/// `ast_checker(func_description, model_output, possible_answer, language, test_category)`.
pub fn ast_checker(
    functions: &Value,
    calls: &[PyCall],
    ground_truth: &[Value],
    language: Language,
    category: &str,
    mapping: NameMapping,
) -> Checked {
    let functions = PyValue::from_json(functions);
    let outputs: Vec<PyValue> = calls.iter().map(call_dict).collect();
    let answers: Vec<PyValue> = ground_truth.iter().map(PyValue::from_json).collect();
    if category.contains("parallel") {
        return parallel_no_order(&functions, &outputs, &answers, language, mapping);
    }
    if category.contains("multiple") {
        if outputs.len() != answers.len() {
            return Ok(fail(
                "multiple_function_checker:wrong_count",
                "Wrong number of functions.",
            ));
        }
        let Some(answer) = answers.first() else {
            return crash("IndexError", "list index out of range");
        };
        let func = find_description(&functions, &first_key(answer)?)?;
        return simple_function_checker(&func, &outputs[0], answer, language, mapping);
    }
    if outputs.len() != 1 {
        return Ok(fail(
            "simple_function_checker:wrong_count",
            "Wrong number of functions.",
        ));
    }
    let func = pyops::index(&functions, 0)?;
    let Some(answer) = answers.first() else {
        return crash("IndexError", "list index out of range");
    };
    simple_function_checker(&func, &outputs[0], answer, language, mapping)
}

/// The error type reported where the official checker would raise.
pub fn crash_error_type(c: &Crash) -> String {
    format!("checker_exception:{}", c.exception)
}
