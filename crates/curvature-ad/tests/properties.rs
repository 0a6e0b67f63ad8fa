//! Property tests over random expression programs: every derivative the crate computes is
//! checked against an independent method (central differences, forward-mode duals, nested
//! duals, a fresh recording).

#![allow(clippy::needless_range_loop)]

mod common;

use common::{branches, close, eval, point, program, Program, ALL, BRANCH, SMOOTH};
use curvature_ad::{
    derivative, gradient, hessian, hvp, second_derivative, Dual, Matrix, Tape, Var,
};
use num_traits::Float;
use proptest::prelude::*;

const N: usize = 3;

fn f64_eval(p: &Program, x: &[f64]) -> f64 {
    eval(p, x)
}

/// Central difference of the gradient component j, with a step suited to f64.
fn central(f: impl Fn(&[f64]) -> f64, x: &[f64], j: usize) -> f64 {
    let h = 1e-5 * (1.0 + x[j].abs());
    let mut xp = x.to_vec();
    let mut xm = x.to_vec();
    xp[j] += h;
    xm[j] -= h;
    (f(&xp) - f(&xm)) / (2.0 * h)
}

fn directional(p: &Program, x: &[f64], v: &[f64]) -> f64 {
    let xd: Vec<Dual<f64>> = x.iter().zip(v).map(|(&a, &b)| Dual::new(a, b)).collect();
    eval(p, &xd).eps
}

/// vᵀ H w from nested forward mode: inputs x + v·ε₁ + w·ε₂, the ε₁ε₂ coefficient.
fn second_directional(p: &Program, x: &[f64], v: &[f64], w: &[f64]) -> f64 {
    let xd: Vec<Dual<Dual<f64>>> = (0..x.len())
        .map(|j| Dual::new(Dual::new(x[j], v[j]), Dual::new(w[j], 0.0)))
        .collect();
    eval(p, &xd).eps.eps
}

/// Gradient, HVP along `v` and dense Hessian of two tapes of one function at one point agree
/// to rounding; `what` names the first tape in the messages.
fn same_derivatives(
    a: &mut Tape,
    b: &mut Tape,
    v: &[f64],
    what: &str,
) -> Result<(), TestCaseError> {
    for (x, y) in [(a.gradient(), b.gradient()), (a.hvp(v), b.hvp(v))] {
        for (x, y) in x.iter().zip(&y) {
            prop_assert!(close(*x, *y, 1e-12), "{what} {x} vs {y}");
        }
    }
    let (h, h_b) = (a.hessian(), b.hessian());
    for i in 0..N {
        for j in 0..N {
            prop_assert!(
                close(h[(i, j)], h_b[(i, j)], 1e-12),
                "H[{i},{j}]: {what} {} vs {}",
                h[(i, j)],
                h_b[(i, j)]
            );
        }
    }
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(96)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn gradient_matches_central_differences(p in program(0..SMOOTH, 10), x in point(N)) {
        let (f, g) = gradient(|v: &[Var]| eval(&p, v), &x);
        prop_assert!(close(f, f64_eval(&p, &x), 1e-12));
        for j in 0..N {
            let fd = central(|y| f64_eval(&p, y), &x, j);
            prop_assert!(close(g[j], fd, 1e-5), "∂{j}: reverse {} vs central {}", g[j], fd);
        }
    }

    #[test]
    fn gradient_matches_forward_mode(p in program(0..ALL + 1, 12), x in point(N), v in point(N)) {
        let (_, g) = gradient(|y: &[Var]| eval(&p, y), &x);
        let gv: f64 = g.iter().zip(&v).map(|(a, b)| a * b).sum();
        let scale: f64 = g.iter().zip(&v).map(|(a, b)| (a * b).abs()).sum();
        let dir = directional(&p, &x, &v);
        prop_assert!((gv - dir).abs() <= 1e-12 * (1.0 + scale), "reverse {gv} vs forward {dir}");
    }

    #[test]
    fn second_derivative_matches_differences_of_derivative(
        p in program(0..SMOOTH, 8), x in point(N), v in point(N)
    ) {
        // φ(t) = f(x + t·v); compare φ''(0) with a central difference of φ'.
        let phi = |t: Dual<f64>| {
            let y: Vec<Dual<f64>> = x.iter().zip(&v).map(|(&a, &b)| t * b + a).collect();
            eval(&p, &y)
        };
        let (f0, d1, d2) = second_derivative(
            |t| {
                let y: Vec<_> = x.iter().zip(&v).map(|(&a, &b)| t * b + a).collect();
                eval(&p, &y)
            },
            0.0,
        );
        prop_assert!(close(f0, f64_eval(&p, &x), 1e-12));
        prop_assert!(close(d1, derivative(phi, 0.0).1, 1e-12));
        let h = 1e-5;
        let fd = (derivative(phi, h).1 - derivative(phi, -h).1) / (2.0 * h);
        prop_assert!(close(d2, fd, 1e-5), "φ'' {d2} vs differences {fd}");
    }

    #[test]
    fn dense_sparse_hessian_stores_every_entry(p in program(0..ALL + 1, 12), x in point(N)) {
        let tape = Tape::record(|y: &[Var]| eval(&p, y), &x);
        let sparse = tape.sparse_hessian();
        prop_assert_eq!(sparse.nnz(), N * N);
        prop_assert_eq!(sparse.to_dense(), tape.hessian());
    }

    #[test]
    fn hvp_equals_hessian_times_v(p in program(0..ALL + 1, 12), x in point(N), v in point(N)) {
        let (f, g, hv) = hvp(|y: &[Var]| eval(&p, y), &x, &v);
        let (f2, g2, h) = hessian(|y: &[Var]| eval(&p, y), &x);
        prop_assert_eq!(f, f2);
        let hv2 = h.mul_vec(&v);
        for j in 0..N {
            prop_assert!(close(g[j], g2[j], 1e-12));
            let scale: f64 = (0..N).map(|k| (h[(j, k)] * v[k]).abs()).sum();
            prop_assert!((hv[j] - hv2[j]).abs() <= 1e-12 * (1.0 + scale), "{} vs {}", hv[j], hv2[j]);
        }
    }

    #[test]
    fn hessian_is_symmetric_and_matches_nested_duals(
        p in program(0..ALL + 1, 12), x in point(N), v in point(N), w in point(N)
    ) {
        let (_, _, h) = hessian(|y: &[Var]| eval(&p, y), &x);
        prop_assert_eq!(h.asymmetry(), 0.0);
        let vhw: f64 = (0..N).flat_map(|i| (0..N).map(move |j| (i, j))).map(|(i, j)| v[i] * h[(i, j)] * w[j]).sum();
        let scale: f64 = (0..N).flat_map(|i| (0..N).map(move |j| (i, j))).map(|(i, j)| (v[i] * h[(i, j)] * w[j]).abs()).sum();
        let nested = second_directional(&p, &x, &v, &w);
        prop_assert!((vhw - nested).abs() <= 1e-11 * (1.0 + scale), "vᵀHw {vhw} vs nested duals {nested}");
    }

    #[test]
    fn hessian_matches_differences_of_gradient(p in program(0..SMOOTH, 8), x in point(N)) {
        let (_, _, h) = hessian(|y: &[Var]| eval(&p, y), &x);
        // Central differences of the gradient with steps s and s/2, Richardson-extrapolated
        // (error O(s⁴)): plain central differences were off by 4e-5 relative on a program with
        // large third derivatives (the saved regression case).
        let central = |j: usize, step: f64| {
            let mut xp = x.clone();
            let mut xm = x.clone();
            xp[j] += step;
            xm[j] -= step;
            let gp = gradient(|y: &[Var]| eval(&p, y), &xp).1;
            let gm = gradient(|y: &[Var]| eval(&p, y), &xm).1;
            (0..N).map(|i| (gp[i] - gm[i]) / (2.0 * step)).collect::<Vec<f64>>()
        };
        for j in 0..N {
            let step = 1e-4 * (1.0 + x[j].abs());
            let (coarse, fine) = (central(j, step), central(j, step / 2.0));
            for i in 0..N {
                let fd = (4.0 * fine[i] - coarse[i]) / 3.0;
                prop_assert!(close(h[(i, j)], fd, 1e-5), "H[{i},{j}] {} vs {}", h[(i, j)], fd);
            }
        }
    }

    #[test]
    fn third_derivative_by_forward_over_reverse_in_nested_duals(
        p in program(0..SMOOTH, 8), x in point(N), v in point(N), w in point(N), u in point(N)
    ) {
        // Forward-over-reverse in Dual<Dual<f64>>: ε₁ε₂ part of the gradient, dotted with u.
        let tape = Tape::record(|y: &[Var]| eval(&p, y), &x);
        let seeds: Vec<Dual<Dual<f64>>> = (0..N)
            .map(|j| Dual::new(Dual::new(x[j], v[j]), Dual::new(w[j], 0.0)))
            .collect();
        let (_, g) = tape.gradient_at(&seeds).unwrap();
        let by_tape: f64 = g.iter().zip(&u).map(|(gj, uj)| gj.eps.eps * uj).sum();
        let scale: f64 = g.iter().zip(&u).map(|(gj, uj)| (gj.eps.eps * uj).abs()).sum();
        // Independent: pure forward mode in Dual<Dual<Dual<f64>>>, the ε₁ε₂ε₃ coefficient.
        let seeds3: Vec<Dual<Dual<Dual<f64>>>> = (0..N)
            .map(|j| Dual::new(
                Dual::new(Dual::new(x[j], v[j]), Dual::new(w[j], 0.0)),
                Dual::new(Dual::new(u[j], 0.0), Dual::new(0.0, 0.0)),
            ))
            .collect();
        let by_forward = eval(&p, &seeds3).eps.eps.eps;
        prop_assert!((by_tape - by_forward).abs() <= 1e-10 * (1.0 + scale.max(by_forward.abs())),
            "∇³f[v,w,u]: tape {by_tape} vs forward {by_forward}");
    }

    #[test]
    fn replay_matches_fresh_recording_or_reports_the_branch(
        p in program(0..ALL + 1, 12), x in point(N), y in point(N)
    ) {
        let mut tape = Tape::record(|v: &[Var]| eval(&p, v), &x);
        match tape.replay(&y) {
            Ok(f) => {
                prop_assert_eq!(branches(&p, &x), branches(&p, &y));
                // The replay also fused the tape's single-use chains: the value is the
                // unfused recording's bit for bit (same operations), the derivatives to
                // rounding (a fused node adds its operands' adjoint contributions at its own
                // place in the sweep, so sums meet in another order).
                let mut fresh = Tape::record(|v: &[Var]| eval(&p, v), &y);
                prop_assert_eq!(f, fresh.value());
                same_derivatives(&mut tape, &mut fresh, &[1.0, -0.5, 0.25], "replayed")?;
            }
            Err(e) => {
                prop_assert_ne!(branches(&p, &x), branches(&p, &y), "spurious {}", e);
            }
        }
    }

    #[test]
    fn fusing_at_the_recorded_point_keeps_every_derivative(
        p in program(0..ALL + 1, 12), x in point(N), v in point(N)
    ) {
        // Without a replay the sweeps read the partials the fusion pass composed from the
        // recorded ones (a replay recomputes them by the fused op's rule), so this checks
        // the pass's own arithmetic: a wrong sign or slot there passes the replay test.
        let mut unfused = Tape::record(|v: &[Var]| eval(&p, v), &x);
        let mut fused = Tape::record(|v: &[Var]| eval(&p, v), &x);
        fused.fuse();
        prop_assert_eq!(fused.value(), unfused.value());
        same_derivatives(&mut fused, &mut unfused, &v, "fused")?;
        let (sparse, h_unfused) = (fused.sparse_hessian(), unfused.hessian());
        for i in 0..N {
            for j in 0..N {
                prop_assert!(close(sparse.get(i, j), h_unfused[(i, j)], 1e-12),
                    "sparse H[{i},{j}]: fused {} vs unfused {}", sparse.get(i, j), h_unfused[(i, j)]);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// With 24 inputs and a short program the Hessian is sparse, so `hessian` takes the
    /// coloured path; every column must equal an HVP with the unit vector (a separate sweep).
    #[test]
    fn sparse_hessian_equals_unit_hvps(p in program(0..ALL + 1, 24), x in point(24)) {
        let tape = Tape::record(|y: &[Var]| eval(&p, y), &x);
        let h = tape.hessian();
        // The sparse form holds the same entries, and nothing outside its pattern.
        let sparse = tape.sparse_hessian();
        prop_assert_eq!(sparse.to_dense(), h.clone());
        prop_assert!(sparse.nnz() <= 24 * 24);
        let mut tape = tape;
        for j in 0..24 {
            let mut e = vec![0.0; 24];
            e[j] = 1.0;
            let col = tape.hvp(&e);
            for i in 0..24 {
                prop_assert!(close(h[(i, j)], col[i], 1e-12), "H[{i},{j}] {} vs HVP {}", h[(i, j)], col[i]);
            }
        }
        // The tape's second sparse Hessian is its compiled program's (`hessian_program`),
        // a second method: the same entries up to rounding (its sums meet in another order).
        // The gradient that comes with it is the plain reverse sweep's, and so is the one
        // after a replay at another point.
        let (g, old) = tape.gradient_and_sparse_hessian();
        prop_assert_eq!(&g, &tape.gradient());
        prop_assert!(old.same_pattern(&sparse));
        prop_assert!(same_entries(&old.to_dense(), &h), "program {old:?} vs lanes {h:?}");
        // The next Hessian written into the old one's storage (`recycle`), after a replay at
        // another point, holds the values a fresh recording there gives (by lanes).
        tape.recycle(old);
        let y: Vec<f64> = x.iter().map(|v| 0.9 * v + 0.05).collect();
        if tape.replay(&y).is_ok() {
            let (g, h2) = tape.gradient_and_sparse_hessian();
            prop_assert_eq!(&g, &tape.gradient());
            let fresh = Tape::record(|v: &[Var]| eval(&p, v), &y);
            prop_assert!(same_entries(&h2.to_dense(), &fresh.hessian()));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// A global parameter coupled to every input (an arrowhead block) on top of a random
    /// sparse program: the dense row gets a colour of its own and is recovered by symmetry.
    #[test]
    fn sparse_hessian_with_a_dense_row_equals_unit_hvps(p in program(0..ALL + 1, 24), x in point(40)) {
        let f = |y: &[Var]| eval(&p, y) + y[0] * y.iter().skip(1).map(|&v| v * v).sum::<Var>();
        let mut tape = Tape::record(f, &x);
        prop_assert!(tape.hessian_colors() < 20, "{} colours", tape.hessian_colors());
        let h = tape.hessian();
        for j in 0..40 {
            let mut e = vec![0.0; 40];
            e[j] = 1.0;
            let col = tape.hvp(&e);
            for i in 0..40 {
                prop_assert!(close(h[(i, j)], col[i], 1e-12), "H[{i},{j}] {} vs HVP {}", h[(i, j)], col[i]);
            }
        }
    }
}

#[test]
fn an_arrowhead_hessian_costs_two_hvps() {
    // f = x0² + Σ_{i≥1} (x0·x_i² + sin x_i): H_00 = 2, H_0i = 2x_i, H_ii = 2x0 − sin x_i.
    let n = 300;
    let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.01 * i as f64).collect();
    let tape = Tape::record(
        |v: &[Var]| {
            v[0] * v[0]
                + v.iter()
                    .skip(1)
                    .map(|&t| v[0] * t * t + t.sin())
                    .sum::<Var>()
        },
        &x,
    );
    assert_eq!(tape.hessian_colors(), 2);
    let h = tape.hessian();
    for i in 0..n {
        for j in 0..n {
            let expect = match (i, j) {
                (0, 0) => 2.0,
                (0, j) => 2.0 * x[j],
                (i, 0) => 2.0 * x[i],
                (i, j) if i == j => 2.0 * x[0] - x[i].sin(),
                _ => 0.0,
            };
            assert!(
                close(h[(i, j)], expect, 1e-14),
                "H[{i},{j}] = {} vs {expect}",
                h[(i, j)]
            );
        }
    }
}

#[test]
fn a_banded_hessian_costs_three_hvps_at_any_n() {
    use argmin_testfunctions::{rosenbrock, rosenbrock_hessian};
    for n in [20, 200, 2000] {
        let x: Vec<f64> = (0..n)
            .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
            .collect();
        let tape = Tape::record(|v: &[Var]| rosenbrock(v), &x);
        assert_eq!(tape.hessian_colors(), 3);
        let h = tape.hessian();
        let sparse = tape.sparse_hessian();
        assert_eq!(sparse.nnz(), 3 * n - 2);
        assert_eq!(sparse.to_dense(), h);
        let reference = rosenbrock_hessian(&x);
        for i in 0..n {
            for j in 0..n {
                assert!(
                    close(h[(i, j)], reference[i][j], 1e-13),
                    "n = {n}: H[{i},{j}]"
                );
            }
        }
    }
}

#[test]
fn a_branch_flip_is_reported_and_the_tape_refuses_derivatives() {
    let p = Program {
        instrs: vec![common::Instr {
            kind: BRANCH,
            a: 0,
            b: 1,
            c3: 0,
            c: 0.0,
        }],
    };
    let mut tape = Tape::record(|v: &[Var]| eval(&p, v), &[0.0, 1.0, 0.0]);
    assert_eq!(tape.num_guards(), 1);
    let err = tape.replay(&[2.0, 1.0, 0.0]).unwrap_err();
    assert_eq!(err.guard, 0);
    assert!(err.to_string().contains("re-record"));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tape.gradient()));
    assert!(caught.is_err());
    // Back on the recorded side of the branch, replay works again.
    assert!(tape.replay(&[-1.0, 1.0, 0.0]).is_ok());
    // a·tanh(b) at (-1, 1): ∂/∂a = tanh 1, ∂/∂b = -1·(1 - tanh² 1).
    let g = tape.gradient();
    let t = 1f64.tanh();
    assert!((g[0] - t).abs() < 1e-15 && (g[1] + (1.0 - t * t)).abs() < 1e-15);
}

/// `x^1`, `x^0`, `x + 0`, `x · 1` record no node, and their values and derivatives are the
/// f64 ones (x^0 = 1 also at NaN, as `f64::powi`).
#[test]
fn identity_powers_fold_at_recording() {
    let f = |x: &[Var]| {
        x[0].powi(1) * x[1].powf(Var::constant(1.0)) + x[0].powi(0) + x[1].powf(Var::constant(0.0))
    };
    let tape = Tape::record(f, &[3.0, 5.0]);
    // Inputs, x0·x1, + 1, + 1: three operation nodes.
    assert_eq!(tape.len(), 2 + 3);
    let (v, g) = gradient(f, &[3.0, 5.0]);
    assert_eq!((v, g), (17.0, vec![5.0, 3.0]));
    assert_eq!(gradient(|x: &[Var]| x[0].powi(0), &[f64::NAN]).0, 1.0);
    assert_eq!(hessian(f, &[3.0, 5.0]).2.as_slice(), &[0.0, 1.0, 1.0, 0.0]);
}

/// Equal entries up to rounding, relative to the largest entry (sums of terms that cancel
/// meet in another order in the two methods).
fn same_entries(a: &Matrix, b: &Matrix) -> bool {
    let scale = a
        .as_slice()
        .iter()
        .chain(b.as_slice())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let tol = 1e-12 * (1.0 + scale);
    a.as_slice()
        .iter()
        .zip(b.as_slice())
        .all(|(u, v)| (u - v).abs() <= tol)
}
