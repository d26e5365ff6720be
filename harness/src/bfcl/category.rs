//! The 13 BFCL single-turn categories: their names and files, and the per-category choices
//! the official pipeline makes by substring tests on the name (language, checker, relevance).

/// The language BFCL checks a category's argument values in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    Java,
    JavaScript,
}

/// Single-turn category names, in BFCL's leaderboard order.
pub const CATEGORIES: [&str; 13] = [
    "simple_python",
    "simple_java",
    "simple_javascript",
    "multiple",
    "parallel",
    "parallel_multiple",
    "irrelevance",
    "live_simple",
    "live_multiple",
    "live_parallel",
    "live_parallel_multiple",
    "live_irrelevance",
    "live_relevance",
];

/// Whether `name` is one of the single-turn categories.
pub fn is_category(name: &str) -> bool {
    CATEGORIES.contains(&name)
}

/// `is_js` / `is_java` from `bfcl_eval.utils`.
pub fn language(category: &str) -> Language {
    if category.contains("javascript") {
        Language::JavaScript
    } else if category.contains("java") {
        Language::Java
    } else {
        Language::Python
    }
}

/// `is_relevance_or_irrelevance`: scored by "did a call decode", without an answer file.
pub fn is_relevance_or_irrelevance(category: &str) -> bool {
    category.contains("relevance") || category.contains("irrelevance")
}

/// Irrelevance categories pass when no call decodes (live_relevance when one does).
pub fn is_irrelevance(category: &str) -> bool {
    category.contains("irrelevance")
}

/// The question file name, `BFCL_v4_<category>.json`.
pub fn file_name(category: &str) -> String {
    format!("BFCL_v4_{category}.json")
}
