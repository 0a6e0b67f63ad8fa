//! Part of the tour: bounds on the variables — L-BFGS-B and projected Newton.

use curvature::prelude::*;

pub fn run() {
    println!("\n== Curvature tour: bounds on the variables ==\n");
    // Rosenbrock with x₀ ≤ 0.5 cuts through the unconstrained minimizer (1, 1): the answer is
    // (0.5, 0.25), f = 0.25, with the bound x₀ ≤ 0.5 active.
    let rosenbrock = |x: &[Var]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
    let bounds = Bounds::new(vec![-2.0, -2.0], vec![0.5, 2.0]).expect("lower ≤ upper");
    let start = [-1.2, 1.0];
    let runs = [
        (
            "L-BFGS-B",
            LbfgsB::new()
                .bounds(bounds.clone())
                .minimize(rosenbrock, &start),
        ),
        (
            "projected Newton (Cholesky)",
            ProjectedNewton::new()
                .bounds(bounds.clone())
                .minimize(rosenbrock, &start),
        ),
        (
            "projected Newton (CG on HVPs)",
            ProjectedNewton::new()
                .bounds(bounds.clone())
                .system(NewtonSystem::ConjugateGradient)
                .minimize(rosenbrock, &start),
        ),
    ];
    println!("Rosenbrock on [−2, 0.5] × [−2, 2] from (−1.2, 1); the minimizer is (0.5, 0.25):");
    for (name, run) in runs {
        let s = run.expect("valid bounds and start");
        let report = s.bounds.as_ref().expect("bounded solvers report the box");
        println!(
            "  {name:30} x = ({:.10}, {:.10})  f = {:.12}  at upper bound {:?}  ‖P(x−∇f)−x‖∞ = {:.1e}  {} iterations, {:?}",
            s.x[0], s.x[1], s.f, report.at_upper, report.projected_gradient_norm, s.iterations, s.termination
        );
    }

    // A larger one: chained Rosenbrock, n = 1000, every variable in [−1, 0.8] (the unconstrained
    // minimizer (1, …, 1) is outside the box). The projected Newton–CG never forms a dense
    // 1000 × 1000 Hessian: its first 20 products are HVPs on the tape, the rest products with
    // the tape's sparse (tridiagonal) Hessian, formed at each iterate. Tolerance 1e-5: with f ≈ 986, steps that a projected gradient
    // of 1e-6 calls for change f by about its round-off, so line searches cannot resolve them.
    let n = 1000;
    let chained = |x: &[Var]| {
        x.windows(2)
            .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
            .fold(Var::constant(0.0), |s, t| s + t)
    };
    let bounds = Bounds::uniform(n, -1.0, 0.8).expect("lower ≤ upper");
    let x0: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    println!(
        "\nChained Rosenbrock, n = {n}, all xᵢ in [−1, 0.8], start (−1.2, 1, −1.2, …) projected:"
    );
    for (name, run) in [
        (
            "L-BFGS-B",
            LbfgsB::new()
                .bounds(bounds.clone())
                .gradient_tolerance(1e-5)
                .minimize(chained, &x0),
        ),
        (
            "projected Newton (CG)",
            ProjectedNewton::new()
                .bounds(bounds.clone())
                .system(NewtonSystem::ConjugateGradient)
                .gradient_tolerance(1e-5)
                .minimize(chained, &x0),
        ),
    ] {
        let s = run.expect("valid bounds and start");
        let report = s.bounds.as_ref().expect("bounded solvers report the box");
        println!(
            "  {name:30} f = {:.10}  {} variables at a bound, {} projected at the start  {} iterations, evaluations {:?}, {:?}",
            s.f,
            report.active().len(),
            report.projected_start.len(),
            s.iterations,
            s.evaluations,
            s.termination
        );
    }
}
