//! `Matrix` and `SparseMatrix` to and from ndarray's `Array2`/`ArrayView2` (feature
//! `ndarray`).
//!
//! ndarray's standard layout is row-major like `Matrix`, so [`Matrix::as_ndarray`] is a view
//! and `Array2::from(matrix)` moves the buffer; an `Array2` in standard layout comes back
//! without a copy too (any other layout is copied in logical order). ndarray has no sparse
//! type: a `SparseMatrix` converts to a dense `Array2`. Gradients are `Vec<f64>`, which
//! `Array1::from_vec` takes without copying.
//!
//! ```
//! use curvature_ad::{gradient, hessian, Var};
//! use ndarray::{Array1, Array2};
//!
//! // f = x₀² + x₀x₁ + 2x₁²: ∇f = (2x₀ + x₁, x₀ + 4x₁), H = [[2, 1], [1, 4]].
//! let f = |x: &[Var]| x[0] * x[0] + x[0] * x[1] + 2.0 * x[1] * x[1];
//! let x = Array1::from_vec(vec![1.0, 1.0]);
//! let (_, g) = gradient(f, x.as_slice().unwrap());
//! let g = Array1::from_vec(g); // no copy
//! let (_, _, h) = hessian(f, x.as_slice().unwrap());
//! let h = Array2::from(h); // no copy
//! assert_eq!(h.dot(&x), Array1::from_vec(vec![3.0, 5.0])); // H·x
//! assert_eq!(g, Array1::from_vec(vec![3.0, 5.0])); // = ∇f for this quadratic
//! ```

use ::ndarray::{Array2, ArrayView2, ShapeBuilder};

use crate::{Matrix, SparseMatrix};

impl Matrix {
    /// An ndarray view of this matrix without copying.
    ///
    /// ```
    /// use curvature_ad::Matrix;
    /// let m = Matrix::from_row_major(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    /// assert_eq!(m.as_ndarray()[[1, 0]], 4.0);
    /// ```
    pub fn as_ndarray(&self) -> ArrayView2<'_, f64> {
        ArrayView2::from_shape((self.nrows(), self.ncols()), self.as_slice())
            .expect("a Matrix holds nrows · ncols entries")
    }
}

impl From<Matrix> for Array2<f64> {
    /// Moves the row-major buffer; nothing is copied.
    fn from(m: Matrix) -> Array2<f64> {
        let shape = (m.nrows(), m.ncols());
        Array2::from_shape_vec(shape, m.into_row_major())
            .expect("a Matrix holds nrows · ncols entries")
    }
}

impl From<&Matrix> for Array2<f64> {
    /// Copies the entries.
    fn from(m: &Matrix) -> Array2<f64> {
        m.as_ndarray().to_owned()
    }
}

impl From<ArrayView2<'_, f64>> for Matrix {
    /// Copies a view of any layout in logical (row-major) order.
    fn from(a: ArrayView2<'_, f64>) -> Matrix {
        Matrix::from_row_major(a.nrows(), a.ncols(), a.iter().copied().collect())
    }
}

impl From<&Array2<f64>> for Matrix {
    /// Copies the entries in logical (row-major) order.
    fn from(a: &Array2<f64>) -> Matrix {
        Matrix::from(a.view())
    }
}

impl From<Array2<f64>> for Matrix {
    /// Takes the buffer without copying when the array is in standard (row-major) layout and
    /// holds exactly its entries; otherwise copies them in logical order.
    fn from(a: Array2<f64>) -> Matrix {
        let (nrows, ncols) = a.dim();
        if !a.is_standard_layout() {
            return Matrix::from(a.view());
        }
        // Standard layout: the entries are contiguous in row-major order from the offset.
        let (mut data, offset) = a.into_raw_vec_and_offset();
        let (start, len) = (offset.unwrap_or(0), nrows * ncols);
        if start != 0 || data.len() != len {
            data = data[start..start + len].to_vec();
        }
        Matrix::from_row_major(nrows, ncols, data)
    }
}

impl From<&SparseMatrix> for Array2<f64> {
    /// The dense matrix, zeros outside the pattern (ndarray has no sparse type).
    fn from(m: &SparseMatrix) -> Array2<f64> {
        let mut a = Array2::zeros((m.dim(), m.dim()).f());
        for (i, j, v) in m.triplets() {
            a[[i, j]] = v;
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::ndarray::array;

    #[test]
    fn dense_conversions_keep_every_entry_in_place_and_share_buffers() {
        let m = Matrix::from_row_major(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let expected = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        assert_eq!(m.as_ndarray(), expected);
        assert_eq!(m.as_ndarray().as_ptr(), m.as_slice().as_ptr());
        assert_eq!(Array2::from(&m), expected);
        let owned = m.clone();
        let ptr = owned.as_slice().as_ptr();
        let a = Array2::from(owned);
        assert_eq!(a.as_ptr(), ptr);
        assert_eq!(a, expected);
        let back = Matrix::from(a);
        assert_eq!(back.as_slice().as_ptr(), ptr);
        assert_eq!(back, m);
        // Column-major and transposed arrays are read in logical order.
        let fortran =
            Array2::from_shape_vec((2, 3).f(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]).unwrap();
        assert_eq!(Matrix::from(fortran), m);
        assert_eq!(Matrix::from(expected.t()), m.transpose());
        // A standard-layout array that starts inside its buffer (rows 1.. of a 3×2).
        let mut sliced = array![[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]];
        sliced.slice_collapse(::ndarray::s![1.., ..]);
        assert_eq!(Matrix::from(sliced).as_slice(), &[2.0, 3.0, 4.0, 5.0]);
    }

    #[test]
    fn sparse_matrices_become_dense_arrays() {
        // [[2, 1], [1, 0]] with (1, 1) outside the pattern.
        let s = SparseMatrix::from_csc(2, vec![0, 2, 3], vec![0, 1, 0], vec![2.0, 1.0, 1.0]);
        assert_eq!(Array2::from(&s), array![[2.0, 1.0], [1.0, 0.0]]);
    }
}
