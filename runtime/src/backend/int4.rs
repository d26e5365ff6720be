//! The `int4` backend: weights quantized at load time to symmetric int4 blocks of 32 along K
//! with an f16 scale each, activations to int8 per block, integer dot products for decode
//! (AVX-512 VNNI, AVX2, or scalar, chosen at run time). See [`super::quant`] for the format, the
//! kernels and the prefill and special-value paths; attention is the shared f32 code.

use super::quant::{Bits, QuantBackend};
use super::{AttnShape, Backend, Matrix};

pub struct Int4Backend(QuantBackend);

impl Int4Backend {
    pub fn new(threads: usize) -> Int4Backend {
        Int4Backend(QuantBackend::new(Bits::Q4, "int4", threads))
    }
}

impl Backend for Int4Backend {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn threads(&self) -> usize {
        self.0.threads()
    }

    fn prepare(&self, w: &mut Matrix) {
        self.0.prepare(w)
    }

    fn matmul(&self, x: &[f32], m: usize, w: &Matrix, y: &mut [f32]) {
        self.0.matmul(x, m, w, y)
    }

    fn attention(&self, s: &AttnShape, q: &[f32], k: &[f32], v: &[f32], out: &mut [f32]) {
        self.0.attention(s, q, k, v, out)
    }
}
