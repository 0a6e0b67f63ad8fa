//! Adam (`torch.optim.Adam`, L2 weight decay) and AdamW (`torch.optim.AdamW`, decoupled
//! weight decay), sharing one implementation.

use super::{check_lengths, check_lr, Optimizer};

/// How the weight decay λ enters an Adam step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decay {
    /// Adam: L2 penalty added to the gradient, `g <- g + λ·p`.
    L2,
    /// AdamW: decoupled decay applied to the parameters, `p <- p − lr·λ·p`.
    Decoupled,
}

/// The state and hyper-parameters shared by [`Adam`] and [`AdamW`].
#[derive(Debug, Clone, PartialEq)]
struct AdamCore {
    name: &'static str,
    decay: Decay,
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    amsgrad: bool,
    /// Number of steps taken.
    t: u64,
    /// First-moment estimate m.
    m: Vec<f64>,
    /// Second-moment estimate v.
    v: Vec<f64>,
    /// Running maximum of v (AMSGrad only).
    v_max: Vec<f64>,
}

impl AdamCore {
    fn new(name: &'static str, decay: Decay, lr: f64, weight_decay: f64) -> Self {
        check_lr(name, lr);
        AdamCore {
            name,
            decay,
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
            amsgrad: false,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
            v_max: Vec::new(),
        }
    }

    fn set_betas(&mut self, beta1: f64, beta2: f64) {
        for (which, b) in [("beta1", beta1), ("beta2", beta2)] {
            assert!(
                (0.0..1.0).contains(&b),
                "{}::betas: {which} must lie in [0, 1), got {b}",
                self.name
            );
        }
        self.beta1 = beta1;
        self.beta2 = beta2;
    }

    fn set_eps(&mut self, eps: f64) {
        assert!(
            eps >= 0.0,
            "{}::eps: eps must be non-negative, got {eps}",
            self.name
        );
        self.eps = eps;
    }

    fn set_weight_decay(&mut self, weight_decay: f64) {
        assert!(
            weight_decay >= 0.0,
            "{}::weight_decay: the weight decay must be non-negative, got {weight_decay}",
            self.name
        );
        self.weight_decay = weight_decay;
    }

    fn step(&mut self, params: &mut [f64], grad: &[f64]) {
        let len = (self.t > 0).then_some(self.m.len());
        check_lengths(self.name, params.len(), grad.len(), len);
        let n = params.len();
        if self.t == 0 {
            self.m.clear();
            self.m.resize(n, 0.0);
            self.v.clear();
            self.v.resize(n, 0.0);
            self.v_max.clear();
            if self.amsgrad {
                self.v_max.resize(n, 0.0);
            }
        }
        self.t += 1;
        let (lr, b1, b2, eps, wd) = (self.lr, self.beta1, self.beta2, self.eps, self.weight_decay);
        // Bias corrections 1 − β^t; the exponent saturates, where β^t is 0 anyway.
        let t = i32::try_from(self.t).unwrap_or(i32::MAX);
        let bc1 = 1.0 - b1.powi(t);
        let sqrt_bc2 = (1.0 - b2.powi(t)).sqrt();
        let step_size = lr / bc1;
        for i in 0..n {
            let mut g = grad[i];
            match self.decay {
                Decay::L2 if wd != 0.0 => g += wd * params[i],
                Decay::Decoupled if wd != 0.0 => params[i] *= 1.0 - lr * wd,
                _ => {}
            }
            let m = b1 * self.m[i] + (1.0 - b1) * g;
            let v = b2 * self.v[i] + (1.0 - b2) * g * g;
            self.m[i] = m;
            self.v[i] = v;
            let v_hat_src = if self.amsgrad {
                self.v_max[i] = self.v_max[i].max(v);
                self.v_max[i]
            } else {
                v
            };
            let denom = v_hat_src.sqrt() / sqrt_bc2 + eps;
            params[i] -= step_size * m / denom;
        }
    }

    fn reset(&mut self) {
        self.t = 0;
        self.m.clear();
        self.v.clear();
        self.v_max.clear();
    }
}

/// Generates the builder methods and the [`Optimizer`] impl shared by `Adam` and `AdamW`;
/// both forward to [`AdamCore`].
macro_rules! adam_common {
    ($ty:ident) => {
        impl $ty {
            /// Sets the exponential decay rates (β1, β2) of the first and second moment
            /// estimates (default (0.9, 0.999)).
            ///
            /// # Panics
            ///
            /// If either β lies outside `[0, 1)`.
            pub fn betas(mut self, beta1: f64, beta2: f64) -> Self {
                self.core.set_betas(beta1, beta2);
                self
            }

            /// Sets ε (default 1e-8), added to the denominator `sqrt(v̂) + ε`.
            ///
            /// # Panics
            ///
            /// If `eps` is negative or NaN.
            pub fn eps(mut self, eps: f64) -> Self {
                self.core.set_eps(eps);
                self
            }

            /// Enables the AMSGrad variant (default off): the denominator uses the running
            /// maximum `v_max <- max(v_max, v)` of the second-moment estimate instead of v.
            pub fn amsgrad(mut self, amsgrad: bool) -> Self {
                self.core.amsgrad = amsgrad;
                self
            }

            /// The number of steps taken so far (t in the bias corrections).
            pub fn steps_taken(&self) -> u64 {
                self.core.t
            }

            /// The first-moment estimate m (empty before the first step).
            pub fn first_moment(&self) -> &[f64] {
                &self.core.m
            }

            /// The second-moment estimate v (empty before the first step).
            pub fn second_moment(&self) -> &[f64] {
                &self.core.v
            }
        }

        impl Optimizer for $ty {
            /// One step; see the type's documentation for the equations.
            ///
            /// # Panics
            ///
            /// On mismatched lengths, see [`Optimizer::step`].
            fn step(&mut self, params: &mut [f64], grad: &[f64]) {
                self.core.step(params, grad);
            }

            fn learning_rate(&self) -> f64 {
                self.core.lr
            }

            fn set_learning_rate(&mut self, lr: f64) {
                check_lr(concat!(stringify!($ty), "::set_learning_rate"), lr);
                self.core.lr = lr;
            }

            fn reset(&mut self) {
                self.core.reset();
            }
        }
    };
}

/// Adam with L2 weight decay, with the update equations of `torch.optim.Adam`.
///
/// For each parameter p with gradient g, at step t = 1, 2, ... with learning rate lr,
/// decay rates β1, β2, ε and weight decay λ:
///
/// ```text
/// g <- g + λ·p                          (if λ != 0: L2 penalty through the gradient)
/// m <- β1·m + (1 − β1)·g                (m and v start at 0)
/// v <- β2·v + (1 − β2)·g²
/// v_max <- max(v_max, v)                (AMSGrad only; then v_max replaces v below)
/// p <- p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
/// ```
///
/// Defaults: β = (0.9, 0.999), ε = 1e-8, λ = 0, no AMSGrad. For decoupled weight decay use
/// [`AdamW`], which shares this implementation.
///
/// # Example
///
/// ```
/// use curvature_optim::train::{Adam, Optimizer};
///
/// let mut opt = Adam::new(0.1).betas(0.9, 0.999).eps(1e-8);
/// let mut p = [1.0];
/// // m = 0.1·2 = 0.2, v = 0.001·4 = 0.004, m̂ = 2, v̂ = 4:
/// // p = 1 − 0.1·2 / (2 + 1e-8) ≈ 0.9 (the first Adam step moves every coordinate by ≈ lr).
/// opt.step(&mut p, &[2.0]);
/// assert!((p[0] - 0.9).abs() < 1e-8);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Adam {
    core: AdamCore,
}

impl Adam {
    /// Adam with learning rate `lr` and the default β = (0.9, 0.999), ε = 1e-8, no weight
    /// decay.
    ///
    /// # Panics
    ///
    /// If `lr` is negative or NaN.
    pub fn new(lr: f64) -> Self {
        Adam {
            core: AdamCore::new("Adam", Decay::L2, lr, 0.0),
        }
    }

    /// Sets the L2 weight decay λ (default 0), added to the gradient: `g <- g + λ·p`.
    ///
    /// # Panics
    ///
    /// If `weight_decay` is negative or NaN.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.core.set_weight_decay(weight_decay);
        self
    }
}

impl Default for Adam {
    /// Adam with PyTorch's defaults: lr = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0.
    fn default() -> Self {
        Adam::new(1e-3)
    }
}

adam_common!(Adam);

/// Adam with decoupled weight decay, with the update equations of `torch.optim.AdamW`.
///
/// Identical to [`Adam`] except for the weight decay λ, which shrinks the parameters
/// directly instead of entering the gradient (and hence the moment estimates):
///
/// ```text
/// p <- p − lr·λ·p                       (decoupled decay, before the Adam update)
/// m <- β1·m + (1 − β1)·g
/// v <- β2·v + (1 − β2)·g²
/// v_max <- max(v_max, v)                (AMSGrad only; then v_max replaces v below)
/// p <- p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
/// ```
///
/// Defaults: β = (0.9, 0.999), ε = 1e-8, λ = 0.01 (PyTorch's AdamW default), no AMSGrad.
///
/// # Example
///
/// ```
/// use curvature_optim::train::{AdamW, Optimizer};
///
/// let mut opt = AdamW::new(0.1).weight_decay(0.5);
/// let mut p = [1.0];
/// // Decay: p = 1 − 0.1·0.5·1 = 0.95; then the Adam step of size ≈ lr: p ≈ 0.85.
/// opt.step(&mut p, &[2.0]);
/// assert!((p[0] - 0.85).abs() < 1e-8);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AdamW {
    core: AdamCore,
}

impl AdamW {
    /// AdamW with learning rate `lr` and the defaults β = (0.9, 0.999), ε = 1e-8,
    /// λ = 0.01.
    ///
    /// # Panics
    ///
    /// If `lr` is negative or NaN.
    pub fn new(lr: f64) -> Self {
        AdamW {
            core: AdamCore::new("AdamW", Decay::Decoupled, lr, 0.01),
        }
    }

    /// Sets the decoupled weight decay λ (default 0.01): `p <- p − lr·λ·p` at each step.
    ///
    /// # Panics
    ///
    /// If `weight_decay` is negative or NaN.
    pub fn weight_decay(mut self, weight_decay: f64) -> Self {
        self.core.set_weight_decay(weight_decay);
        self
    }
}

impl Default for AdamW {
    /// AdamW with PyTorch's defaults: lr = 1e-3, β = (0.9, 0.999), ε = 1e-8, λ = 0.01.
    fn default() -> Self {
        AdamW::new(1e-3)
    }
}

adam_common!(AdamW);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::assert_close;

    // All hand computations use β1 = β2 = 0.5 and ε = 0, so that the bias corrections are
    // 1 − 0.5^t = 0.5, 0.75, 0.875 and the square roots stay simple.

    #[test]
    fn adam_three_steps_by_hand() {
        let mut opt = Adam::new(0.1).betas(0.5, 0.5).eps(0.0);
        let mut p = [1.0];
        // Step 1, g = 2: m = 0.5·2 = 1; v = 0.5·4 = 2; step size = 0.1/0.5 = 0.2;
        //   denominator = sqrt(2)/sqrt(0.5) = 2; p = 1 − 0.2·1/2 = 0.9.
        opt.step(&mut p, &[2.0]);
        assert_close(opt.first_moment()[0], 1.0, 0.0);
        assert_close(opt.second_moment()[0], 2.0, 0.0);
        assert_close(p[0], 0.9, 1e-15);
        // Step 2, g = 1: m = 0.5 + 0.5 = 1; v = 1 + 0.5 = 1.5; step size = 0.1/0.75 = 2/15;
        //   denominator = sqrt(1.5)/sqrt(0.75) = sqrt(2); p = 0.9 − (2/15)/sqrt(2)
        //   = 0.9 − sqrt(2)/15.
        opt.step(&mut p, &[1.0]);
        let p2 = 0.9 - 2f64.sqrt() / 15.0;
        assert_close(p[0], p2, 1e-15);
        // Step 3, g = −2: m = 0.5 − 1 = −0.5; v = 0.75 + 2 = 2.75;
        //   step size = 0.1/0.875 = 4/35; denominator = sqrt(2.75/0.875) = sqrt(22/7);
        //   p = p2 + (4/35)·0.5/sqrt(22/7) = p2 + (2/35)/sqrt(22/7).
        opt.step(&mut p, &[-2.0]);
        assert_close(p[0], p2 + (2.0 / 35.0) / (22.0f64 / 7.0).sqrt(), 1e-15);
        assert_eq!(opt.steps_taken(), 3);
    }

    #[test]
    fn adam_l2_weight_decay_enters_the_gradient() {
        // λ = 0.5, p0 = 2.
        let mut opt = Adam::new(0.1).betas(0.5, 0.5).eps(0.0).weight_decay(0.5);
        let mut p = [2.0];
        // Step 1, g = 1 + 0.5·2 = 2: m = 1, v = 2, p = 2 − 0.2·1/2 = 1.9.
        opt.step(&mut p, &[1.0]);
        assert_close(p[0], 1.9, 1e-15);
        // Step 2, g = 0.05 + 0.5·1.9 = 1: m = 1, v = 1.5 (the moments see the decay term),
        //   p = 1.9 − sqrt(2)/15 as in the plain Adam test.
        opt.step(&mut p, &[0.05]);
        assert_close(opt.first_moment()[0], 1.0, 1e-15);
        assert_close(p[0], 1.9 - 2f64.sqrt() / 15.0, 1e-15);
    }

    #[test]
    fn adamw_decoupled_weight_decay_by_hand() {
        // λ = 0.5, p0 = 2, lr = 0.1: each step first multiplies p by 1 − 0.1·0.5 = 0.95.
        let mut opt = AdamW::new(0.1).betas(0.5, 0.5).eps(0.0).weight_decay(0.5);
        let mut p = [2.0];
        // Step 1, g = 2: p = 2·0.95 = 1.9; m = 1, v = 2; p = 1.9 − 0.2·1/2 = 1.8.
        opt.step(&mut p, &[2.0]);
        assert_close(p[0], 1.8, 1e-15);
        // Step 2, g = 1: p = 1.8·0.95 = 1.71; m = 1, v = 1.5 (the moments never see λ);
        //   p = 1.71 − sqrt(2)/15.
        opt.step(&mut p, &[1.0]);
        assert_close(opt.first_moment()[0], 1.0, 0.0);
        assert_close(opt.second_moment()[0], 1.5, 0.0);
        assert_close(p[0], 1.71 - 2f64.sqrt() / 15.0, 1e-15);
    }

    #[test]
    fn adamw_without_decay_equals_adam() {
        let mut a = Adam::new(0.05);
        let mut w = AdamW::new(0.05).weight_decay(0.0);
        let (mut pa, mut pw) = ([1.0, -1.0], [1.0, -1.0]);
        for g in [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.0]] {
            a.step(&mut pa, &g);
            w.step(&mut pw, &g);
        }
        assert_eq!(pa, pw);
    }

    #[test]
    fn amsgrad_uses_the_running_maximum() {
        let mut opt = Adam::new(0.1).betas(0.5, 0.5).eps(0.0).amsgrad(true);
        let mut p = [1.0];
        // Step 1 as without AMSGrad: v = 2 = v_max, p = 0.9.
        opt.step(&mut p, &[2.0]);
        assert_close(p[0], 0.9, 1e-15);
        // Step 2, g = 1: m = 1, v = 1.5 but v_max = max(2, 1.5) = 2;
        //   denominator = sqrt(2)/sqrt(0.75) = sqrt(8/3); p = 0.9 − (2/15)/sqrt(8/3).
        opt.step(&mut p, &[1.0]);
        assert_close(p[0], 0.9 - (2.0 / 15.0) / (8.0f64 / 3.0).sqrt(), 1e-15);
    }

    #[test]
    fn default_eps_enters_the_denominator() {
        // β = (0.9, 0.999), ε = 1e-8, g = 2: m̂ = 2, v̂ = 4, p = 1 − 0.1·2/(2 + 1e-8).
        let mut opt = Adam::default();
        opt.set_learning_rate(0.1);
        let mut p = [1.0];
        opt.step(&mut p, &[2.0]);
        assert_close(p[0], 1.0 - 0.2 / (2.0 + 1e-8), 1e-15);
    }

    #[test]
    fn adam_minimizes_a_quadratic() {
        // f(x) = ½ Σ a_i (x_i − c_i)², badly scaled; Adam's per-coordinate scaling copes.
        let a = [1.0, 100.0, 0.01];
        let c = [1.0, -2.0, 3.0];
        let mut x = [0.0; 3];
        let mut opt = Adam::new(0.1);
        for t in 0..3000 {
            if t == 2000 {
                opt.set_learning_rate(0.001);
            }
            let g: Vec<f64> = (0..3).map(|i| a[i] * (x[i] - c[i])).collect();
            opt.step(&mut x, &g);
        }
        for i in 0..3 {
            assert_close(x[i], c[i], 1e-3);
        }
    }

    #[test]
    fn reset_restarts_the_bias_correction() {
        let mut opt = Adam::new(0.1).betas(0.5, 0.5).eps(0.0);
        let mut p = [1.0];
        opt.step(&mut p, &[2.0]);
        opt.step(&mut p, &[1.0]);
        opt.reset();
        assert_eq!(opt.steps_taken(), 0);
        // Fresh first step, g = 3: m = 1.5, v = 4.5, step size 0.2, denominator
        //   sqrt(4.5)/sqrt(0.5) = 3: p moves by 0.2·1.5/3 = 0.1 = lr, as on a first step.
        let before = p[0];
        opt.step(&mut p, &[3.0]);
        assert_close(p[0], before - 0.1, 1e-15);
    }

    #[test]
    #[should_panic(expected = "AdamW::step: params has length 1 but grad has length 2")]
    fn mismatched_lengths_panic() {
        AdamW::default().step(&mut [0.0], &[0.0, 1.0]);
    }

    #[test]
    #[should_panic(expected = "beta2 must lie in [0, 1)")]
    fn beta_of_one_panics() {
        Adam::new(0.1).betas(0.9, 1.0);
    }
}
