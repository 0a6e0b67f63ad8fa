//! Running rounding-error bounds: a scalar that carries, beside its value, a first-order bound
//! on the rounding error the f64 evaluation of that value has accumulated.

use crate::elementary::{binary, unary, Op};
use crate::scalar::Scalar;
use std::cmp::Ordering;
use std::fmt;

/// A value and a first-order bound on the rounding error of computing it in f64: running
/// error analysis (Wilkinson; Higham, *Accuracy and Stability of Numerical Algorithms*,
/// §3.3) with the chain rule of forward mode.
///
/// Each elementary operation `v = φ(a, b)` computed in f64 commits one rounding, at most
/// `ρ·u·|v|` (u = 2⁻⁵³ the unit roundoff; ρ = 1 for `+ − × ÷ √` and x², which IEEE 754
/// rounds correctly, 2 for library functions such as `exp`, `sin` or `powf`, whose results
/// are within about an ulp, 0 for exact operations: negation, `abs`, `floor`, `max`, ...),
/// and passes on its operands' errors through its partial derivatives:
///
/// ```text
/// e(v) = |∂φ/∂a|·e(a) + |∂φ/∂b|·e(b) + ρ·u·|v|
/// ```
///
/// Inputs and constants are exact (e = 0), and so are x ± 0 and x·(±1) with an exact 0 or
/// ±1; `powi(n)` counts its |n| − 1 products (at most 8) and, for n < 0, the reciprocal.
/// The bound is first order (products of errors are dropped) and worst case (errors never
/// cancel), so it is usually pessimistic by a factor that grows like the square root of the
/// number of operations; what it is good for is the *scale* of f's rounding noise. Near a
/// minimizer where f is a sum of large terms that cancel, |f| says nothing about that scale
/// and this does: the solvers use it (through
/// [`Tape::rounding_error`](crate::Tape::rounding_error)) to tell a line search defeated by
/// rounding from one defeated by a kink or a wrong gradient.
///
/// Generic `num_traits::Float` code runs on it unchanged, and computes the same values as
/// in plain f64: each operator and function is f64's own. (A tape and a
/// [`Dual`](crate::Dual) divide two variables as `a·(1/b)`; the tape's pass runs that rule,
/// so there a quotient counts two roundings.)
///
/// ```
/// use curvature_ad::Rounded;
/// let u = f64::EPSILON / 2.0;
/// let (big, one) = (Rounded::exact(1e16), Rounded::exact(1.0));
/// // 1e16 + 1 rounds (to 1e16): error at most u·1e16 = 1.11; minus 1e16 is exact in f64
/// // but inherits that error.
/// let d = (big + one) - big;
/// assert_eq!(d.value(), 0.0);
/// assert_eq!(d.error(), u * 1e16);
/// // A product of exact operands commits one rounding of its own result.
/// let p = Rounded::exact(3.0) * Rounded::exact(0.1);
/// assert_eq!(p.error(), u * p.value());
/// ```
#[derive(Clone, Copy)]
pub struct Rounded {
    val: f64,
    err: f64,
}

/// The unit roundoff of f64, 2⁻⁵³: IEEE 754 rounds a result x to x(1 + δ) with |δ| ≤ u.
const UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;

impl Rounded {
    /// An exact value (an input or a constant): error 0.
    #[inline(always)]
    pub const fn exact(value: f64) -> Rounded {
        Rounded {
            val: value,
            err: 0.0,
        }
    }

    /// A value known only to within `error` (≥ 0), e.g. a measured input.
    #[inline(always)]
    pub fn with_error(value: f64, error: f64) -> Rounded {
        Rounded {
            val: value,
            err: error.abs(),
        }
    }

    /// The f64 value, bit for bit what plain f64 code computes.
    #[inline(always)]
    pub fn value(&self) -> f64 {
        self.val
    }

    /// The first-order bound on the rounding error of [`value`](Self::value).
    #[inline(always)]
    pub fn error(&self) -> f64 {
        self.err
    }

    #[inline(always)]
    pub(crate) fn lift(c: f64) -> Rounded {
        Rounded::exact(c)
    }

    #[inline(always)]
    pub(crate) fn lift_f64(c: f64) -> Rounded {
        Rounded::exact(c)
    }

    #[inline(always)]
    pub(crate) fn primal(&self) -> f64 {
        self.val
    }

    #[inline(always)]
    pub(crate) fn un(self, op: Op, c: f64) -> Rounded {
        let (v, d) = unary::<f64>(op, self.val, c);
        Rounded {
            val: v,
            err: carried(d, self.err) + own(op, c, v),
        }
    }

    #[inline(always)]
    pub(crate) fn bin(self, other: Rounded, op: Op) -> Rounded {
        let (a, b) = (self.val, other.val);
        let (v, da, db) = if op == Op::Div {
            // f64's own quotient (the tape's `Div` is a·(1/b), which its rule computes
            // from `recip` and `*` and so counts as two roundings).
            let q = a / b;
            (q, 1.0 / b, -q / b)
        } else {
            binary::<f64>(op, a, b)
        };
        // x ± 0 and x·(±1) with an exact 0 or ±1 are exact: no rounding of their own. (The
        // sweeps add a missing summand as −0.0, and many rules multiply by an exact 1.)
        let exact = match op {
            Op::Add | Op::Sub => self.is_exact(0.0) || other.is_exact(0.0),
            Op::Mul => self.is_exact(1.0) || other.is_exact(1.0),
            _ => false,
        };
        Rounded {
            val: v,
            err: carried(da, self.err)
                + carried(db, other.err)
                + if exact { 0.0 } else { own(op, 0.0, v) },
        }
    }

    /// Whether this is exactly ±`m` with no error.
    #[inline(always)]
    fn is_exact(&self, m: f64) -> bool {
        self.err == 0.0 && self.val.abs() == m
    }
}

/// An operand's error passed on through partial `d`: an exact operand passes nothing, even
/// through an infinite partial (√x at 0).
#[inline(always)]
fn carried(d: f64, err: f64) -> f64 {
    if err == 0.0 {
        0.0
    } else {
        d.abs() * err
    }
}

/// The rounding `op` (with constant `c`) itself commits on its result `v` (see [`Rounded`]
/// for ρ).
#[inline(always)]
fn own(op: Op, c: f64, v: f64) -> f64 {
    let ulps = match op {
        // powi(n) multiplies |n| − 1 times (by squaring, fewer; the count is a cap), then
        // takes the reciprocal for n < 0: x² is one rounding, as x·x.
        Op::PowI => {
            let products = (c.abs() as u32).saturating_sub(1).min(8) as f64;
            products + if c < 0.0 { 1.0 } else { 0.0 }
        }
        _ if op.is_piecewise() => 0.0,
        Op::Input | Op::Const | Op::Neg => 0.0,
        Op::Recip
        | Op::Sqrt
        | Op::AddC
        | Op::MulC
        | Op::RSubC
        | Op::DivC
        | Op::RDivC
        | Op::Sq
        | Op::Add
        | Op::Sub
        | Op::Mul
        | Op::Div => 1.0,
        _ => 2.0,
    };
    ulps * UNIT_ROUNDOFF * v.abs()
}

impl Scalar for Rounded {
    const WIDTH: usize = 2;

    #[inline(always)]
    fn cst(c: f64) -> Self {
        Rounded::exact(c)
    }
    /// Whether the value is exactly zero (the error bound is not a tangent).
    #[inline(always)]
    fn is_exact_zero(&self) -> bool {
        self.val == 0.0
    }
}

impl PartialEq for Rounded {
    /// Equality of values; the bounds are ignored.
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.val == other.val
    }
}

impl PartialOrd for Rounded {
    /// Ordering of values; the bounds are ignored.
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.val.partial_cmp(&other.val)
    }
}

impl PartialEq<f64> for Rounded {
    #[inline]
    fn eq(&self, other: &f64) -> bool {
        self.val == *other
    }
}

impl PartialOrd<f64> for Rounded {
    #[inline]
    fn partial_cmp(&self, other: &f64) -> Option<Ordering> {
        self.val.partial_cmp(other)
    }
}

impl fmt::Debug for Rounded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rounded({:?} ± {:e})", self.val, self.err)
    }
}

impl fmt::Display for Rounded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ± {:e}", self.val, self.err)
    }
}

crate::surface::impl_surface!([] Rounded, f64);

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::Float;

    const U: f64 = UNIT_ROUNDOFF;

    #[test]
    fn values_are_plain_f64_values() {
        let f = |x: f64, y: f64| (x * y).exp() / (1.0 + x.sin()) - y.sqrt();
        let r = (Rounded::exact(0.3) * Rounded::exact(1.7)).exp()
            / (Rounded::exact(0.3).sin() + 1.0)
            - Rounded::exact(1.7).sqrt();
        assert_eq!(r.value().to_bits(), f(0.3, 1.7).to_bits());
    }

    #[test]
    fn bounds_follow_the_running_error_recurrence() {
        // s = (a + b)·c by hand: e(a + b) = u|a + b|; e(s) = |c|·u|a + b| + u|s|.
        let (a, b, c) = (0.1, 0.2, 3.0);
        let s = (Rounded::exact(a) + Rounded::exact(b)) * Rounded::exact(c);
        let sum = a + b;
        assert_eq!(s.error(), c * U * sum + U * (sum * c));
        // exp commits about an ulp, and passes on e(x)·exp(x).
        let x = Rounded::with_error(0.5, 1e-10);
        assert_eq!(
            x.exp().error(),
            0.5f64.exp() * 1e-10 + 2.0 * U * 0.5f64.exp()
        );
        // Exact operations add nothing.
        assert_eq!((-x).abs().max(Rounded::exact(0.0)).error(), 1e-10);
    }

    #[test]
    fn the_bound_covers_the_true_error_of_a_long_sum() {
        // Σ 1/k² for k = 1..10⁴ in f64 against the same sum in compensated (Kahan–Babuška)
        // arithmetic, whose error is far below the plain sum's.
        let (mut s, mut exact, mut comp) = (Rounded::exact(0.0), 0.0f64, 0.0f64);
        for k in 1..=10_000 {
            let t = Rounded::exact(1.0) / Rounded::exact((k * k) as f64);
            s += t;
            let term = 1.0 / (k * k) as f64;
            let next = exact + term;
            comp += if exact.abs() >= term.abs() {
                (exact - next) + term
            } else {
                (term - next) + exact
            };
            exact = next;
        }
        let truth = exact + comp;
        let actual = (s.value() - truth).abs();
        assert!(
            actual > 0.0 && actual <= s.error(),
            "{actual:e} vs {:e}",
            s.error()
        );
        // ... and lies within the a priori bound of recursive summation (Higham, (4.4)),
        // n·u·Σ|t| for the n additions, plus u·Σ|t| for the rounded terms.
        let total: f64 = (1..=10_000).map(|k| 1.0 / (k * k) as f64).sum();
        assert!(s.error() <= 10_001.0 * U * total * (1.0 + 1e-12));
    }

    /// The tape's pass (fused nodes, an inner op, a summand, a vector node) against the
    /// same generic function evaluated directly in `Rounded`.
    #[test]
    fn a_tape_run_in_rounded_matches_the_function_run_in_rounded() {
        use crate::vector::{sum_squares, VectorOps};
        use crate::{Tape, Var};
        fn f<T: VectorOps>(x: &[T]) -> T {
            let c = |v: f64| T::from(v).unwrap();
            let mut s = T::zero();
            for i in 0..x.len() - 1 {
                let d = x[i + 1] - x[i] * x[i];
                s = s
                    + c(100.0) * d * d
                    + (c(1.0) - x[i]).powi(2)
                    + (x[i] * c(0.3)).exp() * x[i + 1].sin()
                    - c(2.0) * x[i].sqrt();
            }
            s
        }
        let x: Vec<f64> = (0..50).map(|i| 0.5 + 0.01 * i as f64).collect();
        let mut tape = Tape::record(|v: &[Var]| f(v), &x);
        assert!(tape.fuse() > 0);
        let direct = f(&x.iter().map(|&v| Rounded::exact(v)).collect::<Vec<_>>());
        assert_eq!(direct.value().to_bits(), tape.value().to_bits());
        let e = tape.rounding_error();
        assert!(
            e > 0.0 && (e - direct.error()).abs() <= 1e-12 * e,
            "{e:e} vs {direct:?}"
        );

        // A vector node: Σ xᵢ² by its own loop, u·xᵢ² a square and u·s_k a partial sum
        // (but the first, 0 + x₁², which is exact).
        let tape = Tape::record(|v: &[Var]| sum_squares(v), &x);
        let (mut s, mut bound) = (0.0f64, 0.0);
        for (k, &xi) in x.iter().enumerate() {
            s += xi * xi;
            bound += U * (xi * xi) + if k > 0 { U * s } else { 0.0 };
        }
        assert_eq!(tape.value(), s);
        assert!((tape.rounding_error() - bound).abs() <= 1e-12 * bound);
    }

    /// Vector nodes with a constant matrix: log Σ exp(A·x) on the tape (two wide nodes)
    /// against the same generic code run in `Rounded` directly.
    #[test]
    fn vector_nodes_count_the_roundings_of_their_loops() {
        use crate::vector::{logsumexp, matvec, SharedMatrix};
        use crate::{Matrix, Tape, Var};
        let (m, n) = (7, 5);
        let entries = (0..m * n)
            .map(|k| ((k * 37 % 11) as f64 - 5.0) / 3.0)
            .collect();
        let a = SharedMatrix::new(Matrix::from_row_major(m, n, entries));
        let x: Vec<f64> = (0..n).map(|i| 0.3 * i as f64 - 0.4).collect();
        let tape = Tape::record(|v: &[Var]| logsumexp(&matvec(&a, v)), &x);
        let xr: Vec<Rounded> = x.iter().map(|&v| Rounded::exact(v)).collect();
        let direct = logsumexp(&matvec(&a, &xr));
        assert_eq!(direct.value(), tape.value());
        let e = tape.rounding_error();
        assert!(
            e > 0.0 && (e - direct.error()).abs() <= 1e-12 * e,
            "{e:e} vs {direct:?}"
        );
    }

    #[test]
    fn an_infinite_partial_of_an_exact_operand_passes_nothing() {
        let z = Rounded::exact(0.0).sqrt();
        assert_eq!((z.value(), z.error()), (0.0, 0.0));
    }
}
