//! Curvature: exact derivatives of Rust closures and the optimizers that use them.
pub use curvature_ad as ad;
pub use curvature_optim as optim;
