//! Trust-region Levenberg–Marquardt for nonlinear least squares (Moré 1978; MINPACK `lmder`).

use std::time::Instant;

use crate::bounds::{Bounds, Feasible};
use crate::error::Error;
use crate::fit::{gradient_norm, Final, Fit, History};
use crate::lm_parameter::{lm_parameter, DampedSolve, NormalEquations, QrSolve};
use crate::non_finite::NonFiniteEntry;
use crate::objective::Halt;
use crate::qr::{column_major, gauss_newton_step, norm, PivotedQr};
use crate::reduce::max_norm;
use crate::residuals::{check_jacobian, residual_fault, ResidualProblem, Residuals};
use crate::solution::Termination;
use crate::Matrix;

/// How [`LeastSquares`] solves the damped step `(JᵀJ + λD²) p = −Jᵀr`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepSolver {
    /// Pivoted Householder QR of J, then Givens rotations for `[R; √λ D]` (MINPACK's
    /// `qrfac` + `qrsolv`): JᵀJ is never formed, so the step is as accurate as J allows.
    /// The default.
    Qr,
    /// Cholesky factorization of `JᵀJ + λD²`: cheaper, but it squares J's condition number.
    /// Kept for comparison: on the NIST StRD problems both reach the same accuracy, but on an
    /// ill-conditioned polynomial fit (degree 14, monomial basis) QR finds the coefficients to
    /// 3e-6 while this variant stalls at 9e-2 (see the README's NIST section).
    ///
    /// ```
    /// use curvature_ad::Var;
    /// use curvature_optim::{LeastSquares, StepSolver};
    /// let r = |x: &[Var]| vec![x[0] - 1.0, 10.0 * (x[1] - x[0] * x[0])];
    /// let fit = LeastSquares::new()
    ///     .step_solver(StepSolver::NormalEquations)
    ///     .minimize(r, &[-1.2, 1.0])
    ///     .unwrap();
    /// assert!(fit.converged() && (fit.x[1] - 1.0).abs() < 1e-10);
    /// ```
    NormalEquations,
}

/// Levenberg–Marquardt with a trust region for `min_x ½‖r(x)‖²`, of MINPACK quality.
///
/// Each iteration, with J the Jacobian at x and `D = diag(d)` the column scaling
/// (`dⱼ = max over iterations of ‖J[:, j]‖`, so the method is invariant to rescaling the
/// parameters), the step `p` solves
///
/// ```text
/// min ‖J p + r‖²   subject to   ‖D p‖ ≤ Δ,
/// ```
///
/// whose solution is `p(λ) = −(JᵀJ + λD²)⁻¹ Jᵀr` with λ = 0 if the Gauss–Newton step fits,
/// otherwise λ > 0 with `‖D p(λ)‖ ≈ Δ` (found by Moré's safeguarded Newton iteration on the
/// secular equation). The step is computed from the pivoted QR of J and Givens rotations of
/// `[R; √λ D]` ([`StepSolver::Qr`]), never from JᵀJ. With
/// `ρ = (‖r‖² − ‖r(x + p)‖²) / (‖r‖² − ‖r + J p‖²)` (actual over predicted reduction):
///
/// * `ρ ≤ ¼`: shrink Δ (by ½, or by the minimizer of a quadratic fit along p, within
///   `[0.1, 0.5]`);
/// * `ρ ≥ ¾` or λ = 0: Δ ← 2‖D p‖;
/// * `ρ ≥ 10⁻⁴`: accept x ← x + p.
///
/// The run stops with
///
/// * [`Termination::FunctionTolerance`] when both the actual and the predicted relative
///   reductions of `‖r‖²` are at most `ftol` (and ρ ≤ 2);
/// * [`Termination::StepTolerance`] when `Δ ≤ xtol ‖D x‖` (the relative step is tiny);
/// * [`Termination::GradientTolerance`] when r is orthogonal to every column of J:
///   `maxⱼ |J[:, j]ᵀ r| / (‖J[:, j]‖ ‖r‖) ≤ gtol` (also when r = 0 exactly);
/// * the same three when the tolerance is below what round-off allows (`ε` instead of
///   ftol, xtol, gtol): no further reduction is possible;
/// * [`Termination::MaxIterations`], [`Termination::MaxEvaluations`];
/// * [`Termination::NonFinite`] naming the entry when J(x) contains NaN or ±∞ at a later
///   iterate (trial points where r is non-finite are rejected and Δ shrinks; if that goes
///   on until the trust region vanishes, the run also ends with `NonFinite`, naming the last
///   such residual).
///
/// A NaN or ±∞ residual or Jacobian entry at x0 is an [`Error::NonFiniteAtStart`] naming the
/// residual (and variable).
///
/// After a converged stop, undamped Gauss–Newton steps polish the last digits (see
/// [`LeastSquares::polish`]); the termination reason stays the trust region's.
///
/// It always returns the best point found and its [`Fit`] statistics (covariance and
/// standard errors from one extra Jacobian at the solution when needed). Fewer residuals
/// than parameters (m < n) are allowed: the result is then one least-squares point of an
/// underdetermined problem (no covariance).
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::LeastSquares;
/// use num_traits::Float;
///
/// // Fit y = a·(1 − e^{−b t}) to exact data from a = 2, b = 0.5.
/// let t = [1.0, 2.0, 3.0, 5.0, 8.0];
/// let y: Vec<f64> = t.iter().map(|t| 2.0 * (1.0 - (-0.5 * t).exp())).collect();
/// let model = |p: &[Var]| -> Vec<Var> {
///     t.iter().zip(&y).map(|(&t, &y)| p[0] * (1.0 - (-p[1] * t).exp()) - y).collect()
/// };
/// let fit = LeastSquares::new().ftol(1e-15).xtol(1e-15).minimize(model, &[1.0, 1.0]).unwrap();
/// assert!(fit.converged());
/// assert!((fit.x[0] - 2.0).abs() < 1e-12 && (fit.x[1] - 0.5).abs() < 1e-12);
/// assert!(fit.rss < 1e-25);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LeastSquares {
    ftol: f64,
    xtol: f64,
    gtol: f64,
    max_iterations: usize,
    max_evaluations: usize,
    factor: f64,
    scaling: bool,
    solver: StepSolver,
    polish: bool,
    history: bool,
    bounds: Option<Bounds>,
}

impl Default for LeastSquares {
    fn default() -> Self {
        LeastSquares {
            ftol: 1e-12,
            xtol: 1e-12,
            gtol: 1e-14,
            max_iterations: 1000,
            max_evaluations: 2000,
            factor: 100.0,
            scaling: true,
            solver: StepSolver::Qr,
            polish: true,
            history: false,
            bounds: None,
        }
    }
}

impl LeastSquares {
    /// Defaults: ftol = xtol = 1e-12, gtol = 1e-14, 1000 iterations, 2000 evaluations,
    /// initial radius factor 100, column scaling on, QR step.
    pub fn new() -> Self {
        Self::default()
    }

    /// Relative-reduction tolerance on `‖r‖²` (≥ 0).
    pub fn ftol(mut self, tol: f64) -> Self {
        self.ftol = tol;
        self
    }

    /// Relative step tolerance: stop when `Δ ≤ xtol ‖D x‖` (≥ 0).
    pub fn xtol(mut self, tol: f64) -> Self {
        self.xtol = tol;
        self
    }

    /// Orthogonality tolerance between r and the columns of J (≥ 0).
    pub fn gtol(mut self, tol: f64) -> Self {
        self.gtol = tol;
        self
    }

    /// Limit on steps tried (accepted or not).
    pub fn max_iterations(mut self, n: usize) -> Self {
        self.max_iterations = n;
        self
    }

    /// Limit on residual plus Jacobian evaluations after the start point.
    pub fn max_evaluations(mut self, n: usize) -> Self {
        self.max_evaluations = n;
        self
    }

    /// The initial trust radius is `factor · ‖D x0‖` (or `factor` if that is 0); MINPACK's
    /// default 100. Smaller values make the first steps more cautious.
    pub fn initial_step_bound(mut self, factor: f64) -> Self {
        self.factor = factor;
        self
    }

    /// Column scaling D from the Jacobian's column norms (default `true`); `false` uses
    /// D = I, a trust region in the raw parameters.
    pub fn scaling(mut self, on: bool) -> Self {
        self.scaling = on;
        self
    }

    /// How the damped step is solved (default [`StepSolver::Qr`]).
    pub fn step_solver(mut self, solver: StepSolver) -> Self {
        self.solver = solver;
        self
    }

    /// After convergence, take undamped Gauss–Newton steps while they keep reducing `‖r‖`
    /// and shrinking (default `true`): the trust-region tests stop once the predicted
    /// relative reduction of `‖r‖²` is below ftol, which for large residuals leaves the
    /// parameters accurate to only about `√ftol`; the polish takes them to round-off.
    pub fn polish(mut self, on: bool) -> Self {
        self.polish = on;
        self
    }

    /// Record the per-iteration history in [`Solution::history`](crate::Solution::history):
    /// row 0 is the start; then one row per step tried (`damping` = λ, `alpha` 1 or 0 for
    /// accepted or rejected) and per polish step (λ = 0).
    pub fn history(mut self, on: bool) -> Self {
        self.history = on;
        self
    }

    /// Bounds `l ≤ x ≤ u` on the parameters: projected Levenberg–Marquardt.
    ///
    /// The start is projected onto the box. At each Jacobian, a parameter on a bound whose
    /// gradient component `(Jᵀr)ⱼ` pushes it outwards is held there: its column of J is
    /// dropped for that iteration, so the trust-region step, the scaling and the
    /// orthogonality test see only the free parameters. The trial point is the projection
    /// `P(x + p)` of the damped step; when the projection clips it, the predicted reduction
    /// is that of the clipped step s, `‖r‖² − ‖r + J s‖²` (the step is rejected if that is not
    /// positive), so the acceptance and radius rules stay MINPACK's. Small enough radii give
    /// unclipped steps, so the method cannot stall on the boundary.
    ///
    /// The [`Fit`] lists the parameters that end on a bound (`fit.bounds`, see
    /// [`Fit::at_bounds`]); their standard errors are not meaningful. Polishing
    /// ([`polish`](Self::polish)) runs only when no parameter is on a bound, and stops at
    /// the first Gauss–Newton step that would leave the box.
    ///
    /// ```
    /// use curvature_ad::Var;
    /// use curvature_optim::{Bounds, LeastSquares};
    /// use num_traits::Float;
    /// // Decay y = a e^{−k t} with noisy data that favour a slightly negative rate k; the
    /// // physical bound k ≥ 0 holds it at 0, where the best a is the mean of y.
    /// let (t, y) = ([0.0, 1.0, 2.0, 3.0], [1.0, 1.1, 0.9, 1.2]);
    /// let r = |p: &[Var]| -> Vec<Var> { (0..4).map(|i| p[0] * (-p[1] * t[i]).exp() - y[i]).collect() };
    /// let bounds = Bounds::new(vec![f64::NEG_INFINITY, 0.0], vec![f64::INFINITY; 2]).unwrap();
    /// let fit = LeastSquares::new().bounds(bounds).minimize(r, &[2.0, 1.0]).unwrap();
    /// assert!(fit.converged());
    /// assert_eq!(fit.x[1], 0.0);
    /// assert!((fit.x[0] - 1.05).abs() < 1e-10);
    /// assert_eq!(fit.at_bounds(), vec![1]);
    /// ```
    pub fn bounds(mut self, bounds: Bounds) -> Self {
        self.bounds = Some(bounds);
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
        if !(self.factor > 0.0 && self.factor.is_finite()) {
            return Err(Error::InvalidOption(format!(
                "initial_step_bound must be finite and > 0, got {}",
                self.factor
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
        let clock = Instant::now();
        self.validate(x0)?;
        let mut feasible = self.bounds.clone().map(|b| Feasible::new(Some(b)));
        let x0 = match &mut feasible {
            Some(feasible) => feasible.enter(x0.to_vec())?,
            None => x0.to_vec(),
        };
        let mut problem = ResidualProblem::new(r, x0.len(), self.max_evaluations);
        let run = Run::new(self, &mut problem, &x0)?;
        let mut end = run.finish(&mut problem)?;
        end.elapsed = clock.elapsed();
        let mut fit = end.into_fit();
        if let Some(feasible) = feasible {
            fit.solution.bounds = Some(feasible.report(&fit.solution.x, &fit.solution.gradient));
        }
        Ok(fit)
    }
}

/// The state of one run.
struct Run<'a> {
    options: &'a LeastSquares,
    x: Vec<f64>,
    r: Vec<f64>,
    fnorm: f64,
    /// J at x (row-major), when current.
    jacobian: Option<Matrix>,
    iterations: usize,
    termination: Option<Termination>,
    history: History,
}

impl<'a> Run<'a> {
    fn new<R: Residuals>(
        options: &'a LeastSquares,
        problem: &mut ResidualProblem<R>,
        x0: &[f64],
    ) -> Result<Self, Error> {
        let r = problem.start(x0)?;
        let fnorm = norm(&r);
        let mut history = History::new(options.history);
        history.push(0, x0, fnorm, None, 0.0, 0.0, None, true);
        Ok(Run {
            history,
            options,
            x: x0.to_vec(),
            termination: None,
            r,
            fnorm,
            jacobian: None,
            iterations: 0,
        })
    }

    /// Runs the iteration, then evaluates J at the final point if needed.
    fn finish<R: Residuals>(mut self, problem: &mut ResidualProblem<R>) -> Result<Final, Error> {
        if self.termination.is_none() {
            let stop = match self.iterate(problem) {
                Ok(t) => t,
                Err(Halt::Budget) => Termination::MaxEvaluations,
                Err(Halt::Fault(e)) => return Err(e),
            };
            self.termination = Some(stop);
            if self.options.polish && stop.converged() {
                match self.polish(problem) {
                    Ok(()) | Err(Halt::Budget) => {}
                    Err(Halt::Fault(e)) => return Err(e),
                }
            }
        }
        if self.jacobian.is_none() {
            // One Jacobian at the solution for the gradient and covariance, outside the budget.
            problem.lift_budget();
            match problem.jacobian(&self.x) {
                Ok((_, j)) => self.jacobian = Some(j),
                Err(Halt::Fault(e)) => return Err(e),
                Err(Halt::Budget) => unreachable!("the budget is lifted"),
            }
        }
        let jacobian = self
            .jacobian
            .filter(|j| j.as_slice().iter().all(|v| v.is_finite()));
        Ok(Final {
            x: self.x,
            r: self.r,
            jacobian,
            iterations: self.iterations,
            evaluations: problem.evaluations,
            termination: self.termination.expect("set above"),
            history: self.history,
            method: "Levenberg-Marquardt (least squares)",
            elapsed: Default::default(),
        })
    }

    /// Gauss–Newton steps `p = −J⁺r` (pivoted QR — or the normal equations if so chosen — no
    /// damping) from the converged point, to
    /// take the last digits the trust-region tests leave (at most 100).
    ///
    /// Near round-off, `‖r‖` cannot rank two points (its rounding noise is larger than the
    /// decrease a tiny step achieves), so a step is judged by the Gauss–Newton contraction
    /// instead: `x + p` is accepted if `‖r‖` did not grow by more than a relative 1e-8 and
    /// the next step is shorter by 10 % or more (or if `‖r‖` strictly decreased); polishing
    /// stops at the first step that does not contract — the noise floor. Gauss–Newton
    /// converges only linearly on large-residual problems (rates near 0.65 on ENSO, MGH09
    /// and Thurber), hence the many steps allowed.
    fn polish<R: Residuals>(&mut self, problem: &mut ResidualProblem<R>) -> Result<(), Halt> {
        let bounds = self.options.bounds.as_ref();
        if bounds.is_some_and(|b| on_a_bound(b, &self.x)) {
            return Ok(());
        }
        let normal = self.options.solver == StepSolver::NormalEquations;
        let j = match self.jacobian.take() {
            Some(j) => j,
            None => problem.jacobian(&self.x)?.1,
        };
        let Some(mut step) = gauss_newton_step(&j, &self.r, normal) else {
            return Ok(());
        };
        self.jacobian = Some(j);
        for _ in 0..100 {
            let size = norm(&step);
            if size <= f64::EPSILON * norm(&self.x) {
                return Ok(());
            }
            let trial: Vec<f64> = self.x.iter().zip(&step).map(|(x, s)| x + s).collect();
            if bounds.is_some_and(|b| !b.contains(&trial) || on_a_bound(b, &trial)) {
                return Ok(());
            }
            let r1 = problem.residuals(&trial)?;
            let fnorm1 = norm(&r1);
            if !(fnorm1 <= self.fnorm * (1.0 + 1e-8)) {
                return Ok(());
            }
            let (_, j1) = problem.jacobian(&trial)?;
            let next = gauss_newton_step(&j1, &r1, normal);
            let contracting = next.as_ref().is_some_and(|p| norm(p) < 0.9 * size);
            if fnorm1 < self.fnorm || contracting {
                self.iterations += 1;
                self.history.push(
                    self.iterations,
                    &trial,
                    fnorm1,
                    Some(gradient_norm(&j1, &r1)),
                    size,
                    1.0,
                    Some(0.0),
                    true,
                );
                self.x = trial;
                self.r = r1;
                self.fnorm = fnorm1;
                self.jacobian = Some(j1);
            }
            match next {
                Some(p) if contracting => step = p,
                _ => return Ok(()),
            }
        }
        Ok(())
    }

    /// MINPACK's `lmder` outer and inner loops.
    fn iterate<R: Residuals>(
        &mut self,
        problem: &mut ResidualProblem<R>,
    ) -> Result<Termination, Halt> {
        let o = self.options;
        let eps = f64::EPSILON;
        let n = self.x.len();
        let mut diag = vec![0.0; n];
        let mut delta = 0.0;
        let mut xnorm = 0.0;
        let mut par = 0.0;
        let mut first = true;
        // Where the last rejected trial's residuals were not finite.
        let mut last_fault = None;
        loop {
            // Outer iteration: the Jacobian at x, its QR, the scaling.
            let (_, j) = problem.jacobian(&self.x)?;
            if let Some(stop) = check_jacobian(&j, self.iterations == 0)? {
                self.jacobian = Some(j);
                return Ok(stop);
            }
            let m = j.nrows();
            let rows = m.max(n);
            let mut a = column_major(&j, rows);
            let mut rp = self.r.clone();
            rp.resize(rows, 0.0);
            self.jacobian = Some(j);
            let held = o
                .bounds
                .as_ref()
                .map(|b| held_at_bounds(b, &self.x, &a, &rp));
            for (c, _) in held.iter().flatten().enumerate().filter(|(_, h)| **h) {
                a[c * rows..(c + 1) * rows].fill(0.0);
            }
            let acnorm: Vec<f64> = (0..n).map(|c| norm(&a[c * rows..(c + 1) * rows])).collect();
            if first {
                for (d, c) in diag.iter_mut().zip(&acnorm) {
                    *d = if !o.scaling || *c == 0.0 { 1.0 } else { *c };
                }
                xnorm = scaled(&diag, &self.x);
                delta = o.factor * xnorm;
                if delta == 0.0 {
                    delta = o.factor;
                }
            }
            // Jᵀr, the scaled gradient and the orthogonality measure.
            let jtr: Vec<f64> = (0..n)
                .map(|c| (0..rows).map(|i| a[i + c * rows] * rp[i]).sum())
                .collect();
            let gradient_inf = max_norm(&jtr);
            self.history.gradient(gradient_inf);
            let mut gnorm: f64 = 0.0;
            if self.fnorm != 0.0 {
                for c in 0..n {
                    if acnorm[c] != 0.0 {
                        gnorm = gnorm.max((jtr[c] / self.fnorm / acnorm[c]).abs());
                    }
                }
            }
            if gnorm <= o.gtol {
                return Ok(Termination::GradientTolerance);
            }
            if o.scaling {
                for (d, c) in diag.iter_mut().zip(&acnorm) {
                    *d = d.max(*c);
                }
            }
            let scaled_gradient_norm = norm(
                &jtr.iter()
                    .zip(&diag)
                    .map(|(g, d)| g / d)
                    .collect::<Vec<f64>>(),
            );
            let mut solver: Box<dyn DampedSolve> = match o.solver {
                StepSolver::Qr => Box::new(QrSolve::new(&PivotedQr::new(a.clone(), rows, n), &rp)),
                StepSolver::NormalEquations => Box::new(NormalEquations::new(&a, rows, n, &rp)),
            };
            // Inner iteration: steps until one is accepted.
            loop {
                if self.iterations >= o.max_iterations {
                    return Ok(Termination::MaxIterations);
                }
                self.iterations += 1;
                let (new_par, step) =
                    lm_parameter(solver.as_mut(), &diag, delta, par, scaled_gradient_norm);
                par = new_par;
                let used = new_par;
                let mut p: Vec<f64> = step.iter().map(|v| -v).collect();
                let mut trial: Vec<f64> = self.x.iter().zip(&p).map(|(x, p)| x + p).collect();
                let mut clipped = false;
                if let (Some(bounds), Some(held)) = (&o.bounds, &held) {
                    (p, trial, clipped) = project_step(bounds, held, &self.x, p);
                }
                let pnorm = scaled(&diag, &p);
                if first {
                    delta = delta.min(pnorm);
                }
                let r1 = problem.residuals(&trial)?;
                let fnorm1 = norm(&r1);
                if !fnorm1.is_finite() {
                    last_fault = Some(residual_fault(&r1));
                }
                // Actual reduction (−1 for a non-finite or much larger ‖r‖).
                let actred = if 0.1 * fnorm1 < self.fnorm {
                    1.0 - (fnorm1 / self.fnorm).powi(2)
                } else {
                    -1.0
                };
                // Predicted reduction and directional derivative from ‖J p‖ and λ‖D p‖².
                let jp: Vec<f64> = (0..rows)
                    .map(|i| (0..n).map(|c| a[i + c * rows] * p[c]).sum())
                    .collect();
                let temp1 = norm(&jp) / self.fnorm;
                let temp2 = par.sqrt() * pnorm / self.fnorm;
                let (prered, dirder) = if clipped {
                    // The clipped step is not the damped minimizer: take its reduction of the
                    // linear model, (‖r‖² − ‖r + J s‖²)/‖r‖², and slope rᵀJ s/‖r‖², directly.
                    let rjs: f64 = rp.iter().zip(&jp).map(|(r, js)| r * js).sum();
                    let f2 = self.fnorm * self.fnorm;
                    (-(2.0 * rjs + temp1 * temp1 * f2) / f2, rjs / f2)
                } else {
                    (
                        temp1 * temp1 + temp2 * temp2 / 0.5,
                        -(temp1 * temp1 + temp2 * temp2),
                    )
                };
                // A clipped step whose model reduction is not positive is rejected outright.
                let usable = if clipped { prered > 0.0 } else { prered != 0.0 };
                let ratio = if usable { actred / prered } else { 0.0 };
                // Radius update.
                if ratio <= 0.25 {
                    let mut temp = if actred >= 0.0 {
                        0.5
                    } else {
                        0.5 * dirder / (dirder + 0.5 * actred)
                    };
                    if !(0.1 * fnorm1 < self.fnorm) || !(temp >= 0.1) {
                        temp = 0.1;
                    }
                    delta = temp * delta.min(pnorm / 0.1);
                    par /= temp;
                } else if par == 0.0 || ratio >= 0.75 {
                    delta = pnorm / 0.5;
                    par *= 0.5;
                }
                let accepted = ratio >= 1e-4;
                if accepted {
                    self.history.push(
                        self.iterations,
                        &trial,
                        fnorm1,
                        None,
                        norm(&p),
                        1.0,
                        Some(used),
                        true,
                    );
                    self.x = trial;
                    self.r = r1;
                    self.fnorm = fnorm1;
                    self.jacobian = None;
                    xnorm = scaled(&diag, &self.x);
                    first = false;
                } else {
                    self.history.push(
                        self.iterations,
                        &self.x,
                        self.fnorm,
                        Some(gradient_inf),
                        0.0,
                        0.0,
                        Some(used),
                        false,
                    );
                }
                // Convergence tests.
                let f_converged = actred.abs() <= o.ftol && prered <= o.ftol && 0.5 * ratio <= 1.0;
                if f_converged {
                    return Ok(Termination::FunctionTolerance);
                }
                if delta <= o.xtol * xnorm {
                    return Ok(if fnorm1.is_finite() || accepted {
                        Termination::StepTolerance
                    } else {
                        Termination::NonFinite(last_fault.unwrap_or(NonFiniteEntry::ResidualNorm))
                    });
                }
                // Tolerances below round-off: nothing more can be gained.
                if actred.abs() <= eps && prered <= eps && 0.5 * ratio <= 1.0 {
                    return Ok(Termination::FunctionTolerance);
                }
                if delta <= eps * xnorm {
                    return Ok(Termination::StepTolerance);
                }
                if gnorm <= eps {
                    return Ok(Termination::GradientTolerance);
                }
                if !delta.is_finite() || delta == 0.0 {
                    return Ok(Termination::NonFinite(
                        last_fault.unwrap_or(NonFiniteEntry::ResidualNorm),
                    ));
                }
                if accepted {
                    break;
                }
            }
        }
    }
}

/// `‖D v‖`.
fn scaled(diag: &[f64], v: &[f64]) -> f64 {
    norm(&v.iter().zip(diag).map(|(v, d)| v * d).collect::<Vec<f64>>())
}

/// Parameters on a bound whose gradient component `(Jᵀr)ⱼ` pushes them out of the box
/// (`a` is J column-major with `r.len()` rows).
fn held_at_bounds(bounds: &Bounds, x: &[f64], a: &[f64], r: &[f64]) -> Vec<bool> {
    let rows = r.len();
    (0..x.len())
        .map(|c| {
            let g: f64 = a[c * rows..(c + 1) * rows]
                .iter()
                .zip(r)
                .map(|(a, r)| a * r)
                .sum();
            (x[c] == bounds.lower()[c] && g > 0.0) || (x[c] == bounds.upper()[c] && g < 0.0)
        })
        .collect()
}

/// The step actually taken from x for the damped step p: held parameters stay, the trial
/// is projected onto the box. Returns the step, the trial point, and whether the projection
/// changed anything.
fn project_step(
    bounds: &Bounds,
    held: &[bool],
    x: &[f64],
    mut p: Vec<f64>,
) -> (Vec<f64>, Vec<f64>, bool) {
    for (pc, _) in p.iter_mut().zip(held).filter(|(_, h)| **h) {
        *pc = 0.0;
    }
    let unprojected: Vec<f64> = x.iter().zip(&p).map(|(x, p)| x + p).collect();
    let trial = bounds.project(&unprojected);
    if trial == unprojected {
        return (p, trial, false);
    }
    let step = trial.iter().zip(x).map(|(t, x)| t - x).collect();
    (step, trial, true)
}

/// Whether some coordinate of x sits on its bound.
fn on_a_bound(bounds: &Bounds, x: &[f64]) -> bool {
    (0..x.len()).any(|i| x[i] == bounds.lower()[i] || x[i] == bounds.upper()[i])
}
