//! The first lines a new user writes under `use curvature::prelude::*` compile and agree
//! with hand-computed values (the papercuts of issue 12: a glob import must not make
//! `Var::from`, `f64::from` or `sum` ambiguous).

use curvature::prelude::*;

#[test]
fn var_from_f64_and_sums_compile_under_the_prelude() {
    // f(x) = Σ xᵢ², started from the constant Var::from(0.0): ∇f = 2x.
    let f = |x: &[Var]| x.iter().fold(Var::from(0.0), |acc, &xi| acc + xi * xi);
    assert_eq!(gradient(f, &[1.0, -2.0]), (5.0, vec![2.0, -4.0]));

    // The same with `sum` over values and over references: ∇(Σ xᵢ) = 1, ∇(Π xᵢ) at (2, 3) = (3, 2).
    let by_value = |x: &[Var]| x.iter().map(|&xi| xi * xi).sum::<Var>();
    assert_eq!(gradient(by_value, &[1.0, -2.0]), (5.0, vec![2.0, -4.0]));
    let by_ref = |x: &[Var]| x.iter().sum::<Var>();
    assert_eq!(gradient(by_ref, &[2.0, 3.0]), (5.0, vec![1.0, 1.0]));
    let product = |x: &[Var]| x.iter().product::<Var>();
    assert_eq!(gradient(product, &[2.0, 3.0]), (6.0, vec![3.0, 2.0]));

    // Dual has the same constructor: d/dt (t + 1)² at t = 2 is 6.
    let (f, df) = derivative(|t| (t + Dual::from(1.0)).powi(2), 2.0);
    assert_eq!((f, df), (9.0, 6.0));
}

#[test]
fn f64_conversions_and_methods_compile_under_the_prelude() {
    // std's From on f64 (NumCast::from would be ambiguous here) and the inherent methods.
    let x = f64::from(3u8) + f64::from(2i32) + f64::from(0.5f32);
    assert_eq!(x, 5.5);
    assert_eq!(x.max(6.0).sqrt(), 6f64.sqrt());
    assert_eq!((-x).abs().powi(2), 30.25);
    let total: f64 = [1.0, 2.0, 3.5].iter().sum();
    assert_eq!(total, 6.5);
    // The num-traits items the prelude does bring in still work on f64.
    assert_eq!(f64::zero() + f64::one(), 1.0);
    assert_eq!(f64::from_f64(2.0), Some(2.0));
    assert_eq!(Float::max(1.0f64, 2.0), 2.0);
}

#[test]
fn generic_code_casts_constants_through_its_float_bound() {
    // In generic code `T::from` is NumCast's, reached through the `Float` bound: the prelude
    // does not need to import NumCast for it. Rosenbrock's ∇ at (1, 1) is 0, H = [[802, −400], [−400, 200]].
    fn rosenbrock<T: Float>(x: &[T]) -> T {
        let b = T::from(100.0).expect("100 fits every float type");
        (T::one() - x[0]).powi(2) + b * (x[1] - x[0] * x[0]).powi(2)
    }
    let (_, g, h) = hessian(|x: &[Var]| rosenbrock(x), &[1.0, 1.0]);
    assert_eq!(g, vec![0.0, 0.0]);
    assert_eq!(h.as_slice(), &[802.0, -400.0, -400.0, 200.0]);
}
