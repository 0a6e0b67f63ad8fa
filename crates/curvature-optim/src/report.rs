//! Reports a person reads: `Display` for [`Termination`], [`Solution`] and [`Fit`], in the
//! manner of Ceres' brief report and scipy's `OptimizeResult`.
//!
//! ```text
//! BFGS: converged: the gradient is below its tolerance
//!   iterations     36
//!   evaluations    51 of f and ∇f
//!   f              7.522064929235e-22
//!   ‖∇f‖∞          9.86e-10
//!   time           38.227µs
//!   x              [1.000000000011e0, 1.000000000024e0]
//! ```

use std::fmt::{self, Display, Formatter};

use crate::fit::Fit;
use crate::line_search::LineSearchFailure;
use crate::solution::{Evaluations, Solution, Termination};

impl Display for LineSearchFailure {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LineSearchFailure::NotDescent => "the search direction does not descend",
            LineSearchFailure::MaxTrials => "no acceptable step within the trial limit",
            LineSearchFailure::IntervalTooSmall => {
                "the step interval shrank below round-off without an acceptable step"
            }
            LineSearchFailure::NonPositiveCurvature => "non-positive curvature along the direction",
        })
    }
}

/// Why the run stopped, in words (prefixed by "converged: " for converged stops).
///
/// ```
/// use curvature_optim::{NonFiniteEntry, Termination};
/// assert_eq!(
///     Termination::PrecisionLimit.to_string(),
///     "converged: no further progress possible at machine precision"
/// );
/// assert_eq!(
///     Termination::NonFinite(NonFiniteEntry::Gradient { variable: 2 }).to_string(),
///     "stopped: the gradient entry ∂f/∂x[2] was NaN or infinite at a trial point"
/// );
/// ```
impl Display for Termination {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.converged() {
            "converged: "
        } else {
            "stopped: "
        })?;
        match self {
            Termination::GradientTolerance => f.write_str("the gradient is below its tolerance"),
            Termination::FunctionTolerance => {
                f.write_str("f changes by less than its tolerance from one step to the next")
            }
            Termination::StepTolerance => f.write_str("the step is below its tolerance"),
            Termination::PrecisionLimit => {
                f.write_str("no further progress possible at machine precision")
            }
            Termination::MaxIterations => f.write_str("iteration limit reached"),
            Termination::MaxEvaluations => f.write_str("evaluation limit reached"),
            Termination::LineSearchFailed(why) => write!(f, "line search failed: {why}"),
            Termination::NonFinite(entry) => {
                write!(f, "the {entry} was NaN or infinite at a trial point")
            }
            Termination::Singular => {
                f.write_str("the local model is singular (no unique stationary point)")
            }
            Termination::DampingLimit => {
                f.write_str("the damping reached its limit without lowering f")
            }
            Termination::Stopped => f.write_str("stopped by the observer"),
            Termination::RadiusCollapsed => f.write_str(
                "the trust radius fell below the precision of x while the gradient is not small",
            ),
        }
    }
}

/// Writes one labelled row of a report.
fn row(f: &mut Formatter<'_>, label: &str, value: impl Display) -> fmt::Result {
    writeln!(f, "  {label:<14} {value}")
}

/// The nonzero evaluation counts, each named for what was evaluated.
fn evaluations(counts: &Evaluations, names: [&str; 4]) -> String {
    let parts: Vec<String> = [counts.value, counts.gradient, counts.hessian, counts.hvp]
        .into_iter()
        .zip(names)
        .filter(|(count, _)| *count > 0)
        .map(|(count, name)| format!("{count} {name}"))
        .collect();
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    }
}

/// A compact report: method and why it stopped, iterations, evaluations (of f; of f and ∇f;
/// of f, ∇f and ∇²f; Hessian-vector products), the inner solver's iterations when there is
/// one (CG iterations, factorizations; see [`Solution::inner_iterations`]), f, ‖∇f‖∞, time,
/// and the point for n ≤ 10.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::Newton;
/// let s = Newton::new().minimize(|x: &[Var]| (x[0] - 1.0) * (x[0] - 1.0) + x[1] * x[1], &[3.0, 4.0]).unwrap();
/// let report = s.to_string();
/// assert!(report.starts_with("Newton: converged: the gradient is below its tolerance\n"));
/// assert!(report.contains("  iterations     1\n"));
/// let counted = format!("{} of f, ∇f and ∇²f", s.evaluations.hessian);
/// assert!(report.contains(&counted));
/// ```
impl Display for Solution {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.method, self.termination)?;
        row(f, "iterations", self.iterations)?;
        row(
            f,
            "evaluations",
            evaluations(
                &self.evaluations,
                [
                    "of f",
                    "of f and ∇f",
                    "of f, ∇f and ∇²f",
                    "Hessian-vector products",
                ],
            ),
        )?;
        if self.skipped_updates > 0 {
            row(f, "skipped updates", self.skipped_updates)?;
        }
        if self.inner_iterations > 0 {
            row(f, "inner iter.", self.inner_iterations)?;
        }
        row(f, "f", format_args!("{:.12e}", self.f))?;
        row(f, "‖∇f‖∞", format_args!("{:.2e}", self.gradient_norm))?;
        row(f, "time", format_args!("{:.3?}", self.elapsed))?;
        if self.x.len() <= 10 {
            let x: Vec<String> = self.x.iter().map(|v| format!("{v:.12e}")).collect();
            row(f, "x", format_args!("[{}]", x.join(", ")))?;
        }
        Ok(())
    }
}

/// A fit report: method and why it stopped, iterations, residual and Jacobian evaluations,
/// RSS, σ̂², ‖Jᵀr‖∞, the Jacobian's rank, time, and the parameter table with standard errors
/// (or the reason they are missing, and the undetermined parameters).
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::LeastSquares;
/// let (t, y) = ([0.0, 1.0, 2.0], [1.0, 2.9, 5.1]);
/// let r = |p: &[Var]| -> Vec<Var> { (0..3).map(|i| p[0] + p[1] * t[i] - y[i]).collect() };
/// let fit = LeastSquares::new().minimize(r, &[0.0, 0.0]).unwrap();
/// let report = fit.to_string();
/// assert!(report.starts_with("Levenberg-Marquardt (least squares): converged"));
/// assert!(report.contains("residual, ") && report.contains(" Jacobian\n"));
/// assert!(report.contains("  x[1]     2.050000000000e0  ± 8.660e-2\n")); // √(0.015/2)
/// ```
impl Display for Fit {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let s = &self.solution;
        let (m, n) = (self.residuals.len(), s.x.len());
        writeln!(f, "{}: {}", s.method, s.termination)?;
        row(f, "iterations", s.iterations)?;
        row(
            f,
            "evaluations",
            evaluations(
                &s.evaluations,
                ["residual", "Jacobian", "Hessian", "Hessian-vector product"],
            ),
        )?;
        row(f, "residuals", format_args!("m = {m}, parameters n = {n}"))?;
        row(f, "RSS = ‖r‖²", format_args!("{:.12e}", self.rss))?;
        if let Some(sigma2) = self.sigma2 {
            row(
                f,
                "σ² estimate",
                format_args!("{sigma2:.6e} = RSS / (m − n)"),
            )?;
        }
        row(f, "‖Jᵀr‖∞", format_args!("{:.2e}", s.gradient_norm))?;
        if let Some(id) = &self.identifiability {
            row(f, "Jacobian rank", format_args!("{} of {n}", id.rank))?;
        }
        row(f, "time", format_args!("{:.3?}", s.elapsed))?;
        writeln!(f)?;
        let width = format!("x[{}]", n.saturating_sub(1)).len();
        for (i, value) in s.x.iter().enumerate() {
            let name = format!("x[{i}]");
            match &self.standard_errors {
                Some(se) => writeln!(f, "  {name:<width$}  {value:>19.12e}  ± {:.3e}", se[i])?,
                None => writeln!(f, "  {name:<width$}  {value:>19.12e}")?,
            }
        }
        if let Some(reason) = &self.no_covariance {
            writeln!(f, "  no standard errors: {reason}")?;
        }
        if let Some(id) = &self.identifiability {
            for u in &id.undetermined {
                writeln!(f, "  not determined: {u}")?;
            }
        }
        Ok(())
    }
}
