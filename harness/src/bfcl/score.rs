//! Scoring one model output against one BFCL example the way the official evaluation runner
//! does (`_evaluate_single_ast_entry` / `_evaluate_single_relevance_entry`): decode with the
//! decoder the output format implies, then either the AST checker or the relevance rule.
//!
//! Relevance is decided by the same decoder as everything else in that format: in prompt
//! format prose or any unparsable text counts as "no call"; in JSON format only a decodable
//! JSON call list counts as a call. `[]`, and a call list whose arguments are not objects,
//! count as no call.

use serde::{Deserialize, Serialize};

use super::category::{is_irrelevance, language, Language};
use super::checker::{ast_checker, crash_error_type, NameMapping};
use crate::call::Call;
use crate::decode::{self, DecodeError, DecodeErrorKind, PyCall};
use crate::suite::{Example, Expected};

/// The format the model was prompted to answer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum OutputFormat {
    /// BFCL's prompt format: a Python list of calls (Java/JavaScript syntax in those
    /// categories), decoded by `default_decode_ast_prompting`.
    Prompt,
    /// JSON function calling, `[{"name", "arguments"}]`, decoded as BFCL's xLAM handler does.
    Json,
}

impl std::str::FromStr for OutputFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<OutputFormat, String> {
        match s {
            "prompt" | "python" => Ok(OutputFormat::Prompt),
            "json" | "fc" => Ok(OutputFormat::Json),
            other => Err(format!(
                "unknown output format '{other}' (expected prompt or json)"
            )),
        }
    }
}

/// Scoring options beyond the output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScoreOptions {
    pub format: OutputFormat,
    pub mapping: NameMapping,
}

/// The verdict for one output, in BFCL's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub valid: bool,
    /// BFCL's error type (`simple_function_checker:wrong_func_name`, ...); `None` when valid.
    /// `checker_exception:<Python exception>` marks outputs on which the official checker
    /// itself raises (and the official run would abort).
    pub error_type: Option<String>,
    /// A human-readable reason; `None` when valid.
    pub error: Option<String>,
}

impl Verdict {
    pub fn ok() -> Verdict {
        Verdict {
            valid: true,
            error_type: None,
            error: None,
        }
    }

    pub fn fail(error_type: impl Into<String>, error: impl Into<String>) -> Verdict {
        Verdict {
            valid: false,
            error_type: Some(error_type.into()),
            error: Some(error.into()),
        }
    }
}

/// Decodes an output with the decoder BFCL would use for this example's category in
/// `format` for AST checking (relevance categories always use the Python/JSON decoder).
pub fn decode_output(
    category: &str,
    output: &str,
    format: OutputFormat,
    for_relevance: bool,
) -> Result<Vec<PyCall>, DecodeError> {
    match format {
        OutputFormat::Json => decode::json::decode_json(output),
        OutputFormat::Prompt => {
            if for_relevance {
                return decode::python::decode_python(output);
            }
            match language(category) {
                Language::Python => decode::python::decode_python(output),
                Language::Java => decode::java::decode_java(output),
                Language::JavaScript => decode::javascript::decode_javascript(output),
            }
        }
    }
}

fn is_relevance(example: &Example) -> bool {
    matches!(example.expected, Expected::NoCall | Expected::AnyCall)
}

/// Checks already-decoded calls (exact Python values) against an example.
pub fn check_decoded(
    example: &Example,
    decoded: Result<Vec<PyCall>, DecodeError>,
    mapping: NameMapping,
) -> Verdict {
    match &example.expected {
        Expected::NoCall | Expected::AnyCall => {
            // `is_empty_output`: a wrong format or an empty list is no call.
            let (has_call, why) = match &decoded {
                Ok(calls) => (!calls.is_empty(), String::new()),
                Err(e) => (false, e.to_string()),
            };
            if is_irrelevance(&example.category) || matches!(example.expected, Expected::NoCall) {
                if has_call {
                    Verdict::fail(
                        "irrelevance_error:decoder_success",
                        "Valid syntax. Successfully decode AST when it should not.",
                    )
                } else {
                    Verdict::ok()
                }
            } else if has_call {
                Verdict::ok()
            } else {
                Verdict::fail(
                    "relevance_error:decoder_failed",
                    format!("Invalid syntax. Failed to decode AST when it should have. {why}"),
                )
            }
        }
        Expected::BfclGroundTruth { ground_truth } => {
            let calls = match decoded {
                Ok(calls) => calls,
                Err(e) => {
                    return match e.kind {
                        DecodeErrorKind::Syntax => Verdict::fail(
                            "ast_decoder:decoder_failed",
                            format!("Invalid syntax. Failed to decode AST. {}", e.message),
                        ),
                        DecodeErrorKind::WrongFormat => Verdict::fail(
                            "ast_decoder:decoder_wrong_output_format",
                            format!("Did not output in the specified format. {}", e.message),
                        ),
                    }
                }
            };
            let functions = serde_json::Value::Array(example.tools.clone());
            match ast_checker(
                &functions,
                &calls,
                ground_truth,
                language(&example.category),
                &example.category,
                mapping,
            ) {
                Ok(Ok(())) => Verdict::ok(),
                Ok(Err(f)) => Verdict::fail(f.error_type, f.error),
                Err(c) => Verdict::fail(crash_error_type(&c), c.message),
            }
        }
        Expected::Calls { .. } => Verdict::fail(
            "bfcl:unsupported_expected",
            "the BFCL checker scores BFCL ground truths and relevance examples only",
        ),
    }
}

/// Checks JSON-valued calls (for callers that decoded with another decoder).
pub fn check(
    example: &Example,
    decoded: Result<Vec<Call>, DecodeError>,
    mapping: NameMapping,
) -> Verdict {
    check_decoded(
        example,
        decoded.map(|calls| calls.iter().map(PyCall::from_call).collect()),
        mapping,
    )
}

/// Decodes and scores one raw model output as the official pipeline would.
pub fn score_output(example: &Example, output: &str, opts: ScoreOptions) -> Verdict {
    let decoded = decode_output(
        &example.category,
        output,
        opts.format,
        is_relevance(example),
    );
    check_decoded(example, decoded, opts.mapping)
}
