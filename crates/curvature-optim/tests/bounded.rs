//! L-BFGS-B and projected Newton beyond the Hock–Schittkowski set: box QPs checked against
//! an independent active-set enumeration, bad inputs, and runs without bounds.

mod common;

use common::{check_preconditioned, solve_augmented, Rosenbrock};
use curvature_ad::Var;
use curvature_optim::{
    Bounds, Error, LbfgsB, NewtonSystem, NonFiniteEntry, Objective, Preconditioner,
    ProjectedNewton, Solution, Termination,
};
use proptest::prelude::*;

/// `f = ½xᵀQx + cᵀx`.
#[derive(Clone)]
struct Quadratic {
    q: Vec<Vec<f64>>,
    c: Vec<f64>,
}

impl Quadratic {
    fn f(&self, x: &[f64]) -> f64 {
        let n = x.len();
        (0..n)
            .map(|i| x[i] * (0.5 * (0..n).map(|j| self.q[i][j] * x[j]).sum::<f64>() + self.c[i]))
            .sum()
    }

    /// The exact minimizer on the box by enumeration of all 3ⁿ faces: for each assignment of
    /// every variable to its lower bound, its upper bound or free, solve the free block
    /// `Q_FF x_F = −(c_F + Q_FA x_A)` (Gaussian elimination) and keep the feasible solution
    /// with the least f. Q is positive definite, so this is the global minimizer.
    fn brute_force(&self, l: &[f64], u: &[f64]) -> Vec<f64> {
        let n = l.len();
        let mut best = (f64::INFINITY, Vec::new());
        for code in 0..3usize.pow(n as u32) {
            let mut x = vec![0.0; n];
            let mut free = Vec::new();
            let mut c = code;
            for i in 0..n {
                match c % 3 {
                    0 => x[i] = l[i],
                    1 => x[i] = u[i],
                    _ => free.push(i),
                }
                c /= 3;
            }
            let rows: Vec<Vec<f64>> = free
                .iter()
                .map(|&i| {
                    let mut row: Vec<f64> = free.iter().map(|&j| self.q[i][j]).collect();
                    let fixed: f64 = (0..n)
                        .filter(|j| !free.contains(j))
                        .map(|j| self.q[i][j] * x[j])
                        .sum();
                    row.push(-(self.c[i] + fixed));
                    row
                })
                .collect();
            for (&i, v) in free.iter().zip(solve_augmented(rows)) {
                x[i] = v;
            }
            let feasible = (0..n).all(|i| l[i] - 1e-12 <= x[i] && x[i] <= u[i] + 1e-12);
            if feasible && self.f(&x) < best.0 {
                best = (self.f(&x), x);
            }
        }
        best.1
    }
}

impl Objective for Quadratic {
    fn value(&self, x: &[f64]) -> f64 {
        self.f(x)
    }
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let n = x.len();
        let g = (0..n)
            .map(|i| (0..n).map(|j| self.q[i][j] * x[j]).sum::<f64>() + self.c[i])
            .collect();
        (self.f(x), g)
    }
    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, curvature_optim::Matrix) {
        let (f, g) = self.gradient(x);
        let n = x.len();
        (
            f,
            g,
            curvature_optim::Matrix::from_fn(n, n, |i, j| self.q[i][j]),
        )
    }
}

type Solve = Box<dyn Fn(&Quadratic, &[f64]) -> Solution>;

fn solvers(bounds: &Bounds) -> Vec<(&'static str, Solve)> {
    let (b1, b2, b3) = (bounds.clone(), bounds.clone(), bounds.clone());
    vec![
        (
            "L-BFGS-B",
            Box::new(move |q, x0| {
                LbfgsB::new()
                    .bounds(b1.clone())
                    .gradient_tolerance(1e-7)
                    .minimize(q.clone(), x0)
                    .unwrap()
            }),
        ),
        (
            "projected Newton",
            Box::new(move |q, x0| {
                ProjectedNewton::new()
                    .bounds(b2.clone())
                    .gradient_tolerance(1e-7)
                    .minimize(q.clone(), x0)
                    .unwrap()
            }),
        ),
        (
            "projected Newton-CG",
            Box::new(move |q, x0| {
                ProjectedNewton::new()
                    .bounds(b3.clone())
                    .system(NewtonSystem::ConjugateGradient)
                    .gradient_tolerance(1e-7)
                    .minimize(q.clone(), x0)
                    .unwrap()
            }),
        ),
    ]
}

/// The box QP of a draw: `Q = AᵀA + 0.1 I` from the first n columns of the 4 × 4 matrix `a`
/// (row-major), c, and the box `centre ± width`.
fn box_qp(n: usize, a: &[f64], c: &[f64], centre: &[f64], width: &[f64]) -> (Quadratic, Bounds) {
    let q: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    let aa: f64 = (0..4).map(|k| a[k * 4 + i] * a[k * 4 + j]).sum();
                    aa + if i == j { 0.1 } else { 0.0 }
                })
                .collect()
        })
        .collect();
    let lower: Vec<f64> = (0..n).map(|i| centre[i] - width[i]).collect();
    let upper: Vec<f64> = (0..n).map(|i| centre[i] + width[i]).collect();
    let quadratic = Quadratic {
        q,
        c: c[..n].to_vec(),
    };
    (quadratic, Bounds::new(lower, upper).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random convex box QPs in 2–4 variables (Q = AᵀA + 0.1 I, boxes that usually cut the
    /// unconstrained minimizer, starts anywhere, also outside the box): every method ends at
    /// the enumerated minimizer. (The tolerance 1e-7 on the projected gradient: Q's entries
    /// reach 16 and its condition number 10³, so 1e-8 is below what f's round-off lets a
    /// line search resolve on some draws.)
    #[test]
    fn box_qps_match_the_active_set_enumeration(
        n in 2usize..=4,
        a in prop::collection::vec(-2.0f64..2.0, 16),
        c in prop::collection::vec(-5.0f64..5.0, 4),
        centre in prop::collection::vec(-1.0f64..1.0, 4),
        width in prop::collection::vec(0.0f64..2.0, 4),
        start in prop::collection::vec(-4.0f64..4.0, 4),
    ) {
        let (quadratic, bounds) = box_qp(n, &a, &c, &centre, &width);
        let expected = quadratic.brute_force(bounds.lower(), bounds.upper());
        for (name, solve) in solvers(&bounds) {
            let s = solve(&quadratic, &start[..n]);
            prop_assert!(s.converged(), "{name}: {:?} {:?} vs {:?}, {:?}", s.termination, s.x, expected, s.bounds);
            prop_assert!(bounds.contains(&s.x));
            for i in 0..n {
                prop_assert!((s.x[i] - expected[i]).abs() < 1e-6,
                    "{name}: x = {:?}, enumeration {:?}", s.x, expected);
            }
        }
    }
}

/// Two draws of the property above on which L-BFGS-B used to stop short, reporting
/// convergence ("f changes by less than its tolerance") with the projected gradient at 4.9
/// and at 0.22. In the first its subspace step, clipped to the box, descended by −1.8e-15,
/// and the line search took a step of 2e-16; in the second the search met its conditions
/// with a step of 2e-8. Either way f did not change.
#[test]
fn lbfgsb_does_not_stop_on_a_step_that_leaves_f_unchanged() {
    let draws: [[[f64; 4]; 8]; 2] = [
        [
            [
                0.11298792965409186,
                -1.7363585617851185,
                -1.6358118315998214,
                0.0,
            ],
            [
                -0.5852318531602411,
                -0.46075698916868035,
                -0.5556925864216649,
                0.0,
            ],
            [
                -0.5688823866289121,
                -1.847836025999144,
                -1.4835880713700673,
                0.0,
            ],
            [
                -1.3853562794639207,
                -0.32132405083927784,
                -1.2827467588316122,
                0.0,
            ],
            [
                -1.6680935379631885,
                0.8599479373908236,
                1.6628401320745276,
                0.0,
            ],
            [
                0.41509321235435864,
                -0.41485195602738534,
                0.7052769724165495,
                0.0,
            ],
            [
                1.4392266412987922,
                1.742136234852171,
                1.412211844680867,
                0.0,
            ],
            [
                -3.31510301071137,
                -2.2733148656601134,
                2.5301994877257292,
                0.0,
            ],
        ],
        [
            [
                1.187174892393241,
                1.8965002437346272,
                -1.5570699480999695,
                0.0,
            ],
            [
                0.15742914846289605,
                -1.687333406911492,
                -0.518527021798696,
                0.0,
            ],
            [
                -0.3627741909920572,
                1.921457878806701,
                -0.6027292739540395,
                0.0,
            ],
            [
                1.9536365219767626,
                0.6804900458670076,
                -1.0852575077876145,
                0.0,
            ],
            [
                3.073631916359732,
                -2.2268611794571846,
                -3.8293754048225956,
                0.0,
            ],
            [
                -0.611108349019318,
                0.1886450669658038,
                0.938512595876387,
                0.0,
            ],
            [
                1.4115305881579334,
                1.0467047312472855,
                1.108235114416634,
                0.0,
            ],
            [
                2.1829362923942783,
                0.01689544787786996,
                2.7638470756149376,
                0.0,
            ],
        ],
    ];
    for [a0, a1, a2, a3, c, centre, width, start] in draws {
        let a: Vec<f64> = [a0, a1, a2, a3].concat();
        let (quadratic, bounds) = box_qp(3, &a, &c, &centre, &width);
        let expected = quadratic.brute_force(bounds.lower(), bounds.upper());
        let s = LbfgsB::new()
            .bounds(bounds)
            .gradient_tolerance(1e-7)
            .minimize(quadratic, &start[..3])
            .unwrap();
        assert_eq!(s.termination, Termination::GradientTolerance, "{s}");
        for i in 0..3 {
            assert!(
                (s.x[i] - expected[i]).abs() < 1e-6,
                "{s}\nenumeration {expected:?}"
            );
        }
    }
}

#[test]
fn bad_inputs_are_errors() {
    let f = |x: &[Var]| x[0] * x[0] + x[1] * x[1];
    let three = Bounds::nonnegative(3);
    let e = LbfgsB::new().bounds(three.clone()).minimize(f, &[1.0, 1.0]);
    assert_eq!(
        e.unwrap_err(),
        Error::BoundsDimension {
            expected: 2,
            found: 3
        }
    );
    let e = ProjectedNewton::new()
        .bounds(three)
        .minimize(f, &[1.0, 1.0]);
    assert_eq!(
        e.unwrap_err(),
        Error::BoundsDimension {
            expected: 2,
            found: 3
        }
    );
    assert_eq!(
        LbfgsB::new().minimize(f, &[]).unwrap_err(),
        Error::EmptyStart
    );
    assert!(matches!(
        ProjectedNewton::new().minimize(f, &[f64::NAN, 0.0]),
        Err(Error::NonFiniteStart { index: 0, .. })
    ));
    assert!(matches!(
        LbfgsB::new().memory(0).minimize(f, &[1.0, 1.0]),
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        ProjectedNewton::new()
            .active_set_tolerance(f64::NAN)
            .minimize(f, &[1.0, 1.0]),
        Err(Error::InvalidOption(_))
    ));
    let e = Bounds::new(vec![0.0, 2.0], vec![1.0, 1.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid bounds on x[1]: need lower ≤ upper, not NaN, with a finite point between; \
         got [2, 1]"
    );
}

#[test]
fn a_nan_objective_stops_the_run() {
    // f = ln(x₀) is NaN for x₀ < 0, which the box allows: every run still ends.
    let f = |x: &[Var]| num_traits::Float::ln(x[0]) + x[1] * x[1];
    let bounds = Bounds::new(vec![-1.0, -1.0], vec![1.0, 1.0]).unwrap();
    // NaN at the start: an error that says what was not finite.
    let at_start = |e: Error| {
        matches!(
            e,
            Error::NonFiniteAtStart {
                entry: NonFiniteEntry::Value,
                ..
            }
        )
    };
    let e = LbfgsB::new()
        .bounds(bounds.clone())
        .minimize(f, &[-0.5, 0.5])
        .unwrap_err();
    assert!(at_start(e.clone()), "{e:?}");
    let e = ProjectedNewton::new()
        .bounds(bounds.clone())
        .minimize(f, &[-0.5, 0.5])
        .unwrap_err();
    assert!(at_start(e.clone()), "{e:?}");
    // From x₀ = 0.5, f decreases without bound towards x₀ = 0 and is NaN beyond: the runs
    // end, and not as converged.
    let s = LbfgsB::new()
        .bounds(bounds.clone())
        .minimize(f, &[0.5, 0.5])
        .unwrap();
    assert!(!s.converged(), "{:?}", s.termination);
    let s = ProjectedNewton::new()
        .bounds(bounds)
        .minimize(f, &[0.5, 0.5])
        .unwrap();
    assert!(!s.converged(), "{:?}", s.termination);
}

#[test]
fn without_bounds_they_are_unconstrained_minimizers() {
    for s in [
        LbfgsB::new().minimize(Rosenbrock, &[-1.2, 1.0]).unwrap(),
        ProjectedNewton::new()
            .minimize(Rosenbrock, &[-1.2, 1.0])
            .unwrap(),
    ] {
        assert_eq!(s.termination, Termination::GradientTolerance);
        assert!((s.x[0] - 1.0).abs() < 1e-8 && (s.x[1] - 1.0).abs() < 1e-8);
        let report = s.bounds.unwrap();
        assert!(report.active().is_empty() && report.projected_start.is_empty());
        // Without bounds the projected gradient is −∇f: the same norm.
        assert_eq!(report.projected_gradient_norm, s.gradient_norm);
    }
}

#[test]
fn a_fixed_variable_stays_fixed() {
    // l₁ = u₁ = 0.3: the minimizer of Rosenbrock along x₁ = 0.3 has x₀ solving
    // 400x₀(x₀² − 0.3) = 2(1 − x₀) — checked here by the residual of that equation.
    let bounds = Bounds::new(vec![-5.0, 0.3], vec![5.0, 0.3]).unwrap();
    for s in [
        LbfgsB::new()
            .bounds(bounds.clone())
            .minimize(Rosenbrock, &[2.0, 3.0])
            .unwrap(),
        ProjectedNewton::new()
            .bounds(bounds.clone())
            .minimize(Rosenbrock, &[2.0, 3.0])
            .unwrap(),
    ] {
        assert_eq!(s.x[1], 0.3);
        let x = s.x[0];
        assert!(
            (400.0 * x * (x * x - 0.3) - 2.0 * (1.0 - x)).abs() < 1e-7,
            "{x}"
        );
        assert_eq!(s.bounds.unwrap().at_lower, vec![1]);
    }
}

/// TRIDIA: f = (x₀ − 1)² + Σ (i + 1)(2xᵢ − xᵢ₋₁)², strictly convex, minimum 0 at xᵢ = 2^{−i}.
fn tridia(x: &[Var]) -> Var {
    let mut f = (x[0] - 1.0) * (x[0] - 1.0);
    for i in 1..x.len() {
        let d = 2.0 * x[i] - x[i - 1];
        f += (i + 1) as f64 * d * d;
    }
    f
}

/// TRIDIA with n = 1000 on x ≥ 1e-3, a strictly convex quadratic whose unconstrained
/// minimizer xᵢ = 2^{−i} crosses the bound at i = 10: the bounded minimizer is unique, so the
/// Hessian-free projected Newton (no n × n matrix) and L-BFGS-B, two different methods, must
/// agree on it and on its active set; so must projected Newton–CG on the sparse Hessians it
/// forms by default once the run has taken 20 products on the tape.
#[test]
fn large_bounded_tridia_by_hessian_free_newton_and_lbfgsb() {
    let n = 1000;
    let f = tridia;
    let bounds = Bounds::new(vec![1e-3; n], vec![f64::INFINITY; n]).unwrap();
    let newton_cg = ProjectedNewton::new()
        .bounds(bounds.clone())
        .system(NewtonSystem::ConjugateGradient)
        .gradient_tolerance(1e-7);
    let newton = newton_cg
        .clone()
        .matrix_free(true)
        .minimize(f, &vec![1.0; n])
        .unwrap();
    let sparse = newton_cg.minimize(f, &vec![1.0; n]).unwrap();
    let lbfgsb = LbfgsB::new()
        .bounds(bounds)
        .gradient_tolerance(1e-7)
        .minimize(f, &vec![1.0; n])
        .unwrap();
    assert!(newton.converged() && sparse.converged() && lbfgsb.converged());
    assert_eq!(newton.evaluations.hessian, 0);
    assert_eq!(sparse.evaluations.hvp, 20);
    assert!(sparse.evaluations.hessian > 0);
    let b = lbfgsb.bounds.unwrap();
    for s in [newton, sparse] {
        let a = s.bounds.unwrap();
        assert_eq!(a.at_lower, b.at_lower);
        assert!(a.at_lower.len() > n - 20, "{}", a.at_lower.len());
        for (x, y) in s.x.iter().zip(&lbfgsb.x) {
            assert!((x - y).abs() < 1e-7, "{x} vs {y}");
        }
        assert!((s.f - lbfgsb.f).abs() < 1e-9 * s.f);
    }
}

/// TRIDIA, n = 1000, with x₀ ≤ 0.9 (and the rest free): f = (x₀ − 1)² + Σ (i + 1)(2xᵢ − xᵢ₋₁)²
/// is smallest at x₀ = 0.9 on its bound and xᵢ = 0.9·2^{−i} (every other term zero), in
/// closed form. Projected Newton–CG reaches it with and without the diagonal preconditioner,
/// which, on this Hessian of condition ~n², takes a fraction of the CG iterations, one
/// Hessian an iteration and no Hessian-vector product; so does the default (`Automatic`),
/// which preconditions once its products use the formed sparse Hessian.
#[test]
fn projected_newton_cg_with_the_diagonal_preconditioner_on_bounded_tridia() {
    let n = 1000;
    let f = tridia;
    let mut upper = vec![f64::INFINITY; n];
    upper[0] = 0.9;
    let bounds = Bounds::new(vec![f64::NEG_INFINITY; n], upper).unwrap();
    let run = |preconditioner| {
        ProjectedNewton::new()
            .bounds(bounds.clone())
            .system(NewtonSystem::ConjugateGradient)
            .preconditioner(preconditioner)
            .gradient_tolerance(1e-7)
            .minimize(f, &vec![0.5; n])
            .unwrap()
    };
    use Preconditioner::{Automatic, Diagonal, None};
    let [plain, jacobi, automatic] = [None, Diagonal, Automatic].map(run);
    for s in [&plain, &jacobi, &automatic] {
        assert!(s.converged(), "{:?}", s.termination);
        assert_eq!(s.bounds.as_ref().unwrap().at_upper, vec![0]);
        assert!(s.f - 0.01 < 1e-12, "f = {}", s.f);
        for (i, xi) in s.x.iter().enumerate().take(20) {
            assert!(
                (xi - 0.9 * 0.5f64.powi(i as i32)).abs() < 1e-8,
                "x[{i}] = {xi}"
            );
        }
    }
    check_preconditioned(&plain, &jacobi, &automatic);
}
