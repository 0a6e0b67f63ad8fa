//! Line-search Newton–CG (truncated Newton): the Newton direction from conjugate gradients on
//! Hessian products.

use crate::driver::{line_step, minimize_methods, settings_builders, Method, Outcome, Settings};
use crate::error::Error;
use crate::lazy_hessian::LazyHessian;
use crate::line_search::{LineSearch, StrongWolfe};
use crate::objective::{Halt, Need, Objective, Point, Problem};
use crate::products::matrix_free_builder;
use crate::reduce::{dot, pairwise};

/// How [`NewtonCg`] and [`ProjectedNewton`](crate::ProjectedNewton) (with
/// [`NewtonSystem::ConjugateGradient`](crate::NewtonSystem::ConjugateGradient)) precondition
/// their conjugate gradients.
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::{NewtonCg, Preconditioner};
/// // TRIDIA, (x₀ − 1)² + Σ (i + 1)(2xᵢ − xᵢ₋₁)²: its weights make H badly scaled.
/// let f = |x: &[Var]| {
///     (1..x.len()).fold((x[0] - 1.0) * (x[0] - 1.0), |s, i| {
///         let d = 2.0 * x[i] - x[i - 1];
///         s + (i + 1) as f64 * d * d
///     })
/// };
/// let cg = |preconditioner| {
///     let s = NewtonCg::new().preconditioner(preconditioner).minimize(f, &[1.0; 300]).unwrap();
///     assert!(s.converged() && (s.x[3] - 0.125).abs() < 1e-9); // xᵢ = 2⁻ⁱ
///     s.inner_iterations // CG iterations
/// };
/// // The default preconditions once the products go through the formed sparse Hessian.
/// assert!(2 * cg(Preconditioner::Automatic) < cg(Preconditioner::None));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Preconditioner {
    /// Plain CG on Hessian products.
    None,
    /// CG preconditioned by M = diag(H) (Jacobi; `mᵢ = max(|Hᵢᵢ|, √ε·max(1, maxⱼ|Hⱼⱼ|))`, so
    /// M is positive definite where H is not). Each iteration evaluates the Hessian —
    /// sparse when the closure's recorded Hessian is (one compiled sparse Hessian a step),
    /// dense otherwise — and multiplies by it. It pays where H is badly scaled: TRIDIA at
    /// n = 10⁵ (Σ i(2xᵢ − xᵢ₋₁)², weights growing with i) took 4 523 CG iterations in 4
    /// steps without it (3.4 s) and 65 in 4 with it (0.16 s; README, "Hessian products").
    Diagonal,
    /// The default: [`Diagonal`](Self::Diagonal) at the iterates whose products go through
    /// a formed sparse Hessian, whose diagonal is then free (a closure with a sparse
    /// Hessian, once the run has taken its first 20 products on the tape; see
    /// [`NewtonCg::matrix_free`]); [`None`](Self::None) where the products are
    /// Hessian-vector products (those first 20, dense Hessians, `matrix_free(true)`,
    /// hand-written objectives). A run that needs few products thus never forms a Hessian
    /// (ARWHEAD at n = 10⁵: 8 products in all), and one that needs many gets them
    /// preconditioned: TRIDIA at n = 10⁵ took 81 CG iterations (0.25 s) against 4 523
    /// (2.9 s) unpreconditioned, chained Rosenbrock at n = 1000 from (−1.2, 1, …) 1 853
    /// iterations against 2 590 (README, "Hessian products").
    #[default]
    Automatic,
}

/// Line-search Newton–CG (truncated Newton; Nocedal–Wright Algorithm 7.1) with
/// Eisenstat–Walker forcing terms and a step along negative curvature.
///
/// Each iteration solves the Newton system `H p = −g` (H = ∇²f(x), g = ∇f(x)) approximately by
/// conjugate gradients started at z₀ = 0, using only Hessian products `H·v` at x:
///
/// ```text
/// r₀ = g,  d₀ = −g
/// for j = 0, 1, …:
///     κ = dⱼᵀH dⱼ
///     if κ ≤ 0 and j = 0:  p = −g; stop                               steepest descent
///     if κ ≤ 0:            p = zⱼ + σ dⱼ, σ = |κ| / ‖dⱼ‖₂³; stop       negative curvature
///     αⱼ = rⱼᵀrⱼ / κ,  zⱼ₊₁ = zⱼ + αⱼ dⱼ,  rⱼ₊₁ = rⱼ + αⱼ H dⱼ
///     if ‖rⱼ₊₁‖₂ ≤ η_k‖g‖₂:  p = zⱼ₊₁; stop                            inexact Newton step
///     βⱼ = rⱼ₊₁ᵀrⱼ₊₁ / rⱼᵀrⱼ,  dⱼ₊₁ = −rⱼ₊₁ + βⱼ dⱼ
/// ```
///
/// with at most `max_cg_iterations` (default n) inner iterations, after which the current zⱼ
/// is used. CG's residuals are mutually orthogonal, so gᵀdⱼ = −βⱼ₋₁⋯β₀‖g‖² < 0 and
/// rⱼᵀdⱼ = −‖rⱼ‖² < 0: every zⱼ and every dⱼ is a descent direction. On negative (or zero)
/// curvature the direction found so far is kept and, when κ < 0, extended along dⱼ by the
/// length |κ|/‖dⱼ‖₂² of its Rayleigh quotient, which lowers the quadratic model further by
/// σ‖rⱼ‖² + σ²|κ|/2. The iterate zⱼ alone can be tiny next to a saddle (extended Wood crawls
/// along f ≈ 7.88 per block for hundreds of iterations with it); the extension escapes.
///
/// The forcing terms are Eisenstat and Walker's choice 1 (SIAM J. Sci. Comput. 17 (1996) 16–32),
/// safeguarded and capped:
///
/// ```text
/// η₀ = η_max
/// η_k = |‖g_k‖₂ − ‖g_{k−1} + H_{k−1}s_{k−1}‖₂| / ‖g_{k−1}‖₂      s_{k−1} the step taken
/// η_k ← max(η_k, η_{k−1}^φ) when η_{k−1}^φ > 0.1, φ = (1 + √5)/2
/// η_k ← min(max(η_k, ε), η_max)
/// ```
///
/// The first line measures how well the quadratic model predicted the new gradient: CG is
/// solved tightly (superlinear convergence) where the model is trusted and loosely where it is
/// not, and the safeguard keeps η from falling abruptly after one lucky step; the floor ε
/// keeps CG from chasing a residual below its rounding where the model is exact (a
/// quadratic). The model's gradient at s = a·p is (1 − a)g + a·r from CG's final residual
/// r = g + Hp, so it costs no product. Choice 2 (η_k = 0.9(‖g_k‖/‖g_{k−1}‖)², safeguard
/// 0.9η_{k−1}²) solves extended Wood as well, in slightly fewer iterations (66 against 82 at
/// n = 1000), but on chained Rosenbrock from xᵢ = i/(n + 1), n = 1000, it took 852
/// iterations and 8 386 products against choice 1's 680 and 7 250.
///
/// Every direction is downhill, so the strong-Wolfe line search (first trial α = 1) starts
/// downhill; near a minimizer with positive definite Hessian the full step is accepted.
///
/// Cost per iteration: one [`hvp_operator`](Objective::hvp_operator) at x (counted as one
/// gradient evaluation), one Hessian product per CG iteration, and the line search's
/// gradients. Closures over `Var` are recorded once and replayed at x. A product is a
/// Hessian-vector product on the tape (counted in
/// [`Evaluations::hvp`](crate::Evaluations::hvp)), O(size of f's program) in time and memory
/// at any n, until the run has taken 20 of them; from then on, if the Hessian is sparse,
/// each iteration forms the tape's sparse Hessian at its first product (counted in
/// [`Evaluations::hessian`](crate::Evaluations::hessian), about the cost of one
/// Hessian-vector product) and multiplies by it (a tenth of one; see
/// [`matrix_free`](Self::matrix_free), which keeps every product on the tape), its CG
/// preconditioned by the Hessian's diagonal ([`Preconditioner::Automatic`]). The CG
/// iterations of each step are in the history's
/// [`Iteration::inner_iterations`](crate::Iteration::inner_iterations).
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
/// // 20 Hessian-vector products on the tape, then sparse (tridiagonal) Hessians.
/// assert_eq!(s.evaluations.hvp, 20);
/// assert!(s.evaluations.hessian > 0);
///
/// let s = NewtonCg::new().gradient_tolerance(1e-6).matrix_free(true).minimize(f, &x0).unwrap();
/// assert!(s.x.iter().all(|xi| (xi - 1.0).abs() < 1e-5));
/// assert_eq!(s.evaluations.hessian, 0); // only Hessian-vector products
/// assert!(s.evaluations.hvp > 20);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NewtonCg {
    settings: Settings,
    line_search: LineSearch,
    forcing: f64,
    max_cg_iterations: Option<usize>,
    matrix_free: bool,
    preconditioner: Preconditioner,
}

impl Default for NewtonCg {
    fn default() -> Self {
        NewtonCg {
            settings: Settings::new(10_000),
            line_search: LineSearch::StrongWolfe(StrongWolfe::new()),
            forcing: 0.5,
            max_cg_iterations: None,
            matrix_free: false,
            preconditioner: Preconditioner::Automatic,
        }
    }
}

impl NewtonCg {
    /// Defaults: η_max = 0.5, at most n CG iterations, [`Preconditioner::Automatic`],
    /// strong-Wolfe line search from α = 1, 10 000 iterations, `‖g‖∞ ≤ 1e-8`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cap η_max ∈ [0, 1) of the Eisenstat–Walker forcing terms η_k (and the first one,
    /// η₀): CG stops once `‖r‖₂ ≤ η_k‖g‖₂`. 0 runs CG until the residual vanishes or the
    /// iteration limit, i.e. (in exact arithmetic) to the exact Newton step when H is positive
    /// definite.
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

    /// The preconditioner of the CG iterations (default [`Preconditioner::Automatic`]: the
    /// Hessian's diagonal where the products use the formed sparse Hessian, none where they
    /// are Hessian-vector products). [`Preconditioner::Diagonal`] evaluates the Hessian at
    /// every iterate, so [`matrix_free`](Self::matrix_free) does not apply to it.
    pub fn preconditioner(mut self, preconditioner: Preconditioner) -> Self {
        self.preconditioner = preconditioner;
        self
    }

    matrix_free_builder!();
    settings_builders!();
    minimize_methods!(Objective, &[f64], crate::driver::run);

    fn method(&self) -> NewtonCgStep {
        NewtonCgStep {
            line_search: self.line_search,
            forcing: ForcingTerm::new(self.forcing),
            max_cg_iterations: self.max_cg_iterations,
            matrix_free: self.matrix_free,
            preconditioner: self.preconditioner,
            hessian: LazyHessian::default(),
        }
    }
}

struct NewtonCgStep {
    line_search: LineSearch,
    forcing: ForcingTerm,
    max_cg_iterations: Option<usize>,
    matrix_free: bool,
    preconditioner: Preconditioner,
    /// The iterate's Hessian, for the diagonal preconditioner.
    hessian: LazyHessian,
}

/// Eisenstat–Walker forcing terms η_k (choice 1) for the truncation `‖r‖₂ ≤ η_k‖g_k‖₂`; see
/// [`NewtonCg`].
#[derive(Clone, Debug)]
struct ForcingTerm {
    eta_max: f64,
    /// η_{k−1}, ‖g_{k−1}‖₂ and the model's gradient norm ‖g_{k−1} + H_{k−1}s_{k−1}‖₂, once a
    /// step has been taken.
    previous: Option<(f64, f64, f64)>,
}

/// The least forcing term: CG's recurred residual below ε‖g‖ is rounding. Where the model
/// predicts the new gradient exactly, as on a quadratic, choice 1 gives η = 0, and CG then
/// ran until its recurred residual underflowed: TRIDIA's last Newton step at n = 10⁵ (Jacobi
/// preconditioned) took 570 CG iterations to |r| = 1e-153, where the residual passed ε‖g‖
/// after about 55.
const ETA_MIN: f64 = f64::EPSILON;

impl ForcingTerm {
    fn new(eta_max: f64) -> Self {
        ForcingTerm {
            eta_max,
            previous: None,
        }
    }

    /// η_k for the iterate with gradient norm `g_norm`.
    fn eta(&self, g_norm: f64) -> f64 {
        let Some((eta_previous, g_previous, model)) = self.previous else {
            return self.eta_max;
        };
        let golden = (1.0 + 5f64.sqrt()) / 2.0;
        let mut eta = (g_norm - model).abs() / g_previous;
        let safeguard = eta_previous.powf(golden);
        if safeguard > 0.1 {
            eta = eta.max(safeguard);
        }
        // NaN (from a non-finite model gradient) falls back to the cap.
        if eta.is_nan() {
            self.eta_max
        } else {
            eta.max(ETA_MIN).min(self.eta_max)
        }
    }

    /// Records the step s = a·p taken from the iterate with gradient g, where CG left the
    /// residual r = g + Hp: the model's gradient at s is g + aHp = (1 − a)g + a·r.
    fn record(&mut self, eta: f64, g: &[f64], r: &[f64], a: f64) {
        let model = g
            .iter()
            .zip(r)
            .map(|(gi, ri)| ((1.0 - a) * gi + a * ri).powi(2))
            .sum::<f64>()
            .sqrt();
        self.previous = Some((eta, dot(g, g).sqrt(), model));
    }
}

/// The search direction p, the CG residual r = g + Hp and the number of CG iterations
/// (Hessian-vector products) spent.
pub(crate) struct Direction {
    pub p: Vec<f64>,
    pub r: Vec<f64>,
    pub iterations: usize,
    /// p is −g (−M⁻¹g when preconditioned) because the first product already showed
    /// nonpositive curvature.
    pub steepest_descent: bool,
}

/// Conjugate gradients on `H p = −g` from p = 0, preconditioned by M = diag(m) when `m` is
/// given, stopped at `‖r‖₂ ≤ tolerance`, at negative (or zero) curvature, or after
/// `max_iterations ≥ 1` products `hv(d, out)` (see [`NewtonCg`]). Matrix-free and free of
/// the optimizer's state, so the bounded Newton–CG can share its recurrences.
///
/// Preconditioned (Nocedal–Wright Algorithm 5.3): with yⱼ = M⁻¹rⱼ, d₀ = −y₀,
/// αⱼ = rⱼᵀyⱼ / dⱼᵀHdⱼ, βⱼ = rⱼ₊₁ᵀyⱼ₊₁ / rⱼᵀyⱼ and dⱼ₊₁ = −yⱼ₊₁ + βⱼdⱼ; the rest as above.
/// Without `m`, yⱼ is rⱼ itself, bit for bit.
pub(crate) fn truncated_cg(
    g: &[f64],
    tolerance: f64,
    max_iterations: usize,
    m: Option<&[f64]>,
    mut hv: impl FnMut(&[f64], &mut Vec<f64>) -> Result<(), Halt>,
) -> Result<Direction, Halt> {
    let n = g.len();
    let mut z = vec![0.0; n];
    let (mut r, mut y, mut d, mut ry) = cg_start(g, m);
    let mut hd = Vec::with_capacity(n);
    for j in 0..max_iterations {
        hv(&d, &mut hd)?;
        let curvature = dot(&d, &hd);
        let alpha = ry / curvature;
        // `!(… > 0)` also catches NaN: an unusable product ends the inner loop like negative
        // curvature does.
        if !(curvature > 0.0) || !alpha.is_finite() {
            if j == 0 {
                // p = d₀ = −M⁻¹g, whose product H d₀ is at hand: r = g + H d₀.
                for (ri, hi) in r.iter_mut().zip(&hd) {
                    *ri += hi;
                }
                return Ok(Direction {
                    p: d,
                    r,
                    iterations: 1,
                    steepest_descent: true,
                });
            }
            let dd = dot(&d, &d);
            let sigma = -curvature / (dd * dd.sqrt());
            // dⱼ is downhill in exact arithmetic; in floating point only extend along it when
            // it still is, and when σ is a usable number.
            if curvature < 0.0 && sigma.is_finite() && dot(g, &d) < 0.0 {
                for i in 0..n {
                    z[i] += sigma * d[i];
                    r[i] += sigma * hd[i];
                }
            }
            return Ok(Direction {
                p: z,
                r,
                iterations: j + 1,
                steepest_descent: false,
            });
        }
        let (rr, ry_next) = cg_advance(alpha, &d, &hd, &mut z, &mut r, None, m, &mut y);
        if rr.sqrt() <= tolerance {
            return Ok(Direction {
                p: z,
                r,
                iterations: j + 1,
                steepest_descent: false,
            });
        }
        cg_direction(ry_next / ry, if m.is_some() { &y } else { &r }, &mut d);
        ry = ry_next;
    }
    Ok(Direction {
        p: z,
        r,
        iterations: max_iterations,
        steepest_descent: false,
    })
}

/// CG's state at p = 0 for the gradient `g` and the preconditioner `M = diag(m)`, if any:
/// `(r, y, d, rᵀy)` with the residual r = g, y = M⁻¹r (r itself without M; `cg_advance`
/// keeps it up to date) and the first direction d = −y.
pub(crate) fn cg_start(g: &[f64], m: Option<&[f64]>) -> (Vec<f64>, Vec<f64>, Vec<f64>, f64) {
    let r = g.to_vec();
    let y: Vec<f64> = match m {
        Some(m) => r.iter().zip(m).map(|(a, b)| a / b).collect(),
        None => r.clone(),
    };
    let d = y.iter().map(|v| -v).collect();
    let ry = dot(&r, &y);
    (r, y, d, ry)
}

/// A CG iteration's vector updates in one pass over memory (at large n the iteration is
/// bound by its passes, not its arithmetic): `z += α·d`, `r += α·Hd` (and `hz += α·Hd` when
/// given), then from the new r, `y = M⁻¹r` when preconditioned, and the sums `rᵀr` and `rᵀy`.
/// The sums group their terms as [`dot`] does (eight interleaved partial sums over the whole
/// blocks of eight, then the tail), so the results are those of `dot` in passes of their
/// own, bit for bit, and their additions do not wait on one another. Returns `(rᵀr, rᵀy)`;
/// without `m`, y is untouched and `rᵀy` is `rᵀr`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn cg_advance(
    alpha: f64,
    d: &[f64],
    hd: &[f64],
    z: &mut [f64],
    r: &mut [f64],
    mut hz: Option<&mut [f64]>,
    m: Option<&[f64]>,
    y: &mut [f64],
) -> (f64, f64) {
    let n = r.len();
    let (d, hd, z) = (&d[..n], &hd[..n], &mut z[..n]);
    // Element i's updates, and its terms of rᵀr and rᵀy.
    let mut update = |i: usize| -> (f64, f64) {
        z[i] += alpha * d[i];
        r[i] += alpha * hd[i];
        if let Some(hz) = hz.as_deref_mut() {
            hz[i] += alpha * hd[i];
        }
        let ry = match m {
            Some(m) => {
                y[i] = r[i] / m[i];
                r[i] * y[i]
            }
            None => 0.0,
        };
        (r[i] * r[i], ry)
    };
    let whole = n - n % 8;
    let (mut rr, mut ry) = ([0.0f64; 8], [0.0f64; 8]);
    for block in (0..whole).step_by(8) {
        for k in 0..8 {
            let (a, b) = update(block + k);
            rr[k] += a;
            ry[k] += b;
        }
    }
    let (mut rr_tail, mut ry_tail) = (-0.0, -0.0);
    for i in whole..n {
        let (a, b) = update(i);
        rr_tail += a;
        ry_tail += b;
    }
    let rr = pairwise(rr) + rr_tail;
    let ry = if m.is_some() {
        pairwise(ry) + ry_tail
    } else {
        rr
    };
    (rr, ry)
}

/// CG's next direction in place: `d = −y + β·d`.
pub(crate) fn cg_direction(beta: f64, y: &[f64], d: &mut [f64]) {
    for (di, yi) in d.iter_mut().zip(y) {
        *di = -yi + beta * *di;
    }
}

impl Method for NewtonCgStep {
    fn name(&self) -> &'static str {
        "Newton-CG"
    }

    fn need(&self) -> Need {
        Need::Gradient
    }

    fn validate(&self) -> Result<(), Error> {
        if !(0.0..1.0).contains(&self.forcing.eta_max) {
            return Err(Error::InvalidOption(format!(
                "Newton-CG forcing η_max must be in [0, 1), got {}",
                self.forcing.eta_max
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
        let eta = self.forcing.eta(g_norm);
        let tolerance = eta * g_norm;
        let direction = match self.preconditioner {
            Preconditioner::None | Preconditioner::Automatic => {
                let mut hessian = problem.hvp_operator(&at.x, self.matrix_free)?;
                let m = match self.preconditioner {
                    Preconditioner::Automatic => hessian.jacobi_if_formed(None)?,
                    _ => None,
                };
                truncated_cg(&at.g, tolerance, max_iterations, m.as_deref(), |v, hv| {
                    hessian.apply(v, hv)
                })?
            }
            Preconditioner::Diagonal => {
                let h = match self.hessian.at(problem, at)? {
                    Ok(h) => h,
                    Err(stop) => return Ok(stop),
                };
                let m = h.jacobi();
                truncated_cg(&at.g, tolerance, max_iterations, Some(&m), |v, hv| {
                    h.mul_vec_into(v, hv);
                    Ok(())
                })?
            }
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
        self.forcing.record(eta, &at.g, &direction.r, outcome.alpha);
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
    fn cg_advance_sums_are_dot_products_of_the_updated_vectors_bit_for_bit() {
        // n = 19: two whole blocks of eight and a tail of three, with and without M.
        let n = 19;
        let vec_of = |f: fn(f64) -> f64| -> Vec<f64> { (0..n).map(|i| f(i as f64)).collect() };
        let d = vec_of(|i| (0.7 * i).sin());
        let hd = vec_of(|i| (1.3 * i).cos() + 0.1);
        let m = vec_of(|i| 1.0 + i * i / 7.0);
        for precondition in [false, true] {
            let mut z = vec_of(|i| 1.0 / (i + 1.0));
            let mut r = vec_of(|i| (0.3 * i).cos());
            let mut hz = vec_of(|i| i / 3.0);
            let mut y = vec![0.0; n];
            let (z0, r0, hz0) = (z.clone(), r.clone(), hz.clone());
            let mm = precondition.then_some(&m[..]);
            let (rr, ry) = cg_advance(0.37, &d, &hd, &mut z, &mut r, Some(&mut hz), mm, &mut y);
            for i in 0..n {
                assert_eq!(z[i], z0[i] + 0.37 * d[i]);
                assert_eq!(r[i], r0[i] + 0.37 * hd[i]);
                assert_eq!(hz[i], hz0[i] + 0.37 * hd[i]);
            }
            assert_eq!(rr.to_bits(), dot(&r, &r).to_bits());
            if precondition {
                let y_expected: Vec<f64> = r.iter().zip(&m).map(|(a, b)| a / b).collect();
                assert_eq!(y, y_expected);
                assert_eq!(ry.to_bits(), dot(&r, &y).to_bits());
            } else {
                assert_eq!(ry.to_bits(), rr.to_bits());
            }
        }
    }

    #[test]
    fn cg_solves_a_positive_definite_system_in_n_iterations() {
        // H = [[4, 1], [1, 3]], g = (1, 2): p = −H⁻¹g = −(3·1 − 2, −1 + 4·2)/11 = −(1, 7)/11.
        let h = [4.0, 1.0, 1.0, 3.0];
        let d = truncated_cg(&[1.0, 2.0], 0.0, 2, None, product(&h, 2)).unwrap();
        assert_eq!(d.iterations, 2);
        assert!((d.p[0] + 1.0 / 11.0).abs() < 1e-15 && (d.p[1] + 7.0 / 11.0).abs() < 1e-15);
    }

    #[test]
    fn cg_stops_at_the_forcing_tolerance() {
        // H = diag(1, 100), g = (1, 1): d₀ = −g, d₀ᵀHd₀ = 101, α₀ = 2/101,
        // z₁ = −(2, 2)/101, r₁ = g + α₀Hd₀ = (99, −99)/101, ‖r₁‖ = 99√2/101 ≈ 1.386 ≤ 1.4.
        let h = [1.0, 0.0, 0.0, 100.0];
        let d = truncated_cg(&[1.0, 1.0], 1.4, 2, None, product(&h, 2)).unwrap();
        assert_eq!(d.iterations, 1);
        assert!((d.p[0] + 2.0 / 101.0).abs() < 1e-15 && (d.p[1] + 2.0 / 101.0).abs() < 1e-15);
    }

    #[test]
    fn negative_curvature_returns_minus_g_first_and_later_extends_the_iterate() {
        // H = diag(−1, 2), g = (1, 1): d₀ᵀHd₀ = 1 > 0, α₀ = 2, z₁ = (−2, −2);
        // r₁ = (1, 1) + 2·(1, −2) = (3, −3), β₀ = 18/2 = 9, d₁ = (−3, 3) + 9·(−1, −1) = (−12, −6),
        // κ = d₁ᵀHd₁ = −144 + 72 = −72 ≤ 0: stop with z₁ + σd₁, σ = 72/180^(3/2) = 0.4/√180.
        let h = [-1.0, 0.0, 0.0, 2.0];
        let d = truncated_cg(&[1.0, 1.0], 0.0, 2, None, product(&h, 2)).unwrap();
        let sigma = 0.4 / 180f64.sqrt();
        assert_eq!(d.iterations, 2);
        assert!((d.p[0] - (-2.0 - 12.0 * sigma)).abs() < 1e-15, "{:?}", d.p);
        assert!((d.p[1] - (-2.0 - 6.0 * sigma)).abs() < 1e-15, "{:?}", d.p);
        // r = g + Hp = (1 − p₀, 1 + 2p₁) = (3 + 12σ, −3 − 12σ).
        assert!((d.r[0] - (3.0 + 12.0 * sigma)).abs() < 1e-14, "{:?}", d.r);
        assert!((d.r[1] + (3.0 + 12.0 * sigma)).abs() < 1e-14, "{:?}", d.r);
        // Downhill, and a lower model value than z₁: m(p) = gᵀp + ½pᵀHp.
        let model = |p: &[f64]| p[0] + p[1] + 0.5 * (-p[0] * p[0] + 2.0 * p[1] * p[1]);
        assert!(d.p[0] + d.p[1] < 0.0);
        assert!(model(&d.p) < model(&[-2.0, -2.0]));
        // H = diag(−1, −1): the very first curvature is negative, so p = −g, r = g + H(−g) = 2g.
        let h = [-1.0, 0.0, 0.0, -1.0];
        let d = truncated_cg(&[1.0, 2.0], 0.0, 2, None, product(&h, 2)).unwrap();
        assert_eq!(
            (d.p, d.r, d.iterations),
            (vec![-1.0, -2.0], vec![2.0, 4.0], 1)
        );
        // Zero curvature after the first step (H = diag(1, 0), g = (1, 1)): z₁ is kept as it is.
        // d₀ᵀHd₀ = 1, α₀ = 2, z₁ = (−2, −2), r₁ = (−1, 1), β₀ = 1, d₁ = (0, −2), κ = 0.
        let h = [1.0, 0.0, 0.0, 0.0];
        let d = truncated_cg(&[1.0, 1.0], 0.0, 2, None, product(&h, 2)).unwrap();
        assert_eq!(
            (d.p, d.r, d.iterations),
            (vec![-2.0, -2.0], vec![-1.0, 1.0], 2)
        );
    }

    #[test]
    fn eisenstat_walker_choice_1_with_its_safeguard_and_cap() {
        let mut forcing = ForcingTerm::new(0.5);
        // η₀ = η_max.
        assert_eq!(forcing.eta(10.0), 0.5);
        // Step a = 1 from g = (3, 4) (‖g‖ = 5) with CG residual r = (0.3, 0.4): the model's
        // gradient is r, of norm 0.5. A new gradient of norm 1 gives |1 − 0.5|/5 = 0.1, below
        // the safeguard 0.5^φ ≈ 0.3254 > 0.1, which therefore wins.
        forcing.record(0.5, &[3.0, 4.0], &[0.3, 0.4], 1.0);
        let golden = (1.0 + 5f64.sqrt()) / 2.0;
        assert!((forcing.eta(1.0) - 0.5f64.powf(golden)).abs() < 1e-15);
        // After η = 0.2 (0.2^φ ≈ 0.074 ≤ 0.1: no safeguard): a half step a = ½ predicts
        // ½g + ½r = (1.65, 2.2), norm 2.75; a new gradient of norm 3 gives 0.25/5 = 0.05.
        forcing.record(0.2, &[3.0, 4.0], &[0.3, 0.4], 0.5);
        assert!((forcing.eta(3.0) - 0.05).abs() < 1e-15);
        // A model far off gives more than the cap: η_max.
        assert_eq!(forcing.eta(50.0), 0.5);
        // A model that predicted the new gradient exactly (a quadratic) gives 0, floored at ε:
        // a = 1, r = (0.3, 0.4), new gradient norm 0.5 = ‖r‖.
        forcing.record(0.01, &[3.0, 4.0], &[0.3, 0.4], 1.0);
        assert_eq!(forcing.eta(0.5), f64::EPSILON);
    }

    #[test]
    fn the_preconditioned_first_step_is_along_minus_m_inverse_g() {
        // H = [[4, 1], [1, 3]], g = (1, 2), M = diag(4, 3): y₀ = M⁻¹g = (1/4, 2/3),
        // r₀ᵀy₀ = 19/12, y₀ᵀHy₀ = (1/4)(5/3) + (2/3)(9/4) = 23/12, α₀ = 19/23,
        // p = −α₀y₀ = −(19/92, 38/69). Two iterations reach −H⁻¹g = −(1, 7)/11 as plain CG.
        let h = [4.0, 1.0, 1.0, 3.0];
        let m = [4.0, 3.0];
        let d = truncated_cg(&[1.0, 2.0], 0.0, 1, Some(&m), product(&h, 2)).unwrap();
        assert!((d.p[0] + 19.0 / 92.0).abs() < 1e-15 && (d.p[1] + 38.0 / 69.0).abs() < 1e-15);
        let d = truncated_cg(&[1.0, 2.0], 0.0, 2, Some(&m), product(&h, 2)).unwrap();
        assert_eq!(d.iterations, 2);
        assert!((d.p[0] + 1.0 / 11.0).abs() < 1e-15 && (d.p[1] + 7.0 / 11.0).abs() < 1e-15);
        // H = M = diag(1, 100): one preconditioned iteration is the Newton step −H⁻¹g.
        let h = [1.0, 0.0, 0.0, 100.0];
        let d = truncated_cg(&[1.0, 100.0], 0.0, 2, Some(&[1.0, 100.0]), product(&h, 2));
        let d = d.unwrap();
        assert_eq!((d.p, d.iterations), (vec![-1.0, -1.0], 1));
    }

    #[test]
    fn the_iteration_limit_returns_the_current_iterate() {
        let h = [4.0, 1.0, 1.0, 3.0];
        let d = truncated_cg(&[1.0, 2.0], 0.0, 1, None, product(&h, 2)).unwrap();
        // One step of steepest descent with exact step: α = gᵀg / gᵀHg = 5/20.
        assert_eq!((d.p, d.iterations), (vec![-0.25, -0.5], 1));
    }
}
