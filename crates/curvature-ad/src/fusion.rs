//! A pass over a finished recording that fuses single-use chains of scalar nodes into one
//! node each, so that every later sweep of the tape (replays, gradients, HVPs, Hessians)
//! visits fewer nodes.
//!
//! Recording cannot fuse: when `(a − b).powi(2)` is recorded, the difference may still be used
//! again. Once the closure has returned, every node's uses are known, and a chain whose
//! inner node has exactly one use can become one node:
//!
//! | recorded | fused |
//! |---|---|
//! | `Sub(a, b)` → `Sq` | `SqDiff(a, b)` = (a − b)² |
//! | `SqDiff(a, b)` → `MulC c` | `ScaledSqDiff c (a, b)` = c·(a − b)² |
//! | `AddC c (x)` → `Sq` | `SqAddC c (x)` = (x + c)² |
//! | `RSubC c (x)` → `Sq` | `SqRSubC c (x)` = (c − x)² |
//! | `MulC c (t)` → `Add(·, u)` (either side) | `AddMulC c (t, u)` = c·t + u |
//! | `MulC s (x)` → `AddC c` / `RSubC c` | `Affine (s, c) (x)` = x·s + c / x·(−s) + c |
//! | `Mul(a, b)` → `AddC c` | `MulAddC c (a, b)` = a·b + c |
//! | `MulC c (t)` → `Sub(u, ·)`, not squared | `AddMulC −c (t, u)` = −c·t + u |
//! | `Neg` → `MulC c` / `AddC c` / `RSubC c` | `MulC −c` / `RSubC c` / `AddC c` |
//! | any t → `Add(·, u)` (either side) | t's node with summand u (`Node::acc`) = t + u |
//! | x², √x, eˣ, ln x, 1/x, sin x, cos x as the second operand b of any binary node (or as a product's first, the operands swapped) | the node reading x, with that op applied to it first (`Node::inner`) |
//!
//! A fused node computes its value by the same floating-point operations, in the same order,
//! as the pair it replaces, and its partials at the recorded point are the chain rule's
//! products of the pair's recorded partials; the elementary rules of the fused ops live with
//! the others in `elementary`. The last form is what makes a sum of terms, the shape of most
//! losses, cost no node for its additions: the summand rides in the term's node as a third
//! operand with partial 1, which every sweep adds (the forward pass branch-free). Chained
//! Rosenbrock drops from 8 nodes a term to 2: 100·(x_{i+1} − x_i²)² reading x_i and squaring
//! it as its inner op, carrying the running sum, then (1 − x_i)² carrying that.
//!
//! The inner op takes the node's top three shape bits (`crate::shape`), so the node stays
//! 32 bytes; the forward pass applies it (a test of the code, taken only by such nodes),
//! and its rule is the op's own in `elementary`, run in whatever scalar the sweep runs in,
//! so HVPs and the Hessians' local second derivatives get the chain rule through it for
//! free. The reverse sweep does not see it: the recorded partial is already the product.
//! Chained Rosenbrock, measured side by side against 3 nodes a term (Xeon, best of four
//! alternating runs): gradient sweep 7.4 → 3.9 µs at n = 10³ and 849 → 479 µs at 10⁵,
//! replay + gradient 14.6 → 10.4 µs and 1.60 → 1.20 ms, HVP 21.7 → 17.5 µs and 2.50 →
//! 2.03 ms; the replay alone 7.0 → 6.8 µs and 737 → 690 µs (fewer nodes, each with more
//! work). The sparse Hessian alone got slower (bench, 10⁵: 1.06–1.12 → 1.37–1.65 ms): the
//! term's node has run-time local second derivatives where x² and c·(a − b)² had constant
//! ones.
//!
//! A weighted square c·(a − b)², the term of weighted least squares, has two partials that
//! change with the point and a constant, one slot too many for the 32-byte node: its
//! constant goes to a per-tape pool (`Nodes::consts`), indexed by a `u16` in the node's
//! padding. A tape with more than 65 536 distinct weights keeps the rest of its terms as two
//! nodes, `SqDiff` then `AddMulC`.
//!
//! The same pass drops dead nodes: values no output or guard depends on (a quantity
//! computed for a log line, the unused half of a branch-free select). Their adjoints are
//! zero, so every sweep would only have skipped them.
//!
//! Tapes with wide vector nodes are left as they are (their side table holds node indices).

use crate::elementary::{Op, INNER};
use crate::recording::{Node, Operand, TapeData};

/// Drops the recording's dead nodes and fuses its single-use chains, in place; returns how
/// many nodes that removed.
pub(crate) fn fuse(data: &mut TapeData) -> usize {
    if !data.nodes.wide.is_empty() {
        return 0;
    }
    let first = data.first_op();
    let list = &mut data.nodes.list;
    let consts = &mut data.nodes.consts;
    let mut pool = Pool::default();
    let len = list.len();
    // Uses of each node by live nodes, saturating at 2 (only "exactly one" matters); outputs
    // and guards count as two, so they are never fused away. Counted backwards, a node's
    // count is final when the pass reaches it (its consumers come after it), and a node
    // still at 0 then is dead: no output or guard depends on it, and it is dropped. Bytes,
    // not words: at 10⁷ nodes the pass's buffers are what it costs (page faults), not its
    // loops.
    let mut uses = vec![0u8; len];
    for &o in &data.outputs {
        uses[o as usize] = 2;
    }
    for guard in &data.guards {
        for operand in [guard.lhs, guard.rhs] {
            if let Operand::Node(k) = operand {
                uses[k as usize] = 2;
            }
        }
    }
    for i in (first..len).rev() {
        if uses[i] == 0 {
            continue;
        }
        let node = list[i];
        let mut use_node = |k: u32| {
            let u = &mut uses[k as usize];
            *u = (*u + 1).min(2);
        };
        use_node(node.args[0]);
        if node.op.is_binary() {
            use_node(node.args[1]);
        }
        if node.acc != 0 {
            use_node(node.acc);
        }
    }
    // A dropped node (dead, or fused into its consumer) is marked by a use count no live
    // node can have.
    const DEAD: u8 = u8::MAX;
    let mut removed = 0;
    // `plain(k)`: an operation node whose only use is the node being rewritten, and that
    // carries no folded-in summand (a fused op would drop it).
    let plain = |k: u32, uses: &[u8], list: &[Node]| {
        let k = k as usize;
        k >= first && uses[k] == 1 && list[k].acc == 0
    };
    for i in first..len {
        if uses[i] == 0 {
            uses[i] = DEAD;
            removed += 1;
            continue;
        }
        let node = list[i];
        // u − c·t, a single-use `Sub` whose second operand is a single-use `MulC`, becomes
        // c'·t + u with c' = −c (the same IEEE result: t·(−c) is −(t·c) exactly) — unless
        // the difference is squared, where (u − c·t)² stays `MulC` then `SqDiff`, which a
        // weight folds into further. Rewritten here, at its consumer, which is when the
        // square is known.
        if node.op != Op::Sq {
            let operands = if node.op.is_binary() { 2 } else { 1 };
            for &m in &node.args[..operands] {
                // The op first: most operands are no difference. With the use count tested
                // first the pass took 13.4 against 11.6 ms on extended Wood at n = 10⁵
                // (11.4 ms without this rewrite; best of 6).
                let sub = list[m as usize];
                if sub.op != Op::Sub || sub.inner() != 0 || !plain(m, &uses, list) {
                    continue;
                }
                let t = sub.args[1];
                if list[t as usize].op == Op::MulC && plain(t, &uses, list) {
                    let scaled = list[t as usize];
                    let c = -scaled.c(consts);
                    list[m as usize] =
                        Node::new(Op::AddMulC, [scaled.args[0], sub.args[0]], [c, sub.p[0]]);
                    uses[t as usize] = DEAD;
                    removed += 1;
                }
            }
        }
        let fused = match node.op {
            Op::Sq if plain(node.args[0], &uses, list) => {
                let inner = list[node.args[0] as usize];
                // ∂(u²)/∂u at the point, times the inner node's partials.
                let outer = node.p[0];
                match inner.op {
                    // (The difference's inner op, if it has one, stays with its operands.)
                    Op::Sub => Some((
                        node.args[0],
                        Node {
                            shape: inner.shape,
                            ..Node::new(
                                Op::SqDiff,
                                inner.args,
                                [outer * inner.p[0], outer * inner.p[1]],
                            )
                        },
                    )),
                    Op::AddC | Op::RSubC => Some((
                        node.args[0],
                        Node::new(
                            if inner.op == Op::AddC {
                                Op::SqAddC
                            } else {
                                Op::SqRSubC
                            },
                            inner.args,
                            [outer * inner.p[0], inner.c(consts)],
                        ),
                    )),
                    _ => None,
                }
            }
            Op::AddC | Op::RSubC if plain(node.args[0], &uses, list) => {
                let m = node.args[0];
                let inner = list[m as usize];
                let c = node.c(consts);
                match inner.op {
                    // −x + c is c − x, and c − (−x) is x + c (negation is exact).
                    Op::Neg => {
                        let (op, d) = if node.op == Op::AddC {
                            (Op::RSubC, -1.0)
                        } else {
                            (Op::AddC, 1.0)
                        };
                        Some((m, Node::new(op, inner.args, [d, c])))
                    }
                    // x·s + c, and c − x·s as x·(−s) + c (the same IEEE result).
                    Op::MulC => {
                        let s = inner.c(consts);
                        let slope = if node.op == Op::AddC { s } else { -s };
                        Some((m, Node::new(Op::Affine, inner.args, [slope, c])))
                    }
                    // a·b + c: both partials vary, so c goes to the constant pool. (The
                    // product's inner op, if it has one, stays with its operands.)
                    Op::Mul if node.op == Op::AddC => pool.index(c, consts).map(|k| {
                        let fused = Node::new(Op::MulAddC, inner.args, inner.p);
                        let shape = inner.shape;
                        (m, Node { k, shape, ..fused })
                    }),
                    _ => None,
                }
            }
            // (−x)·c is x·(−c) exactly: `-b * t`, as models write a decay.
            Op::MulC
                if plain(node.args[0], &uses, list)
                    && list[node.args[0] as usize].op == Op::Neg =>
            {
                let m = node.args[0];
                let c = -node.c(consts);
                Some((m, Node::new(Op::MulC, list[m as usize].args, [c, c])))
            }
            Op::MulC
                if plain(node.args[0], &uses, list)
                    && list[node.args[0] as usize].op == Op::SqDiff =>
            {
                let inner = list[node.args[0] as usize];
                let c = node.c(consts);
                // c·(a − b)²: both partials vary, so c goes to the constant pool.
                pool.index(c, consts).map(|k| {
                    let p = [c * inner.p[0], c * inner.p[1]];
                    let fused = Node::new(Op::ScaledSqDiff, inner.args, p);
                    let shape = inner.shape;
                    (node.args[0], Node { k, shape, ..fused })
                })
            }
            Op::Add => [0, 1]
                .into_iter()
                .find_map(|side| {
                    let m = node.args[side];
                    let inner = list[m as usize];
                    (plain(m, &uses, list) && inner.op == Op::MulC).then(|| {
                        let c = inner.c(consts);
                        (
                            m,
                            Node::new(
                                Op::AddMulC,
                                [inner.args[0], node.args[1 - side]],
                                // ∂/∂t = 1·c and ∂/∂u = 1: c itself in the first slot, as the
                                // op's constant.
                                [c, node.p[1 - side]],
                            ),
                        )
                    })
                })
                .or_else(|| {
                    // Otherwise u + t folds into t's node as its summand. Add's partials are
                    // exactly 1, so t's recorded partials stay as they are. The left operand
                    // is tried first: in `s = s + term` it is the running sum, and folding
                    // *it* keeps the sum's chain in the node's operands, which the forward
                    // sweep carries in a register, while the summand (always read from
                    // memory) is the term, computed off the chain. Chained Rosenbrock's
                    // replay at n = 10³: 7.7 -> 6.6 µs against folding the term (its
                    // `s + 100·u² + v²` becomes one node 100·u² + s + v², not s + 100·u²
                    // then v² + that).
                    [0, 1].into_iter().find_map(|side| {
                        let m = node.args[side];
                        let inner = list[m as usize];
                        let foldable = !matches!(inner.op, Op::Const) && !inner.op.is_wide();
                        (plain(m, &uses, list) && foldable).then_some((
                            m,
                            Node {
                                acc: node.args[1 - side],
                                ..inner
                            },
                        ))
                    })
                }),
            _ => None,
        };
        if let Some((inner, node)) = fused {
            list[i] = node;
            uses[inner as usize] = DEAD;
            removed += 1;
        }
        // A single-use x², √x, eˣ, ln x, 1/x, sin x or cos x as the second operand of a
        // binary node becomes the node's inner op (`Node::inner`), applied by every sweep
        // to the second operand before the node's own op: its partial there is the chain
        // rule's product, and x takes u's place as the operand. Chained Rosenbrock's
        // 100·(x_{i+1} − x_i²)² then reads x_i itself, and the term takes 2 nodes, not 3.
        let mut node = list[i];
        let inner_op = |k: u32, uses: &[u8], list: &[Node]| {
            plain(k, uses, list) && INNER.contains(&list[k as usize].op)
        };
        // A product's operands swap (a·b is b·a exactly) when only the first is such an op,
        // so `x.exp() * y` folds as `y * x.exp()` does.
        if node.op == Op::Mul
            && node.inner() == 0
            && inner_op(node.args[0], &uses, list)
            && !inner_op(node.args[1], &uses, list)
        {
            node.args.swap(0, 1);
            node.p.swap(0, 1);
        }
        let m = node.args[1];
        if node.op.is_binary() && node.inner() == 0 && plain(m, &uses, list) {
            let u = list[m as usize];
            if let Some(code) = INNER.iter().position(|&op| op == u.op) {
                let mut folded = Node {
                    args: [node.args[0], u.args[0]],
                    p: [node.p[0], node.p[1] * u.p[0]],
                    ..node
                };
                folded.shape |= (code as u8 + 1) << crate::shape::INNER_SHIFT;
                list[i] = folded;
                uses[m as usize] = DEAD;
                removed += 1;
            }
        }
    }
    data.nodes.shaped = true;
    // Summands that are the node just before, counted for `Nodes::near_sums`.
    let mut near = 0usize;
    let mut place = |node: &mut Node, i: usize| {
        let code = crate::shape::of(node.args, node.acc, i);
        near += usize::from(crate::shape::places(code)[2] == crate::shape::PREV);
        node.set_places(code);
    };
    if removed == 0 {
        for (i, node) in list.iter_mut().enumerate().skip(first) {
            place(node, i);
        }
        data.nodes.near_sums = 8 * near >= len - first;
        return 0;
    }
    // Compact, renumbering operands, outputs and guards.
    let mut index = vec![0u32; len];
    let mut kept = 0usize;
    let vals = &mut data.nodes.vals;
    let with_vals = vals.len() == len;
    for i in 0..len {
        if uses[i] == DEAD {
            continue;
        }
        let mut node = list[i];
        if i >= first {
            node.args[0] = index[node.args[0] as usize];
            if node.op.is_binary() {
                node.args[1] = index[node.args[1] as usize];
            }
            node.acc = index[node.acc as usize];
            place(&mut node, kept);
        }
        list[kept] = node;
        if with_vals {
            vals[kept] = vals[i];
        }
        index[i] = kept as u32;
        kept += 1;
    }
    list.truncate(kept);
    data.nodes.near_sums = 8 * near >= kept - first;
    if with_vals {
        vals.truncate(kept);
    } else {
        vals.clear();
    }
    for o in &mut data.outputs {
        *o = index[*o as usize];
    }
    for guard in &mut data.guards {
        for operand in [&mut guard.lhs, &mut guard.rhs] {
            if let Operand::Node(k) = operand {
                *k = index[*k as usize];
            }
        }
    }
    removed
}

/// Indices of the constants in a tape's pool (`Nodes::consts`), each stored once.
#[derive(Default)]
struct Pool {
    index: std::collections::HashMap<u64, u16>,
    /// The last constant looked up and its index: losses repeat one weight over all their
    /// terms, and this spares the hash lookup for each.
    last: Option<(u64, u16)>,
}

impl Pool {
    /// The index of `c` in `consts`, adding it if new; `None` once the pool is full (the
    /// node's `u16` index cannot address more), and the node is then left unfused.
    fn index(&mut self, c: f64, consts: &mut Vec<f64>) -> Option<u16> {
        // By bits: 0.0 and -0.0 scale differently (signed zeros), and NaN must find itself.
        let bits = c.to_bits();
        match self.last {
            Some((b, k)) if b == bits => return Some(k),
            _ => {}
        }
        let k = match self.index.get(&bits) {
            Some(&k) => k,
            None => {
                let k = u16::try_from(consts.len()).ok()?;
                consts.push(c);
                self.index.insert(bits, k);
                k
            }
        };
        self.last = Some((bits, k));
        Some(k)
    }
}
