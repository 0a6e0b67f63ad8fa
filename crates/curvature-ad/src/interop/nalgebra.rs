//! `Matrix` and `SparseMatrix` to and from nalgebra's `DMatrix` and nalgebra-sparse's
//! `CscMatrix` (feature `nalgebra`).
//!
//! nalgebra stores dense matrices column by column and `Matrix` row by row, so an owned
//! `DMatrix` is a copy; [`Matrix::as_nalgebra`] is a strided view of the same memory instead.
//! `SparseMatrix` and `CscMatrix` are both sorted CSC: owned conversions move the arrays.
//! Gradients are `Vec<f64>`, which `DVector::from_vec` takes without copying.
//!
//! ```
//! use curvature_ad::{gradient, hessian, Matrix, Var};
//! use nalgebra::{DMatrix, DVector};
//!
//! // f = x₀² + x₀x₁ + 2x₁²: ∇f = (2x₀ + x₁, x₀ + 4x₁), H = [[2, 1], [1, 4]].
//! let f = |x: &[Var]| x[0] * x[0] + x[0] * x[1] + 2.0 * x[1] * x[1];
//! let x = DVector::from_vec(vec![1.0, 1.0]);
//! let (_, g) = gradient(f, x.as_slice());
//! let g = DVector::from_vec(g); // no copy
//! let (_, _, h) = hessian(f, x.as_slice());
//! let h = DMatrix::from(&h);
//! // The Newton step solves H p = −g; from (1, 1) it lands on the minimizer 0.
//! let p = h.cholesky().unwrap().solve(&(-&g));
//! assert!(((&x + p).norm()) < 1e-12);
//! // And back: any nalgebra matrix (views and fixed sizes too) becomes a Matrix.
//! let back = Matrix::from(&DMatrix::from_row_slice(1, 2, &[3.0, 4.0]));
//! assert_eq!(back.as_slice(), &[3.0, 4.0]);
//! ```

use ::nalgebra::{DMatrix, DMatrixView, Dim, Dyn, RawStorage, U1};
use ::nalgebra_sparse::CscMatrix;

use crate::{Matrix, ShapeError, SparseMatrix};

impl Matrix {
    /// A nalgebra view of this matrix without copying: row-major storage seen through row
    /// stride `ncols` and column stride 1.
    ///
    /// ```
    /// use curvature_ad::Matrix;
    /// let m = Matrix::from_row_major(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    /// let v = m.as_nalgebra();
    /// assert_eq!((v[(0, 2)], v[(1, 0)]), (3.0, 4.0));
    /// assert_eq!((v.transpose() * v)[(0, 0)], 1.0 + 16.0);
    /// ```
    pub fn as_nalgebra(&self) -> DMatrixView<'_, f64, Dyn, U1> {
        DMatrixView::from_slice_with_strides_generic(
            self.as_slice(),
            Dyn(self.nrows()),
            Dyn(self.ncols()),
            Dyn(self.ncols()),
            U1,
        )
    }
}

impl From<&Matrix> for DMatrix<f64> {
    /// Copies into nalgebra's column-major storage.
    fn from(m: &Matrix) -> DMatrix<f64> {
        DMatrix::from_row_slice(m.nrows(), m.ncols(), m.as_slice())
    }
}

impl From<Matrix> for DMatrix<f64> {
    /// Copies into nalgebra's column-major storage (the layouts differ).
    fn from(m: Matrix) -> DMatrix<f64> {
        DMatrix::from(&m)
    }
}

impl<R: Dim, C: Dim, S: RawStorage<f64, R, C>> From<&::nalgebra::Matrix<f64, R, C, S>> for Matrix {
    /// Copies any nalgebra matrix (owned, view, fixed or dynamic size) into row-major order.
    fn from(m: &::nalgebra::Matrix<f64, R, C, S>) -> Matrix {
        Matrix::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)])
    }
}

impl From<DMatrix<f64>> for Matrix {
    /// Copies into row-major order.
    fn from(m: DMatrix<f64>) -> Matrix {
        Matrix::from(&m)
    }
}

impl From<SparseMatrix> for CscMatrix<f64> {
    /// Moves the CSC arrays; nothing is copied.
    fn from(m: SparseMatrix) -> CscMatrix<f64> {
        let (n, col_ptr, rows, values) = m.into_csc();
        CscMatrix::try_from_csc_data(n, n, col_ptr, rows, values)
            .expect("a SparseMatrix is valid sorted CSC")
    }
}

impl From<&SparseMatrix> for CscMatrix<f64> {
    /// Copies the CSC arrays.
    fn from(m: &SparseMatrix) -> CscMatrix<f64> {
        CscMatrix::from(m.clone())
    }
}

impl TryFrom<CscMatrix<f64>> for SparseMatrix {
    type Error = ShapeError;
    /// Moves the CSC arrays (nalgebra-sparse keeps them sorted and free of duplicates);
    /// fails only for a matrix that is not square.
    fn try_from(m: CscMatrix<f64>) -> Result<SparseMatrix, ShapeError> {
        let (nrows, ncols) = (m.nrows(), m.ncols());
        if nrows != ncols {
            return Err(ShapeError::NotSquare { nrows, ncols });
        }
        let (col_ptr, rows, values) = m.disassemble();
        SparseMatrix::try_from_csc(ncols, col_ptr, rows, values)
    }
}

impl TryFrom<&CscMatrix<f64>> for SparseMatrix {
    type Error = ShapeError;
    /// Copies the CSC arrays; fails only for a matrix that is not square.
    fn try_from(m: &CscMatrix<f64>) -> Result<SparseMatrix, ShapeError> {
        SparseMatrix::try_from(m.clone())
    }
}

impl From<&SparseMatrix> for DMatrix<f64> {
    /// The dense matrix, zeros outside the pattern.
    fn from(m: &SparseMatrix) -> DMatrix<f64> {
        let mut d = DMatrix::zeros(m.dim(), m.dim());
        for (i, j, v) in m.triplets() {
            d[(i, j)] = v;
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [[1, 2, 3], [4, 5, 6]]: every entry different, so a transposed copy cannot pass.
    fn two_by_three() -> Matrix {
        Matrix::from_row_major(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    }

    #[test]
    fn dense_conversions_keep_every_entry_in_place() {
        let m = two_by_three();
        let d = DMatrix::from(&m);
        assert_eq!((d.nrows(), d.ncols()), (2, 3));
        assert_eq!(
            d,
            DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        );
        assert_eq!(m.as_nalgebra(), d);
        assert_eq!(Matrix::from(d.clone()), m);
        // A column view, a fixed-size matrix and an empty matrix.
        assert_eq!(Matrix::from(&d.column(2)).as_slice(), &[3.0, 6.0]);
        let fixed = ::nalgebra::Matrix2::new(1.0, 2.0, 3.0, 4.0);
        assert_eq!(Matrix::from(&fixed).as_slice(), &[1.0, 2.0, 3.0, 4.0]);
        let empty = Matrix::zeros(0, 3);
        assert_eq!(empty.as_nalgebra().shape(), (0, 3));
        assert_eq!(DMatrix::from(&empty).shape(), (0, 3));
    }

    #[test]
    fn the_view_shares_memory() {
        let m = two_by_three();
        assert_eq!(m.as_nalgebra().as_ptr(), m.as_slice().as_ptr());
    }

    #[test]
    fn sparse_conversions_move_the_arrays_and_reject_rectangles() {
        // [[4, 1, 0], [1, 4, 1], [0, 1, 4]]
        let s = SparseMatrix::from_csc(
            3,
            vec![0, 2, 5, 7],
            vec![0, 1, 0, 1, 2, 1, 2],
            vec![4.0, 1.0, 1.0, 4.0, 1.0, 1.0, 4.0],
        );
        let c = CscMatrix::from(&s);
        assert_eq!(c.get_entry(2, 1).unwrap().into_value(), 1.0);
        assert_eq!(c.get_entry(2, 0).unwrap().into_value(), 0.0);
        assert_eq!(SparseMatrix::try_from(&c).unwrap(), s);
        // Owned conversions hand the same allocation back and forth.
        let owned = s.clone();
        let values = owned.values().as_ptr();
        let c = CscMatrix::from(owned);
        assert_eq!(c.values().as_ptr(), values);
        let back = SparseMatrix::try_from(c).unwrap();
        assert_eq!(back.values().as_ptr(), values);
        assert_eq!(back, s);
        let d = DMatrix::from(&s);
        assert_eq!(
            d,
            DMatrix::from_row_slice(3, 3, &[4., 1., 0., 1., 4., 1., 0., 1., 4.])
        );
        let rect = CscMatrix::<f64>::zeros(2, 3);
        assert_eq!(
            SparseMatrix::try_from(rect).unwrap_err(),
            ShapeError::NotSquare { nrows: 2, ncols: 3 }
        );
    }
}
