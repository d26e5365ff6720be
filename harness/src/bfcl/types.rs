//! BFCL's `type_checker`: exact Python type equality against the schema type, one level of
//! element checking for arrays and tuples, and the "variable" escape — when the acceptable
//! values' type differs from the schema's, a value of the acceptable values' type passes and
//! is later compared by plain membership.

use super::pyops::{self, PyResult};
use crate::decode::value::{repr, PyType, PyValue};

/// The Python type a BFCL schema type name stands for in Python categories
/// (`PYTHON_TYPE_MAPPING`).
pub fn python_type(name: &str) -> Option<PyType> {
    Some(match name {
        "string" => PyType::Str,
        "integer" => PyType::Int,
        "float" => PyType::Float,
        "boolean" => PyType::Bool,
        "array" | "tuple" => PyType::List,
        "dict" => PyType::Dict,
        "any" => PyType::Str,
        _ => return None,
    })
}

/// `JAVA_TYPE_CONVERSION`.
pub fn java_type(name: &str) -> Option<PyType> {
    Some(match name {
        "byte" | "short" | "integer" | "long" => PyType::Int,
        "float" | "double" => PyType::Float,
        "boolean" => PyType::Bool,
        "char" | "String" | "any" => PyType::Str,
        "Array" | "ArrayList" | "Queue" | "Stack" => PyType::List,
        "Set" => PyType::Set,
        "HashMap" | "Hashtable" => PyType::Dict,
        _ => return None,
    })
}

/// `JS_TYPE_CONVERSION`.
pub fn js_type(name: &str) -> Option<PyType> {
    Some(match name {
        "String" | "any" => PyType::Str,
        "integer" | "Bigint" => PyType::Int,
        "float" => PyType::Float,
        "Boolean" => PyType::Bool,
        "dict" => PyType::Dict,
        "array" => PyType::List,
        _ => return None,
    })
}

/// `str(<class 'int'>)`, as BFCL passes a nested type's description.
fn class_text(t: PyType) -> String {
    format!("<class '{}'>", t.name())
}

/// What `type_checker` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeCheck {
    pub valid: bool,
    pub is_variable: bool,
    pub error_type: &'static str,
    pub error: String,
}

/// `get_possible_answer_type`: the type of the first acceptable value that is not `""`.
fn possible_answer_type(possible: &PyValue) -> PyResult<Option<PyType>> {
    for answer in pyops::iterate(possible)? {
        if !pyops::is_empty_str(&answer) {
            return Ok(Some(answer.py_type()));
        }
    }
    Ok(None)
}

/// `type_checker(param, value, possible_answer, expected_type_description,
/// expected_type_converted, nested_type_converted)`.
pub fn type_checker(
    param: &str,
    value: &PyValue,
    possible: &PyValue,
    expected_description: &str,
    expected: PyType,
    nested: Option<PyType>,
) -> PyResult<TypeCheck> {
    let mut result = TypeCheck {
        valid: true,
        is_variable: false,
        error_type: "type_error:simple",
        error: String::new(),
    };
    let pa_type = possible_answer_type(possible)?;
    let is_variable = pa_type.is_some_and(|t| t != expected);

    if value.py_type() == expected {
        let Some(nested) = nested else {
            result.is_variable = is_variable;
            return Ok(result);
        };
        for candidate in pyops::iterate(possible)? {
            let mut flag = true;
            if candidate.py_type() == PyType::List {
                for item in pyops::iterate(value)? {
                    let inner =
                        type_checker(param, &item, &candidate, &class_text(nested), nested, None)?;
                    if !inner.valid {
                        flag = false;
                        break;
                    }
                }
            }
            if flag {
                return Ok(TypeCheck {
                    valid: true,
                    is_variable,
                    error_type: "type_error:simple",
                    error: String::new(),
                });
            }
        }
        result.valid = false;
        result.error = format!(
            "Nested type checking failed for parameter {}. Expected outer type {} with inner type {}. Parameter value: {}.",
            repr(&PyValue::str(param)),
            expected_description,
            class_text(nested),
            repr(value)
        );
        result.error_type = "type_error:nested";
    }

    // A value of the acceptable values' type is a "variable" (this also returns the failed
    // nested result above unchanged, as BFCL's does).
    if let Some(t) = pa_type {
        if value.py_type() == t {
            result.is_variable = true;
            return Ok(result);
        }
    }
    result.valid = false;
    let msg = format!(
        "Incorrect type for parameter {}. Expected type {}, got {}. Parameter value: {}.",
        repr(&PyValue::str(param)),
        expected_description,
        value.py_type().name(),
        repr(value)
    );
    if result.error.is_empty() {
        result.error = msg;
    } else {
        result.error = format!("{} {}", result.error, msg);
    }
    result.error_type = "type_error:simple";
    Ok(result)
}
