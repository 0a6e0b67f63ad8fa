//! Projected Newton for bounds (Bertsekas 1982): Newton on the free variables, projected
//! gradient steps on the ones held at a bound, a search along the projection arc.

use std::borrow::Cow;

use crate::bounds::{Bounds, BoundsReport, Feasible};
use crate::driver::{minimize_methods, settings_builders, Method, Outcome, Settings};
use crate::error::Error;
use crate::hessian::Hessian;
use crate::lazy_hessian::LazyHessian;
use crate::linalg::ShiftedCholesky;
use crate::line_search::LineSearchFailure;
use crate::newton::{shifted_newton_direction, WarmShift};
use crate::newton_cg::{truncated_cg, Preconditioner};
use crate::non_finite::NonFiniteEntry;
use crate::objective::{Halt, Need, Objective, Point, Problem};
use crate::products::matrix_free_builder;
use crate::reduce::{dot, max_norm};
use crate::solution::Termination;

/// How [`ProjectedNewton`] solves the Newton system on the free variables.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::{Bounds, NewtonSystem, ProjectedNewton};
/// // f = Σ (xᵢ − 2)² on [0, 1]ⁿ: every variable ends on its upper bound 1, by either system;
/// // the CG system never asks for the n × n Hessian.
/// let f = |x: &[Var]| x.iter().fold(Var::constant(0.0), |s, &xi| s + (xi - 2.0) * (xi - 2.0));
/// let bounds = Bounds::uniform(50, 0.0, 1.0).unwrap();
/// let s = ProjectedNewton::new().bounds(bounds).system(NewtonSystem::ConjugateGradient)
///     .minimize(f, &[0.5; 50]).unwrap();
/// assert!(s.x.iter().all(|&xi| xi == 1.0));
/// assert_eq!(s.evaluations.hessian, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewtonSystem {
    /// Dense exact Hessian, `(H_FF + τI) p_F = −g_F` by Cholesky with the smallest shift
    /// τ ≥ 0 that makes it positive definite (the same rule as [`Newton`](crate::Newton)).
    /// The default.
    Cholesky,
    /// Hessian products only: truncated conjugate gradients on `H_FF p_F = −g_F`
    /// (stopped at `‖r‖ ≤ min(0.5, √‖g_F‖)‖g_F‖` or negative curvature, as in
    /// [`NewtonCg`](crate::NewtonCg)), so no dense n × n matrix is ever formed: the products
    /// are HVPs on the tape, or products with its sparse Hessian once they outnumber its
    /// cost ([`ProjectedNewton::matrix_free`]), or, with
    /// [`ProjectedNewton::preconditioner`], products with the free block of the Hessian
    /// evaluated at each iterate, preconditioned by its diagonal. When CG meets
    /// nonpositive curvature at its first product, the direction −g_F (−M⁻¹g_F) is
    /// stretched to unit length if it is shorter (its length carries no scale of x).
    ConjugateGradient,
}

/// Projected Newton method for `min f(x)` subject to `l ≤ x ≤ u` (Bertsekas 1982), using
/// exact Hessians or Hessian-vector products.
///
/// At a feasible x with gradient g, let `w = ‖x − P(x − g)‖₂` and `ε = min(ε̄, w)`. The
/// variables within ε of a bound whose gradient pushes them out of the box,
///
/// ```text
/// A = { i : xᵢ ≤ lᵢ + ε and gᵢ > 0 }  ∪  { i : xᵢ ≥ uᵢ − ε and gᵢ < 0 },
/// ```
///
/// take a gradient step `pᵢ = −gᵢ`; the free ones F take the Newton step of the reduced
/// problem, `p_F = −H_FF⁻¹ g_F` ([`NewtonSystem`]); an indefinite `H_FF` is shifted by τI
/// after Jacobi scaling, `p_F = −S(S H_FF S + τI)⁻¹ S g_F` with `S = diag(|Hᵢᵢ|^{-1/2})`, so
/// the shift is relative to the Hessian's own scale. The step is the projection arc
/// `x(α) = P(x + αp)` with α = 1, ½, ¼, … until
///
/// ```text
/// f(x(α)) ≤ f(x) − σ ( α Σ_{i∈F} −gᵢpᵢ + Σ_{i∈A} gᵢ (xᵢ − xᵢ(α)) ),   σ = 1e-4,
/// ```
///
/// which both sums make positive. Once the active set is identified the iteration is
/// Newton's method on the face, hence quadratically convergent with exact Hessians.
///
/// The run stops when the projected gradient `‖P(x − ∇f) − x‖∞` is at most the gradient
/// tolerance ([`Termination::GradientTolerance`]), by the common tolerances and limits, or
/// with [`Termination::LineSearchFailed`] if no α finds the decrease before the step
/// `α‖p‖∞` falls below round-off of x. The start is projected onto the box first (reported in the solution's
/// [`bounds`](crate::Solution::bounds)).
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::{Bounds, NewtonSystem, ProjectedNewton, Termination};
/// // HS4: f = (x₀ + 1)³/3 + x₁ with x₀ ≥ 1, x₁ ≥ 0: minimum at the corner (1, 0), f = 8/3.
/// let f = |x: &[Var]| (x[0] + 1.0) * (x[0] + 1.0) * (x[0] + 1.0) / 3.0 + x[1];
/// let bounds = Bounds::new(vec![1.0, 0.0], vec![f64::INFINITY; 2]).unwrap();
/// for system in [NewtonSystem::Cholesky, NewtonSystem::ConjugateGradient] {
///     let s = ProjectedNewton::new().bounds(bounds.clone()).system(system)
///         .minimize(f, &[1.125, 0.125]).unwrap();
///     assert_eq!(s.termination, Termination::GradientTolerance);
///     assert_eq!(s.x, vec![1.0, 0.0]);
///     assert!((s.f - 8.0 / 3.0).abs() < 1e-15);
///     assert_eq!(s.bounds.as_ref().unwrap().active(), vec![0, 1]);
/// }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectedNewton {
    settings: Settings,
    bounds: Option<Bounds>,
    system: NewtonSystem,
    epsilon: f64,
    matrix_free: bool,
    preconditioner: Preconditioner,
}

impl Default for ProjectedNewton {
    fn default() -> Self {
        ProjectedNewton {
            settings: Settings::new(1000),
            bounds: None,
            system: NewtonSystem::Cholesky,
            epsilon: 1e-3,
            matrix_free: false,
            preconditioner: Preconditioner::Automatic,
        }
    }
}

impl ProjectedNewton {
    /// Defaults: no bounds, dense Cholesky system, ε̄ = 1e-3, 1000 iterations, projected
    /// gradient ≤ 1e-8.
    pub fn new() -> Self {
        Self::default()
    }

    /// The box `l ≤ x ≤ u` (one bound pair per variable of the start point).
    pub fn bounds(mut self, bounds: Bounds) -> Self {
        self.bounds = Some(bounds);
        self
    }

    /// How the free variables' Newton system is solved (default [`NewtonSystem::Cholesky`]).
    pub fn system(mut self, system: NewtonSystem) -> Self {
        self.system = system;
        self
    }

    /// The cap ε̄ ≥ 0 on the distance from a bound within which a variable whose gradient
    /// points outwards is held there (default 1e-3).
    pub fn active_set_tolerance(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// The preconditioner of [`NewtonSystem::ConjugateGradient`] (default
    /// [`Preconditioner::Automatic`]: the free block's diagonal where the products use the
    /// formed sparse Hessian, none where they are Hessian-vector products; the Cholesky
    /// system needs none).
    /// [`Preconditioner::Diagonal`] evaluates the Hessian at every iterate (sparse when the
    /// closure's recorded Hessian is) and runs CG on its free block `H_FF`, preconditioned
    /// by `M = diag(H_FF)` (see [`Preconditioner`]), so [`matrix_free`](Self::matrix_free)
    /// does not apply to it. It pays where H is badly scaled: TRIDIA's weights i give it a
    /// condition number ~n².
    ///
    /// ```
    /// use curvature_ad::Var;
    /// use curvature_optim::{Bounds, NewtonSystem, Preconditioner, ProjectedNewton};
    /// // f = Σ i·(xᵢ − 2)² on [0, 1]ⁿ, Hessian diag(2i): the diagonal preconditioner makes
    /// // it the identity, and every variable ends on its upper bound 1.
    /// let f = |x: &[Var]| {
    ///     x.iter().enumerate().fold(Var::constant(0.0), |s, (i, &xi)| {
    ///         s + (i + 1) as f64 * (xi - 2.0) * (xi - 2.0)
    ///     })
    /// };
    /// let s = ProjectedNewton::new()
    ///     .bounds(Bounds::uniform(50, 0.0, 1.0).unwrap())
    ///     .system(NewtonSystem::ConjugateGradient)
    ///     .preconditioner(Preconditioner::Diagonal)
    ///     .minimize(f, &[0.5; 50])
    ///     .unwrap();
    /// assert!(s.x.iter().all(|&xi| xi == 1.0));
    /// ```
    pub fn preconditioner(mut self, preconditioner: Preconditioner) -> Self {
        self.preconditioner = preconditioner;
        self
    }

    matrix_free_builder!();
    settings_builders!();
    minimize_methods!(Objective, &[f64], crate::driver::run);

    fn method(&self) -> ProjectedNewtonStep {
        ProjectedNewtonStep {
            feasible: Feasible::new(self.bounds.clone()),
            system: self.system,
            epsilon: self.epsilon,
            matrix_free: self.matrix_free,
            preconditioner: self.preconditioner,
            cholesky: ShiftedCholesky::default(),
            hessian: LazyHessian::default(),
        }
    }
}

struct ProjectedNewtonStep {
    feasible: Feasible,
    system: NewtonSystem,
    epsilon: f64,
    matrix_free: bool,
    preconditioner: Preconditioner,
    cholesky: ShiftedCholesky,
    /// The iterate's Hessian, for the diagonal preconditioner of the CG system.
    hessian: LazyHessian,
}

const SIGMA: f64 = 1e-4;

impl ProjectedNewtonStep {
    /// Indices of the free variables (the complement of the ε-active set A).
    fn free(&self, x: &[f64], g: &[f64]) -> Vec<usize> {
        let b = &self.feasible.bounds;
        let (l, u) = (b.lower(), b.upper());
        let pg = b.projected_gradient(x, g);
        let eps = self.epsilon.min(dot(&pg, &pg).sqrt());
        (0..x.len())
            .filter(|&i| {
                !((x[i] <= l[i] + eps && g[i] > 0.0) || (x[i] >= u[i] - eps && g[i] < 0.0))
            })
            .collect()
    }
}

/// Newton's shifted-Cholesky direction for the reduced system, computed on the Jacobi-scaled
/// matrix: with `S = diag(|Hᵢᵢ|^{-1/2})` (1 where `Hᵢᵢ = 0`), solve
/// `(S H S + τI) q = −S g` and return `p = S q` and τ. For a positive definite H this is the
/// Newton step `−H⁻¹g` (τ = 0); otherwise the shift is relative to H's own scale, so on a
/// plateau where H's entries are 1e-8 (HS25 at its start) the step is not throttled by the
/// absolute shift 1e-3 that suits unit-scaled problems.
///
/// A sparse H (a closure whose recorded Hessian is sparse) stays sparse: the reduced system
/// is factored by sparse Cholesky, so the bounded method scales like `Newton`.
fn jacobi_scaled_direction(
    cholesky: &mut ShiftedCholesky,
    h: Hessian,
    g: &[f64],
) -> Option<(Vec<f64>, f64)> {
    let scale: Vec<f64> = h
        .diagonal()
        .iter()
        .map(|d| {
            let d = d.abs();
            if d > 0.0 && d.is_finite() {
                1.0 / d.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    let h = h.scaled(&scale);
    let scaled_g: Vec<f64> = g.iter().zip(&scale).map(|(g, s)| g * s).collect();
    let (q, shift) = shifted_newton_direction(cholesky, &h, &scaled_g, WarmShift::default())?;
    Some((
        q.iter().zip(&scale).map(|(q, s)| q * s).collect(),
        shift.tau,
    ))
}

impl Method for ProjectedNewtonStep {
    fn name(&self) -> &'static str {
        match self.system {
            NewtonSystem::Cholesky => "projected Newton (Cholesky)",
            NewtonSystem::ConjugateGradient => "projected Newton (conjugate gradients)",
        }
    }

    fn need(&self) -> Need {
        match self.system {
            NewtonSystem::Cholesky => Need::Hessian,
            NewtonSystem::ConjugateGradient => Need::Gradient,
        }
    }

    fn validate(&self) -> Result<(), Error> {
        if !(self.epsilon >= 0.0) {
            return Err(Error::InvalidOption(format!(
                "active_set_tolerance must be ≥ 0, got {}",
                self.epsilon
            )));
        }
        Ok(())
    }

    fn start<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        x0: Vec<f64>,
    ) -> Result<Point, Halt> {
        let x0 = self.feasible.enter(x0)?;
        problem.point(x0, self.need())
    }

    fn step<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        at: &Point,
    ) -> Result<Outcome, Halt> {
        let n = at.x.len();
        let free = self.free(&at.x, &at.g);
        let g_free: Vec<f64> = free.iter().map(|&i| at.g[i]).collect();
        // Active variables: a gradient step (projection clips it at the bound).
        let mut p: Vec<f64> = at.g.iter().map(|v| -v).collect();
        let mut damping = None;
        let mut inner_iterations = None;
        if !free.is_empty() {
            let p_free = match self.system {
                NewtonSystem::Cholesky => {
                    let h = at
                        .hessian
                        .as_ref()
                        .expect("Cholesky mode evaluates Hessians");
                    let h_free = h.submatrix(&free);
                    let Some((p_free, tau)) =
                        jacobi_scaled_direction(&mut self.cholesky, h_free, &g_free)
                    else {
                        return Ok(Outcome::stop(Termination::NonFinite(
                            NonFiniteEntry::HessianShift,
                        )));
                    };
                    damping = Some(tau);
                    p_free
                }
                NewtonSystem::ConjugateGradient => {
                    let g_norm = dot(&g_free, &g_free).sqrt();
                    let tolerance = 0.5f64.min(g_norm.sqrt()) * g_norm;
                    let direction = match self.preconditioner {
                        Preconditioner::None | Preconditioner::Automatic => {
                            let mut operator = problem.hvp_operator(&at.x, self.matrix_free)?;
                            let m = match self.preconditioner {
                                Preconditioner::Automatic => {
                                    operator.jacobi_if_formed(Some(&free))?
                                }
                                _ => None,
                            };
                            let mut full = vec![0.0; n];
                            let mut product = Vec::with_capacity(n);
                            truncated_cg(&g_free, tolerance, free.len(), m.as_deref(), |v, hv| {
                                for (&i, vi) in free.iter().zip(v) {
                                    full[i] = *vi;
                                }
                                operator.apply(&full, &mut product)?;
                                hv.clear();
                                hv.extend(free.iter().map(|&i| product[i]));
                                Ok(())
                            })?
                        }
                        Preconditioner::Diagonal => {
                            let h = match self.hessian.at(problem, at)? {
                                Ok(h) => h,
                                Err(stop) => return Ok(stop),
                            };
                            let h_free = h.submatrix(&free);
                            let m = h_free.jacobi();
                            truncated_cg(&g_free, tolerance, free.len(), Some(&m), |v, hv| {
                                h_free.mul_vec_into(v, hv);
                                Ok(())
                            })?
                        }
                    };
                    inner_iterations = Some(direction.iterations);
                    let mut p = direction.p;
                    // Nonpositive curvature along −g at once: −g (−M⁻¹g) is all CG gives,
                    // and its length says nothing about the scale of x; a shorter-than-unit
                    // one is stretched to a unit move (as L-BFGS-B's first step), so that a
                    // plateau where ‖g‖ ≈ 1e-8 is left rather than stepped on by 1e-8.
                    let length = dot(&p, &p).sqrt();
                    if direction.steepest_descent && length > 0.0 && length < 1.0 {
                        p.iter_mut().for_each(|v| *v /= length);
                    }
                    p
                }
            };
            for (&i, pi) in free.iter().zip(p_free) {
                p[i] = pi;
            }
        }
        let free_slope: f64 = free.iter().map(|&i| -at.g[i] * p[i]).sum();
        let mut is_free = vec![false; n];
        free.iter().for_each(|&i| is_free[i] = true);
        let bounds = &self.feasible.bounds;
        // Halve until the step is below round-off of x: a finite number of trials, whatever
        // the scale of p (CG on a nearly singular H_FF can return a huge one).
        let floor = f64::EPSILON * (1.0 + max_norm(&at.x));
        let p_norm = max_norm(&p);
        let mut alpha = 1.0;
        while alpha * p_norm > floor {
            let mut trial: Vec<f64> = at.x.iter().zip(&p).map(|(x, p)| x + alpha * p).collect();
            bounds.project_in_place(&mut trial);
            let active_decrease: f64 = (0..n)
                .filter(|&i| !is_free[i])
                .map(|i| at.g[i] * (at.x[i] - trial[i]))
                .sum();
            let required = SIGMA * (alpha * free_slope + active_decrease);
            let f = problem.value(&trial)?;
            if f <= at.f - required && required > 0.0 {
                let next = problem.point(trial, self.need())?;
                return Ok(Outcome {
                    damping,
                    inner_iterations,
                    ..Outcome::moved(next, alpha)
                });
            }
            alpha *= 0.5;
        }
        Ok(Outcome {
            stop: Some(Termination::LineSearchFailed(LineSearchFailure::MaxTrials)),
            damping,
            inner_iterations,
            ..Outcome::stop(Termination::Stopped)
        })
    }

    fn first_order<'a>(&self, at: &'a Point) -> Cow<'a, [f64]> {
        Cow::Owned(self.feasible.bounds.projected_gradient(&at.x, &at.g))
    }

    fn bounds_report(&self, at: &Point) -> Option<BoundsReport> {
        Some(self.feasible.report(&at.x, &at.g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_scaling_keeps_the_newton_step_and_scales_the_shift() {
        // Positive definite H = [[4, 1], [1, 3]], g = (1, 2): the Newton step −H⁻¹g is
        // −(1·3 − 1·2, 4·2 − 1·1)/11 = (−1/11, −7/11) by hand, with no shift.
        let (p, tau) = jacobi_scaled_direction(
            &mut ShiftedCholesky::default(),
            Hessian::Dense(vec![4.0, 1.0, 1.0, 3.0]),
            &[1.0, 2.0],
        )
        .unwrap();
        assert_eq!(tau, 0.0);
        assert!((p[0] + 1.0 / 11.0).abs() < 1e-15 && (p[1] + 7.0 / 11.0).abs() < 1e-15);
        // Indefinite and tiny, H = 1e-8·diag(1, −1): after scaling, diag(1, −1) needs τ > 1
        // in scaled units, and the step stays of the size of S g = 1e4·g rather than
        // g/1e-3 as an absolute shift would give.
        let g = [1e-8, 1e-8];
        let (p, tau) = jacobi_scaled_direction(
            &mut ShiftedCholesky::default(),
            Hessian::Dense(vec![1e-8, 0.0, 0.0, -1e-8]),
            &g,
        )
        .unwrap();
        assert!(tau > 1.0);
        assert!(p[0] * g[0] + p[1] * g[1] < 0.0);
        assert!(p.iter().all(|v| v.abs() > 1e-4), "{p:?}");
    }
}
