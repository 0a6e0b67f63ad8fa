//! The Hessian a solver holds at an iterate: dense (row-major n × n) or sparse (CSC, both
//! triangles), with the few operations the second-order methods need.

use curvature_ad::SparseMatrix;

/// The diagonal (Jacobi) preconditioner of conjugate gradients from H's diagonal,
/// `mᵢ = max(|Hᵢᵢ|, √ε·s)` with `s = max(1, maxⱼ |Hⱼⱼ|)`: positive, so M = diag(m) is SPD
/// even where H is indefinite or has zeros on its diagonal, and within 1/√ε of the largest
/// entry.
pub(crate) fn jacobi(mut diagonal: Vec<f64>) -> Vec<f64> {
    let floor = f64::EPSILON.sqrt() * diagonal.iter().fold(1.0f64, |m, d| m.max(d.abs()));
    for d in &mut diagonal {
        *d = d.abs().max(floor);
    }
    diagonal
}

/// ∇²f at an iterate. Sparse when the objective's pattern makes it pay (a closure whose
/// recorded program has a colourable Hessian, or a hand-written objective that declares its
/// pattern); then nothing of size n × n exists anywhere on the solver's path.
#[derive(Clone, Debug)]
pub(crate) enum Hessian {
    /// Row-major n × n entries.
    Dense(Vec<f64>),
    /// The stored entries of a symmetric matrix.
    Sparse(SparseMatrix),
}

impl Hessian {
    /// The dimension n.
    pub fn dim(&self) -> usize {
        match self {
            // An exact square: the f64 square root of a perfect square below 2⁵² is exact.
            Hessian::Dense(h) => (h.len() as f64).sqrt() as usize,
            Hessian::Sparse(h) => h.dim(),
        }
    }

    /// The stored entries (all n² of a dense matrix).
    pub fn entries(&self) -> &[f64] {
        match self {
            Hessian::Dense(h) => h,
            Hessian::Sparse(h) => h.values(),
        }
    }

    /// Whether every stored entry is finite.
    pub fn is_finite(&self) -> bool {
        self.entries().iter().all(|v| v.is_finite())
    }

    /// Row, column and value of the first NaN or ±∞ entry (column by column for a sparse H,
    /// row by row for a dense one).
    pub fn first_non_finite(&self) -> Option<(usize, usize, f64)> {
        let n = self.dim().max(1);
        match self {
            Hessian::Dense(h) => h
                .iter()
                .position(|v| !v.is_finite())
                .map(|k| (k / n, k % n, h[k])),
            Hessian::Sparse(h) => h.triplets().find(|(_, _, v)| !v.is_finite()),
        }
    }

    /// The diagonal `(H₀₀, …, Hₙ₋₁ₙ₋₁)`.
    pub fn diagonal(&self) -> Vec<f64> {
        let n = self.dim();
        match self {
            Hessian::Dense(h) => (0..n).map(|i| h[i * n + i]).collect(),
            Hessian::Sparse(h) => (0..n).map(|j| h.get(j, j)).collect(),
        }
    }

    /// `H·v`.
    pub fn mul_vec(&self, v: &[f64]) -> Vec<f64> {
        let mut hv = Vec::new();
        self.mul_vec_into(v, &mut hv);
        hv
    }

    /// `H·v` into `hv` (resized to n), for loops of products.
    pub fn mul_vec_into(&self, v: &[f64], hv: &mut Vec<f64>) {
        let n = self.dim();
        hv.resize(n, 0.0);
        match self {
            Hessian::Dense(h) => {
                for (i, out) in hv.iter_mut().enumerate() {
                    *out = h[i * n..(i + 1) * n]
                        .iter()
                        .zip(v)
                        .map(|(a, b)| a * b)
                        .sum();
                }
            }
            // H is symmetric, so Hᵀv is H·v, and the transposed product gathers (faster).
            Hessian::Sparse(h) => h.mul_transpose_vec_into(v, hv),
        }
    }

    /// The diagonal (Jacobi) preconditioner of conjugate gradients (see [`jacobi`]).
    pub fn jacobi(&self) -> Vec<f64> {
        jacobi(self.diagonal())
    }

    /// Gershgorin bounds `(lo, hi)` on the eigenvalues:
    /// `lo = minᵢ (Hᵢᵢ − Σ_{j≠i} |Hᵢⱼ|)`, `hi = maxᵢ (Hᵢᵢ + Σ_{j≠i} |Hᵢⱼ|)`.
    pub fn gershgorin(&self) -> (f64, f64) {
        let n = self.dim();
        let mut off = vec![0.0; n];
        let mut diagonal = vec![0.0; n];
        let mut visit = |i: usize, j: usize, v: f64| {
            if i == j {
                diagonal[i] = v;
            } else {
                off[i] += v.abs();
            }
        };
        match self {
            Hessian::Dense(h) => (0..n * n).for_each(|k| visit(k / n, k % n, h[k])),
            Hessian::Sparse(h) => h.triplets().for_each(|(i, j, v)| visit(i, j, v)),
        }
        (0..n).fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), i| {
            (lo.min(diagonal[i] - off[i]), hi.max(diagonal[i] + off[i]))
        })
    }

    /// The principal submatrix of the rows and columns `keep` (sorted, distinct), in the same
    /// form (a sparse H stays sparse: a reduced Newton system at large n).
    pub fn submatrix(&self, keep: &[usize]) -> Hessian {
        let n = self.dim();
        match self {
            Hessian::Dense(h) => Hessian::Dense(
                keep.iter()
                    .flat_map(|&i| keep.iter().map(move |&j| h[i * n + j]))
                    .collect(),
            ),
            Hessian::Sparse(h) => {
                let mut index = vec![usize::MAX; n];
                for (k, &i) in keep.iter().enumerate() {
                    index[i] = k;
                }
                let (cp, ri, v) = (h.col_ptr(), h.row_indices(), h.values());
                let mut col_ptr = vec![0];
                let (mut rows, mut values) = (Vec::new(), Vec::new());
                for &j in keep {
                    for k in cp[j]..cp[j + 1] {
                        if index[ri[k]] != usize::MAX {
                            rows.push(index[ri[k]]);
                            values.push(v[k]);
                        }
                    }
                    col_ptr.push(rows.len());
                }
                Hessian::Sparse(SparseMatrix::from_csc(keep.len(), col_ptr, rows, values))
            }
        }
    }

    /// `S H S` with `S = diag(s)`.
    pub fn scaled(mut self, s: &[f64]) -> Hessian {
        let n = self.dim();
        match &mut self {
            Hessian::Dense(h) => {
                for (k, v) in h.iter_mut().enumerate() {
                    *v *= s[k / n] * s[k % n];
                }
            }
            Hessian::Sparse(h) => {
                let values = h.triplets().map(|(i, j, v)| v * s[i] * s[j]).collect();
                *h = SparseMatrix::from_csc(
                    n,
                    h.col_ptr().to_vec(),
                    h.row_indices().to_vec(),
                    values,
                );
            }
        }
        self
    }

    /// The Frobenius norm `√(Σ Hᵢⱼ²)`.
    pub fn frobenius_norm(&self) -> f64 {
        self.entries().iter().map(|v| v * v).sum::<f64>().sqrt()
    }
}
