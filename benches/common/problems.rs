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

/// log Σᵢ exp((A x)ᵢ) with a fixed m×n matrix (row-major `a`), written with scalar loops.
pub fn logsumexp<T: Float>(a: &[f64], m: usize, x: &[T]) -> T {
    let n = x.len();
    let z: Vec<T> = (0..m)
        .map(|i| (0..n).fold(T::zero(), |s, j| s + x[j] * T::from(a[i * n + j]).unwrap()))
        .collect();
    let zmax = z.iter().fold(T::neg_infinity(), |u, &v| u.max(v));
    zmax + z.iter().fold(T::zero(), |s, &v| s + (v - zmax).exp()).ln()
}

/// The classical start: `xᵢ = −1.2` for even i, `1` for odd i.
pub fn start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect()
}
