//! The tape interpreters, generic over the scalar they run in.
//!
//! - [`forward`] re-evaluates every node and its local partials in scalar `S`. In `f64` that
//!   is a replay at a new point; in `Dual<f64>` seeded with a direction v, the partials carry
//!   their own directional derivatives.
//! - [`reverse`] accumulates adjoints `adj[a] += ∂node/∂a · adj[node]` in scalar `S`. With
//!   f64 partials it is the gradient; with the dual partials of `forward` it is
//!   forward-over-reverse: the tangent of the adjoints is H·v.
//! - [`tangents`] pushes tangent vectors forward through the recorded f64 partials
//!   (forward-mode Jacobian columns, N at a time with [`Lanes`](crate::Lanes)).

use crate::elementary::{eval, eval_f64, with_inner, Op};
use crate::error::BranchChanged;
use crate::recording::{check_guards, Guard, Node, Nodes};
use crate::scalar::Scalar;
use crate::shape;
use crate::tangent::Tangent;
use crate::vector::{self, Table};

/// Where a forward pass reads nodes and writes their local partials: the tape's own nodes
/// (an f64 replay, in place) or a buffer of the sweep's scalar beside the tape.
pub(crate) trait Partials<S> {
    fn len(&self) -> usize;
    fn node(&self, i: usize) -> &Node;
    fn set(&mut self, i: usize, p: [S; 2]);
    /// Value and partials of `node` at operand values `a`, `b` (see [`eval`]), the partials
    /// as the node stores them (a unary op's constant in the second slot); `consts` is the
    /// tape's constant pool. The f64 passes use [`eval_f64`].
    #[inline(always)]
    fn eval(node: &Node, a: S, b: S, consts: &[f64]) -> (S, S, S)
    where
        S: Scalar,
    {
        let c = node.c(consts);
        // An affine node's slope, its constant partial, is the one constant `c` leaves out.
        let b = if node.op == Op::Affine {
            S::cst(node.p[0])
        } else {
            b
        };
        let (v, pa, pb) = eval(node.op, a, b, c);
        (v, pa, if node.op.is_binary() { pb } else { S::cst(c) })
    }
}

impl Partials<f64> for [Node] {
    #[inline(always)]
    fn len(&self) -> usize {
        <[Node]>::len(self)
    }
    #[inline(always)]
    fn node(&self, i: usize) -> &Node {
        &self[i]
    }
    #[inline(always)]
    fn set(&mut self, i: usize, p: [f64; 2]) {
        self[i].p = p;
    }
    #[inline(always)]
    fn eval(node: &Node, a: f64, b: f64, consts: &[f64]) -> (f64, f64, f64) {
        eval_f64(node.op, a, b, node.p, || consts[node.k as usize])
    }
}

/// The tape's nodes read, and the partials a pass computes dropped: a forward pass for the
/// node values alone (the recorded partials are those of the recorded point already).
pub(crate) struct ValuesOnly<'a>(pub(crate) &'a [Node]);

impl Partials<f64> for ValuesOnly<'_> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.0.len()
    }
    #[inline(always)]
    fn node(&self, i: usize) -> &Node {
        &self.0[i]
    }
    #[inline(always)]
    fn set(&mut self, _: usize, _: [f64; 2]) {}
    #[inline(always)]
    fn eval(node: &Node, a: f64, b: f64, consts: &[f64]) -> (f64, f64, f64) {
        <[Node] as Partials<f64>>::eval(node, a, b, consts)
    }
}

/// The tape's nodes, and partials in `S` written beside them.
pub(crate) struct Beside<'a, S> {
    pub(crate) nodes: &'a [Node],
    pub(crate) partials: &'a mut [[S; 2]],
}

impl<S> Partials<S> for Beside<'_, S> {
    #[inline(always)]
    fn len(&self) -> usize {
        self.nodes.len()
    }
    #[inline(always)]
    fn node(&self, i: usize) -> &Node {
        &self.nodes[i]
    }
    #[inline(always)]
    fn set(&mut self, i: usize, p: [S; 2]) {
        self.partials[i] = p;
    }
}

/// Evaluates nodes `first..` in `S`, writing values and local partials. `vals[..first]`
/// (the dummy and the inputs) must already hold their values. A unary node's second partial
/// slot receives its constant again, so an f64 replay in place keeps it. `consts` is the
/// tape's constant pool (`Nodes::consts`), `near_sums` its `Nodes::near_sums`.
pub(crate) fn forward<S: Scalar, P: Partials<S> + ?Sized>(
    nodes: &mut P,
    (wide, consts, near_sums): (&Table, &[f64], bool),
    first: usize,
    vals: &mut [S],
) {
    // One loop for each kind of tape, so that none pays for another's tests: a tape
    // without wide nodes runs a loop without their test (about 15% of a scalar sweep), and
    // only a tape with running sums tests where each summand is.
    let args = (nodes, (wide, consts), first, vals);
    if !wide.is_empty() {
        forward_out::<S, P, { Pass::Wide as u8 }>(args)
    } else if near_sums {
        forward_out::<S, P, { Pass::NearSums as u8 }>(args)
    } else {
        forward_out::<S, P, { Pass::Plain as u8 }>(args)
    }
}

/// The kinds of tape [`forward`] runs a loop for.
#[derive(Clone, Copy)]
enum Pass {
    /// With wide vector nodes (never fused, so without summands): each node is tested for
    /// a wide op.
    Wide,
    /// Fused, with running sums (`Nodes::near_sums`): each summand is tested for being
    /// node i - 1.
    NearSums,
    /// The rest: summands (if any) are read from `vals`.
    Plain,
}

type ForwardArgs<'a, S, P> = (&'a mut P, (&'a Table, &'a [f64]), usize, &'a mut [S]);

// Each loop out of line, as `reverse_out` and for its reasons: inlined together, every op's
// rule is inlined into each loop, and with nested duals the three loops' stack frames
// overflowed an 8 MB main-thread stack.
#[inline(never)]
fn forward_out<S: Scalar, P: Partials<S> + ?Sized, const KIND: u8>(args: ForwardArgs<'_, S, P>) {
    forward_in::<S, P, KIND>(args)
}

/// `forward`'s loop for tapes of kind `KIND` (a [`Pass`]).
#[inline(always)]
fn forward_in<S: Scalar, P: Partials<S> + ?Sized, const KIND: u8>(
    (nodes, (wide, consts), first, vals): ForwardArgs<'_, S, P>,
) {
    let len = nodes.len();
    assert!(vals.len() >= len && first > 0);
    // The value of node i - 1 kept in a register, as in `reverse`: most operands are the
    // node just computed, and reading it back from memory is the loop's latency chain.
    let mut last = vals[first - 1];
    let dummy = vals[0];
    vals[0] = -S::zero();
    for i in first..len {
        let node = *nodes.node(i);
        if KIND == Pass::Wide as u8 && node.op.is_wide() {
            vector::forward(wide, &node, i, vals);
            last = vals[i];
            continue;
        }
        let [a, b] = node.args;
        let prev = (i - 1) as u32;
        // SAFETY: operands are below their node (`Nodes` invariant), so within `vals`.
        let (va, vb) = unsafe {
            (
                if a == prev {
                    last
                } else {
                    *vals.get_unchecked(a as usize)
                },
                if b == prev {
                    last
                } else {
                    *vals.get_unchecked(b as usize)
                },
            )
        };
        let (mut v, pa, pb) = with_inner(node.inner(), vb, |vb| P::eval(&node, va, vb, consts));
        // A folded-in summand `u + t`, as the unfused `Add` computed it (IEEE addition
        // commutes exactly); without one, `acc` is the dummy node, which holds -0.0 during
        // this loop, and v + (-0.0) is v exactly, signed zeros included.
        //
        // A running sum's summand is often node i - 1 (chained Rosenbrock's two nodes a
        // term each carry the one before). Read back from `vals`, it puts a store-to-load
        // forwarding on the loop's dependency chain, which on the AMD EPYC (Zen 5) of
        // session 23 took 42% of the replay's samples; the `NearSums` loop takes it from
        // `last` instead, as the operands above: its replay of chained Rosenbrock 3.1–3.4
        // -> 1.6–1.9 ns a node (n = 10³ to 10⁵). The test costs tapes whose summands lie
        // further back about 10% (a least-squares sum of five-node residuals, Broyden
        // tridiagonal, 1.3–1.45 -> 1.4–1.6 ns), so they keep the plain read, branch-free:
        // a test here once stopped the compiler from threading the op dispatch (the replay
        // of chained Rosenbrock 7.1 -> 9.6 µs at n = 10³ on the Xeon of session 13).
        // SAFETY: as for the operands.
        let u = if KIND == Pass::NearSums as u8 && node.acc == prev {
            last
        } else {
            unsafe { *vals.get_unchecked(node.acc as usize) }
        };
        v = v + u;
        vals[i] = v;
        nodes.set(i, [pa, pb]);
        last = v;
    }
    vals[0] = dummy;
}

/// Propagates adjoints from the seeded `adj` back to the inputs over nodes `first..`, with
/// node i's local partials `partial(node, i)`.
/// With `CLEAR`, afterwards `adj[first..]` is all zero again (a reused buffer then needs
/// clearing only below `first`); without, `adj` keeps every node's adjoint. Either way
/// `adj[1..first]` holds the input adjoints.
///
/// A node whose adjoint is exactly zero is skipped: it does not influence the output, and
/// skipping keeps an infinite local partial (sqrt at 0, say) of an unused node from turning
/// the result into NaN via `0 · ∞`.
///
/// Wide nodes read their operands' values from `vals` (a sweep in `S`), or with `None` from
/// the f64 copies in `wide` (at the tape's point; only for `S = f64`).
#[inline(always)]
pub(crate) fn reverse<S: Scalar, const CLEAR: bool>(
    nodes: &Nodes,
    partial: impl Fn(&Node, usize) -> [S; 2],
    vals: Option<&[S]>,
    first: usize,
    adj: &mut [S],
) {
    // One loop for each kind of tape, so that none pays for another's tests.
    let kind = if !nodes.wide.is_empty() {
        Loop::Wide
    } else if nodes.shaped {
        Loop::Shaped
    } else {
        Loop::Plain
    };
    let args = (&nodes.list[..], partial, (&nodes.wide, vals), first, adj);
    match kind {
        Loop::Wide => reverse_out::<S, CLEAR, { Loop::Wide as u8 }>(args),
        Loop::Shaped => reverse_out::<S, CLEAR, { Loop::Shaped as u8 }>(args),
        Loop::Plain => reverse_out::<S, CLEAR, { Loop::Plain as u8 }>(args),
    }
}

// Each loop out of line. Inlined into `reverse`, the three loops' stack slots added up, and
// with nested duals in a debug build (`Tape::gradient_at`) overflowed an 8 MB main-thread
// stack; and a loop's speed moved with its callers' code (the shaped loop's gradient of
// chained Rosenbrock at n = 10³ measured anywhere from 5.9 to 8.3 µs in builds that differed
// only in where it was inlined).
#[inline(never)]
fn reverse_out<S: Scalar, const CLEAR: bool, const KIND: u8>(
    args: ReverseArgs<'_, S, impl Fn(&Node, usize) -> [S; 2]>,
) {
    reverse_in::<S, CLEAR, KIND>(args)
}

/// The kinds of tape [`reverse`] runs a loop for.
#[derive(Clone, Copy)]
enum Loop {
    /// With wide vector nodes (never fused, so without summands).
    Wide,
    /// Fused: summands, and the operands' places in each node's shape (`crate::shape`).
    /// The body is chosen by the shape, one jump a node, instead of by tests of where the
    /// operands are: the gradient of chained Rosenbrock 8.2–8.6 -> 6.5–6.9 µs at n = 10³ and
    /// 835–921 -> 760–828 µs at 10⁵, of Broyden tridiagonal 16.5 -> 15.7 µs and 1.84 -> 1.82
    /// ms (measured side by side).
    Shaped,
    /// As recorded: no wide nodes, no summands; places found by tests.
    Plain,
}

type ReverseArgs<'a, S, P> = (
    &'a [Node],
    P,
    (&'a Table, Option<&'a [S]>),
    usize,
    &'a mut [S],
);

#[inline(always)]
fn reverse_in<S: Scalar, const CLEAR: bool, const KIND: u8>(
    (nodes, partial, (wide, vals), first, adj): ReverseArgs<'_, S, impl Fn(&Node, usize) -> [S; 2]>,
) {
    let len = nodes.len();
    assert!(adj.len() >= len);
    // Contributions to the adjoint of node i - 1 kept in a register: most nodes feed the
    // node recorded right after them, and carrying that adjoint avoids a store and a
    // dependent reload per node (the sweep is latency-bound on exactly that chain).
    let mut carry = S::zero();
    for i in (first..len).rev() {
        let node = &nodes[i];
        if KIND == Loop::Wide as u8 && node.op.is_wide() {
            adj[i] = adj[i] + carry;
            carry = S::zero();
            vector::reverse::<S, CLEAR>(wide, node, i, vals, adj);
            continue;
        }
        // SAFETY: i < len ≤ adj.len().
        let w = unsafe { *adj.get_unchecked(i) } + carry;
        carry = S::zero();
        adj[i] = if CLEAR { S::zero() } else { w };
        if S::is_exact_zero(&w) {
            continue;
        }
        let [pa, pb] = partial(node, i);
        let [a, b] = node.args;
        if KIND == Loop::Shaped as u8 {
            macro_rules! dispatch {
                ($($code:literal)*) => {
                    match node.places_code() {
                        $($code => {
                            const PLACES: [u8; 3] = shape::places($code);
                            add_at(PLACES[0], a, pa * w, &mut carry, adj);
                            add_at(PLACES[1], b, pb * w, &mut carry, adj);
                            add_at(PLACES[2], node.acc, w, &mut carry, adj);
                        })*
                        _ => unreachable!("a fused tape's node without its shape"),
                    }
                };
            }
            dispatch!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18);
            continue;
        }
        // A unary node's second operand is the dummy node 0, absent: skipping it also keeps
        // the dummy's slot from becoming a store-to-load chain through every unary node.
        // Here summands come only from the sums of a gradient-only recording (`Var::sum`).
        let [place_a, place_b, place_u] = shape::places_of(node.args, node.acc, i);
        add_at(place_a, a, pa * w, &mut carry, adj);
        add_at(place_b, b, pb * w, &mut carry, adj);
        add_at(place_u, node.acc, w, &mut carry, adj);
    }
    if first > 0 {
        adj[first - 1] = adj[first - 1] + carry;
    }
}

/// `d` added to the adjoint of operand `k`, whose place (`crate::shape`) is `place`.
#[inline(always)]
fn add_at<S: Scalar>(place: u8, k: u32, d: S, carry: &mut S, adj: &mut [S]) {
    match place {
        shape::ABSENT => {}
        shape::PREV => *carry = *carry + d,
        // SAFETY: operands are below their node (`Nodes` invariant), so within `adj`.
        _ => unsafe {
            debug_assert_eq!(place, shape::MEMORY);
            let x = adj.get_unchecked_mut(k as usize);
            *x = *x + d;
        },
    }
}

/// The f64 reverse sweep over the partials recorded in the nodes.
pub(crate) fn reverse_f64<const CLEAR: bool>(nodes: &Nodes, first: usize, adj: &mut [f64]) {
    reverse::<f64, CLEAR>(nodes, |node, _| node.p, None, first, adj);
}

/// Forward-mode tangents through the recorded f64 partials: `tan[i] = ∂i/∂a·tan[a] +
/// ∂i/∂b·tan[b]`. `tan[..first]` must hold the seeds (dummy: zero).
/// Only the operation nodes in `wanted` (ascending) are computed, and their operands must be
/// wanted too; the others' slots are left as they were.
pub(crate) fn tangents<E: Tangent<f64>>(
    nodes: &Nodes,
    first: usize,
    tan: &mut [E],
    wanted: impl Iterator<Item = usize>,
) {
    // The tangent of the node visited last kept in registers, as in `forward`: most operands
    // are the node just computed.
    let mut last = tan[first - 1];
    let mut prev = (first - 1) as u32;
    for i in wanted {
        let node = &nodes.list[i];
        if node.op.is_wide() {
            vector::tangents(&nodes.wide, node, i, tan);
            last = tan[i];
            prev = i as u32;
            continue;
        }
        let [a, b] = node.args;
        let [pa, pb] = node.p;
        let ta = if a == prev { last } else { tan[a as usize] };
        last = if node.op.is_binary() {
            let tb = if b == prev { last } else { tan[b as usize] };
            ta.combine(pa, tb, pb)
        } else if a == 0 {
            // A constant node (or the dummy): no dependence on the inputs.
            E::zeros()
        } else {
            ta.scale(pa)
        };
        if node.acc != 0 {
            last = last.combine(1.0, tan[node.acc as usize], 1.0);
        }
        tan[i] = last;
        prev = i as u32;
    }
}

/// Prepares an adjoint buffer for a reverse sweep over `len` nodes seeded at `out`:
/// all zero but `adj[out] = 1`. `reverse` leaves `adj[first..]` zero, so a reused buffer needs
/// clearing only below `clean_from`: the first operation node of the previous sweep, or 0
/// where its caller took the input adjoints out and left the buffer all zero (the
/// `gradient` driver). With lane scalars, clearing whole buffers was most of a dense
/// Hessian's time.
pub(crate) fn seed_adjoints<S: Scalar>(
    adj: &mut Vec<S>,
    clean_from: &mut usize,
    len: usize,
    first: usize,
    out: usize,
) {
    if adj.len() == len {
        let dirty = (*clean_from).min(len);
        adj[..dirty].fill(S::zero());
    } else {
        adj.clear();
        crate::huge::resize(adj, len, S::zero());
    }
    *clean_from = first;
    adj[out] = S::one();
}

/// Buffers of one sweep in scalar `S`.
#[derive(Clone)]
pub(crate) struct Workspace<S> {
    vals: Vec<S>,
    partials: Vec<[S; 2]>,
    adj: Vec<S>,
    /// `adj[clean_from..]` is all zero (the reverse pass clears what it reads).
    clean_from: usize,
}

impl<S> Workspace<S> {
    pub(crate) const fn new() -> Self {
        Workspace {
            vals: Vec::new(),
            partials: Vec::new(),
            adj: Vec::new(),
            clean_from: 0,
        }
    }
}

impl<S: Scalar> Workspace<S> {
    /// Forward pass in `S` from inputs `x(j)`, guard check, then the reverse pass seeded at
    /// output node `out`. Afterwards `adj[1 + j]` is ∂out/∂x_j computed in `S`.
    pub(crate) fn sweep(
        &mut self,
        nodes: &Nodes,
        guards: &[Guard],
        n: usize,
        x: impl Fn(usize) -> S,
        out: usize,
    ) -> Result<S, BranchChanged> {
        let len = nodes.len();
        let first = n + 1;
        // Values and partials of every operation node are overwritten by the forward pass
        // (the reverse pass reads no partial below `first`), so only new slots are zeroed;
        // with lane scalars, clearing them each sweep was most of a dense Hessian's time.
        crate::huge::resize(&mut self.vals, len, S::zero());
        crate::huge::resize(&mut self.partials, len, [S::zero(); 2]);
        self.vals[0] = S::zero();
        for j in 0..n {
            self.vals[1 + j] = x(j);
        }
        let mut beside = Beside {
            nodes: &nodes.list,
            partials: &mut self.partials,
        };
        forward(
            &mut beside,
            (&nodes.wide, &nodes.consts, nodes.near_sums),
            first,
            &mut self.vals,
        );
        check_guards(guards, &self.vals, S::cst)?;
        seed_adjoints(&mut self.adj, &mut self.clean_from, len, first, out);
        let partials = &self.partials;
        let vals = Some(&self.vals[..]);
        reverse::<S, true>(nodes, |_, i| partials[i], vals, first, &mut self.adj);
        Ok(self.vals[out])
    }

    pub(crate) fn input_adjoints(&self, n: usize) -> &[S] {
        &self.adj[1..=n]
    }
}
