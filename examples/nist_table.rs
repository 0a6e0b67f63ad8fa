//! The NIST StRD nonlinear regression table: `LeastSquares` from both starting points of all
//! 27 datasets, scored by the log relative error (LRE) against NIST's certified values.
//!
//! ```sh
//! cargo run --release --example nist_table             # the table (Markdown)
//! cargo run --release --example nist_table -- --compare # plus the step-solver comparison
//! ```
//!
//! "LRE" is the smallest LRE over the parameters of that run (NIST certifies 11 digits, so 11
//! is the cap); "RSS" the LRE of the residual sum of squares; iterations count every trust-region
//! step tried plus the final Gauss–Newton polish steps; evaluations are residual + Jacobian
//! calls.

use curvature::optim::StepSolver;
use curvature::prelude::*;
use curvature_nist::{lre, problems, Problem};

fn solver() -> LeastSquares {
    LeastSquares::new()
        .ftol(1e-15)
        .xtol(1e-15)
        .gtol(1e-15)
        .max_evaluations(10_000)
        .max_iterations(5_000)
}

struct Run {
    min_lre: f64,
    lres: Vec<f64>,
    rss_lre: f64,
    iterations: usize,
    evaluations: usize,
}

fn run(p: &Problem, start: usize, ls: &LeastSquares) -> Run {
    let d = p.dataset();
    let fit = ls
        .minimize(|b: &[Var]| p.residuals(b), d.start(start))
        .expect("valid start point");
    let lres: Vec<f64> = fit
        .x
        .iter()
        .zip(&d.certified_values)
        .map(|(&x, &c)| lre(x, c))
        .collect();
    Run {
        min_lre: lres.iter().copied().fold(f64::INFINITY, f64::min),
        lres,
        rss_lre: lre(fit.rss, d.certified_rss),
        iterations: fit.iterations,
        evaluations: fit.evaluations.value + fit.evaluations.gradient,
    }
}

/// (mean parameter LRE, min parameter LRE, runs with every parameter at LRE ≥ 4).
fn summary(runs: &[Run]) -> (f64, f64, usize) {
    let all: Vec<f64> = runs.iter().flat_map(|r| r.lres.iter().copied()).collect();
    (
        all.iter().sum::<f64>() / all.len() as f64,
        all.iter().copied().fold(f64::INFINITY, f64::min),
        runs.iter().filter(|r| r.min_lre >= 4.0).count(),
    )
}

fn main() {
    let compare = std::env::args().any(|a| a == "--compare");
    let problems = problems();
    let ls = solver();
    println!("| dataset | difficulty | n | m | LRE start 1 | LRE start 2 | RSS LRE 1 / 2 | iterations 1 / 2 | evaluations 1 / 2 |");
    println!("|---|---|--:|--:|--:|--:|--:|--:|--:|");
    let mut runs = Vec::new();
    for p in &problems {
        let d = p.dataset();
        let (a, b) = (run(p, 1, &ls), run(p, 2, &ls));
        println!(
            "| {} | {} | {} | {} | {:.1} | {:.1} | {:.1} / {:.1} | {} / {} | {} / {} |",
            d.name,
            d.difficulty,
            d.num_parameters,
            d.num_observations(),
            a.min_lre,
            b.min_lre,
            a.rss_lre,
            b.rss_lre,
            a.iterations,
            b.iterations,
            a.evaluations,
            b.evaluations
        );
        runs.push(a);
        runs.push(b);
    }
    let (mean, min, ok) = summary(&runs);
    println!(
        "\n{} runs: every parameter at LRE ≥ 4 in {ok}; mean parameter LRE {mean:.2}, minimum {min:.1}.",
        runs.len()
    );

    if compare {
        println!("\n| step solve | polish | mean parameter LRE | minimum | runs with LRE ≥ 4 |");
        println!("|---|---|--:|--:|--:|");
        for (solver, name) in [
            (StepSolver::Qr, "QR of J"),
            (StepSolver::NormalEquations, "Cholesky of JᵀJ + λD²"),
        ] {
            for polish in [true, false] {
                let ls = solver_with(solver, polish);
                let runs: Vec<Run> = problems
                    .iter()
                    .flat_map(|p| [run(p, 1, &ls), run(p, 2, &ls)])
                    .collect();
                let (mean, min, ok) = summary(&runs);
                println!(
                    "| {name} | {} | {mean:.3} | {min:.2} | {ok} |",
                    if polish { "yes" } else { "no" }
                );
            }
        }
    }
}

fn solver_with(step: StepSolver, polish: bool) -> LeastSquares {
    solver().step_solver(step).polish(polish)
}
