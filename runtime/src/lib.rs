//! `thimble-runtime`: loads Needle 1 models and runs their forward pass and greedy generation
//! on a kernel backend chosen at run time.
//!
//! Data flows one way: [`source`] resolves a model (directory or `synthetic:` preset) into a
//! [`config::Config`] plus [`weights::Weights`]; [`model::Model`] binds them to a
//! [`backend::Backend`]; [`generate`] applies Needle's I/O contract around the forward pass,
//! using the SentencePiece [`tokenizer`] and the [`tools`] normalization, optionally masking
//! each step with a grammar compiled from the tools ([`constrain`]).

pub mod backend;
pub mod config;
pub mod constrain;
pub mod error;
pub mod generate;
pub mod model;
pub mod ops;
pub mod roofline;
pub mod source;
pub mod synthetic;
pub mod tokenizer;
pub mod tools;
pub mod weights;

pub use backend::{by_name as backend_by_name, Backend, BACKENDS};
pub use config::Config;
pub use error::{Error, Result};
