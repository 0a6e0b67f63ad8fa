//! Moré–Sorensen nearly exact trust-region steps, from Cholesky factorizations of `H + λI`.

use super::{norm, Step};
use crate::hessian::Hessian;
use crate::linalg::{Factor, ShiftedCholesky};
use crate::reduce::dot;

/// Accept ‖p‖ within `(1 ± σ₁)Δ` (Moré–Sorensen's σ₁).
const SIGMA1: f64 = 0.1;
/// Factorizations per subproblem at most; the safeguards usually finish in 2–6.
const MAX_FACTORIZATIONS: usize = 40;

/// The λ ≥ 0 with `H + λI ⪰ 0` and `‖p(λ)‖ = Δ` (or λ = 0 and ‖p(0)‖ ≤ Δ), where
/// `p(λ) = −(H + λI)⁻¹g` — the global minimizer of `gᵀp + ½pᵀHp` on `‖p‖ ≤ Δ` (Moré &
/// Sorensen 1983; Nocedal–Wright Algorithm 4.3 with the safeguards of the paper).
///
/// λ is found by Newton's method on `φ(λ) = 1/Δ − 1/‖p(λ)‖`, which is nearly linear in λ:
/// `λ ← λ + (‖p‖/‖q‖)²·(‖p‖ − Δ)/Δ` with `‖q‖² = pᵀ(H + λI)⁻¹p`, kept inside an interval
/// `[λ_L, λ_U]` that starts from Gershgorin and norm bounds and shrinks with every trial.
/// A trial whose factorization fails raises λ_L.
///
/// The hard case: when g has (nearly) no component along the eigenvectors of the lowest
/// eigenvalue λ₁ < 0, `‖p(λ)‖ < Δ` for every admissible λ. Whenever a trial gives ‖p‖ < Δ, an
/// approximate eigenvector z of `H + λI` for its smallest eigenvalue is found by inverse
/// iteration on the same factorization, and p + τz with `‖p + τz‖ = Δ` (τ of lower model
/// value) is accepted once `τ²·zᵀ(H + λI)z ≤ σ₁(2 − σ₁)·(pᵀ(H + λI)p + λΔ²)` — then its model
/// value is within a factor (1 − σ₁)² of the optimum (Moré–Sorensen, Lemma 3.4).
///
/// `None` only for a non-finite Hessian or gradient.
pub(super) fn solve(
    cholesky: &mut ShiftedCholesky,
    h: &Hessian,
    g: &[f64],
    radius: f64,
) -> Option<Step> {
    if !h.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let g_norm = norm(g);
    let (lo, hi) = h.gershgorin();
    let h_norm = lo.abs().max(hi.abs()).min(h.frobenius_norm());
    let min_diagonal = h.diagonal().into_iter().fold(f64::INFINITY, f64::min);
    let mut lambda_l = 0f64.max(-min_diagonal).max(g_norm / radius - h_norm);
    let mut lambda_u =
        (g_norm / radius + h_norm).max(lambda_l) * (1.0 + f64::EPSILON) + f64::MIN_POSITIVE;
    let mut lambda = if lambda_l == 0.0 {
        0.0
    } else {
        safeguarded(lambda_l, lambda_u)
    };
    let neg_g: Vec<f64> = g.iter().map(|v| -v).collect();
    // The best boundary-or-interior step seen, as a fallback if the iteration runs out.
    let mut fallback: Option<Vec<f64>> = None;
    let mut shifts = cholesky.shifts(h);
    for k in 1..=MAX_FACTORIZATIONS {
        let factored = shifts.factor(|_| lambda);
        let Some((factor, p)) = factored.and_then(|l| l.solve(&neg_g).map(|p| (l, p))) else {
            // H + λI is not positive definite: λ < −λ₁.
            lambda_l = lambda_l.max(lambda);
            if lambda_u <= lambda_l * (1.0 + 1e-12) {
                lambda_u = 2.0 * lambda_l.max(1e-12) + h_norm;
            }
            lambda = safeguarded(lambda_l, lambda_u);
            continue;
        };
        let p_norm = norm(&p);
        if (lambda == 0.0 && p_norm <= radius) || (p_norm - radius).abs() <= SIGMA1 * radius {
            return Some(finish(h, g, p, k));
        }
        if p_norm < radius {
            lambda_u = lambda_u.min(lambda);
            if let Some(step) = hard_case(&factor, h, g, &p, lambda, radius, k) {
                return Some(step);
            }
        } else {
            lambda_l = lambda_l.max(lambda);
            fallback = Some(p.iter().map(|v| v * radius / p_norm).collect());
        }
        let Some(w) = factor.solve(&p) else { break };
        let qq = dot(&p, &w);
        let newton = lambda + (p_norm * p_norm / qq) * (p_norm - radius) / radius;
        lambda = if newton > lambda_l && newton < lambda_u {
            newton
        } else {
            safeguarded(lambda_l, lambda_u)
        };
        if lambda_u - lambda_l <= 1e-14 * lambda_u.max(1.0) {
            break;
        }
        if k == MAX_FACTORIZATIONS {
            break;
        }
    }
    // Out of iterations: the last step scaled to the boundary along a direction that a
    // positive definite H + λI produced (a descent direction), or the Cauchy step.
    let p = fallback.unwrap_or_else(|| {
        let gh = dot(g, &h.mul_vec(g));
        let t = if gh > 0.0 {
            (g_norm * g_norm / gh).min(radius / g_norm)
        } else {
            radius / g_norm
        };
        g.iter().map(|v| -t * v).collect()
    });
    Some(finish(h, g, p, MAX_FACTORIZATIONS))
}

/// A point inside `(λ_L, λ_U)`: the geometric mean, kept off λ_L (Moré–Sorensen's update).
fn safeguarded(lo: f64, hi: f64) -> f64 {
    (lo * hi).sqrt().max(lo + 0.01 * (hi - lo))
}

fn finish(h: &Hessian, g: &[f64], p: Vec<f64>, factorizations: usize) -> Step {
    let hp = h.mul_vec(&p);
    let length = norm(&p);
    Step::new(g, p, &hp, length, factorizations)
}

/// The hard-case step p + τz, if the Moré–Sorensen test accepts it.
fn hard_case(
    factor: &Factor,
    h: &Hessian,
    g: &[f64],
    p: &[f64],
    lambda: f64,
    radius: f64,
    factorizations: usize,
) -> Option<Step> {
    let n = p.len();
    // Inverse iteration on H + λI from a fixed vector with no special structure: each solve
    // multiplies the component along the smallest eigenvalue μ₁ by 1/μ₁ relative to the
    // others, so a few solves suffice once λ is near −λ₁.
    let mut z: Vec<f64> = (0..n)
        .map(|i| 1.0 + ((i * 7919) % 13) as f64 / 13.0)
        .collect();
    for _ in 0..4 {
        let next = factor.solve(&z)?;
        let length = norm(&next);
        if !(length > 0.0) {
            return None;
        }
        z = next.into_iter().map(|v| v / length).collect();
    }
    let hz = h.mul_vec(&z);
    let z_curvature = dot(&z, &hz) + lambda; // zᵀ(H + λI)z, z unit
    let hp = h.mul_vec(p);
    let p_curvature = dot(p, &hp) + lambda * dot(p, p);
    // ‖p + τz‖ = Δ: τ² + 2τ pᵀz + ‖p‖² − Δ² = 0, two roots of opposite sign.
    let pz = dot(p, &z);
    let c = dot(p, p) - radius * radius;
    let disc = (pz * pz - c).max(0.0).sqrt();
    let model = |t: f64| {
        let q: Vec<f64> = p.iter().zip(&z).map(|(a, b)| a + t * b).collect();
        let hq: Vec<f64> = hp.iter().zip(&hz).map(|(a, b)| a + t * b).collect();
        dot(g, &q) + 0.5 * dot(&q, &hq)
    };
    let (t1, t2) = (-pz - disc, -pz + disc);
    let tau = if model(t1) <= model(t2) { t1 } else { t2 };
    let kappa = SIGMA1 * (2.0 - SIGMA1);
    if tau * tau * z_curvature > kappa * (p_curvature + lambda * radius * radius) {
        return None;
    }
    let step: Vec<f64> = p.iter().zip(&z).map(|(a, b)| a + tau * b).collect();
    let h_step: Vec<f64> = hp.iter().zip(&hz).map(|(a, b)| a + tau * b).collect();
    Some(Step::new(g, step, &h_step, radius, factorizations))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dense(rows: &[&[f64]]) -> Hessian {
        Hessian::Dense(rows.concat())
    }

    #[test]
    fn interior_newton_step() {
        // H = diag(2, 4), g = (2, 4): p = (−1, −1) inside Δ = 2.
        let s = solve(
            &mut ShiftedCholesky::default(),
            &dense(&[&[2.0, 0.0], &[0.0, 4.0]]),
            &[2.0, 4.0],
            2.0,
        )
        .unwrap();
        assert!((s.p[0] + 1.0).abs() < 1e-14 && (s.p[1] + 1.0).abs() < 1e-14);
    }

    #[test]
    fn boundary_step_solves_the_secular_equation() {
        // H = diag(1, 3), g = (1, 1), Δ = 0.5: p(λ) = −(1/(1+λ), 1/(3+λ)). By hand (bisection on
        // ‖p(λ)‖ = 0.5): λ* ≈ 0.7376..., the step must satisfy ‖p‖ ∈ [0.45, 0.55] and be
        // p(λ) for its own λ — the optimality condition (H + λI)p = −g with λ ≥ 0.
        let h = dense(&[&[1.0, 0.0], &[0.0, 3.0]]);
        let s = solve(&mut ShiftedCholesky::default(), &h, &[1.0, 1.0], 0.5).unwrap();
        let length = norm(&s.p);
        assert!((length - 0.5).abs() <= 0.05, "{length}");
        let lambda = -1.0 / s.p[0] - 1.0;
        assert!(lambda > 0.0);
        assert!((s.p[1] + 1.0 / (3.0 + lambda)).abs() < 1e-12);
    }

    #[test]
    fn indefinite_hessian_gives_a_boundary_step_with_psd_shift() {
        // H = diag(−2, 1), g = (1, 1), Δ = 1: λ > 2 and ‖p‖ ≈ 1; predicted reduction > 0.
        let h = dense(&[&[-2.0, 0.0], &[0.0, 1.0]]);
        let s = solve(&mut ShiftedCholesky::default(), &h, &[1.0, 1.0], 1.0).unwrap();
        assert!((norm(&s.p) - 1.0).abs() <= 0.1);
        let lambda = -1.0 / s.p[0] + 2.0;
        assert!(lambda > 2.0 && (s.p[1] + 1.0 / (1.0 + lambda)).abs() < 1e-10);
        assert!(s.predicted > 0.0);
    }

    #[test]
    fn hard_case_moves_along_the_lowest_eigenvector() {
        // H = diag(−1, 1), g = (0, 1): g ⟂ e₀, the eigenvector of λ₁ = −1. For λ ≥ 1,
        // ‖p(λ)‖ = 1/(1+λ) ≤ ½ < Δ = 2: the hard case. The exact solution is λ = 1,
        // p = (±√(4 − ¼), −½), model value −¼ − ½·(15/4) − ... = gᵀp + ½pᵀHp
        // = −½ + ½(−15/4 + ¼) = −2.25.
        let h = dense(&[&[-1.0, 0.0], &[0.0, 1.0]]);
        let s = solve(&mut ShiftedCholesky::default(), &h, &[0.0, 1.0], 2.0).unwrap();
        assert!((norm(&s.p) - 2.0).abs() < 1e-9, "{:?}", s.p);
        // Within the (1 − σ₁)² factor of the optimal reduction 2.25 (Moré–Sorensen's bound).
        assert!(s.predicted >= 0.81 * 2.25, "{}", s.predicted);
    }

    #[test]
    fn sparse_and_dense_agree() {
        use curvature_ad::{Matrix, SparseMatrix};
        // tridiag(−1, 1, −1) of size 30 is indefinite (λ_min = 1 − 2cos(π/31) < 0).
        let n = 30;
        let m = Matrix::from_fn(n, n, |i, j| {
            if i == j {
                1.0
            } else if i.abs_diff(j) == 1 {
                -1.0
            } else {
                0.0
            }
        });
        let sparse = SparseMatrix::from_dense(&m);
        let g: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
        let a = solve(
            &mut ShiftedCholesky::default(),
            &Hessian::Dense(m.into_vec()),
            &g,
            1.5,
        )
        .unwrap();
        let b = solve(
            &mut ShiftedCholesky::default(),
            &Hessian::Sparse(sparse),
            &g,
            1.5,
        )
        .unwrap();
        for (x, y) in a.p.iter().zip(&b.p) {
            assert!((x - y).abs() < 1e-10);
        }
    }
}
