//! Helpers shared by the integration tests.

use curvature_nist::Problem;

/// An upper bound, to first order, on the RSS that rounding the certified parameters to
/// 11 significant digits can produce at a zero-residual solution: `Σ_i (Σ_j |∂r_i/∂b_j| δ_j)²`
/// with `δ_j` half a unit in the 11th digit of `b_j`, the partials by one-sided differences
/// with step `δ_j` itself.
pub fn rounding_bound(p: &Problem) -> f64 {
    let c = &p.dataset().certified_values;
    let base = p.residuals(c);
    let mut per_observation = vec![0.0; base.len()];
    for j in 0..c.len() {
        let delta = 0.5e-10 * 10f64.powf(c[j].abs().log10().floor());
        let mut b = c.clone();
        b[j] += delta;
        for (acc, (r, r0)) in per_observation
            .iter_mut()
            .zip(p.residuals(&b).iter().zip(&base))
        {
            *acc += (r - r0).abs();
        }
    }
    per_observation.iter().map(|s| s * s).sum()
}
