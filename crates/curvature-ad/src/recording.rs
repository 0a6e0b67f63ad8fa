//! The tape: a Wengert list in flat arrays, recorded while a driver runs the user's closure.
//!
//! Layout: node 0 is a dummy zero (the second operand of every unary node), nodes `1..=n`
//! are the inputs, the rest are operations in evaluation order. A node is one 32-byte
//! [`Node`]: its two local partial derivatives, two `u32` operand indices, a folded-in
//! summand's index and its op code; a unary op's constant (`x + c`, `x * c`, `x^n`, ...) sits
//! in the partial slot it does not use, and a fused binary op's in a per-tape pool. One
//! record per node means one push per recorded operation, and the reverse sweep reads one
//! stream; both are bound by memory traffic on large tapes (the layout was 40 bytes in two
//! arrays). No node owns heap memory.
//!
//! While a driver runs the closure, its tape sits on a thread-local stack; every `Var`
//! operation appends to the top tape after checking that the operands belong to it.

use crate::dual::Dual;
use crate::elementary::Op;
use crate::error::BranchChanged;
use crate::sweep::Workspace;
use crate::var::Var;
use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::sync::atomic::{AtomicU32, Ordering as AtomicOrdering};

/// One recorded operation. The op and operands are fixed once recorded; a replay rewrites
/// the partials (keeping a unary op's constant).
#[derive(Clone, Copy, Debug)]
#[repr(C)]
pub(crate) struct Node {
    /// `[∂/∂a, ∂/∂b]` at the tape's point, except that a unary op keeps its constant in the
    /// second slot (0 when it has none): every sweep reads the second slot only for binary
    /// ops (`b != 0`), since a unary op's second operand is the dummy node 0.
    pub(crate) p: [f64; 2],
    pub(crate) args: [u32; 2],
    /// A third operand added to the op's result with partial 1 (0: none), set by the
    /// fusion pass when it folds a sum `u + t` into t's node: sums of terms, the shape of
    /// most losses, then take no node of their own. It fits the layout's padding, so the
    /// node stays 32 bytes.
    pub(crate) acc: u32,
    pub(crate) op: Op,
    /// Where the operands sit relative to the node, the reverse sweep's dispatch key
    /// (`crate::shape`), set by fusion; `shape::UNKNOWN` as recorded. Its top bits hold the
    /// unary op the node applies to its second operand first (`Node::inner`).
    /// It fills what was the layout's padding byte, so the node has no padding and the
    /// compiler may merge the stores of its last 8 bytes (summand, op, this, `k`): recording
    /// chained Rosenbrock at n = 10³ measured 14.6 -> 13.0 µs once `k` no longer sat beside
    /// a padding byte.
    pub(crate) shape: u8,
    /// The index of the op's constant in `Nodes::consts`, for the fused ops whose partials
    /// both vary, leaving no slot for it (`ScaledSqDiff`, `MulAddC`); 0 otherwise.
    pub(crate) k: u16,
}

// The layout the sweeps' memory traffic is sized by.
const _: () = assert!(std::mem::size_of::<Node>() == 32);

impl Node {
    /// A node of `op` on `args` with partials (or constant) `p`, without summand.
    #[inline(always)]
    pub(crate) fn new(op: Op, args: [u32; 2], p: [f64; 2]) -> Node {
        Node {
            p,
            args,
            acc: 0,
            op,
            shape: crate::shape::UNKNOWN,
            k: 0,
        }
    }

    /// The op's constant (0 when it has none); `consts` is the tape's constant pool.
    ///
    /// Returning 0 for the plain binary ops, rather than their (ignored) first slot, keeps
    /// the replay 6–10% faster at n = 10³–10⁴ (measured side by side): the constant folds
    /// away in their rules.
    #[inline(always)]
    pub(crate) fn c(&self, consts: &[f64]) -> f64 {
        match self.op {
            // Its partials are constant (c, 1), so the first slot holds c at every point.
            Op::AddMulC => self.p[0],
            Op::ScaledSqDiff | Op::MulAddC => consts[self.k as usize],
            op if op.is_binary() => 0.0,
            _ => self.p[1],
        }
    }

    /// The code of the unary op (`elementary::INNER`) this node applies to its second
    /// operand before its own op, 0 for none: a single-use x², √x, eˣ, ln x, 1/x, sin x or
    /// cos x folded into its consumer by `crate::fusion`. The second operand is then that
    /// op's operand, and the second partial the chain rule's product through it.
    #[inline(always)]
    pub(crate) fn inner(&self) -> u8 {
        self.shape >> crate::shape::INNER_SHIFT
    }

    /// The operands' places (`crate::shape`), without the inner op's bits.
    #[inline(always)]
    pub(crate) fn places_code(&self) -> u8 {
        self.shape & crate::shape::PLACES_MASK
    }

    /// Sets the operands' places, keeping the inner op.
    #[inline(always)]
    pub(crate) fn set_places(&mut self, code: u8) {
        self.shape = (self.shape & !crate::shape::PLACES_MASK) | code;
    }
}

/// The flat arrays of a recording: one entry per node in each.
///
/// Recording stores no node values: the reverse sweep needs only operands and partials,
/// and the values that matter afterwards (inputs and outputs) are kept in `TapeData`.
/// `vals` is filled by a replay, which needs every value for its guards.
#[derive(Clone)]
pub(crate) struct Nodes {
    pub(crate) list: Vec<Node>,
    pub(crate) vals: Vec<f64>,
    /// Operands and data of the wide vector nodes (`crate::vector`).
    pub(crate) wide: crate::vector::Table,
    /// Constants of fused nodes that have no partial slot free for theirs (`Node::k`).
    pub(crate) consts: Vec<f64>,
    /// Whether every operation node carries its shape (`Node::shape`), set by fusion, which
    /// also brings the only summands (`Node::acc`): the reverse sweep then dispatches on
    /// the shapes, and tapes without them run a loop without the summand's test.
    pub(crate) shaped: bool,
    /// Whether at least one operation node in eight carries node i - 1 as its summand
    /// (a running sum whose terms take one node, or two that each carry the one before),
    /// set by fusion: the forward pass then takes such summands from a register
    /// (`sweep::forward`).
    pub(crate) near_sums: bool,
}

impl Nodes {
    const fn new() -> Nodes {
        Nodes {
            list: Vec::new(),
            vals: Vec::new(),
            wide: crate::vector::Table::new(),
            consts: Vec::new(),
            shaped: false,
            near_sums: false,
        }
    }

    /// Empties the arrays but for the first `keep` nodes.
    fn truncate(&mut self, keep: usize) {
        self.list.truncate(keep);
        self.vals.clear();
        self.wide.clear();
        self.consts.clear();
        self.shaped = false;
        self.near_sums = false;
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, op: Op, args: [u32; 2], c: f64, p: [f64; 2]) -> u32 {
        let p = if op.is_binary() { p } else { [p[0], c] };
        self.push_node(Node::new(op, args, p))
    }

    /// Appends `node`; returns its index.
    #[inline(always)]
    pub(crate) fn push_node(&mut self, node: Node) -> u32 {
        let idx = self.list.len();
        if idx >= u32::MAX as usize {
            too_many_nodes();
        }
        crate::huge::reserve(&mut self.list, 1);
        // SAFETY: `reserve` has just made room for one more node, so slot `idx` lies within
        // the allocation; it is written before the length grows over it. (Recording is one
        // push per operation: `Vec::push` would test the capacity a second time.)
        unsafe {
            self.list.as_mut_ptr().add(idx).write(node);
            self.list.set_len(idx + 1);
        }
        idx as u32
    }

    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// The inputs' values: those of the last replay (which `vals` holds from 1 to n), or
    /// `recorded`, the recorded point, when no replay has run. A replay does not copy its
    /// point a second time (into `TapeData::x`): at n = 10⁵ that copy, into lines the
    /// sweeps had evicted, was 5% of a replayed sparse Hessian.
    pub(crate) fn point<'a>(&'a self, n: usize, recorded: &'a [f64]) -> &'a [f64] {
        if self.vals.len() == self.list.len() {
            &self.vals[1..=n]
        } else {
            recorded
        }
    }
}

#[cold]
#[inline(never)]
fn too_many_nodes() -> ! {
    panic!("curvature: the tape exceeds 2^32 - 1 nodes")
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
#[derive(Clone)]
pub(crate) struct TapeData {
    pub(crate) id: u32,
    pub(crate) nodes: Nodes,
    pub(crate) n_inputs: usize,
    /// The recorded point (the last replayed one is in `nodes.vals`: see `point`); empty on
    /// a gradient-only recording.
    pub(crate) x: Vec<f64>,
    pub(crate) outputs: Vec<u32>,
    /// The outputs' values at `x`.
    pub(crate) out_vals: Vec<f64>,
    /// Adjoint buffer of the f64 reverse sweep, pooled with the tape; `adj[adj_clean_from..]`
    /// is all zero (see `seed_adjoints`).
    pub(crate) adj: Vec<f64>,
    pub(crate) adj_clean_from: usize,
    /// Buffers of the HVP sweep in `Dual<f64>`, pooled with the tape.
    pub(crate) hvp: Workspace<Dual<f64>>,
    pub(crate) guards: Vec<Guard>,
}

impl Default for TapeData {
    fn default() -> TapeData {
        TapeData::new()
    }
}

impl TapeData {
    /// The empty tape with id 0: "no recording running".
    const fn new() -> TapeData {
        TapeData {
            id: 0,
            nodes: Nodes::new(),
            n_inputs: 0,
            x: Vec::new(),
            outputs: Vec::new(),
            out_vals: Vec::new(),
            adj: Vec::new(),
            adj_clean_from: 0,
            hvp: Workspace::new(),
            guards: Vec::new(),
        }
    }

    fn reset(&mut self, id: u32, x: &[f64]) {
        self.id = id;
        // The dummy and the input nodes the last reset wrote are all alike and nothing
        // rewrites them (sweeps, replays and fusion start at the first operation node), so
        // a pooled tape keeps as many as the new recording needs: writing them was 3–5% of
        // a closure gradient (chained Rosenbrock, best of alternating runs: 20.7–20.8 ->
        // 20.0–20.1 µs at n = 10³, 2.37–2.38 -> 2.20–2.29 ms at 10⁵).
        let keep = if self.nodes.list.len() > self.n_inputs {
            self.n_inputs.min(x.len()) + 1
        } else {
            0
        };
        debug_assert!(self.nodes.list[..keep].iter().enumerate().all(|(i, node)| {
            let op = if i == 0 { Op::Const } else { Op::Input };
            let fresh = Node::new(op, [0, 0], [0.0; 2]);
            let fields = |n: &Node| (n.op, n.args, n.p.map(f64::to_bits), n.acc, n.shape, n.k);
            fields(node) == fields(&fresh)
        }));
        self.nodes.truncate(keep);
        self.outputs.clear();
        self.out_vals.clear();
        self.x.clear();
        // A gradient-only recording is swept once and never asks for its point: at n = 10⁵
        // the copy was 2% of chained Rosenbrock's closure gradient.
        if id & GRADIENT_ONLY == 0 {
            self.x.extend_from_slice(x);
        }
        self.guards.clear();
        self.n_inputs = x.len();
        if keep == 0 {
            self.nodes.push(Op::Const, [0, 0], 0.0, [0.0, 0.0]);
        }
        // One bulk fill rather than a push per input (a few percent of a small gradient).
        let input = Node::new(Op::Input, [0, 0], [0.0; 2]);
        // (`record` has checked that the inputs' indices fit in u32.)
        self.nodes.list.resize(x.len() + 1, input);
    }

    /// The point the tape holds: the last replayed one, or the recorded one.
    pub(crate) fn point(&self) -> &[f64] {
        self.nodes.point(self.n_inputs, &self.x)
    }

    /// Index of the first operation node (after the dummy and the inputs).
    #[inline(always)]
    pub(crate) fn first_op(&self) -> usize {
        self.n_inputs + 1
    }

    /// Appends an output; a constant output becomes a `Const` node.
    fn push_output(&mut self, v: Var) {
        let idx = if v.tape == 0 {
            self.nodes.push(Op::Const, [0, 0], v.val, [0.0, 0.0])
        } else {
            self.check_output(v);
            v.idx
        };
        self.outputs.push(idx);
        self.out_vals.push(v.val);
    }

    /// Panics unless the non-constant output `v` belongs to this tape.
    pub(crate) fn check_output(&self, v: Var) {
        if v.tape != self.id {
            panic!(
                "curvature: the closure returned a Var that belongs to another derivative \
                 call (a nested or finished one), not to the call that is differentiating it"
            )
        }
    }
}

thread_local! {
    /// The tape of the innermost derivative call running on this thread (null: none).
    ///
    /// A raw pointer rather than a `RefCell<TapeData>`: recording is the hot path (one
    /// access per arithmetic operation), and a `Cell` of a pointer is a plain TLS load,
    /// where a `RefCell` of a type with a destructor costs a lazy-destructor check and a
    /// borrow flag on every access (measured: ~3× slower recording). See `with_current`
    /// for the invariants that make the dereference sound.
    static CURRENT: Cell<*mut TapeData> = const { Cell::new(std::ptr::null_mut()) };
    /// The id of `CURRENT`'s tape (0: none), so that the check every operation makes reads
    /// one thread-local word instead of following the pointer.
    static CURRENT_ID: Cell<u32> = const { Cell::new(0) };
    /// Ids of the enclosing calls' tapes, for misuse messages.
    static ENCLOSING: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    /// Finished tapes whose buffers the next recording reuses.
    static POOL: RefCell<Vec<TapeData>> = const { RefCell::new(Vec::new()) };
}

/// Ids are unique per process (until 2³¹ recordings have wrapped the counter), so a `Var`
/// of a finished call never matches a later tape.
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// The id bit of a gradient-only recording, made by the [`gradient`](crate::gradient)
/// driver: the tape is swept once, in reverse, and never replayed, so a unary operation
/// (`x.sin()`, `x * 2.0`, `x.powi(2)`, ...) records no node; its result keeps its operand's
/// node and carries the derivative in `Var::scale`, and the binary operation that consumes
/// it records the chain rule's product as its partial. A sum waits in the variable too
/// (`Var::sum`, `Var::acc`) until the node of its next term carries it as its summand.
/// Chained Rosenbrock then records 2 nodes a term instead of 8. The bit sits in the id so
/// that `Var` operations tell the mode from the variable itself, without reaching the
/// thread-local tape.
pub(crate) const GRADIENT_ONLY: u32 = 1 << 31;

fn fresh_id(gradient_only: bool) -> u32 {
    loop {
        let id = NEXT_ID.fetch_add(1, AtomicOrdering::Relaxed) & !GRADIENT_ONLY;
        if id != 0 {
            return if gradient_only {
                id | GRADIENT_ONLY
            } else {
                id
            };
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

/// Runs `op` on the current tape if it is `tape`, or reports the misuse.
///
/// Soundness of the dereference: `CURRENT` is non-null only while `record` runs the user's
/// closure, and then points to a `TapeData` local of `record`'s frame, which neither moves
/// nor touches it until the closure has returned (or unwound) and `CURRENT` has been
/// restored by `Restore::drop`. The pointer never leaves this thread (thread-local). The `&mut` made
/// here lives only for `op`, which pushes to vectors and runs no user code, so no second
/// reference to the tape can exist at the same time (a nested `record` installs a
/// different tape and restores this pointer before returning).
#[inline(always)]
pub(crate) fn with_current<R>(tape: u32, op: impl FnOnce(&mut TapeData) -> R) -> R {
    let current = CURRENT_ID.with(Cell::get);
    if current != tape {
        misuse(tape, current)
    }
    let ptr = CURRENT.with(Cell::get);
    // SAFETY: see above; `as_mut` handles null (no recording runs, and `tape` is 0).
    match unsafe { ptr.as_mut() } {
        Some(t) => op(t),
        None => misuse(tape, 0),
    }
}

/// Panics with [`with_current`]'s message unless `tape` (not 0) is the running recording:
/// the check of an operation that records nothing (a unary one or a pending sum on a
/// gradient-only tape), which needs the id alone, not the tape.
#[inline(always)]
pub(crate) fn check_current(tape: u32) {
    debug_assert_ne!(tape, 0, "constants are never checked");
    let current = CURRENT_ID.with(Cell::get);
    if current != tape {
        misuse(tape, current)
    }
}

/// Restores the enclosing call's tape (and its id) when a recording ends, normally or by
/// unwinding.
struct Restore(*mut TapeData, u32);

impl Drop for Restore {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
        CURRENT_ID.with(|c| c.set(self.1));
        ENCLOSING.with_borrow_mut(|ids| {
            ids.pop();
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
    record_in(false, x, f, outputs)
}

/// [`record`], on a gradient-only tape when `gradient_only` (see [`GRADIENT_ONLY`]).
pub(crate) fn record_in<R>(
    gradient_only: bool,
    x: &[f64],
    f: impl FnOnce(&[Var]) -> R,
    outputs: impl FnOnce(&R) -> Vec<Var>,
) -> (TapeData, R) {
    assert!(
        x.len() < (u32::MAX - 1) as usize,
        "curvature: too many inputs for one tape"
    );
    let mut data = POOL.with_borrow_mut(|pool| pool.pop()).unwrap_or_default();
    let id = fresh_id(gradient_only);
    data.reset(id, x);
    let vars: Vec<Var> = x
        .iter()
        .enumerate()
        .map(|(j, &xj)| Var {
            val: xj,
            scale: 1.0,
            idx: j as u32 + 1,
            tape: id,
            acc: 0,
        })
        .collect();
    data.nodes.wide.input_vars(&vars);
    let outer = CURRENT.with(|c| c.replace(&mut data as *mut TapeData));
    let outer_id = if outer.is_null() {
        0
    } else {
        // SAFETY: the enclosing tape is alive (its `record` frame is below us) and not
        // borrowed while we read its id.
        unsafe { (*outer).id }
    };
    ENCLOSING.with_borrow_mut(|ids| ids.push(outer_id));
    CURRENT_ID.with(|c| c.set(id));
    let restore = Restore(outer, outer_id);
    let result = run(f, &vars);
    drop(restore);
    for v in outputs(&result) {
        data.push_output(v);
    }
    (data, result)
}

/// Calls the user's closure in a frame of its own, so that its loop does not share
/// registers with the driver's state. The closure gradient of chained Rosenbrock is
/// sensitive to how its loop is allocated: in a minimal program 20.4 -> 17.0 ns a term with
/// this frame; the bench measures 17–18, but another scratch program of the same source
/// still measured 24–25 (its loop spilled the running sum to the stack).
#[inline(never)]
fn run<R>(f: impl FnOnce(&[Var]) -> R, vars: &[Var]) -> R {
    f(vars)
}

/// Appends a node of `op` on `args` with summand `acc` (0: none) and partials `p` (a unary
/// op's constant in the second slot) to the tape `tape`, which must be the innermost active
/// one; returns it as the variable of value `v`.
#[inline(always)]
pub(crate) fn record_node(tape: u32, op: Op, args: [u32; 2], acc: u32, v: f64, p: [f64; 2]) -> Var {
    with_current(tape, |t| {
        let idx = t.nodes.push_node(Node {
            acc,
            ..Node::new(op, args, p)
        });
        Var {
            val: v,
            scale: 1.0,
            idx,
            tape,
            acc: 0,
        }
    })
}

/// Stores a comparison of `a` and `b` as a guard of the tape they belong to.
pub(crate) fn record_guard(a: Var, b: Var, kind: GuardKind) {
    if a.tape != 0 && b.tape != 0 && a.tape != b.tape {
        misuse_two_tapes(a.tape, b.tape);
    }
    let tape = a.tape.max(b.tape);
    if tape & GRADIENT_ONLY != 0 {
        // Never replayed, so nothing to guard (and a pending sum, `Var::acc`, has no node
        // to name); the misuse check stays.
        return check_current(tape);
    }
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
    with_current(tape, |t| t.guards.push(guard))
}

#[cold]
#[inline(never)]
fn misuse(tape: u32, current: u32) -> ! {
    let enclosing = ENCLOSING.with_borrow(|ids| ids.contains(&tape));
    if enclosing {
        panic!(
            "curvature: a Var of an enclosing derivative call was used inside a nested \
             derivative call; each call has its own tape, so pass values (Var::value) into \
             nested calls instead of Vars"
        )
    } else if current == 0 {
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
    let current = CURRENT_ID.with(Cell::get);
    // Name the operand that does not belong to the running call.
    let stranger = if current == a { b } else { a };
    misuse(stranger, current)
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
