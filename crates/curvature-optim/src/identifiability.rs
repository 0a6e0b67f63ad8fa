//! Which parameters the data determine: the numerical rank of the Jacobian at a fit, the
//! parameters it leaves undetermined, and why a covariance could not be given.

use std::fmt;

use crate::qr::{column_major, norm, PivotedQr};
use crate::Matrix;

/// The numerical rank of J and the parameters it does not determine, from the pivoted QR
/// `J P = Q R` at the solution.
///
/// A pivot `Rₖₖ` counts as zero when `|Rₖₖ| ≤ 100 ε n |R₀₀|` (the test the covariance uses,
/// so the two always agree); rank = the number of nonzero pivots. Each parameter the QR sets
/// aside is reported:
///
/// * [`Undetermined::NoEffect`] when its column is numerically zero, `‖J[:, j]‖ ≤ 100 ε n ‖J‖`:
///   the residuals do not depend on it;
/// * [`Undetermined::Collinear`] otherwise: its column is a combination of the kept columns
///   `J[:, j] = Σ zᵢ J[:, pᵢ]` (z from `R₁₁ z = R₁₂`), and `with` lists the `pᵢ` that
///   contribute (`|zᵢ| ‖J[:, pᵢ]‖ > √ε ‖J[:, j]‖`). Only the combination is determined; which
///   member of a collinear group is set aside is the QR's choice.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::{LeastSquares, Undetermined};
/// // y = (a + b) t + c: only a + b is determined.
/// let (t, y) = ([0.0, 1.0, 2.0, 3.0], [1.0, 3.1, 4.9, 7.0]);
/// let r = |p: &[Var]| -> Vec<Var> { (0..4).map(|i| (p[0] + p[1]) * t[i] + p[2] - y[i]).collect() };
/// let fit = LeastSquares::new().minimize(r, &[1.0, 1.0, 0.0]).unwrap();
/// let id = fit.identifiability.as_ref().unwrap();
/// assert_eq!(id.rank, 2);
/// assert_eq!(id.undetermined, vec![Undetermined::Collinear { parameter: 1, with: vec![0] }]);
/// assert!(fit.standard_errors.is_none());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Identifiability {
    /// Numerical rank of the m × n Jacobian at the solution (≤ min(m, n)).
    pub rank: usize,
    /// The parameters set aside, one per missing rank (n − rank of them), in pivot order.
    pub undetermined: Vec<Undetermined>,
}

/// A parameter the Jacobian does not determine (see [`Identifiability`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Undetermined {
    /// The residuals do not depend on this parameter: its Jacobian column is zero.
    NoEffect {
        /// Index of the parameter.
        parameter: usize,
    },
    /// This parameter's column is a linear combination of the columns of `with`.
    Collinear {
        /// Index of the parameter.
        parameter: usize,
        /// The parameters it is collinear with.
        with: Vec<usize>,
    },
}

/// Why a [`Fit`](crate::Fit) has no covariance (and so no standard errors or correlations).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum NoCovariance {
    /// `m ≤ n`: no degrees of freedom left to estimate the residual variance.
    TooFewResiduals {
        /// m.
        residuals: usize,
        /// n.
        parameters: usize,
    },
    /// J is rank deficient at the solution: `(JᵀJ)⁻¹` does not exist (see
    /// [`Fit::identifiability`](crate::Fit::identifiability) for the parameters).
    RankDeficient {
        /// Numerical rank of J.
        rank: usize,
        /// n.
        parameters: usize,
    },
    /// No finite Jacobian or residual sum of squares at the solution.
    NonFinite,
}

impl fmt::Display for NoCovariance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoCovariance::TooFewResiduals {
                residuals,
                parameters,
            } => write!(
                f,
                "{residuals} residuals for {parameters} parameters leave no degrees of freedom"
            ),
            NoCovariance::RankDeficient { rank, parameters } => write!(
                f,
                "the Jacobian has rank {rank} < {parameters}: some parameters are not determined"
            ),
            NoCovariance::NonFinite => write!(f, "no finite Jacobian at the solution"),
        }
    }
}

impl fmt::Display for Undetermined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undetermined::NoEffect { parameter } => {
                write!(f, "x[{parameter}] has no effect on the residuals")
            }
            Undetermined::Collinear { parameter, with } => {
                let with: Vec<String> = with.iter().map(|p| format!("x[{p}]")).collect();
                write!(
                    f,
                    "x[{parameter}] is collinear with {} (only a combination is determined)",
                    with.join(", ")
                )
            }
        }
    }
}

/// The pivot tolerance `100 ε n |R₀₀|` below which a diagonal entry of R counts as zero.
pub(crate) fn pivot_tolerance(r00: f64, n: usize) -> f64 {
    100.0 * f64::EPSILON * n as f64 * r00.abs()
}

/// The pivoted QR of J (padded with zero rows to at least n rows, which changes neither the
/// rank nor R), or `None` for a non-finite J.
pub(crate) fn factor(j: &Matrix) -> Option<PivotedQr> {
    if j.as_slice().iter().any(|v| !v.is_finite()) {
        return None;
    }
    let n = j.ncols();
    let rows = j.nrows().max(n);
    Some(PivotedQr::new(column_major(j, rows), rows, n))
}

/// Rank and undetermined parameters from the QR of J.
pub(crate) fn identifiability(j: &Matrix, qr: &PivotedQr) -> Identifiability {
    let n = j.ncols();
    let r = qr.r();
    let tol = pivot_tolerance(r.first().copied().unwrap_or(0.0), n);
    let rank = (0..n).filter(|&k| r[k + k * n].abs() > tol).count();
    let column_norm = |c: usize| norm(&(0..j.nrows()).map(|i| j[(i, c)]).collect::<Vec<f64>>());
    let undetermined = (rank..n)
        .map(|k| {
            let parameter = qr.ipvt[k];
            let own = column_norm(parameter);
            if own <= tol {
                return Undetermined::NoEffect { parameter };
            }
            // R₁₁ z = R[0..rank, k] by back substitution.
            let mut z = vec![0.0; rank];
            for i in (0..rank).rev() {
                let s: f64 = (i + 1..rank).map(|l| r[i + l * n] * z[l]).sum();
                z[i] = (r[i + k * n] - s) / r[i + i * n];
            }
            let mut with: Vec<usize> = (0..rank)
                .filter(|&i| z[i].abs() * column_norm(qr.ipvt[i]) > f64::EPSILON.sqrt() * own)
                .map(|i| qr.ipvt[i])
                .collect();
            with.sort_unstable();
            Undetermined::Collinear { parameter, with }
        })
        .collect();
    Identifiability { rank, undetermined }
}

/// `Cᵢⱼ / √(Cᵢᵢ Cⱼⱼ)`, the correlation matrix of a covariance C (1 on the diagonal).
pub(crate) fn correlation(c: &Matrix) -> Matrix {
    let n = c.nrows();
    Matrix::from_fn(n, n, |i, j| {
        if i == j {
            1.0
        } else {
            c[(i, j)] / (c[(i, i)] * c[(j, j)]).sqrt()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyze(m: usize, n: usize, j: Vec<f64>) -> Identifiability {
        let j = Matrix::from_row_major(m, n, j);
        identifiability(&j, &factor(&j).unwrap())
    }

    #[test]
    fn full_rank_has_nothing_undetermined() {
        let id = analyze(3, 2, vec![1.0, 0.0, 1.0, 1.0, 1.0, 2.0]);
        assert_eq!((id.rank, id.undetermined), (2, vec![]));
    }

    #[test]
    fn zero_column_has_no_effect() {
        // Column 1 is zero.
        let id = analyze(3, 3, vec![1.0, 0.0, 2.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0]);
        assert_eq!(id.rank, 2);
        assert_eq!(
            id.undetermined,
            vec![Undetermined::NoEffect { parameter: 1 }]
        );
    }

    #[test]
    fn combination_of_two_columns_is_collinear_with_both() {
        // Column 2 = column 0 − 3·column 1 exactly (small integers), column 0 the largest.
        let rows = [[5.0, 1.0], [4.0, 0.0], [3.0, 1.0], [6.0, 2.0]];
        let j: Vec<f64> = rows
            .iter()
            .flat_map(|&[a, b]| [a, b, a - 3.0 * b])
            .collect();
        let id = analyze(4, 3, j);
        assert_eq!(id.rank, 2);
        assert_eq!(id.undetermined.len(), 1);
        let Undetermined::Collinear { parameter, with } = &id.undetermined[0] else {
            panic!("{id:?}");
        };
        // Whichever column is set aside, it is a combination of the other two.
        let mut all = with.clone();
        all.push(*parameter);
        all.sort_unstable();
        assert_eq!(all, vec![0, 1, 2]);
    }

    #[test]
    fn fewer_rows_than_columns_bound_the_rank() {
        let id = analyze(1, 3, vec![1.0, 2.0, 0.0]);
        assert_eq!(id.rank, 1);
        assert_eq!(id.undetermined.len(), 2);
        assert!(id
            .undetermined
            .contains(&Undetermined::NoEffect { parameter: 2 }));
    }

    #[test]
    fn correlation_of_a_line_fit() {
        // (JᵀJ)⁻¹ = [[5, −3], [−3, 3]]/6: correlation −3/√15.
        let c = Matrix::from_row_major(2, 2, vec![5.0 / 6.0, -0.5, -0.5, 0.5]);
        let r = correlation(&c);
        assert!((r[(0, 1)] + 3.0 / 15f64.sqrt()).abs() < 1e-15);
        assert_eq!((r[(0, 0)], r[(1, 1)]), (1.0, 1.0));
    }
}
