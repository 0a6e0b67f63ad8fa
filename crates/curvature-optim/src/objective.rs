//! The `Objective` trait — how solvers see a function — and the counting wrapper solvers use.

use crate::error::Error;
use crate::solution::{max_norm, Evaluations};
use curvature_ad::{Matrix, Tape, Var};

/// A twice-differentiable function `f: ℝⁿ → ℝ` as the solvers see it.
///
/// Implemented for every closure `Fn(&[Var]) -> Var` (derivatives by curvature-ad) and
/// implementable by hand when analytic derivatives are known. Only `value` and `gradient`
/// are required; the second-order methods also call `hessian` (or `hvp`), whose defaults are
/// documented below.
///
/// ```
/// use curvature_optim::{Matrix, Objective};
///
/// /// f(x) = x₀² + 3x₁², ∇f = (2x₀, 6x₁), ∇²f = diag(2, 6).
/// struct Bowl;
/// impl Objective for Bowl {
///     fn value(&self, x: &[f64]) -> f64 {
///         x[0] * x[0] + 3.0 * x[1] * x[1]
///     }
///     fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
///         (self.value(x), vec![2.0 * x[0], 6.0 * x[1]])
///     }
///     fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
///         let (f, g) = self.gradient(x);
///         (f, g, Matrix::from_fn(2, 2, |i, j| if i != j { 0.0 } else if i == 0 { 2.0 } else { 6.0 }))
///     }
/// }
/// let (_, _, hv) = Bowl.hvp(&[1.0, 1.0], &[1.0, 1.0]);
/// assert_eq!(hv, vec![2.0, 6.0]);
/// ```
pub trait Objective {
    /// f(x).
    fn value(&self, x: &[f64]) -> f64;

    /// `(f(x), ∇f(x))`. The gradient must have `x.len()` entries.
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>);

    /// `(f(x), ∇f(x), ∇²f(x))`.
    ///
    /// The default approximates the Hessian by central differences of the gradient,
    /// `H[:, j] ≈ (∇f(x + h eⱼ) − ∇f(x − h eⱼ)) / 2h` with `h = ε^{1/3} · max(|xⱼ|, 1)`, then
    /// symmetrizes `(H + Hᵀ)/2`; it costs `2n + 1` gradient calls. Override it when an exact
    /// Hessian is available.
    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
        let n = x.len();
        let (f, g) = self.gradient(x);
        let mut h = Matrix::zeros(n, n);
        let mut probe = x.to_vec();
        for j in 0..n {
            let step = f64::EPSILON.cbrt() * x[j].abs().max(1.0);
            probe[j] = x[j] + step;
            let (_, plus) = self.gradient(&probe);
            probe[j] = x[j] - step;
            let (_, minus) = self.gradient(&probe);
            probe[j] = x[j];
            for i in 0..n.min(plus.len()).min(minus.len()) {
                h[(i, j)] = (plus[i] - minus[i]) / (2.0 * step);
            }
        }
        for i in 0..n {
            for j in 0..i {
                let mean = 0.5 * (h[(i, j)] + h[(j, i)]);
                h[(i, j)] = mean;
                h[(j, i)] = mean;
            }
        }
        (f, g, h)
    }

    /// `(f(x), ∇f(x), ∇²f(x)·v)`. The default forms the Hessian and multiplies; objectives
    /// with a cheaper product (curvature-ad's forward-over-reverse) override it.
    fn hvp(&self, x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let (f, g, h) = self.hessian(x);
        let hv = (0..h.nrows())
            .map(|i| (0..h.ncols()).map(|j| h[(i, j)] * v[j]).sum())
            .collect();
        (f, g, hv)
    }
}

/// What a solver needs at a new point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Need {
    Gradient,
    Hessian,
}

/// An evaluated iterate. `hessian` is row-major `n × n` when the method asked for it.
#[derive(Clone, Debug)]
pub(crate) struct Point {
    pub x: Vec<f64>,
    pub f: f64,
    pub g: Vec<f64>,
    pub hessian: Option<Vec<f64>>,
}

impl Point {
    pub fn is_finite(&self) -> bool {
        self.f.is_finite()
            && self.g.iter().all(|v| v.is_finite())
            && self
                .hessian
                .as_ref()
                .map_or(true, |h| h.iter().all(|v| v.is_finite()))
    }

    pub fn gradient_norm(&self) -> f64 {
        max_norm(&self.g)
    }
}

/// Why an evaluation did not happen: the budget is spent, or the objective broke its contract.
#[derive(Debug)]
pub(crate) enum Halt {
    Budget,
    Fault(Error),
}

impl From<Error> for Halt {
    fn from(e: Error) -> Self {
        Halt::Fault(e)
    }
}

/// Wraps an objective for one run: counts every call, enforces the evaluation budget and
/// checks derivative sizes, so no solver has to.
pub(crate) struct Problem<O> {
    objective: O,
    n: usize,
    max_evaluations: usize,
    /// The start point is always evaluated; the budget applies from the first iteration on.
    enforce_budget: bool,
    pub evaluations: Evaluations,
}

impl<O: Objective> Problem<O> {
    pub fn new(objective: O, n: usize, max_evaluations: usize) -> Self {
        Problem {
            objective,
            n,
            max_evaluations,
            enforce_budget: false,
            evaluations: Evaluations::default(),
        }
    }

    pub fn dimension(&self) -> usize {
        self.n
    }

    pub fn start_budget(&mut self) {
        self.enforce_budget = true;
    }

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

    fn check_len(&self, what: &'static str, found: usize) -> Result<(), Halt> {
        if found == self.n {
            Ok(())
        } else {
            Err(Halt::Fault(Error::DimensionMismatch {
                what,
                expected: self.n,
                found,
            }))
        }
    }

    pub fn value(&mut self, x: &[f64]) -> Result<f64, Halt> {
        self.charge()?;
        self.evaluations.value += 1;
        Ok(self.objective.value(x))
    }

    pub fn gradient(&mut self, x: &[f64]) -> Result<(f64, Vec<f64>), Halt> {
        self.charge()?;
        self.evaluations.gradient += 1;
        let (f, g) = self.objective.gradient(x);
        self.check_len("gradient", g.len())?;
        Ok((f, g))
    }

    pub fn hessian(&mut self, x: &[f64]) -> Result<(f64, Vec<f64>, Vec<f64>), Halt> {
        self.charge()?;
        self.evaluations.hessian += 1;
        let (f, g, h) = self.objective.hessian(x);
        self.check_len("gradient", g.len())?;
        self.check_len("Hessian row count", h.nrows())?;
        self.check_len("Hessian column count", h.ncols())?;
        Ok((f, g, h.as_slice().to_vec()))
    }

    pub fn hvp(&mut self, x: &[f64], v: &[f64]) -> Result<(f64, Vec<f64>, Vec<f64>), Halt> {
        self.charge()?;
        self.evaluations.hvp += 1;
        let (f, g, hv) = self.objective.hvp(x, v);
        self.check_len("gradient", g.len())?;
        self.check_len("Hessian-vector product", hv.len())?;
        Ok((f, g, hv))
    }

    /// Evaluates `x` with what the method needs there.
    pub fn point(&mut self, x: Vec<f64>, need: Need) -> Result<Point, Halt> {
        match need {
            Need::Gradient => {
                let (f, g) = self.gradient(&x)?;
                Ok(Point {
                    x,
                    f,
                    g,
                    hessian: None,
                })
            }
            Need::Hessian => {
                let (f, g, h) = self.hessian(&x)?;
                Ok(Point {
                    x,
                    f,
                    g,
                    hessian: Some(h),
                })
            }
        }
    }
}

/// `x + α p`.
pub(crate) fn moved(x: &[f64], alpha: f64, p: &[f64]) -> Vec<f64> {
    x.iter().zip(p).map(|(xi, pi)| xi + alpha * pi).collect()
}

pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Every closure over reverse-mode variables is an objective: one recording of the closure
/// gives f and ∇f together (`curvature_ad::gradient`); Hessian-vector products run
/// forward-over-reverse on the same recording, and dense Hessians come from
/// `curvature_ad::hessian`. `value` records without a reverse sweep.
///
/// Each call records afresh rather than replaying a stored tape: on chained Rosenbrock with
/// n = 1000, replay + gradient took 87 µs against 101 µs for record + gradient, too little to
/// pay for a per-objective tape cache — and a fresh recording can never follow a stale branch.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::Newton;
/// use num_traits::Float;
/// let rosenbrock = |x: &[Var]| (x[0] - 1.0).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
/// let s = Newton::new().minimize(rosenbrock, &[-1.2, 1.0]).unwrap();
/// assert!(s.converged() && (s.x[0] - 1.0).abs() < 1e-8);
/// ```
impl<F: Fn(&[Var]) -> Var> Objective for F {
    fn value(&self, x: &[f64]) -> f64 {
        Tape::record(self, x).value()
    }

    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        curvature_ad::gradient(self, x)
    }

    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
        curvature_ad::hessian(self, x)
    }

    fn hvp(&self, x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        curvature_ad::hvp(self, x, v)
    }
}
