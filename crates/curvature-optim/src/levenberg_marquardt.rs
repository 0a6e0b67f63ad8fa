//! Levenberg–Marquardt on the Hessian: a damped Newton step accepted only if f decreases.

use crate::driver::{minimize_methods, settings_builders, Method, Outcome, Settings};
use crate::error::Error;
use crate::hessian::Hessian;
use crate::lazy_hessian::LazyHessian;
use crate::linalg::ShiftedCholesky;
use crate::objective::{moved, Halt, Need, Objective, Point, Problem};
use crate::solution::Termination;

/// Which matrix the damping δ multiplies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Damping {
    /// `x' = x − (H + δI)⁻¹ g`: δ → 0 gives Newton, δ → ∞ gives the gradient step `−g/δ`.
    Identity,
    /// `x' = x − (H + δ·diag(d))⁻¹ g` with `dᵢ = max(|Hᵢᵢ|, ε·max(1, maxⱼ|Hⱼⱼ|))`, `ε = 1e-8`:
    /// Marquardt's scale-invariant form, damping each coordinate by its own curvature.
    ///
    /// The lecture's `diag(H)` is used through `|Hᵢᵢ|` and a floor because a zero diagonal
    /// entry would leave that coordinate undamped and a negative one would *subtract* damping,
    /// so `H + δ·diag(H)` could stay indefinite for every δ. With `dᵢ > 0`, `H + δ·diag(d)` is
    /// positive definite for δ large enough, so the δ ← δ·ν loop always ends.
    Diagonal,
}

/// Levenberg–Marquardt with the exact Hessian (not the least-squares variant).
///
/// From x with gradient g and Hessian H, solve `(H + δD) p = −g` (Cholesky; `D = I` or the
/// scaled diagonal, see [`Damping`]). If the matrix is not positive definite, or
/// `f(x + p) ≥ f(x)`, the step is rejected and δ ← δ·ν; otherwise x ← x + p and δ ← δ/ν.
/// Large δ makes short gradient-like steps (safe), small δ makes Newton steps (fast).
/// Every attempt counts as an iteration; the history records the δ each attempt used.
///
/// ```
/// use curvature_optim::{LevenbergMarquardt, Matrix, Objective};
/// // f(x) = x⁴/4 − x²/2 has f'' = 3x² − 1 < 0 at x = 0.1, yet LM descends to x = 1.
/// struct DoubleWell;
/// impl Objective for DoubleWell {
///     fn value(&self, x: &[f64]) -> f64 { x[0].powi(4) / 4.0 - x[0] * x[0] / 2.0 }
///     fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) { (self.value(x), vec![x[0].powi(3) - x[0]]) }
///     fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
///         let (f, g) = self.gradient(x);
///         (f, g, Matrix::from_row_major(1, 1, vec![3.0 * x[0] * x[0] - 1.0]))
///     }
/// }
/// let s = LevenbergMarquardt::new().minimize(DoubleWell, &[0.1]).unwrap();
/// assert!(s.converged() && (s.x[0] - 1.0).abs() < 1e-8);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LevenbergMarquardt {
    settings: Settings,
    damping: Damping,
    initial_damping: f64,
    factor: f64,
    max_damping: f64,
}

impl Default for LevenbergMarquardt {
    fn default() -> Self {
        LevenbergMarquardt {
            settings: Settings::new(1000),
            damping: Damping::Identity,
            initial_damping: 1e-3,
            factor: 10.0,
            max_damping: 1e20,
        }
    }
}

impl LevenbergMarquardt {
    /// Defaults: `H + δI`, δ₀ = 1e-3, ν = 10, δ_max = 1e20, 1000 iterations.
    pub fn new() -> Self {
        Self::default()
    }

    /// Damping form: [`Damping::Identity`] or [`Damping::Diagonal`].
    pub fn damping(mut self, damping: Damping) -> Self {
        self.damping = damping;
        self
    }

    /// Initial δ (> 0).
    pub fn initial_damping(mut self, delta: f64) -> Self {
        self.initial_damping = delta;
        self
    }

    /// Adaptation factor ν (> 1): δ ← δ/ν after a success, δ ← δ·ν after a rejection.
    pub fn factor(mut self, nu: f64) -> Self {
        self.factor = nu;
        self
    }

    /// Stop with `DampingLimit` once δ exceeds this (no decrease is left to find).
    pub fn max_damping(mut self, delta: f64) -> Self {
        self.max_damping = delta;
        self
    }

    settings_builders!();
    minimize_methods!(Objective, &[f64], crate::driver::run);

    fn method(&self) -> Marquardt {
        Marquardt {
            options: self.clone(),
            delta: self.initial_damping,
            cholesky: ShiftedCholesky::default(),
            hessian: LazyHessian::default(),
        }
    }
}

struct Marquardt {
    options: LevenbergMarquardt,
    delta: f64,
    cholesky: ShiftedCholesky,
    hessian: LazyHessian,
}

impl Marquardt {
    fn rejected(&mut self, used: f64) -> Outcome {
        self.delta *= self.options.factor;
        Outcome {
            damping: Some(used),
            ..Outcome::rejected()
        }
    }
}

/// The damping weights `D` (see [`Damping`]).
fn weights(damping: Damping, h: &Hessian) -> Vec<f64> {
    match damping {
        Damping::Identity => vec![1.0; h.dim()],
        Damping::Diagonal => {
            let diagonal: Vec<f64> = h.diagonal().iter().map(|d| d.abs()).collect();
            let floor = 1e-8 * diagonal.iter().fold(1.0f64, |m, d| m.max(*d));
            diagonal.into_iter().map(|d| d.max(floor)).collect()
        }
    }
}

impl Method for Marquardt {
    fn name(&self) -> &'static str {
        "Levenberg-Marquardt"
    }

    fn need(&self) -> Need {
        Need::Hessian
    }

    fn validate(&self) -> Result<(), Error> {
        let o = &self.options;
        if !(o.initial_damping > 0.0 && o.initial_damping.is_finite()) {
            return Err(Error::InvalidOption(format!(
                "initial_damping must be finite and > 0, got {}",
                o.initial_damping
            )));
        }
        if !(o.factor > 1.0 && o.factor.is_finite()) {
            return Err(Error::InvalidOption(format!(
                "factor ν must be finite and > 1, got {}",
                o.factor
            )));
        }
        Ok(())
    }

    fn step<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        at: &Point,
    ) -> Result<Outcome, Halt> {
        if !(self.delta <= self.options.max_damping) {
            return Ok(Outcome::stop(Termination::DampingLimit));
        }
        let h = match self.hessian.at(problem, at)? {
            Ok(h) => h,
            Err(stop) => return Ok(stop),
        };
        let weights = weights(self.options.damping, h);
        let delta = self.delta;
        let rhs: Vec<f64> = at.g.iter().map(|v| -v).collect();
        let factor = self.cholesky.factor(h, |i| delta * weights[i]);
        let Some(p) = factor.and_then(|l| l.solve(&rhs)) else {
            return Ok(self.rejected(delta));
        };
        let trial = moved(&at.x, 1.0, &p);
        // `<` is false for NaN: a non-finite trial is just another rejected step.
        if !(problem.value(&trial)? < at.f) {
            return Ok(self.rejected(delta));
        }
        // Floored so that a long run of successes cannot underflow δ to 0 (then δ·ν = 0).
        self.delta = (self.delta / self.options.factor).max(f64::MIN_POSITIVE);
        let next = problem.point(trial, Need::Gradient)?;
        Ok(Outcome {
            damping: Some(delta),
            ..Outcome::moved(next, 1.0)
        })
    }
}
