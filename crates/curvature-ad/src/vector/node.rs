//! The wide node: its side table on the tape, its recording from `Var`s, and the hooks the
//! sweeps call at its head.

use super::matvec::{add_outer, const_product, dense_pullback, dense_value, SharedMatrix};
use super::{reduce, softmax};
use crate::dual::Dual;
use crate::elementary::Op;
use crate::recording::{misuse_two_tapes, with_current, Node, TapeData, GRADIENT_ONLY};
use crate::scalar::Scalar;
use crate::sparsity::IndexSets;
use crate::tangent::{Lanes, Tangent};
use crate::var::Var;
use std::ops::Range;

/// What a wide node computes. Operand layouts: `Dot` `[x; y]`, `Dense` `[W (m·n, row-major);
/// x (n); b (m, if bias)]`, the others just `x`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Sum,
    SumSquares,
    Dot,
    LogSumExp,
    SoftmaxCrossEntropy {
        label: u32,
    },
    /// `A·x`, A = `Table::mats[mat]`.
    MatVec {
        mat: u32,
    },
    /// `W·x + b`; `x_vars`: whether x holds a variable (without, ḡx is not computed).
    Dense {
        m: u32,
        n: u32,
        bias: bool,
        x_vars: bool,
    },
}

/// A run of operands of a wide node.
#[derive(Clone, Copy, Debug)]
enum Seg {
    /// Entries `at..at + len` of `Table::operands` (node indices or [`CONST`]) and of
    /// `Table::vals` (their values).
    Listed { at: u32, len: u32 },
    /// The tape's inputs `first..first + len` (node indices; parameter vectors passed whole),
    /// values in `Table::inputs`: nothing per operand is stored.
    Inputs { first: u32, len: u32 },
}

impl Seg {
    fn len(&self) -> usize {
        match *self {
            Seg::Listed { len, .. } | Seg::Inputs { len, .. } => len as usize,
        }
    }
}

/// One wide node: its kind, its operand runs `segs..segs + nsegs` of `Table::segs` (`len`
/// operands in all), its outputs (the `outs` tape nodes ending at `head`, values at
/// `out_start..` in the table).
#[derive(Clone, Copy, Debug)]
struct WideNode {
    kind: Kind,
    head: u32,
    segs: u32,
    nsegs: u32,
    len: u32,
    outs: u32,
    out_start: u32,
}

impl WideNode {
    fn segs(&self) -> std::ops::Range<usize> {
        self.segs as usize..(self.segs + self.nsegs) as usize
    }
    fn outputs(&self) -> std::ops::Range<usize> {
        let head = self.head as usize;
        head + 1 - self.outs as usize..head + 1
    }
    fn out_vals(&self) -> std::ops::Range<usize> {
        self.out_start as usize..(self.out_start + self.outs) as usize
    }
    /// Whether the node is nonlinear in operand `k` (its place in the layout).
    fn nonlinear_in(&self, k: usize) -> bool {
        match self.kind {
            Kind::Sum | Kind::MatVec { .. } => false,
            Kind::Dense { m, n, .. } => k < (m * n + n) as usize,
            _ => true,
        }
    }
}

/// Marks a constant operand.
const CONST: u32 = u32::MAX;

/// How many filled runs `Table::filled` remembers.
const FILLED_RUNS: usize = 8;

/// The side table of the wide nodes of one tape (a field of `Nodes`).
#[derive(Clone, Debug)]
pub(crate) struct Table {
    nodes: Vec<WideNode>,
    segs: Vec<Seg>,
    /// Listed operands' node indices, [`CONST`] for constants.
    operands: Vec<u32>,
    /// The listed operands' values at the tape's point (constants: their value).
    vals: Vec<f64>,
    /// The tape's input values (at its point) once an `Inputs` run refers to them.
    inputs: Vec<f64>,
    /// The runs of `inputs` filled so far while recording, `(first, len)` (at most
    /// [`FILLED_RUNS`]): a model's parameter runs come back in every example of a chunk, and
    /// copying their values out of the variables again each time was most of recording a
    /// dense layer.
    filled: Vec<(u32, u32)>,
    /// The address range of the input `Var`s handed to the closure being recorded: a slice
    /// inside it is a run of inputs, known without reading its elements.
    vars: (usize, usize),
    /// The outputs' values at the tape's point.
    out: Vec<f64>,
    mats: Vec<SharedMatrix>,
}

impl Table {
    pub(crate) const fn new() -> Table {
        Table {
            nodes: Vec::new(),
            segs: Vec::new(),
            operands: Vec::new(),
            vals: Vec::new(),
            inputs: Vec::new(),
            filled: Vec::new(),
            vars: (0, 0),
            out: Vec::new(),
            mats: Vec::new(),
        }
    }

    /// Whether the tape has no wide nodes (the sweeps then skip their test).
    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.nodes.clear();
        self.segs.clear();
        self.operands.clear();
        self.vals.clear();
        self.inputs.clear();
        self.filled.clear();
        self.vars = (0, 0);
        self.out.clear();
        self.mats.clear();
    }

    /// Notes where the recording's input `Var`s live (they stay put and unchanged while the
    /// closure runs: `record` owns them and lends them out immutably).
    pub(crate) fn input_vars(&mut self, vars: &[Var]) {
        let start = vars.as_ptr() as usize;
        self.vars = (start, start + std::mem::size_of_val(vars));
    }

    /// The first input node of `part` if it is a sub-slice of the recording's input `Var`s.
    fn input_run(&self, part: &[Var]) -> Option<u32> {
        let (lo, hi) = self.vars;
        let at = part.as_ptr() as usize;
        let size = std::mem::size_of::<Var>();
        (at >= lo && at + std::mem::size_of_val(part) <= hi && (at - lo) % size == 0)
            .then(|| ((at - lo) / size) as u32 + 1)
    }

    /// After a replay: the f64 copies of operand and output values from the node values.
    pub(crate) fn refresh(&mut self, vals: &[f64]) {
        for (v, &o) in self.vals.iter_mut().zip(&self.operands) {
            if o != CONST {
                *v = vals[o as usize];
            }
        }
        let n = self.inputs.len();
        self.inputs.copy_from_slice(&vals[1..=n]);
        for w in &self.nodes {
            self.out[w.out_vals()].copy_from_slice(&vals[w.outputs()]);
        }
    }

    /// Calls `f(k, node, value)` for every operand k of `w` (node [`CONST`] for constants).
    fn for_each(&self, w: &WideNode, mut f: impl FnMut(usize, u32, f64)) {
        let mut k = 0;
        for seg in &self.segs[w.segs()] {
            match *seg {
                Seg::Listed { at, len } => {
                    let r = at as usize..(at + len) as usize;
                    for (&o, &v) in self.operands[r.clone()].iter().zip(&self.vals[r]) {
                        f(k, o, v);
                        k += 1;
                    }
                }
                Seg::Inputs { first, len } => {
                    let vals = &self.inputs[first as usize - 1..(first + len) as usize - 1];
                    for (j, &v) in vals.iter().enumerate() {
                        f(k, first + j as u32, v);
                        k += 1;
                    }
                }
            }
        }
    }

    /// The operands' node indices ([`CONST`] for constants).
    fn operand_nodes(&self, w: &WideNode) -> Vec<u32> {
        let mut nodes = Vec::with_capacity(w.len as usize);
        self.for_each(w, |_, o, _| nodes.push(o));
        nodes
    }

    fn node(&self, head: &Node) -> &WideNode {
        // A wide head's constant is its own second slot (no pool entry).
        &self.nodes[head.c(&[]) as usize]
    }

    /// The node's operand values in `S`: from a sweep's `vals`, or with `None` (f64 sweeps
    /// at the tape's point) from the table; constants always from the table.
    fn gather<S: Scalar>(&self, w: &WideNode, vals: Option<&[S]>) -> Vec<S> {
        let mut x = Vec::with_capacity(w.len as usize);
        for seg in &self.segs[w.segs()] {
            match (*seg, vals) {
                (Seg::Listed { at, len }, _) => {
                    let r = at as usize..(at + len) as usize;
                    x.extend(
                        self.operands[r.clone()].iter().zip(&self.vals[r]).map(
                            |(&o, &c)| match vals {
                                Some(vals) if o != CONST => vals[o as usize],
                                _ => S::cst(c),
                            },
                        ),
                    );
                }
                (Seg::Inputs { first, len }, Some(vals)) => {
                    x.extend_from_slice(&vals[first as usize..(first + len) as usize]);
                }
                (Seg::Inputs { first, len }, None) => {
                    let r = first as usize - 1..(first + len) as usize - 1;
                    x.extend(self.inputs[r].iter().map(|&v| S::cst(v)));
                }
            }
        }
        x
    }

    /// The values of operands `range` (positions in the node's layout) in `S`, as
    /// [`Table::gather`] reads them.
    fn gather_range<S: Scalar>(
        &self,
        w: &WideNode,
        range: Range<usize>,
        vals: Option<&[S]>,
    ) -> Vec<S> {
        let mut x = Vec::with_capacity(range.len());
        let mut pos = 0;
        for seg in &self.segs[w.segs()] {
            let (lo, hi) = (range.start.max(pos), range.end.min(pos + seg.len()));
            if lo < hi {
                let r = lo - pos..hi - pos;
                match (*seg, vals) {
                    (Seg::Listed { at, .. }, _) => {
                        let r = at as usize + r.start..at as usize + r.end;
                        let ops = self.operands[r.clone()].iter().zip(&self.vals[r]);
                        x.extend(ops.map(|(&o, &c)| match vals {
                            Some(vals) if o != CONST => vals[o as usize],
                            _ => S::cst(c),
                        }));
                    }
                    (Seg::Inputs { first, .. }, Some(vals)) => {
                        let f = first as usize;
                        x.extend_from_slice(&vals[f + r.start..f + r.end]);
                    }
                    (Seg::Inputs { first, .. }, None) => {
                        let f = first as usize - 1;
                        x.extend(
                            self.inputs[f + r.start..f + r.end]
                                .iter()
                                .map(|&v| S::cst(v)),
                        );
                    }
                }
            }
            pos += seg.len();
        }
        x
    }

    /// The node index of operand `range.start` of `w` when operands `range` are one run of
    /// inputs (their adjoints then lie side by side).
    fn input_span(&self, w: &WideNode, range: Range<usize>) -> Option<usize> {
        let mut pos = 0;
        for seg in &self.segs[w.segs()] {
            if range.start < pos + seg.len() {
                return match *seg {
                    Seg::Inputs { first, .. } if range.end <= pos + seg.len() => {
                        Some(first as usize + range.start - pos)
                    }
                    _ => None,
                };
            }
            pos += seg.len();
        }
        None
    }

    /// `adj[operand k] += g(k − range.start)` for the non-constant operands k in `range`,
    /// without a gradient buffer (runs of inputs are one contiguous loop).
    fn accumulate<S: Scalar>(
        &self,
        w: &WideNode,
        range: Range<usize>,
        adj: &mut [S],
        g: impl Fn(usize) -> S,
    ) {
        let mut pos = 0;
        for seg in &self.segs[w.segs()] {
            let (lo, hi) = (range.start.max(pos), range.end.min(pos + seg.len()));
            if lo < hi {
                match *seg {
                    Seg::Listed { at, .. } => {
                        for k in lo..hi {
                            let o = self.operands[at as usize + k - pos];
                            if o != CONST {
                                adj[o as usize] = adj[o as usize] + g(k - range.start);
                            }
                        }
                    }
                    Seg::Inputs { first, .. } => {
                        let f = first as usize + lo - pos;
                        for (k, a) in (lo..hi).zip(&mut adj[f..f + hi - lo]) {
                            *a = *a + g(k - range.start);
                        }
                    }
                }
            }
            pos += seg.len();
        }
    }

    /// `adj[operand k] += g[k]` for every non-constant operand.
    fn scatter<T: Copy>(&self, w: &WideNode, g: &[T], adj: &mut [T], add: impl Fn(T, T) -> T) {
        let mut k = 0;
        for seg in &self.segs[w.segs()] {
            let len = seg.len();
            let gs = &g[k..k + len];
            k += len;
            match *seg {
                Seg::Listed { at, .. } => {
                    let ops = &self.operands[at as usize..at as usize + len];
                    for (&o, &gk) in ops.iter().zip(gs) {
                        if o != CONST {
                            adj[o as usize] = add(adj[o as usize], gk);
                        }
                    }
                }
                Seg::Inputs { first, .. } => {
                    let a = &mut adj[first as usize..first as usize + len];
                    for (ak, &gk) in a.iter_mut().zip(gs) {
                        *ak = add(*ak, gk);
                    }
                }
            }
        }
    }
}

/// The value rule of every kind, in any scalar: `out = f(x)`.
fn value<S: Scalar>(kind: Kind, mats: &[SharedMatrix], x: &[S], out: &mut [S]) {
    match kind {
        Kind::Sum => out[0] = reduce::sum(x),
        Kind::SumSquares => out[0] = reduce::sum_squares(x),
        Kind::Dot => {
            let (a, b) = x.split_at(x.len() / 2);
            out[0] = reduce::dot(a, b);
        }
        Kind::LogSumExp => out[0] = softmax::logsumexp(x),
        Kind::SoftmaxCrossEntropy { label } => {
            out[0] = softmax::softmax_cross_entropy(x, label as usize)
        }
        Kind::MatVec { mat } => {
            let a = mats[mat as usize].matrix();
            const_product(a.as_slice(), (a.nrows(), a.ncols()), false, x, out);
        }
        Kind::Dense { m, n, bias, .. } => {
            let (m, n) = (m as usize, n as usize);
            let (w, rest) = x.split_at(m * n);
            let (x, b) = rest.split_at(n);
            dense_value(w, x, bias.then_some(b), out);
        }
    }
}

/// The first-order rule of every kind, in any scalar: `gx = Jᵀ w` at operands `x` with
/// outputs `out` (used by the rules that are cheaper given their output).
fn pullback<S: Scalar>(
    kind: Kind,
    mats: &[SharedMatrix],
    x: &[S],
    out: &[S],
    w: &[S],
    gx: &mut [S],
) {
    match kind {
        Kind::Sum => reduce::sum_pullback(w[0], gx),
        Kind::SumSquares => reduce::sum_squares_pullback(x, w[0], gx),
        Kind::Dot => reduce::dot_pullback(x, w[0], gx),
        Kind::LogSumExp => softmax::logsumexp_pullback(x, out[0], w[0], gx),
        Kind::SoftmaxCrossEntropy { label } => {
            softmax::softmax_cross_entropy_pullback(x, label as usize, out[0], w[0], gx)
        }
        Kind::MatVec { mat } => {
            let a = mats[mat as usize].matrix();
            const_product(a.as_slice(), (a.nrows(), a.ncols()), true, w, gx);
        }
        Kind::Dense { m, n, x_vars, .. } => {
            dense_pullback(x, (m as usize, n as usize), x_vars, w, gx)
        }
    }
}

/// Records a wide node of `kind` over the concatenated `parts` with `outs` outputs
/// (`mat`: the constant matrix of a `MatVec`). Constants among the operands are kept as
/// values; with no variable at all nothing is recorded and the outputs are constants.
pub(crate) fn record(
    kind: Kind,
    parts: &[&[Var]],
    mat: Option<&SharedMatrix>,
    outs: usize,
) -> Vec<Var> {
    let tape = parts
        .iter()
        .flat_map(|p| p.iter())
        .map(|v| v.tape)
        .find(|&t| t != 0);
    let mats: Vec<SharedMatrix> = mat.into_iter().cloned().collect();
    let kind = match kind {
        Kind::MatVec { .. } => Kind::MatVec { mat: 0 },
        k => k,
    };
    let Some(tape) = tape else {
        let x: Vec<f64> = parts.iter().flat_map(|p| p.iter()).map(|v| v.val).collect();
        let mut out = vec![0.0; outs];
        value(kind, &mats, &x, &mut out);
        return out.into_iter().map(Var::constant).collect();
    };
    if outs == 0 {
        return Vec::new();
    }
    // On a gradient-only tape a unary result (`Var::scale`) gets a node of its own first:
    // the wide node's rules send their adjoint to each operand with partial 1.
    let copies: Vec<Option<Vec<Var>>> = if tape & GRADIENT_ONLY != 0 {
        with_current(tape, |t| {
            parts.iter().map(|p| unscaled(t, tape, p)).collect()
        })
    } else {
        Vec::new()
    };
    let slices: Vec<&[Var]>;
    let parts = if copies.iter().any(Option::is_some) {
        slices = copies
            .iter()
            .zip(parts)
            .map(|(c, &p)| c.as_deref().unwrap_or(p))
            .collect();
        &slices[..]
    } else {
        parts
    };
    with_current(tape, |t| {
        let n_inputs = t.n_inputs;
        let table = &mut t.nodes.wide;
        let segs = table.segs.len();
        // Where each part's values sit: `(in table.inputs, start, len)`, else in table.vals.
        let mut spans: Vec<(bool, usize, usize)> = Vec::with_capacity(parts.len());
        for part in parts.iter().filter(|p| !p.is_empty()) {
            // A slice of consecutive inputs (a parameter vector passed whole) is stored as a
            // run: no per-operand index or value.
            // Either a sub-slice of the closure's input slice (found by address), or, checked
            // element by element, some other slice of consecutive inputs. Not on a
            // gradient-only recording, where x + c keeps the node of x: there an input's
            // node does not make an input (its operands are listed, with their values).
            let first = part[0].idx;
            let run = table.input_run(part).is_some()
                || (tape & GRADIENT_ONLY == 0
                    && first >= 1
                    && first as usize + part.len() - 1 <= n_inputs
                    && part
                        .iter()
                        .zip(first..)
                        .all(|(v, idx)| v.tape == tape && v.idx == idx));
            if run {
                // The inputs' values, run by run from the variables themselves (a
                // gradient-only recording keeps no copy of its point); a replay rewrites
                // them all.
                if table.inputs.len() != n_inputs {
                    table.inputs.clear();
                    table.inputs.resize(n_inputs, 0.0);
                    table.filled.clear();
                }
                let at = first as usize - 1;
                let len = part.len() as u32;
                let run_vals = &mut table.inputs[at..at + part.len()];
                let filled = table
                    .filled
                    .iter()
                    .any(|&(f, l)| f <= first && first + len <= f + l);
                if !filled {
                    for (slot, v) in run_vals.iter_mut().zip(part.iter()) {
                        *slot = v.val;
                    }
                    if table.filled.len() < FILLED_RUNS {
                        table.filled.push((first, len));
                    }
                }
                spans.push((true, at, part.len()));
                table.segs.push(Seg::Inputs {
                    first,
                    len: part.len() as u32,
                });
                continue;
            }
            spans.push((false, table.vals.len(), part.len()));
            let at = table.operands.len() as u32;
            for v in part.iter() {
                table.operands.push(if v.tape == 0 {
                    CONST
                } else if v.tape == tape {
                    v.idx
                } else {
                    misuse_two_tapes(tape, v.tape)
                });
                table.vals.push(v.val);
            }
            table.segs.push(Seg::Listed {
                at,
                len: part.len() as u32,
            });
        }
        let kind = match kind {
            Kind::MatVec { .. } => {
                table.mats.extend(mats.iter().cloned());
                Kind::MatVec {
                    mat: table.mats.len() as u32 - 1,
                }
            }
            k => k,
        };
        let out_start = table.out.len();
        table.out.resize(out_start + outs, 0.0);
        let (inputs, listed) = (&table.inputs, &table.vals);
        let part_vals: Vec<&[f64]> = spans
            .iter()
            .map(|&(run, at, len)| &(if run { inputs } else { listed })[at..at + len])
            .collect();
        let len = part_vals.iter().map(|p| p.len()).sum::<usize>();
        let out = &mut table.out[out_start..];
        match (kind, &part_vals[..]) {
            // A layer's weights straight from where they are kept: concatenated with the
            // layer's input, a dense node copied all m·n of them at every example.
            (Kind::Dense { m, n, bias, .. }, &[w, x, ref b @ ..])
                if w.len() == (m * n) as usize && x.len() == n as usize =>
            {
                dense_value(w, x, b.first().copied().filter(|_| bias), out)
            }
            (_, &[x]) => value(kind, &table.mats, x, out),
            _ => value(kind, &table.mats, &part_vals.concat(), out),
        }
        let index = table.nodes.len();
        for _ in 1..outs {
            t.nodes.push(Op::WideOut, [0, 0], 0.0, [0.0, 0.0]);
        }
        let head = t.nodes.push(Op::Wide, [0, 0], index as f64, [0.0, 0.0]);
        let table = &mut t.nodes.wide;
        table.nodes.push(WideNode {
            kind,
            head,
            segs: segs as u32,
            nsegs: (table.segs.len() - segs) as u32,
            len: len as u32,
            outs: outs as u32,
            out_start: out_start as u32,
        });
        let first = head as usize + 1 - outs;
        table.out[out_start..]
            .iter()
            .enumerate()
            .map(|(k, &val)| Var {
                val,
                scale: 1.0,
                idx: (first + k) as u32,
                tape,
                acc: 0,
            })
            .collect()
    })
}

/// `part` with each scaled or pending-sum variable of `tape` (a unary result or a sum on a
/// gradient-only tape, `Var::sum`) replaced by a node of its own, x · scale (+ summand) as
/// far as the reverse sweep can tell; `None` when there is none (a run of the inputs, passed
/// whole, is not even scanned).
fn unscaled(t: &mut TapeData, tape: u32, part: &[Var]) -> Option<Vec<Var>> {
    let scaled = |v: &Var| (v.scale != 1.0 || v.acc != 0) && v.tape == tape;
    if t.nodes.wide.input_run(part).is_some() || !part.iter().any(scaled) {
        return None;
    }
    let copy = part.iter().map(|v| {
        if !scaled(v) {
            return *v;
        }
        let idx = if v.acc == 0 {
            t.nodes.push(Op::MulC, [v.idx, 0], v.scale, [v.scale, 0.0])
        } else {
            let (op, args, p) = v.settling();
            t.nodes.push(op, args, 0.0, p)
        };
        Var {
            scale: 1.0,
            idx,
            acc: 0,
            ..*v
        }
    });
    Some(copy.collect())
}

/// Forward-sweep hook: at a head, the outputs' values in `S`.
pub(crate) fn forward<S: Scalar>(table: &Table, code: &Node, i: usize, vals: &mut [S]) {
    if code.op != Op::Wide {
        return;
    }
    let w = table.node(code);
    debug_assert_eq!(w.head as usize, i);
    let x = table.gather(w, Some(&*vals));
    value(w.kind, &table.mats, &x, &mut vals[w.outputs()]);
}

/// Reverse-sweep hook: at a head, `adj[operands] += Jᵀ adj[outputs]` in `S`, operand
/// values from `vals` or (f64 only) the table.
pub(crate) fn reverse<S: Scalar, const CLEAR: bool>(
    table: &Table,
    code: &Node,
    i: usize,
    vals: Option<&[S]>,
    adj: &mut [S],
) {
    if code.op != Op::Wide {
        return;
    }
    let w = table.node(code);
    debug_assert_eq!(w.head as usize, i);
    let outs = w.outputs();
    let wo: Vec<S> = adj[outs.clone()].to_vec();
    if wo.iter().all(S::is_exact_zero) {
        return;
    }
    if CLEAR {
        adj[outs.clone()].fill(S::zero());
    }
    if let Kind::Dense {
        m,
        n,
        bias,
        x_vars: false,
    } = w.kind
    {
        // The dense pullback (ḡW_ij = w_i x_j, ḡb_i = w_i) with a constant x, added into the
        // adjoints in place: W's values are not needed and no gradient buffer is built (the
        // first layer of a network on data).
        let (m, n) = (m as usize, n as usize);
        let x: Vec<S> = table.gather_range(w, m * n..m * n + n, vals);
        if let Some(at) = table.input_span(w, 0..m * n) {
            add_outer(&wo, &x, &mut adj[at..at + m * n]);
        } else {
            for (r, &wr) in wo.iter().enumerate() {
                table.accumulate(w, r * n..(r + 1) * n, adj, |j| x[j] * wr);
            }
        }
        if bias {
            table.accumulate(w, m * n + n..m * n + n + m, adj, |r| wo[r]);
        }
        return;
    }
    let x = table.gather(w, vals);
    let y: Vec<S> = match vals {
        Some(vals) => vals[outs].to_vec(),
        None => table.out[w.out_vals()].iter().map(|&v| S::cst(v)).collect(),
    };
    let mut g = vec![S::zero(); x.len()];
    pullback(w.kind, &table.mats, &x, &y, &wo, &mut g);
    table.scatter(w, &g, adj, |a, b| a + b);
}

/// Operand values at the tape's point with tangents `tan` (constants: zero tangent).
fn dual_operands<E: Tangent<f64>>(table: &Table, w: &WideNode, tan: &[E]) -> Vec<Dual<f64, E>> {
    let mut x = Vec::with_capacity(w.len as usize);
    table.for_each(w, |_, o, v| {
        x.push(Dual::new(
            v,
            if o == CONST {
                E::zeros()
            } else {
                tan[o as usize]
            },
        ));
    });
    x
}

/// Tangent hook (forward mode through the recorded point): the outputs' tangents `J ẋ`, by
/// the value rule run in duals.
pub(crate) fn tangents<E: Tangent<f64>>(table: &Table, code: &Node, i: usize, tan: &mut [E]) {
    if code.op != Op::Wide {
        return;
    }
    let w = table.node(code);
    debug_assert_eq!(w.head as usize, i);
    let x = dual_operands(table, w, tan);
    let mut out = vec![Dual::constant(0.0); w.outs as usize];
    value(w.kind, &table.mats, &x, &mut out);
    for (t, o) in tan[w.outputs()].iter_mut().zip(out) {
        *t = o.eps;
    }
}

/// Cone hook (which nodes the lane sweep of a Hessian visits, see `second_order::Cone`): a
/// head that is nonlinear, or whose outputs' tangents are wanted, marks its outputs for the
/// tangent and reverse passes and its operands for the tangent pass.
pub(crate) fn cone(table: &Table, code: &Node, i: usize, flags: &mut [u8], marks: (u8, u8)) {
    if code.op != Op::Wide {
        return;
    }
    let (tangent, reverse) = marks;
    let w = table.node(code);
    debug_assert_eq!(w.head as usize, i);
    let nonlinear = match w.kind {
        Kind::Sum | Kind::MatVec { .. } => false,
        Kind::Dense { x_vars, .. } => x_vars,
        _ => true,
    };
    if !nonlinear && !w.outputs().any(|o| flags[o] & tangent != 0) {
        return;
    }
    for o in w.outputs() {
        flags[o] |= tangent | reverse;
    }
    table.for_each(w, |_, o, _| {
        if o != CONST {
            flags[o as usize] |= tangent;
        }
    });
}

/// Lane-sweep hook (Hessian columns): with operand tangents ẋ (`tan`), output adjoints w
/// (`adjoint(o)`) and their tangents ẇ (`adj` at the outputs), adds to the operands'
/// adjoint tangents `Jᵀẇ + (∂(Jᵀw)/∂x)·ẋ`: the ε-part of the pullback run in
/// `Dual<f64, Lanes>` — the node's first-order rule differentiated by the recursion.
pub(crate) fn lanes<const N: usize>(
    table: &Table,
    code: &Node,
    i: usize,
    adjoint: impl Fn(usize) -> f64,
    tan: &[Lanes<f64, N>],
    adj: &mut [Lanes<f64, N>],
) {
    if code.op != Op::Wide {
        return;
    }
    let w = table.node(code);
    debug_assert_eq!(w.head as usize, i);
    let outs = w.outputs();
    let wo: Vec<Dual<f64, Lanes<f64, N>>> = outs
        .clone()
        .map(|o| Dual::new(adjoint(o), adj[o]))
        .collect();
    adj[outs.clone()].fill(Lanes::zeros());
    if wo.iter().all(Scalar::is_exact_zero) {
        return;
    }
    let x = dual_operands(table, w, tan);
    let y: Vec<_> = outs
        .zip(&table.out[w.out_vals()])
        .map(|(o, &v)| Dual::new(v, tan[o]))
        .collect();
    let mut g = vec![Dual::constant(0.0); x.len()];
    pullback(w.kind, &table.mats, &x, &y, &wo, &mut g);
    let eps: Vec<Lanes<f64, N>> = g.into_iter().map(|gk| gk.eps).collect();
    table.scatter(w, &eps, adj, |a, b| a.combine(1.0, b, 1.0));
}

/// Sparsity pass 1 hook (reverse): a head marks its operands live when an output is live,
/// and needed (their index sets built) when an output is needed or the node is nonlinear
/// in them.
pub(crate) fn mark_operands(
    table: &Table,
    code: &Node,
    i: usize,
    live: &mut [bool],
    needed: &mut [bool],
) {
    if code.op != Op::Wide {
        return;
    }
    let w = table.node(code);
    debug_assert_eq!(w.head as usize, i);
    let any_live = w.outputs().any(|o| live[o]);
    let any_needed = w.outputs().any(|o| needed[o]);
    if !any_live {
        return;
    }
    table.for_each(w, |k, o, _| {
        if o != CONST {
            live[o as usize] = true;
            if any_needed || w.nonlinear_in(k) {
                needed[o as usize] = true;
            }
        }
    });
}

/// Node o's index set, or none for a constant operand.
fn set_of(sets: &IndexSets, o: u32) -> &[u32] {
    if o == CONST {
        &[]
    } else {
        sets.get(o as usize)
    }
}

/// Sorted union of sets.
fn union<'a>(sets: impl Iterator<Item = &'a [u32]>) -> Vec<u32> {
    let mut u: Vec<u32> = sets.flatten().copied().collect();
    u.sort_unstable();
    u.dedup();
    u
}

/// Sparsity pass 2 hook (forward): at a head, the Hessian pairs the node contributes (when
/// an output is live) and the index sets of its needed outputs. LSE and softmax
/// cross-entropy couple all their operands, a sum of squares each operand with itself, a dot
/// product xᵢ with yᵢ, a dense layer W_ij with x_j; sums and constant matrix products are
/// linear. `None` when the pattern is too dense or over `budget`.
pub(crate) fn pattern(
    table: &Table,
    code: &Node,
    i: usize,
    (live, needed): (&[bool], &[bool]),
    sets: &mut IndexSets,
    pairs: &mut crate::sparsity::Pairs,
) -> Option<()> {
    if code.op != Op::Wide {
        return Some(());
    }
    let w = table.node(code);
    debug_assert_eq!(w.head as usize, i);
    let ops = &table.operand_nodes(w)[..];
    let outs = w.outputs();
    if !outs.clone().any(|o| live[o] || needed[o]) {
        return Some(());
    }
    let all = union(ops.iter().map(|&o| set_of(sets, o)));
    let first_out = outs.start;
    match w.kind {
        Kind::Sum | Kind::MatVec { .. } => {}
        Kind::SumSquares => {
            for &o in ops {
                pairs.full(set_of(sets, o))?;
            }
        }
        Kind::Dot => {
            let (x, y) = ops.split_at(ops.len() / 2);
            for (&a, &b) in x.iter().zip(y) {
                pairs.cross(set_of(sets, a), set_of(sets, b))?;
            }
        }
        Kind::LogSumExp | Kind::SoftmaxCrossEntropy { .. } => {
            if live[first_out] {
                pairs.full(&all)?;
            }
        }
        Kind::Dense { m, n: cols, .. } => {
            let (m, cols) = (m as usize, cols as usize);
            let x = &ops[m * cols..m * cols + cols];
            for r in (0..m).filter(|&r| live[first_out + r]) {
                for (j, &xj) in x.iter().enumerate() {
                    pairs.cross(set_of(sets, ops[r * cols + j]), set_of(sets, xj))?;
                }
            }
        }
    }
    for (k, o) in outs.enumerate() {
        if !needed[o] {
            continue;
        }
        let s = match w.kind {
            Kind::Dense {
                m, n: cols, bias, ..
            } => {
                let (m, cols) = (m as usize, cols as usize);
                let row = &ops[k * cols..(k + 1) * cols];
                let x = &ops[m * cols..m * cols + cols];
                let b = if bias {
                    &ops[m * cols + cols + k..m * cols + cols + k + 1]
                } else {
                    &[]
                };
                union(row.iter().chain(x).chain(b).map(|&o| set_of(sets, o)))
            }
            _ => all.clone(),
        };
        sets.push(o, &s)?;
    }
    Some(())
}
