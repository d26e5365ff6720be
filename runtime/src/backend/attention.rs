//! Attention shared by the `ndarray` and `gemm` backends, plus the SIMD kernels (dot, axpy,
//! softmax's exponential) it and the `gemm` backend's decode matmul use.
//!
//! Both backends run the same algorithm and differ only in the [`AttnOps`] they plug in, so the
//! masking, softmax and NaN behaviour are written (and reviewed) once:
//!
//! - few query rows (decode): one task per (row, head), a dot per visible key, softmax, an axpy
//!   per visible value;
//! - many query rows (prefill): one task per (head, block of [`BLOCK`] rows). Scores for the block
//!   come from one matmul `q_h · k_hᵀ`; `p · v_h` is one matmul over the keys every row of the
//!   block sees, plus an axpy per remaining visible key. Masked keys never enter a product, so a
//!   NaN in a key or value a row cannot see leaves that row alone, exactly as in `naive`.
//!
//! Softmax keeps the reference's semantics (rows with a NaN or an infinite maximum go through
//! `naive`'s own softmax) and only vectorizes the exponential.
//!
//! The block partition is fixed (it does not depend on the thread count) and every output element
//! is produced by one task, so results are identical at any thread count.

use rayon::prelude::*;

use crate::backend::naive::softmax;
use crate::backend::AttnShape;

/// Query rows per prefill task: large enough for the matmuls to reach their kernels' speed,
/// small enough that the causal triangle handled by axpy stays cheap.
pub(crate) const BLOCK: usize = 32;

/// Below this many query·key multiply-adds attention runs on the calling thread: waking the
/// pool (10–40 µs on the 2-vCPU machine) costs more than a decode step over a short cache.
const PAR_MIN_WORK: usize = 1 << 17;

/// Up to this many query rows go through the per-row dot/axpy path.
pub(crate) const ROWWISE_MAX_Q: usize = 4;

/// A read-only strided matrix inside a slice: element `(i, j)` is `data[i * rs + j * cs]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct View<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl View<'_> {
    /// Panics unless every element lies inside `data`, so kernels may index it unchecked.
    pub fn check(&self) {
        assert!(self.rows > 0 && self.cols > 0, "empty view");
        let last = (self.rows - 1) * self.rs + (self.cols - 1) * self.cs;
        assert!(last < self.data.len(), "view runs past its slice");
    }
}

/// The three products attention needs, supplied by a backend. Implementations must be
/// single-threaded and deterministic: the driver owns the parallelism.
pub(crate) trait AttnOps: Sync {
    /// `c[i * ldc + j] = alpha * Σ_l a[i, l] · b[l, j]`, overwriting `c`. No dimension is zero.
    fn mm(&self, alpha: f32, a: View<'_>, b: View<'_>, c: &mut [f32], ldc: usize);
    /// `Σ a[i] · b[i]` over equal-length slices.
    fn dot(&self, a: &[f32], b: &[f32]) -> f32;
    /// `y[i] += alpha · x[i]`.
    fn axpy(&self, alpha: f32, x: &[f32], y: &mut [f32]);
}

fn visible(s: &AttnShape, i: usize) -> usize {
    if s.causal {
        (s.q_offset + i + 1).min(s.kv_len)
    } else {
        s.kv_len
    }
}

/// Scaled-dot-product attention with the contract of [`crate::backend::Backend::attention`].
pub(crate) fn attention(
    ops: &impl AttnOps,
    pool: &rayon::ThreadPool,
    s: &AttnShape,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    out: &mut [f32],
) {
    let hd = s.head_dim;
    let qs = s.heads * hd;
    let kvs = s.kv_heads * hd;
    assert_eq!(q.len(), s.q_len * qs);
    assert!(k.len() >= s.kv_len * kvs && v.len() >= s.kv_len * kvs);
    assert_eq!(out.len(), s.q_len * qs);
    assert!(s.kv_heads > 0 && s.heads.is_multiple_of(s.kv_heads));
    if out.is_empty() {
        return;
    }
    if s.kv_len == 0 {
        // The reference's softmax over no keys leaves a zero output.
        out.fill(0.0);
        return;
    }
    let work = s.q_len * s.kv_len * s.heads * hd;
    let par = pool.current_num_threads() > 1 && work >= PAR_MIN_WORK;
    let mut run = || {
        if s.q_len <= ROWWISE_MAX_Q {
            rowwise(ops, par, s, q, k, v, out)
        } else {
            blocked(ops, par, s, q, k, v, out)
        }
    };
    if par {
        pool.install(run)
    } else {
        run()
    }
}

/// `f(i, chunk)` over the `size`-long chunks of `data`, on the current pool when `par`.
fn for_chunks<F>(par: bool, data: &mut [f32], size: usize, f: F)
where
    F: Fn(usize, &mut [f32]) + Sync + Send,
{
    if par {
        data.par_chunks_mut(size)
            .enumerate()
            .for_each(|(i, c)| f(i, c));
    } else {
        data.chunks_mut(size).enumerate().for_each(|(i, c)| f(i, c));
    }
}

fn rowwise(
    ops: &impl AttnOps,
    par: bool,
    s: &AttnShape,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    out: &mut [f32],
) {
    let hd = s.head_dim;
    let qs = s.heads * hd;
    let kvs = s.kv_heads * hd;
    let group = s.heads / s.kv_heads;
    let scale = 1.0 / (hd as f32).sqrt();
    for_chunks(par, out, hd, |idx, o| {
        let (i, h) = (idx / s.heads, idx % s.heads);
        let qh = &q[i * qs + h * hd..][..hd];
        let off = (h / group) * hd;
        let mut scores: Vec<f32> = (0..visible(s, i))
            .map(|j| ops.dot(qh, &k[j * kvs + off..][..hd]) * scale)
            .collect();
        softmax_fast(&mut scores);
        o.fill(0.0);
        for (j, &p) in scores.iter().enumerate() {
            ops.axpy(p, &v[j * kvs + off..][..hd], o);
        }
    });
}

fn blocked(
    ops: &impl AttnOps,
    par: bool,
    s: &AttnShape,
    q: &[f32],
    k: &[f32],
    v: &[f32],
    out: &mut [f32],
) {
    let hd = s.head_dim;
    let qs = s.heads * hd;
    let kvs = s.kv_heads * hd;
    let group = s.heads / s.kv_heads;
    let scale = 1.0 / (hd as f32).sqrt();
    // Head-major scratch so that each task owns one contiguous slice; scattered back below.
    let mut tmp = vec![0.0f32; s.heads * s.q_len * hd];
    for_chunks(par, &mut tmp, s.q_len * hd, |h, th| {
        let off = (h / group) * hd;
        for_chunks(par, th, BLOCK * hd, |b, tb| {
            let i0 = b * BLOCK;
            let rows = tb.len() / hd;
            let lo = visible(s, i0);
            let hi = visible(s, i0 + rows - 1);
            let mut scores = vec![0.0f32; rows * hi];
            let qv = View {
                data: &q[i0 * qs + h * hd..],
                rows,
                cols: hd,
                rs: qs,
                cs: 1,
            };
            let kt = View {
                data: &k[off..],
                rows: hd,
                cols: hi,
                rs: 1,
                cs: kvs,
            };
            ops.mm(scale, qv, kt, &mut scores, hi);
            for r in 0..rows {
                softmax_fast(&mut scores[r * hi..r * hi + visible(s, i0 + r)]);
            }
            let pv = View {
                data: &scores,
                rows,
                cols: lo,
                rs: hi,
                cs: 1,
            };
            let vv = View {
                data: &v[off..],
                rows: lo,
                cols: hd,
                rs: kvs,
                cs: 1,
            };
            ops.mm(1.0, pv, vv, tb, hd);
            for r in 0..rows {
                let o = &mut tb[r * hd..(r + 1) * hd];
                for j in lo..visible(s, i0 + r) {
                    ops.axpy(scores[r * hi + j], &v[j * kvs + off..][..hd], o);
                }
            }
        });
    });
    // The copy is cheap next to the products; one pass on this thread.
    for (i, orow) in out.chunks_mut(qs).enumerate() {
        for h in 0..s.heads {
            let src = &tmp[(h * s.q_len + i) * hd..][..hd];
            orow[h * hd..(h + 1) * hd].copy_from_slice(src);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SIMD kernels. AVX2 + FMA rather than AVX-512: the workspace's MSRV (1.85) predates the stable
// AVX-512 intrinsics (1.89), and these kernels are bound by loads, not by vector width. Each has a
// scalar twin computing the same fused multiply-adds in the same order, so the two agree bit for
// bit (tested below) and the scalar one documents exactly what the vector one does.

pub(crate) const LANES: usize = 8;

/// Dot product: two 8-lane accumulators over alternating 8-element blocks, summed lane-wise and
/// reduced by halving; the `len % 8` tail elements are then fused in one by one.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    #[cfg(target_arch = "x86_64")]
    if has_simd() {
        // SAFETY: AVX2 and FMA are present (checked at run time) and the lengths are equal.
        return unsafe { simd::dot(a, b) };
    }
    dot_scalar(a, b)
}

/// `y[i] = fma(alpha, x[i], y[i])`.
pub(crate) fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
    assert_eq!(x.len(), y.len());
    #[cfg(target_arch = "x86_64")]
    if has_simd() {
        // SAFETY: AVX2 and FMA are present (checked at run time) and the lengths are equal.
        return unsafe { simd::axpy(alpha, x, y) };
    }
    axpy_scalar(alpha, x, y)
}

/// Whether the vector kernels can run here (std caches the CPUID probe).
#[inline]
pub(crate) fn has_simd() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Softmax with the reference's semantics and a vectorized exponential.
///
/// Rows holding a NaN, or whose maximum is infinite, are the ones where the reference's result
/// is decided by IEEE special cases (all-NaN rows); they go through the reference itself. Every
/// other row has a finite maximum, where [`exp_shifted`]'s ~1 ulp error is all that differs.
pub(crate) fn softmax_fast(x: &mut [f32]) {
    let (max, nan) = max_and_nan(x);
    if nan || !max.is_finite() {
        softmax(x);
        return;
    }
    let inv = 1.0 / exp_shifted(x, max);
    scale(x, inv);
}

/// The largest non-NaN element (−∞ if none) and whether any element is NaN.
fn max_and_nan(x: &[f32]) -> (f32, bool) {
    #[cfg(target_arch = "x86_64")]
    if has_simd() {
        // SAFETY: AVX2 and FMA are present (checked at run time).
        return unsafe { simd::max_and_nan(x) };
    }
    x.iter().fold((f32::NEG_INFINITY, false), |(m, n), &v| {
        (m.max(v), n | v.is_nan())
    })
}

fn scale(x: &mut [f32], by: f32) {
    #[cfg(target_arch = "x86_64")]
    if has_simd() {
        // SAFETY: AVX2 and FMA are present (checked at run time).
        return unsafe { simd::scale(x, by) };
    }
    x.iter_mut().for_each(|v| *v *= by);
}

/// Below this `exp` is under f32's normal range; the result is flushed to 0.
const EXP_LO: f32 = -87.336_55;
const LOG2E: f32 = std::f32::consts::LOG2_E;
/// ln 2 split so that `n * LN2_HI` is exact for the `n` that occur.
const LN2_HI: f32 = 0.693_359_4;
const LN2_LO: f32 = -2.121_944_4e-4;
/// Polynomial for `(exp(r) - 1 - r) / r²` on `|r| <= ln2 / 2`, highest degree first.
const EXP_POLY: [f32; 6] = [
    1.987_569_1e-4,
    1.398_199_9e-3,
    8.333_452e-3,
    4.166_579_6e-2,
    1.666_666_5e-1,
    0.5,
];

/// `x[i] = exp(x[i] - max)` for `x[i] <= max` (finite `max`); returns their sum. The sum uses
/// 8 lanes, reduced by halving, then the tail elements in order.
pub(crate) fn exp_shifted(x: &mut [f32], max: f32) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if has_simd() {
        // SAFETY: AVX2 and FMA are present (checked at run time).
        return unsafe { simd::exp_shifted(x, max) };
    }
    exp_shifted_scalar(x, max)
}

/// One exponential, in exactly the vector kernel's operations: `n = round(t · log2 e)`,
/// `r = t - n · ln 2` in two steps, `exp(r) = 1 + r + r² · P(r)`, scaled by `2ⁿ` through the
/// exponent bits.
#[inline]
fn exp_one(t: f32) -> f32 {
    if t < EXP_LO {
        return 0.0;
    }
    let n = (t * LOG2E).round_ties_even();
    let r = n.mul_add(-LN2_HI, t);
    let r = n.mul_add(-LN2_LO, r);
    let mut p = EXP_POLY[0];
    for &c in &EXP_POLY[1..] {
        p = p.mul_add(r, c);
    }
    let y = p.mul_add(r * r, r) + 1.0;
    y * f32::from_bits((((n as i32) + 127) as u32) << 23)
}

pub(crate) fn exp_shifted_scalar(x: &mut [f32], max: f32) -> f32 {
    let full = x.len() / LANES * LANES;
    let mut acc = [0.0f32; LANES];
    for c in x[..full].chunks_exact_mut(LANES) {
        for (a, v) in acc.iter_mut().zip(c) {
            *v = exp_one(*v - max);
            *a += *v;
        }
    }
    let mut sum = reduce8(acc);
    for v in &mut x[full..] {
        *v = exp_one(*v - max);
        sum += *v;
    }
    sum
}

pub(crate) fn dot_scalar(a: &[f32], b: &[f32]) -> f32 {
    let full = a.len() / LANES * LANES;
    let mut acc = [[0.0f32; LANES]; 2];
    for (blk, (ca, cb)) in a[..full]
        .chunks_exact(LANES)
        .zip(b[..full].chunks_exact(LANES))
        .enumerate()
    {
        for ((lane, &x), &y) in acc[blk % 2].iter_mut().zip(ca).zip(cb) {
            *lane = x.mul_add(y, *lane);
        }
    }
    let mut sum = acc[0];
    for (s, &t) in sum.iter_mut().zip(&acc[1]) {
        *s += t;
    }
    let mut r = reduce8(sum);
    for (&x, &y) in a[full..].iter().zip(&b[full..]) {
        r = x.mul_add(y, r);
    }
    r
}

/// Horizontal sum in the fixed halving order both dot kernels use.
#[inline]
fn reduce8(mut s: [f32; LANES]) -> f32 {
    let mut w = LANES / 2;
    while w > 0 {
        for l in 0..w {
            s[l] += s[l + w];
        }
        w /= 2;
    }
    s[0]
}

pub(crate) fn axpy_scalar(alpha: f32, x: &[f32], y: &mut [f32]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = alpha.mul_add(xi, *yi);
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod simd {
    use super::{reduce8, LANES};
    use std::arch::x86_64::*;

    /// # Safety
    /// AVX2 and FMA must be available and `a.len() == b.len()`.
    #[target_feature(enable = "avx2,fma")]
    pub(crate) unsafe fn dot(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len();
        let full = n / LANES;
        let mut acc = [_mm256_setzero_ps(); 2];
        let (pa, pb) = (a.as_ptr(), b.as_ptr());
        for blk in 0..full {
            // SAFETY: blk * 8 + 7 < n for full blocks; both slices have n elements.
            let (x, y) = unsafe {
                (
                    _mm256_loadu_ps(pa.add(blk * LANES)),
                    _mm256_loadu_ps(pb.add(blk * LANES)),
                )
            };
            acc[blk % 2] = _mm256_fmadd_ps(x, y, acc[blk % 2]);
        }
        let mut lanes = [0.0f32; LANES];
        // SAFETY: `lanes` holds exactly 8 f32.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), _mm256_add_ps(acc[0], acc[1])) };
        let mut r = reduce8(lanes);
        for i in full * LANES..n {
            r = a[i].mul_add(b[i], r);
        }
        r
    }

    /// Maximum and NaN flag; the maximum is exact, so lane order does not matter.
    ///
    /// # Safety
    /// AVX2 and FMA must be available.
    #[target_feature(enable = "avx2,fma")]
    pub(crate) unsafe fn max_and_nan(x: &[f32]) -> (f32, bool) {
        let full = x.len() / LANES;
        let mut vmax = _mm256_set1_ps(f32::NEG_INFINITY);
        let mut vnan = _mm256_setzero_ps();
        for blk in 0..full {
            // SAFETY: blk * 8 + 7 < x.len().
            let v = unsafe { _mm256_loadu_ps(x.as_ptr().add(blk * LANES)) };
            vnan = _mm256_or_ps(vnan, _mm256_cmp_ps::<_CMP_UNORD_Q>(v, v));
            vmax = _mm256_max_ps(vmax, v);
        }
        let mut lanes = [0.0f32; LANES];
        // SAFETY: `lanes` holds exactly 8 f32.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), vmax) };
        let mut nan = _mm256_movemask_ps(vnan) != 0;
        let mut max = lanes.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        for &v in &x[full * LANES..] {
            nan |= v.is_nan();
            max = max.max(v);
        }
        (max, nan)
    }

    /// # Safety
    /// AVX2 and FMA must be available.
    #[target_feature(enable = "avx2,fma")]
    pub(crate) unsafe fn scale(x: &mut [f32], by: f32) {
        let full = x.len() / LANES;
        let b = _mm256_set1_ps(by);
        let p = x.as_mut_ptr();
        for blk in 0..full {
            // SAFETY: blk * 8 + 7 < x.len().
            unsafe {
                let q = p.add(blk * LANES);
                _mm256_storeu_ps(q, _mm256_mul_ps(_mm256_loadu_ps(q), b));
            }
        }
        for v in &mut x[full * LANES..] {
            *v *= by;
        }
    }

    /// # Safety
    /// AVX2 and FMA must be available.
    #[target_feature(enable = "avx2,fma")]
    pub(crate) unsafe fn exp_shifted(x: &mut [f32], max: f32) -> f32 {
        use super::{exp_one, EXP_LO, EXP_POLY, LN2_HI, LN2_LO, LOG2E};
        let n = x.len();
        let full = n / LANES;
        let (vmax, lo, log2e) = (
            _mm256_set1_ps(max),
            _mm256_set1_ps(EXP_LO),
            _mm256_set1_ps(LOG2E),
        );
        let (hi_c, lo_c) = (_mm256_set1_ps(-LN2_HI), _mm256_set1_ps(-LN2_LO));
        let one = _mm256_set1_ps(1.0);
        let bias = _mm256_set1_epi32(127);
        let mut acc = _mm256_setzero_ps();
        let p = x.as_mut_ptr();
        for blk in 0..full {
            // SAFETY: blk * 8 + 7 < n.
            let v = unsafe { _mm256_loadu_ps(p.add(blk * LANES)) };
            let t = _mm256_sub_ps(v, vmax);
            let under = _mm256_cmp_ps::<_CMP_LT_OQ>(t, lo);
            let nf = _mm256_round_ps::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
                _mm256_mul_ps(t, log2e),
            );
            let r = _mm256_fmadd_ps(nf, hi_c, t);
            let r = _mm256_fmadd_ps(nf, lo_c, r);
            let mut poly = _mm256_set1_ps(EXP_POLY[0]);
            for &c in &EXP_POLY[1..] {
                poly = _mm256_fmadd_ps(poly, r, _mm256_set1_ps(c));
            }
            let y = _mm256_add_ps(_mm256_fmadd_ps(poly, _mm256_mul_ps(r, r), r), one);
            let scale = _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(
                _mm256_cvtps_epi32(nf),
                bias,
            )));
            // Lanes under EXP_LO computed garbage above (n out of range); they become 0.
            let e = _mm256_andnot_ps(under, _mm256_mul_ps(y, scale));
            acc = _mm256_add_ps(acc, e);
            // SAFETY: as for the load.
            unsafe { _mm256_storeu_ps(p.add(blk * LANES), e) };
        }
        let mut lanes = [0.0f32; LANES];
        // SAFETY: `lanes` holds exactly 8 f32.
        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), acc) };
        let mut sum = reduce8(lanes);
        for v in &mut x[full * LANES..] {
            *v = exp_one(*v - max);
            sum += *v;
        }
        sum
    }

    /// # Safety
    /// AVX2 and FMA must be available and `x.len() == y.len()`.
    #[target_feature(enable = "avx2,fma")]
    pub(crate) unsafe fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
        let n = x.len();
        let a = _mm256_set1_ps(alpha);
        let (px, py) = (x.as_ptr(), y.as_mut_ptr());
        let full = n / LANES;
        for blk in 0..full {
            // SAFETY: blk * 8 + 7 < n for full blocks; both slices have n elements.
            unsafe {
                let p = py.add(blk * LANES);
                let r =
                    _mm256_fmadd_ps(a, _mm256_loadu_ps(px.add(blk * LANES)), _mm256_loadu_ps(p));
                _mm256_storeu_ps(p, r);
            }
        }
        for i in full * LANES..n {
            y[i] = alpha.mul_add(x[i], y[i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn rand_vec(rng: &mut ChaCha8Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
    }

    #[test]
    fn simd_dot_and_axpy_match_scalar_twins_bitwise() {
        if !has_simd() {
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for n in [
            0, 1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 25, 63, 64, 65, 100, 513,
        ] {
            let a = rand_vec(&mut rng, n);
            let b = rand_vec(&mut rng, n);
            // SAFETY: AVX2 and FMA are present (checked above) and the lengths match.
            let fast = unsafe { simd::dot(&a, &b) };
            assert_eq!(fast.to_bits(), dot_scalar(&a, &b).to_bits(), "dot n={n}");
            let mut y1 = rand_vec(&mut rng, n);
            let mut y2 = y1.clone();
            // SAFETY: as above.
            unsafe { simd::axpy(0.37, &a, &mut y1) };
            axpy_scalar(0.37, &a, &mut y2);
            assert!(
                y1.iter().zip(&y2).all(|(p, q)| p.to_bits() == q.to_bits()),
                "axpy n={n}"
            );
        }
    }

    #[test]
    fn simd_exp_matches_scalar_twin_bitwise() {
        if !has_simd() {
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for n in [0, 1, 7, 8, 9, 64, 130, 257] {
            let mut a: Vec<f32> = (0..n).map(|_| rng.random_range(-100.0f32..0.0)).collect();
            if n > 3 {
                a[1] = f32::NEG_INFINITY;
                a[2] = EXP_LO;
                a[3] = 0.0;
            }
            let mut b = a.clone();
            // SAFETY: AVX2 and FMA are present (checked above).
            let s1 = unsafe { simd::exp_shifted(&mut a, 0.0) };
            let s2 = exp_shifted_scalar(&mut b, 0.0);
            assert_eq!(s1.to_bits(), s2.to_bits(), "sum n={n}");
            assert!(
                a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()),
                "n={n}"
            );
        }
    }

    #[test]
    fn fast_exp_is_accurate() {
        let mut worst = 0.0f64;
        let mut t = -87.0f32;
        while t <= 0.0 {
            let want = (t as f64).exp();
            let rel = ((exp_one(t) as f64 - want) / want).abs();
            worst = worst.max(rel);
            t += 0.001;
        }
        assert!(
            worst < 4.0 * f32::EPSILON as f64,
            "worst relative error {worst:e}"
        );
        assert_eq!(exp_one(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_one(0.0), 1.0);
    }

    #[test]
    fn fast_softmax_matches_reference_including_special_rows() {
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        let rows: Vec<Vec<f32>> = vec![
            rand_vec(&mut rng, 37).iter().map(|v| v * 20.0).collect(),
            vec![1.0, f32::NAN, 2.0],
            (0..20)
                .map(|i| if i == 13 { f32::NAN } else { i as f32 })
                .collect(),
            (0..20)
                .map(|i| if i == 4 { f32::INFINITY } else { i as f32 })
                .collect(),
            (0..20)
                .map(|i| {
                    if i % 3 == 0 {
                        f32::NEG_INFINITY
                    } else {
                        i as f32
                    }
                })
                .collect(),
            vec![1.0, f32::INFINITY, 2.0],
            vec![f32::NEG_INFINITY; 5],
            vec![1.0, f32::NEG_INFINITY, 2.0],
            vec![3.0],
            vec![],
        ];
        for row in rows {
            let (mut a, mut b) = (row.clone(), row.clone());
            softmax_fast(&mut a);
            softmax(&mut b);
            for (p, q) in a.iter().zip(&b) {
                assert_eq!(p.is_nan(), q.is_nan(), "{row:?}");
                if !q.is_nan() {
                    assert!(
                        (p - q).abs() <= 4.0 * f32::EPSILON * q.abs().max(1e-30),
                        "{row:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn dot_propagates_nan() {
        let mut a = vec![1.0f32; 40];
        a[37] = f32::NAN;
        assert!(dot(&a, &[1.0; 40]).is_nan());
        assert!(dot_scalar(&a, &[1.0; 40]).is_nan());
    }
}
