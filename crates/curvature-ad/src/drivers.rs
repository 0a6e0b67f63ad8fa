//! The one-call drivers: derivative, second_derivative, gradient, hvp, hessian, jacobian.

use crate::dual::{Dual, Dual2};
use crate::matrix::Matrix;
use crate::recording::{record_in, recycle};
use crate::sparse::SparseMatrix;
use crate::sweep::{reverse_f64, seed_adjoints};
use crate::tape::{Keep, Tape};
use crate::var::Var;

/// `(f(x), f'(x))` of a univariate function by forward mode.
///
/// ```
/// use curvature_ad::derivative;
/// use num_traits::Float;
/// let (f, df) = derivative(|x| x.exp() * x, 1.0);
/// assert_eq!((f, df), (1f64.exp(), 2.0 * 1f64.exp()));
/// ```
pub fn derivative<F: FnOnce(Dual<f64>) -> Dual<f64>>(f: F, x: f64) -> (f64, f64) {
    let y = f(Dual::variable(x));
    (y.re, y.eps)
}

/// `(f(x), f'(x), f''(x))` of a univariate function, by running it in nested duals
/// `Dual<Dual<f64>>` seeded with `x + ε₁ + ε₂`: the ε₁ε₂ part is f''.
///
/// ```
/// use curvature_ad::{second_derivative, Dual2};
/// use num_traits::Float;
/// let (f, d1, d2) = second_derivative(|x: Dual2| x.powi(3), 2.0);
/// assert_eq!((f, d1, d2), (8.0, 12.0, 12.0));
/// ```
pub fn second_derivative<F: FnOnce(Dual2) -> Dual2>(f: F, x: f64) -> (f64, f64, f64) {
    let y = f(Dual::new(Dual::new(x, 1.0), Dual::new(1.0, 0.0)));
    (y.re.re, y.re.eps, y.eps.eps)
}

/// `(f(x), ∇f(x))` by reverse mode: one recording, one reverse sweep.
///
/// The recording is never replayed, so it keeps only what the sweep needs: a unary
/// operation (`x.sin()`, `x * 2.0`, `x.powi(2)`, ...) records no node, and the binary
/// operation consuming its result records the chain rule's product as its partial; a sum
/// `s + t` records none while one side is a node with partial 1, which then rides as the
/// summand of the node the sum's next term records. Chained Rosenbrock records 2 nodes a
/// term instead of 8, and its gradient costs 10.6–11.1 times f at n = 10³ to 10⁵ on an AMD
/// EPYC (Zen 5) whose f runs at 1.05 ns a term (13–16 times on an Intel Xeon whose f runs at
/// 1.35 ns; 14–21 times on an older EPYC with every operation recorded). The result equals [`Tape::gradient`]'s up to
/// rounding (the products associate differently).
///
/// ```
/// use num_traits::Float;
/// use curvature_ad::{gradient, Var};
/// let booth = |x: &[Var]| (x[0] + 2.0 * x[1] - 7.0).powi(2) + (2.0 * x[0] + x[1] - 5.0).powi(2);
/// assert_eq!(gradient(booth, &[9.0, 8.0]), (765.0, vec![120.0, 114.0]));
/// ```
pub fn gradient<F: FnOnce(&[Var]) -> Var>(f: F, x: &[f64]) -> (f64, Vec<f64>) {
    // A tape that is swept once and dropped needs no node for a unary operation nor for
    // most additions (see `recording::GRADIENT_ONLY`): chained Rosenbrock records 2 nodes a
    // term, not 8.
    let (mut data, out) = record_in(true, x, f, |_| Vec::new());
    let g = if out.tape == 0 {
        vec![0.0; x.len()]
    } else {
        data.check_output(out);
        let (len, first, at) = (data.nodes.len(), data.first_op(), out.idx as usize);
        seed_adjoints(&mut data.adj, &mut data.adj_clean_from, len, first, at);
        // The output is scale times node `at`, plus node `acc` (see `Var::sum`).
        data.adj[at] = out.scale;
        if out.acc != 0 {
            data.adj[out.acc as usize] += 1.0;
        }
        reverse_f64::<true>(&data.nodes, first, &mut data.adj);
        // The gradient out of the adjoints, which it leaves all zero, in one pass over its
        // memory: a zeroed vector, a copy and the next call's clearing were three (at
        // n = 10⁵ the driver's own passes over n-sized buffers were an eighth of chained
        // Rosenbrock's gradient).
        data.adj[0] = 0.0;
        data.adj_clean_from = 0;
        data.adj[1..first].iter_mut().map(std::mem::take).collect()
    };
    recycle(data);
    (out.val, g)
}

/// `(f(x), ∇f(x), H(x)·v)` by forward-over-reverse (see [`Tape::hvp`]).
///
/// One call records the replayable tape (not the leaner gradient-only recording of
/// [`gradient`]) and sweeps it forward and backward in dual numbers: on chained Rosenbrock it
/// costs 3–5 one-call gradients. For several products at one point, or at many points of one
/// function, record a [`Tape`] once: there an HVP costs about two replayed gradients.
///
/// # Panics
/// If `v.len() != x.len()`.
///
/// ```
/// use num_traits::Float;
/// use curvature_ad::{hvp, Var};
/// let (_, _, hv) = hvp(|x: &[Var]| x[0] * x[0] * x[1], &[1.0, 2.0], &[1.0, 0.0]);
/// assert_eq!(hv, vec![4.0, 2.0]); // first column of [[2y, 2x], [2x, 0]]
/// ```
pub fn hvp<F: FnOnce(&[Var]) -> Var>(f: F, x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let mut tape = Tape::record(f, x);
    let mut g = vec![0.0; x.len()];
    let mut hv = vec![0.0; x.len()];
    tape.hvp_into(v, Some(&mut g), &mut hv);
    (tape.value(), g, hv)
}

/// `(f(x), ∇f(x), H(x))` with the exact dense symmetric Hessian (see [`Tape::hessian`]).
/// A recording of 128 nodes or more is fused first ([`Tape::fuse`]), as a Hessian's sweeps
/// then pay for the pass.
///
/// ```
/// use num_traits::Float;
/// use curvature_ad::{hessian, Var};
/// let booth = |x: &[Var]| (x[0] + 2.0 * x[1] - 7.0).powi(2) + (2.0 * x[0] + x[1] - 5.0).powi(2);
/// let (_, _, h) = hessian(booth, &[9.0, 8.0]);
/// assert_eq!(h.as_slice(), &[10.0, 8.0, 8.0, 10.0]);
/// ```
pub fn hessian<F: FnOnce(&[Var]) -> Var>(f: F, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
    let tape = fused_recording(f, x);
    let (g, h) = tape.gradient_and_hessian();
    (tape.value(), g, h)
}

/// `(f(x), ∇f(x), H(x))` with H as a [`SparseMatrix`] of the detected pattern (see
/// [`Tape::sparse_hessian`]): no n × n storage, for large sparse problems. The recording is
/// fused first as in [`hessian`].
///
/// ```
/// use curvature_ad::{sparse_hessian, Var};
/// use num_traits::Float;
/// let n = 50;
/// let (_, _, h) = sparse_hessian(|x: &[Var]| x.iter().map(|&v| v.powi(4)).sum::<Var>(), &vec![1.0; n]);
/// assert_eq!(h.nnz(), n); // diagonal: 12 x²
/// assert_eq!(h.get(3, 3), 12.0);
/// ```
pub fn sparse_hessian<F: FnOnce(&[Var]) -> Var>(f: F, x: &[f64]) -> (f64, Vec<f64>, SparseMatrix) {
    let tape = fused_recording(f, x);
    let (g, h) = tape.gradient_and_sparse_hessian();
    (tape.value(), g, h)
}

/// A recording of `f` at `x`, fused (see [`Tape::fuse`]) for a Hessian: the pattern
/// detection and every lane sweep then visit the fused nodes, which pays for the pass from
/// a few hundred nodes on. Chained Rosenbrock's one-call sparse Hessian: 8.9–9.0 -> 8.1–8.2
/// µs at n = 30 (240 recorded nodes), 241–305 -> 226–233 µs at 10³, 54.4–54.8 -> 40.1–40.5
/// ms at 10⁵; at n = 10 (80 nodes) the pass's own buffers cost more than it saved (2.3 ->
/// 2.5 µs), hence the floor.
fn fused_recording<F: FnOnce(&[Var]) -> Var>(f: F, x: &[f64]) -> Tape {
    let mut tape = Tape::record(f, x);
    if tape.len() >= 128 {
        tape.fuse_in(Keep::Buffers);
    }
    tape
}

/// `(r(x), J(x))` of a vector function, J the m×n Jacobian (see [`Tape::jacobian`]).
///
/// ```
/// use num_traits::Float;
/// use curvature_ad::{jacobian, Var};
/// let (r, j) = jacobian(|x: &[Var]| vec![x[0] * x[1], x[0].sin()], &[2.0, 3.0]);
/// assert_eq!(r, vec![6.0, 2f64.sin()]);
/// assert_eq!(j.as_slice(), &[3.0, 2.0, 2f64.cos(), 0.0]);
/// ```
pub fn jacobian<F: FnOnce(&[Var]) -> Vec<Var>>(r: F, x: &[f64]) -> (Vec<f64>, Matrix) {
    let mut tape = Tape::record_vector(r, x);
    let j = tape.jacobian();
    (tape.values(), j)
}
