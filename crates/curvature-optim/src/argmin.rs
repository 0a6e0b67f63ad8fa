//! Curvature objectives as argmin problems, and argmin problems as Curvature objectives
//! (feature `argmin`).
//!
//! [`ArgminProblem`] wraps any [`Objective`] — a closure over `Var` included — so argmin's
//! solvers run on exact derivatives: argmin's `CostFunction` is f, `Gradient` is ∇f, and
//! `Hessian` is either the dense ∇²f (`Vec<Vec<f64>>`, rows, argmin-math's `vec` backend) or,
//! after [`ArgminProblem::hessian_products`], a [`HessianAt`] operator whose `dot(v)` is the
//! Hessian-vector product ∇²f(x)·v. argmin's Newton-CG and Steihaug trust region only ever
//! take `H.dot(v)`, so with the operator they never form the n × n matrix.
//!
//! [`FromArgmin`] goes the other way: an argmin problem (`CostFunction` + `Gradient` over
//! `Vec<f64>`) becomes an [`Objective`] for this crate's solvers.
//!
//! Parameters are `Vec<f64>` (argmin-math's `vec` backend, which every argmin solver used
//! here supports); a point in a nalgebra or ndarray vector passes as `v.as_slice()`.
//!
//! ```
//! use argmin::core::{Executor, State};
//! use argmin::solver::trustregion::{Steihaug, TrustRegion};
//! use curvature_ad::Var;
//! use curvature_optim::argmin::ArgminProblem;
//! use num_traits::Float;
//!
//! // Rosenbrock's banana, minimum f(1, 1) = 0, by argmin's trust-region Newton method whose
//! // Steihaug-CG subproblem only multiplies by the Hessian: exact HVPs, no n × n matrix.
//! let rosenbrock = |x: &[Var]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
//! let problem = ArgminProblem::new(rosenbrock).hessian_products();
//! let solver = TrustRegion::new(Steihaug::new().with_max_iters(20));
//! let result = Executor::new(problem, solver)
//!     .configure(|state| state.param(vec![-1.2, 1.0]).max_iters(100))
//!     .run()
//!     .unwrap();
//! let x = result.state.get_best_param().unwrap();
//! assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6);
//! ```

/// argmin's executor, states and traits, re-exported so that the version matches the adapter.
pub use ::argmin::core;
/// argmin's solvers.
pub use ::argmin::solver;
/// argmin-math, whose `ArgminDot` is how [`HessianAt`] multiplies.
pub use ::argmin_math as math;

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ::argmin::core::{CostFunction, Error, Gradient, Hessian};
use ::argmin_math::ArgminDot;

use crate::Objective;

/// Marker: [`ArgminProblem`]'s `Hessian` is the dense matrix `Vec<Vec<f64>>` (row i is
/// `∂²f/∂xᵢ∂x·`), for argmin solvers that factor or invert it.
#[derive(Clone, Copy, Debug)]
pub struct DenseHessian;

/// Marker: [`ArgminProblem`]'s `Hessian` is the operator [`HessianAt`], for argmin solvers
/// that only multiply by it (Newton-CG, Steihaug).
#[derive(Clone, Copy, Debug)]
pub struct HessianProducts;

/// An [`Objective`] seen by argmin: `cost(x) = f(x)`, `gradient(x) = ∇f(x)`, and `hessian(x)`
/// the dense ∇²f(x) or (after [`hessian_products`](Self::hessian_products)) the operator
/// `v ↦ ∇²f(x)·v`.
///
/// Every derivative is exact: for closures over `Var` they come from curvature-ad (one
/// recording and reverse sweep for ∇f, forward-over-reverse for products and Hessians).
/// A gradient, Hessian or product of the wrong length is an argmin `Error`, not a panic
/// inside the solver.
///
/// ```
/// use argmin::core::{CostFunction, Gradient, Hessian};
/// use curvature_ad::Var;
/// use curvature_optim::argmin::ArgminProblem;
/// // f = x₀²x₁ + x₁³: ∇f = (2x₀x₁, x₀² + 3x₁²), ∇²f = [[2x₁, 2x₀], [2x₀, 6x₁]].
/// let p = ArgminProblem::new(|x: &[Var]| x[0] * x[0] * x[1] + x[1] * x[1] * x[1]);
/// let x = vec![1.0, 2.0];
/// assert_eq!(p.cost(&x).unwrap(), 10.0);
/// assert_eq!(p.gradient(&x).unwrap(), vec![4.0, 13.0]);
/// assert_eq!(p.hessian(&x).unwrap(), vec![vec![4.0, 2.0], vec![2.0, 12.0]]);
/// ```
pub struct ArgminProblem<O, H = DenseHessian> {
    objective: Arc<O>,
    products: Arc<AtomicUsize>,
    form: PhantomData<H>,
}

impl<O: Objective> ArgminProblem<O> {
    /// Wraps `objective`, with the dense Hessian.
    pub fn new(objective: O) -> Self {
        ArgminProblem {
            objective: Arc::new(objective),
            products: Arc::new(AtomicUsize::new(0)),
            form: PhantomData,
        }
    }
}

impl<O: Objective, H> ArgminProblem<O, H> {
    /// The same problem with the Hessian as an operator (see [`HessianAt`]).
    pub fn hessian_products(self) -> ArgminProblem<O, HessianProducts> {
        ArgminProblem {
            objective: self.objective,
            products: self.products,
            form: PhantomData,
        }
    }

    /// The wrapped objective.
    pub fn objective(&self) -> &O {
        &self.objective
    }

    /// How many Hessian-vector products the [`HessianAt`] operators of this problem have
    /// computed (argmin's own counts see one `hessian` call per operator, not its products).
    pub fn hessian_product_count(&self) -> usize {
        self.products.load(Ordering::Relaxed)
    }
}

impl<O, H> Clone for ArgminProblem<O, H> {
    fn clone(&self) -> Self {
        ArgminProblem {
            objective: Arc::clone(&self.objective),
            products: Arc::clone(&self.products),
            form: PhantomData,
        }
    }
}

impl<O, H> fmt::Debug for ArgminProblem<O, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArgminProblem")
            .field("hessian", &std::any::type_name::<H>())
            .field("hessian_products", &self.products.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// `Err` unless a derivative has the point's length n.
fn check_len(what: &str, found: usize, n: usize) -> Result<(), Error> {
    if found == n {
        Ok(())
    } else {
        Err(Error::msg(format!(
            "curvature objective returned a {what} of length {found} at a point of length {n}"
        )))
    }
}

impl<O: Objective, H> CostFunction for ArgminProblem<O, H> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
        Ok(self.objective.value(x))
    }
}

impl<O: Objective, H> Gradient for ArgminProblem<O, H> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
        let (_, g) = self.objective.gradient(x);
        check_len("gradient", g.len(), x.len())?;
        Ok(g)
    }
}

impl<O: Objective> Hessian for ArgminProblem<O, DenseHessian> {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;
    fn hessian(&self, x: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
        let (_, _, h) = self.objective.hessian(x);
        check_len("Hessian (rows)", h.nrows(), x.len())?;
        check_len("Hessian (columns)", h.ncols(), x.len())?;
        Ok((0..h.nrows()).map(|i| h.row(i).to_vec()).collect())
    }
}

impl<O: Objective> Hessian for ArgminProblem<O, HessianProducts> {
    type Param = Vec<f64>;
    type Hessian = HessianAt<O>;
    fn hessian(&self, x: &Vec<f64>) -> Result<HessianAt<O>, Error> {
        Ok(HessianAt {
            objective: Arc::clone(&self.objective),
            x: x.clone(),
            products: Arc::clone(&self.products),
        })
    }
}

/// The Hessian of an objective at a point x as argmin sees an operator: `h.dot(&v)` is
/// `∇²f(x)·v`, computed when asked (for closures over `Var`: one recording and one
/// forward-over-reverse sweep, a small multiple of the cost of f, whatever n).
///
/// ```
/// use argmin::core::Hessian;
/// use argmin_math::ArgminDot;
/// use curvature_ad::Var;
/// use curvature_optim::argmin::ArgminProblem;
/// // f = x₀²x₁ + x₁³ at (1, 2): ∇²f = [[4, 2], [2, 12]].
/// let p = ArgminProblem::new(|x: &[Var]| x[0] * x[0] * x[1] + x[1] * x[1] * x[1])
///     .hessian_products();
/// let h = p.hessian(&vec![1.0, 2.0]).unwrap();
/// assert_eq!(h.dot(&vec![1.0, 0.0]), vec![4.0, 2.0]);
/// assert_eq!(h.dot(&vec![0.0, 1.0]), vec![2.0, 12.0]);
/// assert_eq!(p.hessian_product_count(), 2);
/// ```
pub struct HessianAt<O> {
    objective: Arc<O>,
    x: Vec<f64>,
    products: Arc<AtomicUsize>,
}

impl<O> HessianAt<O> {
    /// The point x the Hessian is taken at.
    pub fn point(&self) -> &[f64] {
        &self.x
    }
}

impl<O> Clone for HessianAt<O> {
    fn clone(&self) -> Self {
        HessianAt {
            objective: Arc::clone(&self.objective),
            x: self.x.clone(),
            products: Arc::clone(&self.products),
        }
    }
}

impl<O> fmt::Debug for HessianAt<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HessianAt")
            .field("x", &self.x)
            .finish_non_exhaustive()
    }
}

impl<O: Objective> ArgminDot<Vec<f64>, Vec<f64>> for HessianAt<O> {
    /// `∇²f(x)·v`.
    ///
    /// # Panics
    /// If `v` does not have the point's length, or the objective returns a product of
    /// another length (argmin's `dot` cannot return an error).
    fn dot(&self, v: &Vec<f64>) -> Vec<f64> {
        let n = self.x.len();
        assert_eq!(
            v.len(),
            n,
            "HessianAt::dot: direction length vs point length"
        );
        self.products.fetch_add(1, Ordering::Relaxed);
        let (_, _, hv) = self.objective.hvp(&self.x, v);
        assert_eq!(
            hv.len(),
            n,
            "HessianAt::dot: the objective's product has the wrong length"
        );
        hv
    }
}

/// Marker: [`FromArgmin`] approximates the Hessian by central differences of the argmin
/// problem's gradient (the [`Objective::hessian`] default, `2n + 1` gradient calls).
#[derive(Clone, Copy, Debug)]
pub struct DifferencedHessian;

/// An argmin problem as an [`Objective`] for this crate's solvers: f is its `cost`, ∇f its
/// `gradient`, and ∇²f its `hessian` after [`with_hessian`](Self::with_hessian) (otherwise
/// central differences of the gradient, see [`Objective::hessian`]).
///
/// `Objective` methods cannot fail, so an `Err` from the argmin problem becomes NaN, which the
/// solvers treat like any non-finite value (`Error::NonFiniteAtStart` at x₀; later a
/// shorter line-search step or `Termination::NonFinite` at the last finite point), and
/// [`error`](Self::error) returns the first error's message. The objective is implemented
/// for `&FromArgmin`, so the wrapper stays with the caller to be asked afterwards.
///
/// ```
/// use argmin::core::{CostFunction, Error, Gradient};
/// use curvature_optim::argmin::FromArgmin;
/// use curvature_optim::Bfgs;
///
/// /// f = (x₀ − 1)² + 4(x₁ + 2)², written for argmin.
/// struct Bowl;
/// impl CostFunction for Bowl {
///     type Param = Vec<f64>;
///     type Output = f64;
///     fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
///         Ok((x[0] - 1.0).powi(2) + 4.0 * (x[1] + 2.0).powi(2))
///     }
/// }
/// impl Gradient for Bowl {
///     type Param = Vec<f64>;
///     type Gradient = Vec<f64>;
///     fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
///         Ok(vec![2.0 * (x[0] - 1.0), 8.0 * (x[1] + 2.0)])
///     }
/// }
/// let bowl = FromArgmin::new(Bowl);
/// let s = Bfgs::new().minimize(&bowl, &[0.0, 0.0]).unwrap();
/// assert!(s.converged() && (s.x[0] - 1.0).abs() < 1e-6 && (s.x[1] + 2.0).abs() < 1e-6);
/// assert_eq!(bowl.error(), None);
/// ```
pub struct FromArgmin<P, H = DifferencedHessian> {
    problem: P,
    error: Mutex<Option<String>>,
    form: PhantomData<H>,
}

impl<P> FromArgmin<P> {
    /// Wraps an argmin problem; its Hessian is approximated from its gradient.
    pub fn new(problem: P) -> Self {
        FromArgmin {
            problem,
            error: Mutex::new(None),
            form: PhantomData,
        }
    }

    /// Uses the problem's own argmin `Hessian` (dense `Vec<Vec<f64>>`, rows) instead.
    pub fn with_hessian(self) -> FromArgmin<P, DenseHessian>
    where
        P: Hessian<Param = Vec<f64>, Hessian = Vec<Vec<f64>>>,
    {
        FromArgmin {
            problem: self.problem,
            error: self.error,
            form: PhantomData,
        }
    }
}

impl<P, H> FromArgmin<P, H> {
    /// The wrapped argmin problem.
    pub fn problem(&self) -> &P {
        &self.problem
    }

    /// The first error the argmin problem returned (each became NaN for the solver).
    pub fn error(&self) -> Option<String> {
        self.error
            .lock()
            .map_or_else(|e| e.into_inner().clone(), |e| e.clone())
    }

    /// Keeps the message of the first error.
    fn record(&self, e: Error) {
        let mut first = self.error.lock().unwrap_or_else(|p| p.into_inner());
        first.get_or_insert_with(|| format!("{e:#}"));
    }

    /// `Ok` values pass; an `Err` is recorded and becomes `fallback`.
    fn or_record<T>(&self, result: Result<T, Error>, fallback: impl FnOnce() -> T) -> T {
        result.unwrap_or_else(|e| {
            self.record(e);
            fallback()
        })
    }
}

impl<P, H> fmt::Debug for FromArgmin<P, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FromArgmin")
            .field("error", &self.error())
            .finish_non_exhaustive()
    }
}

/// The value and gradient every `FromArgmin` shares, whatever its Hessian.
fn value_and_gradient<P, H>(from: &FromArgmin<P, H>, x: &[f64]) -> (f64, Vec<f64>)
where
    P: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    let x = x.to_vec();
    let f = from.or_record(from.problem.cost(&x), || f64::NAN);
    let g = from.or_record(from.problem.gradient(&x), || vec![f64::NAN; x.len()]);
    (f, g)
}

impl<P> Objective for &FromArgmin<P, DifferencedHessian>
where
    P: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>,
{
    fn value(&self, x: &[f64]) -> f64 {
        self.or_record(self.problem.cost(&x.to_vec()), || f64::NAN)
    }

    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        value_and_gradient(self, x)
    }
}

impl<P> Objective for &FromArgmin<P, DenseHessian>
where
    P: CostFunction<Param = Vec<f64>, Output = f64>
        + Gradient<Param = Vec<f64>, Gradient = Vec<f64>>
        + Hessian<Param = Vec<f64>, Hessian = Vec<Vec<f64>>>,
{
    fn value(&self, x: &[f64]) -> f64 {
        self.or_record(self.problem.cost(&x.to_vec()), || f64::NAN)
    }

    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        value_and_gradient(self, x)
    }

    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, curvature_ad::Matrix) {
        let n = x.len();
        let (f, g) = value_and_gradient(self, x);
        let rows = self.or_record(self.problem.hessian(&x.to_vec()), || {
            vec![vec![f64::NAN; n]; n]
        });
        // A ragged or mis-sized argmin Hessian is reported as the wrong shape, which the
        // solvers turn into `Error::DimensionMismatch`.
        let (nrows, ncols) = (rows.len(), rows.first().map_or(0, Vec::len));
        if rows.iter().any(|r| r.len() != ncols) {
            self.record(Error::msg("argmin Hessian has rows of different lengths"));
            return (f, g, curvature_ad::Matrix::zeros(0, 0));
        }
        let h = curvature_ad::Matrix::from_row_major(nrows, ncols, rows.concat());
        (f, g, h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GradientDescent, LineSearch, Newton, Termination};
    use ::argmin::core::{Executor, State};
    use ::argmin::solver::linesearch::MoreThuenteLineSearch;
    use ::argmin::solver::quasinewton::LBFGS;
    use ::argmin::solver::trustregion::{Steihaug, TrustRegion};
    use curvature_ad::Var;
    use num_traits::Float;

    /// f = exp(x₀) + x₀x₁² with hand-written derivatives: ∇f = (eˣ⁰ + x₁², 2x₀x₁),
    /// ∇²f = [[eˣ⁰, 2x₁], [2x₁, 2x₀]].
    fn f(x: &[Var]) -> Var {
        x[0].exp() + x[0] * x[1] * x[1]
    }

    #[test]
    fn derivatives_agree_with_the_hand_written_ones() {
        let (a, b) = (0.5f64, -1.5f64);
        let x = vec![a, b];
        let p = ArgminProblem::new(f);
        assert!((p.cost(&x).unwrap() - (a.exp() + a * b * b)).abs() < 1e-15);
        let g = p.gradient(&x).unwrap();
        assert!((g[0] - (a.exp() + b * b)).abs() < 1e-14 && (g[1] - 2.0 * a * b).abs() < 1e-14);
        let h = p.hessian(&x).unwrap();
        let expected = [[a.exp(), 2.0 * b], [2.0 * b, 2.0 * a]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((h[i][j] - expected[i][j]).abs() < 1e-14);
            }
        }
        let op = p.hessian_products().hessian(&x).unwrap();
        let hv = op.dot(&vec![1.0, 2.0]);
        assert!((hv[0] - (expected[0][0] + 2.0 * expected[0][1])).abs() < 1e-14);
        assert!((hv[1] - (expected[1][0] + 2.0 * expected[1][1])).abs() < 1e-14);
    }

    #[test]
    fn a_wrong_length_gradient_is_an_argmin_error() {
        struct Short;
        impl Objective for Short {
            fn value(&self, _: &[f64]) -> f64 {
                0.0
            }
            fn gradient(&self, _: &[f64]) -> (f64, Vec<f64>) {
                (0.0, vec![0.0])
            }
        }
        let e = ArgminProblem::new(Short)
            .gradient(&vec![1.0, 2.0])
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("gradient of length 1 at a point of length 2"),
            "{e}"
        );
    }

    /// Rosenbrock from (−1.2, 1): two argmin solvers reach (1, 1) on our derivatives.
    #[test]
    fn argmin_solvers_reach_rosenbrocks_minimum() {
        let rosenbrock = |x: &[Var]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let lbfgs = LBFGS::new(MoreThuenteLineSearch::new(), 7);
        let r = Executor::new(ArgminProblem::new(rosenbrock), lbfgs)
            .configure(|s| s.param(vec![-1.2, 1.0]).max_iters(200))
            .run()
            .unwrap();
        let x = r.state.get_best_param().unwrap();
        assert!(
            (x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6,
            "{x:?}"
        );

        let problem = ArgminProblem::new(rosenbrock).hessian_products();
        let counter = problem.clone();
        let tr = TrustRegion::new(Steihaug::new().with_max_iters(20));
        let r = Executor::new(problem, tr)
            .configure(|s| s.param(vec![-1.2, 1.0]).max_iters(200))
            .run()
            .unwrap();
        let x = r.state.get_best_param().unwrap();
        assert!(
            (x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6,
            "{x:?}"
        );
        assert!(counter.hessian_product_count() > 0);
    }

    /// f = (x₀ − 1)² + 4(x₁ + 2)² for argmin, with an exact Hessian diag(2, 8); it fails
    /// (an argmin Err) wherever x₀ > 10.
    struct Bowl;
    impl CostFunction for Bowl {
        type Param = Vec<f64>;
        type Output = f64;
        fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
            if x[0] > 10.0 {
                return Err(Error::msg("x₀ > 10 is outside the model"));
            }
            Ok((x[0] - 1.0).powi(2) + 4.0 * (x[1] + 2.0).powi(2))
        }
    }
    impl Gradient for Bowl {
        type Param = Vec<f64>;
        type Gradient = Vec<f64>;
        fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
            self.cost(x)?;
            Ok(vec![2.0 * (x[0] - 1.0), 8.0 * (x[1] + 2.0)])
        }
    }
    impl Hessian for Bowl {
        type Param = Vec<f64>;
        type Hessian = Vec<Vec<f64>>;
        fn hessian(&self, _: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
            Ok(vec![vec![2.0, 0.0], vec![0.0, 8.0]])
        }
    }

    #[test]
    fn an_argmin_problem_with_its_hessian_takes_one_newton_step_on_a_quadratic() {
        let bowl = FromArgmin::new(Bowl).with_hessian();
        let s = Newton::new().minimize(&bowl, &[5.0, 3.0]).unwrap();
        assert_eq!(s.iterations, 1);
        assert!((s.x[0] - 1.0).abs() < 1e-12 && (s.x[1] + 2.0).abs() < 1e-12);
        // Without it, the Hessian is differenced from the gradient: still exact on a quadratic
        // up to round-off, so Newton still lands on the minimizer.
        let differenced = FromArgmin::new(Bowl);
        let s = Newton::new().minimize(&differenced, &[5.0, 3.0]).unwrap();
        assert!(s.converged() && (s.x[0] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn argmin_errors_become_non_finite_values_and_are_kept() {
        // At the start point: the solver refuses x₀ with an error naming the value.
        let bowl = FromArgmin::new(Bowl);
        let e = Newton::new().minimize(&bowl, &[11.0, 0.0]).unwrap_err();
        assert!(
            matches!(
                e,
                crate::Error::NonFiniteAtStart {
                    entry: crate::NonFiniteEntry::Value,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(
            bowl.error().as_deref(),
            Some("x₀ > 10 is outside the model")
        );
        // Mid-run: from (0, −2), ∇f = (−2, 0), so a fixed step of 6 lands on x₀ = 12.
        let bowl = FromArgmin::new(Bowl);
        let s = GradientDescent::new()
            .line_search(LineSearch::Fixed(6.0))
            .minimize(&bowl, &[0.0, -2.0])
            .unwrap();
        assert!(
            matches!(s.termination, Termination::NonFinite(_)),
            "{:?}",
            s.termination
        );
        assert_eq!(s.x, vec![0.0, -2.0]); // the last finite point
        assert_eq!(
            bowl.error().as_deref(),
            Some("x₀ > 10 is outside the model")
        );
    }

    #[test]
    fn a_ragged_argmin_hessian_is_a_dimension_error() {
        struct Ragged;
        impl CostFunction for Ragged {
            type Param = Vec<f64>;
            type Output = f64;
            fn cost(&self, x: &Vec<f64>) -> Result<f64, Error> {
                Ok(x[0] * x[0] + x[1] * x[1])
            }
        }
        impl Gradient for Ragged {
            type Param = Vec<f64>;
            type Gradient = Vec<f64>;
            fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, Error> {
                Ok(vec![2.0 * x[0], 2.0 * x[1]])
            }
        }
        impl Hessian for Ragged {
            type Param = Vec<f64>;
            type Hessian = Vec<Vec<f64>>;
            fn hessian(&self, _: &Vec<f64>) -> Result<Vec<Vec<f64>>, Error> {
                Ok(vec![vec![2.0], vec![0.0, 2.0]])
            }
        }
        let ragged = FromArgmin::new(Ragged).with_hessian();
        let e = Newton::new().minimize(&ragged, &[1.0, 1.0]).unwrap_err();
        assert!(matches!(e, crate::Error::DimensionMismatch { .. }), "{e:?}");
        assert_eq!(
            ragged.error().as_deref(),
            Some("argmin Hessian has rows of different lengths")
        );
    }
}
