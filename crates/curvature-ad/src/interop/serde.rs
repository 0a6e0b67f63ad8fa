//! The serialized forms of `Matrix` and `SparseMatrix`, checked on the way in: a matrix read
//! from a file passes the same invariants as one built in code.

use ::serde::{Deserialize, Serialize};

use crate::{Matrix, ShapeError, SparseMatrix};

/// A `Matrix` as written: `{"nrows": r, "ncols": c, "data": [row-major entries]}`.
#[derive(Deserialize)]
pub(crate) struct MatrixData {
    nrows: usize,
    ncols: usize,
    data: Vec<f64>,
}

impl TryFrom<MatrixData> for Matrix {
    type Error = ShapeError;
    fn try_from(m: MatrixData) -> Result<Matrix, ShapeError> {
        Matrix::try_from_row_major(m.nrows, m.ncols, m.data)
    }
}

/// A `SparseMatrix` as written: `{"n": n, "col_ptr": [...], "row_idx": [...], "values": [...]}`.
#[derive(Serialize, Deserialize)]
pub(crate) struct SparseData {
    n: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    values: Vec<f64>,
}

impl From<SparseMatrix> for SparseData {
    fn from(m: SparseMatrix) -> SparseData {
        let (n, col_ptr, row_idx, values) = m.into_csc();
        SparseData {
            n,
            col_ptr,
            row_idx,
            values,
        }
    }
}

impl TryFrom<SparseData> for SparseMatrix {
    type Error = ShapeError;
    fn try_from(m: SparseData) -> Result<SparseMatrix, ShapeError> {
        SparseMatrix::try_from_csc(m.n, m.col_ptr, m.row_idx, m.values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrices_round_trip_through_json_in_a_readable_form() {
        let m = Matrix::from_row_major(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.5]);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            json,
            r#"{"nrows":2,"ncols":3,"data":[1.0,2.0,3.0,4.0,5.0,6.5]}"#
        );
        assert_eq!(serde_json::from_str::<Matrix>(&json).unwrap(), m);

        // [[2, 1], [1, 0]] with (1, 1) outside the pattern.
        let s = SparseMatrix::from_csc(2, vec![0, 2, 3], vec![0, 1, 0], vec![2.0, 1.0, 1.0]);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"n":2,"col_ptr":[0,2,3],"row_idx":[0,1,0],"values":[2.0,1.0,1.0]}"#
        );
        assert_eq!(serde_json::from_str::<SparseMatrix>(&json).unwrap(), s);
    }

    #[test]
    fn inconsistent_input_is_an_error_naming_the_problem() {
        let short = r#"{"nrows":2,"ncols":2,"data":[1.0,2.0,3.0]}"#;
        let e = serde_json::from_str::<Matrix>(short)
            .unwrap_err()
            .to_string();
        assert!(e.contains("3 entries for a matrix of 4 entries"), "{e}");
        let unsorted = r#"{"n":2,"col_ptr":[0,2,2],"row_idx":[1,0],"values":[1.0,2.0]}"#;
        let e = serde_json::from_str::<SparseMatrix>(unsorted)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("rows of column 0 must be strictly increasing"),
            "{e}"
        );
        let out_of_range = r#"{"n":1,"col_ptr":[0,1],"row_idx":[1],"values":[1.0]}"#;
        assert!(serde_json::from_str::<SparseMatrix>(out_of_range).is_err());
    }
}
