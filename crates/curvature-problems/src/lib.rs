//! Unconstrained optimization test problems with standard starts and known minima, written
//! once generically over `num_traits::Float` so they run on `f64`, dual numbers and tape
//! variables unchanged.
//!
//! * [`mgh`]: the 35 problems of Moré, Garbow and Hillstrom, "Testing Unconstrained
//!   Optimization Software", ACM TOMS 7 (1981) 17–41, as residual vectors `r: ℝⁿ → ℝᵐ` with
//!   `f(x) = Σᵢ rᵢ(x)²`, in the paper's dimensions (standard ones chosen and documented for
//!   the variable-size problems), starting points and published minima. [`Mgh::ALL`] lists
//!   them in the paper's order.
//! * [`large_scale`]: CUTEst-style problems of any size n with known minima (chained
//!   Rosenbrock, TRIDIA, DQDRTIC, extended Wood, Broyden tridiagonal, ARWHEAD, extended
//!   Powell singular), as plain generic functions and as the table [`Scalable::ALL`].
//!
//! ```
//! use curvature_problems::{Mgh, Scalable};
//!
//! // Wood's function at its standard start and at its minimizer.
//! let wood = Mgh::Wood;
//! assert!((wood.value(&wood.x0()) - 19192.0).abs() < 1e-9);
//! assert_eq!(wood.value(&wood.x_min().unwrap()), wood.f_min());
//!
//! // The same function, extended to n = 8, from the large-scale collection.
//! let x0 = Scalable::ExtendedWood.x0(8).unwrap();
//! assert_eq!(Scalable::ExtendedWood.value(&x0), 2.0 * 19192.0);
//! ```
#![deny(missing_docs)]

pub mod large_scale;
pub mod mgh;

pub use large_scale::{DimensionError, Scalable};
pub use mgh::Mgh;

use num_traits::Float;

/// The constant `v` in the scalar type `T` (constants of `Var` and `Dual` are not recorded).
///
/// # Panics
/// If `T` cannot represent `v`, which no floating-point type in this workspace does.
pub(crate) fn c<T: Float>(v: f64) -> T {
    T::from(v).expect("a finite f64 constant converts to every Float type")
}

/// Σ of the terms, without a leading zero: on a tape the sum of k terms records k − 1
/// additions and nothing else.
pub(crate) fn sum<T: Float>(terms: impl Iterator<Item = T>) -> T {
    terms.reduce(|s, t| s + t).unwrap_or_else(T::zero)
}
