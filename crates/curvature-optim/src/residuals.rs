//! The `Residuals` trait — how least-squares solvers see a model — and the counting wrapper
//! they evaluate it through.

use curvature_ad::{Tape, Var};

use crate::error::Error;
use crate::non_finite::{locate_in_residuals, NonFiniteEntry};
use crate::objective::Halt;
use crate::qr::norm;
use crate::solution::{Evaluations, Termination};
use crate::Matrix;

/// A residual vector `r: ℝⁿ → ℝᵐ` and its Jacobian `J = ∂r/∂x` (m × n), for least squares
/// `min_x ½‖r(x)‖²`.
///
/// Implemented for every closure `Fn(&[Var]) -> Vec<Var>`: the closure is recorded on a
/// curvature-ad tape and [`Tape::jacobian`] differentiates it, with one reverse sweep per
/// residual when m ≤ n and forward tangents (8 columns per pass) when m > n. Implement it by
/// hand when analytic derivatives are known:
///
/// ```
/// use curvature_optim::{LeastSquares, Matrix, Residuals};
///
/// /// rᵢ(a, k) = a·e^{k tᵢ} − yᵢ, ∂rᵢ/∂a = e^{k tᵢ}, ∂rᵢ/∂k = a tᵢ e^{k tᵢ}.
/// struct Decay {
///     t: Vec<f64>,
///     y: Vec<f64>,
/// }
/// impl Residuals for Decay {
///     fn residuals(&self, x: &[f64]) -> Vec<f64> {
///         self.t.iter().zip(&self.y).map(|(t, y)| x[0] * (x[1] * t).exp() - y).collect()
///     }
///     fn jacobian(&self, x: &[f64]) -> (Vec<f64>, Matrix) {
///         let j = Matrix::from_fn(self.t.len(), 2, |i, c| {
///             let e = (x[1] * self.t[i]).exp();
///             if c == 0 { e } else { x[0] * self.t[i] * e }
///         });
///         (self.residuals(x), j)
///     }
/// }
/// let t = vec![0.0, 1.0, 2.0, 3.0];
/// let y: Vec<f64> = t.iter().map(|t: &f64| 2.0 * (-0.5 * t).exp()).collect();
/// let fit = LeastSquares::new().minimize(Decay { t, y }, &[1.0, 0.0]).unwrap();
/// assert!((fit.x[0] - 2.0).abs() < 1e-10 && (fit.x[1] + 0.5).abs() < 1e-10);
/// ```
///
/// The residual count m must be the same at every point; the solvers check it and return
/// [`Error::DimensionMismatch`] otherwise. Solvers count calls in
/// [`Solution::evaluations`](crate::Solution::evaluations): `residuals` as `value`,
/// `jacobian` as `gradient`.
pub trait Residuals {
    /// r(x), m entries.
    fn residuals(&self, x: &[f64]) -> Vec<f64>;

    /// `(r(x), J(x))` with `J[(i, j)] = ∂rᵢ/∂xⱼ`, an m × n matrix.
    fn jacobian(&self, x: &[f64]) -> (Vec<f64>, Matrix);
}

/// Closures over reverse-mode variables: `|x: &[Var]| vec![x[0] - 1.0, 10.0 * (x[1] - x[0] * x[0])]`.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::Residuals;
/// let rosenbrock = |x: &[Var]| vec![1.0 - x[0], 10.0 * (x[1] - x[0] * x[0])];
/// let (r, j) = rosenbrock.jacobian(&[2.0, 3.0]);
/// assert_eq!(r, vec![-1.0, -10.0]);
/// assert_eq!(j.as_slice(), &[-1.0, 0.0, -40.0, 10.0]);
/// ```
impl<F: Fn(&[Var]) -> Vec<Var>> Residuals for F {
    fn residuals(&self, x: &[f64]) -> Vec<f64> {
        Tape::record_vector(self, x).values()
    }

    fn jacobian(&self, x: &[f64]) -> (Vec<f64>, Matrix) {
        let mut tape = Tape::record_vector(self, x);
        let j = tape.jacobian();
        (tape.values(), j)
    }
}

/// Wraps residuals for one run: counts calls, enforces the evaluation budget and checks that
/// every residual vector and Jacobian has the shape of the first one.
pub(crate) struct ResidualProblem<R> {
    residuals: R,
    n: usize,
    m: Option<usize>,
    max_evaluations: usize,
    enforce_budget: bool,
    pub evaluations: Evaluations,
}

impl<R: Residuals> ResidualProblem<R> {
    pub fn new(residuals: R, n: usize, max_evaluations: usize) -> Self {
        ResidualProblem {
            residuals,
            n,
            m: None,
            max_evaluations,
            enforce_budget: false,
            evaluations: Evaluations::default(),
        }
    }

    /// r(x0), evaluated outside the budget (which starts after it). A non-finite residual,
    /// or a residual norm that overflows, is an error naming it.
    pub fn start(&mut self, x0: &[f64]) -> Result<Vec<f64>, Error> {
        let r = match self.residuals(x0) {
            Ok(r) => r,
            Err(Halt::Fault(e)) => return Err(e),
            Err(Halt::Budget) => unreachable!("the start point is evaluated outside the budget"),
        };
        if let Some((entry, value)) = locate_in_residuals(&r, None, self.n) {
            return Err(Error::NonFiniteAtStart { entry, value });
        }
        let fnorm = norm(&r);
        if !fnorm.is_finite() {
            return Err(Error::NonFiniteAtStart {
                entry: NonFiniteEntry::ResidualNorm,
                value: fnorm,
            });
        }
        self.start_budget();
        Ok(r)
    }

    /// From now on, calls beyond `max_evaluations` return [`Halt::Budget`].
    pub fn start_budget(&mut self) {
        self.enforce_budget = true;
    }

    /// Lifts the budget again (for the one Jacobian at the solution).
    pub fn lift_budget(&mut self) {
        self.enforce_budget = false;
    }

    /// Whether the next call would exceed the budget.
    pub fn exhausted(&self) -> bool {
        self.enforce_budget && self.evaluations.total() >= self.max_evaluations
    }

    fn charge(&self) -> Result<(), Halt> {
        if self.exhausted() {
            Err(Halt::Budget)
        } else {
            Ok(())
        }
    }

    fn check_m(&mut self, found: usize) -> Result<(), Halt> {
        match self.m {
            None => {
                self.m = Some(found);
                Ok(())
            }
            Some(expected) if expected == found => Ok(()),
            Some(expected) => Err(Halt::Fault(Error::DimensionMismatch {
                what: "residual vector",
                expected,
                found,
            })),
        }
    }

    /// r(x).
    pub fn residuals(&mut self, x: &[f64]) -> Result<Vec<f64>, Halt> {
        self.charge()?;
        self.evaluations.value += 1;
        let r = self.residuals.residuals(x);
        self.check_m(r.len())?;
        Ok(r)
    }

    /// (r(x), J(x)), J row-major m × n.
    pub fn jacobian(&mut self, x: &[f64]) -> Result<(Vec<f64>, Matrix), Halt> {
        self.charge()?;
        self.evaluations.gradient += 1;
        let (r, j) = self.residuals.jacobian(x);
        self.check_m(r.len())?;
        let fault = |what, expected, found| {
            Err(Halt::Fault(Error::DimensionMismatch {
                what,
                expected,
                found,
            }))
        };
        if j.nrows() != r.len() {
            return fault("Jacobian row count", r.len(), j.nrows());
        }
        if j.ncols() != self.n {
            return fault("Jacobian column count", self.n, j.ncols());
        }
        Ok((r, j))
    }
}

/// A Jacobian with a NaN or ±∞ entry: at the start point an error naming the entry, later
/// the [`Termination::NonFinite`] naming it; `Ok(None)` when J is finite.
pub(crate) fn check_jacobian(j: &Matrix, at_start: bool) -> Result<Option<Termination>, Halt> {
    match locate_in_residuals(&[], Some(j.as_slice()), j.ncols()) {
        None => Ok(None),
        Some((entry, value)) if at_start => {
            Err(Halt::Fault(Error::NonFiniteAtStart { entry, value }))
        }
        Some((entry, _)) => Ok(Some(Termination::NonFinite(entry))),
    }
}

/// Where a trial's residual vector is not finite: the first non-finite residual, or the
/// overflowing norm.
pub(crate) fn residual_fault(r: &[f64]) -> NonFiniteEntry {
    locate_in_residuals(r, None, 0).map_or(NonFiniteEntry::ResidualNorm, |(entry, _)| entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::Float;

    struct Growing(std::cell::Cell<usize>);
    impl Residuals for Growing {
        fn residuals(&self, x: &[f64]) -> Vec<f64> {
            self.0.set(self.0.get() + 1);
            vec![x[0]; self.0.get()]
        }
        fn jacobian(&self, x: &[f64]) -> (Vec<f64>, Matrix) {
            let r = self.residuals(x);
            let m = r.len();
            (r, Matrix::from_fn(m, 1, |_, _| 1.0))
        }
    }

    #[test]
    fn residual_length_must_not_change() {
        let mut p = ResidualProblem::new(Growing(Default::default()), 1, 10);
        assert!(p.residuals(&[1.0]).is_ok());
        match p.residuals(&[1.0]) {
            Err(Halt::Fault(Error::DimensionMismatch {
                expected: 1,
                found: 2,
                ..
            })) => {}
            other => panic!("expected a dimension mismatch, got {other:?}"),
        }
    }

    #[test]
    fn closures_give_values_and_jacobians() {
        let r = |x: &[Var]| vec![x[0] * x[1], x[0].sin(), x[1] + 2.0];
        let (v, j) = r.jacobian(&[0.5, 3.0]);
        assert_eq!(v, vec![1.5, 0.5f64.sin(), 5.0]);
        let expected = [3.0, 0.5, 0.5f64.cos(), 0.0, 0.0, 1.0];
        assert_eq!((j.nrows(), j.ncols()), (3, 2));
        for (a, b) in j.as_slice().iter().zip(expected) {
            assert!((a - b).abs() < 1e-15);
        }
        assert_eq!(r.residuals(&[0.5, 3.0]), v);
    }
}
