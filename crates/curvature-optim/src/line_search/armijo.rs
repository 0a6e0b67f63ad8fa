//! Backtracking line search with the Armijo (sufficient-decrease) condition.

use std::convert::Infallible;

use super::interpolation::{cubic_backtrack, quadratic_minimizer};
use super::{LineSearchFailure, LineSearchResult};

/// Backtracking Armijo search (Nocedal–Wright §3.5).
///
/// Accepts the first trial with `φ(α) ≤ φ(0) + c₁ α φ'(0)`. After the first failure the next
/// trial minimizes the quadratic through `φ(0), φ'(0), φ(α)`; after that, the cubic through
/// `φ(0), φ'(0)` and the last two trials. Each new α is kept in `[0.1 α, 0.5 α]` so the search
/// neither stalls nor jumps; a non-finite trial value halves α without interpolating.
///
/// ```
/// use curvature_optim::line_search::Backtracking;
/// // φ(α) = (α − 0.3)²: φ(0) = 0.09, φ'(0) = −0.6. α = 1 fails (0.49 > 0.09);
/// // the quadratic model then lands exactly on 0.3.
/// let r = Backtracking::new().search(|a| (a - 0.3) * (a - 0.3), 0.09, -0.6, 1.0);
/// assert!(r.status.is_ok() && (r.alpha - 0.3).abs() < 1e-12);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backtracking {
    /// Sufficient-decrease constant `c₁` (default 1e-4).
    pub c1: f64,
    /// Maximum number of trial steps (default 50: α shrinks by at least half each time).
    pub max_trials: usize,
}

impl Default for Backtracking {
    fn default() -> Self {
        Backtracking {
            c1: 1e-4,
            max_trials: 50,
        }
    }
}

impl Backtracking {
    /// Defaults: `c₁ = 1e-4`, 50 trials.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `c₁ ∈ (0, 1)`.
    pub fn c1(mut self, c1: f64) -> Self {
        self.c1 = c1;
        self
    }

    /// Sets the trial limit.
    pub fn max_trials(mut self, trials: usize) -> Self {
        self.max_trials = trials;
        self
    }

    /// Searches `phi` from `alpha0`, given `φ(0) = phi0` and `φ'(0) = dphi0`.
    pub fn search(
        &self,
        mut phi: impl FnMut(f64) -> f64,
        phi0: f64,
        dphi0: f64,
        alpha0: f64,
    ) -> LineSearchResult {
        match self.try_search(|a| Ok::<f64, Infallible>(phi(a)), phi0, dphi0, alpha0) {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }

    /// As [`search`](Self::search), for a `phi` that may be interrupted (evaluation budget).
    pub(crate) fn try_search<E>(
        &self,
        mut phi: impl FnMut(f64) -> Result<f64, E>,
        phi0: f64,
        dphi0: f64,
        alpha0: f64,
    ) -> Result<LineSearchResult, E> {
        if !(dphi0 < 0.0) {
            return Ok(LineSearchResult::failed(
                LineSearchFailure::NotDescent,
                phi0,
                None,
                0,
            ));
        }
        let mut alpha = alpha0;
        let mut previous: Option<(f64, f64)> = None;
        let mut best: Option<(f64, f64, Option<f64>)> = None;
        for trial in 1..=self.max_trials {
            let value = phi(alpha)?;
            if value < best.map_or(phi0, |b| b.1) {
                best = Some((alpha, value, None));
            }
            if value <= phi0 + self.c1 * alpha * dphi0 {
                return Ok(LineSearchResult {
                    alpha,
                    value,
                    slope: None,
                    trials: trial,
                    status: Ok(()),
                });
            }
            let model = if !value.is_finite() {
                None
            } else {
                match previous {
                    None => quadratic_minimizer(phi0, dphi0, alpha, value),
                    Some((a0, v0)) => cubic_backtrack(phi0, dphi0, a0, v0, alpha, value),
                }
            };
            let next = model.unwrap_or(0.5 * alpha).clamp(0.1 * alpha, 0.5 * alpha);
            previous = value.is_finite().then_some((alpha, value));
            alpha = next;
        }
        Ok(LineSearchResult::failed(
            LineSearchFailure::MaxTrials,
            phi0,
            best,
            self.max_trials,
        ))
    }
}
