//! Closures over `Var` (and `Dual2`) are objectives directly: the same guarantees as the
//! hand-written tests, with derivatives from curvature-ad.

use curvature_ad::{Dual2, Var};
use curvature_optim::{
    Bfgs, Damping, Dfp, GradientDescent, Lbfgs, LevenbergMarquardt, Newton, Newton1d, Objective,
    Secant,
};
use num_traits::Float;

fn rosenbrock(x: &[Var]) -> Var {
    (x[0] - 1.0).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
}

#[test]
fn newton_on_a_booth_closure_takes_one_step() {
    let booth = |x: &[Var]| (x[0] + 2.0 * x[1] - 7.0).powi(2) + (2.0 * x[0] + x[1] - 5.0).powi(2);
    let s = Newton::new().minimize(booth, &[9.0, 8.0]).unwrap();
    assert_eq!(s.iterations, 1);
    assert!((s.x[0] - 1.0).abs() < 1e-12 && (s.x[1] - 3.0).abs() < 1e-12);
}

#[test]
fn every_method_but_gradient_descent_reaches_rosenbrock_minimum_from_a_closure() {
    let x0 = [-1.2, 1.0];
    let runs = [
        ("Newton", Newton::new().minimize(rosenbrock, &x0)),
        ("LM", LevenbergMarquardt::new().minimize(rosenbrock, &x0)),
        (
            "LM diag",
            LevenbergMarquardt::new()
                .damping(Damping::Diagonal)
                .minimize(rosenbrock, &x0),
        ),
        ("BFGS", Bfgs::new().minimize(rosenbrock, &x0)),
        ("DFP", Dfp::new().minimize(rosenbrock, &x0)),
        ("L-BFGS", Lbfgs::new().minimize(rosenbrock, &x0)),
    ];
    for (name, s) in runs {
        let s = s.unwrap();
        assert!(
            s.gradient_norm <= 1e-6 && (s.x[0] - 1.0).abs() < 1e-5 && (s.x[1] - 1.0).abs() < 1e-5,
            "{name}: {s:?}"
        );
    }
}

#[test]
fn closure_hvp_matches_the_analytic_hessian() {
    // ∇²f(1, 2) for Rosenbrock: [[2 − 400(2 − 1) + 800, −400], [−400, 200]] = [[402, −400], [−400, 200]].
    let (_, _, hv) = rosenbrock.hvp(&[1.0, 2.0], &[1.0, 1.0]);
    assert!(
        (hv[0] - 2.0).abs() < 1e-9 && (hv[1] + 200.0).abs() < 1e-9,
        "{hv:?}"
    );
    assert_eq!(rosenbrock.value(&[1.0, 2.0]), 100.0);
}

#[test]
fn gradient_descent_on_a_closure_quadratic() {
    // f = (x − 3)² + 2(y + 1)²: minimizer (3, −1).
    let s = GradientDescent::new()
        .minimize(
            |x: &[Var]| (x[0] - 3.0).powi(2) + 2.0 * (x[1] + 1.0).powi(2),
            &[0.0, 0.0],
        )
        .unwrap();
    assert!(s.converged() && (s.x[0] - 3.0).abs() < 1e-8 && (s.x[1] + 1.0).abs() < 1e-8);
}

#[test]
fn univariate_methods_take_dual2_closures() {
    // f = x² − ln x, minimizer 1/√2.
    let f = |x: Dual2| x * x - x.ln();
    let n = Newton1d::new().minimize(f, 1.0).unwrap();
    let s = Secant::new().minimize(f, 1.0).unwrap();
    assert!((n.x[0] - 0.5f64.sqrt()).abs() < 1e-10);
    assert!((s.x[0] - 0.5f64.sqrt()).abs() < 1e-8);
}
