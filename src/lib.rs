//! Curvature: exact gradients, Hessian-vector products and Hessians of ordinary Rust
//! closures, and the second-order optimizers that use them.
//!
//! `use curvature::prelude::*;` is all a user needs:
//!
//! ```
//! use curvature::prelude::*;
//!
//! // The seed's Booth function: f(x, y) = (x + 2y - 7)² + (2x + y - 5)².
//! let booth = |x: &[Var]| (x[0] + 2.0 * x[1] - 7.0).powi(2) + (2.0 * x[0] + x[1] - 5.0).powi(2);
//! let (f, g) = gradient(booth, &[9.0, 8.0]);
//! assert_eq!((f, g), (765.0, vec![120.0, 114.0]));
//! let (_, _, h) = hessian(booth, &[9.0, 8.0]);
//! assert_eq!(h.as_slice(), &[10.0, 8.0, 8.0, 10.0]);
//! ```

//! # Features
//!
//! All off by default; each is forwarded to the member crate that implements it, so
//! `curvature = { version = "0.1", features = [...] }` is the only dependency needed.
//!
//! | feature | adds | where |
//! |---|---|---|
//! | `nalgebra` | [`Matrix`] ⇄ `DMatrix` (copy; `Matrix::as_nalgebra` view without copy), [`SparseMatrix`] ⇄ nalgebra-sparse `CscMatrix` (arrays moved); `curvature::nalgebra`, `curvature::nalgebra_sparse` re-exported | [`interop`] |
//! | `faer` | [`Matrix`] ⇄ `Mat` (copy; `Matrix::as_faer` view), [`SparseMatrix`] ⇄ `SparseColMat` (moved; `SparseMatrix::as_faer` view); `curvature::faer` | [`interop`] |
//! | `ndarray` | [`Matrix`] ⇄ `Array2` (moved both ways in standard layout; `Matrix::as_ndarray` view), [`SparseMatrix`] → dense `Array2`; `curvature::ndarray` | [`interop`] |
//! | `serde` | `Serialize`/`Deserialize` for [`Solution`], [`Fit`], [`Termination`], [`Iteration`], [`Evaluations`], [`Matrix`], [`SparseMatrix`]; reading a matrix checks its shape | the types themselves |
//! | `argmin` | `curvature::argmin::ArgminProblem`: any [`Objective`] (closures over [`Var`] included) as an argmin 0.11 problem with exact `Gradient`, dense `Hessian` or Hessian-vector products; `FromArgmin`: an argmin problem as an [`Objective`]; argmin's `core`, `solver` and `math` re-exported there | `curvature::argmin` |
//!
//! Gradients are `Vec<f64>` and points are `&[f64]`, which every one of these crates builds
//! from or lends without copying (`DVector::from_vec`, `Array1::from_vec`,
//! `ColRef::from_slice`; `v.as_slice()` the other way). With serde_json, enable its
//! `float_roundtrip` feature for bit-exact numbers (its default parser can be one ulp off);
//! JSON has no NaN or infinity, so a `Solution` holding non-finite numbers does not
//! round-trip through serde_json (it fails with an error when read back), while binary
//! formats keep them.

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use curvature_ad as ad;
pub use curvature_ad::interop;
pub use curvature_ad::num_traits;
pub use curvature_ad::{
    derivative, gradient, hessian, hvp, jacobian, second_derivative, set_huge_pages,
    sparse_hessian, BranchChanged, Dual, Dual2, DualN, HessianColoring, Lanes, Matrix, Scalar,
    ShapeError, SparseMatrix, SparsityPattern, Tangent, Tape, Var,
};
pub use curvature_ad::{vector, SharedMatrix, VectorOps};
pub use curvature_optim as optim;
pub use curvature_optim::{
    line_search, train, Bfgs, BfgsUpdate, Bounds, BoundsReport, Damping, Dfp, DfpUpdate, Error,
    Evaluations, Fit, GaussNewton, GradientDescent, HvpOperator, Identifiability, InitialScaling,
    InverseUpdate, Iteration, Lbfgs, LbfgsB, LeastSquares, LevenbergMarquardt, LineSearch, Newton,
    Newton1d, NewtonCg, NewtonSystem, NoCovariance, NonFiniteEntry, Objective, Preconditioner,
    ProjectedNewton, QuasiNewton, RecordEachCall, Residuals, Secant, Solution, StepSolver,
    Subproblem, Termination, TrustRegion, Undetermined, Univariate, VarClosure,
};

/// The faer version of the `faer` conversions.
#[cfg(feature = "faer")]
pub use curvature_ad::faer;
/// The nalgebra version of the `nalgebra` conversions.
#[cfg(feature = "nalgebra")]
pub use curvature_ad::nalgebra;
/// The nalgebra-sparse version of the `nalgebra` conversions.
#[cfg(feature = "nalgebra")]
pub use curvature_ad::nalgebra_sparse;
/// The ndarray version of the `ndarray` conversions.
#[cfg(feature = "ndarray")]
pub use curvature_ad::ndarray;
/// The argmin adapters ([`ArgminProblem`](argmin::ArgminProblem),
/// [`FromArgmin`](argmin::FromArgmin)) with argmin's `core`, `solver` and argmin-math
/// (`math`) re-exported beside them.
#[cfg(feature = "argmin")]
pub use curvature_optim::argmin;

/// Everything a user of Curvature needs, including `num_traits::Float` so the elementary
/// functions are in scope on `Var` and `Dual`.
///
/// The prelude is meant to be glob-imported next to std's, so it leaves out the one
/// num-traits trait that collides with it: `NumCast`, whose associated function `from` would
/// make every `Var::from(0.0)`, `Dual::from(1.0)` and `f64::from(2u8)` ambiguous with
/// `From::from`. Generic code `fn f<T: Float>` still reaches `T::from(100.0)` through its
/// `Float` bound; name the trait (`curvature::num_traits::NumCast`) only to call it on a
/// concrete type.
///
/// ```
/// use curvature::prelude::*;
/// let f = |x: &[Var]| x.iter().fold(Var::from(0.0), |acc, &xi| acc + xi * xi);
/// assert_eq!(gradient(f, &[1.0, -2.0]), (5.0, vec![2.0, -4.0]));
/// assert_eq!(f64::from(3u8), 3.0);
/// ```
pub mod prelude {
    pub use curvature_ad::{
        derivative, gradient, hessian, hvp, jacobian, second_derivative, sparse_hessian,
        BranchChanged, Dual, Dual2, DualN, Matrix, Rounded, Scalar, SharedMatrix, SparseMatrix,
        SparsityPattern, Tape, Var, VectorOps,
    };
    pub use curvature_optim::{
        Bfgs, Bounds, BoundsReport, Damping, Dfp, Evaluations, Fit, GaussNewton, GradientDescent,
        Iteration, Lbfgs, LbfgsB, LeastSquares, LevenbergMarquardt, LineSearch, Newton, Newton1d,
        NewtonCg, NewtonSystem, Objective, Preconditioner, ProjectedNewton, RecordEachCall,
        Residuals, Secant, Solution, Subproblem, Termination, TrustRegion,
    };
    pub use num_traits::{Float, FloatConst, FromPrimitive, One, ToPrimitive, Zero};
}
