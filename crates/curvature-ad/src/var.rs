//! Reverse mode: `Var`, a variable recorded on the tape of the running derivative call.

use crate::elementary::{binary, unary, Op};
use crate::recording::{check_current, record_guard, record_node, GuardKind, GRADIENT_ONLY};
use std::cmp::Ordering;
use std::fmt;

/// A reverse-mode variable: a value and the tape node that computed it.
///
/// The drivers ([`gradient`](crate::gradient), [`hvp`](crate::hvp),
/// [`hessian`](crate::hessian), [`Tape::record`](crate::Tape::record), ...) call the user's
/// closure with fresh `Var`s; every operation on them appends one node to that call's tape
/// (constants are folded, never recorded). `Var` implements `num_traits::Float` and mixed
/// arithmetic with `f64`, so generic code runs on it unchanged.
///
/// Comparisons (`<`, `==`, `partial_cmp`, ...) look at the value and are stored as *guards*,
/// so [`Tape::replay`](crate::Tape::replay) can tell when a recorded branch no longer holds.
/// Branching on [`Var::value`] bypasses the guards.
///
/// # Panics
/// Using a `Var` outside the derivative call that created it (after the call returned, on
/// another thread, or inside a nested call that has its own tape) panics with a message:
/// mixing tapes is a programmer error, never a silently wrong number.
///
/// ```
/// use num_traits::Float;
/// use curvature_ad::{gradient, Var};
/// let (f, g) = gradient(|x: &[Var]| x[0] * x[1] + x[0].sin(), &[2.0, 3.0]);
/// assert_eq!(f, 6.0 + 2f64.sin());
/// assert_eq!(g, vec![3.0 + 2f64.cos(), 2.0]);
/// ```
#[derive(Clone, Copy)]
pub struct Var {
    pub(crate) val: f64,
    /// ∂(this variable)/∂(node `idx`): 1, except on a gradient-only recording (see
    /// `recording::GRADIENT_ONLY`), where unary operations record no node and fold their
    /// derivative in here instead.
    pub(crate) scale: f64,
    pub(crate) idx: u32,
    /// The id of the recording this variable belongs to; 0 for constants.
    pub(crate) tape: u32,
    /// A node added to `scale · node(idx)` with partial 1 (0: none), so that the variable
    /// is `scale · node(idx) + node(acc)`: on a gradient-only recording a sum records no
    /// node until a second one joins it (see [`Var::sum`]); always 0 elsewhere.
    pub(crate) acc: u32,
}

/// The chain rule's product of a partial `outer` (nearer the output) and `inner`, with an
/// exactly zero `outer` passing nothing on, as the sweeps skip nodes whose adjoint is exactly
/// zero: a folded 0·∞ (say `0.0 * x.sqrt()` at x = 0) must give 0, not NaN. With `inner` 1
/// it is `outer` itself, bit for bit.
#[inline(always)]
pub(crate) fn chain(outer: f64, inner: f64) -> f64 {
    if outer == 0.0 {
        outer
    } else {
        outer * inner
    }
}

impl Var {
    /// A constant: not recorded, derivative zero.
    #[inline(always)]
    pub const fn constant(value: f64) -> Var {
        Var {
            val: value,
            scale: 1.0,
            idx: 0,
            tape: 0,
            acc: 0,
        }
    }

    /// The value. Control flow that branches on it is invisible to replay guards; prefer
    /// comparing `Var`s directly.
    #[inline(always)]
    pub fn value(&self) -> f64 {
        self.val
    }

    /// Whether this is a constant (independent of the inputs).
    #[inline(always)]
    pub fn is_constant(&self) -> bool {
        self.tape == 0
    }

    #[inline(always)]
    pub(crate) fn lift(c: f64) -> Var {
        Var::constant(c)
    }

    #[inline(always)]
    pub(crate) fn lift_f64(c: f64) -> Var {
        Var::constant(c)
    }

    #[inline(always)]
    pub(crate) fn primal(&self) -> f64 {
        self.val
    }

    /// Records a unary operation (folded when `self` is constant). Always inlined so the
    /// operation code is a compile-time constant at each call site.
    #[inline(always)]
    pub(crate) fn un(self, op: Op, c: f64) -> Var {
        if self.tape == 0 {
            return Var::constant(unary::<f64>(op, self.val, c).0);
        }
        // x + 0, x * 1, x / 1 and x^1 are exact identities, x^0 is exactly 1 (also for NaN,
        // as in f64): record nothing. So a power node is never linear, which the sparsity
        // detection relies on.
        match op {
            Op::AddC if c == 0.0 => return self,
            Op::MulC | Op::DivC | Op::PowI | Op::PowFC if c == 1.0 => return self,
            Op::PowI | Op::PowFC if c == 0.0 => return Var::constant(1.0),
            _ => {}
        }
        // x² gets its own op (the same value, x·x, and derivative, x + x, as `PowI` 2).
        let (op, c) = if op == Op::PowI && c == 2.0 {
            (Op::Sq, 0.0)
        } else {
            (op, c)
        };
        let (v, d) = unary::<f64>(op, self.val, c);
        if self.tape & GRADIENT_ONLY != 0 {
            // A shift keeps a pending sum as it is: (s·t + u) + c has the same derivative.
            if self.acc != 0 && op == Op::AddC {
                check_current(self.tape);
                return Var { val: v, ..self };
            }
            // Nothing to record: the consumers of the result record d·scale as their
            // partial in the operand node, which is all a reverse sweep would do with it.
            // (Still checked: a variable of a finished call is misuse here as anywhere.
            // Settling a pending sum records a node, which checks too; skipping the second
            // check on that path made the closure gradient of chained Rosenbrock slower,
            // 17.3 -> 18.5 µs at n = 10³ and 1.86–1.93 -> 2.04–2.10 ms at 10⁵, measured.)
            let x = self.settled();
            check_current(x.tape);
            return Var {
                val: v,
                scale: chain(d, x.scale),
                ..x
            };
        }
        record_node(self.tape, op, [self.idx, 0], 0, v, [d, c])
    }

    /// Records a binary operation; a constant operand of `+ - * / powf` becomes the
    /// constant of a unary operation instead of a node.
    #[inline(always)]
    pub(crate) fn bin(self, other: Var, op: Op) -> Var {
        match (self.tape, other.tape) {
            (0, 0) => Var::constant(binary::<f64>(op, self.val, other.val).0),
            (_, 0) => match op {
                Op::Add => self.un(Op::AddC, other.val),
                Op::Sub => self.un(Op::AddC, -other.val),
                Op::Mul => self.un(Op::MulC, other.val),
                Op::Div => self.un(Op::DivC, other.val),
                Op::PowF => self.un(Op::PowFC, other.val),
                _ => self.record_bin(other.materialize(self.tape), op),
            },
            (0, _) => match op {
                Op::Add => other.un(Op::AddC, self.val),
                Op::Sub => other.un(Op::RSubC, self.val),
                Op::Mul => other.un(Op::MulC, self.val),
                Op::Div => other.un(Op::RDivC, self.val),
                Op::PowF => other.un(Op::RPowF, self.val),
                _ => self.materialize(other.tape).record_bin(other, op),
            },
            _ => self.record_bin(other, op),
        }
    }

    #[inline(always)]
    fn record_bin(self, other: Var, op: Op) -> Var {
        // The tape check in `record_node` covers `self`; `other` must be on the same tape.
        if other.tape != self.tape {
            crate::recording::misuse_two_tapes(self.tape, other.tape);
        }
        if self.tape & GRADIENT_ONLY != 0 {
            if let Op::Add | Op::Sub = op {
                return self.sum(other, op == Op::Sub);
            }
            return self.settled().record_plain(other.settled(), op);
        }
        self.record_plain(other, op)
    }

    /// On a gradient-only recording, `self + other` (`self - other` when `negate`) as a
    /// variable `scale · node(idx) + node(acc)`: a sum takes no node while one side is a
    /// node with partial 1, and then rides as the summand (`Node::acc`) of the node that
    /// the next term of the sum records. A sum of terms t₁ + t₂ + ... thus records one node
    /// per term instead of one per term and addition: chained Rosenbrock 3 nodes a term
    /// to 2.
    #[inline(always)]
    fn sum(self, other: Var, negate: bool) -> Var {
        let val = if negate {
            self.val - other.val
        } else {
            self.val + other.val
        };
        // A summand enters with partial 1, so a subtracted one must first be a node, and of
        // two summands one.
        let b = if negate { other.settled() } else { other };
        let a = if self.acc != 0 && b.acc != 0 {
            self.settled()
        } else {
            self
        };
        let pb = if negate { -b.scale } else { b.scale };
        if a.acc == 0 && b.acc == 0 {
            // One side a node with partial 1: it becomes the summand, nothing is recorded.
            if a.scale == 1.0 {
                check_current(a.tape);
                return Var {
                    val,
                    scale: pb,
                    idx: b.idx,
                    tape: a.tape,
                    acc: a.idx,
                };
            }
            if pb == 1.0 {
                check_current(a.tape);
                return Var {
                    val,
                    scale: a.scale,
                    idx: a.idx,
                    tape: a.tape,
                    acc: b.idx,
                };
            }
        }
        let op = if negate { Op::Sub } else { Op::Add };
        record_node(
            a.tape,
            op,
            [a.idx, b.idx],
            a.acc | b.acc,
            val,
            [a.scale, pb],
        )
    }

    /// The variable with its pending summand (see [`Var::sum`]) recorded as a node of its
    /// own: what every operation but a sum needs.
    #[inline(always)]
    fn settled(self) -> Var {
        if self.acc == 0 {
            return self;
        }
        let (op, args, p) = self.settling();
        record_node(self.tape, op, args, 0, self.val, p)
    }

    /// The node that settles a pending sum, `scale · node(idx) + node(acc)`: op, operands
    /// and partials.
    #[inline(always)]
    pub(crate) fn settling(&self) -> (Op, [u32; 2], [f64; 2]) {
        (Op::Add, [self.idx, self.acc], [self.scale, 1.0])
    }

    #[inline(always)]
    fn record_plain(self, other: Var, op: Op) -> Var {
        let (v, da, db) = binary::<f64>(op, self.val, other.val);
        // x·x is recorded as x², one operand instead of two: the same value, and the same
        // adjoint, 2x·w (exact either way), with one scatter less in every reverse sweep.
        // (On a gradient-only recording two variables of one node can differ, x and x + 1:
        // the same variable has the same value and scale too.)
        let same = other.idx == self.idx
            && other.val.to_bits() == self.val.to_bits()
            && other.scale.to_bits() == self.scale.to_bits();
        if op == Op::Mul && same {
            return self.un(Op::Sq, 0.0);
        }
        let p = [chain(da, self.scale), chain(db, other.scale)];
        record_node(self.tape, op, [self.idx, other.idx], 0, v, p)
    }

    /// A constant as a node of `tape`, for the rare binary operations without a constant form.
    #[cold]
    fn materialize(self, tape: u32) -> Var {
        record_node(tape, Op::Const, [0, 0], 0, self.val, [0.0, self.val])
    }

    fn guard(&self, other: &Var, kind: GuardKind) {
        if self.tape != 0 || other.tape != 0 {
            record_guard(*self, *other, kind);
        }
    }
}

impl PartialEq for Var {
    /// Compares values; the comparison is recorded as a replay guard.
    fn eq(&self, other: &Var) -> bool {
        self.guard(other, GuardKind::Eq);
        self.val == other.val
    }
}

impl PartialOrd for Var {
    /// Compares values; the comparison is recorded as a replay guard.
    fn partial_cmp(&self, other: &Var) -> Option<Ordering> {
        self.guard(other, GuardKind::Cmp);
        self.val.partial_cmp(&other.val)
    }
    fn lt(&self, other: &Var) -> bool {
        self.guard(other, GuardKind::Lt);
        self.val < other.val
    }
    fn le(&self, other: &Var) -> bool {
        self.guard(other, GuardKind::Le);
        self.val <= other.val
    }
    fn gt(&self, other: &Var) -> bool {
        other.guard(self, GuardKind::Lt);
        other.val < self.val
    }
    fn ge(&self, other: &Var) -> bool {
        other.guard(self, GuardKind::Le);
        other.val <= self.val
    }
}

impl PartialEq<f64> for Var {
    fn eq(&self, other: &f64) -> bool {
        *self == Var::constant(*other)
    }
}

impl PartialOrd<f64> for Var {
    fn partial_cmp(&self, other: &f64) -> Option<Ordering> {
        self.partial_cmp(&Var::constant(*other))
    }
}

impl fmt::Debug for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tape == 0 {
            write!(f, "Var({:?}, constant)", self.val)
        } else {
            write!(f, "Var({:?}, node {})", self.val, self.idx)
        }
    }
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.val, f)
    }
}

crate::surface::impl_surface!([] Var, f64);
