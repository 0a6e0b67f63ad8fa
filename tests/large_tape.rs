//! Hessians of tapes over two million nodes, which take the large-tape paths, checked against
//! the Hessian worked out by hand: up to 8 colours one fused batch of as many lanes; beyond,
//! lane batches of fewer lanes run one after the other, and the local second derivatives
//! they share are stored only for the nodes that have any (a cursor finds them). A tape's
//! second sparse Hessian comes from its compiled program, checked the same way.

use curvature::ad::{Tape, Var};
use curvature_problems::large_scale::broyden_tridiagonal;

/// Broyden tridiagonal, f = Σ r_i², r_i = (3 − 2x_i)x_i − x_{i−1} − 2x_{i+1} + 1 (x_{−1} =
/// x_n = 0), has a pentadiagonal Hessian (5 colours). By hand: H = 2 Σ_i (∇r_i ∇r_iᵀ +
/// r_i ∇²r_i), with ∇r_i = (−1, 3 − 4x_i, −2) at (i − 1, i, i + 1) and ∇²r_i = −4 at (i, i).
fn broyden_hessian_entry(x: &[f64], row: usize, col: usize) -> f64 {
    let n = x.len();
    let mut h = 0.0;
    for i in row.saturating_sub(1)..(row + 2).min(n) {
        let left = if i > 0 { x[i - 1] } else { 0.0 };
        let right = if i + 1 < n { x[i + 1] } else { 0.0 };
        let r = (3.0 - 2.0 * x[i]) * x[i] - left - 2.0 * right + 1.0;
        let grad = |k: usize| match k {
            k if k + 1 == i => -1.0,
            k if k == i => 3.0 - 4.0 * x[i],
            k if k == i + 1 => -2.0,
            _ => 0.0,
        };
        h += 2.0 * grad(row) * grad(col);
        if row == i && col == i {
            h += 2.0 * r * -4.0;
        }
    }
    h
}

/// Records f at x, a tape of over two million nodes, and checks its colours, its stored
/// entries and, near both ends and in the middle, every entry up to `reach` off the diagonal
/// against the Hessian worked out by hand.
fn check_by_hand(
    f: impl Fn(&[Var]) -> Var,
    x: &[f64],
    (colours, nnz, reach): (usize, usize, usize),
    by_hand: impl Fn(usize, usize) -> f64,
) {
    let n = x.len();
    let tape = Tape::record(f, x);
    assert!(tape.len() > 2_000_000, "{} nodes", tape.len());
    assert_eq!(tape.hessian_colors(), colours);
    // The first Hessian from the lane sweeps, the second from the tape's compiled program.
    for method in ["lanes", "program"] {
        let h = tape.sparse_hessian();
        assert_eq!(tape.hessian_is_compiled(), method == "program");
        assert_eq!(h.nnz(), nnz);
        for row in (0..8).chain(n / 2..n / 2 + 8).chain(n - 8..n) {
            for col in row.saturating_sub(reach)..(row + reach + 1).min(n) {
                let e = by_hand(row, col);
                let got = h.get(row, col);
                assert!(
                    (got - e).abs() <= 1e-12 * (1.0 + e.abs()),
                    "{method}: H[{row},{col}] = {got}, by hand {e}"
                );
            }
        }
    }
}

#[test]
fn a_tape_of_millions_of_nodes_in_one_five_lane_batch_is_exact() {
    let n = 230_000;
    let x: Vec<f64> = (0..n)
        .map(|i| -1.0 + 0.3 * ((i % 7) as f64).sin())
        .collect();
    // Entries 3 off the diagonal, outside the band, must be zero.
    check_by_hand(broyden_tridiagonal::<Var>, &x, (5, 5 * n - 6, 3), |r, c| {
        broyden_hessian_entry(&x, r, c)
    });
}

/// f = Σ_i s_i², s_i = Σ_{k<5} x_{i+k}² (windows i = 0..n − 5): a band of half-width 4, 9
/// colours. By hand, window i adds ∂²(s_i²)/∂x_j∂x_k = 8 x_j x_k + 4 s_i δ_jk for j, k in it.
fn windows(x: &[Var]) -> Var {
    (0..x.len() - 4)
        .map(|i| {
            let s = x[i..i + 5]
                .iter()
                .fold(Var::constant(0.0), |s, &v| s + v * v);
            s * s
        })
        .fold(Var::constant(0.0), |f, t| f + t)
}

fn windows_hessian_entry(x: &[f64], row: usize, col: usize) -> f64 {
    let n = x.len();
    let (lo, hi) = (row.min(col), row.max(col));
    // Windows i with i ≤ lo and hi ≤ i + 4.
    (hi.saturating_sub(4)..=lo.min(n - 5))
        .map(|i| {
            let s: f64 = x[i..i + 5].iter().map(|v| v * v).sum();
            8.0 * x[row] * x[col] + if row == col { 4.0 * s } else { 0.0 }
        })
        .sum()
}

#[test]
fn a_tape_of_millions_of_nodes_in_sequential_batches_is_exact() {
    let n = 190_000;
    let x: Vec<f64> = (0..n)
        .map(|i| 0.5 + 0.3 * ((i % 11) as f64).cos())
        .collect();
    check_by_hand(windows, &x, (9, 9 * n - 20, 5), |r, c| {
        windows_hessian_entry(&x, r, c)
    });
}
