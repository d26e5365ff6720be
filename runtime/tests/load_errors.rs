//! Bad model files give errors that name the file and tensor, never a panic.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use safetensors::{serialize_to_file, Dtype, View};
use thimble_runtime::config::Config;
use thimble_runtime::source;
use thimble_runtime::weights::expected_tensors;

struct T {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

impl View for &T {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> std::borrow::Cow<'_, [u8]> {
        (&self.data[..]).into()
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

fn micro() -> Config {
    Config::preset("needle1-micro").unwrap()
}

fn f32_tensors(cfg: &Config) -> HashMap<String, T> {
    expected_tensors(cfg)
        .into_iter()
        .map(|s| {
            let n: usize = s.shape.iter().product();
            let data = (0..n)
                .flat_map(|i| ((i % 7) as f32 * 0.01).to_le_bytes())
                .collect();
            (
                s.name,
                T {
                    dtype: Dtype::F32,
                    shape: s.shape,
                    data,
                },
            )
        })
        .collect()
}

fn write_dir(name: &str, cfg: &Config, tensors: &HashMap<String, T>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("thimble-load-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.json"), serde_json::to_string(cfg).unwrap()).unwrap();
    let data: Vec<(&str, &T)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    serialize_to_file(data, None, &dir.join("model.safetensors")).unwrap();
    dir
}

fn load_err(dir: &Path) -> String {
    let backend = thimble_runtime::backend_by_name("naive", 1).unwrap();
    match source::load(dir.to_str().unwrap(), backend, None) {
        Ok(_) => panic!("{} loaded but should have failed", dir.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_valid_directory_loads_and_ignores_extra_tensors() {
    let cfg = micro();
    let mut t = f32_tensors(&cfg);
    t.insert(
        "log_temp".into(),
        T {
            dtype: Dtype::F32,
            shape: vec![1],
            data: 1f32.to_le_bytes().to_vec(),
        },
    );
    let dir = write_dir("ok", &cfg, &t);
    let backend = thimble_runtime::backend_by_name("naive", 1).unwrap();
    let loaded = source::load(dir.to_str().unwrap(), backend, None).unwrap();
    assert_eq!(loaded.info.ignored_tensors, vec!["log_temp".to_string()]);
    assert_eq!(loaded.info.dtype, "f32");
}

#[test]
fn missing_tensor_is_named() {
    let cfg = micro();
    let mut t = f32_tensors(&cfg);
    t.remove("decoder/layers/DecoderBlock_0/cross_attn/k_norm/scale");
    let e = load_err(&write_dir("missing", &cfg, &t));
    assert!(
        e.contains("decoder/layers/DecoderBlock_0/cross_attn/k_norm/scale"),
        "{e}"
    );
    assert!(e.contains("missing"), "{e}");
}

#[test]
fn misshaped_tensor_is_named_with_both_shapes() {
    let cfg = micro();
    let mut t = f32_tensors(&cfg);
    let name = "encoder/layers/EncoderBlock_0/self_attn/q_proj/kernel";
    let x = t.get_mut(name).unwrap();
    x.shape = vec![cfg.num_encoder_layers, cfg.d_model * cfg.d_model];
    let e = load_err(&write_dir("shape", &cfg, &t));
    assert!(
        e.contains(name) && e.contains("[2, 1024]") && e.contains("[2, 32, 32]"),
        "{e}"
    );
}

#[test]
fn wrong_dtype_is_named() {
    let cfg = micro();
    let mut t = f32_tensors(&cfg);
    let x = t.get_mut("encoder/final_norm/scale").unwrap();
    x.dtype = Dtype::I32;
    let e = load_err(&write_dir("dtype", &cfg, &t));
    assert!(
        e.contains("encoder/final_norm/scale") && e.contains("i32"),
        "{e}"
    );
}

#[test]
fn nan_weight_is_named_with_its_index() {
    let cfg = micro();
    let mut t = f32_tensors(&cfg);
    let x = t.get_mut("decoder/ZCRMSNorm_0/scale").unwrap();
    x.data[12..16].copy_from_slice(&f32::NAN.to_le_bytes());
    let e = load_err(&write_dir("nan", &cfg, &t));
    assert!(
        e.contains("decoder/ZCRMSNorm_0/scale") && e.contains("index 3"),
        "{e}"
    );
}

#[test]
fn truncated_file_is_reported() {
    let cfg = micro();
    let dir = write_dir("trunc", &cfg, &f32_tensors(&cfg));
    let p = dir.join("model.safetensors");
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    let e = load_err(&dir);
    assert!(
        e.contains("model.safetensors") && e.contains("not a valid safetensors"),
        "{e}"
    );
    std::fs::write(&p, b"\x05").unwrap();
    let e = load_err(&dir);
    assert!(e.contains("not a valid safetensors"), "{e}");
}

#[test]
fn bad_config_is_reported() {
    let cfg = micro();
    let dir = write_dir("cfg", &cfg, &f32_tensors(&cfg));
    std::fs::write(dir.join("config.json"), r#"{"family":"llama"}"#).unwrap();
    let e = load_err(&dir);
    assert!(e.contains("config.json"), "{e}");
    let mut c = cfg.clone();
    c.family = "t5".into();
    std::fs::write(dir.join("config.json"), serde_json::to_string(&c).unwrap()).unwrap();
    let e = load_err(&dir);
    assert!(e.contains("needle1"), "{e}");
}

#[test]
fn unknown_source_lists_presets() {
    let e = load_err(Path::new("/nonexistent/model"));
    assert!(e.contains("synthetic:") && e.contains("needle1-26m"), "{e}");
}

#[test]
fn bad_requests_are_errors() {
    let backend = thimble_runtime::backend_by_name("naive", 1).unwrap();
    let m = source::load("synthetic:needle1-micro", backend, None)
        .unwrap()
        .model;
    assert!(m
        .logits(&[], &[1])
        .unwrap_err()
        .to_string()
        .contains("empty"));
    let long = vec![7u32; 1025];
    assert!(m
        .logits(&long, &[1])
        .unwrap_err()
        .to_string()
        .contains("at most 1024"));
    assert!(m
        .logits(&[5], &[1, 512])
        .unwrap_err()
        .to_string()
        .contains("decoder position 1"));
    let dec = vec![1u32; 514];
    assert!(m
        .logits(&[5], &dec)
        .unwrap_err()
        .to_string()
        .contains("decoder sequence"));
    let e = thimble_runtime::backend_by_name("cuda", 1)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("cuda") && e.contains("naive"), "{e}");
}
