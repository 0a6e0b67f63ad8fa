//! Line searches: given `φ(α) = f(x + α p)` with `φ'(0) = ∇f(x)ᵀp < 0`, pick a step α.
//!
//! * [`Backtracking`] enforces the sufficient-decrease (Armijo) condition
//!   `φ(α) ≤ φ(0) + c₁ α φ'(0)`, shrinking α by quadratic then cubic interpolation.
//! * [`StrongWolfe`] also enforces the strong curvature condition `|φ'(α)| ≤ c₂ |φ'(0)|`
//!   (Nocedal–Wright Algorithms 3.5 and 3.6: bracketing, then zoom with cubic interpolation).
//! * [`MoreThuente`] enforces the same two conditions by the safeguarded interpolation of
//!   Moré and Thuente (MINPACK-2 `dcsrch`), the search of the reference L-BFGS-B.
//! * [`Exact`] minimizes φ by one-dimensional Newton steps on φ' using Hessian-vector products;
//!   on a quadratic the first step `α = −φ'(0)/φ''(0) = −gᵀp / pᵀHp` is exact.
//!
//! The searches work on closures, so they can be tested (and reused) without a solver.

mod armijo;
mod exact;
mod interpolation;
mod more_thuente;
mod wolfe;

pub use armijo::Backtracking;
pub use exact::Exact;
pub use more_thuente::MoreThuente;
pub use wolfe::StrongWolfe;

/// The step-length rule a solver uses along its search direction.
///
/// ```
/// use curvature_optim::line_search::{Backtracking, Exact, MoreThuente, StrongWolfe};
/// use curvature_optim::{Bfgs, GradientDescent, Lbfgs, LineSearch, Newton};
/// let gd = GradientDescent::new().line_search(LineSearch::Fixed(1e-3));
/// let newton = Newton::new().line_search(LineSearch::Backtracking(Backtracking::new().c1(1e-4)));
/// let bfgs = Bfgs::new().line_search(LineSearch::StrongWolfe(StrongWolfe::new().c2(0.9)));
/// let lbfgs = Lbfgs::new().line_search(LineSearch::MoreThuente(MoreThuente::new().c1(1e-4)));
/// let exact = Bfgs::new().line_search(LineSearch::Exact(Exact::new()));
/// # let _ = (gd, newton, bfgs, lbfgs, exact);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LineSearch {
    /// Always take `α` (no test at all): the textbook fixed-step update.
    Fixed(f64),
    /// Backtracking Armijo search.
    Backtracking(Backtracking),
    /// Strong-Wolfe search.
    StrongWolfe(StrongWolfe),
    /// Moré–Thuente search (strong Wolfe conditions by safeguarded interpolation).
    MoreThuente(MoreThuente),
    /// Exact minimization of φ with Hessian-vector products (quadratics, teaching, tests).
    Exact(Exact),
}

/// Why a line search gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LineSearchFailure {
    /// `φ'(0) ≥ 0`: the direction does not descend, so no small step can decrease f.
    NotDescent,
    /// The trial budget ran out before the conditions held.
    MaxTrials,
    /// The bracket shrank below round-off without satisfying the conditions: its ends
    /// differ by less than ε relative to α, or (strong Wolfe inside a solver) the trial
    /// points `x + αp` it separates differ by less than ε‖x‖∞.
    IntervalTooSmall,
    /// The exact search met non-positive curvature `φ'' ≤ 0` along the direction.
    NonPositiveCurvature,
}

/// A line search's answer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineSearchResult {
    /// The step: the accepted one, or on failure the best trial (0 if none beat φ(0)).
    pub alpha: f64,
    /// φ(alpha).
    pub value: f64,
    /// φ'(alpha) when the search evaluated it.
    pub slope: Option<f64>,
    /// Trial evaluations made.
    pub trials: usize,
    /// `Ok(())` when alpha satisfies the conditions the search claims.
    pub status: Result<(), LineSearchFailure>,
}

impl LineSearchResult {
    fn accepted(alpha: f64, value: f64, slope: Option<f64>, trials: usize) -> Self {
        LineSearchResult {
            alpha,
            value,
            slope,
            trials,
            status: Ok(()),
        }
    }

    fn failed(
        reason: LineSearchFailure,
        phi0: f64,
        best: Option<(f64, f64, Option<f64>)>,
        trials: usize,
    ) -> Self {
        let (alpha, value, slope) = best.unwrap_or((0.0, phi0, None));
        LineSearchResult {
            alpha,
            value,
            slope,
            trials,
            status: Err(reason),
        }
    }
}

/// The searches that evaluate φ and φ' at every trial and enforce the strong Wolfe
/// conditions, as the solvers call them.
pub(crate) trait WolfeSearch {
    /// Searches `phi` from `alpha0`; `min_width` is the smallest step that still moves x.
    fn try_search<E>(
        &self,
        phi: impl FnMut(f64) -> Result<(f64, f64), E>,
        phi0: f64,
        dphi0: f64,
        alpha0: f64,
        min_width: f64,
    ) -> Result<LineSearchResult, E>;
}

/// Unwraps the result of a search whose trial function cannot fail.
fn infallible(result: Result<LineSearchResult, std::convert::Infallible>) -> LineSearchResult {
    match result {
        Ok(r) => r,
        Err(never) => match never {},
    }
}
