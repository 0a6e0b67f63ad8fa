//! What a least-squares solver returns: the crate's [`Solution`] plus the statistics a
//! curve-fitting user needs (residuals, RSS, parameter covariance, standard errors).

use std::ops::Deref;
use std::time::Duration;

use crate::identifiability::{correlation, factor, identifiability, Identifiability, NoCovariance};
use crate::qr::PivotedQr;
use crate::reduce::max_norm;
use crate::solution::{Evaluations, Iteration, Solution, Termination};
use crate::Matrix;

/// The result of [`LeastSquares`](crate::LeastSquares) or
/// [`GaussNewton`](crate::GaussNewton): a [`Solution`] (reached through `Deref`, so
/// `fit.x`, `fit.termination`, `fit.converged()` work) and the fit statistics at `x`.
///
/// With m residuals, n parameters, `RSS = ‖r(x)‖²` and J the Jacobian at x:
///
/// * `solution.f = ½ RSS`, `solution.gradient = Jᵀr`;
/// * `sigma2 = σ̂² = RSS / (m − n)` (needs m > n);
/// * `covariance = σ̂² (JᵀJ)⁻¹`, computed from the pivoted QR `J P = Q R` as
///   `σ̂² P R⁻¹ R⁻ᵀ Pᵀ` (JᵀJ is never formed or inverted); `None` when m ≤ n or J is
///   numerically rank deficient (`|Rₖₖ| ≤ 100 ε n |R₀₀|`), with the reason in
///   `no_covariance`;
/// * `standard_errors[j] = √covariance[(j, j)]` — what NIST certifies as the parameters'
///   "standard deviations";
/// * `correlation[(i, j)] = covariance[(i, j)] / (se[i] se[j])`;
/// * `identifiability`: the numerical rank of J and the parameters it does not determine.
///
/// `Display` prints a report with the parameter table (see [`Solution`]'s).
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::LeastSquares;
///
/// // A straight line y = a + b t through (0, 1), (1, 2.9), (2, 5.1): m = 3, n = 2.
/// let (t, y) = ([0.0, 1.0, 2.0], [1.0, 2.9, 5.1]);
/// let r = |p: &[Var]| -> Vec<Var> { (0..3).map(|i| p[0] + p[1] * t[i] - y[i]).collect() };
/// let fit = LeastSquares::new().minimize(r, &[0.0, 0.0]).unwrap();
/// // Ordinary least squares: b = 2.05, a = 0.95, RSS = 0.015, σ̂² = RSS / (3 − 2).
/// assert!((fit.x[1] - 2.05).abs() < 1e-12 && (fit.x[0] - 0.95).abs() < 1e-12);
/// assert!((fit.rss - 0.015).abs() < 1e-12 && (fit.sigma2.unwrap() - 0.015).abs() < 1e-12);
/// // (JᵀJ)⁻¹ = [[5, −3], [−3, 3]] / 6, so se(b) = √(0.015 · 3/6).
/// let se = fit.standard_errors.as_ref().unwrap();
/// assert!((se[1] - (0.015f64 * 0.5).sqrt()).abs() < 1e-12);
/// assert_eq!(fit.f, 0.5 * fit.rss); // the Solution fields, through Deref
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Fit {
    /// Point, objective `½‖r‖²`, gradient `Jᵀr`, iterations, evaluations, termination.
    pub solution: Solution,
    /// r(x), the residuals at the solution.
    pub residuals: Vec<f64>,
    /// The residual sum of squares `‖r(x)‖²`.
    pub rss: f64,
    /// `‖r(x)‖₂ = √RSS`, computed without overflow (finite even where RSS overflows).
    pub residual_norm: f64,
    /// The residual variance estimate `RSS / (m − n)`; `None` unless m > n.
    pub sigma2: Option<f64>,
    /// The parameter covariance estimate `σ̂² (JᵀJ)⁻¹` (n × n); see the type docs.
    pub covariance: Option<Matrix>,
    /// Standard errors of the parameters, `√diag(covariance)`.
    pub standard_errors: Option<Vec<f64>>,
    /// The parameter correlation matrix `Cᵢⱼ / √(Cᵢᵢ Cⱼⱼ)` of the covariance C.
    pub correlation: Option<Matrix>,
    /// Why `covariance` (and with it the standard errors and correlations) is `None`.
    pub no_covariance: Option<NoCovariance>,
    /// Rank of J at the solution and the parameters it leaves undetermined; `None` when no
    /// finite Jacobian is available there.
    pub identifiability: Option<Identifiability>,
}

impl Fit {
    /// The parameters that ended on a bound (empty for unbounded fits; see
    /// [`Solution::bounds`]). **Their standard errors and covariance entries are not
    /// meaningful**: the covariance `σ̂² (JᵀJ)⁻¹` assumes an interior minimizer, where small
    /// changes of the data move the estimate both ways; a parameter held by its bound does
    /// not move like that.
    ///
    /// ```
    /// use curvature_ad::Var;
    /// use curvature_optim::{Bounds, LeastSquares};
    /// // Fit y = a + b t to (0, 1), (1, 0.9), (2, 0.7) with b ≥ 0: the slope wants to be
    /// // negative, so b = 0 and a = mean(y) = 2.6/3.
    /// let r = |p: &[Var]| vec![p[0] - 1.0, p[0] + p[1] - 0.9, p[0] + 2.0 * p[1] - 0.7];
    /// let bounds = Bounds::new(vec![f64::NEG_INFINITY, 0.0], vec![f64::INFINITY; 2]).unwrap();
    /// let fit = LeastSquares::new().bounds(bounds).minimize(r, &[0.0, 1.0]).unwrap();
    /// assert_eq!(fit.at_bounds(), vec![1]); // se(b) is not meaningful
    /// assert!((fit.x[0] - 2.6 / 3.0).abs() < 1e-12 && fit.x[1] == 0.0);
    /// ```
    pub fn at_bounds(&self) -> Vec<usize> {
        self.solution
            .bounds
            .as_ref()
            .map_or_else(Vec::new, |b| b.active())
    }
}

impl Deref for Fit {
    type Target = Solution;
    fn deref(&self) -> &Solution {
        &self.solution
    }
}

/// Everything known at the end of a run, from which [`Fit`] is assembled.
pub(crate) struct Final {
    pub x: Vec<f64>,
    pub r: Vec<f64>,
    /// Row-major m × n Jacobian at x, when it could be evaluated (and is finite).
    pub jacobian: Option<Matrix>,
    pub iterations: usize,
    pub evaluations: Evaluations,
    pub termination: Termination,
    pub history: History,
    pub method: &'static str,
    pub elapsed: Duration,
}

/// The optional per-iteration history of a least-squares run. Rows are pushed when a step
/// is decided; `‖∇f‖∞ = ‖Jᵀr‖∞` at a new point is known only once J is evaluated there, so
/// such rows hold NaN until [`History::gradient`] (or the end of the run) fills them in.
pub(crate) struct History(Option<Vec<Iteration>>);

impl History {
    pub fn new(on: bool) -> Self {
        History(on.then(Vec::new))
    }

    /// Appends a row; `gradient_norm: None` when not yet known.
    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        iteration: usize,
        x: &[f64],
        residual_norm: f64,
        gradient_norm: Option<f64>,
        step_norm: f64,
        alpha: f64,
        damping: Option<f64>,
        accepted: bool,
    ) {
        if let Some(rows) = &mut self.0 {
            rows.push(Iteration {
                iteration,
                x: x.to_vec(),
                f: 0.5 * residual_norm * residual_norm,
                gradient_norm: gradient_norm.unwrap_or(f64::NAN),
                step_norm,
                alpha,
                damping,
                inner_iterations: None,
                radius: None,
                ratio: None,
                accepted,
            });
        }
    }

    /// Fills in `‖∇f‖∞` at the current point for the trailing rows still missing it.
    pub fn gradient(&mut self, gradient_norm: f64) {
        if let Some(rows) = &mut self.0 {
            for row in rows.iter_mut().rev() {
                if !row.gradient_norm.is_nan() {
                    break;
                }
                row.gradient_norm = gradient_norm;
            }
        }
    }
}

/// `‖Jᵀr‖∞`, the gradient norm of ½‖r‖².
pub(crate) fn gradient_norm(j: &Matrix, r: &[f64]) -> f64 {
    let g: Vec<f64> = (0..j.ncols())
        .map(|c| (0..j.nrows()).map(|i| j[(i, c)] * r[i]).sum())
        .collect();
    max_norm(&g)
}

impl Final {
    pub fn into_fit(self) -> Fit {
        let n = self.x.len();
        let m = self.r.len();
        let rss: f64 = self.r.iter().map(|v| v * v).sum();
        let gradient = match &self.jacobian {
            Some(j) => (0..n)
                .map(|c| (0..m).map(|i| j[(i, c)] * self.r[i]).sum())
                .collect(),
            None => vec![f64::NAN; n],
        };
        let sigma2 = (m > n && rss.is_finite()).then(|| rss / (m - n) as f64);
        let qr = self.jacobian.as_ref().and_then(factor);
        let identifiability = self
            .jacobian
            .as_ref()
            .zip(qr.as_ref())
            .map(|(j, qr)| identifiability(j, qr));
        let no_covariance = match (&identifiability, sigma2) {
            (None, _) => Some(NoCovariance::NonFinite),
            _ if m <= n => Some(NoCovariance::TooFewResiduals {
                residuals: m,
                parameters: n,
            }),
            (_, None) => Some(NoCovariance::NonFinite),
            (Some(id), _) if id.rank < n => Some(NoCovariance::RankDeficient {
                rank: id.rank,
                parameters: n,
            }),
            _ => None,
        };
        let covariance = match (no_covariance.is_none(), &qr, sigma2) {
            (true, Some(qr), Some(s)) => {
                let c = unscaled_covariance(qr);
                Some(Matrix::from_fn(n, n, |p, q| s * c[(p, q)]))
            }
            _ => None,
        };
        let mut history = self.history;
        if self.jacobian.is_some() {
            history.gradient(max_norm(&gradient));
        }
        let standard_errors = covariance
            .as_ref()
            .map(|c| (0..n).map(|j| c[(j, j)].sqrt()).collect());
        Fit {
            solution: Solution {
                method: self.method.to_string(),
                elapsed: self.elapsed,
                x: self.x,
                f: 0.5 * rss,
                gradient_norm: max_norm(&gradient),
                gradient,
                iterations: self.iterations,
                evaluations: self.evaluations,
                termination: self.termination,
                skipped_updates: 0,
                inner_iterations: 0,
                history: history.0,
                bounds: None,
            },
            residual_norm: crate::qr::norm(&self.r),
            residuals: self.r,
            rss,
            sigma2,
            correlation: covariance.as_ref().map(correlation),
            covariance,
            standard_errors,
            no_covariance,
            identifiability,
        }
    }
}

/// `(JᵀJ)⁻¹ = P R⁻¹ R⁻ᵀ Pᵀ` from the pivoted QR of a J of full column rank.
fn unscaled_covariance(qr: &PivotedQr) -> Matrix {
    let r = qr.r();
    let n = qr.ipvt.len();
    // R⁻¹ (upper triangular), column by column.
    let mut inv = vec![0.0; n * n];
    for c in 0..n {
        for i in (0..=c).rev() {
            let e = if i == c { 1.0 } else { 0.0 };
            let s: f64 = (i + 1..=c).map(|k| r[i + k * n] * inv[k + c * n]).sum();
            inv[i + c * n] = (e - s) / r[i + i * n];
        }
    }
    // (R⁻¹R⁻ᵀ)[p][q] = Σ_k R⁻¹[p][k] R⁻¹[q][k], then undo the permutation.
    let mut cov = Matrix::zeros(n, n);
    for p in 0..n {
        for q in 0..n {
            let s: f64 = (p.max(q)..n).map(|k| inv[p + k * n] * inv[q + k * n]).sum();
            cov[(qr.ipvt[p], qr.ipvt[q])] = s;
        }
    }
    cov
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covariance_of_a_line_fit() {
        // J for y = a + b t at t = 0, 1, 2: JᵀJ = [[3, 3], [3, 5]], inverse [[5, −3], [−3, 3]]/6.
        let j = Matrix::from_row_major(3, 2, vec![1.0, 0.0, 1.0, 1.0, 1.0, 2.0]);
        let c = unscaled_covariance(&factor(&j).unwrap());
        let expected = [5.0 / 6.0, -0.5, -0.5, 0.5];
        for (a, b) in c.as_slice().iter().zip(expected) {
            assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        }
        let rank_one = Matrix::from_row_major(3, 2, vec![1.0, 2.0, 1.0, 2.0, 1.0, 2.0]);
        let qr = factor(&rank_one).unwrap();
        assert_eq!(identifiability(&rank_one, &qr).rank, 1);
    }
}
