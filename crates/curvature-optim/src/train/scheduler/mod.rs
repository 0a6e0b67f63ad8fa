//! Learning-rate schedulers (`torch.optim.lr_scheduler`).
//!
//! A scheduler owns its base learning rate and an internal step counter k, starting at 0.
//! [`Scheduler::lr`] is the learning rate for the current k, [`Scheduler::step`] advances k
//! by one and returns the new learning rate. Whether k counts epochs or iterations is the
//! caller's choice: call `step` once per epoch, or once per mini-batch. The scheduler does
//! not hold the optimizer; hand the rate over with [`Scheduler::apply`] or
//! `optimizer.set_learning_rate(scheduler.step())`.

mod constant;
mod cosine;
mod exponential;
mod plateau;
mod step_lr;
mod warmup;

pub use constant::ConstantLr;
pub use cosine::CosineAnnealing;
pub use exponential::ExponentialLr;
pub use plateau::{PlateauMode, ReduceOnPlateau, ThresholdMode};
pub use step_lr::StepLr;
pub use warmup::LinearWarmup;

use super::Optimizer;

/// A learning-rate schedule driven by a step counter k = 0, 1, 2, ...
///
/// The metric-driven [`ReduceOnPlateau`] is not a `Scheduler` (it needs a metric to step);
/// it offers the same `lr`/`apply` with `step_with(metric)`.
///
/// # Example
///
/// ```
/// use curvature_optim::train::{ExponentialLr, Optimizer, Scheduler, Sgd};
///
/// let mut opt = Sgd::new(1.0);
/// let mut schedule = ExponentialLr::new(1.0, 0.5);
/// let mut params = [0.0];
/// let mut used = Vec::new();
/// for _epoch in 0..3 {
///     schedule.apply(&mut opt); // or: opt.set_learning_rate(schedule.lr())
///     used.push(opt.learning_rate());
///     opt.step(&mut params, &[1.0]);
///     schedule.step();
/// }
/// assert_eq!(used, [1.0, 0.5, 0.25]);
/// assert_eq!(params, [-1.75]);
/// ```
pub trait Scheduler {
    /// The learning rate at the current step count k (the base rate before any `step`).
    fn lr(&self) -> f64;

    /// Advances the step count k by one and returns the new learning rate.
    fn step(&mut self) -> f64;

    /// Sets `optimizer`'s learning rate to [`Scheduler::lr`].
    fn apply(&self, optimizer: &mut dyn Optimizer) {
        optimizer.set_learning_rate(self.lr());
    }
}

impl<S: Scheduler + ?Sized> Scheduler for Box<S> {
    fn lr(&self) -> f64 {
        (**self).lr()
    }

    fn step(&mut self) -> f64 {
        (**self).step()
    }
}

/// `base · factor^k` for a step count, saturating the exponent (where the power has long
/// reached 0 or infinity).
pub(crate) fn pow_count(factor: f64, k: u64) -> f64 {
    factor.powi(i32::try_from(k).unwrap_or(i32::MAX))
}

/// Panics unless `lr` is non-negative and not NaN.
pub(crate) fn check_base_lr(who: &str, lr: f64) {
    assert!(
        lr >= 0.0,
        "{who}: the learning rate must be non-negative, got {lr}"
    );
}

#[cfg(test)]
mod tests;
