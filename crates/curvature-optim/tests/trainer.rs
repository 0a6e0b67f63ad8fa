//! The training loop: reproducibility, descent, and observable effects of clipping, the
//! schedule, the EMA, the penalty, the metric and the skipping of non-finite steps.

use curvature_ad::num_traits::Float;
use curvature_ad::{gradient, Var};
use curvature_optim::train::{
    mean_loss_and_gradient, Adam, Clip, Ema, ExponentialLr, NonFinitePolicy, Optimizer,
    PlateauMode, ReduceOnPlateau, Sgd, StepEvery, TrainError, Trainer,
};
use curvature_optim::NonFiniteEntry;

/// A small synthetic binary classification problem: 3 features (the last one a constant 1
/// for the bias), labels from a fixed linear rule, a few flipped.
struct Synthetic {
    x: Vec<[f64; 3]>,
    y: Vec<f64>,
}

fn synthetic(n: usize) -> Synthetic {
    let x: Vec<[f64; 3]> = (0..n)
        .map(|i| {
            let t = i as f64;
            [(1.3 * t).sin() * 2.0, (0.7 * t + 0.4).cos() * 1.5, 1.0]
        })
        .collect();
    let y = x
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let positive = 1.5 * r[0] - r[1] + 0.3 > 0.0;
            f64::from(u8::from(positive != (i % 17 == 0)))
        })
        .collect();
    Synthetic { x, y }
}

impl Synthetic {
    fn len(&self) -> usize {
        self.y.len()
    }

    /// Logistic loss of example i: log(1 + e^z) − y·z, z = w·xᵢ.
    fn loss(&self, w: &[Var], i: usize) -> Var {
        let r = &self.x[i];
        let z = w[0] * r[0] + w[1] * r[1] + w[2] * r[2];
        softplus(z) - z * self.y[i]
    }

    fn full_loss(&self, w: &[f64]) -> f64 {
        let all: Vec<usize> = (0..self.len()).collect();
        mean_loss_and_gradient(w, &all, 1000, &|v: &[Var], i| self.loss(v, i)).0
    }
}

/// log(1 + e^z), stable for large |z|.
fn softplus(z: Var) -> Var {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

#[test]
fn mean_loss_and_gradient_matches_one_tape_for_any_chunking() {
    let data = synthetic(101);
    let w = [0.3, -0.2, 0.1];
    let all: Vec<usize> = (0..data.len()).collect();
    let (f_ref, g_ref) = gradient(
        |v: &[Var]| {
            let mut s = data.loss(v, 0);
            for i in 1..data.len() {
                s += data.loss(v, i);
            }
            s / data.len() as f64
        },
        &w,
    );
    for chunk in [1, 7, 32, 101, 500] {
        let (f, g) = mean_loss_and_gradient(&w, &all, chunk, &|v: &[Var], i| data.loss(v, i));
        assert!((f - f_ref).abs() < 1e-14, "chunk {chunk}: {f} vs {f_ref}");
        for (a, b) in g.iter().zip(&g_ref) {
            assert!((a - b).abs() < 1e-14, "chunk {chunk}: {g:?} vs {g_ref:?}");
        }
    }
    // The same call twice (threads scheduled differently) gives the same bits.
    let loss = |v: &[Var], i| data.loss(v, i);
    assert_eq!(
        mean_loss_and_gradient(&w, &all, 5, &loss),
        mean_loss_and_gradient(&w, &all, 5, &loss)
    );
}

#[test]
#[should_panic(expected = "indices is empty")]
fn mean_over_no_examples_panics() {
    mean_loss_and_gradient(&[1.0], &[], 4, &|w: &[Var], _| w[0]);
}

fn train(seed: u64, data: &Synthetic) -> (Vec<f64>, Vec<f64>) {
    let mut trainer = Trainer::new(Sgd::new(0.2).momentum(0.9))
        .epochs(4)
        .batch_size(10)
        .chunk_size(4)
        .seed(seed)
        .progress(false);
    let mut w = vec![0.0; 3];
    let report = trainer
        .fit(&mut w, data.len(), |v, i| data.loss(v, i))
        .unwrap();
    (w, report.losses())
}

#[test]
fn same_seed_same_weights_bit_for_bit_other_seed_other_batches() {
    let data = synthetic(95);
    let a = train(42, &data);
    let b = train(42, &data);
    assert_eq!(a, b);
    let c = train(43, &data);
    assert_ne!(a.0, c.0);
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    // Chunks of 4 in batches of 10: three tapes per batch, summed in chunk order.
    let data = synthetic(95);
    let on = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| train(5, &data))
    };
    let one = on(1);
    assert_eq!(one, on(3));
    assert_eq!(one, train(5, &data));
}

#[test]
fn the_loop_runs_in_the_pool_of_the_caller_or_the_global_one() {
    // The metric reports the rayon thread it runs on: a thread of the global pool when
    // `fit` is called from a thread outside any pool, the calling thread inside a pool.
    let data = synthetic(40);
    let fit_on = |expected: Option<std::thread::ThreadId>| {
        let mut trainer = Trainer::new(Sgd::new(0.1))
            .epochs(2)
            .batch_size(10)
            .chunk_size(4)
            .metric("thread", move |_| {
                assert!(
                    rayon::current_thread_index().is_some(),
                    "not on a pool thread"
                );
                if let Some(id) = expected {
                    assert_eq!(
                        std::thread::current().id(),
                        id,
                        "not on the caller's thread"
                    );
                }
                1.0
            })
            .progress(false);
        let mut w = vec![0.0; 3];
        let report = trainer.fit(&mut w, data.len(), |v, i| data.loss(v, i));
        report.unwrap().metrics()
    };
    assert!(rayon::current_thread_index().is_none());
    assert_eq!(fit_on(None), [1.0, 1.0]);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    assert_eq!(
        pool.install(|| fit_on(Some(std::thread::current().id()))),
        [1.0, 1.0]
    );
}

#[test]
#[should_panic(expected = "the loss gave up")]
fn a_panic_in_the_loss_reaches_the_caller() {
    let data = synthetic(20);
    let mut trainer = Trainer::new(Sgd::new(0.1))
        .epochs(1)
        .batch_size(10)
        .progress(false);
    let mut w = vec![0.0; 3];
    let _ = trainer.fit(&mut w, data.len(), |v, i| {
        if i == 7 {
            panic!("the loss gave up at example {i}");
        }
        data.loss(v, i)
    });
}

#[test]
fn loss_decreases_on_a_small_problem() {
    let data = synthetic(200);
    let w0 = vec![0.0; 3];
    let start = data.full_loss(&w0);
    let mut trainer = Trainer::new(Adam::new(0.05))
        .epochs(15)
        .batch_size(16)
        .seed(1)
        .progress(false);
    let mut w = w0.clone();
    let report = trainer
        .fit(&mut w, data.len(), |v, i| data.loss(v, i))
        .unwrap();
    let losses = report.losses();
    assert_eq!(losses.len(), 15);
    assert_eq!(report.iterations, 15 * 13);
    assert!(
        losses[14] < 0.6 * losses[0],
        "epoch losses did not fall: {losses:?}"
    );
    let end = data.full_loss(&w);
    assert!(end < 0.5 * start, "full loss {start} -> {end}");
    // Epoch numbers and the report's bookkeeping.
    assert_eq!(
        report.epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(),
        (0..15).collect::<Vec<_>>()
    );
    assert!(report.epochs.iter().all(|e| e.skipped_steps == 0));
    assert!(report
        .epochs
        .windows(2)
        .all(|p| p[0].elapsed <= p[1].elapsed));
    // A second fit continues: epochs keep counting, the loss stays low.
    let more = trainer
        .fit(&mut w, data.len(), |v, i| data.loss(v, i))
        .unwrap();
    assert_eq!(more.epochs[0].epoch, 15);
    assert!(more.final_loss() < 0.6 * losses[0]);
}

#[test]
fn clipping_by_norm_caps_every_step() {
    // Plain SGD with lr 1 moves w by exactly the clipped gradient: at most 0.01 per step.
    let data = synthetic(64);
    let mut trainer = Trainer::new(Sgd::new(1.0))
        .epochs(1)
        .batch_size(64)
        .clip(Clip::Norm(0.01))
        .progress(false);
    let mut w = vec![0.0; 3];
    let report = trainer
        .fit(&mut w, data.len(), |v, i| data.loss(v, i))
        .unwrap();
    let moved = w.iter().map(|v| v * v).sum::<f64>().sqrt();
    let e = &report.epochs[0];
    assert_eq!(e.clipped_steps, 1);
    assert!(e.gradient_norm > 0.01, "unclipped norm {}", e.gradient_norm);
    assert!(moved <= 0.01 && moved > 0.0099, "step length {moved}");
    // The direction is the gradient's.
    let all: Vec<usize> = (0..64).collect();
    let (_, g) = mean_loss_and_gradient(&[0.0; 3], &all, 32, &|v: &[Var], i| data.loss(v, i));
    let gn = g.iter().map(|v| v * v).sum::<f64>().sqrt();
    for (wi, gi) in w.iter().zip(&g) {
        assert!((wi / moved + gi / gn).abs() < 1e-9);
    }
}

#[test]
fn clipping_by_value_caps_every_coordinate() {
    let data = synthetic(64);
    let mut trainer = Trainer::new(Sgd::new(1.0))
        .epochs(1)
        .batch_size(64)
        .clip(Clip::Value(1e-3))
        .progress(false);
    let mut w = vec![0.0; 3];
    let report = trainer
        .fit(&mut w, data.len(), |v, i| data.loss(v, i))
        .unwrap();
    assert_eq!(report.epochs[0].clipped_steps, 1);
    assert!(w.iter().all(|v| v.abs() <= 1e-3), "{w:?}");
    assert!(w.iter().any(|v| v.abs() == 1e-3), "{w:?}");
}

#[test]
fn scheduler_per_epoch_and_per_iteration() {
    let data = synthetic(40);
    // 40 examples in batches of 10: 4 iterations per epoch, 3 epochs.
    let run = |every| {
        let mut trainer = Trainer::new(Sgd::new(123.0))
            .epochs(3)
            .batch_size(10)
            .scheduler(ExponentialLr::new(0.1, 0.5), every)
            .progress(false);
        let mut w = vec![0.0; 3];
        let report = trainer
            .fit(&mut w, data.len(), |v, i| data.loss(v, i))
            .unwrap();
        let lrs: Vec<f64> = report.epochs.iter().map(|e| e.learning_rate).collect();
        (lrs, trainer.optimizer().learning_rate())
    };
    // The scheduler's base rate replaces the optimizer's; per epoch: 0.1, 0.05, 0.025.
    let (lrs, last) = run(StepEvery::Epoch);
    assert_eq!(lrs, [0.1, 0.05, 0.025]);
    assert_eq!(last, 0.0125);
    // Per iteration: the last step of epoch e used 0.1·0.5^(4e + 3).
    let (lrs, last) = run(StepEvery::Iteration);
    assert_eq!(
        lrs,
        [
            0.1 * 0.5f64.powi(3),
            0.1 * 0.5f64.powi(7),
            0.1 * 0.5f64.powi(11)
        ]
    );
    assert_eq!(last, 0.1 * 0.5f64.powi(12));
}

#[test]
fn a_schedule_to_zero_freezes_the_weights() {
    // γ = 0: the first step uses the base rate, every later one a zero rate.
    let data = synthetic(40);
    let mut trainer = Trainer::new(Sgd::new(0.5))
        .epochs(3)
        .batch_size(10)
        .scheduler(ExponentialLr::new(0.5, 0.0), StepEvery::Iteration)
        .progress(false);
    let mut w = vec![0.0; 3];
    let report = trainer
        .fit(&mut w, data.len(), |v, i| data.loss(v, i))
        .unwrap();
    assert_eq!(report.iterations, 12);
    // w moved on the first step only: a second fit leaves it exactly where it is.
    assert!(w.iter().any(|v| *v != 0.0));
    let after = w.clone();
    trainer
        .fit(&mut w, data.len(), |v, i| data.loss(v, i))
        .unwrap();
    assert_eq!(w, after);
    assert_eq!(report.epochs[0].learning_rate, 0.0);
}

#[test]
fn ema_average_matches_a_hand_loop_and_is_what_the_metric_sees() {
    // Full-batch SGD (batch = n, one tape per batch) is independent of the shuffle up to
    // rounding in the order of the sum, so a hand-written loop reproduces it.
    let data = synthetic(50);
    let all: Vec<usize> = (0..50).collect();
    let loss = |v: &[Var], i: usize| data.loss(v, i);
    let seen = std::sync::Mutex::new(Vec::new());
    let mut trainer = Trainer::new(Sgd::new(0.5))
        .epochs(6)
        .batch_size(50)
        .chunk_size(50)
        .ema(Ema::new(0.8).warmup(2))
        .metric("w0", |w: &[f64]| {
            seen.lock().unwrap().push(w.to_vec());
            w[0]
        })
        .progress(false);
    let mut w = vec![0.0; 3];
    let report = trainer.fit(&mut w, data.len(), loss).unwrap();

    let mut hand_w = vec![0.0; 3];
    let mut hand_opt = Sgd::new(0.5);
    let mut hand_ema = Ema::new(0.8).warmup(2);
    let mut hand_avgs = Vec::new();
    for _ in 0..6 {
        let (_, g) = mean_loss_and_gradient(&hand_w, &all, 50, &loss);
        hand_opt.step(&mut hand_w, &g);
        hand_ema.update(&hand_w);
        hand_avgs.push(hand_ema.weights().to_vec());
    }
    let ema = trainer.ema_state().unwrap();
    assert_eq!(ema.num_updates(), 6);
    for (a, b) in ema.weights().iter().zip(hand_ema.weights()) {
        assert!((a - b).abs() < 1e-12);
    }
    for (a, b) in w.iter().zip(&hand_w) {
        assert!((a - b).abs() < 1e-12);
    }
    // The average lags behind the weights (the EMA is really applied) ...
    assert!((ema.weights()[0] - w[0]).abs() > 1e-3);
    // ... and the metric was evaluated on the average after every epoch.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 6);
    for (s, h) in seen.iter().zip(&hand_avgs) {
        for (a, b) in s.iter().zip(h) {
            assert!((a - b).abs() < 1e-12);
        }
    }
    let metrics = report.metrics();
    assert_eq!(metrics.len(), 6);
    assert_eq!(metrics[5], seen[5][0]);
    assert_eq!(
        trainer.eval_weights(&w),
        trainer.ema_state().unwrap().weights()
    );
}

#[test]
fn penalty_is_added_to_loss_and_gradient() {
    // Loss 0 plus penalty (w − 3)²: plain SGD with lr 0.25 halves the distance to 3.
    // Epoch 1: r = 4, w = 1 + 0.25·4 = 2; epoch 2: r = 1, w = 2 + 0.25·2 = 2.5.
    let mut trainer = Trainer::new(Sgd::new(0.25))
        .epochs(2)
        .batch_size(1)
        .penalty(|w: &[Var]| (w[0] - 3.0).powi(2))
        .progress(false);
    let mut w = vec![1.0];
    let report = trainer.fit(&mut w, 1, |v, _| v[0] * 0.0).unwrap();
    assert_eq!(report.losses(), [4.0, 1.0]);
    assert_eq!(w, [2.5]);
}

#[test]
fn non_finite_steps_are_skipped_not_applied() {
    // Example 1 has a NaN loss; with batches of one example half the steps are skipped.
    let mut trainer = Trainer::new(Sgd::new(0.1))
        .epochs(2)
        .batch_size(1)
        .on_non_finite(NonFinitePolicy::Skip)
        .progress(false);
    let mut w = vec![1.0];
    let report = trainer
        .fit(&mut w, 2, |v, i| {
            if i == 0 {
                v[0] * v[0]
            } else {
                v[0] * f64::NAN
            }
        })
        .unwrap();
    assert!(w[0].is_finite());
    assert!((w[0] - 0.64).abs() < 1e-15, "{w:?}");
    for e in &report.epochs {
        assert_eq!(e.skipped_steps, 1);
        assert!(e.loss.is_finite());
    }
}

#[test]
fn reduce_on_plateau_reads_the_metric() {
    // A metric that never improves: with patience 1 the rate halves every second epoch.
    let data = synthetic(20);
    let mut trainer = Trainer::new(Sgd::new(0.1))
        .epochs(5)
        .batch_size(20)
        .reduce_on_plateau(
            ReduceOnPlateau::new(0.1)
                .mode(PlateauMode::Max)
                .factor(0.5)
                .patience(1),
        )
        .metric("constant", |_: &[f64]| 0.5)
        .progress(false);
    let mut w = vec![0.0; 3];
    let report = trainer
        .fit(&mut w, data.len(), |v, i| data.loss(v, i))
        .unwrap();
    let lrs: Vec<f64> = report.epochs.iter().map(|e| e.learning_rate).collect();
    // Epoch 1 sets the best; epochs 2 and 3 are bad (the 2nd bad one exceeds patience 1).
    assert_eq!(lrs, [0.1, 0.1, 0.1, 0.05, 0.05]);
    assert_eq!(trainer.optimizer().learning_rate(), 0.025);
}

#[test]
fn non_finite_loss_is_an_error_naming_batch_and_example() {
    // Ten examples, batches of four, no shuffling influence on the answer: example 6 has a
    // NaN target, so whichever batch holds it fails, and the error names that example.
    let targets: Vec<f64> = (0..10)
        .map(|i| if i == 6 { f64::NAN } else { i as f64 })
        .collect();
    let loss = |v: &[Var], i: usize| (v[0] - targets[i]).powi(2);
    let mut trainer = Trainer::new(Sgd::new(0.01))
        .epochs(3)
        .batch_size(4)
        .progress(false);
    let mut w = vec![0.5];
    let e = trainer.fit(&mut w, 10, loss).unwrap_err();
    let TrainError::NonFinite {
        epoch,
        batch,
        example,
        entry,
        value,
    } = e.clone();
    assert_eq!(epoch, 0);
    assert_eq!(example, Some(6));
    assert_eq!(entry, NonFiniteEntry::Value);
    assert!(value.is_nan());
    assert!(batch < 3);
    assert!(e.to_string().ends_with("at example 6"), "{e}");
    // Batches before the faulty one were applied; the faulty one was not.
    assert!(w[0].is_finite());
}

#[test]
fn non_finite_gradient_alone_names_the_variable() {
    // ℓ = √w₁ at w₁ = 0 is finite (0) with an infinite derivative in variable 1.
    let loss = |v: &[Var], _: usize| v[0] * v[0] + v[1].sqrt();
    let mut trainer = Trainer::new(Sgd::new(0.1)).batch_size(2).progress(false);
    let e = trainer.fit(&mut [1.0, 0.0], 2, loss).unwrap_err();
    assert!(
        matches!(
            e,
            TrainError::NonFinite {
                epoch: 0,
                batch: 0,
                entry: NonFiniteEntry::Gradient { variable: 1 },
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn non_finite_penalty_is_an_error_without_an_example() {
    // Every example's loss is finite; the penalty ln(w₀) is −∞ at w₀ = 0.
    let mut trainer = Trainer::new(Sgd::new(0.1))
        .batch_size(3)
        .penalty(|w: &[Var]| w[0].ln())
        .progress(false);
    let e = trainer
        .fit(&mut [0.0], 3, |v: &[Var], _| v[0] * v[0])
        .unwrap_err();
    let TrainError::NonFinite {
        example,
        entry,
        value,
        ..
    } = e;
    assert_eq!(example, None);
    assert_eq!(entry, NonFiniteEntry::Value);
    assert_eq!(value, f64::NEG_INFINITY);
}
