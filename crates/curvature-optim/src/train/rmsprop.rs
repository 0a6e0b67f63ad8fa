//! RMSprop (`torch.optim.RMSprop`), optionally centered and with momentum.

use super::{check_lengths, check_lr, Optimizer};

/// RMSprop, with the update equations of `torch.optim.RMSprop`.
///
/// For each parameter p with gradient g, learning rate lr, smoothing constant α, ε,
/// momentum μ and weight decay λ:
///
/// ```text
/// g <- g + λ·p                          (if λ != 0)
/// v <- α·v + (1 − α)·g²                 (v, ḡ and b start at 0)
/// if centered:
///     ḡ <- α·ḡ + (1 − α)·g
///     d <- sqrt(v − ḡ²) + ε
/// else:
///     d <- sqrt(v) + ε
/// if μ > 0:  b <- μ·b + g / d,  p <- p − lr·b
/// else:      p <- p − lr·g / d
/// ```
///
/// Defaults (PyTorch's): lr = 0.01 for [`Default`], α = 0.99, ε = 1e-8, μ = 0, λ = 0, not
/// centered. In the centered variant `v − ḡ²` is mathematically non-negative; it is clamped
/// at 0 so that rounding cannot produce the square root of a negative number (PyTorch would
/// return NaN there).
///
/// # Example
///
/// ```
/// use curvature_optim::train::{Optimizer, RmsProp};
///
/// let mut opt = RmsProp::new(0.01).alpha(0.99).eps(1e-8);
/// let mut p = [1.0];
/// // v = 0.01·2² = 0.04, d = 0.2 + 1e-8, p = 1 − 0.01·2/0.2 ≈ 0.9.
/// opt.step(&mut p, &[2.0]);
/// assert!((p[0] - 0.9).abs() < 1e-8);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RmsProp {
    lr: f64,
    alpha: f64,
    eps: f64,
    momentum: f64,
    centered: bool,
    weight_decay: f64,
    /// Running average of squared gradients v.
    square_avg: Vec<f64>,
    /// Running average of gradients ḡ (centered only).
    grad_avg: Vec<f64>,
    /// Momentum buffer b (momentum only).
    buffer: Vec<f64>,
    /// Number of parameters seen on the first step, if any.
    len: Option<usize>,
}

impl RmsProp {
    /// RMSprop with learning rate `lr` and α = 0.99, ε = 1e-8, no momentum, not centered,
    /// no weight decay.
    ///
    /// # Panics
    ///
    /// If `lr` is negative or NaN.
    pub fn new(lr: f64) -> Self {
        check_lr("RmsProp::new", lr);
        RmsProp {
            lr,
            alpha: 0.99,
            eps: 1e-8,
            momentum: 0.0,
            centered: false,
            weight_decay: 0.0,
            square_avg: Vec::new(),
            grad_avg: Vec::new(),
            buffer: Vec::new(),
            len: None,
        }
    }

    /// Sets the smoothing constant α (default 0.99): `v <- α·v + (1 − α)·g²`.
    ///
    /// # Panics
    ///
    /// If `alpha` lies outside `[0, 1]`.
    pub fn alpha(mut self, alpha: f64) -> Self {
        assert!(
            (0.0..=1.0).contains(&alpha),
            "RmsProp::alpha: alpha must lie in [0, 1], got {alpha}"
        );
        self.alpha = alpha;
        self
    }

    /// Sets ε (default 1e-8), added to the denominator `sqrt(v) + ε`.
    ///
    /// # Panics
    ///
    /// If `eps` is negative or NaN.
    pub fn eps(mut self, eps: f64) -> Self {
        assert!(
            eps >= 0.0,
            "RmsProp::eps: eps must be non-negative, got {eps}"
        );
        self.eps = eps;
        self
    }

    /// Sets the momentum μ (default 0): `b <- μ·b + g / d`, `p <- p − lr·b`.
    ///
    /// # Panics
    ///
    /// If `momentum` is negative or NaN.
    pub fn momentum(mut self, momentum: f64) -> Self {
        assert!(
            momentum >= 0.0,
            "RmsProp::momentum: the momentum must be non-negative, got {momentum}"
        );
        self.momentum = momentum;
        self
    }

    /// Enables the centered variant (default off), which normalizes by an estimate of the
    /// gradient's variance `v − ḡ²` instead of its second moment v.
    pub fn centered(mut self, centered: bool) -> Self {
        self.centered = centered;
        self
    }

    /// Sets the L2 weight decay λ (default 0), added to the gradient: `g <- g + λ·p`.
    ///
    /// # Panics
    ///
    /// If `weight_decay` is negative or NaN.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        assert!(
            weight_decay >= 0.0,
            "RmsProp::weight_decay: the weight decay must be non-negative, got {weight_decay}"
        );
        self.weight_decay = weight_decay;
        self
    }

    /// The running average of squared gradients v (empty before the first step).
    pub fn square_avg(&self) -> &[f64] {
        &self.square_avg
    }
}

impl Default for RmsProp {
    /// RMSprop with PyTorch's defaults: lr = 0.01, α = 0.99, ε = 1e-8.
    fn default() -> Self {
        RmsProp::new(0.01)
    }
}

impl Optimizer for RmsProp {
    /// One RMSprop step; see [`RmsProp`] for the equations.
    ///
    /// # Panics
    ///
    /// On mismatched lengths, see [`Optimizer::step`].
    fn step(&mut self, params: &mut [f64], grad: &[f64]) {
        check_lengths("RmsProp", params.len(), grad.len(), self.len);
        let n = params.len();
        if self.len.is_none() {
            self.square_avg = vec![0.0; n];
            self.grad_avg = if self.centered {
                vec![0.0; n]
            } else {
                Vec::new()
            };
            self.buffer = if self.momentum > 0.0 {
                vec![0.0; n]
            } else {
                Vec::new()
            };
            self.len = Some(n);
        }
        let (lr, a, eps, mu, wd) = (
            self.lr,
            self.alpha,
            self.eps,
            self.momentum,
            self.weight_decay,
        );
        for i in 0..n {
            let g = if wd != 0.0 {
                grad[i] + wd * params[i]
            } else {
                grad[i]
            };
            let v = a * self.square_avg[i] + (1.0 - a) * g * g;
            self.square_avg[i] = v;
            let d = if self.centered {
                let gbar = a * self.grad_avg[i] + (1.0 - a) * g;
                self.grad_avg[i] = gbar;
                (v - gbar * gbar).max(0.0).sqrt() + eps
            } else {
                v.sqrt() + eps
            };
            if mu > 0.0 {
                let b = mu * self.buffer[i] + g / d;
                self.buffer[i] = b;
                params[i] -= lr * b;
            } else {
                params[i] -= lr * g / d;
            }
        }
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        check_lr("RmsProp::set_learning_rate", lr);
        self.lr = lr;
    }

    fn reset(&mut self) {
        self.square_avg.clear();
        self.grad_avg.clear();
        self.buffer.clear();
        self.len = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::assert_close;

    // Hand computations use lr = 0.1, α = 0.5, ε = 0, p0 = 1, gradients 2 then 1.

    #[test]
    fn plain_rmsprop_by_hand() {
        let mut opt = RmsProp::new(0.1).alpha(0.5).eps(0.0);
        let mut p = [1.0];
        // Step 1: v = 0.5·4 = 2; p = 1 − 0.1·2/sqrt(2) = 1 − 0.1·sqrt(2).
        opt.step(&mut p, &[2.0]);
        let p1 = 1.0 - 0.1 * 2f64.sqrt();
        assert_close(opt.square_avg()[0], 2.0, 0.0);
        assert_close(p[0], p1, 1e-15);
        // Step 2: v = 0.5·2 + 0.5·1 = 1.5; p = p1 − 0.1·1/sqrt(1.5).
        opt.step(&mut p, &[1.0]);
        assert_close(p[0], p1 - 0.1 / 1.5f64.sqrt(), 1e-15);
    }

    #[test]
    fn centered_rmsprop_by_hand() {
        let mut opt = RmsProp::new(0.1).alpha(0.5).eps(0.0).centered(true);
        let mut p = [1.0];
        // Step 1: v = 2, ḡ = 0.5·2 = 1, d = sqrt(2 − 1) = 1; p = 1 − 0.1·2 = 0.8.
        opt.step(&mut p, &[2.0]);
        assert_close(p[0], 0.8, 1e-15);
        // Step 2: v = 1.5, ḡ = 0.5 + 0.5 = 1, d = sqrt(0.5); p = 0.8 − 0.1/sqrt(0.5)
        //   = 0.8 − 0.1·sqrt(2).
        opt.step(&mut p, &[1.0]);
        assert_close(p[0], 0.8 - 0.1 * 2f64.sqrt(), 1e-15);
    }

    #[test]
    fn rmsprop_momentum_by_hand() {
        let mut opt = RmsProp::new(0.1).alpha(0.5).eps(0.0).momentum(0.5);
        let mut p = [1.0];
        // Step 1: v = 2, b = 2/sqrt(2) = sqrt(2), p = 1 − 0.1·sqrt(2).
        opt.step(&mut p, &[2.0]);
        let p1 = 1.0 - 0.1 * 2f64.sqrt();
        assert_close(p[0], p1, 1e-15);
        // Step 2: v = 1.5, b = 0.5·sqrt(2) + 1/sqrt(1.5), p = p1 − 0.1·b.
        opt.step(&mut p, &[1.0]);
        let b2 = 0.5 * 2f64.sqrt() + 1.0 / 1.5f64.sqrt();
        assert_close(p[0], p1 - 0.1 * b2, 1e-15);
    }

    #[test]
    fn rmsprop_weight_decay_by_hand() {
        // λ = 0.5, p0 = 2, raw gradient 1: g = 1 + 0.5·2 = 2, v = 2,
        // p = 2 − 0.1·2/sqrt(2) = 2 − 0.1·sqrt(2).
        let mut opt = RmsProp::new(0.1).alpha(0.5).eps(0.0).weight_decay(0.5);
        let mut p = [2.0];
        opt.step(&mut p, &[1.0]);
        assert_close(p[0], 2.0 - 0.1 * 2f64.sqrt(), 1e-15);
    }

    #[test]
    fn rmsprop_minimizes_a_quadratic() {
        let a = [1.0, 10.0];
        let c = [1.0, -2.0];
        let mut x = [0.0; 2];
        let mut opt = RmsProp::new(0.01);
        for t in 0..3000 {
            if t == 2000 {
                opt.set_learning_rate(1e-4);
            }
            let g: Vec<f64> = (0..2).map(|i| a[i] * (x[i] - c[i])).collect();
            opt.step(&mut x, &g);
        }
        for i in 0..2 {
            assert_close(x[i], c[i], 1e-3);
        }
    }

    #[test]
    #[should_panic(expected = "RmsProp::step: params has length 3 but grad has length 1")]
    fn mismatched_lengths_panic() {
        RmsProp::default().step(&mut [0.0; 3], &[0.0]);
    }
}
