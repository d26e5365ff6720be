//! `synthetic:` model sources: seeded random weights for any config, so throughput and the
//! whole pipeline can be exercised without weight files.
//!
//! Syntax: `synthetic:<preset>[:key=value,...]` where keys are integer config fields
//! (`vocab_size`, `d_model`, `num_heads`, `num_kv_heads`, `head_dim`, `num_encoder_layers`,
//! `num_decoder_layers`, `max_encoder_tokens`, `max_decoder_tokens`) or `seed`.

use std::collections::HashMap;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::config::{Config, PRESETS};
use crate::error::{Error, Result};
use crate::weights::{expected_tensors, Weights};

/// A parsed `synthetic:` spec.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticSpec {
    pub config: Config,
    pub seed: u64,
}

/// Parses the part after `synthetic:`.
pub fn parse(spec: &str) -> Result<SyntheticSpec> {
    let (preset, overrides) = spec.split_once(':').unwrap_or((spec, ""));
    let mut config = Config::preset(preset)
        .ok_or_else(|| Error::UnknownModel(format!("synthetic:{spec}"), PRESETS.join(", ")))?;
    let mut seed = 0u64;
    for kv in overrides.split(',').filter(|s| !s.is_empty()) {
        let (key, value) = kv
            .split_once('=')
            .ok_or_else(|| Error::Input(format!("synthetic override `{kv}` is not key=value")))?;
        let n: u64 = value.parse().map_err(|_| {
            Error::Input(format!(
                "synthetic override `{key}` needs a non-negative integer, got `{value}`"
            ))
        })?;
        let as_usize = n as usize;
        match key {
            "seed" => seed = n,
            "vocab_size" => config.vocab_size = as_usize,
            "d_model" => config.d_model = as_usize,
            "num_heads" => config.num_heads = as_usize,
            "num_kv_heads" => config.num_kv_heads = as_usize,
            "head_dim" => config.head_dim = Some(as_usize),
            "num_encoder_layers" => config.num_encoder_layers = as_usize,
            "num_decoder_layers" => config.num_decoder_layers = as_usize,
            "max_encoder_tokens" => config.max_encoder_tokens = as_usize,
            "max_decoder_tokens" => config.max_decoder_tokens = as_usize,
            _ => return Err(Error::Input(format!("unknown synthetic override `{key}`"))),
        }
    }
    config
        .validate()
        .map_err(|msg| Error::Input(format!("synthetic:{spec}: {msg}")))?;
    Ok(SyntheticSpec { config, seed })
}

/// Seeded random weights with the variances of a trained model's init: kernels uniform with
/// variance 1/fan_in, embeddings with unit variance, norm gammas and gates small, so
/// activations stay O(1) through every layer and logits are well separated.
pub fn weights(spec: &SyntheticSpec, origin: &str) -> Result<Weights> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut tensors = HashMap::new();
    for t in expected_tensors(&spec.config) {
        let n: usize = t.shape.iter().product();
        let bound = match t.shape.len() {
            // Stacked kernels: [layers, in, out].
            3 => (3.0 / t.shape[1] as f32).sqrt(),
            _ if t.name == "embedding/embedding" => 3f32.sqrt(),
            _ => 0.2,
        };
        let data: Vec<f32> = (0..n).map(|_| rng.random_range(-bound..bound)).collect();
        tensors.insert(t.name, (t.shape, data));
    }
    Weights::from_tensors(Path::new(origin), &spec.config, tensors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_bad_ones_are_named() {
        let s = parse("needle1-micro:vocab_size=2048,seed=7").unwrap();
        assert_eq!(s.config.vocab_size, 2048);
        assert_eq!(s.seed, 7);
        let e = parse("needle1-micro:colour=3").unwrap_err().to_string();
        assert!(e.contains("colour"), "{e}");
        let e = parse("needle1-micro:num_kv_heads=3")
            .unwrap_err()
            .to_string();
        assert!(e.contains("multiple"), "{e}");
        let e = parse("gpt5").unwrap_err().to_string();
        assert!(e.contains("needle1-26m"), "{e}");
    }

    #[test]
    fn same_seed_same_weights() {
        let s = parse("needle1-micro").unwrap();
        let mut a = weights(&s, "synthetic:needle1-micro").unwrap();
        let mut b = weights(&s, "synthetic:needle1-micro").unwrap();
        assert_eq!(a.take("embedding/embedding"), b.take("embedding/embedding"));
    }
}
