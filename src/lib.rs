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

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use curvature_ad as ad;
pub use curvature_ad::{
    derivative, gradient, hessian, hvp, jacobian, second_derivative, sparse_hessian, BranchChanged,
    Dual, Dual2, DualN, Lanes, Matrix, Scalar, SparseMatrix, Tangent, Tape, Var,
};
pub use curvature_optim as optim;

/// Everything a user of Curvature needs, including `num_traits::Float` so the elementary
/// functions are in scope on `Var` and `Dual`.
pub mod prelude {
    pub use curvature_ad::{
        derivative, gradient, hessian, hvp, jacobian, second_derivative, sparse_hessian,
        BranchChanged, Dual, Dual2, Matrix, Scalar, SparseMatrix, Tape, Var,
    };
    pub use curvature_optim::{
        Bfgs, Bounds, BoundsReport, Damping, Dfp, Fit, GaussNewton, GradientDescent, Lbfgs, LbfgsB,
        LeastSquares, LevenbergMarquardt, LineSearch, Newton, Newton1d, NewtonCg, NewtonSystem,
        Objective, ProjectedNewton, Residuals, Secant, Solution, Termination,
    };
    pub use num_traits::{Float, FloatConst, FromPrimitive, NumCast, One, ToPrimitive, Zero};
}
