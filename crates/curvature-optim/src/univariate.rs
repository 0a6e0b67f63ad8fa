//! Functions of one variable for [`Newton1d`](crate::Newton1d) and [`Secant`](crate::Secant),
//! and the adapter that lets them run on the shared n-dimensional loop.

use crate::driver::{run, Method, Observer, Settings};
use crate::error::Error;
use crate::objective::Objective;
use crate::solution::Solution;
use curvature_ad::{Dual2, Matrix};

/// A function `f: ℝ → ℝ` with its first two derivatives.
///
/// Implemented by hand or, through curvature-ad, for every closure `Fn(Dual2) -> Dual2`.
pub trait Univariate {
    /// `(f(x), f'(x), f''(x))`.
    fn derivatives(&self, x: f64) -> (f64, f64, f64);
}

/// Every closure `Fn(Dual2) -> Dual2` is univariate: f, f' and f'' come from one evaluation
/// in second-order nested duals (`curvature_ad::second_derivative`).
///
/// ```
/// use curvature_ad::Dual2;
/// use curvature_optim::Univariate;
/// use num_traits::Float;
/// let f = |x: Dual2| x.powi(3) - x.ln();
/// assert_eq!(f.derivatives(1.0), (1.0, 2.0, 7.0)); // f = 1, f' = 3 − 1, f'' = 6 + 1
/// ```
impl<F: Fn(Dual2) -> Dual2> Univariate for F {
    fn derivatives(&self, x: f64) -> (f64, f64, f64) {
        curvature_ad::second_derivative(self, x)
    }
}

/// A univariate function seen as an [`Objective`] on ℝ¹.
pub(crate) struct Line<U>(pub U);

impl<U: Univariate> Objective for Line<U> {
    fn value(&self, x: &[f64]) -> f64 {
        self.0.derivatives(x[0]).0
    }

    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let (f, d, _) = self.0.derivatives(x[0]);
        (f, vec![d])
    }

    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
        let (f, d, dd) = self.0.derivatives(x[0]);
        (f, vec![d], Matrix::from_row_major(1, 1, vec![dd]))
    }
}

/// Runs a univariate method from `x0` on the shared loop.
pub(crate) fn run_univariate<U: Univariate, M: Method>(
    settings: &Settings,
    method: M,
    f: U,
    x0: f64,
    observer: Option<Observer<'_>>,
) -> Result<Solution, Error> {
    run(settings, method, Line(f), &[x0], observer)
}

/// `minimize` and `minimize_with` for univariate solvers.
macro_rules! minimize_univariate {
    () => {
        /// Minimizes `f` from `x0`. Errors on a non-finite `x0` or invalid options.
        pub fn minimize<U: $crate::Univariate>(
            &self,
            f: U,
            x0: f64,
        ) -> Result<$crate::Solution, $crate::Error> {
            $crate::univariate::run_univariate(&self.settings, self.method(), f, x0, None)
        }

        /// As `minimize`, calling `observer` after every iteration; `ControlFlow::Break(())`
        /// stops the run with `Termination::Stopped`.
        pub fn minimize_with<U: $crate::Univariate>(
            &self,
            f: U,
            x0: f64,
            mut observer: impl FnMut(&$crate::Iteration) -> std::ops::ControlFlow<()>,
        ) -> Result<$crate::Solution, $crate::Error> {
            $crate::univariate::run_univariate(
                &self.settings,
                self.method(),
                f,
                x0,
                Some(&mut observer),
            )
        }
    };
}

pub(crate) use minimize_univariate;
