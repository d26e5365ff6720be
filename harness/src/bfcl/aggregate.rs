//! BFCL's leaderboard aggregation (`generate_leaderboard_csv`) for the single-turn columns:
//! per-category accuracy; non-live "simple" as the unweighted mean of the three simple
//! categories; non-live AST as the unweighted mean of simple, multiple, parallel and
//! parallel_multiple; live AST weighted by entry count; irrelevance as the unweighted mean of
//! irrelevance and live_irrelevance. A category that was not run counts as 0 (BFCL shows it as
//! N/A) and marks every summary it feeds as incomplete.

use std::collections::BTreeMap;

use serde::Serialize;

use super::category::CATEGORIES;

/// One category's or summary's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Score {
    pub accuracy: f64,
    pub total_count: usize,
    /// False when a contributing category was not run (BFCL's "N/A").
    pub complete: bool,
}

/// Correct and total counts for one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub correct: usize,
    pub total: usize,
}

impl Tally {
    pub fn accuracy(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.correct as f64 / self.total as f64
        }
    }
}

/// Entry counts of the single-turn categories, which BFCL uses for categories not run.
pub fn entry_count(category: &str) -> usize {
    match category {
        "simple_python" => 400,
        "simple_java" => 100,
        "simple_javascript" => 50,
        "multiple" | "parallel" | "parallel_multiple" => 200,
        "irrelevance" => 240,
        "live_simple" => 258,
        "live_multiple" => 1053,
        "live_parallel" => 16,
        "live_parallel_multiple" => 24,
        "live_irrelevance" => 884,
        "live_relevance" => 16,
        _ => 0,
    }
}

fn category_score(tallies: &BTreeMap<String, Tally>, category: &str) -> Score {
    match tallies.get(category) {
        Some(t) => Score {
            accuracy: t.accuracy(),
            total_count: t.total,
            complete: true,
        },
        None => Score {
            accuracy: 0.0,
            total_count: entry_count(category),
            complete: false,
        },
    }
}

/// `calculate_unweighted_accuracy`.
pub fn unweighted(scores: &[Score]) -> Score {
    Score {
        accuracy: scores.iter().map(|s| s.accuracy).sum::<f64>() / scores.len().max(1) as f64,
        total_count: scores.iter().map(|s| s.total_count).sum(),
        complete: scores.iter().all(|s| s.complete),
    }
}

/// `calculate_weighted_accuracy`.
pub fn weighted(scores: &[Score]) -> Score {
    let total: usize = scores.iter().map(|s| s.total_count).sum();
    let sum: f64 = scores
        .iter()
        .map(|s| s.accuracy * s.total_count as f64)
        .sum();
    Score {
        accuracy: if total == 0 { 0.0 } else { sum / total as f64 },
        total_count: total,
        complete: scores.iter().all(|s| s.complete),
    }
}

/// The single-turn leaderboard columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub categories: BTreeMap<String, Score>,
    pub non_live_simple: Score,
    pub non_live_ast: Score,
    pub live_ast: Score,
    pub irrelevance: Score,
    pub relevance: Score,
}

/// Aggregates per-category tallies as the BFCL leaderboard does.
pub fn summarize(tallies: &BTreeMap<String, Tally>) -> Summary {
    let c = |name: &str| category_score(tallies, name);
    let non_live_simple =
        unweighted(&[c("simple_python"), c("simple_java"), c("simple_javascript")]);
    let non_live_ast = unweighted(&[
        non_live_simple,
        c("multiple"),
        c("parallel"),
        c("parallel_multiple"),
    ]);
    let live_ast = weighted(&[
        c("live_simple"),
        c("live_multiple"),
        c("live_parallel"),
        c("live_parallel_multiple"),
    ]);
    let irrelevance = unweighted(&[c("irrelevance"), c("live_irrelevance")]);
    let relevance = c("live_relevance");
    let categories = CATEGORIES
        .iter()
        .filter(|name| tallies.contains_key(**name))
        .map(|name| (name.to_string(), c(name)))
        .collect();
    Summary {
        categories,
        non_live_simple,
        non_live_ast,
        live_ast,
        irrelevance,
        relevance,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_follow_bfcl_formulas() {
        let mut t = BTreeMap::new();
        t.insert(
            "simple_python".to_string(),
            Tally {
                correct: 200,
                total: 400,
            },
        );
        t.insert(
            "simple_java".to_string(),
            Tally {
                correct: 100,
                total: 100,
            },
        );
        t.insert(
            "simple_javascript".to_string(),
            Tally {
                correct: 0,
                total: 50,
            },
        );
        t.insert(
            "live_simple".to_string(),
            Tally {
                correct: 258,
                total: 258,
            },
        );
        t.insert(
            "live_multiple".to_string(),
            Tally {
                correct: 0,
                total: 1053,
            },
        );
        let s = summarize(&t);
        assert!((s.non_live_simple.accuracy - 0.5).abs() < 1e-12);
        assert!(s.non_live_simple.complete);
        assert!(!s.non_live_ast.complete);
        assert!((s.non_live_ast.accuracy - 0.125).abs() < 1e-12);
        // Missing live categories count as 0 with their full entry counts.
        assert!((s.live_ast.accuracy - 258.0 / (258.0 + 1053.0 + 16.0 + 24.0)).abs() < 1e-12);
    }
}
