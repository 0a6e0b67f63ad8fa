//! Convergence at the precision limit (issue 13): quasi-Newton runs whose f stops changing
//! beyond its rounding level report `Termination::PrecisionLimit`, a converged stop, at
//! Newton's minimizer and without burning evaluations in failing line searches.

use curvature_ad::Var;
use curvature_optim::{Bfgs, Dfp, Lbfgs, Newton, Solution, Termination};
use num_traits::Float;

const N: usize = 50;

/// `f(x) = Σᵢ log cosh(xᵢ − cᵢ) + ½ Σᵢ (xᵢ₊₁ − xᵢ)²` with `cᵢ = 2 sin i`, i = 0 … 49: smooth,
/// strictly convex (the coupling is positive semidefinite, log cosh has `sech² > 0`), f ≈ 22
/// at the minimizer — large enough that f's rounding level (ε|f| ≈ 5e-15) hides the last
/// steps' decrease `½gᵀH⁻¹g` once ‖g‖ is below about 1e-7.
fn log_cosh_chain(x: &[Var]) -> Var {
    let c = |i: usize| 2.0 * (i as f64).sin();
    let mut f = (x[0] - c(0)).cosh().ln();
    for i in 1..N {
        f += (x[i] - c(i)).cosh().ln() + 0.5 * (x[i] - x[i - 1]).powi(2);
    }
    f
}

/// The start `xᵢ = ±3`, alternating.
fn start() -> Vec<f64> {
    (0..N)
        .map(|i| if i % 2 == 0 { 3.0 } else { -3.0 })
        .collect()
}

fn max_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max)
}

/// Newton's minimizer: damped Newton from the start, then pure Newton steps, which come
/// from the gradient and Hessian alone (no comparison of f values), so with the
/// precision-limit stop turned off quadratic convergence takes ‖g‖∞ to 1e-12, far below the
/// quasi-Newton methods' limit: the reference answer.
fn newton_minimizer() -> Solution {
    let damped = Newton::new().minimize(log_cosh_chain, &start()).unwrap();
    assert!(damped.converged(), "{:?}", damped.termination);
    let s = Newton::new()
        .pure()
        .gradient_tolerance(1e-12)
        .relative_gradient_tolerance(0.0)
        .minimize(log_cosh_chain, &damped.x)
        .unwrap();
    assert_eq!(s.termination, Termination::GradientTolerance);
    s
}

fn check(name: &str, default: Solution, loose: Solution, newton: &Solution) {
    eprintln!(
        "{name}: {:?} after {} gradients (gtol 1e-6: {:?} after {}), ‖g‖∞ = {:.1e}, |x − x_Newton|∞ = {:.1e}",
        default.termination,
        default.evaluations.gradient,
        loose.termination,
        loose.evaluations.gradient,
        default.gradient_norm,
        max_distance(&default.x, &newton.x)
    );
    assert!(default.converged(), "{name}: {:?}", default.termination);
    assert!(loose.converged(), "{name}: {:?}", loose.termination);
    // At most 20 % more gradient evaluations than the loose absolute tolerance needs.
    assert!(
        default.evaluations.gradient as f64 <= 1.2 * loose.evaluations.gradient as f64,
        "{name}: {} vs {}",
        default.evaluations.gradient,
        loose.evaluations.gradient
    );
    // H ≥ diag(sech²(xᵢ − cᵢ)) ≥ 0.05 near the minimizer, so |x − x*| ≤ ‖g‖/0.05; the
    // precision limit leaves ‖g‖∞ ≈ 1e-7, hence 1e-5 with room.
    assert!(max_distance(&default.x, &newton.x) < 1e-5, "{name}");
    assert!((default.f - newton.f).abs() <= 1e-12 * newton.f, "{name}");
}

#[test]
fn quasi_newton_methods_converge_at_the_precision_limit() {
    let newton = newton_minimizer();
    let x0 = start();
    check(
        "L-BFGS",
        Lbfgs::new().minimize(log_cosh_chain, &x0).unwrap(),
        Lbfgs::new()
            .gradient_tolerance(1e-6)
            .minimize(log_cosh_chain, &x0)
            .unwrap(),
        &newton,
    );
    check(
        "BFGS",
        Bfgs::new().minimize(log_cosh_chain, &x0).unwrap(),
        Bfgs::new()
            .gradient_tolerance(1e-6)
            .minimize(log_cosh_chain, &x0)
            .unwrap(),
        &newton,
    );
    check(
        "DFP",
        Dfp::new().minimize(log_cosh_chain, &x0).unwrap(),
        Dfp::new()
            .gradient_tolerance(1e-6)
            .minimize(log_cosh_chain, &x0)
            .unwrap(),
        &newton,
    );
}

#[test]
fn without_the_precision_test_the_line_search_fails() {
    // The state the precision limit recognizes: with the test turned off, BFGS goes on
    // until its line search gives up, at the same point.
    let s = Bfgs::new()
        .relative_gradient_tolerance(0.0)
        .minimize(log_cosh_chain, &start())
        .unwrap();
    assert!(
        matches!(s.termination, Termination::LineSearchFailed(_)),
        "{:?}",
        s.termination
    );
    assert!(max_distance(&s.x, &newton_minimizer().x) < 1e-5);
}
