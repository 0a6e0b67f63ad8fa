//! Part 2 of the tour: the second-order-methods lecture, executable.
//!
//! Booth in one Newton step, Newton vs secant in one variable, the three ways pure Newton
//! fails next to the safeguarded methods, every method on Rosenbrock, and an SVG of their paths.

mod plot;

use std::time::Instant;

use curvature::optim::{Damping, Iteration, Solution, Subproblem, TrustRegion};
use curvature::prelude::*;

fn rosenbrock(x: &[Var]) -> Var {
    (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2)
}

pub fn run() {
    println!("\n== Curvature tour, part 2: optimization ==");
    booth_in_one_newton_step();
    newton_versus_secant();
    failure_modes_of_pure_newton();
    let paths = rosenbrock_table();
    match plot::rosenbrock_paths(&paths) {
        Ok(file) => println!(
            "\nSVG of every method's path over Rosenbrock's contours: {}",
            file.display()
        ),
        Err(e) => println!("\n(could not write the SVG plot: {e})"),
    }
}

fn booth_in_one_newton_step() {
    println!("\n-- Newton on Booth f = (x + 2y − 7)² + (2x + y − 5)² from (9, 8) --");
    let booth = |x: &[Var]| (x[0] + 2.0 * x[1] - 7.0).powi(2) + (2.0 * x[0] + x[1] - 5.0).powi(2);
    let x0 = [9.0, 8.0];
    let (f, g, h) = hessian(booth, &x0);
    // The Newton step solves H p = −g; for a 2×2 matrix Cramer's rule shows the arithmetic.
    let det = h[(0, 0)] * h[(1, 1)] - h[(0, 1)] * h[(1, 0)];
    let p = [
        -(h[(1, 1)] * g[0] - h[(0, 1)] * g[1]) / det,
        -(h[(0, 0)] * g[1] - h[(1, 0)] * g[0]) / det,
    ];
    println!("f(9, 8) = {f}\ng = ∇f(9, 8) = {g:?}\nH = ∇²f =\n{h:.1}p = −H⁻¹g = {p:?}");
    println!("x₁ = x₀ + p = ({}, {})", x0[0] + p[0], x0[1] + p[1]);
    let s = Newton::new().minimize(booth, &x0).unwrap();
    println!(
        "Newton::new().minimize: x = {:?}, f = {:e}, {} iteration, {:?}",
        s.x, s.f, s.iterations, s.termination
    );
}

fn newton_versus_secant() {
    println!("\n-- One variable: f(x) = x² − ln x, minimizer x* = 1/√2, from x₀ = 1 --");
    println!("Newton x − f'/f'' (f'' exact from nested duals) vs secant (f'' ≈ Δf'/Δx):");
    let f = |x: Dual2| x * x - x.ln();
    let x_star = 0.5f64.sqrt();
    let newton = Newton1d::new()
        .gradient_tolerance(1e-15)
        .history(true)
        .minimize(f, 1.0)
        .unwrap();
    let secant = Secant::new()
        .gradient_tolerance(1e-15)
        .history(true)
        .minimize(f, 1.0)
        .unwrap();
    let errors = |s: &Solution| -> Vec<f64> {
        s.history
            .as_ref()
            .unwrap()
            .iter()
            .map(|r| (r.x[0] - x_star).abs())
            .collect()
    };
    let (en, es) = (errors(&newton), errors(&secant));
    println!(
        "  k   |x_k − x*| Newton   e_k/e_{{k−1}}²    |x_k − x*| secant   e_k/(e_{{k−1}}e_{{k−2}})"
    );
    for k in 0..en.len().max(es.len()) {
        let cell = |e: &[f64], k: usize| e.get(k).map_or(String::new(), |v| format!("{v:.3e}"));
        // Ratios are printed only while e_k is above round-off (≈ 1e-16 · x*).
        let newton_ratio = if k >= 1 && k < en.len() && en[k] > 1e-14 {
            format!("{:.3}", en[k] / (en[k - 1] * en[k - 1]))
        } else {
            String::new()
        };
        let secant_ratio = if k >= 2 && k < es.len() && es[k] > 1e-14 {
            format!("{:.3}", es[k] / (es[k - 1] * es[k - 2]))
        } else {
            String::new()
        };
        println!(
            "  {k:<3} {:<19} {:<15} {:<19} {}",
            cell(&en, k),
            newton_ratio,
            cell(&es, k),
            secant_ratio
        );
    }
    println!("Both ratios tend to |f'''/2f''| = 1/√2 ≈ 0.707: order 2 for Newton, order 1.618 for the secant.");
}

/// Fixed notation for ordinary sizes, scientific for the diverging ones.
fn number(v: f64) -> String {
    if v.abs() < 1e5 {
        format!("{:.6}", v + 0.0)
    } else {
        format!("{v:.3e}")
    }
}

/// Runs pure Newton, safeguarded Newton and LM from `x0` and prints where each ends.
fn compare_on(name: &str, f: impl Fn(&[Var]) -> Var + Copy, x0: f64) {
    println!("\n{name}");
    let pure = Newton::new()
        .pure()
        .max_iterations(12)
        .history(true)
        .minimize(f, &[x0])
        .unwrap();
    let path: Vec<String> = pure
        .history
        .as_ref()
        .unwrap()
        .iter()
        .take(7)
        .map(|r| number(r.x[0]))
        .collect();
    println!("  pure Newton iterates:  {} …", path.join(" → "));
    let rows = [
        ("pure Newton", pure),
        (
            "Newton (shift + line search)",
            Newton::new().minimize(f, &[x0]).unwrap(),
        ),
        (
            "Levenberg–Marquardt",
            LevenbergMarquardt::new().minimize(f, &[x0]).unwrap(),
        ),
    ];
    for (method, s) in rows {
        println!(
            "  {method:<30} x = {:>12}  f = {:>12}  after {:>3} iterations: {:?}",
            number(s.x[0]),
            number(s.f),
            s.iterations,
            s.termination
        );
    }
}

fn failure_modes_of_pure_newton() {
    println!("\n-- Three ways pure Newton x − f'/f'' fails, and the safeguarded methods on the same start --");
    compare_on(
        "1. Oscillation: f = x⁴/4 − x² + 2x (f' = x³ − 2x + 2) from x₀ = 0 cycles 0 → 1 → 0 → …",
        |x: &[Var]| x[0].powi(4) / 4.0 - x[0] * x[0] + 2.0 * x[0],
        0.0,
    );
    compare_on(
        "2. Overshoot: f = x·atan x − ½ln(1 + x²) (f' = atan x, f'' = 1/(1 + x²)) from x₀ = 2 jumps ever farther",
        |x: &[Var]| x[0] * x[0].atan() - 0.5 * (1.0 + x[0] * x[0]).ln(),
        2.0,
    );
    compare_on(
        "3. Negative f'': f = x⁴/4 − x²/2 from x₀ = 0.2 (f'' = −0.88) is pulled to the local maximum x = 0",
        |x: &[Var]| x[0].powi(4) / 4.0 - x[0] * x[0] / 2.0,
        0.2,
    );
    println!("  (∇f = 0 holds at a maximum too: pure Newton's GradientTolerance here is a stationary point, not a minimum)");
}

/// Prints the Rosenbrock table and returns each method's path for the plot.
fn rosenbrock_table() -> Vec<(&'static str, Vec<Iteration>)> {
    println!("\n-- Every method on Rosenbrock f = (1 − x)² + 100(y − x²)² from (−1.2, 1), ‖g‖∞ ≤ 1e-8 --");
    let x0 = [-1.2, 1.0];
    type Run = Box<dyn Fn() -> Solution>;
    let methods: Vec<(&'static str, Run)> = vec![
        (
            "gradient descent",
            Box::new(move || {
                GradientDescent::new()
                    .max_iterations(50_000)
                    .max_evaluations(1_000_000)
                    .history(true)
                    .minimize(rosenbrock, &x0)
                    .unwrap()
            }),
        ),
        (
            "Newton",
            Box::new(move || {
                Newton::new()
                    .history(true)
                    .minimize(rosenbrock, &x0)
                    .unwrap()
            }),
        ),
        (
            "LM (H + δI)",
            Box::new(move || {
                LevenbergMarquardt::new()
                    .history(true)
                    .minimize(rosenbrock, &x0)
                    .unwrap()
            }),
        ),
        (
            "LM (H + δ·diag H)",
            Box::new(move || {
                LevenbergMarquardt::new()
                    .damping(Damping::Diagonal)
                    .history(true)
                    .minimize(rosenbrock, &x0)
                    .unwrap()
            }),
        ),
        (
            "TR (Moré–Sorensen)",
            Box::new(move || {
                TrustRegion::new()
                    .history(true)
                    .minimize(rosenbrock, &x0)
                    .unwrap()
            }),
        ),
        (
            "TR (Steihaug-CG)",
            Box::new(move || {
                TrustRegion::new()
                    .subproblem(Subproblem::SteihaugCg)
                    .history(true)
                    .minimize(rosenbrock, &x0)
                    .unwrap()
            }),
        ),
        (
            "TR (dogleg)",
            Box::new(move || {
                TrustRegion::new()
                    .subproblem(Subproblem::Dogleg)
                    .history(true)
                    .minimize(rosenbrock, &x0)
                    .unwrap()
            }),
        ),
        (
            "DFP",
            Box::new(move || Dfp::new().history(true).minimize(rosenbrock, &x0).unwrap()),
        ),
        (
            "BFGS",
            Box::new(move || Bfgs::new().history(true).minimize(rosenbrock, &x0).unwrap()),
        ),
        (
            "L-BFGS (m = 10)",
            Box::new(move || {
                Lbfgs::new()
                    .history(true)
                    .minimize(rosenbrock, &x0)
                    .unwrap()
            }),
        ),
    ];
    println!(
        "  {:<18} {:>6} {:>7} {:>7} {:>7} {:>10} {:>10} {:>10}  termination",
        "method", "iters", "f evals", "g evals", "H evals", "final f", "‖g‖∞", "time"
    );
    let mut paths = Vec::new();
    for (name, run) in methods {
        let start = Instant::now();
        let s = run();
        let time = start.elapsed();
        let e = s.evaluations;
        println!(
            "  {name:<18} {:>6} {:>7} {:>7} {:>7} {:>10.2e} {:>10.2e} {:>10.2?}  {:?}",
            s.iterations, e.value, e.gradient, e.hessian, s.f, s.gradient_norm, time, s.termination
        );
        paths.push((name, s.history.unwrap()));
    }
    println!("  (time includes recording the per-iteration history; a Hessian evaluation also yields f and g)");
    paths
}
