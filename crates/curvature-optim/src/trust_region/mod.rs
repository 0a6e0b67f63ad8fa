//! Trust-region Newton: minimize the quadratic model within a radius, then accept or reject
//! the step by comparing the actual and predicted reductions.

mod dogleg;
mod more_sorensen;
mod steihaug;

use crate::driver::{minimize_methods, settings_builders, Method, Outcome, Settings};
use crate::error::Error;
use crate::lazy_hessian::LazyHessian;
use crate::linalg::ShiftedCholesky;
use crate::non_finite::NonFiniteEntry;
use crate::objective::{moved, Halt, Need, Objective, Point, Problem};
use crate::products::matrix_free_builder;
use crate::reduce::dot;
use crate::solution::Termination;

/// How [`TrustRegion`] solves its subproblem `min m(p) = gᵀp + ½pᵀHp` s.t. `‖p‖ ≤ Δ`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subproblem {
    /// Moré–Sorensen: the nearly exact minimizer, from Cholesky factorizations of `H + λI`
    /// (dense, or sparse with the symbolic analysis reused) and Newton's method on the
    /// secular equation `1/‖p(λ)‖ = 1/Δ`; in the hard case (g ⟂ the eigenvectors of the
    /// lowest eigenvalue) the step is completed along an approximate eigenvector found by
    /// inverse iteration. Stops when `|‖p‖ − Δ| ≤ 0.1Δ`. Robust on indefinite problems;
    /// needs the Hessian.
    MoreSorensen,
    /// Steihaug–Toint truncated conjugate gradients: CG on `Hp = −g` from p = 0, stopped at
    /// negative curvature or at the boundary (the CG path crosses it once), or when
    /// `‖r‖ ≤ min(½, √‖g‖)·‖g‖`. Hessian products only, never a dense matrix, so it scales
    /// to any n a gradient scales to: HVPs on the tape, or products with the tape's sparse
    /// Hessian once they outnumber its cost ([`TrustRegion::matrix_free`] keeps HVPs only).
    /// Unpreconditioned, unlike [`NewtonCg`](crate::NewtonCg)'s default (a preconditioner
    /// would change the region's norm mid-run): on a badly scaled Hessian take
    /// [`SteihaugCgDiagonal`](Self::SteihaugCgDiagonal) — TRIDIA at n = 10⁵ took 9 333 CG
    /// iterations (8.5 s) here and 61 (0.27 s) with it (README, "Hessian products").
    SteihaugCg,
    /// Steihaug–Toint CG preconditioned by the Hessian's Jacobi diagonal M (as
    /// [`Preconditioner::Diagonal`](crate::Preconditioner::Diagonal)), the trust region
    /// taken in the M-norm `‖p‖_M = √(pᵀMp)`. Evaluates the Hessian (sparse when possible)
    /// for its diagonal and runs the products on it.
    SteihaugCgDiagonal,
    /// Powell's dogleg: the path from the Cauchy point `−(gᵀg / gᵀHg)·g` to the Newton
    /// point `−H⁻¹g`, cut at the boundary. An indefinite H takes the shifted Newton
    /// direction `−(H + τI)⁻¹g` of [`Newton`](crate::Newton) as its Newton point.
    Dogleg,
}

/// Trust-region Newton with exact second derivatives.
///
/// Each iteration solves the [`Subproblem`] for a step p with `‖p‖ ≤ Δ`, evaluates
/// `ρ = (f(x) − f(x + p)) / (m(0) − m(p))` and
/// - accepts the step if `ρ > η` (default η = 0.1),
/// - shrinks `Δ ← ¼‖p‖` if `ρ < ¼`,
/// - expands `Δ ← min(2Δ, Δ_max)` if `ρ > ¾` and the step reached the boundary
///   (Nocedal–Wright Algorithm 4.1).
///
/// The history (`.history(true)`) and the observer see Δ and ρ of every step in
/// `Iteration::radius` and `Iteration::ratio`; rejected steps are iterations too. The run ends
/// with `Termination::RadiusCollapsed` if Δ falls below the precision of x.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::{Subproblem, TrustRegion};
/// use num_traits::Float;
/// let rosenbrock = |x: &[Var]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
/// for sub in [Subproblem::MoreSorensen, Subproblem::SteihaugCg, Subproblem::Dogleg] {
///     let s = TrustRegion::new().subproblem(sub).minimize(rosenbrock, &[-1.2, 1.0]).unwrap();
///     assert!(s.converged() && (s.x[0] - 1.0).abs() < 1e-8, "{sub:?}");
/// }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TrustRegion {
    settings: Settings,
    subproblem: Subproblem,
    initial_radius: Option<f64>,
    max_radius: f64,
    eta: f64,
    matrix_free: bool,
}

impl Default for TrustRegion {
    fn default() -> Self {
        TrustRegion {
            settings: Settings::new(1000),
            subproblem: Subproblem::MoreSorensen,
            initial_radius: None,
            max_radius: 1e10,
            eta: 0.1,
            matrix_free: false,
        }
    }
}

impl TrustRegion {
    /// Defaults: Moré–Sorensen subproblem, Δ₀ = 10·max(‖x0‖₂, 1), Δ_max = 1e10, η = 0.1,
    /// 1000 iterations.
    pub fn new() -> Self {
        Self::default()
    }

    /// The subproblem solver (default [`Subproblem::MoreSorensen`]).
    pub fn subproblem(mut self, subproblem: Subproblem) -> Self {
        self.subproblem = subproblem;
        self
    }

    /// Initial radius Δ₀ (> 0). The default, `10·max(‖x0‖₂, 1)`, scales with the start
    /// (as MINPACK's `factor·‖D x0‖`): a first Newton step that fits is taken whole, and one
    /// that does not is cut by the ratio test (Δ ← ¼‖p‖) within a few trial evaluations. On
    /// the 35 Moré–Garbow–Hillstrom problems from 10·x0 it solved 31, against 30 for Δ₀ = 1.
    pub fn initial_radius(mut self, radius: f64) -> Self {
        self.initial_radius = Some(radius);
        self
    }

    /// Largest radius Δ_max (≥ Δ₀).
    pub fn max_radius(mut self, radius: f64) -> Self {
        self.max_radius = radius;
        self
    }

    /// Acceptance threshold η ∈ [0, ¼): steps with ρ ≤ η are rejected.
    pub fn eta(mut self, eta: f64) -> Self {
        self.eta = eta;
        self
    }

    matrix_free_builder!();
    settings_builders!();
    minimize_methods!(Objective, &[f64], crate::driver::run);

    fn method(&self) -> TrustRegionStep {
        TrustRegionStep {
            options: self.clone(),
            radius: self.initial_radius.unwrap_or(1.0),
            cholesky: ShiftedCholesky::default(),
            hessian: LazyHessian::default(),
        }
    }
}

/// A subproblem solution.
pub(crate) struct Step {
    pub p: Vec<f64>,
    /// `m(0) − m(p) = −gᵀp − ½pᵀHp` (≥ 0 for a correct solver).
    pub predicted: f64,
    /// The step's length in the trust-region norm.
    pub norm: f64,
    /// Inner iterations (CG iterations or factorizations).
    pub inner: usize,
}

impl Step {
    /// The step p with `Hp` known: fills in the predicted reduction.
    pub fn new(g: &[f64], p: Vec<f64>, hp: &[f64], norm: f64, inner: usize) -> Step {
        let predicted = -dot(g, &p) - 0.5 * dot(&p, hp);
        Step {
            p,
            predicted,
            norm,
            inner,
        }
    }
}

/// `‖v‖₂`.
pub(crate) fn norm(v: &[f64]) -> f64 {
    dot(v, v).sqrt()
}

/// The σ ≥ 0 with `‖z + σd‖_M = Δ` (`M = diag(m)`, or I when `m` is `None`), for a z inside.
pub(crate) fn to_boundary(z: &[f64], d: &[f64], m: Option<&[f64]>, radius: f64) -> f64 {
    let w = |i: usize| m.map_or(1.0, |m| m[i]);
    let (mut dd, mut zd, mut zz) = (0.0, 0.0, 0.0);
    for i in 0..z.len() {
        dd += w(i) * d[i] * d[i];
        zd += w(i) * z[i] * d[i];
        zz += w(i) * z[i] * z[i];
    }
    // σ² dd + 2σ zd + (zz − Δ²) = 0, positive root; written to avoid cancellation.
    let c = zz - radius * radius;
    let disc = (zd * zd - dd * c).max(0.0).sqrt();
    if zd >= 0.0 {
        -c / (zd + disc)
    } else {
        (disc - zd) / dd
    }
}

struct TrustRegionStep {
    options: TrustRegion,
    radius: f64,
    cholesky: ShiftedCholesky,
    hessian: LazyHessian,
}

impl Method for TrustRegionStep {
    fn name(&self) -> &'static str {
        match self.options.subproblem {
            Subproblem::MoreSorensen => "trust region (Moré–Sorensen)",
            Subproblem::SteihaugCg => "trust region (Steihaug-CG)",
            Subproblem::SteihaugCgDiagonal => "trust region (Steihaug-CG, diagonal preconditioner)",
            Subproblem::Dogleg => "trust region (dogleg)",
        }
    }

    /// The start point's needs; later points are evaluated with f and ∇f, and the Hessian
    /// is asked for when a step needs it ([`LazyHessian`]).
    fn need(&self) -> Need {
        match self.options.subproblem {
            Subproblem::SteihaugCg => Need::Gradient,
            _ => Need::Hessian,
        }
    }

    fn validate(&self) -> Result<(), Error> {
        let o = &self.options;
        if let Some(r) = o.initial_radius {
            if !(r > 0.0 && r.is_finite()) {
                return Err(Error::InvalidOption(format!(
                    "initial_radius must be finite and > 0, got {r}"
                )));
            }
        }
        if !(o.max_radius >= o.initial_radius.unwrap_or(0.0) && o.max_radius > 0.0) {
            return Err(Error::InvalidOption(format!(
                "max_radius must be > 0 and ≥ initial_radius, got {}",
                o.max_radius
            )));
        }
        if !(0.0..0.25).contains(&o.eta) {
            return Err(Error::InvalidOption(format!(
                "eta must be in [0, 0.25), got {}",
                o.eta
            )));
        }
        Ok(())
    }

    fn start<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        x0: Vec<f64>,
    ) -> Result<Point, Halt> {
        let o = &self.options;
        self.radius = o
            .initial_radius
            .unwrap_or(10.0 * norm(&x0).max(1.0))
            .min(o.max_radius);
        problem.point(x0, self.need())
    }

    fn step<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        at: &Point,
    ) -> Result<Outcome, Halt> {
        let radius = self.radius;
        if radius <= f64::EPSILON * (1.0 + norm(&at.x)) {
            return Ok(Outcome::stop(Termination::RadiusCollapsed));
        }
        let hessian = match self.options.subproblem {
            Subproblem::SteihaugCg => None,
            _ => match self.hessian.at(problem, at)? {
                Ok(h) => Some(h),
                Err(stop) => return Ok(stop),
            },
        };
        let step = match self.options.subproblem {
            Subproblem::SteihaugCg => {
                let mut hessian = problem.hvp_operator(&at.x, self.options.matrix_free)?;
                steihaug::solve(&at.g, radius, None, |v, hv| hessian.apply(v, hv))?
            }
            Subproblem::SteihaugCgDiagonal => {
                let h = hessian.expect("evaluated above");
                steihaug::solve(&at.g, radius, Some(&h.jacobi()), |v, hv| {
                    h.mul_vec_into(v, hv);
                    Ok(())
                })?
            }
            Subproblem::MoreSorensen => {
                let h = hessian.expect("evaluated above");
                more_sorensen::solve(&mut self.cholesky, h, &at.g, radius)
                    .ok_or(NonFiniteEntry::HessianShift)
            }
            Subproblem::Dogleg => {
                let h = hessian.expect("evaluated above");
                dogleg::solve(&mut self.cholesky, h, &at.g, radius)
                    .ok_or(NonFiniteEntry::HessianShift)
            }
        };
        let step = match step {
            Ok(step) => step,
            Err(entry) => return Ok(Outcome::stop(Termination::NonFinite(entry))),
        };
        let trial = moved(&at.x, 1.0, &step.p);
        let f_trial = problem.value(&trial)?;
        // ρ is NaN for a non-finite trial; `ρ > η` is then false and the step is rejected.
        let actual = at.f - f_trial;
        let ratio = if step.predicted > 0.0 {
            actual / step.predicted
        } else if actual >= 0.0 && step.predicted == 0.0 {
            // A zero step predicts nothing: the model is exhausted at this radius.
            0.0
        } else {
            actual.signum()
        };
        let o = &self.options;
        // A rejected step whose predicted reduction lies below f's rounding noise at x (see
        // `Objective::rounding_error`): ρ compares rounding with rounding, and shrinking the
        // radius cannot help. (ARWHEAD at n = 10⁴: 12 rejections down to a collapsed radius
        // after f reached 0.) The bound costs a pass over the tape, so it is asked only for
        // a prediction that is small against f itself.
        let tiny =
            step.predicted > 0.0 && step.predicted <= f64::EPSILON.sqrt() * at.f.abs().max(1.0);
        if !(ratio > o.eta) && tiny && problem.below_rounding(&at.x, step.predicted) {
            return Ok(Outcome {
                radius: Some(radius),
                ratio: Some(ratio),
                inner_iterations: Some(step.inner),
                ..Outcome::stop(Termination::PrecisionLimit)
            });
        }
        // Moré–Sorensen stops within 10% of the boundary: a step that long counts as on it.
        if ratio < 0.25 || !ratio.is_finite() {
            self.radius = 0.25 * step.norm.min(radius);
        } else if ratio > 0.75 && step.norm >= 0.9 * radius * (1.0 - 1e-12) {
            self.radius = (2.0 * radius).min(o.max_radius);
        }
        let mut outcome = if ratio > o.eta && f_trial.is_finite() {
            let next = problem.point(trial, Need::Gradient)?;
            Outcome::moved(next, 1.0)
        } else {
            Outcome::rejected()
        };
        outcome.radius = Some(radius);
        outcome.ratio = Some(ratio);
        outcome.inner_iterations = Some(step.inner);
        Ok(outcome)
    }
}
