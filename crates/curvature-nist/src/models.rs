//! The 27 model functions, written once, generically over the scalar type.
//!
//! Each function is a transcription of the model statement in the dataset's `.dat` file
//! (quoted above each function, with NIST's `**` for powers and `[...]` for function
//! arguments). The parameters `b` are of any [`Float`] type — `f64`, `f32`, or the dual and
//! reverse-mode scalars of `curvature-ad` — while the predictor `x` is data and stays `f64`.
//! Constants from the model statements are converted with `T::from`.
//!
//! Every function expects `b.len()` to be at least the dataset's number of parameters and
//! panics (index out of bounds) otherwise.
//!
//! [`nelson`] is the only model with two predictors (`x1`, `x2`); it models `log[y]`, the
//! natural logarithm of the response, as NIST states it.

use num_traits::Float;

/// Converts an `f64` constant or datum to the scalar type `T`.
///
/// `Float` types represent every finite `f64` (possibly rounded, for `f32`), so the
/// conversion does not fail for the scalars this crate is used with.
#[inline]
pub fn constant<T: Float>(c: f64) -> T {
    T::from(c).expect("an f64 constant is representable in every Float type")
}

/// π as NIST writes it in the model statement of Roszman1
/// (`pi = 3.141592653589793238462643383279E0`). It rounds to exactly
/// [`std::f64::consts::PI`]; a test checks that.
#[allow(clippy::approx_constant, clippy::excessive_precision)]
pub const ROSZMAN1_PI: f64 = 3.141592653589793238462643383279E0;

/// Misra1a: `y = b1*(1-exp[-b2*x])  +  e`
pub fn misra1a<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] * (T::one() - (-b[1] * x).exp())
}

/// Chwirut2: `y = exp(-b1*x)/(b2+b3*x)  +  e`
pub fn chwirut2<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    (-b[0] * x).exp() / (b[1] + b[2] * x)
}

/// Chwirut1: `y = exp[-b1*x]/(b2+b3*x)  +  e`
pub fn chwirut1<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    (-b[0] * x).exp() / (b[1] + b[2] * x)
}

/// Lanczos3: `y = b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)  +  e`
pub fn lanczos3<T: Float>(b: &[T], x: f64) -> T {
    lanczos(b, x)
}

/// Gauss1: `y = b1*exp( -b2*x ) + b3*exp( -(x-b4)**2 / b5**2 ) + b6*exp( -(x-b7)**2 / b8**2 ) + e`
pub fn gauss1<T: Float>(b: &[T], x: f64) -> T {
    gauss(b, x)
}

/// Gauss2: `y = b1*exp( -b2*x ) + b3*exp( -(x-b4)**2 / b5**2 ) + b6*exp( -(x-b7)**2 / b8**2 ) + e`
pub fn gauss2<T: Float>(b: &[T], x: f64) -> T {
    gauss(b, x)
}

/// DanWood: `y  = b1*x**b2  +  e`
pub fn danwood<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] * x.powf(b[1])
}

/// Misra1b: `y = b1 * (1-(1+b2*x/2)**(-2))  +  e`
pub fn misra1b<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    let two: T = constant(2.0);
    b[0] * (T::one() - (T::one() + b[1] * x / two).powi(-2))
}

/// Kirby2: `y = (b1 + b2*x + b3*x**2) / (1 + b4*x + b5*x**2)  +  e`
pub fn kirby2<T: Float>(b: &[T], x: f64) -> T {
    let (x1, x2): (T, T) = (constant(x), constant(x.powi(2)));
    (b[0] + b[1] * x1 + b[2] * x2) / (T::one() + b[3] * x1 + b[4] * x2)
}

/// Hahn1: `y = (b1+b2*x+b3*x**2+b4*x**3) / (1+b5*x+b6*x**2+b7*x**3)  +  e`
pub fn hahn1<T: Float>(b: &[T], x: f64) -> T {
    cubic_over_cubic(b, x)
}

/// Nelson: `log[y] = b1 - b2*x1 * exp[-b3*x2]  +  e`
///
/// This is the model of `log[y]` (natural logarithm), not of `y`: the residuals NIST certifies
/// are `ln(y) - nelson(b, x1, x2)`, which is what [`Problem::residuals`](crate::Problem::residuals)
/// computes.
pub fn nelson<T: Float>(b: &[T], x1: f64, x2: f64) -> T {
    let (x1, x2): (T, T) = (constant(x1), constant(x2));
    b[0] - b[1] * x1 * (-b[2] * x2).exp()
}

/// MGH17: `y = b1 + b2*exp[-x*b4] + b3*exp[-x*b5]  +  e`
pub fn mgh17<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] + b[1] * (-x * b[3]).exp() + b[2] * (-x * b[4]).exp()
}

/// Lanczos1: `y = b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)  +  e`
pub fn lanczos1<T: Float>(b: &[T], x: f64) -> T {
    lanczos(b, x)
}

/// Lanczos2: `y = b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)  +  e`
pub fn lanczos2<T: Float>(b: &[T], x: f64) -> T {
    lanczos(b, x)
}

/// Gauss3: `y = b1*exp( -b2*x ) + b3*exp( -(x-b4)**2 / b5**2 ) + b6*exp( -(x-b7)**2 / b8**2 ) + e`
pub fn gauss3<T: Float>(b: &[T], x: f64) -> T {
    gauss(b, x)
}

/// Misra1c: `y = b1 * (1-(1+2*b2*x)**(-.5))  +  e`
pub fn misra1c<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    let two: T = constant(2.0);
    b[0] * (T::one() - (T::one() + two * b[1] * x).powf(constant(-0.5)))
}

/// Misra1d: `y = b1*b2*x*((1+b2*x)**(-1))  +  e`
pub fn misra1d<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] * b[1] * x * (T::one() + b[1] * x).powi(-1)
}

/// Roszman1: `pi = 3.141592653589793238462643383279E0`,
/// `y =  b1 - b2*x - arctan[b3/(x-b4)]/pi  +  e` (arctan in radians; see [`ROSZMAN1_PI`]).
pub fn roszman1<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    let pi: T = constant(ROSZMAN1_PI);
    b[0] - b[1] * x - (b[2] / (x - b[3])).atan() / pi
}

/// ENSO: `y = b1 + b2*cos( 2*pi*x/12 ) + b3*sin( 2*pi*x/12 ) + b5*cos( 2*pi*x/b4 )
/// + b6*sin( 2*pi*x/b4 ) + b8*cos( 2*pi*x/b7 ) + b9*sin( 2*pi*x/b7 )  + e`
///
/// The file does not state a value for pi; [`std::f64::consts::PI`] is used. Arguments of
/// sin and cos are in radians.
pub fn enso<T: Float>(b: &[T], x: f64) -> T {
    let two_pi_x: T = constant(2.0 * std::f64::consts::PI * x);
    let twelve: T = constant(12.0);
    b[0] + b[1] * (two_pi_x / twelve).cos()
        + b[2] * (two_pi_x / twelve).sin()
        + b[4] * (two_pi_x / b[3]).cos()
        + b[5] * (two_pi_x / b[3]).sin()
        + b[7] * (two_pi_x / b[6]).cos()
        + b[8] * (two_pi_x / b[6]).sin()
}

/// MGH09: `y = b1*(x**2+x*b2) / (x**2+x*b3+b4)  +  e`
pub fn mgh09<T: Float>(b: &[T], x: f64) -> T {
    let (x1, x2): (T, T) = (constant(x), constant(x.powi(2)));
    b[0] * (x2 + x1 * b[1]) / (x2 + x1 * b[2] + b[3])
}

/// Thurber: `y = (b1 + b2*x + b3*x**2 + b4*x**3) / (1 + b5*x + b6*x**2 + b7*x**3)  +  e`
pub fn thurber<T: Float>(b: &[T], x: f64) -> T {
    cubic_over_cubic(b, x)
}

/// BoxBOD: `y = b1*(1-exp[-b2*x])  +  e`
pub fn boxbod<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] * (T::one() - (-b[1] * x).exp())
}

/// Rat42: `y = b1 / (1+exp[b2-b3*x])  +  e`
pub fn rat42<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] / (T::one() + (b[1] - b[2] * x).exp())
}

/// MGH10: `y = b1 * exp[b2/(x+b3)]  +  e`
pub fn mgh10<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] * (b[1] / (x + b[2])).exp()
}

/// Eckerle4: `y = (b1/b2) * exp[-0.5*((x-b3)/b2)**2]  +  e`
pub fn eckerle4<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    let half: T = constant(0.5);
    (b[0] / b[1]) * (-half * ((x - b[2]) / b[1]).powi(2)).exp()
}

/// Rat43: `y = b1 / ((1+exp[b2-b3*x])**(1/b4))  +  e`
pub fn rat43<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] / (T::one() + (b[1] - b[2] * x).exp()).powf(T::one() / b[3])
}

/// Bennett5: `y = b1 * (b2+x)**(-1/b3)  +  e`
pub fn bennett5<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] * (b[1] + x).powf(-T::one() / b[2])
}

/// `b1*exp(-b2*x) + b3*exp(-b4*x) + b5*exp(-b6*x)`, shared by Lanczos1, 2 and 3.
fn lanczos<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] * (-b[1] * x).exp() + b[2] * (-b[3] * x).exp() + b[4] * (-b[5] * x).exp()
}

/// `b1*exp( -b2*x ) + b3*exp( -(x-b4)**2 / b5**2 ) + b6*exp( -(x-b7)**2 / b8**2 )`,
/// shared by Gauss1, 2 and 3.
fn gauss<T: Float>(b: &[T], x: f64) -> T {
    let x: T = constant(x);
    b[0] * (-b[1] * x).exp()
        + b[2] * (-(x - b[3]).powi(2) / b[4].powi(2)).exp()
        + b[5] * (-(x - b[6]).powi(2) / b[7].powi(2)).exp()
}

/// `(b1 + b2*x + b3*x**2 + b4*x**3) / (1 + b5*x + b6*x**2 + b7*x**3)`, shared by Hahn1 and
/// Thurber.
fn cubic_over_cubic<T: Float>(b: &[T], x: f64) -> T {
    let (x1, x2, x3): (T, T, T) = (constant(x), constant(x.powi(2)), constant(x.powi(3)));
    (b[0] + b[1] * x1 + b[2] * x2 + b[3] * x3) / (T::one() + b[4] * x1 + b[5] * x2 + b[6] * x3)
}
