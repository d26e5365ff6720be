//! Loading a BFCL single-turn category from its question file and possible-answer file
//! (JSON Lines despite `.json`, aligned by line and id) into [`Example`]s: dialect BFCL, tools
//! as given, the single turn's messages, and the expected answer the category implies.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::category::{
    file_name, is_category, is_irrelevance, is_relevance_or_irrelevance, CATEGORIES,
};
use crate::suite::{Dialect, Example, Expected, Message, Suite};

/// Why a category could not be loaded; every variant names the file (and line) at fault.
#[derive(Debug, Error)]
pub enum LoadError {
    #[error("unknown BFCL category '{name}'; single-turn categories are: {}", CATEGORIES.join(", "))]
    UnknownCategory { name: String },
    #[error("suite address '{address}' is not of the form bfcl:<category>")]
    BadAddress { address: String },
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: malformed JSON line: {source}", path.display())]
    Json {
        path: PathBuf,
        line: usize,
        source: serde_json::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    Entry {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error(
        "{}:{line}: answer id '{answer_id}' does not match question id '{question_id}' (question file {}, same entry)",
        answers.display(),
        questions.display()
    )]
    Misaligned {
        questions: PathBuf,
        answers: PathBuf,
        line: usize,
        question_id: String,
        answer_id: String,
    },
    #[error("{} has {questions} entries but {} has {answers}", question_path.display(), answer_path.display())]
    CountMismatch {
        question_path: PathBuf,
        answer_path: PathBuf,
        questions: usize,
        answers: usize,
    },
}

#[derive(Deserialize)]
struct QuestionLine {
    id: String,
    question: Vec<Vec<Message>>,
    #[serde(default)]
    function: Vec<Value>,
}

#[derive(Deserialize)]
struct AnswerLine {
    id: String,
    ground_truth: Vec<Value>,
}

/// Non-blank lines with their 1-based line numbers.
fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .filter(|(_, l)| !l.trim().is_empty())
}

fn read(path: &Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn utf8(path: &Path, bytes: &[u8]) -> Result<String, LoadError> {
    String::from_utf8(bytes.to_vec()).map_err(|e| LoadError::Entry {
        path: path.to_path_buf(),
        line: 1 + bytes[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        message: "file is not valid UTF-8".into(),
    })
}

fn parse_line<T: for<'de> Deserialize<'de>>(
    path: &Path,
    line: usize,
    text: &str,
) -> Result<T, LoadError> {
    serde_json::from_str(text).map_err(|source| LoadError::Json {
        path: path.to_path_buf(),
        line,
        source,
    })
}

/// Loads a category from explicit files; `answers` is required unless the category is a
/// relevance/irrelevance one. Returns the examples and the sha256 of the bytes read.
pub fn load_files(
    category: &str,
    questions: &Path,
    answers: Option<&Path>,
) -> Result<(Vec<Example>, String), LoadError> {
    if !is_category(category) {
        return Err(LoadError::UnknownCategory {
            name: category.to_string(),
        });
    }
    let q_bytes = read(questions)?;
    let mut hasher = Sha256::new();
    hasher.update(&q_bytes);
    let q_text = utf8(questions, &q_bytes)?;

    let mut examples = Vec::new();
    for (line, text) in lines(&q_text) {
        let q: QuestionLine = parse_line(questions, line, text)?;
        if q.question.len() != 1 {
            return Err(LoadError::Entry {
                path: questions.to_path_buf(),
                line,
                message: format!(
                    "entry '{}' has {} turns; single-turn categories have exactly one",
                    q.id,
                    q.question.len()
                ),
            });
        }
        let messages = q.question.into_iter().next().unwrap_or_default();
        let expected = if is_irrelevance(category) {
            Expected::NoCall
        } else if is_relevance_or_irrelevance(category) {
            Expected::AnyCall
        } else {
            Expected::BfclGroundTruth {
                ground_truth: Vec::new(),
            }
        };
        examples.push(Example {
            id: q.id,
            category: category.to_string(),
            kind: None,
            messages,
            tools: q.function,
            dialect: Dialect::Bfcl,
            expected,
        });
    }

    if !is_relevance_or_irrelevance(category) {
        let Some(answers) = answers else {
            return Err(LoadError::Entry {
                path: questions.to_path_buf(),
                line: 1,
                message: format!("category '{category}' needs a possible-answer file"),
            });
        };
        let a_bytes = read(answers)?;
        hasher.update(&a_bytes);
        let a_text = utf8(answers, &a_bytes)?;
        let mut count = 0;
        for (idx, (line, text)) in lines(&a_text).enumerate() {
            let a: AnswerLine = parse_line(answers, line, text)?;
            count += 1;
            let Some(example) = examples.get_mut(idx) else {
                continue;
            };
            if a.id != example.id {
                return Err(LoadError::Misaligned {
                    questions: questions.to_path_buf(),
                    answers: answers.to_path_buf(),
                    line,
                    question_id: example.id.clone(),
                    answer_id: a.id,
                });
            }
            example.expected = Expected::BfclGroundTruth {
                ground_truth: a.ground_truth,
            };
        }
        if count != examples.len() {
            return Err(LoadError::CountMismatch {
                question_path: questions.to_path_buf(),
                answer_path: answers.to_path_buf(),
                questions: examples.len(),
                answers: count,
            });
        }
    }
    let sha = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Ok((examples, sha))
}

/// Loads `category` from `<suites>/bfcl/data` and `<suites>/bfcl/possible_answer`.
pub fn load_category(suites: &Path, category: &str) -> Result<Suite, LoadError> {
    if !is_category(category) {
        return Err(LoadError::UnknownCategory {
            name: category.to_string(),
        });
    }
    let root = suites.join("bfcl");
    let questions = root.join("data").join(file_name(category));
    let answers = root.join("possible_answer").join(file_name(category));
    let answers = (!is_relevance_or_irrelevance(category)).then_some(answers);
    let (examples, sha256) = load_files(category, &questions, answers.as_deref())?;
    Ok(Suite {
        name: format!("bfcl:{category}"),
        sha256,
        examples,
    })
}

/// Resolves a `bfcl:<category>` address against [`crate::resolve::suites_dir`].
pub fn load_suite(address: &str) -> Result<Suite, LoadError> {
    let Some(category) = address.strip_prefix("bfcl:") else {
        return Err(LoadError::BadAddress {
            address: address.to_string(),
        });
    };
    load_category(&crate::resolve::suites_dir(), category)
}
