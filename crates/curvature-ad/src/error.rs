//! Errors of tape replay and of matrix construction.

use std::fmt;

/// A replayed tape met a comparison whose outcome differs from the recording: the closure
/// would have taken another branch at the new point, so the recorded program no longer
/// computes the function there. Re-record with [`Tape::record`](crate::Tape::record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchChanged {
    /// Index of the guard (the k-th comparison made while recording).
    pub guard: usize,
    /// The comparison that flipped.
    pub comparison: &'static str,
}

impl fmt::Display for BranchChanged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "branch changed: comparison #{} ({}) has another outcome at the new point; \
             re-record the tape",
            self.guard, self.comparison
        )
    }
}

impl std::error::Error for BranchChanged {}

/// Data that cannot form a [`Matrix`](crate::Matrix) or [`SparseMatrix`](crate::SparseMatrix):
/// returned by the checked constructors, by conversions from other crates' matrices and by
/// deserialization.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShapeError {
    /// Dense data whose length is not `nrows · ncols`.
    DataLength {
        /// `nrows · ncols`.
        expected: usize,
        /// The number of entries given.
        found: usize,
    },
    /// A sparse matrix must be square (it holds Hessians).
    NotSquare {
        /// Rows of the given matrix.
        nrows: usize,
        /// Columns of the given matrix.
        ncols: usize,
    },
    /// Compressed-sparse-column arrays that break an invariant (named in the message).
    InvalidCsc(String),
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeError::DataLength { expected, found } => write!(
                f,
                "{found} entries for a matrix of {expected} entries (nrows · ncols)"
            ),
            ShapeError::NotSquare { nrows, ncols } => {
                write!(f, "a {nrows}×{ncols} matrix is not square")
            }
            ShapeError::InvalidCsc(why) => write!(f, "invalid CSC arrays: {why}"),
        }
    }
}

impl std::error::Error for ShapeError {}
