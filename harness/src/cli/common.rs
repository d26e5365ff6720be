//! Arguments shared by every subcommand that loads a model.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use thimble_runtime::source::{self, Loaded};

/// Where the model comes from and what it runs on.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Model directory (config.json, model.safetensors, tokenizer.model) or
    /// `synthetic:<preset>[:key=value,...]` (presets: needle1-26m, needle1-tiny, needle1-micro).
    #[arg(long, default_value = "fixtures/needle-tiny")]
    pub model: String,
    /// Kernel backend (see `thimble backends`).
    #[arg(long, default_value = "gemm")]
    pub backend: String,
    /// Worker threads (0 = all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// SentencePiece model to use instead of (or, for synthetic models, in the absence of) the
    /// model directory's tokenizer.model.
    #[arg(long)]
    pub tokenizer: Option<PathBuf>,
}

impl ModelArgs {
    pub fn load(&self) -> Result<Loaded> {
        let backend = thimble_runtime::backend_by_name(&self.backend, self.threads)?;
        source::load(&self.model, backend, self.tokenizer.as_deref())
            .with_context(|| format!("loading model `{}`", self.model))
    }
}
