//! The tape: a Wengert list in flat arrays, recorded while a driver runs the user's closure.
//!
//! Layout: node 0 is a dummy zero (the second operand of every unary node, so the sweeps
//! need no branch on arity), nodes `1..=n` are the inputs, the rest are operations in
//! evaluation order. Each node stores its op code, two `u32` operand indices, the op's f64
//! constant, its value and its two local partial derivatives. No node owns heap memory.
//!
//! While a driver runs the closure, its tape sits on a thread-local stack; every `Var`
//! operation appends to the top tape after checking that the operands belong to it.

use crate::elementary::Op;
use crate::error::BranchChanged;
use crate::var::Var;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};

/// The flat arrays of a recording.
#[derive(Default, Clone)]
pub(crate) struct Nodes {
    pub(crate) ops: Vec<Op>,
    pub(crate) args: Vec<[u32; 2]>,
    pub(crate) consts: Vec<f64>,
    pub(crate) vals: Vec<f64>,
    pub(crate) partials: Vec<[f64; 2]>,
}

impl Nodes {
    fn clear(&mut self) {
        self.ops.clear();
        self.args.clear();
        self.consts.clear();
        self.vals.clear();
        self.partials.clear();
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, op: Op, args: [u32; 2], c: f64, v: f64, p: [f64; 2]) -> u32 {
        let idx = self.ops.len();
        assert!(
            idx < u32::MAX as usize,
            "curvature: the tape exceeds 2^32 - 1 nodes"
        );
        self.ops.push(op);
        self.args.push(args);
        self.consts.push(c);
        self.vals.push(v);
        self.partials.push(p);
        idx as u32
    }

    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.ops.len()
    }
}

/// Which comparison a guard recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GuardKind {
    /// `partial_cmp`: the whole ordering must stay the same.
    Cmp,
    /// `a < b` (also `b > a`).
    Lt,
    /// `a <= b` (also `b >= a`).
    Le,
    /// `a == b` (also `!=`).
    Eq,
}

impl GuardKind {
    /// The outcome of the comparison, encoded so that two outcomes compare with `==`.
    pub(crate) fn outcome<S: PartialOrd>(self, a: &S, b: &S) -> i8 {
        match self {
            GuardKind::Cmp => match a.partial_cmp(b) {
                Some(Ordering::Less) => -1,
                Some(Ordering::Equal) => 0,
                Some(Ordering::Greater) => 1,
                None => 2,
            },
            GuardKind::Lt => (a < b) as i8,
            GuardKind::Le => (a <= b) as i8,
            GuardKind::Eq => (a == b) as i8,
        }
    }
}

/// One side of a guard: a node, or a constant.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Operand {
    Node(u32),
    Const(f64),
}

/// A comparison made while recording, and its outcome.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Guard {
    pub(crate) lhs: Operand,
    pub(crate) rhs: Operand,
    pub(crate) kind: GuardKind,
    pub(crate) outcome: i8,
}

/// Everything one recording owns; pooled per thread so repeated driver calls reuse buffers.
#[derive(Default, Clone)]
pub(crate) struct TapeData {
    pub(crate) id: u32,
    pub(crate) nodes: Nodes,
    pub(crate) n_inputs: usize,
    pub(crate) outputs: Vec<u32>,
    pub(crate) guards: Vec<Guard>,
}

impl TapeData {
    fn reset(&mut self, id: u32, x: &[f64]) {
        self.id = id;
        self.nodes.clear();
        self.outputs.clear();
        self.guards.clear();
        self.n_inputs = x.len();
        self.nodes.push(Op::Const, [0, 0], 0.0, 0.0, [0.0, 0.0]);
        for &xi in x {
            self.nodes.push(Op::Input, [0, 0], 0.0, xi, [0.0, 0.0]);
        }
    }

    /// Index of the first operation node (after the dummy and the inputs).
    #[inline(always)]
    pub(crate) fn first_op(&self) -> usize {
        self.n_inputs + 1
    }

    /// Appends an output; a constant output becomes a `Const` node.
    fn push_output(&mut self, v: Var) {
        let idx = if v.tape == 0 {
            self.nodes.push(Op::Const, [0, 0], v.val, v.val, [0.0, 0.0])
        } else if v.tape == self.id {
            v.idx
        } else {
            panic!(
                "curvature: the closure returned a Var that belongs to another derivative \
                 call (a nested or finished one), not to the call that is differentiating it"
            )
        };
        self.outputs.push(idx);
    }
}

thread_local! {
    /// The tapes of the derivative calls running on this thread, innermost last.
    static ACTIVE: RefCell<Vec<TapeData>> = const { RefCell::new(Vec::new()) };
    /// Finished tapes whose buffers the next recording reuses.
    static POOL: RefCell<Vec<TapeData>> = const { RefCell::new(Vec::new()) };
}

/// Ids are unique per process, so a `Var` of a finished call never matches a later tape.
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

fn fresh_id() -> u32 {
    loop {
        let id = NEXT_ID.fetch_add(1, AtomicOrdering::Relaxed);
        if id != 0 {
            return id;
        }
    }
}

const POOL_LIMIT: usize = 4;

/// Returns a finished tape's buffers to this thread's pool.
pub(crate) fn recycle(data: TapeData) {
    POOL.with_borrow_mut(|pool| {
        if pool.len() < POOL_LIMIT {
            pool.push(data);
        }
    });
}

/// Pops the active tape if the user's closure unwinds, so the stack stays balanced.
struct PopOnUnwind;

impl Drop for PopOnUnwind {
    fn drop(&mut self) {
        ACTIVE.with_borrow_mut(|stack| {
            stack.pop();
        });
    }
}

/// Runs `f` on fresh input variables for `x`, recording every operation; returns the tape
/// with the closure's outputs attached.
pub(crate) fn record<R>(
    x: &[f64],
    f: impl FnOnce(&[Var]) -> R,
    outputs: impl FnOnce(&R) -> Vec<Var>,
) -> (TapeData, R) {
    assert!(
        x.len() < (u32::MAX - 1) as usize,
        "curvature: too many inputs for one tape"
    );
    let mut data = POOL.with_borrow_mut(|pool| pool.pop()).unwrap_or_default();
    let id = fresh_id();
    data.reset(id, x);
    let vars: Vec<Var> = x
        .iter()
        .enumerate()
        .map(|(j, &xj)| Var {
            val: xj,
            idx: j as u32 + 1,
            tape: id,
        })
        .collect();
    ACTIVE.with_borrow_mut(|stack| stack.push(data));
    let unwind = PopOnUnwind;
    let result = f(&vars);
    std::mem::forget(unwind);
    let mut data = ACTIVE
        .with_borrow_mut(|stack| stack.pop())
        .expect("curvature: tape stack underflow");
    debug_assert_eq!(data.id, id);
    for v in outputs(&result) {
        data.push_output(v);
    }
    (data, result)
}

/// Appends a node to the tape `tape` (which must be the innermost active one).
#[inline(always)]
pub(crate) fn record_node(tape: u32, op: Op, args: [u32; 2], c: f64, v: f64, p: [f64; 2]) -> Var {
    ACTIVE.with_borrow_mut(|stack| match stack.last_mut() {
        Some(t) if t.id == tape => {
            let idx = t.nodes.push(op, args, c, v, p);
            Var { val: v, idx, tape }
        }
        _ => misuse(tape, stack),
    })
}

/// Stores a comparison of `a` and `b` as a guard of the tape they belong to.
pub(crate) fn record_guard(a: Var, b: Var, kind: GuardKind) {
    if a.tape != 0 && b.tape != 0 && a.tape != b.tape {
        misuse_two_tapes(a.tape, b.tape);
    }
    let tape = a.tape.max(b.tape);
    let operand = |v: Var| {
        if v.tape == 0 {
            Operand::Const(v.val)
        } else {
            Operand::Node(v.idx)
        }
    };
    let guard = Guard {
        lhs: operand(a),
        rhs: operand(b),
        kind,
        outcome: kind.outcome(&a.val, &b.val),
    };
    ACTIVE.with_borrow_mut(|stack| match stack.last_mut() {
        Some(t) if t.id == tape => t.guards.push(guard),
        _ => misuse(tape, stack),
    })
}

#[cold]
#[inline(never)]
fn misuse(tape: u32, stack: &[TapeData]) -> ! {
    if stack.iter().any(|t| t.id == tape) {
        panic!(
            "curvature: a Var of an enclosing derivative call was used inside a nested \
             derivative call; each call has its own tape, so pass values (Var::value) into \
             nested calls instead of Vars"
        )
    } else if stack.is_empty() {
        panic!(
            "curvature: a Var was used outside of the derivative call that created it \
             (the call has finished, or this is another thread)"
        )
    } else {
        panic!(
            "curvature: a Var of another tape (a finished derivative call or another thread) \
             was used in this recording"
        )
    }
}

#[cold]
#[inline(never)]
pub(crate) fn misuse_two_tapes(a: u32, b: u32) -> ! {
    ACTIVE.with_borrow(|stack| {
        // Name the operand that does not belong to the running call.
        let stranger = if stack.last().map(|t| t.id) == Some(a) {
            b
        } else {
            a
        };
        misuse(stranger, stack)
    })
}

/// Checks every guard against node values `vals` (any scalar, compared by value).
pub(crate) fn check_guards<S: PartialOrd + Copy>(
    guards: &[Guard],
    vals: &[S],
    lift: impl Fn(f64) -> S,
) -> Result<(), BranchChanged> {
    let side = |o: Operand| match o {
        Operand::Node(i) => vals[i as usize],
        Operand::Const(c) => lift(c),
    };
    for (k, g) in guards.iter().enumerate() {
        let now = g.kind.outcome(&side(g.lhs), &side(g.rhs));
        if now != g.outcome {
            return Err(BranchChanged {
                guard: k,
                comparison: g.kind.describe(),
            });
        }
    }
    Ok(())
}

impl GuardKind {
    fn describe(self) -> &'static str {
        match self {
            GuardKind::Cmp => "partial_cmp",
            GuardKind::Lt => "< (or >)",
            GuardKind::Le => "<= (or >=)",
            GuardKind::Eq => "== (or !=)",
        }
    }
}
