//! Bad input never hangs or lies: errors for unusable input, terminations for trouble mid-run,
//! limits always respected.

mod common;

use std::ops::ControlFlow;

use common::{Booth, Rosenbrock};
use curvature_optim::{
    Bfgs, Damping, Dfp, Error, GradientDescent, Lbfgs, LevenbergMarquardt, Matrix, Newton,
    Newton1d, NewtonCg, NonFiniteEntry, Objective, Secant, Solution, Termination, Univariate,
};

/// Runs every n-dimensional solver (with shared limits) on a copy of `objective`.
fn all_solvers<O: Objective + Clone>(
    objective: &O,
    x0: &[f64],
    iterations: usize,
) -> Vec<(&'static str, Result<Solution, Error>)> {
    let o = || objective.clone();
    vec![
        (
            "GD",
            GradientDescent::new()
                .max_iterations(iterations)
                .minimize(o(), x0),
        ),
        (
            "GD fixed",
            GradientDescent::new()
                .step_size(0.5)
                .max_iterations(iterations)
                .minimize(o(), x0),
        ),
        (
            "Newton",
            Newton::new().max_iterations(iterations).minimize(o(), x0),
        ),
        (
            "pure Newton",
            Newton::new()
                .pure()
                .max_iterations(iterations)
                .minimize(o(), x0),
        ),
        (
            "LM",
            LevenbergMarquardt::new()
                .max_iterations(iterations)
                .minimize(o(), x0),
        ),
        (
            "LM diag",
            LevenbergMarquardt::new()
                .damping(Damping::Diagonal)
                .max_iterations(iterations)
                .minimize(o(), x0),
        ),
        (
            "BFGS",
            Bfgs::new().max_iterations(iterations).minimize(o(), x0),
        ),
        (
            "DFP",
            Dfp::new().max_iterations(iterations).minimize(o(), x0),
        ),
        (
            "L-BFGS",
            Lbfgs::new().max_iterations(iterations).minimize(o(), x0),
        ),
        (
            "Newton-CG",
            NewtonCg::new().max_iterations(iterations).minimize(o(), x0),
        ),
    ]
}

#[test]
fn unusable_start_points_are_errors_with_messages() {
    for (name, r) in all_solvers(&Booth, &[], 10) {
        assert_eq!(r.unwrap_err(), Error::EmptyStart, "{name}");
    }
    for (name, r) in all_solvers(&Booth, &[1.0, f64::NAN], 10) {
        let e = r.unwrap_err();
        assert!(
            matches!(e, Error::NonFiniteStart { index: 1, .. }),
            "{name}: {e:?}"
        );
        assert!(e.to_string().contains("x0[1] = NaN"), "{e}");
    }
    for (name, r) in all_solvers(&Booth, &[f64::INFINITY, 0.0], 10) {
        assert!(
            matches!(r.unwrap_err(), Error::NonFiniteStart { index: 0, .. }),
            "{name}"
        );
    }
    struct Parabola;
    impl Univariate for Parabola {
        fn derivatives(&self, x: f64) -> (f64, f64, f64) {
            (x * x, 2.0 * x, 2.0)
        }
    }
    assert!(Newton1d::new().minimize(Parabola, f64::NAN).is_err());
    assert!(Secant::new().minimize(Parabola, f64::NEG_INFINITY).is_err());
}

#[derive(Clone)]
struct WrongGradient;

impl Objective for WrongGradient {
    fn value(&self, x: &[f64]) -> f64 {
        x.iter().map(|v| v * v).sum()
    }
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        (self.value(x), vec![1.0; x.len() + 1])
    }
}

#[derive(Clone)]
struct WrongHessian;

impl Objective for WrongHessian {
    fn value(&self, x: &[f64]) -> f64 {
        x.iter().map(|v| v * v).sum()
    }
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        (self.value(x), x.iter().map(|v| 2.0 * v).collect())
    }
    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
        let (f, g) = self.gradient(x);
        (f, g, Matrix::zeros(1, 1))
    }
}

#[test]
fn wrong_derivative_sizes_are_errors() {
    for (name, r) in all_solvers(&WrongGradient, &[1.0, 2.0], 10) {
        let e = r.unwrap_err();
        assert_eq!(
            e,
            Error::DimensionMismatch {
                what: "gradient",
                expected: 2,
                found: 3
            },
            "{name}"
        );
        assert_eq!(
            e.to_string(),
            "the objective returned a gradient of length 3, expected 2"
        );
    }
    let e = Newton::new()
        .minimize(WrongHessian, &[1.0, 2.0])
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::DimensionMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{e:?}"
    );
}

/// f = −x₀ − x₁ (unbounded below), NaN once x₀ > 10: the methods are pushed into the NaN region.
#[derive(Clone)]
struct Cliff;

impl Objective for Cliff {
    fn value(&self, x: &[f64]) -> f64 {
        if x[0] > 10.0 {
            f64::NAN
        } else {
            -x[0] - x[1]
        }
    }
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let f = self.value(x);
        (
            f,
            if f.is_nan() {
                vec![f64::NAN; 2]
            } else {
                vec![-1.0, -1.0]
            },
        )
    }
}

#[test]
fn non_finite_values_mid_run_end_the_run_with_a_finite_point() {
    for (name, r) in all_solvers(&Cliff, &[0.0, 0.0], 200) {
        let s = r.unwrap();
        assert!(
            s.f.is_finite() && s.x.iter().all(|v| v.is_finite()),
            "{name}: {s:?}"
        );
        assert!(s.x[0] <= 10.0, "{name}");
        assert!(!s.converged(), "{name}: {:?}", s.termination);
        assert!(s.iterations <= 200, "{name}");
    }
    // The fixed-step walk x₀ = 0.5k is cut off exactly when it would step past 10.
    let s = GradientDescent::new()
        .step_size(0.5)
        .minimize(Cliff, &[0.0, 0.0])
        .unwrap();
    // The first trial past the cliff, x = (10.5, 10.5), has f = NaN: the value is named.
    assert_eq!(s.termination, Termination::NonFinite(NonFiniteEntry::Value));
    assert_eq!(s.x, vec![10.0, 10.0]);
    assert_eq!(s.iterations, 21);
    // NaN at the start itself: an error naming the objective value.
    for (name, r) in all_solvers(&Cliff, &[11.0, 0.0], 200) {
        match r {
            Err(Error::NonFiniteAtStart { entry, value }) => {
                assert_eq!(entry, NonFiniteEntry::Value, "{name}");
                assert!(value.is_nan(), "{name}");
            }
            other => panic!("{name}: expected a located error, got {other:?}"),
        }
    }
}

#[test]
fn limits_are_respected() {
    for (name, r) in all_solvers(&Rosenbrock, &[-1.2, 1.0], 3) {
        let s = r.unwrap();
        assert_eq!(
            (s.iterations, s.termination),
            (3, Termination::MaxIterations),
            "{name}"
        );
    }
    let s = Bfgs::new()
        .max_evaluations(7)
        .minimize(Rosenbrock, &[-1.2, 1.0])
        .unwrap();
    assert_eq!(s.termination, Termination::MaxEvaluations);
    // One evaluation of the start point, then at most 7 more.
    assert!(s.evaluations.total() <= 8, "{:?}", s.evaluations);
    let s = Newton::new()
        .max_evaluations(0)
        .minimize(Rosenbrock, &[-1.2, 1.0])
        .unwrap();
    assert_eq!(
        (s.termination, s.iterations, s.evaluations.total()),
        (Termination::MaxEvaluations, 0, 1)
    );
}

#[test]
fn observer_sees_every_iteration_and_can_stop() {
    let mut seen = Vec::new();
    let s = Bfgs::new()
        .history(true)
        .minimize_with(Rosenbrock, &[-1.2, 1.0], |it| {
            seen.push(it.iteration);
            if it.iteration == 4 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(seen, vec![0, 1, 2, 3, 4]);
    assert_eq!((s.termination, s.iterations), (Termination::Stopped, 4));
    let history = s.history.unwrap();
    assert_eq!(history.len(), 5);
    assert_eq!(history[4].x, s.x);
    assert!(
        history.windows(2).all(|w| w[1].f <= w[0].f),
        "BFGS descends"
    );
}

#[test]
fn levenberg_marquardt_history_records_damping_and_rejections() {
    let s = LevenbergMarquardt::new()
        .history(true)
        .minimize(Rosenbrock, &[-1.2, 1.0])
        .unwrap();
    assert!(s.converged());
    let h = s.history.unwrap();
    assert!(h[1..].iter().all(|row| row.damping.is_some()));
    // δ is divided by ν = 10 after each acceptance and multiplied after each rejection.
    for w in h[1..].windows(2) {
        let (a, b) = (w[0].damping.unwrap(), w[1].damping.unwrap());
        let expected = if w[0].accepted { a / 10.0 } else { a * 10.0 };
        assert!((b / expected - 1.0).abs() < 1e-12, "{a} -> {b}");
    }
    // Rejected steps leave x in place; accepted ones lower f.
    for w in h.windows(2) {
        if w[1].accepted {
            assert!(w[1].f < w[0].f);
        } else {
            assert_eq!(w[1].x, w[0].x);
        }
    }
}

#[test]
fn invalid_options_are_errors() {
    assert!(matches!(
        LevenbergMarquardt::new()
            .factor(1.0)
            .minimize(Booth, &[0.0, 0.0]),
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        Lbfgs::new().memory(0).minimize(Booth, &[0.0, 0.0]),
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        Bfgs::new()
            .gradient_tolerance(f64::NAN)
            .minimize(Booth, &[0.0, 0.0]),
        Err(Error::InvalidOption(_))
    ));
}

#[test]
fn default_finite_difference_hessian_lets_newton_run_on_gradient_only_objectives() {
    #[derive(Clone)]
    struct GradientOnly;
    impl Objective for GradientOnly {
        fn value(&self, x: &[f64]) -> f64 {
            Rosenbrock.value(x)
        }
        fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
            Rosenbrock.gradient(x)
        }
    }
    let s = Newton::new().minimize(GradientOnly, &[-1.2, 1.0]).unwrap();
    assert!(
        s.gradient_norm <= 1e-6 && (s.x[0] - 1.0).abs() < 1e-6,
        "{s:?}"
    );
}

#[test]
fn quasi_newton_skips_and_counts_updates_without_positive_curvature() {
    // f = −x₀² + x₁² (a saddle): g = (−2x₀, 2x₁). From (1, 1) with a fixed step 0.1 along
    // p = −g = (2, −2): δ = (0.2, −0.2), γ = (−0.4, −0.4), so δᵀγ = −0.08 + 0.08 = 0 — not
    // safely positive, the update must be skipped (by hand; every later step likewise).
    #[derive(Clone)]
    struct Saddle;
    impl Objective for Saddle {
        fn value(&self, x: &[f64]) -> f64 {
            -x[0] * x[0] + x[1] * x[1]
        }
        fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
            (self.value(x), vec![-2.0 * x[0], 2.0 * x[1]])
        }
    }
    let fixed = curvature_optim::LineSearch::Fixed(0.1);
    for s in [
        Bfgs::new()
            .line_search(fixed)
            .max_iterations(3)
            .minimize(Saddle, &[1.0, 1.0])
            .unwrap(),
        Dfp::new()
            .line_search(fixed)
            .max_iterations(3)
            .minimize(Saddle, &[1.0, 1.0])
            .unwrap(),
        Lbfgs::new()
            .line_search(fixed)
            .max_iterations(3)
            .minimize(Saddle, &[1.0, 1.0])
            .unwrap(),
    ] {
        assert_eq!((s.iterations, s.skipped_updates), (3, 3), "{s:?}");
        // With Q = I throughout, the iterates are plain gradient steps: x₀ grows by 1.2, x₁ shrinks by 0.8.
        assert!((s.x[0] - 1.2f64.powi(3)).abs() < 1e-12 && (s.x[1] - 0.8f64.powi(3)).abs() < 1e-12);
    }
}
