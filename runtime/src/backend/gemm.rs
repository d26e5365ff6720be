//! PLACEHOLDER: being written; delegates to the naive backend for now.

use super::{naive::NaiveBackend, AttnShape, Backend, Matrix};

pub struct GemmBackend(NaiveBackend);

impl GemmBackend {
    pub fn new(threads: usize) -> GemmBackend {
        GemmBackend(NaiveBackend::new(threads))
    }
}

impl Backend for GemmBackend {
    fn name(&self) -> &'static str {
        "gemm"
    }
    fn threads(&self) -> usize {
        self.0.threads()
    }
    fn matmul(&self, x: &[f32], m: usize, w: &Matrix, y: &mut [f32]) {
        self.0.matmul(x, m, w, y)
    }
    fn attention(&self, s: &AttnShape, q: &[f32], k: &[f32], v: &[f32], out: &mut [f32]) {
        self.0.attention(s, q, k, v, out)
    }
}
