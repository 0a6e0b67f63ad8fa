//! Limited-memory BFGS: the BFGS direction from the last m pairs, without storing Q.

use std::collections::VecDeque;

use crate::driver::{minimize_methods, settings_builders, Method, Outcome, Settings};
use crate::error::Error;
use crate::line_search::{LineSearch, StrongWolfe};
use crate::objective::{Halt, Need, Objective, Point, Problem};
use crate::quasi_newton::{search_and_measure, validate_scaling, InitialScaling};
use crate::reduce::dot;

/// L-BFGS (Nocedal–Wright Algorithm 7.4/7.5).
///
/// Keeps the last m pairs `(δᵢ, γᵢ)` with `ρᵢ = 1/δᵢᵀγᵢ` and computes `p = −Q∇f` by the
/// two-loop recursion, O(mn) time and memory:
///
/// ```text
/// q ← ∇f;  for i = newest … oldest:  aᵢ = ρᵢ δᵢᵀq,  q ← q − aᵢ γᵢ
/// r ← H₀ q with H₀ = s·I, s = δᵀγ/γᵀγ of the newest pair (or a fixed s)
/// for i = oldest … newest:  b = ρᵢ γᵢᵀr,  r ← r + δᵢ (aᵢ − b)
/// p = −r
/// ```
///
/// which equals BFGS's `−Q∇f` when Q was built from `H₀` by the same m updates. Pairs without
/// safely positive `δᵀγ` are skipped and counted; the step is chosen by strong Wolfe.
///
/// ```
/// use curvature_optim::{Lbfgs, Objective};
/// struct Bowl;
/// impl Objective for Bowl {
///     fn value(&self, x: &[f64]) -> f64 { (x[0] - 1.0).powi(2) + 10.0 * (x[1] + 2.0).powi(2) }
///     fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
///         (self.value(x), vec![2.0 * (x[0] - 1.0), 20.0 * (x[1] + 2.0)])
///     }
/// }
/// let s = Lbfgs::new().memory(5).minimize(Bowl, &[0.0, 0.0]).unwrap();
/// assert!(s.converged() && (s.x[0] - 1.0).abs() < 1e-8);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Lbfgs {
    settings: Settings,
    memory: usize,
    line_search: LineSearch,
    scaling: InitialScaling,
}

impl Default for Lbfgs {
    fn default() -> Self {
        Lbfgs {
            settings: Settings::new(10_000),
            memory: 10,
            line_search: LineSearch::StrongWolfe(StrongWolfe::new()),
            scaling: InitialScaling::Adaptive,
        }
    }
}

impl Lbfgs {
    /// Defaults: m = 10, strong Wolfe, adaptive `H₀`, 10 000 iterations, `‖g‖∞ ≤ 1e-8`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number m ≥ 1 of stored pairs.
    pub fn memory(mut self, m: usize) -> Self {
        self.memory = m;
        self
    }

    /// Step rule along the L-BFGS direction.
    pub fn line_search(mut self, search: LineSearch) -> Self {
        self.line_search = search;
        self
    }

    /// Scaling of `H₀ = s·I` ([`InitialScaling::Adaptive`] rescales with every new pair).
    pub fn initial_scaling(mut self, scaling: InitialScaling) -> Self {
        self.scaling = scaling;
        self
    }

    settings_builders!();
    minimize_methods!(Objective, &[f64], crate::driver::run);

    fn method(&self) -> TwoLoop {
        TwoLoop {
            memory: self.memory,
            line_search: self.line_search,
            scaling: self.scaling,
            pairs: VecDeque::new(),
            skipped: 0,
        }
    }
}

struct Pair {
    delta: Vec<f64>,
    gamma: Vec<f64>,
    rho: f64,
}

struct TwoLoop {
    memory: usize,
    line_search: LineSearch,
    scaling: InitialScaling,
    pairs: VecDeque<Pair>,
    skipped: usize,
}

impl TwoLoop {
    fn scale(&self) -> f64 {
        match (self.scaling, self.pairs.back()) {
            (InitialScaling::Fixed(s), _) => s,
            (InitialScaling::Adaptive, Some(newest)) => {
                1.0 / (newest.rho * dot(&newest.gamma, &newest.gamma))
            }
            (InitialScaling::Adaptive, None) => 1.0,
        }
    }

    fn direction(&self, g: &[f64]) -> Vec<f64> {
        let mut q = g.to_vec();
        let mut a = vec![0.0; self.pairs.len()];
        for (i, pair) in self.pairs.iter().enumerate().rev() {
            a[i] = pair.rho * dot(&pair.delta, &q);
            q.iter_mut()
                .zip(&pair.gamma)
                .for_each(|(qj, gj)| *qj -= a[i] * gj);
        }
        let s = self.scale();
        let mut r: Vec<f64> = q.iter().map(|v| s * v).collect();
        for (i, pair) in self.pairs.iter().enumerate() {
            let b = pair.rho * dot(&pair.gamma, &r);
            r.iter_mut()
                .zip(&pair.delta)
                .for_each(|(rj, dj)| *rj += (a[i] - b) * dj);
        }
        r.iter().map(|v| -v).collect()
    }
}

impl Method for TwoLoop {
    fn name(&self) -> &'static str {
        "L-BFGS"
    }

    fn need(&self) -> Need {
        Need::Gradient
    }

    fn validate(&self) -> Result<(), Error> {
        if self.memory == 0 {
            return Err(Error::InvalidOption("L-BFGS memory must be ≥ 1".into()));
        }
        validate_scaling(self.scaling)
    }

    fn step<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        at: &Point,
    ) -> Result<Outcome, Halt> {
        let mut p = self.direction(&at.g);
        if !(dot(&p, &at.g) < 0.0) {
            // Round-off broke descent: forget the pairs and restart from a scaled gradient step.
            self.pairs.clear();
            p = self.direction(&at.g);
        }
        let (outcome, pair) =
            search_and_measure(problem, at, &p, &self.line_search, &mut self.skipped)?;
        if let Some(pair) = pair {
            if self.pairs.len() == self.memory {
                self.pairs.pop_front();
            }
            self.pairs.push_back(Pair {
                delta: pair.delta,
                gamma: pair.gamma,
                rho: 1.0 / pair.delta_gamma,
            });
        }
        Ok(outcome)
    }

    fn skipped_updates(&self) -> usize {
        self.skipped
    }
}
