//! L-BFGS-B: limited-memory BFGS on a box (Byrd, Lu, Nocedal & Zhu 1995, with the
//! subspace-minimization correction of Morales & Nocedal 2011).

use std::borrow::Cow;
use std::collections::VecDeque;

use crate::bounds::{Bounds, BoundsReport, Feasible};
use crate::driver::{line_step_to, minimize_methods, settings_builders, Method, Outcome, Settings};
use crate::error::Error;
use crate::linalg::lu_solve;
use crate::line_search::{LineSearch, LineSearchFailure, MoreThuente};
use crate::objective::{moved, Halt, Need, Objective, Point, Problem};
use crate::reduce::dot;
use crate::solution::Termination;

/// L-BFGS-B: minimizes f subject to `l ≤ x ≤ u` with a limited-memory BFGS model.
///
/// The model at x is `m(z) = f + gᵀ(z − x) + ½ (z − x)ᵀ B (z − x)` with B in compact form
/// (Byrd–Nocedal–Schnabel 1994) from the last m pairs `sᵢ = xᵢ₊₁ − xᵢ`, `yᵢ = gᵢ₊₁ − gᵢ`:
///
/// ```text
/// B = θI − W M Wᵀ,   W = [Y  θS] (n × 2m),   M = [[−D, Lᵀ], [L, θSᵀS]]⁻¹ (2m × 2m),
/// θ = yᵀy / sᵀy of the newest pair,  D = diag(sᵢᵀyᵢ),  L = strictly lower part of SᵀY.
/// ```
///
/// Each iteration:
/// 1. **Generalized Cauchy point** x_c: the first local minimizer of m along the projected
///    steepest-descent path `P(x − t g)`, t ≥ 0, found by walking its breakpoints in order
///    and updating the piecewise quadratic's slope f' and curvature f'' in O(m²) per
///    breakpoint.
/// 2. **Subspace minimization** over the variables free at x_c (not at a bound): the
///    minimizer x̂ of m on that face, by the Sherman–Morrison–Woodbury form of the reduced
///    B⁻¹ (direct primal method). Following Morales & Nocedal, x̂ is projected onto the box,
///    x̄ = P(x̂), and kept if it descends — here by more than round-off, `gᵀ(x̄ − x) <
///    −√ε · Σ|gᵢ(x̄ᵢ − xᵢ)|`: along a direction closer to orthogonal to g than that, the best
///    decrease is below f's rounding; otherwise the step from x_c towards x̂ is truncated at
///    the first bound.
/// 3. **Line search** along `d = x̄ − x`: Moré–Thuente ([`MoreThuente`], c₁ = 1e-3,
///    c₂ = 0.9, xtol = 0.1, at most 20 trials: the reference code's `dcsrch`) up to the
///    maximum step `α_max` the box allows, from α = min(1, α_max). The first iteration
///    starts as the reference does — a unit move α = 1/‖d‖₂ without bounds; with bounds at
///    most d (α ≤ 1), and α = 1 when every variable has both bounds — except that a d
///    shorter than a unit move is stretched to one (the first direction is −g projected,
///    whose length says nothing about the scale of x: on HS25's plateau ‖d‖ ≈ 2e-8). Reaching
///    `α_max` with sufficient decrease is accepted.
/// 4. The pair (s, y) is stored if `sᵀy > ε · (−gᵀs)`, else skipped (and counted).
///
/// The run stops when the projected gradient `‖P(x − ∇f) − x‖∞` is at most the gradient
/// tolerance ([`Termination::GradientTolerance`]), or by the common tolerances and limits.
/// A line search that fails its conditions but lowers f by more than `√ε · max(|f|, 1)`
/// (clearly above round-off) moves there and the run goes on; one that meets them with a
/// step too small to change f counts as failed. If the direction does not descend (by the
/// test of step 2), or the search finds no such decrease, the memory is dropped and the
/// iteration restarts from the projected steepest-descent path (from the search's best point
/// if it is lower); if that finds none either, the run ends with
/// [`Termination::LineSearchFailed`], or [`Termination::PrecisionLimit`] where f is flat at
/// its rounding level and the projected gradient small relative to f. Without bounds
/// ([`bounds`](Self::bounds) not called) it is an L-BFGS method with a Cauchy-point start,
/// and the solution's `bounds` report lists no active variables.
///
/// The start point is projected onto the box (reported in
/// [`BoundsReport::projected_start`]).
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::{Bounds, LbfgsB, Termination};
/// use num_traits::Float;
/// // Rosenbrock with x₀ ≤ 0.5: the constrained minimizer is (0.5, 0.25), f = 0.25, where
/// // ∂f/∂x₀ = −2(1 − 0.5) = −1 < 0 pushes against the upper bound.
/// let f = |x: &[Var]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
/// let bounds = Bounds::new(vec![-2.0, -2.0], vec![0.5, 2.0]).unwrap();
/// let s = LbfgsB::new().bounds(bounds).minimize(f, &[-1.2, 1.0]).unwrap();
/// assert_eq!(s.termination, Termination::GradientTolerance);
/// assert_eq!(s.x[0], 0.5);
/// assert!((s.x[1] - 0.25).abs() < 1e-8 && (s.f - 0.25).abs() < 1e-12);
/// assert_eq!(s.bounds.as_ref().unwrap().at_upper, vec![0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LbfgsB {
    settings: Settings,
    memory: usize,
    bounds: Option<Bounds>,
}

impl Default for LbfgsB {
    fn default() -> Self {
        LbfgsB {
            settings: Settings::new(15_000),
            memory: 10,
            bounds: None,
        }
    }
}

impl LbfgsB {
    /// Defaults: no bounds, m = 10 pairs, 15 000 iterations, projected gradient ≤ 1e-8.
    pub fn new() -> Self {
        Self::default()
    }

    /// The box `l ≤ x ≤ u` (one bound pair per variable of the start point).
    pub fn bounds(mut self, bounds: Bounds) -> Self {
        self.bounds = Some(bounds);
        self
    }

    /// Number m ≥ 1 of stored pairs.
    pub fn memory(mut self, m: usize) -> Self {
        self.memory = m;
        self
    }

    settings_builders!();
    minimize_methods!(Objective, &[f64], crate::driver::run);

    fn method(&self) -> LbfgsBStep {
        LbfgsBStep {
            memory: self.memory,
            feasible: Feasible::new(self.bounds.clone()),
            pairs: VecDeque::new(),
            sy: Vec::new(),
            ss: Vec::new(),
            yy: Vec::new(),
            theta: 1.0,
            moved: false,
            skipped: 0,
        }
    }
}

struct Pair {
    s: Vec<f64>,
    y: Vec<f64>,
}

struct LbfgsBStep {
    memory: usize,
    feasible: Feasible,
    /// Oldest first.
    pairs: VecDeque<Pair>,
    /// `sy[i][j] = sᵢᵀyⱼ` and `ss[i][j] = sᵢᵀsⱼ` over the stored pairs, kept up to date so
    /// an iteration costs O(mn), not O(m²n).
    sy: Vec<Vec<f64>>,
    ss: Vec<Vec<f64>>,
    /// `yy[i][j] = yᵢᵀyⱼ`, for the Gram matrix WᵀW.
    yy: Vec<Vec<f64>>,
    theta: f64,
    /// Whether any step has been taken (the first line search is special).
    moved: bool,
    skipped: usize,
}

/// `a · v` for a row-major k × k matrix.
fn mat_vec(a: &[f64], v: &[f64]) -> Vec<f64> {
    let k = v.len();
    (0..k).map(|i| dot(&a[i * k..(i + 1) * k], v)).collect()
}

fn axpy(y: &mut [f64], a: f64, x: &[f64]) {
    y.iter_mut().zip(x).for_each(|(y, x)| *y += a * x);
}

/// Whether the move from x to `to` descends by more than round-off: `gᵀd < −√ε · Σ|gᵢdᵢ|`
/// with d = to − x. It rejects only directions whose cosine to −g (on d's support) is at most
/// √ε; along those the best decrease is below ε times the steepest-descent decrease, lost in
/// f's rounding, so a line search can only fail or take a step that changes nothing.
fn clearly_descends(to: &[f64], x: &[f64], g: &[f64]) -> bool {
    let (mut slope, mut scale) = (0.0, 0.0);
    for ((t, x), g) in to.iter().zip(x).zip(g) {
        let dg = (t - x) * g;
        slope += dg;
        scale += dg.abs();
    }
    slope < -f64::EPSILON.sqrt() * scale
}

impl LbfgsBStep {
    fn forget(&mut self) {
        self.pairs.clear();
        self.sy.clear();
        self.ss.clear();
        self.yy.clear();
        self.theta = 1.0;
    }

    fn remember(&mut self, s: Vec<f64>, y: Vec<f64>, sy: f64) {
        if self.pairs.len() == self.memory {
            self.pairs.pop_front();
            for table in [&mut self.sy, &mut self.ss, &mut self.yy] {
                table.remove(0);
                table.iter_mut().for_each(|row| {
                    row.remove(0);
                });
            }
        }
        // The new row and column of each table: sᵢᵀs and yᵢᵀy serve both (SᵀS and YᵀY are
        // symmetric); only SᵀY needs sᵢᵀy and sᵀyᵢ. Four products a pair, not six.
        let k = self.pairs.len();
        let (mut sy_row, mut ss_row, mut yy_row) = (
            Vec::with_capacity(k + 1),
            Vec::with_capacity(k + 1),
            Vec::with_capacity(k + 1),
        );
        for (j, pair) in self.pairs.iter().enumerate() {
            let (sj_y, sj_s) = (dot(&pair.s, &y), dot(&pair.s, &s));
            let (yj_y, yj_s) = (dot(&pair.y, &y), dot(&pair.y, &s));
            self.sy[j].push(sj_y);
            self.ss[j].push(sj_s);
            self.yy[j].push(yj_y);
            sy_row.push(yj_s);
            ss_row.push(sj_s);
            yy_row.push(yj_y);
        }
        let y_y = dot(&y, &y);
        sy_row.push(dot(&s, &y));
        ss_row.push(dot(&s, &s));
        yy_row.push(y_y);
        self.sy.push(sy_row);
        self.ss.push(ss_row);
        self.yy.push(yy_row);
        self.theta = y_y / sy;
        self.pairs.push_back(Pair { s, y });
    }

    /// `Wᵀv = [Yᵀv; θSᵀv]`.
    fn w_t(&self, v: &[f64]) -> Vec<f64> {
        let ys = self.pairs.iter().map(|p| dot(&p.y, v));
        let ss = self.pairs.iter().map(|p| self.theta * dot(&p.s, v));
        ys.chain(ss).collect()
    }

    /// `W z = Y z₁ + θ S z₂` (an n-vector) for `z = [z₁; z₂]`.
    fn w_times(&self, z: &[f64], n: usize) -> Vec<f64> {
        let k = self.pairs.len();
        let mut out = vec![0.0; n];
        for (j, pair) in self.pairs.iter().enumerate() {
            axpy(&mut out, z[j], &pair.y);
            axpy(&mut out, self.theta * z[k + j], &pair.s);
        }
        out
    }

    /// `WᵀW = [[YᵀY, θYᵀS], [θSᵀY, θ²SᵀS]]` (row-major 2k × 2k) from the kept inner products.
    fn w_gram(&self) -> Vec<f64> {
        let k = self.pairs.len();
        let k2 = 2 * k;
        let t = self.theta;
        let mut gram = vec![0.0; k2 * k2];
        for i in 0..k {
            for j in 0..k {
                gram[i * k2 + j] = self.yy[i][j];
                // (YᵀS)ᵢⱼ = yᵢᵀsⱼ = sy[j][i].
                gram[i * k2 + k + j] = t * self.sy[j][i];
                gram[(k + i) * k2 + j] = t * self.sy[i][j];
                gram[(k + i) * k2 + k + j] = t * t * self.ss[i][j];
            }
        }
        gram
    }

    /// Row i of W: `[y₁ᵢ … yₖᵢ, θs₁ᵢ … θsₖᵢ]`.
    fn w_row(&self, i: usize) -> Vec<f64> {
        let ys = self.pairs.iter().map(|p| p.y[i]);
        let ss = self.pairs.iter().map(|p| self.theta * p.s[i]);
        ys.chain(ss).collect()
    }

    /// The middle matrix M (row-major 2k × 2k), or `None` if K is numerically singular.
    fn middle(&self) -> Option<Vec<f64>> {
        let k = self.pairs.len();
        let k2 = 2 * k;
        let mut kk = vec![0.0; k2 * k2];
        for i in 0..k {
            kk[i * k2 + i] = -self.sy[i][i];
            for j in 0..k {
                if i > j {
                    // L in the lower left, Lᵀ in the upper right.
                    kk[(k + i) * k2 + j] = self.sy[i][j];
                    kk[j * k2 + k + i] = self.sy[i][j];
                }
                kk[(k + i) * k2 + k + j] = self.theta * self.ss[i][j];
            }
        }
        let mut m = vec![0.0; k2 * k2];
        let mut e = vec![0.0; k2];
        for j in 0..k2 {
            e[j] = 1.0;
            let column = lu_solve(&kk, k2, &e);
            e[j] = 0.0;
            if column.iter().any(|v| !v.is_finite()) {
                return None;
            }
            for i in 0..k2 {
                m[i * k2 + j] = column[i];
            }
        }
        Some(m)
    }

    /// The generalized Cauchy point x_c and `c = Wᵀ(x_c − x)` (Byrd et al., Algorithm CP).
    fn cauchy_point(&self, x: &[f64], g: &[f64], m: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (l, u) = (self.feasible.bounds.lower(), self.feasible.bounds.upper());
        let n = x.len();
        let mut xc = x.to_vec();
        let mut d = vec![0.0; n];
        let mut breaks = Vec::new();
        for i in 0..n {
            // t = how far along −g the variable may go; +∞ for an open side.
            let t = if g[i] < 0.0 {
                (x[i] - u[i]) / g[i]
            } else if g[i] > 0.0 {
                (x[i] - l[i]) / g[i]
            } else {
                f64::INFINITY
            };
            if t > 0.0 {
                d[i] = -g[i];
                if t < f64::INFINITY {
                    breaks.push((t, i));
                }
            }
        }
        breaks.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut p = self.w_t(&d);
        let mut c = vec![0.0; p.len()];
        let mut slope = -dot(&d, &d);
        if slope == 0.0 {
            return (xc, c);
        }
        let curvature0 = -self.theta * slope - dot(&p, &mat_vec(m, &p));
        let mut curvature = curvature0;
        let mut dt_min = -slope / curvature;
        let mut t_old = 0.0;
        for &(t, b) in &breaks {
            let dt = t - t_old;
            if dt_min < dt {
                break;
            }
            xc[b] = if d[b] > 0.0 { u[b] } else { l[b] };
            let zb = xc[b] - x[b];
            axpy(&mut c, dt, &p);
            let wb = self.w_row(b);
            let gb = g[b];
            let wm = mat_vec(m, &wb);
            slope += dt * curvature + gb * gb + self.theta * gb * zb - gb * dot(&wm, &c);
            curvature -= self.theta * gb * gb + 2.0 * gb * dot(&wm, &p) + gb * gb * dot(&wm, &wb);
            // Round-off can drive f'' to zero or below on the last segments; keep it positive.
            curvature = curvature.max(f64::EPSILON * curvature0);
            axpy(&mut p, gb, &wb);
            d[b] = 0.0;
            dt_min = -slope / curvature;
            t_old = t;
        }
        let dt_min = dt_min.max(0.0);
        let t = t_old + dt_min;
        for i in 0..n {
            if d[i] != 0.0 {
                xc[i] = x[i] + t * d[i];
            }
        }
        axpy(&mut c, dt_min, &p);
        self.feasible.bounds.project_in_place(&mut xc);
        (xc, c)
    }

    /// x̄ from the subspace minimization at the Cauchy point (direct primal method with the
    /// Morales–Nocedal projection).
    fn subspace_point(&self, x: &[f64], g: &[f64], xc: Vec<f64>, c: &[f64], m: &[f64]) -> Vec<f64> {
        let bounds = &self.feasible.bounds;
        let (l, u) = (bounds.lower(), bounds.upper());
        let free: Vec<usize> = (0..x.len())
            .filter(|&i| l[i] < xc[i] && xc[i] < u[i])
            .collect();
        if free.is_empty() {
            return xc;
        }
        let theta = self.theta;
        let k2 = c.len();
        let wmc = self.w_times(&mat_vec(m, c), x.len());
        // Reduced gradient of the model at x_c: r = Zᵀ(g + θ(x_c − x) − W M c), kept as an
        // n-vector with zeros off the free set so Wᵀ applies to it directly.
        let mut r = vec![0.0; x.len()];
        for &i in &free {
            r[i] = g[i] + theta * (xc[i] - x[i]) - wmc[i];
        }
        let v = self.w_t(&r);
        // WᵀZZᵀW = Σ_{i free} wᵢwᵢᵀ, from whichever side has fewer terms: directly, or as the
        // full Gram matrix WᵀW (kept up to date with the pairs) minus the fixed rows. Interior
        // iterations at large n then cost O(mn), not O(m²n).
        let fixed = x.len() - free.len();
        let (mut wzzw, sign, rows) = if fixed < free.len() {
            let mut is_free = vec![false; x.len()];
            free.iter().for_each(|&i| is_free[i] = true);
            let rows: Vec<usize> = (0..x.len()).filter(|&i| !is_free[i]).collect();
            (self.w_gram(), -1.0, rows)
        } else {
            (vec![0.0; k2 * k2], 1.0, free.clone())
        };
        for i in rows {
            let row = self.w_row(i);
            for a in 0..k2 {
                axpy(&mut wzzw[a * k2..(a + 1) * k2], sign * row[a], &row);
            }
        }
        // v ← N⁻¹ M WᵀZ r with N = I − M WᵀZZᵀW / θ.
        let mut v = mat_vec(m, &v);
        if k2 > 0 {
            let mut nn = vec![0.0; k2 * k2];
            for i in 0..k2 {
                for j in 0..k2 {
                    let mw: f64 = (0..k2).map(|q| m[i * k2 + q] * wzzw[q * k2 + j]).sum();
                    nn[i * k2 + j] = f64::from(u8::from(i == j)) - mw / theta;
                }
            }
            v = lu_solve(&nn, k2, &v);
            if v.iter().any(|e| !e.is_finite()) {
                return xc;
            }
        }
        let wv = self.w_times(&v, x.len());
        let du: Vec<f64> = free
            .iter()
            .map(|&i| -r[i] / theta - wv[i] / (theta * theta))
            .collect();
        let mut projected = xc.clone();
        for (&i, di) in free.iter().zip(&du) {
            projected[i] = (xc[i] + di).max(l[i]).min(u[i]);
        }
        // Morales and Nocedal keep the projected point when it descends; here it must descend
        // by more than round-off (`clearly_descends`): a clipped point on a convex box QP
        // gave gᵀd = −1.8e-15 with ‖g‖ = 4.9, the line search a step of 2e-16, and the run
        // ended on the unchanged f as if converged.
        if clearly_descends(&projected, x, g) {
            return projected;
        }
        // Morales–Nocedal fallback: from x_c towards x̂, stopping at the first bound.
        let mut step = vec![0.0; x.len()];
        for (&i, di) in free.iter().zip(&du) {
            step[i] = *di;
        }
        let alpha = bounds.max_step(&xc, &step, 1.0);
        let mut truncated = moved(&xc, alpha, &step);
        bounds.project_in_place(&mut truncated);
        truncated
    }

    /// The search direction `x̄ − x`, from the quasi-Newton model if it gives one that
    /// descends, else from the projected steepest-descent path (memory dropped).
    fn direction(&mut self, at: &Point) -> Vec<f64> {
        loop {
            let model = self.middle();
            if let Some(m) = model {
                let (xc, c) = self.cauchy_point(&at.x, &at.g, &m);
                let target = self.subspace_point(&at.x, &at.g, xc, &c, &m);
                if clearly_descends(&target, &at.x, &at.g) || self.pairs.is_empty() {
                    return target.iter().zip(&at.x).map(|(t, x)| t - x).collect();
                }
            }
            self.forget();
        }
    }
}

impl Method for LbfgsBStep {
    fn name(&self) -> &'static str {
        "L-BFGS-B"
    }

    fn need(&self) -> Need {
        Need::Gradient
    }

    fn validate(&self) -> Result<(), Error> {
        if self.memory == 0 {
            return Err(Error::InvalidOption("L-BFGS-B memory must be ≥ 1".into()));
        }
        Ok(())
    }

    fn start<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        x0: Vec<f64>,
    ) -> Result<Point, Halt> {
        let x0 = self.feasible.enter(x0)?;
        problem.point(x0, Need::Gradient)
    }

    fn step<O: Objective>(
        &mut self,
        problem: &mut Problem<O>,
        at: &Point,
    ) -> Result<Outcome, Halt> {
        let d = self.direction(at);
        let bounds = &self.feasible.bounds;
        let mut alpha_max = bounds.max_step(&at.x, &d, 1e10);
        let alpha0 = if self.moved {
            alpha_max.min(1.0)
        } else {
            // The first direction comes from the model with B = I, so its length says little
            // about the scale of x. The reference code tries a unit move without bounds, and
            // with bounds a step of at most d, d itself when every variable is boxed, and
            // searches no further than d. We do the same except where d is shorter than a
            // unit move: then a unit move (on HS25's plateau ‖d‖ ≈ 2e-8, and the reference's
            // step changes f by less than its round-off).
            let length = dot(&d, &d).sqrt();
            let (lower, upper) = (bounds.lower(), bounds.upper());
            let bounded = lower.iter().chain(upper).any(|b| b.is_finite());
            let boxed = lower.iter().chain(upper).all(|b| b.is_finite());
            let first = if !bounded {
                1.0 / length
            } else if length >= 1.0 {
                alpha_max = alpha_max.min(1.0);
                if boxed {
                    1.0
                } else {
                    1.0 / length
                }
            } else {
                alpha_max = alpha_max.min(1.0 / length);
                1.0 / length
            };
            first.min(alpha_max)
        };
        let search = LineSearch::MoreThuente(MoreThuente {
            alpha_max,
            ..MoreThuente::new()
        });
        let mut outcome = line_step_to(problem, at, &d, &search, alpha0, Need::Gradient, |a| {
            let mut x = moved(&at.x, a, &d);
            bounds.project_in_place(&mut x);
            x
        })?;
        // A step that does not lower f is no step, whatever the search reported (one met its
        // conditions with a step of 2e-8 on a box QP, the projected gradient at 0.22): the
        // driver would read the unchanged f as convergence (`f_tolerance`).
        let decrease = outcome.next.as_ref().map_or(0.0, |next| at.f - next.f);
        if outcome.stop.is_none() && decrease <= 0.0 {
            outcome.stop = Some(Termination::LineSearchFailed(
                LineSearchFailure::IntervalTooSmall,
            ));
        }
        if let Some(Termination::LineSearchFailed(_)) = outcome.stop {
            let boundary = outcome.alpha == alpha_max && decrease > 0.0;
            if boundary || decrease > f64::EPSILON.sqrt() * at.f.abs().max(1.0) {
                // The search lowered f clearly, if not to the Wolfe conditions (or lowered it
                // at all and stopped at the box, which ends a step by design): take that point
                // and carry on.
                outcome.stop = None;
            } else if !self.pairs.is_empty() {
                // No decrease along the model's direction: retry from the projected
                // steepest-descent path before giving up, from the search's best point if it
                // is lower (one that is not is no step).
                self.forget();
                outcome.stop = None;
                if decrease <= 0.0 {
                    outcome.next = None;
                }
                return Ok(outcome);
            }
        }
        if let Some(next) = &outcome.next {
            self.moved = true;
            let s: Vec<f64> = next.x.iter().zip(&at.x).map(|(a, b)| a - b).collect();
            let y: Vec<f64> = next.g.iter().zip(&at.g).map(|(a, b)| a - b).collect();
            let sy = dot(&s, &y);
            if sy > f64::EPSILON * -dot(&at.g, &s) && sy > 0.0 && sy.is_finite() {
                self.remember(s, y, sy);
            } else {
                self.skipped += 1;
            }
        }
        Ok(outcome)
    }

    fn skipped_updates(&self) -> usize {
        self.skipped
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

    /// A state with pairs from a fixed convex quadratic's steps, on a box.
    fn state(bounds: Bounds) -> LbfgsBStep {
        let mut step = LbfgsB::new().bounds(bounds).memory(3).method();
        step.feasible.enter(vec![0.0; 3]).unwrap();
        // y = A s for A = [[4, 1, 0], [1, 3, 1], [0, 1, 2]] (positive definite).
        let a = [[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]];
        for s in [
            [1.0, 0.0, 0.5],
            [0.0, 1.0, -1.0],
            [0.3, 0.2, 1.0],
            [1.0, 1.0, 1.0],
        ] {
            let y: Vec<f64> = (0..3).map(|i| dot(&a[i], &s)).collect();
            let sy = dot(&s, &y);
            step.remember(s.to_vec(), y, sy);
        }
        step
    }

    /// The dense BFGS matrix from the same pairs by the textbook recursion
    /// `B ← B − B s sᵀ B / sᵀBs + y yᵀ / yᵀs` from `B₀ = θI` — an independent formula.
    fn dense_bfgs(step: &LbfgsBStep) -> [[f64; 3]; 3] {
        let mut b = [[0.0; 3]; 3];
        (0..3).for_each(|i| b[i][i] = step.theta);
        for p in &step.pairs {
            let bs: Vec<f64> = (0..3).map(|i| dot(&b[i], &p.s)).collect();
            let sbs = dot(&p.s, &bs);
            let ys = dot(&p.y, &p.s);
            for i in 0..3 {
                for j in 0..3 {
                    b[i][j] += -bs[i] * bs[j] / sbs + p.y[i] * p.y[j] / ys;
                }
            }
        }
        b
    }

    #[test]
    fn compact_form_equals_the_bfgs_recursion() {
        let step = state(Bounds::unbounded(3));
        assert_eq!(step.pairs.len(), 3); // memory 3 dropped the oldest of four
        let m = step.middle().unwrap();
        let dense = dense_bfgs(&step);
        for j in 0..3 {
            let e: Vec<f64> = (0..3).map(|i| f64::from(u8::from(i == j))).collect();
            // Column j of B: B e = θe − W M Wᵀe.
            let wmw = step.w_times(&mat_vec(&m, &step.w_t(&e)), 3);
            for (i, row) in dense.iter().enumerate() {
                let b = step.theta * e[i] - wmw[i];
                assert!(
                    (b - row[j]).abs() < 1e-12,
                    "B[{i}][{j}] = {b} vs {}",
                    row[j]
                );
            }
        }
    }

    #[test]
    fn cauchy_point_is_the_first_minimizer_along_the_projected_path() {
        let bounds = Bounds::new(vec![-0.3, -1.0, 0.0], vec![0.5, 0.2, 0.4]).unwrap();
        let step = state(bounds.clone());
        let b = dense_bfgs(&step);
        let m = step.middle().unwrap();
        let x = [0.1, -0.2, 0.3];
        let g = [-2.0, 1.5, 0.7];
        let model = |z: &[f64]| {
            let d: Vec<f64> = (0..3).map(|i| z[i] - x[i]).collect();
            dot(&g, &d) + 0.5 * (0..3).map(|i| d[i] * dot(&b[i], &d)).sum::<f64>()
        };
        let path = |t: f64| bounds.project(&[x[0] - t * g[0], x[1] - t * g[1], x[2] - t * g[2]]);
        let (xc, c) = step.cauchy_point(&x, &g, &m);
        // c = Wᵀ(x_c − x).
        let dx: Vec<f64> = (0..3).map(|i| xc[i] - x[i]).collect();
        for (ci, wi) in c.iter().zip(step.w_t(&dx)) {
            assert!((ci - wi).abs() < 1e-12);
        }
        // x_c is on the path: find its t from the fine grid (the path is piecewise linear).
        let ts: Vec<f64> = (0..=200_000).map(|k| f64::from(k) * 1e-5).collect();
        let (t_star, distance) = ts
            .iter()
            .map(|&t| {
                let p = path(t);
                (t, (0..3).map(|i| (p[i] - xc[i]).abs()).fold(0.0, f64::max))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap();
        assert!(distance < 1e-4, "x_c = {xc:?} is not on the projected path");
        // No point of the path before it is lower, and the model rises just after it.
        let mc = model(&xc);
        for &t in ts.iter().take_while(|&&t| t < t_star) {
            assert!(model(&path(t)) >= mc - 1e-9, "m(P(x − {t} g)) < m(x_c)");
        }
        assert!(model(&path(t_star + 1e-3)) >= mc - 1e-12);
    }

    #[test]
    fn without_pairs_the_cauchy_point_is_the_projected_gradient_step() {
        // B = I: the model is separable and every coordinate's minimizer along the path is
        // at t = 1 or its bound, so x_c = P(x − g).
        let bounds = Bounds::new(vec![-1.0, -1.0, 0.0], vec![1.0, 0.5, 2.0]).unwrap();
        let mut step = LbfgsB::new().bounds(bounds.clone()).method();
        step.feasible.enter(vec![0.0; 3]).unwrap();
        let m = step.middle().unwrap();
        let (x, g) = ([0.0, 0.0, 1.0], [3.0, -0.25, 0.5]);
        let (xc, _) = step.cauchy_point(&x, &g, &m);
        let expected = bounds.project(&[-3.0, 0.25, 0.5]);
        assert_eq!(xc[0], -1.0); // clipped: exactly on its bound
        assert!(
            xc.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-14),
            "{xc:?}"
        );
    }
}
