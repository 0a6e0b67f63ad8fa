//! When f64 arithmetic has nothing more to give: the tests behind
//! [`Termination::PrecisionLimit`](crate::Termination::PrecisionLimit).
//!
//! Near a minimizer f changes by about `½ gᵀH⁻¹g` per step, which drops below f's rounding
//! level (a few ε|f|) long before ‖g‖ reaches an absolute tolerance such as 1e-8 when |f| is
//! of order one or larger. From there on a line search comparing values of f sees only
//! rounding noise: its sufficient-decrease test fails at random and the run used to end in
//! a line-search failure after many wasted evaluations, although x was as good as the
//! arithmetic allows. These tests recognize that state.

/// Default `relative_f_tolerance`: f is considered unchanged when it moved by at most
/// `100 ε |f|` (ε = 2.2e-16), i.e. within the rounding error of a sum of a few dozen terms.
pub(crate) const RELATIVE_F_TOLERANCE: f64 = 100.0 * f64::EPSILON;

/// Default `relative_gradient_tolerance`: `ε^{1/3} ≈ 6.1e-6`, Dennis and Schnabel's
/// recommended relative gradient tolerance (Numerical Methods for Unconstrained
/// Optimization, §7.2). At the point where f stops resolving progress the relative gradient
/// is typically `O(√ε) ≈ 1.5e-8`; the gate keeps a stall far from a minimizer (a kink, a
/// buggy gradient) from being reported as convergence.
pub(crate) const RELATIVE_GRADIENT_TOLERANCE: f64 = 6.055_454_452_393_339_5e-6;

/// Dennis–Schnabel's scale-invariant gradient measure,
/// `maxᵢ |gᵢ| · max(|xᵢ|, 1) / max(|f|, 1)`: the relative change of f per relative change of
/// each xᵢ.
pub(crate) fn relative_gradient(x: &[f64], g: &[f64], f: f64) -> f64 {
    let scale = f.abs().max(1.0);
    x.iter()
        .zip(g)
        .map(|(xi, gi)| gi.abs() * xi.abs().max(1.0) / scale)
        .fold(0.0, |m, v| if v > m || v.is_nan() { v } else { m })
}

/// Whether going from `f_before` to `f_after` changed f by no more than its rounding level
/// and the gradient `g` at `x` (where f is `f_after`) is small relative to f's scale.
pub(crate) fn at_precision_limit(
    relative_f_tolerance: f64,
    relative_gradient_tolerance: f64,
    f_before: f64,
    f_after: f64,
    x: &[f64],
    g: &[f64],
) -> bool {
    let flat =
        (f_before - f_after).abs() <= relative_f_tolerance * f_before.abs().max(f_after.abs());
    flat && relative_gradient(x, g, f_after) <= relative_gradient_tolerance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_gradient_gate_is_the_cube_root_of_epsilon() {
        assert_eq!(RELATIVE_GRADIENT_TOLERANCE, f64::EPSILON.cbrt());
    }

    #[test]
    fn relative_gradient_is_scale_invariant() {
        // f = 1e6, x = (1e3, 0.5), g = (2, 4): max(2·1e3, 4·1)/1e6 = 2e-3.
        assert_eq!(relative_gradient(&[1e3, 0.5], &[2.0, 4.0], 1e6), 2e-3);
        // Scaling f by 10 scales g by 10: the measure is unchanged.
        assert_eq!(relative_gradient(&[1e3, 0.5], &[20.0, 40.0], 1e7), 2e-3);
    }

    #[test]
    fn flat_f_with_small_gradient_is_the_limit() {
        let tol = RELATIVE_GRADIENT_TOLERANCE;
        // f = 20 changed by 1e-14 = 2.3 ε|f|: flat; relative gradient 1e-7 · 2 / 20 = 1e-8.
        assert!(at_precision_limit(
            RELATIVE_F_TOLERANCE,
            tol,
            20.0 + 1e-14,
            20.0,
            &[2.0],
            &[1e-7]
        ));
        // f changed by 1e-10: not flat, f still has digits to give.
        assert!(!at_precision_limit(
            RELATIVE_F_TOLERANCE,
            tol,
            20.0 + 1e-10,
            20.0,
            &[2.0],
            &[1e-7]
        ));
        // Flat f but a large gradient (a kink or a wrong gradient): not converged.
        assert!(!at_precision_limit(
            RELATIVE_F_TOLERANCE,
            tol,
            20.0,
            20.0,
            &[2.0],
            &[1.0]
        ));
    }
}
