//! The NIST StRD nonlinear regression suite: 27 datasets with certified results, their model
//! functions generic over the scalar type, and the log relative error (LRE) used to score a
//! solver against them.
//!
//! # The suite
//!
//! NIST's Statistical Reference Datasets (StRD) for nonlinear least squares are 27 problems
//! `min_b Σ_i (y_i − f(x_i; b))²`, from textbook exponentials to rational functions and
//! sums of Gaussians, each classified by NIST as of *lower*, *average* or *higher*
//! difficulty. For every problem NIST publishes two starting points (Start 1, far; Start 2,
//! closer), the *certified* parameter values with their standard deviations and the
//! certified residual sum of squares, computed to 11 significant digits in 128-bit
//! arithmetic with two independent algorithms. The original `.dat` files are embedded in this
//! crate (`include_str!`), so no file paths are involved; see `data/PROVENANCE.md`.
//!
//! * [`Dataset`] is one parsed file ([`Dataset::parse`] reads NIST's format).
//! * [`Problem`] bundles a dataset with its model function; [`Problem::residuals`] evaluates
//!   `r_i = y_i − f(x_i; b)` for parameters of any [`num_traits::Float`] type, so the same call
//!   gives `f64` residuals, forward-mode duals or a reverse-mode tape.
//! * [`problems`] returns all 27 in NIST's order (by difficulty), [`problem`] looks one up
//!   by name.
//! * [`models`] holds the 27 model functions themselves, e.g. [`models::misra1a`].
//!
//! Nelson is the one model of `log[y]` rather than `y` (and the one with two predictors):
//! its residuals are `ln(y_i) − f(x1_i, x2_i; b)`, exactly as NIST certifies them.
//!
//! # Log relative error
//!
//! A solver's answer `x` is scored against the certified value `c` by the number of
//! significant digits they share, the log relative error
//!
//! ```text
//! LRE(x, c) = −log10(|x − c| / |c|)
//! ```
//!
//! [`lre`] caps it at [`MAX_LRE`] = 11 (NIST certifies 11 digits, so agreement beyond that
//! cannot be told apart; `x == c` gives 11), uses the absolute error `−log10|x − c|` when
//! `c == 0`, and reports 0 when not even one digit agrees (or for non-finite input).
//! NIST's usual bar is an LRE of 4 or more on every parameter; good solvers reach 6 to 11.
//!
//! # Example
//!
//! ```
//! use curvature_nist::{lre, problem};
//!
//! let misra1a = problem("Misra1a").unwrap();
//! let d = misra1a.dataset();
//! assert_eq!((d.num_parameters, d.num_observations()), (2, 14));
//!
//! // The residual sum of squares at the certified parameters reproduces the certified one.
//! let r: Vec<f64> = misra1a.residuals(&d.certified_values);
//! let rss: f64 = r.iter().map(|r| r * r).sum();
//! assert!(lre(rss, d.certified_rss) > 9.0);
//!
//! // Residuals are generic: here in f32.
//! let b: Vec<f32> = d.start1.iter().map(|&b| b as f32).collect();
//! let r32: Vec<f32> = misra1a.residuals(&b);
//! assert_eq!(r32.len(), 14);
//! ```
//!
//! Scoring a fit (here the certified values themselves, perturbed in the 8th digit):
//!
//! ```
//! use curvature_nist::{lre, problems};
//!
//! for p in problems() {
//!     let d = p.dataset();
//!     let fit: Vec<f64> = d.certified_values.iter().map(|c| c * (1.0 + 1e-8)).collect();
//!     let worst = fit
//!         .iter()
//!         .zip(&d.certified_values)
//!         .map(|(&x, &c)| lre(x, c))
//!         .fold(f64::INFINITY, f64::min);
//!     assert!((worst - 8.0).abs() < 0.01, "{}: {worst}", d.name);
//! }
//! ```

#![deny(missing_docs)]

mod dataset;
pub mod models;

pub use dataset::{Dataset, Difficulty, ParseError, ParseErrorKind};

use num_traits::Float;

/// The largest LRE [`lre`] reports: NIST certifies 11 significant digits.
pub const MAX_LRE: f64 = 11.0;

/// Log relative error of `estimate` against `certified`: the number of significant digits
/// they share, `−log10(|estimate − certified| / |certified|)`.
///
/// * capped at [`MAX_LRE`] (11), which is also the value when `estimate == certified`;
/// * when `certified == 0` the relative error is undefined and the absolute error is used
///   instead: `−log10(|estimate|)` (also capped at 11);
/// * floored at 0: an estimate without a single correct digit scores 0, as does a NaN or
///   infinite `estimate` or `certified`.
///
/// ```
/// use curvature_nist::lre;
/// assert_eq!(lre(1.0, 1.0), 11.0);
/// assert!((lre(1.001, 1.0) - 3.0).abs() < 1e-9);
/// assert!((lre(1e-6, 0.0) - 6.0).abs() < 1e-9);
/// assert_eq!(lre(5.0, 1.0), 0.0);
/// ```
pub fn lre(estimate: f64, certified: f64) -> f64 {
    if !estimate.is_finite() || !certified.is_finite() {
        return 0.0;
    }
    if estimate == certified {
        return MAX_LRE;
    }
    let error = if certified == 0.0 {
        estimate.abs()
    } else {
        (estimate - certified).abs() / certified.abs()
    };
    (-error.log10()).clamp(0.0, MAX_LRE)
}

/// Names of the 27 datasets in NIST's order: lower, then average, then higher difficulty.
pub const NAMES: [&str; 27] = [
    "Misra1a", "Chwirut2", "Chwirut1", "Lanczos3", "Gauss1", "Gauss2", "DanWood", "Misra1b",
    "Kirby2", "Hahn1", "Nelson", "MGH17", "Lanczos1", "Lanczos2", "Gauss3", "Misra1c", "Misra1d",
    "Roszman1", "ENSO", "MGH09", "Thurber", "BoxBOD", "Rat42", "MGH10", "Eckerle4", "Rat43",
    "Bennett5",
];

/// Which model function a problem uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Id {
    Misra1a,
    Chwirut2,
    Chwirut1,
    Lanczos3,
    Gauss1,
    Gauss2,
    DanWood,
    Misra1b,
    Kirby2,
    Hahn1,
    Nelson,
    Mgh17,
    Lanczos1,
    Lanczos2,
    Gauss3,
    Misra1c,
    Misra1d,
    Roszman1,
    Enso,
    Mgh09,
    Thurber,
    BoxBod,
    Rat42,
    Mgh10,
    Eckerle4,
    Rat43,
    Bennett5,
}

macro_rules! embed {
    ($($id:ident $file:literal),* $(,)?) => {
        [$((Id::$id, include_str!(concat!("../data/", $file, ".dat")))),*]
    };
}

/// The embedded files, in the order of [`NAMES`].
const SOURCES: [(Id, &str); 27] = embed![
    Misra1a "Misra1a", Chwirut2 "Chwirut2", Chwirut1 "Chwirut1", Lanczos3 "Lanczos3",
    Gauss1 "Gauss1", Gauss2 "Gauss2", DanWood "DanWood", Misra1b "Misra1b", Kirby2 "Kirby2",
    Hahn1 "Hahn1", Nelson "Nelson", Mgh17 "MGH17", Lanczos1 "Lanczos1", Lanczos2 "Lanczos2",
    Gauss3 "Gauss3", Misra1c "Misra1c", Misra1d "Misra1d", Roszman1 "Roszman1", Enso "ENSO",
    Mgh09 "MGH09", Thurber "Thurber", BoxBod "BoxBOD", Rat42 "Rat42", Mgh10 "MGH10",
    Eckerle4 "Eckerle4", Rat43 "Rat43", Bennett5 "Bennett5",
];

/// The original text of the `.dat` file of dataset `name` (case-insensitive), as embedded.
///
/// ```
/// let text = curvature_nist::source("boxbod").unwrap();
/// assert!(text.contains("Dataset Name:  BoxBOD"));
/// ```
pub fn source(name: &str) -> Option<&'static str> {
    position(name).map(|k| SOURCES[k].1)
}

fn position(name: &str) -> Option<usize> {
    NAMES.iter().position(|n| n.eq_ignore_ascii_case(name))
}

/// A NIST dataset together with its model function.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    dataset: Dataset,
    id: Id,
    /// The response the model fits: `y`, or `ln y` for Nelson.
    response: Vec<f64>,
}

impl Problem {
    fn from_source(id: Id, text: &str) -> Problem {
        let dataset = Dataset::parse(text)
            .unwrap_or_else(|e| panic!("embedded NIST file for {id:?} does not parse: {e}"));
        let response = match id {
            Id::Nelson => dataset.y.iter().map(|y| y.ln()).collect(),
            _ => dataset.y.clone(),
        };
        Problem {
            dataset,
            id,
            response,
        }
    }

    /// The parsed dataset: data, starting points and certified values.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The dataset's name, e.g. `"Misra1a"`.
    pub fn name(&self) -> &str {
        &self.dataset.name
    }

    /// The model `f(x; b)` at one observation's predictors `x` (one value per predictor
    /// column: `[x]`, or `[x1, x2]` for Nelson).
    ///
    /// # Panics
    /// If `b` has fewer than [`Dataset::num_parameters`] entries or `x` fewer than
    /// [`Dataset::num_predictors`].
    pub fn model<T: Float>(&self, b: &[T], x: &[f64]) -> T {
        use models::*;
        match self.id {
            Id::Misra1a => misra1a(b, x[0]),
            Id::Chwirut2 => chwirut2(b, x[0]),
            Id::Chwirut1 => chwirut1(b, x[0]),
            Id::Lanczos3 => lanczos3(b, x[0]),
            Id::Gauss1 => gauss1(b, x[0]),
            Id::Gauss2 => gauss2(b, x[0]),
            Id::DanWood => danwood(b, x[0]),
            Id::Misra1b => misra1b(b, x[0]),
            Id::Kirby2 => kirby2(b, x[0]),
            Id::Hahn1 => hahn1(b, x[0]),
            Id::Nelson => nelson(b, x[0], x[1]),
            Id::Mgh17 => mgh17(b, x[0]),
            Id::Lanczos1 => lanczos1(b, x[0]),
            Id::Lanczos2 => lanczos2(b, x[0]),
            Id::Gauss3 => gauss3(b, x[0]),
            Id::Misra1c => misra1c(b, x[0]),
            Id::Misra1d => misra1d(b, x[0]),
            Id::Roszman1 => roszman1(b, x[0]),
            Id::Enso => enso(b, x[0]),
            Id::Mgh09 => mgh09(b, x[0]),
            Id::Thurber => thurber(b, x[0]),
            Id::BoxBod => boxbod(b, x[0]),
            Id::Rat42 => rat42(b, x[0]),
            Id::Mgh10 => mgh10(b, x[0]),
            Id::Eckerle4 => eckerle4(b, x[0]),
            Id::Rat43 => rat43(b, x[0]),
            Id::Bennett5 => bennett5(b, x[0]),
        }
    }

    /// The model at observation `i` of the dataset.
    ///
    /// # Panics
    /// If `i` is out of range or `b` is too short (see [`Problem::model`]).
    pub fn model_at<T: Float>(&self, b: &[T], i: usize) -> T {
        let d = &self.dataset;
        match d.predictors.as_slice() {
            [x] => self.model(b, &[x[i]]),
            [x1, x2] => self.model(b, &[x1[i], x2[i]]),
            _ => self.model(b, &d.predictors_at(i)),
        }
    }

    /// The response the model fits, one value per observation: the `y` column, except for
    /// Nelson, whose model is stated for `log[y]`, where it is `ln(y)`.
    pub fn response(&self) -> &[f64] {
        &self.response
    }

    /// The residuals `r_i = y_i − f(x_i; b)` (for Nelson `ln(y_i) − f(x_i; b)`), one per
    /// observation, in any [`Float`] scalar type.
    ///
    /// # Panics
    /// If `b.len()` differs from [`Dataset::num_parameters`].
    pub fn residuals<T: Float>(&self, b: &[T]) -> Vec<T> {
        let mut r = vec![T::zero(); self.response.len()];
        self.residuals_into(b, &mut r);
        r
    }

    /// [`Problem::residuals`] written into `out`, without allocating.
    ///
    /// # Panics
    /// If `b.len()` differs from [`Dataset::num_parameters`] or `out.len()` from the number
    /// of observations.
    pub fn residuals_into<T: Float>(&self, b: &[T], out: &mut [T]) {
        let d = &self.dataset;
        assert_eq!(
            b.len(),
            d.num_parameters,
            "{} has {} parameters, got {}",
            d.name,
            d.num_parameters,
            b.len()
        );
        assert_eq!(
            out.len(),
            self.response.len(),
            "{} has {} observations, the output slice {}",
            d.name,
            self.response.len(),
            out.len()
        );
        for (i, (r, &y)) in out.iter_mut().zip(&self.response).enumerate() {
            *r = models::constant::<T>(y) - self.model_at(b, i);
        }
    }

    /// The residual sum of squares `Σ r_i²` at `b`, in `f64`.
    ///
    /// # Panics
    /// If `b.len()` differs from [`Dataset::num_parameters`].
    pub fn rss(&self, b: &[f64]) -> f64 {
        self.residuals(b).iter().map(|r| r * r).sum()
    }
}

/// All 27 problems, in NIST's order (see [`NAMES`]).
pub fn problems() -> Vec<Problem> {
    SOURCES
        .iter()
        .map(|&(id, text)| Problem::from_source(id, text))
        .collect()
}

/// The problem called `name` (case-insensitive: `"mgh09"` finds MGH09), or `None`.
pub fn problem(name: &str) -> Option<Problem> {
    position(name).map(|k| {
        let (id, text) = SOURCES[k];
        Problem::from_source(id, text)
    })
}
