//! Part 3 of the tour: least squares on a certified problem, and where to go next.

use curvature::prelude::*;
use curvature_nist::{lre, problem};

pub fn run() {
    println!("\n== Curvature tour, part 3: least squares on a NIST certified problem ==\n");
    // Misra1a: y = b1·(1 − exp(−b2·x)), 14 observations, from NIST's Start 1.
    let misra = problem("Misra1a").expect("Misra1a is one of the 27 NIST problems");
    let d = misra.dataset();
    let fit = LeastSquares::new()
        .ftol(1e-15)
        .xtol(1e-15)
        .gtol(1e-15)
        .minimize(|b: &[Var]| misra.residuals(b), &d.start1)
        .expect("a valid start");
    println!(
        "Misra1a from Start 1 {:?}: {:?} after {} iterations (Jacobians by curvature-ad)",
        d.start1, fit.termination, fit.iterations
    );
    let se = fit.standard_errors.clone().unwrap_or_default();
    for j in 0..d.num_parameters {
        println!(
            "  b{} = {:.12e} ± {:.3e}   certified {:.12e} ± {:.3e}   digits agreeing (LRE) {:.1}",
            j + 1,
            fit.x[j],
            se.get(j).copied().unwrap_or(f64::NAN),
            d.certified_values[j],
            d.certified_std_devs[j],
            lre(fit.x[j], d.certified_values[j])
        );
    }
    println!(
        "  residual sum of squares {:.12e}, certified {:.12e}",
        fit.rss, d.certified_rss
    );
    println!("\nMore, each a runnable example:");
    println!("  cargo run --release --example nist_table           all 27 NIST problems from both starts");
    println!("  cargo run --release --example curve_fit            Thurber with standard errors and an SVG");
    println!("  cargo run --release --example logistic_regression  Newton vs L-BFGS vs GD vs Adam on real data");
    println!("  cargo run --release --example train_mlp            an MLP on digits: Adam + schedule + EMA");
    println!("  cargo run --release --example train_mlp_large      a 64-256-10 MLP: vector primitives vs scalar nodes");
    println!("  cargo run --release --example large_scale          exact Newton at n = 10⁶ (sparse Hessian, sparse Cholesky)");
    println!(
        "  cargo run --release --example bounded_fit          a fit with a physical bound (B ≥ 0)"
    );
}
