//! Test functions shared by the benchmarks, written once for our scalars (`num_traits::Float`)
//! and once for num-dual's (`DualNum`, which does not implement `Float`).
#![allow(dead_code)]

use curvature::prelude::*;
use nalgebra::DVector;
use num_dual::DualNum;

/// Chained Rosenbrock `Σᵢ 100 (x_{i+1} − xᵢ²)² + (1 − xᵢ)²`.
pub fn rosenbrock<T: Float>(x: &[T]) -> T {
    let (a, b) = (T::one(), T::from(100.0).unwrap());
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        s = s + b * (x[i + 1] - x[i] * x[i]).powi(2) + (a - x[i]).powi(2);
    }
    s
}

/// The same function for num-dual's scalars.
pub fn rosenbrock_nd<T: DualNum<Primitive = f64>>(x: &DVector<T>) -> T {
    let mut s = T::from(0.0);
    for i in 0..x.len() - 1 {
        let u = x[i + 1].clone() - x[i].powi(2);
        let v = x[i].clone() - 1.0;
        s += u.powi(2) * 100.0 + v.powi(2);
    }
    s
}

/// The classical start: `xᵢ = −1.2` for even i, `1` for odd i.
pub fn start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect()
}
