//! Elementwise maps. These record one scalar node per element on a tape: an elementwise map
//! has a diagonal Jacobian, so a wide node would store the same n partials that n scalar
//! nodes store, and the sweeps' scalar path already handles them at full speed (and with
//! exact diagonal sparsity). They exist so that layer code reads as vector code.

use num_traits::Float;

/// `[f(x₀), f(x₁), …]`.
///
/// ```
/// use curvature_ad::vector::map;
/// assert_eq!(map(&[1.0, 2.0], |v: f64| v * v), vec![1.0, 4.0]);
/// ```
pub fn map<T: Copy, U>(x: &[T], f: impl FnMut(T) -> U) -> Vec<U> {
    x.iter().copied().map(f).collect()
}

/// Elementwise tanh(xᵢ); derivative 1 − tanh²(xᵢ).
///
/// ```
/// use curvature_ad::vector::tanh;
/// assert_eq!(tanh(&[0.0]), vec![0.0]);
/// ```
pub fn tanh<T: Float>(x: &[T]) -> Vec<T> {
    map(x, T::tanh)
}

/// Elementwise max(xᵢ, 0); derivative 1 for xᵢ > 0, else 0 (0 at the kink, the `max`
/// convention of the crate).
///
/// ```
/// use curvature_ad::vector::relu;
/// assert_eq!(relu(&[-1.0, 2.0]), vec![0.0, 2.0]);
/// ```
pub fn relu<T: Float>(x: &[T]) -> Vec<T> {
    map(x, |v| v.max(T::zero()))
}

/// Elementwise logistic sigmoid σ(xᵢ) = 1 / (1 + e^{−xᵢ}); derivative σ(1 − σ).
///
/// ```
/// use curvature_ad::vector::sigmoid;
/// assert_eq!(sigmoid(&[0.0]), vec![0.5]);
/// ```
pub fn sigmoid<T: Float>(x: &[T]) -> Vec<T> {
    map(x, |v| (T::one() + (-v).exp()).recip())
}

/// Elementwise e^{xᵢ}.
///
/// ```
/// use curvature_ad::vector::exp;
/// assert_eq!(exp(&[0.0]), vec![1.0]);
/// ```
pub fn exp<T: Float>(x: &[T]) -> Vec<T> {
    map(x, T::exp)
}
