//! The vector primitives (`curvature::vector`) beside the scalar tape: log-sum-exp of A·x with
//! a dense 1000 × 1000 matrix, and an epoch of Adam on the digits MLP (issue 10, parts 3–5).

use super::problems::logsumexp as lse_loops_scalar;
use super::{fmt_time, time};
use curvature::prelude::*;
use curvature::vector::{logsumexp, matvec, SharedMatrix};
use std::time::Instant;

#[path = "../../examples/common/mod.rs"]
mod examples;

use examples::mlp::{digits_adam, digits_mlp, scale_pixels};
use examples::{load_digits, train_test_split, Rng};

/// JAX (jit, CPU) on the same log-sum-exp gradient, n = 1000, as recorded in issue 10 (on
/// the issue author's machine).
const JAX_LSE_GRADIENT: f64 = 0.2e-3;
/// JAX 0.10.2 (jit) re-measured on the Intel Xeon of 2026-12-01 on one core (`taskset -c 0
/// python3 benches/peers/logsumexp.py`): the gradient and the HVP (`jvp` of `grad`). With
/// XLA's threads on both cores: 508–544 and 635–781 µs. The product with the 8 MB matrix is
/// bound by memory bandwidth there, about 0.3 ms a pass over A on one core.
const JAX_XEON_LSE: (f64, f64) = (0.694e-3, 1.089e-3);
/// The same on the AMD EPYC (Zen 5, family 26) of 2026-12-02, one core; with both cores
/// 238 and 319 µs.
const JAX_ZEN5_LSE: (f64, f64) = (0.181e-3, 0.276e-3);
/// The scalar tape's gradient before the primitives (issue 10).
const BEFORE_LSE_GRADIENT: f64 = 32.9e-3;
/// 40 Adam epochs of the 64-32-10 digits MLP before the primitives (issue 10).
const BEFORE_MLP_40_EPOCHS: f64 = 1.45;

/// log Σᵢ exp((A x)ᵢ) with the primitives: one `matvec` node and one `logsumexp` node.
fn lse_primitives<T: VectorOps>(a: &SharedMatrix, x: &[T]) -> T {
    logsumexp(&matvec(a, x))
}

/// Runs the primitives' rows of `cargo bench --bench autodiff`.
pub fn run(quick: bool) {
    println!("\n## Vector primitives (wide tape nodes)\n");
    let n = 1000;
    let mut rng = Rng::new(10);
    let a = Matrix::from_fn(n, n, |_, _| rng.normal() / (n as f64).sqrt());
    let x: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let v: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let shared = SharedMatrix::new(a.clone());
    let a = a.as_slice();

    let f_loops = time(|| lse_loops_scalar(a, n, &x));
    let f_faer = time(|| lse_primitives(&shared, &x));
    let f = f_loops.min(f_faer);
    let g = time(|| gradient(|x: &[Var]| lse_primitives(&shared, x), &x));
    let h = time(|| hvp(|x: &[Var]| lse_primitives(&shared, x), &x, &v));
    let mut tape = Tape::record(|x: &[Var]| lse_primitives(&shared, x), &x);
    let g_tape = time(|| tape.gradient());
    // An HVP runs its own forward pass; the like-for-like gradient replays first.
    let rg_tape = time(|| {
        tape.replay(&x).unwrap();
        tape.gradient()
    });
    let h_tape = time(|| tape.hvp(&v));
    let g_scalar = time(|| gradient(|x: &[Var]| lse_loops_scalar(a, n, x), &x));
    let h_scalar = time(|| hvp(|x: &[Var]| lse_loops_scalar(a, n, x), &x, &v));
    // The two paths agree (a check, not a timing).
    let (_, gp) = gradient(|x: &[Var]| lse_primitives(&shared, x), &x);
    let (_, gs) = gradient(|x: &[Var]| lse_loops_scalar(a, n, x), &x);
    let diff = gp
        .iter()
        .zip(&gs)
        .fold(0.0f64, |m, (p, s)| m.max((p - s).abs()));

    println!("Log-sum-exp of A·x, A dense {n} × {n}: f = log Σᵢ exp((A x)ᵢ).\n");
    println!("| quantity | time | ratio |");
    println!("|---|---:|---:|");
    println!("| f, plain f64 loops | {} | |", fmt_time(f_loops));
    println!(
        "| f, f64 with the primitives (faer gemv) | {} | |",
        fmt_time(f_faer)
    );
    println!(
        "| gradient of the closure, primitives (record + sweep) | {} | {:.1}× f |",
        fmt_time(g),
        g / f
    );
    println!(
        "| HVP of the closure, primitives (record + Dual sweep) | {} | {:.1}× gradient |",
        fmt_time(h),
        h / g
    );
    println!(
        "| gradient of a recorded tape, primitives | {} | {:.1}× f |",
        fmt_time(g_tape),
        g_tape / f
    );
    println!(
        "| HVP of a recorded tape, primitives (its own forward pass included) | {} | {:.1}× \
         its reverse sweep, {:.1}× replay + gradient ({}) |",
        fmt_time(h_tape),
        h_tape / g_tape,
        h_tape / rg_tape,
        fmt_time(rg_tape)
    );
    println!(
        "| gradient of the closure, scalar tape | {} | {:.0}× f; primitives {:.0}× faster |",
        fmt_time(g_scalar),
        g_scalar / f,
        g_scalar / g
    );
    println!(
        "| HVP of the closure, scalar tape | {} | {:.1}× its gradient |",
        fmt_time(h_scalar),
        h_scalar / g_scalar
    );
    println!(
        "| anchors (issue 10): JAX jit gradient on the issue's machine / the scalar tape's \
         gradient before the primitives | {} / {} | primitives {:.1}× JAX's time there |",
        fmt_time(JAX_LSE_GRADIENT),
        fmt_time(BEFORE_LSE_GRADIENT),
        g / JAX_LSE_GRADIENT
    );
    for (machine, (jax_g, jax_h)) in [
        ("the Xeon of 2026-12-01", JAX_XEON_LSE),
        ("the AMD EPYC (Zen 5) of 2026-12-02", JAX_ZEN5_LSE),
    ] {
        println!(
            "| anchors re-measured on {machine}: JAX jit gradient / HVP, one core | {} / {} | \
             closure gradient {:.2}× JAX's time, recorded tape's HVP {:.2}× |",
            fmt_time(jax_g),
            fmt_time(jax_h),
            g / jax_g,
            h_tape / jax_h
        );
    }
    println!(
        "\nf is the faster of the two f64 spellings. Targets: gradient ≤ 3× f, HVP ≤ 3× gradient. \
         Largest gradient difference primitives vs scalar tape: {diff:.1e}."
    );
    mlp_epochs(quick);
}

/// Adam epochs of the digits MLPs with and without the primitives.
fn mlp_epochs(quick: bool) {
    let mut data = load_digits().expect("examples/data/digits.csv.gz");
    scale_pixels(&mut data);
    let (train, test) = train_test_split(&data, 0.2, &mut Rng::new(7));
    let epochs = if quick { 2 } else { 5 };
    println!(
        "\nDigits MLP (tanh), Adam (cosine, clipping, EMA) with batches of 32, chunks of 16, \
         {epochs} epochs per run, best of 3 runs; the 40-epoch column extrapolates.\n"
    );
    println!(
        "| model | tape | per epoch | 40 epochs | speed-up | test accuracy after {epochs} epochs |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    let mut small = f64::NAN;
    for hidden in [32, 256] {
        let model = digits_mlp(hidden);
        let w0 = model.init(&mut Rng::new(8));
        let run = |wide: bool| {
            let mut trainer = digits_adam(train.len(), epochs, 40, 7).progress(false);
            let mut w = w0.clone();
            let start = Instant::now();
            if wide {
                trainer = trainer.penalty(|v: &[Var]| model.penalty(v));
                trainer.fit(&mut w, train.len(), |v, i| {
                    model.example_loss(v, train.row(i), train.y[i])
                })
            } else {
                trainer = trainer.penalty(|v: &[Var]| model.penalty_scalar(v));
                trainer.fit(&mut w, train.len(), |v, i| {
                    model.example_loss_scalar(v, train.row(i), train.y[i])
                })
            }
            .expect("finite losses");
            let per_epoch = start.elapsed().as_secs_f64() / epochs as f64;
            (per_epoch, model.accuracy(trainer.eval_weights(&w), &test))
        };
        // The best of three runs: one run of a few epochs met a neighbour's burst often
        // enough to move the row by half (14.0 ms per epoch in one run, 9.5 ms in the next).
        let best = |wide: bool| {
            (0..3)
                .map(|_| run(wide))
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .expect("three runs")
        };
        let (wide, wide_acc) = best(true);
        let (scalar, scalar_acc) = best(false);
        if hidden == 32 {
            small = 40.0 * wide;
        }
        let name = format!("64-{hidden}-10");
        println!(
            "| {name} | primitives | {} | {:.2} s | {:.1}× | {:.2} % |",
            fmt_time(wide),
            40.0 * wide,
            scalar / wide,
            100.0 * wide_acc
        );
        println!(
            "| {name} | scalar nodes | {} | {:.2} s | | {:.2} % |",
            fmt_time(scalar),
            40.0 * scalar,
            100.0 * scalar_acc
        );
    }
    println!(
        "\nAnchor: 40 epochs of the 64-32-10 model took {BEFORE_MLP_40_EPOCHS} s before the \
         primitives (issue 10; target ≥ 3× faster per epoch); here {small:.2} s, {:.1}× faster.",
        BEFORE_MLP_40_EPOCHS / small
    );
}
