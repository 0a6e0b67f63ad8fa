//! The DFP inverse-Hessian update.

use crate::quasi_newton::{add_row_outer_pair, InverseUpdate, QuasiNewton};
use crate::reduce::dot;

/// DFP update of the inverse Hessian (Davidon–Fletcher–Powell):
///
/// `Q' = Q + δδᵀ/(δᵀγ) − (Qγ)(Qγ)ᵀ/(γᵀQγ)`,
///
/// two rank-one additions, O(n²). Q' satisfies `Q'γ = δ` and stays positive definite when
/// `δᵀγ > 0`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DfpUpdate;

impl InverseUpdate for DfpUpdate {
    const NAME: &'static str = "DFP";

    fn update(q: &mut [f64], delta: &[f64], gamma: &[f64], q_gamma: &[f64], delta_gamma: f64) {
        let gqg = dot(gamma, q_gamma);
        // Q' = Q + δδᵀ/(δᵀγ) − (Qγ)(Qγ)ᵀ/(γᵀQγ), row by row.
        add_row_outer_pair(q, delta, q_gamma, |i| {
            (delta[i] / delta_gamma, q_gamma[i] / gqg)
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
        // Q'v = Qv + δ (δᵀv)/(δᵀγ) − Qγ ((Qγ)ᵀv)/(γᵀQγ).
        let gqg = dot(gamma, q_gamma);
        let (d_v, qg_v) = (dot(delta, v) / delta_gamma, dot(q_gamma, v) / gqg);
        for i in 0..q_v.len() {
            q_v[i] += delta[i] * d_v - q_gamma[i] * qg_v;
        }
    }
}

/// DFP: the quasi-Newton skeleton with the [`DfpUpdate`].
///
/// Like BFGS it terminates on a strictly convex quadratic with exact line searches; with
/// inexact searches it corrects a bad Q more slowly, so it usually needs more iterations.
///
/// ```
/// use curvature_optim::{Dfp, Objective};
/// struct Bowl;
/// impl Objective for Bowl {
///     fn value(&self, x: &[f64]) -> f64 { (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2) }
///     fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
///         (self.value(x), vec![2.0 * (x[0] - 1.0), 20.0 * (x[1] + 2.0)])
///     }
/// }
/// let s = Dfp::new().minimize(Bowl, &[0.0, 0.0]).unwrap();
/// assert!(s.converged() && (s.x[1] + 2.0).abs() < 1e-8);
/// ```
pub type Dfp = QuasiNewton<DfpUpdate>;
