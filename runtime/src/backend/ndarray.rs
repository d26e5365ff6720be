//! PLACEHOLDER: being written; delegates to the naive backend for now.

use super::{naive::NaiveBackend, AttnShape, Backend, Matrix};

pub struct NdarrayBackend(NaiveBackend);

impl NdarrayBackend {
    pub fn new(threads: usize) -> NdarrayBackend {
        NdarrayBackend(NaiveBackend::new(threads))
    }
}

impl Backend for NdarrayBackend {
    fn name(&self) -> &'static str {
        "ndarray"
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
