//! Steihaug–Toint truncated conjugate gradients for the trust-region subproblem.

use super::{to_boundary, Step};
use crate::newton_cg::{cg_advance, cg_direction, cg_start};
use crate::non_finite::NonFiniteEntry;
use crate::objective::Halt;
use crate::reduce::dot;

/// `min gᵀp + ½pᵀHp` s.t. `‖p‖_M ≤ Δ` by preconditioned CG from p = 0 (Steihaug 1983;
/// Conn–Gould–Toint Algorithm 7.5.1), with `M = diag(m)` (identity when `m` is `None`):
/// - negative or zero curvature `dᵀHd ≤ 0`: follow d to the boundary;
/// - the CG iterate would leave the region: stop where its path crosses the boundary (the
///   M-norm of the CG iterates increases, so this happens at most once);
/// - `‖r‖ ≤ min(½, √‖g‖)·‖g‖`: stop inside (superlinear convergence of the outer iteration).
///
/// `Hp` is accumulated from the products CG already made, so the predicted reduction costs
/// no extra product. The inner `Err` names the first non-finite entry of a product.
pub(super) fn solve(
    g: &[f64],
    radius: f64,
    m: Option<&[f64]>,
    mut hv: impl FnMut(&[f64], &mut Vec<f64>) -> Result<(), Halt>,
) -> Result<Result<Step, NonFiniteEntry>, Halt> {
    let n = g.len();
    let m_norm = |v: &[f64]| match m {
        Some(m) => v.iter().zip(m).map(|(a, b)| b * a * a).sum::<f64>().sqrt(),
        None => dot(v, v).sqrt(),
    };
    let g_norm = dot(g, g).sqrt();
    let tolerance = 0.5f64.min(g_norm.sqrt()) * g_norm;
    let mut z = vec![0.0; n];
    let mut hz = vec![0.0; n];
    let (mut r, mut y, mut d, mut ry) = cg_start(g, m);
    let mut hd = Vec::with_capacity(n);
    for j in 0..n.max(1) {
        hv(&d, &mut hd)?;
        let curvature = dot(&d, &hd);
        // A non-finite entry of Hd makes its term non-finite (0·∞ is NaN), and the sum with
        // it: only a non-finite sum sends us looking for one.
        if !curvature.is_finite() {
            if let Some(index) = hd.iter().position(|v| !v.is_finite()) {
                return Ok(Err(NonFiniteEntry::HessianProduct { index }));
            }
        }
        let alpha = ry / curvature;
        // ‖z + αd‖_M ≥ Δ, without forming z + αd.
        let leaves = || {
            let w = |i: usize| m.map_or(1.0, |m| m[i]);
            (0..n)
                .map(|i| w(i) * (z[i] + alpha * d[i]).powi(2))
                .sum::<f64>()
                >= radius * radius
        };
        if !(curvature > 0.0) || !alpha.is_finite() || leaves() {
            let sigma = to_boundary(&z, &d, m, radius);
            for i in 0..n {
                z[i] += sigma * d[i];
                hz[i] += sigma * hd[i];
            }
            return Ok(Ok(Step::new(g, z, &hz, radius, j + 1)));
        }
        let (rr, ry_next) = cg_advance(alpha, &d, &hd, &mut z, &mut r, Some(&mut hz), m, &mut y);
        if rr.sqrt() <= tolerance {
            let norm = m_norm(&z);
            return Ok(Ok(Step::new(g, z, &hz, norm, j + 1)));
        }
        cg_direction(ry_next / ry, if m.is_some() { &y } else { &r }, &mut d);
        ry = ry_next;
    }
    let norm = m_norm(&z);
    Ok(Ok(Step::new(g, z, &hz, norm, n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(h: &'static [f64]) -> impl FnMut(&[f64], &mut Vec<f64>) -> Result<(), Halt> {
        move |v, hv| {
            *hv = v.iter().zip(h).map(|(a, b)| a * b).collect();
            Ok(())
        }
    }

    #[test]
    fn interior_newton_step_when_it_fits() {
        // H = diag(2, 4), g = (0.002, 0.004): Newton step (−0.001, −0.001). The forcing
        // tolerance √‖g‖·‖g‖ ≈ 3.0e-4 is below the residual after one CG iteration (by hand:
        // α = gᵀg/gᵀHg = 0.2778, r = g − αHg = (8.9e-4, −4.4e-4), ‖r‖ ≈ 9.9e-4), so CG runs its
        // second iteration, which is exact for two distinct eigenvalues.
        let s = solve(&[0.002, 0.004], 10.0, None, diag(&[2.0, 4.0]))
            .unwrap()
            .unwrap();
        assert!((s.p[0] + 0.001).abs() < 1e-17 && (s.p[1] + 0.001).abs() < 1e-17);
        assert_eq!(s.inner, 2);
        // m(0) − m(p) = −gᵀp − ½pᵀHp = 6e-6 − 3e-6.
        assert!((s.predicted - 3e-6).abs() < 1e-20);
    }

    #[test]
    fn first_iteration_crossing_goes_along_steepest_descent() {
        // H = I, g = (3, 4): the first CG step −g has length 5 > Δ = 1: p = −g/5.
        let s = solve(&[3.0, 4.0], 1.0, None, diag(&[1.0, 1.0]))
            .unwrap()
            .unwrap();
        assert!((s.p[0] + 0.6).abs() < 1e-15 && (s.p[1] + 0.8).abs() < 1e-15);
        assert_eq!(s.norm, 1.0);
    }

    #[test]
    fn negative_curvature_goes_to_the_boundary() {
        // H = diag(−1, 1), g = (1, 0): d = −g has dᵀHd = −1 < 0, so p = −Δ·g/‖g‖ = (−2, 0),
        // with m(0) − m(p) = 2 + ½·4 = 4.
        let s = solve(&[1.0, 0.0], 2.0, None, diag(&[-1.0, 1.0]))
            .unwrap()
            .unwrap();
        assert!((s.p[0] + 2.0).abs() < 1e-15 && s.p[1] == 0.0);
        assert!((s.predicted - 4.0).abs() < 1e-14);
    }

    #[test]
    fn preconditioned_region_is_in_the_m_norm() {
        // H = M = diag(1, 100), g = (1, 100): preconditioned CG takes the Newton step (−1, −1)
        // in one iteration; its M-norm √101 exceeds Δ = 5, so p = −(1, 1)·5/√101.
        let s = solve(&[1.0, 100.0], 5.0, Some(&[1.0, 100.0]), diag(&[1.0, 100.0]))
            .unwrap()
            .unwrap();
        let t = 5.0 / 101f64.sqrt();
        assert!((s.p[0] + t).abs() < 1e-14 && (s.p[1] + t).abs() < 1e-14);
        assert_eq!(s.inner, 1);
    }
}
