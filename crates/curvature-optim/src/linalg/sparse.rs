//! Sparse Cholesky of `H + diag(s)` with faer: fill-reducing ordering and symbolic analysis
//! once per sparsity pattern, one numeric factorization per shift.

use curvature_ad::SparseMatrix;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::sparse::linalg::cholesky::{factorize_symbolic_cholesky, LltRef, SymbolicCholesky};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{get_global_parallelism, Conj, MatMut, Side};

/// The analysed lower triangle of one sparsity pattern, with the full diagonal added (a
/// shift `H + τI` needs every diagonal slot, even where H has a structural zero).
///
/// Newton iterates share one pattern (a closure's Hessian pattern is a property of its
/// recorded program; a hand-written objective declares it), so AMD ordering and the
/// elimination tree are computed once per solve, and every shifted retry and every iterate
/// pays only the numeric factorization — into the same factor storage and workspace, so a
/// retry at n = 10⁶ faults no fresh pages in (faer's high-level `Llt` allocates both anew).
pub(crate) struct SparseCholesky {
    n: usize,
    /// A matrix of the source pattern (both triangles) this analysis was made for: the
    /// Hessians of one tape share its storage, so `fits` need not compare the arrays.
    pattern: SparseMatrix,
    /// Lower triangle, CSC, rows sorted, diagonal first in each column.
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    /// For each lower entry, its index in the source values (`usize::MAX`: an added diagonal).
    source: Vec<usize>,
    symbolic: SymbolicCholesky<usize>,
    values: Vec<f64>,
    /// The loaded H's diagonal (0 where it has no stored entry), before any shift.
    diagonal: Vec<f64>,
    /// The numeric factor L (valid after a successful `factor`) and faer's workspace for it.
    factor: Vec<f64>,
    workspace: MemBuffer,
}

impl SparseCholesky {
    /// Analyses the pattern of `h`; `None` if faer cannot (out of memory).
    pub fn analyze(h: &SparseMatrix) -> Option<Self> {
        let n = h.dim();
        let (cp, ri) = (h.col_ptr(), h.row_indices());
        let mut col_ptr = Vec::with_capacity(n + 1);
        let mut row_idx = Vec::with_capacity(h.nnz() / 2 + n);
        let mut source = Vec::with_capacity(h.nnz() / 2 + n);
        col_ptr.push(0);
        for j in 0..n {
            let rows = &ri[cp[j]..cp[j + 1]];
            // Rows are sorted: the diagonal, if stored, is the first row ≥ j.
            let below = rows.partition_point(|&i| i < j);
            if rows.get(below) != Some(&j) {
                row_idx.push(j);
                source.push(usize::MAX);
            }
            for (k, &i) in rows.iter().enumerate().skip(below) {
                row_idx.push(i);
                source.push(cp[j] + k);
            }
            col_ptr.push(row_idx.len());
        }
        let pattern = SymbolicSparseColMatRef::new_checked(n, n, &col_ptr, None, &row_idx);
        let symbolic = factorize_symbolic_cholesky(
            pattern,
            Side::Lower,
            Default::default(),
            Default::default(),
        )
        .ok()?;
        let values = vec![0.0; row_idx.len()];
        let factor = vec![0.0; symbolic.len_val()];
        let scratch = symbolic
            .factorize_numeric_llt_scratch::<f64>(get_global_parallelism(), Default::default());
        let workspace = MemBuffer::try_new(scratch).ok()?;
        Some(SparseCholesky {
            n,
            pattern: h.clone(),
            col_ptr,
            row_idx,
            source,
            symbolic,
            values,
            diagonal: vec![0.0; n],
            factor,
            workspace,
        })
    }

    /// Whether `h` has the pattern this analysis was made for.
    pub fn fits(&self, h: &SparseMatrix) -> bool {
        self.pattern.same_pattern(h)
    }

    /// Reads the lower triangle of `h` (which must fit this analysis) for the factorizations
    /// that follow.
    pub fn load(&mut self, h: &SparseMatrix) {
        debug_assert!(self.fits(h));
        let hv = h.values();
        for (value, &s) in self.values.iter_mut().zip(&self.source) {
            *value = if s == usize::MAX { 0.0 } else { hv[s] };
        }
        for j in 0..self.n {
            // The diagonal is the first entry of each lower column.
            self.diagonal[j] = self.values[self.col_ptr[j]];
        }
    }

    /// Factors `H + diag(shift)` for the H last loaded (`shift(j)` added to diagonal j);
    /// `None` when it is not numerically positive definite.
    pub fn factor(&mut self, shift: impl Fn(usize) -> f64) -> Option<Factor<'_>> {
        for j in 0..self.n {
            self.values[self.col_ptr[j]] = self.diagonal[j] + shift(j);
        }
        let pattern = SymbolicSparseColMatRef::new_checked(
            self.n,
            self.n,
            &self.col_ptr,
            None,
            &self.row_idx,
        );
        let matrix = SparseColMatRef::new(pattern, &self.values);
        self.symbolic
            .factorize_numeric_llt::<f64>(
                &mut self.factor,
                matrix,
                Side::Lower,
                Default::default(),
                get_global_parallelism(),
                MemStack::new(&mut self.workspace),
                Default::default(),
            )
            .ok()?;
        Some(Factor(self))
    }
}

/// A sparse Cholesky factorization `P(H + diag(s))Pᵀ = LLᵀ`, held in its `SparseCholesky`.
pub(crate) struct Factor<'a>(&'a SparseCholesky);

impl Factor<'_> {
    /// Solves `(H + diag(s)) x = b`.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let chol = self.0;
        let mut x = b.to_vec();
        let n = x.len();
        let par = get_global_parallelism();
        let mut scratch = MemBuffer::new(chol.symbolic.solve_in_place_scratch::<f64>(1, par));
        LltRef::<usize, f64>::new(&chol.symbolic, &chol.factor).solve_in_place_with_conj(
            Conj::No,
            MatMut::from_column_major_slice_mut(&mut x, n, 1),
            par,
            MemStack::new(&mut scratch),
        );
        x
    }
}
