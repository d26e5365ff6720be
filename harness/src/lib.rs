//! `thimble-harness`: suites, output decoders, scorers and the runner behind the `thimble` CLI.
//!
//! Data flows one way: suite → prompt → runtime → raw output → decoded calls → verdicts →
//! results → gate/report.

pub mod assistant;
mod atomic;
pub mod bench;
pub mod bfcl;
pub mod call;
pub mod cli;
pub mod decode;
pub mod dialect;
pub mod fuzz;
pub mod gate;
pub mod merge;
pub mod metrics;
pub mod needle_jsonl;
pub mod provenance;
pub mod report;
pub mod resolve;
pub mod run;
pub mod stats;
pub mod suite;
pub mod transform;
