//! Errors: inputs a solver refuses to start from, and objectives that break their contract.

use std::fmt;

use crate::non_finite::NonFiniteEntry;

/// Why a solver refused to run or had to abort.
///
/// Numerical trouble *during* a run (a NaN from the objective at a trial point, a failed line
/// search) is not an error: it ends the run with a [`Termination`](crate::Termination) and
/// the best point found. Errors are reserved for inputs that make every answer meaningless,
/// including an objective or residuals that are not finite at the start point.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::{Bfgs, Error};
/// let f = |x: &[Var]| x[0] * x[0];
/// assert_eq!(Bfgs::new().minimize(f, &[]).unwrap_err(), Error::EmptyStart);
/// let e = Bfgs::new().minimize(f, &[f64::NAN]).unwrap_err();
/// assert_eq!(e.to_string(), "the start point has a non-finite coordinate: x0[0] = NaN");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// The start point has no coordinates.
    EmptyStart,
    /// The start point has a NaN or infinite coordinate.
    NonFiniteStart {
        /// Index of the first offending coordinate.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// The objective (value, gradient, Hessian) or the residuals (vector, Jacobian) are NaN
    /// or ±∞ at the start point: every answer from there would be meaningless.
    ///
    /// ```
    /// use curvature_ad::Var;
    /// use curvature_optim::{Error, LeastSquares, NonFiniteEntry};
    /// let y = [1.0, f64::NAN, 3.0]; // a hole in the data
    /// let r = |x: &[Var]| -> Vec<Var> { y.iter().map(|&y| x[0] - y).collect() };
    /// let e = LeastSquares::new().minimize(r, &[0.0]).unwrap_err();
    /// assert!(matches!(
    ///     e,
    ///     Error::NonFiniteAtStart { entry: NonFiniteEntry::Residual { residual: 1 }, .. }
    /// ));
    /// assert_eq!(e.to_string(), "the residual r[1] is NaN at the start point x0");
    /// ```
    NonFiniteAtStart {
        /// Which quantity and entry.
        entry: NonFiniteEntry,
        /// Its value (NaN, inf or -inf).
        value: f64,
    },
    /// An objective returned a derivative of the wrong size (a hand-written objective bug).
    DimensionMismatch {
        /// Which quantity was wrong: "gradient", "Hessian", "Hessian-vector product".
        what: &'static str,
        /// Length the solver expected.
        expected: usize,
        /// Length it received.
        found: usize,
    },
    /// A builder option is out of its valid range.
    InvalidOption(String),
    /// The method needs a dense n × n Hessian (the objective has no usable sparsity) that
    /// would not fit in memory.
    DenseHessianTooLarge {
        /// The dimension.
        n: usize,
        /// Bytes of one dense Hessian, `8n²`.
        bytes: u64,
    },
    /// A bound is NaN, or `lower > upper`, or the box on this variable holds no finite point.
    InvalidBounds {
        /// Index of the first offending variable.
        index: usize,
        /// Its lower bound.
        lower: f64,
        /// Its upper bound.
        upper: f64,
    },
    /// The bounds have a different number of variables than the start point (or the lower
    /// and upper bounds differ in length).
    BoundsDimension {
        /// The number of variables expected.
        expected: usize,
        /// The number of bounds given.
        found: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::EmptyStart => write!(f, "the start point x0 is empty: nothing to optimize"),
            Error::NonFiniteStart { index, value } => {
                write!(
                    f,
                    "the start point has a non-finite coordinate: x0[{index}] = {value}"
                )
            }
            Error::NonFiniteAtStart { entry, value } => {
                write!(f, "the {entry} is {value} at the start point x0")
            }
            Error::DimensionMismatch {
                what,
                expected,
                found,
            } => write!(
                f,
                "the objective returned a {what} of length {found}, expected {expected}"
            ),
            Error::InvalidOption(message) => write!(f, "invalid option: {message}"),
            Error::DenseHessianTooLarge { n, bytes } => write!(
                f,
                "a dense {n} × {n} Hessian needs {:.1} GiB, more than this machine has free; \
                 use the sparse path (a closure whose Hessian is sparse, or an objective that \
                 declares `hessian_pattern`), or a method that needs only Hessian-vector \
                 products or gradients: `NewtonCg` without a preconditioner, `TrustRegion` with \
                 the Steihaug-CG subproblem, or `Lbfgs`",
                *bytes as f64 / (1u64 << 30) as f64
            ),
            Error::InvalidBounds {
                index,
                lower,
                upper,
            } => write!(
                f,
                "invalid bounds on x[{index}]: need lower ≤ upper, not NaN, with a finite \
                 point between; got [{lower}, {upper}]"
            ),
            Error::BoundsDimension { expected, found } => {
                write!(f, "bounds given for {found} variables, expected {expected}")
            }
        }
    }
}

impl std::error::Error for Error {}
