//! External oracle: the hand-written derivatives and Hessians of `argmin_testfunctions`.

use argmin_testfunctions as tf;
use curvature_ad::{gradient, hessian, Var};
use num_traits::Float;
use proptest::prelude::*;

/// `|a - b| <= tol (1 + scale)`. Rounding is relative to the terms an entry sums, not to
/// the entry: Goldstein-Price's ∂1 of 15.27 at (-1.42, -1.46) cancels terms of the size of
/// ∂0 (-2.2e4), and its H[0,0] of 0.057 at (-1.77, 1.13) terms of the Hessian's largest
/// entries. The largest magnitude among the quantities compared stands in for the terms'.
fn close(a: f64, b: f64, tol: f64, scale: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + scale.max(a.abs()).max(b.abs()))
}

fn largest<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
    values.into_iter().fold(0.0, |m, v| m.max(v.abs()))
}

fn check(
    f: impl Fn(&[Var]) -> Var,
    x: &[f64],
    g_ref: &[f64],
    h_ref: &[Vec<f64>],
) -> Result<(), TestCaseError> {
    let (fx, g) = gradient(&f, x);
    let g_scale = largest(g_ref).max(fx.abs());
    for (j, (a, b)) in g.iter().zip(g_ref).enumerate() {
        prop_assert!(
            close(*a, *b, 1e-11, g_scale),
            "∂{j}: ours {a} vs hand-written {b}"
        );
    }
    let (_, g2, h) = hessian(&f, x);
    // The same gradient from a replayable tape, up to rounding: the gradient driver folds
    // unary partials into their consumers' as it records, so its products associate
    // differently.
    for (j, (a, b)) in g2.iter().zip(&g).enumerate() {
        prop_assert!(
            close(*a, *b, 1e-13, g_scale),
            "∂{j}: hessian's {a} vs gradient's {b}"
        );
    }
    let h_scale = largest(h_ref.iter().flatten());
    for (i, row) in h_ref.iter().enumerate() {
        for (j, b) in row.iter().enumerate() {
            let a = h[(i, j)];
            prop_assert!(
                close(a, *b, 1e-10, h_scale),
                "H[{i},{j}]: ours {a} vs hand-written {b}"
            );
        }
    }
    Ok(())
}

fn two(x: &[Var]) -> [Var; 2] {
    [x[0], x[1]]
}

fn rows<const N: usize>(h: [[f64; N]; N]) -> Vec<Vec<f64>> {
    h.iter().map(|r| r.to_vec()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn n_dimensional_functions(x in prop::collection::vec(-2.0f64..2.0, 2..9)) {
        check(tf::rosenbrock, &x, &tf::rosenbrock_derivative(&x), &tf::rosenbrock_hessian(&x))?;
        check(tf::rastrigin, &x, &tf::rastrigin_derivative(&x), &tf::rastrigin_hessian(&x))?;
        check(tf::levy, &x, &tf::levy_derivative(&x), &tf::levy_hessian(&x))?;
        check(tf::ackley, &x, &tf::ackley_derivative(&x), &tf::ackley_hessian(&x))?;
        check(tf::styblinski_tang, &x, &tf::styblinski_tang_derivative(&x), &tf::styblinski_tang_hessian(&x))?;
        let sphere_h: Vec<Vec<f64>> = (0..x.len()).map(|i| (0..x.len()).map(|j| if i == j { 2.0 } else { 0.0 }).collect()).collect();
        check(tf::sphere, &x, &tf::sphere_derivative(&x), &sphere_h)?;
    }

    #[test]
    fn two_dimensional_functions(a in -2.0f64..2.0, b in -2.0f64..2.0) {
        let x = [a, b];
        check(|v| tf::beale(&two(v)), &x, &tf::beale_derivative(&x), &rows(tf::beale_hessian(&x)))?;
        check(|v| tf::booth(&two(v)), &x, &tf::booth_derivative(&x), &rows(tf::booth_hessian(&x)))?;
        check(|v| tf::goldsteinprice(&two(v)), &x, &tf::goldsteinprice_derivative(&x), &rows(tf::goldsteinprice_hessian(&x)))?;
        check(|v| tf::himmelblau(&two(v)), &x, &tf::himmelblau_derivative(&x), &rows(tf::himmelblau_hessian(&x)))?;
        check(|v| tf::matyas(&two(v)), &x, &tf::matyas_derivative(&x), &rows(tf::matyas_hessian(&x)))?;
        check(|v| tf::mccormick(&two(v)), &x, &tf::mccormick_derivative(&x), &rows(tf::mccormick_hessian(&x)))?;
        check(|v| tf::threehumpcamel(&two(v)), &x, &tf::threehumpcamel_derivative(&x), &rows(tf::threehumpcamel_hessian(&x)))?;
    }
}

#[test]
fn booth_from_the_seed() {
    // f = (x + 2y - 7)² + (2x + y - 5)²; at (9, 8): 2·18 + 4·21 = 120, 4·18 + 2·21 = 114.
    let booth = |x: &[Var]| (x[0] + 2.0 * x[1] - 7.0).powi(2) + (2.0 * x[0] + x[1] - 5.0).powi(2);
    let (f, g) = gradient(booth, &[9.0, 8.0]);
    assert_eq!(f, 18.0 * 18.0 + 21.0 * 21.0);
    assert_eq!(g, vec![120.0, 114.0]);
    // The Hessian is [[10, 8], [8, 10]] everywhere.
    for x in [[9.0, 8.0], [-3.0, 0.5], [1.0, 3.0]] {
        let (_, _, h) = hessian(booth, &x);
        assert_eq!(h.as_slice(), &[10.0, 8.0, 8.0, 10.0]);
    }
}
