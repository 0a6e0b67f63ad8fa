//! A constant learning rate.

use super::{check_base_lr, Scheduler};

/// A constant learning rate: lr_k = base for every k.
///
/// Mostly useful as the schedule after a [`LinearWarmup`](super::LinearWarmup). (Unlike
/// PyTorch's `ConstantLR`, which multiplies by a factor for a number of steps, this is
/// simply constant.)
///
/// # Example
///
/// ```
/// use curvature_optim::train::{ConstantLr, Scheduler};
///
/// let mut s = ConstantLr::new(0.1);
/// assert_eq!((s.lr(), s.step(), s.step()), (0.1, 0.1, 0.1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConstantLr {
    lr: f64,
}

impl ConstantLr {
    /// The constant schedule `lr`.
    ///
    /// # Panics
    ///
    /// If `lr` is negative or NaN.
    pub fn new(lr: f64) -> Self {
        check_base_lr("ConstantLr::new", lr);
        ConstantLr { lr }
    }
}

impl Scheduler for ConstantLr {
    fn lr(&self) -> f64 {
        self.lr
    }

    fn step(&mut self) -> f64 {
        self.lr
    }
}
