//! `Matrix` and `SparseMatrix` to and from faer's `Mat`/`MatRef` and
//! `SparseColMat`/`SparseColMatRef` (feature `faer`).
//!
//! [`Matrix::as_faer`] and [`SparseMatrix::as_faer`] are views of the same memory (faer views
//! take any strides, and `SparseMatrix` is faer's CSC with sorted rows). An owned `Mat` is a
//! copy: faer allocates its own aligned column-major storage. An owned `SparseColMat` takes
//! the arrays of a `SparseMatrix` without copying. Gradients are `Vec<f64>`:
//! `ColRef::from_slice(&g)` views one without copying, an owned `Col` is a copy.
//!
//! ```
//! use curvature_ad::{hessian, Matrix, Var};
//! use faer::linalg::solvers::Solve;
//! use faer::{ColRef, Mat, Side};
//!
//! // f = x₀² + x₀x₁ + 2x₁²: ∇f = (2x₀ + x₁, x₀ + 4x₁), H = [[2, 1], [1, 4]].
//! let f = |x: &[Var]| x[0] * x[0] + x[0] * x[1] + 2.0 * x[1] * x[1];
//! let (_, g, h) = hessian(f, &[1.0, 1.0]);
//! // The Newton step solves H p = −g; from (1, 1) it is (−1, −1).
//! let llt = h.as_faer().llt(Side::Lower).unwrap();
//! let p = llt.solve(-ColRef::from_slice(&g));
//! assert!((p[0] + 1.0).abs() < 1e-12 && (p[1] + 1.0).abs() < 1e-12);
//! let back = Matrix::from(&Mat::<f64>::identity(2, 2));
//! assert_eq!(back, Matrix::identity(2));
//! ```

use ::faer::sparse::{
    SparseColMat, SparseColMatRef, SymbolicSparseColMat, SymbolicSparseColMatRef,
};
use ::faer::{Mat, MatRef};

use super::sparse_from_entries;
use crate::{Matrix, ShapeError, SparseMatrix};

impl Matrix {
    /// A faer view of this matrix without copying (row-major strides).
    ///
    /// ```
    /// use curvature_ad::Matrix;
    /// let m = Matrix::from_row_major(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    /// let v = m.as_faer();
    /// assert_eq!((v[(0, 2)], v[(1, 0)]), (3.0, 4.0));
    /// ```
    pub fn as_faer(&self) -> MatRef<'_, f64> {
        MatRef::from_row_major_slice(self.as_slice(), self.nrows(), self.ncols())
    }
}

impl From<&Matrix> for Mat<f64> {
    /// Copies into faer's own storage.
    fn from(m: &Matrix) -> Mat<f64> {
        Mat::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)])
    }
}

impl From<Matrix> for Mat<f64> {
    /// Copies into faer's own storage (faer cannot adopt a `Vec`).
    fn from(m: Matrix) -> Mat<f64> {
        Mat::from(&m)
    }
}

impl From<MatRef<'_, f64>> for Matrix {
    /// Copies a view of any strides into row-major order.
    fn from(m: MatRef<'_, f64>) -> Matrix {
        Matrix::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)])
    }
}

impl From<&Mat<f64>> for Matrix {
    /// Copies into row-major order.
    fn from(m: &Mat<f64>) -> Matrix {
        Matrix::from(m.as_ref())
    }
}

impl SparseMatrix {
    /// A faer view of this matrix without copying.
    ///
    /// ```
    /// use curvature_ad::SparseMatrix;
    /// // [[2, 1], [1, 3]]
    /// let m = SparseMatrix::from_csc(2, vec![0, 2, 4], vec![0, 1, 0, 1], vec![2.0, 1.0, 1.0, 3.0]);
    /// let v = m.as_faer();
    /// assert_eq!((v.compute_nnz(), v.get(1, 1)), (4, Some(&3.0)));
    /// ```
    pub fn as_faer(&self) -> SparseColMatRef<'_, usize, f64> {
        let n = self.dim();
        // SAFETY: `SparseMatrix` upholds faer's CSC invariants (checked at construction):
        // col_ptr of length n + 1, non-decreasing from 0 to nnz, rows sorted, distinct, < n.
        let symbolic = unsafe {
            SymbolicSparseColMatRef::new_unchecked(n, n, self.col_ptr(), None, self.row_indices())
        };
        SparseColMatRef::new(symbolic, self.values())
    }
}

impl From<SparseMatrix> for SparseColMat<usize, f64> {
    /// Moves the CSC arrays; nothing is copied.
    fn from(m: SparseMatrix) -> SparseColMat<usize, f64> {
        let (n, col_ptr, rows, values) = m.into_csc();
        let symbolic = SymbolicSparseColMat::new_checked(n, n, col_ptr, None, rows);
        SparseColMat::new(symbolic, values)
    }
}

impl From<&SparseMatrix> for SparseColMat<usize, f64> {
    /// Copies the CSC arrays.
    fn from(m: &SparseMatrix) -> SparseColMat<usize, f64> {
        SparseColMat::from(m.clone())
    }
}

impl TryFrom<SparseColMatRef<'_, usize, f64>> for SparseMatrix {
    type Error = ShapeError;
    /// Copies the entries. faer also allows columns with unsorted rows, duplicate entries
    /// (summed, as faer reads them) and a separate per-column count (`col_nnz`); these are
    /// brought to sorted CSC. Fails only for a matrix that is not square.
    fn try_from(m: SparseColMatRef<'_, usize, f64>) -> Result<SparseMatrix, ShapeError> {
        let (symbolic, values) = m.parts();
        let (nrows, ncols, col_ptr, col_nnz, rows) = symbolic.parts();
        if nrows != ncols {
            return Err(ShapeError::NotSquare { nrows, ncols });
        }
        if col_nnz.is_none() {
            let sorted = SparseMatrix::try_from_csc(
                ncols,
                col_ptr.to_vec(),
                rows[..col_ptr[ncols]].to_vec(),
                values[..col_ptr[ncols]].to_vec(),
            );
            if let Ok(sorted) = sorted {
                return Ok(sorted);
            }
        }
        let entries = (0..ncols).flat_map(|j| {
            let range = symbolic.col_range(j);
            rows[range.clone()]
                .iter()
                .zip(&values[range])
                .map(move |(&i, &v)| (i, j, v))
        });
        sparse_from_entries(nrows, ncols, entries)
    }
}

impl TryFrom<&SparseColMat<usize, f64>> for SparseMatrix {
    type Error = ShapeError;
    /// Copies the entries (see the `SparseColMatRef` conversion).
    fn try_from(m: &SparseColMat<usize, f64>) -> Result<SparseMatrix, ShapeError> {
        SparseMatrix::try_from(m.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_conversions_keep_every_entry_in_place() {
        // [[1, 2, 3], [4, 5, 6]]: every entry different, so a transposed copy cannot pass.
        let m = Matrix::from_row_major(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let owned = Mat::from(&m);
        assert_eq!((owned.nrows(), owned.ncols()), (2, 3));
        for (i, j, expected) in [(0, 0, 1.0), (0, 2, 3.0), (1, 0, 4.0), (1, 2, 6.0)] {
            assert_eq!(owned[(i, j)], expected);
            assert_eq!(m.as_faer()[(i, j)], expected);
        }
        assert_eq!(m.as_faer(), owned.as_ref());
        assert_eq!(Matrix::from(&owned), m);
        // A transposed view (column stride ≠ 1) comes back transposed, not reinterpreted.
        assert_eq!(Matrix::from(owned.transpose()), m.transpose());
        assert_eq!(m.as_faer().as_ptr(), m.as_slice().as_ptr());
        assert_eq!(Matrix::zeros(0, 2).as_faer().shape(), (0, 2));
    }

    #[test]
    fn sparse_conversions_share_or_move_the_arrays() {
        // [[4, 1, 0], [1, 4, 1], [0, 1, 4]]
        let s = SparseMatrix::from_csc(
            3,
            vec![0, 2, 5, 7],
            vec![0, 1, 0, 1, 2, 1, 2],
            vec![4.0, 1.0, 1.0, 4.0, 1.0, 1.0, 4.0],
        );
        let view = s.as_faer();
        assert_eq!(view.val().as_ptr(), s.values().as_ptr());
        assert_eq!((view.get(2, 1), view.get(2, 0)), (Some(&1.0), None));
        let owned = s.clone();
        let values = owned.values().as_ptr();
        let f = SparseColMat::from(owned);
        assert_eq!(f.val().as_ptr(), values);
        assert_eq!(SparseMatrix::try_from(&f).unwrap(), s);
        // faer's dense form of the view agrees entry by entry with ours.
        let dense = view.to_dense();
        let ours = s.to_dense();
        for i in 0..3 {
            for j in 0..3 {
                assert_eq!(dense[(i, j)], ours[(i, j)]);
            }
        }
    }

    #[test]
    fn unsorted_duplicated_or_rectangular_faer_input() {
        // Column 0 holds rows 1 then 0, and row 1 twice: [[2, 0], [3 + 4, 5]].
        let symbolic =
            SymbolicSparseColMat::new_unsorted_checked(2, 2, vec![0, 3, 4], None, vec![1, 0, 1, 1]);
        let f = SparseColMat::new(symbolic, vec![3.0, 2.0, 4.0, 5.0]);
        let s = SparseMatrix::try_from(&f).unwrap();
        assert_eq!(s.col_ptr(), &[0, 2, 3]);
        assert_eq!(
            (s.get(0, 0), s.get(1, 0), s.get(0, 1), s.get(1, 1)),
            (2.0, 7.0, 0.0, 5.0)
        );
        let rect = SparseColMat::<usize, f64>::try_new_from_triplets(2, 3, &[]).unwrap();
        assert_eq!(
            SparseMatrix::try_from(&rect).unwrap_err(),
            ShapeError::NotSquare { nrows: 2, ncols: 3 }
        );
    }
}
