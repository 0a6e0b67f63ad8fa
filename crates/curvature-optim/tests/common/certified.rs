//! The least-squares configuration the NIST StRD certification runs with.

use curvature_optim::LeastSquares;

/// Tolerances at round-off level, generous evaluation and iteration caps.
pub fn solver() -> LeastSquares {
    LeastSquares::new()
        .ftol(1e-15)
        .xtol(1e-15)
        .gtol(1e-15)
        .max_evaluations(10_000)
        .max_iterations(5_000)
}
