//! Newton–CG: what the mathematics guarantees, with expectations derived by hand, and the
//! tape-reusing Hessian-vector operator of `Var` closures.

mod common;

use common::{check_preconditioned, DoubleWell, Quadratic, Rosenbrock};
use curvature_ad::Var;
use curvature_optim::{Error, HvpOperator, NewtonCg, Objective, Preconditioner, Termination};
use curvature_problems::Scalable;
use num_traits::Float;

/// Chained Rosenbrock Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², minimum f(1, …, 1) = 0.
fn chained_rosenbrock(x: &[Var]) -> Var {
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .fold(Var::constant(0.0), |s, t| s + t)
}

/// The classical start: −1.2 at even indices, 1 at odd ones.
fn classical_start(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect()
}

#[test]
fn with_cg_run_to_convergence_the_first_step_solves_a_quadratic() {
    // f = ½xᵀAx − bᵀx, A = tridiag(−1, 4 + i, −1) (SPD), b = (1, …, n). With η_max = 0, CG
    // runs to (at most) n iterations from p = 0 on A p = −(A x0 − b), so x0 + p = A⁻¹b and the
    // unit step satisfies strong Wolfe (φ'(1) = 0).
    let n = 8;
    let q = Quadratic::tridiagonal(n);
    let s = NewtonCg::new()
        .forcing(0.0)
        .history(true)
        .minimize(q.clone(), &vec![0.0; n])
        .unwrap();
    assert_eq!(
        (s.iterations, s.termination),
        (1, Termination::GradientTolerance)
    );
    let (_, residual) = q.gradient(&s.x); // A x − b
    assert!(residual.iter().all(|r| r.abs() < 1e-12), "{residual:?}");
    let history = s.history.unwrap();
    assert_eq!(history[1].alpha, 1.0);
    let cg = history[1].inner_iterations.unwrap();
    assert!((1..=n).contains(&cg), "{cg}");
    assert_eq!(s.evaluations.hvp, cg);
}

#[test]
fn a_var_quadratic_is_solved_by_one_step() {
    // A = [[4, 1], [1, 3]], b = (1, 2): A⁻¹ = [[3, −1], [−1, 4]]/11, x* = (1, 7)/11.
    let f = |x: &[Var]| {
        0.5 * (4.0 * x[0] * x[0] + 2.0 * x[0] * x[1] + 3.0 * x[1] * x[1]) - x[0] - 2.0 * x[1]
    };
    let s = NewtonCg::new()
        .forcing(0.0)
        .minimize(f, &[5.0, -3.0])
        .unwrap();
    assert_eq!(s.iterations, 1);
    assert!((s.x[0] - 1.0 / 11.0).abs() < 1e-14 && (s.x[1] - 7.0 / 11.0).abs() < 1e-14);
    assert_eq!(s.evaluations.hvp, 2); // CG on a 2 × 2 SPD system: two iterations
    assert_eq!(s.evaluations.hessian, 0);
}

#[test]
fn reaches_rosenbrocks_minimum_hand_written_and_as_a_closure() {
    let closure = |x: &[Var]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
    for s in [
        NewtonCg::new().minimize(Rosenbrock, &[-1.2, 1.0]).unwrap(),
        NewtonCg::new().minimize(closure, &[-1.2, 1.0]).unwrap(),
    ] {
        assert!(
            s.gradient_norm <= 1e-6 && (s.x[0] - 1.0).abs() < 1e-5 && (s.x[1] - 1.0).abs() < 1e-5,
            "{s:?}"
        );
        assert_eq!(s.termination, Termination::GradientTolerance);
        // Tens of iterations, not gradient descent's 23 000. More than Newton's 22: where H is
        // indefinite just above the valley floor CG stops at negative curvature, and where the
        // quadratic model predicts the gradient poorly the Eisenstat–Walker forcing term
        // accepts a rough solve (72 iterations with the forcing term min(0.5, √‖g‖) and the
        // bare CG iterate at negative curvature; 32 when negative curvature was followed).
        assert!(s.iterations < 100, "{}", s.iterations);
    }
}

/// How a run took its Hessian products: with `matrix_free` each CG iteration is one counted
/// HVP on the tape and no Hessian is formed; by default the first 20 products are taken on
/// the tape (the compiled program applies to these sparse tapes), then each point with a
/// product forms one sparse Hessian and multiplies by it.
fn check_products(s: &curvature_optim::Solution, matrix_free: bool) {
    let history = s.history.as_ref().unwrap();
    let cg: usize = history.iter().filter_map(|row| row.inner_iterations).sum();
    let e = s.evaluations;
    if matrix_free {
        assert_eq!(cg, e.hvp);
        assert_eq!(e.hessian, 0);
    } else {
        assert_eq!(e.hvp, 20);
        let points = history
            .iter()
            .filter(|row| row.inner_iterations.is_some())
            .count();
        assert!(
            e.hessian >= 1 && e.hessian < points,
            "{e:?}, {points} points"
        );
    }
}

#[test]
fn chained_rosenbrock_with_a_thousand_variables_converges_with_few_products_per_iteration() {
    for matrix_free in [true, false] {
        rosenbrock_with_a_thousand_variables(matrix_free);
    }
}

fn rosenbrock_with_a_thousand_variables(matrix_free: bool) {
    let n = 1000;
    let s = NewtonCg::new()
        .gradient_tolerance(1e-6)
        .matrix_free(matrix_free)
        .history(true)
        .minimize(chained_rosenbrock, &classical_start(n))
        .unwrap();
    assert_eq!(s.termination, Termination::GradientTolerance, "{s:?}");
    assert!(s.x.iter().all(|xi| (xi - 1.0).abs() < 1e-5));
    // From this start every method needs O(n) iterations: the chain's legs flip from −1 to 1
    // a few at a time, f dropping by about 4 per leg (Newton stalls at a local minimum with
    // f ≈ 3.99, L-BFGS takes ≈ 4 900 iterations). Newton-CG took 2 676 when this test was
    // written and 2 554 with Eisenstat–Walker forcing terms; the bound leaves room for
    // round-off, not for a different algorithm.
    assert!(s.iterations < 3 * n, "{} iterations", s.iterations);
    // Truncation: a handful of products per iteration, not n.
    let history = s.history.as_ref().unwrap();
    let cg: usize = history.iter().filter_map(|row| row.inner_iterations).sum();
    assert!(cg < 10 * s.iterations, "{cg} CG iterations");
    check_products(&s, matrix_free);
}

#[test]
fn negative_curvature_at_the_start_still_descends() {
    // f = x⁴/4 − x²/2 + y² at (0.2, 0): g = (0.008 − 0.2, 0) = (−0.192, 0), H = diag(−0.88, 2).
    // d₀ = −g = (0.192, 0) has d₀ᵀHd₀ = −0.88 · 0.192² < 0, so CG stops at once with p = −g.
    let x0 = [0.2, 0.0];
    let f0 = DoubleWell.value(&x0);
    let s = NewtonCg::new()
        .history(true)
        .max_iterations(1)
        .minimize(DoubleWell, &x0)
        .unwrap();
    let row = &s.history.unwrap()[1];
    assert_eq!(row.inner_iterations, Some(1));
    assert!(s.f < f0 && s.x[0] > 0.2, "{:?} f = {}", s.x, s.f);
    let s = NewtonCg::new().minimize(DoubleWell, &x0).unwrap();
    assert!(s.converged());
    assert!(
        (s.x[0] - 1.0).abs() < 1e-8 && s.x[1].abs() < 1e-8,
        "{:?}",
        s.x
    );
}

#[test]
fn invalid_options_and_starts_are_errors() {
    let f = |x: &[Var]| x[0] * x[0];
    assert!(matches!(
        NewtonCg::new().forcing(1.0).minimize(f, &[1.0]),
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        NewtonCg::new().forcing(f64::NAN).minimize(f, &[1.0]),
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        NewtonCg::new().max_cg_iterations(0).minimize(f, &[1.0]),
        Err(Error::InvalidOption(_))
    ));
    assert_eq!(NewtonCg::new().minimize(f, &[]), Err(Error::EmptyStart));
    assert!(matches!(
        NewtonCg::new().minimize(f, &[f64::NAN]),
        Err(Error::NonFiniteStart { index: 0, .. })
    ));
}

/// f = x₀² + x₁² with a Hessian-vector product of the wrong length.
struct WrongHvp;

impl Objective for WrongHvp {
    fn value(&self, x: &[f64]) -> f64 {
        x[0] * x[0] + x[1] * x[1]
    }
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        (self.value(x), vec![2.0 * x[0], 2.0 * x[1]])
    }
    fn hvp(&self, x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let (f, g) = self.gradient(x);
        (f, g, vec![2.0 * v[0]])
    }
}

#[test]
fn a_wrong_sized_hessian_vector_product_is_an_error() {
    assert_eq!(
        NewtonCg::new().minimize(WrongHvp, &[1.0, 2.0]),
        Err(Error::DimensionMismatch {
            what: "Hessian-vector product",
            expected: 2,
            found: 1
        })
    );
}

#[test]
fn the_evaluation_budget_stops_the_inner_loop() {
    // The budget counts every call, the start's included: start (1 gradient), operator at
    // x0 (1 gradient), first product (1 HVP) = 3, so the second CG product is refused and the
    // run ends at x0 before its first step.
    let s = NewtonCg::new()
        .forcing(0.0)
        .max_evaluations(3)
        .minimize(Quadratic::tridiagonal(10), &[0.0; 10])
        .unwrap();
    assert_eq!(s.termination, Termination::MaxEvaluations);
    assert_eq!((s.iterations, s.x), (0, vec![0.0; 10]));
    assert_eq!((s.evaluations.gradient, s.evaluations.hvp), (2, 1));
}

#[test]
fn the_tape_operator_matches_fresh_hvps() {
    // A function with every kind of coupling: products, transcendental functions, a chain.
    let f = |x: &[Var]| {
        let mut s = (x[0] * x[2]).exp() + x[1].sin() * x[3].powi(3);
        for w in x.windows(2) {
            s = s + (w[0] - w[1] * w[1]).powi(2) + (w[0] * w[1]).cos();
        }
        s
    };
    let x = [0.3, -1.1, 0.7, 1.9, -0.4];
    let mut operator = f.hvp_operator(&x);
    let (f0, g0) = curvature_ad::gradient(f, &x);
    assert!((operator.value() - f0).abs() <= 1e-12 * f0.abs().max(1.0));
    assert!(operator
        .gradient()
        .iter()
        .zip(&g0)
        .all(|(a, b)| (a - b).abs() <= 1e-12 * b.abs().max(1.0)));
    let mut hv = Vec::new();
    for k in 0..7 {
        let v: Vec<f64> = (0..5).map(|i| ((i * 7 + k * 3) % 5) as f64 - 2.0).collect();
        operator.apply(&v, &mut hv);
        let (_, _, fresh) = curvature_ad::hvp(f, &x, &v);
        assert_eq!(hv.len(), 5);
        for (a, b) in hv.iter().zip(&fresh) {
            assert!(
                (a - b).abs() <= 1e-12 * b.abs().max(1.0),
                "{hv:?} vs {fresh:?}"
            );
        }
    }
}

#[test]
fn the_tape_operator_calls_the_closure_once_for_any_number_of_products() {
    // f = Σ xᵢ³ has H = diag(6xᵢ): H·v = (6xᵢvᵢ).
    let calls = std::cell::Cell::new(0);
    let f = |x: &[Var]| {
        calls.set(calls.get() + 1);
        x.iter().fold(Var::constant(0.0), |s, &xi| s + xi.powi(3))
    };
    let mut operator = f.hvp_operator(&[1.0, -2.0, 0.5]);
    let mut hv = Vec::new();
    for v in [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 2.0]] {
        operator.apply(&v, &mut hv);
        assert_eq!(hv, vec![6.0 * v[0], -12.0 * v[1], 3.0 * v[2]]);
    }
    drop(operator);
    assert_eq!(calls.get(), 1);
}

#[test]
fn the_default_operator_calls_hvp() {
    // Hand-written objectives keep working: Quadratic's hvp is A·v, A = tridiag(−1, 4 + i, −1).
    let q = Quadratic::tridiagonal(3);
    let mut operator: HvpOperator<'_> = q.hvp_operator(&[1.0, 1.0, 1.0]);
    // A·1 − b = (4 − 1, −1 + 5 − 1, −1 + 6) − (1, 2, 3) = (2, 1, 2);
    // f = ½·1ᵀA1 − bᵀ1 = ½(3 + 3 + 5) − 6 = −0.5.
    assert_eq!(operator.value(), -0.5);
    assert_eq!(operator.gradient(), &[2.0, 1.0, 2.0]);
    let mut hv = Vec::new();
    operator.apply(&[0.0, 1.0, 0.0], &mut hv);
    assert_eq!(hv, vec![-1.0, 5.0, -1.0]);
}

/// Extended Wood (CUTEst WOODS) from its standard start (−3, −1, −3, −1, …): the iterates pass
/// a saddle region (f ≈ 7.88 per block) where CG meets negative curvature at almost every step.
fn solve_extended_wood(n: usize, matrix_free: bool) -> curvature_optim::Solution {
    let p = Scalable::ExtendedWood;
    NewtonCg::new()
        .gradient_tolerance(1e-6)
        .matrix_free(matrix_free)
        .history(true)
        .minimize(move |x: &[Var]| p.value(x), &p.x0(n).unwrap())
        .unwrap()
}

#[test]
fn extended_wood_is_solved_from_the_standard_start() {
    for (n, matrix_free) in [(4, true), (1000, true), (1000, false)] {
        let s = solve_extended_wood(n, matrix_free);
        assert_eq!(
            s.termination,
            Termination::GradientTolerance,
            "n = {n}: {s:?}"
        );
        let g_inf = s.gradient.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        assert!(
            s.f <= 1e-10 && g_inf <= 1e-6,
            "n = {n}: f = {:e}, ‖g‖∞ = {g_inf:e}",
            s.f
        );
        // The minimizer is (1, …, 1) (f* = 0, positive definite Hessian there).
        assert!(s.x.iter().all(|xi| (xi - 1.0).abs() < 1e-4), "n = {n}");
        // With the bare CG iterate at negative curvature and η = min(0.5, √‖g‖), Newton-CG
        // crawled through the saddle region: 421 iterations at n = 4, and at n = 1000 still
        // f ≈ 1966 (≈ 7.87 per block) after 5 000. Now 64 (n = 4) and 82 (n = 1000).
        assert!(s.iterations < 500, "n = {n}: {} iterations", s.iterations);
        check_products(&s, matrix_free);
    }
}

/// The other two paths of the products: a dense Hessian keeps every product on the tape,
/// and a sparse one without a compiled program (a wide vector node makes the tape's sparse
/// Hessian run the lane sweeps, costing about a product a colour) is formed at a point only
/// after that point has taken as many products as it has colours. Both reach the minimizer
/// x = (1, …, 1) worked out by hand (every term vanishes there).
#[test]
fn dense_hessians_stay_on_the_tape_and_lane_swept_ones_wait_for_their_colours() {
    // Σ (1 + i)(x_i − 1)² + (Σ x_i − n)⁴: H = diag(2 + 2i) + 12(Σx − n)²·11ᵀ, dense; CG
    // run to convergence (η = 0) takes up to n = 30 products at a step, over 20 in the run.
    let n = 30;
    let dense = move |x: &[Var]| {
        let s = x.iter().fold(Var::constant(-(n as f64)), |a, &b| a + b);
        (0..n).fold(s.powi(4), |a, i| {
            a + (1.0 + i as f64) * (x[i] - 1.0).powi(2)
        })
    };
    let s = NewtonCg::new()
        .forcing(0.0)
        .history(true)
        .minimize(dense, &vec![0.0; n])
        .unwrap();
    assert!(
        s.converged() && s.x.iter().all(|xi| (xi - 1.0).abs() < 1e-6),
        "{s:?}"
    );
    let cg: usize = s
        .history
        .as_ref()
        .unwrap()
        .iter()
        .filter_map(|r| r.inner_iterations)
        .sum();
    assert!(cg > 20);
    assert_eq!((s.evaluations.hvp, s.evaluations.hessian), (cg, 0));

    // Σ (x_{i+1} − x_i²)² through `sum_squares`, plus Σ (x_i − 1)²: tridiagonal.
    let n = 40;
    let lanes = |x: &[Var]| {
        let r: Vec<Var> = (0..x.len() - 1).map(|i| x[i + 1] - x[i] * x[i]).collect();
        x.iter()
            .fold(curvature_ad::vector::sum_squares(&r), |a, &xi| {
                a + (xi - 1.0).powi(2)
            })
    };
    let x0: Vec<f64> = (0..n).map(|i| 0.5 + 0.01 * i as f64).collect();
    let mut tape = curvature_ad::Tape::record(lanes, &x0);
    tape.fuse();
    let colors = tape.hessian_colors();
    tape.sparse_hessian();
    assert!(
        colors < n && !tape.hessian_is_compiled(),
        "the lane-sweep path"
    );
    let s = NewtonCg::new()
        .forcing(0.0)
        .history(true)
        .minimize(lanes, &x0)
        .unwrap();
    assert!(
        s.converged() && s.x.iter().all(|xi| (xi - 1.0).abs() < 1e-6),
        "{s:?}"
    );
    let points = s
        .history
        .as_ref()
        .unwrap()
        .iter()
        .filter(|r| r.inner_iterations.is_some())
        .count();
    let e = s.evaluations;
    // 20 products on the tape, the Hessian formed at the next; later points take `colors`
    // products on the tape first (fewer if CG needs fewer).
    assert!(e.hessian >= 1, "{e:?}");
    assert!(
        e.hvp > 20 && e.hvp <= 20 + colors * points,
        "{e:?}, {points} points, {colors} colours"
    );
}

/// The diagonal preconditioner on TRIDIA, Σ i(2xᵢ − xᵢ₋₁)² + (x₁ − 1)², whose weights i make
/// the Hessian's condition number grow with n: every run reaches the minimizer xᵢ = 2^(1−i)
/// (f* = 0, in closed form). `Diagonal` takes a fraction of the plain CG iterations, one
/// Hessian per step and no Hessian-vector product; `Automatic` (the default) takes its first
/// 20 products on the tape unpreconditioned, as `None` does, then preconditions the CG of
/// the steps whose products use the formed sparse Hessian, also with a fraction of the
/// plain CG iterations.
#[test]
fn the_diagonal_preconditioner_tames_tridia() {
    let n = 1000;
    let p = Scalable::Tridia;
    let run = |preconditioner| {
        NewtonCg::new()
            .preconditioner(preconditioner)
            .gradient_tolerance(1e-7)
            .minimize(move |x: &[Var]| p.value(x), &p.x0(n).unwrap())
            .unwrap()
    };
    use Preconditioner::{Automatic, Diagonal, None};
    let [plain, jacobi, automatic] = [None, Diagonal, Automatic].map(run);
    for s in [&plain, &jacobi, &automatic] {
        assert_eq!(s.termination, Termination::GradientTolerance);
        assert!(s.f < 1e-18, "f = {:e}", s.f);
        for (i, xi) in s.x.iter().enumerate().take(20) {
            assert!((xi - 0.5f64.powi(i as i32)).abs() < 1e-9, "x[{i}] = {xi}");
        }
    }
    check_preconditioned(&plain, &jacobi, &automatic);
    assert_eq!(
        NewtonCg::new(),
        NewtonCg::new().preconditioner(Preconditioner::Automatic)
    );
}

/// Where no product goes through a formed sparse Hessian — every product a Hessian-vector
/// product on the tape (`matrix_free(true)`), or a run that needs fewer than 20 (ARWHEAD
/// takes 8) — `Automatic` is plain CG: the same iterates, bit for bit, and the same counts.
#[test]
fn the_automatic_preconditioner_is_plain_cg_on_hessian_vector_products() {
    let same = |a: &curvature_optim::Solution, b: &curvature_optim::Solution| {
        assert_eq!(a.iterations, b.iterations);
        assert_eq!(a.evaluations, b.evaluations);
        assert_eq!(a.f.to_bits(), b.f.to_bits());
        assert!(a
            .x
            .iter()
            .zip(&b.x)
            .all(|(u, v)| u.to_bits() == v.to_bits()));
    };
    let run = |p: Scalable, n: usize, matrix_free: bool, preconditioner| {
        NewtonCg::new()
            .matrix_free(matrix_free)
            .preconditioner(preconditioner)
            .gradient_tolerance(1e-7)
            .minimize(move |x: &[Var]| p.value(x), &p.x0(n).unwrap())
            .unwrap()
    };
    let (tridia, arwhead) = (Scalable::Tridia, Scalable::Arwhead);
    let plain = run(tridia, 1000, true, Preconditioner::None);
    assert!(plain.evaluations.hvp > 100, "{:?}", plain.evaluations);
    same(&plain, &run(tridia, 1000, true, Preconditioner::Automatic));
    let plain = run(arwhead, 1000, false, Preconditioner::None);
    assert!(plain.evaluations.hvp < 20 && plain.evaluations.hessian == 0);
    same(
        &plain,
        &run(arwhead, 1000, false, Preconditioner::Automatic),
    );
}

/// A sparse Hessian of many colours is first formed only once the run has taken as many
/// products on the tape (forming it may cost about a product a colour). Four blocks of 24
/// variables, f = Σ_b (Σ_{i∈b} x_i)⁴ + Σ (1 + i/n) x_i²: every block's Hessian is dense,
/// 24 colours; f is strictly convex, minimum 0 at x = 0.
#[test]
fn a_many_coloured_hessian_waits_for_as_many_products() {
    let (n, width) = (96, 24);
    let blocks = move |x: &[Var]| {
        let quartics = x
            .chunks(width)
            .map(|b| b.iter().fold(Var::constant(0.0), |a, &xi| a + xi).powi(4));
        let squares = (0..n).map(|i| (1.0 + i as f64 / n as f64) * x[i] * x[i]);
        quartics
            .chain(squares)
            .fold(Var::constant(0.0), |a, t| a + t)
    };
    let x0: Vec<f64> = (0..n).map(|i| 0.3 + 0.01 * i as f64).collect();
    let colors = curvature_ad::Tape::record(blocks, &x0).hessian_colors();
    assert!(colors > 20 && colors < n, "{colors} colours");
    let s = NewtonCg::new().forcing(0.0).minimize(blocks, &x0).unwrap();
    assert!(
        s.converged() && s.x.iter().all(|xi| xi.abs() < 1e-6),
        "{s:?}"
    );
    let e = s.evaluations;
    assert!(e.hvp >= colors && e.hessian >= 1, "{e:?}, {colors} colours");
}
