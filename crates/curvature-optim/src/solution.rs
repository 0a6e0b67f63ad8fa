//! What a solver returns: the point, why it stopped, what it cost, and optionally its path.

use std::time::Duration;

use crate::bounds::BoundsReport;
use crate::line_search::LineSearchFailure;
use crate::non_finite::NonFiniteEntry;

/// Why a run stopped. Every solver ends with exactly one of these.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Termination {
    /// `‖∇f(x)‖∞ ≤ gradient_tolerance`: first-order optimality reached.
    GradientTolerance,
    /// An accepted step changed f by at most `f_tolerance · max(|f|, 1)`:
    /// `|f(x_k) − f(x_{k+1})| ≤ f_tol · max(|f(x_{k+1})|, 1)`.
    FunctionTolerance,
    /// An accepted step was tiny: `‖x_{k+1} − x_k‖∞ ≤ step_tolerance · (1 + ‖x_{k+1}‖∞)`.
    StepTolerance,
    /// No further progress is possible at machine precision: f no longer changes beyond its
    /// rounding level — `|f(x_k) − f(x_{k+1})| ≤ relative_f_tolerance · |f|` for an accepted
    /// step, or a line search that could not lower f by more than that — while the gradient
    /// is small relative to f's scale,
    /// `maxᵢ |∂f/∂xᵢ| · max(|xᵢ|, 1) / max(|f|, 1) ≤ relative_gradient_tolerance`;
    /// or a line search failed where the decrease it sought, `α₀·|∇fᵀp|` (for a trust
    /// region: a rejected step's predicted reduction), lay below the objective's bound on
    /// the rounding error of f
    /// ([`Objective::rounding_error`](crate::Objective::rounding_error); closures over `Var`
    /// have one), which sees the noise of a sum of large terms that cancel to f ≈ 0.
    /// A converged stop: x is as good as f64 arithmetic on f can tell.
    PrecisionLimit,
    /// The iteration limit was reached.
    MaxIterations,
    /// The evaluation limit (value + gradient + Hessian + HVP calls) was reached.
    MaxEvaluations,
    /// The line search could not satisfy its conditions; the best point it saw is kept.
    LineSearchFailed(LineSearchFailure),
    /// The objective returned NaN or ±∞ (value, gradient, Hessian; residual or Jacobian
    /// entry) at a trial point that could not be avoided; the last finite iterate is returned.
    /// The entry names the first offending quantity and its indices.
    NonFinite(NonFiniteEntry),
    /// The local model has no unique stationary point: zero curvature in a univariate
    /// method, or a singular Hessian in pure Newton.
    Singular,
    /// Levenberg–Marquardt raised its damping δ past its limit without finding a decrease of f
    /// (only round-off is left to gain).
    DampingLimit,
    /// The per-iteration observer asked to stop.
    Stopped,
    /// A trust-region radius fell below the precision of x (`Δ ≤ ε·(1 + ‖x‖)`) while the
    /// relative gradient is above `relative_gradient_tolerance` (a collapse with a small
    /// relative gradient is reported as [`PrecisionLimit`](Termination::PrecisionLimit)):
    /// no step changes x, although x does not look stationary — typically inconsistent
    /// derivatives.
    RadiusCollapsed,
}

impl Termination {
    /// `true` for the tolerance-based stops (gradient, f change, step size) and
    /// [`PrecisionLimit`](Termination::PrecisionLimit): the run ended because it stopped
    /// making progress at a point it considers a minimizer.
    pub fn converged(self) -> bool {
        matches!(
            self,
            Termination::GradientTolerance
                | Termination::FunctionTolerance
                | Termination::StepTolerance
                | Termination::PrecisionLimit
        )
    }
}

/// How many times a solver asked the objective for each kind of evaluation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Evaluations {
    /// Calls for f alone.
    pub value: usize,
    /// Calls for f and ∇f.
    pub gradient: usize,
    /// Calls for f, ∇f and the Hessian ∇²f.
    pub hessian: usize,
    /// Calls for f, ∇f and a Hessian-vector product ∇²f·v. (The CG-based methods' products
    /// with a sparse Hessian they formed, counted in `hessian`, are not evaluations and are
    /// not counted: see [`NewtonCg::matrix_free`](crate::NewtonCg::matrix_free).)
    pub hvp: usize,
    /// Recordings of a closure objective's tape (not evaluations of their own: each comes
    /// with one of the above). Solvers record a closure once per run and replay it at every
    /// point, so this is 1 unless a comparison guard flipped; 0 for hand-written objectives.
    pub recordings: usize,
}

impl Evaluations {
    /// All calls together; this is what `max_evaluations` limits.
    pub fn total(&self) -> usize {
        self.value + self.gradient + self.hessian + self.hvp
    }
}

/// One row of the per-iteration history (and what the observer sees).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Iteration {
    /// Iteration number; 0 is the start point.
    pub iteration: usize,
    /// The iterate after this iteration (unchanged if the step was rejected).
    pub x: Vec<f64>,
    /// f at `x`.
    pub f: f64,
    /// `‖∇f(x)‖∞`.
    pub gradient_norm: f64,
    /// Euclidean length of the step taken, `‖x_{k+1} − x_k‖₂` (0 for a rejected step).
    pub step_norm: f64,
    /// Line-search step α along the search direction (1 for unit steps, 0 if rejected).
    pub alpha: f64,
    /// Method data: the trust-region radius Δ this step was computed with. `None` for
    /// line-search methods.
    pub radius: Option<f64>,
    /// Method data: the trust-region ratio ρ = (actual reduction) / (predicted reduction) of
    /// this step. `None` for line-search methods.
    pub ratio: Option<f64>,
    /// Method data: Levenberg–Marquardt's damping δ used for this step, or Newton's identity
    /// shift τ (0 when the Hessian was positive definite). `None` for other methods.
    pub damping: Option<f64>,
    /// Method data: the iterations of the step's inner solver — conjugate-gradient
    /// iterations for Newton–CG, projected Newton–CG and Steihaug's trust region (each one
    /// Hessian product), Cholesky factorizations for the Moré–Sorensen and dogleg trust
    /// regions. `None` for methods without one.
    pub inner_iterations: Option<usize>,
    /// Whether the step was accepted (Levenberg–Marquardt rejects steps that raise f).
    pub accepted: bool,
}

/// The result of a run. `Display` (`println!("{solution}")`) prints a short report: the
/// method, why it stopped in words, iterations, evaluations, f, ‖∇f‖∞ and the time.
///
/// ```
/// use curvature_optim::{Matrix, Newton, Objective, Termination};
/// // f(x) = (x − 2)⁴ has f'' = 12(x − 2)² → 0 at the minimizer, so Newton converges only
/// // linearly: each step removes a third of the error, x_{k+1} − 2 = (2/3)(x_k − 2).
/// struct Quartic;
/// impl Objective for Quartic {
///     fn value(&self, x: &[f64]) -> f64 { (x[0] - 2.0).powi(4) }
///     fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) { (self.value(x), vec![4.0 * (x[0] - 2.0).powi(3)]) }
///     fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
///         let (f, g) = self.gradient(x);
///         (f, g, Matrix::from_row_major(1, 1, vec![12.0 * (x[0] - 2.0).powi(2)]))
///     }
/// }
/// let s = Newton::new().pure().history(true).max_iterations(5).minimize(Quartic, &[5.0]).unwrap();
/// assert_eq!(s.termination, Termination::MaxIterations);
/// assert!(!s.converged());
/// let history = s.history.unwrap();
/// assert_eq!(history.len(), 6); // the start and 5 iterations
/// assert!((history[1].x[0] - 4.0).abs() < 1e-12); // 2 + (2/3)·3
/// assert_eq!(s.evaluations.hessian, 6);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Solution {
    /// The method that produced it ("BFGS", "Levenberg-Marquardt (least squares)", ...).
    pub method: String,
    /// Final iterate (the last finite, accepted one).
    pub x: Vec<f64>,
    /// f(x).
    pub f: f64,
    /// ∇f(x).
    pub gradient: Vec<f64>,
    /// `‖∇f(x)‖∞`.
    pub gradient_norm: f64,
    /// Iterations performed (rejected Levenberg–Marquardt attempts count).
    pub iterations: usize,
    /// Evaluation counts.
    pub evaluations: Evaluations,
    /// Why the run stopped.
    pub termination: Termination,
    /// Quasi-Newton updates skipped because `δᵀγ` was not safely positive (0 elsewhere).
    pub skipped_updates: usize,
    /// The inner solver's iterations over the whole run, rejected steps included: the sum of
    /// the history's [`Iteration::inner_iterations`] (conjugate-gradient iterations for the
    /// CG-based methods, factorizations for the Moré–Sorensen and dogleg trust regions), kept
    /// whether or not the history is. 0 for methods without an inner solver.
    ///
    /// ```
    /// use curvature_ad::Var;
    /// use curvature_optim::NewtonCg;
    /// let f = |x: &[Var]| {
    ///     (1..x.len()).fold(x[0] * x[0], |s, i| {
    ///         let d = x[i] - x[i - 1];
    ///         s + (i + 1) as f64 * d * d
    ///     })
    /// };
    /// let s = NewtonCg::new().history(true).minimize(f, &[1.0; 50]).unwrap();
    /// let per_step: usize = s.history.unwrap().iter().filter_map(|r| r.inner_iterations).sum();
    /// assert!(s.inner_iterations > 0);
    /// assert_eq!(s.inner_iterations, per_step);
    /// ```
    // Serialized solutions from before this field read as 0.
    #[cfg_attr(feature = "serde", serde(default))]
    pub inner_iterations: usize,
    /// Per-iteration history, starting with iteration 0; `None` unless enabled with the
    /// solver's `history(true)` builder.
    pub history: Option<Vec<Iteration>>,
    /// Wall-clock time of the run (validation to result).
    pub elapsed: Duration,
    /// For the bounded solvers ([`LbfgsB`](crate::LbfgsB),
    /// [`ProjectedNewton`](crate::ProjectedNewton), [`LeastSquares`](crate::LeastSquares)
    /// with bounds): the variables at a bound, the projected-gradient norm the convergence
    /// test used, and the start coordinates projected onto the box. `None` for unbounded runs.
    pub bounds: Option<BoundsReport>,
}

impl Solution {
    /// Shorthand for `self.termination.converged()`.
    pub fn converged(&self) -> bool {
        self.termination.converged()
    }
}
