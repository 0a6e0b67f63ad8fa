//! The iteration loop every solver shares: validation, stopping tests, limits, non-finite
//! handling, history and the observer. A method only supplies its step.

use std::borrow::Cow;
use std::ops::ControlFlow;
use std::time::Instant;

use crate::bounds::BoundsReport;
use crate::error::Error;
use crate::line_search::{LineSearch, LineSearchResult, WolfeSearch};
use crate::non_finite::{locate_in_derivatives, NonFiniteEntry};
use crate::objective::{moved, Halt, Need, Objective, Point, Problem};
use crate::precision::{at_precision_limit, RELATIVE_F_TOLERANCE, RELATIVE_GRADIENT_TOLERANCE};
use crate::reduce::{dot, max_norm};
use crate::solution::{Iteration, Solution, Termination};

/// Stopping rules common to all solvers (set through each solver's builder methods).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Settings {
    pub max_iterations: usize,
    pub max_evaluations: usize,
    pub gradient_tolerance: f64,
    pub f_tolerance: f64,
    pub step_tolerance: f64,
    pub relative_f_tolerance: f64,
    pub relative_gradient_tolerance: f64,
    pub history: bool,
}

impl Settings {
    pub const fn new(max_iterations: usize) -> Self {
        Settings {
            max_iterations,
            max_evaluations: 100_000,
            gradient_tolerance: 1e-8,
            f_tolerance: 0.0,
            step_tolerance: 0.0,
            relative_f_tolerance: RELATIVE_F_TOLERANCE,
            relative_gradient_tolerance: RELATIVE_GRADIENT_TOLERANCE,
            history: false,
        }
    }

    /// The [`Termination::PrecisionLimit`] test for a move from f = `f_before` to `after`,
    /// whose gradient the method measures stationarity by is `g` ([`Method::first_order`]).
    fn precision_limit(&self, f_before: f64, after: &Point, g: &[f64]) -> bool {
        at_precision_limit(
            self.relative_f_tolerance,
            self.relative_gradient_tolerance,
            f_before,
            after.f,
            &after.x,
            g,
        )
    }

    /// A line search failure becomes [`Termination::PrecisionLimit`] when f was already
    /// flat at its rounding level there.
    fn classify_stop(
        &self,
        stop: Termination,
        f_before: f64,
        at: &Point,
        g: &[f64],
    ) -> Termination {
        match stop {
            Termination::LineSearchFailed(_) | Termination::RadiusCollapsed
                if self.precision_limit(f_before, at, g) =>
            {
                Termination::PrecisionLimit
            }
            other => other,
        }
    }

    fn validate(&self) -> Result<(), Error> {
        for (name, v) in [
            ("gradient_tolerance", self.gradient_tolerance),
            ("f_tolerance", self.f_tolerance),
            ("step_tolerance", self.step_tolerance),
            ("relative_f_tolerance", self.relative_f_tolerance),
            (
                "relative_gradient_tolerance",
                self.relative_gradient_tolerance,
            ),
        ] {
            if !(v >= 0.0) {
                return Err(Error::InvalidOption(format!("{name} must be ≥ 0, got {v}")));
            }
        }
        Ok(())
    }
}

/// Builder methods for [`Settings`], pasted into every solver's `impl` block.
macro_rules! settings_builders {
    () => {
        /// Stop when `‖∇f(x)‖∞ ≤ tol` (default 1e-8).
        pub fn gradient_tolerance(mut self, tol: f64) -> Self {
            self.settings.gradient_tolerance = tol;
            self
        }
        /// Stop when an accepted step changes f by at most `tol · max(|f|, 1)` (default 0:
        /// only a step that leaves f exactly unchanged).
        pub fn f_tolerance(mut self, tol: f64) -> Self {
            self.settings.f_tolerance = tol;
            self
        }
        /// Stop when an accepted step has `‖Δx‖∞ ≤ tol · (1 + ‖x‖∞)` (default 0: only a
        /// zero step).
        pub fn step_tolerance(mut self, tol: f64) -> Self {
            self.settings.step_tolerance = tol;
            self
        }
        /// Rounding level of f for
        /// [`Termination::PrecisionLimit`](crate::Termination::PrecisionLimit): f counts as
        /// unchanged when it moved by at most `tol · |f|` (default `100 ε ≈ 2.2e-14`).
        /// 0 leaves only exactly unchanged values.
        pub fn relative_f_tolerance(mut self, tol: f64) -> Self {
            self.settings.relative_f_tolerance = tol;
            self
        }
        /// Gate of [`Termination::PrecisionLimit`](crate::Termination::PrecisionLimit): a run
        /// whose f stopped changing counts as converged only if
        /// `maxᵢ |∂f/∂xᵢ| · max(|xᵢ|, 1) / max(|f|, 1) ≤ tol` (default `ε^{1/3} ≈ 6.1e-6`,
        /// Dennis and Schnabel's relative gradient tolerance). 0 turns the stop off, and
        /// with it the other way to reach it: a failed line search whose sought decrease
        /// lay below f's rounding error
        /// ([`Objective::rounding_error`](crate::Objective::rounding_error)).
        pub fn relative_gradient_tolerance(mut self, tol: f64) -> Self {
            self.settings.relative_gradient_tolerance = tol;
            self
        }
        /// Iteration limit.
        pub fn max_iterations(mut self, n: usize) -> Self {
            self.settings.max_iterations = n;
            self
        }
        /// Limit on all objective calls after the start point (default 100 000).
        pub fn max_evaluations(mut self, n: usize) -> Self {
            self.settings.max_evaluations = n;
            self
        }
        /// Record the per-iteration history in [`Solution::history`](crate::Solution::history).
        pub fn history(mut self, on: bool) -> Self {
            self.settings.history = on;
            self
        }
    };
}

/// `minimize` and `minimize_with`, for solvers of `Objective`s on ℝⁿ
/// (`minimize_methods!(Objective, &[f64], $crate::driver::run)`) and of univariate functions
/// (`minimize_methods!(Univariate, f64, $crate::univariate::run_univariate)`).
macro_rules! minimize_methods {
    ($bound:ident, $start:ty, $run:path) => {
        /// Minimizes `objective` from `x0`. Errors on an empty or non-finite `x0`, invalid
        /// options, or an objective returning derivatives of the wrong size.
        pub fn minimize<O: $crate::$bound>(
            &self,
            objective: O,
            x0: $start,
        ) -> Result<$crate::Solution, $crate::Error> {
            $run(&self.settings, self.method(), objective, x0, None)
        }

        /// As `minimize`, calling `observer` after every iteration (and once at the start);
        /// returning `ControlFlow::Break(())` stops the run with `Termination::Stopped`.
        pub fn minimize_with<O: $crate::$bound>(
            &self,
            objective: O,
            x0: $start,
            mut observer: impl FnMut(&$crate::Iteration) -> std::ops::ControlFlow<()>,
        ) -> Result<$crate::Solution, $crate::Error> {
            $run(
                &self.settings,
                self.method(),
                objective,
                x0,
                Some(&mut observer),
            )
        }
    };
}

pub(crate) use minimize_methods;
pub(crate) use settings_builders;

/// What one iteration produced.
pub(crate) struct Outcome {
    /// The new iterate, evaluated; `None` when the step was rejected or impossible.
    pub next: Option<Point>,
    pub alpha: f64,
    pub damping: Option<f64>,
    /// Inner iterations the step took (Newton–CG's conjugate-gradient iterations).
    pub inner_iterations: Option<usize>,
    /// Trust-region radius and ratio of the step (trust-region methods).
    pub radius: Option<f64>,
    pub ratio: Option<f64>,
    /// Stop after this iteration, for a method-specific reason.
    pub stop: Option<Termination>,
}

impl Outcome {
    pub fn moved(next: Point, alpha: f64) -> Self {
        Outcome {
            next: Some(next),
            alpha,
            damping: None,
            inner_iterations: None,
            radius: None,
            ratio: None,
            stop: None,
        }
    }

    pub fn stop(termination: Termination) -> Self {
        Outcome {
            stop: Some(termination),
            ..Outcome::rejected()
        }
    }

    /// No move, no stop: the method will try again from the same point.
    pub fn rejected() -> Self {
        Outcome {
            next: None,
            alpha: 0.0,
            damping: None,
            inner_iterations: None,
            radius: None,
            ratio: None,
            stop: None,
        }
    }
}

/// A solver's per-run state and step rule.
pub(crate) trait Method {
    /// The method's name for [`Solution::method`].
    fn name(&self) -> &'static str;

    /// What the method needs at every iterate.
    fn need(&self) -> Need;

    /// Rejects invalid method options before any evaluation.
    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Evaluates the start point.
    fn start<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        x0: Vec<f64>,
    ) -> Result<Point, Halt> {
        let need = self.need();
        problem.point(x0, need)
    }

    /// Computes and evaluates the next iterate from `at` (finite, not yet converged).
    fn step<O: Objective>(&mut self, problem: &mut Problem<O>, at: &Point)
        -> Result<Outcome, Halt>;

    /// Quasi-Newton updates skipped so far.
    fn skipped_updates(&self) -> usize {
        0
    }

    /// The first-order optimality vector: ∇f, or for the bounded methods the projected
    /// gradient `P(x − ∇f) − x`. The gradient tolerance tests its max norm, and the
    /// precision-limit test reads it too. (With ∇f there, a bounded run whose line search
    /// failed within 1e-8 of its minimizer was reported as a failure: the gradient entries
    /// of the variables held at their bounds are large.)
    fn first_order<'a>(&self, at: &'a Point) -> Cow<'a, [f64]> {
        Cow::Borrowed(&at.g)
    }

    /// What a bounded method reports about the box at the final point.
    fn bounds_report(&self, _at: &Point) -> Option<BoundsReport> {
        None
    }
}

pub(crate) type Observer<'a> = &'a mut dyn FnMut(&Iteration) -> ControlFlow<()>;

/// History and observer: builds an [`Iteration`] only when someone looks at it.
struct Recorder<'a> {
    history: Option<Vec<Iteration>>,
    observer: Option<Observer<'a>>,
}

impl Recorder<'_> {
    fn record(&mut self, make: impl FnOnce() -> Iteration) -> ControlFlow<()> {
        if self.history.is_none() && self.observer.is_none() {
            return ControlFlow::Continue(());
        }
        let row = make();
        let flow = match self.observer.as_mut() {
            Some(observe) => observe(&row),
            None => ControlFlow::Continue(()),
        };
        if let Some(history) = self.history.as_mut() {
            history.push(row);
        }
        flow
    }
}

fn validate_start(x0: &[f64]) -> Result<(), Error> {
    if x0.is_empty() {
        return Err(Error::EmptyStart);
    }
    match x0.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(Error::NonFiniteStart {
            index,
            value: x0[index],
        }),
        None => Ok(()),
    }
}

fn row(
    iteration: usize,
    at: &Point,
    step_norm: f64,
    outcome: Option<&Outcome>,
    accepted: bool,
) -> Iteration {
    Iteration {
        iteration,
        x: at.x.clone(),
        f: at.f,
        gradient_norm: at.gradient_norm(),
        step_norm,
        alpha: outcome.map_or(0.0, |o| if accepted { o.alpha } else { 0.0 }),
        damping: outcome.and_then(|o| o.damping),
        inner_iterations: outcome.and_then(|o| o.inner_iterations),
        radius: outcome.and_then(|o| o.radius),
        ratio: outcome.and_then(|o| o.ratio),
        accepted,
    }
}

/// Runs `method` to termination.
pub(crate) fn run<O: Objective, M: Method>(
    settings: &Settings,
    mut method: M,
    objective: O,
    x0: &[f64],
    observer: Option<Observer<'_>>,
) -> Result<Solution, Error> {
    let clock = Instant::now();
    validate_start(x0)?;
    settings.validate()?;
    method.validate()?;
    let precision_stops = settings.relative_gradient_tolerance > 0.0;
    let mut problem = Problem::new(
        objective,
        x0.len(),
        settings.max_evaluations,
        precision_stops,
    );
    let mut recorder = Recorder {
        history: settings.history.then(Vec::new),
        observer,
    };
    let mut current = match method.start(&mut problem, x0.to_vec()) {
        Ok(point) => point,
        Err(Halt::Fault(e)) => return Err(e),
        Err(Halt::Budget) => unreachable!("the start point is evaluated outside the budget"),
    };
    if let Some((entry, value)) = non_finite(&current) {
        return Err(Error::NonFiniteAtStart { entry, value });
    }
    problem.start_budget();
    let (mut iterations, mut inner_iterations) = (0, 0);
    let termination = 'run: {
        if recorder
            .record(|| row(0, &current, 0.0, None, true))
            .is_break()
        {
            break 'run Termination::Stopped;
        }
        // The iterate changes only when a step is accepted, which is tested below.
        if max_norm(&method.first_order(&current)) <= settings.gradient_tolerance {
            break 'run Termination::GradientTolerance;
        }
        loop {
            if iterations >= settings.max_iterations {
                break 'run Termination::MaxIterations;
            }
            if problem.exhausted() {
                break 'run Termination::MaxEvaluations;
            }
            let mut outcome = match method.step(&mut problem, &current) {
                Ok(outcome) => outcome,
                Err(Halt::Budget) => break 'run Termination::MaxEvaluations,
                Err(Halt::Fault(e)) => return Err(e),
            };
            iterations += 1;
            inner_iterations += outcome.inner_iterations.unwrap_or(0);
            let Some(next) = outcome.next.take() else {
                let flow =
                    recorder.record(|| row(iterations, &current, 0.0, Some(&outcome), false));
                if let Some(stop) = outcome.stop {
                    break 'run settings.classify_stop(
                        stop,
                        current.f,
                        &current,
                        &method.first_order(&current),
                    );
                }
                if flow.is_break() {
                    break 'run Termination::Stopped;
                }
                continue;
            };
            if let Some((entry, _)) = non_finite(&next) {
                break 'run Termination::NonFinite(entry);
            }
            let f_before = current.f;
            let df = (f_before - next.f).abs();
            let dx: Vec<f64> = next.x.iter().zip(&current.x).map(|(a, b)| a - b).collect();
            let step_norm = dot(&dx, &dx).sqrt();
            // A Hessian evaluated with the point left behind (the start's; pure and projected
            // Newton's, whose iterates carry theirs) lends its storage to the next one, as
            // `LazyHessian` does with its own.
            if let Some(h) = std::mem::replace(&mut current, next).hessian {
                problem.recycle(h);
            }
            let flow =
                recorder.record(|| row(iterations, &current, step_norm, Some(&outcome), true));
            let first_order = method.first_order(&current);
            if let Some(stop) = outcome.stop {
                break 'run settings.classify_stop(stop, f_before, &current, &first_order);
            }
            if flow.is_break() {
                break 'run Termination::Stopped;
            }
            if max_norm(&first_order) <= settings.gradient_tolerance {
                break 'run Termination::GradientTolerance;
            }
            if df <= settings.f_tolerance * current.f.abs().max(1.0) {
                break 'run Termination::FunctionTolerance;
            }
            if max_norm(&dx) <= settings.step_tolerance * (1.0 + max_norm(&current.x)) {
                break 'run Termination::StepTolerance;
            }
            if settings.precision_limit(f_before, &current, &first_order) {
                break 'run Termination::PrecisionLimit;
            }
        }
    };
    Ok(Solution {
        method: method.name().to_string(),
        bounds: method.bounds_report(&current),
        gradient_norm: current.gradient_norm(),
        x: current.x,
        f: current.f,
        gradient: current.g,
        iterations,
        evaluations: problem.evaluations,
        termination,
        skipped_updates: method.skipped_updates(),
        inner_iterations,
        history: recorder.history,
        elapsed: clock.elapsed(),
    })
}

/// The first NaN or ±∞ in an evaluated point (f, then ∇f, then the Hessian).
fn non_finite(point: &Point) -> Option<(NonFiniteEntry, f64)> {
    locate_in_derivatives(point.f, &point.g, point.hessian.as_ref())
}

/// Searches along `p` from `at` and evaluates the accepted point with `need`.
///
/// A failed search still moves to its best trial if that lowered f, then stops the run with
/// `LineSearchFailed`; if no trial lowered f the iterate stays put.
pub(crate) fn line_step<O: Objective>(
    problem: &mut Problem<O>,
    at: &Point,
    p: &[f64],
    search: &LineSearch,
    alpha0: f64,
    need: Need,
) -> Result<Outcome, Halt> {
    line_step_to(problem, at, p, search, alpha0, need, |a| moved(&at.x, a, p))
}

/// A strong-Wolfe-type search along p from `at`, evaluating f and ∇f at each trial
/// `place(α)` and keeping the last trial's gradient in `last` for the caller.
fn wolfe<O: Objective>(
    search: &impl WolfeSearch,
    problem: &mut Problem<O>,
    at: &Point,
    p: &[f64],
    alpha0: f64,
    place: &impl Fn(f64) -> Vec<f64>,
    last: &mut Option<(f64, f64, Vec<f64>)>,
) -> Result<LineSearchResult, Halt> {
    // Steps below this give the same point x + αp in floating point.
    let min_width = f64::EPSILON * max_norm(&at.x) / max_norm(p);
    search.try_search(
        |a| {
            let (f, g) = problem.gradient(&place(a))?;
            let slope = dot(&g, p);
            *last = Some((a, f, g));
            Ok((f, slope))
        },
        at.f,
        dot(&at.g, p),
        alpha0,
        min_width,
    )
}

/// As [`line_step`], with the trial point for step α given by `place(α)` (`x + αp` above;
/// the bounded methods snap it onto the box, so round-off at the boundary cannot leave it).
pub(crate) fn line_step_to<O: Objective>(
    problem: &mut Problem<O>,
    at: &Point,
    p: &[f64],
    search: &LineSearch,
    alpha0: f64,
    need: Need,
    place: impl Fn(f64) -> Vec<f64>,
) -> Result<Outcome, Halt> {
    let dphi0 = dot(&at.g, p);
    // The Wolfe and exact searches evaluate gradients at their trials; keep the last one so
    // the accepted point is not evaluated twice.
    let mut last: Option<(f64, f64, Vec<f64>)> = None;
    let result = match search {
        LineSearch::Fixed(alpha) => {
            let next = problem.point(place(*alpha), need)?;
            return Ok(Outcome::moved(next, *alpha));
        }
        LineSearch::Backtracking(b) => {
            b.try_search(|a| problem.value(&place(a)), at.f, dphi0, alpha0)?
        }
        LineSearch::StrongWolfe(w) => wolfe(w, problem, at, p, alpha0, &place, &mut last)?,
        LineSearch::MoreThuente(m) => wolfe(m, problem, at, p, alpha0, &place, &mut last)?,
        LineSearch::Exact(e) => e.try_search(|a| {
            let (f, g, hp) = problem.hvp(&place(a), p)?;
            let (slope, curvature) = (dot(&g, p), dot(p, &hp));
            last = Some((a, f, g));
            Ok::<_, Halt>((f, slope, curvature))
        })?,
    };
    let stop = result.status.err().map(|failure| {
        // The decrease sought at the first trial, α₀·|gᵀp|, may lie below f's rounding
        // noise at x (see `Objective::rounding_error`).
        if problem.below_rounding(&at.x, alpha0 * dphi0.abs()) {
            Termination::PrecisionLimit
        } else {
            Termination::LineSearchFailed(failure)
        }
    });
    if result.alpha == 0.0 {
        return Ok(Outcome {
            stop: stop.or(Some(Termination::StepTolerance)),
            ..Outcome::rejected()
        });
    }
    let x = place(result.alpha);
    let next = match last {
        Some((a, f, g)) if need == Need::Gradient && a == result.alpha => Point {
            x,
            f,
            g,
            hessian: None,
        },
        _ => problem.point(x, need)?,
    };
    Ok(Outcome {
        stop,
        ..Outcome::moved(next, result.alpha)
    })
}
