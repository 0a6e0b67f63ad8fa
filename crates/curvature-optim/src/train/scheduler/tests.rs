//! Tests of the schedulers against hand-computed sequences.

use super::*;
use crate::train::{assert_close, Sgd};

/// lr_0 followed by the rates returned by `n` steps.
fn sequence(s: &mut dyn Scheduler, n: usize) -> Vec<f64> {
    std::iter::once(s.lr())
        .chain((0..n).map(|_| s.step()))
        .collect()
}

fn assert_all_close(actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        assert_close(*a, *e, tol);
    }
}

#[test]
fn exponential_gamma_09() {
    // 1, 0.9, 0.9² = 0.81, 0.9³ = 0.729, 0.9⁴ = 0.6561.
    let lrs = sequence(&mut ExponentialLr::new(1.0, 0.9), 4);
    assert_all_close(&lrs, &[1.0, 0.9, 0.81, 0.729, 0.6561], 1e-15);
}

#[test]
fn step_lr_decays_every_step_size() {
    // base 0.1, γ = 0.1 (default), step size 3: 0.1 for k = 0..2, 0.01 for 3..5, 0.001 at 6.
    let lrs = sequence(&mut StepLr::new(0.1, 3), 6);
    assert_all_close(&lrs, &[0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001], 1e-17);
}

#[test]
fn cosine_closed_form_at_known_points() {
    // base 1, eta_min 0.1, t_max 6: lr_k = 0.1 + 0.9·(1 + cos(πk/6))/2.
    let mut s = CosineAnnealing::new(1.0, 6).eta_min(0.1);
    let lrs = sequence(&mut s, 12);
    // k = 0: 1. k = 2: cos(π/3) = 0.5 → 0.1 + 0.9·0.75 = 0.775.
    // k = 3: cos(π/2) = 0 → 0.1 + 0.45 = 0.55. k = 4: cos(2π/3) = −0.5 → 0.1 + 0.225 = 0.325.
    // k = 6: cos(π) = −1 → 0.1. k = 12: cos(2π) = 1 → back at 1 (PyTorch's closed form).
    assert_close(lrs[0], 1.0, 1e-15);
    assert_close(lrs[2], 0.775, 1e-15);
    assert_close(lrs[3], 0.55, 1e-15);
    assert_close(lrs[4], 0.325, 1e-15);
    assert_close(lrs[6], 0.1, 1e-15);
    assert_close(lrs[12], 1.0, 1e-15);
    // Monotone decrease on 0..=t_max.
    assert!(lrs[..=6].windows(2).all(|w| w[1] < w[0]));
}

#[test]
fn warmup_ramps_then_hands_over() {
    // warmup 4, start factor 0: 0, 0.25, 0.5, 0.75 (× base 2 → 0, 0.5, 1, 1.5), then the
    // wrapped StepLr(2, step 2, γ 0.5) from its own step 0: 2, 2, 1, 1, 0.5.
    let mut s = LinearWarmup::new(4, StepLr::new(2.0, 2).gamma(0.5));
    let lrs = sequence(&mut s, 8);
    assert_all_close(&lrs, &[0.0, 0.5, 1.0, 1.5, 2.0, 2.0, 1.0, 1.0, 0.5], 1e-15);
}

#[test]
fn warmup_start_factor_and_constant_target() {
    // warmup 2, start factor 0.5, constant 0.4: 0.4·0.5 = 0.2, 0.4·(0.5 + 0.5·½) = 0.3,
    // then 0.4.
    let mut s = LinearWarmup::new(2, ConstantLr::new(0.4)).start_factor(0.5);
    assert_all_close(&sequence(&mut s, 3), &[0.2, 0.3, 0.4, 0.4], 1e-15);
}

#[test]
fn zero_warmup_is_the_inner_scheduler() {
    let mut s = LinearWarmup::new(0, ExponentialLr::new(1.0, 0.5));
    assert_all_close(&sequence(&mut s, 2), &[1.0, 0.5, 0.25], 0.0);
}

#[test]
fn boxed_schedulers_compose() {
    let inner: Box<dyn Scheduler> = Box::new(CosineAnnealing::new(1.0, 2));
    let mut s = LinearWarmup::new(1, inner);
    // k = 0: 0; then the cosine from its step 0: 1, 0.5, 0.
    assert_all_close(&sequence(&mut s, 3), &[0.0, 1.0, 0.5, 0.0], 1e-15);
}

#[test]
fn apply_sets_the_optimizer_rate() {
    let mut opt = Sgd::new(1.0);
    let mut s = ExponentialLr::new(0.5, 0.5);
    s.apply(&mut opt);
    assert_eq!(opt.learning_rate(), 0.5);
    s.step();
    s.apply(&mut opt);
    assert_eq!(opt.learning_rate(), 0.25);
}

#[test]
fn plateau_reduces_after_patience() {
    // patience 2, factor 0.5: the 3rd bad epoch in a row halves the rate.
    let mut s = ReduceOnPlateau::new(1.0).factor(0.5).patience(2);
    let metrics = [5.0, 4.0, 4.0, 4.5, 4.0, 4.0, 4.0, 4.0, 3.0];
    let lrs: Vec<f64> = metrics.iter().map(|&m| s.step_with(m)).collect();
    // epoch 0: best 5; 1: best 4; 2, 3, 4: bad 1, 2, 3 > 2 → 0.5, bad reset;
    // 5, 6, 7: bad 1, 2, 3 → 0.25; 8: improvement.
    assert_eq!(lrs, [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]);
    assert_eq!(s.best(), Some(3.0));
    assert_eq!(s.num_bad_steps(), 0);
}

#[test]
fn plateau_relative_threshold() {
    // threshold 0.1 relative: after best 10, only a metric below 10·0.9 = 9 improves.
    let mut s = ReduceOnPlateau::new(1.0).threshold(0.1).patience(0);
    s.step_with(10.0);
    assert_eq!(s.step_with(9.5), 0.1); // not below 9: bad 1 > 0 → reduced
    assert_eq!(s.best(), Some(10.0));
    s.step_with(8.9); // below 9: improves
    assert_eq!(s.best(), Some(8.9));
}

#[test]
fn plateau_cooldown_and_min_lr() {
    // patience 0, cooldown 2, factor 0.1, min_lr 0.05.
    let mut s = ReduceOnPlateau::new(1.0)
        .patience(0)
        .cooldown(2)
        .min_lr(0.05);
    s.step_with(1.0); // best
    assert_eq!(s.step_with(1.0), 0.1); // bad 1 > 0: 1 → 0.1, cooldown 2
    assert_eq!(s.step_with(1.0), 0.1); // cooldown 2 → 1, bad reset
    assert_eq!(s.step_with(1.0), 0.1); // cooldown 1 → 0, bad reset
    assert_eq!(s.step_with(1.0), 0.05); // bad 1 > 0: max(0.01, 0.05) = 0.05
    s.step_with(1.0);
    s.step_with(1.0);
    // At min_lr: the reduction 0.05 − 0.05 = 0 is not > eps, the rate stays.
    assert_eq!(s.step_with(1.0), 0.05);
}

#[test]
fn plateau_max_mode_absolute_threshold() {
    // Accuracy-like metric, improvement means > best + 0.01.
    let mut s = ReduceOnPlateau::new(1.0)
        .mode(PlateauMode::Max)
        .threshold_mode(ThresholdMode::Abs)
        .threshold(0.01)
        .patience(1)
        .factor(0.5);
    let lrs: Vec<f64> = [0.5, 0.8, 0.805, 0.81, 0.9]
        .iter()
        .map(|&m| s.step_with(m))
        .collect();
    // 0.5 best; 0.8 best; 0.805 bad 1; 0.81 not > 0.81: bad 2 > 1 → 0.5; 0.9 improves.
    assert_eq!(lrs, [1.0, 1.0, 1.0, 0.5, 0.5]);
}

#[test]
fn plateau_nan_metric_is_a_bad_step() {
    let mut s = ReduceOnPlateau::new(1.0).patience(0);
    s.step_with(1.0);
    assert_eq!(s.step_with(f64::NAN), 0.1);
    assert_eq!(s.best(), Some(1.0));
}

#[test]
fn plateau_eps_ignores_tiny_reductions() {
    // lr 1e-9: 1e-9 − 1e-10 = 9e-10 is not > eps 1e-8, the rate stays.
    let mut s = ReduceOnPlateau::new(1e-9).patience(0);
    s.step_with(1.0);
    assert_eq!(s.step_with(2.0), 1e-9);
}

#[test]
#[should_panic(expected = "t_max must be positive")]
fn cosine_zero_t_max_panics() {
    CosineAnnealing::new(1.0, 0);
}
