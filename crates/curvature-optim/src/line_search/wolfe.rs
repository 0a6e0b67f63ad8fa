//! Strong-Wolfe line search: bracketing, then zoom with cubic interpolation.

use std::convert::Infallible;

use super::interpolation::cubic_minimizer;
use super::{infallible, LineSearchFailure, LineSearchResult, WolfeSearch};

/// Strong-Wolfe search (Nocedal–Wright Algorithms 3.5 and 3.6).
///
/// Returns α with
/// `φ(α) ≤ φ(0) + c₁ α φ'(0)` (sufficient decrease) and `|φ'(α)| ≤ c₂ |φ'(0)|` (strong
/// curvature). Phase 1 doubles α (or multiplies it by [`expansion`](Self::expansion)) until a
/// trial violates sufficient decrease, stops decreasing, or has `φ' ≥ 0` — then `[α_lo, α_hi]` brackets acceptable steps. Phase 2
/// (zoom) shrinks the bracket with the minimizer of the cubic through both ends' values and
/// slopes, safeguarded to the middle 80 % of the bracket (bisection when the cubic fails).
/// Non-finite trial values are treated as "too long".
///
/// ```
/// use curvature_optim::line_search::StrongWolfe;
/// // φ(α) = (α − 2)², φ(0) = 4, φ'(0) = −4. α = 1 satisfies both conditions:
/// // φ(1) = 1 ≤ 4 − 1e-4·4 and |φ'(1)| = 2 ≤ 0.9·4.
/// let r = StrongWolfe::new().search(|a| ((a - 2.0) * (a - 2.0), 2.0 * (a - 2.0)), 4.0, -4.0, 1.0);
/// assert_eq!(r.alpha, 1.0);
/// assert!(r.status.is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StrongWolfe {
    /// Sufficient-decrease constant `c₁` (default 1e-4).
    pub c1: f64,
    /// Curvature constant `c₂ ∈ (c₁, 1)` (default 0.9, the quasi-Newton choice).
    pub c2: f64,
    /// Maximum trial evaluations, both phases together (default 40).
    pub max_trials: usize,
    /// Largest step the bracketing phase may try (default 1e10).
    pub alpha_max: f64,
    /// Factor > 1 by which the bracketing phase grows α (default 2; L-BFGS-B uses 4, the
    /// extrapolation bound of Moré–Thuente's search in the reference code).
    pub expansion: f64,
}

impl Default for StrongWolfe {
    fn default() -> Self {
        StrongWolfe {
            c1: 1e-4,
            c2: 0.9,
            max_trials: 40,
            alpha_max: 1e10,
            expansion: 2.0,
        }
    }
}

/// One evaluated trial: step, value, slope.
#[derive(Clone, Copy)]
struct Trial {
    alpha: f64,
    value: f64,
    slope: f64,
}

impl StrongWolfe {
    /// Defaults: `c₁ = 1e-4`, `c₂ = 0.9`, 40 trials.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `c₁`.
    pub fn c1(mut self, c1: f64) -> Self {
        self.c1 = c1;
        self
    }

    /// Sets `c₂` (0.1 gives a near-exact search, as for nonlinear conjugate gradients).
    pub fn c2(mut self, c2: f64) -> Self {
        self.c2 = c2;
        self
    }

    /// Sets the bracketing phase's growth factor (> 1; default 2).
    pub fn expansion(mut self, factor: f64) -> Self {
        self.expansion = factor;
        self
    }

    /// Sets the trial limit.
    pub fn max_trials(mut self, trials: usize) -> Self {
        self.max_trials = trials;
        self
    }

    /// Searches `phi(α) = (φ(α), φ'(α))` from `alpha0`, given `φ(0)` and `φ'(0)`.
    pub fn search(
        &self,
        mut phi: impl FnMut(f64) -> (f64, f64),
        phi0: f64,
        dphi0: f64,
        alpha0: f64,
    ) -> LineSearchResult {
        infallible(self.try_search(|a| Ok::<_, Infallible>(phi(a)), phi0, dphi0, alpha0, 0.0))
    }

    fn sufficient_decrease(&self, t: Trial, phi0: f64, dphi0: f64) -> bool {
        t.value <= phi0 + self.c1 * t.alpha * dphi0
    }

    fn curvature(&self, t: Trial, dphi0: f64) -> bool {
        t.slope.abs() <= -self.c2 * dphi0
    }
}

impl WolfeSearch for StrongWolfe {
    /// As [`search`](Self::search), for a `phi` that may be interrupted (evaluation budget).
    ///
    /// `min_width` is the smallest bracket width that still moves x: with
    /// `min_width = ε ‖x‖∞ / ‖p‖∞`, steps closer together than that give the same point
    /// `x + αp` in f64, so zooming further only repeats evaluations (0 disables the test).
    fn try_search<E>(
        &self,
        mut phi: impl FnMut(f64) -> Result<(f64, f64), E>,
        phi0: f64,
        dphi0: f64,
        alpha0: f64,
        min_width: f64,
    ) -> Result<LineSearchResult, E> {
        if !(dphi0 < 0.0) {
            return Ok(LineSearchResult::failed(
                LineSearchFailure::NotDescent,
                phi0,
                None,
                0,
            ));
        }
        let mut trials = 0;
        let mut best: Option<(f64, f64, Option<f64>)> = None;
        let mut evaluate = |alpha: f64, trials: &mut usize| -> Result<Trial, E> {
            let (value, slope) = phi(alpha)?;
            *trials += 1;
            let t = Trial {
                alpha,
                value,
                slope,
            };
            if value.is_finite() && value < best.map_or(phi0, |b| b.1) {
                best = Some((alpha, value, Some(slope)));
            }
            Ok(t)
        };
        let accept = |t: Trial, trials: usize| {
            LineSearchResult::accepted(t.alpha, t.value, Some(t.slope), trials)
        };

        // Phase 1: bracketing.
        let origin = Trial {
            alpha: 0.0,
            value: phi0,
            slope: dphi0,
        };
        let mut previous = origin;
        let mut alpha = alpha0;
        let (mut lo, mut hi) = loop {
            if trials >= self.max_trials {
                return Ok(LineSearchResult::failed(
                    LineSearchFailure::MaxTrials,
                    phi0,
                    best,
                    trials,
                ));
            }
            let t = evaluate(alpha, &mut trials)?;
            let first = previous.alpha == 0.0;
            if !t.value.is_finite()
                || !self.sufficient_decrease(t, phi0, dphi0)
                || (!first && t.value >= previous.value)
            {
                break (previous, t);
            }
            if self.curvature(t, dphi0) {
                return Ok(accept(t, trials));
            }
            if t.slope >= 0.0 {
                break (t, previous);
            }
            previous = t;
            alpha = (self.expansion * alpha).min(self.alpha_max);
            if t.alpha >= self.alpha_max {
                return Ok(LineSearchResult::failed(
                    LineSearchFailure::MaxTrials,
                    phi0,
                    best,
                    trials,
                ));
            }
        };

        // Phase 2: zoom. Invariant: lo satisfies sufficient decrease and has the lowest value
        // seen so far among such trials; φ'(lo)·(hi − lo) < 0, so a minimizer lies between.
        loop {
            if trials >= self.max_trials {
                return Ok(LineSearchResult::failed(
                    LineSearchFailure::MaxTrials,
                    phi0,
                    best,
                    trials,
                ));
            }
            let width = hi.alpha - lo.alpha;
            let resolution = f64::EPSILON * lo.alpha.abs().max(hi.alpha.abs());
            if width.abs() <= resolution.max(min_width) {
                return Ok(LineSearchResult::failed(
                    LineSearchFailure::IntervalTooSmall,
                    phi0,
                    best,
                    trials,
                ));
            }
            let (left, right) = (lo.alpha + 0.1 * width, hi.alpha - 0.1 * width);
            let (low_end, high_end) = (left.min(right), left.max(right));
            let alpha = if hi.value.is_finite() {
                cubic_minimizer(lo.alpha, lo.value, lo.slope, hi.alpha, hi.value, hi.slope)
                    .filter(|a| (low_end..=high_end).contains(a))
                    .unwrap_or(lo.alpha + 0.5 * width)
            } else {
                lo.alpha + 0.5 * width
            };
            let t = evaluate(alpha, &mut trials)?;
            if !t.value.is_finite()
                || !self.sufficient_decrease(t, phi0, dphi0)
                || t.value >= lo.value
            {
                hi = t;
            } else {
                if self.curvature(t, dphi0) {
                    return Ok(accept(t, trials));
                }
                if t.slope * (hi.alpha - lo.alpha) >= 0.0 {
                    hi = lo;
                }
                lo = t;
            }
        }
    }
}
