//! Optimizers that consume the derivatives of `curvature-ad`.
pub mod train;
