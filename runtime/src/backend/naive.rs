//! The reference backend: plain scalar loops in the most obvious order.
//!
//! Every other backend is tested against this one, so it favours clarity over speed. Work is
//! split across threads by output row (matmul) or by head (attention); each output element is
//! still reduced by one thread in one fixed order, which keeps results identical at any thread
//! count.

use rayon::prelude::*;

use super::{AttnShape, Backend, Matrix};

pub struct NaiveBackend {
    threads: usize,
    pool: rayon::ThreadPool,
}

impl NaiveBackend {
    pub fn new(threads: usize) -> NaiveBackend {
        NaiveBackend {
            threads: threads.max(1),
            pool: super::pool(threads),
        }
    }
}

/// `y[n] = x[k] · W[k, n]`, accumulating over k in order.
fn matvec(x: &[f32], w: &Matrix, y: &mut [f32]) {
    y.fill(0.0);
    for (i, &xi) in x.iter().enumerate() {
        let row = &w.data[i * w.cols..(i + 1) * w.cols];
        for (yj, &wij) in y.iter_mut().zip(row) {
            *yj += xi * wij;
        }
    }
}

/// One kv head inside token-major K and V buffers: row `j` of the head starts at
/// `j * stride + off`.
struct KvHead<'a> {
    k: &'a [f32],
    v: &'a [f32],
    stride: usize,
    off: usize,
}

/// Attention for one query row of one head over its first `visible` keys.
fn attend_row(q: &[f32], kv: &KvHead, visible: usize, scale: f32, out: &mut [f32]) {
    let hd = q.len();
    let (k, v, kv_stride, kv_off) = (kv.k, kv.v, kv.stride, kv.off);
    let mut scores = Vec::with_capacity(visible);
    for j in 0..visible {
        let kj = &k[j * kv_stride + kv_off..j * kv_stride + kv_off + hd];
        let mut s = 0.0f32;
        for d in 0..hd {
            s += q[d] * kj[d];
        }
        scores.push(s * scale);
    }
    softmax(&mut scores);
    out.fill(0.0);
    for (j, &p) in scores.iter().enumerate() {
        let vj = &v[j * kv_stride + kv_off..j * kv_stride + kv_off + hd];
        for d in 0..hd {
            out[d] += p * vj[d];
        }
    }
}

/// In-place softmax. A NaN anywhere makes the whole row NaN, as in the reference.
pub(crate) fn softmax(x: &mut [f32]) {
    let max = x.iter().fold(
        f32::NEG_INFINITY,
        |m, &v| if v > m || v.is_nan() { v } else { m },
    );
    let mut sum = 0.0f32;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in x.iter_mut() {
        *v *= inv;
    }
}

impl Backend for NaiveBackend {
    fn name(&self) -> &'static str {
        "naive"
    }

    fn threads(&self) -> usize {
        self.threads
    }

    fn scoped(&self, f: &mut (dyn FnMut() + Send)) {
        self.pool.install(f)
    }

    fn matmul(&self, x: &[f32], m: usize, w: &Matrix, y: &mut [f32]) {
        assert_eq!(x.len(), m * w.rows);
        assert_eq!(y.len(), m * w.cols);
        if m == 0 {
            return;
        }
        if w.rows == 0 {
            // An empty reduction: the product is all zeros (and `par_chunks(0)` would panic).
            y.fill(0.0);
            return;
        }
        self.pool.install(|| {
            y.par_chunks_mut(w.cols)
                .zip(x.par_chunks(w.rows))
                .for_each(|(yr, xr)| matvec(xr, w, yr));
        });
    }

    fn attention(&self, s: &AttnShape, q: &[f32], k: &[f32], v: &[f32], out: &mut [f32]) {
        let hd = s.head_dim;
        let qs = s.heads * hd;
        let kvs = s.kv_heads * hd;
        assert_eq!(q.len(), s.q_len * qs);
        assert!(k.len() >= s.kv_len * kvs && v.len() >= s.kv_len * kvs);
        assert_eq!(out.len(), s.q_len * qs);
        let group = s.heads / s.kv_heads;
        let scale = 1.0 / (hd as f32).sqrt();
        self.pool.install(|| {
            out.par_chunks_mut(qs).enumerate().for_each(|(i, orow)| {
                let visible = if s.causal {
                    (s.q_offset + i + 1).min(s.kv_len)
                } else {
                    s.kv_len
                };
                for h in 0..s.heads {
                    let qh = &q[i * qs + h * hd..i * qs + (h + 1) * hd];
                    let kv = KvHead {
                        k,
                        v,
                        stride: kvs,
                        off: (h / group) * hd,
                    };
                    attend_row(qh, &kv, visible, scale, &mut orow[h * hd..(h + 1) * hd]);
                }
            });
        });
    }
}
