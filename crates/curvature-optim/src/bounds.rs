//! Box constraints `l ≤ x ≤ u`: validation, projection, the projected gradient and the
//! active set, shared by every solver that accepts bounds.
//!
//! Unbounded solvers never see this module: the bounded ones keep a [`Feasible`] in their
//! per-run state and answer the driver's first-order and report hooks with it.

use crate::error::Error;
use crate::reduce::max_norm;

/// A lower and an upper bound per variable, `lᵢ ≤ xᵢ ≤ uᵢ`, with `lᵢ = −∞` or `uᵢ = +∞`
/// for a side without a bound.
///
/// The projection onto the box is `P(x)ᵢ = min(max(xᵢ, lᵢ), uᵢ)`, and the bounded solvers
/// measure first-order optimality by the projected gradient `P(x − ∇f(x)) − x`, which is
/// zero exactly at the points satisfying the KKT conditions of the box
/// (`∂f/∂xᵢ ≥ 0` at a lower bound, `≤ 0` at an upper bound, `= 0` in between); without
/// bounds it is `−∇f(x)`.
///
/// A start point outside the box is projected onto it before the first evaluation; the
/// coordinates that moved are listed in [`BoundsReport::projected_start`].
///
/// ```
/// use curvature_optim::{Bounds, Error};
/// let b = Bounds::new(vec![0.0, f64::NEG_INFINITY], vec![1.0, 2.0]).unwrap();
/// assert_eq!(b.project(&[-0.5, 7.0]), vec![0.0, 2.0]);
/// // ∇f = (1, −3) at (0, 0): x₀ sits on its lower bound with ∂f/∂x₀ > 0 (optimal there),
/// // x₁ is free, so the projected gradient is (0, 2) after clipping x₁ − g₁ = 3 to u₁ = 2.
/// assert_eq!(b.projected_gradient(&[0.0, 0.0], &[1.0, -3.0]), vec![0.0, 2.0]);
/// assert!(matches!(Bounds::new(vec![1.0], vec![0.0]), Err(Error::InvalidBounds { index: 0, .. })));
/// assert_eq!(Bounds::nonnegative(3).lower(), &[0.0; 3]);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Bounds {
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl Bounds {
    /// The box `lower ≤ x ≤ upper`.
    ///
    /// # Errors
    /// [`Error::BoundsDimension`] if the lengths differ; [`Error::InvalidBounds`] for the first
    /// index with a NaN bound, `lowerᵢ > upperᵢ`, `lowerᵢ = +∞` or `upperᵢ = −∞` (boxes no
    /// finite point lies in).
    pub fn new(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self, Error> {
        if lower.len() != upper.len() {
            return Err(Error::BoundsDimension {
                expected: lower.len(),
                found: upper.len(),
            });
        }
        let bad =
            |(l, u): (&f64, &f64)| !(l <= u) || *l == f64::INFINITY || *u == f64::NEG_INFINITY;
        if let Some(index) = lower.iter().zip(&upper).position(bad) {
            return Err(Error::InvalidBounds {
                index,
                lower: lower[index],
                upper: upper[index],
            });
        }
        Ok(Bounds { lower, upper })
    }

    /// `xᵢ ≥ 0` for all n variables (rates, variances, concentrations).
    pub fn nonnegative(n: usize) -> Self {
        Bounds {
            lower: vec![0.0; n],
            upper: vec![f64::INFINITY; n],
        }
    }

    /// The same interval `lower ≤ xᵢ ≤ upper` for all n variables (e.g. probabilities in
    /// `[0, 1]`).
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn uniform(n: usize, lower: f64, upper: f64) -> Result<Self, Error> {
        Bounds::new(vec![lower; n], vec![upper; n])
    }

    /// No bounds at all on n variables.
    pub fn unbounded(n: usize) -> Self {
        Bounds {
            lower: vec![f64::NEG_INFINITY; n],
            upper: vec![f64::INFINITY; n],
        }
    }

    /// The lower bounds l.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }

    /// The upper bounds u.
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.lower.len()
    }

    /// `true` for bounds on zero variables.
    pub fn is_empty(&self) -> bool {
        self.lower.is_empty()
    }

    /// Whether `l ≤ x ≤ u` holds.
    pub fn contains(&self, x: &[f64]) -> bool {
        x.len() == self.len()
            && x.iter()
                .zip(self.lower.iter().zip(&self.upper))
                .all(|(v, (l, u))| l <= v && v <= u)
    }

    /// `P(x)ᵢ = min(max(xᵢ, lᵢ), uᵢ)`, the nearest point of the box.
    pub fn project(&self, x: &[f64]) -> Vec<f64> {
        let mut y = x.to_vec();
        self.project_in_place(&mut y);
        y
    }

    pub(crate) fn project_in_place(&self, x: &mut [f64]) {
        for (v, (l, u)) in x.iter_mut().zip(self.lower.iter().zip(&self.upper)) {
            *v = v.max(*l).min(*u);
        }
    }

    /// The projected gradient `P(x − g) − x` at a feasible x with gradient g.
    pub fn projected_gradient(&self, x: &[f64], g: &[f64]) -> Vec<f64> {
        // −g itself where the bound does not bind: (x − g) − x would round.
        x.iter()
            .zip(g)
            .zip(self.lower.iter().zip(&self.upper))
            .map(|((x, g), (l, u))| {
                let t = x - g;
                if t < *l {
                    l - x
                } else if t > *u {
                    u - x
                } else {
                    -g
                }
            })
            .collect()
    }

    /// `‖P(x − g) − x‖∞`, the bounded solvers' convergence measure (`‖g‖∞` without bounds).
    pub fn projected_gradient_norm(&self, x: &[f64], g: &[f64]) -> f64 {
        max_norm(&self.projected_gradient(x, g))
    }

    /// The largest `α ≤ cap` with `l ≤ x + αd ≤ u`, for a feasible x.
    pub(crate) fn max_step(&self, x: &[f64], d: &[f64], cap: f64) -> f64 {
        let mut alpha = cap;
        for i in 0..x.len() {
            let room = if d[i] < 0.0 {
                (self.lower[i] - x[i]) / d[i]
            } else if d[i] > 0.0 {
                (self.upper[i] - x[i]) / d[i]
            } else {
                continue;
            };
            alpha = alpha.min(room.max(0.0));
        }
        alpha
    }

    /// The variables at their lower and at their upper bound (exactly: the solvers put
    /// them there by projection).
    fn at_bounds(&self, x: &[f64]) -> (Vec<usize>, Vec<usize>) {
        let lower = (0..x.len()).filter(|&i| x[i] == self.lower[i]).collect();
        let upper = (0..x.len())
            .filter(|&i| x[i] == self.upper[i] && self.upper[i] != self.lower[i])
            .collect();
        (lower, upper)
    }
}

/// What a bounded run says about the box at its final point
/// ([`Solution::bounds`](crate::Solution::bounds); `None` for unbounded solvers).
///
/// ```
/// use curvature_ad::Var;
/// use curvature_optim::{Bounds, LbfgsB};
/// // min (x₀ + 1)² + (x₁ − 3)² on [0, 2]²: the minimizer (0, 2) has both bounds active.
/// let f = |x: &[Var]| (x[0] + 1.0) * (x[0] + 1.0) + (x[1] - 3.0) * (x[1] - 3.0);
/// let s = LbfgsB::new().bounds(Bounds::uniform(2, 0.0, 2.0).unwrap()).minimize(f, &[5.0, 1.0]).unwrap();
/// let report = s.bounds.as_ref().unwrap();
/// assert_eq!((report.at_lower.as_slice(), report.at_upper.as_slice()), (&[0][..], &[1][..]));
/// assert_eq!(report.active(), vec![0, 1]);
/// assert_eq!(report.projected_start, vec![0]); // x0[0] = 5 was moved to 2
/// assert_eq!(report.projected_gradient_norm, 0.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BoundsReport {
    /// Indices i with `xᵢ = lᵢ`.
    pub at_lower: Vec<usize>,
    /// Indices i with `xᵢ = uᵢ` (and `lᵢ < uᵢ`; a fixed variable is listed at its lower bound).
    pub at_upper: Vec<usize>,
    /// `‖P(x − ∇f(x)) − x‖∞` at the final point: the measure the gradient tolerance tested.
    pub projected_gradient_norm: f64,
    /// Coordinates of the start point that lay outside the box and were projected onto it.
    pub projected_start: Vec<usize>,
}

impl BoundsReport {
    /// All variables at a bound, in increasing order.
    pub fn active(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self
            .at_lower
            .iter()
            .chain(&self.at_upper)
            .copied()
            .collect();
        all.sort_unstable();
        all
    }
}

/// A bounded solver's view of the box during one run: the bounds (unbounded if the user
/// gave none) and what happened to the start point.
#[derive(Clone, Debug)]
pub(crate) struct Feasible {
    given: Option<Bounds>,
    pub bounds: Bounds,
    projected_start: Vec<usize>,
}

impl Feasible {
    pub fn new(bounds: Option<Bounds>) -> Self {
        Feasible {
            given: bounds,
            bounds: Bounds::unbounded(0),
            projected_start: Vec::new(),
        }
    }

    /// Checks the bounds against the start point and projects it onto the box.
    pub fn enter(&mut self, mut x0: Vec<f64>) -> Result<Vec<f64>, Error> {
        self.bounds = match self.given.take() {
            Some(b) if b.len() != x0.len() => {
                return Err(Error::BoundsDimension {
                    expected: x0.len(),
                    found: b.len(),
                })
            }
            Some(b) => b,
            None => Bounds::unbounded(x0.len()),
        };
        let inside = x0.clone();
        self.bounds.project_in_place(&mut x0);
        self.projected_start = (0..x0.len()).filter(|&i| x0[i] != inside[i]).collect();
        Ok(x0)
    }

    pub fn stationarity(&self, x: &[f64], g: &[f64]) -> f64 {
        self.bounds.projected_gradient_norm(x, g)
    }

    pub fn report(&self, x: &[f64], g: &[f64]) -> BoundsReport {
        let (at_lower, at_upper) = self.bounds.at_bounds(x);
        BoundsReport {
            at_lower,
            at_upper,
            projected_gradient_norm: self.stationarity(x, g),
            projected_start: self.projected_start.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_bounds_are_errors() {
        for (l, u) in [
            (f64::NAN, 1.0),
            (0.0, f64::NAN),
            (2.0, 1.0),
            (f64::INFINITY, f64::INFINITY),
            (f64::NEG_INFINITY, f64::NEG_INFINITY),
        ] {
            let e = Bounds::new(vec![0.0, l], vec![1.0, u]).unwrap_err();
            assert!(matches!(e, Error::InvalidBounds { index: 1, .. }), "{e}");
        }
        assert!(matches!(
            Bounds::new(vec![0.0], vec![1.0, 2.0]),
            Err(Error::BoundsDimension { .. })
        ));
        // A fixed variable l = u is allowed.
        assert!(Bounds::new(vec![1.0], vec![1.0]).is_ok());
    }

    #[test]
    fn max_step_stops_at_the_first_bound() {
        let b = Bounds::new(vec![0.0, -1.0], vec![4.0, 1.0]).unwrap();
        // From (1, 0) along (2, −4): x₀ hits 4 at α = 1.5, x₁ hits −1 at α = 0.25.
        assert_eq!(b.max_step(&[1.0, 0.0], &[2.0, -4.0], 10.0), 0.25);
        assert_eq!(b.max_step(&[1.0, 0.0], &[0.0, 0.0], 10.0), 10.0);
    }

    #[test]
    fn start_is_projected_and_reported() {
        let mut feasible = Feasible::new(Some(Bounds::nonnegative(3)));
        let x0 = feasible.enter(vec![-1.0, 2.0, 0.0]).unwrap();
        assert_eq!(x0, vec![0.0, 2.0, 0.0]);
        let report = feasible.report(&x0, &[1.0, 0.0, -1.0]);
        assert_eq!(report.projected_start, vec![0]);
        assert_eq!(report.at_lower, vec![0, 2]);
        // x₂ = 0 with ∂f/∂x₂ = −1 < 0 is not optimal: P(x − g)₂ − x₂ = 1.
        assert_eq!(report.projected_gradient_norm, 1.0);
        let mut wrong = Feasible::new(Some(Bounds::nonnegative(2)));
        assert!(matches!(
            wrong.enter(vec![0.0; 3]),
            Err(Error::BoundsDimension {
                expected: 3,
                found: 2
            })
        ));
    }
}
