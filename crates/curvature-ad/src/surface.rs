//! The operator and num-traits surface shared by every differentiable type.
//!
//! [`Dual`](crate::Dual) and [`Var`](crate::Var) differ only in what one elementary operation
//! does (apply the chain rule, or record a tape node): each exposes `un`, `bin`, `lift`,
//! `lift_f64` and `primal`, and this macro builds the whole `num_traits::Float` world on top,
//! once, so that generic code `fn f<T: Float>(x: &[T]) -> T` runs on both.

macro_rules! impl_surface {
    ([$($g:tt)*] $t:ty, $p:ty) => {
        $crate::surface::impl_surface!(@bin [$($g)*] $t, Add, add, AddAssign, add_assign, Add);
        $crate::surface::impl_surface!(@bin [$($g)*] $t, Sub, sub, SubAssign, sub_assign, Sub);
        $crate::surface::impl_surface!(@bin [$($g)*] $t, Mul, mul, MulAssign, mul_assign, Mul);
        $crate::surface::impl_surface!(@bin [$($g)*] $t, Div, div, DivAssign, div_assign, Div);
        $crate::surface::impl_surface!(@bin [$($g)*] $t, Rem, rem, RemAssign, rem_assign, Rem);

        impl<$($g)*> ::std::ops::Neg for $t {
            type Output = $t;
            #[inline(always)]
            fn neg(self) -> $t {
                self.un($crate::elementary::Op::Neg, 0.0)
            }
        }

        impl<'a, $($g)*> ::std::ops::Neg for &'a $t {
            type Output = $t;
            #[inline(always)]
            fn neg(self) -> $t {
                -*self
            }
        }

        impl<$($g)*> ::std::iter::Sum for $t {
            fn sum<I: Iterator<Item = $t>>(iter: I) -> $t {
                iter.fold(<$t>::lift_f64(0.0), |a, b| a + b)
            }
        }

        impl<'a, $($g)*> ::std::iter::Sum<&'a $t> for $t {
            fn sum<I: Iterator<Item = &'a $t>>(iter: I) -> $t {
                iter.fold(<$t>::lift_f64(0.0), |a, b| a + *b)
            }
        }

        impl<$($g)*> ::std::iter::Product for $t {
            fn product<I: Iterator<Item = $t>>(iter: I) -> $t {
                iter.fold(<$t>::lift_f64(1.0), |a, b| a * b)
            }
        }

        impl<'a, $($g)*> ::std::iter::Product<&'a $t> for $t {
            fn product<I: Iterator<Item = &'a $t>>(iter: I) -> $t {
                iter.fold(<$t>::lift_f64(1.0), |a, b| a * *b)
            }
        }

        impl<$($g)*> From<f64> for $t {
            /// A constant.
            #[inline(always)]
            fn from(c: f64) -> $t {
                <$t>::lift_f64(c)
            }
        }

        impl<$($g)*> Default for $t {
            /// The constant 0.
            #[inline(always)]
            fn default() -> $t {
                <$t>::lift_f64(0.0)
            }
        }

        impl<$($g)*> ::num_traits::Zero for $t {
            #[inline(always)]
            fn zero() -> $t {
                <$t>::lift_f64(0.0)
            }
            /// Whether the value is zero (tangents are not looked at).
            #[inline(always)]
            fn is_zero(&self) -> bool {
                ::num_traits::Zero::is_zero(&self.primal())
            }
        }

        impl<$($g)*> ::num_traits::One for $t {
            #[inline(always)]
            fn one() -> $t {
                <$t>::lift_f64(1.0)
            }
        }

        impl<$($g)*> ::num_traits::Num for $t {
            type FromStrRadixErr = <$p as ::num_traits::Num>::FromStrRadixErr;
            fn from_str_radix(s: &str, radix: u32) -> Result<$t, Self::FromStrRadixErr> {
                <$p as ::num_traits::Num>::from_str_radix(s, radix).map(<$t>::lift)
            }
        }

        impl<$($g)*> ::num_traits::ToPrimitive for $t {
            fn to_i64(&self) -> Option<i64> {
                self.primal().to_i64()
            }
            fn to_u64(&self) -> Option<u64> {
                self.primal().to_u64()
            }
            fn to_f64(&self) -> Option<f64> {
                self.primal().to_f64()
            }
        }

        impl<$($g)*> ::num_traits::NumCast for $t {
            fn from<N: ::num_traits::ToPrimitive>(n: N) -> Option<$t> {
                <$p as ::num_traits::NumCast>::from(n).map(<$t>::lift)
            }
        }

        impl<$($g)*> ::num_traits::FromPrimitive for $t {
            fn from_i64(n: i64) -> Option<$t> {
                <$p as ::num_traits::FromPrimitive>::from_i64(n).map(<$t>::lift)
            }
            fn from_u64(n: u64) -> Option<$t> {
                <$p as ::num_traits::FromPrimitive>::from_u64(n).map(<$t>::lift)
            }
            fn from_f64(n: f64) -> Option<$t> {
                Some(<$t>::lift_f64(n))
            }
        }

        impl<$($g)*> ::num_traits::Signed for $t {
            fn abs(&self) -> $t {
                ::num_traits::Float::abs(*self)
            }
            fn abs_sub(&self, other: &$t) -> $t {
                ::num_traits::Float::max(*self - *other, <$t>::lift_f64(0.0))
            }
            fn signum(&self) -> $t {
                ::num_traits::Float::signum(*self)
            }
            fn is_positive(&self) -> bool {
                self.primal() > ::num_traits::Zero::zero()
            }
            fn is_negative(&self) -> bool {
                self.primal() < ::num_traits::Zero::zero()
            }
        }

        $crate::surface::impl_surface!(@consts [$($g)*] $t, $p,
            E, FRAC_1_PI, FRAC_1_SQRT_2, FRAC_2_PI, FRAC_2_SQRT_PI, FRAC_PI_2, FRAC_PI_3,
            FRAC_PI_4, FRAC_PI_6, FRAC_PI_8, LN_10, LN_2, LOG10_E, LOG2_E, PI, SQRT_2, TAU,
            LOG10_2, LOG2_10);

        impl<$($g)*> ::num_traits::Float for $t {
            $crate::surface::impl_surface!(@lifted $p, nan, infinity, neg_infinity, neg_zero,
                min_value, min_positive_value, epsilon, max_value);
            $crate::surface::impl_surface!(@query is_nan, is_infinite, is_finite, is_normal,
                is_subnormal, is_sign_positive, is_sign_negative);
            $crate::surface::impl_surface!(@unary floor Floor, ceil Ceil, round Round,
                trunc Trunc, fract Fract, abs Abs, signum Signum, recip Recip, sqrt Sqrt,
                exp Exp, exp2 Exp2, ln Ln, log2 Log2, log10 Log10, cbrt Cbrt, sin Sin, cos Cos,
                tan Tan, asin Asin, acos Acos, atan Atan, exp_m1 ExpM1, ln_1p Ln1p, sinh Sinh,
                cosh Cosh, tanh Tanh, asinh Asinh, acosh Acosh, atanh Atanh);
            $crate::surface::impl_surface!(@binary powf PowF, max Max, min Min, hypot Hypot,
                atan2 Atan2);

            fn classify(self) -> ::std::num::FpCategory {
                self.primal().classify()
            }
            fn integer_decode(self) -> (u64, i16, i8) {
                self.primal().integer_decode()
            }
            /// Evaluated as `self * a + b` (the product and sum rules), not fused.
            #[inline]
            fn mul_add(self, a: $t, b: $t) -> $t {
                self * a + b
            }
            #[inline(always)]
            fn powi(self, n: i32) -> $t {
                self.un($crate::elementary::Op::PowI, n as f64)
            }
            #[inline]
            fn log(self, base: $t) -> $t {
                self.ln() / base.ln()
            }
            #[inline]
            fn abs_sub(self, other: $t) -> $t {
                (self - other).max(<$t>::lift_f64(0.0))
            }
            #[inline]
            fn sin_cos(self) -> ($t, $t) {
                (self.sin(), self.cos())
            }
        }
    };

    // `Op` is applied between two differentiable values; `OpC` when the right operand is an
    // f64 constant (constants never become tape nodes for + - * /).
    (@bin [$($g:tt)*] $t:ty, $tr:ident, $m:ident, $tra:ident, $ma:ident, $op:ident) => {
        impl<$($g)*> ::std::ops::$tr for $t {
            type Output = $t;
            #[inline(always)]
            fn $m(self, rhs: $t) -> $t {
                self.bin(rhs, $crate::elementary::Op::$op)
            }
        }
        impl<'a, $($g)*> ::std::ops::$tr<&'a $t> for $t {
            type Output = $t;
            #[inline(always)]
            fn $m(self, rhs: &'a $t) -> $t {
                self.bin(*rhs, $crate::elementary::Op::$op)
            }
        }
        impl<'a, $($g)*> ::std::ops::$tr<$t> for &'a $t {
            type Output = $t;
            #[inline(always)]
            fn $m(self, rhs: $t) -> $t {
                (*self).bin(rhs, $crate::elementary::Op::$op)
            }
        }
        impl<'a, 'b, $($g)*> ::std::ops::$tr<&'b $t> for &'a $t {
            type Output = $t;
            #[inline(always)]
            fn $m(self, rhs: &'b $t) -> $t {
                (*self).bin(*rhs, $crate::elementary::Op::$op)
            }
        }
        impl<$($g)*> ::std::ops::$tr<f64> for $t {
            type Output = $t;
            #[inline(always)]
            fn $m(self, c: f64) -> $t {
                $crate::surface::with_constant_rhs!($op, $t, self, c)
            }
        }
        impl<$($g)*> ::std::ops::$tr<$t> for f64 {
            type Output = $t;
            #[inline(always)]
            fn $m(self, x: $t) -> $t {
                $crate::surface::with_constant_lhs!($op, $t, self, x)
            }
        }
        impl<$($g)*> ::std::ops::$tra for $t {
            #[inline(always)]
            fn $ma(&mut self, rhs: $t) {
                *self = ::std::ops::$tr::$m(*self, rhs);
            }
        }
        impl<'a, $($g)*> ::std::ops::$tra<&'a $t> for $t {
            #[inline(always)]
            fn $ma(&mut self, rhs: &'a $t) {
                *self = ::std::ops::$tr::$m(*self, *rhs);
            }
        }
        impl<$($g)*> ::std::ops::$tra<f64> for $t {
            #[inline(always)]
            fn $ma(&mut self, c: f64) {
                *self = ::std::ops::$tr::$m(*self, c);
            }
        }
    };

    (@consts [$($g:tt)*] $t:ty, $p:ty, $($c:ident),*) => {
        impl<$($g)*> ::num_traits::FloatConst for $t {
            $(
                #[allow(non_snake_case)]
                #[inline(always)]
                fn $c() -> $t {
                    <$t>::lift(<$p as ::num_traits::FloatConst>::$c())
                }
            )*
        }
    };

    (@lifted $p:ty, $($f:ident),*) => {
        $(
            #[inline(always)]
            fn $f() -> Self {
                Self::lift(<$p as ::num_traits::Float>::$f())
            }
        )*
    };

    (@query $($f:ident),*) => {
        $(
            #[inline(always)]
            fn $f(self) -> bool {
                ::num_traits::Float::$f(self.primal())
            }
        )*
    };

    (@unary $($f:ident $op:ident),*) => {
        $(
            #[inline(always)]
            fn $f(self) -> Self {
                self.un($crate::elementary::Op::$op, 0.0)
            }
        )*
    };

    (@binary $($f:ident $op:ident),*) => {
        $(
            #[inline(always)]
            fn $f(self, other: Self) -> Self {
                self.bin(other, $crate::elementary::Op::$op)
            }
        )*
    };
}

/// `x ∘ c` with an f64 constant on the right, as one unary operation where one exists.
macro_rules! with_constant_rhs {
    (Add, $t:ty, $x:expr, $c:expr) => {
        $x.un($crate::elementary::Op::AddC, $c)
    };
    (Sub, $t:ty, $x:expr, $c:expr) => {
        $x.un($crate::elementary::Op::AddC, -$c)
    };
    (Mul, $t:ty, $x:expr, $c:expr) => {
        $x.un($crate::elementary::Op::MulC, $c)
    };
    (Div, $t:ty, $x:expr, $c:expr) => {
        $x.un($crate::elementary::Op::DivC, $c)
    };
    (Rem, $t:ty, $x:expr, $c:expr) => {
        $x.bin(Self::lift_f64($c), $crate::elementary::Op::Rem)
    };
}

/// `c ∘ x` with an f64 constant on the left.
macro_rules! with_constant_lhs {
    (Add, $t:ty, $c:expr, $x:expr) => {
        $x.un($crate::elementary::Op::AddC, $c)
    };
    (Sub, $t:ty, $c:expr, $x:expr) => {
        $x.un($crate::elementary::Op::RSubC, $c)
    };
    (Mul, $t:ty, $c:expr, $x:expr) => {
        $x.un($crate::elementary::Op::MulC, $c)
    };
    (Div, $t:ty, $c:expr, $x:expr) => {
        $x.un($crate::elementary::Op::RDivC, $c)
    };
    (Rem, $t:ty, $c:expr, $x:expr) => {
        <$t>::lift_f64($c).bin($x, $crate::elementary::Op::Rem)
    };
}

pub(crate) use impl_surface;
pub(crate) use with_constant_lhs;
pub(crate) use with_constant_rhs;
