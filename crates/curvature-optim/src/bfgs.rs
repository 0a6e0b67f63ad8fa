//! The BFGS inverse-Hessian update.

use crate::quasi_newton::{add_row_outer_pair, InverseUpdate, QuasiNewton};
use crate::reduce::dot;

/// BFGS update of the inverse Hessian (Broyden–Fletcher–Goldfarb–Shanno):
///
/// `Q' = Q − (δ(Qγ)ᵀ + (Qγ)δᵀ)/(δᵀγ) + (1 + γᵀQγ/δᵀγ) · δδᵀ/(δᵀγ)`,
///
/// i.e. `Q' = (I − ρδγᵀ) Q (I − ργδᵀ) + ρδδᵀ` with `ρ = 1/δᵀγ`, written as rank-one
/// additions so it costs O(n²). Q' satisfies the secant equation `Q'γ = δ` and stays
/// positive definite when `δᵀγ > 0`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BfgsUpdate;

impl InverseUpdate for BfgsUpdate {
    const NAME: &'static str = "BFGS";

    fn update(q: &mut [f64], delta: &[f64], gamma: &[f64], q_gamma: &[f64], delta_gamma: f64) {
        let rho = 1.0 / delta_gamma;
        let outer = (1.0 + dot(gamma, q_gamma) * rho) * rho;
        // Row i gains (outer·δᵢ − ρ·(Qγ)ᵢ) δᵀ − ρ·δᵢ (Qγ)ᵀ.
        add_row_outer_pair(q, delta, q_gamma, |i| {
            (outer * delta[i] - rho * q_gamma[i], rho * delta[i])
        });
    }

    fn update_product(
        q_v: &mut [f64],
        v: &[f64],
        delta: &[f64],
        gamma: &[f64],
        q_gamma: &[f64],
        delta_gamma: f64,
    ) {
        // Q'v = Qv − ρ(δ (Qγ)ᵀv + Qγ δᵀv) + (1 + ρ γᵀQγ) ρ δ δᵀv.
        let gqg = dot(gamma, q_gamma);
        let rho = 1.0 / delta_gamma;
        let (qg_v, d_v) = (dot(q_gamma, v), dot(delta, v));
        let outer = (1.0 + gqg * rho) * rho * d_v;
        for i in 0..q_v.len() {
            q_v[i] += outer * delta[i] - rho * (delta[i] * qg_v + q_gamma[i] * d_v);
        }
    }
}

/// BFGS: the quasi-Newton skeleton with the [`BfgsUpdate`].
///
/// Superlinear convergence on smooth problems; with exact line searches on a strictly convex
/// quadratic in n variables it reaches the minimizer in at most n iterations.
///
/// ```
/// use curvature_optim::{Bfgs, Objective};
/// // f(x) = (x₀ − 1)² + 10(x₁ + 2)², minimum at (1, −2).
/// struct Bowl;
/// impl Objective for Bowl {
///     fn value(&self, x: &[f64]) -> f64 { (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2) }
///     fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
///         (self.value(x), vec![2.0 * (x[0] - 1.0), 20.0 * (x[1] + 2.0)])
///     }
/// }
/// let s = Bfgs::new().minimize(Bowl, &[0.0, 0.0]).unwrap();
/// assert!(s.converged());
/// assert!((s.x[0] - 1.0).abs() < 1e-8 && (s.x[1] + 2.0).abs() < 1e-8);
/// ```
pub type Bfgs = QuasiNewton<BfgsUpdate>;
