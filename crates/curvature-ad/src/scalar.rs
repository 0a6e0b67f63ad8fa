//! The scalar types the sweeps run on.

use num_traits::{Float, FloatConst, FromPrimitive};
use std::fmt::Debug;
use std::iter::{Product, Sum};

/// A number the derivative sweeps can run in: `f64`, or any [`Dual`](crate::Dual) built on
/// a `Scalar` (so `Dual<f64>`, `Dual<Dual<f64>>`, lane duals, ...).
///
/// The elementary functions are written once, generically over `Scalar`; running them in a
/// dual scalar differentiates them again. That is how a first-order rule table yields
/// Hessian-vector products and third derivatives without a hand-written second derivative.
///
/// ```
/// use curvature_ad::{Dual, Scalar};
/// fn cube<S: Scalar>(x: S) -> S { x * x * x }
/// let y = cube(Dual::variable(2.0));
/// assert_eq!((y.re, y.eps), (8.0, 12.0));
/// ```
pub trait Scalar:
    Float + FloatConst + FromPrimitive + Sum + Product + Debug + Default + Send + Sync + 'static
{
    /// How many f64 components the scalar carries (1 for f64, 2 for `Dual<f64>`, 9 for an
    /// 8-lane dual): lets the sweeps skip work that only pays off for wide scalars.
    const WIDTH: usize;

    /// The constant `c` in this scalar type (all tangents zero).
    fn cst(c: f64) -> Self;
    /// Whether the value and every tangent are exactly zero (a structural zero that the
    /// reverse sweep may skip).
    fn is_exact_zero(&self) -> bool;

    /// `self + c` for an f64 constant; dual types override it to leave the tangents alone
    /// instead of adding a zero tangent.
    #[inline(always)]
    fn add_cst(self, c: f64) -> Self {
        self + Self::cst(c)
    }

    /// `self · c` for an f64 constant; dual types override it to scale the tangents instead
    /// of multiplying by a full dual constant.
    #[inline(always)]
    fn mul_cst(self, c: f64) -> Self {
        self * Self::cst(c)
    }
}

impl Scalar for f64 {
    const WIDTH: usize = 1;

    #[inline(always)]
    fn cst(c: f64) -> Self {
        c
    }
    #[inline(always)]
    fn is_exact_zero(&self) -> bool {
        *self == 0.0
    }
}
