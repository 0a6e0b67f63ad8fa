//! Cosine annealing (`torch.optim.lr_scheduler.CosineAnnealingLR`).

use super::{check_base_lr, Scheduler};

/// Cosine annealing from the base rate down to `eta_min` over `t_max` steps, in PyTorch's
/// closed form:
///
/// ```text
/// lr_k = eta_min + (base − eta_min) · (1 + cos(π · k / t_max)) / 2
/// ```
///
/// so lr_0 = base, lr_{t_max/2} = (base + eta_min) / 2 and lr_{t_max} = eta_min. As in
/// PyTorch, the formula keeps applying after `t_max`: the rate rises again along the cosine
/// and is back at `base` at k = 2·t_max (this is not a warm restart). Stop stepping the
/// scheduler at `t_max` to stay at `eta_min`.
///
/// # Example
///
/// ```
/// use curvature_optim::train::{CosineAnnealing, Scheduler};
///
/// let mut s = CosineAnnealing::new(1.0, 4).eta_min(0.2);
/// assert_eq!(s.lr(), 1.0);
/// s.step();
/// s.step();
/// assert!((s.lr() - 0.6).abs() < 1e-15); // half way: (1 + 0.2) / 2
/// s.step();
/// assert!((s.step() - 0.2).abs() < 1e-15); // k = t_max: eta_min
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CosineAnnealing {
    base: f64,
    t_max: u64,
    eta_min: f64,
    k: u64,
}

impl CosineAnnealing {
    /// Cosine annealing from `base_lr` to 0 over `t_max` steps.
    ///
    /// # Panics
    ///
    /// If `base_lr` is negative or NaN, or `t_max` is 0.
    pub fn new(base_lr: f64, t_max: u64) -> Self {
        check_base_lr("CosineAnnealing::new", base_lr);
        assert!(t_max > 0, "CosineAnnealing::new: t_max must be positive");
        CosineAnnealing {
            base: base_lr,
            t_max,
            eta_min: 0.0,
            k: 0,
        }
    }

    /// Sets the minimum learning rate `eta_min` (default 0), reached at k = t_max.
    ///
    /// # Panics
    ///
    /// If `eta_min` is negative or NaN.
    pub fn eta_min(mut self, eta_min: f64) -> Self {
        check_base_lr("CosineAnnealing::eta_min", eta_min);
        self.eta_min = eta_min;
        self
    }
}

impl Scheduler for CosineAnnealing {
    fn lr(&self) -> f64 {
        // k / t_max in f64 is exact for any realistic step count.
        let phase = std::f64::consts::PI * self.k as f64 / self.t_max as f64;
        self.eta_min + (self.base - self.eta_min) * (1.0 + phase.cos()) / 2.0
    }

    fn step(&mut self) -> f64 {
        self.k += 1;
        self.lr()
    }
}
