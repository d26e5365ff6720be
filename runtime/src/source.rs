//! Resolving a model source — a model directory or a `synthetic:` spec — into a ready model
//! and its tokenizer.
//!
//! A model directory holds `config.json`, `model.safetensors` and optionally `tokenizer.model`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::Backend;
use crate::config::{Config, PRESETS};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::synthetic;
use crate::tokenizer::Tokenizer;
use crate::weights::Weights;

/// What was loaded, for provenance and messages.
#[derive(Debug, Clone)]
pub struct ModelInfo {
    /// The spec as the user gave it.
    pub source: String,
    /// dtype of the stored weights.
    pub dtype: String,
    /// Files the model was read from (empty for synthetic), for hashing.
    pub files: Vec<PathBuf>,
    /// Tensors in the file that generation does not use.
    pub ignored_tensors: Vec<String>,
    /// Parameters the forward pass uses.
    pub parameters: usize,
}

/// A model bound to a backend, with its tokenizer when one is available.
pub struct Loaded {
    pub model: Model,
    pub tokenizer: Option<Tokenizer>,
    pub info: ModelInfo,
}

/// Loads `spec` on `backend`. `tokenizer` overrides (or supplies) the tokenizer; paired with a
/// `synthetic:` spec that sets no `vocab_size`, the vocabulary follows the tokenizer.
pub fn load(spec: &str, backend: Arc<dyn Backend>, tokenizer: Option<&Path>) -> Result<Loaded> {
    let tok = tokenizer.map(Tokenizer::load).transpose()?;
    let (config, weights, mut files, tok) = if let Some(rest) = spec.strip_prefix("synthetic:") {
        let mut s = synthetic::parse(rest)?;
        if let Some(t) = &tok {
            if !rest.contains("vocab_size=") {
                s.config.vocab_size = t.vocab_size();
            }
        }
        let w = synthetic::weights(&s, spec)?;
        (s.config, w, Vec::new(), tok)
    } else {
        let dir = Path::new(spec);
        if !dir.is_dir() {
            return Err(Error::UnknownModel(spec.to_string(), PRESETS.join(", ")));
        }
        let cfg_path = dir.join("config.json");
        let st_path = dir.join("model.safetensors");
        let config = Config::load(&cfg_path)?;
        let weights = Weights::load(&st_path, &config)?;
        let mut files = vec![cfg_path, st_path];
        let tok = match tok {
            Some(t) => Some(t),
            None => {
                let p = dir.join("tokenizer.model");
                if p.exists() {
                    let t = Tokenizer::load(&p)?;
                    files.push(p);
                    Some(t)
                } else {
                    None
                }
            }
        };
        (config, weights, files, tok)
    };
    if let Some(p) = tokenizer {
        files.push(p.to_path_buf());
    }
    if let Some(t) = &tok {
        if t.vocab_size() > config.vocab_size {
            return Err(Error::Input(format!(
                "the tokenizer has {} pieces but the model's vocabulary is {}",
                t.vocab_size(),
                config.vocab_size
            )));
        }
    }
    let parameters = crate::weights::expected_tensors(&config)
        .iter()
        .map(|t| t.shape.iter().product::<usize>())
        .sum();
    let info = ModelInfo {
        source: spec.to_string(),
        dtype: weights.dtype.clone(),
        files,
        ignored_tensors: weights.ignored.clone(),
        parameters,
    };
    Ok(Loaded {
        model: Model::new(config, weights, backend),
        tokenizer: tok,
        info,
    })
}
