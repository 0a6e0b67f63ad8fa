//! Polynomial step models shared by the searches (Nocedal–Wright §3.5).

/// Minimizer of the cubic matching `φ(a), φ'(a), φ(b), φ'(b)` (Nocedal–Wright eq. 3.59):
/// `d₁ = φ'(a) + φ'(b) − 3 (φ(a) − φ(b))/(a − b)`, `d₂ = sign(b − a) √(d₁² − φ'(a) φ'(b))`,
/// `α = b − (b − a) (φ'(b) + d₂ − d₁) / (φ'(b) − φ'(a) + 2 d₂)`.
/// `None` when the cubic has no minimizer (negative discriminant) or the data are not finite.
pub(crate) fn cubic_minimizer(a: f64, fa: f64, ga: f64, b: f64, fb: f64, gb: f64) -> Option<f64> {
    let d1 = ga + gb - 3.0 * (fa - fb) / (a - b);
    let disc = d1 * d1 - ga * gb;
    if !(disc >= 0.0) {
        return None;
    }
    let d2 = (b - a).signum() * disc.sqrt();
    let alpha = b - (b - a) * (gb + d2 - d1) / (gb - ga + 2.0 * d2);
    alpha.is_finite().then_some(alpha)
}

/// Minimizer of the quadratic through `φ(0), φ'(0), φ(α)`:
/// `α* = −φ'(0) α² / (2 (φ(α) − φ(0) − φ'(0) α))`.
pub(crate) fn quadratic_minimizer(phi0: f64, dphi0: f64, alpha: f64, phi: f64) -> Option<f64> {
    let curvature = phi - phi0 - dphi0 * alpha;
    let step = -dphi0 * alpha * alpha / (2.0 * curvature);
    (curvature > 0.0 && step.is_finite()).then_some(step)
}

/// Minimizer of the cubic through `φ(0), φ'(0), φ(α₀), φ(α₁)` (Nocedal–Wright p. 58):
/// `[a, b]ᵀ = 1/(α₀²α₁²(α₁ − α₀)) · [[α₀², −α₁²], [−α₀³, α₁³]] · [φ(α₁) − φ(0) − φ'(0)α₁,
/// φ(α₀) − φ(0) − φ'(0)α₀]ᵀ`, then `α₂ = (−b + √(b² − 3aφ'(0))) / 3a`.
pub(crate) fn cubic_backtrack(
    phi0: f64,
    dphi0: f64,
    a0: f64,
    phi_a0: f64,
    a1: f64,
    phi_a1: f64,
) -> Option<f64> {
    let r1 = phi_a1 - phi0 - dphi0 * a1;
    let r0 = phi_a0 - phi0 - dphi0 * a0;
    let denom = a0 * a0 * a1 * a1 * (a1 - a0);
    let a = (a0 * a0 * r1 - a1 * a1 * r0) / denom;
    let b = (-a0 * a0 * a0 * r1 + a1 * a1 * a1 * r0) / denom;
    let step = if a.abs() <= f64::EPSILON * b.abs() {
        // The cubic term vanished: minimize the quadratic b α² + φ'(0) α + φ(0).
        -dphi0 / (2.0 * b)
    } else {
        let disc = b * b - 3.0 * a * dphi0;
        if disc < 0.0 {
            return None;
        }
        (-b + disc.sqrt()) / (3.0 * a)
    };
    (step.is_finite() && step > 0.0).then_some(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cubic_recovers_exact_cubic_minimum() {
        // φ(α) = (α − 1)³ − 3(α − 1) has φ' = 3(α−1)² − 3, local minimum at α = 2.
        let phi = |a: f64| (a - 1.0).powi(3) - 3.0 * (a - 1.0);
        let dphi = |a: f64| 3.0 * (a - 1.0).powi(2) - 3.0;
        let m = cubic_minimizer(1.5, phi(1.5), dphi(1.5), 3.0, phi(3.0), dphi(3.0)).unwrap();
        assert!((m - 2.0).abs() < 1e-12, "{m}");
    }

    #[test]
    fn quadratic_recovers_parabola_minimum() {
        // φ(α) = (α − 0.3)², φ(0) = 0.09, φ'(0) = −0.6; minimum at 0.3.
        let m = quadratic_minimizer(0.09, -0.6, 1.0, 0.49).unwrap();
        assert!((m - 0.3).abs() < 1e-14);
    }

    #[test]
    fn cubic_backtrack_recovers_cubic() {
        // φ(α) = α³ − 2α² − α + 5: φ(0) = 5, φ'(0) = −1, minimizer (2 + √7)/3.
        let phi = |a: f64| a * a * a - 2.0 * a * a - a + 5.0;
        let m = cubic_backtrack(5.0, -1.0, 1.0, phi(1.0), 3.0, phi(3.0)).unwrap();
        assert!((m - (2.0 + 7f64.sqrt()) / 3.0).abs() < 1e-12, "{m}");
    }
}
