//! The sparse Hessian of a tape as a program of products compiled once per tape, with every
//! quantity the recording fixes folded into its constants.
//!
//! The second-order adjoint sums, over the nonlinear nodes k,
//!
//!   H = Σ_k w_k J_kᵀ h_k J_k,
//!
//! where w_k is node k's adjoint, h_k its local second derivatives in its operands and J_k
//! the gradients of those operands in the inputs (their tangents). The lane sweeps
//! (`second_order`) evaluate this sum for every seed colour at every node. But most of its
//! factors are fixed by the recorded program, not by the point: in a sum of squares every
//! adjoint on the sum's chain is 1, the curvature of a square is 2, the tangent of an input
//! is a unit vector, a linear node's partials are constants. Built once per tape, the
//! program keeps as factors only what varies — a node's recorded partial (read from the
//! node, where the replay left it), a local second derivative of a node whose curvature
//! varies, and *slots* that hold sums and products of those — and adds each entry's
//! constant part into a base matrix. A Hessian is then the base, plus one multiply-add per
//! varying product, scattered into the pattern's positions worked out at build time.
//!
//! Chained Rosenbrock's term x_i² → 100(x_{i+1} − x_i²)² → (1 − x_i)² (three fused nodes)
//! becomes four products: 2·w(x_i²) at (i, i), with w(x_i²) = ∂t/∂(x_i²) the second node's
//! recorded partial; −200·(2x_i) at (i, i+1) and at (i+1, i); 200·(2x_i)² at (i, i), with
//! 2x_i the first node's partial; everything else is in the base.
//!
//! Tapes with wide vector nodes, and programs that would be larger than the lane sweep's
//! work (`Program::build`'s budget), keep the lane sweeps.

use crate::elementary::{eval, Op};
use crate::recording::{Node, TapeData};
use crate::second_order::{local_hessian, local_hessian_at, node_values, through_inner, Cone};
use crate::sparse::{Csc, SparseMatrix};
use crate::sparsity::{curvature, node_curvature, Curvature};
use std::collections::HashMap;
use std::sync::Arc;

/// A varying factor: a node's recorded partial (`2·node + which`) or, with the top bit set,
/// a slot of the program's scratch vector (slot 0 holds 1).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Hash)]
struct Factor(u32);

impl Factor {
    const SLOT: u32 = 1 << 31;
    const ONE: Factor = Factor(Self::SLOT);

    fn partial(node: usize, which: usize) -> Factor {
        Factor((node as u32) << 1 | which as u32)
    }

    fn slot(s: u32) -> Factor {
        Factor(Self::SLOT | s)
    }
}

/// `c · Π factors`, with at most two factors (`Factor::ONE` fills the rest).
#[derive(Clone, Copy, Debug)]
struct Mono {
    c: f64,
    f: [Factor; 2],
}

impl Mono {
    fn degree(&self) -> usize {
        self.f.iter().filter(|&&f| f != Factor::ONE).count()
    }
}

/// A quantity of the program: zero, a constant, a constant times one factor, or a sum being
/// accumulated in a slot of its own.
#[derive(Clone, Copy, Debug)]
enum Q {
    Zero,
    Const(f64),
    Var(f64, Factor),
    /// Owned by the quantity, so further terms are added to the slot; any other slot a
    /// quantity refers to (a `Var`) may be another's, and is copied before it is added to.
    Sum(u32),
}

// A tape's adjoints are held as quantities during a build, one a node.
const _: () = assert!(std::mem::size_of::<Q>() == 16);

impl Q {
    /// `(c, f)` with the quantity equal to c·f (f = 1 for constants).
    #[inline(always)]
    fn parts(self) -> (f64, Factor) {
        match self {
            Q::Zero => (0.0, Factor::ONE),
            Q::Const(c) => (c, Factor::ONE),
            Q::Var(c, f) => (c, f),
            Q::Sum(slot) => (1.0, Factor::slot(slot)),
        }
    }

    /// `self · m` for a product `m` of at most one factor.
    #[inline(always)]
    fn times(self, m: Mono) -> Mono {
        debug_assert!(m.degree() <= 1);
        let (c, f) = self.parts();
        let g = if m.f[0] == Factor::ONE {
            m.f[1]
        } else {
            m.f[0]
        };
        Mono {
            c: c * m.c,
            f: [f, g],
        }
    }

    #[inline(always)]
    fn mono(self) -> Mono {
        self.times_q(Q::Const(1.0))
    }

    #[inline(always)]
    fn times_q(self, other: Q) -> Mono {
        let ((c, f), (d, g)) = (self.parts(), other.parts());
        Mono {
            c: c * d,
            f: [f, g],
        }
    }
}

/// One product: `dst (+)= consts[c] · a · b`. In `Program::steps` `dst` is a slot, written
/// (bit `ADD` clear) or added to; in `Program::terms` it is a position in the values.
#[derive(Clone, Copy, Debug)]
struct Product {
    dst: u32,
    c: u32,
    a: Factor,
    b: Factor,
}

const ADD: u32 = 1 << 31;

/// The local second derivatives of a node v = op(a, u(c)) whose op is quadratic or linear
/// in (a, u), as `Program::run` computes them without evaluating op: op's Hessian
/// `[h_aa, h_au, h_uu]` is constant and its ∂/∂u affine, ∂op/∂u = g + h_au·a + h_uu·u
/// (`g` its value at 0), and `second_order::through_inner` composes them with the inner
/// op's u', u'' at c. `local_hessian`, which the lane sweeps use, evaluates op in dual
/// numbers at every Hessian instead: done that way (through the inner op, twice) chained
/// Rosenbrock's compiled Hessian at n = 10⁵ took 2.9–4.1 ms, against 1.35–1.41 ms with
/// the cached op (1.03–1.10 ms with 3 nodes a term and constant local Hessians, before
/// inner ops; alternating runs).
#[derive(Clone, Copy, Debug)]
struct Inner {
    h: [f64; 3],
    g: f64,
}

impl Inner {
    /// The node's second derivatives at `a` and the inner op's operand `c`.
    #[inline(always)]
    fn hessian(self, code: u8, a: f64, c: f64) -> [f64; 3] {
        let [_, hau, huu] = self.h;
        through_inner(code, c, |u| (self.h, self.g + hau * a + huu * u))
    }
}

/// `Program::inner` of a node without the [`Inner`] shortcut.
const NO_INNER: u32 = u32::MAX;

/// The compiled Hessian of one tape (see the module documentation).
#[derive(Clone, Debug)]
pub(crate) struct Program {
    pattern: Arc<Csc>,
    /// The constant part of every entry.
    base: Vec<f64>,
    consts: Vec<f64>,
    /// Nodes whose local second derivatives vary, and the first of their 1 (unary) or 3
    /// (binary) slots.
    curvatures: Vec<(u32, u32)>,
    /// For each of `curvatures`, the index in `inners` of the node's own op's second
    /// derivatives and ∂/∂u at (0, 0) when the node has an inner op u (`Node::inner`) and
    /// its own op is quadratic or linear (see [`Inner`]); otherwise `NO_INNER`. Indices,
    /// not the values, as a tape's terms share a few: 4 bytes a node to read, not 40.
    inner: Vec<u32>,
    inners: Vec<Inner>,
    /// Slot products, in dependency order: the tangents' (forward), then the adjoints' and
    /// the elements' own (reverse, each once the quantities it reads are final).
    steps: Vec<Product>,
    terms: Vec<Product>,
    slots: usize,
}

impl Program {
    /// The program for output `out`, or `None` when some node is outside its scope (wide
    /// nodes) or it would exceed `budget` products and slots together.
    pub(crate) fn build(
        data: &TapeData,
        cone: &Cone,
        pattern: Arc<Csc>,
        out: usize,
        budget: usize,
    ) -> Option<Program> {
        let nodes = &data.nodes.list;
        if !data.nodes.wide.is_empty() || nodes.len() >= 1 << 30 {
            return None;
        }
        let mut b = Builder {
            nodes,
            consts: &data.nodes.consts,
            program: Program {
                base: vec![0.0; pattern.row_idx.len()],
                pattern,
                consts: Vec::new(),
                curvatures: Vec::new(),
                inner: Vec::new(),
                inners: Vec::new(),
                steps: Vec::new(),
                terms: Vec::new(),
                slots: 1,
            },
            const_index: ConstIndex::default(),
            last_constant: (u64::MAX, 0),
            pending: Vec::new(),
            budget,
            inner_index: HashMap::new(),
        };
        let first = data.first_op();
        let tangents = b.tangents(cone, first)?;
        b.reverse(first, out, &tangents)?;
        Some(b.program)
    }

    /// The Hessian at the tape's current point, written into the storage of `values`;
    /// `scratch` holds the slots and `vals` node values when the tape has none.
    pub(crate) fn run(
        &self,
        data: &TapeData,
        vals: &mut Vec<f64>,
        scratch: &mut Vec<f64>,
        mut values: Vec<f64>,
    ) -> SparseMatrix {
        let nodes = &data.nodes.list[..];
        // Every slot is written before it is read (a step that opens a sum assigns), so
        // the scratch keeps the last Hessian's values instead of being cleared: at n = 10⁶
        // that spares a pass over megabytes per Hessian. Debug builds fill it with NaN, so
        // a read before a write would show in every test.
        let s = scratch;
        s.resize(self.slots, 0.0);
        if cfg!(debug_assertions) {
            s.fill(f64::NAN);
        }
        s[0] = 1.0;
        if !self.curvatures.is_empty() {
            let vals = node_values(data, vals);
            for (&(k, slot), &fixed) in self.curvatures.iter().zip(&self.inner) {
                let node = &nodes[k as usize];
                let h = if fixed == NO_INNER {
                    local_hessian(node, vals, &data.nodes.consts)
                } else {
                    let [a, c] = node.args.map(|o| vals[o as usize]);
                    self.inners[fixed as usize].hessian(node.inner(), a, c)
                };
                let slot = slot as usize;
                // Element by element: a copy of a run-time width is a call to memmove,
                // 28% of the profile once every term's node had a slot group.
                s[slot] = h[0];
                if node.op.is_binary() {
                    s[slot + 1] = h[1];
                    s[slot + 2] = h[2];
                }
            }
        }
        let consts = &self.consts[..];
        let get = |f: Factor, s: &[f64]| {
            if f.0 & Factor::SLOT != 0 {
                s[(f.0 & !Factor::SLOT) as usize]
            } else {
                nodes[(f.0 >> 1) as usize].p[(f.0 & 1) as usize]
            }
        };
        for p in &self.steps {
            let v = consts[p.c as usize] * get(p.a, s) * get(p.b, s);
            let dst = (p.dst & !ADD) as usize;
            if p.dst & ADD != 0 {
                s[dst] += v;
            } else {
                s[dst] = v;
            }
        }
        values.clear();
        values.extend_from_slice(&self.base);
        for p in &self.terms {
            values[p.dst as usize] += consts[p.c as usize] * get(p.a, s) * get(p.b, s);
        }
        SparseMatrix::from_pattern(self.pattern.col_ptr.len() - 1, self.pattern.clone(), values)
    }
}

/// Sparse tangents of the cone's nodes: `(input, quantity)` entries in an arena, sorted by
/// input, node k's at `at[k]`; the dummy node's is empty, input j's the unit entry at
/// `entries[j]`.
struct Tangents {
    entries: Vec<(u32, Q)>,
    at: Vec<(u32, u32)>,
}

impl Tangents {
    fn new(len: usize, n: usize) -> Tangents {
        let mut at = vec![(0, 0); len];
        for (j, at) in at[1..=n].iter_mut().enumerate() {
            *at = (j as u32, 1);
        }
        Tangents {
            entries: (0..n as u32).map(|j| (j, Q::Const(1.0))).collect(),
            at,
        }
    }

    fn of(&self, node: usize) -> &[(u32, Q)] {
        let (start, len) = self.at[node];
        &self.entries[start as usize..(start + len) as usize]
    }
}

/// A hasher for the constants' bit patterns (std's SipHash cost a fifth of building a
/// program): one multiply, whose high bits the table reads.
#[derive(Default)]
struct BitsHasher(u64);

impl std::hash::Hasher for BitsHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys")
    }

    fn write_u64(&mut self, bits: u64) {
        self.0 = (bits ^ (bits >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type ConstIndex = HashMap<u64, u32, std::hash::BuildHasherDefault<BitsHasher>>;

struct Builder<'a> {
    nodes: &'a [Node],
    consts: &'a [f64],
    program: Program,
    const_index: ConstIndex,
    /// The last constant looked up, and its index.
    last_constant: (u64, u32),
    /// An element's products before they are merged (reused from element to element).
    pending: Vec<(u32, Mono)>,
    budget: usize,
    /// Where each distinct [`Inner`] (by bits) sits in `Program::inners`.
    inner_index: HashMap<[u64; 4], u32>,
}

impl Builder<'_> {
    fn size(&self) -> usize {
        let p = &self.program;
        p.steps.len() + p.terms.len() + p.slots + p.curvatures.len()
    }

    fn check(&self) -> Option<()> {
        // Slot numbers must leave the factors' tag bit free.
        (self.size() <= self.budget && self.program.slots < Factor::SLOT as usize).then_some(())
    }

    fn constant(&mut self, c: f64) -> u32 {
        // Products of one kind follow each other (a term's products, a chain's steps).
        let bits = c.to_bits();
        if self.last_constant.0 == bits {
            return self.last_constant.1;
        }
        let consts = &mut self.program.consts;
        let index = *self.const_index.entry(bits).or_insert_with(|| {
            consts.push(c);
            consts.len() as u32 - 1
        });
        self.last_constant = (bits, index);
        index
    }

    fn new_slot(&mut self) -> u32 {
        self.program.slots += 1;
        self.program.slots as u32 - 1
    }

    fn step(&mut self, slot: u32, add: bool, m: Mono) {
        let c = self.constant(m.c);
        let dst = if add { slot | ADD } else { slot };
        self.program.steps.push(Product {
            dst,
            c,
            a: m.f[0],
            b: m.f[1],
        });
    }

    /// A quantity of at most one factor for `m`: a slot when it has two.
    fn single(&mut self, m: Mono) -> Q {
        if m.c == 0.0 {
            return Q::Zero;
        }
        match m.degree() {
            0 => Q::Const(m.c),
            1 => {
                let [a, b] = m.f;
                Q::Var(m.c, if a == Factor::ONE { b } else { a })
            }
            _ => {
                let slot = self.new_slot();
                self.step(slot, false, m);
                Q::Var(1.0, Factor::slot(slot))
            }
        }
    }

    /// `acc + m`: constants folded; a sum of varying terms accumulates in a slot of its own.
    fn accumulate(&mut self, acc: Q, m: Mono) -> Q {
        if m.c == 0.0 {
            return acc;
        }
        match acc {
            Q::Zero if m.degree() == 2 => {
                let slot = self.new_slot();
                self.step(slot, false, m);
                Q::Sum(slot)
            }
            Q::Zero => self.single(m),
            Q::Const(c) if m.degree() == 0 => Q::Const(c + m.c),
            Q::Sum(slot) => {
                self.step(slot, true, m);
                acc
            }
            _ => {
                let slot = self.new_slot();
                self.step(slot, false, acc.mono());
                self.step(slot, true, m);
                Q::Sum(slot)
            }
        }
    }

    /// Node k's partial in operand `which` (2: the folded-in summand), as a quantity:
    /// recorded once when the op's partials are constant.
    fn partial(&self, k: usize, which: usize) -> Q {
        let node = &self.nodes[k];
        if which == 2 {
            Q::Const(1.0)
        } else if node.inner() == 0 && constant_partials(node.op) {
            let p = node.p[which];
            if p == 0.0 {
                Q::Zero
            } else {
                Q::Const(p)
            }
        } else {
            Q::Var(1.0, Factor::partial(k, which))
        }
    }

    /// Node k's operands with their operand numbers (0, 1; 2 for the summand).
    fn operands(&self, k: usize) -> impl Iterator<Item = (usize, usize)> {
        let node = self.nodes[k];
        let b = node.op.is_binary().then_some((node.args[1] as usize, 1));
        let u = (node.acc != 0).then_some((node.acc as usize, 2));
        std::iter::once((node.args[0] as usize, 0))
            .chain(b)
            .chain(u)
    }

    /// Tangents pushed forward through the cone: t_k = Σ ∂k/∂o · t_o, entry by entry.
    fn tangents(&mut self, cone: &Cone, first: usize) -> Option<Tangents> {
        let mut t = Tangents::new(self.nodes.len(), first - 1);
        let mut gathered: Vec<(u32, Mono)> = Vec::new();
        for k in cone.tangent_list() {
            gathered.clear();
            for (o, which) in self.operands(k) {
                let p = self.partial(k, which);
                for &(r, q) in t.of(o) {
                    gathered.push((r, p.times_q(q)));
                }
            }
            gathered.sort_unstable_by_key(|&(r, _)| r);
            let start = t.entries.len();
            let mut i = 0;
            while i < gathered.len() {
                let r = gathered[i].0;
                let mut q = Q::Zero;
                while i < gathered.len() && gathered[i].0 == r {
                    q = self.accumulate(q, gathered[i].1);
                    i += 1;
                }
                if !matches!(q, Q::Zero) {
                    t.entries.push((r, q));
                }
            }
            if t.entries.len() > self.budget.min(u32::MAX as usize) {
                return None;
            }
            t.at[k] = (start as u32, (t.entries.len() - start) as u32);
        }
        self.check()?;
        Some(t)
    }

    /// Adjoints pushed back from the output, w_o += ∂k/∂o · w_k, for the nodes whose
    /// adjoints an element reads (the nonlinear nodes and, transitively, their consumers);
    /// each nonlinear node's element as soon as its adjoint is final.
    fn reverse(&mut self, first: usize, out: usize, tangents: &Tangents) -> Option<()> {
        let len = self.nodes.len();
        let mut needed = vec![false; len];
        for k in first..len {
            needed[k] = !matches!(node_curvature(&self.nodes[k]), Curvature::None)
                || self.operands(k).any(|(o, _)| needed[o]);
        }
        let mut w = vec![Q::Zero; len];
        w[out] = Q::Const(1.0);
        for k in (first..len).rev() {
            let wk = w[k];
            if !needed[k] || matches!(wk, Q::Zero) {
                continue;
            }
            for (o, which) in self.operands(k) {
                if needed[o] {
                    let m = self.partial(k, which).times_q(wk);
                    w[o] = self.accumulate(w[o], m);
                }
            }
            if !matches!(node_curvature(&self.nodes[k]), Curvature::None) {
                self.element(k, wk, tangents)?;
            }
        }
        Some(())
    }

    /// Node k's terms w_k · t_pᵀ h_pq t_q (w_k nonzero), constants into the base.
    fn element(&mut self, k: usize, w: Q, tangents: &Tangents) -> Option<()> {
        let node = self.nodes[k];
        let binary = node.op.is_binary();
        let h: [Q; 3] = if constant_curvature(&node) {
            local_hessian_at(&node, 0.0, 0.0, self.consts).map(|h| {
                if h == 0.0 {
                    Q::Zero
                } else {
                    Q::Const(h)
                }
            })
        } else {
            let slot = self.program.slots as u32;
            self.program.slots += if binary { 3 } else { 1 };
            self.program.curvatures.push((k as u32, slot));
            let own = Node { shape: 0, ..node };
            let fixed =
                if node.inner() != 0 && (constant_curvature(&own) || constant_partials(node.op)) {
                    let c = own.c(self.consts);
                    let (_, _, g) = eval(node.op, 0.0, 0.0, c);
                    let h = local_hessian_at(&own, 0.0, 0.0, self.consts);
                    let key = [h[0], h[1], h[2], g].map(f64::to_bits);
                    let inners = &mut self.program.inners;
                    *self.inner_index.entry(key).or_insert_with(|| {
                        inners.push(Inner { h, g });
                        (inners.len() - 1) as u32
                    })
                } else {
                    NO_INNER
                };
            self.program.inner.push(fixed);
            let at = |i: u32| Q::Var(1.0, Factor::slot(slot + i));
            [at(0), at(1), at(2)]
        };
        let [a, b] = node.args.map(|o| o as usize);
        let pairs: &[(usize, usize, usize)] = if binary {
            &[(a, a, 0), (a, b, 1), (b, a, 1), (b, b, 2)]
        } else {
            &[(a, a, 0)]
        };
        let mut terms = std::mem::take(&mut self.pending);
        terms.clear();
        let mut m = [None; 3];
        for &(p, q, which) in pairs {
            if matches!(h[which], Q::Zero) {
                continue;
            }
            let coefficient = match m[which] {
                Some(c) => c,
                None => {
                    let c = self.single(w.times_q(h[which]));
                    m[which] = Some(c);
                    c
                }
            };
            let (tp, tq) = (tangents.of(p), tangents.of(q));
            for &(row, qe) in tp {
                let mut left = coefficient.times_q(qe);
                let needs_slot = left.degree() == 2
                    && tq
                        .iter()
                        .any(|(_, qf)| !matches!(qf, Q::Const(_) | Q::Zero));
                if needs_slot {
                    left = self.single(left).mono();
                }
                for &(col, qf) in tq {
                    let term = match qf {
                        Q::Zero => continue,
                        Q::Const(c) => Mono {
                            c: left.c * c,
                            ..left
                        },
                        Q::Var(..) | Q::Sum(_) => qf.times(left),
                    };
                    let pos = self.position(row as usize, col as usize)?;
                    terms.push((pos, term));
                }
            }
        }
        // Products landing on one entry with the same factors are one product (a·b and b·a
        // of the cross term, on the diagonal).
        for (_, term) in &mut terms {
            term.f.sort();
        }
        terms.sort_unstable_by_key(|&(pos, term)| (pos, term.f));
        let mut i = 0;
        while i < terms.len() {
            let (pos, mut term) = terms[i];
            i += 1;
            while i < terms.len() && terms[i].0 == pos && terms[i].1.f == term.f {
                term.c += terms[i].1.c;
                i += 1;
            }
            if term.degree() == 0 {
                self.program.base[pos as usize] += term.c;
            } else if term.c != 0.0 {
                let c = self.constant(term.c);
                self.program.terms.push(Product {
                    dst: pos,
                    c,
                    a: term.f[0],
                    b: term.f[1],
                });
            }
        }
        self.pending = terms;
        self.check()
    }

    /// Where entry (row, col) is stored, or `None` if the pattern lacks it (which the
    /// detection rules out; the lane sweeps then answer).
    fn position(&self, row: usize, col: usize) -> Option<u32> {
        let csc = &self.program.pattern;
        let (start, end) = (csc.col_ptr[col], csc.col_ptr[col + 1]);
        let found = csc.row_idx[start..end].binary_search(&row).ok()?;
        u32::try_from(start + found).ok()
    }
}

/// Ops whose partials are the same at every point (the recorded ones stand for all): the
/// linear ones, except those that switch between branches (|x|, max, min, the remainder's
/// ∂/∂b = −trunc(a/b)).
fn constant_partials(op: Op) -> bool {
    matches!(curvature(op), Curvature::None)
        && !matches!(
            op,
            Op::Abs | Op::Max | Op::Min | Op::Rem | Op::Wide | Op::WideOut
        )
}

/// Nodes whose local second derivatives are the same at every point: products and
/// squares.
fn constant_curvature(node: &Node) -> bool {
    if node.inner() != 0 {
        return false;
    }
    match node.op {
        Op::Mul
        | Op::MulAddC
        | Op::Sq
        | Op::SqDiff
        | Op::ScaledSqDiff
        | Op::SqAddC
        | Op::SqRSubC => true,
        // x^n keeps n in its constant slot.
        Op::PowI => (0.0..=2.0).contains(&node.p[1]),
        _ => false,
    }
}
