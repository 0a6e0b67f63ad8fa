//! Training toolkit for stochastic first-order optimization, with PyTorch semantics.
//!
//! Everything here works on flat `f64` parameter slices:
//!
//! - stateful optimizers implementing [`Optimizer`]: [`Sgd`] (momentum, dampening, Nesterov,
//!   weight decay), [`Adam`], [`AdamW`] and [`RmsProp`], each following the update equations
//!   of `torch.optim`;
//! - learning-rate schedulers implementing [`Scheduler`]: [`StepLr`], [`ExponentialLr`],
//!   [`CosineAnnealing`], [`LinearWarmup`] (wrapping another scheduler), [`ConstantLr`], and
//!   the metric-driven [`ReduceOnPlateau`];
//! - gradient clipping: [`clip_grad_norm`] and [`clip_grad_value`];
//! - an exponential moving average of the weights with a warm-up phase: [`Ema`];
//! - a training loop, [`Trainer`]: seeded shuffled mini-batches, gradients by curvature-ad
//!   (one tape per chunk of examples, chunks in parallel), clipping, optimizer step, schedule
//!   and EMA, per-epoch statistics and a progress bar; and [`mean_loss_and_gradient`] for
//!   full-batch solvers.
//!
//! # Errors and panics
//!
//! Mismatched slice lengths are programmer errors: every `step` panics with a message naming
//! the optimizer and both lengths when `params.len() != grad.len()`, or when the number of
//! parameters changes between steps of one optimizer (call `reset` to start over with a new
//! parameter vector). Invalid hyper-parameters (a negative learning rate, a β outside
//! `[0, 1)`, ...) also panic, in the builder method that receives them, as
//! `torch.optim` raises `ValueError` at construction. Non-finite gradients are not checked:
//! they propagate into the parameters exactly as in PyTorch.
//!
//! # Example
//!
//! ```
//! use curvature_optim::train::{
//!     clip_grad_norm, Adam, CosineAnnealing, Ema, Optimizer, Scheduler,
//! };
//!
//! // Minimize f(x) = (x0 - 3)^2 + 10 (x1 + 1)^2.
//! let grad_of = |x: &[f64]| vec![2.0 * (x[0] - 3.0), 20.0 * (x[1] + 1.0)];
//! let mut x = vec![0.0, 0.0];
//! let mut opt = Adam::new(0.1);
//! let mut schedule = CosineAnnealing::new(0.1, 500).eta_min(1e-3);
//! let mut ema = Ema::new(0.9).warmup(10);
//! for _ in 0..500 {
//!     let mut g = grad_of(&x);
//!     clip_grad_norm(&mut g, 10.0);
//!     opt.step(&mut x, &g);
//!     ema.update(&x);
//!     opt.set_learning_rate(schedule.step());
//! }
//! assert!((x[0] - 3.0).abs() < 1e-3 && (x[1] + 1.0).abs() < 1e-3);
//! assert!((ema.weights()[0] - 3.0).abs() < 1e-2);
//! ```

#![deny(missing_docs)]

mod adam;
mod clip;
mod ema;
mod non_finite;
mod rmsprop;
mod scheduler;
mod sgd;
mod trainer;

pub use adam::{Adam, AdamW};
pub use clip::{clip_grad_norm, clip_grad_value};
pub use ema::Ema;
pub use non_finite::{NonFinitePolicy, TrainError};
pub use rmsprop::RmsProp;
pub use scheduler::{
    ConstantLr, CosineAnnealing, ExponentialLr, LinearWarmup, PlateauMode, ReduceOnPlateau,
    Scheduler, StepLr, ThresholdMode,
};
pub use sgd::Sgd;
pub use trainer::{
    mean_loss_and_gradient, Clip, EpochStats, StepEvery, TrainReport, Trainer, DEFAULT_CHUNK_SIZE,
};

/// A stateful first-order optimizer over a flat parameter slice.
///
/// `step` reads the gradient of the loss at `params` and updates `params` in place. The
/// learning rate can be read and replaced between steps, which is how a [`Scheduler`]
/// drives an optimizer (see [`Scheduler::apply`]).
///
/// # Example
///
/// ```
/// use curvature_optim::train::{Optimizer, Sgd};
///
/// // One plain gradient-descent step: p <- p - lr * g.
/// let mut opt = Sgd::new(0.5);
/// let mut p = [1.0, -2.0];
/// opt.step(&mut p, &[2.0, 4.0]);
/// assert_eq!(p, [0.0, -4.0]);
/// opt.set_learning_rate(0.25);
/// assert_eq!(opt.learning_rate(), 0.25);
/// ```
pub trait Optimizer {
    /// Updates `params` in place from the gradient `grad` of the loss at `params`.
    ///
    /// # Panics
    ///
    /// If `params.len() != grad.len()`, or if the number of parameters differs from the one
    /// of the previous steps (call [`Optimizer::reset`] first to switch parameter vectors).
    fn step(&mut self, params: &mut [f64], grad: &[f64]);

    /// The learning rate the next `step` will use.
    fn learning_rate(&self) -> f64;

    /// Replaces the learning rate used by the following steps; the optimizer's state
    /// (momentum buffers, moment estimates, step count) is kept.
    ///
    /// # Panics
    ///
    /// If `lr` is negative or NaN.
    fn set_learning_rate(&mut self, lr: f64);

    /// Forgets the optimizer's state (buffers and step count), keeping its hyper-parameters:
    /// the next `step` behaves like the first one.
    fn reset(&mut self);
}

/// Panics with a clear message if `params` and `grad` differ in length, or if a state
/// vector already sized on an earlier step (`state_len`, 0 when unsized) has another length.
pub(crate) fn check_lengths(who: &str, params: usize, grad: usize, state_len: Option<usize>) {
    assert!(
        params == grad,
        "{who}::step: params has length {params} but grad has length {grad}"
    );
    if let Some(n) = state_len {
        assert!(
            n == params,
            "{who}::step: the optimizer state was sized for {n} parameters on an earlier step, \
             but params now has length {params} (call reset() to start over)"
        );
    }
}

/// Panics unless `lr` is a valid learning rate (non-negative, not NaN; infinity is allowed
/// as in PyTorch, which only rejects negative values).
pub(crate) fn check_lr(who: &str, lr: f64) {
    assert!(
        lr >= 0.0,
        "{who}: the learning rate must be non-negative, got {lr}"
    );
}

/// Asserts `|actual − expected| <= tol` with a readable message.
#[cfg(test)]
#[track_caller]
pub(crate) fn assert_close(actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "expected {expected}, got {actual} (difference {}, tolerance {tol})",
        (actual - expected).abs()
    );
}
