//! Univariate Newton: `x_{k+1} = x_k − f'(x_k)/f''(x_k)`.

use crate::driver::{minimize_methods, settings_builders, Settings};
use crate::newton::{Newton, NewtonStep};

/// Newton's method in one variable, `x_{k+1} = x_k − f'(x_k)/f''(x_k)`, with f' and f'' exact
/// (nested duals). Near a minimizer with `f'' ≠ 0` the error squares each step:
/// `e_{k+1} ≈ (f'''/2f'') e_k²`. No safeguard: `f'' < 0` steps toward a maximum, and
/// `f'' = 0` stops with `Termination::Singular`. This is the n-dimensional pure Newton step
/// in one dimension.
///
/// ```
/// use curvature_optim::{Newton1d, Univariate};
/// // f(x) = x² − ln x: f' = 2x − 1/x, f'' = 2 + 1/x²; minimizer 1/√2.
/// struct F;
/// impl Univariate for F {
///     fn derivatives(&self, x: f64) -> (f64, f64, f64) {
///         (x * x - x.ln(), 2.0 * x - 1.0 / x, 2.0 + 1.0 / (x * x))
///     }
/// }
/// let s = Newton1d::new().minimize(F, 1.0).unwrap();
/// assert!((s.x[0] - 0.5f64.sqrt()).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Newton1d {
    settings: Settings,
}

impl Default for Newton1d {
    fn default() -> Self {
        Newton1d {
            settings: Settings::new(100),
        }
    }
}

impl Newton1d {
    /// Defaults: 100 iterations, `|f'| ≤ 1e-8`.
    pub fn new() -> Self {
        Self::default()
    }

    settings_builders!();
    minimize_methods!(Univariate, f64, crate::univariate::run_univariate);

    fn method(&self) -> NewtonStep {
        NewtonStep {
            name: "Newton (univariate)",
            ..Newton::new().pure().method()
        }
    }
}
