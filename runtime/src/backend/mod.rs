//! The kernel-backend trait and the registry that picks a backend by name at run time.
//!
//! A backend owns the two operations that dominate Needle's cost: the dense matmul
//! `y = x · W` and multi-head (grouped-query) attention. Everything else in the forward pass
//! (norms, RoPE, gates) is cheap, shared scalar code in [`crate::ops`]. Adding a backend means
//! one new file here implementing [`Backend`] plus one line in [`BACKENDS`].

mod attention;
mod gemm;
mod naive;
mod ndarray;
pub mod quant;

use std::any::Any;
use std::sync::Arc;

use crate::error::{Error, Result};

pub use self::gemm::GemmBackend;
pub use self::naive::NaiveBackend;
pub use self::ndarray::NdarrayBackend;
pub use self::quant::{Bits, QuantBackend};

/// A weight matrix `W` of shape `[rows, cols]` (= `[in, out]`), row-major f32, as in the
/// checkpoint. `packed` is where a backend keeps its own form of the weights (quantized blocks,
/// a transposed copy), filled once by [`Backend::prepare`].
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
    pub packed: Option<Box<dyn Any + Send + Sync>>,
}

impl Matrix {
    pub fn new(rows: usize, cols: usize, data: Vec<f32>) -> Matrix {
        assert_eq!(
            rows * cols,
            data.len(),
            "matrix data does not match its shape"
        );
        Matrix {
            rows,
            cols,
            data,
            packed: None,
        }
    }
}

impl std::fmt::Debug for Matrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Matrix[{}x{}]", self.rows, self.cols)
    }
}

/// Shape of one attention call. `q` is `[q_len, heads * head_dim]`, `k` and `v` are
/// `[kv_len, kv_heads * head_dim]`, all row-major (token-major, as the projections produce them);
/// the output is `[q_len, heads * head_dim]`. Query head `h` reads kv head `h / (heads / kv_heads)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttnShape {
    pub q_len: usize,
    pub kv_len: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    /// When set, query `i` sits at absolute position `q_offset + i` and sees keys `0..=q_offset + i`.
    pub causal: bool,
    pub q_offset: usize,
}

/// A kernel backend. Implementations must be deterministic: the same inputs give bit-identical
/// outputs at every thread count (reductions never split across threads).
pub trait Backend: Send + Sync {
    /// The name users pass to `--backend`.
    fn name(&self) -> &'static str;
    /// Worker threads this instance uses.
    fn threads(&self) -> usize;
    /// Called once per weight matrix when a model is built on this backend.
    fn prepare(&self, _w: &mut Matrix) {}
    /// `y[m, w.cols] = x[m, w.rows] · W`; `y` is overwritten.
    fn matmul(&self, x: &[f32], m: usize, w: &Matrix, y: &mut [f32]);
    /// Scaled-dot-product attention with softmax over keys, scale `1 / sqrt(head_dim)`.
    fn attention(&self, s: &AttnShape, q: &[f32], k: &[f32], v: &[f32], out: &mut [f32]);
    /// Runs `f` (one whole forward pass) from inside this backend's worker pool. Entering a pool
    /// from outside costs a futex wake-up and a sleep per call (10–40 µs on the 2-vCPU machine,
    /// as much as a 512×512 decode product); from inside, a parallel loop hands its halves to a
    /// worker that is still spinning from the previous product, so small decode products can
    /// be split across threads too.
    fn scoped(&self, f: &mut (dyn FnMut() + Send)) {
        f()
    }
}

/// One registered backend: its name, whether this machine can run it, and its constructor.
pub struct BackendInfo {
    pub name: &'static str,
    pub description: &'static str,
    pub available: fn() -> std::result::Result<(), String>,
    pub build: fn(threads: usize) -> Arc<dyn Backend>,
}

fn always() -> std::result::Result<(), String> {
    Ok(())
}

/// Every backend Thimble knows, the reference first.
pub const BACKENDS: &[BackendInfo] = &[
    BackendInfo {
        name: "naive",
        description: "plain scalar loops; the reference every other backend is checked against",
        available: always,
        build: |t| Arc::new(NaiveBackend::new(t)),
    },
    BackendInfo {
        name: "ndarray",
        description: "ndarray dot (matrixmultiply with AVX-512)",
        available: always,
        build: |t| Arc::new(NdarrayBackend::new(t)),
    },
    BackendInfo {
        name: "gemm",
        description: "gemm crate (x86-v4 kernels), output columns split across threads for M = 1",
        available: always,
        build: |t| Arc::new(GemmBackend::new(t)),
    },
    BackendInfo {
        name: "int8",
        description: "int8 weight blocks of 32 (f16 scale), integer dot products for decode",
        available: always,
        build: |t| Arc::new(QuantBackend::new(Bits::Q8, "int8", t)),
    },
    BackendInfo {
        name: "int4",
        description: "int4 weight blocks of 32 (Needle's QAT grid), integer dot products",
        available: always,
        build: |t| Arc::new(QuantBackend::new(Bits::Q4, "int4", t)),
    },
];

/// Builds the backend called `name` with `threads` workers (0 means all cores).
pub fn by_name(name: &str, threads: usize) -> Result<Arc<dyn Backend>> {
    let info = BACKENDS
        .iter()
        .find(|b| b.name == name)
        .ok_or_else(|| Error::UnknownBackend {
            name: name.to_string(),
            available: BACKENDS
                .iter()
                .map(|b| b.name)
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    (info.available)().map_err(|why| Error::BackendUnavailable {
        name: name.to_string(),
        why,
    })?;
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    Ok((info.build)(threads))
}

/// A rayon pool with exactly `threads` workers, shared by the backends for their parallel loops.
pub(crate) fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("thimble-{i}"))
        .build()
        .expect("failed to start worker threads")
}
