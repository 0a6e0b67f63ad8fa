//! Forward mode: dual numbers `re + eps·ε` with `ε² = 0`, nestable.

use crate::elementary::{binary, unary, Op};
use crate::scalar::Scalar;
use crate::tangent::{Lanes, Tangent};
use std::cmp::Ordering;
use std::fmt;

/// A dual number `re + eps·ε` (`ε² = 0`): a value and its directional derivative.
///
/// For every function f built from the crate's elementary operations,
/// `f(x + v·ε) = f(x) + (∇f(x)·v)·ε`. The tangent type `E` is `T` by default (one direction)
/// or [`Lanes<T, N>`](crate::Lanes) (N directions). `T` may itself be a dual:
/// `Dual<Dual<f64>>` ([`Dual2`]) carries second derivatives, and so on recursively.
///
/// Comparisons look at `re` only, so control flow follows the value.
///
/// ```
/// use curvature_ad::Dual;
/// use num_traits::Float;
/// // d/dx [x·sin x] at x = 2 is sin 2 + 2·cos 2.
/// let x = Dual::variable(2.0);
/// let y = x * x.sin();
/// assert!((y.eps - (2f64.sin() + 2.0 * 2f64.cos())).abs() < 1e-15);
/// ```
#[derive(Clone, Copy)]
pub struct Dual<T, E = T> {
    /// The value.
    pub re: T,
    /// The tangent (directional derivative or derivatives).
    pub eps: E,
}

/// A second-order dual number `Dual<Dual<f64>>`, the argument of
/// [`second_derivative`](crate::second_derivative).
pub type Dual2 = Dual<Dual<f64>>;

/// A dual number with `N` tangent lanes, for N directional derivatives per evaluation.
pub type DualN<T, const N: usize> = Dual<T, Lanes<T, N>>;

impl<T, E> Dual<T, E> {
    /// The dual number `re + eps·ε`.
    #[inline(always)]
    pub const fn new(re: T, eps: E) -> Self {
        Dual { re, eps }
    }
}

impl<T: Scalar, E: Tangent<T>> Dual<T, E> {
    /// A constant: zero tangent.
    #[inline(always)]
    pub fn constant(re: T) -> Self {
        Dual {
            re,
            eps: E::zeros(),
        }
    }

    #[inline(always)]
    pub(crate) fn lift(re: T) -> Self {
        Self::constant(re)
    }

    #[inline(always)]
    pub(crate) fn lift_f64(c: f64) -> Self {
        Self::constant(T::cst(c))
    }

    #[inline(always)]
    pub(crate) fn primal(&self) -> T {
        self.re
    }

    /// The chain rule for a unary elementary operation: `f(x)`, `f'(x)·eps`.
    #[inline(always)]
    pub(crate) fn un(self, op: Op, c: f64) -> Self {
        let (v, d) = unary(op, self.re, c);
        Dual {
            re: v,
            eps: self.eps.scale(d),
        }
    }

    /// The chain rule for a binary elementary operation.
    #[inline(always)]
    pub(crate) fn bin(self, other: Self, op: Op) -> Self {
        let (v, da, db) = binary(op, self.re, other.re);
        Dual {
            re: v,
            eps: self.eps.combine(da, other.eps, db),
        }
    }
}

impl<T: Scalar> Dual<T> {
    /// An independent variable: tangent 1, so `f(Dual::variable(x)).eps = f'(x)`.
    #[inline(always)]
    pub fn variable(re: T) -> Self {
        Dual { re, eps: T::one() }
    }
}

impl<T: Scalar, E: Tangent<T>> Scalar for Dual<T, E> {
    const WIDTH: usize = T::WIDTH * (1 + E::DIRECTIONS);

    #[inline(always)]
    fn cst(c: f64) -> Self {
        Self::lift_f64(c)
    }
    #[inline(always)]
    fn is_exact_zero(&self) -> bool {
        Scalar::is_exact_zero(&self.re) && self.eps.is_zero_tangent()
    }
    #[inline(always)]
    fn add_cst(self, c: f64) -> Self {
        Dual {
            re: self.re.add_cst(c),
            eps: self.eps,
        }
    }
    #[inline(always)]
    fn mul_cst(self, c: f64) -> Self {
        Dual {
            re: self.re.mul_cst(c),
            eps: self.eps.scale(T::cst(c)),
        }
    }
}

impl<T: Scalar, E: Tangent<T>> PartialEq for Dual<T, E> {
    /// Equality of values; tangents are ignored.
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.re == other.re
    }
}

impl<T: Scalar, E: Tangent<T>> PartialOrd for Dual<T, E> {
    /// Ordering of values; tangents are ignored.
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.re.partial_cmp(&other.re)
    }
}

impl<T: Scalar, E: Tangent<T>> PartialEq<f64> for Dual<T, E> {
    #[inline]
    fn eq(&self, other: &f64) -> bool {
        self.re == T::cst(*other)
    }
}

impl<T: Scalar, E: Tangent<T>> PartialOrd<f64> for Dual<T, E> {
    #[inline]
    fn partial_cmp(&self, other: &f64) -> Option<Ordering> {
        self.re.partial_cmp(&T::cst(*other))
    }
}

impl<T: fmt::Debug, E: fmt::Debug> fmt::Debug for Dual<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dual({:?} + {:?}ε)", self.re, self.eps)
    }
}

impl<T: fmt::Display, E: fmt::Debug> fmt::Display for Dual<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} + {:?}ε", self.re, self.eps)
    }
}

crate::surface::impl_surface!([T: Scalar, E: Tangent<T>] Dual<T, E>, T);
