//! Automatic differentiation of ordinary Rust closures, applied recursively.
//!
//! - **Forward mode**: [`Dual<T>`] carries a value and a tangent; `T` may itself be a dual,
//!   so [`Dual2`] = `Dual<Dual<f64>>` carries second derivatives. [`derivative`] and
//!   [`second_derivative`] are the univariate drivers.
//! - **Reverse mode**: a closure `|x: &[Var]| -> Var` runs once on fresh [`Var`]s and is
//!   recorded on a flat [`Tape`]; one reverse sweep gives the [`gradient`].
//! - **Forward-over-reverse**: the same reverse sweep run in dual arithmetic gives
//!   Hessian-vector products ([`hvp`]); N of them in lanes give the dense [`hessian`].
//!   Vector closures give a [`jacobian`].
//!
//! Every elementary function is written once, generically over [`Scalar`]; every scalar
//! type implements `num_traits::Float`, so code written once as
//! `fn f<T: Float>(x: &[T]) -> T` runs unchanged on `f64`, `Dual` and `Var`.
//!
//! ```
//! use curvature_ad::{gradient, hessian, Var};
//! use num_traits::Float;
//!
//! fn rosenbrock<T: Float>(x: &[T]) -> T {
//!     let (a, b) = (T::one(), T::from(100.0).unwrap());
//!     (a - x[0]).powi(2) + b * (x[1] - x[0] * x[0]).powi(2)
//! }
//! assert_eq!(rosenbrock(&[1.0, 1.0]), 0.0);
//! let (f, g) = gradient(|x: &[Var]| rosenbrock(x), &[1.0, 1.0]);
//! assert_eq!((f, g), (0.0, vec![0.0, 0.0]));
//! let (_, _, h) = hessian(|x: &[Var]| rosenbrock(x), &[1.0, 1.0]);
//! assert_eq!(h.as_slice(), &[802.0, -400.0, -400.0, 200.0]);
//! ```

//! # Features
//!
//! All off by default; each adds conversions or trait impls, never changes behaviour.
//!
//! | feature | adds |
//! |---|---|
//! | `nalgebra` | [`Matrix`] ⇄ `DMatrix` (and a zero-copy `as_nalgebra` view), [`SparseMatrix`] ⇄ nalgebra-sparse `CscMatrix`; see [`interop`] |
//! | `faer` | [`Matrix`] ⇄ `Mat` (and a zero-copy `as_faer` view), [`SparseMatrix`] ⇄ `SparseColMat` (and a view) |
//! | `ndarray` | [`Matrix`] ⇄ `Array2` (moved without copying both ways, and an `as_ndarray` view), [`SparseMatrix`] → dense `Array2` |
//! | `serde` | `Serialize`/`Deserialize` for [`Matrix`] and [`SparseMatrix`]; reading checks the same invariants as the constructors and fails with a [`ShapeError`] message |
//!
//! The crates converted to are re-exported (`curvature_ad::nalgebra`, ...) so their
//! versions always match.
//!
//! # Memory
//!
//! A tape keeps its buffers (nodes, values, adjoints, lane buffers of the Hessian sweeps)
//! between calls, and finished tapes hand theirs to the next recording on the same thread,
//! so repeated derivatives of one size allocate nothing. [`set_huge_pages`] asks Linux to
//! back buffers of 2–64 MiB with transparent huge pages: sweeps that walk the same
//! 10⁵-variable tape again and again then spend far less time on page walks (about 10%
//! faster), while code that records fresh tapes all the time gets slower. Off by default.

#![deny(missing_docs)]

mod drivers;
mod dual;
mod elementary;
mod error;
mod fusion;
mod hessian_program;
mod huge;
pub mod interop;
mod matrix;
mod pattern;
mod recording;
mod rounding;
mod scalar;
mod second_order;
mod shape;
mod sparse;
mod sparsity;
mod surface;
mod sweep;
mod tangent;
mod tape;
mod var;
pub mod vector;

pub use drivers::{
    derivative, gradient, hessian, hvp, jacobian, second_derivative, sparse_hessian,
};
pub use dual::{Dual, Dual2, DualN};
pub use error::{BranchChanged, ShapeError};
pub use huge::set_huge_pages;
pub use matrix::Matrix;
pub use pattern::{HessianColoring, SparsityPattern};
pub use rounding::Rounded;
pub use scalar::Scalar;
pub use sparse::SparseMatrix;
pub use tangent::{Lanes, Tangent};
pub use tape::Tape;
pub use var::Var;
pub use vector::{SharedMatrix, VectorOps};

/// The num-traits version this crate implements, so `curvature_ad::num_traits::Float` is
/// always the right trait.
pub use num_traits;

/// The faer version the `faer` feature converts to and from.
#[cfg(feature = "faer")]
pub use faer;
/// The nalgebra version the `nalgebra` feature converts to and from.
#[cfg(feature = "nalgebra")]
pub use nalgebra;
/// The nalgebra-sparse version the `nalgebra` feature converts to and from.
#[cfg(feature = "nalgebra")]
pub use nalgebra_sparse;
/// The ndarray version the `ndarray` feature converts to and from.
#[cfg(feature = "ndarray")]
pub use ndarray;
