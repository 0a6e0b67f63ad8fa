//! Reductions: sum, dot product, sum of squares (values and pullbacks).

use crate::scalar::Scalar;
use num_traits::Float;

/// Σᵢ xᵢ, summed left to right.
pub(crate) fn sum<T: Float>(x: &[T]) -> T {
    x.iter().fold(T::zero(), |s, &v| s + v)
}

/// Σᵢ xᵢ yᵢ, summed left to right.
pub(crate) fn dot<T: Float>(x: &[T], y: &[T]) -> T {
    x.iter().zip(y).fold(T::zero(), |s, (&a, &b)| s + a * b)
}

/// Σᵢ xᵢ², summed left to right.
pub(crate) fn sum_squares<T: Float>(x: &[T]) -> T {
    x.iter().fold(T::zero(), |s, &v| s + v * v)
}

/// ∂(Σ xᵢ)/∂xᵢ = 1: `gx = w·1`.
pub(crate) fn sum_pullback<S: Scalar>(w: S, gx: &mut [S]) {
    gx.fill(w);
}

/// ∂(Σ xᵢ²)/∂xᵢ = 2xᵢ.
pub(crate) fn sum_squares_pullback<S: Scalar>(x: &[S], w: S, gx: &mut [S]) {
    for (g, &v) in gx.iter_mut().zip(x) {
        *g = (v + v) * w;
    }
}

/// `xy = [x; y]`: ∂(x·y)/∂xᵢ = yᵢ, ∂(x·y)/∂yᵢ = xᵢ.
pub(crate) fn dot_pullback<S: Scalar>(xy: &[S], w: S, gx: &mut [S]) {
    let n = xy.len() / 2;
    let (x, y) = xy.split_at(n);
    let (gx, gy) = gx.split_at_mut(n);
    for i in 0..n {
        gx[i] = y[i] * w;
        gy[i] = x[i] * w;
    }
}
