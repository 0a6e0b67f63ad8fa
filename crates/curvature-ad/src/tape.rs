//! `Tape`: a recorded program that can be differentiated many times and replayed at new
//! points without calling the closure again.

use crate::dual::Dual;
use crate::error::BranchChanged;
use crate::hessian_program::Program;
use crate::matrix::Matrix;
use crate::pattern::{assemble, assemble_block, hessian_csc};
use crate::recording::{check_guards, record, recycle, TapeData};
use crate::scalar::Scalar;
use crate::second_order::{Cone, Fused, LaneBuffers, LARGE_TAPE};
use crate::sparse::SparseMatrix;
use crate::sparsity::{color, hessian_pattern, Coloring};
use crate::sweep::{forward, reverse_f64, seed_adjoints, tangents, Workspace};
use crate::tangent::{Lanes, Tangent};
use crate::var::Var;
use rayon::prelude::*;
use std::any::Any;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock};

/// The most lane-buffer memory a single-batch Hessian sweep may take (see
/// `Tape::class_products`). One fused batch instead of several costs more lane memory but no
/// precomputed curvature, and one pass over the tape instead of one per batch plus the
/// precomputation: Newton on Broyden tridiagonal at n = 10⁶ (5 colours, 8·10⁶ nodes, 640 MB
/// of lanes) took 3.32 -> 2.79 s, 0.38 -> 0.22 s an iteration, its peak resident memory 1454
/// -> 1736 MB, against three sequential 2-lane batches.
const SINGLE_BATCH_BYTES: usize = 768 << 20;

/// A recorded evaluation of a closure `f: Fn(&[Var]) -> Var` (or `-> Vec<Var>`) at a point.
///
/// Record once, then ask for derivatives at that point as often as needed — the gradient,
/// Hessian-vector products in many directions, the dense Hessian, the Jacobian — and
/// [`replay`](Tape::replay) the same program at a new point without calling the closure.
///
/// # When replay is valid
/// A tape is the straight-line program the closure executed at the recorded point. Replay
/// at `x_new` computes the closure's value there exactly when the closure would execute the
/// same operations at `x_new`. Branches taken by comparing `Var`s (`<`, `==`, `partial_cmp`
/// on `Var`) are recorded as guards, and a replay whose guard outcome differs returns
/// [`BranchChanged`]. Operations such as `abs`, `max`, `min`, `floor` are tape operations
/// and need no guard. Branches on [`Var::value`], on `to_f64()`, or on data outside the
/// closure are invisible: replay is not valid for closures that use them.
///
/// ```
/// use num_traits::Float;
/// use curvature_ad::{Tape, Var};
/// let booth = |x: &[Var]| (x[0] + 2.0 * x[1] - 7.0).powi(2) + (2.0 * x[0] + x[1] - 5.0).powi(2);
/// let mut tape = Tape::record(booth, &[9.0, 8.0]);
/// assert_eq!(tape.gradient(), vec![120.0, 114.0]);
/// assert_eq!(tape.hvp(&[1.0, 0.0]), vec![10.0, 8.0]);
/// assert_eq!(tape.replay(&[1.0, 3.0]).unwrap(), 0.0);
/// assert_eq!(tape.gradient(), vec![0.0, 0.0]);
/// ```
pub struct Tape {
    data: TapeData,
    broken: Option<BranchChanged>,
    coloring: OnceLock<Option<Coloring>>,
    /// Which nodes the second-order sweeps must visit (see `second_order::Cone`); a property
    /// of the recorded program, computed once.
    cone: OnceLock<Cone>,
    /// Buffers of the last Hessian sweep (local curvature, lane buffers), kept so that a
    /// solver asking for a Hessian at every iterate does not fault hundreds of megabytes
    /// back in each time.
    spare: Mutex<Spare>,
    /// Whether the recording's single-use chains have been fused (or can no longer be).
    fused: bool,
    /// The sparse Hessian as a compiled program (see `hessian_program`), built at a kept
    /// tape's first sparse Hessian and at any other's second; `None` inside when the
    /// program does not apply.
    program: OnceLock<Option<Program>>,
    /// Sparse Hessians asked of this tape so far (counted until the program is built).
    sparse_hessians: AtomicUsize,
    /// Whether the tape is kept to be swept many times: replayed, or fused by
    /// [`Tape::fuse`] (not by a one-call driver, which drops it after one use).
    kept: bool,
    /// Whether the inputs' slots of the reverse sweep's adjoints (`data.adj[1..first]`)
    /// hold the gradient at the current point: set by `gradient_into`, cleared by every
    /// other use of that buffer and by a replay. A solver asks for the Hessian at the point
    /// its line search has just taken the gradient of; the compiled Hessian then reads it
    /// instead of sweeping again.
    gradient_ready: bool,
}

/// What outlives a fusion (see [`Tape::fuse_in`]): the tape, swept many times, or only its
/// buffers, recycled for the thread's next recording.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    Tape,
    Buffers,
}

#[derive(Default)]
struct Spare {
    local: Option<crate::second_order::LocalCurvature>,
    lanes: Option<Box<dyn Any + Send>>,
    /// The class products of a single-batch Hessian (n·N values, 32 MB at n = 10⁶): a
    /// fresh buffer each time cost its page faults on every Hessian.
    block: Vec<f64>,
    /// Storage for the next sparse Hessian's values, handed back by `Tape::recycle`.
    values: Vec<f64>,
    /// The slots of the compiled Hessian program.
    slots: Vec<f64>,
}

impl Tape {
    /// Records `f` at `x`.
    ///
    /// ```
    /// use curvature_ad::{Tape, Var};
    /// let tape = Tape::record(|x: &[Var]| x[0] * x[1], &[2.0, 5.0]);
    /// assert_eq!(tape.value(), 10.0);
    /// ```
    pub fn record<F: FnOnce(&[Var]) -> Var>(f: F, x: &[f64]) -> Tape {
        let (data, _) = record(x, f, |out| vec![*out]);
        Tape::from_data(data)
    }

    /// Records a vector-valued `r` (residuals, constraints) at `x`, for [`Tape::jacobian`].
    ///
    /// ```
    /// use curvature_ad::{Tape, Var};
    /// let mut tape = Tape::record_vector(|x: &[Var]| vec![x[0] * x[1], x[0] + x[1]], &[2.0, 5.0]);
    /// assert_eq!(tape.values(), vec![10.0, 7.0]);
    /// assert_eq!(tape.jacobian().as_slice(), &[5.0, 2.0, 1.0, 1.0]);
    /// ```
    pub fn record_vector<F: FnOnce(&[Var]) -> Vec<Var>>(r: F, x: &[f64]) -> Tape {
        let (data, _) = record(x, r, |out: &Vec<Var>| out.clone());
        Tape::from_data(data)
    }

    fn from_data(data: TapeData) -> Tape {
        Tape {
            data,
            broken: None,
            coloring: OnceLock::new(),
            cone: OnceLock::new(),
            spare: Mutex::new(Spare::default()),
            fused: false,
            program: OnceLock::new(),
            sparse_hessians: AtomicUsize::new(0),
            kept: false,
            gradient_ready: false,
        }
    }

    /// Number of inputs n.
    pub fn num_inputs(&self) -> usize {
        self.data.n_inputs
    }

    /// Number of outputs (1 for [`Tape::record`]).
    pub fn num_outputs(&self) -> usize {
        self.data.outputs.len()
    }

    /// Number of recorded nodes (inputs included).
    pub fn len(&self) -> usize {
        self.data.nodes.len() - 1
    }

    /// Whether the tape has no nodes at all (no inputs, no operations).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of comparisons recorded as replay guards.
    pub fn num_guards(&self) -> usize {
        self.data.guards.len()
    }

    /// The point the tape currently holds (recorded or last replayed).
    pub fn point(&self) -> &[f64] {
        self.data.point()
    }

    /// The value of the (first) output at the current point.
    pub fn value(&self) -> f64 {
        self.scalar_output();
        self.data.out_vals[0]
    }

    /// The values of all outputs at the current point.
    pub fn values(&self) -> Vec<f64> {
        self.data.out_vals.clone()
    }

    /// Re-evaluates the recorded program at `x` (values and local partials), without calling
    /// the closure; returns the first output's value (all of them: [`Tape::values`]).
    /// Afterwards the derivative methods work at `x`.
    ///
    /// The first replay of a tape also fuses its single-use chains — `(a − b)²`,
    /// `c·(a − b)²`, `(x + c)²`, `(c − x)²`, `c·t + u`, `x·s + c`, `a·b + c`, and sums
    /// `t + u` folded into t's node, among others (see [`Tape::fuse`]) — into single nodes,
    /// which computes the same values and derivatives by the same floating-point operations
    /// in fewer nodes (chained Rosenbrock: 2 instead of 8 a term),
    /// and drops nodes no output or guard depends on, so every later sweep is shorter;
    /// [`Tape::len`] then counts the nodes kept. A tape whose Hessian structure was computed
    /// before its first replay keeps its nodes.
    ///
    /// # Errors
    /// [`BranchChanged`] when a recorded comparison has another outcome at `x`; the tape is
    /// then unusable until a successful replay, and derivative methods panic.
    ///
    /// # Panics
    /// If `x.len()` differs from the number of inputs.
    // Out of line (here and in `gradient_into`), so that every program runs the same
    // machine code for the hot sweeps: inlined into a caller, the loops' code moved with
    // unrelated changes elsewhere (the bench's replayed gradient at n = 10⁵ shifted by 7%
    // after a change to the Hessian drivers).
    #[inline(never)]
    pub fn replay(&mut self, x: &[f64]) -> Result<f64, BranchChanged> {
        self.check_len("replay", x.len());
        self.gradient_ready = false;
        // A replayed tape is swept many times: fuse it once (see `Tape::fuse`).
        self.fuse();
        let first = self.data.first_op();
        let data = &mut self.data;
        let nodes = &mut data.nodes;
        crate::huge::resize(&mut nodes.vals, nodes.list.len(), 0.0);
        nodes.vals[1..first].copy_from_slice(x);
        forward(
            &mut nodes.list[..],
            (&nodes.wide, &nodes.consts, nodes.near_sums),
            first,
            &mut nodes.vals,
        );
        nodes.wide.refresh(&nodes.vals);
        for (v, &o) in data.out_vals.iter_mut().zip(&data.outputs) {
            *v = nodes.vals[o as usize];
        }
        match check_guards(&data.guards, &nodes.vals, |c| c) {
            Ok(()) => {
                self.broken = None;
                // The first output's: a vector tape replays too (NaN without outputs).
                Ok(self.data.out_vals.first().copied().unwrap_or(f64::NAN))
            }
            Err(e) => {
                self.broken = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Fuses the recording's single-use chains — `(a − b)²`, `c·(a − b)²`, `(x + c)²`,
    /// `(c − x)²`, `c·t + u`, `u − c·t`, `x·s + c`, `a·b + c`, `(−x)·c`, `−x + c`, sums
    /// `t + u`, and x², √x, eˣ, ln x, 1/x, sin x or cos x as a
    /// binary node's second operand, whose inner node has no other use — into single nodes;
    /// returns how many nodes that removed. The fused nodes compute the same values by the
    /// same floating-point operations, and the same derivatives up to rounding (adjoint
    /// sums meet in another order), in fewer nodes: chained Rosenbrock goes from 8 to 2 a
    /// term (its gradient sweep at n = 10³ took 7.4 µs with 3 nodes a term, 3.9 µs with 2).
    /// The same pass drops dead nodes, those no output or guard depends on.
    ///
    /// The pass costs 4–11 ns a recorded node, once (chained Rosenbrock: 65 µs at n = 10³,
    /// about five replayed gradients of the fused tape). [`Tape::replay`] runs it on a
    /// tape's first replay, so a tape that is replayed is fused; call it yourself right
    /// after recording when the tape's first use is a Hessian that later replays will
    /// repeat. It does nothing on a second call, on tapes with wide vector nodes, or once a
    /// Hessian has been computed (its structure is kept by node number).
    ///
    /// ```
    /// use curvature_ad::{Tape, Var};
    /// use num_traits::Float;
    /// // (x₀ − x₁)² + 3·x₁: a Sub and a PowI become one node, a MulC and an Add another.
    /// let mut tape = Tape::record(|x: &[Var]| (x[0] - x[1]).powi(2) + 3.0 * x[1], &[2.0, 1.0]);
    /// assert_eq!(tape.len(), 6); // 2 inputs, 4 operations
    /// assert_eq!(tape.fuse(), 2);
    /// assert_eq!(tape.len(), 4);
    /// assert_eq!(tape.gradient(), vec![2.0, 1.0]); // (2(x₀ − x₁), −2(x₀ − x₁) + 3)
    /// ```
    pub fn fuse(&mut self) -> usize {
        self.fuse_in(Keep::Tape)
    }

    /// [`Tape::fuse`]; with `Keep::Buffers`, for a tape dropped right after its one use,
    /// the node list keeps its capacity.
    pub(crate) fn fuse_in(&mut self, keep: Keep) -> usize {
        self.kept |= keep == Keep::Tape;
        if self.fused {
            return 0;
        }
        self.fused = true;
        // Fusing renumbers the nodes: only while nothing keyed by node numbers exists.
        if self.cone.get().is_some() || self.coloring.get().is_some() {
            return 0;
        }
        let removed = crate::fusion::fuse(&mut self.data);
        // The recording grew its node list for every recorded node; a tape that is fused is
        // kept and swept many times, so the capacity the fused nodes no longer fill goes
        // back. Peak resident memory of Newton at n = 10⁶: TRIDIA 912 -> 847 MB, extended
        // Wood 1062 -> 948 MB, Broyden tridiagonal 1713 -> 1650 MB, times unchanged. A
        // one-call driver's tape goes back to the thread's pool instead, whose next
        // recording would only fault the capacity in again (the one-call sparse Hessian at
        // n = 10⁵ measured 42.8–43.7 -> 49.7–52.5 ms with the shrink).
        if removed > 0 && keep == Keep::Tape {
            crate::huge::shrink_to_fit(&mut self.data.nodes.list);
        }
        removed
    }

    /// The gradient ∇f at the current point: one reverse sweep over the recorded partials.
    ///
    /// # Panics
    /// On a tape with more than one output (use [`Tape::jacobian`]) or after a failed replay.
    pub fn gradient(&mut self) -> Vec<f64> {
        let mut g = vec![0.0; self.num_inputs()];
        self.gradient_into(&mut g);
        g
    }

    /// [`Tape::gradient`] written into `g` without allocating.
    #[inline(never)]
    pub fn gradient_into(&mut self, g: &mut [f64]) {
        self.check_len("gradient_into", g.len());
        let out = self.scalar_output();
        self.reverse_f64(out);
        g.copy_from_slice(&self.data.adj[1..self.data.first_op()]);
        self.gradient_ready = true;
    }

    fn reverse_f64(&mut self, out: usize) {
        self.check_usable();
        self.gradient_ready = false;
        let first = self.data.first_op();
        let data = &mut self.data;
        let len = data.nodes.len();
        seed_adjoints(&mut data.adj, &mut data.adj_clean_from, len, first, out);
        reverse_f64::<true>(&data.nodes, first, &mut data.adj);
    }

    /// The Hessian-vector product H(x)·v by forward-over-reverse: the recorded program and
    /// its reverse sweep run once in `Dual<f64>` with inputs `x + v·ε`; the ε-part of the
    /// adjoints is H·v. Costs a small constant times one gradient, whatever n is.
    ///
    /// # Panics
    /// If `v.len()` differs from the number of inputs, on a multi-output tape, or after a
    /// failed replay.
    pub fn hvp(&mut self, v: &[f64]) -> Vec<f64> {
        let mut hv = vec![0.0; self.num_inputs()];
        self.hvp_into(v, None, &mut hv);
        hv
    }

    /// [`Tape::hvp`] without allocating; also writes the gradient into `g` when given.
    pub fn hvp_into(&mut self, v: &[f64], g: Option<&mut [f64]>, hv: &mut [f64]) {
        self.check_len("hvp", v.len());
        self.check_len("hvp", hv.len());
        self.check_usable();
        if let Some(g) = &g {
            self.check_len("hvp gradient", g.len());
        }
        let out = self.scalar_output();
        let data = &mut self.data;
        let (x, ws) = (data.nodes.point(data.n_inputs, &data.x), &mut data.hvp);
        ws.sweep(
            &data.nodes,
            &data.guards,
            data.n_inputs,
            |j| Dual::new(x[j], v[j]),
            out,
        )
        .expect("guards hold at the recorded point");
        let adj = ws.input_adjoints(data.n_inputs);
        for (h, a) in hv.iter_mut().zip(adj) {
            *h = a.eps;
        }
        if let Some(g) = g {
            for (gi, a) in g.iter_mut().zip(adj) {
                *gi = a.re;
            }
        }
    }

    /// The exact dense Hessian at the current point, N Hessian-vector products per sweep:
    /// forward-over-reverse in lanes, with the N tangents pushed forward through the recorded
    /// partials and the adjoint tangents pulled back using each node's local second
    /// derivatives (computed once, by running its rule in `Dual<f64>`; see the
    /// `second_order` module). Batches of sweeps run in parallel with rayon. The result is
    /// exactly symmetric (`(H + Hᵀ)/2` of the computed entries).
    ///
    /// When the Hessian is sparse (detected once per tape from the recorded program, see
    /// [`Tape::hessian_colors`]), columns that share no row are seeded together, so a banded
    /// Hessian costs a few HVPs at any n instead of n. The result is the same exact matrix.
    ///
    /// # Panics
    /// On a multi-output tape or after a failed replay.
    pub fn hessian(&self) -> Matrix {
        self.dense_hessian(false).1
    }

    /// The gradient and the dense Hessian from the same lane sweeps.
    pub fn gradient_and_hessian(&self) -> (Vec<f64>, Matrix) {
        self.dense_hessian(true)
    }

    /// The dense Hessian, and with `with_gradient` the gradient (else empty).
    fn dense_hessian(&self, with_gradient: bool) -> (Vec<f64>, Matrix) {
        self.check_usable();
        let coloring = self.coloring();
        let (grad, products) = self.class_products(coloring, with_gradient);
        let n = self.num_inputs();
        // Only the entries that can be nonzero are written: with a sparse pattern the
        // assembly is O(nnz) on top of the O(n²) zeroed allocation.
        let mut h = Matrix::zeros(n, n);
        let hs = h.as_mut_slice();
        let symmetric = |i: usize, j: usize| {
            0.5 * (products.entry(coloring, i, j) + products.entry(coloring, j, i))
        };
        match coloring {
            None => {
                for i in 0..n {
                    for j in 0..=i {
                        let s = symmetric(i, j);
                        hs[i * n + j] = s;
                        hs[j * n + i] = s;
                    }
                }
            }
            Some(c) => {
                for (i, row) in c.pattern.rows().enumerate() {
                    for &j in row.iter().take_while(|&&j| (j as usize) <= i) {
                        let (j, s) = (j as usize, symmetric(i, j as usize));
                        hs[i * n + j] = s;
                        hs[j * n + i] = s;
                    }
                }
            }
        }
        self.keep(products);
        (grad, h)
    }

    /// The exact Hessian as a [`SparseMatrix`] holding only the entries of the detected
    /// sparsity pattern (both triangles, compressed by column), without the n × n
    /// allocation — the form for large sparse problems. When no sparsity pays (small or
    /// dense Hessians) every entry is stored, from the same lane sweeps as [`Tape::hessian`].
    ///
    /// A sparse Hessian is the second-order adjoint H = Σ_k w_k J_kᵀ h_k J_k over the
    /// nonlinear nodes k (adjoint w_k, local second derivatives h_k, operand tangents J_k).
    /// A tape compiles it once into a program that keeps only the factors that vary with
    /// the point (recorded partials, the curvature of nodes such as `sin`), folds the rest
    /// (unit adjoints of sums, the constant curvature of squares and products, constant
    /// partials) into constants, and adds each product into its entry's precomputed place:
    /// chained Rosenbrock's Hessian then costs about half a replayed gradient. A tape kept
    /// for many sweeps (replayed, or fused by [`Tape::fuse`]) compiles at its first sparse
    /// Hessian, any other at its second (the first comes from coloured lane sweeps, so a
    /// tape used once does not pay for the compilation, which costs some 30–80 ns a node).
    /// Tapes with wide vector nodes, and programs that would exceed the lane sweeps' work,
    /// keep the lanes.
    ///
    /// # Panics
    /// On a multi-output tape or after a failed replay.
    ///
    /// ```
    /// use curvature_ad::{Tape, Var};
    /// use num_traits::Float;
    /// // Σ (x_{i+1} − x_i²)²: a tridiagonal Hessian, 3n − 2 entries.
    /// let n = 10_000;
    /// let f = |x: &[Var]| (0..n - 1).map(|i| (x[i + 1] - x[i] * x[i]).powi(2)).sum::<Var>();
    /// let tape = Tape::record(f, &vec![0.5; n]);
    /// let h = tape.sparse_hessian();
    /// assert_eq!(h.nnz(), 3 * n - 2);
    /// assert_eq!(h.get(1, 0), -4.0 * 0.5); // ∂²/∂x0∂x1 = −4 x0
    /// ```
    pub fn sparse_hessian(&self) -> SparseMatrix {
        self.coloured_hessian(false).1
    }

    /// The gradient and the sparse Hessian ([`Tape::sparse_hessian`]) from the same lane
    /// sweeps: the gradient comes free with the Hessian.
    ///
    /// # Panics
    /// On a multi-output tape or after a failed replay.
    pub fn gradient_and_sparse_hessian(&self) -> (Vec<f64>, SparseMatrix) {
        self.coloured_hessian(true)
    }

    /// Hands back a sparse Hessian that is no longer needed: the next
    /// [`sparse_hessian`](Tape::sparse_hessian) or
    /// [`gradient_and_sparse_hessian`](Tape::gradient_and_sparse_hessian) of this tape
    /// writes its values into that matrix's storage instead of fresh memory.
    ///
    /// A solver that replaces its Hessian every iteration calls this with the old one before
    /// asking for the new one. At n = 10⁶ the values are tens of megabytes, which the
    /// allocator otherwise maps afresh for every Hessian (page faults on every first touch),
    /// and the old and the new matrix are then never alive at once.
    ///
    /// ```
    /// use curvature_ad::{Tape, Var};
    /// let f = |x: &[Var]| (0..x.len() - 1).map(|i| x[i] * x[i + 1]).fold(x[0] * 0.0, |s, t| s + t);
    /// let x = vec![0.5; 100];
    /// let mut tape = Tape::record(f, &x);
    /// let h = tape.sparse_hessian();
    /// let storage = h.values().as_ptr();
    /// tape.recycle(h);
    /// tape.replay(&vec![2.0; 100]).unwrap();
    /// let h = tape.sparse_hessian();
    /// assert_eq!(h.values().as_ptr(), storage);
    /// assert_eq!(h.get(3, 4), 1.0);
    /// ```
    pub fn recycle(&self, h: SparseMatrix) {
        let values = h.into_values();
        let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
        if values.capacity() > spare.values.capacity() {
            spare.values = values;
        }
    }

    /// The sparse Hessian, and with `with_gradient` the gradient (else empty: a copy of n
    /// adjoints that `sparse_hessian` has no use for).
    fn coloured_hessian(&self, with_gradient: bool) -> (Vec<f64>, SparseMatrix) {
        self.check_usable();
        let coloring = self.coloring();
        if let Some(program) = coloring.and_then(|c| self.program(c)) {
            let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
            let spare = &mut *spare;
            // The lane buffers of the first Hessian are not needed again (at n = 10⁶ they
            // are hundreds of megabytes).
            spare.lanes = None;
            spare.block = Vec::new();
            let values = std::mem::take(&mut spare.values);
            let mut local = spare.local.take().unwrap_or_default();
            let h = program.run(&self.data, local.values_buffer(), &mut spare.slots, values);
            let grad = match (with_gradient, self.gradient_ready) {
                (false, _) => Vec::new(),
                (true, true) => self.data.adj[1..self.data.first_op()].to_vec(),
                (true, false) => local.gradient(&self.data, self.scalar_output()),
            };
            spare.local = Some(local);
            return (grad, h);
        }
        let (grad, products) = self.class_products(coloring, with_gradient);
        let n = self.num_inputs();
        let values =
            std::mem::take(&mut self.spare.lock().unwrap_or_else(|e| e.into_inner()).values);
        let h = match &products.blocks[..] {
            [block] => assemble_block(coloring, n, (products.lanes, block), values),
            _ => assemble(coloring, n, |c, row| products.get(c, row), values),
        };
        self.keep(products);
        (grad, h)
    }

    /// H·s for every seed class, in lanes of 2 to 8, and with `with_gradient` the gradient
    /// (else empty).
    ///
    /// Lane buffers cost 16·N bytes per node. Up to 8 colours run as one batch of exactly
    /// that many lanes (7 in 8) while its buffers fit in [`SINGLE_BATCH_BYTES`]: one sweep
    /// then also carries the f64 adjoints and evaluates the local curvature as it goes.
    /// Several batches instead share 32 bytes a node of precomputed local curvature, and a
    /// tape of over two million nodes runs them at most 4 lanes wide, one of over six million
    /// at most 2, one after the other, so the second-order sweep stays within about the
    /// tape's own memory (peak resident memory ≤ 2 GiB for 10⁷-node tapes).
    fn class_products(
        &self,
        coloring: Option<&Coloring>,
        with_gradient: bool,
    ) -> (Vec<f64>, ClassProducts) {
        let seeds = coloring.map_or(self.num_inputs(), |c| c.num_colors);
        let len = self.data.nodes.len();
        let single = |lanes: usize| (16 * lanes).saturating_mul(len) <= SINGLE_BATCH_BYTES;
        match seeds {
            0..=2 => self.class_products_in::<2>(coloring, with_gradient),
            // Exactly as many lanes as colours: three for a tridiagonal Hessian (chained
            // Rosenbrock) is a quarter less lane traffic than four; five for a pentadiagonal
            // one (Broyden tridiagonal) took its sparse Hessian at n = 10⁵ from 14.3 to
            // 10.6 ms against eight.
            3 => self.class_products_in::<3>(coloring, with_gradient),
            4 => self.class_products_in::<4>(coloring, with_gradient),
            5 if single(5) => self.class_products_in::<5>(coloring, with_gradient),
            6 if single(6) => self.class_products_in::<6>(coloring, with_gradient),
            7 | 8 if single(8) => self.class_products_in::<8>(coloring, with_gradient),
            _ if len > 3 * LARGE_TAPE => self.class_products_in::<2>(coloring, with_gradient),
            _ if len > LARGE_TAPE => self.class_products_in::<4>(coloring, with_gradient),
            _ => self.class_products_in::<8>(coloring, with_gradient),
        }
    }

    /// Keeps a single batch's product buffer for the next Hessian.
    fn keep(&self, products: ClassProducts) {
        let mut blocks = products.blocks;
        if blocks.len() == 1 {
            self.spare.lock().unwrap_or_else(|e| e.into_inner()).block = blocks.swap_remove(0);
        }
    }

    /// Whether this tape's sparse Hessians now come from its compiled program (see
    /// [`Tape::sparse_hessian`]): true once the program is built and applies, false before
    /// and for tapes that keep the lane sweeps (wide vector nodes, dense or too large
    /// programs).
    ///
    /// ```
    /// use curvature_ad::{Tape, Var};
    /// let f = |x: &[Var]| (0..x.len() - 1).map(|i| x[i] * x[i + 1]).fold(x[0] * 0.0, |s, t| s + t);
    /// let mut tape = Tape::record(f, &vec![0.5; 100]);
    /// tape.replay(&vec![2.0; 100]).unwrap(); // a replayed tape compiles at its first Hessian
    /// assert!(!tape.hessian_is_compiled());
    /// let h = tape.sparse_hessian();
    /// assert!(tape.hessian_is_compiled());
    /// assert_eq!(h.get(3, 4), 1.0);
    /// ```
    pub fn hessian_is_compiled(&self) -> bool {
        matches!(self.program.get(), Some(Some(_)))
    }

    /// The compiled sparse Hessian (see `hessian_program`), if it applies to this tape. A
    /// tape kept for many sweeps (replayed, or fused by [`Tape::fuse`] as the solvers do)
    /// builds it at its first sparse Hessian, any other at its second: a tape used once (a
    /// one-call driver's) does not pay for building it.
    fn program(&self, coloring: &Coloring) -> Option<&Program> {
        if self.program.get().is_none()
            && !self.kept
            && self.sparse_hessians.fetch_add(1, Relaxed) == 0
        {
            return None;
        }
        self.program
            .get_or_init(|| {
                let data = &self.data;
                let cone = self
                    .cone
                    .get_or_init(|| Cone::new(&data.nodes, data.first_op()));
                let csc = hessian_csc(coloring, self.num_inputs());
                // Beyond the lane sweep's work the program would not pay, and beyond 17
                // products a node it would hold more memory than the lane buffers.
                let budget = (coloring.num_colors + 1).min(17) * data.nodes.len();
                Program::build(data, cone, csc, self.scalar_output(), budget)
            })
            .as_ref()
    }

    /// How many Hessian-vector products [`Tape::hessian`] needs: the number of colours of
    /// the detected sparsity pattern, or n when the Hessian is dense (or too small for the
    /// detection to pay).
    pub fn hessian_colors(&self) -> usize {
        self.coloring().map_or(self.num_inputs(), |c| c.num_colors)
    }

    /// The colouring of the Hessian's columns, if compression pays; computed once per tape
    /// (the pattern is a property of the recorded program, valid after any replay).
    fn coloring(&self) -> Option<&Coloring> {
        self.coloring
            .get_or_init(|| {
                let n = self.num_inputs();
                if n < 16 {
                    return None;
                }
                // Index sets and pairs beyond this size mean a dense block: give up early.
                let budget = 8 * self.data.nodes.len() + 8 * n;
                let pattern = hessian_pattern(&self.data, self.scalar_output(), budget)?;
                let coloring = color(pattern);
                (2 * coloring.num_colors <= n).then_some(coloring)
            })
            .as_ref()
    }

    fn class_products_in<const N: usize>(
        &self,
        coloring: Option<&Coloring>,
        with_gradient: bool,
    ) -> (Vec<f64>, ClassProducts) {
        let n = self.num_inputs();
        let data = &self.data;
        let out = self.scalar_output();
        let cone = self
            .cone
            .get_or_init(|| Cone::new(&data.nodes, data.first_op()));
        let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
        let mut local = spare.local.take().unwrap_or_default();
        // Seed class of each column: its colour, or the column itself (dense).
        let class = |j: usize| coloring.map_or(j, |c| c.colors[j] as usize);
        let classes = coloring.map_or(n, |c| c.num_colors);
        let batches = classes.div_ceil(N);
        let seeds = |b: usize| {
            let c0 = b * N;
            move |j: usize| {
                let c = class(j);
                (c >= c0 && c < c0 + N).then(|| c - c0)
            }
        };
        let mut kept = spare
            .lanes
            .take()
            .and_then(|b| b.downcast::<LaneBuffers<N>>().ok())
            .map_or_else(LaneBuffers::new, |b| *b);
        let blocks: Vec<Vec<f64>> = if batches == 1 {
            // The common sparse case: adjoints and local curvature inside the lane sweep.
            let mut block = std::mem::take(&mut spare.block);
            block.clear();
            let fused = Fused::new(&mut local, data, out);
            kept.products(data, cone, fused, seeds(0), &mut block);
            vec![block]
        } else {
            local.precompute(data, out);
            let shared = &local;
            // One batch: H·s for the seed classes c0..c0+N, as an n×N block (row i, lane k).
            let batch = |buffers: &mut LaneBuffers<N>, b: usize| -> Vec<f64> {
                let mut block = Vec::new();
                buffers.products(data, cone, shared.sweep(), seeds(b), &mut block);
                block
            };
            // Parallel batches pay off once a sweep is long enough to amortize rayon's
            // overhead.
            let work = data.nodes.len() * batches;
            let large = data.nodes.len() > LARGE_TAPE;
            if work > 20_000 && !large {
                // One contiguous run of batches per thread, so each thread sets up (and
                // zeroes) its buffers once rather than once per split.
                // (rayon splits a range only while both halves keep `min_len` items, so the
                // floor, not the ceiling, of batches / threads.)
                let per_thread = (batches / rayon::current_num_threads()).max(1);
                (0..batches)
                    .into_par_iter()
                    .with_min_len(per_thread)
                    .map_init(LaneBuffers::new, batch)
                    .collect()
            } else {
                (0..batches).map(|b| batch(&mut kept, b)).collect()
            }
        };
        spare.lanes = Some(Box::new(kept));
        let grad = if with_gradient {
            local.adjoints[1..=n].to_vec()
        } else {
            Vec::new()
        };
        spare.local = Some(local);
        (grad, ClassProducts { lanes: N, blocks })
    }

    /// The m×n Jacobian of the outputs at the current point: one reverse sweep per output
    /// when m ≤ n, otherwise forward tangents through the recorded partials, 8 input
    /// directions per pass.
    ///
    /// # Panics
    /// After a failed replay.
    pub fn jacobian(&mut self) -> Matrix {
        self.check_usable();
        let (m, n) = (self.num_outputs(), self.num_inputs());
        let mut jac = Matrix::zeros(m, n);
        if m <= n {
            for k in 0..m {
                self.reverse_f64(self.data.outputs[k] as usize);
                jac.as_mut_slice()[k * n..(k + 1) * n]
                    .copy_from_slice(&self.data.adj[1..self.data.first_op()]);
            }
        } else {
            const N: usize = 8;
            let mut tan = vec![Lanes::<f64, N>::zeros(); self.data.nodes.len()];
            for c0 in (0..n).step_by(N) {
                for (j, t) in tan[1..=n].iter_mut().enumerate() {
                    *t = Lanes::zeros();
                    if j >= c0 && j < c0 + N {
                        t.0[j - c0] = 1.0;
                    }
                }
                let first = self.data.first_op();
                tangents(
                    &self.data.nodes,
                    first,
                    &mut tan,
                    first..self.data.nodes.len(),
                );
                for (k, &o) in self.data.outputs.iter().enumerate() {
                    for l in 0..N.min(n - c0) {
                        jac[(k, c0 + l)] = tan[o as usize].0[l];
                    }
                }
            }
        }
        jac
    }

    /// Runs the recorded program and its reverse sweep in any [`Scalar`] `S` at inputs `x`:
    /// returns the output and its gradient, both in `S`. With `S = Dual<f64>` seeded by a
    /// direction this is an HVP; with `S = Dual<Dual<f64>>` seeded by two directions v, w,
    /// the ε₁ε₂ part of the gradient is the third derivative ∇³f[v, w] — the recursion is
    /// general.
    ///
    /// # Errors
    /// [`BranchChanged`] when a guard has another outcome at the values of `x`.
    ///
    /// ```
    /// use curvature_ad::{Dual, Tape, Var};
    /// use num_traits::Float;
    /// let tape = Tape::record(|x: &[Var]| x[0].powi(3), &[2.0]);
    /// // inputs 2 + ε₁ + ε₂: the ε₁ε₂ part of f' = 3x² is f''' · 1 · 1 = 6.
    /// let x = Dual::new(Dual::new(2.0, 1.0), Dual::new(1.0, 0.0));
    /// let (_, g) = tape.gradient_at(&[x]).unwrap();
    /// assert_eq!(g[0].eps.eps, 6.0);
    /// ```
    pub fn gradient_at<S: Scalar>(&self, x: &[S]) -> Result<(S, Vec<S>), BranchChanged> {
        self.check_len("gradient_at", x.len());
        let out = self.scalar_output();
        let mut ws = Workspace::new();
        let f = ws.sweep(&self.data.nodes, &self.data.guards, x.len(), |j| x[j], out)?;
        Ok((f, ws.input_adjoints(self.num_inputs()).to_vec()))
    }

    /// A first-order bound on the rounding error of [`value`](Tape::value): the recorded
    /// program run once more at the tape's point in [`Rounded`](crate::Rounded) arithmetic,
    /// each operation adding the rounding of its result to its operands' errors carried
    /// through its partials.
    ///
    /// It is the scale of f's rounding noise, which |f| does not show where f is a sum of
    /// large terms that cancel: below it, a change of f is not a change a line search can
    /// see. (Fused nodes are run as the operations they fuse, so each rounding counts;
    /// vector primitives count the roundings of their own loops.) Costs about one replay.
    ///
    /// # Panics
    /// On a tape with more than one output, or after a failed replay.
    ///
    /// ```
    /// use curvature_ad::{Tape, Var};
    /// // f = Σ ((2 − xᵢ)·xᵢ − 1) is 0 at x = 1, a sum of terms of size 1 that cancel.
    /// let f = |x: &[Var]| x.iter().fold(Var::constant(0.0), |s, &xi| s + (2.0 - xi) * xi - 1.0);
    /// let tape = Tape::record(f, &vec![1.0; 1000]);
    /// assert_eq!(tape.value(), 0.0);
    /// let u = f64::EPSILON / 2.0;
    /// // Each term may round 2 − x, its product with x and the sum by u·1: a few u a
    /// // term, a thousand terms (|f| = 0 would say nothing at all).
    /// let e = tape.rounding_error();
    /// assert!(e > 1000.0 * u && e < 1e4 * u);
    /// ```
    pub fn rounding_error(&self) -> f64 {
        self.check_usable();
        let out = self.scalar_output();
        let data = &self.data;
        let (len, first) = (data.nodes.len(), data.first_op());
        let mut vals = vec![crate::Rounded::exact(0.0); len];
        for (v, &x) in vals[1..first].iter_mut().zip(data.point()) {
            *v = crate::Rounded::exact(x);
        }
        // The partials, computed along in `Rounded`, are not wanted.
        let mut partials = vec![[crate::Rounded::exact(0.0); 2]; len];
        let mut beside = crate::sweep::Beside {
            nodes: &data.nodes.list,
            partials: &mut partials,
        };
        forward(
            &mut beside,
            (&data.nodes.wide, &data.nodes.consts, data.nodes.near_sums),
            first,
            &mut vals,
        );
        vals[out].error()
    }

    fn scalar_output(&self) -> usize {
        assert!(
            self.data.outputs.len() == 1,
            "curvature: this tape has {} outputs; gradients, HVPs and Hessians need exactly one \
             (use Tape::jacobian for vector outputs)",
            self.data.outputs.len()
        );
        self.data.outputs[0] as usize
    }

    fn check_len(&self, what: &str, len: usize) {
        assert_eq!(
            len,
            self.num_inputs(),
            "curvature: Tape::{what} got a slice of length {len} for a tape with {} inputs",
            self.num_inputs()
        );
    }

    fn check_usable(&self) {
        if let Some(e) = &self.broken {
            panic!("curvature: the tape's last replay failed ({e}); re-record it");
        }
    }
}

/// H·s_c for every seed class c, in blocks of `lanes` classes: row i of class c is at
/// `blocks[c / lanes][i · lanes + c % lanes]`.
struct ClassProducts {
    lanes: usize,
    blocks: Vec<Vec<f64>>,
}

impl ClassProducts {
    /// H_ij, read from the class product that holds it: row i of H·s_c is H_ij for the one
    /// column j of class c that row i can hold (or by symmetry for a dense row).
    fn entry(&self, coloring: Option<&Coloring>, i: usize, j: usize) -> f64 {
        let (c, row) = coloring.map_or((j, i), |c| c.locate(i, j));
        self.get(c, row)
    }

    /// Row `row` of H·s_c.
    #[inline(always)]
    fn get(&self, c: usize, row: usize) -> f64 {
        if let [block] = &self.blocks[..] {
            return block[row * self.lanes + c];
        }
        // Several batches run 2, 4 or 8 lanes: shifts and masks, not divisions, per entry.
        let shift = self.lanes.trailing_zeros();
        self.blocks[c >> shift][(row << shift) + (c & (self.lanes - 1))]
    }
}

impl Clone for Tape {
    fn clone(&self) -> Tape {
        let mut tape = Tape::from_data(self.data.clone());
        tape.broken = self.broken.clone();
        tape.coloring = self.coloring.clone();
        tape.cone = self.cone.clone();
        tape.fused = self.fused;
        tape.program = self.program.clone();
        tape.kept = self.kept;
        tape.gradient_ready = self.gradient_ready;
        tape.sparse_hessians = AtomicUsize::new(self.sparse_hessians.load(Relaxed));
        tape
    }
}

impl Drop for Tape {
    fn drop(&mut self) {
        recycle(std::mem::take(&mut self.data));
    }
}

impl std::fmt::Debug for Tape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tape")
            .field("inputs", &self.num_inputs())
            .field("outputs", &self.num_outputs())
            .field("nodes", &self.len())
            .field("guards", &self.num_guards())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Var};
    use num_traits::Float;

    /// `Nodes::near_sums` after the first replay, which fuses (`crate::fusion`).
    fn near_sums(f: impl Fn(&[Var]) -> Var, n: usize) -> bool {
        let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.1 * i as f64).collect();
        let mut tape = Tape::record(f, &x);
        tape.replay(&x).unwrap();
        tape.data.nodes.near_sums
    }

    #[test]
    fn running_sums_whose_terms_carry_the_node_before_are_near() {
        // Chained Rosenbrock: two nodes a term, each carrying the one before.
        let rosenbrock = |x: &[Var]| {
            let mut s = Var::constant(0.0);
            for i in 0..x.len() - 1 {
                s = s + 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
            }
            s
        };
        assert!(near_sums(rosenbrock, 50));
        // A sum of squared residuals of five nodes each: the summand lies five back.
        let residuals = |x: &[Var]| {
            let mut s = Var::constant(0.0);
            for i in 1..x.len() - 1 {
                let r = (3.0 - 2.0 * x[i]) * x[i] - x[i - 1] - 2.0 * x[i + 1] + 1.0;
                s += r * r;
            }
            s
        };
        assert!(!near_sums(residuals, 50));
    }
}
