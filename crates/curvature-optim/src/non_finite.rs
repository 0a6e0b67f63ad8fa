//! Where a NaN or ±∞ came from: which quantity, which entry.

use crate::hessian::Hessian;
use std::fmt;

/// The first entry found NaN or ±∞ in what a solver was given, with its indices.
///
/// A non-finite value at the start point is an [`Error::NonFiniteAtStart`](crate::Error)
/// carrying this; one met later ends the run with
/// [`Termination::NonFinite`](crate::Termination::NonFinite) carrying it. Variables are
/// indexed as in x, residuals as in the vector r(x).
///
/// ```
/// use curvature_optim::NonFiniteEntry;
/// let at = NonFiniteEntry::Jacobian { residual: 4, variable: 1 };
/// assert_eq!(at.to_string(), "Jacobian entry ∂r[4]/∂x[1]");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum NonFiniteEntry {
    /// The objective value f(x).
    Value,
    /// The gradient entry `∂f/∂x[variable]`.
    Gradient {
        /// Index of the variable.
        variable: usize,
    },
    /// The Hessian entry `∂²f/∂x[row]∂x[column]`.
    Hessian {
        /// Row index.
        row: usize,
        /// Column index.
        column: usize,
    },
    /// Entry `index` of a Hessian-vector product ∇²f·v.
    HessianProduct {
        /// Index of the entry.
        index: usize,
    },
    /// The residual `r[residual]`.
    Residual {
        /// Index of the residual.
        residual: usize,
    },
    /// The Jacobian entry `∂r[residual]/∂x[variable]`.
    Jacobian {
        /// Index of the residual (row of J).
        residual: usize,
        /// Index of the variable (column of J).
        variable: usize,
    },
    /// Every residual is finite but `‖r‖` overflows f64.
    ResidualNorm,
    /// Newton's shift τ in `H + τI`: it overflowed before the shifted Hessian became
    /// positive definite (the Hessian itself was finite).
    HessianShift,
}

impl fmt::Display for NonFiniteEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NonFiniteEntry::Value => write!(f, "objective value f(x)"),
            NonFiniteEntry::Gradient { variable } => {
                write!(f, "gradient entry ∂f/∂x[{variable}]")
            }
            NonFiniteEntry::Hessian { row, column } => {
                write!(f, "Hessian entry ∂²f/∂x[{row}]∂x[{column}]")
            }
            NonFiniteEntry::HessianProduct { index } => {
                write!(f, "Hessian-vector product entry [{index}]")
            }
            NonFiniteEntry::Residual { residual } => write!(f, "residual r[{residual}]"),
            NonFiniteEntry::Jacobian { residual, variable } => {
                write!(f, "Jacobian entry ∂r[{residual}]/∂x[{variable}]")
            }
            NonFiniteEntry::ResidualNorm => write!(f, "residual norm ‖r‖ (overflow)"),
            NonFiniteEntry::HessianShift => write!(f, "Newton's Hessian shift τ (overflow)"),
        }
    }
}

/// Index and value of the first non-finite entry of `values`.
pub(crate) fn first_non_finite(values: &[f64]) -> Option<(usize, f64)> {
    values
        .iter()
        .position(|v| !v.is_finite())
        .map(|i| (i, values[i]))
}

/// The first non-finite entry of f, then ∇f, then a row-major n × n Hessian.
pub(crate) fn locate_in_derivatives(
    f: f64,
    g: &[f64],
    hessian: Option<&Hessian>,
) -> Option<(NonFiniteEntry, f64)> {
    if !f.is_finite() {
        return Some((NonFiniteEntry::Value, f));
    }
    if let Some((variable, v)) = first_non_finite(g) {
        return Some((NonFiniteEntry::Gradient { variable }, v));
    }
    let (row, column, v) = hessian?.first_non_finite()?;
    Some((NonFiniteEntry::Hessian { row, column }, v))
}

/// The first non-finite residual, then Jacobian entry (J row-major m × n).
pub(crate) fn locate_in_residuals(
    r: &[f64],
    jacobian: Option<&[f64]>,
    n: usize,
) -> Option<(NonFiniteEntry, f64)> {
    if let Some((residual, v)) = first_non_finite(r) {
        return Some((NonFiniteEntry::Residual { residual }, v));
    }
    first_non_finite(jacobian?).map(|(k, v)| {
        (
            NonFiniteEntry::Jacobian {
                residual: k / n.max(1),
                variable: k % n.max(1),
            },
            v,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_follow_row_major_indexing() {
        // A 2 × 3 Jacobian with its NaN at row-major position 5 = (1, 2).
        let j = [0.0, 1.0, 2.0, 3.0, 4.0, f64::NAN];
        let (at, _) = locate_in_residuals(&[1.0, 2.0], Some(&j), 3).unwrap();
        assert_eq!(
            at,
            NonFiniteEntry::Jacobian {
                residual: 1,
                variable: 2
            }
        );
        let (at, v) = locate_in_residuals(&[1.0, f64::INFINITY], Some(&j), 3).unwrap();
        assert_eq!(
            (at, v),
            (NonFiniteEntry::Residual { residual: 1 }, f64::INFINITY)
        );
        let h = Hessian::Dense(vec![1.0, 0.0, f64::NAN, 1.0]);
        let (at, _) = locate_in_derivatives(1.0, &[0.0, 0.0], Some(&h)).unwrap();
        assert_eq!(at, NonFiniteEntry::Hessian { row: 1, column: 0 });
        assert!(locate_in_derivatives(1.0, &[0.0, 0.0], None).is_none());
    }
}
