//! A one-hidden-layer perceptron with softmax cross-entropy, shared by
//! `examples/train_mlp.rs`, `examples/train_mlp_large.rs` and the test `tests/train_mlp.rs`.
//! Written with the vector primitives of `curvature::vector` (each layer one wide tape
//! node); the scalar spelling of before is kept beside it (`*_scalar`) for comparison.

use curvature::optim::train::{Adam, Clip, CosineAnnealing, Ema, StepEvery, Trainer};
use curvature::prelude::*;
use curvature::vector;

use super::{Dataset, Rng};

/// The hidden layer's activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    /// tanh(a).
    Tanh,
    /// max(a, 0) (derivative 0 at 0, the `max` convention of curvature-ad).
    Relu,
}

/// An `inputs`–`hidden`–`classes` perceptron: `h = σ(W₁x + b₁)`, logits `z = W₂h + b₂`, and
/// per example the softmax cross-entropy
///
/// ```text
/// ℓ(w; x, y) = log Σₖ e^{zₖ} − z_y,   computed as  m + log Σₖ e^{zₖ − m},  m = maxₖ zₖ
/// ```
///
/// (the log-sum-exp shift keeps every exponent ≤ 0; m is taken as a constant, which changes
/// neither the value nor the derivatives since the identity holds for any m). The penalty
/// `(λ/2)(‖W₁‖² + ‖W₂‖²)` leaves the biases free.
///
/// Parameter layout in the flat vector: `W₁` (hidden × inputs, row-major), `b₁`, `W₂`
/// (classes × hidden, row-major), `b₂`.
#[derive(Clone, Copy, Debug)]
pub struct Mlp {
    /// Input size.
    pub inputs: usize,
    /// Hidden layer size.
    pub hidden: usize,
    /// Number of classes (output size).
    pub classes: usize,
    /// Hidden activation.
    pub activation: Activation,
    /// L2 penalty λ on the weight matrices.
    pub lambda: f64,
}

/// Scales the digits' pixel intensities 0..16 to [0, 1] (blank pixels stay exactly 0, which
/// the forward pass skips).
/// The digits models of the examples and benchmarks: 64 inputs, one tanh hidden layer of
/// `hidden` units, 10 classes, λ = 1e-4.
pub fn digits_mlp(hidden: usize) -> Mlp {
    Mlp {
        inputs: 64,
        hidden,
        classes: 10,
        activation: Activation::Tanh,
        lambda: 1e-4,
    }
}

/// The Adam schedule the digits examples train with: batches of 32 (gradients in chunks of
/// 16), learning rate 1e-2 annealed per iteration by a cosine to 1e-5 over `schedule_epochs`,
/// clipping at norm 5, and an EMA of the weights (β = 0.99) after one epoch of warm-up.
pub fn digits_adam<'a>(
    train_len: usize,
    epochs: usize,
    schedule_epochs: usize,
    seed: u64,
) -> Trainer<'a, Adam> {
    let batches_per_epoch = train_len.div_ceil(32) as u64;
    Trainer::new(Adam::new(1e-2))
        .epochs(epochs)
        .batch_size(32)
        .chunk_size(16)
        .seed(seed)
        .scheduler(
            CosineAnnealing::new(1e-2, schedule_epochs as u64 * batches_per_epoch).eta_min(1e-5),
            StepEvery::Iteration,
        )
        .clip(Clip::Norm(5.0))
        .ema(Ema::new(0.99).warmup(batches_per_epoch))
}

pub fn scale_pixels(data: &mut Dataset) {
    for v in &mut data.x {
        *v /= 16.0;
    }
}

impl Mlp {
    /// The number of parameters.
    pub fn n_params(&self) -> usize {
        self.hidden * self.inputs + self.hidden + self.classes * self.hidden + self.classes
    }

    /// Initial weights: Glorot-style N(0, 1/fan_in) for tanh, He N(0, 2/fan_in) for ReLU;
    /// biases 0.
    pub fn init(&self, rng: &mut Rng) -> Vec<f64> {
        let gain = match self.activation {
            Activation::Tanh => 1.0,
            Activation::Relu => 2.0,
        };
        let mut w = Vec::with_capacity(self.n_params());
        let s1 = (gain / self.inputs as f64).sqrt();
        w.extend((0..self.hidden * self.inputs).map(|_| s1 * rng.normal()));
        w.resize(w.len() + self.hidden, 0.0);
        let s2 = (1.0 / self.hidden as f64).sqrt();
        w.extend((0..self.classes * self.hidden).map(|_| s2 * rng.normal()));
        w.resize(w.len() + self.classes, 0.0);
        w
    }

    /// The logits z = W₂ σ(W₁x + b₁) + b₂ of input `x`, in any scalar type (f64 to predict,
    /// `Var` to train), with the vector primitives: on a tape each layer is one wide node
    /// (`dense`), σ one scalar node per unit, so an example costs a few nodes instead of
    /// ~2·(inputs + classes)·hidden scalar ones.
    pub fn logits<T: VectorOps>(&self, w: &[T], x: &[f64]) -> Vec<T> {
        let (w1, b1, w2, b2) = self.split(w);
        let x: Vec<T> = x.iter().map(|&v| T::from(v).unwrap()).collect();
        let a = vector::dense(w1, &x, Some(b1));
        let h = match self.activation {
            Activation::Tanh => vector::tanh(&a),
            Activation::Relu => vector::relu(&a),
        };
        vector::dense(w2, &h, Some(b2))
    }

    /// `(W₁, b₁, W₂, b₂)` of the flat parameter vector.
    fn split<'w, T>(&self, w: &'w [T]) -> (&'w [T], &'w [T], &'w [T], &'w [T]) {
        let (ni, nh) = (self.inputs, self.hidden);
        let (w1, rest) = w.split_at(nh * ni);
        let (b1, rest) = rest.split_at(nh);
        let (w2, b2) = rest.split_at(self.classes * nh);
        (w1, b1, w2, b2)
    }

    /// Softmax cross-entropy of logits `z` for class `y` (`vector::softmax_cross_entropy`,
    /// shifted by the largest logit).
    pub fn cross_entropy<T: VectorOps>(z: &[T], y: usize) -> T {
        vector::softmax_cross_entropy(z, y)
    }

    /// The loss of one example, for the tape.
    pub fn example_loss(&self, w: &[Var], x: &[f64], y: usize) -> Var {
        Self::cross_entropy(&self.logits(w, x), y)
    }

    /// The penalty (λ/2)(‖W₁‖² + ‖W₂‖²), in any scalar type.
    pub fn penalty<T: VectorOps>(&self, w: &[T]) -> T {
        let (w1, _, w2, _) = self.split(w);
        (vector::sum_squares(w1) + vector::sum_squares(w2)) * T::from(0.5 * self.lambda).unwrap()
    }

    /// [`Mlp::logits`] spelled with scalar operations only (the code before the vector
    /// primitives: ~2 tape nodes per nonzero pixel and hidden unit), kept to measure the
    /// difference and as an independent check.
    pub fn logits_scalar<T: Float>(&self, w: &[T], x: &[f64]) -> Vec<T> {
        let (w1, b1, w2, b2) = self.split(w);
        let (ni, nh) = (self.inputs, self.hidden);
        let h: Vec<T> = (0..nh)
            .map(|j| {
                let row = &w1[j * ni..(j + 1) * ni];
                let a = x
                    .iter()
                    .zip(row)
                    .filter(|(&xi, _)| xi != 0.0)
                    .fold(b1[j], |acc, (&xi, &wji)| acc + wji * T::from(xi).unwrap());
                match self.activation {
                    Activation::Tanh => a.tanh(),
                    Activation::Relu => a.max(T::zero()),
                }
            })
            .collect();
        (0..self.classes)
            .map(|k| {
                let row = &w2[k * nh..(k + 1) * nh];
                h.iter()
                    .zip(row)
                    .fold(b2[k], |acc, (&hj, &wkj)| acc + wkj * hj)
            })
            .collect()
    }

    /// [`Mlp::cross_entropy`] with scalar operations (m + log Σₖ e^{zₖ − m} − z_y).
    pub fn cross_entropy_scalar<T: Float>(z: &[T], y: usize) -> T {
        let m = z
            .iter()
            .fold(f64::NEG_INFINITY, |m, v| m.max(v.to_f64().unwrap()));
        let m = T::from(m).unwrap();
        let sum = z.iter().fold(T::zero(), |s, &v| s + (v - m).exp());
        m + sum.ln() - z[y]
    }

    /// [`Mlp::example_loss`] with scalar tape nodes only.
    pub fn example_loss_scalar(&self, w: &[Var], x: &[f64], y: usize) -> Var {
        Self::cross_entropy_scalar(&self.logits_scalar(w, x), y)
    }

    /// [`Mlp::penalty`] with scalar tape nodes only.
    pub fn penalty_scalar<T: Float>(&self, w: &[T]) -> T {
        let (w1, _, w2, _) = self.split(w);
        let sq = w1.iter().chain(w2).fold(T::zero(), |s, &v| s + v * v);
        sq * T::from(0.5 * self.lambda).unwrap()
    }

    /// The mean loss over `data` plus the penalty, in f64.
    pub fn objective_value(&self, w: &[f64], data: &Dataset) -> f64 {
        let total: f64 = (0..data.len())
            .map(|i| Self::cross_entropy(&self.logits(w, data.row(i)), data.y[i]))
            .sum();
        total / data.len() as f64 + self.penalty(w)
    }

    /// The predicted class of `x`.
    pub fn predict(&self, w: &[f64], x: &[f64]) -> usize {
        let z = self.logits(w, x);
        (0..z.len())
            .max_by(|&a, &b| z[a].total_cmp(&z[b]))
            .expect("at least one class")
    }

    /// The fraction of `data` classified correctly.
    pub fn accuracy(&self, w: &[f64], data: &Dataset) -> f64 {
        let correct = (0..data.len())
            .filter(|&i| self.predict(w, data.row(i)) == data.y[i])
            .count();
        correct as f64 / data.len() as f64
    }
}
