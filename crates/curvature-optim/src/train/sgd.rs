//! Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight
//! decay (`torch.optim.SGD`).

use super::{check_lengths, check_lr, Optimizer};

/// Stochastic gradient descent, with the update equations of `torch.optim.SGD`.
///
/// For each parameter p with gradient g, learning rate lr, momentum μ, dampening τ and
/// weight decay λ, one step does:
///
/// ```text
/// g <- g + λ·p                          (if λ != 0)
/// if μ != 0:
///     b <- g                            (first step: the buffer starts as the gradient)
///     b <- μ·b + (1 − τ)·g              (later steps)
///     g <- g + μ·b   if Nesterov, else   g <- b
/// p <- p − lr·g
/// ```
///
/// With the defaults (momentum 0, no weight decay) this is plain gradient descent
/// `p <- p − lr·g`. The momentum buffer is allocated on the first step with a non-zero
/// momentum.
///
/// # Example
///
/// ```
/// use curvature_optim::train::{Optimizer, Sgd};
///
/// let mut opt = Sgd::new(0.1).momentum(0.9);
/// let mut p = [1.0];
/// opt.step(&mut p, &[1.0]); // b = 1,             p = 1 − 0.1·1    = 0.9
/// opt.step(&mut p, &[1.0]); // b = 0.9·1 + 1 = 1.9, p = 0.9 − 0.1·1.9 = 0.71
/// assert!((p[0] - 0.71).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Sgd {
    lr: f64,
    momentum: f64,
    dampening: f64,
    nesterov: bool,
    weight_decay: f64,
    /// Momentum buffer; empty until the first step with non-zero momentum.
    buffer: Vec<f64>,
    /// Number of parameters seen on the first step, if any.
    len: Option<usize>,
}

impl Sgd {
    /// Plain SGD with learning rate `lr`: no momentum, no dampening, no weight decay.
    ///
    /// # Panics
    ///
    /// If `lr` is negative or NaN.
    pub fn new(lr: f64) -> Self {
        check_lr("Sgd::new", lr);
        Sgd {
            lr,
            momentum: 0.0,
            dampening: 0.0,
            nesterov: false,
            weight_decay: 0.0,
            buffer: Vec::new(),
            len: None,
        }
    }

    /// Sets the momentum factor μ (default 0): `b <- μ·b + (1 − τ)·g`.
    ///
    /// # Panics
    ///
    /// If `momentum` is negative or NaN.
    pub fn momentum(mut self, momentum: f64) -> Self {
        assert!(
            momentum >= 0.0,
            "Sgd::momentum: the momentum must be non-negative, got {momentum}"
        );
        self.momentum = momentum;
        self
    }

    /// Sets the dampening τ (default 0), which scales the gradient added to the momentum
    /// buffer after the first step: `b <- μ·b + (1 − τ)·g`.
    ///
    /// # Panics
    ///
    /// If `dampening` is NaN.
    pub fn dampening(mut self, dampening: f64) -> Self {
        assert!(
            !dampening.is_nan(),
            "Sgd::dampening: the dampening must not be NaN"
        );
        self.dampening = dampening;
        self
    }

    /// Enables Nesterov momentum (default off): the step direction becomes `g + μ·b`
    /// instead of `b`. As in PyTorch, Nesterov momentum requires a positive momentum and
    /// zero dampening; this is checked at the first `step`, when the configuration is
    /// complete.
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
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
            "Sgd::weight_decay: the weight decay must be non-negative, got {weight_decay}"
        );
        self.weight_decay = weight_decay;
        self
    }

    /// The momentum buffer b (empty before the first step, and always empty without
    /// momentum).
    pub fn momentum_buffer(&self) -> &[f64] {
        &self.buffer
    }
}

impl Default for Sgd {
    /// Plain SGD with PyTorch's default learning rate 1e-3.
    fn default() -> Self {
        Sgd::new(1e-3)
    }
}

impl Optimizer for Sgd {
    /// One SGD step; see [`Sgd`] for the equations.
    ///
    /// # Panics
    ///
    /// On mismatched lengths (see [`Optimizer::step`]), or if Nesterov momentum is enabled
    /// with zero momentum or non-zero dampening.
    fn step(&mut self, params: &mut [f64], grad: &[f64]) {
        check_lengths("Sgd", params.len(), grad.len(), self.len);
        assert!(
            !self.nesterov || (self.momentum > 0.0 && self.dampening == 0.0),
            "Sgd::step: Nesterov momentum requires a positive momentum and zero dampening \
             (momentum = {}, dampening = {})",
            self.momentum,
            self.dampening
        );
        let first = self.len.is_none();
        self.len = Some(params.len());
        let (lr, mu, wd) = (self.lr, self.momentum, self.weight_decay);
        if mu == 0.0 {
            for (p, &g) in params.iter_mut().zip(grad) {
                let g = if wd != 0.0 { g + wd * *p } else { g };
                *p -= lr * g;
            }
            return;
        }
        if first {
            // The buffer is allocated here and set to b <- g in the loop below.
            self.buffer.clear();
            self.buffer.resize(params.len(), 0.0);
        }
        let damp = 1.0 - self.dampening;
        for ((p, &g), b) in params.iter_mut().zip(grad).zip(&mut self.buffer) {
            let g = if wd != 0.0 { g + wd * *p } else { g };
            *b = if first { g } else { mu * *b + damp * g };
            let d = if self.nesterov { g + mu * *b } else { *b };
            *p -= lr * d;
        }
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) {
        check_lr("Sgd::set_learning_rate", lr);
        self.lr = lr;
    }

    fn reset(&mut self) {
        self.buffer.clear();
        self.len = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::assert_close;

    #[test]
    fn plain_sgd_is_gradient_descent() {
        // p <- p − lr·g with lr = 0.5.
        let mut opt = Sgd::new(0.5);
        let mut p = [1.0, -2.0, 0.0];
        opt.step(&mut p, &[2.0, -4.0, 1.0]);
        // [1 − 1, −2 + 2, 0 − 0.5]
        assert_eq!(p, [0.0, 0.0, -0.5]);
        assert!(opt.momentum_buffer().is_empty());
    }

    #[test]
    fn momentum_dampening_weight_decay_by_hand() {
        // lr = 0.1, μ = 0.9, τ = 0.5, λ = 0.1, p0 = 1, gradients 1, 2, −1.
        let mut opt = Sgd::new(0.1).momentum(0.9).dampening(0.5).weight_decay(0.1);
        let mut p = [1.0];
        // Step 1: g = 1 + 0.1·1 = 1.1; b = g = 1.1 (no dampening on the first step);
        //         p = 1 − 0.1·1.1 = 0.89.
        opt.step(&mut p, &[1.0]);
        assert_close(opt.momentum_buffer()[0], 1.1, 1e-15);
        assert_close(p[0], 0.89, 1e-15);
        // Step 2: g = 2 + 0.1·0.89 = 2.089; b = 0.9·1.1 + 0.5·2.089 = 0.99 + 1.0445 = 2.0345;
        //         p = 0.89 − 0.1·2.0345 = 0.68655.
        opt.step(&mut p, &[2.0]);
        assert_close(opt.momentum_buffer()[0], 2.0345, 1e-15);
        assert_close(p[0], 0.68655, 1e-15);
        // Step 3: g = −1 + 0.1·0.68655 = −0.931345;
        //         b = 0.9·2.0345 + 0.5·(−0.931345) = 1.83105 − 0.4656725 = 1.3653775;
        //         p = 0.68655 − 0.13653775 = 0.55001225.
        opt.step(&mut p, &[-1.0]);
        assert_close(opt.momentum_buffer()[0], 1.3653775, 1e-15);
        assert_close(p[0], 0.55001225, 1e-15);
    }

    #[test]
    fn nesterov_by_hand() {
        // lr = 0.1, μ = 0.9, Nesterov, p0 = 1, gradients 1, 2.
        let mut opt = Sgd::new(0.1).momentum(0.9).nesterov(true);
        let mut p = [1.0];
        // Step 1: b = 1; d = g + μ·b = 1 + 0.9 = 1.9; p = 1 − 0.19 = 0.81.
        opt.step(&mut p, &[1.0]);
        assert_close(p[0], 0.81, 1e-15);
        // Step 2: b = 0.9·1 + 2 = 2.9; d = 2 + 0.9·2.9 = 4.61; p = 0.81 − 0.461 = 0.349.
        opt.step(&mut p, &[2.0]);
        assert_close(p[0], 0.349, 1e-15);
    }

    #[test]
    fn learning_rate_change_keeps_the_buffer() {
        // lr 1 then 0.5, μ = 0.5, p0 = 0, gradients 1, 1.
        let mut opt = Sgd::new(1.0).momentum(0.5);
        let mut p = [0.0];
        opt.step(&mut p, &[1.0]); // b = 1, p = −1
        opt.set_learning_rate(0.5);
        opt.step(&mut p, &[1.0]); // b = 0.5 + 1 = 1.5, p = −1 − 0.75 = −1.75
        assert_eq!(p, [-1.75]);
        opt.reset();
        assert!(opt.momentum_buffer().is_empty());
        opt.step(&mut p, &[1.0]); // fresh start: b = 1, p = −1.75 − 0.5 = −2.25
        assert_eq!(p, [-2.25]);
    }

    #[test]
    fn momentum_minimizes_a_quadratic() {
        // f(x) = ½ Σ a_i (x_i − c_i)², gradient a_i (x_i − c_i).
        let a = [1.0, 10.0, 0.1];
        let c = [1.0, -2.0, 3.0];
        let mut x = [0.0; 3];
        let mut opt = Sgd::new(0.05).momentum(0.9);
        for _ in 0..2000 {
            let g: Vec<f64> = (0..3).map(|i| a[i] * (x[i] - c[i])).collect();
            opt.step(&mut x, &g);
        }
        for i in 0..3 {
            assert_close(x[i], c[i], 1e-8);
        }
    }

    #[test]
    #[should_panic(expected = "Sgd::step: params has length 2 but grad has length 3")]
    fn mismatched_lengths_panic() {
        Sgd::new(0.1).step(&mut [0.0; 2], &[0.0; 3]);
    }

    #[test]
    #[should_panic(expected = "sized for 2 parameters")]
    fn changing_the_parameter_count_panics() {
        let mut opt = Sgd::new(0.1).momentum(0.9);
        opt.step(&mut [0.0; 2], &[1.0; 2]);
        opt.step(&mut [0.0; 3], &[1.0; 3]);
    }

    #[test]
    #[should_panic(expected = "Nesterov momentum requires")]
    fn nesterov_without_momentum_panics() {
        Sgd::new(0.1).nesterov(true).step(&mut [0.0], &[1.0]);
    }

    #[test]
    #[should_panic(expected = "learning rate must be non-negative")]
    fn negative_learning_rate_panics() {
        Sgd::new(-1.0);
    }
}
