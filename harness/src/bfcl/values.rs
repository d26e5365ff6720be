//! BFCL's value comparisons once a parameter's type is accepted: string normalization
//! (`standardize_string`), and the string, list, dict and list-of-dict checkers, with their
//! quirks — an optional `""` candidate standardizes to `[]` for lists, strings inside a dict
//! are normalized one level deep only, and the last failing candidate's error is reported.

use super::pyops::{self, PyResult};
use crate::decode::value::{repr, PyValue};

/// A failed check: BFCL's error type and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    pub error_type: String,
    pub error: String,
}

/// Outer `Err`: the official checker would raise. Inner: the check's verdict.
pub type CheckResult = PyResult<Result<(), Fail>>;

pub fn fail(error_type: &str, error: impl Into<String>) -> Result<(), Fail> {
    Err(Fail {
        error_type: error_type.to_string(),
        error: error.into(),
    })
}

/// `standardize_string`: drop spaces and `,./-_*^`, lowercase, `'` to `"`.
pub fn standardize_string(s: &str) -> String {
    let kept: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | ',' | '.' | '/' | '-' | '_' | '*' | '^'))
        .collect();
    kept.to_lowercase().replace('\'', "\"")
}

fn standardize_if_str(v: PyValue) -> PyValue {
    match v {
        PyValue::Str(s) => PyValue::Str(standardize_string(&s)),
        other => other,
    }
}

/// The standardized string candidates of a possible-answer list (`string_checker`).
pub fn string_checker(param: &str, value: &str, possible: &PyValue) -> CheckResult {
    let mut candidates = Vec::new();
    for i in 0..pyops::len(possible)? {
        if let PyValue::Str(s) = pyops::index(possible, i)? {
            candidates.push(PyValue::Str(standardize_string(&s)));
        }
    }
    let out = PyValue::Str(standardize_string(value));
    if !candidates.contains(&out) {
        return Ok(fail(
            "value_error:string",
            format!(
                "Invalid value for parameter {}: {}. Expected one of {}. Case insensitive.",
                repr(&PyValue::str(param)),
                repr(&PyValue::str(value)),
                repr(possible)
            ),
        ));
    }
    Ok(Ok(()))
}

/// `list_checker`: top-level string elements standardized on both sides, then the whole list
/// must equal one candidate.
pub fn list_checker(param: &str, value: &[PyValue], possible: &PyValue) -> CheckResult {
    let out = PyValue::List(value.iter().cloned().map(standardize_if_str).collect());
    let mut candidates = Vec::new();
    for i in 0..pyops::len(possible)? {
        let candidate = pyops::index(possible, i)?;
        let mut items = Vec::new();
        for j in 0..pyops::len(&candidate)? {
            items.push(standardize_if_str(pyops::index(&candidate, j)?));
        }
        candidates.push(PyValue::List(items));
    }
    if !candidates.contains(&out) {
        return Ok(fail(
            "value_error:list/tuple",
            format!(
                "Invalid value for parameter {}: {}. Expected one of {}.",
                repr(&PyValue::str(param)),
                repr(&PyValue::List(value.to_vec())),
                repr(possible)
            ),
        ));
    }
    Ok(Ok(()))
}

/// `dict_checker`: some non-`""` candidate must contain every output key with the
/// (standardized) value among that key's acceptable values, and every key the output omits
/// must allow `""`. The last candidate's failure is reported.
pub fn dict_checker(_param: &str, value: &PyValue, possible: &PyValue) -> CheckResult {
    let unclear = || fail("dict_checker:unclear", "");
    let mut result = unclear();
    for i in 0..pyops::len(possible)? {
        let candidate = pyops::index(possible, i)?;
        if pyops::is_empty_str(&candidate) {
            continue;
        }
        result = unclear();
        let mut ok = true;
        for (key, v) in pyops::items(value)? {
            if !pyops::contains(&candidate, &key)? {
                result = fail(
                    "value_error:dict_key",
                    format!("Unexpected dict key parameter: '{}'.", display_key(&key)),
                );
                ok = false;
                break;
            }
            let standardized = standardize_if_str(v.clone());
            let acceptable = pyops::getitem(&candidate, &key)?;
            let mut options = Vec::new();
            for j in 0..pyops::len(&acceptable)? {
                options.push(standardize_if_str(pyops::index(&acceptable, j)?));
            }
            if !options.contains(&standardized) {
                result = fail(
                    "value_error:dict_value",
                    format!(
                        "Invalid value for parameter {}: {}. Expected one of {}.",
                        repr(&key),
                        repr(&v),
                        repr(&PyValue::List(options))
                    ),
                );
                ok = false;
                break;
            }
        }
        for (key, acceptable) in pyops::items(&candidate)? {
            if !pyops::contains(value, &key)? && !pyops::contains(&acceptable, &PyValue::str(""))? {
                result = fail(
                    "value_error:dict_key",
                    format!("Missing dict key parameter: '{}'.", display_key(&key)),
                );
                ok = false;
                break;
            }
        }
        if ok {
            return Ok(Ok(()));
        }
    }
    Ok(result)
}

fn display_key(k: &PyValue) -> String {
    match k {
        PyValue::Str(s) => s.clone(),
        other => repr(other),
    }
}

/// `list_dict_checker`: a candidate list of the same length whose dicts match element-wise.
pub fn list_dict_checker(param: &str, value: &[PyValue], possible: &PyValue) -> CheckResult {
    let mut result = fail("list_dict_checker:unclear", "");
    for a in 0..pyops::len(possible)? {
        let candidate = pyops::index(possible, a)?;
        if value.len() != pyops::len(&candidate)? {
            result = fail(
                "value_error:list_dict_count",
                "Wrong number of dictionaries in the list.",
            );
            continue;
        }
        let mut ok = true;
        for (d, item) in value.iter().enumerate() {
            let one = PyValue::List(vec![pyops::index(&candidate, d)?]);
            result = dict_checker(param, item, &one)?;
            if result.is_err() {
                ok = false;
                break;
            }
        }
        if ok {
            return Ok(Ok(()));
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardization() {
        assert_eq!(standardize_string("April 1, 2024"), "april12024");
        assert_eq!(standardize_string("New-York_City"), "newyorkcity");
        assert_eq!(standardize_string("it's"), "it\"s");
    }

    #[test]
    fn empty_candidate_matches_empty_list() {
        let possible = PyValue::List(vec![PyValue::str("")]);
        assert_eq!(list_checker("p", &[], &possible), Ok(Ok(())));
    }
}
