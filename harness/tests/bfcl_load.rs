//! Loading the shipped BFCL categories, and clear errors (file, line, what was expected) on
//! bad input: malformed lines, missing fields, unknown categories, misaligned answer files.

use std::path::{Path, PathBuf};

use thimble_harness::bfcl::category::CATEGORIES;
use thimble_harness::bfcl::load::{load_category, load_files, load_suite};
use thimble_harness::suite::{Dialect, Expected};

fn suites() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../suites")
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("thimble-bfcl-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const Q1: &str = r#"{"id": "simple_python_0", "question": [[{"role": "user", "content": "hi"}]], "function": [{"name": "f", "description": "", "parameters": {"type": "dict", "properties": {}, "required": []}}]}"#;
const Q2: &str = r#"{"id": "simple_python_1", "question": [[{"role": "user", "content": "yo"}]], "function": []}"#;
const A1: &str = r#"{"id": "simple_python_0", "ground_truth": [{"f": {}}]}"#;
const A2: &str = r#"{"id": "simple_python_1", "ground_truth": [{"f": {}}]}"#;

#[test]
fn all_categories_load_with_published_counts() {
    let mut total = 0;
    let mut with_answers = 0;
    for cat in CATEGORIES {
        let suite = load_category(&suites(), cat).unwrap();
        assert_eq!(suite.name, format!("bfcl:{cat}"));
        assert_eq!(suite.sha256.len(), 64);
        total += suite.examples.len();
        for ex in &suite.examples {
            assert_eq!(ex.dialect, Dialect::Bfcl);
            assert_eq!(&ex.category, cat);
            assert!(!ex.messages.is_empty(), "{}", ex.id);
            if let Expected::BfclGroundTruth { ground_truth } = &ex.expected {
                assert!(!ground_truth.is_empty(), "{}", ex.id);
                with_answers += 1;
            }
        }
    }
    assert_eq!(total, 3641);
    assert_eq!(with_answers, 2501);
    let irr = load_category(&suites(), "live_irrelevance").unwrap();
    assert!(irr.examples.iter().all(|e| e.expected == Expected::NoCall));
    assert_eq!(
        irr.examples.iter().filter(|e| e.tools.is_empty()).count(),
        4
    );
    let rel = load_category(&suites(), "live_relevance").unwrap();
    assert!(rel.examples.iter().all(|e| e.expected == Expected::AnyCall));
}

#[test]
fn system_messages_are_kept_in_order() {
    let s = load_category(&suites(), "live_irrelevance").unwrap();
    assert!(s
        .examples
        .iter()
        .any(|e| e.messages.first().is_some_and(|m| m.role == "system")));
}

#[test]
fn unknown_category_lists_the_categories() {
    let err = load_category(&suites(), "simple_rust")
        .unwrap_err()
        .to_string();
    assert!(err.contains("simple_rust"), "{err}");
    assert!(
        err.contains("live_relevance") && err.contains("simple_python"),
        "{err}"
    );
    let err = load_suite("assistant:test").unwrap_err().to_string();
    assert!(err.contains("bfcl:<category>"), "{err}");
}

#[test]
fn malformed_line_names_file_and_line() {
    let q = scratch(
        "malformed_q.json",
        &format!("{Q1}\n{{\"id\": \"simple_python_1\", \n"),
    );
    let err = load_files("simple_python", &q, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("malformed_q.json:2"), "{err}");
    assert!(err.contains("malformed JSON"), "{err}");
}

#[test]
fn missing_field_names_file_line_and_field() {
    let q = scratch(
        "missing_q.json",
        &format!("{Q1}\n{{\"id\": \"simple_python_1\", \"function\": []}}\n"),
    );
    let err = load_files("simple_python", &q, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing_q.json:2"), "{err}");
    assert!(err.contains("question"), "{err}");
}

#[test]
fn misaligned_answers_name_both_ids_and_the_line() {
    let q = scratch("align_q.json", &format!("{Q1}\n{Q2}\n"));
    let a = scratch("align_a.json", &format!("{A2}\n{A1}\n"));
    let err = load_files("simple_python", &q, Some(&a))
        .unwrap_err()
        .to_string();
    assert!(err.contains("align_a.json:1"), "{err}");
    assert!(
        err.contains("simple_python_0") && err.contains("simple_python_1"),
        "{err}"
    );
}

#[test]
fn answer_count_mismatch_is_reported() {
    let q = scratch("count_q.json", &format!("{Q1}\n{Q2}\n"));
    let a = scratch("count_a.json", &format!("{A1}\n"));
    let err = load_files("simple_python", &q, Some(&a))
        .unwrap_err()
        .to_string();
    assert!(err.contains("2 entries") && err.contains("has 1"), "{err}");
}

#[test]
fn answer_category_without_answer_file_is_an_error() {
    let q = scratch("noanswer_q.json", &format!("{Q1}\n"));
    let err = load_files("simple_python", &q, None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("possible-answer"), "{err}");
    let missing = Path::new("/nonexistent/answers.json");
    let err = load_files("simple_python", &q, Some(missing))
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/answers.json"), "{err}");
}

#[test]
fn multi_turn_entries_are_rejected() {
    let q = scratch(
        "multi_q.json",
        r#"{"id": "simple_python_0", "question": [[{"role": "user", "content": "a"}], [{"role": "user", "content": "b"}]], "function": []}"#,
    );
    let err = load_files("simple_python", &q, None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("multi_q.json:1") && err.contains("2 turns"),
        "{err}"
    );
}
