//! The tensor layout of a Needle 1 checkpoint and loading it from `model.safetensors`.
//!
//! Names mirror the Flax parameter paths of the reference (`/`-joined) and layers stay stacked
//! along a leading axis, exactly as `needle.pkl` holds them, so the converter is a plain copy.
//! Every tensor is checked for presence, dtype, shape and finiteness before any is used, and
//! the first problem is reported by tensor name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use safetensors::{Dtype, SafeTensors};

use crate::config::Config;
use crate::error::{Error, Result};

/// A tensor the forward pass needs: its checkpoint name and shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    pub name: String,
    pub shape: Vec<usize>,
}

const ENC: &str = "encoder/layers/EncoderBlock_0";
const DEC: &str = "decoder/layers/DecoderBlock_0";

/// Every tensor generation needs, in checkpoint order, with the shapes `cfg` implies.
pub fn expected_tensors(cfg: &Config) -> Vec<TensorSpec> {
    let d = cfg.d_model;
    let qd = cfg.num_heads * cfg.head_dim();
    let kv = cfg.kv_dim();
    let hd = cfg.head_dim();
    let mut out = Vec::new();
    let mut push = |name: String, shape: Vec<usize>| out.push(TensorSpec { name, shape });
    push("embedding/embedding".into(), vec![cfg.vocab_size, d]);
    let attn = |push: &mut dyn FnMut(String, Vec<usize>), prefix: &str, l: usize| {
        push(format!("{prefix}/q_proj/kernel"), vec![l, d, qd]);
        push(format!("{prefix}/k_proj/kernel"), vec![l, d, kv]);
        push(format!("{prefix}/v_proj/kernel"), vec![l, d, kv]);
        push(format!("{prefix}/out_proj/kernel"), vec![l, qd, d]);
        push(format!("{prefix}/q_norm/scale"), vec![l, hd]);
        push(format!("{prefix}/k_norm/scale"), vec![l, hd]);
    };
    let le = cfg.num_encoder_layers;
    push(format!("{ENC}/ZCRMSNorm_0/scale"), vec![le, d]);
    push(format!("{ENC}/attn_gate"), vec![le]);
    attn(&mut push, &format!("{ENC}/self_attn"), le);
    push("encoder/final_norm/scale".into(), vec![d]);
    let ld = cfg.num_decoder_layers;
    push(format!("{DEC}/ZCRMSNorm_0/scale"), vec![ld, d]);
    push(format!("{DEC}/ZCRMSNorm_1/scale"), vec![ld, d]);
    push(format!("{DEC}/self_attn_gate"), vec![ld]);
    push(format!("{DEC}/cross_attn_gate"), vec![ld]);
    attn(&mut push, &format!("{DEC}/self_attn"), ld);
    attn(&mut push, &format!("{DEC}/cross_attn"), ld);
    push("decoder/ZCRMSNorm_0/scale".into(), vec![d]);
    out
}

/// Validated f32 weights, keyed by checkpoint name.
#[derive(Debug)]
pub struct Weights {
    /// Where the weights came from (a file path or a `synthetic:` spec), for error messages.
    pub origin: PathBuf,
    /// dtype the file stored (`f32`, `f16`, `bf16`; `f32` for synthetic weights).
    pub dtype: String,
    tensors: HashMap<String, Vec<f32>>,
    /// Tensors present in the file that generation does not use (the retrieval head, ...).
    pub ignored: Vec<String>,
}

fn dtype_name(d: Dtype) -> String {
    format!("{d:?}").to_lowercase()
}

fn to_f32(dtype: Dtype, bytes: &[u8]) -> Option<Vec<f32>> {
    Some(match dtype {
        Dtype::F32 => bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Dtype::F16 => bytes
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        Dtype::BF16 => bytes
            .chunks_exact(2)
            .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        _ => return None,
    })
}

impl Weights {
    /// Reads `model.safetensors` and checks it against `cfg`.
    pub fn load(path: &Path, cfg: &Config) -> Result<Weights> {
        // Read, not mmap: every tensor is converted to f32 right away, so a map would save
        // nothing and would bring `unsafe` (and truncation-by-another-writer hazards) here.
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let st = SafeTensors::deserialize(&bytes).map_err(|e| Error::Safetensors {
            path: path.into(),
            msg: e.to_string(),
        })?;
        let specs = expected_tensors(cfg);
        let mut tensors = HashMap::with_capacity(specs.len());
        let mut dtype = None;
        for spec in &specs {
            let view = st.tensor(&spec.name).map_err(|_| Error::MissingTensor {
                path: path.into(),
                name: spec.name.clone(),
                expected: spec.shape.clone(),
            })?;
            if view.shape() != spec.shape.as_slice() {
                return Err(Error::TensorShape {
                    path: path.into(),
                    name: spec.name.clone(),
                    got: view.shape().to_vec(),
                    expected: spec.shape.clone(),
                });
            }
            let data = to_f32(view.dtype(), view.data()).ok_or_else(|| Error::TensorDtype {
                path: path.into(),
                name: spec.name.clone(),
                got: dtype_name(view.dtype()),
            })?;
            dtype.get_or_insert_with(|| dtype_name(view.dtype()));
            check_finite(path, &spec.name, &data)?;
            tensors.insert(spec.name.clone(), data);
        }
        let mut ignored: Vec<String> = st
            .names()
            .into_iter()
            .filter(|n| !tensors.contains_key(*n))
            .map(|n| n.to_string())
            .collect();
        ignored.sort();
        Ok(Weights {
            origin: path.into(),
            dtype: dtype.unwrap_or_else(|| "f32".into()),
            tensors,
            ignored,
        })
    }

    /// Wraps in-memory f32 tensors (synthetic weights, tests), with the same checks as `load`.
    pub fn from_tensors(
        origin: &Path,
        cfg: &Config,
        mut given: HashMap<String, (Vec<usize>, Vec<f32>)>,
    ) -> Result<Weights> {
        let mut tensors = HashMap::new();
        for spec in expected_tensors(cfg) {
            let (shape, data) = given
                .remove(&spec.name)
                .ok_or_else(|| Error::MissingTensor {
                    path: origin.into(),
                    name: spec.name.clone(),
                    expected: spec.shape.clone(),
                })?;
            if shape != spec.shape || data.len() != shape.iter().product::<usize>() {
                return Err(Error::TensorShape {
                    path: origin.into(),
                    name: spec.name.clone(),
                    got: shape,
                    expected: spec.shape.clone(),
                });
            }
            check_finite(origin, &spec.name, &data)?;
            tensors.insert(spec.name, data);
        }
        let mut ignored: Vec<String> = given.into_keys().collect();
        ignored.sort();
        Ok(Weights {
            origin: origin.into(),
            dtype: "f32".into(),
            tensors,
            ignored,
        })
    }

    /// A validated tensor by name.
    pub(crate) fn get(&self, name: &str) -> &[f32] {
        self.tensors
            .get(name)
            .unwrap_or_else(|| panic!("tensor {name} was validated but is gone"))
    }

    /// Removes and returns a tensor; the model builder takes each exactly once.
    pub(crate) fn take(&mut self, name: &str) -> Vec<f32> {
        self.tensors
            .remove(name)
            .unwrap_or_else(|| panic!("tensor {name} was validated but is gone"))
    }
}

fn check_finite(path: &Path, name: &str, data: &[f32]) -> Result<()> {
    match data.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFinite {
            path: path.into(),
            name: name.into(),
            index,
            value: data[index],
        }),
        None => Ok(()),
    }
}
