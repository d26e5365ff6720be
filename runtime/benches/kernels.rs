//! Kernel benchmarks: matmul of every registered backend on the Needle 1 weight shapes, decode
//! (M = 1) and prefill (M = 256), at 1 and 2 threads; plus attention at Needle's head layout.
//!
//! Matmul throughput is declared as `Elements(2·M·K·N)`, so criterion's "elem/s" reads directly
//! as FLOP/s and compares with the roofline in `shared/spec/machine.md`.
//!
//! `cargo bench -p thimble-runtime --bench kernels -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use thimble_runtime::backend::{AttnShape, Matrix, BACKENDS};

fn rand_vec(rng: &mut ChaCha8Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

fn matmul(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut group = c.benchmark_group("matmul");
    // The slowest cases (naive, M = 256, N = 8192) take ~0.1 s per call; ten samples keep the
    // whole run within a few minutes.
    group.sample_size(10);
    for (k, n) in [(512, 512), (512, 256), (512, 8192)] {
        let w_data = rand_vec(&mut rng, k * n);
        for m in [1, 256] {
            let x = rand_vec(&mut rng, m * k);
            let mut y = vec![0.0f32; m * n];
            group.throughput(Throughput::Elements((2 * m * k * n) as u64));
            for info in BACKENDS.iter().filter(|b| (b.available)().is_ok()) {
                for threads in [1, 2] {
                    let backend = (info.build)(threads);
                    let mut w = Matrix::new(k, n, w_data.clone());
                    backend.prepare(&mut w);
                    let id = BenchmarkId::new(
                        format!("{}/t{threads}", info.name),
                        format!("m{m}_k{k}_n{n}"),
                    );
                    group.bench_function(id, |b| {
                        b.iter(|| backend.matmul(black_box(&x), m, &w, black_box(&mut y)))
                    });
                }
            }
        }
    }
    group.finish();
}

fn attention(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut group = c.benchmark_group("attention");
    group.sample_size(20);
    // Encoder self-attention over a 256-token prompt, and one decode step against 256 keys.
    let shapes = [("prefill_256", 256, false, 0), ("decode_256", 1, true, 255)];
    for (label, q_len, causal, q_offset) in shapes {
        let s = AttnShape {
            q_len,
            kv_len: 256,
            heads: 8,
            kv_heads: 4,
            head_dim: 64,
            causal,
            q_offset,
        };
        let q = rand_vec(&mut rng, s.q_len * s.heads * s.head_dim);
        let k = rand_vec(&mut rng, s.kv_len * s.kv_heads * s.head_dim);
        let v = rand_vec(&mut rng, s.kv_len * s.kv_heads * s.head_dim);
        let mut out = vec![0.0f32; q.len()];
        let flops = 4 * s.q_len * s.kv_len * s.heads * s.head_dim;
        group.throughput(Throughput::Elements(flops as u64));
        for info in BACKENDS.iter().filter(|b| (b.available)().is_ok()) {
            let backend = (info.build)(2);
            let id = BenchmarkId::new(format!("{}/t2", info.name), label);
            group.bench_function(id, |b| {
                b.iter(|| {
                    backend.attention(
                        &s,
                        black_box(&q),
                        black_box(&k),
                        black_box(&v),
                        black_box(&mut out),
                    )
                })
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = matmul, attention
}
criterion_main!(benches);
