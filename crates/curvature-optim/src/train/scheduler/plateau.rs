//! Reduce the learning rate when a metric stops improving
//! (`torch.optim.lr_scheduler.ReduceLROnPlateau`).

use super::check_base_lr;
use crate::train::Optimizer;

/// Whether the monitored metric of a [`ReduceOnPlateau`] should decrease or increase.
///
/// # Example
///
/// ```
/// use curvature_optim::train::{PlateauMode, ReduceOnPlateau};
///
/// // Monitor an accuracy: higher is better.
/// let mut s = ReduceOnPlateau::new(0.1).mode(PlateauMode::Max).patience(0);
/// s.step_with(0.9);
/// assert_eq!(s.step_with(0.95), 0.1); // improved
/// assert!((s.step_with(0.93) - 0.01).abs() < 1e-15); // worse: reduced at once
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlateauMode {
    /// Lower is better (a loss). The default.
    #[default]
    Min,
    /// Higher is better (an accuracy).
    Max,
}

/// How the improvement threshold of a [`ReduceOnPlateau`] is measured against the best
/// metric so far.
///
/// # Example
///
/// ```
/// use curvature_optim::train::{ReduceOnPlateau, ThresholdMode};
///
/// // A loss must drop by at least 0.5 to count as an improvement.
/// let mut s = ReduceOnPlateau::new(1.0)
///     .threshold_mode(ThresholdMode::Abs)
///     .threshold(0.5)
///     .patience(0);
/// s.step_with(3.0);
/// assert_eq!(s.step_with(2.4), 1.0); // 2.4 < 3 − 0.5: improved
/// assert_eq!(s.step_with(2.0), 0.1); // 2.0 is not < 2.4 − 0.5: reduced
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThresholdMode {
    /// Relative: in `Min` mode a metric improves if `metric < best · (1 − threshold)`, in
    /// `Max` mode if `metric > best · (1 + threshold)`. The default.
    #[default]
    Rel,
    /// Absolute: in `Min` mode a metric improves if `metric < best − threshold`, in `Max`
    /// mode if `metric > best + threshold`.
    Abs,
}

/// Reduces the learning rate by a factor when a metric has stopped improving, with the
/// semantics of PyTorch's `ReduceLROnPlateau`.
///
/// Each [`ReduceOnPlateau::step_with`] call (typically once per epoch, with a validation
/// loss) does:
///
/// ```text
/// if metric improves on best (see ThresholdMode):  best <- metric, bad <- 0
/// else:                                            bad <- bad + 1
/// if cooldown_counter > 0:  cooldown_counter <- cooldown_counter − 1, bad <- 0
/// if bad > patience:
///     new <- max(lr · factor, min_lr)
///     if lr − new > eps:  lr <- new
///     cooldown_counter <- cooldown, bad <- 0
/// ```
///
/// The best metric starts at +∞ (`Min`) or −∞ (`Max`). A NaN metric never improves, so it
/// counts as a bad step. Defaults (PyTorch's): `Min` mode, factor 0.1, patience 10,
/// threshold 1e-4 relative, cooldown 0, min_lr 0, eps 1e-8.
///
/// # Example
///
/// ```
/// use curvature_optim::train::{Optimizer, ReduceOnPlateau, Sgd};
///
/// let mut opt = Sgd::new(1.0);
/// let mut plateau = ReduceOnPlateau::new(1.0).factor(0.5).patience(1);
/// let losses = [3.0, 2.0, 2.0, 2.0, 1.0];
/// let lrs: Vec<f64> = losses.iter().map(|&l| plateau.step_with(l)).collect();
/// // 2 bad epochs in a row (> patience 1) halve the rate.
/// assert_eq!(lrs, [1.0, 1.0, 1.0, 0.5, 0.5]);
/// plateau.apply(&mut opt);
/// assert_eq!(opt.learning_rate(), 0.5);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ReduceOnPlateau {
    lr: f64,
    mode: PlateauMode,
    threshold_mode: ThresholdMode,
    factor: f64,
    patience: u64,
    threshold: f64,
    cooldown: u64,
    min_lr: f64,
    eps: f64,
    best: Option<f64>,
    num_bad: u64,
    cooldown_counter: u64,
}

impl ReduceOnPlateau {
    /// A plateau scheduler starting from `lr`, with PyTorch's defaults.
    ///
    /// # Panics
    ///
    /// If `lr` is negative or NaN.
    pub fn new(lr: f64) -> Self {
        check_base_lr("ReduceOnPlateau::new", lr);
        ReduceOnPlateau {
            lr,
            mode: PlateauMode::Min,
            threshold_mode: ThresholdMode::Rel,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            cooldown: 0,
            min_lr: 0.0,
            eps: 1e-8,
            best: None,
            num_bad: 0,
            cooldown_counter: 0,
        }
    }

    /// Sets whether the metric is minimized or maximized (default [`PlateauMode::Min`]).
    pub fn mode(mut self, mode: PlateauMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the reduction factor (default 0.1): `lr <- max(lr · factor, min_lr)`.
    ///
    /// # Panics
    ///
    /// If `factor` lies outside `[0, 1)`.
    pub fn factor(mut self, factor: f64) -> Self {
        assert!(
            (0.0..1.0).contains(&factor),
            "ReduceOnPlateau::factor: the factor must lie in [0, 1), got {factor}"
        );
        self.factor = factor;
        self
    }

    /// Sets the patience (default 10): the number of bad steps tolerated; the rate is
    /// reduced on the `patience + 1`-th bad step in a row.
    pub fn patience(mut self, patience: u64) -> Self {
        self.patience = patience;
        self
    }

    /// Sets the improvement threshold (default 1e-4), interpreted per
    /// [`ThresholdMode`].
    ///
    /// # Panics
    ///
    /// If `threshold` is negative or NaN.
    pub fn threshold(mut self, threshold: f64) -> Self {
        assert!(
            threshold >= 0.0,
            "ReduceOnPlateau::threshold: the threshold must be non-negative, got {threshold}"
        );
        self.threshold = threshold;
        self
    }

    /// Sets how the threshold is measured (default [`ThresholdMode::Rel`]).
    pub fn threshold_mode(mut self, threshold_mode: ThresholdMode) -> Self {
        self.threshold_mode = threshold_mode;
        self
    }

    /// Sets the cooldown (default 0): the number of steps after a reduction during which
    /// bad steps are not counted.
    pub fn cooldown(mut self, cooldown: u64) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Sets the lower bound of the learning rate (default 0).
    ///
    /// # Panics
    ///
    /// If `min_lr` is negative or NaN.
    pub fn min_lr(mut self, min_lr: f64) -> Self {
        check_base_lr("ReduceOnPlateau::min_lr", min_lr);
        self.min_lr = min_lr;
        self
    }

    /// Sets eps (default 1e-8): a reduction smaller than eps is ignored.
    ///
    /// # Panics
    ///
    /// If `eps` is negative or NaN.
    pub fn eps(mut self, eps: f64) -> Self {
        assert!(
            eps >= 0.0,
            "ReduceOnPlateau::eps: eps must be non-negative, got {eps}"
        );
        self.eps = eps;
        self
    }

    /// The current learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// The best metric seen so far (`None` before the first improvement).
    pub fn best(&self) -> Option<f64> {
        self.best
    }

    /// The number of bad steps counted since the last improvement or reduction.
    pub fn num_bad_steps(&self) -> u64 {
        self.num_bad
    }

    /// Sets `optimizer`'s learning rate to [`ReduceOnPlateau::lr`].
    pub fn apply(&self, optimizer: &mut dyn Optimizer) {
        optimizer.set_learning_rate(self.lr);
    }

    /// Records one value of the monitored metric and returns the (possibly reduced)
    /// learning rate; see [`ReduceOnPlateau`] for the rule.
    pub fn step_with(&mut self, metric: f64) -> f64 {
        if self.improves(metric) {
            self.best = Some(metric);
            self.num_bad = 0;
        } else {
            self.num_bad += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad = 0;
        }
        if self.num_bad > self.patience {
            let new = (self.lr * self.factor).max(self.min_lr);
            if self.lr - new > self.eps {
                self.lr = new;
            }
            self.cooldown_counter = self.cooldown;
            self.num_bad = 0;
        }
        self.lr
    }

    fn improves(&self, metric: f64) -> bool {
        let Some(best) = self.best else {
            // best = ±∞: anything but NaN (and ±∞ itself) improves on it.
            return match self.mode {
                PlateauMode::Min => metric < f64::INFINITY,
                PlateauMode::Max => metric > f64::NEG_INFINITY,
            };
        };
        let t = self.threshold;
        match (self.mode, self.threshold_mode) {
            (PlateauMode::Min, ThresholdMode::Rel) => metric < best * (1.0 - t),
            (PlateauMode::Min, ThresholdMode::Abs) => metric < best - t,
            (PlateauMode::Max, ThresholdMode::Rel) => metric > best * (1.0 + t),
            (PlateauMode::Max, ThresholdMode::Abs) => metric > best + t,
        }
    }
}
