//! The 35 Moré–Garbow–Hillstrom least-squares test problems, generic over the scalar type.
//!
//! Moré, Garbow and Hillstrom, "Testing Unconstrained Optimization Software", ACM Transactions
//! on Mathematical Software 7(1) (1981) 17–41, define each problem by residuals
//! `r₁(x), …, r_m(x)` of `x ∈ ℝⁿ`, the objective `f(x) = Σᵢ rᵢ(x)²`, a standard starting point
//! x0 and the minimum value f* (with the minimizer x* where it is known in closed form).
//! [`Mgh`] enumerates them in the paper's order; [`Mgh::ALL`] is the whole table.
//!
//! Problems 20–35 are defined for a range of dimensions. This crate fixes the ones most used
//! in the literature so that every entry has a published f*:
//!
//! ```text
//!  6 Jennrich–Sampson       n = 2,  m = 10           f* = 124.362
//! 11 Gulf R&D               n = 3,  m = 99           f* = 0 (m = 99 keeps every yᵢ ≠ x₂* = 25,
//!                                                     so |yᵢ − x₂|^x₃ stays differentiable at x*)
//! 16 Brown–Dennis           n = 4,  m = 20           f* = 85822.2
//! 18 Biggs EXP6             n = 6,  m = 13           f* = 0 at (1, 10, 1, 5, 4, 3)
//! 20 Watson                 n = 9,  m = 31           f* = 1.39976e-6
//! 21 extended Rosenbrock    n = 10, m = 10           f* = 0
//! 22 extended Powell        n = 12, m = 12           f* = 0
//! 23 penalty I              n = 10, m = 11           f* = 7.08765e-5
//! 24 penalty II             n = 10, m = 20           f* = 2.93660e-4
//! 25 variably dimensioned   n = 10, m = 12           f* = 0
//! 26–31                     n = m = 10               f* = 0
//! 32–34 linear functions    n = 10, m = 20           f* = m − n, m(m−1)/(2(2m+1)), (m²+3m−6)/(2(2m−3))
//! 35 Chebyquad              n = m = 8                f* = 3.51687e-3
//! ```
//!
//! Where the paper lists several minima (Freudenstein–Roth, Bard, Kowalik–Osborne, Biggs
//! EXP6, Brown almost-linear) [`Mgh::f_min`] is the global one and the documentation of the
//! variant names the others a local method may stop at.
//!
//! ```
//! use curvature_problems::Mgh;
//!
//! // Loop over the table: every start is finite and above the minimum.
//! for p in Mgh::ALL {
//!     let x0 = p.x0();
//!     assert_eq!((x0.len(), p.residuals(&x0).len()), (p.n(), p.m()));
//!     assert!(p.value(&x0) > p.f_min(), "{}", p.name());
//! }
//! ```

use crate::{c, sum};
use num_traits::Float;
use std::f64::consts::PI;

/// One of the 35 Moré–Garbow–Hillstrom problems; the discriminant order is the paper's
/// numbering (see [`Mgh::number`]). Residual formulas use the paper's 1-based indices i, j.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mgh {
    /// Problem 1, Rosenbrock: r₁ = 10(x₂ − x₁²), r₂ = 1 − x₁; x0 = (−1.2, 1); f* = 0 at (1, 1).
    Rosenbrock,
    /// Problem 2, Freudenstein and Roth: r₁ = −13 + x₁ + ((5 − x₂)x₂ − 2)x₂,
    /// r₂ = −29 + x₁ + ((x₂ + 1)x₂ − 14)x₂; x0 = (0.5, −2); f* = 0 at (5, 4), and a local
    /// minimum f = 48.9842 at (11.41…, −0.8968…).
    FreudensteinRoth,
    /// Problem 3, Powell badly scaled: r₁ = 10⁴x₁x₂ − 1, r₂ = e^(−x₁) + e^(−x₂) − 1.0001; x0 = (0, 1);
    /// f* = 0 at (1.098…e−5, 9.106…).
    PowellBadlyScaled,
    /// Problem 4, Brown badly scaled: r₁ = x₁ − 10⁶, r₂ = x₂ − 2·10⁻⁶, r₃ = x₁x₂ − 2; x0 = (1, 1);
    /// f* = 0 at (10⁶, 2·10⁻⁶).
    BrownBadlyScaled,
    /// Problem 5, Beale: rᵢ = yᵢ − x₁(1 − x₂ⁱ), y = (1.5, 2.25, 2.625); x0 = (1, 1); f* = 0 at (3, ½).
    Beale,
    /// Problem 6, Jennrich and Sampson: rᵢ = 2 + 2i − (e^(i x₁) + e^(i x₂)), m = 10; x0 = (0.3, 0.4);
    /// f* = 124.362 at x₁ = x₂ = 0.2578.
    JennrichSampson,
    /// Problem 7, Helical valley: r₁ = 10(x₃ − 10θ(x₁, x₂)), r₂ = 10(√(x₁² + x₂²) − 1), r₃ = x₃ with
    /// 2πθ = arctan(x₂/x₁) for x₁ > 0 and arctan(x₂/x₁) + π for x₁ < 0; x0 = (−1, 0, 0);
    /// f* = 0 at (1, 0, 0). The paper leaves θ undefined at x₁ = 0; here x₁ = 0 takes the
    /// x₁ > 0 branch, where arctan(±∞) = ±π/2 (and 0/0 at x₁ = x₂ = 0 gives NaN).
    HelicalValley,
    /// Problem 8, Bard: rᵢ = yᵢ − (x₁ + uᵢ/(vᵢx₂ + wᵢx₃)), uᵢ = i, vᵢ = 16 − i, wᵢ = min(uᵢ, vᵢ),
    /// m = 15; x0 = (1, 1, 1); f* = 8.21487e−3 (and f = 17.4286 at (0.8406…, −∞, −∞)).
    Bard,
    /// Problem 9, Gaussian: rᵢ = x₁ exp(−x₂(tᵢ − x₃)²/2) − yᵢ, tᵢ = (8 − i)/2, m = 15;
    /// x0 = (0.4, 1, 0); f* = 1.12793e−8.
    Gaussian,
    /// Problem 10, Meyer: rᵢ = x₁ exp(x₂/(tᵢ + x₃)) − yᵢ, tᵢ = 45 + 5i, m = 16;
    /// x0 = (0.02, 4000, 250); f* = 87.9458.
    Meyer,
    /// Problem 11, Gulf research and development: rᵢ = exp(−|yᵢ − x₂|^x₃ / x₁) − tᵢ, tᵢ = i/100,
    /// yᵢ = 25 + (−50 ln tᵢ)^(2/3), m = 99; x0 = (5, 2.5, 0.15); f* = 0 at (50, 25, 1.5).
    GulfResearch,
    /// Problem 12, Box three-dimensional: rᵢ = e^(−tᵢx₁) − e^(−tᵢx₂) − x₃(e^(−tᵢ) − e^(−10tᵢ)),
    /// tᵢ = 0.1 i, m = 10; x0 = (0, 10, 20); f* = 0 at (1, 10, 1), (10, 1, −1) and wherever
    /// x₁ = x₂, x₃ = 0.
    Box3d,
    /// Problem 13, Powell singular: r₁ = x₁ + 10x₂, r₂ = √5(x₃ − x₄), r₃ = (x₂ − 2x₃)²,
    /// r₄ = √10(x₁ − x₄)²; x0 = (3, −1, 0, 1); f* = 0 at 0 (singular Hessian there).
    PowellSingular,
    /// Problem 14, Wood: r₁ = 10(x₂ − x₁²), r₂ = 1 − x₁, r₃ = √90(x₄ − x₃²), r₄ = 1 − x₃,
    /// r₅ = √10(x₂ + x₄ − 2), r₆ = (x₂ − x₄)/√10; x0 = (−3, −1, −3, −1); f* = 0 at (1, 1, 1, 1).
    Wood,
    /// Problem 15, Kowalik and Osborne: rᵢ = yᵢ − x₁(uᵢ² + uᵢx₂)/(uᵢ² + uᵢx₃ + x₄), m = 11;
    /// x0 = (0.25, 0.39, 0.415, 0.39); f* = 3.07505e−4 (and f = 1.02734e−3 at
    /// (+∞, −14.07…, −∞, −∞)).
    KowalikOsborne,
    /// Problem 16, Brown and Dennis: rᵢ = (x₁ + tᵢx₂ − e^tᵢ)² + (x₃ + x₄ sin tᵢ − cos tᵢ)², tᵢ = i/5,
    /// m = 20; x0 = (25, 5, −5, −1); f* = 85822.2.
    BrownDennis,
    /// Problem 17, Osborne 1: rᵢ = yᵢ − (x₁ + x₂e^(−tᵢx₄) + x₃e^(−tᵢx₅)), tᵢ = 10(i − 1), m = 33;
    /// x0 = (0.5, 1.5, −1, 0.01, 0.02); f* = 5.46489e−5.
    Osborne1,
    /// Problem 18, Biggs EXP6: rᵢ = x₃e^(−tᵢx₁) − x₄e^(−tᵢx₂) + x₆e^(−tᵢx₅) − yᵢ, tᵢ = 0.1 i,
    /// yᵢ = e^(−tᵢ) − 5e^(−10tᵢ) + 3e^(−4tᵢ), m = 13; x0 = (1, 2, 1, 1, 1, 1); f* = 0 at
    /// (1, 10, 1, 5, 4, 3). The paper also lists f = 5.65565e−3, a local minimum many methods
    /// reach from x0.
    BiggsExp6,
    /// Problem 19, Osborne 2: rᵢ = yᵢ − (x₁e^(−tᵢx₅) + x₂e^(−(tᵢ−x₉)²x₆) + x₃e^(−(tᵢ−x₁₀)²x₇) +
    /// x₄e^(−(tᵢ−x₁₁)²x₈)), tᵢ = (i − 1)/10, m = 65;
    /// x0 = (1.3, 0.65, 0.65, 0.7, 0.6, 3, 5, 7, 2, 4.5, 5.5); f* = 4.01377e−2.
    Osborne2,
    /// Problem 20, Watson, n = 9: rᵢ = Σⱼ₌₂ⁿ (j − 1)xⱼtᵢ^(j−2) − (Σⱼ₌₁ⁿ xⱼtᵢ^(j−1))² − 1, tᵢ = i/29 for
    /// 1 ≤ i ≤ 29, r₃₀ = x₁, r₃₁ = x₂ − x₁² − 1; x0 = 0; f* = 1.39976e−6.
    Watson,
    /// Problem 21, Extended Rosenbrock, n = 10: r₂ᵢ₋₁ = 10(x₂ᵢ − x₂ᵢ₋₁²), r₂ᵢ = 1 − x₂ᵢ₋₁;
    /// x0 = (−1.2, 1, …); f* = 0 at (1, …, 1).
    ExtendedRosenbrock,
    /// Problem 22, Extended Powell singular, n = 12: problem 13 on each block of four variables;
    /// x0 = (3, −1, 0, 1, …); f* = 0 at 0.
    ExtendedPowellSingular,
    /// Problem 23, Penalty I, n = 10: rᵢ = √(10⁻⁵)(xᵢ − 1) for i ≤ n, rₙ₊₁ = Σⱼ xⱼ² − ¼; x0ⱼ = j;
    /// f* = 7.08765e−5.
    PenaltyI,
    /// Problem 24, Penalty II, n = 10: r₁ = x₁ − 0.2, rᵢ = √a(e^(xᵢ/10) + e^(xᵢ₋₁/10) − yᵢ) for
    /// 2 ≤ i ≤ n, rᵢ = √a(e^(xᵢ₋ₙ₊₁/10) − e^(−1/10)) for n < i < 2n,
    /// r₂ₙ = Σⱼ (n − j + 1)xⱼ² − 1, a = 10⁻⁵, yᵢ = e^(i/10) + e^((i−1)/10); x0 = ½;
    /// f* = 2.93660e−4.
    PenaltyII,
    /// Problem 25, Variably dimensioned, n = 10: rᵢ = xᵢ − 1 for i ≤ n, rₙ₊₁ = Σⱼ j(xⱼ − 1),
    /// rₙ₊₂ = (Σⱼ j(xⱼ − 1))²; x0ⱼ = 1 − j/n; f* = 0 at (1, …, 1).
    VariablyDimensioned,
    /// Problem 26, Trigonometric, n = 10: rᵢ = n − Σⱼ cos xⱼ + i(1 − cos xᵢ) − sin xᵢ; x0 = 1/n;
    /// f* = 0 at 0.
    Trigonometric,
    /// Problem 27, Brown almost-linear, n = 10: rᵢ = xᵢ + Σⱼ xⱼ − (n + 1) for i < n, rₙ = Πⱼ xⱼ − 1;
    /// x0 = ½; f* = 0 at (1, …, 1) (and at (α, …, α, α^(1−n)) for the roots α of
    /// nαⁿ − (n + 1)αⁿ⁻¹ + 1 = 0); f = 1 at (0, …, 0, n + 1).
    BrownAlmostLinear,
    /// Problem 28, Discrete boundary value, n = 10: rᵢ = 2xᵢ − xᵢ₋₁ − xᵢ₊₁ + h²(xᵢ + tᵢ + 1)³/2,
    /// h = 1/(n + 1), tᵢ = ih, x₀ = xₙ₊₁ = 0; x0ⱼ = tⱼ(tⱼ − 1); f* = 0.
    DiscreteBoundaryValue,
    /// Problem 29, Discrete integral equation, n = 10: rᵢ = xᵢ + h[(1 − tᵢ)Σⱼ₌₁ⁱ tⱼ(xⱼ + tⱼ + 1)³ +
    /// tᵢΣⱼ₌ᵢ₊₁ⁿ (1 − tⱼ)(xⱼ + tⱼ + 1)³]/2, h and tᵢ as in problem 28; x0ⱼ = tⱼ(tⱼ − 1);
    /// f* = 0.
    DiscreteIntegralEquation,
    /// Problem 30, Broyden tridiagonal, n = 10: rᵢ = (3 − 2xᵢ)xᵢ − xᵢ₋₁ − 2xᵢ₊₁ + 1, x₀ = xₙ₊₁ = 0;
    /// x0 = −1; f* = 0.
    BroydenTridiagonal,
    /// Problem 31, Broyden banded, n = 10: rᵢ = xᵢ(2 + 5xᵢ²) + 1 − Σ_{j∈Jᵢ} xⱼ(1 + xⱼ),
    /// Jᵢ = {j ≠ i : max(1, i − 5) ≤ j ≤ min(n, i + 1)}; x0 = −1; f* = 0.
    BroydenBanded,
    /// Problem 32, Linear function, full rank, n = 10, m = 20: rᵢ = xᵢ − (2/m)Σⱼ xⱼ − 1 for i ≤ n,
    /// rᵢ = −(2/m)Σⱼ xⱼ − 1 for i > n; x0 = 1; f* = m − n = 10 at (−1, …, −1).
    LinearFullRank,
    /// Problem 33, Linear function, rank 1, n = 10, m = 20: rᵢ = i Σⱼ j xⱼ − 1; x0 = 1;
    /// f* = m(m − 1)/(2(2m + 1)) = 190/41 wherever Σⱼ j xⱼ = 3/(2m + 1).
    LinearRank1,
    /// Problem 34, Linear function, rank 1 with zero columns and rows, n = 10, m = 20: r₁ = rₘ = −1,
    /// rᵢ = (i − 1)Σⱼ₌₂ⁿ⁻¹ j xⱼ − 1 for 2 ≤ i ≤ m − 1; x0 = 1;
    /// f* = (m² + 3m − 6)/(2(2m − 3)) = 227/37 wherever Σⱼ₌₂ⁿ⁻¹ j xⱼ = 3/(2m − 3).
    LinearRank1ZeroColumnsRows,
    /// Problem 35, Chebyquad, n = m = 8: rᵢ = (1/n)Σⱼ Tᵢ(xⱼ) − ∫₀¹ Tᵢ, Tᵢ the Chebyshev polynomial
    /// shifted to [0, 1] (Tᵢ(x) = cos(i arccos(2x − 1))), whose integral is 0 for odd i and
    /// −1/(i² − 1) for even i; x0ⱼ = j/(n + 1); f* = 3.51687e−3.
    Chebyquad,
}

use Mgh::*;

/// Bard's data yᵢ, i = 1…15.
const BARD_Y: [f64; 15] = [
    0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39,
];

/// The Gaussian problem's data yᵢ, i = 1…15 (symmetric about i = 8).
const GAUSSIAN_Y: [f64; 15] = [
    0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540,
    0.0175, 0.0044, 0.0009,
];

/// Meyer's data yᵢ, i = 1…16.
const MEYER_Y: [f64; 16] = [
    34780.0, 28610.0, 23650.0, 19630.0, 16370.0, 13720.0, 11540.0, 9744.0, 8261.0, 7030.0, 6005.0,
    5147.0, 4427.0, 3820.0, 3307.0, 2872.0,
];

/// Kowalik and Osborne's data yᵢ and uᵢ, i = 1…11.
const KOWALIK_Y: [f64; 11] = [
    0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246,
];
const KOWALIK_U: [f64; 11] = [
    4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625,
];

/// Osborne 1's data yᵢ, i = 1…33.
const OSBORNE1_Y: [f64; 33] = [
    0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718, 0.685,
    0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448,
    0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406,
];

/// Osborne 2's data yᵢ, i = 1…65.
const OSBORNE2_Y: [f64; 65] = [
    1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608,
    0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661,
    0.612, 0.558, 0.533, 0.495, 0.500, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428,
    0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559,
    0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054,
];

/// Dimension of the variable-size problems 21–31 (and n of 32–34).
const N_VAR: usize = 10;
/// m of the linear functions 32–34.
const M_LINEAR: usize = 20;

impl Mgh {
    /// All 35 problems in the paper's order.
    pub const ALL: [Mgh; 35] = [
        Rosenbrock,
        FreudensteinRoth,
        PowellBadlyScaled,
        BrownBadlyScaled,
        Beale,
        JennrichSampson,
        HelicalValley,
        Bard,
        Gaussian,
        Meyer,
        GulfResearch,
        Box3d,
        PowellSingular,
        Wood,
        KowalikOsborne,
        BrownDennis,
        Osborne1,
        BiggsExp6,
        Osborne2,
        Watson,
        ExtendedRosenbrock,
        ExtendedPowellSingular,
        PenaltyI,
        PenaltyII,
        VariablyDimensioned,
        Trigonometric,
        BrownAlmostLinear,
        DiscreteBoundaryValue,
        DiscreteIntegralEquation,
        BroydenTridiagonal,
        BroydenBanded,
        LinearFullRank,
        LinearRank1,
        LinearRank1ZeroColumnsRows,
        Chebyquad,
    ];

    /// The paper's problem number, 1–35.
    pub fn number(self) -> usize {
        self as usize + 1
    }

    /// The paper's name of the problem.
    pub fn name(self) -> &'static str {
        match self {
            Rosenbrock => "Rosenbrock",
            FreudensteinRoth => "Freudenstein and Roth",
            PowellBadlyScaled => "Powell badly scaled",
            BrownBadlyScaled => "Brown badly scaled",
            Beale => "Beale",
            JennrichSampson => "Jennrich and Sampson",
            HelicalValley => "Helical valley",
            Bard => "Bard",
            Gaussian => "Gaussian",
            Meyer => "Meyer",
            GulfResearch => "Gulf research and development",
            Box3d => "Box three-dimensional",
            PowellSingular => "Powell singular",
            Wood => "Wood",
            KowalikOsborne => "Kowalik and Osborne",
            BrownDennis => "Brown and Dennis",
            Osborne1 => "Osborne 1",
            BiggsExp6 => "Biggs EXP6",
            Osborne2 => "Osborne 2",
            Watson => "Watson",
            ExtendedRosenbrock => "Extended Rosenbrock",
            ExtendedPowellSingular => "Extended Powell singular",
            PenaltyI => "Penalty I",
            PenaltyII => "Penalty II",
            VariablyDimensioned => "Variably dimensioned",
            Trigonometric => "Trigonometric",
            BrownAlmostLinear => "Brown almost-linear",
            DiscreteBoundaryValue => "Discrete boundary value",
            DiscreteIntegralEquation => "Discrete integral equation",
            BroydenTridiagonal => "Broyden tridiagonal",
            BroydenBanded => "Broyden banded",
            LinearFullRank => "Linear function - full rank",
            LinearRank1 => "Linear function - rank 1",
            LinearRank1ZeroColumnsRows => "Linear function - rank 1 with zero columns and rows",
            Chebyquad => "Chebyquad",
        }
    }

    /// The number of variables n.
    pub fn n(self) -> usize {
        match self {
            Rosenbrock | FreudensteinRoth | PowellBadlyScaled | BrownBadlyScaled | Beale
            | JennrichSampson => 2,
            HelicalValley | Bard | Gaussian | Meyer | GulfResearch | Box3d => 3,
            PowellSingular | Wood | KowalikOsborne | BrownDennis => 4,
            Osborne1 => 5,
            BiggsExp6 => 6,
            Osborne2 => 11,
            Watson => 9,
            ExtendedPowellSingular => 12,
            Chebyquad => 8,
            ExtendedRosenbrock
            | PenaltyI
            | PenaltyII
            | VariablyDimensioned
            | Trigonometric
            | BrownAlmostLinear
            | DiscreteBoundaryValue
            | DiscreteIntegralEquation
            | BroydenTridiagonal
            | BroydenBanded
            | LinearFullRank
            | LinearRank1
            | LinearRank1ZeroColumnsRows => N_VAR,
        }
    }

    /// The number of residuals m ≥ n.
    pub fn m(self) -> usize {
        match self {
            Rosenbrock | FreudensteinRoth | PowellBadlyScaled => 2,
            BrownBadlyScaled | Beale | HelicalValley => 3,
            JennrichSampson | Box3d => 10,
            Bard | Gaussian => 15,
            Meyer => 16,
            GulfResearch => 99,
            PowellSingular => 4,
            Wood => 6,
            KowalikOsborne => 11,
            BrownDennis => 20,
            Osborne1 => 33,
            BiggsExp6 => 13,
            Osborne2 => 65,
            Watson => 31,
            PenaltyI => N_VAR + 1,
            PenaltyII => 2 * N_VAR,
            VariablyDimensioned => N_VAR + 2,
            LinearFullRank | LinearRank1 | LinearRank1ZeroColumnsRows => M_LINEAR,
            ExtendedRosenbrock
            | ExtendedPowellSingular
            | Trigonometric
            | BrownAlmostLinear
            | DiscreteBoundaryValue
            | DiscreteIntegralEquation
            | BroydenTridiagonal
            | BroydenBanded
            | Chebyquad => self.n(),
        }
    }

    /// The paper's standard starting point x0.
    pub fn x0(self) -> Vec<f64> {
        let n = self.n();
        let grid = |j: usize| j as f64 / (n + 1) as f64;
        match self {
            Rosenbrock => vec![-1.2, 1.0],
            FreudensteinRoth => vec![0.5, -2.0],
            PowellBadlyScaled => vec![0.0, 1.0],
            BrownBadlyScaled | Beale => vec![1.0, 1.0],
            JennrichSampson => vec![0.3, 0.4],
            HelicalValley => vec![-1.0, 0.0, 0.0],
            Bard => vec![1.0, 1.0, 1.0],
            Gaussian => vec![0.4, 1.0, 0.0],
            Meyer => vec![0.02, 4000.0, 250.0],
            GulfResearch => vec![5.0, 2.5, 0.15],
            Box3d => vec![0.0, 10.0, 20.0],
            PowellSingular => vec![3.0, -1.0, 0.0, 1.0],
            Wood => vec![-3.0, -1.0, -3.0, -1.0],
            KowalikOsborne => vec![0.25, 0.39, 0.415, 0.39],
            BrownDennis => vec![25.0, 5.0, -5.0, -1.0],
            Osborne1 => vec![0.5, 1.5, -1.0, 0.01, 0.02],
            BiggsExp6 => vec![1.0, 2.0, 1.0, 1.0, 1.0, 1.0],
            Osborne2 => vec![1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5],
            Watson => vec![0.0; n],
            ExtendedRosenbrock => (0..n).map(|j| [-1.2, 1.0][j % 2]).collect(),
            ExtendedPowellSingular => (0..n).map(|j| [3.0, -1.0, 0.0, 1.0][j % 4]).collect(),
            PenaltyI => (1..=n).map(|j| j as f64).collect(),
            PenaltyII | BrownAlmostLinear => vec![0.5; n],
            VariablyDimensioned => (1..=n).map(|j| 1.0 - j as f64 / n as f64).collect(),
            Trigonometric => vec![1.0 / n as f64; n],
            DiscreteBoundaryValue | DiscreteIntegralEquation => {
                (1..=n).map(|j| grid(j) * (grid(j) - 1.0)).collect()
            }
            BroydenTridiagonal | BroydenBanded => vec![-1.0; n],
            LinearFullRank | LinearRank1 | LinearRank1ZeroColumnsRows => vec![1.0; n],
            Chebyquad => (1..=n).map(grid).collect(),
        }
    }

    /// The published minimum value f* (the global one where the paper lists several). Exact
    /// for the zero-residual and linear problems, otherwise the paper's six significant
    /// digits; see [`Mgh::f_min_digits`].
    pub fn f_min(self) -> f64 {
        let m = self.m() as f64;
        match self {
            JennrichSampson => 124.362,
            Bard => 8.21487e-3,
            Gaussian => 1.12793e-8,
            Meyer => 87.9458,
            KowalikOsborne => 3.07505e-4,
            BrownDennis => 85822.2,
            Osborne1 => 5.46489e-5,
            Osborne2 => 4.01377e-2,
            Watson => 1.39976e-6,
            PenaltyI => 7.08765e-5,
            PenaltyII => 2.93660e-4,
            Chebyquad => 3.51687e-3,
            LinearFullRank => m - self.n() as f64,
            LinearRank1 => m * (m - 1.0) / (2.0 * (2.0 * m + 1.0)),
            LinearRank1ZeroColumnsRows => (m * m + 3.0 * m - 6.0) / (2.0 * (2.0 * m - 3.0)),
            _ => 0.0,
        }
    }

    /// The number of significant digits the paper gives for f*, or `None` when f* is exact
    /// (zero-residual problems and the linear functions 32–34).
    pub fn f_min_digits(self) -> Option<u32> {
        match self {
            JennrichSampson | Bard | Gaussian | Meyer | KowalikOsborne | BrownDennis | Osborne1
            | Osborne2 | Watson | PenaltyI | PenaltyII | Chebyquad => Some(6),
            _ => None,
        }
    }

    /// A minimizer x* with f(x*) = f* where one is known in closed form, else `None`.
    /// Problems 12, 33 and 34 have many; this is one of them.
    pub fn x_min(self) -> Option<Vec<f64>> {
        let n = self.n();
        let m = self.m() as f64;
        Some(match self {
            Rosenbrock => vec![1.0, 1.0],
            FreudensteinRoth => vec![5.0, 4.0],
            BrownBadlyScaled => vec![1e6, 2e-6],
            Beale => vec![3.0, 0.5],
            HelicalValley => vec![1.0, 0.0, 0.0],
            GulfResearch => vec![50.0, 25.0, 1.5],
            Box3d => vec![1.0, 10.0, 1.0],
            Wood => vec![1.0; 4],
            BiggsExp6 => vec![1.0, 10.0, 1.0, 5.0, 4.0, 3.0],
            PowellSingular | ExtendedPowellSingular | Trigonometric => vec![0.0; n],
            ExtendedRosenbrock | VariablyDimensioned | BrownAlmostLinear => vec![1.0; n],
            LinearFullRank => vec![-1.0; n],
            LinearRank1 => {
                let mut x = vec![0.0; n];
                x[0] = 3.0 / (2.0 * m + 1.0);
                x
            }
            LinearRank1ZeroColumnsRows => {
                // Σⱼ₌₂ⁿ⁻¹ j xⱼ = 2x₂ = 3/(2m − 3).
                let mut x = vec![0.0; n];
                x[1] = 1.5 / (2.0 * m - 3.0);
                x
            }
            _ => return None,
        })
    }

    /// The residuals r(x) ∈ ℝᵐ.
    ///
    /// # Panics
    /// If `x.len() != self.n()` (a programmer error: the dimensions are fixed).
    pub fn residuals<T: Float>(self, x: &[T]) -> Vec<T> {
        assert_eq!(
            x.len(),
            self.n(),
            "MGH problem {} ({}) has n = {} variables, got {}",
            self.number(),
            self.name(),
            self.n(),
            x.len()
        );
        let r = match self {
            Rosenbrock => vec![c::<T>(10.0) * (x[1] - x[0] * x[0]), T::one() - x[0]],
            FreudensteinRoth => freudenstein_roth(x),
            PowellBadlyScaled => vec![
                c::<T>(1e4) * x[0] * x[1] - T::one(),
                (-x[0]).exp() + (-x[1]).exp() - c(1.0001),
            ],
            BrownBadlyScaled => vec![x[0] - c(1e6), x[1] - c(2e-6), x[0] * x[1] - c(2.0)],
            Beale => [1.5, 2.25, 2.625]
                .iter()
                .zip(1..)
                .map(|(&y, i)| c::<T>(y) - x[0] * (T::one() - x[1].powi(i)))
                .collect(),
            JennrichSampson => (1..=10)
                .map(|i| {
                    let i = c::<T>(i as f64);
                    c::<T>(2.0) + c::<T>(2.0) * i - ((i * x[0]).exp() + (i * x[1]).exp())
                })
                .collect(),
            HelicalValley => helical_valley(x),
            Bard => bard(x),
            Gaussian => GAUSSIAN_Y
                .iter()
                .zip(1..)
                .map(|(&y, i)| {
                    let t = c::<T>((8.0 - i as f64) / 2.0);
                    x[0] * (-x[1] * (t - x[2]).powi(2) / c(2.0)).exp() - c(y)
                })
                .collect(),
            Meyer => MEYER_Y
                .iter()
                .zip(1..)
                .map(|(&y, i)| {
                    let t = c::<T>(45.0 + 5.0 * i as f64);
                    x[0] * (x[1] / (t + x[2])).exp() - c(y)
                })
                .collect(),
            GulfResearch => gulf_research(x, self.m()),
            Box3d => (1..=10)
                .map(|i| {
                    let t = 0.1 * i as f64;
                    let t_t = c::<T>(t);
                    (-t_t * x[0]).exp()
                        - (-t_t * x[1]).exp()
                        - x[2] * c((-t).exp() - (-10.0 * t).exp())
                })
                .collect(),
            PowellSingular | ExtendedPowellSingular => x.chunks(4).flat_map(powell).collect(),
            Wood => wood(x).to_vec(),
            KowalikOsborne => KOWALIK_Y
                .iter()
                .zip(&KOWALIK_U)
                .map(|(&y, &u)| {
                    let u = c::<T>(u);
                    c::<T>(y) - x[0] * (u * u + u * x[1]) / (u * u + u * x[2] + x[3])
                })
                .collect(),
            BrownDennis => (1..=20)
                .map(|i| {
                    let t = i as f64 / 5.0;
                    (x[0] + c::<T>(t) * x[1] - c(t.exp())).powi(2)
                        + (x[2] + x[3] * c(t.sin()) - c(t.cos())).powi(2)
                })
                .collect(),
            Osborne1 => OSBORNE1_Y
                .iter()
                .zip(0..)
                .map(|(&y, k)| {
                    let t = c::<T>(10.0 * k as f64);
                    c::<T>(y) - (x[0] + x[1] * (-t * x[3]).exp() + x[2] * (-t * x[4]).exp())
                })
                .collect(),
            BiggsExp6 => (1..=13)
                .map(|i| {
                    let t = 0.1 * i as f64;
                    let y = (-t).exp() - 5.0 * (-10.0 * t).exp() + 3.0 * (-4.0 * t).exp();
                    let t = c::<T>(t);
                    x[2] * (-t * x[0]).exp() - x[3] * (-t * x[1]).exp() + x[5] * (-t * x[4]).exp()
                        - c(y)
                })
                .collect(),
            Osborne2 => OSBORNE2_Y
                .iter()
                .zip(0..)
                .map(|(&y, k)| {
                    let t = c::<T>(k as f64 / 10.0);
                    let bump =
                        |a: T, centre: T, width: T| a * (-(t - centre).powi(2) * width).exp();
                    c::<T>(y)
                        - (x[0] * (-t * x[4]).exp()
                            + bump(x[1], x[8], x[5])
                            + bump(x[2], x[9], x[6])
                            + bump(x[3], x[10], x[7]))
                })
                .collect(),
            Watson => watson(x),
            ExtendedRosenbrock => x
                .chunks(2)
                .flat_map(|p| [c::<T>(10.0) * (p[1] - p[0] * p[0]), T::one() - p[0]])
                .collect(),
            PenaltyI => {
                let a = c::<T>(1e-5f64.sqrt());
                let mut r: Vec<T> = x.iter().map(|&xi| a * (xi - T::one())).collect();
                r.push(sum(x.iter().map(|&xi| xi * xi)) - c(0.25));
                r
            }
            PenaltyII => penalty_ii(x),
            VariablyDimensioned => {
                let mut r: Vec<T> = x.iter().map(|&xi| xi - T::one()).collect();
                let s = sum(r.iter().zip(1..).map(|(&ri, j)| c::<T>(j as f64) * ri));
                r.extend([s, s * s]);
                r
            }
            Trigonometric => {
                let n = c::<T>(x.len() as f64);
                let cos_sum = sum(x.iter().map(|xi| xi.cos()));
                x.iter()
                    .zip(1..)
                    .map(|(&xi, i)| {
                        n - cos_sum + c::<T>(i as f64) * (T::one() - xi.cos()) - xi.sin()
                    })
                    .collect()
            }
            BrownAlmostLinear => {
                let n = x.len();
                let total = sum(x.iter().copied()) - c((n + 1) as f64);
                let mut r: Vec<T> = x[..n - 1].iter().map(|&xi| xi + total).collect();
                r.push(x.iter().skip(1).fold(x[0], |p, &xj| p * xj) - T::one());
                r
            }
            DiscreteBoundaryValue => discrete_boundary_value(x),
            DiscreteIntegralEquation => discrete_integral_equation(x),
            BroydenTridiagonal => crate::large_scale::broyden_tridiagonal_residuals(x).collect(),
            BroydenBanded => broyden_banded(x),
            LinearFullRank => {
                let s = c::<T>(2.0 / self.m() as f64) * sum(x.iter().copied()) + T::one();
                let mut r: Vec<T> = x.iter().map(|&xi| xi - s).collect();
                r.resize(self.m(), -s);
                r
            }
            LinearRank1 => {
                let s = sum(x.iter().zip(1..).map(|(&xj, j)| c::<T>(j as f64) * xj));
                (1..=self.m())
                    .map(|i| c::<T>(i as f64) * s - T::one())
                    .collect()
            }
            LinearRank1ZeroColumnsRows => {
                let n = x.len();
                let s = sum(x[1..n - 1]
                    .iter()
                    .zip(2..)
                    .map(|(&xj, j)| c::<T>(j as f64) * xj));
                let mut r = vec![-T::one()];
                r.extend((2..self.m()).map(|i| c::<T>((i - 1) as f64) * s - T::one()));
                r.push(-T::one());
                r
            }
            Chebyquad => chebyquad(x),
        };
        debug_assert_eq!(r.len(), self.m());
        r
    }

    /// The objective f(x) = Σᵢ rᵢ(x)².
    ///
    /// # Panics
    /// If `x.len() != self.n()`.
    pub fn value<T: Float>(self, x: &[T]) -> T {
        sum(self.residuals(x).into_iter().map(|r| r * r))
    }
}

fn freudenstein_roth<T: Float>(x: &[T]) -> Vec<T> {
    let y = x[1];
    vec![
        c::<T>(-13.0) + x[0] + ((c::<T>(5.0) - y) * y - c(2.0)) * y,
        c::<T>(-29.0) + x[0] + ((y + T::one()) * y - c(14.0)) * y,
    ]
}

fn helical_valley<T: Float>(x: &[T]) -> Vec<T> {
    let turn = (x[1] / x[0]).atan() / c(2.0 * PI);
    let theta = if x[0] < T::zero() {
        turn + c(0.5)
    } else {
        turn
    };
    vec![
        c::<T>(10.0) * (x[2] - c::<T>(10.0) * theta),
        c::<T>(10.0) * ((x[0] * x[0] + x[1] * x[1]).sqrt() - T::one()),
        x[2],
    ]
}

fn bard<T: Float>(x: &[T]) -> Vec<T> {
    BARD_Y
        .iter()
        .zip(1..)
        .map(|(&y, i)| {
            let (u, v) = (i as f64, 16.0 - i as f64);
            let w = u.min(v);
            c::<T>(y) - (x[0] + c::<T>(u) / (c::<T>(v) * x[1] + c::<T>(w) * x[2]))
        })
        .collect()
}

fn gulf_research<T: Float>(x: &[T], m: usize) -> Vec<T> {
    (1..=m)
        .map(|i| {
            let t = i as f64 / 100.0;
            let y = 25.0 + (-50.0 * t.ln()).powf(2.0 / 3.0);
            (-(c::<T>(y) - x[1]).abs().powf(x[2]) / x[0]).exp() - c(t)
        })
        .collect()
}

/// Powell's singular function on one block (x₁, x₂, x₃, x₄) (problems 13 and 22).
fn powell<T: Float>(x: &[T]) -> [T; 4] {
    [
        x[0] + c::<T>(10.0) * x[1],
        c::<T>(5f64.sqrt()) * (x[2] - x[3]),
        (x[1] - c::<T>(2.0) * x[2]).powi(2),
        c::<T>(10f64.sqrt()) * (x[0] - x[3]).powi(2),
    ]
}

/// Wood's six residuals on one block (x₁, x₂, x₃, x₄) (problem 14 and extended Wood).
fn wood<T: Float>(x: &[T]) -> [T; 6] {
    let one = T::one();
    [
        c::<T>(10.0) * (x[1] - x[0] * x[0]),
        one - x[0],
        c::<T>(90f64.sqrt()) * (x[3] - x[2] * x[2]),
        one - x[2],
        c::<T>(10f64.sqrt()) * (x[1] + x[3] - c(2.0)),
        (x[1] - x[3]) * c(1.0 / 10f64.sqrt()),
    ]
}

fn watson<T: Float>(x: &[T]) -> Vec<T> {
    let mut r: Vec<T> = (1..=29)
        .map(|i| {
            let t = c::<T>(i as f64 / 29.0);
            // Horner: Σⱼ xⱼ t^(j−1) and its t-derivative Σⱼ (j − 1) xⱼ t^(j−2) together.
            let (mut p, mut dp) = (T::zero(), T::zero());
            for &xj in x.iter().rev() {
                dp = dp * t + p;
                p = p * t + xj;
            }
            dp - p * p - T::one()
        })
        .collect();
    r.extend([x[0], x[1] - x[0] * x[0] - T::one()]);
    r
}

fn penalty_ii<T: Float>(x: &[T]) -> Vec<T> {
    let n = x.len();
    let a = c::<T>(1e-5f64.sqrt());
    let e: Vec<T> = x.iter().map(|&xi| (xi / c(10.0)).exp()).collect();
    let mut r = vec![x[0] - c(0.2)];
    r.extend((2..=n).map(|i| {
        let y = (i as f64 / 10.0).exp() + ((i - 1) as f64 / 10.0).exp();
        a * (e[i - 1] + e[i - 2] - c(y))
    }));
    r.extend(e[1..].iter().map(|&ei| a * (ei - c((-0.1f64).exp()))));
    r.push(
        sum(x
            .iter()
            .enumerate()
            .map(|(j, &xj)| c::<T>((n - j) as f64) * xj * xj))
            - T::one(),
    );
    r
}

/// The grid tᵢ = i h, h = 1/(n + 1), of problems 28 and 29, as (h, tᵢ for i = 1…n).
fn boundary_grid(n: usize) -> (f64, impl Iterator<Item = f64>) {
    let h = 1.0 / (n + 1) as f64;
    (h, (1..=n).map(move |i| i as f64 * h))
}

fn discrete_boundary_value<T: Float>(x: &[T]) -> Vec<T> {
    let n = x.len();
    let (h, t) = boundary_grid(n);
    let at = |i: usize| if i < n { x[i] } else { T::zero() };
    t.enumerate()
        .map(|(i, ti)| {
            let left = if i == 0 { T::zero() } else { x[i - 1] };
            c::<T>(2.0) * x[i] - left - at(i + 1)
                + c::<T>(h * h / 2.0) * (x[i] + c(ti + 1.0)).powi(3)
        })
        .collect()
}

fn discrete_integral_equation<T: Float>(x: &[T]) -> Vec<T> {
    let n = x.len();
    let (h, t) = boundary_grid(n);
    let t: Vec<f64> = t.collect();
    let cube: Vec<T> = x
        .iter()
        .zip(&t)
        .map(|(&xj, &tj)| (xj + c(tj + 1.0)).powi(3))
        .collect();
    // Prefix sums Σⱼ≤ᵢ tⱼ cⱼ and suffix sums Σⱼ>ᵢ (1 − tⱼ) cⱼ: O(n) instead of O(n²).
    let mut below = Vec::with_capacity(n);
    let mut acc: Option<T> = None;
    for (&cj, &tj) in cube.iter().zip(&t) {
        let term = c::<T>(tj) * cj;
        let s = acc.map_or(term, |a| a + term);
        below.push(s);
        acc = Some(s);
    }
    let mut above = vec![T::zero(); n];
    let mut acc: Option<T> = None;
    for j in (0..n).rev() {
        above[j] = acc.unwrap_or_else(T::zero);
        let term = c::<T>(1.0 - t[j]) * cube[j];
        acc = Some(acc.map_or(term, |a| a + term));
    }
    (0..n)
        .map(|i| x[i] + c::<T>(h / 2.0) * (c::<T>(1.0 - t[i]) * below[i] + c::<T>(t[i]) * above[i]))
        .collect()
}

fn broyden_banded<T: Float>(x: &[T]) -> Vec<T> {
    let n = x.len();
    let q: Vec<T> = x.iter().map(|&xj| xj * (T::one() + xj)).collect();
    (0..n)
        .map(|i| {
            let band = sum((i.saturating_sub(5)..(i + 2).min(n))
                .filter(|&j| j != i)
                .map(|j| q[j]));
            x[i] * (c::<T>(2.0) + c::<T>(5.0) * x[i] * x[i]) + T::one() - band
        })
        .collect()
}

fn chebyquad<T: Float>(x: &[T]) -> Vec<T> {
    let n = x.len();
    let m = n;
    // sums[i − 1] accumulates Σⱼ Tᵢ(xⱼ) by the recurrence Tᵢ₊₁ = 2yTᵢ − Tᵢ₋₁, y = 2x − 1.
    let mut sums: Vec<Option<T>> = vec![None; m];
    for &xj in x {
        let y = c::<T>(2.0) * xj - T::one();
        let (mut previous, mut current) = (T::one(), y);
        let two_y = c::<T>(2.0) * y;
        for (i, s) in sums.iter_mut().enumerate() {
            *s = Some(s.map_or(current, |a| a + current));
            if i + 1 < m {
                let next = two_y * current - previous;
                previous = current;
                current = next;
            }
        }
    }
    sums.into_iter()
        .zip(1..)
        .map(|(s, i)| {
            let mean = s.expect("n ≥ 1") / c(n as f64);
            if i % 2 == 0 {
                mean + c(1.0 / ((i * i) as f64 - 1.0))
            } else {
                mean
            }
        })
        .collect()
}
