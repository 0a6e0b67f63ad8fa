//! Trust-region Newton: each subproblem solver on problems with known minimizers, the ratio
//! test and radius update as seen in the history, and the hard case.

mod common;

use common::Rosenbrock;
use curvature_ad::Var;
use curvature_optim::{Subproblem, Termination, TrustRegion};
use num_traits::Float;

const ALL: [Subproblem; 4] = [
    Subproblem::MoreSorensen,
    Subproblem::SteihaugCg,
    Subproblem::SteihaugCgDiagonal,
    Subproblem::Dogleg,
];

#[test]
fn every_subproblem_reaches_rosenbrock_minimum_from_the_classic_start() {
    for sub in ALL {
        let s = TrustRegion::new()
            .subproblem(sub)
            .minimize(Rosenbrock, &[-1.2, 1.0])
            .unwrap();
        assert!(s.converged(), "{sub:?}: {:?}", s.termination);
        // ‖g‖∞ ≤ 1e-8 and H(1, 1)'s smallest eigenvalue ≈ 0.4 bound ‖x − x*‖ by about 2.5e-8.
        assert!(
            (s.x[0] - 1.0).abs() < 1e-7 && (s.x[1] - 1.0).abs() < 1e-7,
            "{sub:?}: {:?}",
            s.x
        );
    }
}

#[test]
fn history_reports_radius_and_ratio_and_obeys_the_update_rules() {
    let eta = 0.1;
    for sub in ALL {
        let s = TrustRegion::new()
            .subproblem(sub)
            .eta(eta)
            .initial_radius(0.5)
            .history(true)
            .minimize(Rosenbrock, &[-1.2, 1.0])
            .unwrap();
        let h = s.history.clone().unwrap();
        // The run's inner iterations (CG iterations, factorizations) are the steps', rejected
        // ones included, and the report prints them.
        let inner: usize = h.iter().filter_map(|r| r.inner_iterations).sum();
        assert!(h.iter().skip(1).all(|r| r.inner_iterations.is_some()));
        assert!(inner > 0 && h.iter().any(|r| !r.accepted), "{sub:?}");
        assert_eq!(s.inner_iterations, inner, "{sub:?}");
        assert!(s
            .to_string()
            .contains(&format!("  inner iter.    {inner}\n")));
        assert_eq!(h[0].radius, None, "the start row has no step");
        assert_eq!(h[1].radius, Some(0.5));
        for w in h[1..].windows(2) {
            let (now, next) = (&w[0], &w[1]);
            let (radius, ratio) = (now.radius.unwrap(), now.ratio.unwrap());
            // Accepted exactly when ρ > η.
            assert_eq!(now.accepted, ratio > eta, "{sub:?} row {}", now.iteration);
            let next_radius = next.radius.unwrap();
            if ratio < 0.25 {
                assert!(
                    next_radius <= 0.25 * radius,
                    "{sub:?} row {}",
                    now.iteration
                );
            } else {
                assert!(next_radius >= radius, "{sub:?} row {}", now.iteration);
            }
            // A rejected step leaves x and f unchanged.
            if !now.accepted {
                assert_eq!(now.step_norm, 0.0);
            }
        }
    }
}

/// f = x₀⁴/4 − x₀²/2 + x₁²/2 + x₁: minimizers (±1, −1), f* = −¾; (0, −1) is a saddle with
/// f = −½. Along x₀ = 0 the gradient's first component is 0, so from (0, 0) any method whose
/// steps lie in span{g, Hg, …} stays on the line x₀ = 0 and ends at the saddle.
fn double_well<T: Float>(x: &[T]) -> T {
    let (two, four) = (T::from(2.0).unwrap(), T::from(4.0).unwrap());
    x[0].powi(4) / four - x[0] * x[0] / two + x[1] * x[1] / two + x[1]
}

#[test]
fn more_sorensen_hard_case_escapes_the_saddle() {
    // At (0, 0): g = (0, 1) ⟂ e₀, the eigenvector of H's eigenvalue −1: the hard case.
    let f = |x: &[Var]| double_well(x);
    let s = TrustRegion::new()
        .subproblem(Subproblem::MoreSorensen)
        .minimize(f, &[0.0, 0.0])
        .unwrap();
    assert!(s.converged(), "{:?}", s.termination);
    assert!((s.f + 0.75).abs() < 1e-14, "f = {}", s.f);
    assert!((s.x[0].abs() - 1.0).abs() < 1e-8 && (s.x[1] + 1.0).abs() < 1e-8);
}

/// Extended Wood (Moré–Garbow–Hillstrom no. 14, repeated over blocks of 4): minimum 0 at 1.
fn extended_wood<T: Float>(x: &[T]) -> T {
    let c = |v: f64| T::from(v).unwrap();
    x.chunks_exact(4)
        .map(|b| {
            c(100.0) * (b[1] - b[0] * b[0]).powi(2)
                + (T::one() - b[0]).powi(2)
                + c(90.0) * (b[3] - b[2] * b[2]).powi(2)
                + (T::one() - b[2]).powi(2)
                + c(10.1) * ((b[1] - T::one()).powi(2) + (b[3] - T::one()).powi(2))
                + c(19.8) * (b[1] - T::one()) * (b[3] - T::one())
        })
        .fold(T::zero(), |s, t| s + t)
}

#[test]
fn every_subproblem_solves_extended_wood() {
    let n = 1000;
    let x0: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { -3.0 } else { -1.0 })
        .collect();
    for sub in ALL {
        let s = TrustRegion::new()
            .subproblem(sub)
            .gradient_tolerance(1e-6)
            .minimize(|x: &[Var]| extended_wood(x), &x0)
            .unwrap();
        assert!(
            s.termination == Termination::GradientTolerance && s.f <= 1e-10,
            "{sub:?}: {:?}, f = {:e} after {} iterations",
            s.termination,
            s.f,
            s.iterations
        );
        assert!(s.x.iter().all(|v| (v - 1.0).abs() < 1e-4), "{sub:?}");
    }
}

#[test]
fn invalid_options_are_errors() {
    let f = |x: &[Var]| x[0] * x[0];
    assert!(TrustRegion::new()
        .initial_radius(0.0)
        .minimize(f, &[1.0])
        .is_err());
    assert!(TrustRegion::new()
        .initial_radius(f64::NAN)
        .minimize(f, &[1.0])
        .is_err());
    assert!(TrustRegion::new()
        .initial_radius(2.0)
        .max_radius(1.0)
        .minimize(f, &[1.0])
        .is_err());
    assert!(TrustRegion::new().eta(0.5).minimize(f, &[1.0]).is_err());
}
