//! Vector primitives (sums, dot products, matrix–vector products, dense layers, log-sum-exp,
//! softmax cross-entropy) that record as one wide tape node instead of one node per flop.
//!
//! # Using them
//! Call the free functions on slices of any scalar: [`sum`], [`dot`], [`sum_squares`],
//! [`logsumexp`], [`softmax_cross_entropy`], [`matvec`] (constant [`SharedMatrix`] times a
//! vector), [`dense`] (`W·x + b`, a layer whose matrix is made of variables) and the
//! elementwise maps [`map`], [`tanh`], [`relu`], [`sigmoid`], [`exp`]. They are generic over
//! [`VectorOps`], a `num_traits::Float` extension implemented for `f64`, `f32`, every
//! [`Dual`](crate::Dual) and [`Var`](crate::Var):
//!
//! - on `f64`, `f32` and duals they are plain loops (`f64` matrix products use faer), so the
//!   same generic code runs in nested duals for second derivatives;
//! - on `Var` each call records **one** node with many operands (`matvec` and `dense` one
//!   node with m outputs), whose adjoint and second-order rules live in this module.
//!
//! Existing code written against `Float` is untouched: the primitives are an opt-in extra.
//!
//! ```
//! use curvature_ad::vector::{logsumexp, matvec, SharedMatrix, VectorOps};
//! use curvature_ad::{gradient, Matrix, Var};
//!
//! // f(x) = log Σᵢ exp((A x)ᵢ), written once for any scalar.
//! fn f<T: VectorOps>(a: &SharedMatrix, x: &[T]) -> T {
//!     logsumexp(&matvec(a, x))
//! }
//! let a = SharedMatrix::new(Matrix::from_row_major(2, 2, vec![1.0, 0.0, 0.0, 2.0]));
//! let (v, g) = gradient(|x: &[Var]| f(&a, x), &[0.0, 0.0]);
//! assert!((v - 2f64.ln()).abs() < 1e-15);
//! // ∇f = Aᵀ softmax(A x) = Aᵀ (½, ½)
//! assert!((g[0] - 0.5).abs() < 1e-15 && (g[1] - 1.0).abs() < 1e-15);
//! assert_eq!(f(&a, &[0.0, 0.0]), v);
//! ```
//!
//! # How the nodes are stored and swept
//! A wide node with m outputs occupies m consecutive tape nodes: m − 1 placeholders
//! (`WideOut`) followed by the head (`Wide`), whose constant indexes a side table
//! (`Table`) holding its kind, its operand node indices (constants marked) and the f64
//! values of its operands and outputs at the tape's point. The sweeps call one hook per
//! head: values in any [`Scalar`](crate::Scalar) (`forward`), adjoints `ḡ_x += Jᵀ ḡ_out`
//! (`reverse`), tangents (`tangents`), the lane sweep of Hessians (`lanes`) and the sparsity
//! detection (`mark_operands`, `pattern`).
//!
//! Each node kind has one value rule and one first-order *pullback* rule `Jᵀw`, written
//! generically over `Scalar`. Second order is the pullback run in dual numbers: in a
//! `Dual<f64>` sweep (HVP), and in the Hessian lane sweep with operands `x + ẋε`, outputs
//! `y + ẏε` and output adjoints `w + ẇε`, whose ε-part is `Jᵀẇ + (∂(Jᵀw)/∂x)·ẋ` — exactly
//! the second-order adjoint. No second derivative is written by hand.

mod map;
mod matvec;
mod node;
mod ops;
mod reduce;
mod softmax;

pub use map::{exp, map, relu, sigmoid, tanh};
pub use matvec::SharedMatrix;
pub(crate) use node::{cone, forward, lanes, mark_operands, pattern, reverse, tangents, Table};
pub use ops::{dense, dot, logsumexp, matvec, softmax_cross_entropy, sum, sum_squares, VectorOps};
