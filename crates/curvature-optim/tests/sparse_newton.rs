//! The sparse second-order path: one recording per solve, sparse Hessians through the
//! `Objective` trait, sparse Cholesky in Newton and Levenberg–Marquardt, and the clear error
//! when a dense Hessian cannot fit.

use curvature_ad::{SparsityPattern, Var};
use curvature_optim::{
    Damping, Error, LevenbergMarquardt, Newton, Objective, RecordEachCall, Subproblem, TrustRegion,
};
use curvature_problems::Scalable;
use num_traits::Float;

/// Broyden tridiagonal (Moré–Garbow–Hillstrom no. 30): f = Σ r_i²,
/// `r_i = (3 − 2x_i)x_i − x_{i−1} − 2x_{i+1} + 1` (x₀ = x_{n+1} = 0); minimum f* = 0, Hessian
/// pentadiagonal. Standard start x = −1.
fn broyden_tridiagonal<T: Float>(x: &[T]) -> T {
    let n = x.len();
    let (one, two, three) = (T::one(), T::from(2.0).unwrap(), T::from(3.0).unwrap());
    (0..n)
        .map(|i| {
            let left = if i > 0 { x[i - 1] } else { T::zero() };
            let right = if i + 1 < n { x[i + 1] } else { T::zero() };
            ((three - two * x[i]) * x[i] - left - two * right + one).powi(2)
        })
        .fold(T::zero(), |s, t| s + t)
}

fn start(n: usize) -> Vec<f64> {
    vec![-1.0; n]
}

/// f = 0 exactly when every residual vanishes: the solution must drive them to round-off.
fn assert_solved(name: &str, s: &curvature_optim::Solution) {
    assert!(s.converged(), "{name}: {:?}", s.termination);
    assert!(s.f < 1e-20, "{name}: f = {:e}", s.f);
    let n = s.x.len();
    for i in 0..n {
        let left = if i > 0 { s.x[i - 1] } else { 0.0 };
        let right = if i + 1 < n { s.x[i + 1] } else { 0.0 };
        let r = (3.0 - 2.0 * s.x[i]) * s.x[i] - left - 2.0 * right + 1.0;
        assert!(r.abs() < 1e-10, "{name}: r_{i} = {r:e}");
    }
}

#[test]
fn closure_newton_records_once_and_reaches_the_minimizer() {
    let n = 2000;
    let s = Newton::new()
        .minimize(|x: &[Var]| broyden_tridiagonal(x), &start(n))
        .unwrap();
    assert_solved("Newton", &s);
    // Straight-line program (no comparisons): one recording serves the whole run.
    assert_eq!(s.evaluations.recordings, 1);
}

#[test]
fn sparse_and_dense_paths_take_the_same_steps() {
    // RecordEachCall evaluates dense Hessians (curvature_ad::hessian); the closure itself
    // takes the sparse path. Same matrices, same factorization maths: the same iterates.
    let n = 64;
    let f = |x: &[Var]| broyden_tridiagonal(x);
    let sparse = Newton::new().history(true).minimize(f, &start(n)).unwrap();
    let dense = Newton::new()
        .history(true)
        .minimize(RecordEachCall(f), &start(n))
        .unwrap();
    assert_eq!(sparse.iterations, dense.iterations);
    for (a, b) in sparse.x.iter().zip(&dense.x) {
        assert!((a - b).abs() < 1e-12);
    }
    assert_solved("sparse", &sparse);
    assert_eq!(dense.evaluations.recordings, 0);
}

#[test]
fn a_flipped_guard_re_records_and_the_answer_follows_the_new_branch() {
    // f = Σ (x_i − 3)², plus ½(x₀ − 1)² where x₀ ≤ 1 (continuous at x₀ = 1; the branch is a
    // Var comparison, recorded as a guard). From x = 0 the else-branch Newton step puts x₀ at
    // the minimizer of 2(x₀ − 3) + (x₀ − 1) = 0, x₀ = 7/3 > 1: the guard flips, the closure
    // is recorded again, and the run ends at the first branch's minimizer x = 3.
    let f = |x: &[Var]| {
        let body = x
            .iter()
            .map(|&v| (v - 3.0).powi(2))
            .fold(Var::constant(0.0), |s, t| s + t);
        if x[0] > 1.0 {
            body
        } else {
            body + (x[0] - 1.0).powi(2) * 0.5
        }
    };
    let s = Newton::new().minimize(f, &[0.0; 20]).unwrap();
    // Minimizer of the first branch: x = 3 (by hand: ∂/∂x_i = 2(x_i − 3) = 0), and x₀ = 3 > 1.
    assert!(s.converged());
    assert!(s.x.iter().all(|v| (v - 3.0).abs() < 1e-10), "{:?}", s.x);
    assert!(s.evaluations.recordings >= 2, "{:?}", s.evaluations);
}

/// f = Σ x_i⁴/4 + Σ (x_{i+1} − x_i)²/2 − Σ x_i by hand: tridiagonal Hessian
/// `diag(3x_i²) + L` (L the path-graph Laplacian); the minimizer solves x_i³ + (Lx)_i = 1,
/// which x = 1 satisfies (L·1 = 0).
struct DeclaredChain {
    n: usize,
}

impl Objective for DeclaredChain {
    fn value(&self, x: &[f64]) -> f64 {
        self.gradient(x).0
    }
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let mut f = 0.0;
        let mut g: Vec<f64> = x.iter().map(|v| v.powi(3) - 1.0).collect();
        for v in x {
            f += v.powi(4) / 4.0 - v;
        }
        for i in 0..x.len() - 1 {
            let d = x[i + 1] - x[i];
            f += d * d / 2.0;
            g[i] -= d;
            g[i + 1] += d;
        }
        (f, g)
    }
    fn hessian_pattern(&self) -> Option<SparsityPattern> {
        Some(SparsityPattern::banded(self.n, 1))
    }
}

#[test]
fn a_declared_pattern_takes_the_sparse_path_where_dense_cannot_fit() {
    // n = 300 000: a dense Hessian would need 720 GB, so only the sparse path can run.
    let n = 300_000;
    let x0: Vec<f64> = (0..n).map(|i| 2.0 + (i % 7) as f64 * 0.1).collect();
    let s = Newton::new()
        .gradient_tolerance(1e-8)
        .minimize(DeclaredChain { n }, &x0)
        .unwrap();
    assert!(s.converged(), "{:?}", s.termination);
    assert!(s.x.iter().all(|v| (v - 1.0).abs() < 1e-7));
    assert!(s.evaluations.hessian >= 2);
}

#[test]
fn an_objective_without_usable_sparsity_gets_a_clear_error_not_an_abort() {
    // f = (Σ x_i)²: every pair of variables interacts, the Hessian is all 2s, dense.
    let n = 400_000;
    let f = |x: &[Var]| x.iter().fold(Var::constant(0.0), |s, &v| s + v).powi(2);
    let e = Newton::new().minimize(f, &vec![1.0; n]).unwrap_err();
    assert!(
        matches!(e, Error::DenseHessianTooLarge { n: 400_000, .. }),
        "{e:?}"
    );
    let message = e.to_string();
    for alternative in ["sparse", "NewtonCg", "TrustRegion", "Lbfgs"] {
        assert!(message.contains(alternative), "{message}");
    }
    // The matrix-free trust region solves it: f is minimal (0) on the hyperplane Σx = 0.
    let s = TrustRegion::new()
        .subproblem(Subproblem::SteihaugCg)
        .minimize(f, &vec![1.0; n])
        .unwrap();
    assert!(
        s.converged() && s.f < 1e-12,
        "{:?} f = {}",
        s.termination,
        s.f
    );
}

#[test]
fn levenberg_marquardt_runs_on_sparse_hessians() {
    let n = 1000;
    for damping in [Damping::Identity, Damping::Diagonal] {
        let s = LevenbergMarquardt::new()
            .damping(damping)
            .minimize(|x: &[Var]| broyden_tridiagonal(x), &start(n))
            .unwrap();
        assert_solved(&format!("{damping:?}"), &s);
        assert_eq!(s.evaluations.recordings, 1);
    }
}

/// Chained Rosenbrock, f = Σ 100(x_{i+1} − x_i²)² + (1 − x_i)² (scipy's `rosen`), from
/// x_i = i/(n + 1): minimum f* = 0 at x = (1, ..., 1), known in closed form. Newton-type
/// methods need iterations in proportion to n here (at n = 10³ scipy's trust-exact took 834,
/// its trust-krylov 1 143, its Newton-CG stopped after 755 with ‖g‖∞ = 0.26): the solvers must
/// follow the valley all the way, within a budget that such counts would exceed.
#[test]
fn chained_rosenbrock_is_solved_all_along_its_valley() {
    let problem = Scalable::ChainedRosenbrock;
    let n = 1000;
    let x0 = problem.x0(n).unwrap();
    let x_min = problem.x_min(n).unwrap().unwrap();
    let f = |x: &[Var]| problem.value(x);
    let solutions = [
        Newton::new().max_iterations(750).minimize(f, &x0),
        TrustRegion::new().max_iterations(750).minimize(f, &x0),
    ];
    for s in solutions {
        let s = s.unwrap();
        assert!(s.converged(), "{}: {:?}", s.method, s.termination);
        assert!(s.f < 1e-12, "{}: f = {:e}", s.method, s.f);
        for (i, (xi, mi)) in s.x.iter().zip(&x_min).enumerate() {
            assert!((xi - mi).abs() < 1e-6, "{}: x_{i} = {xi}", s.method);
        }
    }
}

/// Steihaug's trust region takes its first 20 products as HVPs on the tape and then
/// multiplies by the sparse Hessian it forms at each point; `matrix_free` keeps every product
/// on the tape. Both solve Broyden tridiagonal, in the same number of iterations.
#[test]
fn steihaug_products_by_the_formed_sparse_hessian_and_on_the_tape_alone() {
    let n = 1000;
    let run = |matrix_free: bool| {
        TrustRegion::new()
            .subproblem(Subproblem::SteihaugCg)
            .matrix_free(matrix_free)
            .minimize(|x: &[Var]| broyden_tridiagonal(x), &start(n))
            .unwrap()
    };
    let (tape, sparse) = (run(true), run(false));
    assert_solved("Steihaug-CG, matrix-free", &tape);
    assert_solved("Steihaug-CG", &sparse);
    assert_eq!(tape.iterations, sparse.iterations);
    assert!(tape.evaluations.hvp > 20 && tape.evaluations.hessian == 0);
    assert_eq!(sparse.evaluations.hvp, 20);
    assert!(sparse.evaluations.hessian >= 1);
}

/// Which products of a Steihaug run are HVPs and which points form a sparse Hessian, replayed
/// from its history: the first 20 products of the run are HVPs on the tape (extended Wood's
/// Hessian has 3 colours and a compiled program), and every later point that needs a
/// product forms one Hessian, except a point whose step was rejected, whose retry reuses it.
#[test]
fn steihaug_forms_one_sparse_hessian_per_point_and_reuses_it_after_a_rejected_step() {
    let p = Scalable::ExtendedWood;
    let s = TrustRegion::new()
        .subproblem(Subproblem::SteihaugCg)
        .gradient_tolerance(1e-7)
        .history(true)
        .minimize(move |x: &[Var]| p.value(x), &p.x0(1000).unwrap())
        .unwrap();
    assert!(s.converged(), "{:?}", s.termination);
    let rows = s.history.as_ref().unwrap();
    let (mut on_tape, mut hessians, mut formed_at) = (0, 0, None);
    let mut rejected = 0;
    for k in 1..rows.len() {
        let point = &rows[k - 1].x;
        let products = rows[k].inner_iterations.unwrap();
        let here = products.min(20 - on_tape);
        if products > here && formed_at != Some(point) {
            hessians += 1;
            formed_at = Some(point);
        }
        on_tape += here;
        rejected += usize::from(rows[k].step_norm == 0.0);
    }
    assert!(rejected > 0, "the run has rejected steps to retry");
    assert_eq!(
        (s.evaluations.hvp, s.evaluations.hessian),
        (on_tape, hessians)
    );
}
