//! Exact line search by Newton's method on φ'(α) = 0, using Hessian-vector products.

use std::convert::Infallible;

use super::{LineSearchFailure, LineSearchResult};

/// Exact line search: Newton iterations `α ← α − φ'(α)/φ''(α)` on `φ(α) = f(x + αp)`, where
/// `φ'(α) = ∇f(x+αp)ᵀp` and `φ''(α) = pᵀ∇²f(x+αp)p` come from one Hessian-vector product.
///
/// On a quadratic `f = ½xᵀAx − bᵀx` the first step `α = −gᵀp / pᵀAp` is the exact minimizer,
/// which is what the finite-termination theorems for BFGS and DFP assume. Succeeds when
/// `|φ'(α)| ≤ tolerance · |φ'(0)|` or the Newton correction is below round-off; fails on
/// `φ'' ≤ 0` (no minimizer along the ray that this model can find).
///
/// ```
/// use curvature_optim::line_search::Exact;
/// // φ(α) = 2(α − 0.25)², so φ' = 4(α − 0.25), φ'' = 4: one Newton step lands on 0.25.
/// let r = Exact::new().search(|a| (2.0 * (a - 0.25f64).powi(2), 4.0 * (a - 0.25), 4.0));
/// assert_eq!(r.alpha, 0.25);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Exact {
    /// Relative slope tolerance (default 1e-10).
    pub tolerance: f64,
    /// Newton iterations allowed (default 20).
    pub max_iterations: usize,
}

impl Default for Exact {
    fn default() -> Self {
        Exact {
            tolerance: 1e-10,
            max_iterations: 20,
        }
    }
}

impl Exact {
    /// Defaults: tolerance 1e-10, 20 iterations.
    pub fn new() -> Self {
        Self::default()
    }

    /// Minimizes φ given `phi(α) = (φ(α), φ'(α), φ''(α))`; evaluates α = 0 first.
    pub fn search(&self, mut phi: impl FnMut(f64) -> (f64, f64, f64)) -> LineSearchResult {
        match self.try_search(|a| Ok::<_, Infallible>(phi(a))) {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }

    pub(crate) fn try_search<E>(
        &self,
        mut phi: impl FnMut(f64) -> Result<(f64, f64, f64), E>,
    ) -> Result<LineSearchResult, E> {
        let (phi0, dphi0, mut curvature) = phi(0.0)?;
        if !(dphi0 < 0.0) {
            return Ok(LineSearchResult::failed(
                LineSearchFailure::NotDescent,
                phi0,
                None,
                1,
            ));
        }
        let mut alpha = 0.0;
        let mut slope = dphi0;
        let mut best: Option<(f64, f64, Option<f64>)> = None;
        for trial in 2..=self.max_iterations + 1 {
            if !(curvature > 0.0) {
                return Ok(LineSearchResult::failed(
                    LineSearchFailure::NonPositiveCurvature,
                    phi0,
                    best,
                    trial - 1,
                ));
            }
            let correction = -slope / curvature;
            alpha += correction;
            let (value, new_slope, new_curvature) = phi(alpha)?;
            if value.is_finite() && value < best.map_or(phi0, |b| b.1) {
                best = Some((alpha, value, Some(new_slope)));
            }
            (slope, curvature) = (new_slope, new_curvature);
            let settled = correction.abs() <= 4.0 * f64::EPSILON * alpha.abs();
            if value.is_finite()
                && value <= phi0
                && (slope.abs() <= self.tolerance * dphi0.abs() || settled)
            {
                return Ok(LineSearchResult {
                    alpha,
                    value,
                    slope: Some(slope),
                    trials: trial,
                    status: Ok(()),
                });
            }
        }
        Ok(LineSearchResult::failed(
            LineSearchFailure::MaxTrials,
            phi0,
            best,
            self.max_iterations + 1,
        ))
    }
}
