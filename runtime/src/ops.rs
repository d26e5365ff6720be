//! The cheap element-wise pieces of the forward pass shared by every backend: ZCRMSNorm,
//! rotary position embedding (rotate-half layout) and the gated residual.
//!
//! These cost O(T·d) against the O(T·d²) of the projections, so one scalar implementation
//! serves all backends and cannot make them disagree.

/// Zero-centred RMSNorm over each `dim`-wide row: `(1 + gamma) * x / sqrt(mean(x²) + eps)`.
pub fn zc_rmsnorm(x: &[f32], gamma: &[f32], eps: f32, out: &mut [f32]) {
    let dim = gamma.len();
    debug_assert_eq!(x.len(), out.len());
    debug_assert_eq!(x.len() % dim, 0);
    for (xr, yr) in x.chunks_exact(dim).zip(out.chunks_exact_mut(dim)) {
        let ms = xr.iter().map(|v| v * v).sum::<f32>() / dim as f32;
        let inv = 1.0 / (ms + eps).sqrt();
        for ((y, &v), &g) in yr.iter_mut().zip(xr).zip(gamma) {
            *y = (1.0 + g) * v * inv;
        }
    }
}

/// In-place ZCRMSNorm of every `gamma.len()`-wide chunk (QK-norm over head_dim).
pub fn zc_rmsnorm_inplace(x: &mut [f32], gamma: &[f32], eps: f32) {
    let dim = gamma.len();
    for row in x.chunks_exact_mut(dim) {
        let ms = row.iter().map(|v| v * v).sum::<f32>() / dim as f32;
        let inv = 1.0 / (ms + eps).sqrt();
        for (v, &g) in row.iter_mut().zip(gamma) {
            *v = (1.0 + g) * *v * inv;
        }
    }
}

/// Precomputed RoPE cos/sin tables, `[position, head_dim / 2]`.
#[derive(Debug, Clone)]
pub struct Rope {
    half: usize,
    cos: Vec<f32>,
    sin: Vec<f32>,
}

impl Rope {
    /// Tables for positions `0..max_pos`. Angles are computed in f64 and rounded once so the
    /// tables do not drift from the reference at large positions.
    pub fn new(head_dim: usize, theta: f32, max_pos: usize) -> Rope {
        let half = head_dim / 2;
        let mut cos = Vec::with_capacity(max_pos * half);
        let mut sin = Vec::with_capacity(max_pos * half);
        for p in 0..max_pos {
            for i in 0..half {
                let inv_freq = (theta as f64).powf(-2.0 * i as f64 / head_dim as f64);
                let a = p as f64 * inv_freq;
                cos.push(a.cos() as f32);
                sin.push(a.sin() as f32);
            }
        }
        Rope { half, cos, sin }
    }

    /// Number of positions the tables cover.
    pub fn max_positions(&self) -> usize {
        self.cos.len() / self.half.max(1)
    }

    /// Rotates every head of `x` (`[rows, heads * head_dim]`), row `r` at position `pos0 + r`:
    /// `[x1·cos − x2·sin, x2·cos + x1·sin]` with x1, x2 the two halves of the head vector.
    pub fn apply(&self, x: &mut [f32], row_width: usize, pos0: usize) {
        let hd = 2 * self.half;
        for (r, row) in x.chunks_exact_mut(row_width).enumerate() {
            let p = pos0 + r;
            let cos = &self.cos[p * self.half..(p + 1) * self.half];
            let sin = &self.sin[p * self.half..(p + 1) * self.half];
            for head in row.chunks_exact_mut(hd) {
                let (x1, x2) = head.split_at_mut(self.half);
                for i in 0..self.half {
                    let (a, b) = (x1[i], x2[i]);
                    x1[i] = a * cos[i] - b * sin[i];
                    x2[i] = b * cos[i] + a * sin[i];
                }
            }
        }
    }
}

/// Logistic sigmoid, used on the learned residual gates.
pub fn sigmoid(g: f32) -> f32 {
    1.0 / (1.0 + (-g).exp())
}

/// `x += scale * delta`.
pub fn add_scaled(x: &mut [f32], delta: &[f32], scale: f32) {
    for (a, &b) in x.iter_mut().zip(delta) {
        *a += scale * b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rmsnorm_of_constant_row_is_one_plus_gamma() {
        let x = [2.0f32; 4];
        let g = [0.0, 0.5, -0.5, 1.0];
        let mut y = [0.0; 4];
        zc_rmsnorm(&x, &g, 0.0, &mut y);
        assert_eq!(y, [1.0, 1.5, 0.5, 2.0]);
    }

    #[test]
    fn rope_at_position_zero_is_identity_and_preserves_norm() {
        let rope = Rope::new(4, 10000.0, 8);
        let mut x = vec![1.0, 2.0, 3.0, 4.0];
        rope.apply(&mut x, 4, 0);
        assert_eq!(x, vec![1.0, 2.0, 3.0, 4.0]);
        let mut y = vec![1.0, 2.0, 3.0, 4.0];
        rope.apply(&mut y, 4, 5);
        let n: f32 = y.iter().map(|v| v * v).sum();
        assert!((n - 30.0).abs() < 1e-4);
        // First pair rotates by angle 5 rad (inv_freq 1): x1' = cos5 - 3 sin5.
        assert!((y[0] - (5f32.cos() - 3.0 * 5f32.sin())).abs() < 1e-5);
    }
}
