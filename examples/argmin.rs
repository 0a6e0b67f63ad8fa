//! argmin's solvers on Curvature's exact derivatives, next to Curvature's own solvers.
//!
//! ```sh
//! cargo run --release --features argmin --example argmin
//! ```
//!
//! The extended Rosenbrock function `f(x) = Σₖ (1 − x₂ₖ)² + 100 (x₂ₖ₊₁ − x₂ₖ²)²`, n = 20, from
//! the classical start (−1.2, 1, −1.2, 1, ...), unique minimum f(1, ..., 1) = 0 (the chained
//! variant has a second local minimum near x₀ = −1), is handed as one closure
//! over `Var` to argmin's L-BFGS (exact gradients) and trust-region Newton with Steihaug-CG
//! (exact Hessian-vector products, no n × n matrix), and to Curvature's `Lbfgs`, `NewtonCg`,
//! `TrustRegion` (Steihaug-CG) and `Newton`. Then the other direction: an argmin-style
//! problem solved by Curvature's Newton. Only `curvature` (with the `argmin` feature) is
//! needed: argmin comes re-exported.

use std::collections::HashMap;
use std::time::Instant;

use curvature::argmin::core::{Executor, State};
use curvature::argmin::solver::linesearch::MoreThuenteLineSearch;
use curvature::argmin::solver::quasinewton::LBFGS;
use curvature::argmin::solver::trustregion::{Steihaug, TrustRegion as ArgminTrustRegion};
use curvature::argmin::{core, ArgminProblem, FromArgmin};
use curvature::prelude::*;

const N: usize = 20;

fn extended_rosenbrock(x: &[Var]) -> Var {
    x.chunks(2)
        .map(|p| (1.0 - p[0]).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2))
        .sum()
}

/// `max |xᵢ − 1|`: the distance to the minimizer.
fn error(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |m, v| m.max((v - 1.0).abs()))
}

fn report(name: &str, iterations: u64, evaluations: &str, x: &[f64], f: f64, stop: &str, ms: f64) {
    println!(
        "| {name} | {iterations} | {evaluations} | {:.1e} | {f:.2e} | {stop} | {ms:.2} |",
        error(x)
    );
}

fn counts(c: &HashMap<&'static str, u64>) -> String {
    let get = |k| c.get(k).copied().unwrap_or(0);
    format!(
        "f {}, ∇f {}, H {}",
        get("cost_count"),
        get("gradient_count"),
        get("hessian_count")
    )
}

fn main() -> Result<(), core::Error> {
    let x0: Vec<f64> = (0..N)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    println!("extended Rosenbrock, n = {N}, from (−1.2, 1, ...); error = max |xᵢ − 1|\n");
    println!("| solver | iterations | evaluations | error | f | stop | ms |");
    println!("|---|--:|---|--:|--:|---|--:|");

    // argmin's L-BFGS with a Moré–Thuente line search, on our exact gradients.
    let t = Instant::now();
    let lbfgs = LBFGS::new(MoreThuenteLineSearch::new(), 7);
    let r = Executor::new(ArgminProblem::new(extended_rosenbrock), lbfgs)
        .configure(|s| s.param(x0.clone()).max_iters(1000))
        .run()?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    let x = r.state.get_best_param().expect("a run has a best point");
    let stop = format!("{}", r.state.get_termination_status());
    report(
        "argmin L-BFGS (m = 7)",
        r.state.get_iter(),
        &counts(&r.problem.counts),
        x,
        r.state.get_best_cost(),
        &stop,
        ms,
    );

    // argmin's trust-region Newton: Steihaug-CG only multiplies by H, and each product is
    // one forward-over-reverse sweep of the closure.
    let t = Instant::now();
    let problem = ArgminProblem::new(extended_rosenbrock).hessian_products();
    let products = problem.clone();
    let trust_region = ArgminTrustRegion::new(Steihaug::new().with_max_iters(2 * N as u64));
    let r = Executor::new(problem, trust_region)
        .configure(|s| s.param(x0.clone()).max_iters(100))
        .run()?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    let x = r.state.get_best_param().expect("a run has a best point");
    let stop = format!(
        "{} (best at iteration {})",
        r.state.get_termination_status(),
        r.state.get_last_best_iter()
    );
    report(
        "argmin trust region + Steihaug (HVPs)",
        r.state.get_iter(),
        &format!(
            "{}, H·v {}",
            counts(&r.problem.counts),
            products.hessian_product_count()
        ),
        x,
        r.state.get_best_cost(),
        &stop,
        ms,
    );

    // Ours, on the same closure.
    for (name, run) in [
        (
            "curvature Lbfgs (m = 7)",
            Box::new(|| Lbfgs::new().memory(7).minimize(extended_rosenbrock, &x0))
                as Box<dyn Fn() -> Result<Solution, curvature::Error>>,
        ),
        (
            "curvature NewtonCg (HVPs)",
            // HVPs only, like argmin's Steihaug (by default, past 20 products, the run
            // would multiply by the tape's sparse Hessian instead).
            Box::new(|| {
                NewtonCg::new()
                    .matrix_free(true)
                    .minimize(extended_rosenbrock, &x0)
            }),
        ),
        (
            "curvature TrustRegion (Steihaug-CG, HVPs)",
            Box::new(|| {
                TrustRegion::new()
                    .subproblem(Subproblem::SteihaugCg)
                    .matrix_free(true)
                    .minimize(extended_rosenbrock, &x0)
            }),
        ),
        (
            "curvature Newton (dense H)",
            Box::new(|| Newton::new().minimize(extended_rosenbrock, &x0)),
        ),
    ] {
        let t = Instant::now();
        let s = run().expect("valid input");
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let e = s.evaluations;
        let evaluations = format!(
            "f {}, ∇f {}, H {}, H·v {}",
            e.value, e.gradient, e.hessian, e.hvp
        );
        let stop = format!("{:?}", s.termination);
        report(
            name,
            s.iterations as u64,
            &evaluations,
            &s.x,
            s.f,
            &stop,
            ms,
        );
    }

    // The other direction: a problem written for argmin, minimized by Curvature's Newton with
    // the problem's own Hessian. f = (x₀ − 1)² + 4(x₁ + 2)² is quadratic: one Newton step.
    struct Bowl;
    impl core::CostFunction for Bowl {
        type Param = Vec<f64>;
        type Output = f64;
        fn cost(&self, x: &Vec<f64>) -> Result<f64, core::Error> {
            Ok((x[0] - 1.0).powi(2) + 4.0 * (x[1] + 2.0).powi(2))
        }
    }
    impl core::Gradient for Bowl {
        type Param = Vec<f64>;
        type Gradient = Vec<f64>;
        fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, core::Error> {
            Ok(vec![2.0 * (x[0] - 1.0), 8.0 * (x[1] + 2.0)])
        }
    }
    impl core::Hessian for Bowl {
        type Param = Vec<f64>;
        type Hessian = Vec<Vec<f64>>;
        fn hessian(&self, _: &Vec<f64>) -> Result<Vec<Vec<f64>>, core::Error> {
            Ok(vec![vec![2.0, 0.0], vec![0.0, 8.0]])
        }
    }
    let bowl = FromArgmin::new(Bowl).with_hessian();
    let s = Newton::new()
        .minimize(&bowl, &[5.0, 3.0])
        .expect("valid input");
    println!(
        "\nan argmin problem through FromArgmin: Newton reached ({:.3}, {:.3}) in {} iteration(s), {:?}",
        s.x[0], s.x[1], s.iterations, s.termination
    );
    assert_eq!(s.iterations, 1, "Newton is exact on a quadratic");
    Ok(())
}
