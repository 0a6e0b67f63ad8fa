//! Errors of tape replay.

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
