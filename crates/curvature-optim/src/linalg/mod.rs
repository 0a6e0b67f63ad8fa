//! The only place that talks to faer: solves on row-major `n × n` slices and shifted
//! Cholesky factorizations of dense or sparse Hessians.
//!
//! Keeping faer behind this module means a faer API change (it breaks between minor
//! versions) touches one place, and the public API never exposes faer types.

mod sparse;

use crate::hessian::Hessian;
use curvature_ad::SparseMatrix;
use faer::prelude::*;
use faer::sparse::{SparseColMat, Triplet};
use faer::{Mat, Side};
use sparse::SparseCholesky;

/// Cholesky factorizations of `H + diag(s)` for a sequence of Hessians and shifts.
///
/// For a sparse H the fill-reducing ordering and symbolic analysis are made once per
/// sparsity pattern and kept: the retries of a shift search and the iterates of a solve
/// (whose Hessians share one pattern) pay only for numeric factorizations.
#[derive(Default)]
pub(crate) struct ShiftedCholesky {
    analysis: Option<SparseCholesky>,
}

impl ShiftedCholesky {
    /// Factors `H + diag(shift)`; `None` when it is not numerically positive definite, has
    /// non-finite entries, or faer cannot allocate the factor.
    pub fn factor(&mut self, h: &Hessian, shift: impl Fn(usize) -> f64) -> Option<Factor<'_>> {
        if !h.is_finite() {
            return None;
        }
        self.factor_finite(h, shift, true)
    }

    /// A shift search on one H: its factorizations read H into the factor's layout once.
    pub fn shifts<'a>(&'a mut self, h: &'a Hessian) -> Shifts<'a> {
        Shifts {
            cholesky: self,
            h,
            finite: None,
        }
    }

    /// [`factor`](Self::factor) for a finite H; without `load`, a sparse H is the one the
    /// last call loaded, and only the shift is written anew.
    fn factor_finite(
        &mut self,
        h: &Hessian,
        shift: impl Fn(usize) -> f64,
        load: bool,
    ) -> Option<Factor<'_>> {
        match h {
            // A mostly-zero dense H (under 5% nonzeros, n ≥ 64: a banded Hessian written by
            // hand as a dense matrix) goes through the sparse factorization, O(nnz of L)
            // instead of n³/3: at n = 1000, tridiagonal, well under 1 ms against ~30 ms.
            Hessian::Dense(a) if h.dim() >= 64 && 20 * lower_nonzeros(a, h.dim()) < a.len() => {
                self.factor_finite(&Hessian::Sparse(sparsified(a, h.dim())), shift, true)
            }
            Hessian::Dense(a) => {
                let n = h.dim();
                let shifted = Mat::from_fn(n, n, |i, j| {
                    a[i * n + j] + if i == j { shift(i) } else { 0.0 }
                });
                Some(Factor::Dense(shifted.llt(Side::Lower).ok()?))
            }
            Hessian::Sparse(a) => {
                let mut load = load;
                if !self.analysis.as_ref().is_some_and(|s| s.fits(a)) {
                    // Freed first: at n = 10⁶ an analysis holds hundreds of megabytes.
                    self.analysis = None;
                    self.analysis = Some(SparseCholesky::analyze(a)?);
                    load = true;
                }
                let analysis = self.analysis.as_mut()?;
                if load {
                    analysis.load(a);
                }
                Some(Factor::Sparse(analysis.factor(shift)?))
            }
        }
    }
}

/// The factorizations of `H + diag(s)` for one H and a sequence of shifts s (Newton's shift
/// search, Moré–Sorensen's λ iteration). A sparse H is read into the factor's layout by the
/// first; the others rewrite only the diagonal. At n = 10⁶ (chained Rosenbrock) that read
/// took 4.5 ms a factorization, beside 17 ms for a numeric factorization that fails and
/// 25 ms for one that succeeds.
pub(crate) struct Shifts<'a> {
    cholesky: &'a mut ShiftedCholesky,
    h: &'a Hessian,
    /// Whether H is finite, once checked (by the first factorization).
    finite: Option<bool>,
}

impl Shifts<'_> {
    /// Factors `H + diag(shift)`, as [`ShiftedCholesky::factor`].
    pub fn factor(&mut self, shift: impl Fn(usize) -> f64) -> Option<Factor<'_>> {
        let first = self.finite.is_none();
        if !*self.finite.get_or_insert_with(|| self.h.is_finite()) {
            return None;
        }
        self.cholesky.factor_finite(self.h, shift, first)
    }
}

/// `H + diag(s) = LLᵀ` (sparse: with a fill-reducing permutation, stored in the
/// `ShiftedCholesky` that made it).
pub(crate) enum Factor<'a> {
    Dense(faer::linalg::solvers::Llt<f64>),
    Sparse(sparse::Factor<'a>),
}

impl Factor<'_> {
    /// Solves `(H + diag(s)) x = b`; `None` if the solution is not finite (a factor so
    /// ill-conditioned that the solve overflowed).
    pub fn solve(&self, b: &[f64]) -> Option<Vec<f64>> {
        let x = match self {
            Factor::Dense(llt) => to_vec(&llt.solve(column(b))),
            Factor::Sparse(llt) => llt.solve(b),
        };
        x.iter().all(|v| v.is_finite()).then_some(x)
    }
}

/// Solves `H x = b` by LU with partial pivoting (dense) or faer's sparse LU, for matrices
/// that may be indefinite. A singular H yields non-finite entries or `None`.
pub(crate) fn hessian_lu_solve(h: &Hessian, b: &[f64]) -> Option<Vec<f64>> {
    let x = match h {
        Hessian::Dense(a) => lu_solve(a, b.len(), b),
        Hessian::Sparse(a) => {
            let triplets: Vec<_> = a
                .triplets()
                .map(|(i, j, v)| Triplet::new(i, j, v))
                .collect();
            let m = SparseColMat::<usize, f64>::try_new_from_triplets(a.dim(), a.dim(), &triplets)
                .ok()?;
            to_vec(&m.sp_lu().ok()?.solve(column(b)))
        }
    };
    x.iter().all(|v| v.is_finite()).then_some(x)
}

fn to_faer(a: &[f64], n: usize) -> Mat<f64> {
    Mat::from_fn(n, n, |i, j| a[i * n + j])
}

fn column(b: &[f64]) -> Mat<f64> {
    Mat::from_fn(b.len(), 1, |i, _| b[i])
}

fn to_vec(x: &Mat<f64>) -> Vec<f64> {
    (0..x.nrows()).map(|i| x[(i, 0)]).collect()
}

/// Nonzeros of the lower triangle of a row-major n × n matrix.
fn lower_nonzeros(a: &[f64], n: usize) -> usize {
    (0..n)
        .map(|i| a[i * n..=i * n + i].iter().filter(|v| **v != 0.0).count())
        .sum()
}

/// The nonzeros of a mostly-zero dense symmetric matrix, both triangles, as CSC.
fn sparsified(a: &[f64], n: usize) -> SparseMatrix {
    let mut col_ptr = vec![0];
    let (mut rows, mut values) = (Vec::new(), Vec::new());
    for j in 0..n {
        for i in 0..n {
            // Row-major a, symmetric: column j's entry in row i is a[j·n + i].
            let v = a[j * n + i];
            if v != 0.0 {
                rows.push(i);
                values.push(v);
            }
        }
        col_ptr.push(rows.len());
    }
    SparseMatrix::from_csc(n, col_ptr, rows, values)
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

    fn cholesky_solve(a: &[f64], n: usize, b: &[f64]) -> Option<Vec<f64>> {
        let h = Hessian::Dense(a.to_vec());
        assert_eq!(h.dim(), n);
        ShiftedCholesky::default().factor(&h, |_| 0.0)?.solve(b)
    }

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
    fn shifts_reuse_the_symbolic_analysis_and_solve_the_shifted_system() {
        // A = tridiag(1, −1, 1) at n = 100 is indefinite; A + 3I is diagonally dominant.
        let n = 100;
        let pattern = curvature_ad::SparsityPattern::banded(n, 1);
        let m = curvature_ad::Matrix::from_fn(n, n, |i, j| {
            if i == j {
                -1.0
            } else if pattern.contains(i, j) {
                1.0
            } else {
                0.0
            }
        });
        let h = Hessian::Sparse(SparseMatrix::from_dense(&m));
        let mut chol = ShiftedCholesky::default();
        assert!(chol.factor(&h, |_| 0.0).is_none());
        let b: Vec<f64> = (0..n).map(|i| 1.0 + i as f64).collect();
        let x = chol.factor(&h, |_| 3.0).unwrap().solve(&b).unwrap();
        // (A + 3I)x = b checked row by row: 2x_i + x_{i−1} + x_{i+1} = b_i.
        for i in 0..n {
            let left = if i > 0 { x[i - 1] } else { 0.0 };
            let right = if i + 1 < n { x[i + 1] } else { 0.0 };
            assert!((2.0 * x[i] + left + right - b[i]).abs() < 1e-10, "row {i}");
        }
    }

    #[test]
    fn a_shift_search_reads_its_own_hessian_and_never_a_stale_one() {
        // tridiag(1, d, 1) at n = 100: d = −1 is indefinite (d + 3 = 2 is diagonally
        // dominant), d = 4 is positive definite.
        let n = 100;
        let make = |d: f64| {
            let m = curvature_ad::Matrix::from_fn(n, n, |i, j| match i.abs_diff(j) {
                0 => d,
                1 => 1.0,
                _ => 0.0,
            });
            Hessian::Sparse(SparseMatrix::from_dense(&m))
        };
        let b: Vec<f64> = (0..n).map(|i| 1.0 - 0.01 * i as f64).collect();
        // (tridiag(1, diag, 1) x)_i = b_i, row by row.
        let solves = |x: &[f64], diag: f64| {
            (0..n).all(|i| {
                let left = if i > 0 { x[i - 1] } else { 0.0 };
                let right = if i + 1 < n { x[i + 1] } else { 0.0 };
                (diag * x[i] + left + right - b[i]).abs() < 1e-10
            })
        };
        let mut chol = ShiftedCholesky::default();
        let (h1, h2) = (make(-1.0), make(4.0));
        let mut shifts = chol.shifts(&h1);
        assert!(shifts.factor(|_| 0.0).is_none());
        let x = shifts.factor(|_| 3.0).unwrap().solve(&b).unwrap();
        assert!(solves(&x, 2.0));
        // The same pattern with other values: the new search reads them, not H₁'s.
        let mut shifts = chol.shifts(&h2);
        let x = shifts.factor(|_| 0.0).unwrap().solve(&b).unwrap();
        assert!(solves(&x, 4.0));
        let x = shifts.factor(|_| 1.0).unwrap().solve(&b).unwrap();
        assert!(solves(&x, 5.0));
        // A single factorization after a search reads its H again too.
        let x = chol.factor(&h1, |_| 5.0).unwrap().solve(&b).unwrap();
        assert!(solves(&x, 4.0));
        // A non-finite H: every shift is refused, none factors leftovers.
        let bad = make(f64::NAN);
        let mut shifts = chol.shifts(&bad);
        assert!(shifts.factor(|_| 0.0).is_none());
        assert!(shifts.factor(|_| 10.0).is_none());
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
