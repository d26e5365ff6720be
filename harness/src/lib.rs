//! `thimble-harness`: suites, output decoders, scorers and the runner behind the `thimble` CLI.
//!
//! Data flows one way: suite → prompt → runtime → raw output → decoded calls → verdicts →
//! results → gate/report.

pub mod call;
pub mod suite;
pub mod cli;
pub mod dialect;
pub mod stats;
pub mod needle_jsonl;
pub mod metrics;
pub mod provenance;
pub mod decode;
pub mod resolve;
pub mod run;
pub mod assistant;
pub mod bench;
pub mod bfcl;
