//! Errors: inputs a solver refuses to start from, and objectives that break their contract.

use std::fmt;

/// Why a solver refused to run or had to abort.
///
/// Numerical trouble *during* a run (a NaN from the objective, a failed line search) is not an
/// error: it ends the run with a [`Termination`](crate::Termination) and the best point found.
/// Errors are reserved for inputs that make every answer meaningless.
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
            Error::DimensionMismatch {
                what,
                expected,
                found,
            } => write!(
                f,
                "the objective returned a {what} of length {found}, expected {expected}"
            ),
            Error::InvalidOption(message) => write!(f, "invalid option: {message}"),
        }
    }
}

impl std::error::Error for Error {}
