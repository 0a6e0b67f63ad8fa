//! A wider perceptron on the handwritten digits, 64-256-10: what the vector primitives buy
//! when the layers grow. Adam (cosine schedule, clipping, weight EMA) trains the model once
//! with the primitives (each layer and the loss one wide tape node, `common/mlp.rs`) and
//! once with scalar tape nodes only, from the same initial weights and batches; the table
//! gives time per epoch and accuracy. The 64-32-10 model of `train_mlp` runs first, as the
//! reference point.
//!
//! `cargo run --release --example train_mlp_large` (add `-- --quick` for 5 epochs of the
//! scalar runs, whose per-epoch time is then extrapolated)

mod common;

use std::error::Error;
use std::time::Instant;

use common::mlp::{digits_adam, digits_mlp, scale_pixels, Mlp};
use common::{load_digits, train_test_split, Dataset, Rng};
use curvature::prelude::*;

const SEED: u64 = 7;
const EPOCHS: usize = 40;
const BATCH: usize = 32;

/// Time per epoch, final training objective and test accuracy (EMA weights) of `epochs`
/// Adam epochs from `w0`.
fn adam(
    model: &Mlp,
    (train, test): (&Dataset, &Dataset),
    w0: &[f64],
    epochs: usize,
    loss: impl Fn(&[Var], usize) -> Var + Sync,
    penalty: impl Fn(&[Var]) -> Var + Send,
) -> (f64, f64, f64) {
    let mut trainer = digits_adam(train.len(), epochs, EPOCHS, SEED)
        .penalty(penalty)
        .progress(false);
    let mut w = w0.to_vec();
    let start = Instant::now();
    trainer
        .fit(&mut w, train.len(), loss)
        .expect("the losses are finite");
    let per_epoch = start.elapsed().as_secs_f64() / epochs as f64;
    let ema = trainer.eval_weights(&w);
    (
        per_epoch,
        model.objective_value(ema, train),
        model.accuracy(ema, test),
    )
}

fn main() -> Result<(), Box<dyn Error>> {
    let quick = std::env::args().any(|a| a == "--quick");
    let mut data = load_digits()?;
    scale_pixels(&mut data);
    let (train, test) = train_test_split(&data, 0.2, &mut Rng::new(SEED));
    println!(
        "Digits: {} training and {} test samples; Adam, {EPOCHS} epochs of batches of {BATCH}, \
         {} rayon threads\n",
        train.len(),
        test.len(),
        rayon::current_num_threads()
    );
    println!("| model | parameters | tape | epochs | time per epoch | time for {EPOCHS} epochs | training objective | test accuracy |");
    println!("|---|---:|---|---:|---:|---:|---:|---:|");
    for hidden in [32, 256] {
        let model = digits_mlp(hidden);
        let w0 = model.init(&mut Rng::new(SEED + 1));
        let data = (&train, &test);
        let wide = adam(
            &model,
            data,
            &w0,
            EPOCHS,
            |v: &[Var], i: usize| model.example_loss(v, train.row(i), train.y[i]),
            |v: &[Var]| model.penalty(v),
        );
        let scalar_epochs = if quick { 5 } else { EPOCHS };
        let scalar = adam(
            &model,
            data,
            &w0,
            scalar_epochs,
            |v: &[Var], i: usize| model.example_loss_scalar(v, train.row(i), train.y[i]),
            |v: &[Var]| model.penalty_scalar(v),
        );
        let name = format!("64-{hidden}-10");
        for (tape, epochs, (per_epoch, objective, accuracy)) in [
            ("vector primitives", EPOCHS, wide),
            ("scalar nodes", scalar_epochs, scalar),
        ] {
            println!(
                "| {name} | {} | {tape} | {epochs} | {:.1} ms | {:.2} s | {objective:.4} | {:.2} % |",
                model.n_params(),
                1e3 * per_epoch,
                per_epoch * EPOCHS as f64,
                100.0 * accuracy
            );
        }
        println!(
            "| {name} | | speed-up | | {:.1}× | | | |",
            scalar.0 / wide.0
        );
    }
    Ok(())
}
