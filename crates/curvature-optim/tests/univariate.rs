//! Newton1d converges quadratically and Secant superlinearly: checked on the error ratios.

use curvature_optim::{Newton1d, Secant, Termination, Univariate};

/// f(x) = x² − ln x: f' = 2x − 1/x, f'' = 2 + 1/x², f''' = −2/x³. Minimizer x* = 1/√2 with
/// f''(x*) = 4 and f'''(x*) = −4√2, so both methods' error constants are
/// |f'''/(2f'')| = 4√2/8 = 1/√2:  Newton e_{k+1} ≈ e_k²/√2, secant e_{k+1} ≈ e_k e_{k−1}/√2.
struct LogBarrier;

impl Univariate for LogBarrier {
    fn derivatives(&self, x: f64) -> (f64, f64, f64) {
        (x * x - x.ln(), 2.0 * x - 1.0 / x, 2.0 + 1.0 / (x * x))
    }
}

fn errors(history: &[curvature_optim::Iteration]) -> Vec<f64> {
    let x_star = 0.5f64.sqrt();
    history
        .iter()
        .map(|row| (row.x[0] - x_star).abs())
        .collect()
}

#[test]
fn newton1d_error_squares_each_step() {
    let s = Newton1d::new()
        .gradient_tolerance(1e-15)
        .history(true)
        .minimize(LogBarrier, 1.0)
        .unwrap();
    assert!(s.converged());
    let e = errors(s.history.as_ref().unwrap());
    let constant = 0.5f64.sqrt();
    let mut checked = 0;
    for k in 0..e.len() - 1 {
        // Only where round-off (≈1e-16) cannot pollute e_{k+1}, and asymptotics have set in.
        if e[k] < 0.1 && e[k + 1] > 1e-12 {
            let ratio = e[k + 1] / (e[k] * e[k]);
            assert!(
                (ratio / constant - 1.0).abs() < 0.2,
                "k = {k}: ratio {ratio}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "errors {e:?}");
    assert!(s.evaluations.hessian >= s.iterations);
}

#[test]
fn secant_converges_superlinearly() {
    let s = Secant::new()
        .gradient_tolerance(1e-15)
        .history(true)
        .minimize(LogBarrier, 1.0)
        .unwrap();
    assert!(s.converged(), "{:?}", s.termination);
    let e = errors(s.history.as_ref().unwrap());
    let constant = 0.5f64.sqrt();
    let mut checked = 0;
    for k in 1..e.len() - 1 {
        if e[k] < 0.05 && e[k + 1] > 1e-12 {
            let ratio = e[k + 1] / (e[k] * e[k - 1]);
            assert!(
                (ratio / constant - 1.0).abs() < 0.25,
                "k = {k}: ratio {ratio}, errors {e:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "errors {e:?}");
    // Superlinear: the plain ratios e_{k+1}/e_k fall toward 0 (≈ e_{k−1}/√2).
    let ratios: Vec<f64> = (2..e.len())
        .filter(|&k| e[k] > 1e-12)
        .map(|k| e[k] / e[k - 1])
        .collect();
    assert!(
        ratios.windows(2).skip(1).all(|w| w[1] < w[0]),
        "ratios {ratios:?}"
    );
    assert!(*ratios.last().unwrap() < 1e-3, "ratios {ratios:?}");
    // Secant never asks for f''.
    assert_eq!(s.evaluations.hessian, 0);
    // Slower than Newton's order 2, so it needs more iterations to the same tolerance.
    let n = Newton1d::new()
        .gradient_tolerance(1e-15)
        .minimize(LogBarrier, 1.0)
        .unwrap();
    assert!(s.iterations > n.iterations);
}

#[test]
fn zero_curvature_stops_as_singular() {
    // f = x³: f'' = 6x vanishes at 0, where f' = 0 too; start at 0 with f' = 0 means converged,
    // so use f = x³ + x: f' = 3x² + 1 > 0 has no root, f'' = 0 at x = 0.
    struct NoMinimum;
    impl Univariate for NoMinimum {
        fn derivatives(&self, x: f64) -> (f64, f64, f64) {
            (x * x * x + x, 3.0 * x * x + 1.0, 6.0 * x)
        }
    }
    let s = Newton1d::new().minimize(NoMinimum, 0.0).unwrap();
    assert_eq!(s.termination, Termination::Singular);
    assert_eq!(s.iterations, 1);
}
