//! Step decay (`torch.optim.lr_scheduler.StepLR`).

use super::{check_base_lr, pow_count, Scheduler};

/// Step decay: the rate is multiplied by γ every `step_size` steps.
///
/// ```text
/// lr_k = base · γ^floor(k / step_size)
/// ```
///
/// γ defaults to 0.1, as in PyTorch.
///
/// # Example
///
/// ```
/// use curvature_optim::train::{Scheduler, StepLr};
///
/// let mut s = StepLr::new(1.0, 2).gamma(0.5);
/// let lrs: Vec<f64> = std::iter::once(s.lr()).chain((0..5).map(|_| s.step())).collect();
/// assert_eq!(lrs, [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepLr {
    base: f64,
    step_size: u64,
    gamma: f64,
    k: u64,
}

impl StepLr {
    /// Step decay from `base_lr`, multiplying by γ = 0.1 every `step_size` steps.
    ///
    /// # Panics
    ///
    /// If `base_lr` is negative or NaN, or `step_size` is 0.
    pub fn new(base_lr: f64, step_size: u64) -> Self {
        check_base_lr("StepLr::new", base_lr);
        assert!(step_size > 0, "StepLr::new: step_size must be positive");
        StepLr {
            base: base_lr,
            step_size,
            gamma: 0.1,
            k: 0,
        }
    }

    /// Sets the decay factor γ (default 0.1).
    ///
    /// # Panics
    ///
    /// If `gamma` is negative or NaN.
    pub fn gamma(mut self, gamma: f64) -> Self {
        assert!(
            gamma >= 0.0,
            "StepLr::gamma: gamma must be non-negative, got {gamma}"
        );
        self.gamma = gamma;
        self
    }
}

impl Scheduler for StepLr {
    fn lr(&self) -> f64 {
        self.base * pow_count(self.gamma, self.k / self.step_size)
    }

    fn step(&mut self) -> f64 {
        self.k += 1;
        self.lr()
    }
}
