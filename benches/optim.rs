//! Side by side: our BFGS, L-BFGS, Newton and Newton-CG (gradients, Hessians and
//! Hessian-vector products by curvature-ad) against
//! argmin 0.11 with num-dual 0.15 forward-mode derivatives — what a Rust user would pick
//! today — on the chained Rosenbrock function
//!
//! f(x) = Σᵢ 100 (x_{i+1} − xᵢ²)² + (1 − xᵢ)²,  x⁰ᵢ = −1.2 (i even), 1 (i odd),
//!
//! for n = 100 and n = 1000, reporting iterations, evaluations, final f, ‖g‖∞ and wall time.
//! Both stop at a gradient norm of 1e-6 (ours: ‖g‖∞; argmin: ‖g‖₂, slightly stricter).
//!
//! argmin + num-dual at n = 1000 is slow (forward-mode gradients cost O(n) per operation, and
//! argmin's dense BFGS update uses matrix-matrix products), so by default those runs are
//! capped at a few iterations and the per-iteration time is reported; set
//! `CURVATURE_BENCH_FULL=1` to run them to convergence (minutes).
//!
//! Run: `cargo bench --bench optim`.

use std::time::{Duration, Instant};

mod common;

use argmin::core::{CostFunction, Executor, Gradient, Hessian, State};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::newton::NewtonCG;
use argmin::solver::quasinewton::{BFGS, LBFGS};
use common::problems::{rosenbrock, rosenbrock_nd, start};
use curvature::prelude::*;
use nalgebra::DVector;
use num_dual::{Dual2DVec64, DualDVec64};

const TOLERANCE: f64 = 1e-6;

fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// The problem as argmin sees it, derivatives by num-dual.
struct NumDualRosenbrock;

impl CostFunction for NumDualRosenbrock {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, x: &Vec<f64>) -> Result<f64, argmin::core::Error> {
        Ok(rosenbrock(x))
    }
}

impl Gradient for NumDualRosenbrock {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;
    fn gradient(&self, x: &Vec<f64>) -> Result<Vec<f64>, argmin::core::Error> {
        let (_, g) = num_dual::gradient(
            |v: DVector<DualDVec64>| rosenbrock_nd(&v),
            &DVector::from_vec(x.clone()),
        );
        Ok(g.as_slice().to_vec())
    }
}

impl Hessian for NumDualRosenbrock {
    type Param = Vec<f64>;
    type Hessian = Vec<Vec<f64>>;
    fn hessian(&self, x: &Vec<f64>) -> Result<Vec<Vec<f64>>, argmin::core::Error> {
        let (_, _, h) = num_dual::hessian(
            |v: DVector<Dual2DVec64>| rosenbrock_nd(&v),
            &DVector::from_vec(x.clone()),
        );
        Ok((0..x.len())
            .map(|i| h.row(i).iter().copied().collect())
            .collect())
    }
}

struct Row {
    library: &'static str,
    method: &'static str,
    iterations: u64,
    evaluations: String,
    f: f64,
    gradient_norm: f64,
    time: Duration,
    stop: String,
}

fn print(n: usize, rows: &[Row]) {
    println!("\nchained Rosenbrock, n = {n}");
    println!(
        "  {:<22} {:<9} {:>6}  {:<26} {:>10} {:>10} {:>11}  stop",
        "library", "method", "iters", "evaluations", "final f", "‖g‖∞", "time"
    );
    for r in rows {
        println!(
            "  {:<22} {:<9} {:>6}  {:<26} {:>10.3e} {:>10.3e} {:>11.3?}  {}",
            r.library, r.method, r.iterations, r.evaluations, r.f, r.gradient_norm, r.time, r.stop
        );
    }
}

fn ours(method: &'static str, n: usize, max_iterations: usize) -> Row {
    let x0 = start(n);
    let f = |x: &[Var]| rosenbrock(x);
    let clock = Instant::now();
    let s = match method {
        "BFGS" => Bfgs::new()
            .gradient_tolerance(TOLERANCE)
            .max_iterations(max_iterations)
            .minimize(f, &x0),
        "L-BFGS" => Lbfgs::new()
            .gradient_tolerance(TOLERANCE)
            .max_iterations(max_iterations)
            .minimize(f, &x0),
        "Newton-CG" => NewtonCg::new()
            .gradient_tolerance(TOLERANCE)
            .max_iterations(max_iterations)
            .minimize(f, &x0),
        _ => Newton::new()
            .gradient_tolerance(TOLERANCE)
            .max_iterations(max_iterations)
            .minimize(f, &x0),
    }
    .unwrap();
    let time = clock.elapsed();
    let e = s.evaluations;
    Row {
        library: "curvature",
        method,
        iterations: s.iterations as u64,
        evaluations: if e.hvp > 0 {
            // Newton-CG: its first products on the tape, then (here) the tape's sparse
            // Hessians, one per iterate, and products with them.
            format!(
                "f {} g {} H {} Hv {}",
                e.value, e.gradient, e.hessian, e.hvp
            )
        } else {
            format!("f {} g {} H {}", e.value, e.gradient, e.hessian)
        },
        f: s.f,
        gradient_norm: s.gradient_norm,
        time,
        stop: format!("{:?}", s.termination),
    }
}

fn argmin_run(method: &'static str, n: usize, max_iters: u64) -> Row {
    let x0 = start(n);
    let clock = Instant::now();
    let line_search = MoreThuenteLineSearch::new();
    match method {
        "BFGS" => {
            let identity: Vec<Vec<f64>> = (0..n)
                .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
                .collect();
            let solver = BFGS::new(line_search)
                .with_tolerance_grad(TOLERANCE)
                .unwrap();
            let r = Executor::new(NumDualRosenbrock, solver)
                .configure(|s| {
                    s.param(x0)
                        .inv_hessian(identity)
                        .max_iters(max_iters)
                        .counting(true)
                })
                .run()
                .unwrap();
            argmin_row(method, &r.state, clock.elapsed())
        }
        "L-BFGS" => {
            let solver = LBFGS::new(line_search, 10)
                .with_tolerance_grad(TOLERANCE)
                .unwrap();
            let r = Executor::new(NumDualRosenbrock, solver)
                .configure(|s| s.param(x0).max_iters(max_iters).counting(true))
                .run()
                .unwrap();
            argmin_row(method, &r.state, clock.elapsed())
        }
        _ => {
            let solver = NewtonCG::new(line_search).with_tolerance(1e-10).unwrap();
            let r = Executor::new(NumDualRosenbrock, solver)
                .configure(|s| s.param(x0).max_iters(max_iters).counting(true))
                .run()
                .unwrap();
            argmin_row(method, &r.state, clock.elapsed())
        }
    }
}

/// Argmin's own counts; f and ‖g‖∞ recomputed at its best point with the same formula as ours.
fn argmin_row<S: State<Param = Vec<f64>>>(method: &'static str, state: &S, time: Duration) -> Row {
    let counts = state.get_func_counts();
    let count = |k: &str| counts.get(k).copied().unwrap_or(0);
    let (f, g) = gradient(|v: &[Var]| rosenbrock(v), state.get_best_param().unwrap());
    Row {
        library: "argmin + num-dual",
        method,
        iterations: state.get_iter(),
        evaluations: format!(
            "f {} g {} H {}",
            count("cost_count"),
            count("gradient_count"),
            count("hessian_count")
        ),
        f,
        gradient_norm: inf_norm(&g),
        time,
        stop: format!("{}", state.get_termination_status()),
    }
}

/// Iteration cap per run; `None` skips the run. Without `CURVATURE_BENCH_FULL=1` the slow runs
/// are cut short so that the whole benchmark takes about a minute.
fn cap(library: &str, method: &str, n: usize, full: bool) -> Option<usize> {
    const UNCAPPED: usize = 100_000;
    if full {
        return Some(UNCAPPED);
    }
    match (library, method, n) {
        ("ours", "Newton", 1000) => Some(30),
        ("ours", _, _) => Some(UNCAPPED),
        // argmin's Newton-type row is its NewtonCG, listed beside ours.
        ("argmin", "Newton", _) => None,
        ("argmin", "Newton-CG", 100) => Some(300),
        ("argmin", "Newton-CG", _) => None,
        ("argmin", "BFGS", 1000) => Some(3),
        ("argmin", "L-BFGS", 1000) => Some(50),
        _ => Some(UNCAPPED),
    }
}

/// Marks a run that stopped at its cap and gives its time per iteration.
fn mark_cap(mut row: Row, cap: usize) -> Row {
    if cap < 100_000 && row.iterations >= cap as u64 {
        row.stop = format!(
            "capped at {cap} iterations, {:.3?}/iteration",
            row.time / cap as u32
        );
    }
    row
}

fn main() {
    let full = std::env::var("CURVATURE_BENCH_FULL").is_ok_and(|v| v == "1");
    for n in [100, 1000] {
        let mut rows = Vec::new();
        for method in ["BFGS", "L-BFGS", "Newton", "Newton-CG"] {
            if let Some(c) = cap("ours", method, n, full) {
                rows.push(mark_cap(ours(method, n, c), c));
            }
            match cap("argmin", method, n, full) {
                Some(c) => rows.push(mark_cap(argmin_run(method, n, c as u64), c)),
                None if method == "Newton" => {}
                None => println!(
                    "(n = {n}: argmin Newton-CG skipped: a num-dual Hessian costs O(n²) per operation; CURVATURE_BENCH_FULL=1 runs it)"
                ),
            }
        }
        print(n, &rows);
    }
}
