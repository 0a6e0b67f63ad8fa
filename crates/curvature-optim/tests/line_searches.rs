//! Every line-search answer satisfies the conditions it claims.

mod common;

use common::Rosenbrock;
use curvature_optim::line_search::{
    Backtracking, Exact, LineSearchFailure, MoreThuente, StrongWolfe,
};
use curvature_optim::Objective;
use proptest::prelude::*;

/// φ(α) = f(x + αp) and φ'(α) = ∇f(x + αp)ᵀp for Rosenbrock.
fn phi(x: [f64; 2], p: [f64; 2], a: f64) -> (f64, f64) {
    let (f, g) = Rosenbrock.gradient(&[x[0] + a * p[0], x[1] + a * p[1]]);
    (f, g[0] * p[0] + g[1] * p[1])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn armijo_result_satisfies_sufficient_decrease(
        x0 in -2.0..2.0f64, x1 in -1.0..3.0f64, scale in 1e-4..10.0f64, turn in -1.2..1.2f64,
    ) {
        let (phi0, _) = phi([x0, x1], [0.0, 0.0], 0.0);
        let (_, g) = Rosenbrock.gradient(&[x0, x1]);
        // A descent direction: −g rotated by less than 90°, scaled.
        let (c, s) = (turn.cos(), turn.sin());
        let p = [-scale * (c * g[0] - s * g[1]), -scale * (s * g[0] + c * g[1])];
        let dphi0 = g[0] * p[0] + g[1] * p[1];
        prop_assume!(dphi0 < 0.0);
        let ls = Backtracking::new();
        let r = ls.search(|a| phi([x0, x1], p, a).0, phi0, dphi0, 1.0);
        prop_assert_eq!(r.value, phi([x0, x1], p, r.alpha).0);
        match r.status {
            Ok(()) => prop_assert!(r.value <= phi0 + ls.c1 * r.alpha * dphi0),
            Err(_) => prop_assert!(r.value <= phi0),
        }
    }

    /// Both strong-Wolfe searches, on the same directions.
    #[test]
    fn wolfe_results_satisfy_both_conditions(
        x0 in -2.0..2.0f64, x1 in -1.0..3.0f64, scale in 1e-4..10.0f64, turn in -1.2..1.2f64,
        c2 in prop_oneof![Just(0.9), Just(0.1)],
    ) {
        let (phi0, _) = phi([x0, x1], [0.0, 0.0], 0.0);
        let (_, g) = Rosenbrock.gradient(&[x0, x1]);
        let (c, s) = (turn.cos(), turn.sin());
        let p = [-scale * (c * g[0] - s * g[1]), -scale * (s * g[0] + c * g[1])];
        let dphi0 = g[0] * p[0] + g[1] * p[1];
        prop_assume!(dphi0 < 0.0);
        let wolfe = StrongWolfe::new().c2(c2);
        let more_thuente = MoreThuente::new().c1(wolfe.c1).c2(c2).max_trials(40);
        let results = [
            wolfe.search(|a| phi([x0, x1], p, a), phi0, dphi0, 1.0),
            more_thuente.search(|a| phi([x0, x1], p, a), phi0, dphi0, 1.0),
        ];
        for r in results {
            match r.status {
                Ok(()) => {
                    let (value, slope) = phi([x0, x1], p, r.alpha);
                    prop_assert_eq!(Some(slope), r.slope);
                    prop_assert!(value <= phi0 + wolfe.c1 * r.alpha * dphi0);
                    prop_assert!(slope.abs() <= c2 * dphi0.abs());
                }
                Err(_) => prop_assert!(r.value <= phi0),
            }
        }
    }
}

/// Any line-search solver can use Moré–Thuente: L-BFGS and BFGS with it solve Rosenbrock
/// from the classic start to the minimizer (1, 1) (by hand: f = 0 there, ∇f = 0).
#[test]
fn solvers_converge_with_more_thuente() {
    use curvature_optim::{Bfgs, Lbfgs, LineSearch, Termination};
    let search = LineSearch::MoreThuente(MoreThuente::new().c1(1e-4));
    for s in [
        Lbfgs::new()
            .line_search(search)
            .minimize(Rosenbrock, &[-1.2, 1.0]),
        Bfgs::new()
            .line_search(search)
            .minimize(Rosenbrock, &[-1.2, 1.0]),
    ] {
        let s = s.unwrap();
        assert!(
            matches!(
                s.termination,
                Termination::GradientTolerance | Termination::PrecisionLimit
            ),
            "{:?}",
            s.termination
        );
        assert!(
            (s.x[0] - 1.0).abs() < 1e-6 && (s.x[1] - 1.0).abs() < 1e-6,
            "{:?}",
            s.x
        );
    }
}

#[test]
fn strong_wolfe_succeeds_on_a_one_dimensional_quartic() {
    // φ(α) = (α − 3)⁴ − 81 + … : φ(0) = 0, φ'(0) = −108; the bracketing must double α from 1.
    let f = |a: f64| ((a - 3.0).powi(4) - 81.0, 4.0 * (a - 3.0).powi(3));
    let r = StrongWolfe::new().c2(0.1).search(f, 0.0, -108.0, 0.1);
    assert!(r.status.is_ok());
    let (v, d) = f(r.alpha);
    assert!(
        v <= 1e-4 * r.alpha * -108.0 && d.abs() <= 10.8,
        "α = {}",
        r.alpha
    );
}

#[test]
fn searches_report_non_descent_directions() {
    let up = Backtracking::new().search(|a| a, 0.0, 1.0, 1.0);
    assert_eq!(up.status, Err(LineSearchFailure::NotDescent));
    assert_eq!(up.alpha, 0.0);
    let up = StrongWolfe::new().search(|a| (a, 1.0), 0.0, 1.0, 1.0);
    assert_eq!(up.status, Err(LineSearchFailure::NotDescent));
}

#[test]
fn failed_search_keeps_best_point() {
    // φ decreases only on (0, 1e-30): no trial in 3 tries from α = 1 finds it, so the search
    // fails and stays at α = 0 — it must not return a worse point.
    let r = Backtracking::new().max_trials(3).search(
        |a| if a < 1e-30 { -a } else { 1.0 },
        0.0,
        -1.0,
        1.0,
    );
    assert_eq!(r.status, Err(LineSearchFailure::MaxTrials));
    assert_eq!((r.alpha, r.value), (0.0, 0.0));
    // A NaN region is backed out of, not accepted.
    let r = Backtracking::new().search(
        |a| if a > 0.5 { f64::NAN } else { (a - 0.2).powi(2) },
        0.04,
        -0.4,
        1.0,
    );
    assert!(r.status.is_ok() && r.alpha <= 0.5 && r.value.is_finite());
    let r = StrongWolfe::new().search(
        |a| {
            if a > 0.5 {
                (f64::NAN, f64::NAN)
            } else {
                ((a - 0.2).powi(2), 2.0 * (a - 0.2))
            }
        },
        0.04,
        -0.4,
        1.0,
    );
    assert!(r.status.is_ok() && r.alpha <= 0.5 && r.value.is_finite());
}

#[test]
fn exact_search_minimizes_a_quadratic_in_one_newton_step() {
    // φ(α) = 3α² − 2α + 1: φ' = 6α − 2, φ'' = 6, minimizer 1/3 (by hand).
    let r = Exact::new().search(|a| (3.0 * a * a - 2.0 * a + 1.0, 6.0 * a - 2.0, 6.0));
    assert!(r.status.is_ok());
    assert!((r.alpha - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(r.trials, 2);
    let r = Exact::new().search(|a| (-a * a - a, -2.0 * a - 1.0, -2.0));
    assert_eq!(r.status, Err(LineSearchFailure::NonPositiveCurvature));
}
