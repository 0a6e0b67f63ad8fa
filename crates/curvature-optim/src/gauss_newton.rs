//! Gauss–Newton with a backtracking line search, for nonlinear least squares.

use std::time::Instant;

use crate::error::Error;
use crate::fit::{gradient_norm, Final, Fit, History};
use crate::line_search::{Backtracking, LineSearchFailure};
use crate::objective::Halt;
use crate::qr::{gauss_newton_step, norm};
use crate::residuals::{check_jacobian, ResidualProblem, Residuals};
use crate::solution::Termination;
use crate::Matrix;

/// Gauss–Newton for `min_x f(x) = ½‖r(x)‖²` with a backtracking (Armijo) line search.
///
/// Each iteration linearizes `r(x + p) ≈ r + J p` and takes the Gauss–Newton direction
///
/// ```text
/// p = −J⁺ r = argmin_p ‖J p + r‖    (pivoted QR of J; dependent columns get pᵢ = 0),
/// ```
///
/// a descent direction for f since `∇fᵀp = (Jᵀr)ᵀp = −‖J p‖² ≤ 0`, then
/// `x ← x + α p` with α from [`Backtracking`] (α₀ = 1, `f(x + αp) ≤ f(x) + c₁ α ∇fᵀp`).
/// Near a zero-residual solution it converges quadratically, on large residuals linearly
/// (or not at all: then prefer [`LeastSquares`](crate::LeastSquares), whose trust region
/// also handles rank-deficient or badly scaled Jacobians far from the solution).
///
/// Stops with [`Termination::GradientTolerance`] when
/// `maxⱼ |J[:, j]ᵀ r| / (‖J[:, j]‖ ‖r‖) ≤ gtol` (or r = 0), [`Termination::FunctionTolerance`]
/// when an accepted step reduced `‖r‖²` by at most the relative `ftol` and the linear model
/// predicts no more (`‖J p‖² ≤ ftol ‖r‖²`),
/// [`Termination::StepTolerance`] when `‖α p‖ ≤ xtol (‖x‖ + xtol)`,
/// [`Termination::LineSearchFailed`] when no step length decreases f (the best point seen is
/// kept), [`Termination::NonFinite`] naming the entry for NaN/∞ in J at a later iterate, and
/// the iteration and evaluation limits. NaN/∞ in r(x0) or J(x0) is an
/// [`Error::NonFiniteAtStart`] naming the residual (and variable).
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::GaussNewton;
///
/// // Rosenbrock as residuals: r = (1 − x, 10 (y − x²)); zero residual at (1, 1).
/// let r = |x: &[Var]| vec![1.0 - x[0], 10.0 * (x[1] - x[0] * x[0])];
/// let fit = GaussNewton::new().minimize(r, &[-1.2, 1.0]).unwrap();
/// assert!(fit.converged());
/// assert!((fit.x[0] - 1.0).abs() < 1e-12 && (fit.x[1] - 1.0).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GaussNewton {
    ftol: f64,
    xtol: f64,
    gtol: f64,
    max_iterations: usize,
    max_evaluations: usize,
    line_search: Backtracking,
    history: bool,
}

impl Default for GaussNewton {
    fn default() -> Self {
        GaussNewton {
            ftol: 1e-12,
            xtol: 1e-12,
            gtol: 1e-14,
            max_iterations: 200,
            max_evaluations: 2000,
            line_search: Backtracking::new(),
            history: false,
        }
    }
}

impl GaussNewton {
    /// Defaults: ftol = xtol = 1e-12, gtol = 1e-14, 200 iterations, 2000 evaluations, Armijo
    /// backtracking with c₁ = 1e-4.
    pub fn new() -> Self {
        Self::default()
    }

    /// Relative reduction tolerance on `‖r‖²` (≥ 0).
    pub fn ftol(mut self, tol: f64) -> Self {
        self.ftol = tol;
        self
    }

    /// Step tolerance: stop when `‖α p‖ ≤ xtol (‖x‖ + xtol)` (≥ 0).
    pub fn xtol(mut self, tol: f64) -> Self {
        self.xtol = tol;
        self
    }

    /// Orthogonality tolerance between r and the columns of J (≥ 0).
    pub fn gtol(mut self, tol: f64) -> Self {
        self.gtol = tol;
        self
    }

    /// Iteration limit.
    pub fn max_iterations(mut self, n: usize) -> Self {
        self.max_iterations = n;
        self
    }

    /// Limit on residual plus Jacobian evaluations after the start point.
    pub fn max_evaluations(mut self, n: usize) -> Self {
        self.max_evaluations = n;
        self
    }

    /// The line search (default `Backtracking::new()`).
    pub fn line_search(mut self, search: Backtracking) -> Self {
        self.line_search = search;
        self
    }

    /// Record the per-iteration history in [`Solution::history`](crate::Solution::history):
    /// row 0 is the start, then one row per accepted step (with its α).
    pub fn history(mut self, on: bool) -> Self {
        self.history = on;
        self
    }

    fn validate(&self, x0: &[f64]) -> Result<(), Error> {
        if x0.is_empty() {
            return Err(Error::EmptyStart);
        }
        if let Some(index) = x0.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFiniteStart {
                index,
                value: x0[index],
            });
        }
        for (name, v) in [
            ("ftol", self.ftol),
            ("xtol", self.xtol),
            ("gtol", self.gtol),
        ] {
            if !(v >= 0.0) {
                return Err(Error::InvalidOption(format!("{name} must be ≥ 0, got {v}")));
            }
        }
        let c1 = self.line_search.c1;
        if !(c1 > 0.0 && c1 < 1.0) {
            return Err(Error::InvalidOption(format!(
                "line search c1 must be in (0, 1), got {c1}"
            )));
        }
        Ok(())
    }

    /// Minimizes `½‖r(x)‖²` from `x0`; `r` is a closure `Fn(&[Var]) -> Vec<Var>` or any
    /// [`Residuals`].
    ///
    /// # Errors
    /// An empty or non-finite `x0`, an invalid option, or residuals whose length changes
    /// between calls (or a Jacobian of the wrong shape): [`Error`].
    pub fn minimize<R: Residuals>(&self, r: R, x0: &[f64]) -> Result<Fit, Error> {
        self.validate(x0)?;
        let mut problem = ResidualProblem::new(r, x0.len(), self.max_evaluations);
        let clock = Instant::now();
        let r0 = problem.start(x0)?;
        let mut history = History::new(self.history);
        history.push(0, x0, norm(&r0), None, 0.0, 0.0, None, true);
        let mut state = State {
            x: x0.to_vec(),
            r: r0,
            jacobian: None,
            iterations: 0,
            history,
        };
        let termination = match self.iterate(&mut problem, &mut state) {
            Ok(t) => t,
            Err(Halt::Budget) => Termination::MaxEvaluations,
            Err(Halt::Fault(e)) => return Err(e),
        };
        if state.jacobian.is_none() {
            problem.lift_budget();
            match problem.jacobian(&state.x) {
                Ok((_, j)) => state.jacobian = Some(j),
                Err(Halt::Fault(e)) => return Err(e),
                Err(Halt::Budget) => unreachable!("the budget is lifted"),
            }
        }
        let jacobian = state
            .jacobian
            .filter(|j| j.as_slice().iter().all(|v| v.is_finite()));
        Ok(Final {
            x: state.x,
            r: state.r,
            jacobian,
            iterations: state.iterations,
            evaluations: problem.evaluations,
            termination,
            history: state.history,
            method: "Gauss-Newton (least squares)",
            elapsed: clock.elapsed(),
        }
        .into_fit())
    }

    fn iterate<R: Residuals>(
        &self,
        problem: &mut ResidualProblem<R>,
        s: &mut State,
    ) -> Result<Termination, Halt> {
        loop {
            let (_, j) = problem.jacobian(&s.x)?;
            if let Some(stop) = check_jacobian(&j, s.iterations == 0)? {
                s.jacobian = Some(j);
                return Ok(stop);
            }
            let fnorm = norm(&s.r);
            s.history.gradient(gradient_norm(&j, &s.r));
            if fnorm == 0.0 || orthogonality(&j, &s.r) <= self.gtol {
                s.jacobian = Some(j);
                return Ok(Termination::GradientTolerance);
            }
            if s.iterations >= self.max_iterations {
                s.jacobian = Some(j);
                return Ok(Termination::MaxIterations);
            }
            s.iterations += 1;
            let p = gauss_newton_step(&j, &s.r, false).expect("J and r are finite");
            // φ(α) = ½‖r(x + αp)‖², φ'(0) = (Jᵀr)ᵀp.
            let jtr: Vec<f64> = (0..p.len())
                .map(|c| (0..j.nrows()).map(|i| j[(i, c)] * s.r[i]).sum())
                .collect();
            let dphi0: f64 = jtr.iter().zip(&p).map(|(g, p)| g * p).sum();
            s.jacobian = Some(j);
            let phi0 = 0.5 * fnorm * fnorm;
            if !(dphi0 < 0.0) {
                // No descent left in the linear model: r is orthogonal to J's range.
                return Ok(Termination::GradientTolerance);
            }
            let mut trials: Vec<(f64, Vec<f64>)> = Vec::new();
            let mut halt = None;
            let result = self.line_search.search(
                |alpha| {
                    if halt.is_some() {
                        return f64::NAN;
                    }
                    let trial: Vec<f64> = s.x.iter().zip(&p).map(|(x, p)| x + alpha * p).collect();
                    match problem.residuals(&trial) {
                        Ok(r) => {
                            let n = norm(&r);
                            trials.push((alpha, r));
                            0.5 * n * n
                        }
                        Err(h) => {
                            halt = Some(h);
                            f64::NAN
                        }
                    }
                },
                phi0,
                dphi0,
                1.0,
            );
            if let Some(h) = halt {
                return Err(h);
            }
            // The relative reduction of ‖r‖² the linear model predicts for the full step:
            // ‖J p‖² / ‖r‖² = −φ'(0) / 2φ(0).
            let predicted = -dphi0 / (2.0 * phi0);
            if !(result.alpha > 0.0 && result.value < phi0) {
                // No step length lowers f. At round-off level (a "successful" search whose
                // Armijo bound rounded to φ(0)) if the model predicts no more than ftol or the
                // full step is below √ε relative (noise in r moves p by about that much);
                // otherwise a stall.
                let small = SQRT_EPS * (norm(&s.x) + SQRT_EPS);
                return Ok(match result.status {
                    Ok(()) if predicted <= self.ftol => Termination::FunctionTolerance,
                    Ok(()) if norm(&p) <= small => Termination::StepTolerance,
                    Ok(()) => Termination::LineSearchFailed(LineSearchFailure::IntervalTooSmall),
                    Err(failure) => Termination::LineSearchFailed(failure),
                });
            }
            let r = trials
                .into_iter()
                .rev()
                .find(|(a, _)| *a == result.alpha)
                .map(|(_, r)| r)
                .expect("the line search evaluated its answer");
            let step: Vec<f64> = p.iter().map(|p| result.alpha * p).collect();
            for (x, d) in s.x.iter_mut().zip(&step) {
                *x += d;
            }
            s.history.push(
                s.iterations,
                &s.x,
                norm(&r),
                None,
                norm(&step),
                result.alpha,
                None,
                true,
            );
            s.r = r;
            s.jacobian = None;
            // Converged only if the model, too, predicts no more than ftol: a tiny actual
            // reduction from a heavily backtracked step is a stall, not convergence.
            if (phi0 - result.value) / phi0 <= self.ftol && predicted <= self.ftol {
                return Ok(Termination::FunctionTolerance);
            }
            if norm(&step) <= self.xtol * (norm(&s.x) + self.xtol) {
                return Ok(Termination::StepTolerance);
            }
            if let Err(failure) = result.status {
                return Ok(Termination::LineSearchFailed(failure));
            }
        }
    }
}

/// √ε: the relative size below which a Gauss–Newton step is indistinguishable from the
/// rounding noise of the residuals.
const SQRT_EPS: f64 = 1.4901161193847656e-8;

struct State {
    x: Vec<f64>,
    r: Vec<f64>,
    jacobian: Option<Matrix>,
    iterations: usize,
    history: History,
}

/// `maxⱼ |J[:, j]ᵀ r| / (‖J[:, j]‖ ‖r‖)` over the nonzero columns: the cosine of the largest
/// angle between r and a column of J (0 at a stationary point of ½‖r‖²).
fn orthogonality(j: &Matrix, r: &[f64]) -> f64 {
    let fnorm = norm(r);
    (0..j.ncols())
        .map(|c| {
            let col: Vec<f64> = (0..j.nrows()).map(|i| j[(i, c)]).collect();
            let cn = norm(&col);
            if cn == 0.0 {
                0.0
            } else {
                let dot: f64 = col.iter().zip(r).map(|(a, b)| a * b).sum();
                (dot / fnorm / cn).abs()
            }
        })
        .fold(0.0, f64::max)
}
