//! The compiled sparse Hessian (a tape's second and later sparse Hessians) against values
//! derived without it: hand-derived Hessians, and entries by nested forward duals.

use curvature_ad::{Dual, Tape, Var};
use num_traits::Float;
use proptest::prelude::*;

/// `|a - b| <= tol · (1 + scale)`, `scale` the largest entry compared: rounding is relative
/// to the terms an entry sums.
fn close(a: f64, b: f64, tol: f64, scale: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + scale)
}

fn chained_rosenbrock<T: Float>(x: &[T]) -> T {
    let (one, hundred) = (T::one(), T::from(100.0).unwrap());
    (0..x.len() - 1)
        .map(|i| hundred * (x[i + 1] - x[i] * x[i]).powi(2) + (one - x[i]).powi(2))
        .fold(T::zero(), |s, t| s + t)
}

/// Chained Rosenbrock's Hessian by hand: H_ii = 2 + 1200 x_i² − 400 x_{i+1} (+ 200 for
/// i > 0; the last: 200), H_{i,i+1} = −400 x_i.
fn rosenbrock_by_hand(x: &[f64], i: usize, j: usize) -> f64 {
    let n = x.len();
    match (i.min(j), i.max(j)) {
        (a, b) if a == b => {
            let mut h = if a > 0 { 200.0 } else { 0.0 };
            if a + 1 < n {
                h += 2.0 + 1200.0 * x[a] * x[a] - 400.0 * x[a + 1];
            }
            h
        }
        (a, b) if b == a + 1 => -400.0 * x[a],
        _ => 0.0,
    }
}

/// Every operation kind the program folds or keeps: varying and constant curvature,
/// products of varying tangents, shared subexpressions, sums folded into nodes, constant
/// and varying partials of linear and piecewise-linear operations.
fn mixed<T: Float>(x: &[T]) -> T {
    let c = |v: f64| T::from(v).unwrap();
    let mut s = T::zero();
    for i in 0..x.len() - 2 {
        let (a, b, d) = (x[i], x[i + 1], x[i + 2]);
        let shared = a * b;
        s = s + shared.sin() + shared * shared;
        s = s + (c(0.1) * a).exp() * (d - c(1.0)).powi(2);
        s = s + (c(1.0) + a * a).ln() + a / (c(2.0) + b * b);
        s = s + a.max(b) * d + (a - c(0.3)).abs() * b.powi(2);
        s = s
            + (c(1.0) + a * a + b * b).sqrt()
            + c(0.5) * (c(3.0) * a - c(2.0) * b + c(1.0)).powi(2);
        s = s + a.powi(3) - c(2.0) * (b - d).floor() * a + (-d).tanh() * c(4.0);
    }
    s
}

/// H_ij of `f` at x by nested forward duals: x + ε₁e_i + ε₂e_j.
fn nested_dual_entry(
    f: impl Fn(&[Dual<Dual<f64>>]) -> Dual<Dual<f64>>,
    x: &[f64],
    i: usize,
    j: usize,
) -> f64 {
    let seeds: Vec<_> = (0..x.len())
        .map(|k| {
            let outer = if k == i { 1.0 } else { 0.0 };
            let inner = if k == j { 1.0 } else { 0.0 };
            Dual::new(Dual::new(x[k], inner), Dual::new(outer, 0.0))
        })
        .collect();
    f(&seeds).eps.eps
}

/// The tape's sparse Hessians from the second on, at `points` in turn, against `reference`.
fn check(
    f: impl Fn(&[Var]) -> Var,
    points: &[Vec<f64>],
    reference: impl Fn(&[f64], usize, usize) -> f64,
) -> Result<(), TestCaseError> {
    let mut tape = Tape::record(&f, &points[0]);
    // The first sparse Hessian comes from the lane sweeps; it builds no program.
    let first = tape.sparse_hessian();
    prop_assert!(!tape.hessian_is_compiled());
    for (k, x) in points.iter().enumerate() {
        // The gradient that comes with a compiled Hessian is the one the tape has just
        // taken at this point (odd k), or a fresh sweep; never one from before the replay
        // (even k: taken at the previous point).
        if k % 2 == 0 {
            tape.gradient();
        }
        tape.replay(x).expect("no branch changes");
        let just_taken = (k % 2 == 1).then(|| tape.gradient());
        let (g, h) = tape.gradient_and_sparse_hessian();
        prop_assert!(tape.hessian_is_compiled());
        prop_assert!(h.same_pattern(&first));
        prop_assert_eq!(&g, &tape.gradient());
        if let Some(g0) = just_taken {
            prop_assert_eq!(&g, &g0);
        }
        let fresh = Tape::record(&f, x).gradient();
        let g_scale = fresh.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for (ours, theirs) in g.iter().zip(&fresh) {
            prop_assert!(
                close(*ours, *theirs, 1e-12, g_scale),
                "gradient {ours} vs {theirs}"
            );
        }
        let n = x.len();
        let expected: Vec<f64> = (0..n * n).map(|k| reference(x, k / n, k % n)).collect();
        let scale = expected.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for i in 0..n {
            for j in 0..n {
                let (ours, theirs) = (h.get(i, j), expected[i * n + j]);
                prop_assert!(
                    close(ours, theirs, 1e-12, scale),
                    "H[{i},{j}]: program {ours} vs reference {theirs}"
                );
            }
        }
        tape.recycle(h);
    }
    Ok(())
}

fn points(n: usize, count: usize) -> impl Strategy<Value = Vec<Vec<f64>>> {
    prop::collection::vec(prop::collection::vec(-1.5..1.5f64, n), count)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn chained_rosenbrock_equals_the_hand_derived_hessian(xs in points(60, 3)) {
        check(|x: &[Var]| chained_rosenbrock(x), &xs, rosenbrock_by_hand)?;
    }

    #[test]
    fn mixed_operations_equal_nested_duals(xs in points(24, 3)) {
        check(|x: &[Var]| mixed(x), &xs, |x, i, j| nested_dual_entry(mixed, x, i, j))?;
    }
}

/// A tape swept before the program existed, and whose first Hessian is at a recorded (not
/// replayed) point: the program computes the node values it needs itself.
#[test]
fn program_on_a_recorded_tape_without_values() {
    let x: Vec<f64> = (0..40).map(|i| 0.1 * i as f64 - 1.7).collect();
    let tape = Tape::record(|y: &[Var]| mixed(y), &x);
    let lanes = tape.sparse_hessian().to_dense();
    let program = tape.sparse_hessian();
    assert!(tape.hessian_is_compiled());
    let scale = lanes.as_slice().iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for i in 0..40 {
        for j in 0..40 {
            let by_duals = nested_dual_entry(mixed, &x, i, j);
            assert!(
                close(program.get(i, j), by_duals, 1e-12, scale),
                "H[{i},{j}]"
            );
            assert!(close(lanes[(i, j)], by_duals, 1e-12, scale), "H[{i},{j}]");
        }
    }
}

/// A tape with a wide vector node keeps the lane sweeps, and gives the same Hessian from
/// the first call on (checked against the Hessian by hand: 2 on the diagonal, 1 beside it).
#[test]
fn wide_nodes_keep_the_lanes() {
    use curvature_ad::VectorOps;
    let n = 30;
    let f = |x: &[Var]| {
        let s = Var::sum_squares_of(x);
        (0..n - 1).map(|i| x[i] * x[i + 1]).fold(s, |s, t| s + t)
    };
    let x: Vec<f64> = (0..n).map(|i| 0.1 * i as f64).collect();
    let mut tape = Tape::record(f, &x);
    tape.replay(&x).unwrap();
    for _ in 0..2 {
        let h = tape.sparse_hessian();
        assert!(!tape.hessian_is_compiled());
        for i in 0..n {
            for j in 0..n {
                let expected = if i == j {
                    2.0
                } else if i.abs_diff(j) == 1 {
                    1.0
                } else {
                    0.0
                };
                assert_eq!(h.get(i, j), expected, "H[{i},{j}]");
            }
        }
    }
}

/// Products with the program's Hessian, in the scatter form (`mul_vec_into`) and the
/// gather form of the transpose (`mul_transpose_vec_into`, which the CG solvers take, a
/// Hessian being symmetric), against the tape's Hessian-vector product, a second method
/// that never forms the matrix.
#[test]
fn products_with_the_program_hessian_match_the_tape_hvp() {
    let x: Vec<f64> = (0..40).map(|i| 0.07 * i as f64 - 1.3).collect();
    let v: Vec<f64> = (0..40)
        .map(|i| ((i * 17) % 11) as f64 / 5.0 - 1.0)
        .collect();
    let mut tape = Tape::record(|y: &[Var]| mixed(y), &x);
    tape.replay(&x).unwrap();
    let _ = tape.sparse_hessian();
    let h = tape.sparse_hessian();
    assert!(tape.hessian_is_compiled());
    let hv = tape.hvp(&v);
    let (mut scatter, mut gather) = (vec![f64::NAN; 40], vec![f64::NAN; 40]);
    h.mul_vec_into(&v, &mut scatter);
    h.mul_transpose_vec_into(&v, &mut gather);
    let scale = hv.iter().fold(0.0f64, |m, a| m.max(a.abs()));
    for i in 0..40 {
        assert!(close(scatter[i], hv[i], 1e-12, scale), "(Hv)[{i}]");
        assert!(close(gather[i], hv[i], 1e-12, scale), "(Hᵀv)[{i}]");
    }
    // Chained Rosenbrock's program Hessian holds equal values in both triangles, so the
    // two forms add the same products in the same order: equal bit for bit.
    let mut tape = Tape::record(|y: &[Var]| chained_rosenbrock(y), &x);
    tape.replay(&x).unwrap();
    let _ = tape.sparse_hessian();
    let h = tape.sparse_hessian();
    h.mul_vec_into(&v, &mut scatter);
    h.mul_transpose_vec_into(&v, &mut gather);
    assert_eq!(
        scatter.iter().map(|a| a.to_bits()).collect::<Vec<_>>(),
        gather.iter().map(|a| a.to_bits()).collect::<Vec<_>>()
    );
}
