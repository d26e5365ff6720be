//! Backend conformance, in the manner of llama.cpp's `test-backend-ops`: every registered
//! backend is run against `naive` on seeded random inputs over many shapes, and must agree within
//! a normalized-MSE bound. New entries in `BACKENDS` are picked up without touching this file.
//!
//! Also checked for every backend: bit-identical results at 1, 2 and 3 threads (called from
//! outside the backend's pool and from inside it, where decode-sized products split too), and NaN/Inf
//! propagating to exactly the outputs they reach in `naive`.
//!
//! Run with `cargo test -p thimble-runtime --test backend_ops -- --nocapture` to see the tables.

use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use thimble_runtime::backend::{AttnShape, Backend, Matrix, BACKENDS};

/// Normalized MSE bound for full-precision f32 backends: only summation order may differ.
const F32_NMSE: f64 = 1e-6;

/// Backends that may be less precise than f32 (quantized weights) declare their bound here;
/// every other backend is held to [`F32_NMSE`]. For uniform data on [-1, 1] a block's scale is
/// ≈ 1/qmax and rounding adds variance d²/12 against a signal variance of 1/3, per operand:
/// ≈ 1.6e-5 each for int8 (weights and activations), ≈ 5e-3 for int4 weights; the bounds leave
/// room for shapes with only a few outputs (m=3,k=17,n=1 measured 1.9e-2 for int4). Matmul
/// only: attention stays f32 in every backend.
const LOOSER_BOUNDS: &[(&str, f64)] = &[("int8", 1e-4), ("int4", 3e-2)];

fn bound(name: &str) -> f64 {
    LOOSER_BOUNDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(F32_NMSE, |&(_, b)| b)
}

/// Every registered backend this machine can run, except the reference itself.
fn candidates(threads: usize) -> Vec<Arc<dyn Backend>> {
    BACKENDS
        .iter()
        .filter(|b| b.name != "naive")
        .filter(|b| match (b.available)() {
            Ok(()) => true,
            Err(why) => {
                println!("skipping backend {}: {why}", b.name);
                false
            }
        })
        .map(|b| (b.build)(threads))
        .collect()
}

fn naive(threads: usize) -> Arc<dyn Backend> {
    thimble_runtime::backend::by_name("naive", threads).unwrap()
}

fn rand_vec(rng: &mut ChaCha8Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

/// `Σ (a - b)² / Σ b²`, in f64; NaN when the reference itself is not finite.
fn nmse(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    let (mut err, mut norm) = (0.0f64, 0.0f64);
    for (&x, &y) in a.iter().zip(b) {
        let d = x as f64 - y as f64;
        err += d * d;
        norm += y as f64 * y as f64;
    }
    if norm == 0.0 {
        if err == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    } else {
        err / norm
    }
}

/// A matrix prepared for `backend`, since `prepare` may fill a backend-specific packed form.
fn matrix_for(backend: &dyn Backend, k: usize, n: usize, data: &[f32]) -> Matrix {
    let mut w = Matrix::new(k, n, data.to_vec());
    backend.prepare(&mut w);
    w
}

fn run_matmul(
    backend: &dyn Backend,
    x: &[f32],
    m: usize,
    k: usize,
    n: usize,
    w: &[f32],
) -> Vec<f32> {
    let w = matrix_for(backend, k, n, w);
    // Stale NaNs in the output buffer would show up if a backend read it instead of writing it.
    let mut y = vec![f32::NAN; m * n];
    backend.matmul(x, m, &w, &mut y);
    y
}

fn run_attention(
    backend: &dyn Backend,
    s: &AttnShape,
    q: &[f32],
    k: &[f32],
    v: &[f32],
) -> Vec<f32> {
    let mut out = vec![f32::NAN; s.q_len * s.heads * s.head_dim];
    backend.attention(s, q, k, v, &mut out);
    out
}

/// One line of the results table.
struct Row {
    op: &'static str,
    shape: String,
    backend: &'static str,
    nmse: f64,
    ok: bool,
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<10} {:<48} {:<10} {:>12}  result",
        "op", "shape", "backend", "nmse"
    );
    for r in rows {
        println!(
            "{:<10} {:<48} {:<10} {:>12.3e}  {}",
            r.op,
            r.shape,
            r.backend,
            r.nmse,
            if r.ok { "OK" } else { "FAIL" }
        );
    }
    let mut keys: Vec<(&str, &str)> = rows.iter().map(|r| (r.op, r.backend)).collect();
    keys.sort();
    keys.dedup();
    println!("\nsummary:");
    for (op, be) in keys {
        let sel: Vec<&Row> = rows
            .iter()
            .filter(|r| r.op == op && r.backend == be)
            .collect();
        let worst = sel.iter().map(|r| r.nmse).fold(0.0f64, f64::max);
        let passed = sel.iter().filter(|r| r.ok).count();
        println!(
            "  {op:<10} {be:<10} {passed}/{} passed, max nmse {worst:.3e}",
            sel.len()
        );
    }
}

fn matmul_shapes() -> Vec<(usize, usize, usize)> {
    let mut shapes = vec![
        (1, 3, 5),
        (7, 33, 65),
        (2, 1, 1),
        (3, 17, 1),
        (5, 64, 17),
        (13, 100, 37),
        (33, 65, 129),
        (1, 1000, 1000),
        (1, 512, 4099),
    ];
    for k in [1, 17, 64, 512] {
        for n in [1, 17, 64, 512] {
            shapes.push((1, k, n));
        }
    }
    // The projections and output head of Needle 1, decode (M = 1) and prefill (M = 256).
    shapes.extend([
        (1, 512, 512),
        (1, 512, 256),
        (1, 512, 8192),
        (256, 512, 512),
        (256, 512, 256),
        (17, 512, 8192),
    ]);
    shapes
}

#[test]
fn matmul_matches_naive() {
    let reference = naive(2);
    let backends = candidates(2);
    let mut rng = ChaCha8Rng::seed_from_u64(0x7e57_0001);
    let mut rows = Vec::new();
    for (m, k, n) in matmul_shapes() {
        let x = rand_vec(&mut rng, m * k);
        let w = rand_vec(&mut rng, k * n);
        let want = run_matmul(&*reference, &x, m, k, n, &w);
        for b in &backends {
            let got = run_matmul(&**b, &x, m, k, n, &w);
            let e = nmse(&got, &want);
            rows.push(Row {
                op: "MUL_MAT",
                shape: format!("m={m},k={k},n={n}"),
                backend: b.name(),
                nmse: e,
                ok: e <= bound(b.name()),
            });
        }
    }
    print_table(&rows);
    assert!(
        rows.iter().all(|r| r.ok),
        "some matmul cases exceed their bound"
    );
}

fn attention_shapes() -> Vec<AttnShape> {
    let mut shapes = Vec::new();
    for q_len in [1, 3, 17, 64] {
        for kv_len in [1, 5, 64, 130] {
            for (heads, kv_heads) in [(1, 1), (4, 2), (8, 4), (8, 8)] {
                for head_dim in [2, 16, 64] {
                    let base = AttnShape {
                        q_len,
                        kv_len,
                        heads,
                        kv_heads,
                        head_dim,
                        causal: false,
                        q_offset: 0,
                    };
                    shapes.push(base);
                    // Prefill from the start, and the step that ends at the last key: for
                    // q_len = 1 that is decode, otherwise chunked prefill over a cache.
                    let mut offsets = vec![0, kv_len.saturating_sub(q_len)];
                    offsets.dedup();
                    for q_offset in offsets {
                        shapes.push(AttnShape {
                            causal: true,
                            q_offset,
                            ..base
                        });
                    }
                }
            }
        }
    }
    // No keys at all: the reference's output is zero.
    shapes.push(AttnShape {
        q_len: 3,
        kv_len: 0,
        heads: 4,
        kv_heads: 2,
        head_dim: 16,
        causal: false,
        q_offset: 0,
    });
    // Encoder- and decoder-sized Needle calls.
    for (q_len, kv_len, causal, q_offset) in [
        (200, 200, false, 0),
        (1, 200, false, 0),
        (1, 77, true, 76),
        (96, 130, true, 34),
    ] {
        shapes.push(AttnShape {
            q_len,
            kv_len,
            heads: 8,
            kv_heads: 4,
            head_dim: 64,
            causal,
            q_offset,
        });
    }
    shapes
}

fn attn_inputs(rng: &mut ChaCha8Rng, s: &AttnShape) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    // Scaled up so that softmax is far from uniform and errors in it would show.
    let mut big =
        |n: usize| -> Vec<f32> { rand_vec(rng, n).into_iter().map(|v| 3.0 * v).collect() };
    let q = big(s.q_len * s.heads * s.head_dim);
    let k = big(s.kv_len * s.kv_heads * s.head_dim);
    let v = big(s.kv_len * s.kv_heads * s.head_dim);
    (q, k, v)
}

fn shape_label(s: &AttnShape) -> String {
    let mask = if s.causal {
        format!("causal@{}", s.q_offset)
    } else {
        "full".to_string()
    };
    format!(
        "q={},kv={},h={}/{},d={},{mask}",
        s.q_len, s.kv_len, s.heads, s.kv_heads, s.head_dim
    )
}

#[test]
fn attention_matches_naive() {
    let reference = naive(2);
    let backends = candidates(2);
    let mut rng = ChaCha8Rng::seed_from_u64(0x7e57_0002);
    let mut rows = Vec::new();
    for s in attention_shapes() {
        let (q, k, v) = attn_inputs(&mut rng, &s);
        let want = run_attention(&*reference, &s, &q, &k, &v);
        for b in &backends {
            let got = run_attention(&**b, &s, &q, &k, &v);
            let e = nmse(&got, &want);
            rows.push(Row {
                op: "ATTN",
                shape: shape_label(&s),
                backend: b.name(),
                nmse: e,
                ok: e <= F32_NMSE,
            });
        }
    }
    print_table(&rows);
    assert!(
        rows.iter().all(|r| r.ok),
        "some attention cases exceed their bound"
    );
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x7e57_0003);
    let mm_shapes = [
        (1, 512, 8192),
        // Decode-sized products: split across threads only inside `Backend::scoped`.
        (1, 512, 512),
        (1, 512, 256),
        (1, 512, 100),
        (1, 64, 4099),
        (1, 512, 4099),
        (2, 512, 8192),
        (7, 33, 65),
        (64, 512, 8192),
        (256, 512, 512),
        (256, 512, 256),
        (100, 700, 300),
    ];
    let attn = [
        (1, 130, 8, 4, 64, true, 129),
        // Enough work that the per-row path runs on the pool rather than the calling thread.
        (1, 300, 8, 4, 64, true, 299),
        (4, 256, 8, 8, 64, false, 0),
        (3, 64, 8, 8, 16, false, 0),
        (64, 130, 8, 4, 64, true, 66),
        (200, 200, 8, 4, 64, false, 0),
        (77, 77, 4, 2, 16, true, 0),
    ]
    .map(
        |(q_len, kv_len, heads, kv_heads, head_dim, causal, q_offset)| AttnShape {
            q_len,
            kv_len,
            heads,
            kv_heads,
            head_dim,
            causal,
            q_offset,
        },
    );
    for info in BACKENDS.iter().filter(|b| (b.available)().is_ok()) {
        let per_threads: Vec<Arc<dyn Backend>> =
            [1, 2, 3].iter().map(|&t| (info.build)(t)).collect();
        for &(m, k, n) in &mm_shapes {
            let x = rand_vec(&mut rng, m * k);
            let w = rand_vec(&mut rng, k * n);
            let outs: Vec<Vec<u32>> = per_threads
                .iter()
                .flat_map(|b| {
                    let mut inside = Vec::new();
                    b.scoped(&mut || inside = run_matmul(&**b, &x, m, k, n, &w));
                    [bits(&run_matmul(&**b, &x, m, k, n, &w)), bits(&inside)]
                })
                .collect();
            assert!(
                outs.windows(2).all(|p| p[0] == p[1]),
                "{}: matmul m={m},k={k},n={n} differs across 1/2/3 threads or inside its pool",
                info.name
            );
        }
        for s in &attn {
            let (q, k, v) = attn_inputs(&mut rng, s);
            let outs: Vec<Vec<u32>> = per_threads
                .iter()
                .map(|b| bits(&run_attention(&**b, s, &q, &k, &v)))
                .collect();
            assert!(
                outs.windows(2).all(|p| p[0] == p[1]),
                "{}: attention {} differs across 1/2/3 threads",
                info.name,
                shape_label(s)
            );
        }
        println!("{}: bit-identical at 1, 2 and 3 threads", info.name);
    }
}

/// How a value compares for propagation purposes: NaN sign and payload do not matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Finite,
    Nan,
    PosInf,
    NegInf,
}

fn classify(v: &[f32]) -> Vec<Class> {
    v.iter()
        .map(|&x| {
            if x.is_nan() {
                Class::Nan
            } else if x == f32::INFINITY {
                Class::PosInf
            } else if x == f32::NEG_INFINITY {
                Class::NegInf
            } else {
                Class::Finite
            }
        })
        .collect()
}

#[test]
fn matmul_propagates_nan_and_inf_like_naive() {
    let reference = naive(2);
    let mut rng = ChaCha8Rng::seed_from_u64(0x7e57_0004);
    for threads in [1, 2] {
        for b in candidates(threads) {
            for (m, k, n) in [(1, 512, 8192), (1, 17, 33), (5, 64, 17), (256, 512, 256)] {
                for (in_x, value) in [
                    (true, f32::NAN),
                    (false, f32::NAN),
                    (true, f32::INFINITY),
                    (false, f32::NEG_INFINITY),
                ] {
                    let mut x = rand_vec(&mut rng, m * k);
                    let mut w = rand_vec(&mut rng, k * n);
                    let target = if in_x { &mut x } else { &mut w };
                    let at = rng.random_range(0..target.len());
                    target[at] = value;
                    let want = classify(&run_matmul(&*reference, &x, m, k, n, &w));
                    let got = classify(&run_matmul(&*b, &x, m, k, n, &w));
                    assert!(want.iter().any(|&c| c != Class::Finite));
                    assert_eq!(
                        got,
                        want,
                        "{} ({threads} threads): {value} in {} at {at}, m={m},k={k},n={n}",
                        b.name(),
                        if in_x { "x" } else { "W" }
                    );
                }
            }
        }
    }
}

#[test]
fn attention_propagates_nan_and_inf_like_naive() {
    let reference = naive(2);
    let mut rng = ChaCha8Rng::seed_from_u64(0x7e57_0005);
    let shapes = [
        (1, 64, 8, 4, 64, true, 63),
        (3, 40, 4, 2, 16, true, 30),
        (40, 70, 8, 4, 16, true, 30),
        (70, 70, 8, 4, 16, true, 0),
        (17, 5, 8, 8, 16, false, 0),
    ]
    .map(
        |(q_len, kv_len, heads, kv_heads, head_dim, causal, q_offset)| AttnShape {
            q_len,
            kv_len,
            heads,
            kv_heads,
            head_dim,
            causal,
            q_offset,
        },
    );
    for threads in [1, 2] {
        for b in candidates(threads) {
            for s in &shapes {
                for (which, value) in [
                    ("q", f32::NAN),
                    ("k", f32::NAN),
                    ("v", f32::NAN),
                    ("k", f32::INFINITY),
                    ("v", f32::NEG_INFINITY),
                    ("q", f32::INFINITY),
                ] {
                    // Several trials so that poisoned keys land both inside and outside the
                    // causal window of different rows.
                    for _ in 0..4 {
                        let (mut q, mut k, mut v) = attn_inputs(&mut rng, s);
                        let target = match which {
                            "q" => &mut q,
                            "k" => &mut k,
                            _ => &mut v,
                        };
                        let at = rng.random_range(0..target.len());
                        target[at] = value;
                        let want = classify(&run_attention(&*reference, s, &q, &k, &v));
                        let got = classify(&run_attention(&*b, s, &q, &k, &v));
                        assert_eq!(
                            got,
                            want,
                            "{} ({threads} threads): {value} in {which} at {at}, {}",
                            b.name(),
                            shape_label(s)
                        );
                    }
                }
            }
        }
    }
}
