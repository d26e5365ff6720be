//! Block quantization shared by the `int8` and `int4` backends: the formats, the packing, the
//! integer dot-product kernels (AVX-512 VNNI, AVX2, scalar twin) and the backend driver.
//!
//! # Formats
//!
//! Weights are quantized once, in [`Backend::prepare`], in blocks of [`QK`] = 32 consecutive
//! values along the input axis K (one block per output column per 32 inputs), symmetric, one f16
//! scale per block (as GGML's Q8_0 / Q4_0, and as Needle's QAT groups):
//!
//! - int8: `d = max|w| / 127`, `q = clamp(round(w / d), -128, 127)`: 32 bytes + 2 = 34 B / 32
//!   weights;
//! - int4: `d = max|w| / 7`, `q = clamp(round(w / d), -8, 7)`, two per byte: 16 + 2 = 18 B / 32.
//!
//! `d` is rounded to f16 first and `q` computed against the rounded scale, so the
//! round-to-nearest error of every weight is at most `d / 2` for the stored `d`.
//!
//! Activations (the row `x` of a decode matmul) are quantized per block of 32 to int8 with an f32
//! scale `dx = max|x| / 127`, `q = round_ties_even(x · (1 / dx))` (within ±127), vectorized with
//! AVX2 (`cvtps_epi32` rounds to nearest even) with a scalar twin.
//!
//! # Packing
//!
//! Output columns are grouped by [`GROUP`] = 16 (one AVX-512 register of i32 lanes). For a group
//! `g` and block `b` the 32 × 16 weights are stored contiguously, 4 consecutive K values of one
//! column per 32-bit lane: chunk `t` (K = 32b + 4t .. 32b + 4t + 4) of column `16g + l` sits at
//! bytes `64t + 4l .. 64t + 4l + 4`. int8 stores `q + 128` (an unsigned byte); int4 stores
//! `q + 8` as nibbles, chunk `t` in the low and chunk `t + 4` in the high nibble of 4 × 64 bytes.
//! A decode matmul streams each group's blocks front to back, broadcasting 4 activation bytes
//! per chunk, so it needs no horizontal reductions: lane `l` accumulates column `16g + l`.
//!
//! # Arithmetic (identical on every path)
//!
//! For each column `j` and block `b` the integer dot product `s = Σ q_w · q_x` is exact. The
//! column's result is then the fused chain `acc = fma(s as f32, d_w · d_x, acc)` over
//! `b = 0, 1, …` from `acc = 0`. The unsigned offsets of the packed weights are removed exactly in
//! integers (`Σ (q + o) · x - o · Σ x`), so the AVX-512 VNNI kernel (`vpdpbusd`, u8 × s8), the
//! AVX2 kernel (`maddubs`/`madd`: sign transfer for int8, raw nibbles for int4) and the scalar
//! twin give bit-identical outputs.
//!
//! # Prefill and special values
//!
//! For M > 1 the weights are used dequantized (`q · d` in f32) through the `gemm` crate, which
//! measured faster than looping rows over the integer kernel; activations stay f32 there.
//! Attention is the shared f32 code. Rows of `x` holding NaN or ±Inf, and columns of `W` holding
//! them, are recomputed in f32 from the original weights so that non-finite values reach exactly
//! the outputs they reach in `naive` (quantization would otherwise smear or drop them).

use rayon::prelude::*;

use super::attention::{self, AttnOps, View};
use super::gemm::{gemm_mm, gemm_rows};
use super::{AttnShape, Backend, Matrix};

/// Weights per quantization block (along K).
pub const QK: usize = 32;
/// Output columns per packed group.
pub const GROUP: usize = 16;

/// Below this many multiply-adds an M = 1 product runs on the calling thread (waking the pool
/// costs 10–40 µs on the 2-vCPU machine; a 512×512 int8 product takes a few µs).
const PAR_MIN_WORK: usize = 1 << 20;

/// The same threshold when the caller already runs on this backend's pool (inside
/// [`Backend::scoped`]), where a split costs a few µs instead of a wake-up.
const PAR_MIN_WORK_IN_POOL: usize = 1 << 17;

/// Bits per weight of a block format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bits {
    Q8,
    Q4,
}

impl Bits {
    /// Largest magnitude of the symmetric grid (the scale is `max|w| / qmax`).
    pub fn qmax(self) -> f32 {
        match self {
            Bits::Q8 => 127.0,
            Bits::Q4 => 7.0,
        }
    }
    fn qmin(self) -> f32 {
        match self {
            Bits::Q8 => -128.0,
            Bits::Q4 => -8.0,
        }
    }
    /// Unsigned offset of the stored codes.
    fn offset(self) -> i32 {
        match self {
            Bits::Q8 => 128,
            Bits::Q4 => 8,
        }
    }
    /// Packed bytes per block per column.
    fn block_bytes(self) -> usize {
        match self {
            Bits::Q8 => QK,
            Bits::Q4 => QK / 2,
        }
    }
    /// Bytes per weight of the format, scales included (34/32 and 18/32).
    pub fn bytes_per_weight(self) -> f64 {
        (self.block_bytes() + 2) as f64 / QK as f64
    }
}

/// Quantizes one block of at most [`QK`] weights: returns the stored (f16-rounded) scale and the
/// codes. Blocks holding NaN or ±Inf are the caller's business (see [`QMatrix::new`]).
pub fn quantize_block(bits: Bits, w: &[f32]) -> (half::f16, [i8; QK]) {
    assert!(w.len() <= QK);
    let amax = w.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let d = half::f16::from_f32(amax / bits.qmax());
    let df = d.to_f32();
    let id = if df > 0.0 { 1.0 / df } else { 0.0 };
    let mut q = [0i8; QK];
    for (qi, &v) in q.iter_mut().zip(w) {
        *qi = (v * id).round().clamp(bits.qmin(), bits.qmax()) as i8;
    }
    (d, q)
}

/// A row of activations quantized per block to int8: `xq` padded with zeros to whole blocks,
/// `dx` the f32 scale and `sum` the sum of the codes of each block.
pub struct QAct {
    pub xq: Vec<i8>,
    pub dx: Vec<f32>,
    pub sum: Vec<i32>,
}

/// Bits of `|v|` at or above this are ±Inf or NaN.
const NONFINITE_BITS: u32 = 0x7f80_0000;

/// The activation scale and its reciprocal for a block whose largest `|x|` has bits `amax_bits`.
#[inline]
fn act_scale(amax_bits: u32) -> (f32, f32) {
    let d = f32::from_bits(amax_bits) / 127.0;
    (d, if d > 0.0 { 1.0 / d } else { 0.0 })
}

/// Quantizes one block of activations (the scalar twin of the AVX2 quantizer): `None` when it
/// holds NaN or ±Inf, else the scale and the sum of the codes.
pub fn quantize_act_block(x: &[f32], q: &mut [i8]) -> Option<(f32, i32)> {
    let amax_bits = x.iter().fold(0u32, |m, v| m.max(v.to_bits() & 0x7fff_ffff));
    if amax_bits >= NONFINITE_BITS {
        return None;
    }
    let (d, id) = act_scale(amax_bits);
    let mut s = 0i32;
    for (qi, &v) in q.iter_mut().zip(x) {
        *qi = ((v * id).round_ties_even() as i32).clamp(-127, 127) as i8;
        s += *qi as i32;
    }
    Some((d, s))
}

impl QAct {
    /// `None` when `x` holds NaN or ±Inf.
    pub fn new(x: &[f32], nb: usize) -> Option<QAct> {
        Self::with(x, nb, true)
    }

    /// As [`QAct::new`], with the AVX2 quantizer when `simd` (and supported).
    pub fn with(x: &[f32], nb: usize, simd: bool) -> Option<QAct> {
        assert!(x.len() <= nb * QK);
        let mut a = QAct {
            xq: vec![0; nb * QK],
            dx: vec![0.0; nb],
            sum: vec![0; nb],
        };
        let simd = simd && Path::Avx2.supported();
        for (b, blk) in x.chunks(QK).enumerate() {
            let q = &mut a.xq[b * QK..(b + 1) * QK];
            #[cfg(target_arch = "x86_64")]
            let r = if simd && blk.len() == QK {
                // SAFETY: AVX2 is present; `blk` and `q` hold exactly 32 elements.
                unsafe { simd::quantize_act_block(blk, q) }
            } else {
                quantize_act_block(blk, q)
            };
            #[cfg(not(target_arch = "x86_64"))]
            let r = {
                let _ = simd;
                quantize_act_block(blk, q)
            };
            let (d, s) = r?;
            a.dx[b] = d;
            a.sum[b] = s;
        }
        Some(a)
    }
}

/// A weight matrix `[k, n]` in a block format, packed for the decode kernels, plus its
/// dequantized f32 form for prefill.
pub struct QMatrix {
    pub bits: Bits,
    pub k: usize,
    pub n: usize,
    /// Blocks along K.
    pub nb: usize,
    /// Groups of [`GROUP`] columns.
    pub ng: usize,
    /// Packed codes, `ng × nb` units of `GROUP × block_bytes` bytes.
    pub data: Vec<u8>,
    /// f16 bits of the scales, `ng × nb × GROUP` (column-minor).
    pub scales: Vec<u16>,
    /// `q · d` row-major `[k, n]`; blocks holding NaN/Inf are zero here.
    pub deq: Vec<f32>,
    /// Columns with a NaN or ±Inf weight: recomputed in f32 from the original weights.
    pub bad_cols: Vec<usize>,
}

impl QMatrix {
    /// Quantizes and packs the row-major `[k, n]` weights `w`.
    pub fn new(bits: Bits, w: &[f32], k: usize, n: usize) -> QMatrix {
        assert_eq!(w.len(), k * n);
        let nb = k.div_ceil(QK);
        let ng = n.div_ceil(GROUP);
        let unit = GROUP * bits.block_bytes();
        // Padding codes are q = 0, stored as the offset.
        let pad = match bits {
            Bits::Q8 => 0x80,
            Bits::Q4 => 0x88,
        };
        let mut m = QMatrix {
            bits,
            k,
            n,
            nb,
            ng,
            data: vec![pad; ng * nb * unit],
            scales: vec![0; ng * nb * GROUP],
            deq: vec![0.0; k * n],
            bad_cols: Vec::new(),
        };
        let mut col = [0.0f32; QK];
        let mut bad = vec![false; n];
        // Block-major: the 32 rows of one block stay in cache while every column reads them.
        for b in 0..nb {
            for j in 0..n {
                let (g, l) = (j / GROUP, j % GROUP);
                let k0 = b * QK;
                let len = QK.min(k - k0);
                for (i, c) in col[..len].iter_mut().enumerate() {
                    *c = w[(k0 + i) * n + j];
                }
                if col[..len].iter().any(|v| !v.is_finite()) {
                    bad[j] = true;
                    continue; // codes stay zero, scale zero, deq zero
                }
                let (d, q) = quantize_block(bits, &col[..len]);
                m.scales[(g * nb + b) * GROUP + l] = d.to_bits();
                let df = d.to_f32();
                for (i, &qi) in q[..len].iter().enumerate() {
                    m.deq[(k0 + i) * n + j] = qi as f32 * df;
                }
                let base = (g * nb + b) * unit;
                for (i, &qi) in q.iter().enumerate() {
                    let (t, r) = (i / 4, i % 4);
                    let u = (qi as i32 + bits.offset()) as u8;
                    match bits {
                        Bits::Q8 => m.data[base + t * 64 + l * 4 + r] = u,
                        Bits::Q4 => {
                            let at = base + (t % 4) * 64 + l * 4 + r;
                            if t < 4 {
                                m.data[at] = (m.data[at] & 0xF0) | u;
                            } else {
                                m.data[at] = (m.data[at] & 0x0F) | (u << 4);
                            }
                        }
                    }
                }
            }
        }
        m.bad_cols = (0..n).filter(|&j| bad[j]).collect();
        m
    }

    /// The code of column `j` at input `kk` (< nb · QK), read back from the packing.
    pub fn code(&self, j: usize, kk: usize) -> i32 {
        let (g, l, b, i) = (j / GROUP, j % GROUP, kk / QK, kk % QK);
        let (t, r) = (i / 4, i % 4);
        let base = (g * self.nb + b) * GROUP * self.bits.block_bytes();
        let raw = match self.bits {
            Bits::Q8 => self.data[base + t * 64 + l * 4 + r],
            Bits::Q4 => {
                let byte = self.data[base + (t % 4) * 64 + l * 4 + r];
                if t < 4 {
                    byte & 0x0F
                } else {
                    byte >> 4
                }
            }
        };
        raw as i32 - self.bits.offset()
    }

    /// The stored scale of column `j`, block `b`.
    pub fn scale(&self, j: usize, b: usize) -> f32 {
        let (g, l) = (j / GROUP, j % GROUP);
        half::f16::from_bits(self.scales[(g * self.nb + b) * GROUP + l]).to_f32()
    }

    /// Bytes a decode matmul streams (codes and scales).
    pub fn packed_bytes(&self) -> usize {
        self.data.len() + 2 * self.scales.len()
    }
}

/// Which integer kernel runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    Scalar,
    Avx2,
    Vnni,
}

impl Path {
    /// The fastest path this CPU supports (std caches the CPUID probes).
    pub fn best() -> Path {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx512f") && has!("avx512bw") && has!("avx512vnni") {
                return Path::Vnni;
            }
            if has!("avx2") && has!("fma") && has!("f16c") {
                return Path::Avx2;
            }
        }
        Path::Scalar
    }

    /// Whether this CPU can run the path.
    pub fn supported(self) -> bool {
        match self {
            Path::Scalar => true,
            Path::Avx2 => Path::best() != Path::Scalar,
            Path::Vnni => Path::best() == Path::Vnni,
        }
    }
}

/// `y[j - 16·g0] = Σ_b fma-chain` for the columns `16·g0 .. 16·g0 + y.len()` (clipped to `n`
/// by the caller): the decode kernel, on `path`.
pub fn gemv(path: Path, m: &QMatrix, a: &QAct, g0: usize, y: &mut [f32]) {
    assert_eq!(a.xq.len(), m.nb * QK);
    assert!(g0 * GROUP + y.len() <= m.ng * GROUP);
    match path {
        Path::Scalar => gemv_scalar(m, a, g0, y),
        #[cfg(target_arch = "x86_64")]
        Path::Avx2 => {
            assert!(path.supported());
            // SAFETY: AVX2/FMA/F16C are present (asserted); the asserts above bound the groups
            // and activation blocks the kernel reads.
            unsafe { simd::gemv_avx2(m, a, g0, y) }
        }
        #[cfg(target_arch = "x86_64")]
        Path::Vnni => {
            assert!(path.supported());
            // SAFETY: AVX-512 F/BW/VNNI are present (asserted); bounds as above.
            unsafe { simd::gemv_vnni(m, a, g0, y) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        _ => gemv_scalar(m, a, g0, y),
    }
}

/// The scalar twin of the SIMD kernels: the same exact integer block sums and the same fused
/// chain over blocks, read through [`QMatrix::code`] so it checks the packing too.
pub fn gemv_scalar(m: &QMatrix, a: &QAct, g0: usize, y: &mut [f32]) {
    for (jj, yj) in y.iter_mut().enumerate() {
        let j = g0 * GROUP + jj;
        let mut acc = 0.0f32;
        for b in 0..m.nb {
            let s: i32 = (0..QK)
                .map(|i| m.code(j, b * QK + i) * a.xq[b * QK + i] as i32)
                .sum();
            acc = (s as f32).mul_add(m.scale(j, b) * a.dx[b], acc);
        }
        *yj = acc;
    }
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use super::{act_scale, Bits, QAct, QMatrix, GROUP, NONFINITE_BITS, QK};
    use std::arch::x86_64::*;

    /// AVX2 twin of [`super::quantize_act_block`] for one full block.
    ///
    /// # Safety
    /// AVX2 must be available; `x.len() == q.len() == QK`.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn quantize_act_block(x: &[f32], q: &mut [i8]) -> Option<(f32, i32)> {
        assert!(x.len() == QK && q.len() == QK);
        let p = x.as_ptr();
        // SAFETY: 4 × 8 floats = QK elements of `x`.
        let v: [__m256; 4] = std::array::from_fn(|i| unsafe { _mm256_loadu_ps(p.add(8 * i)) });
        let absmask = _mm256_set1_epi32(0x7fff_ffff);
        let mut m = _mm256_setzero_si256();
        for vi in &v {
            m = _mm256_max_epu32(m, _mm256_and_si256(_mm256_castps_si256(*vi), absmask));
        }
        let mut lanes = [0u32; 8];
        // SAFETY: `lanes` holds 8 u32.
        unsafe { _mm256_storeu_si256(lanes.as_mut_ptr() as *mut __m256i, m) };
        let amax_bits = lanes.iter().fold(0u32, |a, &b| a.max(b));
        if amax_bits >= NONFINITE_BITS {
            return None;
        }
        let (d, id) = act_scale(amax_bits);
        let idv = _mm256_set1_ps(id);
        // Round to nearest even (the default MXCSR mode); |x · id| <= 127 + an ulp, so the
        // codes are already within ±127 and the packs below do not saturate.
        let qi: [__m256i; 4] =
            std::array::from_fn(|i| _mm256_cvtps_epi32(_mm256_mul_ps(v[i], idv)));
        let sum = _mm256_add_epi32(
            _mm256_add_epi32(qi[0], qi[1]),
            _mm256_add_epi32(qi[2], qi[3]),
        );
        let lo = _mm256_packs_epi32(qi[0], qi[1]);
        let hi = _mm256_packs_epi32(qi[2], qi[3]);
        let bytes = _mm256_permutevar8x32_epi32(
            _mm256_packs_epi16(lo, hi),
            _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7),
        );
        // SAFETY: `q` holds 32 bytes.
        unsafe { _mm256_storeu_si256(q.as_mut_ptr() as *mut __m256i, bytes) };
        let mut s = [0i32; 8];
        // SAFETY: `s` holds 8 i32.
        unsafe { _mm256_storeu_si256(s.as_mut_ptr() as *mut __m256i, sum) };
        Some((d, s.iter().sum()))
    }

    /// 4 activation codes of block `b`, chunk `t`, as one 32-bit lane.
    ///
    /// # Safety
    /// `(b + 1) * QK <= a.xq.len()` and `t < 8`.
    #[inline(always)]
    unsafe fn x4(a: &QAct, b: usize, t: usize) -> i32 {
        // SAFETY: in bounds by the caller's contract; unaligned read of 4 bytes.
        unsafe { (a.xq.as_ptr().add(b * QK + t * 4) as *const i32).read_unaligned() }
    }

    /// # Safety
    /// AVX-512 F/BW/VNNI available; `g0 * GROUP + y.len() <= m.ng * GROUP`;
    /// `a.xq.len() == m.nb * QK`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub(super) unsafe fn gemv_vnni(m: &QMatrix, a: &QAct, g0: usize, y: &mut [f32]) {
        let nb = m.nb;
        let unit = GROUP * m.bits.block_bytes();
        let off = m.bits.offset();
        let nib = _mm512_set1_epi8(0x0F);
        for (gi, yg) in y.chunks_mut(GROUP).enumerate() {
            let g = g0 + gi;
            let mut acc = _mm512_setzero_ps();
            for b in 0..nb {
                // SAFETY: unit (g, b) lies inside `data` and its 16 scales inside `scales` since
                // g < ng and b < nb; activation chunks are in bounds (caller contract).
                unsafe {
                    let p = m.data.as_ptr().add((g * nb + b) * unit);
                    let mut i0 = _mm512_set1_epi32(-off * a.sum[b]);
                    let mut i1 = _mm512_setzero_si512();
                    match m.bits {
                        Bits::Q8 => {
                            for t in (0..8).step_by(2) {
                                let w0 = _mm512_loadu_si512(p.add(t * 64) as *const _);
                                let w1 = _mm512_loadu_si512(p.add(t * 64 + 64) as *const _);
                                i0 = _mm512_dpbusd_epi32(i0, w0, _mm512_set1_epi32(x4(a, b, t)));
                                i1 =
                                    _mm512_dpbusd_epi32(i1, w1, _mm512_set1_epi32(x4(a, b, t + 1)));
                            }
                        }
                        Bits::Q4 => {
                            for u in 0..4 {
                                let v = _mm512_loadu_si512(p.add(u * 64) as *const _);
                                let lo = _mm512_and_si512(v, nib);
                                let hi = _mm512_and_si512(_mm512_srli_epi16::<4>(v), nib);
                                i0 = _mm512_dpbusd_epi32(i0, lo, _mm512_set1_epi32(x4(a, b, u)));
                                i1 =
                                    _mm512_dpbusd_epi32(i1, hi, _mm512_set1_epi32(x4(a, b, u + 4)));
                            }
                        }
                    }
                    let s = _mm512_add_epi32(i0, i1);
                    let dw = _mm512_cvtph_ps(_mm256_loadu_si256(
                        m.scales.as_ptr().add((g * nb + b) * GROUP) as *const _,
                    ));
                    let d = _mm512_mul_ps(dw, _mm512_set1_ps(a.dx[b]));
                    acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), d, acc);
                }
            }
            if yg.len() == GROUP {
                // SAFETY: yg holds 16 floats.
                unsafe { _mm512_storeu_ps(yg.as_mut_ptr(), acc) };
            } else {
                let mut tmp = [0.0f32; GROUP];
                // SAFETY: tmp holds 16 floats.
                unsafe { _mm512_storeu_ps(tmp.as_mut_ptr(), acc) };
                yg.copy_from_slice(&tmp[..yg.len()]);
            }
        }
    }

    /// Each group as two halves of 8 columns, accumulated side by side.
    ///
    /// # Safety
    /// AVX2/FMA/F16C available; same bounds as [`gemv_vnni`].
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn gemv_avx2(m: &QMatrix, a: &QAct, g0: usize, y: &mut [f32]) {
        let nb = m.nb;
        let unit = GROUP * m.bits.block_bytes();
        let nib = _mm256_set1_epi8(0x0F);
        let flip = _mm256_set1_epi8(-128);
        let ones = _mm256_set1_epi16(1);
        for (gi, yg) in y.chunks_mut(GROUP).enumerate() {
            let g = g0 + gi;
            let mut acc = [_mm256_setzero_ps(); 2];
            for b in 0..nb {
                // SAFETY: as in `gemv_vnni`: unit (g, b), its scales and the activation chunks
                // are in bounds.
                unsafe {
                    let p = m.data.as_ptr().add((g * nb + b) * unit);
                    let sp = m.scales.as_ptr().add((g * nb + b) * GROUP);
                    let dxb = _mm256_set1_ps(a.dx[b]);
                    for (h, acc_h) in acc.iter_mut().enumerate() {
                        let mut s = match m.bits {
                            Bits::Q8 => _mm256_setzero_si256(),
                            Bits::Q4 => _mm256_set1_epi32(-8 * a.sum[b]),
                        };
                        match m.bits {
                            Bits::Q8 => {
                                for t in 0..8 {
                                    let u = _mm256_loadu_si256(p.add(t * 64 + h * 32) as *const _);
                                    let w = _mm256_xor_si256(u, flip);
                                    let xb = _mm256_set1_epi32(x4(a, b, t));
                                    let pr = _mm256_maddubs_epi16(
                                        _mm256_abs_epi8(w),
                                        _mm256_sign_epi8(xb, w),
                                    );
                                    s = _mm256_add_epi32(s, _mm256_madd_epi16(pr, ones));
                                }
                            }
                            Bits::Q4 => {
                                for u in 0..4 {
                                    let v = _mm256_loadu_si256(p.add(u * 64 + h * 32) as *const _);
                                    let lo = _mm256_and_si256(v, nib);
                                    let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(v), nib);
                                    let p0 =
                                        _mm256_maddubs_epi16(lo, _mm256_set1_epi32(x4(a, b, u)));
                                    let p1 = _mm256_maddubs_epi16(
                                        hi,
                                        _mm256_set1_epi32(x4(a, b, u + 4)),
                                    );
                                    s = _mm256_add_epi32(s, _mm256_madd_epi16(p0, ones));
                                    s = _mm256_add_epi32(s, _mm256_madd_epi16(p1, ones));
                                }
                            }
                        }
                        let dw = _mm256_cvtph_ps(_mm_loadu_si128(sp.add(h * 8) as *const _));
                        let d = _mm256_mul_ps(dw, dxb);
                        *acc_h = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), d, *acc_h);
                    }
                }
            }
            let mut tmp = [0.0f32; GROUP];
            // SAFETY: tmp holds 16 floats.
            unsafe {
                _mm256_storeu_ps(tmp.as_mut_ptr(), acc[0]);
                _mm256_storeu_ps(tmp.as_mut_ptr().add(8), acc[1]);
            }
            yg.copy_from_slice(&tmp[..yg.len()]);
        }
    }
}

struct QuantAttnOps;

impl AttnOps for QuantAttnOps {
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

/// `y = x · W` in f32 from the original weights, row by row (the special-value fallback).
fn f32_row(x: &[f32], w: &[f32], n: usize, y: &mut [f32]) {
    y.fill(0.0);
    for (kk, &xk) in x.iter().enumerate() {
        for (yj, &wj) in y.iter_mut().zip(&w[kk * n..kk * n + n]) {
            *yj += xk * wj;
        }
    }
}

/// The backend shared by `int8` and `int4`.
pub struct QuantBackend {
    bits: Bits,
    name: &'static str,
    threads: usize,
    path: Path,
    pool: rayon::ThreadPool,
}

impl QuantBackend {
    pub fn new(bits: Bits, name: &'static str, threads: usize) -> QuantBackend {
        QuantBackend {
            bits,
            name,
            threads: threads.max(1),
            path: Path::best(),
            pool: super::pool(threads),
        }
    }

    fn packed<'a>(&self, w: &'a Matrix) -> &'a QMatrix {
        w.packed
            .as_ref()
            .and_then(|p| p.downcast_ref::<QMatrix>())
            .filter(|q| q.bits == self.bits && q.k == w.rows && q.n == w.cols)
            .expect("matrix was not prepared by this quantized backend")
    }
}

/// `int8` and `int4` are this one backend with a different [`Bits`]; the registry builds them.
impl Backend for QuantBackend {
    fn name(&self) -> &'static str {
        self.name
    }

    fn threads(&self) -> usize {
        self.threads
    }

    fn scoped(&self, f: &mut (dyn FnMut() + Send)) {
        self.pool.install(f)
    }

    fn prepare(&self, w: &mut Matrix) {
        w.packed = Some(Box::new(QMatrix::new(self.bits, &w.data, w.rows, w.cols)));
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
        let q = self.packed(w);
        if m == 1 {
            match QAct::new(x, q.nb) {
                None => f32_row(x, &w.data, n, y),
                Some(a) => {
                    let min_work = if self.pool.current_thread_index().is_some() {
                        PAR_MIN_WORK_IN_POOL
                    } else {
                        PAR_MIN_WORK
                    };
                    if self.threads == 1 || k * n < min_work {
                        gemv(self.path, q, &a, 0, y);
                    } else {
                        // One chunk of whole groups per thread; every column runs the same
                        // arithmetic whatever the split.
                        let chunk = q.ng.div_ceil(self.threads) * GROUP;
                        let path = self.path;
                        self.pool.install(|| {
                            y.par_chunks_mut(chunk).enumerate().for_each(|(c, yc)| {
                                gemv(path, q, &a, c * chunk / GROUP, yc);
                            });
                        });
                    }
                }
            }
        } else {
            gemm_rows(&self.pool, self.threads, x, m, k, &q.deq, n, y);
            for (xr, yr) in x.chunks(k).zip(y.chunks_mut(n)) {
                if xr.iter().any(|v| !v.is_finite()) {
                    f32_row(xr, &w.data, n, yr);
                }
            }
        }
        for &j in &q.bad_cols {
            for (xr, yr) in x.chunks(k).zip(y.chunks_mut(n)) {
                yr[j] = xr
                    .iter()
                    .enumerate()
                    .fold(0.0f32, |s, (kk, &xk)| s + xk * w.data[kk * n + j]);
            }
        }
    }

    fn attention(&self, s: &AttnShape, q: &[f32], k: &[f32], v: &[f32], out: &mut [f32]) {
        attention::attention(&QuantAttnOps, &self.pool, s, q, k, v, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr_free::gaussian;

    /// Box–Muller standard normals (no extra dependency).
    mod rand_distr_free {
        use rand::Rng;
        pub fn gaussian(rng: &mut impl Rng) -> f32 {
            let u1: f64 = rng.random_range(f64::MIN_POSITIVE..1.0);
            let u2: f64 = rng.random_range(0.0..1.0);
            ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
        }
    }

    fn nmse(a: &[f32], b: &[f32]) -> f64 {
        let (mut e, mut s) = (0.0f64, 0.0f64);
        for (&x, &y) in a.iter().zip(b) {
            e += (x as f64 - y as f64).powi(2);
            s += (y as f64).powi(2);
        }
        e / s
    }

    #[test]
    fn round_trip_error_is_at_most_half_a_step() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for bits in [Bits::Q8, Bits::Q4] {
            for (k, n) in [(64, 48), (100, 17), (512, 33)] {
                let w: Vec<f32> = (0..k * n).map(|_| 0.05 * gaussian(&mut rng)).collect();
                let q = QMatrix::new(bits, &w, k, n);
                for j in 0..n {
                    for kk in 0..k {
                        let d = q.scale(j, kk / QK);
                        let back = q.code(j, kk) as f32 * d;
                        assert_eq!(back, q.deq[kk * n + j]);
                        let err = (w[kk * n + j] - back).abs();
                        assert!(err <= d * 0.5 * (1.0 + 1e-5), "{bits:?} err {err} > {d}/2");
                    }
                    for kk in k..q.nb * QK {
                        assert_eq!(q.code(j, kk), 0, "padding");
                    }
                }
            }
        }
    }

    /// Normalized MSE of dequantized Gaussian weights. Round-to-nearest leaves an error roughly
    /// uniform on ±d/2, variance d²/12, with d = max|w| / qmax and E[max of 32 |N(0,1)|] ≈ 2.4σ
    /// (with E[max²] slightly above its square): nmse ≈ (2.4 / qmax)² / 12 ≈ 3e-5 for int8 and
    /// ≈ 1e-2 for int4 (measured 2.8e-5 and 9.3e-3). Bounds: 1e-4 and 1.3e-2.
    #[test]
    fn gaussian_nmse_within_derived_bounds() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let (k, n) = (512, 512);
        let w: Vec<f32> = (0..k * n).map(|_| gaussian(&mut rng)).collect();
        for (bits, bound) in [(Bits::Q8, 1e-4), (Bits::Q4, 1.3e-2)] {
            let q = QMatrix::new(bits, &w, k, n);
            let e = nmse(&q.deq, &w);
            println!("{bits:?}: weight nmse {e:.3e} (bound {bound:e})");
            assert!(e <= bound, "{bits:?}: {e}");
        }
    }

    /// Quantized dot products against f32: both operands quantized, so the errors add:
    /// ≈ 3e-5 + 3e-5 for int8 and ≈ 1e-2 for int4 on Gaussian data (measured 5.3e-5 and
    /// 9.7e-3). Bounds 2e-4 and 2e-2.
    #[test]
    fn quantized_products_close_to_f32() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let (k, n) = (512, 1024);
        let w: Vec<f32> = (0..k * n).map(|_| gaussian(&mut rng)).collect();
        let x: Vec<f32> = (0..k).map(|_| gaussian(&mut rng)).collect();
        let mut want = vec![0.0f32; n];
        f32_row(&x, &w, n, &mut want);
        for (bits, bound) in [(Bits::Q8, 2e-4), (Bits::Q4, 2e-2)] {
            let q = QMatrix::new(bits, &w, k, n);
            let a = QAct::new(&x, q.nb).unwrap();
            let mut got = vec![0.0f32; n];
            gemv(Path::best(), &q, &a, 0, &mut got);
            let e = nmse(&got, &want);
            println!("{bits:?}: product nmse {e:.3e} (bound {bound:e})");
            assert!(e <= bound, "{bits:?}: {e}");
        }
    }

    #[test]
    fn simd_kernels_match_scalar_twin_bitwise() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for bits in [Bits::Q8, Bits::Q4] {
            for (k, n) in [
                (1, 1),
                (31, 17),
                (64, 16),
                (100, 40),
                (512, 512),
                (512, 100),
            ] {
                let w: Vec<f32> = (0..k * n).map(|_| rng.random_range(-1.0..1.0)).collect();
                let x: Vec<f32> = (0..k).map(|_| gaussian(&mut rng)).collect();
                let q = QMatrix::new(bits, &w, k, n);
                let a = QAct::new(&x, q.nb).unwrap();
                let mut want = vec![f32::NAN; n];
                gemv_scalar(&q, &a, 0, &mut want);
                for path in [Path::Avx2, Path::Vnni] {
                    if !path.supported() {
                        println!("skipping {path:?}: not supported here");
                        continue;
                    }
                    let mut got = vec![f32::NAN; n];
                    gemv(path, &q, &a, 0, &mut got);
                    assert!(
                        got.iter()
                            .zip(&want)
                            .all(|(a, b)| a.to_bits() == b.to_bits()),
                        "{bits:?} {path:?} k={k} n={n}"
                    );
                    // A chunk starting at a later group, as the threads see it.
                    if q.ng > 1 {
                        let mut part = vec![f32::NAN; n - GROUP];
                        gemv(path, &q, &a, 1, &mut part);
                        assert!(part
                            .iter()
                            .zip(&want[GROUP..])
                            .all(|(a, b)| a.to_bits() == b.to_bits()));
                    }
                }
            }
        }
    }

    #[test]
    fn activation_quantizer_matches_scalar_twin() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for k in [1usize, 31, 32, 100, 512] {
            for scale in [1e-30f32, 1e-3, 1.0, 1e30] {
                let mut x: Vec<f32> = (0..k).map(|_| scale * gaussian(&mut rng)).collect();
                if k > 3 {
                    x[3] = 0.0;
                }
                let nb = k.div_ceil(QK);
                let fast = QAct::with(&x, nb, true).unwrap();
                let slow = QAct::with(&x, nb, false).unwrap();
                assert_eq!(fast.xq, slow.xq, "k={k} scale={scale}");
                assert_eq!(fast.sum, slow.sum);
                assert_eq!(fast.dx, slow.dx);
                assert!(fast.xq.iter().all(|&q| q >= -127));
            }
        }
        let zeros = QAct::new(&[0.0; 64], 2).unwrap();
        assert!(zeros.xq.iter().all(|&q| q == 0) && zeros.dx == [0.0, 0.0]);
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let mut x = vec![0.5f32; 64];
            x[40] = bad;
            assert!(QAct::with(&x, 2, true).is_none() && QAct::with(&x, 2, false).is_none());
        }
    }

    /// The prefill choice: M = 256 rows looped over the integer kernel against one `gemm` call on
    /// the dequantized weights. Run with
    /// `cargo test --release -p thimble-runtime --lib prefill_path_timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn prefill_path_timing() {
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        let (m, k, n) = (256, 512, 512);
        let w: Vec<f32> = (0..k * n).map(|_| gaussian(&mut rng)).collect();
        let x: Vec<f32> = (0..m * k).map(|_| gaussian(&mut rng)).collect();
        for bits in [Bits::Q8, Bits::Q4] {
            let be = QuantBackend::new(bits, "q", 1);
            let mut mat = Matrix::new(k, n, w.clone());
            be.prepare(&mut mat);
            let q = be.packed(&mat);
            let mut y = vec![0.0f32; m * n];
            let time = |f: &mut dyn FnMut()| {
                (0..5)
                    .map(|_| {
                        let t = std::time::Instant::now();
                        f();
                        t.elapsed().as_secs_f64()
                    })
                    .fold(f64::INFINITY, f64::min)
            };
            let rows = time(&mut || {
                for (xr, yr) in x.chunks(k).zip(y.chunks_mut(n)) {
                    let a = QAct::new(xr, q.nb).unwrap();
                    gemv(Path::best(), q, &a, 0, yr);
                }
            });
            let gemm = time(&mut || be.matmul(&x, m, &mat, &mut y));
            let gf = |s: f64| 2.0 * (m * k * n) as f64 / s / 1e9;
            println!(
                "{bits:?} m={m} k={k} n={n}: integer rows {:.1} GFLOP/s, gemm on dequantized {:.1}",
                gf(rows),
                gf(gemm)
            );
        }
    }

    /// The `gemm` backend on weights replaced by their dequantized values (fake quantization).
    struct FakeQuant(Bits, super::super::GemmBackend);

    impl super::super::Backend for FakeQuant {
        fn name(&self) -> &'static str {
            "fake-quant"
        }
        fn threads(&self) -> usize {
            1
        }
        fn prepare(&self, w: &mut Matrix) {
            w.data = QMatrix::new(self.0, &w.data, w.rows, w.cols).deq;
        }
        fn matmul(&self, x: &[f32], m: usize, w: &Matrix, y: &mut [f32]) {
            self.1.matmul(x, m, w, y)
        }
        fn attention(&self, s: &AttnShape, q: &[f32], k: &[f32], v: &[f32], o: &mut [f32]) {
            self.1.attention(s, q, k, v, o)
        }
    }

    /// Whole-model check on the tiny random fixture: with many decoder rows at once (the
    /// dequantized-gemm path) the quantized backends equal fake quantization to f32 rounding, so
    /// any distance from the f32 model is the weights' quantization error and nothing else.
    #[test]
    fn model_matches_fake_quantization() {
        use std::sync::Arc;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/tiny-random/model");
        if !std::path::Path::new(dir).exists() {
            return;
        }
        let enc: Vec<u32> = (0..40).map(|i| 6 + (i * 37) % 2000).collect();
        let dec: Vec<u32> = (0..12).map(|i| 6 + (i * 53) % 2000).collect();
        for bits in [Bits::Q8, Bits::Q4] {
            let real = crate::source::load(
                dir,
                Arc::new(QuantBackendForTest(QuantBackend::new(bits, "q", 1))),
                None,
            )
            .unwrap()
            .model;
            let fake = crate::source::load(
                dir,
                Arc::new(FakeQuant(bits, super::super::GemmBackend::new(1))),
                None,
            )
            .unwrap()
            .model;
            let a = real.logits(&enc, &dec).unwrap();
            let b = fake.logits(&enc, &dec).unwrap();
            for (p, (ra, rb)) in a.iter().zip(&b).enumerate() {
                let e = nmse(ra, rb);
                assert!(
                    e < 1e-8,
                    "{bits:?} pos {p}: nmse {e:e} against fake quantization"
                );
            }
        }
    }

    struct QuantBackendForTest(QuantBackend);

    impl super::super::Backend for QuantBackendForTest {
        fn name(&self) -> &'static str {
            "q"
        }
        fn threads(&self) -> usize {
            1
        }
        fn prepare(&self, w: &mut Matrix) {
            self.0.prepare(w)
        }
        fn matmul(&self, x: &[f32], m: usize, w: &Matrix, y: &mut [f32]) {
            self.0.matmul(x, m, w, y)
        }
        fn attention(&self, s: &AttnShape, q: &[f32], k: &[f32], v: &[f32], o: &mut [f32]) {
            self.0.attention(s, q, k, v, o)
        }
    }

    /// Decode kernel speed on the output head's shape (512×8192, L3-resident):
    /// `cargo test --release -p thimble-runtime --lib decode_kernel_timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn decode_kernel_timing() {
        let mut rng = ChaCha8Rng::seed_from_u64(12);
        let (k, n) = (512, 8192);
        let w: Vec<f32> = (0..k * n).map(|_| gaussian(&mut rng)).collect();
        let x: Vec<f32> = (0..k).map(|_| gaussian(&mut rng)).collect();
        for bits in [Bits::Q8, Bits::Q4] {
            let q = QMatrix::new(bits, &w, k, n);
            let a = QAct::new(&x, q.nb).unwrap();
            let mut y = vec![0.0f32; n];
            for path in [Path::Avx2, Path::Vnni] {
                if !path.supported() {
                    continue;
                }
                let best = (0..50)
                    .map(|_| {
                        let t = std::time::Instant::now();
                        gemv(path, &q, &a, 0, &mut y);
                        t.elapsed().as_secs_f64()
                    })
                    .fold(f64::INFINITY, f64::min);
                println!(
                    "{bits:?} {path:?}: {:.1} µs, {:.1} GB/s of packed weights, {:.1} GMAC/s",
                    best * 1e6,
                    q.packed_bytes() as f64 / best / 1e9,
                    (k * n) as f64 / best / 1e9
                );
            }
        }
    }

    #[test]
    fn extreme_codes_do_not_saturate() {
        // All weights at ±max and activations at ±max: the AVX2 maddubs pairs reach their
        // largest magnitude (128 · 127 · 2 for int8).
        for bits in [Bits::Q8, Bits::Q4] {
            let (k, n) = (64, 32);
            let w: Vec<f32> = (0..k * n)
                .map(|i| if i % 3 == 0 { -1.0 } else { 1.0 })
                .collect();
            let x: Vec<f32> = (0..k)
                .map(|i| if i % 2 == 0 { -1.0 } else { 1.0 })
                .collect();
            let q = QMatrix::new(bits, &w, k, n);
            let a = QAct::new(&x, q.nb).unwrap();
            let mut want = vec![0.0f32; n];
            gemv_scalar(&q, &a, 0, &mut want);
            for path in [Path::Avx2, Path::Vnni] {
                if path.supported() {
                    let mut got = vec![0.0f32; n];
                    gemv(path, &q, &a, 0, &mut got);
                    assert_eq!(got, want, "{bits:?} {path:?}");
                }
            }
        }
    }
}
