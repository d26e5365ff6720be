//! Least-squares power-law fit `y = e^a · x^b` (a straight line in log–log space), used for how
//! prefill time scales with prompt length.

/// The fitted line and how well it explains the points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerFit {
    /// Natural-log intercept.
    pub a: f64,
    /// The scaling exponent.
    pub b: f64,
    /// Coefficient of determination in log–log space.
    pub r2: f64,
    /// Points used (those with x > 0 and y > 0).
    pub n: usize,
}

impl PowerFit {
    pub fn eval(&self, x: f64) -> f64 {
        (self.a + self.b * x.ln()).exp()
    }
}

/// Fits the points with positive, finite coordinates (logs of the others are undefined).
/// `None` with fewer than two distinct x values, where no slope is defined.
pub fn power_fit(points: &[(f64, f64)]) -> Option<PowerFit> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| x.is_finite() && y.is_finite() && *x > 0.0 && *y > 0.0)
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    let n = logs.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mx = logs.iter().map(|p| p.0).sum::<f64>() / nf;
    let my = logs.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = logs.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = logs.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let syy: f64 = logs.iter().map(|p| (p.1 - my).powi(2)).sum();
    // Relative threshold: identical x values differ only by rounding.
    if sxx <= 1e-12 * nf * (1.0 + mx * mx) {
        return None;
    }
    let b = sxy / sxx;
    let a = my - b * mx;
    let r2 = if syy > 0.0 {
        (sxy * sxy / (sxx * syy)).min(1.0)
    } else {
        1.0
    };
    Some(PowerFit { a, b, r2, n })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_exponent_and_ignores_unloggable_points() {
        let mut pts: Vec<(f64, f64)> = (1..=50)
            .map(|t| {
                let x = f64::from(t * 7);
                (x, 0.01 * x.powf(1.5))
            })
            .collect();
        pts.push((0.0, 1.0));
        pts.push((5.0, 0.0));
        let f = power_fit(&pts).unwrap();
        assert!((f.b - 1.5).abs() < 1e-9, "{f:?}");
        assert!((f.eval(100.0) - 10.0).abs() < 1e-6, "{f:?}");
        assert_eq!(f.n, 50);
        assert!(f.r2 > 0.999_999);
    }

    #[test]
    fn no_slope_without_two_distinct_lengths() {
        assert_eq!(power_fit(&[(10.0, 1.0), (10.0, 2.0)]), None);
        assert_eq!(power_fit(&[(10.0, 1.0)]), None);
        assert_eq!(power_fit(&[]), None);
    }
}
