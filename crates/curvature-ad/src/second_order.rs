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
//! The local second derivatives are computed once per point, not per batch, by running each
//! node's first-order rule in `Dual<f64>` — the recursion, never a hand-written second
//! derivative — and linear nodes (most of a matrix-vector product) cost one multiply-add per
//! lane instead of a lane-dual product.

use crate::dual::Dual;
use crate::elementary::{binary, unary};
use crate::recording::{Node, TapeData};
use crate::sparsity::{curvature, Curvature};
use crate::sweep::{forward, reverse_f64, tangents, Beside};
use crate::tangent::{Lanes, Tangent};
use std::any::Any;
use std::cell::RefCell;

/// What every lane batch at one point shares: each node's f64 adjoint and its local second
/// derivatives `[∂²/∂a², ∂²/∂a∂b, ∂²/∂b²]`.
pub(crate) struct LocalCurvature {
    pub(crate) adjoints: Vec<f64>,
    hess: Vec<[f64; 3]>,
}

impl LocalCurvature {
    /// At the tape's current point, for output node `out`, refilling the buffers of
    /// `reuse` (a previous call's) so that repeated Hessians of one tape allocate nothing.
    pub(crate) fn new(
        data: &TapeData,
        out: usize,
        reuse: Option<LocalCurvature>,
    ) -> LocalCurvature {
        let code = &data.nodes.list;
        let len = code.len();
        let first = data.first_op();
        let LocalCurvature {
            mut adjoints,
            mut hess,
        } = reuse.unwrap_or(LocalCurvature {
            adjoints: Vec::new(),
            hess: Vec::new(),
        });
        // A replay leaves every node's value on the tape; a recording does not keep them, and
        // one f64 forward pass recomputes them.
        let computed;
        let vals: &[f64] = if data.nodes.vals.len() == len {
            &data.nodes.vals
        } else {
            let mut vals = vec![0.0; len];
            vals[1..first].copy_from_slice(&data.x);
            let mut partials = vec![[0.0; 2]; len];
            let mut beside = Beside {
                nodes: code,
                partials: &mut partials,
            };
            forward(&mut beside, first, &mut vals);
            computed = vals;
            &computed
        };
        adjoints.clear();
        adjoints.resize(len, 0.0);
        adjoints[out] = 1.0;
        reverse_f64::<false>(code, first, &mut adjoints);
        hess.clear();
        hess.extend(code.iter().enumerate().map(|(i, node)| {
            if i < first || adjoints[i] == 0.0 {
                [0.0; 3]
            } else {
                local_hessian(node, vals)
            }
        }));
        LocalCurvature { adjoints, hess }
    }
}

/// A node's second derivatives in its operands, from its first-order rule run in
/// `Dual<f64>` seeded along each operand.
fn local_hessian(node: &Node, vals: &[f64]) -> [f64; 3] {
    let [a, b] = node.args;
    let (va, vb) = (vals[a as usize], vals[b as usize]);
    match curvature(node.op) {
        Curvature::None => [0.0; 3],
        _ if node.op.is_binary() => {
            let (_, pa, pb) = binary(node.op, Dual::new(va, 1.0), Dual::new(vb, 0.0));
            let (_, _, pbb) = binary(node.op, Dual::new(va, 0.0), Dual::new(vb, 1.0));
            [pa.eps, pb.eps, pbb.eps]
        }
        _ => {
            let (_, d) = unary(node.op, Dual::new(va, 1.0), node.c());
            [d.eps, 0.0, 0.0]
        }
    }
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

    /// H·s_k for the N seed directions (`seed(j)` holds the j-th entry of every s_k):
    /// returns, for each input j, the lanes ((H s_1)_j, ..., (H s_N)_j).
    pub(crate) fn products(
        &mut self,
        data: &TapeData,
        local: &LocalCurvature,
        seed: impl Fn(usize) -> Lanes<f64, N>,
    ) -> &[Lanes<f64, N>] {
        let nodes = &data.nodes;
        let len = nodes.len();
        let first = data.first_op();
        let zero = Lanes::<f64, N>::zeros();
        self.tan.resize(len, zero);
        self.tan[0] = zero;
        for j in 0..data.n_inputs {
            self.tan[1 + j] = seed(j);
        }
        tangents(nodes, first, &mut self.tan);
        // The loop below leaves adj[first..] zero; only the inputs' slots carry over.
        if self.adj.len() == len {
            self.adj[..first].fill(zero);
        } else {
            self.adj.clear();
            self.adj.resize(len, zero);
        }
        let (tan, adj) = (&self.tan, &mut self.adj);
        for i in (first..len).rev() {
            let ai = adj[i];
            adj[i] = zero;
            let node = &nodes.list[i];
            let [a, b] = node.args;
            let [pa, pb] = node.p;
            let (a, b) = (a as usize, b as usize);
            adj[a] = adj[a].combine(1.0, ai, pa);
            if b != 0 {
                adj[b] = adj[b].combine(1.0, ai, pb);
            }
            // The curvature terms, only where the node is nonlinear and reaches the output
            // (most nodes of a matrix-vector product are neither).
            let w = local.adjoints[i];
            let [haa, hab, hbb] = local.hess[i];
            if w != 0.0 && (haa != 0.0 || hab != 0.0 || hbb != 0.0) {
                let (ta, tb) = (tan[a], tan[b]);
                adj[a] = adj[a].combine(1.0, ta, w * haa).combine(1.0, tb, w * hab);
                if b != 0 {
                    adj[b] = adj[b].combine(1.0, ta, w * hab).combine(1.0, tb, w * hbb);
                }
            }
        }
        &self.adj[1..first]
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
