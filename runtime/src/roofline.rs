//! Roofline measurements for `thimble bench --roofline`: the f32 FMA peak (AVX-512 and AVX2
//! chains with enough independent accumulators to cover FMA latency) and the read bandwidth of
//! a buffer sized for DRAM, L3 or L2, per thread count.
//!
//! Every thread runs the same kernel on its own data; the rate is the total work over the wall
//! time of the slowest thread. The kernels are the only unsafe code here; each has a scalar twin
//! that computes the same values in the same order (tested bit for bit).

use std::time::Instant;

/// Independent FMA chains per thread: two FMA pipes × 4-cycle latency need 8; 12 leaves slack.
pub const CHAINS: usize = 12;

/// Measured limits for one thread count.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Roofline {
    pub threads: usize,
    /// f32 GFLOP/s with 512-bit FMAs (0 where unsupported).
    pub fma_avx512_gflops: f64,
    /// f32 GFLOP/s with 256-bit FMAs (0 where unsupported).
    pub fma_avx2_gflops: f64,
    /// GB/s reading a 256 MiB buffer.
    pub dram_gbs: f64,
    /// GB/s reading an 8 MiB buffer (L3-resident).
    pub l3_gbs: f64,
    /// GB/s reading 512 KiB per thread (L2-resident).
    pub l2_gbs: f64,
}

impl Roofline {
    /// The best f32 compute peak measured.
    pub fn peak_gflops(&self) -> f64 {
        self.fma_avx512_gflops.max(self.fma_avx2_gflops)
    }

    /// Measures everything for `threads` threads in roughly a second.
    pub fn measure(threads: usize) -> Roofline {
        let threads = threads.max(1);
        // Peaks: the best of several short runs, so a moment of contention does not lower them.
        let fma = |kind: Fma| {
            if kind.supported() {
                (0..7)
                    .map(|_| fma_gflops(kind, threads, 1_000_000))
                    .fold(0.0, f64::max)
            } else {
                0.0
            }
        };
        Roofline {
            threads,
            fma_avx512_gflops: fma(Fma::Avx512),
            fma_avx2_gflops: fma(Fma::Avx2),
            dram_gbs: read_gbs(256 << 20, threads, 2, 4),
            l3_gbs: read_gbs(8 << 20, threads, 20, 7),
            l2_gbs: read_gbs((512 << 10) * threads, threads, 200, 7),
        }
    }
}

/// Size of the last-level cache in bytes (sysfs), 32 MiB when unknown.
pub fn l3_bytes() -> usize {
    std::fs::read_to_string("/sys/devices/system/cpu/cpu0/cache/index3/size")
        .ok()
        .and_then(|s| {
            let s = s.trim();
            let (num, mul) = match s.strip_suffix('K') {
                Some(n) => (n, 1 << 10),
                None => match s.strip_suffix('M') {
                    Some(n) => (n, 1 << 20),
                    None => (s, 1),
                },
            };
            num.parse::<usize>().ok().map(|n| n * mul)
        })
        .unwrap_or(32 << 20)
}

/// Vector width of an FMA measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fma {
    Avx512,
    Avx2,
}

impl Fma {
    pub fn supported(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            match self {
                Fma::Avx512 => has!("avx512f"),
                Fma::Avx2 => has!("avx2") && has!("fma"),
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = self;
            false
        }
    }
    fn lanes(self) -> usize {
        match self {
            Fma::Avx512 => 16,
            Fma::Avx2 => 8,
        }
    }
}

/// GFLOP/s of `threads` threads each running `iters` rounds of [`CHAINS`] vector FMAs.
pub fn fma_gflops(kind: Fma, threads: usize, iters: usize) -> f64 {
    assert!(kind.supported());
    // Warm up (clocks, page in the code), then time.
    fma_chains(kind, iters / 10);
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| std::hint::black_box(fma_chains(kind, iters)));
        }
    });
    let secs = t0.elapsed().as_secs_f64();
    (threads * iters * CHAINS * kind.lanes() * 2) as f64 / secs / 1e9
}

/// Runs the FMA chains: `acc_c = fma(acc_c, a, b)` per lane, `iters` times; returns the sum of
/// the lanes of all chains (so the work cannot be optimized away).
pub fn fma_chains(kind: Fma, iters: usize) -> f32 {
    assert!(kind.supported());
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: the required features were checked by `supported`.
        unsafe {
            match kind {
                Fma::Avx512 => simd::fma512(iters),
                Fma::Avx2 => simd::fma256(iters),
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        fma_chains_scalar(kind.lanes(), iters)
    }
}

/// Start value of chain `c`, lane `l`, and the two constants of every FMA.
fn chain_start(c: usize, l: usize) -> f32 {
    (c * 16 + l) as f32 * 1e-3
}
const FMA_A: f32 = 0.999_999;
const FMA_B: f32 = 1e-7;

/// The scalar twin of the FMA kernels: the same chains, lanes summed chain-major then lane by
/// lane in order.
pub fn fma_chains_scalar(lanes: usize, iters: usize) -> f32 {
    let mut acc: Vec<f32> = (0..CHAINS * lanes)
        .map(|i| chain_start(i / lanes, i % lanes))
        .collect();
    for _ in 0..iters {
        for a in acc.iter_mut() {
            *a = a.mul_add(FMA_A, FMA_B);
        }
    }
    acc.iter().sum()
}

/// GB/s of `threads` threads each reading its own `bytes / threads` slice `passes` times; the
/// best of `repeats` timings.
pub fn read_gbs(bytes: usize, threads: usize, passes: usize, repeats: usize) -> f64 {
    let per = (bytes / threads / 4 / 64 * 64).max(64);
    // Fill with non-zero data so every page is really backed.
    let buf: Vec<f32> = (0..per * threads).map(|i| (i % 7) as f32).collect();
    let slices: Vec<&[f32]> = buf.chunks(per).collect();
    for s in &slices {
        std::hint::black_box(read_sum(s));
    }
    let mut best = 0.0f64;
    for _ in 0..repeats.max(1) {
        let t0 = Instant::now();
        std::thread::scope(|sc| {
            for s in &slices {
                sc.spawn(move || {
                    for _ in 0..passes {
                        std::hint::black_box(read_sum(std::hint::black_box(s)));
                    }
                });
            }
        });
        let secs = t0.elapsed().as_secs_f64();
        best = best.max((per * threads * 4 * passes) as f64 / secs / 1e9);
    }
    best
}

/// Lanes of the read kernel's accumulators: 8 accumulators of 16 lanes.
const READ_ACCS: usize = 8;
const READ_LANES: usize = 16;
const READ_STEP: usize = READ_ACCS * READ_LANES;

/// Sum of `x` (its length a multiple of 128 here) streamed with 512-bit loads where available.
pub fn read_sum(x: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if Fma::Avx512.supported() {
        // SAFETY: AVX-512F is present.
        return unsafe { simd::read_sum512(x) };
    }
    read_sum_scalar(x)
}

/// The scalar twin of the read kernel: element `i` goes to accumulator lane `i % 128`, whole
/// steps only, then the remainder in order; lanes summed in order.
pub fn read_sum_scalar(x: &[f32]) -> f32 {
    let full = x.len() / READ_STEP * READ_STEP;
    let mut acc = [0.0f32; READ_STEP];
    for step in x[..full].chunks_exact(READ_STEP) {
        for (a, &v) in acc.iter_mut().zip(step) {
            *a += v;
        }
    }
    // Accumulators are added pairwise into the first one as the vector kernel does, then the
    // 16 lanes summed in order.
    let mut lanes = [0.0f32; READ_LANES];
    for (l, lane) in lanes.iter_mut().enumerate() {
        let mut s = acc[l];
        for a in 1..READ_ACCS {
            s += acc[a * READ_LANES + l];
        }
        *lane = s;
    }
    lanes.iter().sum::<f32>() + x[full..].iter().sum::<f32>()
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use super::*;
    use std::arch::x86_64::*;

    /// # Safety
    /// AVX-512F must be available.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn fma512(iters: usize) -> f32 {
        let a = _mm512_set1_ps(FMA_A);
        let b = _mm512_set1_ps(FMA_B);
        let mut acc: [__m512; CHAINS] = std::array::from_fn(|c| {
            let v: [f32; 16] = std::array::from_fn(|l| chain_start(c, l));
            // SAFETY: `v` holds 16 floats.
            unsafe { _mm512_loadu_ps(v.as_ptr()) }
        });
        for _ in 0..iters {
            for r in acc.iter_mut() {
                *r = _mm512_fmadd_ps(*r, a, b);
            }
        }
        let mut out = [0.0f32; CHAINS * 16];
        for (c, r) in acc.iter().enumerate() {
            // SAFETY: chain c's 16 floats lie inside `out`.
            unsafe { _mm512_storeu_ps(out.as_mut_ptr().add(c * 16), *r) };
        }
        out.iter().sum()
    }

    /// # Safety
    /// AVX2 and FMA must be available.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn fma256(iters: usize) -> f32 {
        let a = _mm256_set1_ps(FMA_A);
        let b = _mm256_set1_ps(FMA_B);
        let mut acc: [__m256; CHAINS] = std::array::from_fn(|c| {
            let v: [f32; 8] = std::array::from_fn(|l| chain_start(c, l));
            // SAFETY: `v` holds 8 floats.
            unsafe { _mm256_loadu_ps(v.as_ptr()) }
        });
        for _ in 0..iters {
            for r in acc.iter_mut() {
                *r = _mm256_fmadd_ps(*r, a, b);
            }
        }
        let mut out = [0.0f32; CHAINS * 8];
        for (c, r) in acc.iter().enumerate() {
            // SAFETY: chain c's 8 floats lie inside `out`.
            unsafe { _mm256_storeu_ps(out.as_mut_ptr().add(c * 8), *r) };
        }
        out.iter().sum()
    }

    /// # Safety
    /// AVX-512F must be available.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn read_sum512(x: &[f32]) -> f32 {
        let full = x.len() / READ_STEP * READ_STEP;
        let mut acc = [_mm512_setzero_ps(); READ_ACCS];
        let p = x.as_ptr();
        for o in (0..full).step_by(READ_STEP) {
            for (a, r) in acc.iter_mut().enumerate() {
                // SAFETY: o + READ_STEP <= full <= x.len().
                *r = _mm512_add_ps(*r, unsafe { _mm512_loadu_ps(p.add(o + a * READ_LANES)) });
            }
        }
        let mut s = acc[0];
        for r in &acc[1..] {
            s = _mm512_add_ps(s, *r);
        }
        let mut lanes = [0.0f32; READ_LANES];
        // SAFETY: `lanes` holds 16 floats.
        unsafe { _mm512_storeu_ps(lanes.as_mut_ptr(), s) };
        lanes.iter().sum::<f32>() + x[full..].iter().sum::<f32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fma_kernels_match_scalar_twin() {
        for kind in [Fma::Avx512, Fma::Avx2] {
            if kind.supported() {
                for iters in [0, 1, 7, 1000] {
                    assert_eq!(
                        fma_chains(kind, iters).to_bits(),
                        fma_chains_scalar(kind.lanes(), iters).to_bits(),
                        "{kind:?} iters={iters}"
                    );
                }
            }
        }
    }

    #[test]
    fn read_kernel_matches_scalar_twin() {
        for n in [0, 5, 128, 1000, 4096 + 77] {
            let x: Vec<f32> = (0..n).map(|i| ((i * 37) % 101) as f32 * 0.01).collect();
            assert_eq!(
                read_sum(&x).to_bits(),
                read_sum_scalar(&x).to_bits(),
                "n={n}"
            );
        }
    }

    #[test]
    fn measurements_are_positive() {
        let r = Roofline {
            threads: 1,
            fma_avx512_gflops: 0.0,
            fma_avx2_gflops: if Fma::Avx2.supported() {
                fma_gflops(Fma::Avx2, 1, 10_000)
            } else {
                1.0
            },
            dram_gbs: 0.0,
            l3_gbs: 0.0,
            l2_gbs: read_gbs(64 << 10, 1, 3, 2),
        };
        assert!(r.peak_gflops() > 0.0 && r.l2_gbs > 0.0);
    }
}
