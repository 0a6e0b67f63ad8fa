//! The secant method on f': Newton with f'' replaced by a difference quotient of f'.

use crate::driver::{minimize_methods, settings_builders, Method, Outcome, Settings};
use crate::error::Error;
use crate::objective::{Halt, Need, Objective, Point, Problem};
use crate::solution::Termination;

/// The secant method for `f'(x) = 0`:
///
/// `x_{k+1} = x_k − f'(x_k) (x_k − x_{k−1}) / (f'(x_k) − f'(x_{k−1}))`.
///
/// Only first derivatives are used; convergence is superlinear with order
/// `φ = (1 + √5)/2 ≈ 1.618`: `e_{k+1} ≈ C e_k e_{k−1}`. The point before `x0` is
/// `x0 − h` with `h = initial_step · max(1, |x0|)` (default `initial_step = 1e-3`).
/// A zero or non-finite difference quotient stops with `Termination::Singular`.
///
/// ```
/// use curvature_optim::{Secant, Univariate};
/// struct F; // f(x) = x² − ln x, minimizer 1/√2.
/// impl Univariate for F {
///     fn derivatives(&self, x: f64) -> (f64, f64, f64) {
///         (x * x - x.ln(), 2.0 * x - 1.0 / x, 2.0 + 1.0 / (x * x))
///     }
/// }
/// let s = Secant::new().minimize(F, 1.0).unwrap();
/// assert!((s.x[0] - 0.5f64.sqrt()).abs() < 1e-8);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Secant {
    settings: Settings,
    initial_step: f64,
}

impl Default for Secant {
    fn default() -> Self {
        Secant {
            settings: Settings::new(100),
            initial_step: 1e-3,
        }
    }
}

impl Secant {
    /// Defaults: 100 iterations, `|f'| ≤ 1e-8`, relative initial step 1e-3.
    pub fn new() -> Self {
        Self::default()
    }

    /// Relative offset of the auxiliary point `x0 − h`, `h = step · max(1, |x0|)`.
    pub fn initial_step(mut self, step: f64) -> Self {
        self.initial_step = step;
        self
    }

    settings_builders!();
    minimize_methods!(Univariate, f64, crate::univariate::run_univariate);

    fn method(&self) -> SecantStep {
        SecantStep {
            initial_step: self.initial_step,
            previous: None,
        }
    }
}

struct SecantStep {
    initial_step: f64,
    /// `(x_{k−1}, f'(x_{k−1}))`.
    previous: Option<(f64, f64)>,
}

impl Method for SecantStep {
    fn name(&self) -> &'static str {
        "secant"
    }

    fn need(&self) -> Need {
        Need::Gradient
    }

    fn validate(&self) -> Result<(), Error> {
        if self.initial_step > 0.0 && self.initial_step.is_finite() {
            Ok(())
        } else {
            Err(Error::InvalidOption(format!(
                "initial_step must be finite and > 0, got {}",
                self.initial_step
            )))
        }
    }

    fn start<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        x0: Vec<f64>,
    ) -> Result<Point, Halt> {
        let before = x0[0] - self.initial_step * x0[0].abs().max(1.0);
        let (_, g) = problem.gradient(&[before])?;
        self.previous = Some((before, g[0]));
        problem.point(x0, Need::Gradient)
    }

    fn step<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        at: &Point,
    ) -> Result<Outcome, Halt> {
        let (x, d) = (at.x[0], at.g[0]);
        let (x_prev, d_prev) = self.previous.expect("start sets the previous point");
        let slope = (d - d_prev) / (x - x_prev);
        if !(slope != 0.0 && slope.is_finite()) {
            return Ok(Outcome::stop(Termination::Singular));
        }
        self.previous = Some((x, d));
        let next = problem.point(vec![x - d / slope], Need::Gradient)?;
        Ok(Outcome::moved(next, 1.0))
    }
}
