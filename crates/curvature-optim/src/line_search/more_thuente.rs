//! Moré–Thuente line search: the safeguarded cubic/quadratic interpolation of MINPACK-2's
//! `dcsrch` and `dcstep`, the search inside the reference L-BFGS-B.

use std::convert::Infallible;

use super::{infallible, LineSearchFailure, LineSearchResult, WolfeSearch};

/// Moré–Thuente search (Moré & Thuente, "Line search algorithms with guaranteed sufficient
/// decrease", ACM TOMS 20, 1994; MINPACK-2 `dcsrch`).
///
/// Finds α with `φ(α) ≤ φ(0) + c₁ α φ'(0)` and `|φ'(α)| ≤ c₂ |φ'(0)|`. Every trial
/// updates an interval of uncertainty `[stx, sty]` by the rules of `dcstep`: the minimizer of
/// the cubic through the best point and the trial, or of a quadratic when that is closer or
/// safer, kept inside the interval and at most `4 (α − stx)` beyond it while nothing is
/// bracketed; an interval that does not shrink by a third in two trials is bisected. Until
/// a trial has decrease and `φ' ≥ 0`, it works on the auxiliary `ψ(α) = φ(α) − φ(0) − c₁ α φ'(0)`,
/// which is what guarantees a point satisfying both conditions for any `c₁ < c₂`.
///
/// Unlike [`StrongWolfe`](super::StrongWolfe), which bisects whenever the cubic step leaves
/// the middle of its bracket, the step always comes from the interpolants, so steps far from
/// 1 are found in a few trials. The search stops with a failure (the best trial kept) when
/// the interval is below `xtol` relative to its ends, when rounding prevents progress, at
/// `alpha_max` with decrease but a still steep slope, or after `max_trials` (inside a solver
/// also once its trials no longer move x in floating point); a non-finite
/// φ at a trial counts as a step too long and halves back towards the best point.
///
/// ```
/// use curvature_optim::line_search::MoreThuente;
/// // φ(α) = (α − 3)². With c₂ = 0.1, α = 1 (φ' = −4) is too steep; the secant and the
/// // cubic through (0, 9, −6) and (1, 4, −4) both give the minimizer α = 3 exactly, since
/// // they interpolate the quadratic φ itself: two trials.
/// let r = MoreThuente::new()
///     .c2(0.1)
///     .search(|a| ((a - 3.0) * (a - 3.0), 2.0 * (a - 3.0)), 9.0, -6.0, 1.0);
/// assert!(r.status.is_ok());
/// assert_eq!((r.alpha, r.trials), (3.0, 2));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MoreThuente {
    /// Sufficient-decrease constant `c₁` (`ftol`; default 1e-3, as in L-BFGS-B).
    pub c1: f64,
    /// Curvature constant `c₂ ∈ (c₁, 1)` (`gtol`; default 0.9).
    pub c2: f64,
    /// Relative width of the interval of uncertainty below which the search stops
    /// (default 0.1).
    pub xtol: f64,
    /// Smallest step (default 0).
    pub alpha_min: f64,
    /// Largest step (default 1e10).
    pub alpha_max: f64,
    /// Maximum trial evaluations (default 20, L-BFGS-B's limit).
    pub max_trials: usize,
}

impl Default for MoreThuente {
    fn default() -> Self {
        MoreThuente {
            c1: 1e-3,
            c2: 0.9,
            xtol: 0.1,
            alpha_min: 0.0,
            alpha_max: 1e10,
            max_trials: 20,
        }
    }
}

/// A point of the search: step, value, slope.
#[derive(Clone, Copy, Debug)]
struct Point {
    alpha: f64,
    value: f64,
    slope: f64,
}

impl Point {
    /// The point on ψ(α) = φ(α) − α·test, ψ'(α) = φ'(α) − test.
    fn shifted(self, test: f64) -> Point {
        Point {
            alpha: self.alpha,
            value: self.value - self.alpha * test,
            slope: self.slope - test,
        }
    }
}

/// The θ and γ of the cubic interpolating the values and slopes at a and b, as `dcstep`
/// writes them (scaled by s against overflow), with γ's sign set by the order of a and b.
/// `clamp_discriminant` takes a negative discriminant as 0 (the cubic has no minimizer).
fn cubic_step(a: Point, b: Point, clamp_discriminant: bool) -> (f64, f64) {
    let theta = 3.0 * (a.value - b.value) / (b.alpha - a.alpha) + a.slope + b.slope;
    let s = theta.abs().max(a.slope.abs()).max(b.slope.abs());
    let disc = (theta / s).powi(2) - (a.slope / s) * (b.slope / s);
    let mut gamma = s * if clamp_discriminant {
        disc.max(0.0)
    } else {
        disc
    }
    .sqrt();
    if b.alpha < a.alpha {
        gamma = -gamma;
    }
    (theta, gamma)
}

/// `dcstep`: the next trial from the best point x, the other end y and the trial t, and the
/// updated interval. Returns the new step and whether the interval is now bracketed.
fn step(x: &mut Point, y: &mut Point, t: Point, bracketed: &mut bool, lo: f64, hi: f64) -> f64 {
    let sign = t.slope * x.slope.signum();
    let next = if t.value > x.value {
        // Case 1: higher value — the minimizer is bracketed. The cubic step if it is closer
        // to x than the quadratic (value, slope at x; value at t) step, else their midpoint.
        let (theta, gamma) = cubic_step(*x, t, false);
        let p = (gamma - x.slope) + theta;
        let q = ((gamma - x.slope) + gamma) + t.slope;
        let cubic = x.alpha + p / q * (t.alpha - x.alpha);
        let quadratic = x.alpha
            + x.slope / ((x.value - t.value) / (t.alpha - x.alpha) + x.slope) / 2.0
                * (t.alpha - x.alpha);
        *bracketed = true;
        if (cubic - x.alpha).abs() < (quadratic - x.alpha).abs() {
            cubic
        } else {
            cubic + (quadratic - cubic) / 2.0
        }
    } else if sign < 0.0 {
        // Case 2: lower value, slopes of opposite sign — bracketed. The step farther from t
        // of the cubic and the secant.
        let (theta, gamma) = cubic_step(t, *x, false);
        let p = (gamma - t.slope) + theta;
        let q = ((gamma - t.slope) + gamma) + x.slope;
        let cubic = t.alpha + p / q * (x.alpha - t.alpha);
        let secant = t.alpha + t.slope / (t.slope - x.slope) * (x.alpha - t.alpha);
        *bracketed = true;
        if (cubic - t.alpha).abs() > (secant - t.alpha).abs() {
            cubic
        } else {
            secant
        }
    } else if t.slope.abs() < x.slope.abs() {
        // Case 3: lower value, same slope sign, slope decreasing in size. The cubic step only
        // if the cubic tends to infinity in the step's direction (and its minimizer lies
        // beyond t); otherwise the interval's end.
        let (theta, gamma) = cubic_step(t, *x, true);
        let p = (gamma - t.slope) + theta;
        let q = (gamma + (x.slope - t.slope)) + gamma;
        let r = p / q;
        let cubic = if r < 0.0 && gamma != 0.0 {
            t.alpha + r * (x.alpha - t.alpha)
        } else if t.alpha > x.alpha {
            hi
        } else {
            lo
        };
        let secant = t.alpha + t.slope / (t.slope - x.slope) * (x.alpha - t.alpha);
        if *bracketed {
            // Closer of the two to t, but no more than 66 % of the way to y.
            let s = if (cubic - t.alpha).abs() < (secant - t.alpha).abs() {
                cubic
            } else {
                secant
            };
            let limit = t.alpha + 0.66 * (y.alpha - t.alpha);
            if t.alpha > x.alpha {
                s.min(limit)
            } else {
                s.max(limit)
            }
        } else {
            let s = if (cubic - t.alpha).abs() > (secant - t.alpha).abs() {
                cubic
            } else {
                secant
            };
            s.min(hi).max(lo)
        }
    } else if *bracketed {
        // Case 4: lower value, same slope sign, slope not decreasing: the cubic through t
        // and y (bisection if y's data are unusable).
        if y.value.is_finite() && y.slope.is_finite() {
            let (theta, gamma) = cubic_step(t, *y, false);
            let p = (gamma - t.slope) + theta;
            let q = ((gamma - t.slope) + gamma) + y.slope;
            t.alpha + p / q * (y.alpha - t.alpha)
        } else {
            t.alpha + 0.5 * (y.alpha - t.alpha)
        }
    } else if t.alpha > x.alpha {
        hi
    } else {
        lo
    };
    // The interval: t replaces y if it is worse than x; else it becomes x, and x moves to y
    // when the slopes changed sign.
    if t.value > x.value {
        *y = t;
    } else {
        if sign < 0.0 {
            *y = *x;
        }
        *x = t;
    }
    next
}

impl MoreThuente {
    /// Defaults: `c₁ = 1e-3`, `c₂ = 0.9`, `xtol = 0.1`, α ∈ [0, 1e10], 20 trials.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `c₁`.
    pub fn c1(mut self, c1: f64) -> Self {
        self.c1 = c1;
        self
    }

    /// Sets `c₂`.
    pub fn c2(mut self, c2: f64) -> Self {
        self.c2 = c2;
        self
    }

    /// Sets the relative interval tolerance `xtol`.
    pub fn xtol(mut self, xtol: f64) -> Self {
        self.xtol = xtol;
        self
    }

    /// Sets the largest step.
    pub fn alpha_max(mut self, alpha_max: f64) -> Self {
        self.alpha_max = alpha_max;
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
}

impl WolfeSearch for MoreThuente {
    /// As [`search`](Self::search), for a `phi` that may be interrupted (evaluation budget).
    ///
    /// `min_width` is the smallest step that still moves x (`ε ‖x‖∞ / ‖p‖∞` inside a
    /// solver): once the bracket or the next trial is below it, the trials would only
    /// re-evaluate x, so the search stops (0 disables the test).
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
        let (min, max) = (self.alpha_min, self.alpha_max);
        let test = self.c1 * dphi0;
        let mut best: Option<(f64, f64, Option<f64>)> = None;
        let origin = Point {
            alpha: 0.0,
            value: phi0,
            slope: dphi0,
        };
        let (mut x, mut y) = (origin, origin);
        let mut bracketed = false;
        let mut stage_one = true;
        let mut width = max - min;
        let mut width_before = 2.0 * width;
        let (mut lo, mut hi) = (0.0, alpha0 + 4.0 * alpha0);
        let mut alpha = alpha0.max(min).min(max);
        let mut trials = 0;
        loop {
            let (value, slope) = phi(alpha)?;
            trials += 1;
            if value.is_finite() && value < best.map_or(phi0, |b| b.1) {
                best = Some((alpha, value, Some(slope)));
            }
            let fail = |reason, best| Ok(LineSearchResult::failed(reason, phi0, best, trials));
            if !value.is_finite() || !slope.is_finite() {
                // Too long: bracket at this step and halve back towards the best point.
                if trials >= self.max_trials {
                    return fail(LineSearchFailure::MaxTrials, best);
                }
                bracketed = true;
                y = Point {
                    alpha,
                    value: f64::INFINITY,
                    slope: f64::NAN,
                };
                hi = alpha.max(x.alpha);
                lo = alpha.min(x.alpha);
                alpha = x.alpha + 0.5 * (alpha - x.alpha);
                continue;
            }
            let t = Point {
                alpha,
                value,
                slope,
            };
            let decrease = value <= phi0 + alpha * test;
            if stage_one && decrease && slope >= 0.0 {
                stage_one = false;
            }
            if decrease && slope.abs() <= -self.c2 * dphi0 {
                return Ok(LineSearchResult::accepted(
                    alpha,
                    value,
                    Some(slope),
                    trials,
                ));
            }
            if bracketed && (alpha <= lo || alpha >= hi) {
                return fail(LineSearchFailure::IntervalTooSmall, best);
            }
            if bracketed && hi - lo <= self.xtol * hi {
                return fail(LineSearchFailure::IntervalTooSmall, best);
            }
            if (alpha == max && decrease && slope <= test)
                || (alpha == min && (!decrease || slope >= test))
                || trials >= self.max_trials
            {
                return fail(LineSearchFailure::MaxTrials, best);
            }
            // Stage one works on ψ while the trial lowered φ below the best point but not
            // enough for sufficient decrease.
            alpha = if stage_one && value <= x.value && !decrease {
                let (mut xs, mut ys) = (x.shifted(test), y.shifted(test));
                let next = step(&mut xs, &mut ys, t.shifted(test), &mut bracketed, lo, hi);
                x = xs.shifted(-test);
                y = ys.shifted(-test);
                next
            } else {
                step(&mut x, &mut y, t, &mut bracketed, lo, hi)
            };
            if bracketed {
                // Bisect when two trials did not shrink the interval by a third.
                if (y.alpha - x.alpha).abs() >= 0.66 * width_before {
                    alpha = x.alpha + 0.5 * (y.alpha - x.alpha);
                }
                width_before = width;
                width = (y.alpha - x.alpha).abs();
                lo = x.alpha.min(y.alpha);
                hi = x.alpha.max(y.alpha);
            } else {
                lo = alpha + 1.1 * (alpha - x.alpha);
                hi = alpha + 4.0 * (alpha - x.alpha);
            }
            alpha = alpha.max(min).min(max);
            // Rounding left no room: return to the best point.
            if bracketed && (alpha <= lo || alpha >= hi || hi - lo <= self.xtol * hi) {
                alpha = x.alpha;
            }
            if bracketed && (hi - lo <= min_width || alpha < min_width) {
                return fail(LineSearchFailure::IntervalTooSmall, best);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test functions of Moré & Thuente (1994), Tables 1–3: the step found and the trials
    /// spent from α₀ = 1e-3, 1e-1, 10, 1000. The expected values are those the paper
    /// tabulates (α rounded there), here to full precision from scipy 1.17's port of MINPACK-2
    /// `dcsrch` (`scipy.optimize._dcsrch.DCSRCH`, same c₁, c₂, xtol, α ∈ [0, 1e10]).
    fn check(
        search: MoreThuente,
        phi: impl Fn(f64) -> (f64, f64),
        expected: [(f64, f64, usize); 4],
    ) {
        let (phi0, dphi0) = phi(0.0);
        for (alpha0, alpha, trials) in expected {
            let r = search.search(&phi, phi0, dphi0, alpha0);
            assert!(r.status.is_ok(), "α₀ = {alpha0}: {:?}", r.status);
            assert!(
                (r.alpha - alpha).abs() <= 1e-9 * alpha,
                "α₀ = {alpha0}: α = {} vs {alpha}",
                r.alpha
            );
            assert_eq!(r.trials, trials, "α₀ = {alpha0}");
            // The strong Wolfe conditions, checked directly.
            let (value, slope) = phi(r.alpha);
            assert!(value <= phi0 + search.c1 * r.alpha * dphi0);
            assert!(slope.abs() <= -search.c2 * dphi0);
        }
    }

    #[test]
    fn more_thuente_table_1() {
        // φ(α) = −α/(α² + β), β = 2; c₁ = 1e-3, c₂ = 0.1.
        let b = 2.0;
        let phi = |a: f64| (-a / (a * a + b), (a * a - b) / (a * a + b).powi(2));
        let search = MoreThuente::new().c1(1e-3).c2(0.1);
        check(
            search,
            phi,
            [
                (1e-3, 1.365, 6),
                (1e-1, 1.4413720790892741, 3),
                (10.0, 10.0, 1),
                (1000.0, 36.88760696396662, 4),
            ],
        );
    }

    #[test]
    fn more_thuente_table_2() {
        // φ(α) = (α + β)⁵ − 2(α + β)⁴, β = 0.004; c₁ = c₂ = 0.1, xtol 1e-10.
        let b = 0.004;
        let phi = |a: f64| {
            let t: f64 = a + b;
            (
                t.powi(5) - 2.0 * t.powi(4),
                5.0 * t.powi(4) - 8.0 * t.powi(3),
            )
        };
        let search = MoreThuente::new().c1(0.1).c2(0.1).xtol(1e-10);
        check(
            search,
            phi,
            [
                (1e-3, 1.596000000186075, 12),
                (1e-1, 1.5960000000049348, 8),
                (10.0, 1.5959999997572032, 8),
                (1000.0, 1.595999998872531, 11),
            ],
        );
    }

    #[test]
    fn more_thuente_table_3() {
        // φ(α) = φ₀(α) + 2(1 − β)/(lπ) sin(lπα/2), l = 39, β = 0.01, with φ₀ the smoothed
        // |1 − α|; c₁ = c₂ = 0.1, xtol 1e-10. Many local minimizers: the search must not
        // stop at the first one it brackets.
        let (l, b) = (39.0, 0.01);
        let pi = std::f64::consts::PI;
        let phi = |a: f64| {
            let (p0, d0) = if a <= 1.0 - b {
                (1.0 - a, -1.0)
            } else if a >= 1.0 + b {
                (a - 1.0, 1.0)
            } else {
                ((a - 1.0).powi(2) / (2.0 * b) + b / 2.0, (a - 1.0) / b)
            };
            (
                p0 + 2.0 * (1.0 - b) / (l * pi) * (l * pi * a / 2.0).sin(),
                d0 + (1.0 - b) * (l * pi * a / 2.0).cos(),
            )
        };
        let search = MoreThuente::new().c1(0.1).c2(0.1).xtol(1e-10);
        check(
            search,
            phi,
            [
                (1e-3, 0.9999996797968318, 12),
                (1e-1, 0.9999988033548208, 12),
                (10.0, 0.9999999876178056, 10),
                (1000.0, 0.9999999017146377, 13),
            ],
        );
    }

    #[test]
    fn non_finite_trials_count_as_too_long() {
        // φ(α) = (α − 1)² for α < 2, NaN beyond: from α₀ = 8 the search halves back into
        // the finite region and then interpolates to the minimizer region.
        let phi = |a: f64| {
            if a < 2.0 {
                ((a - 1.0).powi(2), 2.0 * (a - 1.0))
            } else {
                (f64::NAN, f64::NAN)
            }
        };
        let r = MoreThuente::new().search(phi, 1.0, -2.0, 8.0);
        assert!(r.status.is_ok(), "{:?}", r.status);
        assert!(r.alpha < 2.0 && r.value < 1.0, "{r:?}");
    }

    #[test]
    fn ascent_directions_are_refused() {
        let r = MoreThuente::new().search(|a| (a, 1.0), 0.0, 1.0, 1.0);
        assert_eq!(r.status, Err(LineSearchFailure::NotDescent));
        assert_eq!((r.alpha, r.trials), (0.0, 0));
    }
}
