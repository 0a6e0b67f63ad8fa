//! `Tape::fuse`, which the first replay of a tape runs, fuses its single-use chains (`(a − b)²`,
//! `c·(a − b)²`, `(x + c)²`, `(c − x)²`, `c·t + u`, `x·s + c`, `a·b + c`, `u − c·t`, and sums
//! `u + t` folded into t's node)
//! into single nodes, and drops dead ones. Everything the tape computes afterwards must be
//! what an unfused recording at the same point computes (values bit for bit, derivatives to
//! rounding) and what the formulas worked out by hand say.

#![allow(clippy::needless_range_loop)]

use curvature_ad::{Tape, Var};
use num_traits::Float;

/// Chained Rosenbrock as users write it: per term `x_i·x_i`, `x_{i+1} − ·`, `·²`, `100·`,
/// `1 − x_i`, `·²`, `+`, `+` — 8 nodes, which the pass makes 2.
fn rosenbrock<T: Float>(x: &[T]) -> T {
    let (one, hundred) = (T::one(), T::from(100.0).unwrap());
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        s = s + hundred * (x[i + 1] - x[i] * x[i]).powi(2) + (one - x[i]).powi(2);
    }
    s
}

/// Its gradient and Hessian by hand: with a_i = x_{i+1} − x_i²,
/// ∂f/∂x_i = −400 x_i a_i − 2(1 − x_i) + 200 a_{i−1},
/// H_ii = 1200 x_i² − 400 x_{i+1} + 2 + 200 [i > 0], H_{i,i+1} = −400 x_i.
fn by_hand(x: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut h = vec![vec![0.0; n]; n];
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * x[i] * a - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * a;
        h[i][i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        h[i + 1][i + 1] += 200.0;
        h[i][i + 1] -= 400.0 * x[i];
        h[i + 1][i] -= 400.0 * x[i];
    }
    (g, h)
}

fn point(n: usize, shift: f64) -> Vec<f64> {
    (0..n).map(|i| (0.3 * i as f64).sin() + shift).collect()
}

/// f recorded at x and replayed to y (which fuses it), and how many nodes fusion removed.
fn replayed(f: impl Fn(&[Var]) -> Var, x: &[f64], y: &[f64]) -> (Tape, usize) {
    let mut tape = Tape::record(f, x);
    let recorded = tape.len();
    tape.replay(y).unwrap();
    let removed = recorded - tape.len();
    (tape, removed)
}

/// Checks `tape`, f's recording replayed to y, against `by_hand(y)`, the gradient and
/// Hessian worked out by hand (gradient, HVP along v_i = `v(i)`, dense and sparse
/// Hessians), and f recorded at x and swept right after fusing, without a replay, against
/// `by_hand(x)`: the fused nodes' partials as fusion computed them from the recorded ones.
/// All to 1e-12 relative.
fn check_by_hand(
    mut tape: Tape,
    f: fn(&[Var]) -> Var,
    (x, y, v): (&[f64], &[f64], impl Fn(usize) -> f64),
    by_hand: impl Fn(&[f64]) -> (Vec<f64>, Vec<Vec<f64>>),
) {
    let n = x.len();
    let v: Vec<f64> = (0..n).map(v).collect();
    let mut at_x = Tape::record(f, x);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
    let (g_hand, h_hand) = by_hand(y);
    let g = tape.gradient();
    for i in 0..n {
        assert!(close(g[i], g_hand[i]), "g[{i}] {} vs {}", g[i], g_hand[i]);
    }
    at_x.fuse();
    let (g, g_hand) = (at_x.gradient(), by_hand(x).0);
    for i in 0..n {
        assert!(
            close(g[i], g_hand[i]),
            "at x: g[{i}] {} vs {}",
            g[i],
            g_hand[i]
        );
    }
    let hv = tape.hvp(&v);
    let dense = tape.hessian();
    let sparse = tape.sparse_hessian().to_dense();
    for i in 0..n {
        let e: f64 = (0..n).map(|j| h_hand[i][j] * v[j]).sum();
        assert!(close(hv[i], e), "Hv[{i}] {} vs {e}", hv[i]);
        for j in 0..n {
            let e = h_hand[i][j];
            assert!(
                close(dense[(i, j)], e),
                "H[{i},{j}] {} vs {e}",
                dense[(i, j)]
            );
            assert!(
                close(sparse[(i, j)], e),
                "sparse H[{i},{j}] {} vs {e}",
                sparse[(i, j)]
            );
        }
    }
}

#[test]
fn a_replayed_rosenbrock_tape_is_fused_and_exact() {
    let n = 40;
    let (x, y) = (point(n, 0.0), point(n, 0.2));
    let mut tape = Tape::record(rosenbrock::<Var>, &x);
    let recorded = tape.len();
    let f = tape.replay(&y).unwrap();
    // Per term, x_i², x_{i+1} − ·, ·² and 100·· became one node 100·(x_{i+1} − x_i²)²
    // (reading x_i, its inner op squaring it), which carries the running sum as its
    // summand, and (1 − x_i)² carries that node: 8 → 2 per term (the first term records 7,
    // `0 + t` being no node).
    assert_eq!(recorded - tape.len(), 6 * (n - 1) - 1);
    let fresh = Tape::record(rosenbrock::<Var>, &y);
    assert_eq!(f, fresh.value());
    assert_eq!(f, rosenbrock(&y));
    let (g_hand, h_hand) = by_hand(&y);
    let g = tape.gradient();
    let mut fresh = fresh;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-13 * (1.0 + a.abs().max(b.abs()));
    for (i, gi) in fresh.gradient().into_iter().enumerate() {
        assert!(close(g[i], gi), "{} vs unfused {gi}", g[i]);
        assert!((g[i] - g_hand[i]).abs() <= 1e-12 * (1.0 + g_hand[i].abs()));
    }
    let v: Vec<f64> = (0..n).map(|i| 1.0 - 0.05 * i as f64).collect();
    for (a, b) in tape.hvp(&v).into_iter().zip(fresh.hvp(&v)) {
        assert!(close(a, b), "{a} vs unfused {b}");
    }
    // Dense and sparse Hessians of the fused tape (lane sweeps and, the tape being
    // replayed, its compiled program): the hand-written ones.
    let h = tape.hessian();
    let sparse = tape.sparse_hessian().to_dense();
    for i in 0..n {
        for j in 0..n {
            let e = h_hand[i][j];
            for (method, got) in [("dense", h[(i, j)]), ("sparse", sparse[(i, j)])] {
                assert!(
                    (got - e).abs() <= 1e-12 * (1.0 + e.abs()),
                    "{method} H[{i},{j}]"
                );
            }
        }
    }
    // And once more at a third point, now with the Hessian caches in place.
    let z = point(n, -0.1);
    tape.replay(&z).unwrap();
    let (g, h) = tape.gradient_and_sparse_hessian();
    let (g_hand, h_hand) = by_hand(&z);
    for i in 0..n {
        assert!((g[i] - g_hand[i]).abs() <= 1e-12 * (1.0 + g_hand[i].abs()));
        for j in 0..n {
            let e = h_hand[i][j];
            assert!((h.to_dense()[(i, j)] - e).abs() <= 1e-12 * (1.0 + e.abs()));
        }
    }
}

/// The `hessian` and `sparse_hessian` drivers fuse their recording (from 128 nodes on) before
/// the Hessian: the same values as an unfused tape to rounding, and the hand-written ones.
#[test]
fn the_hessian_drivers_fuse_and_stay_exact() {
    for n in [10, 40] {
        let x = point(n, 0.1);
        let (g_hand, h_hand) = by_hand(&x);
        let unfused = Tape::record(rosenbrock::<Var>, &x);
        let (g_ref, h_ref) = unfused.gradient_and_hessian();
        let (f, g, h) = curvature_ad::hessian(rosenbrock::<Var>, &x);
        let (fs, gs, hs) = curvature_ad::sparse_hessian(rosenbrock::<Var>, &x);
        assert_eq!(f, rosenbrock(&x));
        assert_eq!(fs, f);
        let hs = hs.to_dense();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-13 * (1.0 + a.abs().max(b.abs()));
        for i in 0..n {
            assert!(close(g[i], g_ref[i]) && close(gs[i], g_ref[i]), "g[{i}]");
            assert!((g[i] - g_hand[i]).abs() <= 1e-12 * (1.0 + g_hand[i].abs()));
            for j in 0..n {
                let e = h_hand[i][j];
                assert!(close(h[(i, j)], h_ref[(i, j)]), "n = {n}: H[{i},{j}]");
                assert!(
                    close(hs[(i, j)], h_ref[(i, j)]),
                    "n = {n}: sparse H[{i},{j}]"
                );
                assert!(
                    (h[(i, j)] - e).abs() <= 1e-12 * (1.0 + e.abs()),
                    "H[{i},{j}]"
                );
            }
        }
    }
}

/// `(x + c)²`, `u + c·t` (the scaled term on the right) and `(c − x)²`:
/// f = Σ_i [(x_i + 0.5)² + 3·x_i + (2 − x_i)²], so by hand
/// ∂f/∂x_i = 2(x_i + 0.5) + 3 − 2(2 − x_i) and H = 4I.
#[test]
fn the_other_fused_forms_are_exact() {
    let f = |x: &[Var]| {
        x.iter().fold(Var::constant(0.0), |s, &xi| {
            let u = s + (xi + 0.5).powi(2);
            let u = u + 3.0 * xi;
            u + (2.0 - xi).powi(2)
        })
    };
    let n = 5;
    let (x, y) = (point(n, 0.0), point(n, 0.7));
    let mut tape = Tape::record(f, &x);
    let recorded = tape.len();
    tape.replay(&y).unwrap();
    // Recorded per element: AddC, Sq, Add, MulC, Add, RSubC, Sq, Add (the first element's
    // first Add is `0 + t`, no node); kept: (x + c)² with s folded in, c·t + u, and (c − x)²
    // with its summand folded in.
    assert_eq!(recorded - tape.len(), 5 * n - 1);
    let g = tape.gradient();
    for i in 0..n {
        let e = 2.0 * (y[i] + 0.5) + 3.0 - 2.0 * (2.0 - y[i]);
        assert!((g[i] - e).abs() < 1e-14, "{} vs {e}", g[i]);
    }
    let h = tape.hessian();
    for i in 0..n {
        for j in 0..n {
            assert_eq!(h[(i, j)], if i == j { 4.0 } else { 0.0 });
        }
    }
}

/// A single-use x², √x, eˣ, ln x, 1/x, sin x or cos x as the second operand of a binary node
/// becomes the node's inner op, and so does one that is a product's first operand. With u_i
/// the i-th of these (cycling) and c_i = 1 + i/10:
/// f = Σ_i [c_i·(x_{i+1} − u_i(x_i)) + x_{i+1}·u_i(x_i) + u_i(x_i)·x_{i+1}] (u_i called three
/// times, so each call is a single-use node: under a linear op, and under a product as its
/// second and as its first operand). By hand: ∂f/∂x_{i+1} += c_i + 2u_i(x_i),
/// ∂f/∂x_i += (2x_{i+1} − c_i)·u_i'(x_i), H_ii += (2x_{i+1} − c_i)·u_i''(x_i),
/// H_{i,i+1} = 2u_i'(x_i).
#[test]
fn single_use_unary_operands_become_inner_ops_and_stay_exact() {
    // (u, u', u'') by hand for each inner op, in `INNER`'s order.
    type Rule = fn(f64) -> [f64; 3];
    let rules: [Rule; 7] = [
        |x| [x * x, 2.0 * x, 2.0],
        |x| [x.sqrt(), 0.5 / x.sqrt(), -0.25 / (x * x.sqrt())],
        |x| [x.exp(), x.exp(), x.exp()],
        |x| [x.ln(), 1.0 / x, -1.0 / (x * x)],
        |x| [1.0 / x, -1.0 / (x * x), 2.0 / (x * x * x)],
        |x| [x.sin(), x.cos(), -x.sin()],
        |x| [x.cos(), -x.sin(), -x.cos()],
    ];
    fn u<T: Float>(k: usize, x: T) -> T {
        match k % 7 {
            0 => x * x,
            1 => x.sqrt(),
            2 => x.exp(),
            3 => x.ln(),
            4 => x.recip(),
            5 => x.sin(),
            _ => x.cos(),
        }
    }
    fn f<T: Float>(x: &[T]) -> T {
        let mut s = T::zero();
        for i in 0..x.len() - 1 {
            let c = T::from(1.0 + i as f64 / 10.0).unwrap();
            s = s + c * (x[i + 1] - u(i, x[i])) + x[i + 1] * u(i, x[i]) + u(i, x[i]) * x[i + 1];
        }
        s
    }
    let n = 23;
    let at = |shift: f64| -> Vec<f64> {
        (0..n)
            .map(|i| 1.0 + 0.4 * (0.7 * i as f64 + shift).sin())
            .collect()
    };
    let (x, y) = (at(0.0), at(0.9));
    let mut tape = Tape::record(f::<Var>, &x);
    let recorded = tape.len();
    let value = tape.replay(&y).unwrap();
    // Recorded a term: u, Sub, MulC, Add, u, Mul, Add, u, Mul, Add (the first term's first
    // Add is `0 + t`, no node). The three u fold into their consumers (the last product's
    // operands swapped), the three Adds into the nodes they add: 6 nodes fewer a term, 5
    // for the first.
    assert_eq!(recorded - tape.len(), 6 * (n - 1) - 1);
    assert_eq!(value, f(&y), "the same operations in the same order");
    let by_hand = |y: &[f64]| {
        let mut g_hand = vec![0.0; n];
        let mut h_hand = vec![vec![0.0; n]; n];
        for i in 0..n - 1 {
            let c = 1.0 + i as f64 / 10.0;
            let [v, d, dd] = rules[i % 7](y[i]);
            g_hand[i + 1] += c + 2.0 * v;
            g_hand[i] += (2.0 * y[i + 1] - c) * d;
            h_hand[i][i] += (2.0 * y[i + 1] - c) * dd;
            h_hand[i][i + 1] += 2.0 * d;
            h_hand[i + 1][i] += 2.0 * d;
        }
        (g_hand, h_hand)
    };
    let v = |i: usize| 0.5 - 0.07 * i as f64;
    check_by_hand(tape, f::<Var>, (&x, &y, v), by_hand);
}

/// The forms with constants: an affine map of a variable `x·s + c` (from `MulC` then `AddC`,
/// or `RSubC`: `3 − 2x`), a product plus a constant `a·b + c` (keeping the product's inner
/// op), and `u − c·t` as `−c·t + u` where it is not squared. f = Σ_i r_i² + Σ_{i<n−1}
/// [p_i·q_i + w·d_i² + x_{i+1}·e^{x_i} + 2] with Broyden's residual
/// r_i = (3 − 2x_i)·x_i + 1 − x_{i−1} − 2x_{i+1}, p_i = x_i − 2x_{i+1}, q_i = 0.5x_i + 1.5,
/// d_i = x_{i+1} − 3x_i, w = 0.25. By hand: ∇r_i = (−1, 3 − 4x_i, −2) at (i − 1, i, i + 1) and
/// ∂²r_i/∂x_i² = −4, ∇p_i = (1, −2) at (i, i + 1), ∇q_i = 0.5 at i, ∇d_i = (−3, 1).
#[test]
fn affine_maps_products_plus_constants_and_scaled_differences_fuse_exactly() {
    fn f<T: Float>(x: &[T]) -> T {
        let n = x.len();
        let c = |v: f64| T::from(v).unwrap();
        let mut s = T::zero();
        for i in 0..n {
            let mut r = (c(3.0) - c(2.0) * x[i]) * x[i] + T::one();
            if i > 0 {
                r = r - x[i - 1];
            }
            if i + 1 < n {
                r = r - c(2.0) * x[i + 1];
            }
            s = s + r * r;
            if i + 1 < n {
                s = s + (x[i] - c(2.0) * x[i + 1]) * (c(0.5) * x[i] + c(1.5));
                s = s + c(0.25) * (x[i + 1] - c(3.0) * x[i]).powi(2);
                s = s + (x[i + 1] * x[i].exp() + c(2.0));
            }
        }
        s
    }
    let n = 30;
    let (x, y) = (point(n, 0.0), point(n, 0.3));
    let mut tape = Tape::record(f::<Var>, &x);
    let recorded = tape.len();
    let value = tape.replay(&y).unwrap();
    // Recorded for an interior i: r takes MulC, RSubC, Mul, AddC, Sub, MulC, Sub, Sq and the
    // sum's Add; fused: 3 − 2x_i one affine node, ·x_i + 1 one product-plus-constant, the
    // Sub, and the squared r − 2x_{i+1} stays MulC then SqDiff: 4 removed. p·q: MulC, Sub,
    // MulC, AddC, Mul, Add; fused: −2·x_{i+1} + x_i, 0.5x_i + 1.5 and the product: 3
    // removed. w·d²: MulC, Sub, Sq, MulC, Add; fused: MulC and w·(a − b)²: 3 removed.
    // x_{i+1}·e^{x_i} + 2: Exp, Mul, AddC, Add; fused: one node, its inner op e^x: 3
    // removed. i = 0 has no Add for r² (0 + t is no node): 12 removed; i = n − 1 has r
    // alone, its Sub squared: 4.
    assert_eq!(recorded - tape.len(), 12 + 13 * (n - 2) + 4);
    assert_eq!(value, f(&y), "the same operations in the same order");
    let by_hand = |y: &[f64]| {
        let mut g_hand = vec![0.0; n];
        let mut h_hand = vec![vec![0.0; n]; n];
        let add_outer = |h: &mut Vec<Vec<f64>>, u: &[(usize, f64)], v: &[(usize, f64)], k: f64| {
            for &(i, a) in u {
                for &(j, b) in v {
                    h[i][j] += k * a * b;
                }
            }
        };
        for i in 0..n {
            let mut r = (3.0 - 2.0 * y[i]) * y[i] + 1.0;
            let mut dr = vec![(i, 3.0 - 4.0 * y[i])];
            if i > 0 {
                r -= y[i - 1];
                dr.push((i - 1, -1.0));
            }
            if i + 1 < n {
                r -= 2.0 * y[i + 1];
                dr.push((i + 1, -2.0));
            }
            for &(j, d) in &dr {
                g_hand[j] += 2.0 * r * d;
            }
            add_outer(&mut h_hand, &dr, &dr, 2.0);
            h_hand[i][i] += 2.0 * r * -4.0;
            if i + 1 < n {
                let (p, q) = (y[i] - 2.0 * y[i + 1], 0.5 * y[i] + 1.5);
                let (dp, dq) = ([(i, 1.0), (i + 1, -2.0)], [(i, 0.5)]);
                for &(j, d) in &dp {
                    g_hand[j] += q * d;
                }
                g_hand[i] += p * 0.5;
                add_outer(&mut h_hand, &dp, &dq, 1.0);
                add_outer(&mut h_hand, &dq, &dp, 1.0);
                let d = y[i + 1] - 3.0 * y[i];
                let dd = [(i, -3.0), (i + 1, 1.0)];
                for &(j, e) in &dd {
                    g_hand[j] += 0.5 * d * e;
                }
                add_outer(&mut h_hand, &dd, &dd, 0.5);
                let e = y[i].exp();
                g_hand[i] += y[i + 1] * e;
                g_hand[i + 1] += e;
                h_hand[i][i] += y[i + 1] * e;
                h_hand[i][i + 1] += e;
                h_hand[i + 1][i] += e;
            }
        }
        (g_hand, h_hand)
    };
    check_by_hand(tape, f::<Var>, (&x, &y, |i| 0.4 - 0.03 * i as f64), by_hand);
}

/// A single-use negation folds into the constant op that consumes it: (−x)·c becomes x·(−c),
/// −x + c becomes c − x, c − (−x) becomes x + c (exact: negation rounds nothing).
/// f = Σ_i [e^{(−x_i)·c_i} + (−x_i + 2)·x_{i+1} + (1 − (−x_i))²], c_i = 1.5 + i/8, the last
/// two terms for i < n − 1. By hand: ∂f/∂x_i += −c_i e^{−c_i x_i} − x_{i+1} + 2(1 + x_i),
/// ∂f/∂x_{i+1} += 2 − x_i; H_ii += c_i² e^{−c_i x_i} + 2, H_{i,i+1} = −1.
#[test]
fn negations_fold_into_their_constant_consumers() {
    fn f<T: Float>(x: &[T]) -> T {
        let n = x.len();
        let c = |v: f64| T::from(v).unwrap();
        let mut s = T::zero();
        for i in 0..n {
            s = s + (-x[i] * c(1.5 + i as f64 / 8.0)).exp();
            if i + 1 < n {
                s = s + (-x[i] + c(2.0)) * x[i + 1] + (c(1.0) - -x[i]).powi(2);
            }
        }
        s
    }
    let n = 17;
    let (x, y) = (point(n, 0.0), point(n, 0.25));
    let (tape, removed) = replayed(f::<Var>, &x, &y);
    // Recorded for i < n − 1: Neg, MulC, Exp, Add; Neg, AddC, Mul, Add; Neg, RSubC, Sq, Add.
    // Fused: x·(−c) and its exponential carrying the sum (2 removed), 2 − x and the product
    // (2 removed), (x + 1)² (3 removed). The first term's first Add is 0 + t, no node; the
    // last term has its exponential alone.
    assert_eq!(removed, 7 * (n - 1) - 1 + 2);
    assert_eq!(tape.value(), f(&y), "the same operations in the same order");
    let by_hand = |y: &[f64]| {
        let mut g = vec![0.0; n];
        let mut h = vec![vec![0.0; n]; n];
        for i in 0..n {
            let c = 1.5 + i as f64 / 8.0;
            let e = (-y[i] * c).exp();
            g[i] -= c * e;
            h[i][i] += c * c * e;
            if i + 1 < n {
                g[i] += -y[i + 1] + 2.0 * (1.0 + y[i]);
                g[i + 1] += 2.0 - y[i];
                h[i][i] += 2.0;
                h[i][i + 1] -= 1.0;
                h[i + 1][i] -= 1.0;
            }
        }
        (g, h)
    };
    check_by_hand(tape, f::<Var>, (&x, &y, |i| 0.3 - 0.05 * i as f64), by_hand);
}

/// Products plus constants, c_i distinct, share the constant pool with the weighted squares:
/// f = Σ_i (x_i·x_{i+1} + c_i)·x_i. The first 65 536 constants fit (the product and its
/// constant one node), the rest stay `Mul` then `AddC`; either way the value is plain f64
/// code's bit for bit and ∂f/∂x_i = 2x_i·x_{i+1} + c_i (+ x_{i−1}² from the term before).
#[test]
fn products_plus_constants_outgrow_the_pool_exactly() {
    let m = 70_000;
    let c = |i: usize| 0.5 + i as f64 / 16.0;
    let f = |x: &[Var]| {
        let mut s = Var::constant(0.0);
        for i in 0..m {
            s += (x[i] * x[i + 1] + c(i)) * x[i];
        }
        s
    };
    let (n, pooled) = (m + 1, 65_536);
    let (x, y) = (point(n, 0.0), point(n, 0.4));
    let (mut tape, removed) = replayed(f, &x, &y);
    // Recorded a term: Mul, AddC, Mul, Add (the first term no Add); the Add always folds,
    // the AddC into the product while the pool has room.
    assert_eq!(removed, pooled + m - 1);
    let mut plain = 0.0;
    for i in 0..m {
        plain += (y[i] * y[i + 1] + c(i)) * y[i];
    }
    assert_eq!(tape.value(), plain, "the same operations in the same order");
    let g = tape.gradient();
    for i in 0..n {
        let mut e = 0.0;
        if i < m {
            e += 2.0 * y[i] * y[i + 1] + c(i);
        }
        if i > 0 {
            e += y[i - 1] * y[i - 1];
        }
        assert!(
            (g[i] - e).abs() <= 1e-12 * (1.0 + e.abs()),
            "g[{i}] {} vs {e}",
            g[i]
        );
    }
    let v: Vec<f64> = (0..n).map(|i| ((i % 5) as f64 - 2.0) / 3.0).collect();
    let hv = tape.hvp(&v);
    for i in (0..n)
        .step_by(101)
        .chain([pooled - 1, pooled, pooled + 1, n - 1])
    {
        // H_ii = 2x_{i+1} (i < m), H_{i,i+1} = 2x_i, H_{i,i−1} = 2x_{i−1}.
        let mut e = 0.0;
        if i < m {
            e += 2.0 * y[i + 1] * v[i] + 2.0 * y[i] * v[i + 1];
        }
        if i > 0 {
            e += 2.0 * y[i - 1] * v[i - 1];
        }
        assert!(
            (hv[i] - e).abs() <= 1e-12 * (1.0 + e.abs()),
            "Hv[{i}] {} vs {e}",
            hv[i]
        );
    }
}

/// Weighted squared differences f = Σ_i w_i (x_i − x_{i+1})², one weight per term, become
/// one node a term, c·(a − b)² with the running sum folded in, while the tape's constant
/// pool has room (65 536 distinct weights); the terms past that stay two nodes, (a − b)² and
/// c·t + u. By hand, with d_i = x_i − x_{i+1}: ∂f/∂x_i = 2 w_i d_i − 2 w_{i−1} d_{i−1},
/// H_ii = 2 w_i + 2 w_{i−1}, H_{i,i+1} = −2 w_i (terms outside the range dropped).
#[test]
fn weighted_squares_share_a_constant_pool_and_outgrow_it_exactly() {
    let m = 70_000;
    // 69 000 distinct weights, none 1 (the recording drops a multiplication by 1).
    let w = |i: usize| 1.5 + (i % 69_000) as f64 / 8.0;
    let f = |x: &[Var]| {
        let mut s = Var::constant(0.0);
        for i in 0..m {
            s += w(i) * (x[i] - x[i + 1]).powi(2);
        }
        s
    };
    let n = m + 1;
    let (x, y) = (point(n, 0.0), point(n, 0.4));
    let (mut tape, removed) = replayed(f, &x, &y);
    // Recorded a term: Sub, Sq, MulC, Add (the first term no Add). The first 65 536 weights
    // fit the pool (3 nodes removed a term, 2 for the first), and so do the last 1 000
    // terms, whose weights repeat; the others lose 2.
    let pooled = 65_536;
    let unpooled = 69_000 - pooled;
    assert_eq!(removed, 2 + 3 * (m - 1 - unpooled) + 2 * unpooled);
    let d = |i: usize| y[i] - y[i + 1];
    let mut plain = 0.0;
    for i in 0..m {
        plain += w(i) * (y[i] - y[i + 1]).powi(2);
    }
    assert_eq!(tape.value(), plain, "the same operations in the same order");
    let g = tape.gradient();
    for i in 0..n {
        let mut e = 0.0;
        if i < m {
            e += 2.0 * w(i) * d(i);
        }
        if i > 0 {
            e -= 2.0 * w(i - 1) * d(i - 1);
        }
        assert!(
            (g[i] - e).abs() <= 1e-12 * (1.0 + e.abs()),
            "g[{i}] {} vs {e}",
            g[i]
        );
    }
    let h = tape.sparse_hessian();
    let v: Vec<f64> = (0..n).map(|i| ((i % 7) as f64 - 3.0) / 4.0).collect();
    let hv = tape.hvp(&v);
    for i in (0..n)
        .step_by(97)
        .chain([pooled - 1, pooled, pooled + 1, n - 1])
    {
        let mut diag = 0.0;
        let mut e = 0.0;
        if i < m {
            diag += 2.0 * w(i);
            e -= 2.0 * w(i) * v[i + 1];
            assert_eq!(h.get(i, i + 1), -2.0 * w(i), "H[{i},{}]", i + 1);
        }
        if i > 0 {
            diag += 2.0 * w(i - 1);
            e -= 2.0 * w(i - 1) * v[i - 1];
        }
        e += diag * v[i];
        assert_eq!(h.get(i, i), diag, "H[{i},{i}]");
        assert!(
            (hv[i] - e).abs() <= 1e-12 * (1.0 + e.abs()),
            "Hv[{i}] {} vs {e}",
            hv[i]
        );
    }
}

/// Weights that differ only in sign of zero, and repeat out of order, keep their own pool
/// entries: values bit for bit those of plain f64 code, derivatives those of an unfused
/// tape.
#[test]
fn pooled_weights_keep_signed_zeros_and_repeats_apart() {
    let ws = [2.5, -0.0, 0.0, 2.5, -3.0, 0.0, -0.0, -3.0];
    let f = |x: &[Var]| {
        let mut s = Var::constant(0.0);
        for (i, &w) in ws.iter().enumerate() {
            s += w * (x[i] - x[i + 1]).powi(2);
        }
        s
    };
    let plain = |x: &[f64]| {
        let mut s = 0.0;
        for (i, &w) in ws.iter().enumerate() {
            s += w * (x[i] - x[i + 1]).powi(2);
        }
        s
    };
    let n = ws.len() + 1;
    let (x, y) = (point(n, 0.0), point(n, -0.3));
    let mut tape = Tape::record(f, &x);
    let value = tape.replay(&y).unwrap();
    assert_eq!(value.to_bits(), plain(&y).to_bits());
    let mut fresh = Tape::record(f, &y);
    assert_eq!(tape.gradient(), fresh.gradient());
    let h = tape.hessian();
    for i in 0..n {
        for j in 0..n {
            let mut e = 0.0;
            for (k, &w) in ws.iter().enumerate() {
                // w (x_k − x_{k+1})²: 2w on the diagonal, −2w off it.
                let s = |a: usize| {
                    if a == k {
                        1.0
                    } else if a == k + 1 {
                        -1.0
                    } else {
                        0.0
                    }
                };
                e += 2.0 * w * s(i) * s(j);
            }
            assert_eq!(h[(i, j)], e, "H[{i},{j}]");
        }
    }
}

/// A node used twice, a node that is an output, and a node a branch compares are not
/// fused away; the replayed tape still matches a fresh recording and detects the branch.
#[test]
fn shared_nodes_outputs_and_guards_stay() {
    // d = x₀ − x₁ is used twice; e = x₁ − x₂ is an output of its own; s = x₂ − x₀ is compared.
    let r = |x: &[Var]| {
        let d = x[0] - x[1];
        let e = x[1] - x[2];
        let s = x[2] - x[0];
        let branch = if s > Var::constant(0.0) {
            s.powi(2)
        } else {
            -s
        };
        vec![d.powi(2) + d, e, e.powi(2) + branch]
    };
    let (x, y) = ([1.0, 2.0, 4.0], [0.5, 1.5, 3.0]);
    let mut tape = Tape::record_vector(r, &x);
    let recorded = tape.len();
    tape.replay(&y).unwrap();
    // Only the two sums fold (d² + d into d², s² into e² + s²): d is used twice, e is an
    // output and s is compared, so none of them is fused into its square.
    assert_eq!(recorded - tape.len(), 2);
    let mut fresh = Tape::record_vector(r, &y);
    assert_eq!(tape.values(), fresh.values());
    assert_eq!(tape.jacobian(), fresh.jacobian());
    // Across the branch (s = x₂ − x₀ < 0), the replay reports it.
    assert!(tape.replay(&[3.0, 1.0, 1.0]).is_err());
}

/// A tape whose second-order structure was computed before its first replay is not
/// renumbered (the caches hold node numbers), and stays exact.
#[test]
fn a_tape_with_a_hessian_before_its_first_replay_is_not_fused() {
    let n = 30;
    let (x, y) = (point(n, 0.0), point(n, 0.2));
    let mut tape = Tape::record(rosenbrock::<Var>, &x);
    let recorded = tape.len();
    let _ = tape.sparse_hessian();
    tape.replay(&y).unwrap();
    assert_eq!(tape.len(), recorded);
    let (g_hand, h_hand) = by_hand(&y);
    let (g, h) = tape.gradient_and_sparse_hessian();
    for i in 0..n {
        assert!((g[i] - g_hand[i]).abs() <= 1e-12 * (1.0 + g_hand[i].abs()));
        for j in 0..n {
            let e = h_hand[i][j];
            assert!((h.to_dense()[(i, j)] - e).abs() <= 1e-12 * (1.0 + e.abs()));
        }
    }
}

#[test]
fn a_variable_times_itself_is_recorded_as_one_square_node() {
    // f = x·x + y·x: the square is one node with one operand (inputs 2, then x², y·x, +).
    let f = |v: &[Var]| v[0] * v[0] + v[1] * v[0];
    let (x, y) = (3.0_f64, 2.0_f64);
    let mut tape = Tape::record(f, &[x, y]);
    assert_eq!(tape.len(), 5);
    // ∇f = (2x + y, x), H = [[2, 1], [1, 0]], by hand.
    assert_eq!(tape.value(), x * x + y * x);
    assert_eq!(tape.gradient(), vec![2.0 * x + y, x]);
    assert_eq!(tape.hessian().as_slice(), &[2.0, 1.0, 1.0, 0.0]);
    // `powi(2)` records the same node: both spellings give one tape length and value.
    let g = |v: &[Var]| v[0].powi(2) + v[1] * v[0];
    let mut other = Tape::record(g, &[x, y]);
    assert_eq!(other.len(), 5);
    let z = [-1.5, 0.25];
    assert_eq!(tape.replay(&z).unwrap(), other.replay(&z).unwrap());
    assert_eq!(tape.replay(&z).unwrap(), z[0] * z[0] + z[1] * z[0]);
    assert_eq!(tape.gradient(), vec![2.0 * z[0] + z[1], z[0]]);
}

#[test]
fn dead_nodes_are_dropped_and_guards_keep_theirs() {
    // f = x·y; the closure also computes exp(x) + y (never used) and sin(y), compared
    // with 0 (a guard: kept, with its operand).
    let f = |v: &[Var]| {
        let unused = v[0].exp() + v[1];
        let _ = unused;
        let s = v[1].sin();
        let branch = s > Var::constant(0.0);
        let out = v[0] * v[1];
        if branch {
            out
        } else {
            -out
        }
    };
    let (x, y) = (0.5, 1.0);
    let mut tape = Tape::record(f, &[x, y]);
    assert_eq!(tape.point(), &[x, y]);
    // inputs 2, exp, +, sin, x·y: 6 nodes before the pass.
    assert_eq!(tape.len(), 6);
    assert_eq!(tape.fuse(), 2);
    assert_eq!(tape.len(), 4);
    assert_eq!(tape.gradient(), vec![y, x]);
    // The guard still reads sin(y): sin(4) < 0 takes the other branch.
    assert!(tape.replay(&[0.5, 4.0]).is_err());
    assert_eq!(tape.point(), &[0.5, 4.0], "a failed replay's point is held");
    assert_eq!(tape.replay(&[2.0, 3.0]).unwrap(), 6.0);
    assert_eq!(tape.point(), &[2.0, 3.0]);
    assert_eq!(tape.gradient(), vec![3.0, 2.0]);
}

#[test]
fn folded_sums_carry_tangents_in_a_tall_jacobian() {
    // m = 4 outputs of n = 2 inputs (the Jacobian runs forward tangents), each a sum whose
    // additions fold into its terms: r_k = sin(x) + k·x·y + (y − k)², by hand
    // ∂r_k/∂x = cos(x) + k·y, ∂r_k/∂y = k·x + 2(y − k).
    let r = |v: &[Var]| -> Vec<Var> {
        (1..=4)
            .map(|k| {
                let k = k as f64;
                v[0].sin() + k * v[0] * v[1] + (v[1] - k).powi(2)
            })
            .collect()
    };
    let mut tape = Tape::record_vector(r, &[0.3, -0.2]);
    let recorded = tape.len();
    let (x, y) = (1.1, 0.4);
    tape.replay(&[x, y]).unwrap();
    assert!(tape.len() < recorded, "the sums fold");
    let jac = tape.jacobian();
    for k in 1..=4 {
        let kf = k as f64;
        let (dx, dy) = (x.cos() + kf * y, kf * x + 2.0 * (y - kf));
        assert!((jac[(k - 1, 0)] - dx).abs() < 1e-14, "dr{k}/dx");
        assert!((jac[(k - 1, 1)] - dy).abs() < 1e-14, "dr{k}/dy");
    }
    assert_eq!(tape.values(), Tape::record_vector(r, &[x, y]).values());
}

#[test]
fn folded_sums_in_a_dense_hessian_of_many_batches() {
    // f = (Σ x_i)² + Σ x_i³: H = 2·11ᵀ + diag(6 x_i), dense, so 20 seed classes run in
    // several lane batches (the shared-curvature path), through folded sums.
    let n = 20;
    let f = |x: &[Var]| {
        let s = x.iter().fold(Var::constant(0.0), |s, &xi| s + xi);
        x.iter().fold(s.powi(2), |acc, &xi| acc + xi.powi(3))
    };
    let (x, y) = (point(n, 0.0), point(n, 0.3));
    let mut tape = Tape::record(f, &x);
    let recorded = tape.len();
    tape.replay(&y).unwrap();
    assert!(tape.len() < recorded, "the sums of cubes fold");
    let h = tape.hessian();
    let total: f64 = y.iter().sum();
    let g = tape.gradient();
    for i in 0..n {
        let gi = 2.0 * total + 3.0 * y[i] * y[i];
        assert!((g[i] - gi).abs() <= 1e-13 * (1.0 + gi.abs()), "g[{i}]");
        for j in 0..n {
            let e = 2.0 + if i == j { 6.0 * y[i] } else { 0.0 };
            assert!(
                (h[(i, j)] - e).abs() <= 1e-13 * (1.0 + e.abs()),
                "H[{i},{j}]"
            );
        }
    }
}

/// With huge pages on, a tape big enough that its node list, value and adjoint buffers and
/// lane buffers all grow into huge-page-advised memory (2 MiB and up; 320 000 recorded
/// nodes, 10 MB): gradients of the closure and of replays, and the sparse Hessian, against
/// the formulas.
#[test]
fn a_tape_in_huge_page_buffers_is_exact() {
    // (Process-wide, but it changes only how buffers are backed, never their contents.)
    curvature_ad::set_huge_pages(true);
    let n = 40_000;
    let x = point(n, 0.0);
    let grad_by_hand = |x: &[f64]| {
        let mut g = vec![0.0; n];
        for i in 0..n - 1 {
            let a = x[i + 1] - x[i] * x[i];
            g[i] += -400.0 * x[i] * a - 2.0 * (1.0 - x[i]);
            g[i + 1] += 200.0 * a;
        }
        g
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + b.abs());
    let (_, g) = curvature_ad::gradient(rosenbrock::<Var>, &x);
    let g_hand = grad_by_hand(&x);
    assert!((0..n).all(|i| close(g[i], g_hand[i])));
    let mut tape = Tape::record(rosenbrock::<Var>, &x);
    for shift in [0.2, -0.1] {
        let y = point(n, shift);
        tape.replay(&y).unwrap();
        let g_hand = grad_by_hand(&y);
        let (g, h) = tape.gradient_and_sparse_hessian();
        assert!((0..n).all(|i| close(g[i], g_hand[i])));
        assert_eq!(h.nnz(), 3 * n - 2);
        for i in 0..n {
            let diag = if i + 1 < n {
                1200.0 * y[i] * y[i] - 400.0 * y[i + 1] + 2.0
            } else {
                0.0
            } + if i > 0 { 200.0 } else { 0.0 };
            assert!(close(h.get(i, i), diag), "H[{i},{i}]");
            if i + 1 < n {
                assert!(close(h.get(i, i + 1), -400.0 * y[i]), "H[{i},{}]", i + 1);
                assert_eq!(h.get(i + 1, i), h.get(i, i + 1));
            }
        }
    }
}

/// The Hessian pattern of a fused tape is as sparse as the unfused one's: a node
/// op(a, g(b)) with an inner op g couples b's inputs among themselves, and with a's only
/// through a product. f = Σ_i [x_i² + 100 x_{i+1}² + x_{i+1}·e^{x_{i+2}}], whose squares
/// fold into their sums and e^x into its product. By hand: H_ii gets 2 (i ≤ n − 3) and 200
/// (1 ≤ i ≤ n − 2); the product gives H_{i+1,i+2} = e^{x_{i+2}} and
/// H_{i+2,i+2} += x_{i+1}·e^{x_{i+2}}; nothing couples x_0 and x_1. A diagonal sum of
/// squares (DQDRTIC's form) needs one colour.
#[test]
fn fused_inner_ops_keep_the_hessian_pattern_sparse() {
    fn f<T: Float>(x: &[T]) -> T {
        let hundred = T::from(100.0).unwrap();
        let mut s = T::zero();
        for i in 0..x.len() - 2 {
            s = s + x[i].powi(2) + hundred * x[i + 1].powi(2) + x[i + 1] * x[i + 2].exp();
        }
        s
    }
    let n = 40;
    let (x, y) = (point(n, 0.1), point(n, -0.2));
    let (tape, removed) = replayed(f::<Var>, &x, &y);
    assert!(removed > 0, "the tape was fused");
    let h = tape.sparse_hessian();
    let unfused = Tape::record(f::<Var>, &y).sparse_hessian();
    assert!(h.same_pattern(&unfused), "fusion added pattern entries");
    assert_eq!(h.nnz(), n + 2 * (n - 2));
    assert_eq!(
        h.row_indices()[..h.col_ptr()[1]],
        [0],
        "x_0 couples with nothing"
    );
    let mut by_hand = vec![vec![0.0; n]; n];
    for i in 0..n - 2 {
        by_hand[i][i] += 2.0;
        by_hand[i + 1][i + 1] += 200.0;
        let e = y[i + 2].exp();
        by_hand[i + 1][i + 2] += e;
        by_hand[i + 2][i + 1] += e;
        by_hand[i + 2][i + 2] += y[i + 1] * e;
    }
    for (i, j, v) in h.triplets() {
        assert!(
            (v - by_hand[i][j]).abs() <= 1e-12 * by_hand[i][j].abs().max(1.0),
            "H[{i}][{j}] = {v}, by hand {}",
            by_hand[i][j]
        );
    }
    // Every nonzero by hand is in the pattern (the loop above checked the stored ones).
    let stored: usize = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .filter(|&(i, j)| by_hand[i][j] != 0.0)
        .count();
    assert_eq!(stored, h.nnz());

    fn diagonal<T: Float>(x: &[T]) -> T {
        let hundred = T::from(100.0).unwrap();
        let mut s = T::zero();
        for i in 0..x.len() - 2 {
            s = s + x[i].powi(2) + hundred * x[i + 1].powi(2) + hundred * x[i + 2].powi(2);
        }
        s
    }
    let (tape, _) = replayed(diagonal::<Var>, &x, &y);
    assert_eq!(tape.hessian_colors(), 1);
    assert_eq!(tape.sparse_hessian().nnz(), n);
}

/// A folded-in summand keeps signed zeros on replay, whether it is the node just before its
/// consumer (a running sum, which the replay of a tape with many such sums takes from a
/// register) or one further back, and so does a node without one: every replayed value is
/// the plain f64 function's, bit for bit, at points made of ±0 and ±1. Once on a small tape
/// (near summands common) and once padded with outputs that carry none (near summands rare:
/// the replay reads all of them from memory).
#[test]
fn folded_summands_keep_signed_zeros_on_replay() {
    fn f<T: Float>(x: &[T], padding: usize) -> Vec<T> {
        let near = x[0] * x[1] + x[2] * x[3];
        let u = x[0] * x[1];
        let w = x[2] * x[3];
        let far = u + w * x[1];
        let none = x[0] * x[2];
        let mut out = vec![near, far, none, near * far + none];
        out.extend((0..padding).map(|k| x[k % 4] * x[(k + 1) % 4]));
        out
    }
    for padding in [0, 64] {
        let record = |x: &[Var]| f(x, padding);
        let mut tape = Tape::record_vector(record, &[0.5, 0.25, 2.0, 4.0]);
        let values = [-1.0, -0.0, 0.0, 1.0];
        let mut seen_negative_zero = 0;
        for k in 0..values.len().pow(4) {
            let x: Vec<f64> = (0..4).map(|j| values[(k >> (2 * j)) & 3]).collect();
            tape.replay(&x).unwrap();
            let want = f(&x, padding);
            let got = tape.values();
            for (o, (g, w)) in got.iter().zip(&want).enumerate() {
                assert_eq!(
                    g.to_bits(),
                    w.to_bits(),
                    "output {o} at {x:?}: {g} against {w}"
                );
                seen_negative_zero += usize::from(w.to_bits() == (-0.0f64).to_bits());
            }
        }
        assert!(seen_negative_zero > 0);
    }
}
