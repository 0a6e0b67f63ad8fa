//! The scalable problems against hand-derived starting values, their MGH counterparts, exact
//! minima, and finite-difference gradients of the generic code run on the tape.

use curvature_ad::Var;
use curvature_problems::large_scale::{
    arwhead, broyden_tridiagonal, chained_rosenbrock, dqdrtic, extended_powell, extended_wood,
    tridia,
};
use curvature_problems::{DimensionError, Mgh, Scalable};

#[test]
fn sizes_outside_the_definition_are_errors_that_say_why() {
    let e = Scalable::ExtendedWood.x0(6).unwrap_err();
    assert_eq!(
        e,
        DimensionError {
            problem: "extended Wood",
            n: 6,
            requirement: "n a positive multiple of 4"
        }
    );
    assert_eq!(
        e.to_string(),
        "extended Wood is defined for n a positive multiple of 4, got n = 6"
    );
    assert!(Scalable::ExtendedPowell.check(0).is_err());
    assert!(Scalable::Dqdrtic.x_min(2).is_err());
    assert!(Scalable::ChainedRosenbrock.x0(1).is_err());
    assert!(Scalable::Tridia.check(1).is_ok());
    for p in Scalable::ALL {
        assert!(p.check(0).is_err(), "{}", p.name());
        assert!(p.check(8).is_ok(), "{}", p.name());
    }
}

#[test]
#[should_panic(expected = "ARWHEAD is defined for n ≥ 2, got n = 1")]
fn evaluating_at_an_undefined_size_panics_with_the_reason() {
    arwhead(&[1.0]);
}

#[test]
fn starting_values_derived_by_hand() {
    for n in [4, 8, 1000] {
        let nf = n as f64;
        let f0 = |p: Scalable| p.value(&p.x0(n).unwrap());
        // TRIDIA at 1: (1 − 1)² + Σᵢ₌₂ⁿ i(2 − 1)² = n(n + 1)/2 − 1.
        assert_eq!(f0(Scalable::Tridia), nf * (nf + 1.0) / 2.0 - 1.0);
        // DQDRTIC at 3: (n − 2) terms of 9 + 900 + 900.
        assert_eq!(f0(Scalable::Dqdrtic), 1809.0 * (nf - 2.0));
        // Wood at (−3, −1, −3, −1): 100·10² + 4² + 90·10² + 4² + 10·4² + 0 = 19192 per block.
        assert_eq!(f0(Scalable::ExtendedWood), 19192.0 * nf / 4.0);
        // Broyden at −1: r₁ = −5 + 2 + 1 = −2, rᵢ = −5 + 1 + 2 + 1 = −1, rₙ = −5 + 1 + 1 = −3.
        assert_eq!(f0(Scalable::BroydenTridiagonal), 4.0 + (nf - 2.0) + 9.0);
        // ARWHEAD at 1: (1 + 1)² − 4 + 3 = 3 per term.
        assert_eq!(f0(Scalable::Arwhead), 3.0 * (nf - 1.0));
        // Powell at (3, −1, 0, 1): 7² + 5·1 + 1 + 10·2⁴ = 215 per block.
        assert_eq!(f0(Scalable::ExtendedPowell), 215.0 * nf / 4.0);
        // Classic Rosenbrock: terms at (−1.2, 1) give 100·0.44² + 2.2² = 24.2, terms at
        // (1, −1.2) give 100·2.2² = 484, alternating from the first.
        let odd = n / 2; // i = 1, 3, …, n − 1
        let even = (n - 1) / 2;
        let expected = 24.2 * odd as f64 + 484.0 * even as f64;
        let f = f0(Scalable::ChainedRosenbrockClassic);
        assert!(
            (f - expected).abs() <= 1e-12 * expected,
            "{f} vs {expected}"
        );
    }
}

#[test]
fn chained_rosenbrock_from_genrose_start_matches_exact_rational_arithmetic() {
    // With N = n + 1, xᵢ = i/N: term i = [100((i + 1)N − i²)² + (N − i)²N²] / N⁴, summed
    // exactly in integers and divided once.
    for n in [2usize, 10, 1000] {
        let big_n = (n + 1) as i128;
        let numerator: i128 = (1..n as i128)
            .map(|i| 100 * ((i + 1) * big_n - i * i).pow(2) + (big_n - i).pow(2) * big_n.pow(2))
            .sum();
        let expected = numerator as f64 / (big_n.pow(4) as f64);
        let f = chained_rosenbrock(&Scalable::ChainedRosenbrock.x0(n).unwrap());
        assert!(
            (f - expected).abs() <= 1e-13 * expected,
            "n = {n}: {f} vs {expected}"
        );
    }
}

#[test]
fn the_mgh_members_agree_with_their_mgh_definitions() {
    // Extended Wood with n = 4 is Wood (problem 14), extended Powell with n = 4 and n = 12 is
    // problems 13 and 22, Broyden tridiagonal with n = 10 is problem 30: written twice (here
    // as sums of squared terms, there as residual vectors), compared at two points each.
    let cases: [(Scalable, Mgh); 4] = [
        (Scalable::ExtendedWood, Mgh::Wood),
        (Scalable::ExtendedPowell, Mgh::PowellSingular),
        (Scalable::ExtendedPowell, Mgh::ExtendedPowellSingular),
        (Scalable::BroydenTridiagonal, Mgh::BroydenTridiagonal),
    ];
    for (scalable, mgh) in cases {
        let x0 = mgh.x0();
        let other: Vec<f64> = x0
            .iter()
            .enumerate()
            .map(|(j, v)| 0.7 * v + 0.1 * j as f64)
            .collect();
        for x in [x0, other] {
            let (a, b) = (scalable.value(&x), mgh.value(&x));
            assert!(
                (a - b).abs() <= 1e-12 * b.abs(),
                "{}: {a} vs {b}",
                mgh.name()
            );
        }
    }
}

#[test]
fn the_known_minimizers_give_exactly_zero_with_zero_gradient() {
    for n in [4, 12, 1000] {
        for p in Scalable::ALL {
            assert_eq!(p.f_min(), 0.0);
            let Some(x) = p.x_min(n).unwrap() else {
                continue;
            };
            let (f, g) = curvature_ad::gradient(|v: &[Var]| p.value(v), &x);
            assert_eq!((f, p.value(&x)), (0.0, 0.0), "{} n = {n}", p.name());
            assert!(g.iter().all(|&gi| gi == 0.0), "{} n = {n}: {g:?}", p.name());
        }
    }
    // TRIDIA's minimizer halves at each index: 2xᵢ − xᵢ₋₁ = 0, x₁ = 1.
    let x = Scalable::Tridia.x_min(4).unwrap().unwrap();
    assert_eq!(x, vec![1.0, 0.5, 0.25, 0.125]);
}

#[test]
fn reverse_mode_gradients_match_finite_differences() {
    let n = 12;
    for p in Scalable::ALL {
        let x: Vec<f64> = p
            .x0(n)
            .unwrap()
            .iter()
            .enumerate()
            .map(|(j, v)| v + 0.1 * ((j * 7 % 5) as f64 - 2.0))
            .collect();
        let (f, g) = curvature_ad::gradient(|v: &[Var]| p.value(v), &x);
        assert_eq!(f, p.value(&x));
        let scale = g.iter().fold(1.0f64, |s, v| s.max(v.abs()));
        for j in 0..n {
            let h = 1e-6;
            let mut plus = x.clone();
            let mut minus = x.clone();
            plus[j] += h;
            minus[j] -= h;
            let fd = (p.value(&plus) - p.value(&minus)) / (2.0 * h);
            assert!(
                (g[j] - fd).abs() <= 1e-6 * scale,
                "{} ∂f/∂x{j}: {} vs {fd}",
                p.name(),
                g[j]
            );
        }
    }
}

#[test]
fn the_free_functions_are_the_table_entries() {
    let x: Vec<f64> = (0..16).map(|j| 0.3 * j as f64 - 2.0).collect();
    assert_eq!(tridia(&x), Scalable::Tridia.value(&x));
    assert_eq!(dqdrtic(&x), Scalable::Dqdrtic.value(&x));
    assert_eq!(extended_wood(&x), Scalable::ExtendedWood.value(&x));
    assert_eq!(
        broyden_tridiagonal(&x),
        Scalable::BroydenTridiagonal.value(&x)
    );
    assert_eq!(arwhead(&x), Scalable::Arwhead.value(&x));
    assert_eq!(extended_powell(&x), Scalable::ExtendedPowell.value(&x));
    assert_eq!(
        chained_rosenbrock(&x),
        Scalable::ChainedRosenbrockClassic.value(&x)
    );
}

#[test]
fn a_million_variables_evaluate_in_f64() {
    let n = 1_000_000;
    for p in Scalable::ALL {
        let f = p.value(&p.x0(n).unwrap());
        assert!(f.is_finite() && f > 0.0, "{}: {f}", p.name());
    }
}

#[test]
fn tapes_hold_only_the_problems_own_arithmetic() {
    // Counted by hand from the formulas (a constant operand folds into its operation):
    // a Wood block records 24 operations (x₁², x₂ − x₁², (·)², ×100, 1 − x₁, (·)², the same
    // six for x₃, x₄, then x₂ + x₄, − 2, (·)², ×10, x₂ − x₄, (·)², ×0.1, and five additions),
    // plus one addition joining it to the previous blocks; a chained Rosenbrock term records 7
    // plus one joining addition. Nothing else: no zero to start the sums, no temporaries.
    let n = 400;
    let tape = curvature_ad::Tape::record(|x: &[Var]| extended_wood(x), &vec![0.5; n]);
    assert_eq!(tape.len(), n + 24 * (n / 4) + (n / 4 - 1));
    let tape = curvature_ad::Tape::record(|x: &[Var]| chained_rosenbrock(x), &vec![0.5; n]);
    assert_eq!(tape.len(), n + 7 * (n - 1) + (n - 2));
}
