//! Householder QR with column pivoting, and the Givens update that adds a diagonal matrix to
//! it: MINPACK's `qrfac` and `qrsolv` (Moré, Garbow, Hillstrom 1980), for the small dense
//! least-squares problems of [`LeastSquares`](crate::LeastSquares).
//!
//! Matrices here are column-major (`a[i + j·m]`): every operation walks columns.

// Index loops mirror MINPACK's Fortran so the code can be checked against it line by line.
#![allow(clippy::needless_range_loop)]

use crate::Matrix;

/// `‖v‖₂` without overflow or destructive underflow: the plain sum of squares when it is in
/// range (the most accurate form), otherwise the sum of squares of `v / max|vᵢ|`.
pub(crate) fn norm(v: &[f64]) -> f64 {
    let s: f64 = v.iter().map(|x| x * x).sum();
    if s.is_finite() && s > 1e-280 || s == 0.0 && v.iter().all(|x| *x == 0.0) {
        return s.sqrt();
    }
    if s.is_nan() {
        // NaN must propagate (`f64::max` would skip it and an all-NaN vector would get 0).
        return f64::NAN;
    }
    let big = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if big == 0.0 || !big.is_finite() {
        return big;
    }
    big * v.iter().map(|x| (x / big) * (x / big)).sum::<f64>().sqrt()
}

/// `A P = Q R` for an m × n matrix with m ≥ n: Householder reflections, the column of largest
/// remaining norm moved to the front at every step (so `|R₀₀| ≥ |R₁₁| ≥ …` and a numerically
/// rank-deficient A shows up as trailing small diagonal entries).
pub(crate) struct PivotedQr {
    m: usize,
    n: usize,
    /// Householder vectors on and below the diagonal; R's strict upper triangle above it.
    a: Vec<f64>,
    /// R's diagonal.
    pub rdiag: Vec<f64>,
    /// Column `j` of `A P` is column `ipvt[j]` of A.
    pub ipvt: Vec<usize>,
}

impl PivotedQr {
    /// Factors the column-major m × n matrix `a` (m ≥ n).
    pub fn new(mut a: Vec<f64>, m: usize, n: usize) -> Self {
        assert!(m >= n && a.len() == m * n, "PivotedQr needs m ≥ n");
        let eps = f64::EPSILON;
        let mut rdiag: Vec<f64> = (0..n).map(|j| norm(&a[j * m..(j + 1) * m])).collect();
        let mut wa = rdiag.clone();
        let mut ipvt: Vec<usize> = (0..n).collect();
        for j in 0..n {
            // Bring the column of largest remaining norm into the pivot position.
            let kmax = (j..n).fold(j, |k, c| if rdiag[c] > rdiag[k] { c } else { k });
            if kmax != j {
                for i in 0..m {
                    a.swap(i + j * m, i + kmax * m);
                }
                rdiag[kmax] = rdiag[j];
                wa[kmax] = wa[j];
                ipvt.swap(j, kmax);
            }
            // The reflection that maps a[j.., j] to a multiple of e_j.
            let mut ajnorm = norm(&a[j + j * m..(j + 1) * m]);
            if ajnorm != 0.0 {
                if a[j + j * m] < 0.0 {
                    ajnorm = -ajnorm;
                }
                for i in j..m {
                    a[i + j * m] /= ajnorm;
                }
                a[j + j * m] += 1.0;
                // Apply it to the remaining columns and downdate their norms.
                for k in j + 1..n {
                    let sum: f64 = (j..m).map(|i| a[i + j * m] * a[i + k * m]).sum();
                    let temp = sum / a[j + j * m];
                    for i in j..m {
                        a[i + k * m] -= temp * a[i + j * m];
                    }
                    if rdiag[k] != 0.0 {
                        let t = a[j + k * m] / rdiag[k];
                        rdiag[k] *= (1.0 - t * t).max(0.0).sqrt();
                        let ratio = rdiag[k] / wa[k];
                        if 0.05 * ratio * ratio <= eps {
                            // Cancellation: recompute the norm from scratch.
                            rdiag[k] = norm(&a[j + 1 + k * m..(k + 1) * m]);
                            wa[k] = rdiag[k];
                        }
                    }
                }
            }
            rdiag[j] = -ajnorm;
        }
        PivotedQr {
            m,
            n,
            a,
            rdiag,
            ipvt,
        }
    }

    /// The first n entries of `Qᵀ b`.
    pub fn qt_mul(&self, b: &[f64]) -> Vec<f64> {
        let (m, n, a) = (self.m, self.n, &self.a);
        let mut w = b.to_vec();
        for j in 0..n {
            let ajj = a[j + j * m];
            if ajj != 0.0 {
                let sum: f64 = (j..m).map(|i| a[i + j * m] * w[i]).sum();
                let temp = -sum / ajj;
                for i in j..m {
                    w[i] += a[i + j * m] * temp;
                }
            }
        }
        w.truncate(n);
        w
    }

    /// R as an n × n column-major matrix (upper triangle; zeros below).
    pub fn r(&self) -> Vec<f64> {
        let (m, n) = (self.m, self.n);
        let mut r = vec![0.0; n * n];
        for j in 0..n {
            for i in 0..j {
                r[i + j * n] = self.a[i + j * m];
            }
            r[j + j * n] = self.rdiag[j];
        }
        r
    }
}

/// Solves `min ‖ [A; D] x − [b; 0] ‖` given `A P = Q R` (R upper triangular n × n in `r`,
/// column-major) and `qtb = Qᵀb` (first n entries), for a diagonal D (`diag`, in A's column
/// order): Givens rotations reduce `[R; Pᵀ D P]` to upper triangular `S`, so that
/// `Pᵀ (AᵀA + D²) P = Sᵀ S`, without ever forming `AᵀA` (MINPACK's `qrsolv`).
///
/// On return the strict lower triangle of `r` holds `Sᵀ`'s strict lower part (R's upper
/// triangle and diagonal are kept) and `sdiag` holds S's diagonal. A singular S gives the
/// least-squares solution that zeroes the trailing components.
pub(crate) fn qr_solve(
    n: usize,
    r: &mut [f64],
    ipvt: &[usize],
    diag: &[f64],
    qtb: &[f64],
    sdiag: &mut [f64],
) -> Vec<f64> {
    let mut x = vec![0.0; n];
    let mut wa = qtb.to_vec();
    // Copy R's upper triangle into the lower one; save R's diagonal in x.
    for j in 0..n {
        for i in j..n {
            r[i + j * n] = r[j + i * n];
        }
        x[j] = r[j + j * n];
    }
    // Eliminate the diagonal matrix D row by row with Givens rotations.
    for j in 0..n {
        let l = ipvt[j];
        if diag[l] != 0.0 {
            for s in sdiag[j..n].iter_mut() {
                *s = 0.0;
            }
            sdiag[j] = diag[l];
            // Only one element of (Qᵀb, 0) beyond the first n is touched, initially zero.
            let mut qtbpj = 0.0;
            for k in j..n {
                if sdiag[k] == 0.0 {
                    continue;
                }
                let rkk = r[k + k * n];
                let (cos, sin) = if rkk.abs() < sdiag[k].abs() {
                    let cotan = rkk / sdiag[k];
                    let sin = 0.5 / (0.25 + 0.25 * cotan * cotan).sqrt();
                    (sin * cotan, sin)
                } else {
                    let tan = sdiag[k] / rkk;
                    let cos = 0.5 / (0.25 + 0.25 * tan * tan).sqrt();
                    (cos, cos * tan)
                };
                r[k + k * n] = cos * rkk + sin * sdiag[k];
                let temp = cos * wa[k] + sin * qtbpj;
                qtbpj = -sin * wa[k] + cos * qtbpj;
                wa[k] = temp;
                for i in k + 1..n {
                    let temp = cos * r[i + k * n] + sin * sdiag[i];
                    sdiag[i] = -sin * r[i + k * n] + cos * sdiag[i];
                    r[i + k * n] = temp;
                }
            }
        }
        // Store S's diagonal element and restore R's.
        sdiag[j] = r[j + j * n];
        r[j + j * n] = x[j];
    }
    // Back substitution with S; a singular S gets the least-squares solution.
    let nsing = sdiag.iter().position(|s| *s == 0.0).unwrap_or(n);
    for w in wa[nsing..n].iter_mut() {
        *w = 0.0;
    }
    for j in (0..nsing).rev() {
        let sum: f64 = (j + 1..nsing).map(|i| r[i + j * n] * wa[i]).sum();
        wa[j] = (wa[j] - sum) / sdiag[j];
    }
    for j in 0..n {
        x[ipvt[j]] = wa[j];
    }
    x
}

/// The column-major, row-padded copy of J that the factorizations work on: m < n gets n − m
/// zero rows (zero residuals), which changes neither `‖r‖` nor the least-squares problem.
pub(crate) fn column_major(j: &Matrix, rows: usize) -> Vec<f64> {
    let (m, n) = (j.nrows(), j.ncols());
    let mut a = vec![0.0; rows * n];
    for c in 0..n {
        for i in 0..m {
            a[i + c * rows] = j[(i, c)];
        }
    }
    a
}

/// The Gauss–Newton step `p = −J⁺r` by pivoted QR (dependent components zeroed), or by
/// Cholesky of JᵀJ when `normal_equations`; `None` for a non-finite J or r.
pub(crate) fn gauss_newton_step(j: &Matrix, r: &[f64], normal_equations: bool) -> Option<Vec<f64>> {
    use crate::lm_parameter::{DampedSolve, NormalEquations, QrSolve};
    if j.as_slice().iter().chain(r).any(|v| !v.is_finite()) {
        return None;
    }
    let n = j.ncols();
    let rows = j.nrows().max(n);
    let a = column_major(j, rows);
    let mut rp = r.to_vec();
    rp.resize(rows, 0.0);
    let (x, _) = if normal_equations {
        NormalEquations::new(&a, rows, n, &rp).gauss_newton()
    } else {
        QrSolve::new(&PivotedQr::new(a, rows, n), &rp).gauss_newton()
    };
    Some(x.iter().map(|v| -v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Column-major 4 × 3 test matrix and a right-hand side.
    fn example() -> (Vec<f64>, Vec<f64>) {
        let a = vec![
            1.0, 2.0, 3.0, 4.0, // column 0
            -1.0, 0.5, 7.0, 2.0, // column 1
            10.0, 0.0, -3.0, 1.0, // column 2
        ];
        (a, vec![1.0, -2.0, 0.5, 3.0])
    }

    fn mul(a: &[f64], m: usize, n: usize, x: &[f64]) -> Vec<f64> {
        (0..m)
            .map(|i| (0..n).map(|j| a[i + j * m] * x[j]).sum())
            .collect()
    }

    #[test]
    fn qr_reproduces_a_and_pivots_by_norm() {
        let (a, _) = example();
        let qr = PivotedQr::new(a.clone(), 4, 3);
        // Column 2 has the largest norm and is chosen first.
        assert_eq!(qr.ipvt[0], 2);
        // RᵀR = (AP)ᵀ(AP).
        let r = qr.r();
        for p in 0..3 {
            for q in 0..3 {
                let rtr: f64 = (0..3).map(|k| r[k + p * 3] * r[k + q * 3]).sum();
                let (cp, cq) = (qr.ipvt[p], qr.ipvt[q]);
                let ata: f64 = (0..4).map(|i| a[i + cp * 4] * a[i + cq * 4]).sum();
                assert!((rtr - ata).abs() < 1e-12 * ata.abs().max(1.0), "{p} {q}");
            }
        }
    }

    #[test]
    fn qr_solve_matches_normal_equations() {
        // (AᵀA + D²) x = Aᵀb checked by its residual.
        let (a, b) = example();
        let (m, n) = (4, 3);
        let qr = PivotedQr::new(a.clone(), m, n);
        let qtb = qr.qt_mul(&b);
        let mut r = qr.r();
        let diag = [0.5, 2.0, 0.0];
        let mut sdiag = vec![0.0; n];
        let x = qr_solve(n, &mut r, &qr.ipvt, &diag, &qtb, &mut sdiag);
        let ax = mul(&a, m, n, &x);
        for j in 0..n {
            let atax: f64 = (0..m).map(|i| a[i + j * m] * ax[i]).sum();
            let atb: f64 = (0..m).map(|i| a[i + j * m] * b[i]).sum();
            let lhs = atax + diag[j] * diag[j] * x[j];
            assert!((lhs - atb).abs() < 1e-12, "row {j}: {lhs} vs {atb}");
        }
    }

    #[test]
    fn norm_survives_extreme_scales() {
        assert!((norm(&[3e200, 4e200]) / 5e200 - 1.0).abs() < 1e-15);
        assert!((norm(&[3e-200, 4e-200]) / 5e-200 - 1.0).abs() < 1e-15);
        assert_eq!(norm(&[0.0, 0.0]), 0.0);
        assert_eq!(norm(&[]), 0.0);
        assert!(norm(&[f64::NAN, f64::NAN]).is_nan() && norm(&[1.0, f64::NAN]).is_nan());
        assert_eq!(norm(&[1.0, f64::INFINITY]), f64::INFINITY);
    }
}
