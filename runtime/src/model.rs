//! The Needle 1 forward pass: encoder, decoder with self-attention KV cache and cross-attention
//! K/V computed once per request, and tied-embedding logits.
//!
//! Shapes follow `needle1.md`: activations are token-major `[T, d]` rows; all matmuls and
//! attention go through the [`Backend`] so that backends are compared on identical work.

use std::sync::Arc;

use crate::backend::{AttnShape, Backend, Matrix};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ops::{add_scaled, sigmoid, zc_rmsnorm, zc_rmsnorm_inplace, Rope};
use crate::weights::Weights;

/// One attention sub-layer's parameters.
struct Attention {
    wq: Matrix,
    wk: Matrix,
    wv: Matrix,
    wo: Matrix,
    q_norm: Vec<f32>,
    k_norm: Vec<f32>,
}

struct EncoderLayer {
    norm: Vec<f32>,
    gate: f32,
    attn: Attention,
}

struct DecoderLayer {
    self_norm: Vec<f32>,
    self_gate: f32,
    self_attn: Attention,
    cross_norm: Vec<f32>,
    cross_gate: f32,
    cross_attn: Attention,
}

/// A Needle 1 model bound to a backend.
pub struct Model {
    cfg: Config,
    backend: Arc<dyn Backend>,
    /// `[vocab, d]`, the shared input embedding.
    embedding: Vec<f32>,
    /// `[d, vocab]`: the embedding transposed once so the tied output head is a plain matmul.
    lm_head: Matrix,
    encoder: Vec<EncoderLayer>,
    encoder_norm: Vec<f32>,
    decoder: Vec<DecoderLayer>,
    decoder_norm: Vec<f32>,
    rope: Rope,
}

/// The final-normed encoder states of one request.
#[derive(Debug, Clone)]
pub struct EncoderOutput {
    pub len: usize,
    /// `[len, d]`.
    pub hidden: Vec<f32>,
}

/// Per-request decoder state: cross-attention K/V (fixed) and the growing self-attention cache.
pub struct DecoderState {
    enc_len: usize,
    cross_k: Vec<Vec<f32>>,
    cross_v: Vec<Vec<f32>>,
    self_k: Vec<Vec<f32>>,
    self_v: Vec<Vec<f32>>,
    /// Decoder positions already processed.
    len: usize,
    capacity: usize,
}

impl DecoderState {
    /// Decoder tokens consumed so far.
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Slices layer `l` out of a tensor stacked along its leading axis.
fn layer(stacked: &[f32], l: usize, per: usize) -> Vec<f32> {
    stacked[l * per..(l + 1) * per].to_vec()
}

impl Model {
    /// Builds the model from validated weights, letting the backend prepare each matrix.
    pub fn new(cfg: Config, mut w: Weights, backend: Arc<dyn Backend>) -> Model {
        let d = cfg.d_model;
        let qd = cfg.num_heads * cfg.head_dim();
        let kv = cfg.kv_dim();
        let hd = cfg.head_dim();
        let mat = |data: Vec<f32>, rows: usize, cols: usize| {
            let mut m = Matrix::new(rows, cols, data);
            backend.prepare(&mut m);
            m
        };
        let attn = |w: &Weights, prefix: &str, l: usize| Attention {
            wq: mat(
                layer(w.get(&format!("{prefix}/q_proj/kernel")), l, d * qd),
                d,
                qd,
            ),
            wk: mat(
                layer(w.get(&format!("{prefix}/k_proj/kernel")), l, d * kv),
                d,
                kv,
            ),
            wv: mat(
                layer(w.get(&format!("{prefix}/v_proj/kernel")), l, d * kv),
                d,
                kv,
            ),
            wo: mat(
                layer(w.get(&format!("{prefix}/out_proj/kernel")), l, qd * d),
                qd,
                d,
            ),
            q_norm: layer(w.get(&format!("{prefix}/q_norm/scale")), l, hd),
            k_norm: layer(w.get(&format!("{prefix}/k_norm/scale")), l, hd),
        };
        let enc = "encoder/layers/EncoderBlock_0";
        let dec = "decoder/layers/DecoderBlock_0";
        let encoder = (0..cfg.num_encoder_layers)
            .map(|l| EncoderLayer {
                norm: layer(w.get(&format!("{enc}/ZCRMSNorm_0/scale")), l, d),
                gate: sigmoid(w.get(&format!("{enc}/attn_gate"))[l]),
                attn: attn(&w, &format!("{enc}/self_attn"), l),
            })
            .collect();
        let decoder = (0..cfg.num_decoder_layers)
            .map(|l| DecoderLayer {
                self_norm: layer(w.get(&format!("{dec}/ZCRMSNorm_0/scale")), l, d),
                self_gate: sigmoid(w.get(&format!("{dec}/self_attn_gate"))[l]),
                self_attn: attn(&w, &format!("{dec}/self_attn"), l),
                cross_norm: layer(w.get(&format!("{dec}/ZCRMSNorm_1/scale")), l, d),
                cross_gate: sigmoid(w.get(&format!("{dec}/cross_attn_gate"))[l]),
                cross_attn: attn(&w, &format!("{dec}/cross_attn"), l),
            })
            .collect();
        let embedding = w.take("embedding/embedding");
        let v = cfg.vocab_size;
        let mut transposed = vec![0.0f32; d * v];
        for (t, row) in embedding.chunks_exact(d).enumerate() {
            for (j, &e) in row.iter().enumerate() {
                transposed[j * v + t] = e;
            }
        }
        let rope_len = cfg.max_encoder_tokens.max(cfg.max_decoder_tokens + 1);
        Model {
            lm_head: mat(transposed, d, v),
            embedding,
            encoder,
            encoder_norm: w.take("encoder/final_norm/scale"),
            decoder,
            decoder_norm: w.take("decoder/ZCRMSNorm_0/scale"),
            rope: Rope::new(hd, cfg.rope_theta, rope_len),
            cfg,
            backend,
        }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    fn check_ids(&self, ids: &[u32], what: &'static str) -> Result<()> {
        for (pos, &id) in ids.iter().enumerate() {
            if id as usize >= self.cfg.vocab_size {
                return Err(Error::TokenOutOfRange {
                    what,
                    pos,
                    id,
                    vocab: self.cfg.vocab_size,
                });
            }
        }
        Ok(())
    }

    fn embed(&self, ids: &[u32]) -> Vec<f32> {
        let d = self.cfg.d_model;
        let scale = (d as f32).sqrt();
        let mut x = Vec::with_capacity(ids.len() * d);
        for &id in ids {
            let row = &self.embedding[id as usize * d..(id as usize + 1) * d];
            x.extend(row.iter().map(|v| v * scale));
        }
        x
    }

    fn matmul(&self, x: &[f32], m: usize, w: &Matrix) -> Vec<f32> {
        let mut y = vec![0.0f32; m * w.cols];
        self.backend.matmul(x, m, w, &mut y);
        y
    }

    fn attn_shape(&self, q_len: usize, kv_len: usize, causal: bool, q_offset: usize) -> AttnShape {
        AttnShape {
            q_len,
            kv_len,
            heads: self.cfg.num_heads,
            kv_heads: self.cfg.num_kv_heads,
            head_dim: self.cfg.head_dim(),
            causal,
            q_offset,
        }
    }

    /// Runs the encoder over `ids` (at most `max_encoder_tokens`, at least one).
    pub fn encode(&self, ids: &[u32]) -> Result<EncoderOutput> {
        if ids.is_empty() {
            return Err(Error::Input("the encoder input is empty".into()));
        }
        if ids.len() > self.cfg.max_encoder_tokens {
            return Err(Error::TooLong {
                what: "encoder input",
                len: ids.len(),
                max: self.cfg.max_encoder_tokens,
            });
        }
        self.check_ids(ids, "encoder")?;
        let mut hidden = Vec::new();
        self.backend
            .scoped(&mut || hidden = self.encoder_layers(ids));
        Ok(EncoderOutput {
            len: ids.len(),
            hidden,
        })
    }

    /// The encoder stack on checked ids: the final-normed hidden states `[t, d]`.
    fn encoder_layers(&self, ids: &[u32]) -> Vec<f32> {
        let t = ids.len();
        let d = self.cfg.d_model;
        let mut x = self.embed(ids);
        let mut h = vec![0.0f32; t * d];
        for layer in &self.encoder {
            zc_rmsnorm(&x, &layer.norm, self.cfg.norm_eps, &mut h);
            let a = &layer.attn;
            let (q, k, v) = self.project_qkv(a, &h, t, Some(0));
            let mut o = vec![0.0f32; t * a.wq.cols];
            self.backend
                .attention(&self.attn_shape(t, t, false, 0), &q, &k, &v, &mut o);
            let out = self.matmul(&o, t, &a.wo);
            add_scaled(&mut x, &out, layer.gate);
        }
        zc_rmsnorm(&x, &self.encoder_norm, self.cfg.norm_eps, &mut h);
        h
    }

    /// q, k, v projections with QK-norm, and RoPE at `rope_pos0` when given.
    fn project_qkv(
        &self,
        a: &Attention,
        h: &[f32],
        t: usize,
        rope_pos0: Option<usize>,
    ) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let eps = self.cfg.norm_eps;
        let mut q = self.matmul(h, t, &a.wq);
        let mut k = self.matmul(h, t, &a.wk);
        let v = self.matmul(h, t, &a.wv);
        zc_rmsnorm_inplace(&mut q, &a.q_norm, eps);
        zc_rmsnorm_inplace(&mut k, &a.k_norm, eps);
        if let Some(p0) = rope_pos0 {
            self.rope.apply(&mut q, a.wq.cols, p0);
            self.rope.apply(&mut k, a.wk.cols, p0);
        }
        (q, k, v)
    }

    /// Computes the cross-attention K/V of every decoder layer once for this request.
    pub fn start_decoder(&self, enc: &EncoderOutput) -> DecoderState {
        let eps = self.cfg.norm_eps;
        let mut cross_k = Vec::with_capacity(self.decoder.len());
        let mut cross_v = Vec::with_capacity(self.decoder.len());
        self.backend.scoped(&mut || {
            for layer in &self.decoder {
                let a = &layer.cross_attn;
                let mut k = self.matmul(&enc.hidden, enc.len, &a.wk);
                zc_rmsnorm_inplace(&mut k, &a.k_norm, eps);
                cross_k.push(k);
                cross_v.push(self.matmul(&enc.hidden, enc.len, &a.wv));
            }
        });
        let capacity = self.cfg.max_decoder_tokens + 1;
        let kv = self.cfg.kv_dim();
        DecoderState {
            enc_len: enc.len,
            cross_k,
            cross_v,
            self_k: vec![vec![0.0; capacity * kv]; self.decoder.len()],
            self_v: vec![vec![0.0; capacity * kv]; self.decoder.len()],
            len: 0,
            capacity,
        }
    }

    /// Feeds `tokens` to the decoder, extending its cache. Returns logits `[n, vocab]` for every
    /// new position when `all_logits`, otherwise only for the last one (`[1, vocab]`).
    pub fn decode(
        &self,
        st: &mut DecoderState,
        tokens: &[u32],
        all_logits: bool,
    ) -> Result<Vec<f32>> {
        if tokens.is_empty() {
            return Err(Error::Input("no decoder tokens to feed".into()));
        }
        if st.len + tokens.len() > st.capacity {
            return Err(Error::TooLong {
                what: "decoder sequence",
                len: st.len + tokens.len(),
                max: st.capacity,
            });
        }
        self.check_ids(tokens, "decoder")?;
        let mut logits = Vec::new();
        self.backend
            .scoped(&mut || logits = self.decoder_layers(st, tokens, all_logits));
        Ok(logits)
    }

    /// The decoder stack on checked tokens that fit the cache: see [`Model::decode`].
    fn decoder_layers(&self, st: &mut DecoderState, tokens: &[u32], all_logits: bool) -> Vec<f32> {
        let t = tokens.len();
        let d = self.cfg.d_model;
        let kvd = self.cfg.kv_dim();
        let eps = self.cfg.norm_eps;
        let pos0 = st.len;
        let mut x = self.embed(tokens);
        let mut h = vec![0.0f32; t * d];
        for (l, layer) in self.decoder.iter().enumerate() {
            // Causal self-attention over the cache plus the new positions.
            zc_rmsnorm(&x, &layer.self_norm, eps, &mut h);
            let a = &layer.self_attn;
            let (q, k, v) = self.project_qkv(a, &h, t, Some(pos0));
            st.self_k[l][pos0 * kvd..(pos0 + t) * kvd].copy_from_slice(&k);
            st.self_v[l][pos0 * kvd..(pos0 + t) * kvd].copy_from_slice(&v);
            let kv_len = pos0 + t;
            let mut o = vec![0.0f32; t * a.wq.cols];
            self.backend.attention(
                &self.attn_shape(t, kv_len, true, pos0),
                &q,
                &st.self_k[l][..kv_len * kvd],
                &st.self_v[l][..kv_len * kvd],
                &mut o,
            );
            let out = self.matmul(&o, t, &a.wo);
            add_scaled(&mut x, &out, layer.self_gate);

            // Cross-attention to the encoder: no RoPE, K/V from the request's cache.
            zc_rmsnorm(&x, &layer.cross_norm, eps, &mut h);
            let c = &layer.cross_attn;
            let mut q = self.matmul(&h, t, &c.wq);
            zc_rmsnorm_inplace(&mut q, &c.q_norm, eps);
            let mut o = vec![0.0f32; t * c.wq.cols];
            self.backend.attention(
                &self.attn_shape(t, st.enc_len, false, 0),
                &q,
                &st.cross_k[l],
                &st.cross_v[l],
                &mut o,
            );
            let out = self.matmul(&o, t, &c.wo);
            add_scaled(&mut x, &out, layer.cross_gate);
        }
        st.len += t;
        let rows = if all_logits { t } else { 1 };
        let last = &x[(t - rows) * d..];
        let mut hn = vec![0.0f32; rows * d];
        zc_rmsnorm(last, &self.decoder_norm, eps, &mut hn);
        self.matmul(&hn, rows, &self.lm_head)
    }

    /// Logits `[decoder_ids.len(), vocab]` for a full teacher-forced pass.
    pub fn logits(&self, encoder_ids: &[u32], decoder_ids: &[u32]) -> Result<Vec<Vec<f32>>> {
        let enc = self.encode(encoder_ids)?;
        let mut st = self.start_decoder(&enc);
        let flat = self.decode(&mut st, decoder_ids, true)?;
        Ok(flat
            .chunks_exact(self.cfg.vocab_size)
            .map(<[f32]>::to_vec)
            .collect())
    }
}

/// Index of the largest logit; the first one on ties, as `numpy.argmax`.
pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[best] || (v.is_nan() && !logits[best].is_nan()) {
            best = i;
        }
    }
    best as u32
}
