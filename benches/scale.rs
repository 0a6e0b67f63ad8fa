//! Large-scale exact Newton on CUTEst-style problems (crate `curvature-problems`), in one run:
//! for each problem and size, each solver's iterations, inner iterations (CG iterations,
//! factorizations), evaluations, wall time (derivatives, sparsity detection, colouring and
//! factorizations included), the Hessian's colour count and the peak resident memory of the
//! run (VmHWM, reset before each solve), with IPOPT's solve times beside where we measured
//! them.
//!
//! Every solve stops at ‖g‖∞ ≤ 1e-7 (extended Powell singular: 1e-11, see `tolerance`; both
//! stricter than the 1e-6, so that f ≤ 1e-10 holds too), or after 60 s of wall time
//! (`Stopped`). Chained Rosenbrock is not solved to the end (line-search
//! and trust-region Newton walk its curved valley in O(n)-ish iterations); for it the bench
//! prints the cost of one exact Newton iteration against one gradient evaluation instead.
//!
//! The anchor, CasADi 3.7 + IPOPT 3.14 with MUMPS and exact sparse Hessians, on this machine
//! at n = 10⁵ (IPOPT's solve only, after 7–41 s of CasADi set-up; figures from the
//! large-scale issue): TRIDIA 0.28 s (1 iteration), Broyden tridiagonal 0.72 s (6),
//! extended Wood 4.5 s (40), DQDRTIC 13 s (1).
//!
//! Run: `cargo bench --bench scale`. `CURVATURE_SCALE_N=100000` (comma-separated) chooses the
//! sizes; the default is 100 000 and 1 000 000. Above 200 000 variables only exact Newton
//! and the Moré–Sorensen trust region run, unless `CURVATURE_SCALE_ALL=1`;
//! `CURVATURE_SCALE_ITERATION_ONLY=1` prints only the cost of one Newton iteration.

mod common;

use common::memory::{fmt_bytes, peak, reset_peak};
use common::{fmt_time, machine, time};
use curvature::optim::Iteration;
use curvature::prelude::*;
use curvature_problems::Scalable;
use std::ops::ControlFlow;
use std::time::Instant;

const TOLERANCE: f64 = 1e-7;

fn ipopt_seconds(p: Scalable, n: usize) -> Option<f64> {
    if n != 100_000 {
        return None;
    }
    match p {
        Scalable::Tridia => Some(0.28),
        Scalable::BroydenTridiagonal => Some(0.72),
        Scalable::ExtendedWood => Some(4.5),
        Scalable::Dqdrtic => Some(13.0),
        _ => None,
    }
}

/// The observer every run gets: stops a run after `CAP_SECONDS` (reported as `Stopped`).
type Observer<'a> = &'a mut dyn FnMut(&Iteration) -> ControlFlow<()>;
type Run = fn(Scalable, &[f64], f64, Observer) -> Solution;

/// Wall-time cap per run: the matrix-free and first-order references need tens of thousands
/// of products on the ill-conditioned problems (TRIDIA's Hessian has condition ~n²).
const CAP_SECONDS: f64 = 60.0;

/// ‖g‖∞ tolerance per problem, tight enough that f ≤ 1e-10 (f* = 0) at n = 10⁶ as well:
/// 1e-7 (Newton's last step then takes f from ~1e-10 to round-off), and 1e-11 for extended
/// Powell singular, whose singular Hessian at x* makes f ~ ‖g‖^(4/3) converge only linearly.
fn tolerance(p: Scalable) -> f64 {
    if p == Scalable::ExtendedPowell {
        1e-11
    } else {
        TOLERANCE
    }
}

fn solvers() -> Vec<(&'static str, Run)> {
    vec![
        ("Newton (sparse)", |p, x0, tol, obs| {
            Newton::new()
                .gradient_tolerance(tol)
                .minimize_with(move |x: &[Var]| p.value(x), x0, obs)
                .unwrap()
        }),
        ("TrustRegion (Moré–Sorensen)", |p, x0, tol, obs| {
            TrustRegion::new()
                .gradient_tolerance(tol)
                .minimize_with(move |x: &[Var]| p.value(x), x0, obs)
                .unwrap()
        }),
        ("TrustRegion (Steihaug-CG)", |p, x0, tol, obs| {
            TrustRegion::new()
                .subproblem(Subproblem::SteihaugCg)
                .gradient_tolerance(tol)
                .minimize_with(move |x: &[Var]| p.value(x), x0, obs)
                .unwrap()
        }),
        ("NewtonCg", |p, x0, tol, obs| {
            newton_cg(Preconditioner::Automatic, p, x0, tol, obs)
        }),
        ("NewtonCg (no precond.)", |p, x0, tol, obs| {
            newton_cg(Preconditioner::None, p, x0, tol, obs)
        }),
        ("NewtonCg (diagonal precond.)", |p, x0, tol, obs| {
            newton_cg(Preconditioner::Diagonal, p, x0, tol, obs)
        }),
        ("L-BFGS", |p, x0, tol, obs| {
            Lbfgs::new()
                .gradient_tolerance(tol)
                .minimize_with(move |x: &[Var]| p.value(x), x0, obs)
                .unwrap()
        }),
    ]
}

/// `NewtonCg` with `preconditioner` (the default is `Automatic`), the rows' one difference.
fn newton_cg(
    preconditioner: Preconditioner,
    p: Scalable,
    x0: &[f64],
    tol: f64,
    obs: Observer,
) -> Solution {
    NewtonCg::new()
        .preconditioner(preconditioner)
        .gradient_tolerance(tol)
        .minimize_with(move |x: &[Var]| p.value(x), x0, obs)
        .unwrap()
}

fn sizes() -> Vec<usize> {
    std::env::var("CURVATURE_SCALE_N")
        .ok()
        .map(|s| s.split(',').filter_map(|v| v.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![100_000, 1_000_000])
}

fn main() {
    println!(
        "large-scale exact Newton — {} — ‖g‖∞ ≤ {TOLERANCE:e}",
        machine()
    );
    for n in sizes() {
        println!(
            "\n{:<26} {:>9} {:<28} {:>6} {:>7} {:>28} {:>10} {:>10} {:>9} {:>12} {:>10}",
            "problem",
            "n",
            "solver",
            "iters",
            "inner",
            "evals (f g H Hv rec)",
            "final f",
            "‖g‖∞",
            "time",
            "IPOPT solve",
            "peak RSS"
        );
        // `CURVATURE_SCALE_ITERATION_ONLY=1`: only the Newton-iteration cost line.
        let table = std::env::var_os("CURVATURE_SCALE_ITERATION_ONLY").is_none();
        for p in Scalable::ALL.into_iter().filter(|_| table) {
            if matches!(
                p,
                Scalable::ChainedRosenbrock | Scalable::ChainedRosenbrockClassic
            ) {
                continue;
            }
            let x0 = p.x0(n).unwrap();
            let colors = Tape::record(|x: &[Var]| p.value(x), &x0).hessian_colors();
            for (name, run) in solvers() {
                // The targets at n = 10⁶ are the exact-Newton ones; the references would
                // each spend their 60 s cap on the ill-conditioned problems there.
                let reference = !name.starts_with("Newton (") && !name.contains("Moré");
                if reference && n > 200_000 && std::env::var_os("CURVATURE_SCALE_ALL").is_none() {
                    continue;
                }
                reset_peak();
                let t0 = Instant::now();
                let mut cap = |_: &Iteration| {
                    if t0.elapsed().as_secs_f64() > CAP_SECONDS {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                };
                let s = run(p, &x0, tolerance(p), &mut cap);
                let seconds = t0.elapsed().as_secs_f64();
                let e = s.evaluations;
                let ipopt = ipopt_seconds(p, n).map_or("—".to_string(), |t| {
                    format!("{t} s ({:.1}×)", t / seconds)
                });
                println!(
                    "{:<26} {:>9} {:<28} {:>6} {:>7} {:>28} {:>10.2e} {:>10.2e} {:>9} {:>12} {:>10}  {:?}, {} colours",
                    p.name(),
                    n,
                    name,
                    s.iterations,
                    s.inner_iterations,
                    format!("{} {} {} {} {}", e.value, e.gradient, e.hessian, e.hvp, e.recordings),
                    s.f,
                    s.gradient_norm,
                    fmt_time(seconds),
                    ipopt,
                    peak().map_or("?".into(), fmt_bytes),
                    s.termination,
                    colors,
                );
            }
        }
        newton_iteration_cost(n);
    }
}

/// One exact Newton iteration on chained Rosenbrock (x0ᵢ = i/(n+1)) — replayed sparse Hessian,
/// sparse Cholesky with its shift search, line search — against one gradient of the closure
/// (record + sweep). The start point is timed apart: it pays what a solve does once
/// (recording the tape, detecting and colouring the Hessian's pattern, the first Hessian,
/// faulting in the sweeps' buffers). The first iteration's fill-reducing ordering and
/// symbolic factorization stay in the iterations' mean.
fn newton_iteration_cost(n: usize) {
    let p = Scalable::ChainedRosenbrock;
    let x0 = p.x0(n).unwrap();
    let f = move |x: &[Var]| p.value(x);
    // Once outside the timing: the first call faults the tape's buffers in, and at n = 10⁶ it
    // is slow enough for `time` to report it alone.
    curvature::gradient(f, &x0);
    let gradient = time(|| curvature::gradient(f, &x0));
    let iterations = 6;
    reset_peak();
    let t0 = Instant::now();
    let mut stamps = vec![0.0];
    let mut observe = |_: &Iteration| {
        stamps.push(t0.elapsed().as_secs_f64());
        ControlFlow::Continue(())
    };
    let s = Newton::new()
        .max_iterations(iterations)
        .minimize_with(f, &x0, &mut observe)
        .unwrap();
    let laps: Vec<f64> = stamps.windows(2).map(|w| w[1] - w[0]).collect();
    // The observer sees the start point (iteration 0), then every iteration.
    let start = laps[0];
    let per_iteration = laps[1..].iter().sum::<f64>() / (laps.len() - 1) as f64;
    println!(
        "chained Rosenbrock, n = {n}: one gradient {}; the start point (recording, pattern, \
         colouring, first Hessian) {} = {:.1} gradients; one Newton iteration {} = {:.1} \
         gradients (mean of {}, line search included; {} gradient and {} Hessian evaluations \
         in all, peak RSS {})",
        fmt_time(gradient),
        fmt_time(start),
        start / gradient,
        fmt_time(per_iteration),
        per_iteration / gradient,
        laps.len() - 1,
        s.evaluations.gradient,
        s.evaluations.hessian,
        peak().map_or("?".into(), fmt_bytes),
    );
}
