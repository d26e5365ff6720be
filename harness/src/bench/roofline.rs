//! `thimble bench --roofline`: the measured limits of this machine (see
//! [`thimble_runtime::roofline`]) and each bench row's share of the bound that applies to it.
//!
//! - Prefill is compute-bound: its roof is the f32 FMA peak (the best vector width) at the row's
//!   thread count, divided by [`prefill_flops_per_token`].
//! - Decode is bandwidth-bound: every step streams the weights of the matrices it multiplies,
//!   [`decode_weights_per_token`] of them, at the backend's bytes per weight. The roof is the read
//!   bandwidth of the level that holds those bytes (L2 when they fit in 512 KiB per thread, L3
//!   when they fit in three quarters of it, DRAM otherwise) divided by the bytes per token.

use serde::Serialize;
use thimble_runtime::backend::quant::Bits;
use thimble_runtime::roofline::{l3_bytes, Roofline};
use thimble_runtime::Config;

/// FLOPs per encoder token of a `p`-token prefill (encoder plus the decoder's cross K/V):
///
/// `2 · (L_enc · (d·H·hd + 2·d·KV·hd + H·hd·d) + L_dec · 2·d·KV·hd) + L_enc · 4·p·H·hd`
///
/// — two FLOPs per weight of every encoder projection (q, k, v, o) and of every decoder layer's
/// cross-attention k and v, plus attention itself: per token and layer, `q·kᵀ` and `p·v` over
/// `p` keys and `H` heads of `hd` are `2·p·H·hd` multiply-adds. Needle 1 at p = 256:
/// 2 · (9.44M + 2.10M) + 6.29M ≈ 29.4 MFLOP.
pub fn prefill_flops_per_token(cfg: &Config, p: usize) -> f64 {
    let (d, hd) = (cfg.d_model as f64, cfg.head_dim() as f64);
    let (h, kv) = (cfg.num_heads as f64, cfg.num_kv_heads as f64);
    let (le, ld) = (cfg.num_encoder_layers as f64, cfg.num_decoder_layers as f64);
    let enc_params = le * (d * h * hd + 2.0 * d * kv * hd + h * hd * d);
    let cross_kv = ld * 2.0 * d * kv * hd;
    2.0 * (enc_params + cross_kv) + le * 4.0 * p as f64 * h * hd
}

/// Weights one decode step reads: per decoder layer the self-attention q, k, v, o and the
/// cross-attention q, o projections (cross k/v are cached), plus the `d × vocab` output head.
/// Needle 1: 8 · 1.31M + 4.19M ≈ 14.7M.
pub fn decode_weights_per_token(cfg: &Config) -> f64 {
    let (d, hd) = (cfg.d_model as f64, cfg.head_dim() as f64);
    let (h, kv) = (cfg.num_heads as f64, cfg.num_kv_heads as f64);
    let per_layer = 2.0 * d * h * hd + 2.0 * d * kv * hd + 2.0 * d * h * hd;
    cfg.num_decoder_layers as f64 * per_layer + d * cfg.vocab_size as f64
}

/// Bytes per weight a backend streams in decode.
pub fn bytes_per_weight(backend: &str) -> f64 {
    match backend {
        "int8" => Bits::Q8.bytes_per_weight(),
        "int4" => Bits::Q4.bytes_per_weight(),
        _ => 4.0,
    }
}

/// One row's bounds and its share of them.
#[derive(Debug, Clone, Serialize)]
pub struct RowRoof {
    pub limits: Roofline,
    pub prefill_flops_per_token: f64,
    pub decode_bytes_per_token: f64,
    /// Which bandwidth bounds decode: "L2", "L3" or "DRAM".
    pub decode_level: &'static str,
    pub prefill_roof_tok_s: f64,
    pub decode_roof_tok_s: f64,
}

impl RowRoof {
    pub fn new(limits: Roofline, cfg: &Config, prefill: usize, backend: &str) -> RowRoof {
        let flops = prefill_flops_per_token(cfg, prefill);
        let bytes = decode_weights_per_token(cfg) * bytes_per_weight(backend);
        let (level, bw) = if bytes <= (512 << 10) as f64 * limits.threads as f64 {
            ("L2", limits.l2_gbs)
        } else if bytes <= 0.75 * l3_bytes() as f64 {
            ("L3", limits.l3_gbs)
        } else {
            ("DRAM", limits.dram_gbs)
        };
        RowRoof {
            limits,
            prefill_flops_per_token: flops,
            decode_bytes_per_token: bytes,
            decode_level: level,
            prefill_roof_tok_s: limits.peak_gflops() * 1e9 / flops,
            decode_roof_tok_s: bw * 1e9 / bytes,
        }
    }

    /// The bandwidth bounding decode, GB/s.
    pub fn decode_gbs(&self) -> f64 {
        match self.decode_level {
            "L2" => self.limits.l2_gbs,
            "L3" => self.limits.l3_gbs,
            _ => self.limits.dram_gbs,
        }
    }

    pub fn pct_prefill(&self, tok_s: f64) -> f64 {
        100.0 * tok_s / self.prefill_roof_tok_s
    }

    pub fn pct_decode(&self, tok_s: f64) -> f64 {
        100.0 * tok_s / self.decode_roof_tok_s
    }
}

/// Prints the measured limits as a markdown table.
pub fn print_limits(all: &[Roofline]) {
    println!("roofline (measured now; compare ratios within one run):");
    println!();
    println!("| threads | FMA AVX-512 GFLOP/s | FMA AVX2 GFLOP/s | DRAM GB/s (256 MiB) | L3 GB/s (8 MiB) | L2 GB/s (512 KiB/thread) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for r in all {
        println!(
            "| {} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} |",
            r.threads, r.fma_avx512_gflops, r.fma_avx2_gflops, r.dram_gbs, r.l3_gbs, r.l2_gbs
        );
    }
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needle_counts_match_the_spec() {
        let cfg = Config::preset("needle1-26m").unwrap();
        let w = decode_weights_per_token(&cfg);
        assert!((w - 14.68e6).abs() < 0.01e6, "{w}");
        let f = prefill_flops_per_token(&cfg, 256);
        assert!((f - 29.36e6).abs() < 0.05e6, "{f}");
    }
}
