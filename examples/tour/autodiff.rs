//! Part 1 of the tour: the autodiff drivers on the seed's Booth function and on Rosenbrock.

use curvature::prelude::*;

fn booth<T: Float>(x: &[T]) -> T {
    let c = |v: f64| T::from(v).unwrap();
    (x[0] + c(2.0) * x[1] - c(7.0)).powi(2) + (c(2.0) * x[0] + x[1] - c(5.0)).powi(2)
}

fn rosenbrock<T: Float>(x: &[T]) -> T {
    let c = |v: f64| T::from(v).unwrap();
    (1..x.len())
        .map(|i| c(100.0) * (x[i] - x[i - 1] * x[i - 1]).powi(2) + (c(1.0) - x[i - 1]).powi(2))
        .fold(T::zero(), |a, b| a + b)
}

pub fn run() {
    println!("== Curvature tour, part 1: automatic differentiation ==\n");
    println!("Booth f(x, y) = (x + 2y - 7)² + (2x + y - 5)², written once over num_traits::Float.");
    let x0 = [9.0, 8.0];
    println!("  f64 evaluation   f(9, 8)      = {}", booth(&x0));
    let (f, g) = gradient(|x: &[Var]| booth(x), &x0);
    println!("  reverse mode     f, ∇f(9, 8)  = {f}, {g:?}");
    let (_, _, hv) = hvp(|x: &[Var]| booth(x), &x0, &[1.0, -1.0]);
    println!("  forward-over-reverse H·(1, -1) = {hv:?}");
    let (_, _, h) = hessian(|x: &[Var]| booth(x), &x0);
    println!("  exact Hessian H(9, 8) =\n{h:.1}");

    println!("Univariate drivers on g(t) = t·sin t at t = 2 (forward mode, nested duals):");
    let (v, d1) = derivative(|t| t * t.sin(), 2.0);
    let (_, _, d2) = second_derivative(|t: Dual2| t * t.sin(), 2.0);
    println!("  g = {v:.6}, g' = {d1:.6} (sin 2 + 2 cos 2 = {:.6}), g'' = {d2:.6} (2 cos 2 - 2 sin 2 = {:.6})\n",
        2f64.sin() + 2.0 * 2f64.cos(), 2.0 * 2f64.cos() - 2.0 * 2f64.sin());

    println!("Rosenbrock (chained), n = 4, at (-1.2, 1, -1.2, 1):");
    let x = [-1.2, 1.0, -1.2, 1.0];
    let mut tape = Tape::record(|v: &[Var]| rosenbrock(v), &x);
    println!("  recorded {tape:?}");
    println!("  f = {:.4}, ∇f = {:.4?}", tape.value(), tape.gradient());
    println!("  H =\n{:.1}", tape.hessian());
    let f1 = tape.replay(&[1.0; 4]).expect("no branches in Rosenbrock");
    println!(
        "  replayed at (1, 1, 1, 1) without calling the closure: f = {f1}, ∇f = {:?}\n",
        tape.gradient()
    );

    println!("Chained Rosenbrock at n = 1000: the Hessian is tridiagonal, so after detecting its");
    println!("sparsity from the tape, columns that share no row share an HVP lane:");
    let x: Vec<f64> = (0..1000)
        .map(|i| if i % 2 == 0 { -1.2 } else { 1.0 })
        .collect();
    let t0 = std::time::Instant::now();
    let tape = Tape::record(|v: &[Var]| rosenbrock(v), &x);
    let h = tape.hessian();
    println!(
        "  {} colours (HVP lanes) for a 1000 × 1000 Hessian, {:.2?} including the recording; H[0][0] = {}, H[0][1] = {}\n",
        tape.hessian_colors(),
        t0.elapsed(),
        h[(0, 0)],
        h[(0, 1)]
    );
}
