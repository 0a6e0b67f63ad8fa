//! L2-regularized logistic regression, shared by `examples/logistic_regression.rs` and its
//! test `tests/logistic_regression.rs`.

use curvature::prelude::*;
use curvature::vector;

use super::Dataset;

/// Binary logistic regression on `data` (labels 0/1) with an L2 penalty on the weights (not
/// on the bias). Parameters: `w = (w₀, …, w_{d−1}, b)`, d = number of features. The
/// objective is
///
/// ```text
/// f(w) = (1/n) Σᵢ [log(1 + e^{zᵢ}) − yᵢ zᵢ] + (λ/2) Σ_{j<d} wⱼ²,   z = [X 1]·w
/// ```
///
/// smooth and strictly convex, so Newton's method converges quadratically from 0.
///
/// On a tape, z = [X 1]·w is one wide node (`vector::matvec` with the data matrix shared,
/// not copied), y·z one `dot` node and the penalty one `sum_squares` node; only the
/// softplus terms are scalar nodes.
pub struct Logistic<'a> {
    /// The training data.
    pub data: &'a Dataset,
    /// The L2 penalty λ.
    pub lambda: f64,
    /// [X 1]: the features with a column of ones for the bias.
    design: SharedMatrix,
    /// The labels as numbers.
    labels: Vec<f64>,
}

/// log(1 + e^z), without overflow for large z.
pub fn softplus(z: Var) -> Var {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

impl<'a> Logistic<'a> {
    /// The model of `data` with penalty `lambda`.
    pub fn new(data: &'a Dataset, lambda: f64) -> Self {
        let d = data.n_features;
        let design = Matrix::from_fn(
            data.len(),
            d + 1,
            |i, j| {
                if j < d {
                    data.row(i)[j]
                } else {
                    1.0
                }
            },
        );
        Logistic {
            data,
            lambda,
            design: SharedMatrix::new(design),
            labels: data.y.iter().map(|&y| y as f64).collect(),
        }
    }

    /// The number of parameters, d + 1.
    pub fn n_params(&self) -> usize {
        self.data.n_features + 1
    }

    /// zᵢ = b + Σⱼ wⱼ xᵢⱼ for any scalar, with a dot-product node on a tape.
    fn z<T: VectorOps>(w: &[T], x: &[f64]) -> T {
        let d = x.len();
        let x: Vec<T> = x.iter().map(|&v| T::from(v).unwrap()).collect();
        vector::dot(&w[..d], &x) + w[d]
    }

    /// The loss of example i, log(1 + e^{zᵢ}) − yᵢ zᵢ.
    pub fn example_loss(&self, w: &[Var], i: usize) -> Var {
        let z = Self::z(w, self.data.row(i));
        softplus(z) - z * self.data.y[i] as f64
    }

    /// The penalty (λ/2) Σ_{j<d} wⱼ².
    pub fn penalty(&self, w: &[Var]) -> Var {
        vector::sum_squares(&w[..self.data.n_features]) * (0.5 * self.lambda)
    }

    /// The whole objective f(w), recorded on one tape.
    pub fn objective(&self, w: &[Var]) -> Var {
        let n = self.data.len();
        let z = vector::matvec(&self.design, w);
        let soft: Vec<Var> = z.iter().map(|&zi| softplus(zi)).collect();
        let labels: Vec<Var> = self.labels.iter().map(|&y| Var::constant(y)).collect();
        (vector::sum(&soft) - vector::dot(&labels, &z)) / n as f64 + self.penalty(w)
    }

    /// f(w) in plain f64 (scalar loops, an independent check of the tape's value).
    pub fn value(&self, w: &[f64]) -> f64 {
        let d = self.data.n_features;
        let n = self.data.len();
        let data_term: f64 = (0..n)
            .map(|i| {
                let x = self.data.row(i);
                let z = x.iter().zip(w).fold(w[d], |acc, (&xj, &wj)| acc + wj * xj);
                let sp = if z > 0.0 {
                    z + (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                };
                sp - z * self.data.y[i] as f64
            })
            .sum();
        data_term / n as f64 + 0.5 * self.lambda * w[..d].iter().map(|v| v * v).sum::<f64>()
    }

    /// The fraction of `data` classified correctly by `w` (class 1 when zᵢ > 0).
    pub fn accuracy(w: &[f64], data: &Dataset) -> f64 {
        let correct = (0..data.len())
            .filter(|&i| (Self::z(w, data.row(i)) > 0.0) == (data.y[i] == 1))
            .count();
        correct as f64 / data.len() as f64
    }
}
