//! Tangent spaces of dual numbers: one direction (`T` itself) or N directions at once
//! ([`Lanes`]).

use crate::scalar::Scalar;
use std::fmt;

/// The tangent part of a [`Dual`](crate::Dual): a vector space over the scalar `T`.
///
/// `T` itself is the one-direction tangent; [`Lanes<T, N>`] carries N directions so one sweep
/// computes N Hessian or Jacobian columns. The chain rule only needs these operations, which
/// is why a single `Dual<T, E>` implementation serves every dual type.
pub trait Tangent<T>: Copy + fmt::Debug + Send + Sync + 'static {
    /// Number of directions carried.
    const DIRECTIONS: usize;
    /// The zero tangent.
    fn zeros() -> Self;
    /// `k * self`.
    fn scale(self, k: T) -> Self;
    /// `k * self + m * other`: the chain rule of a binary operation.
    fn combine(self, k: T, other: Self, m: T) -> Self;
    /// Whether every component is exactly zero.
    fn is_zero_tangent(&self) -> bool;
}

impl<T: Scalar> Tangent<T> for T {
    const DIRECTIONS: usize = 1;

    #[inline(always)]
    fn zeros() -> Self {
        <T as num_traits::Zero>::zero()
    }
    #[inline(always)]
    fn scale(self, k: T) -> Self {
        k * self
    }
    #[inline(always)]
    fn combine(self, k: T, other: Self, m: T) -> Self {
        k * self + m * other
    }
    #[inline(always)]
    fn is_zero_tangent(&self) -> bool {
        Scalar::is_exact_zero(self)
    }
}

/// N tangent directions carried side by side: `Dual<T, Lanes<T, N>>` is a value with N
/// directional derivatives, the lane type of Hessian and Jacobian sweeps.
///
/// ```
/// use curvature_ad::{Dual, Lanes};
/// // f(x, y) = x * y at (3, 4), seeded with both unit directions.
/// let x = Dual::new(3.0, Lanes([1.0, 0.0]));
/// let y = Dual::new(4.0, Lanes([0.0, 1.0]));
/// let f = x * y;
/// assert_eq!(f.eps.0, [4.0, 3.0]); // the gradient (y, x)
/// ```
#[derive(Clone, Copy, PartialEq)]
pub struct Lanes<T, const N: usize>(pub [T; N]);

impl<T: fmt::Debug, const N: usize> fmt::Debug for Lanes<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl<T: Scalar, const N: usize> Tangent<T> for Lanes<T, N> {
    const DIRECTIONS: usize = N;

    #[inline(always)]
    fn zeros() -> Self {
        Lanes([<T as num_traits::Zero>::zero(); N])
    }
    #[inline(always)]
    fn scale(self, k: T) -> Self {
        Lanes(self.0.map(|e| k * e))
    }
    #[inline(always)]
    fn combine(self, k: T, other: Self, m: T) -> Self {
        let mut out = self.0;
        for (o, b) in out.iter_mut().zip(other.0) {
            *o = k * *o + m * b;
        }
        Lanes(out)
    }
    #[inline(always)]
    fn is_zero_tangent(&self) -> bool {
        self.0.iter().all(Scalar::is_exact_zero)
    }
}
