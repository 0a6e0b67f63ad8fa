//! The elementary operations, each written once: its value and its first-order partial
//! derivatives, generically over the [`Scalar`] it runs in.
//!
//! Every differentiable type of the crate goes through this table: [`Dual`](crate::Dual)
//! applies the chain rule to the partials, the tape records them for [`Var`](crate::Var), and
//! the tape's sweeps re-run them in dual arithmetic to get second and third derivatives.
//!
//! Conventions at points where a function is not differentiable (documented on the public
//! methods too):
//! - `abs(x)` has derivative `signum(x)`, so `+1` at `+0.0` and `-1` at `-0.0` (one-sided, by
//!   the sign of the zero, as Rust's `f64::signum`).
//! - `max(a, b)` / `min(a, b)` pass the derivative of the argument they return; on a tie the
//!   first argument `a` wins. A NaN argument is ignored, as in `f64::max`.
//! - `floor`, `ceil`, `round`, `trunc` and `signum` have derivative 0 everywhere; `fract` has 1.
//! - `hypot(0, 0)` has partials (0, 0); `powf(0, b)` has ∂/∂b = 0 (the limit for b > 0).

use crate::scalar::Scalar;
use std::f64::consts::{LN_10, LN_2};

/// An operation code of the tape. Unary operations use only the first operand; the `…C`
/// forms carry an `f64` constant so constants never become tape nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub(crate) enum Op {
    /// An independent variable (no operands).
    Input,
    /// A constant node, used only where a binary operation meets a constant operand.
    Const,
    Neg,
    Recip,
    Sqrt,
    Cbrt,
    Exp,
    Exp2,
    ExpM1,
    Ln,
    Log2,
    Log10,
    Ln1p,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Abs,
    Signum,
    Floor,
    Ceil,
    Round,
    Trunc,
    Fract,
    /// x + c
    AddC,
    /// x * c
    MulC,
    /// c - x
    RSubC,
    /// x / c
    DivC,
    /// c / x
    RDivC,
    /// x^n with integer n stored as the constant
    PowI,
    /// x², recorded for `powi(2)` and `x * x`: the commonest power, without `PowI`'s
    /// dispatch on n, and one operand where `x * x` has two.
    Sq,
    /// x^c
    PowFC,
    /// c^x
    RPowF,
    Add,
    Sub,
    Mul,
    Div,
    PowF,
    Atan2,
    Hypot,
    Max,
    Min,
    Rem,
    /// (a − b)², fused from `Sub` then `Sq` by [`crate::fusion`].
    SqDiff,
    /// c·a + b, fused from `MulC` then `Add` by [`crate::fusion`]: a binary operation with a
    /// constant, which sits in its first partial slot (∂/∂a = c, ∂/∂b = 1 at every point).
    AddMulC,
    /// (x + c)², fused from `AddC` then `Sq`.
    SqAddC,
    /// (c − x)², fused from `RSubC` then `Sq`.
    SqRSubC,
    /// c·(a − b)², fused from `SqDiff` then `MulC` by [`crate::fusion`]: the weighted squared
    /// residual of least squares. Both partials change with the point, so c lives in the
    /// tape's constant pool (`Nodes::consts`, index `Node::k`).
    ScaledSqDiff,
    /// x·s + c, fused from `MulC` s then `AddC` c (or `RSubC` c, with slope −s) by
    /// [`crate::fusion`]: the affine maps of constants, `3 − 2x`, `0.5x + 1`. The slope is
    /// the constant partial and sits in the first partial slot, c in the second.
    Affine,
    /// a·b + c, fused from `Mul` then `AddC` by [`crate::fusion`]. Both partials change with
    /// the point, so c lives in the constant pool, as `ScaledSqDiff`'s does.
    MulAddC,
    /// The last output of a wide vector node (`crate::vector`); the constant is the node's
    /// index in the side table `Nodes::wide`.
    Wide,
    /// One of the other outputs of a wide node (the head, `Wide`, follows them).
    WideOut,
}

impl Op {
    /// The piecewise operations that select, truncate or take signs (|x|, sign, floor,
    /// ceil, round, trunc, fract, max, min, rem): exact in floating point, and linear or
    /// constant between their kinks, so of zero curvature.
    #[inline(always)]
    pub(crate) fn is_piecewise(self) -> bool {
        matches!(
            self,
            Op::Abs
                | Op::Signum
                | Op::Floor
                | Op::Ceil
                | Op::Round
                | Op::Trunc
                | Op::Fract
                | Op::Max
                | Op::Min
                | Op::Rem
        )
    }

    /// Whether the node belongs to a wide vector node, swept by `crate::vector`.
    #[inline(always)]
    pub(crate) fn is_wide(self) -> bool {
        matches!(self, Op::Wide | Op::WideOut)
    }

    /// Whether the operation reads a second node operand.
    #[inline(always)]
    pub(crate) fn is_binary(self) -> bool {
        matches!(
            self,
            Op::Add
                | Op::Sub
                | Op::Mul
                | Op::Div
                | Op::PowF
                | Op::Atan2
                | Op::Hypot
                | Op::Max
                | Op::Min
                | Op::Rem
                | Op::SqDiff
                | Op::AddMulC
                | Op::ScaledSqDiff
                | Op::MulAddC
        )
    }
}

/// Value and derivative of a unary operation at `x` (`c` is the operation's constant).
#[inline(always)]
pub(crate) fn unary<S: Scalar>(op: Op, x: S, c: f64) -> (S, S) {
    let one = S::one();
    let zero = S::zero();
    match op {
        Op::Input => (x, one),
        Op::Const => (S::cst(c), zero),
        Op::Neg => (-x, -one),
        Op::Recip => {
            let r = x.recip();
            (r, -(r * r))
        }
        Op::Sqrt => {
            let s = x.sqrt();
            (s, (s + s).recip())
        }
        Op::Cbrt => {
            let r = x.cbrt();
            (r, (S::cst(3.0) * r * r).recip())
        }
        Op::Exp => {
            let e = x.exp();
            (e, e)
        }
        Op::Exp2 => {
            let e = x.exp2();
            (e, e * S::cst(LN_2))
        }
        Op::ExpM1 => (x.exp_m1(), x.exp()),
        Op::Ln => (x.ln(), x.recip()),
        Op::Log2 => (x.log2(), (x * S::cst(LN_2)).recip()),
        Op::Log10 => (x.log10(), (x * S::cst(LN_10)).recip()),
        Op::Ln1p => (x.ln_1p(), (x + one).recip()),
        Op::Sin => {
            let (s, c) = x.sin_cos();
            (s, c)
        }
        Op::Cos => {
            let (s, c) = x.sin_cos();
            (c, -s)
        }
        Op::Tan => {
            let t = x.tan();
            (t, one + t * t)
        }
        Op::Asin => (x.asin(), (one - x * x).sqrt().recip()),
        Op::Acos => (x.acos(), -(one - x * x).sqrt().recip()),
        Op::Atan => (x.atan(), (one + x * x).recip()),
        Op::Sinh => (x.sinh(), x.cosh()),
        Op::Cosh => (x.cosh(), x.sinh()),
        Op::Tanh => {
            let t = x.tanh();
            (t, one - t * t)
        }
        Op::Asinh => (x.asinh(), (x * x + one).sqrt().recip()),
        Op::Acosh => (x.acosh(), (x * x - one).sqrt().recip()),
        Op::Atanh => (x.atanh(), (one - x * x).recip()),
        Op::Abs => (x.abs(), x.signum()),
        Op::Signum => (x.signum(), zero),
        Op::Floor => (x.floor(), zero),
        Op::Ceil => (x.ceil(), zero),
        Op::Round => (x.round(), zero),
        Op::Trunc => (x.trunc(), zero),
        Op::Fract => (x.fract(), one),
        Op::AddC => (x.add_cst(c), one),
        Op::MulC => (x.mul_cst(c), S::cst(c)),
        // c − x computed as (−x) + c: the same IEEE result.
        Op::RSubC => ((-x).add_cst(c), -one),
        // The fused squares: the same operations, in the same order, as the unfused pair.
        Op::SqAddC => {
            let d = x.add_cst(c);
            (d * d, d + d)
        }
        Op::SqRSubC => {
            let d = (-x).add_cst(c);
            let two_d = d + d;
            (d * d, -two_d)
        }
        Op::DivC => (x / S::cst(c), S::cst(1.0 / c)),
        Op::RDivC => {
            let r = S::cst(c) / x;
            (r, -r / x)
        }
        Op::Sq => (x * x, x + x),
        Op::PowI => {
            // The value is `powi(n)` itself, so it matches plain f64 code bit for bit.
            match c as i32 {
                0 => (one, zero),
                1 => (x, one),
                2 => (x * x, x + x),
                n => (x.powi(n), S::cst(c) * x.powi(n - 1)),
            }
        }
        Op::PowFC => {
            if c == 0.0 {
                (one, zero)
            } else {
                (x.powf(S::cst(c)), S::cst(c) * x.powf(S::cst(c - 1.0)))
            }
        }
        Op::RPowF => {
            let v = S::cst(c).powf(x);
            (v, v * S::cst(c.ln()))
        }
        _ => unreachable!("{op:?} is not a unary operation"),
    }
}

/// Value and the two partial derivatives of a binary operation at `(a, b)`.
#[inline(always)]
pub(crate) fn binary<S: Scalar>(op: Op, a: S, b: S) -> (S, S, S) {
    let one = S::one();
    let zero = S::zero();
    match op {
        Op::Add => (a + b, one, one),
        Op::Sub => (a - b, one, -one),
        Op::Mul => (a * b, b, a),
        Op::Div => {
            let r = b.recip();
            let q = a * r;
            (q, r, -(q * r))
        }
        Op::PowF => {
            let v = a.powf(b);
            let db = if a.is_zero() { zero } else { v * a.ln() };
            let da = if b.is_zero() {
                zero
            } else {
                b * a.powf(b - one)
            };
            (v, da, db)
        }
        Op::Atan2 => {
            let d = a * a + b * b;
            (a.atan2(b), b / d, -a / d)
        }
        Op::Hypot => {
            let h = a.hypot(b);
            if h.is_zero() {
                (h, zero, zero)
            } else {
                (h, a / h, b / h)
            }
        }
        Op::Max => {
            if b > a || a.is_nan() {
                (b, zero, one)
            } else {
                (a, one, zero)
            }
        }
        Op::Min => {
            if b < a || a.is_nan() {
                (b, zero, one)
            } else {
                (a, one, zero)
            }
        }
        Op::Rem => (a % b, one, -(a / b).trunc()),
        Op::SqDiff => {
            let d = a - b;
            let two_d = d + d;
            (d * d, two_d, -two_d)
        }
        _ => unreachable!("{op:?} is not a binary operation"),
    }
}

/// Value and partials of any operation: the tape interpreter's entry point (the f64 replay
/// uses [`eval_f64`]). `Affine`, the one op with two constants, takes its slope as `b`,
/// which a unary op does not otherwise read.
#[inline(always)]
pub(crate) fn eval<S: Scalar>(op: Op, a: S, b: S, c: f64) -> (S, S, S) {
    if op == Op::AddMulC {
        (a.mul_cst(c) + b, S::cst(c), S::one())
    } else if op == Op::Affine {
        // The same operations, in the same order, as `MulC` then `AddC` (an `RSubC`'s
        // c − x·s is (−(x·s)) + c, and x·(−s) is −(x·s) exactly).
        ((a * b).add_cst(c), b, S::zero())
    } else if op == Op::MulAddC {
        let (v, pa, pb) = binary(Op::Mul, a, b);
        (v.add_cst(c), pa, pb)
    } else if op == Op::ScaledSqDiff {
        // The same operations, in the same order, as `SqDiff` then `MulC`.
        let d = a - b;
        let two_cd = (d + d).mul_cst(c);
        ((d * d).mul_cst(c), two_cd, -two_cd)
    } else if op.is_binary() {
        binary(op, a, b)
    } else {
        let (v, d) = unary(op, a, c);
        (v, d, S::zero())
    }
}

/// The unary ops a fused node may apply to its second operand before its own op
/// (`Node::inner`, code k standing for `INNER[k - 1]`; `crate::fusion` folds them): the
/// constant-free ones most often met as an operand, since the node has no slot for a
/// constant of theirs.
pub(crate) const INNER: [Op; 7] = [
    Op::Sq,
    Op::Sqrt,
    Op::Exp,
    Op::Ln,
    Op::Recip,
    Op::Sin,
    Op::Cos,
];

/// The inner op with code `code` (1 to 7, see [`INNER`]) at `x`: value and derivative.
/// Out of line in builds with debug assertions: there every local of an inlined function
/// keeps a stack slot, and `unary` inlined into the sweeps a second time overflowed an 8 MB
/// main-thread stack in nested duals (the `Tape::gradient_at` doctest).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn inner<S: Scalar>(code: u8, x: S) -> (S, S) {
    // x², the inner op of every sum of squares of differences, by a test instead of the
    // jump through the op table: chained Rosenbrock's replay 6.97 -> 6.49 µs at n = 10³
    // and 711 -> 679 µs at 10⁵, its HVP 17.9 -> 16.8 µs and 2.05 -> 1.97 ms (best of 6
    // alternating runs).
    const _: () = assert!(matches!(INNER[0], Op::Sq));
    if code == 1 {
        return unary(Op::Sq, x, 0.0);
    }
    unary(INNER[code as usize - 1], x, 0.0)
}

/// `eval(b)`, a node's value and partials at second operand b, for a node that applies inner
/// op `code` (0: none) to its second operand first: evaluated at u(b), with the chain rule's
/// ∂/∂b = ∂op/∂u · u'(b). In dual scalars seeded along b this also carries the second
/// derivative, ∂²op/∂u² · u'² + ∂op/∂u · u''.
///
/// `eval` is called at one place only: inlined twice, the tape interpreter's whole dispatch
/// doubles, and in nested duals its stack frame with it.
#[inline(always)]
pub(crate) fn with_inner<S: Scalar>(
    code: u8,
    b: S,
    eval: impl FnOnce(S) -> (S, S, S),
) -> (S, S, S) {
    let (u, du) = if code == 0 {
        (b, S::one())
    } else {
        inner(code, b)
    };
    let (v, pa, pu) = eval(u);
    (v, pa, if code == 0 { pu } else { pu * du })
}

/// [`eval`] in f64 for a recorded node, dispatched by one flat `match` over every op, each
/// arm calling the op's own rule with the op as a constant (so the rule's `match` folds
/// away) and reading the op's constant where the node keeps it: one indirect jump a node.
/// `p` is the node's partial slots as recorded and `pooled` reads its constant from the
/// tape's pool (`Node::k`); the partials come back as the node stores them (a unary op's
/// constant in the second slot).
///
/// Dispatching on arity first and then inside `unary` or `binary` costs a second, poorly
/// predicted jump, 12% of a chained-Rosenbrock replay (measured); so did finding the
/// constant (`Node::c`) and the second slot by tests of the op before this `match`, as the
/// generic scalars do (replay of chained Rosenbrock 7.4–8.7 -> 6.3–7.0 µs at n = 10³ and
/// 782–916 -> 667–751 µs at 10⁵, Broyden tridiagonal 21.5 -> 14.8 µs and 2.18 -> 1.60 ms,
/// measured side by side against those tests). Only f64 gets it: in dual scalars the two-level
/// dispatch measured 5% faster, and the flat one, inlined at every sweep, multiplies compile
/// time for nested duals.
#[inline(always)]
pub(crate) fn eval_f64(
    op: Op,
    a: f64,
    b: f64,
    p: [f64; 2],
    pooled: impl FnOnce() -> f64,
) -> (f64, f64, f64) {
    macro_rules! flat {
        (unary: $($u:ident)*; binary: $($b:ident)*) => {
            match op {
                // Its partials are constant (c, 1): c sits in the first slot.
                Op::AddMulC => eval(Op::AddMulC, a, b, p[0]),
                Op::ScaledSqDiff => eval(Op::ScaledSqDiff, a, b, pooled()),
                Op::MulAddC => eval(Op::MulAddC, a, b, pooled()),
                // Its partial is its slope, in the first slot; c in the second.
                Op::Affine => {
                    let (v, d, _) = eval(Op::Affine, a, p[0], p[1]);
                    (v, d, p[1])
                }
                $(Op::$u => {
                    let c = p[1];
                    let (v, d) = unary(Op::$u, a, c);
                    (v, d, c)
                })*
                $(Op::$b => binary(Op::$b, a, b),)*
                Op::Wide | Op::WideOut => unreachable!("wide nodes are swept by `vector`"),
            }
        };
    }
    flat!(
        unary: Input Const Neg Recip Sqrt Cbrt Exp Exp2 ExpM1 Ln Log2 Log10 Ln1p Sin Cos Tan
            Asin Acos Atan Sinh Cosh Tanh Asinh Acosh Atanh Abs Signum Floor Ceil Round Trunc
            Fract AddC MulC RSubC DivC RDivC PowI Sq PowFC RPowF SqAddC SqRSubC;
        binary: Add Sub Mul Div PowF Atan2 Hypot Max Min Rem SqDiff
    )
}
