//! Logistic regression on the breast cancer data: Newton's method with the exact Hessian
//! from curvature-ad, next to L-BFGS, gradient descent and Adam.
//!
//! `cargo run --release --example logistic_regression`
//!
//! The 569 samples are split (seeded, stratified) into 80 % training and 20 % test data;
//! features are standardized with the training statistics. The objective is the mean
//! logistic loss plus an L2 penalty (λ/2)‖w‖² on the weights (see `common/logistic.rs`).
//! Every method starts from w = 0 and stops at ‖∇f‖∞ ≤ 1e-8 or its iteration limit.

mod common;

use std::time::{Duration, Instant};

use common::logistic::Logistic;
use common::{load_breast_cancer, train_test_split, Rng, Standardizer};
use curvature::optim::train::{Adam, CosineAnnealing, StepEvery, Trainer};
use curvature::optim::{GradientDescent, Lbfgs, Newton, Solution};
use curvature::prelude::*;

const SEED: u64 = 2024;
const LAMBDA: f64 = 1e-3;
const TEST_FRACTION: f64 = 0.2;

/// One row of the comparison table.
struct Row {
    method: &'static str,
    iterations: usize,
    gradients: String,
    hessians: usize,
    values: usize,
    time: Duration,
    loss: f64,
    gradient_norm: f64,
    train_accuracy: f64,
    test_accuracy: f64,
    stop: String,
}

/// Runs `f` `repeats` times and returns its last result with the fastest time.
fn timed<T>(repeats: usize, mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let r = f();
        best = best.min(start.elapsed());
        out = Some(r);
    }
    (out.expect("at least one run"), best)
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = load_breast_cancer()?;
    let (mut train, mut test) = train_test_split(&data, TEST_FRACTION, &mut Rng::new(SEED));
    let scaler = Standardizer::fit(&train);
    scaler.transform(&mut train);
    scaler.transform(&mut test);
    let model = Logistic::new(&train, LAMBDA);
    let f = |w: &[Var]| model.objective(w);
    let w0 = vec![0.0; model.n_params()];
    println!(
        "Breast cancer (WDBC): {} training and {} test samples, {} features; λ = {LAMBDA:e}, seed {SEED}",
        train.len(),
        test.len(),
        train.n_features
    );
    println!("rayon threads: {}\n", rayon::current_num_threads());

    let mut rows = Vec::new();
    let mut solver_row = |method, s: &Solution, time| {
        rows.push(Row {
            method,
            iterations: s.iterations,
            gradients: s.evaluations.gradient.to_string(),
            hessians: s.evaluations.hessian,
            values: s.evaluations.value,
            time,
            loss: s.f,
            gradient_norm: s.gradient_norm,
            train_accuracy: Logistic::accuracy(&s.x, &train),
            test_accuracy: Logistic::accuracy(&s.x, &test),
            stop: format!("{:?}", s.termination),
        });
    };

    // Newton: exact Hessians from curvature-ad (forward-over-reverse in lanes).
    let (newton, time) = timed(3, || Newton::new().history(true).minimize(f, &w0));
    let newton = newton?;
    println!("Newton's iterations (quadratic convergence of ‖∇f‖∞):");
    for it in newton.history.as_deref().unwrap_or_default() {
        println!(
            "  k = {:>2}   f = {:.15}   ‖∇f‖∞ = {:.3e}   α = {}",
            it.iteration, it.f, it.gradient_norm, it.alpha
        );
    }
    println!();
    solver_row("Newton (exact Hessian)", &newton, time);

    let (lbfgs, time) = timed(3, || Lbfgs::new().minimize(f, &w0));
    solver_row("L-BFGS (m = 10)", &lbfgs?, time);

    let (gd, time) = timed(1, || GradientDescent::new().minimize(f, &w0));
    solver_row("gradient descent (Armijo)", &gd?, time);

    // Adam on mini-batches of 32 with a cosine schedule; the penalty is added to every
    // mini-batch loss, so the mini-batch objective is an unbiased estimate of f.
    let epochs = 200;
    let batch = 32;
    let ((w_adam, report), time) = timed(1, || {
        let mut trainer = Trainer::new(Adam::new(0.01))
            .epochs(epochs)
            .batch_size(batch)
            .seed(SEED)
            .scheduler(CosineAnnealing::new(0.01, epochs as u64), StepEvery::Epoch)
            .penalty(|w: &[Var]| model.penalty(w))
            .label("Adam");
        let mut w = w0.clone();
        let report = trainer
            .fit(&mut w, train.len(), |w, i| model.example_loss(w, i))
            .expect("the losses are finite");
        (w, report)
    });
    let (_, g_adam) = gradient(f, &w_adam);
    rows.push(Row {
        method: "Adam (batch 32, cosine)",
        iterations: report.iterations,
        gradients: format!("{} ({} passes)", report.iterations, epochs),
        hessians: 0,
        values: 0,
        time,
        loss: model.value(&w_adam),
        gradient_norm: max_abs(&g_adam),
        train_accuracy: Logistic::accuracy(&w_adam, &train),
        test_accuracy: Logistic::accuracy(&w_adam, &test),
        stop: format!("{epochs} epochs"),
    });

    println!(
        "| method | iterations | ∇f evals | ∇²f evals (with f, ∇f) | f-only evals | time | final loss | ‖∇f‖∞ | train acc. | test acc. | stop |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {} | {:.1} ms | {:.10} | {:.1e} | {:.2} % | {:.2} % | {} |",
            r.method,
            r.iterations,
            r.gradients,
            r.hessians,
            r.values,
            r.time.as_secs_f64() * 1e3,
            r.loss,
            r.gradient_norm,
            100.0 * r.train_accuracy,
            100.0 * r.test_accuracy,
            r.stop
        );
    }
    println!(
        "\nEach Hessian evaluation also gives f and ∇f; gradient and f-only evaluations are \
         line-search trials and start points; Adam's gradients are mini-batch gradients. \
         Times: best of 3 runs (1 for gradient descent and Adam)."
    );
    Ok(())
}
