//! Hessian sparsity: which entries of H can be nonzero, found from the tape, and a column
//! colouring that lets one Hessian-vector product per colour recover all of them.
//!
//! The pattern comes from nonlinear interactions: H = Σ over nodes of the node's adjoint
//! times its local second derivatives chained with the Jacobian of its operands, so an entry
//! (j, k) can be nonzero only if some node that is nonlinear in its operands depends on x_j
//! and x_k through them. Index sets (which inputs a node depends on) are propagated forward,
//! but only for nodes that feed a nonlinear node: long linear chains such as the running sum
//! of a separable objective never build their O(n) sets.
//!
//! Columns that share no row may share a colour (a distance-2 colouring of the column
//! intersection graph). Then H·(Σ_{j of colour c} e_j) holds, in row i, exactly H_ij for the
//! one column j of colour c that row i has — direct recovery, no linear solve. A banded
//! Hessian of half-bandwidth b needs at most 2b + 1 colours at any n. Dense rows (a global
//! parameter coupled to everything: arrowhead patterns) get a colour of their own and are
//! recovered through symmetry, so they do not force the other columns apart.

use crate::elementary::Op;
use crate::recording::{Node, TapeData};

/// The symmetric sparsity pattern of a Hessian, by rows in compressed form: row i's possibly
/// nonzero columns, sorted, are `cols[ptr[i]..ptr[i + 1]]`.
///
/// One flat array rather than a vector per row (which grew by reallocation, n of them), and
/// no vector header per row to keep. With it, and each node's operand union formed once,
/// the first sparse Hessian of chained Rosenbrock (pattern, colouring, assembly tables and
/// the Hessian) went from 164–170 to 150–151 µs at n = 10³ and from 25.1–25.4 to 22.4–24.0
/// ms at 10⁵ (alternating runs). Detection itself is still the larger part of that first
/// call: about 70 µs and 9 ms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pattern {
    ptr: Vec<usize>,
    cols: Vec<u32>,
}

impl Pattern {
    /// The pattern holding `entries` (i, j) and their mirror images (j, i): a counting sort
    /// by row, then each row sorted and deduplicated in place.
    pub(crate) fn from_entries(n: usize, entries: &[[u32; 2]]) -> Pattern {
        let mut ptr = vec![0usize; n + 1];
        for &[i, j] in entries {
            ptr[i as usize + 1] += 1;
            if i != j {
                ptr[j as usize + 1] += 1;
            }
        }
        for r in 0..n {
            ptr[r + 1] += ptr[r];
        }
        let mut next = ptr.clone();
        let mut cols = vec![0u32; ptr[n]];
        let mut put = |row: u32, col: u32| {
            let k = &mut next[row as usize];
            cols[*k] = col;
            *k += 1;
        };
        for &[i, j] in entries {
            put(i, j);
            if i != j {
                put(j, i);
            }
        }
        // Compact each row behind the previous one's end, rewriting `ptr` as it goes.
        let mut kept = 0;
        for r in 0..n {
            let (start, end) = (ptr[r], ptr[r + 1]);
            cols[start..end].sort_unstable();
            ptr[r] = kept;
            for k in start..end {
                if k == start || cols[k] != cols[k - 1] {
                    cols[kept] = cols[k];
                    kept += 1;
                }
            }
        }
        ptr[n] = kept;
        cols.truncate(kept);
        Pattern { ptr, cols }
    }

    /// The dimension n.
    pub(crate) fn dim(&self) -> usize {
        self.ptr.len() - 1
    }

    /// Number of entries (both triangles).
    pub(crate) fn nnz(&self) -> usize {
        self.cols.len()
    }

    /// The columns of row i, sorted.
    pub(crate) fn row(&self, i: usize) -> &[u32] {
        &self.cols[self.ptr[i]..self.ptr[i + 1]]
    }

    /// The rows in order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = &[u32]> + '_ {
        self.ptr.windows(2).map(|w| &self.cols[w[0]..w[1]])
    }
}

/// The Hessian entries the sparsity sweep has found, one triangle's worth (the pattern adds
/// the mirror images), and the budget that stops the sweep where H is too dense for
/// colouring to pay.
pub(crate) struct Pairs {
    n: usize,
    budget: usize,
    /// Entries of both triangles counted so far, as the budget counts them.
    count: usize,
    entries: Vec<[u32; 2]>,
    /// The set of the last `full` block, and where that block starts in `entries` while it
    /// is the last thing pushed (`usize::MAX` otherwise). Chains of nonlinear nodes over the
    /// same few inputs repeat their pairs (chained Rosenbrock: x_i², then
    /// 100(x_{i+1} − x_i²)² over {i, i+1}, then (1 − x_i)² over {i} again): a block whose set
    /// lies inside the last one adds nothing, and one whose set holds the last one replaces
    /// it.
    last: Vec<u32>,
    last_at: usize,
}

impl Pairs {
    pub(crate) fn new(n: usize, budget: usize) -> Pairs {
        Pairs {
            n,
            budget,
            count: 0,
            entries: Vec::new(),
            last: Vec::new(),
            last_at: usize::MAX,
        }
    }

    /// Entries deps(a) × deps(b) (and their mirror images), as a product a·b adds them;
    /// `None` when the block is too dense or over budget.
    pub(crate) fn cross(&mut self, sa: &[u32], sb: &[u32]) -> Option<()> {
        // Both factors depending on more than half the inputs make a dense block (colouring
        // would need > n/2 colours): stop early.
        if 2 * sa.len().min(sb.len()) > self.n {
            return None;
        }
        self.spend(2 * sa.len() * sb.len())?;
        self.last_at = usize::MAX;
        for &j in sa {
            self.entries.extend(sb.iter().map(|&k| [j, k]));
        }
        Some(())
    }

    /// Entries s × s, as a node nonlinear in operands depending on s adds them; `None`
    /// when the block is too dense or over budget.
    pub(crate) fn full(&mut self, s: &[u32]) -> Option<()> {
        if 2 * s.len() > self.n {
            return None;
        }
        if self.last_at != usize::MAX {
            if subset(s, &self.last) {
                return Some(());
            }
            if subset(&self.last, s) {
                self.entries.truncate(self.last_at);
                self.count -= self.last.len() * self.last.len();
            }
        }
        self.spend(s.len() * s.len())?;
        self.last_at = self.entries.len();
        self.last.clear();
        self.last.extend_from_slice(s);
        for (k, &j) in s.iter().enumerate() {
            self.entries.extend(s[k..].iter().map(|&i| [j, i]));
        }
        Some(())
    }

    fn spend(&mut self, entries: usize) -> Option<()> {
        self.count += entries;
        (self.count <= self.budget).then_some(())
    }

    pub(crate) fn pattern(self) -> Pattern {
        Pattern::from_entries(self.n, &self.entries)
    }
}

/// A pattern with a colouring of its columns.
#[derive(Clone, Debug)]
pub(crate) struct Coloring {
    pub(crate) pattern: Pattern,
    pub(crate) colors: Vec<u32>,
    pub(crate) num_colors: usize,
    /// Rows (and, by symmetry, columns) with a colour of their own.
    pub(crate) dense: Vec<bool>,
    /// The CSC structure of the Hessian and where each entry is read, built at the first
    /// assembly (see `pattern::Assembly`).
    pub(crate) assembly: std::sync::OnceLock<crate::pattern::Assembly>,
}

/// How an operation's second derivatives couple its operands.
pub(crate) enum Curvature {
    /// Linear (or piecewise linear): no second derivatives.
    None,
    /// Only the cross term a·b: pairs deps(a) × deps(b).
    Cross,
    /// Anything else: pairs (deps(a) ∪ deps(b))².
    Full,
    /// A linear op of a and g(b), g a fused inner op: pairs deps(b)² alone.
    Second,
    /// A product a·g(b), g a fused inner op: deps(a) × deps(b) and deps(b)².
    CrossSecond,
}

/// [`curvature`] of a recorded node. A node with an inner op g (`Node::inner`) computes
/// op(a, g(b)), which adds g's curvature in b alone to op's own: a linear op then couples
/// b's dependencies only among themselves, not with a's. (Counting such a node as `Full`
/// had made the fused tape of DQDRTIC, Σ x² + 100 y² + 100 z² whose Hessian is diagonal,
/// take 5 colours and 5n entries instead of 1 and n.)
pub(crate) fn node_curvature(node: &Node) -> Curvature {
    match (node.inner() != 0, curvature(node.op)) {
        (false, kind) => kind,
        (true, Curvature::None) => Curvature::Second,
        (true, Curvature::Cross) => Curvature::CrossSecond,
        (true, _) => Curvature::Full,
    }
}

pub(crate) fn curvature(op: Op) -> Curvature {
    match op {
        _ if op.is_piecewise() => Curvature::None,
        Op::Input
        | Op::Const
        | Op::Neg
        | Op::AddC
        | Op::MulC
        | Op::RSubC
        | Op::DivC
        | Op::Add
        | Op::Sub
        | Op::Wide
        | Op::WideOut
        | Op::AddMulC
        | Op::Affine => Curvature::None,
        Op::Mul | Op::MulAddC => Curvature::Cross,
        _ => Curvature::Full,
    }
}

/// The Hessian pattern of output node `out`, or `None` when the index sets or the pairs
/// exceed `budget` entries (the Hessian is then too dense for colouring to pay).
pub(crate) fn hessian_pattern(data: &TapeData, out: usize, budget: usize) -> Option<Pattern> {
    let code = &data.nodes.list;
    let len = code.len();
    let first = data.first_op();
    let n = data.n_inputs;
    // Nodes that reach the output, and among them the ones whose index sets are needed.
    let mut live = vec![false; len];
    let mut needed = vec![false; len];
    live[out] = true;
    for i in (first..len).rev() {
        if code[i].op.is_wide() {
            crate::vector::mark_operands(&data.nodes.wide, &code[i], i, &mut live, &mut needed);
            continue;
        }
        if !live[i] {
            continue;
        }
        let [a, b] = code[i].args;
        let binary = code[i].op.is_binary();
        // A folded-in summand (`Node::acc`) is linear: live and needed like the node.
        let acc = code[i].acc as usize;
        live[a as usize] = true;
        live[acc] = true;
        if binary {
            live[b as usize] = true;
        }
        match node_curvature(&code[i]) {
            Curvature::None => {}
            Curvature::Second => needed[b as usize] = true,
            _ => {
                needed[a as usize] = true;
                if binary {
                    needed[b as usize] = true;
                }
            }
        }
        if needed[i] {
            needed[a as usize] = true;
            needed[acc] = true;
            if binary {
                needed[b as usize] = true;
            }
        }
    }
    let mut sets = IndexSets::new(len, budget);
    for j in 0..n {
        if needed[j + 1] {
            sets.push(j + 1, &[j as u32])?;
        }
    }
    let mut pairs = Pairs::new(n, budget);
    let mut scratch: Vec<u32> = Vec::new();
    let mut summand: Vec<u32> = Vec::new();
    for i in first..len {
        if code[i].op.is_wide() {
            let marks = (&live[..], &needed[..]);
            crate::vector::pattern(&data.nodes.wide, &code[i], i, marks, &mut sets, &mut pairs)?;
            continue;
        }
        if !(needed[i] || live[i]) {
            continue;
        }
        let Some(node) = code.get(i) else { break };
        let [a, b] = node.args;
        let (a, b) = (a as usize, b as usize);
        let binary = node.op.is_binary();
        let kind = node_curvature(node);
        // The operands' union, once for both uses below.
        let full = live[i] && matches!(kind, Curvature::Full);
        if full || needed[i] {
            scratch.clear();
            let sb = if binary { sets.get(b) } else { &[] };
            merge(sets.get(a), sb, &mut scratch);
        }
        if full {
            pairs.full(&scratch)?;
        } else if live[i] {
            match kind {
                Curvature::Cross => pairs.cross(sets.get(a), sets.get(b))?,
                Curvature::Second => pairs.full(sets.get(b))?,
                Curvature::CrossSecond => {
                    pairs.cross(sets.get(a), sets.get(b))?;
                    pairs.full(sets.get(b))?;
                }
                Curvature::None | Curvature::Full => {}
            }
        }
        if needed[i] {
            let acc = node.acc as usize;
            if acc != 0 {
                // The node's dependencies include its folded-in summand's.
                merge(&scratch, sets.get(acc), &mut summand);
                std::mem::swap(&mut scratch, &mut summand);
                summand.clear();
            }
            sets.push(i, &scratch)?;
        }
    }
    Some(pairs.pattern())
}

/// The index sets of the sparsity sweep (the inputs each needed node depends on), in one
/// arena in node order: set(i) = `store[end[i − 1]..end[i]]`, a node without one holding an
/// empty range. Four bytes a node where a `usize` start and end per node took sixteen: at
/// n = 10⁶ (8·10⁶ nodes) that was 128 MB of fresh pages to fault in for a pass whose own
/// work is a few nanoseconds a node.
pub(crate) struct IndexSets {
    end: Vec<u32>,
    /// `end[..=filled]` is written; nodes above have no set yet.
    filled: usize,
    store: Vec<u32>,
    /// The most members the sets may hold: the sweep's budget, and at most what u32 offsets
    /// address (2³² members, 16 GiB of sets, count as too dense to colour).
    limit: usize,
}

impl IndexSets {
    pub(crate) fn new(len: usize, budget: usize) -> IndexSets {
        IndexSets {
            end: vec![0; len],
            filled: 0,
            store: Vec::new(),
            limit: budget.min(u32::MAX as usize),
        }
    }

    /// Node o's set (empty for a node without one).
    #[inline]
    pub(crate) fn get(&self, o: usize) -> &[u32] {
        if o == 0 || o > self.filled {
            return &[];
        }
        &self.store[self.end[o - 1] as usize..self.end[o] as usize]
    }

    /// Gives node i, above every node given one so far, the set s; `None` past the limit.
    pub(crate) fn push(&mut self, i: usize, s: &[u32]) -> Option<()> {
        debug_assert!(i > self.filled, "sets are given in node order");
        if self.store.len() + s.len() > self.limit {
            return None;
        }
        let at = self.store.len() as u32;
        self.end[self.filled + 1..i].fill(at);
        self.store.extend_from_slice(s);
        self.end[i] = self.store.len() as u32;
        self.filled = i;
        Some(())
    }
}

/// Whether every member of the sorted list `a` is in the sorted list `b`.
fn subset(a: &[u32], b: &[u32]) -> bool {
    let mut rest = b.iter();
    a.iter().all(|x| rest.any(|y| y == x))
}

/// Sorted union of two sorted lists.
fn merge(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        out.push(x.min(y));
        i += (x <= y) as usize;
        j += (y <= x) as usize;
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
}

/// Greedy distance-2 colouring of the columns, with dense rows split off.
///
/// Columns that share a row get different colours, except through *dense* rows (more than
/// four times the average row length): a dense row i would force all its columns apart, so
/// instead column i gets a colour of its own and row i's entries are recovered by symmetry,
/// H_ij = H_ji = (H·s_{colour(i)})_j. An arrowhead Hessian then takes 2 colours instead of n.
pub(crate) fn color(pattern: Pattern) -> Coloring {
    let n = pattern.dim();
    let average = pattern.nnz() / n.max(1);
    let limit = (4 * average).max(8);
    let dense: Vec<bool> = pattern.rows().map(|r| r.len() > limit).collect();
    let mut colors = vec![u32::MAX; n];
    let mut num_colors = 0usize;
    for j in (0..n).filter(|&j| dense[j]) {
        colors[j] = num_colors as u32;
        num_colors += 1;
    }
    let reserved = num_colors;
    // stamp[c] == j + 1 marks colour c as taken by a neighbour of column j.
    let mut stamp: Vec<usize> = vec![0; num_colors];
    for j in (0..n).filter(|&j| !dense[j]) {
        // By symmetry the rows where column j is nonzero are the columns of row j.
        for &r in pattern.row(j).iter().filter(|&&r| !dense[r as usize]) {
            for &k in pattern.row(r as usize) {
                let c = colors[k as usize];
                if c != u32::MAX {
                    stamp[c as usize] = j + 1;
                }
            }
        }
        let c = (reserved..num_colors)
            .find(|&c| stamp[c] != j + 1)
            .unwrap_or_else(|| {
                stamp.push(0);
                num_colors += 1;
                num_colors - 1
            });
        colors[j] = c as u32;
    }
    Coloring {
        assembly: std::sync::OnceLock::new(),
        pattern,
        colors,
        num_colors,
        dense,
    }
}

impl Coloring {
    /// Which colour class and which row of its product hold H_ij: column j's class at row
    /// i, or, for a dense row i, row i's own class at row j (by symmetry).
    pub(crate) fn locate(&self, i: usize, j: usize) -> (usize, usize) {
        if self.dense[i] && !self.dense[j] {
            (self.colors[i] as usize, j)
        } else {
            (self.colors[j] as usize, i)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::record;
    use crate::var::Var;
    use num_traits::Float;

    fn pattern_of(f: impl FnOnce(&[Var]) -> Var, n: usize) -> Pattern {
        let x: Vec<f64> = (0..n).map(|i| 0.3 + i as f64 * 0.1).collect();
        let (data, _) = record(&x, f, |o| vec![*o]);
        hessian_pattern(&data, data.outputs[0] as usize, usize::MAX).unwrap()
    }

    #[test]
    fn entries_are_mirrored_sorted_and_deduplicated_by_row() {
        // (2, 0) twice and (0, 2) once are one entry and its mirror; (1, 1) is diagonal;
        // row 3 has nothing.
        let p = Pattern::from_entries(4, &[[2, 0], [1, 1], [0, 2], [2, 0], [2, 1]]);
        let rows: Vec<&[u32]> = p.rows().collect();
        assert_eq!(rows, [&[2][..], &[1, 2], &[0, 1], &[]]);
        assert_eq!((p.dim(), p.nnz()), (4, 5));
    }

    #[test]
    fn repeated_blocks_of_pairs_are_kept_once() {
        let mut pairs = Pairs::new(8, usize::MAX);
        pairs.full(&[1]).unwrap();
        // Holds {1}: replaces its block.
        pairs.full(&[0, 1, 2]).unwrap();
        assert_eq!(pairs.entries.len(), 6);
        // Inside {0, 1, 2}: nothing new.
        pairs.full(&[1, 2]).unwrap();
        assert_eq!(pairs.entries.len(), 6);
        // After a cross block the last full block is no longer the last thing pushed.
        pairs.cross(&[5], &[6]).unwrap();
        pairs.full(&[0]).unwrap();
        assert_eq!(pairs.entries.len(), 8);
        pairs.full(&[3, 4]).unwrap();
        let p = pairs.pattern();
        let rows: Vec<&[u32]> = p.rows().collect();
        assert_eq!(
            rows,
            [
                &[0, 1, 2][..],
                &[0, 1, 2],
                &[0, 1, 2],
                &[3, 4],
                &[3, 4],
                &[6],
                &[5],
                &[]
            ]
        );
    }

    #[test]
    fn chained_rosenbrock_is_tridiagonal_and_needs_three_colours() {
        let n = 50;
        let p = pattern_of(
            |x| {
                (0..n - 1)
                    .map(|i| 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2))
                    .fold(Var::constant(0.0), |s, t| s + t)
            },
            n,
        );
        for (i, row) in p.rows().enumerate() {
            let expect: Vec<u32> = (i.saturating_sub(1)..(i + 2).min(n))
                .map(|j| j as u32)
                .collect();
            assert_eq!(row, &expect[..], "row {i}");
        }
        assert_eq!(color(p).num_colors, 3);
    }

    #[test]
    fn linear_terms_and_products_give_exactly_their_pairs() {
        // f = 3·x0 + x1·x2 + sin(x3): H has (1,2), (2,1) and (3,3) only.
        let p = pattern_of(|x| x[0] * 3.0 + x[1] * x[2] + x[3].sin(), 4);
        let rows: Vec<&[u32]> = p.rows().collect();
        assert_eq!(rows, [&[][..], &[2], &[1], &[3]]);
        // No two columns share a row: one HVP with (1, 1, 1, 1) recovers all three entries.
        assert_eq!(color(p).num_colors, 1);
    }

    #[test]
    fn arrowhead_pattern() {
        // f = Σ_i x0·x_i²: ∂²f/∂x0² = 0, ∂²f/∂x0∂x_i = 2x_i, ∂²f/∂x_i² = 2x0.
        let n = 30;
        let p = pattern_of(
            |x| {
                (1..n)
                    .map(|i| x[0] * x[i] * x[i])
                    .fold(Var::constant(0.0), |s, t| s + t)
            },
            n,
        );
        assert_eq!(p.row(0), (1..n as u32).collect::<Vec<_>>());
        assert_eq!(p.row(7), [0, 7]);
        // Row 0 is dense: column 0 gets its own colour, and every other column can share one
        // (their rows {0, i} meet only in the dense row).
        assert_eq!(color(p).num_colors, 2);
    }
}
