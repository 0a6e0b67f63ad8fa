//! Line-search Newton–CG (truncated Newton): the Newton direction from conjugate gradients on
//! Hessian-vector products, never forming the Hessian.

use crate::driver::{line_step, minimize_methods, settings_builders, Method, Outcome, Settings};
use crate::error::Error;
use crate::line_search::{LineSearch, StrongWolfe};
use crate::objective::{dot, Halt, Need, Objective, Point, Problem};

/// Line-search Newton–CG (Nocedal–Wright Algorithm 7.1), also called truncated Newton.
///
/// Each iteration solves the Newton system `H p = −g` (H = ∇²f(x), g = ∇f(x)) approximately by
/// conjugate gradients started at z₀ = 0, using only Hessian-vector products at x:
///
/// ```text
/// r₀ = g,  d₀ = −g
/// for j = 0, 1, …:
///     if dⱼᵀH dⱼ ≤ 0:  p = zⱼ (p = −g when j = 0); stop        negative curvature
///     αⱼ = rⱼᵀrⱼ / dⱼᵀH dⱼ,  zⱼ₊₁ = zⱼ + αⱼ dⱼ,  rⱼ₊₁ = rⱼ + αⱼ H dⱼ
///     if ‖rⱼ₊₁‖₂ ≤ η‖g‖₂:  p = zⱼ₊₁; stop                          inexact Newton step
///     βⱼ = rⱼ₊₁ᵀrⱼ₊₁ / rⱼᵀrⱼ,  dⱼ₊₁ = −rⱼ₊₁ + βⱼ dⱼ
/// ```
///
/// with the forcing term `η = min(η_max, √‖g‖₂)` (η_max = 0.5), which makes the convergence
/// superlinear, and at most `max_cg_iterations` (default n) inner iterations, after which the
/// current `zⱼ` is used. Every zⱼ with j ≥ 1 computed while the curvature stayed positive is a
/// descent direction, and `−g` is one, so the strong-Wolfe line search (first trial α = 1)
/// always starts downhill; near a minimizer with positive definite Hessian the full step is
/// accepted.
///
/// Cost per iteration: one [`hvp_operator`](Objective::hvp_operator) at x (counted as one
/// gradient evaluation), one Hessian-vector product per CG iteration (counted in
/// [`Evaluations::hvp`](crate::Evaluations::hvp)), and the line search's gradients. Closures
/// over `Var` record one tape at x and run every product on it, so memory and time stay
/// O(size of f's program) per product at any n. The CG iterations of each step are in the
/// history's [`Iteration::inner_iterations`](crate::Iteration::inner_iterations).
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::{NewtonCg, Termination};
/// use num_traits::Float;
///
/// // Chained Rosenbrock Σ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², n = 200, minimum f(1, …, 1) = 0.
/// let f = |x: &[Var]| {
///     x.windows(2)
///         .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
///         .fold(Var::constant(0.0), |s, t| s + t)
/// };
/// let x0: Vec<f64> = (0..200).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect();
/// let s = NewtonCg::new().gradient_tolerance(1e-6).minimize(f, &x0).unwrap();
/// assert_eq!(s.termination, Termination::GradientTolerance);
/// assert!(s.x.iter().all(|xi| (xi - 1.0).abs() < 1e-5));
/// assert_eq!(s.evaluations.hessian, 0); // only Hessian-vector products
/// assert!(s.evaluations.hvp > 0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NewtonCg {
    settings: Settings,
    line_search: LineSearch,
    forcing: f64,
    max_cg_iterations: Option<usize>,
}

impl Default for NewtonCg {
    fn default() -> Self {
        NewtonCg {
            settings: Settings::new(10_000),
            line_search: LineSearch::StrongWolfe(StrongWolfe::new()),
            forcing: 0.5,
            max_cg_iterations: None,
        }
    }
}

impl NewtonCg {
    /// Defaults: η_max = 0.5, at most n CG iterations, strong-Wolfe line search from α = 1,
    /// 10 000 iterations, `‖g‖∞ ≤ 1e-8`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cap η_max ∈ [0, 1) of the forcing term `η = min(η_max, √‖g‖₂)`: CG stops once
    /// `‖r‖₂ ≤ η‖g‖₂`. 0 runs CG until the residual vanishes or the iteration limit, i.e.
    /// (in exact arithmetic) to the exact Newton step when H is positive definite.
    pub fn forcing(mut self, eta_max: f64) -> Self {
        self.forcing = eta_max;
        self
    }

    /// Limit k ≥ 1 on CG iterations (Hessian-vector products) per step (default n, enough for
    /// exact convergence in exact arithmetic).
    pub fn max_cg_iterations(mut self, k: usize) -> Self {
        self.max_cg_iterations = Some(k);
        self
    }

    /// Step rule along the Newton–CG direction (first trial α = 1).
    pub fn line_search(mut self, search: LineSearch) -> Self {
        self.line_search = search;
        self
    }

    settings_builders!();
    minimize_methods!(Objective, &[f64], crate::driver::run);

    fn method(&self) -> NewtonCgStep {
        NewtonCgStep {
            line_search: self.line_search,
            forcing: self.forcing,
            max_cg_iterations: self.max_cg_iterations,
        }
    }
}

struct NewtonCgStep {
    line_search: LineSearch,
    forcing: f64,
    max_cg_iterations: Option<usize>,
}

/// The search direction and the number of CG iterations (Hessian-vector products) spent.
pub(crate) struct Direction {
    pub p: Vec<f64>,
    pub iterations: usize,
}

/// Conjugate gradients on `H p = −g` from p = 0, stopped at `‖r‖₂ ≤ tolerance`, at negative
/// curvature, or after `max_iterations ≥ 1` products `hv(d, out)` (see [`NewtonCg`]).
pub(crate) fn truncated_cg(
    g: &[f64],
    tolerance: f64,
    max_iterations: usize,
    mut hv: impl FnMut(&[f64], &mut Vec<f64>) -> Result<(), Halt>,
) -> Result<Direction, Halt> {
    let n = g.len();
    let mut z = vec![0.0; n];
    let mut r = g.to_vec();
    let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
    let mut rr = dot(&r, &r);
    let mut hd = Vec::with_capacity(n);
    for j in 0..max_iterations {
        hv(&d, &mut hd)?;
        let curvature = dot(&d, &hd);
        let alpha = rr / curvature;
        // `!(… > 0)` also catches NaN: an unusable product ends the inner loop like negative
        // curvature does.
        if !(curvature > 0.0) || !alpha.is_finite() {
            let p = if j == 0 { d } else { z };
            return Ok(Direction {
                p,
                iterations: j + 1,
            });
        }
        for i in 0..n {
            z[i] += alpha * d[i];
            r[i] += alpha * hd[i];
        }
        let rr_next = dot(&r, &r);
        if rr_next.sqrt() <= tolerance {
            return Ok(Direction {
                p: z,
                iterations: j + 1,
            });
        }
        let beta = rr_next / rr;
        for i in 0..n {
            d[i] = -r[i] + beta * d[i];
        }
        rr = rr_next;
    }
    Ok(Direction {
        p: z,
        iterations: max_iterations,
    })
}

impl Method for NewtonCgStep {
    fn need(&self) -> Need {
        Need::Gradient
    }

    fn validate(&self) -> Result<(), Error> {
        if !(0.0..1.0).contains(&self.forcing) {
            return Err(Error::InvalidOption(format!(
                "Newton-CG forcing η_max must be in [0, 1), got {}",
                self.forcing
            )));
        }
        if self.max_cg_iterations == Some(0) {
            return Err(Error::InvalidOption(
                "Newton-CG max_cg_iterations must be ≥ 1".into(),
            ));
        }
        Ok(())
    }

    fn step<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        at: &Point,
    ) -> Result<Outcome, Halt> {
        let max_iterations = self.max_cg_iterations.unwrap_or(problem.dimension());
        let g_norm = dot(&at.g, &at.g).sqrt();
        let tolerance = self.forcing.min(g_norm.sqrt()) * g_norm;
        let direction = {
            let mut hessian = problem.hvp_operator(&at.x)?;
            truncated_cg(&at.g, tolerance, max_iterations, |v, hv| {
                hessian.apply(v, hv)
            })?
        };
        let mut outcome = line_step(
            problem,
            at,
            &direction.p,
            &self.line_search,
            1.0,
            Need::Gradient,
        )?;
        outcome.inner_iterations = Some(direction.iterations);
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Products with the symmetric matrix `a` (row-major n × n).
    fn product(a: &[f64], n: usize) -> impl FnMut(&[f64], &mut Vec<f64>) -> Result<(), Halt> + '_ {
        move |v, hv| {
            hv.clear();
            hv.extend((0..n).map(|i| dot(&a[i * n..(i + 1) * n], v)));
            Ok(())
        }
    }

    #[test]
    fn cg_solves_a_positive_definite_system_in_n_iterations() {
        // H = [[4, 1], [1, 3]], g = (1, 2): p = −H⁻¹g = −(3·1 − 2, −1 + 4·2)/11 = −(1, 7)/11.
        let h = [4.0, 1.0, 1.0, 3.0];
        let d = truncated_cg(&[1.0, 2.0], 0.0, 2, product(&h, 2)).unwrap();
        assert_eq!(d.iterations, 2);
        assert!((d.p[0] + 1.0 / 11.0).abs() < 1e-15 && (d.p[1] + 7.0 / 11.0).abs() < 1e-15);
    }

    #[test]
    fn cg_stops_at_the_forcing_tolerance() {
        // H = diag(1, 100), g = (1, 1): d₀ = −g, d₀ᵀHd₀ = 101, α₀ = 2/101,
        // z₁ = −(2, 2)/101, r₁ = g + α₀Hd₀ = (99, −99)/101, ‖r₁‖ = 99√2/101 ≈ 1.386 ≤ 1.4.
        let h = [1.0, 0.0, 0.0, 100.0];
        let d = truncated_cg(&[1.0, 1.0], 1.4, 2, product(&h, 2)).unwrap();
        assert_eq!(d.iterations, 1);
        assert!((d.p[0] + 2.0 / 101.0).abs() < 1e-15 && (d.p[1] + 2.0 / 101.0).abs() < 1e-15);
    }

    #[test]
    fn negative_curvature_returns_minus_g_first_and_the_iterate_later() {
        // H = diag(−1, 2), g = (1, 1): d₀ᵀHd₀ = 1 > 0, α₀ = 2, z₁ = (−2, −2) (gᵀz₁ = −4 < 0);
        // r₁ = (1, 1) + 2·(1, −2) = (3, −3), β₀ = 18/2 = 9, d₁ = (−3, 3) + 9·(−1, −1) = (−12, −6),
        // d₁ᵀHd₁ = −144 + 72 = −72 ≤ 0: stop with z₁.
        let h = [-1.0, 0.0, 0.0, 2.0];
        let d = truncated_cg(&[1.0, 1.0], 0.0, 2, product(&h, 2)).unwrap();
        assert_eq!((d.p, d.iterations), (vec![-2.0, -2.0], 2));
        // H = diag(−1, −1): the very first curvature is negative, so p = −g.
        let h = [-1.0, 0.0, 0.0, -1.0];
        let d = truncated_cg(&[1.0, 2.0], 0.0, 2, product(&h, 2)).unwrap();
        assert_eq!((d.p, d.iterations), (vec![-1.0, -2.0], 1));
    }

    #[test]
    fn the_iteration_limit_returns_the_current_iterate() {
        let h = [4.0, 1.0, 1.0, 3.0];
        let d = truncated_cg(&[1.0, 2.0], 0.0, 1, product(&h, 2)).unwrap();
        // One step of steepest descent with exact step: α = gᵀg / gᵀHg = 5/20.
        assert_eq!((d.p, d.iterations), (vec![-0.25, -0.5], 1));
    }
}
