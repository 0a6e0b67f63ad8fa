//! Log-sum-exp and softmax cross-entropy (values and pullbacks).

use crate::scalar::Scalar;
use num_traits::Float;

/// log Σᵢ exp(xᵢ), computed as `m + log Σᵢ exp(xᵢ − m)` with m = maxᵢ xᵢ taken as a constant
/// (by value): the identity holds for any m, so neither the value nor any derivative
/// depends on it, and every exponent is ≤ 0. Empty input gives −∞.
pub(crate) fn logsumexp<T: Float>(x: &[T]) -> T {
    let m = x.iter().fold(f64::NEG_INFINITY, |m, v| {
        m.max(v.to_f64().unwrap_or(f64::NAN))
    });
    let m = if m.is_finite() { m } else { 0.0 };
    let mt = T::from(m).unwrap();
    mt + x.iter().fold(T::zero(), |s, &v| s + (v - mt).exp()).ln()
}

/// log Σᵢ exp(zᵢ) − z_label.
pub(crate) fn softmax_cross_entropy<T: Float>(z: &[T], label: usize) -> T {
    logsumexp(z) - z[label]
}

/// ∂ lse/∂xᵢ = exp(xᵢ − lse) = softmaxᵢ(x), with `lse` the node's output.
pub(crate) fn logsumexp_pullback<S: Scalar>(x: &[S], lse: S, w: S, gx: &mut [S]) {
    for (g, &v) in gx.iter_mut().zip(x) {
        *g = (v - lse).exp() * w;
    }
}

/// ∂(lse(z) − z_y)/∂zᵢ = softmaxᵢ(z) − [i = y]; `out` is the node's output, so
/// lse = out + z_y.
pub(crate) fn softmax_cross_entropy_pullback<S: Scalar>(
    z: &[S],
    label: usize,
    out: S,
    w: S,
    gz: &mut [S],
) {
    logsumexp_pullback(z, out + z[label], w, gz);
    gz[label] = gz[label] - w;
}
