//! Linear warm-up in front of another scheduler.

use super::Scheduler;

/// Linear learning-rate warm-up for `warmup` steps, after which the wrapped scheduler takes
/// over.
///
/// With `base = inner.lr()` (the wrapped scheduler's initial rate) and start factor s:
///
/// ```text
/// lr_k = base · (s + (1 − s) · k / warmup)     for k < warmup
/// lr_k = inner's rate at its own step k − warmup   for k ≥ warmup
/// ```
///
/// The wrapped scheduler is not stepped during the warm-up: it starts at its step 0 when
/// the warm-up ends (PyTorch's `SequentialLR` of `LinearLR` and the other scheduler). The
/// start factor s defaults to 0, so the ramp is `0, base/warmup, 2·base/warmup, ...`; set
/// it with [`LinearWarmup::start_factor`] to avoid a first step with a zero rate. Wrap a
/// [`ConstantLr`](super::ConstantLr) for a warm-up to a constant rate.
///
/// # Example
///
/// ```
/// use curvature_optim::train::{ExponentialLr, LinearWarmup, Scheduler};
///
/// let mut s = LinearWarmup::new(4, ExponentialLr::new(1.0, 0.5));
/// let lrs: Vec<f64> = std::iter::once(s.lr()).chain((0..6).map(|_| s.step())).collect();
/// assert_eq!(lrs, [0.0, 0.25, 0.5, 0.75, 1.0, 0.5, 0.25]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LinearWarmup<S> {
    inner: S,
    warmup: u64,
    start_factor: f64,
    k: u64,
}

impl<S: Scheduler> LinearWarmup<S> {
    /// A linear warm-up of `warmup` steps towards `inner`'s initial rate, then `inner`.
    /// `inner` should not have been stepped yet. A warm-up of 0 steps is just `inner`.
    pub fn new(warmup: u64, inner: S) -> Self {
        LinearWarmup {
            inner,
            warmup,
            start_factor: 0.0,
            k: 0,
        }
    }

    /// Sets the start factor s (default 0): the first rate is `s · base`.
    ///
    /// # Panics
    ///
    /// If `start_factor` lies outside `[0, 1]`.
    pub fn start_factor(mut self, start_factor: f64) -> Self {
        assert!(
            (0.0..=1.0).contains(&start_factor),
            "LinearWarmup::start_factor: the start factor must lie in [0, 1], got {start_factor}"
        );
        self.start_factor = start_factor;
        self
    }

    /// The wrapped scheduler.
    pub fn inner(&self) -> &S {
        &self.inner
    }
}

impl<S: Scheduler> Scheduler for LinearWarmup<S> {
    fn lr(&self) -> f64 {
        if self.k < self.warmup {
            let s = self.start_factor;
            // k / warmup in f64 is exact for any realistic step count.
            self.inner.lr() * (s + (1.0 - s) * self.k as f64 / self.warmup as f64)
        } else {
            self.inner.lr()
        }
    }

    fn step(&mut self) -> f64 {
        self.k += 1;
        if self.k > self.warmup {
            self.inner.step();
        }
        self.lr()
    }
}
