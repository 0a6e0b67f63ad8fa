//! Matrix–vector products: a constant matrix times a vector of variables, and dense layers
//! `W·x + b` whose matrix is made of variables. f64 (and `Dual<f64>`) kernels run in faer.

use crate::dual::Dual;
use crate::matrix::Matrix;
use crate::scalar::Scalar;
use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use num_traits::Float;
use std::any::TypeId;
use std::sync::Arc;

/// A constant dense matrix shared by reference count, the matrix of [`matvec`](crate::vector::matvec()).
///
/// A tape node of `A·x` keeps a clone (one pointer) instead of copying A's m·n entries, so
/// recording `A·x` costs O(m + n) besides the product itself.
///
/// ```
/// use curvature_ad::vector::SharedMatrix;
/// use curvature_ad::Matrix;
/// let a = SharedMatrix::new(Matrix::identity(3));
/// assert_eq!((a.nrows(), a.ncols()), (3, 3));
/// assert_eq!(a.matrix()[(1, 1)], 1.0);
/// ```
#[derive(Clone, Debug)]
pub struct SharedMatrix(Arc<Matrix>);

impl SharedMatrix {
    /// Shares `a`.
    pub fn new(a: Matrix) -> SharedMatrix {
        SharedMatrix(Arc::new(a))
    }

    /// Number of rows m.
    pub fn nrows(&self) -> usize {
        self.0.nrows()
    }

    /// Number of columns n.
    pub fn ncols(&self) -> usize {
        self.0.ncols()
    }

    /// The matrix.
    pub fn matrix(&self) -> &Matrix {
        &self.0
    }
}

impl From<Matrix> for SharedMatrix {
    fn from(a: Matrix) -> SharedMatrix {
        SharedMatrix::new(a)
    }
}

/// Views `x: &[S]` as `&[T]` when `S` and `T` are the same type.
fn cast<S: 'static, T: 'static>(x: &[S]) -> Option<&[T]> {
    // SAFETY: the types are identical, so the pointer, length and layout are.
    (TypeId::of::<S>() == TypeId::of::<T>())
        .then(|| unsafe { std::slice::from_raw_parts(x.as_ptr().cast::<T>(), x.len()) })
}

/// [`cast`] for mutable slices.
fn cast_mut<S: 'static, T: 'static>(x: &mut [S]) -> Option<&mut [T]> {
    // SAFETY: as in `cast`; the borrow of `x` is moved into the result.
    (TypeId::of::<S>() == TypeId::of::<T>())
        .then(|| unsafe { std::slice::from_raw_parts_mut(x.as_mut_ptr().cast::<T>(), x.len()) })
}

/// `y = op(A)·X` with A row-major m×n (`op(A) = Aᵀ` when `trans`) and X, y column-major with
/// `cols` columns, in faer.
fn faer_gemm(
    a: &[f64],
    (m, n): (usize, usize),
    trans: bool,
    x: &[f64],
    y: &mut [f64],
    cols: usize,
) {
    let a = MatRef::from_row_major_slice(a, m, n);
    let a = if trans { a.transpose() } else { a };
    let x = MatRef::from_column_major_slice(x, a.ncols(), cols);
    let y = MatMut::from_column_major_slice_mut(y, a.nrows(), cols);
    matmul(y, Accum::Replace, a, x, 1.0, Par::Seq);
}

/// `g += w·xᵀ` for g row-major `w.len()` × `x.len()`: a dense layer's weight adjoints,
/// `ḡW_ij += w_i x_j`. In f64 one faer product (vectorized for the machine at run time: as a
/// plain loop it was a tenth of training the digits MLP), otherwise loops.
pub(crate) fn add_outer<S: Scalar>(w: &[S], x: &[S], g: &mut [S]) {
    let (m, n) = (w.len(), x.len());
    debug_assert_eq!(g.len(), m * n);
    if let (Some(wf), Some(xf), Some(gf)) =
        (cast::<S, f64>(w), cast::<S, f64>(x), cast_mut::<S, f64>(g))
    {
        let dst = MatMut::from_row_major_slice_mut(gf, m, n);
        let lhs = MatRef::from_column_major_slice(wf, m, 1);
        let rhs = MatRef::from_row_major_slice(xf, 1, n);
        matmul(dst, Accum::Add, lhs, rhs, 1.0, Par::Seq);
        return;
    }
    for (row, &wi) in g.chunks_exact_mut(n.max(1)).zip(w) {
        for (gij, &xj) in row.iter_mut().zip(x) {
            *gij = *gij + wi * xj;
        }
    }
}

/// `y = A·x` (or `Aᵀ·x` when `trans`) for a constant row-major m×n matrix and any scalar.
///
/// In f64 it is one faer product; in `Dual<f64>` (the HVP sweep) faer products of the values
/// and of the tangents; other scalars use plain loops (`x_j · a_ij` by `mul_cst`).
pub(crate) fn const_product<S: Scalar>(
    a: &[f64],
    mn: (usize, usize),
    trans: bool,
    x: &[S],
    y: &mut [S],
) {
    let (m, n) = mn;
    debug_assert_eq!(a.len(), m * n);
    if let (Some(x), Some(y)) = (cast::<S, f64>(x), cast_mut::<S, f64>(y)) {
        faer_gemm(a, mn, trans, x, y, 1);
        return;
    }
    if let Some(xd) = cast::<S, Dual<f64>>(x) {
        let mut xs = Vec::with_capacity(2 * xd.len());
        xs.extend(xd.iter().map(|d| d.re));
        xs.extend(xd.iter().map(|d| d.eps));
        let mut ys = vec![0.0; 2 * y.len()];
        if trans {
            faer_gemm(a, mn, trans, &xs, &mut ys, 2);
        } else {
            // faer runs a two-column product with a row-major matrix about 2.7× slower than
            // one matrix-vector product (1000 × 1000, measured), two of them 1.8×.
            let (x_re, x_eps) = xs.split_at(xd.len());
            let (y_re, y_eps) = ys.split_at_mut(y.len());
            faer_gemm(a, mn, trans, x_re, y_re, 1);
            faer_gemm(a, mn, trans, x_eps, y_eps, 1);
        }
        let y = cast_mut::<S, Dual<f64>>(y).expect("same type as x");
        let (re, eps) = ys.split_at(y.len());
        for (k, yk) in y.iter_mut().enumerate() {
            *yk = Dual::new(re[k], eps[k]);
        }
        return;
    }
    if trans {
        y.fill(S::zero());
        for (i, &xi) in x.iter().enumerate() {
            for (yj, &aij) in y.iter_mut().zip(&a[i * n..(i + 1) * n]) {
                *yj = *yj + xi.mul_cst(aij);
            }
        }
    } else {
        for (i, yi) in y.iter_mut().enumerate() {
            let row = &a[i * n..(i + 1) * n];
            *yi = row
                .iter()
                .zip(x)
                .fold(S::zero(), |s, (&aij, &xj)| s + xj.mul_cst(aij));
        }
    }
}

/// `A·x` in any `Float` (the reference loop, used by the non-tape scalars).
pub(crate) fn matvec_loop<T: Float>(a: &Matrix, x: &[T]) -> Vec<T> {
    (0..a.nrows())
        .map(|i| {
            a.row(i)
                .iter()
                .zip(x)
                .fold(T::zero(), |s, (&aij, &xj)| s + T::from(aij).unwrap() * xj)
        })
        .collect()
}

/// `y = W·x + b` (b = 0 when absent) for W row-major m×n, in any `Float`; f64 through faer.
pub(crate) fn dense_value<T: Float + 'static>(w: &[T], x: &[T], b: Option<&[T]>, y: &mut [T]) {
    let (m, n) = (y.len(), x.len());
    if let (Some(w), Some(x), Some(yf)) =
        (cast::<T, f64>(w), cast::<T, f64>(x), cast_mut::<T, f64>(y))
    {
        faer_gemm(w, (m, n), false, x, yf, 1);
        if let Some(b) = b {
            for (yi, &bi) in y.iter_mut().zip(b) {
                *yi = *yi + bi;
            }
        }
        return;
    }
    for (i, yi) in y.iter_mut().enumerate() {
        let start = b.map_or(T::zero(), |b| b[i]);
        *yi = w[i * n..(i + 1) * n]
            .iter()
            .zip(x)
            .fold(start, |s, (&wij, &xj)| s + wij * xj);
    }
}

/// The pullback of `y = W·x + b` with operands laid out `[W (m·n); x (n); b (m)]`:
/// `ḡW_ij = w_i x_j`, `ḡx = Wᵀ w` (left zero unless `x_vars`), `ḡb = w`.
pub(crate) fn dense_pullback<S: Scalar>(
    wxb: &[S],
    (m, n): (usize, usize),
    x_vars: bool,
    w: &[S],
    g: &mut [S],
) {
    let (wm, rest) = wxb.split_at(m * n);
    let x = &rest[..n];
    let (gw, rest) = g.split_at_mut(m * n);
    let (gx, gb) = rest.split_at_mut(n);
    for i in 0..m {
        let wi = w[i];
        for (gij, &xj) in gw[i * n..(i + 1) * n].iter_mut().zip(x) {
            *gij = wi * xj;
        }
    }
    if !x_vars {
        gx.fill(S::zero());
    } else if let (Some(wf), Some(wv), Some(gxf)) = (
        cast::<S, f64>(wm),
        cast::<S, f64>(w),
        cast_mut::<S, f64>(gx),
    ) {
        faer_gemm(wf, (m, n), true, wv, gxf, 1);
    } else {
        gx.fill(S::zero());
        for i in 0..m {
            let wi = w[i];
            for (gj, &wij) in gx.iter_mut().zip(&wm[i * n..(i + 1) * n]) {
                *gj = *gj + wij * wi;
            }
        }
    }
    gb.copy_from_slice(&w[..gb.len()]);
}
