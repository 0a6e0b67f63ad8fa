//! Stand-in for `curvature_ad::Matrix` (same names and layout) until the autodiff crate lands;
//! replaced by a re-export at merge time.

use std::ops::{Index, IndexMut};

/// Dense row-major `f64` matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// `r × c` zeros.
    pub fn zeros(r: usize, c: usize) -> Self {
        Matrix {
            rows: r,
            cols: c,
            data: vec![0.0; r * c],
        }
    }
    /// Entry `(i, j)` is `f(i, j)`.
    pub fn from_fn(r: usize, c: usize, mut f: impl FnMut(usize, usize) -> f64) -> Self {
        let data = (0..r * c).map(|k| f(k / c, k % c)).collect();
        Matrix {
            rows: r,
            cols: c,
            data,
        }
    }
    /// Wraps row-major data.
    pub fn from_row_major(r: usize, c: usize, data: Vec<f64>) -> Self {
        assert_eq!(data.len(), r * c, "row-major data has the wrong length");
        Matrix {
            rows: r,
            cols: c,
            data,
        }
    }
    /// Rows.
    pub fn nrows(&self) -> usize {
        self.rows
    }
    /// Columns.
    pub fn ncols(&self) -> usize {
        self.cols
    }
    /// Row-major entries.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
}

impl Index<(usize, usize)> for Matrix {
    type Output = f64;
    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        &self.data[i * self.cols + j]
    }
}

impl IndexMut<(usize, usize)> for Matrix {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut f64 {
        &mut self.data[i * self.cols + j]
    }
}
