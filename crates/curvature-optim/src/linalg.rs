//! The only place that talks to faer: solves on row-major `n × n` slices.
//!
//! Keeping faer behind these functions means a faer API change (it breaks between minor
//! versions) touches one file, and the public API never exposes faer types.

use faer::prelude::*;
use faer::sparse::{SparseColMat, Triplet};
use faer::{Mat, Side};

fn to_faer(a: &[f64], n: usize) -> Mat<f64> {
    Mat::from_fn(n, n, |i, j| a[i * n + j])
}

fn column(b: &[f64]) -> Mat<f64> {
    Mat::from_fn(b.len(), 1, |i, _| b[i])
}

fn to_vec(x: &Mat<f64>) -> Vec<f64> {
    (0..x.nrows()).map(|i| x[(i, 0)]).collect()
}

/// Solves `A x = b` by a Cholesky factorization `A = L Lᵀ` (A symmetric); `None` when `A`
/// is not (numerically) positive definite or contains non-finite entries.
///
/// A mostly-zero A (under 5% nonzeros, n ≥ 64: a banded or otherwise sparse Hessian at
/// large n) is factored by faer's sparse Cholesky, which costs about O(nnz of L) instead of
/// n³/3 — at n = 1000 with a tridiagonal Hessian, well under a millisecond against ~30 ms.
pub(crate) fn cholesky_solve(a: &[f64], n: usize, b: &[f64]) -> Option<Vec<f64>> {
    if a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let x = if n >= 64 && 20 * lower_nonzeros(a, n) < n * n {
        sparse_cholesky_solve(a, n, b)?
    } else {
        let llt = to_faer(a, n).llt(Side::Lower).ok()?;
        to_vec(&llt.solve(column(b)))
    };
    x.iter().all(|v| v.is_finite()).then_some(x)
}

fn lower_nonzeros(a: &[f64], n: usize) -> usize {
    (0..n)
        .map(|i| a[i * n..=i * n + i].iter().filter(|v| **v != 0.0).count())
        .sum()
}

/// The sparse path of [`cholesky_solve`]: the lower triangle's nonzeros as a CSC matrix.
fn sparse_cholesky_solve(a: &[f64], n: usize, b: &[f64]) -> Option<Vec<f64>> {
    let mut triplets = Vec::new();
    for i in 0..n {
        for (j, &v) in a[i * n..=i * n + i].iter().enumerate() {
            if v != 0.0 {
                triplets.push(Triplet::new(i, j, v));
            }
        }
    }
    let m = SparseColMat::<usize, f64>::try_new_from_triplets(n, n, &triplets).ok()?;
    let llt = m.sp_cholesky(Side::Lower).ok()?;
    Some(to_vec(&llt.solve(column(b))))
}

/// Solves `A x = b` by LU with partial pivoting, for matrices that may be indefinite.
/// A singular `A` yields non-finite entries, which callers must check.
pub(crate) fn lu_solve(a: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let lu = to_faer(a, n).partial_piv_lu();
    to_vec(&lu.solve(column(b)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_systems_take_the_sparse_factorization_and_agree_with_dense() {
        // Tridiagonal SPD A = tridiag(−1, 4, −1) at n = 200 (0.015 fill): sparse path.
        let n = 200;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            a[i * n + i] = 4.0;
            if i + 1 < n {
                a[i * n + i + 1] = -1.0;
                a[(i + 1) * n + i] = -1.0;
            }
        }
        assert!(20 * lower_nonzeros(&a, n) < n * n);
        let b: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        let x = cholesky_solve(&a, n, &b).unwrap();
        // The residual A x − b, computed directly, is at round-off level.
        for i in 0..n {
            let ax: f64 = (0..n).map(|j| a[i * n + j] * x[j]).sum();
            assert!((ax - b[i]).abs() < 1e-12, "row {i}");
        }
        // And the same system through the dense factorization agrees.
        let llt = to_faer(&a, n).llt(Side::Lower).unwrap();
        let dense = to_vec(&llt.solve(column(&b)));
        for (s, d) in x.iter().zip(&dense) {
            assert!((s - d).abs() < 1e-13);
        }
        // An indefinite sparse matrix is refused, as the dense path does.
        a[5 * n + 5] = -4.0;
        assert!(cholesky_solve(&a, n, &b).is_none());
    }

    #[test]
    fn cholesky_solves_spd_and_rejects_indefinite() {
        // [[4, 2], [2, 3]] x = [2, 1]  =>  x = [0.5, 0] (by hand: 4·0.5 + 0 = 2, 2·0.5 + 0 = 1).
        let x = cholesky_solve(&[4.0, 2.0, 2.0, 3.0], 2, &[2.0, 1.0]).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-14 && x[1].abs() < 1e-14);
        assert!(cholesky_solve(&[1.0, 0.0, 0.0, -1.0], 2, &[1.0, 1.0]).is_none());
        assert!(cholesky_solve(&[f64::NAN, 0.0, 0.0, 1.0], 2, &[1.0, 1.0]).is_none());
    }

    #[test]
    fn lu_solves_indefinite() {
        // diag(1, -1) x = [1, 1]  =>  x = [1, -1].
        let x = lu_solve(&[1.0, 0.0, 0.0, -1.0], 2, &[1.0, 1.0]);
        assert!((x[0] - 1.0).abs() < 1e-14 && (x[1] + 1.0).abs() < 1e-14);
    }
}
