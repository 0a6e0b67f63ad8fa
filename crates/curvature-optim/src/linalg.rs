//! The only place that talks to faer: dense solves on row-major `n × n` slices.
//!
//! Keeping faer behind these two functions means a faer API change (it breaks between minor
//! versions) touches one file, and the public API never exposes faer types.

use faer::prelude::*;
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

/// Solves `A x = b` by a Cholesky factorization `A = L Lᵀ`; `None` when `A` is not
/// (numerically) positive definite or contains non-finite entries.
pub(crate) fn cholesky_solve(a: &[f64], n: usize, b: &[f64]) -> Option<Vec<f64>> {
    if a.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let llt = to_faer(a, n).llt(Side::Lower).ok()?;
    let x = to_vec(&llt.solve(column(b)));
    x.iter().all(|v| v.is_finite()).then_some(x)
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
