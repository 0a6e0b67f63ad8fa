//! Powell's dogleg step for the trust-region subproblem.

use super::{norm, to_boundary, Step};
use crate::hessian::Hessian;
use crate::linalg::ShiftedCholesky;
use crate::newton::{shifted_newton_direction, WarmShift};
use crate::reduce::dot;

/// The dogleg path `p(t)`: from 0 to the Cauchy point `p_U = −(gᵀg / gᵀHg)·g`, then to the
/// Newton point `p_N = −(H + τI)⁻¹g` (τ = 0 for positive definite H, else the shift of
/// [`Newton`](crate::Newton)), cut where it leaves `‖p‖ ≤ Δ` (Nocedal–Wright §4.1).
/// With `gᵀHg ≤ 0` (negative curvature along −g) or `‖p_U‖ ≥ Δ` the step is `−Δ·g/‖g‖`; a
/// path point that would not decrease the model falls back to the Cauchy step.
///
/// `None` only when no shift makes the factorization succeed (a non-finite H).
pub(super) fn solve(
    cholesky: &mut ShiftedCholesky,
    h: &Hessian,
    g: &[f64],
    radius: f64,
) -> Option<Step> {
    let g_norm = norm(g);
    let hg = h.mul_vec(g);
    let g_curvature = dot(g, &hg);
    let steepest = |length: f64| -> Step {
        let t = length / g_norm;
        let p: Vec<f64> = g.iter().map(|v| -t * v).collect();
        let hp: Vec<f64> = hg.iter().map(|v| -t * v).collect();
        Step::new(g, p, &hp, length, 0)
    };
    let cauchy_length = g_norm * g_norm * g_norm / g_curvature;
    if !(g_curvature > 0.0) || cauchy_length >= radius {
        return Some(steepest(radius));
    }
    let (newton, _) = shifted_newton_direction(cholesky, h, g, WarmShift::default())?;
    let step = if norm(&newton) <= radius {
        newton
    } else {
        let pu: Vec<f64> = g.iter().map(|v| -v * cauchy_length / g_norm).collect();
        let d: Vec<f64> = newton.iter().zip(&pu).map(|(a, b)| a - b).collect();
        let sigma = to_boundary(&pu, &d, None, radius).min(1.0);
        pu.iter().zip(&d).map(|(a, b)| a + sigma * b).collect()
    };
    let hp = h.mul_vec(&step);
    let length = norm(&step);
    let candidate = Step::new(g, step, &hp, length, 1);
    let cauchy = steepest(cauchy_length);
    Some(if candidate.predicted >= cauchy.predicted {
        candidate
    } else {
        cauchy
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_newton_step_inside_and_cauchy_leg_outside() {
        // H = diag(1, 10), g = (1, 1): Newton point (−1, −0.1), ‖·‖ ≈ 1.005.
        let h = Hessian::Dense(vec![1.0, 0.0, 0.0, 10.0]);
        let s = solve(&mut ShiftedCholesky::default(), &h, &[1.0, 1.0], 2.0).unwrap();
        assert!((s.p[0] + 1.0).abs() < 1e-14 && (s.p[1] + 0.1).abs() < 1e-14);
        // Δ = 0.1: Cauchy length ‖g‖³/gᵀHg = 2√2/11 ≈ 0.257 > Δ, so p = −0.1·g/‖g‖.
        let s = solve(&mut ShiftedCholesky::default(), &h, &[1.0, 1.0], 0.1).unwrap();
        let t = 0.1 / 2f64.sqrt();
        assert!((s.p[0] + t).abs() < 1e-15 && (s.p[1] + t).abs() < 1e-15);
        // Δ = 0.5: between the points, on the boundary.
        let s = solve(&mut ShiftedCholesky::default(), &h, &[1.0, 1.0], 0.5).unwrap();
        assert!((norm(&s.p) - 0.5).abs() < 1e-14);
    }
}
