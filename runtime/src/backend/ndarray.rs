//! The `ndarray` backend: products through ndarray's `general_mat_mul` (matrixmultiply, with
//! its AVX-512 kernels switched on by the workspace's `matrixmultiply/avx512` feature).
//!
//! matrixmultiply is single-threaded here, so this backend splits the work itself: M > 1 by
//! blocks of output rows, M = 1 by blocks of output columns. Neither split cuts a K reduction,
//! and matrixmultiply computes each output element with the same sequence of operations
//! wherever it sits in a tile, so results do not depend on the thread count (the
//! `backend_ops` test checks this bit for bit).
//!
//! M = 1 does not use `general_mat_mul`: matrixmultiply packs all of `W` on every call, and
//! measured ~7 GFLOP/s on 512×512. Accumulating the rows of `W` with ndarray's `scaled_add`
//! streams `W` once in memory order (~22 GFLOP/s) and reproduces the reference's order exactly.

use ndarray::{
    linalg::general_mat_mul, s, ArrayView1, ArrayView2, ArrayViewMut1, ArrayViewMut2, ShapeBuilder,
};
use rayon::prelude::*;

use super::attention::{self, AttnOps, View};
use super::{AttnShape, Backend, Matrix};

pub struct NdarrayBackend {
    threads: usize,
    pool: rayon::ThreadPool,
}

impl NdarrayBackend {
    pub fn new(threads: usize) -> NdarrayBackend {
        NdarrayBackend {
            threads: threads.max(1),
            pool: super::pool(threads),
        }
    }
}

/// Below this many multiply-adds a product runs on the calling thread: waking the pool costs
/// 10–40 µs on the 2-vCPU machine.
const PAR_MIN_WORK: usize = 1 << 16;
/// The same for M = 1, which is bandwidth-bound and short: only the 512×8192 output head gains
/// from a second thread (see the `gemm` backend).
const PAR_MIN_WORK_M1: usize = 1 << 21;

/// Output columns per pass of the M = 1 loop: partial sums (8 KiB) stay in L1.
const COL_TILE: usize = 2048;

fn view(v: View<'_>) -> ArrayView2<'_, f32> {
    v.check();
    ArrayView2::from_shape((v.rows, v.cols).strides((v.rs, v.cs)), v.data)
        .expect("view fits its slice")
}

/// `c = alpha · a · b` into rows of `c` with stride `ldc`.
fn mm(alpha: f32, a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>, c: &mut [f32], ldc: usize) {
    let (m, n) = (a.nrows(), b.ncols());
    let len = (m - 1) * ldc + n;
    let mut cv = ArrayViewMut2::from_shape((m, n).strides((ldc, 1)), &mut c[..len])
        .expect("output fits its slice");
    general_mat_mul(alpha, &a, &b, 0.0, &mut cv);
}

/// `y = x · W[:, c0 .. c0 + y.len()]` for one input row, in the reference's accumulation order.
fn row_times_matrix(x: &[f32], w: ArrayView2<'_, f32>, c0: usize, y: &mut [f32]) {
    for (t, yt) in y.chunks_mut(COL_TILE).enumerate() {
        let lo = c0 + t * COL_TILE;
        let mut yv = ArrayViewMut1::from(yt);
        yv.fill(0.0);
        let cols = w.slice(s![.., lo..lo + yv.len()]);
        for (&xk, row) in x.iter().zip(cols.rows()) {
            yv.scaled_add(xk, &row);
        }
    }
}

/// The [`AttnOps`] of this backend, all ndarray operations.
struct NdOps;

impl AttnOps for NdOps {
    fn mm(&self, alpha: f32, a: View<'_>, b: View<'_>, c: &mut [f32], ldc: usize) {
        mm(alpha, view(a), view(b), c, ldc)
    }
    fn dot(&self, a: &[f32], b: &[f32]) -> f32 {
        ArrayView1::from(a).dot(&ArrayView1::from(b))
    }
    fn axpy(&self, alpha: f32, x: &[f32], y: &mut [f32]) {
        ArrayViewMut1::from(y).scaled_add(alpha, &ArrayView1::from(x))
    }
}

impl Backend for NdarrayBackend {
    fn name(&self) -> &'static str {
        "ndarray"
    }

    fn threads(&self) -> usize {
        self.threads
    }

    fn scoped(&self, f: &mut (dyn FnMut() + Send)) {
        self.pool.install(f)
    }

    fn matmul(&self, x: &[f32], m: usize, w: &Matrix, y: &mut [f32]) {
        let (k, n) = (w.rows, w.cols);
        assert_eq!(x.len(), m * k);
        assert_eq!(y.len(), m * n);
        if y.is_empty() {
            return;
        }
        if k == 0 {
            y.fill(0.0);
            return;
        }
        let wv = ArrayView2::from_shape((k, n), &w.data[..]).expect("matrix shape");
        let serial = self.threads == 1 || m * k * n < PAR_MIN_WORK;
        if m == 1 {
            if self.threads == 1 || k * n < PAR_MIN_WORK_M1 {
                row_times_matrix(x, wv, 0, y);
                return;
            }
            let chunk = n.div_ceil(self.threads).next_multiple_of(16);
            self.pool.install(|| {
                y.par_chunks_mut(chunk)
                    .enumerate()
                    .for_each(|(c, yc)| row_times_matrix(x, wv, c * chunk, yc));
            });
            return;
        }
        let xv = ArrayView2::from_shape((m, k), x).expect("input shape");
        if serial {
            mm(1.0, xv, wv, y, n);
            return;
        }
        let rows = m.div_ceil(self.threads);
        self.pool.install(|| {
            y.par_chunks_mut(rows * n).enumerate().for_each(|(c, yc)| {
                let r0 = c * rows;
                let xr = xv.slice(s![r0..r0 + yc.len() / n, ..]);
                mm(1.0, xr, wv, yc, n);
            });
        });
    }

    fn attention(&self, s: &AttnShape, q: &[f32], k: &[f32], v: &[f32], out: &mut [f32]) {
        attention::attention(&NdOps, &self.pool, s, q, k, v, out)
    }
}
