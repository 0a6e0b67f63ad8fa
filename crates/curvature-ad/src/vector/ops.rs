//! The user-facing API: the [`VectorOps`] trait and the free functions that call it.

use super::matvec::{dense_value, matvec_loop, SharedMatrix};
use super::node::{record, Kind};
use super::{reduce, softmax};
use crate::dual::Dual;
use crate::scalar::Scalar;
use crate::tangent::Tangent;
use crate::var::Var;
use num_traits::Float;

/// Scalars with vector primitives: a `num_traits::Float` that also knows how to evaluate
/// (or, for [`Var`], record) whole-slice operations.
///
/// Every method has a plain-loop default, which `f64`, `f32` and every [`Dual`] use (f64's
/// matrix products run in faer); [`Var`] overrides them to record one wide tape node per
/// call. Call the free functions ([`dot`], [`logsumexp`], ...) rather than these methods:
/// the `_of` names only keep them apart from `Float`'s and `Iterator`'s own.
///
/// Write model code against `T: VectorOps` to get wide nodes on the tape and the same
/// numbers everywhere else:
///
/// ```
/// use curvature_ad::vector::{dot, VectorOps};
/// use curvature_ad::{gradient, Var};
/// fn f<T: VectorOps>(x: &[T]) -> T {
///     dot(&x[..2], &x[2..])
/// }
/// assert_eq!(f(&[1.0, 2.0, 3.0, 4.0]), 11.0);
/// let (_, g) = gradient(|x: &[Var]| f(x), &[1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(g, vec![3.0, 4.0, 1.0, 2.0]);
/// ```
pub trait VectorOps: Float + 'static {
    /// Σᵢ xᵢ.
    fn sum_of(x: &[Self]) -> Self {
        reduce::sum(x)
    }

    /// Σᵢ xᵢ yᵢ (equal lengths).
    fn dot_of(x: &[Self], y: &[Self]) -> Self {
        reduce::dot(x, y)
    }

    /// Σᵢ xᵢ².
    fn sum_squares_of(x: &[Self]) -> Self {
        reduce::sum_squares(x)
    }

    /// log Σᵢ exp(xᵢ).
    fn logsumexp_of(x: &[Self]) -> Self {
        softmax::logsumexp(x)
    }

    /// log Σᵢ exp(zᵢ) − z_label.
    fn softmax_cross_entropy_of(z: &[Self], label: usize) -> Self {
        softmax::softmax_cross_entropy(z, label)
    }

    /// A·x for a constant m×n matrix A.
    fn matvec_of(a: &SharedMatrix, x: &[Self]) -> Vec<Self> {
        matvec_loop(a.matrix(), x)
    }

    /// W·x + b, W an m×n row-major slice, b of length m (or absent).
    fn dense_of(w: &[Self], x: &[Self], b: Option<&[Self]>) -> Vec<Self> {
        let mut y = vec![Self::zero(); dense_rows(w, x, b)];
        dense_value(w, x, b, &mut y);
        y
    }
}

impl VectorOps for f64 {
    fn matvec_of(a: &SharedMatrix, x: &[f64]) -> Vec<f64> {
        let a = a.matrix();
        let mut y = vec![0.0; a.nrows()];
        super::matvec::const_product(a.as_slice(), (a.nrows(), a.ncols()), false, x, &mut y);
        y
    }
}

impl VectorOps for f32 {}

impl<T: Scalar, E: Tangent<T>> VectorOps for Dual<T, E> {}

impl VectorOps for crate::Rounded {}

impl VectorOps for Var {
    fn sum_of(x: &[Var]) -> Var {
        record(Kind::Sum, &[x], None, 1)[0]
    }

    fn dot_of(x: &[Var], y: &[Var]) -> Var {
        record(Kind::Dot, &[x, y], None, 1)[0]
    }

    fn sum_squares_of(x: &[Var]) -> Var {
        record(Kind::SumSquares, &[x], None, 1)[0]
    }

    fn logsumexp_of(x: &[Var]) -> Var {
        record(Kind::LogSumExp, &[x], None, 1)[0]
    }

    fn softmax_cross_entropy_of(z: &[Var], label: usize) -> Var {
        let label = label as u32;
        record(Kind::SoftmaxCrossEntropy { label }, &[z], None, 1)[0]
    }

    fn matvec_of(a: &SharedMatrix, x: &[Var]) -> Vec<Var> {
        record(Kind::MatVec { mat: 0 }, &[x], Some(a), a.nrows())
    }

    fn dense_of(w: &[Var], x: &[Var], b: Option<&[Var]>) -> Vec<Var> {
        let m = dense_rows(w, x, b);
        let kind = Kind::Dense {
            m: m as u32,
            n: x.len() as u32,
            bias: b.is_some(),
            x_vars: x.iter().any(|v| !v.is_constant()),
        };
        match b {
            Some(b) => record(kind, &[w, x, b], None, m),
            None => record(kind, &[w, x], None, m),
        }
    }
}

/// The number of rows m of a dense layer, checking the shapes.
fn dense_rows<T>(w: &[T], x: &[T], b: Option<&[T]>) -> usize {
    let m = match (x.len(), b) {
        (0, Some(b)) => b.len(),
        (0, None) => 0,
        (n, _) => w.len() / n,
    };
    assert!(
        m * x.len() == w.len() && b.map_or(true, |b| b.len() == m),
        "curvature: dense layer with W of length {}, x of length {} and b of length {:?}: \
         W must hold (rows of b) × (length of x) entries",
        w.len(),
        x.len(),
        b.map(<[T]>::len)
    );
    m
}

/// Σᵢ xᵢ. On a tape: one node, ∂/∂xᵢ = 1.
///
/// ```
/// use curvature_ad::{gradient, vector::sum};
/// assert_eq!(sum(&[1.0, 2.0, 3.0]), 6.0);
/// assert_eq!(gradient(|x| sum(x), &[1.0, 2.0]).1, vec![1.0, 1.0]);
/// ```
pub fn sum<T: VectorOps>(x: &[T]) -> T {
    T::sum_of(x)
}

/// The dot product x·y = Σᵢ xᵢ yᵢ. On a tape: one node, ∂/∂xᵢ = yᵢ, ∂/∂yᵢ = xᵢ, and the
/// Hessian couples xᵢ with yᵢ only.
///
/// # Panics
/// If the lengths differ.
///
/// ```
/// use curvature_ad::vector::dot;
/// assert_eq!(dot(&[1.0, 2.0], &[3.0, 4.0]), 11.0);
/// ```
pub fn dot<T: VectorOps>(x: &[T], y: &[T]) -> T {
    assert_eq!(
        x.len(),
        y.len(),
        "curvature: dot of slices of different lengths"
    );
    T::dot_of(x, y)
}

/// The sum of squares Σᵢ xᵢ². On a tape: one node, ∂/∂xᵢ = 2xᵢ, a diagonal Hessian 2I.
///
/// ```
/// use curvature_ad::{hessian, vector::sum_squares};
/// assert_eq!(sum_squares(&[3.0, 4.0]), 25.0);
/// assert_eq!(hessian(|x| sum_squares(x), &[3.0, 4.0]).2.as_slice(), &[2.0, 0.0, 0.0, 2.0]);
/// ```
pub fn sum_squares<T: VectorOps>(x: &[T]) -> T {
    T::sum_squares_of(x)
}

/// log Σᵢ exp(xᵢ), evaluated stably as m + log Σᵢ exp(xᵢ − m), m = maxᵢ xᵢ. Gradient: the
/// softmax pᵢ = exp(xᵢ − lse); Hessian diag(p) − p pᵀ (every pair of operands coupled).
/// Empty input gives −∞.
///
/// ```
/// use curvature_ad::vector::logsumexp;
/// assert!((logsumexp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-12);
/// ```
pub fn logsumexp<T: VectorOps>(x: &[T]) -> T {
    T::logsumexp_of(x)
}

/// Softmax cross-entropy of logits z for the class `label`: log Σₖ exp(zₖ) − z_label.
/// Gradient p − e_label with p = softmax(z); Hessian diag(p) − p pᵀ.
///
/// # Panics
/// If `label >= z.len()`.
///
/// ```
/// use curvature_ad::{gradient, vector::softmax_cross_entropy};
/// let (l, g) = gradient(|z| softmax_cross_entropy(z, 1), &[0.0, 0.0]);
/// assert!((l - 2f64.ln()).abs() < 1e-15);
/// assert_eq!(g, vec![0.5, -0.5]);
/// ```
pub fn softmax_cross_entropy<T: VectorOps>(z: &[T], label: usize) -> T {
    assert!(
        label < z.len(),
        "curvature: softmax_cross_entropy label {label} out of range for {} logits",
        z.len()
    );
    T::softmax_cross_entropy_of(z, label)
}

/// y = A·x for a constant m×n matrix A (shared, not copied onto the tape). On a tape: one
/// node with m outputs; the reverse sweep adds Aᵀ·ȳ (one faer product), the node is linear.
///
/// # Panics
/// If `x.len() != a.ncols()`.
///
/// ```
/// use curvature_ad::vector::{matvec, SharedMatrix};
/// use curvature_ad::Matrix;
/// let a = SharedMatrix::new(Matrix::from_row_major(2, 2, vec![1.0, 2.0, 3.0, 4.0]));
/// assert_eq!(matvec(&a, &[1.0, 1.0]), vec![3.0, 7.0]);
/// ```
pub fn matvec<T: VectorOps>(a: &SharedMatrix, x: &[T]) -> Vec<T> {
    assert_eq!(
        x.len(),
        a.ncols(),
        "curvature: matvec of a {}×{} matrix with a vector of length {}",
        a.nrows(),
        a.ncols(),
        x.len()
    );
    T::matvec_of(a, x)
}

/// A dense layer y = W·x + b: W an m×n matrix stored row-major in a slice of length m·n,
/// x of length n, b of length m (or `None` for no bias). Every entry may be a variable
/// (or a constant, e.g. data as x). On a tape: one node with m outputs; ∂yᵢ/∂W_ij = x_j,
/// ∂yᵢ/∂x_j = W_ij, ∂yᵢ/∂bᵢ = 1, and the Hessian couples W_ij with x_j only.
///
/// # Panics
/// If `w.len()` is not m·n with m the length of b (or `w.len() / n` without b).
///
/// ```
/// use curvature_ad::vector::dense;
/// let w = [1.0, 2.0, 3.0, 4.0]; // [[1, 2], [3, 4]]
/// assert_eq!(dense(&w, &[1.0, 1.0], Some(&[0.5, -0.5])), vec![3.5, 6.5]);
/// ```
pub fn dense<T: VectorOps>(w: &[T], x: &[T], b: Option<&[T]>) -> Vec<T> {
    T::dense_of(w, x, b)
}
