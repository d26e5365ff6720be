//! One file per `thimble` subcommand: each owns its clap arguments and its `run`.

pub mod backends;
pub mod common;
pub mod generate;
pub mod logits;
pub mod score;
pub mod suite;
