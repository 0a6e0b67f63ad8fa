//! CUTEst-style unconstrained problems of any size n with known minima, generic over the
//! scalar type.
//!
//! Each is a plain function `fn(&[T]) -> T` for any `T: num_traits::Float` (so
//! `|x: &[Var]| tridia(x)` is an objective for the AD drivers as it stands) and a variant of
//! [`Scalable`], which adds the standard start, the known minimum and the size restrictions.
//! Sums run over iterators without temporaries or a leading zero, so a tape records only the
//! problem's own arithmetic: O(n) nodes, and banded, block-diagonal or arrowhead Hessians.
//!
//! ```text
//! chained Rosenbrock  Σᵢ₌₁ⁿ⁻¹ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²            n ≥ 2   f* = 0 at (1, …, 1)
//! TRIDIA              (x₁ − 1)² + Σᵢ₌₂ⁿ i(2xᵢ − xᵢ₋₁)²               n ≥ 1   f* = 0 at xᵢ = 2^(1−i)
//! DQDRTIC             Σᵢ₌₁ⁿ⁻² xᵢ² + 100xᵢ₊₁² + 100xᵢ₊₂²              n ≥ 3   f* = 0 at 0
//! extended Wood       Σ over blocks (x₁, x₂, x₃, x₄) of
//!                     100(x₂ − x₁²)² + (1 − x₁)² + 90(x₄ − x₃²)² + (1 − x₃)²
//!                     + 10(x₂ + x₄ − 2)² + 0.1(x₂ − x₄)²              4 | n   f* = 0 at (1, …, 1)
//! Broyden tridiagonal Σᵢ ((3 − 2xᵢ)xᵢ − xᵢ₋₁ − 2xᵢ₊₁ + 1)², x₀ = xₙ₊₁ = 0   n ≥ 1   f* = 0
//! ARWHEAD             Σᵢ₌₁ⁿ⁻¹ (xᵢ² + xₙ²)² − 4xᵢ + 3                   n ≥ 2   f* = 0 at (1, …, 1, 0)
//! extended Powell     Σ over blocks (x₁, x₂, x₃, x₄) of
//!                     (x₁ + 10x₂)² + 5(x₃ − x₄)² + (x₂ − 2x₃)⁴ + 10(x₁ − x₄)⁴   4 | n   f* = 0 at 0
//! ```
//!
//! Sources: the CUTEst SIF files GENROSE (its start xᵢ = i/(n + 1), here without GENROSE's
//! constant 1 so that f* = 0), TRIDIA (α = 2, β = γ = δ = 1), DQDRTIC, WOODS, BROYDN3D,
//! ARWHEAD and POWELLSG; Moré, Garbow and Hillstrom (1981) problems 14, 21, 22 and 30.
//! Extended Powell's Hessian is singular at its minimizer, so Newton converges only linearly
//! there; ARWHEAD's Hessian is an arrowhead (diagonal plus a dense last row and column).
//!
//! ```
//! use curvature_problems::large_scale::{tridia, Scalable};
//!
//! let n = 1000;
//! let x0 = Scalable::Tridia.x0(n).unwrap();
//! // f(1, …, 1) = Σᵢ₌₂ⁿ i = n(n + 1)/2 − 1.
//! assert_eq!(tridia(&x0), (n * (n + 1) / 2 - 1) as f64);
//! let x_star = Scalable::Tridia.x_min(n).unwrap().unwrap();
//! assert_eq!(tridia(&x_star), 0.0);
//! // Any Float: the same function in f32.
//! let x32: Vec<f32> = x0.iter().map(|&v| v as f32).collect();
//! assert_eq!(tridia(&x32), (n * (n + 1) / 2 - 1) as f32);
//! ```

use crate::{c, sum};
use num_traits::Float;
use std::fmt;

/// A problem size the problem is not defined for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DimensionError {
    /// The problem's name.
    pub problem: &'static str,
    /// The size asked for.
    pub n: usize,
    /// What n must satisfy, e.g. "n ≥ 2" or "n a positive multiple of 4".
    pub requirement: &'static str,
}

impl fmt::Display for DimensionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is defined for {}, got n = {}",
            self.problem, self.requirement, self.n
        )
    }
}

impl std::error::Error for DimensionError {}

/// A scalable problem; see the [module documentation](self) for the formulas.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalable {
    /// [`chained_rosenbrock`] from GENROSE's start x0ᵢ = i/(n + 1).
    ChainedRosenbrock,
    /// [`chained_rosenbrock`] from the classical start (−1.2, 1, −1.2, 1, …).
    ChainedRosenbrockClassic,
    /// [`tridia`] from x0 = (1, …, 1).
    Tridia,
    /// [`dqdrtic`] from x0 = (3, …, 3).
    Dqdrtic,
    /// [`extended_wood`] from x0 = (−3, −1, −3, −1, …).
    ExtendedWood,
    /// [`broyden_tridiagonal`] from x0 = (−1, …, −1).
    BroydenTridiagonal,
    /// [`arwhead`] from x0 = (1, …, 1).
    Arwhead,
    /// [`extended_powell`] from x0 = (3, −1, 0, 1, …).
    ExtendedPowell,
}

use Scalable::*;

impl Scalable {
    /// Every scalable problem.
    pub const ALL: [Scalable; 8] = [
        ChainedRosenbrock,
        ChainedRosenbrockClassic,
        Tridia,
        Dqdrtic,
        ExtendedWood,
        BroydenTridiagonal,
        Arwhead,
        ExtendedPowell,
    ];

    /// A short name (the CUTEst name where there is one).
    pub fn name(self) -> &'static str {
        match self {
            ChainedRosenbrock => "chained Rosenbrock",
            ChainedRosenbrockClassic => "chained Rosenbrock (classic start)",
            Tridia => "TRIDIA",
            Dqdrtic => "DQDRTIC",
            ExtendedWood => "extended Wood",
            BroydenTridiagonal => "Broyden tridiagonal",
            Arwhead => "ARWHEAD",
            ExtendedPowell => "extended Powell singular",
        }
    }

    /// `Ok` when the problem is defined for n variables.
    pub fn check(self, n: usize) -> Result<(), DimensionError> {
        let (ok, requirement) = match self {
            ChainedRosenbrock | ChainedRosenbrockClassic | Arwhead => (n >= 2, "n ≥ 2"),
            Tridia | BroydenTridiagonal => (n >= 1, "n ≥ 1"),
            Dqdrtic => (n >= 3, "n ≥ 3"),
            ExtendedWood | ExtendedPowell => (n >= 4 && n % 4 == 0, "n a positive multiple of 4"),
        };
        if ok {
            Ok(())
        } else {
            Err(DimensionError {
                problem: self.name(),
                n,
                requirement,
            })
        }
    }

    /// The standard starting point with n variables.
    pub fn x0(self, n: usize) -> Result<Vec<f64>, DimensionError> {
        self.check(n)?;
        Ok(match self {
            ChainedRosenbrock => (1..=n).map(|i| i as f64 / (n + 1) as f64).collect(),
            ChainedRosenbrockClassic => (0..n).map(|i| [-1.2, 1.0][i % 2]).collect(),
            Tridia | Arwhead => vec![1.0; n],
            Dqdrtic => vec![3.0; n],
            ExtendedWood => (0..n).map(|i| [-3.0, -1.0][i % 2]).collect(),
            BroydenTridiagonal => vec![-1.0; n],
            ExtendedPowell => (0..n).map(|i| [3.0, -1.0, 0.0, 1.0][i % 4]).collect(),
        })
    }

    /// The minimum value f*: 0 for every problem here.
    pub fn f_min(self) -> f64 {
        0.0
    }

    /// A minimizer with n variables where one is known in closed form (all but Broyden
    /// tridiagonal, whose solution is only known numerically).
    pub fn x_min(self, n: usize) -> Result<Option<Vec<f64>>, DimensionError> {
        self.check(n)?;
        Ok(match self {
            ChainedRosenbrock | ChainedRosenbrockClassic | ExtendedWood => Some(vec![1.0; n]),
            Tridia => Some((0..n).map(|i| 0.5f64.powi(i as i32)).collect()),
            Dqdrtic | ExtendedPowell => Some(vec![0.0; n]),
            Arwhead => Some((0..n).map(|i| if i + 1 < n { 1.0 } else { 0.0 }).collect()),
            BroydenTridiagonal => None,
        })
    }

    /// f(x) with n = `x.len()` variables.
    ///
    /// # Panics
    /// If the problem is not defined for n = `x.len()` (see [`Scalable::check`]).
    pub fn value<T: Float>(self, x: &[T]) -> T {
        match self {
            ChainedRosenbrock | ChainedRosenbrockClassic => chained_rosenbrock(x),
            Tridia => tridia(x),
            Dqdrtic => dqdrtic(x),
            ExtendedWood => extended_wood(x),
            BroydenTridiagonal => broyden_tridiagonal(x),
            Arwhead => arwhead(x),
            ExtendedPowell => extended_powell(x),
        }
    }
}

/// Panics with the [`DimensionError`] message when `problem` is not defined for `x.len()`.
fn require(problem: Scalable, n: usize) {
    if let Err(e) = problem.check(n) {
        panic!("{e}");
    }
}

/// Chained Rosenbrock f(x) = Σᵢ₌₁ⁿ⁻¹ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², minimum 0 at (1, …, 1).
///
/// # Panics
/// If n < 2.
pub fn chained_rosenbrock<T: Float>(x: &[T]) -> T {
    require(ChainedRosenbrock, x.len());
    let hundred = c::<T>(100.0);
    sum(x
        .windows(2)
        .map(|w| hundred * (w[1] - w[0] * w[0]).powi(2) + (T::one() - w[0]).powi(2)))
}

/// TRIDIA f(x) = (x₁ − 1)² + Σᵢ₌₂ⁿ i(2xᵢ − xᵢ₋₁)², minimum 0 at xᵢ = 2^(1−i); tridiagonal
/// Hessian, a convex quadratic.
///
/// # Panics
/// If n = 0.
pub fn tridia<T: Float>(x: &[T]) -> T {
    require(Tridia, x.len());
    let two = c::<T>(2.0);
    let first = (x[0] - T::one()).powi(2);
    x.windows(2).zip(2..).fold(first, |s, (w, i)| {
        s + c::<T>(i as f64) * (two * w[1] - w[0]).powi(2)
    })
}

/// DQDRTIC f(x) = Σᵢ₌₁ⁿ⁻² xᵢ² + 100xᵢ₊₁² + 100xᵢ₊₂², minimum 0 at 0; a diagonal convex
/// quadratic.
///
/// # Panics
/// If n < 3.
pub fn dqdrtic<T: Float>(x: &[T]) -> T {
    require(Dqdrtic, x.len());
    let hundred = c::<T>(100.0);
    sum(x
        .windows(3)
        .map(|w| w[0] * w[0] + hundred * (w[1] * w[1] + w[2] * w[2])))
}

/// Extended Wood: Σ over the blocks (x₁, x₂, x₃, x₄) = (x₄ₖ₋₃, …, x₄ₖ) of
/// 100(x₂ − x₁²)² + (1 − x₁)² + 90(x₄ − x₃²)² + (1 − x₃)² + 10(x₂ + x₄ − 2)² + 0.1(x₂ − x₄)²,
/// minimum 0 at (1, …, 1); 4 × 4 diagonal blocks in the Hessian, indefinite at the start.
///
/// # Panics
/// If n is not a positive multiple of 4.
pub fn extended_wood<T: Float>(x: &[T]) -> T {
    require(ExtendedWood, x.len());
    let one = T::one();
    sum(x.chunks_exact(4).map(|b| {
        c::<T>(100.0) * (b[1] - b[0] * b[0]).powi(2)
            + (one - b[0]).powi(2)
            + c::<T>(90.0) * (b[3] - b[2] * b[2]).powi(2)
            + (one - b[2]).powi(2)
            + c::<T>(10.0) * (b[1] + b[3] - c(2.0)).powi(2)
            + c::<T>(0.1) * (b[1] - b[3]).powi(2)
    }))
}

/// The residuals rᵢ = (3 − 2xᵢ)xᵢ − xᵢ₋₁ − 2xᵢ₊₁ + 1 (x₀ = xₙ₊₁ = 0) of Broyden's
/// tridiagonal system, shared with MGH problem 30.
pub(crate) fn broyden_tridiagonal_residuals<T: Float>(x: &[T]) -> impl Iterator<Item = T> + '_ {
    let n = x.len();
    (0..n).map(move |i| {
        let mut r = (c::<T>(3.0) - c::<T>(2.0) * x[i]) * x[i] + T::one();
        if i > 0 {
            r = r - x[i - 1];
        }
        if i + 1 < n {
            r = r - c::<T>(2.0) * x[i + 1];
        }
        r
    })
}

/// Broyden tridiagonal f(x) = Σᵢ ((3 − 2xᵢ)xᵢ − xᵢ₋₁ − 2xᵢ₊₁ + 1)² with x₀ = xₙ₊₁ = 0,
/// minimum 0 (a root of the tridiagonal system); pentadiagonal Hessian.
///
/// # Panics
/// If n = 0.
pub fn broyden_tridiagonal<T: Float>(x: &[T]) -> T {
    require(BroydenTridiagonal, x.len());
    sum(broyden_tridiagonal_residuals(x).map(|r| r * r))
}

/// ARWHEAD f(x) = Σᵢ₌₁ⁿ⁻¹ (xᵢ² + xₙ²)² − 4xᵢ + 3, minimum 0 at (1, …, 1, 0); its Hessian is
/// an arrowhead: diagonal plus a dense last row and column.
///
/// # Panics
/// If n < 2.
pub fn arwhead<T: Float>(x: &[T]) -> T {
    require(Arwhead, x.len());
    let (&last, rest) = x.split_last().expect("n ≥ 2");
    let last2 = last * last;
    sum(rest
        .iter()
        .map(|&xi| (xi * xi + last2).powi(2) - c::<T>(4.0) * xi + c(3.0)))
}

/// Extended Powell singular: Σ over the blocks (x₁, x₂, x₃, x₄) of
/// (x₁ + 10x₂)² + 5(x₃ − x₄)² + (x₂ − 2x₃)⁴ + 10(x₁ − x₄)⁴, minimum 0 at 0, where the
/// Hessian is singular (rank 2 per block).
///
/// # Panics
/// If n is not a positive multiple of 4.
pub fn extended_powell<T: Float>(x: &[T]) -> T {
    require(ExtendedPowell, x.len());
    sum(x.chunks_exact(4).map(|b| {
        (b[0] + c::<T>(10.0) * b[1]).powi(2)
            + c::<T>(5.0) * (b[2] - b[3]).powi(2)
            + (b[1] - c::<T>(2.0) * b[2]).powi(4)
            + c::<T>(10.0) * (b[0] - b[3]).powi(4)
    }))
}
