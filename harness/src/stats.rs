//! Small-sample statistics for reports and gates: the Wilson score interval for a success rate
//! and the exact McNemar test for paired verdicts (two runs over the same examples).
//!
//! Both take counts, never fractions, so a report can always show where a number came from.

/// The two-sided 95% normal quantile, to full f64 precision.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Wilson score 95% interval for `successes` out of `n`, as `(lo, hi)` within `[0, 1]`.
///
/// `n == 0` carries no information and gives `(0, 1)`. `successes > n` is treated as `n`
/// (a caller bug must not turn into a NaN in a published report).
pub fn wilson(successes: u64, n: u64) -> (f64, f64) {
    wilson_z(successes, n, Z95)
}

/// Wilson score interval with an explicit normal quantile `z` (e.g. 2.5758 for 99%).
pub fn wilson_z(successes: u64, n: u64, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let s = successes.min(n);
    let nf = n as f64;
    let p = s as f64 / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    // At the edges the two terms cancel analytically; rounding must not leave 1e-17 behind.
    let lo = if s == 0 {
        0.0
    } else {
        (center - half).max(0.0)
    };
    let hi = if s == n {
        1.0
    } else {
        (center + half).min(1.0)
    };
    (lo, hi)
}

/// Exact two-sided McNemar p-value from the discordant counts of a paired comparison:
/// `b` = examples only the first run got right, `c` = examples only the second got right.
///
/// Under the null hypothesis each discordant pair is a fair coin, so the p-value is
/// `min(1, 2 · P[X ≤ min(b, c)])` with `X ~ Binomial(b + c, 1/2)`. No discordant pairs gives 1.
/// Accurate to about 1e-12 relative for counts up to millions; absurd counts still give a
/// finite value in `[0, 1]` (the tail sum is capped at ten million terms).
pub fn mcnemar_exact(b: u64, c: u64) -> f64 {
    let n = b.saturating_add(c);
    if n == 0 || b == c {
        return 1.0;
    }
    let k = b.min(c);
    let nf = n as f64;
    // Summed in log space from the largest term down: 0.5^n underflows an f64 past n ≈ 1074.
    let ln_top = ln_choose(nf, k as f64) - nf * std::f64::consts::LN_2;
    let (mut rel, mut sum) = (1.0_f64, 1.0_f64);
    let mut i = k;
    let mut steps = 0u32;
    while i > 0 && steps < 10_000_000 {
        rel *= i as f64 / (n - i + 1) as f64;
        sum += rel;
        if rel < sum * 1e-18 {
            break;
        }
        i -= 1;
        steps += 1;
    }
    let p = 2.0 * (ln_top + sum.ln()).exp();
    if p.is_nan() {
        return 1.0;
    }
    p.clamp(0.0, 1.0)
}

/// ln C(n, k) through ln Γ.
fn ln_choose(n: f64, k: f64) -> f64 {
    ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
}

/// ln Γ(x) for x ≥ 1 by the Lanczos approximation (g = 7, nine terms), ~1e-15 relative.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut a = COEF[0];
    for (i, c) in COEF.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Discordant counts `(b, c)` of two paired verdict lists: `b` counts pairs where only `first`
/// is true, `c` where only `second` is. Lists of different lengths are compared over the
/// common prefix; the caller is expected to have aligned them by example id.
pub fn discordant(first: &[bool], second: &[bool]) -> (u64, u64) {
    first
        .iter()
        .zip(second)
        .fold((0, 0), |(b, c), (&x, &y)| match (x, y) {
            (true, false) => (b + 1, c),
            (false, true) => (b, c + 1),
            _ => (b, c),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    // Expected values evaluate the closed form with z = 1.959963984540054 by hand (Python
    // floats); 81/100 also matches the textbook (0.7222, 0.8749).
    #[test]
    fn wilson_known_values() {
        let cases = [
            (5, 10, 0.236593090512564, 0.7634069094874361),
            (0, 10, 0.0, 0.2775327998628892),
            (10, 10, 0.7224672001371107, 1.0),
            (81, 100, 0.7222115462093562, 0.8748524849023126),
            (1, 3, 0.06149194472039621, 0.7923403991979522),
            (950, 1000, 0.9346861797557492, 0.9618697376072513),
            (0, 1, 0.0, 0.7934506856227626),
        ];
        for (s, n, lo, hi) in cases {
            let (l, h) = wilson(s, n);
            assert!(close(l, lo) && close(h, hi), "{s}/{n}: got ({l}, {h})");
        }
    }

    #[test]
    fn wilson_edges() {
        assert_eq!(wilson(0, 0), (0.0, 1.0));
        assert_eq!(wilson(7, 5), wilson(5, 5));
        let (l, h) = wilson(u64::MAX / 2, u64::MAX);
        assert!((0.0..=1.0).contains(&l) && (0.0..=1.0).contains(&h) && l <= h);
    }

    #[test]
    fn mcnemar_known_values() {
        let cases = [
            (0, 5, 0.0625),
            (1, 9, 0.021484375),
            (5, 5, 1.0),
            (3, 12, 0.03515625),
            (10, 25, 0.01667384780012071),
            (100, 130, 0.055613577781392386),
            (0, 0, 1.0),
            (2000, 2100, 0.12206497999113813),
        ];
        for (b, c, p) in cases {
            let got = mcnemar_exact(b, c);
            assert!(
                (got - p).abs() < 1e-9 * p.max(1e-300),
                "({b},{c}): {got} vs {p}"
            );
            assert_eq!(got, mcnemar_exact(c, b), "symmetry ({b},{c})");
        }
    }

    #[test]
    fn mcnemar_huge_counts_stay_finite() {
        let p = mcnemar_exact(0, 5000);
        assert!((0.0..1e-300).contains(&p));
        for (b, c) in [
            (u64::MAX, 0),
            (u64::MAX / 2, u64::MAX / 3),
            (u64::MAX, u64::MAX),
        ] {
            let p = mcnemar_exact(b, c);
            assert!((0.0..=1.0).contains(&p), "({b},{c}): {p}");
        }
    }

    #[test]
    fn discordant_counts() {
        let a = [true, true, false, false, true];
        let b = [true, false, true, false, false];
        assert_eq!(discordant(&a, &b), (2, 1));
    }
}
