//! Logistic regression on the breast cancer data (the model of
//! `examples/logistic_regression.rs`): Newton's method with curvature-ad's exact Hessian and
//! L-BFGS reach the same optimum, to 1e-8 in the gradient norm.

#[path = "../examples/common/mod.rs"]
mod common;

use common::logistic::Logistic;
use common::{load_breast_cancer, train_test_split, Rng, Standardizer};
use curvature::optim::{Lbfgs, Newton};
use curvature::prelude::*;

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

#[test]
fn newton_and_lbfgs_agree_on_the_optimum() {
    let data = load_breast_cancer().unwrap();
    let (mut train, mut test) = train_test_split(&data, 0.2, &mut Rng::new(2024));
    let scaler = Standardizer::fit(&train);
    scaler.transform(&mut train);
    scaler.transform(&mut test);
    let model = Logistic::new(&train, 1e-3);
    let f = |w: &[Var]| model.objective(w);
    let w0 = vec![0.0; model.n_params()];

    let newton = Newton::new().minimize(f, &w0).unwrap();
    assert!(newton.converged(), "{:?}", newton.termination);
    assert!(
        newton.iterations <= 12,
        "Newton took {} iterations",
        newton.iterations
    );
    let lbfgs = Lbfgs::new().minimize(f, &w0).unwrap();
    assert!(lbfgs.converged(), "{:?}", lbfgs.termination);
    assert!(lbfgs.iterations > newton.iterations);

    // Recomputed independently of the solvers: both points are stationary to 1e-8.
    let (f_newton, g_newton) = gradient(f, &newton.x);
    let (f_lbfgs, g_lbfgs) = gradient(f, &lbfgs.x);
    assert!(
        max_abs(&g_newton) <= 1e-8,
        "Newton: ‖∇f‖∞ = {:e}",
        max_abs(&g_newton)
    );
    assert!(
        max_abs(&g_lbfgs) <= 1e-8,
        "L-BFGS: ‖∇f‖∞ = {:e}",
        max_abs(&g_lbfgs)
    );
    // f is strongly convex, so both are (close to) the same point with the same value.
    assert!(
        (f_newton - f_lbfgs).abs() <= 1e-12,
        "{f_newton} vs {f_lbfgs}"
    );
    let dx = newton
        .x
        .iter()
        .zip(&lbfgs.x)
        .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
    assert!(dx <= 1e-5, "‖x_Newton − x_L-BFGS‖∞ = {dx:e}");
    // The value the plain-f64 evaluation gives matches the tape's.
    assert!((model.value(&newton.x) - f_newton).abs() <= 1e-14);
    // And the model is a good classifier.
    assert!(Logistic::accuracy(&newton.x, &test) >= 0.93);
}
