//! `config.json` of a Needle 1 model directory and the named presets used by `synthetic:` sources.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Architecture sizes and special token ids of a Needle 1 model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Always `needle1`; checked so a config of another family is refused rather than misread.
    pub family: String,
    pub vocab_size: usize,
    pub d_model: usize,
    pub num_heads: usize,
    pub num_kv_heads: usize,
    /// Defaults to `d_model / num_heads`, as in the reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_dim: Option<usize>,
    pub num_encoder_layers: usize,
    pub num_decoder_layers: usize,
    #[serde(default = "default_max_encoder")]
    pub max_encoder_tokens: usize,
    #[serde(default = "default_max_decoder")]
    pub max_decoder_tokens: usize,
    #[serde(default = "default_theta")]
    pub rope_theta: f32,
    #[serde(default = "default_eps")]
    pub norm_eps: f32,
    #[serde(default)]
    pub pad_id: u32,
    #[serde(default = "one")]
    pub eos_id: u32,
    #[serde(default = "two")]
    pub bos_id: u32,
    #[serde(default = "three")]
    pub unk_id: u32,
    #[serde(default = "four")]
    pub tool_call_id: u32,
    #[serde(default = "five")]
    pub tools_id: u32,
}

fn default_max_encoder() -> usize {
    1024
}
fn default_max_decoder() -> usize {
    512
}
fn default_theta() -> f32 {
    10000.0
}
fn default_eps() -> f32 {
    1e-6
}
fn one() -> u32 {
    1
}
fn two() -> u32 {
    2
}
fn three() -> u32 {
    3
}
fn four() -> u32 {
    4
}
fn five() -> u32 {
    5
}

/// Names accepted after `synthetic:`.
pub const PRESETS: &[&str] = &["needle1-26m", "needle1-tiny", "needle1-micro"];

impl Config {
    /// A preset by name: `needle1-26m` is the published shape; the others are small test shapes.
    pub fn preset(name: &str) -> Option<Config> {
        let (vocab, d, heads, kv, le, ld) = match name {
            "needle1-26m" => (8192, 512, 8, 4, 12, 8),
            "needle1-tiny" => (8192, 128, 4, 2, 4, 4),
            "needle1-micro" => (512, 32, 4, 2, 2, 2),
            _ => return None,
        };
        Some(Config {
            family: "needle1".into(),
            vocab_size: vocab,
            d_model: d,
            num_heads: heads,
            num_kv_heads: kv,
            head_dim: None,
            num_encoder_layers: le,
            num_decoder_layers: ld,
            max_encoder_tokens: 1024,
            max_decoder_tokens: 512,
            rope_theta: 10000.0,
            norm_eps: 1e-6,
            pad_id: 0,
            eos_id: 1,
            bos_id: 2,
            unk_id: 3,
            tool_call_id: 4,
            tools_id: 5,
        })
    }

    pub fn head_dim(&self) -> usize {
        self.head_dim
            .unwrap_or(self.d_model / self.num_heads.max(1))
    }

    pub fn kv_dim(&self) -> usize {
        self.num_kv_heads * self.head_dim()
    }

    /// Reads and validates `config.json`.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let cfg: Config = serde_json::from_str(&text).map_err(|e| Error::Config {
            path: path.into(),
            msg: e.to_string(),
        })?;
        cfg.validate().map_err(|msg| Error::Config {
            path: path.into(),
            msg,
        })?;
        Ok(cfg)
    }

    /// Checks the invariants the forward pass relies on.
    pub fn validate(&self) -> Result<(), String> {
        if self.family != "needle1" {
            return Err(format!("family is `{}`, expected `needle1`", self.family));
        }
        let nonzero = [
            ("vocab_size", self.vocab_size),
            ("d_model", self.d_model),
            ("num_heads", self.num_heads),
            ("num_kv_heads", self.num_kv_heads),
            ("max_encoder_tokens", self.max_encoder_tokens),
            ("max_decoder_tokens", self.max_decoder_tokens),
        ];
        for (name, v) in nonzero {
            if v == 0 {
                return Err(format!("{name} must be positive"));
            }
        }
        if !self.num_heads.is_multiple_of(self.num_kv_heads) {
            return Err(format!(
                "num_heads ({}) must be a multiple of num_kv_heads ({})",
                self.num_heads, self.num_kv_heads
            ));
        }
        let hd = self.head_dim();
        if hd == 0 || !hd.is_multiple_of(2) {
            return Err(format!(
                "head_dim ({hd}) must be even and positive (RoPE rotates halves)"
            ));
        }
        if self.head_dim.is_none() && !self.d_model.is_multiple_of(self.num_heads) {
            return Err(format!(
                "d_model ({}) must be divisible by num_heads ({})",
                self.d_model, self.num_heads
            ));
        }
        for (name, id) in [
            ("pad_id", self.pad_id),
            ("eos_id", self.eos_id),
            ("bos_id", self.bos_id),
            ("unk_id", self.unk_id),
            ("tool_call_id", self.tool_call_id),
            ("tools_id", self.tools_id),
        ] {
            if id as usize >= self.vocab_size {
                return Err(format!(
                    "{name} {id} is outside the vocabulary ({})",
                    self.vocab_size
                ));
            }
        }
        if !(self.rope_theta.is_finite() && self.rope_theta > 0.0) {
            return Err("rope_theta must be positive".into());
        }
        if !(self.norm_eps.is_finite() && self.norm_eps > 0.0) {
            return Err("norm_eps must be positive".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_preset_has_published_parameter_count() {
        let c = Config::preset("needle1-26m").unwrap();
        let d = c.d_model;
        let kv = c.kv_dim();
        let hd = c.head_dim();
        let attn = 2 * d * d + 2 * d * kv + 2 * hd;
        let enc = c.num_encoder_layers * (d + 1 + attn) + d;
        let dec = c.num_decoder_layers * (2 * d + 2 + 2 * attn) + d;
        assert_eq!(c.vocab_size * d, 4_194_304);
        assert_eq!(enc, 9_445_388);
        assert_eq!(dec, 12_593_680);
    }

    #[test]
    fn rejects_bad_heads() {
        let mut c = Config::preset("needle1-micro").unwrap();
        c.num_kv_heads = 3;
        assert!(c.validate().unwrap_err().contains("multiple"));
    }
}
