//! Conversions between Curvature's matrices and the Rust linear-algebra crates, one optional
//! feature each.
//!
//! | feature | dense [`Matrix`](crate::Matrix) | [`SparseMatrix`](crate::SparseMatrix) (CSC) | gradient `Vec<f64>` |
//! |---|---|---|---|
//! | `nalgebra` | `DMatrix` (copy: nalgebra is column-major), [`Matrix::as_nalgebra`](crate::Matrix) strided view (no copy) | nalgebra-sparse `CscMatrix` (moved, no copy) | `DVector::from_vec(g)` (no copy) |
//! | `faer` | `Mat` (copy: faer owns aligned column-major storage), [`Matrix::as_faer`](crate::Matrix) row-major view (no copy) | `SparseColMat` (moved, no copy), `as_faer` view | `ColRef::from_slice(&g)` (no copy); `Col` copies |
//! | `ndarray` | `Array2` (moved, no copy: both row-major), `as_ndarray` view | dense `Array2` only (ndarray has no sparse type) | `Array1::from_vec(g)` (no copy) |
//!
//! Into Curvature: every conversion accepts any layout (copying when it is not row-major, or
//! for sparse input not sorted CSC) and returns a [`ShapeError`](crate::ShapeError) for a
//! sparse matrix that is not square. Points go the other way as slices: `gradient(f,
//! x.as_slice())` for a `DVector`, `x.as_slice().unwrap()` for a contiguous `Array1`.

#[cfg(feature = "faer")]
pub mod faer;
#[cfg(feature = "nalgebra")]
pub mod nalgebra;
#[cfg(feature = "ndarray")]
pub mod ndarray;
#[cfg(feature = "serde")]
pub(crate) mod serde;

/// Builds a square CSC matrix from (row, column, value) entries in any order, summing
/// duplicates (the convention of faer's and nalgebra-sparse's unsorted forms).
#[cfg(any(feature = "faer", test))]
pub(crate) fn sparse_from_entries(
    nrows: usize,
    ncols: usize,
    entries: impl IntoIterator<Item = (usize, usize, f64)>,
) -> Result<crate::SparseMatrix, crate::ShapeError> {
    use crate::{ShapeError, SparseMatrix};
    if nrows != ncols {
        return Err(ShapeError::NotSquare { nrows, ncols });
    }
    let mut columns: Vec<Vec<(usize, f64)>> = vec![Vec::new(); ncols];
    for (i, j, v) in entries {
        if i >= nrows || j >= ncols {
            return Err(ShapeError::InvalidCsc(format!(
                "entry ({i}, {j}) outside {nrows}×{ncols}"
            )));
        }
        columns[j].push((i, v));
    }
    let mut col_ptr = Vec::with_capacity(ncols + 1);
    let (mut rows, mut values) = (Vec::new(), Vec::new());
    col_ptr.push(0);
    for column in &mut columns {
        column.sort_by_key(|&(i, _)| i);
        for &(i, v) in column.iter() {
            if rows.len() > *col_ptr.last().expect("starts with 0") && rows.last() == Some(&i) {
                *values.last_mut().expect("a row was pushed") += v;
            } else {
                rows.push(i);
                values.push(v);
            }
        }
        col_ptr.push(rows.len());
    }
    SparseMatrix::try_from_csc(ncols, col_ptr, rows, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ShapeError;

    #[test]
    fn entries_in_any_order_with_duplicates_become_sorted_csc() {
        // [[1, 0, 5], [0, 0, 0], [2, 0, 3 + 4]], given out of order with (2, 2) twice.
        let entries = [
            (2, 2, 3.0),
            (0, 2, 5.0),
            (2, 0, 2.0),
            (0, 0, 1.0),
            (2, 2, 4.0),
        ];
        let m = sparse_from_entries(3, 3, entries).unwrap();
        assert_eq!(m.col_ptr(), &[0, 2, 2, 4]);
        assert_eq!(m.row_indices(), &[0, 2, 0, 2]);
        assert_eq!(m.values(), &[1.0, 2.0, 5.0, 7.0]);
        assert_eq!(
            sparse_from_entries(2, 3, []).unwrap_err(),
            ShapeError::NotSquare { nrows: 2, ncols: 3 }
        );
        assert!(matches!(
            sparse_from_entries(2, 2, [(2, 0, 1.0)]),
            Err(ShapeError::InvalidCsc(_))
        ));
    }
}
