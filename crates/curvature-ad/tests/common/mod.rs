//! Random expression programs, generic over `num_traits::Float`, for property tests.
#![allow(dead_code)]

use num_traits::Float;
use proptest::prelude::*;

/// One instruction: operation `kind` on registers `a`, `b`, `c3` (indices taken modulo the
/// registers defined so far) and a constant `c`.
#[derive(Clone, Debug)]
pub struct Instr {
    pub kind: u8,
    pub a: usize,
    pub b: usize,
    pub c3: usize,
    pub c: f64,
}

/// A straight-line program over n inputs; its output is the sum of all computed registers.
#[derive(Clone, Debug)]
pub struct Program {
    pub instrs: Vec<Instr>,
}

/// Kinds 0..SMOOTH are smooth where evaluated (each op's argument is mapped into its domain).
pub const SMOOTH: u8 = 43;
/// Kinds SMOOTH..ALL add kinks and jumps (abs, max, min, floor, fract, %, signum, round).
pub const ALL: u8 = 51;
/// Kind ALL is a branch on a comparison of two Vars (a replay guard).
pub const BRANCH: u8 = ALL;

fn c<T: Float>(v: f64) -> T {
    T::from(v).unwrap()
}

fn sq<T: Float>(a: T) -> T {
    c::<T>(0.5) + a * a
}

/// Applies one instruction. Arguments are mapped into each function's domain by
/// differentiable maps (tanh, 0.5 + a²), which are themselves part of what is tested.
pub fn apply<T: Float>(kind: u8, a: T, b: T, d: T, k: f64) -> T {
    let t = |x: T| x.tanh();
    match kind {
        0 => a + b,
        1 => a - b,
        2 => t(a) * b,
        3 => a / (T::one() + b * b),
        4 => sq(a).powf(t(b)),
        5 => a.atan2(c::<T>(1.5) + b * b),
        6 => a.hypot(c::<T>(0.5) + b * b),
        7 => a.mul_add(t(b), d),
        8 => sq(a).sqrt(),
        9 => sq(a).cbrt(),
        10 => (c::<T>(2.0) * t(a)).exp(),
        11 => (c::<T>(2.0) * t(a)).exp2(),
        12 => (c::<T>(2.0) * t(a)).exp_m1(),
        13 => sq(a).ln(),
        14 => sq(a).log2(),
        15 => sq(a).log10(),
        16 => (a * a).ln_1p(),
        17 => a.sin(),
        18 => a.cos(),
        19 => t(a).tan(),
        20 => (c::<T>(0.9) * t(a)).asin(),
        21 => (c::<T>(0.9) * t(a)).acos(),
        22 => a.atan(),
        23 => (c::<T>(2.0) * t(a)).sinh(),
        24 => (c::<T>(2.0) * t(a)).cosh(),
        25 => a.tanh(),
        26 => a.asinh(),
        27 => (c::<T>(1.5) + a * a).acosh(),
        28 => (c::<T>(0.9) * t(a)).atanh(),
        29 => (T::one() + a * a).recip(),
        30 => (c::<T>(0.5) + t(a) * t(a)).powi((k * 2.0).round() as i32),
        31 => sq(a).powf(c(k)),
        32 => c::<T>(1.75 + k * 0.6).powf(t(a)),
        33 => a + c(k),
        34 => c::<T>(k) - a,
        35 => a * c(k),
        36 => a / c(1.75 + k * 0.6),
        37 => c::<T>(k) / (T::one() + a * a),
        38 => sq(a).log(c(1.75 + k * 0.6)),
        39 => {
            let (s, co) = a.sin_cos();
            s * co
        }
        40 => -a,
        // The shapes the tape's fusion pass rewrites, with single-use temporaries:
        // c·(a − b)², and a weighted square with a summand, d + c·(a − b)(a − b) + (k − b)²;
        // then x·s + c and c − x·s, a·b + c, u − c·t (not squared), negations under a
        // constant op, and a product whose first operand is a single-use eˣ (swapped to its
        // inner op).
        41 => c::<T>(k) * (a - b).powi(2),
        42 => {
            let e = a - b;
            let weighted = d + c::<T>(k) * (e * e) + (c::<T>(k) - b).powi(2);
            let affine = (a * c(k) + c(0.5)) * b + (c::<T>(0.5) - a * c(k)) * d;
            let mul_add = (a * b + c(k)) * t(d);
            let sub_scaled = (d - c::<T>(k) * b) * a;
            let negated = (-a) * c(k) + (-b + c(k)) * d + (c::<T>(k) - (-d)) * a;
            let swapped = t(a).exp() * b;
            weighted + affine + mul_add + sub_scaled + negated + swapped
        }
        43 => a.abs(),
        44 => a.max(b),
        45 => a.min(b),
        46 => a.floor() + a,
        47 => a.fract(),
        48 => a % (c::<T>(1.5) + b * b),
        49 => a.signum() * a + a.round() + a.ceil() + a.trunc(),
        50 => a.clamp(-T::one(), T::one()) + b,
        _ => {
            if a < b {
                a * t(b)
            } else {
                a + b
            }
        }
    }
}

/// Runs the program generically: the same code on f64, Dual, Dual2 and Var. `watch` sees
/// each instruction with the registers defined before it.
fn run<T: Float>(p: &Program, x: &[T], mut watch: impl FnMut(&Instr, &[T])) -> T {
    let mut regs: Vec<T> = x.to_vec();
    for ins in &p.instrs {
        watch(ins, &regs);
        let r = regs.len();
        let v = apply(
            ins.kind,
            regs[ins.a % r],
            regs[ins.b % r],
            regs[ins.c3 % r],
            ins.c,
        );
        regs.push(v);
    }
    regs[x.len()..].iter().fold(T::zero(), |s, &r| s + r)
}

pub fn eval<T: Float>(p: &Program, x: &[T]) -> T {
    run(p, x, |_, _| {})
}

/// The outcomes of the program's branches at x (what replay guards must track).
pub fn branches(p: &Program, x: &[f64]) -> Vec<bool> {
    let mut out = Vec::new();
    run(p, x, |ins, regs| {
        let r = regs.len();
        let a = regs[ins.a % r];
        if ins.kind == BRANCH {
            out.push(a < regs[ins.b % r]);
        }
        if ins.kind == 50 {
            // num-traits' clamp: `if a < min {..} else if a > max {..}`.
            out.push(a < -1.0);
            if a >= -1.0 {
                out.push(a > 1.0);
            }
        }
    });
    out
}

pub fn program(kinds: std::ops::Range<u8>, max_len: usize) -> impl Strategy<Value = Program> {
    prop::collection::vec(
        (kinds, 0usize..64, 0usize..64, 0usize..64, -2.0f64..2.0)
            .prop_map(|(kind, a, b, c3, c)| Instr { kind, a, b, c3, c }),
        1..max_len,
    )
    .prop_map(|instrs| Program { instrs })
}

pub fn point(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-2.0f64..2.0, n)
}

/// |a - b| <= tol · (1 + max(|a|, |b|)).
pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}
