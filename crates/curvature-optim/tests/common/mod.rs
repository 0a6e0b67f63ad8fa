//! Hand-written objectives with analytic derivatives (the "implementable by hand" path).
#![allow(dead_code)]

pub mod certified;

use curvature_optim::{Matrix, Objective};

/// The solution of the k × k system whose rows, each with its right-hand side appended, are
/// `rows` (k × (k + 1)): Gaussian elimination with partial pivoting, then back substitution.
/// The tests' independent linear solve (no solver code involved).
pub fn solve_augmented(mut rows: Vec<Vec<f64>>) -> Vec<f64> {
    let k = rows.len();
    for p in 0..k {
        let pivot = (p..k)
            .max_by(|&r, &s| rows[r][p].abs().total_cmp(&rows[s][p].abs()))
            .unwrap();
        rows.swap(p, pivot);
        for r in p + 1..k {
            let factor = rows[r][p] / rows[p][p];
            let above = rows[p].clone();
            for (entry, a) in rows[r][p..].iter_mut().zip(&above[p..]) {
                *entry -= factor * a;
            }
        }
    }
    let mut x = vec![0.0; k];
    for p in (0..k).rev() {
        let tail: f64 = (p + 1..k).map(|q| rows[p][q] * x[q]).sum();
        x[p] = (rows[p][k] - tail) / rows[p][p];
    }
    x
}

/// Rosenbrock f = (1 − x)² + 100(y − x²)², minimum f(1, 1) = 0.
/// ∇f = (−2(1 − x) − 400x(y − x²), 200(y − x²));
/// ∇²f = [[2 − 400(y − x²) + 800x², −400x], [−400x, 200]].
#[derive(Clone, Copy)]
pub struct Rosenbrock;

impl Objective for Rosenbrock {
    fn value(&self, v: &[f64]) -> f64 {
        let (x, y) = (v[0], v[1]);
        (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
    }
    fn gradient(&self, v: &[f64]) -> (f64, Vec<f64>) {
        let (x, y) = (v[0], v[1]);
        (
            self.value(v),
            vec![
                -2.0 * (1.0 - x) - 400.0 * x * (y - x * x),
                200.0 * (y - x * x),
            ],
        )
    }
    fn hessian(&self, v: &[f64]) -> (f64, Vec<f64>, Matrix) {
        let (x, y) = (v[0], v[1]);
        let (f, g) = self.gradient(v);
        let h = vec![
            2.0 - 400.0 * (y - x * x) + 800.0 * x * x,
            -400.0 * x,
            -400.0 * x,
            200.0,
        ];
        (f, g, Matrix::from_row_major(2, 2, h))
    }
}

/// Booth f = (x + 2y − 7)² + (2x + y − 5)²; ∇²f = [[10, 8], [8, 10]]; minimum f(1, 3) = 0.
#[derive(Clone, Copy)]
pub struct Booth;

impl Objective for Booth {
    fn value(&self, v: &[f64]) -> f64 {
        (v[0] + 2.0 * v[1] - 7.0).powi(2) + (2.0 * v[0] + v[1] - 5.0).powi(2)
    }
    fn gradient(&self, v: &[f64]) -> (f64, Vec<f64>) {
        let (a, b) = (v[0] + 2.0 * v[1] - 7.0, 2.0 * v[0] + v[1] - 5.0);
        (a * a + b * b, vec![2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b])
    }
    fn hessian(&self, v: &[f64]) -> (f64, Vec<f64>, Matrix) {
        let (f, g) = self.gradient(v);
        (
            f,
            g,
            Matrix::from_row_major(2, 2, vec![10.0, 8.0, 8.0, 10.0]),
        )
    }
}

/// f = ½ xᵀAx − bᵀx with A symmetric positive definite: ∇f = Ax − b, ∇²f = A.
#[derive(Clone)]
pub struct Quadratic {
    pub a: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

impl Quadratic {
    /// A = tridiag(−1, 4, −1) + diag(0, 1, 2, …): diagonally dominant, hence SPD, with distinct
    /// eigenvalues; b = (1, 2, …, n).
    pub fn tridiagonal(n: usize) -> Self {
        let a = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| {
                        if i == j {
                            4.0 + i as f64
                        } else if i.abs_diff(j) == 1 {
                            -1.0
                        } else {
                            0.0
                        }
                    })
                    .collect()
            })
            .collect();
        Quadratic {
            a,
            b: (1..=n).map(|i| i as f64).collect(),
        }
    }

    fn ax(&self, x: &[f64]) -> Vec<f64> {
        self.a
            .iter()
            .map(|row| row.iter().zip(x).map(|(a, b)| a * b).sum())
            .collect()
    }
}

impl Objective for Quadratic {
    fn value(&self, x: &[f64]) -> f64 {
        let ax = self.ax(x);
        (0..x.len())
            .map(|i| 0.5 * x[i] * ax[i] - self.b[i] * x[i])
            .sum()
    }
    fn gradient(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let ax = self.ax(x);
        (
            self.value(x),
            ax.iter().zip(&self.b).map(|(a, b)| a - b).collect(),
        )
    }
    fn hessian(&self, x: &[f64]) -> (f64, Vec<f64>, Matrix) {
        let (f, g) = self.gradient(x);
        let n = x.len();
        (f, g, Matrix::from_fn(n, n, |i, j| self.a[i][j]))
    }
    fn hvp(&self, x: &[f64], v: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let (f, g) = self.gradient(x);
        (f, g, self.ax(v))
    }
}

/// f = x⁴/4 − x²/2 + y²: f'' in x is 3x² − 1 < 0 near 0, minima at (±1, 0).
#[derive(Clone, Copy)]
pub struct DoubleWell;

impl Objective for DoubleWell {
    fn value(&self, v: &[f64]) -> f64 {
        v[0].powi(4) / 4.0 - v[0] * v[0] / 2.0 + v[1] * v[1]
    }
    fn gradient(&self, v: &[f64]) -> (f64, Vec<f64>) {
        (self.value(v), vec![v[0].powi(3) - v[0], 2.0 * v[1]])
    }
    fn hessian(&self, v: &[f64]) -> (f64, Vec<f64>, Matrix) {
        let (f, g) = self.gradient(v);
        (
            f,
            g,
            Matrix::from_row_major(2, 2, vec![3.0 * v[0] * v[0] - 1.0, 0.0, 0.0, 2.0]),
        )
    }
}

/// What the diagonal preconditioner guarantees on an ill-conditioned sparse problem, given
/// runs with `Preconditioner::None`, `Diagonal` and `Automatic`: both
/// preconditioned runs take under a third of the plain CG iterations; `Diagonal` takes no
/// Hessian-vector product and one Hessian an iteration; `Automatic` takes the run's first
/// 20 products on the tape, as the plain run does, and then forms Hessians.
pub fn check_preconditioned(
    plain: &curvature_optim::Solution,
    jacobi: &curvature_optim::Solution,
    automatic: &curvature_optim::Solution,
) {
    for s in [jacobi, automatic] {
        let (cg, cg_plain) = (s.inner_iterations, plain.inner_iterations);
        assert!(3 * cg < cg_plain, "{cg} vs {cg_plain}");
    }
    assert_eq!(jacobi.evaluations.hvp, 0);
    assert_eq!(jacobi.evaluations.hessian, jacobi.iterations);
    assert_eq!(automatic.evaluations.hvp, 20);
    assert_eq!(plain.evaluations.hvp, 20);
    assert!(automatic.evaluations.hessian > 0);
    assert!(automatic.evaluations.hessian <= automatic.iterations);
}
