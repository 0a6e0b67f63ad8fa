//! Hessian columns in lanes by the second-order adjoint: forward-over-reverse with the
//! forward tangents and the adjoint tangents kept apart.
//!
//! Forward-over-reverse in `Dual<f64, Lanes<N>>` (what an HVP does in one lane) recomputes
//! every node's value and partials as lane duals in every batch. Split into its parts, the
//! same algorithm is, for seed directions s_1..s_N:
//!
//! - tangents `ṫ_i = p_a ṫ_a + p_b ṫ_b` pushed forward through the recorded f64 partials;
//! - adjoint tangents pulled back, `ȧ_a += p_a ȧ_i + w_i (h_aa ṫ_a + h_ab ṫ_b)` (and likewise
//!   for b), where w_i is node i's f64 adjoint and h its local second derivatives;
//! - `ȧ_j` of input j is then (H s_k)_j in lane k.
//!
//! The local second derivatives come from running each node's first-order rule in
//! `Dual<f64>` — the recursion, never a hand-written second derivative — and linear nodes
//! (most of a matrix-vector product) cost one multiply-add per lane instead of a lane-dual
//! product. A single batch (up to 8 colours: every sparse Hessian in practice) computes w and
//! h inside its reverse pass ([`Fused`]); several batches share them, computed once per point
//! ([`LocalCurvature::precompute`]). Either way only the nodes of the [`Cone`] carry lanes.

use crate::dual::Dual;
use crate::elementary::{eval, inner, unary};
use crate::recording::{Node, Nodes, TapeData};
use crate::sparsity::{node_curvature, Curvature};
use crate::sweep::{forward, reverse_f64, seed_adjoints, tangents, ValuesOnly};
use crate::tangent::{Lanes, Tangent};
use std::any::Any;
use std::cell::RefCell;

/// The nodes a second-order sweep must visit, found once per recording.
///
/// A node whose every path to the output runs through linear nodes (constant partials: `+`,
/// `−`, `x·c`, ...) has a constant adjoint, so its adjoint tangent is exactly zero; and a
/// node's tangent is only ever read by a nonlinear consumer's curvature term, directly or
/// through the operands of such an operand. So the forward tangent pass needs only the
/// *cone* — the transitive operands of nonlinear nodes — and the lane reverse pass only the
/// cone and the nonlinear nodes. In a sum of squares of affine terms most nodes are in
/// neither (chained Rosenbrock: 3 of its 8 recorded nodes a term need tangents, 5 the
/// reverse; of its 3 fused nodes, 1 and 3).
#[derive(Clone)]
pub(crate) struct Cone {
    flags: Vec<u8>,
    /// The operation nodes that need a tangent, ascending: the forward pass visits only
    /// these (chained Rosenbrock: 1 node of 4), not every node to test its flag.
    tangent: Vec<u32>,
}

impl Cone {
    const TANGENT: u8 = 1;
    const REVERSE: u8 = 2;

    pub(crate) fn new(all: &Nodes, first: usize) -> Cone {
        let nodes = &all.list;
        let mut flags = vec![0u8; nodes.len()];
        for i in (first..nodes.len()).rev() {
            let node = &nodes[i];
            if node.op.is_wide() {
                let marks = (Self::TANGENT, Self::REVERSE);
                crate::vector::cone(&all.wide, node, i, &mut flags, marks);
                continue;
            }
            let nonlinear = !matches!(node_curvature(node), Curvature::None);
            if nonlinear || flags[i] & Self::TANGENT != 0 {
                flags[i] |= Self::REVERSE;
                let [a, b] = node.args;
                flags[a as usize] |= Self::TANGENT;
                if node.op.is_binary() {
                    flags[b as usize] |= Self::TANGENT;
                }
            }
            // A folded-in summand is linear: its tangent is read only through this node's.
            if flags[i] & Self::TANGENT != 0 && node.acc != 0 {
                flags[node.acc as usize] |= Self::TANGENT;
            }
        }
        let tangent = (first..nodes.len())
            .filter(|&i| flags[i] & Self::TANGENT != 0)
            .map(|i| i as u32)
            .collect();
        Cone { flags, tangent }
    }

    pub(crate) fn tangent_list(&self) -> impl Iterator<Item = usize> + '_ {
        self.tangent.iter().map(|&i| i as usize)
    }

    #[inline(always)]
    fn tangent(&self, i: usize) -> bool {
        self.flags[i] & Self::TANGENT != 0
    }

    #[inline(always)]
    fn reverse(&self, i: usize) -> bool {
        self.flags[i] & Self::REVERSE != 0
    }
}

/// Each node's f64 adjoint w and local second derivatives `[∂²/∂a², ∂²/∂a∂b, ∂²/∂b²]`, and
/// the buffers they are computed in (kept by the tape between Hessians, so repeated Hessians
/// of one tape allocate nothing).
#[derive(Default)]
pub(crate) struct LocalCurvature {
    pub(crate) adjoints: Vec<f64>,
    /// Each node's local second derivatives, or on a large tape (`compact`) only those of
    /// the nodes that have any (nonlinear, with a nonzero adjoint), in node order: a lane
    /// sweep, which visits every node once in reverse order, finds node i's by a cursor
    /// ([`Precomputed`]). Linear nodes, most of many tapes, then take no slot: Newton on
    /// Broyden tridiagonal at n = 10⁶ (5 colours, then in sequential batches; now one
    /// 5-lane batch, see `Tape::class_products`) peaked at 1447 instead of 1588 MB, its
    /// time within this machine's noise (3.4–4.7 s either way).
    /// Small tapes keep a slot per node: the cursor's test per node made a dense Hessian at
    /// n = 100 about 10% slower.
    hess: Vec<[f64; 3]>,
    compact: bool,
    /// Node values, when the tape holds none (after a recording, before any replay).
    vals: Vec<f64>,
    /// `adjoints[clean_from..]` is all zero: a [`Fused`] sweep clears what it reads, so the
    /// next one zeroes only the inputs' slots instead of the whole buffer (see
    /// `sweep::seed_adjoints`).
    clean_from: usize,
}

impl LocalCurvature {
    /// Fills adjoints and local second derivatives at the tape's current point, for output
    /// node `out`: what every lane batch shares when several run (in parallel).
    pub(crate) fn precompute(&mut self, data: &TapeData, out: usize) {
        let code = &data.nodes.list;
        let first = data.first_op();
        self.seed(data, out);
        reverse_f64::<false>(&data.nodes, first, &mut self.adjoints);
        let vals = node_values(data, &mut self.vals);
        // The sweep kept every node's adjoint: nothing above the seed is known to be zero.
        self.clean_from = self.adjoints.len();
        let adjoints = &self.adjoints;
        self.hess.clear();
        let consts = &data.nodes.consts;
        self.compact = code.len() > LARGE_TAPE;
        for (i, node) in code.iter().enumerate() {
            if i >= first && has_local_hessian(node, adjoints[i]) {
                self.hess.push(local_hessian(node, vals, consts));
            } else if !self.compact {
                self.hess.push([0.0; 3]);
            }
        }
    }

    /// The gradient at the tape's point for output `out`, by one f64 reverse sweep in
    /// these buffers (for a Hessian computed without lanes, which carry it otherwise).
    pub(crate) fn gradient(&mut self, data: &TapeData, out: usize) -> Vec<f64> {
        let (len, first) = (data.nodes.len(), data.first_op());
        seed_adjoints(&mut self.adjoints, &mut self.clean_from, len, first, out);
        reverse_f64::<true>(&data.nodes, first, &mut self.adjoints);
        self.adjoints[1..first].to_vec()
    }

    /// The buffer for node values when the tape holds none (see [`node_values`]).
    pub(crate) fn values_buffer(&mut self) -> &mut Vec<f64> {
        &mut self.vals
    }

    /// The curvature one lane sweep reads: this, with its own cursor.
    pub(crate) fn sweep(&self) -> Precomputed<'_> {
        Precomputed {
            local: self,
            cursor: self.hess.len(),
        }
    }

    /// Seeds the adjoints for output `out`: all zero but `adjoints[out] = 1`. (Not through
    /// `sweep::seed_adjoints`: sharing it here, the shorter spelling, measured the replayed
    /// gradient of chained Rosenbrock at n = 10³ 13.8–14.1 -> 14.6–14.9 µs, a code-layout
    /// effect on the f64 sweeps that `#[inline(always)]` did not undo.)
    fn seed(&mut self, data: &TapeData, out: usize) {
        self.adjoints.clear();
        crate::huge::resize(&mut self.adjoints, data.nodes.len(), 0.0);
        self.adjoints[out] = 1.0;
    }
}

/// Every node's value at the tape's point: the replay's, or (after a recording, which keeps
/// none) one f64 forward pass into `buf`.
pub(crate) fn node_values<'a>(data: &'a TapeData, buf: &'a mut Vec<f64>) -> &'a [f64] {
    let code = &data.nodes.list;
    let len = code.len();
    if data.nodes.vals.len() == len {
        // A solver's first Hessian comes before its first replay; from then on the tape
        // holds values, and the copy would only add 8 bytes a node to the solve's peak.
        if buf.capacity() > 0 {
            *buf = Vec::new();
        }
        return &data.nodes.vals;
    }
    let first = data.first_op();
    buf.clear();
    crate::huge::resize(buf, len, 0.0);
    buf[1..first].copy_from_slice(&data.x);
    let pools = (
        &data.nodes.wide,
        &data.nodes.consts[..],
        data.nodes.near_sums,
    );
    forward(&mut ValuesOnly(code), pools, first, buf);
    buf
}

/// Node i's adjoint w and local second derivatives, as the lane reverse sweep reaches it.
pub(crate) trait Curvatures {
    /// Node i's f64 adjoint w and local second derivatives; `WIDE`: whether the tape has
    /// wide nodes (without, the sweep is compiled without their branches).
    fn at<const WIDE: bool>(&mut self, i: usize, node: &Node) -> (f64, [f64; 3]);
    /// Node i's f64 adjoint (final once the sweep has reached the node's consumers; read
    /// only for the outputs of a wide node, before the sweep visits them).
    fn adjoint(&self, i: usize) -> f64;
    /// Called once after the sweep has passed node `first`.
    fn finish(&mut self, _first: usize) {}
}

/// Nodes beyond which a tape counts as large for the Hessian sweeps: its lane batches run
/// fewer lanes, one after the other (see `Tape::class_products`), and its precomputed local
/// Hessians are kept compact (see `LocalCurvature::hess`).
pub(crate) const LARGE_TAPE: usize = 2_000_000;

/// Whether `precompute` stores a local Hessian for a node with adjoint w: the nodes whose
/// curvature terms can be nonzero.
#[inline(always)]
fn has_local_hessian(node: &Node, w: f64) -> bool {
    w != 0.0 && !matches!(node_curvature(node), Curvature::None)
}

/// One lane sweep's reader of a [`LocalCurvature::precompute`] (shared by parallel
/// batches, each with its own reader): the sweep visits nodes `len − 1` down to `first`,
/// each once, so the stored local Hessians are met last to first.
pub(crate) struct Precomputed<'a> {
    local: &'a LocalCurvature,
    cursor: usize,
}

impl Curvatures for Precomputed<'_> {
    #[inline(always)]
    fn at<const WIDE: bool>(&mut self, i: usize, node: &Node) -> (f64, [f64; 3]) {
        let w = self.local.adjoints[i];
        if !self.local.compact {
            return (w, self.local.hess[i]);
        }
        if !has_local_hessian(node, w) {
            return (w, [0.0; 3]);
        }
        self.cursor -= 1;
        (w, self.local.hess[self.cursor])
    }

    #[inline(always)]
    fn adjoint(&self, i: usize) -> f64 {
        self.local.adjoints[i]
    }

    fn finish(&mut self, _first: usize) {
        let all_read = !self.local.compact || self.cursor == 0;
        debug_assert!(all_read, "a lane sweep visits every node once");
    }
}

/// Computed inside the lane sweep itself, for a single batch (every sparse Hessian of up to
/// 8 colours): the f64 adjoints are propagated in the same reverse pass (w of node i is final
/// when the sweep reaches i) and local second derivatives evaluated as needed, which saves a
/// separate reverse pass and writing and re-reading 32 bytes a node.
pub(crate) struct Fused<'a> {
    adjoints: &'a mut [f64],
    clean_from: &'a mut usize,
    /// Whether a visited node's adjoint is cleared rather than kept: always, except on tapes
    /// with wide nodes, whose lane rule reads the adjoints of their outputs after the visit.
    clear: bool,
    vals: &'a [f64],
    wide: &'a crate::vector::Table,
    consts: &'a [f64],
    /// Pending contributions to the adjoint of the node before the one last visited.
    carry: f64,
}

impl<'a> Fused<'a> {
    pub(crate) fn new(local: &'a mut LocalCurvature, data: &'a TapeData, out: usize) -> Self {
        let (len, first) = (data.nodes.len(), data.first_op());
        seed_adjoints(&mut local.adjoints, &mut local.clean_from, len, first, out);
        Fused {
            adjoints: &mut local.adjoints,
            clean_from: &mut local.clean_from,
            clear: data.nodes.wide.is_empty(),
            vals: node_values(data, &mut local.vals),
            wide: &data.nodes.wide,
            consts: &data.nodes.consts,
            carry: 0.0,
        }
    }
}

impl Curvatures for Fused<'_> {
    #[inline(always)]
    fn adjoint(&self, i: usize) -> f64 {
        self.adjoints[i]
    }

    /// Visited for every node, in reverse order; the adjoint of node i − 1 is carried in a
    /// register, as in `sweep::reverse`.
    #[inline(always)]
    fn at<const WIDE: bool>(&mut self, i: usize, node: &Node) -> (f64, [f64; 3]) {
        let w = self.adjoints[i] + self.carry;
        self.carry = 0.0;
        self.adjoints[i] = if !WIDE || self.clear { 0.0 } else { w };
        if WIDE && node.op.is_wide() {
            crate::vector::reverse::<f64, false>(self.wide, node, i, None, self.adjoints);
            return (w, [0.0; 3]);
        }
        if w == 0.0 {
            return (0.0, [0.0; 3]);
        }
        let [a, b] = node.args;
        let [pa, pb] = node.p;
        let prev = (i - 1) as u32;
        if a == prev {
            self.carry += pa * w;
        } else {
            self.adjoints[a as usize] += pa * w;
        }
        if b != 0 {
            if b == prev {
                self.carry += pb * w;
            } else {
                self.adjoints[b as usize] += pb * w;
            }
        }
        let u = node.acc;
        if u != 0 {
            if u == prev {
                self.carry += w;
            } else {
                self.adjoints[u as usize] += w;
            }
        }
        (w, local_hessian(node, self.vals, self.consts))
    }

    fn finish(&mut self, first: usize) {
        self.adjoints[first - 1] += self.carry;
        self.carry = 0.0;
        if !self.clear {
            *self.clean_from = self.adjoints.len();
        }
    }
}

/// A node's second derivatives in its operands, from its first-order rule run in
/// `Dual<f64>` seeded along each operand.
#[inline(always)]
pub(crate) fn local_hessian(node: &Node, vals: &[f64], consts: &[f64]) -> [f64; 3] {
    if matches!(node_curvature(node), Curvature::None) {
        return [0.0; 3];
    }
    let [a, b] = node.args;
    local_hessian_at(node, vals[a as usize], vals[b as usize], consts)
}

/// [`local_hessian`] at operand values `(va, vb)`.
#[inline(always)]
pub(crate) fn local_hessian_at(node: &Node, va: f64, vb: f64, consts: &[f64]) -> [f64; 3] {
    let c = node.c(consts);
    match node.op {
        op if op.is_binary() => {
            // The node's own op at (a, u): its second derivatives and ∂/∂u.
            let own = |u: f64| {
                let (_, pa, pu) = eval(op, Dual::new(va, 1.0), Dual::new(u, 0.0), c);
                let (_, _, puu) = eval(op, Dual::new(va, 0.0), Dual::new(u, 1.0), c);
                ([pa.eps, pu.eps, puu.eps], puu.re)
            };
            match node.inner() {
                0 => own(vb).0,
                code => through_inner(code, vb, own),
            }
        }
        _ => {
            let (_, d) = unary(node.op, Dual::new(va, 1.0), c);
            [d.eps, 0.0, 0.0]
        }
    }
}

/// The second derivatives in (a, b) of a node v = op(a, u(b)) with inner op u (code `code`,
/// see `Node::inner`) at b: with `own(u)` = (op's second derivatives `[h_aa, h_au, h_uu]`,
/// ∂op/∂u) at (a, u), they are (h_aa, h_au·u', h_uu·u'² + ∂op/∂u·u''), u' and u'' from one
/// dual evaluation of the inner op.
#[inline(always)]
pub(crate) fn through_inner(
    code: u8,
    b: f64,
    own: impl FnOnce(f64) -> ([f64; 3], f64),
) -> [f64; 3] {
    let (u, du) = inner(code, Dual::new(b, 1.0));
    let (d1, d2) = (u.eps, du.eps);
    let ([haa, hau, huu], pu) = own(u.re);
    [haa, hau * d1, huu * d1 * d1 + pu * d2]
}

/// Buffers of one lane batch, reused across batches and, through a small per-thread pool,
/// across Hessian calls: freeing megabyte buffers returns them to the OS, and faulting them
/// back in on the next call (on every rayon worker) cost more than the parallel sweeps saved.
pub(crate) struct LaneBuffers<const N: usize> {
    tan: Vec<Lanes<f64, N>>,
    adj: Vec<Lanes<f64, N>>,
}

thread_local! {
    /// Spare `LaneBuffers<N>` of any N, found again by type.
    static SPARE: RefCell<Vec<Box<dyn Any>>> = const { RefCell::new(Vec::new()) };
}

/// Buffers larger than this are not kept after a call.
const SPARE_BYTES: usize = 64 << 20;

impl<const N: usize> LaneBuffers<N> {
    /// Buffers from this thread's pool, or new ones.
    pub(crate) fn new() -> Self {
        SPARE
            .try_with(|spare| {
                let mut spare = spare.borrow_mut();
                let found = spare.iter().position(|b| b.is::<Self>())?;
                spare.swap_remove(found).downcast::<Self>().ok().map(|b| *b)
            })
            .ok()
            .flatten()
            .unwrap_or(LaneBuffers {
                tan: Vec::new(),
                adj: Vec::new(),
            })
    }

    /// H·s_k for N seed directions of zeros and ones (`seed(j)`: the one direction with
    /// s_k[j] = 1, if any): appends to `out`, for each input j, the lanes
    /// (H s_1)_j, ..., (H s_N)_j.
    pub(crate) fn products(
        &mut self,
        data: &TapeData,
        cone: &Cone,
        local: impl Curvatures,
        seed: impl Fn(usize) -> Option<usize>,
        out: &mut Vec<f64>,
    ) {
        // As in `sweep::forward`: a tape without wide nodes runs a loop without their
        // branches, which also frees the registers their code held (the loop had spilled
        // to the stack): chained Rosenbrock's sparse Hessian 44.3 -> 38.7 µs at n = 10³,
        // 5.36 -> 4.88 ms at 10⁵ (alternating runs). The tangent pass gained nothing so.
        if data.nodes.wide.is_empty() {
            self.products_in::<false>(data, cone, local, seed, out)
        } else {
            self.products_in::<true>(data, cone, local, seed, out)
        }
    }

    #[inline(always)]
    fn products_in<const WIDE: bool>(
        &mut self,
        data: &TapeData,
        cone: &Cone,
        mut local: impl Curvatures,
        seed: impl Fn(usize) -> Option<usize>,
        out: &mut Vec<f64>,
    ) {
        let nodes = &data.nodes;
        let len = nodes.len();
        let first = data.first_op();
        let zero = Lanes::<f64, N>::zeros();
        crate::huge::resize(&mut self.tan, len, zero);
        self.tan[0] = zero;
        for j in 0..data.n_inputs {
            // Written in place: a seed built on the stack and copied in was a store-forwarding
            // stall per input (14% of a sparse Hessian).
            let t = &mut self.tan[1 + j];
            *t = zero;
            if let Some(lane) = seed(j) {
                t.0[lane] = 1.0;
            }
        }
        tangents(nodes, first, &mut self.tan, cone.tangent_list());
        // The loop below leaves adj[first..] zero and the copy out below the inputs' slots;
        // only the dummy's (the adjoint of constant operands) carries over.
        if self.adj.len() == len {
            self.adj[0] = zero;
        } else {
            self.adj.clear();
            crate::huge::resize(&mut self.adj, len, zero);
        }
        let (tan, adj) = (&self.tan, &mut self.adj);
        // The adjoint of node i - 1 carried in registers, as in `sweep::reverse`.
        let mut carry = zero;
        for i in (first..len).rev() {
            let node = &nodes.list[i];
            if WIDE && node.op.is_wide() {
                adj[i] = adj[i].combine(1.0, carry, 1.0);
                carry = zero;
                local.at::<WIDE>(i, node);
                if cone.reverse(i) {
                    let w = |o: usize| local.adjoint(o);
                    crate::vector::lanes(&nodes.wide, node, i, w, tan, adj);
                }
                continue;
            }
            if !cone.reverse(i) {
                // Adjoint tangent exactly zero (see `Cone`); only the f64 adjoint moves on.
                local.at::<WIDE>(i, node);
                continue;
            }
            let ai = adj[i].combine(1.0, carry, 1.0);
            carry = zero;
            adj[i] = zero;
            let [a, b] = node.args;
            let [pa, pb] = node.p;
            let mut da = ai.scale(pa);
            let mut db = ai.scale(pb);
            // The curvature terms, only where the node is nonlinear and reaches the output
            // (most nodes of a matrix-vector product are neither).
            let (w, [haa, hab, hbb]) = local.at::<WIDE>(i, node);
            if w != 0.0 && (haa != 0.0 || hab != 0.0 || hbb != 0.0) {
                let (ta, tb) = (tan[a as usize], tan[b as usize]);
                da = da.combine(1.0, ta, w * haa).combine(1.0, tb, w * hab);
                db = db.combine(1.0, ta, w * hab).combine(1.0, tb, w * hbb);
            }
            let prev = (i - 1) as u32;
            if a == prev {
                carry = carry.combine(1.0, da, 1.0);
            } else {
                adj[a as usize] = adj[a as usize].combine(1.0, da, 1.0);
            }
            if b != 0 {
                if b == prev {
                    carry = carry.combine(1.0, db, 1.0);
                } else {
                    adj[b as usize] = adj[b as usize].combine(1.0, db, 1.0);
                }
            }
            // A folded-in summand: partial 1, no curvature. (Only a node in the cone has a
            // nonzero adjoint tangent to pass on; the summand of one outside it may be
            // outside too, with no lane slot in use.)
            let u = node.acc;
            if u != 0 && cone.tangent(i) {
                if u == prev {
                    carry = carry.combine(1.0, ai, 1.0);
                } else {
                    adj[u as usize] = adj[u as usize].combine(1.0, ai, 1.0);
                }
            }
        }
        adj[first - 1] = adj[first - 1].combine(1.0, carry, 1.0);
        local.finish(first);
        // Copied out and cleared in one pass: the buffer is cold by now, and clearing it at
        // the next call's start was a second pass over it.
        out.reserve(N * (first - 1));
        for a in &mut adj[1..first] {
            out.extend_from_slice(&a.0);
            *a = zero;
        }
    }
}

impl<const N: usize> Drop for LaneBuffers<N> {
    fn drop(&mut self) {
        let bytes =
            (self.tan.capacity() + self.adj.capacity()) * std::mem::size_of::<Lanes<f64, N>>();
        if bytes == 0 || bytes > SPARE_BYTES {
            return;
        }
        // During thread teardown the pool is gone and the buffers are simply freed. The
        // buffers move into the pool only once a place is certain, so nothing dropped here
        // comes back to this method with contents.
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut() {
                if spare.len() < 4 {
                    spare.push(Box::new(LaneBuffers {
                        tan: std::mem::take(&mut self.tan),
                        adj: std::mem::take(&mut self.adj),
                    }));
                }
            }
        });
    }
}
