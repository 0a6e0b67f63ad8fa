//! Exponential decay (`torch.optim.lr_scheduler.ExponentialLR`).

use super::{check_base_lr, pow_count, Scheduler};

/// Exponential decay: the rate is multiplied by γ at every step.
///
/// ```text
/// lr_k = base · γ^k
/// ```
///
/// # Example
///
/// ```
/// use curvature_optim::train::{ExponentialLr, Scheduler};
///
/// let mut s = ExponentialLr::new(1.0, 0.9);
/// assert_eq!(s.lr(), 1.0);
/// assert!((s.step() - 0.9).abs() < 1e-15);
/// assert!((s.step() - 0.81).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExponentialLr {
    base: f64,
    gamma: f64,
    k: u64,
}

impl ExponentialLr {
    /// Exponential decay from `base_lr` by the factor `gamma` per step.
    ///
    /// # Panics
    ///
    /// If `base_lr` or `gamma` is negative or NaN.
    pub fn new(base_lr: f64, gamma: f64) -> Self {
        check_base_lr("ExponentialLr::new", base_lr);
        assert!(
            gamma >= 0.0,
            "ExponentialLr::new: gamma must be non-negative, got {gamma}"
        );
        ExponentialLr {
            base: base_lr,
            gamma,
            k: 0,
        }
    }
}

impl Scheduler for ExponentialLr {
    fn lr(&self) -> f64 {
        self.base * pow_count(self.gamma, self.k)
    }

    fn step(&mut self) -> f64 {
        self.k += 1;
        self.lr()
    }
}
