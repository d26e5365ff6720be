//! BFCL single-turn evaluation: loading the shipped categories, the official AST checker
//! and relevance rules re-implemented verdict for verdict, and leaderboard aggregation.

pub mod aggregate;
pub mod category;
pub mod checker;
pub mod java_types;
pub mod js_types;
pub mod load;
pub mod pyops;
pub mod render;
pub mod score;
pub mod types;
pub mod values;

pub use checker::NameMapping;
pub use score::{check, check_decoded, score_output, OutputFormat, ScoreOptions, Verdict};
