//! The skeleton DFP and BFGS share: keep an inverse-Hessian approximation Q, step along
//! `−Q∇f` with a strong-Wolfe search, update Q from the step δ and gradient change γ.

use std::fmt::Debug;
use std::marker::PhantomData;

use crate::driver::{line_step, minimize_methods, settings_builders, Method, Outcome, Settings};
use crate::error::Error;
use crate::line_search::{LineSearch, StrongWolfe};
use crate::objective::{Halt, Need, Objective, Point, Problem};
use crate::reduce::dot;

/// How the initial inverse-Hessian approximation `Q₀ = s·I` is scaled.
///
/// ```
/// use curvature_optim::{Bfgs, InitialScaling, Lbfgs};
/// // Same Q₀ = 0.5·I for both, so on a quadratic L-BFGS with enough memory retraces BFGS.
/// let bfgs = Bfgs::new().initial_scaling(InitialScaling::Fixed(0.5));
/// let lbfgs = Lbfgs::new().memory(50).initial_scaling(InitialScaling::Fixed(0.5));
/// # let _ = (bfgs, lbfgs);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum InitialScaling {
    /// `s = 1` for the first step; after it, before the first update, `s = δᵀγ / γᵀγ`
    /// (Nocedal–Wright eq. 6.20), which matches Q to the curvature just measured.
    /// L-BFGS re-applies this scaling with the newest pair at every iteration.
    Adaptive,
    /// `Q₀ = s·I` throughout, never rescaled (for reproducible comparisons).
    Fixed(f64),
}

/// `Q ← Q + a δᵀ − b (Qγ)ᵀ`, row i taking the coefficients `(aᵢ, bᵢ) = coef(i)`: the shape
/// both the BFGS and the DFP update take once their symmetric terms are grouped by row.
/// Two multiply-adds per entry, no matrix products.
pub(crate) fn add_row_outer_pair(
    q: &mut [f64],
    delta: &[f64],
    q_gamma: &[f64],
    coef: impl Fn(usize) -> (f64, f64),
) {
    let n = delta.len();
    for (i, row) in q.chunks_exact_mut(n).enumerate() {
        let (a, b) = coef(i);
        for ((qij, dj), qgj) in row.iter_mut().zip(delta).zip(q_gamma) {
            *qij += a * dj - b * qgj;
        }
    }
}

/// A rank-two inverse-Hessian update (the only part in which DFP and BFGS differ).
pub trait InverseUpdate: Clone + Copy + Debug + Default + PartialEq {
    /// The method's name in reports ("BFGS", "DFP").
    const NAME: &'static str = "quasi-Newton";

    /// Updates the symmetric row-major `n × n` matrix `q` in place, given the step
    /// `δ = x_{k+1} − x_k`, the gradient change `γ = ∇f_{k+1} − ∇f_k`, `Qγ` and `δᵀγ > 0`.
    /// Must cost O(n²): outer products added entry by entry, no matrix products.
    fn update(q: &mut [f64], delta: &[f64], gamma: &[f64], q_gamma: &[f64], delta_gamma: f64);

    /// Turns `Qv` into `Q'v` in O(n), with `Q'` the matrix [`update`](Self::update) produces
    /// from the same data: `Q'v = Qv + (rank-two correction)·v`. Saves the solver a pass over
    /// Q when computing the next direction `−Q'∇f`.
    fn update_product(
        q_v: &mut [f64],
        v: &[f64],
        delta: &[f64],
        gamma: &[f64],
        q_gamma: &[f64],
        delta_gamma: f64,
    );
}

/// A quasi-Newton method with update rule `U`: [`Bfgs`](crate::Bfgs) or [`Dfp`](crate::Dfp).
///
/// Iteration: `p = −Q_k ∇f_k`, α from a strong-Wolfe search (c₁ = 1e-4, c₂ = 0.9, first trial
/// α = 1), `x_{k+1} = x_k + α p`, then `Q_{k+1} = U(Q_k, δ, γ)`. The update is skipped (and
/// counted in `Solution::skipped_updates`) unless `δᵀγ > 1e-10 ‖δ‖ ‖γ‖`: without positive
/// curvature along δ the updated Q would not be positive definite. If round-off ever makes
/// `−Q∇f` non-descending, Q is reset to the scaled identity.
#[derive(Clone, Debug, PartialEq)]
pub struct QuasiNewton<U> {
    settings: Settings,
    line_search: LineSearch,
    scaling: InitialScaling,
    update: PhantomData<U>,
}

impl<U: InverseUpdate> Default for QuasiNewton<U> {
    fn default() -> Self {
        QuasiNewton {
            settings: Settings::new(10_000),
            line_search: LineSearch::StrongWolfe(StrongWolfe::new()),
            scaling: InitialScaling::Adaptive,
            update: PhantomData,
        }
    }
}

impl<U: InverseUpdate> QuasiNewton<U> {
    /// Defaults: strong Wolfe, adaptive `Q₀`, 10 000 iterations, `‖g‖∞ ≤ 1e-8`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Step rule along `−Q∇f` (e.g. [`LineSearch::Exact`] on quadratics).
    pub fn line_search(mut self, search: LineSearch) -> Self {
        self.line_search = search;
        self
    }

    /// Initial inverse-Hessian scaling.
    pub fn initial_scaling(mut self, scaling: InitialScaling) -> Self {
        self.scaling = scaling;
        self
    }

    settings_builders!();
    minimize_methods!(Objective, &[f64], crate::driver::run);

    fn method(&self) -> QuasiNewtonStep<U> {
        QuasiNewtonStep {
            line_search: self.line_search,
            scaling: self.scaling,
            q: Vec::new(),
            updated: false,
            q_g: None,
            skipped: 0,
            update: PhantomData,
        }
    }
}

/// A step δ and gradient change γ with safely positive curvature `δᵀγ`.
pub(crate) struct CurvaturePair {
    pub delta: Vec<f64>,
    pub gamma: Vec<f64>,
    pub delta_gamma: f64,
}

/// The part of an iteration every quasi-Newton method shares: search along `p` with a
/// line search, then measure the curvature pair of the step taken. The pair is returned only
/// if `δᵀγ > 1e-10 ‖δ‖ ‖γ‖` (finite); otherwise `skipped` is incremented.
pub(crate) fn search_and_measure<O: Objective>(
    problem: &mut Problem<O>,
    at: &Point,
    p: &[f64],
    search: &LineSearch,
    skipped: &mut usize,
) -> Result<(Outcome, Option<CurvaturePair>), Halt> {
    let outcome = line_step(problem, at, p, search, 1.0, Need::Gradient)?;
    let Some(next) = &outcome.next else {
        return Ok((outcome, None));
    };
    let delta: Vec<f64> = next.x.iter().zip(&at.x).map(|(a, b)| a - b).collect();
    let gamma: Vec<f64> = next.g.iter().zip(&at.g).map(|(a, b)| a - b).collect();
    let delta_gamma = dot(&delta, &gamma);
    let bound = 1e-10 * dot(&delta, &delta).sqrt() * dot(&gamma, &gamma).sqrt();
    if delta_gamma > bound && delta_gamma.is_finite() {
        Ok((
            outcome,
            Some(CurvaturePair {
                delta,
                gamma,
                delta_gamma,
            }),
        ))
    } else {
        *skipped += 1;
        Ok((outcome, None))
    }
}

pub(crate) fn validate_scaling(scaling: InitialScaling) -> Result<(), Error> {
    match scaling {
        InitialScaling::Fixed(s) if !(s > 0.0 && s.is_finite()) => Err(Error::InvalidOption(
            format!("the fixed initial scaling must be finite and > 0, got {s}"),
        )),
        _ => Ok(()),
    }
}

struct QuasiNewtonStep<U> {
    line_search: LineSearch,
    scaling: InitialScaling,
    /// Row-major Q; empty until the first step reveals n.
    q: Vec<f64>,
    /// Whether any update has been applied (the adaptive scaling happens just before the first).
    updated: bool,
    /// `Q∇f` at the current iterate for the current Q, when the last update already produced it.
    q_g: Option<Vec<f64>>,
    skipped: usize,
    update: PhantomData<U>,
}

impl<U> QuasiNewtonStep<U> {
    fn reset(&mut self, n: usize, scale: f64) {
        self.q = vec![0.0; n * n];
        for i in 0..n {
            self.q[i * n + i] = scale;
        }
    }

    fn initial_scale(&self) -> f64 {
        match self.scaling {
            InitialScaling::Fixed(s) => s,
            InitialScaling::Adaptive => 1.0,
        }
    }
}

fn mat_vec(q: &[f64], v: &[f64]) -> Vec<f64> {
    q.chunks_exact(v.len()).map(|row| dot(row, v)).collect()
}

/// `(Qa, Qb)` in one pass over Q: at large n the O(n²) passes are memory-bound, so reading
/// each row once for both products halves their cost.
fn mat_vec2(q: &[f64], a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
    q.chunks_exact(a.len())
        .map(|row| (dot(row, a), dot(row, b)))
        .unzip()
}

impl<U: InverseUpdate> Method for QuasiNewtonStep<U> {
    fn name(&self) -> &'static str {
        U::NAME
    }

    fn need(&self) -> Need {
        Need::Gradient
    }

    fn validate(&self) -> Result<(), Error> {
        validate_scaling(self.scaling)
    }

    fn step<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        at: &Point,
    ) -> Result<Outcome, Halt> {
        let n = problem.dimension();
        if self.q.is_empty() {
            self.reset(n, self.initial_scale());
        }
        let q_g = self.q_g.take().unwrap_or_else(|| mat_vec(&self.q, &at.g));
        let mut p: Vec<f64> = q_g.iter().map(|v| -v).collect();
        if !(dot(&p, &at.g) < 0.0) {
            self.reset(n, self.initial_scale());
            p = at.g.iter().map(|v| -v * self.initial_scale()).collect();
        }
        let (outcome, pair) =
            search_and_measure(problem, at, &p, &self.line_search, &mut self.skipped)?;
        if let (Some(pair), Some(next)) = (pair, &outcome.next) {
            if !self.updated && self.scaling == InitialScaling::Adaptive {
                self.reset(n, pair.delta_gamma / dot(&pair.gamma, &pair.gamma));
            }
            let (q_gamma, mut q_g_next) = mat_vec2(&self.q, &pair.gamma, &next.g);
            let (delta, gamma, dg) = (&pair.delta, &pair.gamma, pair.delta_gamma);
            U::update(&mut self.q, delta, gamma, &q_gamma, dg);
            U::update_product(&mut q_g_next, &next.g, delta, gamma, &q_gamma, dg);
            self.q_g = Some(q_g_next);
            self.updated = true;
        }
        Ok(outcome)
    }

    fn skipped_updates(&self) -> usize {
        self.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{BfgsUpdate, DfpUpdate};

    /// Both forms of the update agree: `update_product(Qv)` equals `(update(Q))·v`, and the
    /// updated matrix satisfies the secant equation `Q'γ = δ` and stays symmetric.
    fn check<U: InverseUpdate>() {
        let n = 4;
        // Q = SPD matrix [[4,1,0,0],[1,3,1,0],[0,1,2,0.5],[0,0,0.5,1]]; data chosen by hand.
        let mut q = vec![
            4.0, 1.0, 0.0, 0.0, 1.0, 3.0, 1.0, 0.0, 0.0, 1.0, 2.0, 0.5, 0.0, 0.0, 0.5, 1.0,
        ];
        let delta = [0.3, -0.2, 0.5, 0.1];
        let gamma = [0.4, 0.1, 0.6, -0.2];
        let v = [1.0, -2.0, 0.5, 3.0];
        let dg = dot(&delta, &gamma);
        assert!(dg > 0.0);
        let q_gamma = mat_vec(&q, &gamma);
        let mut q_v = mat_vec(&q, &v);
        U::update(&mut q, &delta, &gamma, &q_gamma, dg);
        U::update_product(&mut q_v, &v, &delta, &gamma, &q_gamma, dg);
        let direct = mat_vec(&q, &v);
        for i in 0..n {
            assert!((q_v[i] - direct[i]).abs() < 1e-12, "{q_v:?} vs {direct:?}");
            for j in 0..n {
                assert!((q[i * n + j] - q[j * n + i]).abs() < 1e-12);
            }
        }
        let secant = mat_vec(&q, &gamma);
        for i in 0..n {
            assert!((secant[i] - delta[i]).abs() < 1e-12, "{secant:?}");
        }
    }

    #[test]
    fn bfgs_update_forms_agree_and_satisfy_the_secant_equation() {
        check::<BfgsUpdate>();
    }

    #[test]
    fn dfp_update_forms_agree_and_satisfy_the_secant_equation() {
        check::<DfpUpdate>();
    }
}
