//! Non-finite derivatives are reported where they are: at the start point as an error
//! naming the entry, mid-run as a termination naming it. Each expected location is the
//! index the test corrupts.

use curvature_optim::{Bfgs, Error, Lbfgs, Matrix, Newton, NonFiniteEntry, Objective, Termination};

/// f = ½‖x‖² (n = 4), with ∂f/∂x₃ replaced by NaN wherever x₀ < `below`, and the Hessian
/// entry (1, 2) replaced by +∞ there too.
#[derive(Clone, Copy)]
struct Corrupted {
    below: f64,
}

impl Objective for Corrupted {
    fn value(&self, x: &[f64]) -> f64 {
        0.5 * x.iter().map(|v| v * v).sum::<f64>()
    }
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let mut g = x.to_vec();
        if x[0] < self.below {
            g[3] = f64::NAN;
        }
        (self.value(x), g)
    }
    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
        let (f, _) = self.gradient(x);
        let h = Matrix::from_fn(4, 4, |i, j| {
            if (i, j) == (1, 2) && x[0] < self.below {
                f64::INFINITY
            } else if i == j {
                1.0
            } else {
                0.0
            }
        });
        // The gradient is kept finite here so that the Hessian entry is the first fault.
        (f, x.to_vec(), h)
    }
}

#[test]
fn non_finite_gradient_at_the_start_is_an_error_naming_the_variable() {
    let e = Bfgs::new()
        .minimize(Corrupted { below: 10.0 }, &[1.0, 2.0, 3.0, 4.0])
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::NonFiniteAtStart {
                entry: NonFiniteEntry::Gradient { variable: 3 },
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "the gradient entry ∂f/∂x[3] is NaN at the start point x0"
    );
}

#[test]
fn non_finite_hessian_at_the_start_is_an_error_naming_the_entry() {
    let e = Newton::new()
        .minimize(Corrupted { below: 10.0 }, &[1.0, 2.0, 3.0, 4.0])
        .unwrap_err();
    assert_eq!(
        e,
        Error::NonFiniteAtStart {
            entry: NonFiniteEntry::Hessian { row: 1, column: 2 },
            value: f64::INFINITY
        }
    );
}

#[test]
fn non_finite_gradient_mid_run_is_a_termination_naming_the_variable() {
    // From x₀ = 1 the gradient step heads for 0 and crosses x₀ < ½, where ∂f/∂x₃ is NaN.
    let s = Lbfgs::new()
        .minimize(Corrupted { below: 0.5 }, &[1.0, 2.0, 3.0, 4.0])
        .unwrap();
    assert_eq!(
        s.termination,
        Termination::NonFinite(NonFiniteEntry::Gradient { variable: 3 })
    );
    assert!(!s.converged());
    assert!(s.x[0] >= 0.5 && s.gradient.iter().all(|g| g.is_finite()));
}
