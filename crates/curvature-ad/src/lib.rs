//! Automatic differentiation for Curvature.
