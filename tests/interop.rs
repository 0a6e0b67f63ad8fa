//! A Hessian computed here, handed to nalgebra, faer and ndarray: each library's own solver
//! agrees with the Newton step known by hand (features `nalgebra`, `faer`, `ndarray`).
#![cfg(any(feature = "nalgebra", feature = "faer", feature = "ndarray"))]

use curvature::prelude::*;

/// f = x₀² + x₀x₁ + 2x₁² − x₀: ∇f = (2x₀ + x₁ − 1, x₀ + 4x₁), H = [[2, 1], [1, 4]].
/// From (1, 1) the Newton step lands on the minimizer (4/7, −1/7).
fn quadratic(x: &[Var]) -> Var {
    x[0] * x[0] + x[0] * x[1] + 2.0 * x[1] * x[1] - x[0]
}
const MINIMIZER: [f64; 2] = [4.0 / 7.0, -1.0 / 7.0];

#[cfg(feature = "nalgebra")]
#[test]
fn nalgebra_cholesky_of_our_hessian_gives_the_newton_step() {
    use curvature::nalgebra::{DMatrix, DVector};
    let x = DVector::from_vec(vec![1.0, 1.0]);
    let (_, g, h) = hessian(quadratic, x.as_slice());
    let step = DMatrix::from(&h)
        .cholesky()
        .unwrap()
        .solve(&-DVector::from_vec(g));
    let new = x + step;
    assert!((new[0] - MINIMIZER[0]).abs() < 1e-14 && (new[1] - MINIMIZER[1]).abs() < 1e-14);
    // Sparse: the same Hessian via sparse_hessian, through nalgebra-sparse and back.
    let (_, _, hs) = sparse_hessian(quadratic, &[1.0, 1.0]);
    let csc = curvature::nalgebra_sparse::CscMatrix::from(hs.clone());
    assert_eq!(SparseMatrix::try_from(csc).unwrap(), hs);
}

#[cfg(feature = "faer")]
#[test]
fn faer_cholesky_of_our_hessian_gives_the_newton_step() {
    use curvature::faer::linalg::solvers::Solve;
    use curvature::faer::{ColRef, Side};
    let (_, g, h) = hessian(quadratic, &[1.0, 1.0]);
    let step = h
        .as_faer()
        .llt(Side::Lower)
        .unwrap()
        .solve(-ColRef::from_slice(&g));
    assert!((1.0 + step[0] - MINIMIZER[0]).abs() < 1e-14);
    assert!((1.0 + step[1] - MINIMIZER[1]).abs() < 1e-14);
    // faer's sparse Cholesky on our sparse Hessian, viewed without a copy.
    let (_, _, hs) = sparse_hessian(quadratic, &[1.0, 1.0]);
    let llt = hs.as_faer().sp_cholesky(Side::Lower).unwrap();
    let step = llt.solve(-ColRef::from_slice(&g));
    assert!((1.0 + step[0] - MINIMIZER[0]).abs() < 1e-14);
}

#[cfg(feature = "ndarray")]
#[test]
fn ndarray_products_with_our_hessian_match_the_gradient() {
    use curvature::ndarray::{Array1, Array2};
    // For a quadratic, ∇f(x) − ∇f(x*) = H (x − x*), and ∇f(x*) = 0.
    let (_, g, h) = hessian(quadratic, &[1.0, 1.0]);
    let h = Array2::from(h);
    let d = Array1::from_vec(vec![1.0 - MINIMIZER[0], 1.0 - MINIMIZER[1]]);
    let hd = h.dot(&d);
    assert!((hd[0] - g[0]).abs() < 1e-14 && (hd[1] - g[1]).abs() < 1e-14);
    assert_eq!(Matrix::from(h), hessian(quadratic, &[1.0, 1.0]).2);
}
