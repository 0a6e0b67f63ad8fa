//! The 35 Moré–Garbow–Hillstrom problems from 10·x0 (the paper's "far" start): how many each
//! second-order method solves, against the published minima.

use curvature_ad::Var;
use curvature_optim::{LevenbergMarquardt, Newton, Solution, Subproblem, Termination, TrustRegion};
use curvature_problems::Mgh;

/// Solved: the run stopped by itself (not at an iteration or evaluation limit) at the
/// published f* — to the paper's six significant digits where f* is rounded, to 1e-8
/// absolute (relative to |f*| + 1) where f* is exact. A stop at a published *local* minimum
/// (Freudenstein–Roth's 48.98, say) is not counted.
///
/// The criterion looks at f, not at the stopping rule: on Meyer, the worst-scaled problem of
/// the set (x* ≈ (0.0056, 6181, 345)), a trust region reaches f* to 9 digits and then its
/// radius collapses with a relative gradient of rounding noise above the precision-limit gate.
fn solved(p: Mgh, s: &Solution) -> bool {
    let f_star = p.f_min();
    let close = match p.f_min_digits() {
        Some(_) => (s.f - f_star).abs() <= 5e-6 * f_star.abs(),
        None => (s.f - f_star).abs() <= 1e-8 * (1.0 + f_star.abs()),
    };
    let stopped_itself = !matches!(
        s.termination,
        Termination::MaxIterations | Termination::MaxEvaluations
    );
    stopped_itself && close
}

fn count(name: &str, run: impl Fn(Mgh, &[f64]) -> Solution) -> usize {
    let mut solved_count = 0;
    let mut failed = Vec::new();
    for p in Mgh::ALL {
        let x0: Vec<f64> = p.x0().iter().map(|v| 10.0 * v).collect();
        let s = run(p, &x0);
        if solved(p, &s) {
            solved_count += 1;
        } else {
            failed.push(format!("{} ({:?}, f = {:e})", p.name(), s.termination, s.f));
        }
    }
    println!("{name}: {solved_count}/35 solved; not solved: {failed:#?}");
    solved_count
}

#[test]
fn trust_region_solves_at_least_31_of_the_35_from_ten_times_the_start() {
    let tr = count("TrustRegion (Moré–Sorensen)", |p, x0| {
        TrustRegion::new()
            .gradient_tolerance(1e-8)
            .max_iterations(5000)
            .minimize(|x: &[Var]| p.value(x), x0)
            .unwrap()
    });
    assert!(tr >= 31, "TrustRegion solved {tr}/35");
}

#[test]
fn other_subproblems_and_line_search_methods_for_comparison() {
    // Printed for the README (`cargo test --test mgh -- --nocapture`); the baselines
    // were 29 for Newton and LM. Asserted only loosely: no regression below them.
    let sub = |s: Subproblem| {
        move |p: Mgh, x0: &[f64]| {
            TrustRegion::new()
                .subproblem(s)
                .gradient_tolerance(1e-8)
                .max_iterations(5000)
                .minimize(|x: &[Var]| p.value(x), x0)
                .unwrap()
        }
    };
    count("TrustRegion (dogleg)", sub(Subproblem::Dogleg));
    count("TrustRegion (Steihaug-CG)", sub(Subproblem::SteihaugCg));
    let newton = count("Newton", |p, x0| {
        Newton::new()
            .gradient_tolerance(1e-8)
            .max_iterations(5000)
            .minimize(|x: &[Var]| p.value(x), x0)
            .unwrap()
    });
    let lm = count("LevenbergMarquardt", |p, x0| {
        LevenbergMarquardt::new()
            .gradient_tolerance(1e-8)
            .max_iterations(5000)
            .minimize(|x: &[Var]| p.value(x), x0)
            .unwrap()
    });
    assert!(newton >= 29 && lm >= 29, "Newton {newton}, LM {lm}");
}
