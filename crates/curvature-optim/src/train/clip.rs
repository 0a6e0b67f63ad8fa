//! Gradient clipping by global norm and by value (`torch.nn.utils.clip_grad_norm_`,
//! `clip_grad_value_`).

/// Rescales `grad` so that its Euclidean norm does not exceed `max_norm`, and returns the
/// norm **before** clipping, as PyTorch's `clip_grad_norm_` does.
///
/// ```text
/// norm = sqrt(Σ g_i²)
/// c    = max_norm / (norm + 1e-6)
/// if c < 1:  g <- c·g
/// ```
///
/// The 1e-6 in the denominator is PyTorch's: it guards against division by zero, and
/// means that a gradient whose norm lies within 1e-6 below `max_norm` is also scaled, by a
/// factor just under 1. After clipping the norm is at most `max_norm`; the direction is
/// unchanged. The norm is computed without overflow or underflow for any finite gradient
/// (e.g. entries of 1e200).
///
/// **Non-finite norms.** If `grad` holds a NaN the returned norm is NaN, otherwise if it
/// holds an infinity the norm is `+∞`; in both cases `grad` is left untouched, so the
/// caller can detect the problem (`!norm.is_finite()`) and skip the step. (PyTorch instead
/// multiplies the gradient by the NaN or zero coefficient unless `error_if_nonfinite`.)
///
/// # Panics
///
/// If `max_norm` is negative or NaN.
///
/// # Example
///
/// ```
/// use curvature_optim::train::clip_grad_norm;
///
/// let mut g = [3.0, 4.0];
/// let norm = clip_grad_norm(&mut g, 1.0);
/// assert_eq!(norm, 5.0);
/// // Scaled by 1 / (5 + 1e-6): direction kept, norm just under 1.
/// assert!((g[0] - 0.6).abs() < 1e-6 && (g[1] - 0.8).abs() < 1e-6);
///
/// let mut bad = [1.0, f64::NAN];
/// assert!(clip_grad_norm(&mut bad, 1.0).is_nan());
/// assert_eq!(bad[0], 1.0); // untouched
/// ```
pub fn clip_grad_norm(grad: &mut [f64], max_norm: f64) -> f64 {
    assert!(
        max_norm >= 0.0,
        "clip_grad_norm: max_norm must be non-negative, got {max_norm}"
    );
    let norm = l2_norm(grad);
    if !norm.is_finite() {
        return norm;
    }
    let coef = max_norm / (norm + 1e-6);
    if coef < 1.0 {
        for g in grad.iter_mut() {
            *g *= coef;
        }
    }
    norm
}

/// Clamps every entry of `grad` to `[−limit, limit]`, as PyTorch's `clip_grad_value_`:
///
/// ```text
/// g_i <- min(max(g_i, −limit), limit)
/// ```
///
/// NaN entries stay NaN; infinite entries become `±limit`.
///
/// # Panics
///
/// If `limit` is negative or NaN.
///
/// # Example
///
/// ```
/// use curvature_optim::train::clip_grad_value;
///
/// let mut g = [-3.0, 0.5, 2.0];
/// clip_grad_value(&mut g, 1.0);
/// assert_eq!(g, [-1.0, 0.5, 1.0]);
/// ```
pub fn clip_grad_value(grad: &mut [f64], limit: f64) {
    assert!(
        limit >= 0.0,
        "clip_grad_value: the limit must be non-negative, got {limit}"
    );
    for g in grad.iter_mut() {
        *g = g.clamp(-limit, limit);
    }
}

/// The Euclidean norm of `x`: NaN if any entry is NaN, `+∞` if any entry is infinite (and
/// none is NaN), otherwise the norm computed without spurious overflow or underflow.
fn l2_norm(x: &[f64]) -> f64 {
    let sum_sq: f64 = x.iter().map(|v| v * v).sum();
    if sum_sq.is_nan() {
        return f64::NAN;
    }
    if sum_sq.is_finite() && sum_sq >= f64::MIN_POSITIVE {
        return sum_sq.sqrt();
    }
    // Overflow, underflow, an infinite entry, or an all-zero vector: rescale by the largest
    // magnitude. No entry is NaN here (a NaN would have made the sum NaN).
    let scale = x.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || scale.is_infinite() {
        return scale;
    }
    let sum: f64 = x.iter().map(|v| (v / scale) * (v / scale)).sum();
    scale * sum.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::assert_close;

    fn norm(x: &[f64]) -> f64 {
        x.iter().map(|v| v * v).sum::<f64>().sqrt()
    }

    #[test]
    fn clipping_caps_the_norm_and_keeps_the_direction() {
        // (1, −2, 2) has norm 3; clipped to 1.5: scaled by 1.5/(3 + 1e-6).
        let mut g = [1.0, -2.0, 2.0];
        let total = clip_grad_norm(&mut g, 1.5);
        assert_eq!(total, 3.0);
        let c = 1.5 / (3.0 + 1e-6);
        assert_close(g[0], c, 1e-15);
        assert_close(g[1], -2.0 * c, 1e-15);
        assert_close(g[2], 2.0 * c, 1e-15);
        assert!(norm(&g) <= 1.5);
        assert_close(norm(&g), 1.5, 1e-6);
        // Direction: g is a positive multiple of the original.
        assert_close(g[1] / g[0], -2.0, 1e-15);
    }

    #[test]
    fn small_gradients_are_untouched() {
        let mut g = [0.3, 0.4];
        assert_close(clip_grad_norm(&mut g, 1.0), 0.5, 1e-16);
        assert_eq!(g, [0.3, 0.4]);
        let mut zero = [0.0; 3];
        assert_eq!(clip_grad_norm(&mut zero, 0.0), 0.0);
        assert_eq!(zero, [0.0; 3]);
        assert_eq!(clip_grad_norm(&mut [], 1.0), 0.0);
    }

    #[test]
    fn huge_and_tiny_entries_do_not_overflow() {
        // (3e200, 4e200): the squares overflow, the norm 5e200 does not.
        let mut g = [3e200, 4e200];
        assert_close(clip_grad_norm(&mut g, 1.0) / 5e200, 1.0, 1e-15);
        assert_close(g[0], 0.6, 1e-15);
        assert_close(g[1], 0.8, 1e-15);
        // (3e-200, 4e-200): the squares underflow, the norm 5e-200 does not.
        let mut t = [3e-200, 4e-200];
        assert_close(clip_grad_norm(&mut t, 1.0) / 5e-200, 1.0, 1e-15);
        assert_eq!(t, [3e-200, 4e-200]);
    }

    #[test]
    fn non_finite_norms_are_reported_and_the_gradient_left_alone() {
        let mut g = [1.0, f64::INFINITY, 2.0];
        assert_eq!(clip_grad_norm(&mut g, 1.0), f64::INFINITY);
        assert_eq!(g, [1.0, f64::INFINITY, 2.0]);
        let mut h = [f64::NAN, f64::INFINITY];
        assert!(clip_grad_norm(&mut h, 1.0).is_nan());
        assert_eq!(h[1], f64::INFINITY);
    }

    #[test]
    fn value_clipping_clamps_each_entry() {
        let mut g = [-5.0, -0.5, 0.0, 0.5, 5.0, f64::INFINITY, f64::NEG_INFINITY];
        clip_grad_value(&mut g, 1.0);
        assert_eq!(g, [-1.0, -0.5, 0.0, 0.5, 1.0, 1.0, -1.0]);
        let mut n = [f64::NAN];
        clip_grad_value(&mut n, 1.0);
        assert!(n[0].is_nan());
    }

    #[test]
    #[should_panic(expected = "max_norm must be non-negative")]
    fn negative_max_norm_panics() {
        clip_grad_norm(&mut [1.0], -1.0);
    }
}
