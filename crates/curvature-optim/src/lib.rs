//! Optimizers that consume the derivatives of `curvature-ad`.
//!
//! Every solver is a small struct built with `::new()` and builder methods, run with
//! `minimize(objective, &x0)`, returning a [`Solution`] whose [`Termination`] says exactly
//! why it stopped (printing a `Solution` or a [`Fit`] gives a readable report). Objectives
//! are closures over `curvature_ad::Var` or hand-written [`Objective`] implementations.
//!
//! | solver | step |
//! |---|---|
//! | [`GradientDescent`] | `x − α∇f`, fixed α or line search |
//! | [`Newton`] | `x − α(H + τI)⁻¹∇f` (Cholesky, τ makes it positive definite); `pure()`: `x − H⁻¹∇f` |
//! | [`TrustRegion`] | `x + p`, p minimizing the quadratic model in `‖p‖ ≤ Δ` ([`Subproblem`]: Moré–Sorensen, Steihaug-CG, dogleg), Δ adapted by the ratio actual/predicted reduction |
//! | [`NewtonCg`] | `x + αp`, p from conjugate gradients on `Hp = −∇f` (Hessian-vector products only, truncated at `‖r‖ ≤ η‖∇f‖` or negative curvature) |
//! | [`Newton1d`], [`Secant`] | `x − f'/f''`; `x − f'·Δx/Δf'` |
//! | [`LevenbergMarquardt`] | `x − (H + δD)⁻¹∇f`, accepted only if f decreases |
//! | [`Dfp`], [`Bfgs`] | `x − αQ∇f`, Q a rank-two-updated inverse Hessian |
//! | [`Lbfgs`] | `x − αQ∇f`, Q implicit from the last m steps |
//!
//! Bounds `l ≤ x ≤ u` ([`Bounds`]) are accepted by
//!
//! | solver | step |
//! |---|---|
//! | [`LbfgsB`] | generalized Cauchy point of the L-BFGS model on the box, subspace minimization, line search to the boundary |
//! | [`ProjectedNewton`] | `P(x + αp)`: Newton on the free variables (Cholesky or CG on HVPs), gradient on the active ones (Bertsekas) |
//! | [`LeastSquares::bounds`] | projected trust-region Levenberg–Marquardt |
//!
//! Least squares `min ½‖r(x)‖²` has its own solvers over [`Residuals`] (closures
//! `Fn(&[Var]) -> Vec<Var>` or hand-written), returning a [`Fit`] (a `Solution` plus RSS,
//! covariance and standard errors):
//!
//! | solver | step |
//! |---|---|
//! | [`LeastSquares`] | `x − (JᵀJ + λD²)⁻¹Jᵀr`, λ for the trust radius (MINPACK-style LM, QR solve) |
//! | [`GaussNewton`] | `x − αJ⁺r`, α by backtracking |
//!
//! ```
//! use curvature_ad::Var;
//! use curvature_optim::{Bfgs, Newton, Termination};
//! use num_traits::Float;
//!
//! // Rosenbrock's banana, minimum f(1, 1) = 0, from the classical start (−1.2, 1).
//! let f = |x: &[Var]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
//! let newton = Newton::new().minimize(f, &[-1.2, 1.0]).unwrap();
//! let bfgs = Bfgs::new().minimize(f, &[-1.2, 1.0]).unwrap();
//! assert_eq!(newton.termination, Termination::GradientTolerance);
//! assert!(newton.iterations < bfgs.iterations); // quadratic vs superlinear convergence
//! assert!((bfgs.x[0] - 1.0).abs() < 1e-6 && bfgs.converged());
//! ```

//! # Features
//!
//! All off by default:
//!
//! | feature | adds |
//! |---|---|
//! | `serde` | `Serialize`/`Deserialize` for [`Solution`], [`Fit`], [`Termination`], [`Iteration`], [`Evaluations`] (and `curvature-ad`'s matrices, which `Fit` holds) |
//! | `argmin` | `argmin::ArgminProblem`: any [`Objective`] as an argmin 0.11 problem with exact gradient, dense Hessian or Hessian-vector products; `argmin::FromArgmin`: an argmin problem as an [`Objective`] |
//!
//! With serde_json, enable its `float_roundtrip` feature to read every f64 back bit for bit.
//! JSON has no NaN or infinity: serde_json writes them as `null` and refuses to read `null`
//! back as a number, so a `Solution` holding non-finite values (a run that ended
//! `NonFinite`, a least-squares history row whose gradient was never evaluated) fails to
//! round-trip through JSON with an error; binary formats keep IEEE values exactly.

// Tests are written as `!(x < bound)` on purpose: a NaN must fail every acceptance test,
// and the negated form says so where `x >= bound` would silently let NaN through.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
#![deny(missing_docs)]

#[cfg(feature = "argmin")]
pub mod argmin;
mod bfgs;
mod bounds;
mod dfp;
mod driver;
mod error;
mod fit;
mod gauss_newton;
mod gradient_descent;
mod hessian;
mod identifiability;
mod lazy_hessian;
mod lbfgs;
mod lbfgsb;
mod least_squares;
mod levenberg_marquardt;
mod linalg;
pub mod line_search;
mod lm_parameter;
mod newton;
mod newton1d;
mod newton_cg;
mod non_finite;
mod objective;
mod precision;
mod products;
mod projected_newton;
mod qr;
mod quasi_newton;
mod reduce;
mod report;
mod residuals;
mod secant;
mod solution;
pub mod train;
mod trust_region;
mod univariate;

pub use bfgs::{Bfgs, BfgsUpdate};
pub use bounds::{Bounds, BoundsReport};
pub use curvature_ad::Matrix;
pub use dfp::{Dfp, DfpUpdate};
pub use error::Error;
pub use fit::Fit;
pub use gauss_newton::GaussNewton;
pub use gradient_descent::GradientDescent;
pub use identifiability::{Identifiability, NoCovariance, Undetermined};
pub use lbfgs::Lbfgs;
pub use lbfgsb::LbfgsB;
pub use least_squares::{LeastSquares, StepSolver};
pub use levenberg_marquardt::{Damping, LevenbergMarquardt};
pub use line_search::LineSearch;
pub use newton::Newton;
pub use newton1d::Newton1d;
pub use newton_cg::{NewtonCg, Preconditioner};
pub use non_finite::NonFiniteEntry;
pub use objective::{HvpOperator, Objective, RecordEachCall, VarClosure};
pub use projected_newton::{NewtonSystem, ProjectedNewton};
pub use quasi_newton::{InitialScaling, InverseUpdate, QuasiNewton};
pub use residuals::Residuals;
pub use secant::Secant;
pub use solution::{Evaluations, Iteration, Solution, Termination};
pub use trust_region::{Subproblem, TrustRegion};
pub use univariate::Univariate;
