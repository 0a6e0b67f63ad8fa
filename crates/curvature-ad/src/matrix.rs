//! A small dense row-major matrix, so the public API does not depend on a linear-algebra
//! crate.

use std::fmt;
use std::ops::{Index, IndexMut, Mul};

use crate::error::ShapeError;

/// A dense `nrows × ncols` matrix of f64 stored row by row.
///
/// ```
/// use curvature_ad::Matrix;
/// let m = Matrix::from_row_major(2, 2, vec![10.0, 8.0, 8.0, 10.0]);
/// assert_eq!(m[(0, 1)], 8.0);
/// assert_eq!(&m * &[1.0, -1.0][..], vec![2.0, -2.0]);
/// ```
#[derive(Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::interop::serde::MatrixData")
)]
pub struct Matrix {
    nrows: usize,
    ncols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// The zero matrix.
    pub fn zeros(nrows: usize, ncols: usize) -> Matrix {
        Matrix {
            nrows,
            ncols,
            data: vec![0.0; nrows * ncols],
        }
    }

    /// The `n × n` identity.
    pub fn identity(n: usize) -> Matrix {
        Matrix::from_fn(n, n, |i, j| if i == j { 1.0 } else { 0.0 })
    }

    /// The matrix with entries `f(i, j)`.
    pub fn from_fn(nrows: usize, ncols: usize, mut f: impl FnMut(usize, usize) -> f64) -> Matrix {
        let mut data = Vec::with_capacity(nrows * ncols);
        for i in 0..nrows {
            for j in 0..ncols {
                data.push(f(i, j));
            }
        }
        Matrix { nrows, ncols, data }
    }

    /// Wraps row-major data.
    ///
    /// # Panics
    /// If `data.len() != nrows * ncols`.
    pub fn from_row_major(nrows: usize, ncols: usize, data: Vec<f64>) -> Matrix {
        assert_eq!(
            data.len(),
            nrows * ncols,
            "Matrix::from_row_major: {} entries for a {nrows}×{ncols} matrix",
            data.len()
        );
        Matrix { nrows, ncols, data }
    }

    /// Wraps row-major data, or reports a length other than `nrows · ncols`.
    ///
    /// ```
    /// use curvature_ad::{Matrix, ShapeError};
    /// assert!(Matrix::try_from_row_major(2, 2, vec![1.0; 4]).is_ok());
    /// let e = Matrix::try_from_row_major(2, 2, vec![1.0; 3]).unwrap_err();
    /// assert_eq!(e, ShapeError::DataLength { expected: 4, found: 3 });
    /// ```
    pub fn try_from_row_major(
        nrows: usize,
        ncols: usize,
        data: Vec<f64>,
    ) -> Result<Matrix, ShapeError> {
        match nrows.checked_mul(ncols) {
            Some(expected) if expected == data.len() => Ok(Matrix { nrows, ncols, data }),
            expected => Err(ShapeError::DataLength {
                expected: expected.unwrap_or(usize::MAX),
                found: data.len(),
            }),
        }
    }

    /// The entries, row by row, moved out without copying.
    pub fn into_row_major(self) -> Vec<f64> {
        self.data
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// The entries, row by row.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The row-major entries, without copying.
    ///
    /// ```
    /// use curvature_ad::Matrix;
    /// assert_eq!(Matrix::identity(2).into_vec(), vec![1.0, 0.0, 0.0, 1.0]);
    /// ```
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// The entries, row by row, mutably.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// Row `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.ncols..(i + 1) * self.ncols]
    }

    /// The transpose.
    pub fn transpose(&self) -> Matrix {
        Matrix::from_fn(self.ncols, self.nrows, |i, j| self[(j, i)])
    }

    /// `y = A·x`.
    ///
    /// # Panics
    /// If `x.len() != ncols`.
    pub fn mul_vec(&self, x: &[f64]) -> Vec<f64> {
        assert_eq!(
            x.len(),
            self.ncols,
            "Matrix::mul_vec: vector of length {} for a matrix with {} columns",
            x.len(),
            self.ncols
        );
        (0..self.nrows)
            .map(|i| self.row(i).iter().zip(x).map(|(a, b)| a * b).sum())
            .collect()
    }

    /// The largest absolute difference `max |a_ij - a_ji|` (0 for a symmetric matrix).
    pub fn asymmetry(&self) -> f64 {
        let mut worst: f64 = 0.0;
        for i in 0..self.nrows.min(self.ncols) {
            for j in 0..i {
                worst = worst.max((self[(i, j)] - self[(j, i)]).abs());
            }
        }
        worst
    }
}

impl Index<(usize, usize)> for Matrix {
    type Output = f64;
    #[inline]
    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        assert!(
            i < self.nrows && j < self.ncols,
            "Matrix index ({i}, {j}) out of bounds for {}×{}",
            self.nrows,
            self.ncols
        );
        &self.data[i * self.ncols + j]
    }
}

impl IndexMut<(usize, usize)> for Matrix {
    #[inline]
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut f64 {
        assert!(
            i < self.nrows && j < self.ncols,
            "Matrix index ({i}, {j}) out of bounds for {}×{}",
            self.nrows,
            self.ncols
        );
        &mut self.data[i * self.ncols + j]
    }
}

impl Mul<&[f64]> for &Matrix {
    type Output = Vec<f64>;
    fn mul(self, x: &[f64]) -> Vec<f64> {
        self.mul_vec(x)
    }
}

impl Mul<&Vec<f64>> for &Matrix {
    type Output = Vec<f64>;
    fn mul(self, x: &Vec<f64>) -> Vec<f64> {
        self.mul_vec(x)
    }
}

impl fmt::Debug for Matrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Matrix {}×{} ", self.nrows, self.ncols)?;
        f.debug_list()
            .entries((0..self.nrows).map(|i| self.row(i)))
            .finish()
    }
}

impl fmt::Display for Matrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prec = f.precision().unwrap_or(6);
        for i in 0..self.nrows {
            write!(f, "[")?;
            for (j, v) in self.row(i).iter().enumerate() {
                if j > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{v:>w$.prec$}", w = prec + 6)?;
            }
            writeln!(f, "]")?;
        }
        Ok(())
    }
}
