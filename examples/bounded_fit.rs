//! Curve fitting with a physical bound: a decay curve `y = A e^{−k t} + B` on a background
//! B that cannot be negative (counts, concentrations), fitted with and without `B ≥ 0`.
//!
//! The noise in the tail pulls the unconstrained background below zero — a number no
//! instrument can report. With `Bounds` the fit holds B at 0, says so, and warns that the
//! standard error printed for B is not meaningful.
//!
//! ```sh
//! cargo run --release --example bounded_fit
//! ```
//! scipy 1.17's `least_squares(..., bounds=([0, 0, 0], [inf] * 3))` (trust-region
//! reflective) on the same data gives A = 9.972012459955716, k = 0.3005986476494866,
//! B = 8e-24 and RSS = 0.17480700787544542; unbounded, B = −0.01567078031681229.

use std::error::Error;

use curvature::prelude::*;

fn main() -> Result<(), Box<dyn Error>> {
    // 25 readings of 10 e^{−0.3 t} + 0.02 with a deterministic ripple of amplitude 0.12 and a
    // small negative offset, the kind of drift that drags a background estimate below 0.
    let t: Vec<f64> = (0..25u8).map(|i| i.into()).collect();
    let y: Vec<f64> = t
        .iter()
        .map(|&t| 10.0 * (-0.3 * t).exp() + 0.02 + 0.12 * (1.7 * t + 3.0).sin() - 0.03)
        .collect();
    let residuals = |p: &[Var]| -> Vec<Var> {
        t.iter()
            .zip(&y)
            .map(|(&t, &y)| p[0] * (-p[1] * t).exp() + p[2] - y)
            .collect()
    };
    let solver = LeastSquares::new().ftol(1e-15).xtol(1e-15).gtol(1e-15);
    let start = [5.0, 1.0, 1.0];

    let free = solver.clone().minimize(residuals, &start)?;
    report("unconstrained", &free);

    // A ≥ 0, k ≥ 0, B ≥ 0: the physics.
    let bounded = solver
        .bounds(Bounds::nonnegative(3))
        .minimize(residuals, &start)?;
    report("A, k, B ≥ 0", &bounded);
    for j in bounded.at_bounds() {
        println!(
            "  {} ended on its bound: its standard error above is not meaningful \
             (the covariance assumes an interior optimum)",
            ["A", "k", "B"][j]
        );
    }
    let pg = bounded
        .bounds
        .as_ref()
        .map_or(f64::NAN, |b| b.projected_gradient_norm);
    println!(
        "  projected gradient ‖P(x − ∇f) − x‖∞ = {pg:.1e} while ∂f/∂B = {:.3e} > 0 pushes B below 0",
        bounded.gradient[2]
    );
    println!("\nscipy 1.17 least_squares with the same bounds: A = 9.972012459955716, k = 0.3005986476494866, RSS = 0.17480700787544542");
    Ok(())
}

fn report(label: &str, fit: &Fit) {
    let se = fit
        .standard_errors
        .clone()
        .unwrap_or_else(|| vec![f64::NAN; 3]);
    println!(
        "{label}: {:?} after {} iterations, RSS = {:.17}",
        fit.termination, fit.iterations, fit.rss
    );
    for (j, name) in ["A", "k", "B"].iter().enumerate() {
        println!("  {name} = {:>22.15e} ± {:.3e}", fit.x[j], se[j]);
    }
}
