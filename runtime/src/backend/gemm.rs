//! The `gemm` backend: the `gemm` crate's AVX-512 (`x86-v4`) kernels for prefill-sized products,
//! and a hand-written row·matrix kernel for decode.
//!
//! `gemm` parallelizes a product over output tiles only (never over K), inside whichever rayon
//! pool is current, so M > 1 runs in this backend's pool and stays deterministic. It does not
//! parallelize M = 1 at all; there the output columns are split into one contiguous chunk per
//! thread, and each chunk is computed by [`row_times_matrix`], which measured faster than
//! `gemm`'s own gemv on the L2-resident decode shapes (512×512: ~45 against ~33 GFLOP/s; 512×256:
//! ~55 against ~39) and level with it on the DRAM-bound 512×8192 head.

use rayon::prelude::*;

use super::attention::{self, AttnOps, View};
use super::{AttnShape, Backend, Matrix};

pub struct GemmBackend {
    threads: usize,
    pool: rayon::ThreadPool,
}

impl GemmBackend {
    pub fn new(threads: usize) -> GemmBackend {
        GemmBackend {
            threads: threads.max(1),
            pool: super::pool(threads),
        }
    }
}

/// Below this many multiply-adds (8 MiB of weights) an M = 1 product runs on the calling
/// thread. Measured on the 2-vCPU machine: waking the pool costs 10–40 µs, more than a
/// 512×512 or 512×2048 product takes alone (~12 and ~140 µs); the 512×8192 output head gains.
const PAR_MIN_WORK: usize = 1 << 21;

/// The same threshold when the caller already runs on this backend's pool (inside
/// [`Backend::scoped`]): handing half a product to a spinning worker costs a few µs, so a
/// 512×512 product (~12 µs alone) is worth splitting.
const PAR_MIN_WORK_IN_POOL: usize = 1 << 17;

/// Output columns per pass of [`row_times_matrix`]: the partial sums (8 KiB) stay in L1 while
/// the rows of `W` stream past them.
const COL_TILE: usize = 2048;

/// `y[m, n] = x[m, k] · w[k, n]` (all row-major) with gemm's own threading on `pool`: the M > 1
/// path of the f32 backend and of the quantized backends' prefill (on dequantized weights).
#[allow(clippy::too_many_arguments)]
pub(crate) fn gemm_rows(
    pool: &rayon::ThreadPool,
    threads: usize,
    x: &[f32],
    m: usize,
    k: usize,
    w: &[f32],
    n: usize,
    y: &mut [f32],
) {
    assert!(x.len() >= m * k && w.len() >= k * n && y.len() >= m * n);
    pool.install(|| {
        // SAFETY: the assert bounds x as [m, k], w as [k, n] and y as [m, n], row-major; y is
        // exclusively borrowed and, with read_dst = false, only written.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                y.as_mut_ptr(),
                1,
                n as isize,
                false,
                x.as_ptr(),
                1,
                k as isize,
                w.as_ptr(),
                1,
                n as isize,
                0.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::Rayon(threads),
            );
        }
    });
}

/// `c = alpha · a · b` with `gemm`, single-threaded. Views are checked before the raw call.
pub(crate) fn gemm_mm(alpha: f32, a: View<'_>, b: View<'_>, c: &mut [f32], ldc: usize) {
    a.check();
    b.check();
    assert_eq!(a.cols, b.rows);
    let (m, n, k) = (a.rows, b.cols, a.cols);
    assert!(ldc >= n && (m - 1) * ldc + n <= c.len());
    // SAFETY: `check` and the assert above keep every index the strides reach inside the three
    // slices; `c` is exclusively borrowed and does not overlap the inputs. `read_dst = false`
    // means the old contents of `c` are never read, so `dst = beta · a · b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            ldc as isize,
            false,
            a.data.as_ptr(),
            a.cs as isize,
            a.rs as isize,
            b.data.as_ptr(),
            b.cs as isize,
            b.rs as isize,
            0.0,
            alpha,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// `y[j] = Σ_k x[k] · w[k * ldw + j]` for `j < y.len()`, accumulating k in order with fused
/// multiply-adds: an axpy of each row of `W` into `y`, eight rows per pass, over column tiles
/// small enough that `y` stays in L1.
fn row_times_matrix(x: &[f32], w: &[f32], ldw: usize, y: &mut [f32]) {
    let n = y.len();
    if x.is_empty() {
        y.fill(0.0);
        return;
    }
    assert!((x.len() - 1) * ldw + n <= w.len());
    #[cfg(target_arch = "x86_64")]
    if attention::has_simd() {
        for (t, yt) in y.chunks_mut(COL_TILE).enumerate() {
            // SAFETY: AVX2 and FMA are present; the assert above bounds every row segment read
            // from tile t's columns, and `yt` is a distinct tile of `y`.
            unsafe { simd_rows::row_times_matrix(x, &w[t * COL_TILE..], ldw, yt) };
        }
        return;
    }
    // Without AVX2, gemm's own kernels beat the scalar twin, whose fused multiply-adds would be
    // library calls.
    let xv = View {
        data: x,
        rows: 1,
        cols: x.len(),
        rs: x.len(),
        cs: 1,
    };
    let wv = View {
        data: w,
        rows: x.len(),
        cols: n,
        rs: ldw,
        cs: 1,
    };
    gemm_mm(1.0, xv, wv, y, n);
}

/// The scalar twin of the AVX2 row·matrix kernel: the same fused multiply-adds in the same
/// order, so it agrees bit for bit.
#[cfg(test)]
fn row_times_matrix_scalar(x: &[f32], w: &[f32], ldw: usize, y: &mut [f32]) {
    y.fill(0.0);
    for (k, &xk) in x.iter().enumerate() {
        let row = &w[k * ldw..k * ldw + y.len()];
        for (yj, &wj) in y.iter_mut().zip(row) {
            *yj = xk.mul_add(wj, *yj);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod simd_rows {
    use super::attention::LANES;
    use std::arch::x86_64::*;

    /// Rows of `W` folded into each pass over `y`: one load and one store of `y` per eight
    /// loads of `W` keeps the kernel on `W`'s bandwidth rather than on `y`'s traffic.
    const ROWS: usize = 8;

    /// # Safety
    /// AVX2 and FMA must be available and `(x.len() - 1) * ldw + y.len() <= w.len()` when `x`
    /// is non-empty.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn row_times_matrix(x: &[f32], w: &[f32], ldw: usize, y: &mut [f32]) {
        y.fill(0.0);
        let mut k = 0;
        while k + ROWS <= x.len() {
            // SAFETY: rows k..k + ROWS exist; forwarded caller bound.
            unsafe { rows_pass::<ROWS>(&x[k..k + ROWS], &w[k * ldw..], ldw, y) };
            k += ROWS;
        }
        while k < x.len() {
            // SAFETY: row k exists; forwarded caller bound.
            unsafe { rows_pass::<1>(&x[k..k + 1], &w[k * ldw..], ldw, y) };
            k += 1;
        }
    }

    /// `y[j] = fma(x[R-1], w[R-1][j], … fma(x[0], w[0][j], y[j]))` for every column.
    ///
    /// # Safety
    /// AVX2 and FMA must be available, `x.len() == R` and `(R - 1) * ldw + y.len() <= w.len()`.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn rows_pass<const R: usize>(x: &[f32], w: &[f32], ldw: usize, y: &mut [f32]) {
        let n = y.len();
        let full = n / LANES * LANES;
        let xb: [__m256; R] = std::array::from_fn(|r| _mm256_set1_ps(x[r]));
        let (pw, py) = (w.as_ptr(), y.as_mut_ptr());
        for o in (0..full).step_by(LANES) {
            // SAFETY: o + 7 < full <= n, so y[o..o + 8] is in bounds and so is
            // w[r * ldw + o..][..8] for r < R by the caller's bound.
            unsafe {
                let mut acc = _mm256_loadu_ps(py.add(o));
                for (r, &xr) in xb.iter().enumerate() {
                    acc = _mm256_fmadd_ps(xr, _mm256_loadu_ps(pw.add(r * ldw + o)), acc);
                }
                _mm256_storeu_ps(py.add(o), acc);
            }
        }
        for j in full..n {
            let mut acc = y[j];
            for (r, &xr) in x.iter().enumerate() {
                acc = xr.mul_add(w[r * ldw + j], acc);
            }
            y[j] = acc;
        }
    }
}

/// The [`AttnOps`] of this backend: `gemm` for block products, SIMD dot/axpy for rows.
struct GemmOps;

impl AttnOps for GemmOps {
    fn mm(&self, alpha: f32, a: View<'_>, b: View<'_>, c: &mut [f32], ldc: usize) {
        gemm_mm(alpha, a, b, c, ldc)
    }
    fn dot(&self, a: &[f32], b: &[f32]) -> f32 {
        attention::dot(a, b)
    }
    fn axpy(&self, alpha: f32, x: &[f32], y: &mut [f32]) {
        attention::axpy(alpha, x, y)
    }
}

impl Backend for GemmBackend {
    fn name(&self) -> &'static str {
        "gemm"
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
        if m == 1 {
            let min_work = if self.pool.current_thread_index().is_some() {
                PAR_MIN_WORK_IN_POOL
            } else {
                PAR_MIN_WORK
            };
            if self.threads == 1 || k * n < min_work {
                row_times_matrix(x, &w.data, n, y);
                return;
            }
            // One chunk per thread, a multiple of 16 columns (64 bytes) to keep the threads off
            // each other's cache lines. Any split gives the same bits: every column runs the same
            // fused multiply-add sequence over k.
            let chunk = n.div_ceil(self.threads).next_multiple_of(16);
            self.pool.install(|| {
                y.par_chunks_mut(chunk).enumerate().for_each(|(c, yc)| {
                    row_times_matrix(x, &w.data[c * chunk..], n, yc);
                });
            });
            return;
        }
        gemm_rows(&self.pool, self.threads, x, m, k, &w.data, n, y);
    }

    fn attention(&self, s: &AttnShape, q: &[f32], k: &[f32], v: &[f32], out: &mut [f32]) {
        attention::attention(&GemmOps, &self.pool, s, q, k, v, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn row_kernel_matches_scalar_twin_bitwise() {
        if !attention::has_simd() {
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for (k, n, ldw) in [
            (1, 1, 1),
            (3, 5, 7),
            (5, 17, 17),
            (17, 64, 80),
            (64, 33, 33),
            (9, 2100, 2100),
        ] {
            let x: Vec<f32> = (0..k).map(|_| rng.random_range(-1.0f32..1.0)).collect();
            let w: Vec<f32> = (0..k * ldw)
                .map(|_| rng.random_range(-1.0f32..1.0))
                .collect();
            let mut fast = vec![f32::NAN; n];
            let mut slow = vec![f32::NAN; n];
            row_times_matrix(&x, &w, ldw, &mut fast);
            row_times_matrix_scalar(&x, &w, ldw, &mut slow);
            assert!(
                fast.iter()
                    .zip(&slow)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "k={k} n={n}"
            );
        }
    }
}
