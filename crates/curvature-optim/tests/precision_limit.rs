//! Convergence at the precision limit (issue 13): quasi-Newton runs whose f stops changing
//! beyond its rounding level report `Termination::PrecisionLimit`, a converged stop, at
//! Newton's minimizer and without burning evaluations in failing line searches.

use curvature_ad::{Rounded, Var};
use curvature_optim::{
    Bfgs, Dfp, Lbfgs, LbfgsB, Newton, Objective, Solution, Subproblem, Termination, TrustRegion,
};
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
    assert_line_search_failed(s.termination, "");
    assert!(max_distance(&s.x, &newton_minimizer().x) < 1e-5);
}

/// ARWHEAD, f = Σᵢ₌₁ⁿ⁻¹ (xᵢ² + xₙ²)² − 4xᵢ + 3, minimum 0 at (1, …, 1, 0), written once for
/// `Var`, f64 and `Rounded`. At the minimizer every term is 1 − 4 + 3: f ≈ 0 is a sum of
/// terms of size 1 that cancel, so |f| says nothing about f's rounding noise (about
/// n·u·4 for the n − 1 terms), and the last quasi-Newton steps seek a decrease
/// (≈ 2n·xₙ² with xₙ ≈ 1e-9) far below it.
fn arwhead<T: Float>(x: &[T]) -> T {
    let (&last, rest) = x.split_last().unwrap();
    let (three, four) = (T::from(3.0).unwrap(), T::from(4.0).unwrap());
    rest.iter().fold(T::zero(), |s, &xi| {
        s + (xi * xi + last * last).powi(2) - four * xi + three
    })
}

/// Panics unless the run ended in a line-search failure.
fn assert_line_search_failed(stop: Termination, name: &str) {
    assert!(
        matches!(stop, Termination::LineSearchFailed(_)),
        "{name}: {stop:?}"
    );
}

fn at_arwhead_minimizer(name: &str, s: &Solution) {
    let n = s.x.len();
    let (head, last) = s.x.split_at(n - 1);
    eprintln!(
        "{name}: {:?}, f = {:e}, ‖g‖∞ = {:.1e}, |x − 1|∞ = {:.1e}, xₙ = {:.1e}",
        s.termination,
        s.f,
        s.gradient_norm,
        max_distance(head, &vec![1.0; n - 1]),
        last[0]
    );
    // The minimizer (1, …, 1, 0) by hand; the noise-limited steps leave xₙ near 1e-8.
    assert!(max_distance(head, &vec![1.0; n - 1]) < 1e-7, "{name}");
    assert!(last[0].abs() < 1e-7, "{name}");
}

#[test]
fn a_line_search_defeated_by_the_rounding_of_cancelling_terms_is_the_precision_limit() {
    let x0 = vec![1.0; 1000];
    let f = |x: &[Var]| arwhead(x);
    for (name, s) in [
        ("L-BFGS", Lbfgs::new().minimize(f, &x0).unwrap()),
        ("L-BFGS-B", LbfgsB::new().minimize(f, &x0).unwrap()),
        ("BFGS", Bfgs::new().minimize(f, &x0).unwrap()),
    ] {
        assert_eq!(s.termination, Termination::PrecisionLimit, "{name}");
        at_arwhead_minimizer(name, &s);
        // The |f|-scaled gate alone would not have called the L-BFGS runs: their ‖g‖∞ is
        // above ε^{1/3} (BFGS's, 5e-6, happens to be below).
        if name != "BFGS" {
            assert!(s.gradient_norm > f64::EPSILON.cbrt(), "{name}");
        }
        // With the precision-limit stops off, the same run ends in the line search's
        // failure, at the same point.
        let off = match name {
            "L-BFGS" => Lbfgs::new()
                .relative_gradient_tolerance(0.0)
                .minimize(f, &x0),
            "L-BFGS-B" => LbfgsB::new()
                .relative_gradient_tolerance(0.0)
                .minimize(f, &x0),
            _ => Bfgs::new()
                .relative_gradient_tolerance(0.0)
                .minimize(f, &x0),
        }
        .unwrap();
        assert_line_search_failed(off.termination, name);
        assert_eq!(off.x, s.x, "{name}");
    }
}

/// ARWHEAD by hand, with or without a rounding bound from `Rounded`.
struct HandArwhead {
    rounding: bool,
}

impl Objective for HandArwhead {
    fn value(&self, x: &[f64]) -> f64 {
        arwhead(x)
    }
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let n = x.len();
        let last = x[n - 1];
        let mut g = vec![0.0; n];
        for i in 0..n - 1 {
            let q = 4.0 * (x[i] * x[i] + last * last);
            g[i] = q * x[i] - 4.0;
            g[n - 1] += q * last;
        }
        (arwhead(x), g)
    }
    fn rounding_error(&self, x: &[f64]) -> Option<f64> {
        let x: Vec<Rounded> = x.iter().map(|&v| Rounded::exact(v)).collect();
        self.rounding.then(|| arwhead(&x).error())
    }
}

#[test]
fn a_hand_written_objective_reaches_the_precision_limit_through_its_own_rounding_bound() {
    let x0 = vec![1.0; 1000];
    let s = Lbfgs::new()
        .minimize(HandArwhead { rounding: true }, &x0)
        .unwrap();
    assert_eq!(s.termination, Termination::PrecisionLimit);
    at_arwhead_minimizer("L-BFGS, by hand", &s);
    // Without a bound the objective cannot tell noise from failure.
    let s = Lbfgs::new()
        .minimize(HandArwhead { rounding: false }, &x0)
        .unwrap();
    assert_line_search_failed(s.termination, "");
}

#[test]
fn a_line_search_defeated_by_a_kink_is_still_a_failure() {
    // f = |x₀ − 1| + (x₁ − ½)²: at the kink x₀ = 1 the decrease a search seeks is of the
    // size of the step, far above f's rounding (≈ 1e-16): not the precision limit.
    let f = |x: &[Var]| (x[0] - 1.0).abs() + (x[1] - 0.5).powi(2);
    let s = Bfgs::new().minimize(f, &[3.0, 3.0]).unwrap();
    eprintln!("kink: {:?} at {:?}", s.termination, s.x);
    assert_line_search_failed(s.termination, "");
}

#[test]
fn a_trust_region_step_predicting_less_than_the_rounding_ends_the_run() {
    // Steihaug's trust region on ARWHEAD reaches f = 0 and then rejects every step (ρ
    // compares rounding with rounding). The first rejection whose predicted reduction lies
    // below f's rounding bound ends the run, where the radius would otherwise shrink by
    // quarters until it collapsed.
    let x0 = vec![1.0; 100];
    let f = |x: &[Var]| arwhead(x);
    let tr = || {
        TrustRegion::new()
            .subproblem(Subproblem::SteihaugCg)
            .history(true)
    };
    let s = tr().minimize(f, &x0).unwrap();
    assert_eq!(s.termination, Termination::PrecisionLimit);
    at_arwhead_minimizer("trust region", &s);
    let off = tr()
        .relative_gradient_tolerance(0.0)
        .minimize(f, &x0)
        .unwrap();
    eprintln!(
        "with the stops off: {:?} after {} iterations",
        off.termination, off.iterations
    );
    assert_eq!(off.termination, Termination::RadiusCollapsed);
    assert_eq!(off.x, s.x);
    // The run stopped at its first rejected step: every earlier one was accepted.
    let history = s.history.unwrap();
    let rejected: Vec<usize> = history
        .iter()
        .filter(|r| !r.accepted)
        .map(|r| r.iteration)
        .collect();
    assert_eq!(rejected, vec![s.iterations]);
    assert!(off.iterations > s.iterations + 5);
}
