//! A 64-32-10 perceptron on the handwritten digits: Adam with a cosine schedule, gradient
//! clipping and a weight EMA, next to SGD with momentum and full-batch L-BFGS.
//!
//! `cargo run --release --example train_mlp`
//!
//! The 1797 digits are split (seeded, stratified) into 80 % training and 20 % test data;
//! pixels are scaled to [0, 1]. The network is `tanh(W₁x + b₁)` then softmax
//! cross-entropy over 10 classes (log-sum-exp), with an L2 penalty (λ/2)‖W‖² on the weight
//! matrices (see `common/mlp.rs`), written with the vector primitives of `curvature::vector`
//! (each layer and the loss one wide tape node); the Adam run is repeated with scalar tape
//! nodes only, to show the difference. Gradients come from curvature-ad: one tape per chunk of
//! examples (16 per chunk in the mini-batches of 32, 32 in the full batch), chunks in
//! parallel (`mean_loss_and_gradient`). The training curves are
//! written as an SVG whose path is printed at the end.

mod common;

use std::cell::Cell;
use std::error::Error;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::mlp::{digits_adam, digits_mlp, scale_pixels, Mlp};
use common::{load_digits, train_test_split, Dataset, Rng};
use curvature::optim::train::{mean_loss_and_gradient, Sgd, Trainer, DEFAULT_CHUNK_SIZE};
use curvature::optim::{Iteration, Lbfgs, Objective};
use curvature::prelude::*;
use plotters::prelude::*;

const SEED: u64 = 7;
const EPOCHS: usize = 40;
const BATCH: usize = 32;
const LBFGS_ITERATIONS: usize = 200;
/// Examples per tape: a batch of 32 becomes two tapes, one per core.
const CHUNK: usize = 16;

/// The full-batch training objective for deterministic solvers, counting its gradients.
struct FullBatch<'a> {
    model: &'a Mlp,
    data: &'a Dataset,
    all: Vec<usize>,
    gradients: &'a Cell<usize>,
}

impl Objective for FullBatch<'_> {
    fn value(&self, w: &[f64]) -> f64 {
        self.model.objective_value(w, self.data)
    }

    fn gradient(&self, w: &[f64]) -> (f64, Vec<f64>) {
        self.gradients.set(self.gradients.get() + 1);
        let (model, data) = (self.model, self.data);
        let loss = |v: &[Var], i: usize| model.example_loss(v, data.row(i), data.y[i]);
        let (mut f, mut g) = mean_loss_and_gradient(w, &self.all, DEFAULT_CHUNK_SIZE, &loss);
        let (r, dr) = gradient(|v: &[Var]| model.penalty(v), w);
        f += r;
        for (gi, di) in g.iter_mut().zip(&dr) {
            *gi += di;
        }
        (f, g)
    }
}

/// One method's run: its curve (x = passes over the training data) and final numbers.
struct Run {
    name: &'static str,
    steps: String,
    passes: usize,
    time: Duration,
    /// (passes, training loss): the epoch mean of the mini-batch losses for the stochastic
    /// methods, the full-batch objective for L-BFGS.
    loss_curve: Vec<(f64, f64)>,
    /// (passes, test accuracy of the evaluated weights).
    accuracy_curve: Vec<(f64, f64)>,
    final_loss: f64,
    train_accuracy: f64,
    test_accuracy: f64,
    raw_test_accuracy: Option<f64>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut data = load_digits()?;
    scale_pixels(&mut data);
    let (train, test) = train_test_split(&data, 0.2, &mut Rng::new(SEED));
    let model = digits_mlp(32);
    let w0 = model.init(&mut Rng::new(SEED + 1));
    println!(
        "Digits: {} training and {} test samples; MLP 64-32-10 (tanh), {} parameters, λ = {:e}; \
         {} rayon threads\n",
        train.len(),
        test.len(),
        model.n_params(),
        model.lambda,
        rayon::current_num_threads()
    );
    let loss = |v: &[Var], i: usize| model.example_loss(v, train.row(i), train.y[i]);
    let penalty = |v: &[Var]| model.penalty(v);
    let mut runs = Vec::new();

    // Adam + cosine annealing per iteration + clipping by norm + EMA of the weights.
    runs.push(adam(&model, &train, &test, &w0, loss, penalty));
    // The same run with scalar tape nodes only (the model code before the vector primitives),
    // for the time per epoch; reported below the table.
    let scalar = adam(
        &model,
        &train,
        &test,
        &w0,
        |v: &[Var], i: usize| model.example_loss_scalar(v, train.row(i), train.y[i]),
        |v: &[Var]| model.penalty_scalar(v),
    );

    // SGD with momentum 0.9, constant learning rate.
    {
        let mut trainer = Trainer::new(Sgd::new(0.05).momentum(0.9))
            .epochs(EPOCHS)
            .batch_size(BATCH)
            .chunk_size(CHUNK)
            .seed(SEED)
            .penalty(penalty)
            .metric("test acc", |w: &[f64]| model.accuracy(w, &test))
            .label("SGD");
        let mut w = w0.clone();
        let start = Instant::now();
        let report = trainer
            .fit(&mut w, train.len(), loss)
            .expect("the losses are finite");
        let time = start.elapsed();
        runs.push(Run {
            name: "SGD, momentum 0.9",
            steps: format!("{EPOCHS} epochs, {} steps", report.iterations),
            passes: EPOCHS,
            time,
            loss_curve: epoch_curve(&report.losses()),
            accuracy_curve: epoch_curve(&report.metrics()),
            final_loss: model.objective_value(&w, &train),
            train_accuracy: model.accuracy(&w, &train),
            test_accuracy: model.accuracy(&w, &test),
            raw_test_accuracy: None,
        });
    }

    // Full-batch L-BFGS (m = 10, strong Wolfe).
    {
        let gradients = Cell::new(0);
        let objective = FullBatch {
            model: &model,
            data: &train,
            all: (0..train.len()).collect(),
            gradients: &gradients,
        };
        let mut loss_curve = Vec::new();
        let mut accuracy_curve = Vec::new();
        let start = Instant::now();
        let solution = Lbfgs::new()
            .max_iterations(LBFGS_ITERATIONS)
            .gradient_tolerance(1e-6)
            .minimize_with(objective, &w0, |it: &Iteration| {
                let passes = gradients.get() as f64;
                loss_curve.push((passes, it.f));
                accuracy_curve.push((passes, model.accuracy(&it.x, &test)));
                ControlFlow::Continue(())
            })?;
        let time = start.elapsed();
        runs.push(Run {
            name: "L-BFGS, full batch",
            steps: format!("{} iterations", solution.iterations),
            passes: gradients.get(),
            time,
            loss_curve,
            accuracy_curve,
            final_loss: solution.f,
            train_accuracy: model.accuracy(&solution.x, &train),
            test_accuracy: model.accuracy(&solution.x, &test),
            raw_test_accuracy: None,
        });
    }

    println!(
        "| method | steps | gradient passes over the data | time | final training loss | train acc. | test acc. |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for r in &runs {
        let test_acc = match r.raw_test_accuracy {
            Some(raw) => format!(
                "{:.2} % (EMA; raw weights {:.2} %)",
                100.0 * r.test_accuracy,
                100.0 * raw
            ),
            None => format!("{:.2} %", 100.0 * r.test_accuracy),
        };
        println!(
            "| {} | {} | {} | {:.2} s | {:.4} | {:.2} % | {} |",
            r.name,
            r.steps,
            r.passes,
            r.time.as_secs_f64(),
            r.final_loss,
            100.0 * r.train_accuracy,
            test_acc
        );
    }
    println!(
        "\nTraining loss = mean cross-entropy + (λ/2)‖W‖² on the whole training set at the \
         evaluated weights (Adam: the EMA weights). Times include the per-epoch (per-iteration \
         for L-BFGS) test-accuracy evaluation."
    );
    println!(
        "\nAdam with the vector primitives (each layer one wide tape node): {:.2} s, {:.1} ms per \
         epoch, test accuracy {:.2} %; with scalar tape nodes only: {:.2} s, {:.1} ms per epoch, \
         test accuracy {:.2} % ({:.1}× faster).",
        runs[0].time.as_secs_f64(),
        1e3 * runs[0].time.as_secs_f64() / EPOCHS as f64,
        100.0 * runs[0].test_accuracy,
        scalar.time.as_secs_f64(),
        1e3 * scalar.time.as_secs_f64() / EPOCHS as f64,
        100.0 * scalar.test_accuracy,
        scalar.time.as_secs_f64() / runs[0].time.as_secs_f64()
    );
    let svg = plot(&runs)?;
    println!("\nTraining curves (SVG): {}", svg.display());
    Ok(())
}

/// Adam + cosine annealing per iteration + clipping by norm + EMA of the weights, from `w0`,
/// with the given example loss and penalty.
fn adam(
    model: &Mlp,
    train: &Dataset,
    test: &Dataset,
    w0: &[f64],
    loss: impl Fn(&[Var], usize) -> Var + Sync,
    penalty: impl Fn(&[Var]) -> Var + Send,
) -> Run {
    let mut trainer = digits_adam(train.len(), EPOCHS, EPOCHS, SEED)
        .penalty(penalty)
        .metric("test acc (EMA)", |w: &[f64]| model.accuracy(w, test))
        .label("Adam");
    let mut w = w0.to_vec();
    let start = Instant::now();
    let report = trainer
        .fit(&mut w, train.len(), loss)
        .expect("the losses are finite");
    let time = start.elapsed();
    let ema = trainer.eval_weights(&w).to_vec();
    Run {
        name: "Adam + cosine + clip + EMA",
        steps: format!("{EPOCHS} epochs, {} steps", report.iterations),
        passes: EPOCHS,
        time,
        loss_curve: epoch_curve(&report.losses()),
        accuracy_curve: epoch_curve(&report.metrics()),
        final_loss: model.objective_value(&ema, train),
        train_accuracy: model.accuracy(&ema, train),
        test_accuracy: model.accuracy(&ema, test),
        raw_test_accuracy: Some(model.accuracy(&w, test)),
    }
}

/// Per-epoch values at x = 1, 2, ... passes.
fn epoch_curve(values: &[f64]) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .map(|(e, &v)| ((e + 1) as f64, v))
        .collect()
}

/// Two panels: training loss (log scale) and test accuracy against passes over the data.
fn plot(runs: &[Run]) -> Result<PathBuf, Box<dyn Error>> {
    let file = std::env::temp_dir().join("curvature-train-mlp.svg");
    let root = SVGBackend::new(&file, (1200, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(600);
    let max_passes = runs
        .iter()
        .flat_map(|r| r.loss_curve.iter().map(|p| p.0))
        .fold(1.0f64, f64::max);
    let (lo, hi) = runs
        .iter()
        .flat_map(|r| r.loss_curve.iter().map(|p| p.1))
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let colors = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(44, 160, 44),
    ];

    let mut chart = ChartBuilder::on(&left)
        .caption("Training loss", ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..max_passes, (lo * 0.8..hi * 1.2).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("gradient passes over the training data")
        .y_desc("loss")
        .y_label_formatter(&|v| format!("{v:.2e}"))
        .draw()?;
    for (r, &c) in runs.iter().zip(&colors) {
        chart
            .draw_series(LineSeries::new(
                r.loss_curve.iter().copied(),
                c.stroke_width(2),
            ))?
            .label(r.name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;

    let mut chart = ChartBuilder::on(&right)
        .caption("Test accuracy", ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(35)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..max_passes, 0.8..1.0)?;
    chart
        .configure_mesh()
        .x_desc("gradient passes over the training data")
        .y_desc("accuracy")
        .draw()?;
    for (r, &c) in runs.iter().zip(&colors) {
        chart
            .draw_series(LineSeries::new(
                r.accuracy_curve.iter().map(|&(x, y)| (x, y.max(0.8))),
                c.stroke_width(2),
            ))?
            .label(r.name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(file.clone())
}
