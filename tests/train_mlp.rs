//! The digits perceptron of `examples/train_mlp.rs`: its derivatives, its numerically safe
//! cross-entropy, and a training loss that falls over a few epochs on a small subset.

#[path = "../examples/common/mod.rs"]
mod common;

use common::mlp::{scale_pixels, Activation, Mlp};
use common::{load_digits, train_test_split, Rng};
use curvature::optim::train::{Adam, Clip, CosineAnnealing, Ema, StepEvery, Trainer};
use curvature::prelude::*;

fn model(activation: Activation) -> Mlp {
    Mlp {
        inputs: 64,
        hidden: 32,
        classes: 10,
        activation,
        lambda: 1e-4,
    }
}

#[test]
fn cross_entropy_is_safe_for_huge_logits() {
    let z = [1000.0, 0.0, -1000.0];
    assert_eq!(Mlp::cross_entropy(&z, 0), 0.0);
    assert_eq!(Mlp::cross_entropy(&z, 1), 1000.0);
    assert_eq!(Mlp::cross_entropy(&z, 2), 2000.0);
    // Uniform logits: log 3.
    assert!((Mlp::cross_entropy(&[5.0, 5.0, 5.0], 1) - 3f64.ln()).abs() < 1e-15);
}

#[test]
fn example_gradient_matches_central_differences() {
    let mut data = load_digits().unwrap();
    scale_pixels(&mut data);
    for activation in [Activation::Tanh, Activation::Relu] {
        let m = model(activation);
        let w = m.init(&mut Rng::new(3));
        let (x, y) = (data.row(5), data.y[5]);
        let (f, g) = gradient(|v: &[Var]| m.example_loss(v, x, y) + m.penalty(v), &w);
        let f64_loss = |w: &[f64]| Mlp::cross_entropy(&m.logits(w, x), y) + m.penalty(w);
        assert!((f - f64_loss(&w)).abs() < 1e-13);
        // A spread of coordinates over W₁, b₁, W₂ and b₂.
        for j in (0..m.n_params()).step_by(97).chain([2400, 2409]) {
            let h = 1e-6;
            let mut p = w.clone();
            p[j] += h;
            let up = f64_loss(&p);
            p[j] -= 2.0 * h;
            let down = f64_loss(&p);
            let fd = (up - down) / (2.0 * h);
            assert!(
                (g[j] - fd).abs() < 1e-7 * (1.0 + fd.abs()),
                "{activation:?}, parameter {j}: AD {} vs differences {fd}",
                g[j]
            );
        }
    }
}

#[test]
fn primitives_and_scalar_nodes_give_the_same_loss_and_gradient() {
    // The model with wide tape nodes (vector primitives) against its scalar spelling, whose
    // tape has one node per multiply-add.
    let mut data = load_digits().unwrap();
    scale_pixels(&mut data);
    for activation in [Activation::Tanh, Activation::Relu] {
        let m = model(activation);
        let w = m.init(&mut Rng::new(4));
        for i in [0, 17, 900] {
            let (x, y) = (data.row(i), data.y[i]);
            let (f, g) = gradient(|v: &[Var]| m.example_loss(v, x, y) + m.penalty(v), &w);
            let (fs, gs) = gradient(
                |v: &[Var]| m.example_loss_scalar(v, x, y) + m.penalty_scalar(v),
                &w,
            );
            assert!((f - fs).abs() < 1e-13 * (1.0 + fs.abs()), "{f} vs {fs}");
            for (j, (a, b)) in g.iter().zip(&gs).enumerate() {
                assert!(
                    (a - b).abs() < 1e-13,
                    "{activation:?}, example {i}, parameter {j}: {a} vs {b}"
                );
            }
        }
    }
}

#[test]
fn training_loss_falls_over_a_few_epochs() {
    let mut data = load_digits().unwrap();
    scale_pixels(&mut data);
    let (train, test) = train_test_split(&data, 0.2, &mut Rng::new(7));
    let small = train.subset(&(0..300).collect::<Vec<_>>());
    let m = model(Activation::Tanh);
    let mut w = m.init(&mut Rng::new(8));
    let start = m.objective_value(&w, &small);
    let epochs = 4;
    let mut trainer = Trainer::new(Adam::new(1e-2))
        .epochs(epochs)
        .batch_size(32)
        .chunk_size(16)
        .seed(7)
        .scheduler(CosineAnnealing::new(1e-2, 40), StepEvery::Iteration)
        .clip(Clip::Norm(5.0))
        .ema(Ema::new(0.9).warmup(10))
        .penalty(|v: &[Var]| m.penalty(v))
        .progress(false);
    let report = trainer
        .fit(&mut w, small.len(), |v, i| {
            m.example_loss(v, small.row(i), small.y[i])
        })
        .unwrap();
    let losses = report.losses();
    assert_eq!(report.iterations, epochs * 10);
    assert!(
        losses.windows(2).all(|p| p[1] < p[0]),
        "epoch losses {losses:?}"
    );
    let end = m.objective_value(trainer.eval_weights(&w), &small);
    assert!(end < 0.5 * start, "training objective {start} -> {end}");
    // Already far better than chance (10 %) on unseen digits.
    assert!(m.accuracy(trainer.eval_weights(&w), &test) > 0.5);
}
