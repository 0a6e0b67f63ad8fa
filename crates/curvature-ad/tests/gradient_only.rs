//! The `gradient` driver records no node for a unary operation (it folds the derivative into
//! the variable and its consumers' partials): the cases where that could go wrong, each
//! against derivatives worked out by hand and against a replayable tape.

use curvature_ad::vector::{dot, sum_squares};
use curvature_ad::{gradient, Tape, Var};
use num_traits::Float;

/// The gradient of a replayable tape, which records every operation.
fn taped(f: impl Fn(&[Var]) -> Var, x: &[f64]) -> Vec<f64> {
    Tape::record(f, x).gradient()
}

fn assert_close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (j, (p, q)) in a.iter().zip(b).enumerate() {
        assert!((p - q).abs() <= 1e-14 * (1.0 + q.abs()), "∂{j}: {p} vs {q}");
    }
}

#[test]
fn a_unary_result_used_twice() {
    // s = sin x: f = s·s + s, f' = (2 sin x + 1) cos x.
    let f = |x: &[Var]| {
        let s = x[0].sin();
        s * s + s
    };
    let x = 0.7f64;
    let (v, g) = gradient(f, &[x]);
    assert_eq!(v, x.sin() * x.sin() + x.sin());
    assert_close(&g, &[(2.0 * x.sin() + 1.0) * x.cos()]);
    assert_close(&g, &taped(f, &[x]));
}

#[test]
fn two_variables_of_one_node_are_not_one_variable() {
    // sin x · cos x share the node of x but not their value: (sin x cos x)' = cos 2x, where
    // treating the product as a square would give 2 sin x cos x.
    let f = |x: &[Var]| x[0].sin() * x[0].cos();
    let x = 0.3f64;
    assert_close(&gradient(f, &[x]).1, &[(2.0 * x).cos()]);
    // x + 1 has the node and scale of x: ((x + 1)·x)' = 2x + 1.
    let f = |x: &[Var]| (x[0] + 1.0) * x[0];
    assert_close(&gradient(f, &[x]).1, &[2.0 * x + 1.0]);
    assert_close(&gradient(f, &[x]).1, &taped(f, &[x]));
}

#[test]
fn a_zero_partial_passes_nothing_on_even_past_an_infinite_one() {
    // sqrt'(0) = ∞, times the 0 of `· 0`: the tape skips the zero adjoint, and so must the
    // folded product (0, not NaN).
    let f = |x: &[Var]| x[0].sqrt() * 0.0 + x[1];
    let (_, g) = gradient(f, &[0.0, 2.0]);
    assert_eq!(g, vec![0.0, 1.0]);
    assert_eq!(g, taped(f, &[0.0, 2.0]));
    // Where the partial is not zero, ∞ is the derivative: √x at 0.
    assert_eq!(
        gradient(|x: &[Var]| x[0].sqrt(), &[0.0]).1,
        vec![f64::INFINITY]
    );
}

#[test]
fn outputs_that_record_no_node() {
    // A unary function of an input: the output is the input's node with scale eˣ.
    let (v, g) = gradient(|x: &[Var]| x[1].exp(), &[5.0, 0.5]);
    assert_eq!((v, g), (0.5f64.exp(), vec![0.0, 0.5f64.exp()]));
    // Chains of unary operations: (3 − 2x)² at x = 1 is 1, its derivative −4(3 − 2x) = −4.
    let (v, g) = gradient(|x: &[Var]| (3.0 - 2.0 * x[0]).powi(2), &[1.0]);
    assert_eq!((v, g), (1.0, vec![-4.0]));
    // An input itself, and a constant.
    assert_eq!(
        gradient(|x: &[Var]| x[1], &[1.0, 2.0]),
        (2.0, vec![0.0, 1.0])
    );
    let constant = gradient(|_: &[Var]| Var::constant(3.0), &[1.0, 2.0]);
    assert_eq!(constant, (3.0, vec![0.0, 0.0]));
}

#[test]
fn wide_nodes_take_scaled_operands() {
    // Σ sin² xᵢ: ∂ᵢ = 2 sin xᵢ cos xᵢ; and sin x · (2y) as a dot product: (2y cos x, 2 sin x).
    let x = [0.2, -0.4, 1.1];
    let f = |v: &[Var]| sum_squares(&v.iter().map(|t| t.sin()).collect::<Vec<_>>());
    let expect: Vec<f64> = x.iter().map(|t| 2.0 * t.sin() * t.cos()).collect();
    assert_close(&gradient(f, &x).1, &expect);
    assert_close(&gradient(f, &x).1, &taped(f, &x));
    // The input slice itself (a run of inputs, stored without a copy) beside its exps:
    // x · eˣ summed, ∂ᵢ = (1 + xᵢ) e^{xᵢ}.
    let f = |v: &[Var]| dot(v, &v.iter().map(|t| t.exp()).collect::<Vec<_>>());
    let expect: Vec<f64> = x.iter().map(|t| (1.0 + t) * t.exp()).collect();
    assert_close(&gradient(f, &x).1, &expect);
    let f = |v: &[Var]| dot(&[v[0].sin()], &[v[1] * 2.0]);
    let (a, b) = (0.6f64, -1.5f64);
    assert_close(&gradient(f, &[a, b]).1, &[2.0 * b * a.cos(), 2.0 * a.sin()]);
    // Shifted inputs keep their nodes (x + 1 has x's node and scale) but not their values,
    // so they are not a run of the inputs: (x0 + 1)·x0 + (x1 + 1)·x1 at (2, 3) is 18, with
    // gradient (2x0 + 1, 2x1 + 1) = (5, 7).
    let f = |v: &[Var]| dot(&[v[0] + 1.0, v[1] + 1.0], &[v[0], v[1]]);
    let (value, g) = gradient(f, &[2.0, 3.0]);
    assert_eq!(value, 18.0);
    assert_close(&g, &[5.0, 7.0]);
    assert_close(&g, &taped(f, &[2.0, 3.0]));
}

#[test]
fn a_folded_variable_is_still_checked_for_its_tape() {
    // Returned from a nested call, an outer call's x.exp() (no node of its own) is named.
    let r = std::panic::catch_unwind(|| {
        gradient(
            |x: &[Var]| {
                let outer = x[0].exp();
                gradient(|_: &[Var]| outer.sin(), &[1.0]).0 + x[0]
            },
            &[0.5],
        )
    });
    let e = r.expect_err("a Var of the outer call inside the nested one");
    let msg = e
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(msg.contains("enclosing derivative call"), "{msg}");
}

#[test]
fn pooled_tapes_of_other_sizes_keep_their_inputs_apart() {
    // f = Σ (j + 1)·x_j², ∂_j = 2(j + 1)x_j: each call on this thread reuses the tape the
    // last one recycled, with fewer or more inputs, and after a replayed and fused tape.
    let f = |x: &[Var]| {
        x.iter()
            .enumerate()
            .fold(Var::from(0.0), |s, (j, &xj)| s + (j + 1) as f64 * xj * xj)
    };
    let by_hand = |x: &[f64]| -> Vec<f64> {
        x.iter()
            .enumerate()
            .map(|(j, xj)| 2.0 * (j + 1) as f64 * xj)
            .collect()
    };
    for n in [5, 2, 9, 1, 9, 4] {
        let x: Vec<f64> = (0..n).map(|j| 0.5 - j as f64 * 0.3).collect();
        let (v, g) = gradient(f, &x);
        let want: f64 = x
            .iter()
            .enumerate()
            .map(|(j, xj)| (j + 1) as f64 * xj * xj)
            .sum();
        assert!(
            (v - want).abs() <= 1e-14 * (1.0 + want.abs()),
            "n = {n}: f = {v}"
        );
        assert_close(&g, &by_hand(&x));
        // A replayable tape of another size, replayed (and so fused), then dropped.
        let y: Vec<f64> = (0..n + 3).map(|j| j as f64).collect();
        let mut tape = Tape::record(f, &y);
        let z: Vec<f64> = y.iter().map(|v| v + 0.25).collect();
        tape.replay(&z).unwrap();
        assert_close(&tape.gradient(), &by_hand(&z));
    }
}

#[test]
fn sums_of_terms_stay_exact_whatever_consumes_them() {
    // A sum takes no node while one side is a node with partial 1 (`Var::sum`); each case
    // below consumes or builds such a pending sum another way, against derivatives by hand
    // and against the replayable tape.
    let x = [0.7, -1.3, 2.1, 0.4];
    let [a, b, c, d] = x;
    type F = fn(&[Var]) -> Var;
    let cases: Vec<(F, Vec<f64>)> = vec![
        // Signs: x0 + x1 − x2 + 2x3 − (x0 − x1) = 2x1 − x2 + 2x3.
        (
            |v| v[0] + v[1] - v[2] + 2.0 * v[3] - (v[0] - v[1]),
            vec![0.0, 2.0, -1.0, 2.0],
        ),
        // Subtracted, negated, subtracted from a constant, scaled, shifted.
        (|v| v[0] - (v[1] + v[2]), vec![1.0, -1.0, -1.0, 0.0]),
        (|v| -(v[0] + v[1]), vec![-1.0, -1.0, 0.0, 0.0]),
        (|v| 5.0 - (v[0] + v[1]), vec![-1.0, -1.0, 0.0, 0.0]),
        (|v| 3.0 * (v[0] + v[1]), vec![3.0, 3.0, 0.0, 0.0]),
        (|v| (v[0] + v[1]) + 5.0, vec![1.0, 1.0, 0.0, 0.0]),
        // Two pending sums joined, and a variable added to itself.
        (|v| (v[0] + v[1]) + (v[2] + v[3]), vec![1.0; 4]),
        (
            |v| (v[0] + v[1]) - (v[2] + v[3]),
            vec![1.0, 1.0, -1.0, -1.0],
        ),
        (|v| v[2] + v[2], vec![0.0, 0.0, 2.0, 0.0]),
        // Neither side with partial 1: 2x0 + sin x1.
        (|v| 2.0 * v[0] + v[1].sin(), vec![2.0, b.cos(), 0.0, 0.0]),
        // A zero partial beside a summand: 0·x0 + x1.
        (|v| 0.0 * v[0] + v[1], vec![0.0, 1.0, 0.0, 0.0]),
        // Nonlinear consumers: sin(x0 + x1), (x0 + x1)(x2 − x3), (x0 + x1)².
        (
            |v| (v[0] + v[1]).sin(),
            vec![(a + b).cos(), (a + b).cos(), 0.0, 0.0],
        ),
        (
            |v| (v[0] + v[1]) * (v[2] - v[3]),
            vec![c - d, c - d, a + b, -(a + b)],
        ),
        (
            |v| (v[0] + v[1]) * (v[0] + v[1]),
            vec![2.0 * (a + b), 2.0 * (a + b), 0.0, 0.0],
        ),
        // Used twice: s = x0 + x2, s·s + s, ∂ = 2s + 1 on x0 and x2.
        (
            |v| {
                let s = v[0] + v[2];
                s * s + s
            },
            vec![2.0 * (a + c) + 1.0, 0.0, 2.0 * (a + c) + 1.0, 0.0],
        ),
        // Into wide nodes: dot([x0 + x1], [x2]) and Σ (x0 + 2x1)².
        (|v| dot(&[v[0] + v[1]], &[v[2]]), vec![c, c, a + b, 0.0]),
        (
            |v| sum_squares(&[v[0] + 2.0 * v[1]]),
            vec![2.0 * (a + 2.0 * b), 4.0 * (a + 2.0 * b), 0.0, 0.0],
        ),
        // Behind a comparison: max(x0 + x1, x2) at 0.7 − 1.3 < 2.1 is x2.
        (|v| (v[0] + v[1]).max(v[2]), vec![0.0, 0.0, 1.0, 0.0]),
        (|v| (v[0] + v[3]).max(v[1]), vec![1.0, 0.0, 0.0, 1.0]),
    ];
    for (k, (f, by_hand)) in cases.iter().enumerate() {
        let (value, g) = gradient(f, &x);
        assert_eq!(value, Tape::record(f, &x).value(), "case {k}");
        assert_close(&g, by_hand);
        assert_close(&g, &taped(f, &x));
    }
}

#[test]
fn chained_rosenbrock_by_hand() {
    // f = Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², the bench's loss: its running sum rides in
    // the term nodes. ∂_j = −400 x_j (x_{j+1} − x_j²) − 2(1 − x_j) + 200 (x_j − x_{j−1}²).
    let f = |x: &[Var]| {
        let mut s = Var::constant(0.0);
        for i in 0..x.len() - 1 {
            s = s + 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
        }
        s
    };
    let x = [-1.2, 1.0, 0.3, -0.5, 2.0];
    let n = x.len();
    let by_hand: Vec<f64> = (0..n)
        .map(|j| {
            let mut g = 0.0;
            if j + 1 < n {
                g += -400.0 * x[j] * (x[j + 1] - x[j] * x[j]) - 2.0 * (1.0 - x[j]);
            }
            if j > 0 {
                g += 200.0 * (x[j] - x[j - 1] * x[j - 1]);
            }
            g
        })
        .collect();
    assert_close(&gradient(f, &x).1, &by_hand);
}
