//! Steepest descent: `x_{k+1} = x_k − α_k ∇f(x_k)`.

use crate::driver::{line_step, minimize_methods, settings_builders, Method, Outcome, Settings};
use crate::line_search::{Backtracking, LineSearch};
use crate::objective::{Halt, Need, Objective, Point, Problem};

/// Gradient descent, `x_{k+1} = x_k − α_k ∇f(x_k)`, with a fixed step α or a line search
/// (default: backtracking Armijo from α = 1).
///
/// Converges linearly with rate `((κ − 1)/(κ + 1))²` on a quadratic of condition number κ,
/// which is why it is slow on Rosenbrock's narrow valley.
///
/// ```
/// use curvature_optim::{GradientDescent, Objective};
/// # use curvature_optim::Matrix;
/// // f(x) = ½(x₀² + x₁²): with α = 1 one step lands on the minimizer 0.
/// struct Half;
/// impl Objective for Half {
///     fn value(&self, x: &[f64]) -> f64 { 0.5 * (x[0] * x[0] + x[1] * x[1]) }
///     fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) { (self.value(x), x.to_vec()) }
/// }
/// let s = GradientDescent::new().step_size(1.0).minimize(Half, &[3.0, -4.0]).unwrap();
/// assert_eq!(s.x, vec![0.0, 0.0]);
/// assert_eq!(s.iterations, 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GradientDescent {
    settings: Settings,
    line_search: LineSearch,
}

impl Default for GradientDescent {
    fn default() -> Self {
        GradientDescent {
            settings: Settings::new(10_000),
            line_search: LineSearch::Backtracking(Backtracking::new()),
        }
    }
}

impl GradientDescent {
    /// Defaults: Armijo backtracking from α = 1, 10 000 iterations, `‖g‖∞ ≤ 1e-8`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fixed step: `x_{k+1} = x_k − α ∇f(x_k)` with no test (may diverge if α is too large).
    pub fn step_size(mut self, alpha: f64) -> Self {
        self.line_search = LineSearch::Fixed(alpha);
        self
    }

    /// Step rule along `−∇f` (the first trial is α = 1).
    pub fn line_search(mut self, search: LineSearch) -> Self {
        self.line_search = search;
        self
    }

    settings_builders!();
    minimize_methods!(Objective, &[f64], crate::driver::run);

    fn method(&self) -> Descent {
        Descent {
            line_search: self.line_search,
        }
    }
}

struct Descent {
    line_search: LineSearch,
}

impl Method for Descent {
    fn name(&self) -> &'static str {
        "gradient descent"
    }

    fn need(&self) -> Need {
        Need::Gradient
    }

    fn step<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        at: &Point,
    ) -> Result<Outcome, Halt> {
        let p: Vec<f64> = at.g.iter().map(|g| -g).collect();
        line_step(problem, at, &p, &self.line_search, 1.0, Need::Gradient)
    }
}
