//! Misuse is loud, never wrong; edge cases give the right answer.

use curvature_ad::{gradient, hessian, hvp, jacobian, Tape, Var};
use num_traits::Float;
use std::panic::{catch_unwind, AssertUnwindSafe};

fn panic_message(r: std::thread::Result<impl Sized>) -> String {
    match r {
        Ok(_) => panic!("expected a panic"),
        Err(e) => e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    }
}

#[test]
fn a_var_that_escaped_its_call_panics_with_a_message() {
    let mut escaped = None;
    gradient(
        |x: &[Var]| {
            escaped = Some(x[0]);
            x[0] * 2.0
        },
        &[1.0],
    );
    let v = escaped.unwrap();
    let msg = panic_message(catch_unwind(|| v.sin()));
    assert!(msg.contains("outside of the derivative call"), "{msg}");
    // ... and inside another call it is named as a Var of another tape.
    let msg = panic_message(catch_unwind(|| gradient(|x: &[Var]| x[0] + v, &[1.0])));
    assert!(msg.contains("another tape"), "{msg}");
    let msg = panic_message(catch_unwind(|| gradient(|_: &[Var]| v.exp(), &[1.0])));
    assert!(msg.contains("another tape"), "{msg}");
}

#[test]
fn an_outer_var_inside_a_nested_call_panics() {
    let msg = panic_message(catch_unwind(AssertUnwindSafe(|| {
        gradient(
            |x: &[Var]| {
                let outer = x[0];
                let (inner, _) = gradient(|y: &[Var]| y[0] * outer, &[2.0]);
                x[0] * inner
            },
            &[3.0],
        )
    })));
    assert!(msg.contains("enclosing derivative call"), "{msg}");
}

#[test]
fn nested_calls_each_have_their_own_tape() {
    // Inside f, an inner gradient of g(y) = y² at y = 3 gives 6; f(x) = 6·x².
    let (f, g) = gradient(
        |x: &[Var]| {
            let (_, inner) = gradient(|y: &[Var]| y[0] * y[0], &[3.0]);
            x[0] * x[0] * inner[0]
        },
        &[2.0],
    );
    assert_eq!((f, g), (24.0, vec![24.0]));
    // The stack unwinds after a panic inside a closure, and later calls work.
    let r = catch_unwind(|| gradient(|_: &[Var]| -> Var { panic!("user closure fails") }, &[1.0]));
    assert!(r.is_err());
    assert_eq!(gradient(|x: &[Var]| x[0] * 3.0, &[1.0]), (3.0, vec![3.0]));
}

#[test]
fn constant_outputs_and_empty_inputs() {
    let (f, g) = gradient(|_: &[Var]| Var::constant(4.5), &[1.0, 2.0]);
    assert_eq!((f, g), (4.5, vec![0.0, 0.0]));
    let (f, g) = gradient(|x: &[Var]| x[0] * 0.0 + 1.0, &[7.0]);
    assert_eq!((f, g), (1.0, vec![0.0]));
    let (f, g) = gradient(|_: &[Var]| Var::constant(2.0), &[]);
    assert_eq!((f, g), (2.0, vec![]));
    let (_, _, h) = hessian(|_: &[Var]| Var::constant(2.0), &[]);
    assert_eq!((h.nrows(), h.ncols()), (0, 0));
    let (_, _, hv) = hvp(|x: &[Var]| x[1].powi(3), &[5.0, 2.0], &[0.0, 1.0]);
    assert_eq!(hv, vec![0.0, 12.0]);
    // The output may be an input itself.
    assert_eq!(gradient(|x: &[Var]| x[1], &[1.0, 2.0]).1, vec![0.0, 1.0]);
}

#[test]
fn an_unused_singular_node_does_not_poison_the_gradient() {
    // sqrt'(0) = ∞ on a node the output ignores: the gradient must stay finite.
    let (_, g) = gradient(
        |x: &[Var]| {
            let _unused = x[0].sqrt();
            x[0] * 2.0
        },
        &[0.0],
    );
    assert_eq!(g, vec![2.0]);
}

#[test]
fn non_differentiable_points_follow_the_documented_convention() {
    assert_eq!(gradient(|x: &[Var]| x[0].abs(), &[0.0]).1, vec![1.0]);
    assert_eq!(gradient(|x: &[Var]| x[0].abs(), &[-0.0]).1, vec![-1.0]);
    assert_eq!(
        gradient(|x: &[Var]| x[0].max(x[1]), &[1.0, 1.0]).1,
        vec![1.0, 0.0]
    );
    assert_eq!(
        gradient(|x: &[Var]| x[0].min(x[1]), &[1.0, 1.0]).1,
        vec![1.0, 0.0]
    );
    assert_eq!(
        gradient(|x: &[Var]| x[0].floor() + x[0].fract(), &[2.5]).1,
        vec![1.0]
    );
    assert_eq!(
        gradient(|x: &[Var]| x[0].hypot(x[1]), &[0.0, 0.0]).1,
        vec![0.0, 0.0]
    );
}

#[test]
fn jacobian_chooses_reverse_or_forward_and_agrees() {
    // r(x) = (x0·x1, sin x0, x1², x0 + x1) : m = 4 > n = 2 (forward tangents).
    let r = |x: &[Var]| vec![x[0] * x[1], x[0].sin(), x[1] * x[1], x[0] + x[1]];
    let (vals, j) = jacobian(r, &[2.0, 3.0]);
    assert_eq!(vals, vec![6.0, 2f64.sin(), 9.0, 5.0]);
    assert_eq!(
        j.as_slice(),
        &[3.0, 2.0, 2f64.cos(), 0.0, 0.0, 6.0, 1.0, 1.0]
    );
    // m = 1 < n = 3 (reverse sweeps), with a constant output row.
    let (_, j) = jacobian(
        |x: &[Var]| vec![x[0] * x[1] * x[2], Var::constant(1.0)],
        &[1.0, 2.0, 3.0],
    );
    assert_eq!(j.as_slice(), &[6.0, 3.0, 2.0, 0.0, 0.0, 0.0]);
}

#[test]
#[should_panic(expected = "outputs")]
fn gradient_of_a_vector_tape_is_a_clear_panic() {
    let mut t = Tape::record_vector(|x: &[Var]| vec![x[0], x[0]], &[1.0]);
    t.gradient();
}

#[test]
#[should_panic(expected = "length")]
fn mismatched_lengths_are_a_clear_panic() {
    hvp(|x: &[Var]| x[0] * x[1], &[1.0, 2.0], &[1.0]);
}

#[test]
fn generic_code_runs_on_every_scalar() {
    fn f<T: Float + std::iter::Sum>(x: &[T]) -> T {
        x.iter().map(|&v| v.sin() * v).sum::<T>() + T::from(2.0).unwrap()
    }
    let x = [0.3, -1.2];
    let (fv, g) = gradient(|v: &[Var]| f(v), &x);
    assert_eq!(fv, f(&x));
    for (j, gj) in g.iter().enumerate() {
        assert!((gj - (x[j].sin() + x[j] * x[j].cos())).abs() < 1e-15);
    }
}
